"""Audit items answered by auditors: an answer is a result, a 不適合 a finding, a blank never a pass."""
from __future__ import annotations

import json

import yaml

from conftest import ORG, check_json, invoke, write_evidence, write_policy

ROWS = [
    {"item": "GL1-02", "unit": None, "result": "適合", "auditor": "監査 太郎", "checked_on": "2026-02-10",
     "evidence_reviewed": "委員会設置要綱", "note": None},
    {"item": "GL1-03", "unit": None, "result": "不適合", "auditor": "監査 太郎", "checked_on": "2026-02-10",
     "evidence_reviewed": "議事録", "note": "令和7年度の委員会が開かれていない"},
    {"item": "GL1-04", "unit": None, "result": None, "auditor": None, "checked_on": None,
     "evidence_reviewed": None, "note": None},
]


def _audit(tmp_path, rows=ROWS, **policy):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "audit_checklist": rows})
    return write_policy(tmp_path, **policy), ev


def _results(doc):
    return {r["control_id"]: r for r in doc["results"] if r["kind"] == "item"}


def test_answers_become_results_and_findings(tmp_path):
    pol, ev = _audit(tmp_path)
    code, doc = check_json("--policy", pol, "--evidence", ev)
    items = _results(doc)
    assert items["GL1-02"]["status"] == "pass"
    assert items["GL1-03"]["status"] == "fail"
    assert items["GL1-04"]["status"] == "not_assessed"  # a blank answer is never a pass
    assert items["GL1-01"]["status"] == "not_assessed"  # not in the worksheet at all
    (finding,) = items["GL1-03"]["findings"]
    assert finding["id"] == "GL1-03:0100" and finding["severity"] == "minor"
    assert "令和7年度の委員会が開かれていない" in finding["messages"]["ja"]
    assert finding["locations"] == [{"file": "audit_checklist.yaml", "line": 8}]
    assert "監査 太郎" not in json.dumps(doc, ensure_ascii=False)  # the auditor's name is personal
    n = doc["summary"]["items"]
    assert n == len(items) > 4 and doc["summary"]["item_statuses"] == {"pass": 1, "fail": 1, "not_assessed": n - 2}


def test_the_auditor_may_raise_the_severity_and_the_gate_follows(tmp_path):
    rows = [dict(ROWS[1], severity="重大")]
    pol, ev = _audit(tmp_path, rows)
    code, doc = check_json("--policy", pol, "--evidence", ev, "--control", "GL1-03")
    assert code == 1 and _results(doc)["GL1-03"]["findings"][0]["severity"] == "major"
    code, _ = check_json("--policy", pol, "--evidence", ev, "--control", "GL1-02")
    assert code == 0  # unanswered or passed items do not fail CI; they are shown as 未確認


def test_without_a_worksheet_every_item_is_not_assessed(tmp_path):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    _, doc = check_json("--policy", write_policy(tmp_path), "--evidence", ev)
    assert {r["status"] for r in _results(doc).values()} == {"not_assessed"}


def test_a_blank_item_never_counts_as_met_in_any_format(tmp_path):
    pol, ev = _audit(tmp_path)
    junit = invoke("check", "--policy", pol, "--evidence", ev, "--format", "junit").stdout
    assert 'name="GL1-04' in junit or "GL1-04" in junit
    case = junit[junit.index("GL1-04"):]
    assert case.split("</testcase>")[0].count("<skipped") == 1
    sarif = json.loads(invoke("check", "--policy", pol, "--evidence", ev, "--format", "sarif").stdout)
    assert not any(r["ruleId"] == "GL1-04" and r.get("kind") == "pass" for r in sarif["runs"][0]["results"])
    text = invoke("check", "--policy", pol, "--evidence", ev).stdout
    (line,) = [l for l in text.splitlines() if l.startswith("  未確認 ")]
    assert "GL1-04" in line.split(": ", 1)[1].split("、") and "GL1-02" not in line  # GL1-02 was answered
    cov = json.loads(invoke("coverage", "--policy", pol, "--evidence", ev, "--format", "json").stdout)
    row = next(i for i in cov["items"] if i["id"] == "GL1-04")
    # its control (OR-02) has no evidence here and nobody answered it: not assessed, whatever the status
    assert row["assessment"] == "not_assessed" and row["status"] in ("not_assessed", "no_evidence")
    assert "GL1-04" in cov["total"]["required_not_met"]


