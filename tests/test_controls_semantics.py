"""The shipped controls mean what the issue and REFERENCE.md §1 say, on small evidence sets.

Most cases of one control on one evidence set are the controls' own test cases now, run by `auditor test`
(auditor/controls/tests/<CONTROL>/<case>/, tests/test_selftest.py): NS-01, NS-02 with and without gateway_types,
NS-04's My Number units, NS-05/06/08, AU-01, NS-09 under α and the rest. What stays here sweeps a parameter
over many values or checks what a case cannot say (messages, unknown units, reasons)."""
from __future__ import annotations

import pytest

from conftest import ORG, check_json, write_evidence, write_policy


def run(tmp_path, control, datasets, as_of=None, **policy):
    ev = write_evidence(tmp_path / "ev", datasets, as_of=as_of)
    pol = write_policy(tmp_path, **policy)
    code, doc = check_json("--policy", pol, "--evidence", ev, "--control", control, "--fail-on", "observation")
    (result,) = [r for r in doc["results"] if r["control_id"] == control]
    return code, result


def ids(result):
    return sorted(f["id"] for f in result["findings"])


STAFF = [
    {"staff_id": "S001", "name": "甲", "unit": "市民課", "employment": "正規"},
    {"staff_id": "S002", "name": "乙", "unit": "市民課", "employment": "会計年度任用", "joined_on": "2025-10-01"},
    {"staff_id": "S003", "name": "丙", "unit": "情報政策課", "left_on": "2025-03-31"},  # left before FY: out of scope
    {"staff_id": "S004", "name": "丁", "unit": "情報政策課", "left_on": "2025-04-01"},  # employed on 4/1: in scope
    {"staff_id": "S005", "name": "戊", "unit": "市民課", "joined_on": "2026-04-01"},  # joins after FY: out of scope
]


@pytest.mark.parametrize("completed, ok", [
    ("2025-04-01", True), ("2026-03-31", True), ("令和7年4月1日", True), ("R8.3.31", True),
    ("2025-03-31", False), ("2026-04-01", False),
])
def test_tr01_fiscal_year_bounds_are_inclusive(tmp_path, completed, ok):
    training = [{"staff_id": s, "course": "情報セキュリティ基礎", "completed_on": "2025-06-01"} for s in ("S002", "S004")]
    training.append({"staff_id": "Ｓ００１", "course": "情報セキュリティ基礎", "completed_on": completed})  # NFKC join
    _, result = run(tmp_path, "TR-01", {"org_units": ORG, "staff": STAFF, "training_records": training})
    assert ids(result) == ([] if ok else ["TR-01:S001"])
    assert result["status"] == ("pass" if ok else "fail")


def test_tr01_one_finding_per_untrained_person_at_roster_row(tmp_path):
    _, result = run(tmp_path, "TR-01", {"org_units": ORG, "staff": STAFF, "training_records": []})
    assert ids(result) == ["TR-01:S001", "TR-01:S002", "TR-01:S004"]
    lines = {f["id"]: f["locations"] for f in result["findings"]}
    assert lines["TR-01:S001"] == [{"file": "staff.yaml", "line": 1}]
    assert lines["TR-01:S002"] == [{"file": "staff.yaml", "line": 5}]
    depts = {f["id"]: f["department"] for f in result["findings"]}
    assert depts == {"TR-01:S001": "市民課", "TR-01:S002": "市民課", "TR-01:S004": "情報政策課"}


def test_tr01_course_parameter(tmp_path):
    training = [{"staff_id": s, "course": "応用", "completed_on": "2025-06-01"} for s in ("S001", "S002", "S004")]
    data = {"org_units": ORG, "staff": STAFF, "training_records": training}
    # any course counts only when the policy says so (issue 11 §4): course and course_match both null
    _, any_course = run(tmp_path / "a", "TR-01", data, controls={"TR-01": {"params": {"course_match": None}}})
    assert any_course["status"] == "pass"
    _, basic = run(tmp_path / "b", "TR-01", data, controls={"TR-01": {"params": {"course": "基礎"}}})
    assert ids(basic) == ["TR-01:S001", "TR-01:S002", "TR-01:S004"]


