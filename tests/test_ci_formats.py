"""CI outputs: SARIF against the official 2.1.0 schema, JUnit against the XSD, GitHub annotations,
GitLab Code Quality against a schema written from GitLab's documented format."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import jsonschema
import pytest
import xmlschema
import yaml

from conftest import POLICY, ROOT, check_json, copy_sample, invoke, write_evidence

DATA = ROOT / "tests" / "data"  # copies of the official SARIF 2.1.0 schema and the JUnit XSD, and GitLab's format
LEVELS = {"major": "error", "minor": "warning", "observation": "note"}


@pytest.fixture(scope="module")
def sample():
    """The sample's JSON result, the reference the other formats are compared with."""
    _, doc = check_json("--fail-on", "none")
    return doc


def _findings(doc):
    return {f["id"]: f for r in doc["results"] for f in r["findings"]}


def _sarif(*args):
    result = invoke("check", "--format", "sarif", *args)
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))).validate(doc)
    return doc["runs"][0], result


def _junit(*args):
    result = invoke("check", "--format", "junit", *args)
    xmlschema.XMLSchema(str(DATA / "JUnit.xsd")).validate(result.stdout)
    return ET.fromstring(result.stdout.encode("utf-8"))


def _gitlab(*args, cwd=None):
    result = invoke("check", "--format", "gitlab", *args, cwd=cwd)
    doc = json.loads(result.stdout)
    jsonschema.Draft7Validator(json.loads((DATA / "gitlab-codequality.schema.json").read_text(encoding="utf-8"))).validate(doc)
    return doc, result


# --- SARIF -------------------------------------------------------------------------------------

def test_sarif_is_valid_and_locates_findings_at_evidence_file_and_line(sample):
    run, result = _sarif()
    assert result.exit_code == 1
    by_id = {r["partialFingerprints"]["findingId/v1"]: r for r in run["results"]}
    assert set(by_id) == set(_findings(sample))
    ns01 = by_id["NS-01:FW-0107"]["locations"][0]["physicalLocation"]
    assert ns01["artifactLocation"]["uri"] == "evidence/FY2025/fw_rules.csv"  # repository-relative, as GitHub needs
    assert ns01["region"]["startLine"] == 8
    terminal = by_id["NS-04.placement:PC-0017"]["locations"][0]["physicalLocation"]
    assert (ROOT / unquote(terminal["artifactLocation"]["uri"])).is_file()  # Japanese file names percent-encoded
    assert terminal["region"]["startLine"] == 18
    assert "123456789018" not in result.output


def test_sarif_one_rule_per_control_with_bilingual_help(sample):
    run, _ = _sarif()
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r["control_id"] for r in sample["results"]]
    for rule, control in zip(rules, sample["results"]):
        for lang in ("ja", "en"):
            assert control["title"][lang] in rule["help"]["text"]
            assert control["title"][lang] in rule["help"]["markdown"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_level_follows_the_severity_the_policy_sets(sample, tmp_path):
    run, _ = _sarif()
    findings = _findings(sample)
    for result in run["results"]:
        assert result["level"] == LEVELS[findings[result["partialFingerprints"]["findingId/v1"]]["severity"]]
    assert {r["level"] for r in run["results"]} >= {"error", "warning"}
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy["controls"]["TR-01"]["severity"] = "observation"
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    run, _ = _sarif("--policy", tmp_path / "p.yaml")
    _, doc = check_json("--policy", tmp_path / "p.yaml")
    findings = _findings(doc)
    tr01 = [r for r in run["results"] if r["ruleId"] == "TR-01"]
    assert "note" in {r["level"] for r in tr01}  # a recurring finding may be escalated above its control
    assert all(r["level"] == LEVELS[findings[r["partialFingerprints"]["findingId/v1"]]["severity"]] for r in tr01)
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "TR-01")
    assert rule["defaultConfiguration"]["level"] == "note"
    assert float(rule["properties"]["security-severity"]) < 4.0  # GitHub: low


