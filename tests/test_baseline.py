"""--baseline: findings open in a previous JSON result are shown, marked, and do not fail the run."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from conftest import POLICY, ROOT, copy_sample, invoke

NEW_RULE = "FW-0999,マイナンバー利用事務系,インターネット接続系,許可,HTTPS(443) 試験,,\r\n".encode("cp932")
NEW_ID = "NS-01:FW-0999"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The sample's own result, written as the docs say: `check --format json --fail-on none -o FILE`."""
    path = tmp_path_factory.mktemp("baseline") / "baseline.json"
    result = invoke("check", "--format", "json", "--fail-on", "none", "-o", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def grown(tmp_path):
    """The sample with one more major gap: a rule letting the My Number zone reach the Internet."""
    folder = copy_sample(tmp_path)
    with open(folder / "fw_rules.csv", "ab") as fh:
        fh.write(NEW_RULE)
    return folder


def _json(*args):
    result = invoke("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _findings(doc):
    return {f["id"]: f for r in doc["results"] for f in r["findings"]}


def test_known_findings_do_not_fail_the_run(baseline):
    assert invoke("check").exit_code == 1  # the sample has open major findings
    assert invoke("check", "--baseline", baseline).exit_code == 0
    assert invoke("check", "--baseline", baseline, "--fail-on", "observation").exit_code == 0


def test_a_new_finding_fails_and_only_it_is_new(baseline, grown):
    code, doc = _json("--evidence", grown, "--baseline", baseline)
    assert code == 1
    findings = _findings(doc)
    assert findings[NEW_ID]["baselined"] is False
    opened = [f for f in findings.values() if f["status"] == "open"]
    assert all(f["baselined"] for f in opened if f["id"] != NEW_ID)
    assert doc["summary"]["baselined_findings"] == len(opened) - 1
    assert doc["baseline"]["path"] == str(baseline)
    assert invoke("check", "--evidence", grown, "--baseline", baseline, "--fail-on", "none").exit_code == 0


def test_without_baseline_nothing_is_marked(baseline):
    _, doc = _json()
    assert doc["baseline"] is None and doc["summary"]["baselined_findings"] == 0
    assert not any(f["baselined"] for f in _findings(doc).values())


def test_text_summary_says_how_many_were_baselined(baseline, grown):
    _, doc = _json("--evidence", grown, "--baseline", baseline)
    known = doc["summary"]["baselined_findings"]
    result = invoke("check", "--evidence", grown, "--baseline", baseline, "--lang", "en")
    assert f"{known} of the open findings are known" in result.output and "; 1 new" in result.output
    result = invoke("check", "--evidence", grown, "--baseline", baseline)
    assert f"既知 {known} 件" in result.output and "新規 1 件" in result.output
    assert "known" not in invoke("check", "--lang", "en").output.splitlines()[-1]


def test_sarif_baseline_state(baseline, grown):
    result = invoke("check", "--format", "sarif", "--evidence", grown, "--baseline", baseline)
    doc = json.loads(result.stdout)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)
    states = {r["partialFingerprints"]["findingId/v1"]: r["baselineState"] for r in doc["runs"][0]["results"]}
    assert states.pop(NEW_ID) == "new"
    assert set(states.values()) == {"unchanged"}
    plain = json.loads(invoke("check", "--format", "sarif").stdout)
    assert not any("baselineState" in r for r in plain["runs"][0]["results"])


def test_junit_github_gitlab_still_show_baselined_findings(baseline, grown):
    import xml.etree.ElementTree as ET

    tree = ET.fromstring(invoke("check", "--format", "junit", "--evidence", grown, "--baseline", baseline,
                                "--lang", "en").stdout.encode("utf-8"))
    ns01 = next(c for c in tree.iter("testcase") if c.get("classname").endswith(".NS-01"))
    failure = ns01.find("failure")
    assert failure.get("message") == "1 open finding(s) + 2 known (baseline)"
    assert "FW-0999" in failure.text and "FW-0107" in failure.text
    ns02 = next(c for c in tree.iter("testcase") if c.get("classname").endswith(".NS-02"))
    assert ns02.find("failure") is None and "FW-0215" in ns02.find("skipped").text

    lines = invoke("check", "--format", "github", "--evidence", grown, "--baseline", baseline,
                   "--lang", "en").output.splitlines()
    new = [l for l in lines if "FW-0999" in l]
    assert len(new) == 1 and new[0].startswith("::error ") and "(known)" not in new[0]
    old = next(l for l in lines if "FW-0107" in l and "title=NS-01" in l)
    assert old.startswith("::notice ") and "(known)" in old

    with_base = json.loads(invoke("check", "--format", "gitlab", "--baseline", baseline).stdout)
    without = json.loads(invoke("check", "--format", "gitlab").stdout)
    assert with_base == without  # GitLab diffs the branches itself, by fingerprint


def test_a_finding_waived_in_the_baseline_fails_once_its_exception_ends(baseline, tmp_path):
    """Only findings *open* in the baseline are known: an exception that lapses is not absorbed."""
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy["exceptions"] = [e for e in policy["exceptions"] if e["id"] != "EX-2025-01"]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    code, doc = _json("--policy", path, "--baseline", baseline)
    assert code == 1
    assert _findings(doc)["NS-06:PC-0041"]["baselined"] is False


def test_missing_evidence_fails_even_with_a_baseline(baseline, tmp_path):
    folder = copy_sample(tmp_path)
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["kind"] != "flow_rules"]
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    assert invoke("check", "--evidence", folder, "--baseline", baseline).exit_code == 1


