"""Follow-up logic (auditor.cycle.pdca): actions for open findings, last cycle's actions and recurrence."""
from __future__ import annotations

import datetime as dt

import pytest

from auditor.cycle import pdca

D = dt.date
AS_OF = D(2026, 3, 31)
DUE_DAYS = {"major": 30, "minor": 90, "observation": 180}


def finding(fid, severity="major", status="open", dept=("0130", "財政課")):
    return {"id": fid, "control_id": fid.split(":")[0], "severity": severity, "status": status,
            "department": {"code": dept[0], "name": dept[1]}}


def test_action_id_is_stable_and_derived_from_the_finding_and_cycle():
    assert pdca.action_id("TR-01:S00042", 2025) == pdca.action_id("TR-01:S00042", 2025) == "ACT-2025-TR-01:S00042"
    assert pdca.action_id("TR-01:S00042", 2026) != pdca.action_id("TR-01:S00042", 2025)
    assert pdca.action_id("SA-01:0620", 2025) != pdca.action_id("SA-01:0610", 2025)


@pytest.mark.parametrize("severity, due", [("major", D(2026, 5, 15)), ("minor", D(2026, 7, 14)),
                                           ("observation", D(2026, 10, 12))])
def test_due_date_is_issue_date_plus_policy_days(severity, due):
    assert pdca.due_date(D(2026, 4, 15), severity, DUE_DAYS) == due


def test_new_actions_one_per_open_finding_none_for_waived():
    findings = [finding("NS-06:PC-0041", status="waived"), finding("TR-01:S00042", "minor"),
                finding("NS-01:FW-0107", "major", dept=("0220", "情報政策課"))]
    actions = pdca.new_actions(findings, D(2026, 4, 15), DUE_DAYS, "情報セキュリティ管理者", 2025)
    assert [a["finding_id"] for a in actions] == ["NS-01:FW-0107", "TR-01:S00042"]  # earliest due first
    first = actions[0]
    assert first == {"action_id": "ACT-2025-NS-01:FW-0107", "finding_id": "NS-01:FW-0107", "control_id": "NS-01",
                     "severity": "major", "department": {"code": "0220", "name": "情報政策課"},
                     "owner_role": "情報セキュリティ管理者", "due_on": "2026-05-15", "status": "new"}
    assert actions[1]["due_on"] == "2026-07-14"


def test_new_actions_use_the_policy_due_days():
    actions = pdca.new_actions([finding("X-1:a", "observation")], D(2026, 4, 1),
                               {"major": 7, "minor": 14, "observation": 21}, "課長", 2025)
    assert actions[0]["due_on"] == "2026-04-22" and actions[0]["owner_role"] == "課長"


def ca(status, due=None, extended=None, finding_id="AM-01:0130", **extra):
    return {"action_id": "CA-2024-01", "finding_id": finding_id, "unit": "0130", "status": status,
            "due_on": due, "extended_to": extended, **extra}


@pytest.mark.parametrize("action, expected", [
    (ca("verified", D(2025, 3, 31)), "closed"),
    (ca("completed", D(2025, 3, 31)), "closed"),
    (ca("in_progress", D(2026, 6, 30)), "open"),
    (ca("not_started", None), "open"),  # no due date: cannot be overdue
    (ca("in_progress", AS_OF), "open"),  # due today is not yet overdue
    (ca("in_progress", D(2025, 12, 31)), "overdue"),
    (ca("not_started", D(2025, 9, 30)), "overdue"),
    (ca("in_progress", D(2025, 9, 30), extended=D(2026, 6, 30)), "open"),  # extension still runs
    (ca("in_progress", D(2025, 9, 30), extended=AS_OF), "open"),
    (ca("in_progress", D(2025, 9, 30), extended=D(2026, 1, 31)), "overdue"),  # extension ran out too
])
def test_state_of_last_cycles_action(action, expected):
    assert pdca.state(action, set(), AS_OF) == expected