def test_department_items_expect_an_answer_from_each_audited_department(tmp_path):
    fw = tmp_path / "map.yaml"
    fw.write_text(yaml.safe_dump({"framework": {"id": "town", "base": "shipped"}, "chapters": [
        {"id": "5", "title": {"ja": "人的", "en": "People"}, "measure": 4, "sections": [
            {"id": "5.1", "title": {"ja": "遵守", "en": "Rules"}, "items": [
                {"id": "T5-01", "title": {"ja": "離席時に画面をロックしている", "en": "Screens are locked"},
                 "scope": "department", "manual": [{"ja": "執務室の観察", "en": "Observation"}]}]}]}]},
        allow_unicode=True), encoding="utf-8")
    rows = [{"item": "T5-01", "unit": "0200", "result": "一部適合", "note": "2台ロックなし"},
            {"item": "GL1-02", "unit": "0100", "result": "適合"}]
    pol, ev = _audit(tmp_path, rows)
    result = invoke("coverage", "--policy", pol, "--evidence", ev, "--framework", fw, "--format", "json")
    assert result.exit_code == 0, result.output
    cov = json.loads(result.stdout)
    row = next(i for i in cov["items"] if i["id"] == "T5-01")
    assert row["status"] == "fail" and row["assessment"] == "auditor"
    dept = json.loads(invoke("coverage", "--policy", pol, "--evidence", ev, "--framework", fw,
                             "--department", "0200", "--format", "json").stdout)
    mine = {i["id"]: i for i in dept["items"]}
    assert mine["T5-01"]["status"] == "fail"
    # 0200 is audited this year (it is in the worksheet): its other department items are 未確認
    assert {i["scope"] for i in mine.values()} == {"department"} or all(i["controls"] for i in mine.values()
                                                                         if i["scope"] != "department")
    assert all(i["status"] == "not_assessed" for k, i in mine.items() if k != "T5-01" and not i["controls"])
    assert "GL1-02" not in mine  # organisation-wide and answered by the secretariat


def test_disabling_without_a_reason_is_refused(tmp_path):
    pol, ev = _audit(tmp_path, controls={"NS-01": {"enabled": False}})
    result = invoke("check", "--policy", pol, "--evidence", ev)
    assert result.exit_code == 2 and "'reason' が必要です" in result.stderr and "policy.yaml" in result.stderr
    pol, ev = _audit(tmp_path, items={"GL1-03": {"enabled": False}})
    result = invoke("check", "--policy", pol, "--evidence", ev)
    assert result.exit_code == 2 and "'reason' が必要です" in result.stderr


def test_disabled_items_are_not_applicable_and_listed_with_their_reason(tmp_path):
    pol, ev = _audit(tmp_path, items={"GL1-03": {"enabled": False, "reason": "委員会は県と共同設置"}})
    _, doc = check_json("--policy", pol, "--evidence", ev)
    assert _results(doc)["GL1-03"]["status"] == "not_applicable"
    cov = json.loads(invoke("coverage", "--policy", pol, "--evidence", ev, "--format", "json").stdout)
    assert next(i for i in cov["items"] if i["id"] == "GL1-03")["assessment"] == "not_applicable"
    out = tmp_path / "rep"
    assert invoke("report", "--policy", pol, "--evidence", ev, "--out", out, "--format", "json").exit_code == 0
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert {"id": "GL1-03", "kind": "item", "title": report["appendix"]["applicability"][0]["title"],
            "reason": "委員会は県と共同設置"} in report["appendix"]["applicability"]


def test_unknown_item_in_the_policy_is_an_input_error(tmp_path):
    pol, ev = _audit(tmp_path, items={"GL9-99": {"enabled": False, "reason": "x"}})
    result = invoke("check", "--policy", pol, "--evidence", ev)
    assert result.exit_code == 2 and "監査項目 GL9-99 はありません" in result.stderr
    result = invoke("check", "--policy", pol, "--evidence", ev, "--lang", "en")
    assert result.exit_code == 2 and "unknown audit item GL9-99" in result.stderr


def test_an_unanswered_item_is_never_a_pass_for_a_department(tmp_path):
    from auditor.engine import audit
    from auditor.scoring import department_status

    pol, ev = _audit(tmp_path)
    from auditor import defaults
    run = audit.run(pol, ev, [defaults.shipped_controls()])
    by_id = {r.control_id: r for r in run.results}
    assert department_status(by_id["GL1-04"], "0100", "0100") == "not_assessed"  # the secretariat owns it
    assert department_status(by_id["GL1-02"], "0100", "0100") == "pass"
    assert department_status(by_id["GL1-03"], "0100", "0100") == "fail"