def _bad(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, content, says", [
    ("missing.json", None, "baseline file not found"),
    ("broken.json", '{"results": [\n  {"control_id": "NS-01",\n', "not valid JSON"),
    ("report.sarif", json.dumps({"version": "2.1.0", "runs": []}), "not an auditor check result"),
    ("list.json", "[]", "not an auditor check result"),
    ("noid.json", json.dumps({"results": [{"control_id": "NS-01", "findings": [{"severity": "major"}]}]}),
     "not an auditor check result"),
    ("binary.json", b"\xff\xfe\x00\x81", "not UTF-8"),
])
def test_unusable_baseline_is_an_input_error(tmp_path, name, content, says, monkeypatch):
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")  # the English message; Japanese in test_cli_japanese.py
    path = _bad(tmp_path, name, content)
    result = invoke("check", "--baseline", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr and says in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


def test_invalid_json_baseline_names_the_line(tmp_path):
    path = _bad(tmp_path, "broken.json", '{\n  "results": [\n    oops\n')
    result = invoke("check", "--baseline", path)
    assert result.exit_code == 2 and re.search(re.escape(str(path)) + r":3: ", result.stderr)


def test_baseline_folder_is_an_input_error(tmp_path):
    result = invoke("check", "--baseline", tmp_path)
    assert result.exit_code == 2 and "folder" in result.stderr


def _without(tmp_path, *kinds, name="FY2025"):
    """The sample less the evidence of these kinds (the town cannot supply them yet)."""
    folder = tmp_path / name
    if not folder.exists():
        folder = copy_sample(tmp_path)
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["kind"] not in kinds]
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture
def no_audits(tmp_path):
    """A town without its audit plan yet, and its own baseline made as the docs say."""
    folder = _without(tmp_path, "audits")
    path = tmp_path / "baseline.json"
    assert invoke("check", "--evidence", folder, "--format", "json", "--fail-on", "none", "-o", path).exit_code == 0
    return folder, path


def test_a_control_still_without_evidence_is_known_not_new(no_audits):
    folder, path = no_audits
    assert invoke("check", "--evidence", folder).exit_code == 1  # AU-01 and AU-04 (major) have no evidence
    assert invoke("check", "--evidence", folder, "--baseline", path).exit_code == 0
    _, doc = _json("--evidence", folder, "--baseline", path)
    missing = {r["control_id"]: r["baselined"] for r in doc["results"] if r["status"] == "no_evidence"}
    n = len(missing)
    assert {"AU-01", "AU-02", "AU-03", "AU-04"} <= set(missing) and all(missing.values())
    assert doc["summary"]["statuses"]["no_evidence"] == n and doc["summary"]["baselined_no_evidence"] == n
    line = invoke("check", "--evidence", folder, "--baseline", path, "--lang", "en").output.splitlines()[-1]
    assert f"controls without evidence: {n} known" in line and line.endswith("; 0 new")
    assert f"証跡のない管理策: 既知 {n} 件" in invoke("check", "--evidence", folder, "--baseline", path).output


def test_a_control_newly_without_evidence_still_fails_and_is_counted_new(no_audits, tmp_path):
    folder, path = no_audits
    _without(tmp_path, "flow_rules")  # the same folder loses its firewall export too
    assert invoke("check", "--evidence", folder, "--baseline", path).exit_code == 1
    _, doc = _json("--evidence", folder, "--baseline", path)
    missing = {r["control_id"]: r["baselined"] for r in doc["results"] if r["status"] == "no_evidence"}
    assert missing["AU-01"] is True and missing["NS-01"] is False
    known = sum(missing.values())
    line = invoke("check", "--evidence", folder, "--baseline", path, "--lang", "en").output.splitlines()[-1]
    assert f"controls without evidence: {known} known, not failing the run; {len(missing) - known} new" in line
    assert doc["summary"]["baselined_no_evidence"] == known < len(missing)


def test_ci_formats_mark_a_control_still_without_evidence_as_known(no_audits, tmp_path):
    import xml.etree.ElementTree as ET

    folder, path = no_audits
    _without(tmp_path, "flow_rules")
    args = ("--evidence", folder, "--baseline", path, "--lang", "en")
    github = invoke("check", "--format", "github", *args).output.splitlines()
    assert any(l.startswith("::notice ") and "title=AU-01 (known)" in l for l in github)
    assert any(l.startswith("::error ") and "title=NS-01::" in l for l in github)
    sarif = json.loads(invoke("check", "--format", "sarif", *args).stdout)["runs"][0]["results"]
    states = {r["partialFingerprints"]["findingId/v1"]: r["baselineState"] for r in sarif}
    assert states["AU-01:no_evidence"] == "unchanged" and states["NS-01:no_evidence"] == "new"
    cases = {c.get("classname").rsplit(".", 1)[1]: c
             for c in ET.fromstring(invoke("check", "--format", "junit", *args).stdout.encode()).iter("testcase")}
    assert cases["AU-01"].find("skipped") is not None and cases["AU-01"].find("error") is None
    assert cases["NS-01"].find("error") is not None
