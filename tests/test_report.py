"""The report document (auditor.reporters.report + reporters.reportjson): content, rates, PDCA, advisory wording."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib

import pytest
import yaml

from auditor.engine import audit
from auditor import defaults
from auditor.reporters import report
from auditor.reporters.document import document
from auditor.scoring import department_status, departments
from conftest import POLICY, copy_sample, invoke
from test_report_support import DATE, decode, sample_run, text_files  # noqa: F401  (fixture)

ISSUED = dt.date.fromisoformat(DATE)
KA = ["0110", "0120", "0130", "0210", "0220", "0310", "0320", "0330", "0410", "0420", "0430", "0510", "0520",
      "0610", "0620", "0710"]
# Sentences that read as assurance (保証型); an advisory (助言型) report must not use them.
ASSURANCE = ["発見されなかった", "問題はありません", "問題はなかった", "問題は認められない", "適切に運用されている",
             "保証します", "no significant issues", "no material", "we confirm", "is compliant with"]


def result(run, cid):
    return next(r for r in run.results if r.control_id == cid)


def test_departments_are_every_ka_and_any_unit_with_findings(sample_run):
    assert [d["code"] for d in departments(sample_run)] == KA
    run = copy.deepcopy(sample_run)  # a 部 that owns a finding gets its own report too
    f = result(run, "TR-01").findings[0]
    f.department_code, f.department = "0300", "市民部"
    assert "0300" in [d["code"] for d in departments(run)]


def test_department_status_per_control(sample_run):
    ns06, ns01, au01 = (result(sample_run, c) for c in ("NS-06", "NS-01", "AU-01"))
    assert department_status(ns06, "0310", "0220") == "waived"  # only a waived finding
    assert department_status(ns06, "0320", "0220") == "fail"
    assert department_status(ns06, "0330", "0220") == "pass"
    assert department_status(ns01, "0310", "0220") is None  # says nothing about 市民課
    assert department_status(ns01, "0220", "0220") == "fail"  # organisation-wide: the secretariat's
    assert department_status(au01, "0220", "0220") == "pass"


def test_compliance_rate_follows_its_definition(sample_run):
    doc = document(sample_run, ISSUED)
    # the controls: the audit items have their own rate in the coverage
    evaluated = [r for r in sample_run.results if r.status != "not_applicable" and not r.control.manual]
    compliant = [r for r in evaluated if r.status in ("pass", "waived")]
    assert doc["check"]["overall"] == {"evaluated": len(evaluated), "compliant": len(compliant),
                                       "rate": round(len(compliant) / len(evaluated), 4)}
    assert sum(a["evaluated"] for a in doc["check"]["by_area"]) == len(evaluated)
    assert sum(a["compliant"] for a in doc["check"]["by_area"]) == len(compliant)
    assert {a["area"] for a in doc["check"]["by_area"]} == {r.control.area for r in evaluated}
    rows = {d["code"]: d for d in doc["check"]["by_department"]}
    assert list(rows) == KA
    assert rows["0310"]["open"] == {"major": 1, "minor": 4, "observation": 0}  # TR-01, CA-03, GL4-08 (worksheet), IR-02, IR-04
    assert "不適合" in doc["check"]["definition"]["ja"] or "適合" in doc["check"]["definition"]["ja"]


def test_every_result_is_shown_with_exception_details(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    assert [r["control_id"] for r in doc["check"]["results"]] == [r.control_id for r in sample_run.results]
    ns06 = next(r for r in doc["check"]["results"] if r["control_id"] == "NS-06")
    waived = next(e for e in ns06["exceptions"] if e["id"] == "EX-2025-01")
    assert (waived["state"], waived["approver"], waived["to"]) == ("valid", "CISO（副市長）", "2026-09-30")
    assert waived["reason"].startswith("住民票写し交付")
    finding = next(f for f in doc["check"]["findings"] if f["id"] == "NS-06:PC-0041")
    assert finding["status"] == "waived" and finding["exception"]["id"] == "EX-2025-01"


def test_findings_cite_control_department_file_and_line(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    f = next(f for f in doc["check"]["findings"] if f["id"] == "NS-06:PC-0052")
    assert (f["control_id"], f["department"], f["severity"]) == ("NS-06", {"code": "0320", "name": "税務課"}, "major")
    assert f["locations"] == [{"file": "端末台帳.tsv", "line": 53}]
    assert f["control_title"]["ja"] == "情報持出し不可設定"


def test_actions_for_every_open_finding_with_policy_due_days(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    open_ids = {f["id"] for f in doc["check"]["findings"] if f["status"] == "open"}
    actions = {a["finding_id"]: a for a in doc["act"]["actions"]}
    assert set(actions) == open_ids
    days = sample_run.policy.settings["due_days"]
    for a in actions.values():
        assert a["due_on"] == (ISSUED + dt.timedelta(days=days[a["severity"]])).isoformat()
        assert a["status"] == "new" and a["owner_role"] == sample_run.policy.settings["owner_role"]
        assert a["action_id"] == f"ACT-2025-{a['finding_id']}"


def test_last_cycles_actions_on_the_sample(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    state = {a["action_id"]: a["state"] for a in doc["act"]["previous"]}
    assert state["CA-2024-01"] == "recurred"  # TR-01:S00145 raised again this year
    assert state["CA-2024-04"] == "overdue"  # due 2025-12-31, still in progress
    assert state["CA-2024-05"] == "open"  # overdue, but extended to 2026-06-30
    assert state["CA-2024-02"] == "closed"
    assert doc["act"]["previous_counts"]["recurred"] == 1
    dept = report.build(sample_run, ISSUED, {"code": "0130", "name": "財政課"})
    assert [a["action_id"] for a in dept["act"]["previous"]] == ["CA-2024-04"]


def test_advisory_wording_only(sample_run, tmp_path):
    doc = report.build(sample_run, ISSUED, None)
    assert "助言型" in doc["check"]["conclusion"]["ja"] and "保証を与えるものではありません" in doc["check"]["conclusion"]["ja"]
    out = tmp_path / "out"
    assert invoke("report", "--policy", POLICY, "--evidence", sample_run.evidence.root, "--out", out,
                  "--date", DATE, "--lang", "both", "--format", "html,md,json,csv").exit_code == 0
    for path in text_files(out):
        text = decode(path)
        for phrase in ASSURANCE:
            assert phrase not in text, (path, phrase)


def _without_kind(tmp_path, kind):
    ev = copy_sample(tmp_path)
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["kind"] != kind]
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return ev


def test_missing_evidence_limits_the_conclusion(tmp_path):
    ev = _without_kind(tmp_path, "audits")
    run = audit.run(POLICY, ev, [defaults.shipped_controls()])
    doc = report.build(run, ISSUED, None)
    missing = {m["control_id"]: m["kinds"] for m in doc["do"]["missing"]}
    assert missing["AU-01"] == ["audits"]
    assert set(missing) <= set(doc["check"]["limited"])
    assert "限定的" in doc["check"]["conclusion"]["ja"] and "limited" in doc["check"]["conclusion"]["en"]
    statuses = {r["control_id"]: r["status"] for r in doc["check"]["results"]}
    assert statuses["AU-01"] == "no_evidence"  # shown, never hidden
    secretariat = report.build(run, ISSUED, {"code": "0220", "name": "情報政策課"})
    assert "AU-01" in secretariat["check"]["limited"]  # organisation-wide: the secretariat's


def test_out_of_scope_controls_are_listed_with_reason(tmp_path):
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy["controls"]["AU-04"] = {"enabled": False, "reason": "外部監査は隔年で実施するため"}
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    run = audit.run(path, copy_sample(tmp_path), [defaults.shipped_controls()])
    doc = report.build(run, ISSUED, None)
    out = {c["id"]: c["reason"]["ja"] for c in doc["plan"]["controls_out_of_scope"]}
    assert "外部監査は隔年で実施するため" in out["AU-04"]
    assert "AU-04" not in {c["id"] for c in doc["plan"]["controls_in_scope"]}
    assert doc["check"]["overall"]["evaluated"] == len([r for r in run.results if not r.control.manual and r.status != "not_applicable"])  # AU-04 too


def test_same_inputs_and_date_give_identical_bytes(tmp_path):
    ev = copy_sample(tmp_path)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in ev.iterdir()}
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        result = invoke("report", "--policy", POLICY, "--evidence", ev, "--out", out, "--date", DATE,
                        "--lang", "both", "--format", "html,md,json,csv")
        assert result.exit_code == 0, result.output
    files = [sorted(p.relative_to(o) for p in o.rglob("*") if p.is_file()) for o in outs]
    assert files[0] == files[1] and len(files[0]) == 17 * 9 + 1  # (html, md, 2 csv) x 2 langs + json; index
    for rel in files[0]:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in ev.iterdir()}  # evidence untouched
    assert not [p for p in outs[0].rglob(".*.tmp")]  # no half-written files left behind


def test_reports_are_written_atomically(sample_run, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("auditor.fsio.write_atomic", lambda path, data, *a: calls.append(path))
    opts = report.options("html,md,json,csv")
    done = report.write(sample_run, tmp_path, ISSUED, None, opts)
    assert calls == done.paths and len(calls) == 5


def test_issue_date_changes_only_dates(sample_run):
    a = report.build(sample_run, ISSUED, None)
    b = report.build(sample_run, ISSUED + dt.timedelta(days=1), None)
    assert a["cover"]["issued_on"] != b["cover"]["issued_on"]
    assert a["check"] == b["check"] and a["plan"] == b["plan"]


@pytest.mark.parametrize("dept", [{"code": "0110", "name": "総務課"}])
def test_department_without_findings_says_so_without_assurance(sample_run, dept):
    doc = report.build(sample_run, ISSUED, dept)
    assert doc["check"]["findings"] == [] and doc["act"]["actions"] == []
    assert "未対応の指摘事項として記載したものはありません" in doc["check"]["conclusion"]["ja"]
    assert doc["check"]["organisation"]["evaluated"] == len([r for r in sample_run.results if not r.control.manual and r.status != "not_applicable"])