def test_recurred_when_its_finding_is_raised_again():
    ids = {"TR-01:S00145", "SA-01:0620"}
    assert pdca.state(ca("verified", D(2024, 12, 27), finding_id="TR-01:S00145"), ids, AS_OF) == "recurred"
    assert pdca.state(ca("verified", D(2024, 12, 27), finding_id="TR-01:S00146"), ids, AS_OF) == "closed"
    # only a verified action recurs: one still open and found again is simply overdue (persisting)
    rows = pdca.previous_actions([ca("in_progress", D(2025, 9, 30), finding_id="SA-01:0620")], ids, AS_OF)
    assert rows[0]["state"] == "overdue" and rows[0]["overdue"] is True
    # reported done but its finding is still raised: the fix did not hold, it is open again
    assert pdca.state(ca("done", D(2026, 6, 30), finding_id="SA-01:0620"), ids, AS_OF) == "open"
    assert pdca.state(ca("done", D(2025, 6, 30), finding_id="SA-01:0620"), ids, AS_OF) == "overdue"


class _F:
    def __init__(self, fid, severity, status="open"):
        self.id, self.severity, self.status = fid, severity, status
        self.message = {"ja": "未受講", "en": "not trained"}


class _R:
    def __init__(self, *findings):
        self.findings = list(findings)

    def open_findings(self):
        return [f for f in self.findings if f.status == "open"]


def test_recur_raises_verified_findings_one_level_and_marks_them():
    minor, obs, major, waived = _F("TR-01:S1", "minor"), _F("X-1:a", "observation"), _F("NS-01:F", "major"), \
        _F("NS-06:P", "minor", "waived")
    register = [{"action_id": "A1", "finding_id": "TR-01:S1", "status": "verified", "fiscal_year": 2024},
                {"action_id": "A2", "finding_id": "X-1:a", "status": "verified"},  # evidence register: no year
                {"action_id": "A3", "finding_id": "NS-01:F", "status": "verified", "fiscal_year": 2024},
                {"action_id": "A4", "finding_id": "NS-06:P", "status": "verified", "fiscal_year": 2024}]
    changed = pdca.recur([_R(minor, obs, major, waived)], register, 2025)
    assert (minor.severity, obs.severity, major.severity, waived.severity) == ("major", "minor", "major", "minor")
    assert changed["TR-01:S1"] == {"action_id": "A1", "from": "minor", "to": "major"}
    assert minor.message == {"ja": "【再発】未受講", "en": "[Recurred] not trained"}
    assert "NS-06:P" not in changed  # waived findings are not raised


@pytest.mark.parametrize("action", [
    {"action_id": "A", "finding_id": "TR-01:S1", "status": "done", "fiscal_year": 2024},  # not verified
    {"action_id": "A", "finding_id": "TR-01:S1", "status": "in_progress", "fiscal_year": 2024},
    {"action_id": "A", "finding_id": "TR-01:S1", "status": "verified", "fiscal_year": 2025},  # this same cycle
])
def test_recur_needs_a_verified_action_of_an_earlier_cycle(action):
    f = _F("TR-01:S1", "minor")
    assert pdca.recur([_R(f)], [action], 2025) == {} and f.severity == "minor"


def test_previous_actions_keep_fields_sort_and_count():
    records = [ca("verified", D(2025, 3, 31)) | {"action_id": "CA-2024-02"},
               ca("in_progress", D(2025, 12, 31)) | {"action_id": "CA-2024-01", "owner": "S00074"}]
    rows = pdca.previous_actions(records, set(), AS_OF)
    assert [r["action_id"] for r in rows] == ["CA-2024-01", "CA-2024-02"]
    assert rows[0]["owner"] == "S00074" and rows[0]["state"] == "overdue"
    assert pdca.count_states(rows) == {"closed": 1, "open": 0, "overdue": 1, "recurred": 0,
                                       "resolved": 0, "questioned": 0}  # every state is counted, also at 0
    assert records[0]["action_id"] == "CA-2024-02" and "state" not in records[0]  # inputs untouched


def test_is_closed_and_is_overdue_are_plain_predicates():
    assert pdca.is_closed({"status": "verified"}) and pdca.is_closed({"status": "done"})
    assert not pdca.is_closed({"status": None}) and not pdca.is_closed({})
    assert not pdca.is_overdue({"status": "completed", "due_on": D(2020, 1, 1)}, AS_OF)


def ours(status, finding_id="AU-02:0520", due=D(2025, 7, 14), **extra):
    """A row of the tool's own register (the history database)."""
    return {"action_id": f"ACT-2024-{finding_id}", "finding_id": finding_id, "control_id": finding_id.split(":")[0],
            "unit": "0520", "status": status, "due_on": due, "extended_to": None, "fiscal_year": 2024,
            "source": "register", **extra}