def test_sarif_github_code_scanning_properties(sample):
    run, _ = _sarif()
    severity = {r["control_id"]: r["severity"] for r in sample["results"]}
    for rule in run["tool"]["driver"]["rules"]:
        props = rule["properties"]
        score = float(props["security-severity"])
        band = {"major": (7.0, 9.0), "minor": (4.0, 7.0), "observation": (0.1, 4.0)}[severity[rule["id"]]]
        assert band[0] <= score < band[1], rule["id"]
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert "security" in props["tags"] and props["area"] in props["tags"]


def test_sarif_waived_finding_is_a_suppression_with_the_exceptions_reason():
    run, _ = _sarif()
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    reason = next(e["reason"] for e in policy["exceptions"] if e["id"] == "EX-2025-01")
    waived = [r for r in run["results"] if "suppressions" in r]
    assert [r["partialFingerprints"]["findingId/v1"] for r in waived] == ["NS-06:PC-0041"]
    suppression = waived[0]["suppressions"][0]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"].startswith("EX-2025-01") and reason in suppression["justification"]
    where = suppression["location"]["physicalLocation"]
    line = POLICY.read_text(encoding="utf-8").splitlines()[where["region"]["startLine"] - 1]
    assert where["artifactLocation"]["uri"] == "policies/sample-city.yaml" and "EX-2025-01" in line
    # the expired exception EX-2024-07 waives nothing: its finding is an ordinary result
    expired = next(r for r in run["results"] if r["partialFingerprints"]["findingId/v1"] == "NS-06:PC-0052")
    assert "suppressions" not in expired and expired["level"] == "error"


def test_sarif_evidence_outside_the_working_directory_gets_a_file_uri(tmp_path):
    folder = copy_sample(tmp_path)
    run, _ = _sarif("--evidence", folder.resolve())
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"].startswith("file:///") and "uriBaseId" not in uri  # SARIF: a base ID only for relative URIs


# --- JUnit -------------------------------------------------------------------------------------

def test_junit_one_suite_per_area_one_case_per_control_and_department(sample):
    tree = _junit("--lang", "en")
    suites = tree.findall("testsuite")
    areas = list(dict.fromkeys(r["area"] for r in sample["results"]))
    assert [s.get("name") for s in suites] == areas
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert all(c.get("classname").startswith(f"auditor.{suite.get('name')}.") for c in cases)
    cases = tree.findall(".//testcase")
    for control in sample["results"]:
        mine = [c for c in cases if c.get("classname").endswith("." + control["control_id"])]
        departments = {d["code"] for d in control["departments"]} | {f["department_code"] for f in control["findings"]}
        assert len(mine) == max(len(departments), 1), control["control_id"]
    tr01 = [c.get("name") for c in cases if c.get("classname") == "auditor.training.TR-01"]
    assert any(n.endswith("[道路課]") for n in tr01) and any(n.endswith("[総務課]") for n in tr01)


def test_junit_failures_carry_the_departments_findings_with_file_and_line():
    tree = _junit("--lang", "en")
    cases = {c.get("name"): c for c in tree.iter("testcase")}
    finance = next(c for n, c in cases.items() if n.startswith("NS-04 ") and n.endswith("[財政課]"))
    failure = finance.find("failure")
    assert failure.get("type") == "major"
    assert "NS-04.placement:PC-0017" in failure.text and "端末台帳.tsv:18" in failure.text
    assert "PC-0110" not in failure.text  # another department's finding
    general = next(c for n, c in cases.items() if n.startswith("NS-04 ") and n.endswith("[総務課]"))
    assert len(general) == 0  # checked, nothing found: passed


def test_junit_waived_finding_does_not_fail_and_is_listed():
    tree = _junit("--lang", "en")
    citizens = next(c for c in tree.iter("testcase") if c.get("name").startswith("NS-06 ") and c.get("name").endswith("[市民課]"))
    assert len(citizens) == 0
    network = next(s for s in tree.findall("testsuite") if s.get("name") == "network")
    assert "NS-06:PC-0041" in network.find("system-out").text and "EX-2025-01" in network.find("system-out").text


