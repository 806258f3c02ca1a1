"""CI outputs: SARIF against the official 2.1.0 schema, JUnit against the XSD, GitHub annotations."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import xmlschema

from conftest import ROOT, invoke

DATA = ROOT / "tests" / "data"  # copies of the official SARIF 2.1.0 schema and the JUnit XSD


def _schema_file(name):
    return DATA / name


def test_sarif_is_valid_and_complete():
    result = invoke("check", "--format", "sarif")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    schema = json.loads(_schema_file("sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    assert len(run["tool"]["driver"]["rules"]) == 19
    by_id = {r["partialFingerprints"]["findingId/v1"]: r for r in run["results"]}
    ns01 = by_id["NS-01:FW-0107"]
    assert ns01["level"] == "error"
    assert ns01["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
    assert "123456789018" not in result.output
    assert by_id["NS-06:PC-0041"]["suppressions"][0]["justification"].startswith("EX-2025-01")
    assert by_id["TR-01:S00129"]["level"] == "warning"


def test_junit_is_valid_against_the_xsd():
    result = invoke("check", "--format", "junit", "--lang", "en")
    xsd = xmlschema.XMLSchema(str(_schema_file("JUnit.xsd")))
    xsd.validate(result.output)
    tree = ET.fromstring(result.output.encode("utf-8"))
    cases = tree.findall(".//testcase")
    assert len(cases) == 19
    failed = {c.get("name").split()[0] for c in cases if c.find("failure") is not None}
    assert "NS-01" in failed and "AU-01" not in failed


def test_github_annotations():
    result = invoke("check", "--format", "github", "--lang", "en")
    lines = result.output.splitlines()
    assert len(lines) == 28  # every open finding (the waived one is not annotated)
    assert all(re.match(r"::(error|warning|notice) file=evidence/FY2025/[^,]+(,line=\d+)?,title=", l) for l in lines)
    assert any(l.startswith("::error file=evidence/FY2025/fw_rules.csv,line=8,") for l in lines)