@pytest.mark.parametrize("model, bad", [
    ("alpha", ["T-INET"]), ("alpha_prime", ["T-INET"]), ("beta", ["T-LG"]), ("beta_prime", ["T-LG"]),
])
def test_ns04_main_terminal_zone_follows_the_model(tmp_path, model, bad):
    terminals = [
        {"asset_id": "T-LG", "unit": "0100", "zone": "lgwan", "role": "主たる業務端末"},
        {"asset_id": "T-INET", "unit": "0100", "zone": "internet", "role": "main"},
        {"asset_id": "T-SH", "unit": "0100", "zone": "internet", "role": "shared"},
        {"asset_id": "T-MY", "unit": "市民課", "zone": "mynumber", "role": "main", "mfa": "○"},
    ]
    _, result = run(tmp_path, "NS-04", {"terminals": terminals, "org_units": ORG}, network_model=model)
    assert ids(result) == [f"NS-04.placement:{a}" for a in bad]


@pytest.mark.parametrize("ended, interval, model, status", [
    ("2023-04-01", 3, "alpha", "pass"),   # exactly 3 years before as_of 2026-03-31 is... inside
    ("2023-03-30", 3, "alpha", "fail"),
    ("2023-03-30", 4, "alpha", "pass"),
    ("2024-12-20", 3, "beta", "fail"),    # β/β′: every fiscal year
    ("2025-12-20", 3, "beta_prime", "pass"),
])
def test_au04_external_audit_interval(tmp_path, ended, interval, model, status):
    audits = [{"audit_id": "E1", "kind": "外部監査", "ended_on": ended, "submitted_to_jlis_on": "2026-01-31"}]
    _, result = run(tmp_path, "AU-04", {"audits": audits}, network_model=model,
                    controls={"AU-04": {"params": {"interval_years": interval}}})
    assert result["status"] == status


def test_sa01_names_the_department_and_points_at_the_file(tmp_path):
    sa = [{"unit": "情報政策課", "submitted_on": "2025-07-01", "item": "1", "answer": "はい"},
          {"unit": "市民課", "submitted_on": "2025-03-28", "item": "1", "answer": "はい"}]
    _, result = run(tmp_path, "SA-01", {"org_units": ORG, "self_assessments": sa})
    (finding,) = result["findings"]
    assert finding["id"] == "SA-01:0200"
    assert finding["department"] == "市民課"
    assert "市民課" in finding["message"]
    assert finding["locations"] == [{"file": "self_assessments.yaml", "line": None}]


def test_missing_evidence_is_never_a_pass(tmp_path):
    code, result = run(tmp_path, "TR-01", {"org_units": ORG, "staff": STAFF})
    assert result["status"] == "no_evidence"
    assert "training_records" in result["reason"]
    assert code == 1  # a control without evidence fails the gate at its severity


def test_disabled_control_is_listed_not_evaluated(tmp_path):
    _, result = run(tmp_path, "NS-01", {"flow_rules": [{"rule_id": "R1", "src_zone": "mynumber",
                                                        "dst_zone": "lgwan", "action": "allow"}]},
                    controls={"NS-01": {"enabled": False, "reason": "別途ネットワーク監査で確認"}})
    assert result["status"] == "not_applicable" and result["findings"] == []
    assert "別途ネットワーク監査" in result["reason"]


def test_units_unknown_to_the_organisation_master_are_reported(tmp_path):
    staff = STAFF + [{"staff_id": "S006", "unit": "市民科"}, {"staff_id": "S007", "unit": "市民科"}]
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "staff": staff, "training_records": []})
    _, doc = check_json("--policy", write_policy(tmp_path), "--evidence", ev, "--control", "TR-01")
    assert doc["unknown_units"] == [{"file": "staff.yaml", "line": 22, "value": "市民科", "rows": 2}]


def test_evidence_collected_before_the_fiscal_year_is_stale_not_pass(tmp_path):
    terminals = [{"asset_id": "T1", "unit": "市民課", "zone": "mynumber", "mfa": "○"}]
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "terminals": terminals}, collected_on="2025-03-31")
    code, doc = check_json("--policy", write_policy(tmp_path), "--evidence", ev, "--control", "NS-05")
    (result,) = doc["results"]
    assert result["status"] == "stale" and "terminals.yaml" in result["reason"]
    assert code == 0