@pytest.mark.parametrize("status", ["not_started", "in_progress", "done"])
def test_a_register_action_whose_finding_is_gone_on_a_rechecked_control_is_resolved(status):
    assert pdca.state(ours(status), set(), AS_OF, rechecked={"AU-02"}) == "resolved"
    # the control was not evaluated again (no evidence): nothing says the gap is closed
    assert pdca.state(ours(status), set(), AS_OF, rechecked={"TR-01"}) in ("open", "overdue")
    assert pdca.state(ours(status), set(), AS_OF) in ("open", "overdue")


def test_resolved_pending_stays_resolved_until_found_again_and_is_never_overdue():
    pending = ours(pdca.PENDING)
    assert pdca.state(pending, set(), AS_OF) == "resolved"
    assert not pdca.is_overdue(pending, AS_OF)
    assert pdca.state(pending, {"AU-02:0520"}, AS_OF) == "overdue"  # back: open again, past its due date
    rows = pdca.previous_actions([pending], set(), AS_OF)
    assert rows[0]["overdue"] is False and pdca.count_states(rows)["resolved"] == 1


def test_only_a_verified_register_action_is_closed():
    assert pdca.state(ours("verified"), set(), AS_OF, rechecked={"AU-02"}) == "closed"
    # an evidence register's own word for done still closes it (the municipality's register, read as given)
    assert pdca.state(ca("done", D(2025, 3, 31)), set(), AS_OF, rechecked={"AM-01"}) == "closed"


def test_an_evidence_row_is_never_judged_resolved():
    # its finding ID is the municipality's, not necessarily one the control produces
    assert pdca.state(ca("in_progress", D(2026, 6, 30)), set(), AS_OF, rechecked={"AM-01"}) == "open"


def test_a_closure_that_an_open_finding_questions_is_not_closed():
    questioned = {"CA-2024-01": ["CA-03:CA-2024-01"]}
    assert pdca.state(ca("verified", D(2025, 3, 31)), set(), AS_OF, questioned=questioned) == "questioned"
    rows = pdca.previous_actions([ca("verified", D(2025, 3, 31))], set(), AS_OF, questioned=questioned)
    assert rows[0]["state"] == "questioned" and rows[0]["questioned_by"] == ["CA-03:CA-2024-01"]
    assert pdca.count_states(rows)["closed"] == 0


def _plan(findings, previous, recurred=None):
    rows = pdca.previous_actions(previous, {f["id"] for f in findings}, AS_OF, rechecked={"NS-04", "TR-01"})
    return pdca.plan(findings, rows, D(2026, 4, 15), DUE_DAYS, "情報セキュリティ管理者", 2025, recurred)


def test_plan_carries_the_open_action_over_and_raises_none_beside_it():
    extended = ours("in_progress", "NS-04.placement:PC-0017", due=D(2025, 5, 15), extended_to=D(2026, 6, 30),
                    owner="財政課 主査")
    actions = _plan([finding("NS-04.placement:PC-0017"), finding("NS-01:FW-0131")], [extended])
    assert [a["action_id"] for a in actions] == ["ACT-2025-NS-01:FW-0131", "ACT-2024-NS-04.placement:PC-0017"]
    carried = actions[1]
    assert (carried["status"], carried["register_status"], carried["due_on"], carried["extended_to"],
            carried["fiscal_year"]) == ("carried_over", "in_progress", "2025-05-15", "2026-06-30", 2024)
    assert actions[0]["status"] == "new" and actions[0]["previous_action_id"] is None


def test_plan_raises_a_new_action_for_a_recurred_finding_linked_to_the_verified_one():
    verified = ours("verified", "TR-01:S00171")
    actions = _plan([finding("TR-01:S00171", "major")], [verified],
                    recurred={"TR-01:S00171": {"action_id": verified["action_id"], "from": "minor", "to": "major"}})
    assert [(a["action_id"], a["status"], a["previous_action_id"]) for a in actions] == [
        ("ACT-2025-TR-01:S00171", "new", "ACT-2024-TR-01:S00171")]


def test_plan_prefers_the_registers_own_open_action_and_needs_none_for_waived_findings():
    filed = ca("in_progress", D(2026, 6, 30), finding_id="NS-04.placement:PC-0017") | {"source": "evidence"}
    own = ours("not_started", "NS-04.placement:PC-0017")
    actions = _plan([finding("NS-04.placement:PC-0017"), finding("NS-06:PC-0041", status="waived")], [filed, own])
    assert [a["action_id"] for a in actions] == ["ACT-2024-NS-04.placement:PC-0017"]
