"""`auditor test`: the controls' own test cases (auditor/controls/tests/, docs/rules.md 'Testing a control')."""
from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from conftest import ROOT, invoke

from auditor import defaults

SHIPPED_CASES = defaults.shipped_controls() / "tests"


def _run(*args):
    result = invoke("test", *args)
    return result.exit_code, result.stdout, result.stderr


def test_every_case_of_the_shipped_controls_passes():
    code, out, _ = _run("--format", "json")
    doc = json.loads(out)
    failed = [c for s in doc["suites"] for c in s["cases"] if c["verdict"] != "passed"]
    assert code == 0 and not failed, failed
    assert doc["summary"]["cases"] >= 40


def test_every_shipped_control_has_a_passing_and_a_failing_case():
    _, out, _ = _run("--format", "json")
    (suite,) = json.loads(out)["suites"]
    assert len(suite["controls"]) == len(files_controls())
    for cid in suite["controls"]:
        statuses = {c["expected_status"] for c in suite["cases"] if c["control"] == cid}
        assert "pass" in statuses and "fail" in statuses, (cid, statuses)


def test_case_files_are_not_control_files():
    """Only the top-level *.yaml of a controls folder are controls; the cases' YAML is not read as one."""
    files = defaults.control_files([defaults.shipped_controls()])
    assert files and all(p.parent == defaults.shipped_controls() for p in files)
    assert (SHIPPED_CASES / "NS-01" / "fail" / "expected.yaml").is_file()
    result = invoke("controls", "list", "--lang", "en")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == len(files_controls())


def test_text_output_is_a_test_runner_report():
    code, out, _ = _run("--lang", "en")
    assert code == 0
    assert "✓ NS-01/fail" in out and "✓ DP-01/pass" in out
    assert re.search(r"^\d+ cases: \d+ passed, 0 failed, 0 errors", out, re.M)
    code, out, _ = _run()  # Japanese by default
    assert "テストケース" in out and "成功" in out


def _town(tmp_path, *cases):
    """A town's controls folder holding copies of shipped cases (they test shipped controls)."""
    town = tmp_path / "town"
    for name in cases:
        shutil.copytree(SHIPPED_CASES / name, town / "tests" / name)
    return town


def test_a_wrong_expectation_fails_with_exit_1_and_a_readable_diff(tmp_path):
    town = _town(tmp_path, "NS-01/fail", "NS-01/pass", "NS-05/fail")
    expected = town / "tests" / "NS-01" / "fail" / "expected.yaml"
    expected.write_text(expected.read_text(encoding="utf-8").replace("line: 6", "line: 7")
                        + "- {id: 'NS-01:R9', file: flow_rules.csv, line: 9}\n", encoding="utf-8")
    (town / "tests" / "NS-01" / "pass" / "expected.yaml").write_text("status: fail\nfindings: ['NS-01:R1']\n",
                                                                      encoding="utf-8")
    code, out, _ = _run(town, "--lang", "en")
    assert code == 1
    assert "✗ NS-01/fail" in out and "✗ NS-01/pass" in out and "✓ NS-05/fail" in out
    assert "~ NS-01:R5  flow_rules.csv:6  line differ (expected line=7, got line=6)" in out
    assert "- NS-01:R9  flow_rules.csv:9  expected, not given" in out
    assert "status: expected fail, got pass" in out
    assert "- NS-01:R1" in out
    assert "3 cases: 1 passed, 2 failed, 0 errors" in out
    code, out, _ = _run(town)
    assert code == 1 and "期待" in out


def test_an_unexpected_finding_is_listed_with_its_message(tmp_path):
    town = _town(tmp_path, "NS-05/fail")
    (town / "tests" / "NS-05" / "fail" / "expected.yaml").write_text("pass\n", encoding="utf-8")
    code, out, _ = _run(town, "--lang", "en")
    assert code == 1
    assert "+ NS-05:T2  terminals.csv:3  given, not expected: My Number terminal T2" in out