def test_junit_no_evidence_is_an_error_case(tmp_path):
    folder = write_evidence(tmp_path / "ev", {"org_units": [{"code": "0100", "name": "情報政策課", "level": "課"}]})
    policy = tmp_path / "p.yaml"
    policy.write_text("organisation: {ja: テスト市, en: Test City}\nnetwork_model: beta\n", encoding="utf-8")
    tree = _junit("--policy", policy, "--evidence", folder, "--control", "TR-01")
    case = tree.find(".//testcase")
    assert case.find("error").get("type") == "no_evidence"


# --- GitHub ------------------------------------------------------------------------------------

def test_github_annotations(sample):
    result = invoke("check", "--format", "github", "--lang", "en")
    lines = result.output.splitlines()
    opened = [f for f in _findings(sample).values() if f["status"] == "open"]
    assert len(lines) == len(opened)  # every open finding (the waived one is not annotated)
    assert all(re.match(r"::(error|warning|notice) file=evidence/FY2025/[^,]+(,line=\d+)?,title=", l) for l in lines)
    assert any(l.startswith("::error file=evidence/FY2025/fw_rules.csv,line=8,") for l in lines)
    assert not any("PC-0041" in l for l in lines)


def test_github_annotates_a_control_without_evidence_on_the_manifest(tmp_path):
    folder = write_evidence(tmp_path / "ev", {"org_units": [{"code": "0100", "name": "情報政策課", "level": "課"}]})
    policy = tmp_path / "p.yaml"
    policy.write_text("organisation: {ja: テスト市, en: Test City}\nnetwork_model: beta\n", encoding="utf-8")
    result = invoke("check", "--format", "github", "--policy", policy, "--evidence", folder, "--control", "NS-01")
    assert result.exit_code == 1
    assert re.match(r"::error file=.*manifest\.yaml,title=NS-01::", result.output)


def test_github_escaping_stops_line_breaks_by_itself(monkeypatch):
    """The workflow-command escaping must not rely on sanitize.visible having run first."""
    from auditor.privacy import sanitize
    from auditor.reporters import github

    monkeypatch.setattr(sanitize, "visible", lambda text: text)
    message = github._escape("100% done\r\n::error file=x::forged")
    assert "\n" not in message and "\r" not in message
    assert message == "100%25 done%0D%0A::error file=x::forged"
    prop = github._escape("a,b:c\nd", prop=True)
    assert prop == "a%2Cb%3Ac%0Ad"


# --- GitLab Code Quality -------------------------------------------------------------------------

