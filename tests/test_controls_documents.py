"""The documents-register controls (OR-02, OR-03, PR-01, IR-03) on their shipped cases.

auditor/controls/tests/<CONTROL>/<case>/ holds an evidence folder (manifest.yaml, documents.yaml) and
expected.yaml (`auditor test`'s format): `pass`, or the params, the status and each finding by ID with
its line in documents.yaml (null: a "missing" finding, located at the file). Cases named pass* must pass,
fail* must fail; a comment on the first line of documents.yaml says what the case is about. This file
checks them once more from the CLI, with the messages.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import check_json, write_policy

from auditor import defaults

NO_EVIDENCE = Path(__file__).parent / "data" / "documents" / "no-evidence"
CASES_DIR = defaults.shipped_controls() / "tests"
CONTROLS = ("OR-02", "OR-03", "PR-01", "IR-03")
CASES = sorted(p.parent for c in CONTROLS for p in (CASES_DIR / c).glob("*/expected.yaml"))
DATA = CASES_DIR


def run(tmp_path, control, evidence, params=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    policy = write_policy(tmp_path, controls={control: {"params": params}} if params else {})
    _, doc = check_json("--policy", policy, "--evidence", evidence, "--control", control, "--fail-on", "none")
    (result,) = [r for r in doc["results"] if r["control_id"] == control]
    return result


def test_every_control_has_a_pass_and_a_fail_case():
    names = {(c.parent.name, c.name.split("-")[0]) for c in CASES}
    assert names == {(control, kind) for control in CONTROLS for kind in ("pass", "fail")}


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(tmp_path, case):
    expect = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    expect = {"status": "pass"} if expect == "pass" else expect
    assert expect["status"] == case.name.split("-")[0]
    result = run(tmp_path, case.parent.name, case, expect.get("params"))
    assert result["status"] == expect["status"], result
    found = {f["id"]: [(l["file"], l["line"]) for l in f["locations"]] for f in result["findings"]}
    assert found == {f["id"]: [("documents.yaml", f["line"])] for f in expect.get("findings", [])}
    for f in result["findings"]:  # every message names its record, or says which document is missing
        assert "?" not in f["message"], f["message"]


@pytest.mark.parametrize("control", CONTROLS)
def test_no_register_is_no_evidence_never_a_pass(tmp_path, control):
    result = run(tmp_path, control, NO_EVIDENCE)
    assert result["status"] == "no_evidence" and result["findings"] == []


def test_messages_name_the_document(tmp_path):
    result = run(tmp_path, "OR-02", DATA / "OR-02" / "fail-stale")
    (stale,) = [f for f in result["findings"] if f["id"] == "OR-02.contacts:C-2"]
    assert "CSIRT連絡体制表" in stale["message"] and "C-2" in stale["message"] and "令和7年3月30日" in stale["message"]
    result = run(tmp_path / "b", "PR-01", DATA / "PR-01" / "fail-grace")
    (planned,) = [f for f in result["findings"] if f["id"] == "PR-01.guideline-planned:P-2"]
    assert "情報セキュリティ対策基準" in planned["message"] and "2026-03-27" in planned["message"]
    result = run(tmp_path / "c", "OR-03", DATA / "OR-03" / "fail")
    assert {f["id"]: f["message"] for f in result["findings"]}["OR-03.charter:missing"].startswith("文書台帳に")


def test_grace_period_follows_the_guideline_date_parameter(tmp_path):
    case = DATA / "PR-01" / "pass-grace"  # P-2: revised 2025-04-01, next review 2027-03-27
    # a year back, the grace period ended before as_of, and both documents were revised since
    assert run(tmp_path / "a", "PR-01", case, {"guideline_revised_on": "2025-03-28"})["status"] == "pass"
    # revised on 2025-04-02: inside its grace period (to 2026-04-02), P-2's next review is too late
    result = run(tmp_path / "b", "PR-01", case, {"guideline_revised_on": "2025-04-02"})
    assert [f["id"] for f in result["findings"]] == ["PR-01.guideline-planned:P-2"]
    # a grace period one day shorter ends on 2027-03-26, before P-2's next review
    result = run(tmp_path / "c", "PR-01", case, {"grace_days": 364})
    assert [f["id"] for f in result["findings"]] == ["PR-01.guideline-planned:P-2"]