@pytest.mark.parametrize("text, message", [
    ("findings: [{id: 'NS-01:R1', lin: 2}]\n", "expected.yaml:1"),
    ("status: pass\nfindings:\n  - NS-01:R1\n", "status pass has no findings"),
    ("control: XX-99\n", "no control XX-99 to test"),
    ("findings: ['NS-01:R1', 'NS-01:R1']\n", "listed twice"),
    ("policy: {network_model: gamma}\n", "policy: policy schema"),
    ("findings: [\n", "expected.yaml"),
])
def test_a_malformed_case_exits_2_naming_its_file_and_line(tmp_path, text, message):
    town = _town(tmp_path, "NS-01/fail", "NS-01/pass")
    (town / "tests" / "NS-01" / "fail" / "expected.yaml").write_text(text, encoding="utf-8")
    code, out, _ = _run(town, "--lang", "en")
    assert code == 2, out
    assert "! NS-01/fail" in out and message in out and "✓ NS-01/pass" in out  # the other cases still run


def test_a_case_with_unusable_evidence_is_malformed(tmp_path):
    town = _town(tmp_path, "NS-01/fail")
    (town / "tests" / "NS-01" / "fail" / "manifest.yaml").write_text("files: [\n", encoding="utf-8")
    code, out, _ = _run(town, "--lang", "en")
    assert code == 2 and "manifest.yaml" in out


def test_a_folder_without_cases_is_an_input_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("test", tmp_path / "empty")
    assert result.exit_code == 2 and "テストケースがありません" in result.stderr
    result = invoke("test", tmp_path / "empty", "--lang", "en")
    assert result.exit_code == 2 and "no test cases" in result.stderr


def test_case_selection(tmp_path):
    code, out, _ = _run("--case", "NS-01", "--case", "TR-04/pass", "--lang", "en")
    assert code == 0 and "4 cases: 4 passed" in out
    result = invoke("test", "--case", "NOPE-1")
    assert result.exit_code == 2


def test_junit_output_is_valid_and_carries_the_diff(tmp_path):
    import xmlschema

    town = _town(tmp_path, "NS-01/fail", "NS-01/pass")
    (town / "tests" / "NS-01" / "pass" / "expected.yaml").write_text("status: fail\nfindings: ['NS-01:R1']\n",
                                                                      encoding="utf-8")
    code, out, _ = _run(town, "--format", "junit", "--lang", "en")
    assert code == 1
    xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "JUnit.xsd")).validate(out)
    assert 'tests="2" failures="1" errors="0"' in out
    assert "status: expected fail, got pass" in out and "expected.yaml" in out


def test_policy_overrides_of_a_case(tmp_path):
    """params, network_model and policy: (an exception) change what the control gives."""
    town = _town(tmp_path, "NS-05/fail")
    expected = town / "tests" / "NS-05" / "fail" / "expected.yaml"
    expected.write_text(yaml.safe_dump({
        "status": "waived",
        "policy": {"exceptions": [{"id": "EX-1", "control": "NS-05", "scope": {"asset_id": "T2"}, "reason": "更新中",
                                   "approver": "CISO", "from": "2025-04-01", "to": "2026-06-30"}]},
        "findings": [{"id": "NS-05:T2", "status": "waived"}]}, allow_unicode=True), encoding="utf-8")
    code, out, _ = _run(town, "--lang", "en")
    assert code == 0, out


def test_no_my_number_reaches_the_output():
    from auditor.privacy import mynumber

    for fmt in ("text", "json", "junit"):
        _, out, _ = _run("--case", "DP-01", "--format", fmt)
        assert not mynumber.find(out)


# --- the worked example of docs/rules.md ----------------------------------------------------------------

DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
FILES = re.findall(r"```(?:yaml|csv)\n# file: (\S+)\n(.*?)```", DOC, re.S)


def test_the_worked_example_in_the_docs_passes(tmp_path):
    assert len(FILES) >= 5
    for path, body in FILES:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    code, out, _ = _run(tmp_path / "town-controls", "--lang", "en")
    assert code == 0, out
    assert "LOCAL-01/pass" in out and "LOCAL-01/fail" in out


def files_controls():
    from auditor.catalogue import controls as catalogue

    return catalogue.load([defaults.shipped_controls()])[0]