def test_gitlab_code_quality_is_valid_and_maps_severity(sample):
    issues, result = _gitlab()
    assert result.exit_code == 1
    opened = {f["id"]: f for f in _findings(sample).values() if f["status"] == "open"}
    assert len(issues) == len(opened)
    ns01 = next(i for i in issues if i["check_name"] == "NS-01" and "FW-0107" in i["description"])
    assert ns01["severity"] == "critical"
    assert ns01["location"] == {"path": "evidence/FY2025/fw_rules.csv", "lines": {"begin": 8}}
    severities = {(f["control_id"], f["severity"]) for f in opened.values()}
    mapped = {"major": "critical", "minor": "minor", "observation": "info"}
    assert {(i["check_name"], i["severity"]) for i in issues} == {(c, mapped[s]) for c, s in severities}
    assert all((ROOT / i["location"]["path"]).is_file() for i in issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprint_survives_lines_moving(tmp_path):
    """The fingerprint comes from the finding ID, so a row inserted above a finding keeps it the same."""
    before, _ = _gitlab("--lang", "en")
    folder = copy_sample(tmp_path)
    rules = folder / "fw_rules.csv"
    lines = rules.read_bytes().split(b"\r\n")
    extra = "FW-0100,マイナンバー利用事務系,マイナンバー利用事務系,許可,HTTPS(443) 内部,,".encode("cp932")
    rules.write_bytes(b"\r\n".join([lines[0], extra, *lines[1:]]))
    after, _ = _gitlab("--lang", "en", "--evidence", folder.name, "--policy", POLICY, cwd=folder.parent)
    old = {i["fingerprint"]: i for i in before if "FW-0107" in i["description"]}
    new = {i["fingerprint"]: i for i in after if "FW-0107" in i["description"]}
    assert old.keys() == new.keys()
    fp = next(iter(old))
    assert old[fp]["location"]["lines"]["begin"] == 8 and new[fp]["location"]["lines"]["begin"] == 9


# --- SARIF as GitHub code scanning and dashboards read it -----------------------------------------

def test_sarif_names_the_tool_the_fiscal_year_and_the_run(monkeypatch):
    import datetime as dt

    run, result = _sarif()
    driver = run["tool"]["driver"]
    assert driver["fullName"].startswith("auditor ") and driver["informationUri"].startswith("https://")
    assert driver["version"] == driver["semanticVersion"] and driver["language"] == "ja-JP"
    assert run["automationDetails"]["id"] == "auditor/FY2025/"  # GitHub's category: one analysis per year
    earlier, _ = _sarif("--evidence", ROOT / "evidence" / "FY2024")
    assert earlier["automationDetails"]["id"] == "auditor/FY2024/"
    (invocation,) = run["invocations"]
    assert invocation["exitCode"] == result.exit_code == 1 and invocation["executionSuccessful"] is True
    assert invocation["startTimeUtc"] == invocation["endTimeUtc"] == "2026-04-01T00:00:00Z"  # SOURCE_DATE_EPOCH
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    run, result = _sarif("--fail-on", "none", "--result-cache", "off")
    (invocation,) = run["invocations"]
    start, end = (dt.datetime.strptime(invocation[k], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
                  for k in ("startTimeUtc", "endTimeUtc"))
    assert before <= start <= end <= dt.datetime.now(dt.timezone.utc)
    assert invocation["exitCode"] == result.exit_code == 0


def test_sarif_artifacts_carry_the_evidence_hashes_and_every_location_a_region(sample):
    import hashlib

    run, _ = _sarif()
    artifacts = run["artifacts"]
    uris = [a["location"]["uri"] for a in artifacts]
    assert len(uris) == len(set(uris)) and "policies/sample-city.yaml" in uris
    for artifact in artifacts:
        path = ROOT / unquote(artifact["location"]["uri"])
        assert artifact["hashes"]["sha-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = yaml.safe_load((ROOT / "evidence" / "FY2025" / "manifest.yaml").read_text(encoding="utf-8"))
    listed = {f"evidence/FY2025/{f['path']}" for f in manifest["files"]}
    assert listed == {unquote(u) for u in uris} - {"policies/sample-city.yaml"}  # each file once
    for result in run["results"]:
        for loc in result["locations"]:
            physical = loc["physicalLocation"]
            assert physical["region"]["startLine"] >= 1  # GitHub places every result by its line
            index = physical["artifactLocation"].get("index")
            if index is not None:
                assert artifacts[index]["location"]["uri"] == physical["artifactLocation"]["uri"]
    for suppression in (s for r in run["results"] for s in r.get("suppressions", [])):
        assert suppression["location"]["physicalLocation"]["region"]["startLine"] > 1


def test_sarif_missing_evidence_is_a_whole_file_result_at_the_manifest(tmp_path):
    folder = write_evidence(tmp_path / "ev", {"org_units": [{"code": "0100", "name": "情報政策課", "level": "課"}]})
    policy = tmp_path / "p.yaml"
    policy.write_text("organisation: {ja: テスト市, en: Test City}\nnetwork_model: beta\n", encoding="utf-8")
    run, result = _sarif("--policy", policy, "--evidence", folder, "--control", "TR-01")
    (missing,) = [r for r in run["results"] if r["properties"]["status"] == "no_evidence"]
    (loc,) = missing["locations"]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("manifest.yaml")
    assert loc["physicalLocation"]["region"] == {"startLine": 1} and loc["properties"] == {"wholeFile": True}
    assert result.exit_code == run["invocations"][0]["exitCode"]


@pytest.mark.parametrize("minimum, kept", [("major", {"error"}), ("minor", {"error", "warning"})])
def test_sarif_min_severity_caps_the_results_and_says_so(tmp_path, minimum, kept):
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy["controls"]["TR-01"]["severity"] = "observation"  # the sample has no observation of its own
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    full, first = _sarif("--policy", tmp_path / "p.yaml")
    run, result = _sarif("--policy", tmp_path / "p.yaml", "--sarif-min-severity", minimum)
    assert {r["level"] for r in run["results"]} == kept
    left_out = [r for r in full["results"] if r["level"] not in kept]
    assert left_out and len(run["results"]) == len(full["results"]) - len(left_out)
    assert run["tool"]["driver"]["rules"] == full["tool"]["driver"]["rules"]  # every rule stays
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert str(len(left_out)) in note["message"]["text"]
    assert sum(run["properties"]["omitted"].values()) == len(left_out)
    assert result.exit_code == first.exit_code  # the gate counts everything


def test_sarif_rules_include_the_audit_items_and_not_assessed_is_no_result(tmp_path):
    from test_manual_items import _audit

    pol, ev = _audit(tmp_path)
    run, _ = _sarif("--policy", pol, "--evidence", ev)
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["GL1-03"]["properties"]["manual"] is True and "manual" in rules["GL1-03"]["properties"]["tags"]
    assert rules["GL1-04"]["properties"]["status"] == "not_assessed"
    assert rules["NS-01"]["properties"]["manual"] is False
    assert all(re.fullmatch(r"([A-Z][a-z0-9]+)+", r["name"]) for r in rules.values())  # Pascal case
    by_rule = {r["ruleId"] for r in run["results"]}
    assert "GL1-03" in by_rule  # a 不適合 answer is a result like a rule's finding
    assert not by_rule & {i for i, r in rules.items() if r["properties"]["status"] in ("not_assessed", "not_applicable")}


# --- JUnit as CI reporters read it -------------------------------------------------------------------

def test_junit_cases_name_their_file_and_line(sample):
    tree = _junit("--lang", "en")
    cases = list(tree.iter("testcase"))
    assert cases and all(c.get("file") for c in cases)
    for case in cases:
        assert (ROOT / case.get("file")).is_file(), case.get("file")
    finance = next(c for c in cases if c.get("name").startswith("NS-04 ") and c.get("name").endswith("[財政課]"))
    assert (finance.get("file"), finance.get("line")) == ("evidence/FY2025/端末台帳.tsv", "18")
    passed = next(c for c in cases if c.get("name").startswith("NS-04 ") and c.get("name").endswith("[総務課]"))
    assert passed.get("file") == "evidence/FY2025/端末台帳.tsv" and passed.get("line") is None


def test_junitparser_reads_the_junit_as_dashboards_do(tmp_path):
    import junitparser

    path = tmp_path / "auditor.junit.xml"
    result = invoke("check", "--format", "junit", "--lang", "en", "-o", path)
    assert result.exit_code == 1
    xml = junitparser.JUnitXml.fromfile(str(path))
    tree = ET.parse(path).getroot()
    suites = list(xml)
    assert [s.name for s in suites] == [s.get("name") for s in tree.findall("testsuite")]
    assert sum(s.tests for s in suites) == len(tree.findall(".//testcase"))
    failed = [c for s in suites for c in s if any(isinstance(r, junitparser.Failure) for r in c.result)]
    assert len(failed) == sum(int(s.get("failures")) for s in tree.findall("testsuite")) > 0
    skipped = [c for s in suites for c in s if any(isinstance(r, junitparser.Skipped) for r in c.result)]
    assert len(skipped) == sum(int(s.get("skipped")) for s in tree.findall("testsuite"))
    assert all(c._elem.get("file") for s in suites for c in s)
