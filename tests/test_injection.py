"""Hostile evidence values reach every output format as inert, visible text (issue 6, 'Injection').

One small audit whose flow-rule services, unit names, header labels and policy exception carry
markup, links, spreadsheet formulas, terminal escapes, XML-breaking text and forged line breaks;
then one test per output format checks what a reader of that format would be tricked by.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from auditor.privacy import sanitize
from conftest import ROOT, invoke, write_evidence
from test_report_support import has_weasyprint, require, tool

SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1)) www.evil.example"
FORMULA = '=HYPERLINK("http://evil.example","clickme")'
ESC = "\x1b[31mRED\x1b[0m\x1b]0;pwned\x07"
FORGED = "a\n::error file=forged.csv::forged\r\n## forged heading"
XML_BREAK = "]]></failure><x>&amp;\u202egnp.exe"
SERVICES = [SCRIPT, LINK, FORMULA, ESC, FORGED, XML_BREAK]
UNIT = '=HYPERLINK("http://evil.example","課")'  # a unit name that Excel would run
REASON = "+cmd|' /C calc'!A0"
APPROVER = "@SUM(1+1)"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    org = [{"code": "0100", "name": UNIT, "parent": "0001", "level": "課", "mynumber_work": False},
           {"code": "0001", "name": "総務部", "level": "部", "mynumber_work": False}]
    rules = [{"rule_id": f"FW-{i}", "src_zone": "mynumber", "dst_zone": "lgwan", "action": "allow", "service": s}
             for i, s in enumerate(SERVICES, 1)]
    rules.append({"rule_id": "FW-9\n::error::id", "src_zone": "mynumber", "dst_zone": "lgwan", "action": "allow"})
    ev = write_evidence(tmp / "ev", {"org_units": org, "flow_rules": rules})
    # a self-check sheet whose unmapped header is markup, with a My Number under it (DP-01 names the column)
    (ev / "sa.csv").write_text("unit,item,answer,<img src=x onerror=alert(1)>\x1b[2J\n"
                               "0100,SA-1,はい,個人番号 123456789018\n", encoding="utf-8")
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"].append({"path": "sa.csv", "kind": "self_assessments", "provided_by": "テスト",
                              "collected_on": "2026-03-01"})
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    policy = tmp / "policy.yaml"
    policy.write_text(yaml.safe_dump({
        "organisation": {"ja": "テスト市", "en": "Test City"}, "network_model": "alpha", "secretariat": "0100",
        "exceptions": [{"id": "EX-1", "control": "NS-01", "scope": {"rule_id": "FW-1"}, "reason": REASON,
                        "approver": APPROVER, "from": "2025-04-01", "to": "2026-12-31"}]},
        allow_unicode=True), encoding="utf-8")
    return policy, ev, tmp


def _check(hostile, fmt, lang="ja"):
    policy, ev, _ = hostile
    result = invoke("check", "--policy", policy, "--evidence", ev, "--format", fmt, "--lang", lang,
                    "--control", "NS-01", "--control", "DP-01")
    assert result.exit_code == 1, result.output
    return result.stdout


def _no_raw_controls(text: str):
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", text), repr(text[:200])


def test_text_output_cannot_colour_the_terminal_or_forge_lines(hostile):
    out = _check(hostile, "text")
    _no_raw_controls(out)
    assert "\\x1b[31mRED" in out  # shown, visibly
    assert not [l for l in out.splitlines() if l.startswith(("::", "## forged"))]
    forged = [l for l in out.splitlines() if "forged" in l]
    assert forged and all("FW-5" in l for l in forged)  # one line: the finding's own


def test_github_annotations_cannot_forge_commands(hostile):
    out = _check(hostile, "github")
    _no_raw_controls(out)
    lines = out.splitlines()
    assert len(lines) == 7 and all(re.match(r"::(error|warning|notice) file=", l) for l in lines)
    files = {re.match(r"::\w+ file=([^,]+)", l).group(1).rsplit("/", 1)[-1] for l in lines}
    assert files == {"flow_rules.yaml", "sa.csv"}  # "forged.csv" stays inside a message


def test_junit_stays_well_formed_xml(hostile):
    import xmlschema

    out = _check(hostile, "junit")
    _no_raw_controls(out.replace("\t", "").replace("\n", "").replace("\r", ""))
    xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "JUnit.xsd")).validate(out)
    text = "".join(ET.fromstring(out.encode("utf-8")).itertext())
    assert "]]></failure><x>" in text and LINK in text and REASON in text  # kept as text, not as markup
    assert "\\x1b[31mRED" in text


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_keep_their_structure(hostile, fmt):
    doc = json.loads(_check(hostile, fmt))
    if fmt == "json":
        (ns01,) = [r for r in doc["results"] if r["control_id"] == "NS-01"]
        messages = [f["message"] for f in ns01["findings"]]
        assert len(ns01["findings"]) == 7
    else:
        messages = [r["message"]["text"] for r in doc["runs"][0]["results"] if r["ruleId"] == "NS-01"]
        assert len(messages) == 7
        assert any(r.get("suppressions", [{}])[0].get("justification", "").startswith(f"EX-1: {REASON}")
                   for r in doc["runs"][0]["results"])
    joined = "\n".join(messages)
    for value in (SCRIPT, LINK, FORMULA, XML_BREAK):
        assert value in joined  # JSON carries the text as data, exactly
    assert "::error file=forged.csv::forged" in joined


@pytest.fixture(scope="module")
def reports(hostile):
    policy, ev, tmp = hostile
    out = tmp / "reports"
    formats = "html,md,json,csv" + (",pdf" if has_weasyprint() else "")
    result = invoke("report", "--policy", policy, "--evidence", ev, "--out", out, "--date", "2026-04-15",
                    "--format", formats, "--lang", "both")
    assert result.exit_code == 0, result.output
    return out


def test_html_shows_markup_as_text(reports):
    for lang in ("ja", "en"):
        page = (reports / f"report.{lang}.html").read_text(encoding="utf-8")
        _no_raw_controls(page)
        assert "<script" not in page and "<img" not in page and "<x>" not in page
        assert 'href="javascript' not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "\\u202egnp.exe" in page  # the reversed file name is shown as an escape


def test_markdown_makes_no_link_markup_or_heading(reports):
    for lang in ("ja", "en"):
        page = (reports / f"report.{lang}.md").read_text(encoding="utf-8")
        _no_raw_controls(page)
        assert "](javascript:" not in page and r"\[x\]\(javascript\:alert\(1\)\)" in page
        assert "www.evil" not in page and r"www\.evil\.example" in page  # no GFM autolink
        prose = re.sub(r"(`+).*?\1", "", page)  # code spans (IDs, file names) show their text literally
        assert "<script" not in prose and "<img" not in prose and "&lt;img src\\=x" in prose
        assert not [l for l in page.splitlines() if l.startswith(("## forged", "::error"))]


def test_csv_cells_never_start_a_formula(reports):
    cells = []
    for path in reports.glob("*.csv"):
        cells += [c for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))) for c in row]
    assert cells
    for cell in cells:
        assert not cell.startswith(sanitize.FORMULA_START), cell
    assert f"'{UNIT}" in cells and f"'{REASON}" in cells and f"'{APPROVER}" in cells


def test_report_json_is_data(reports):
    doc = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    messages = [f["message"]["en"] for f in doc["check"]["findings"]]
    assert any(SCRIPT in m for m in messages) and any(FORMULA in m for m in messages)


def test_pdf_shows_markup_as_text(reports):
    require(has_weasyprint(), "weasyprint")
    text = subprocess.run([tool("pdftotext"), str(reports / "report.en.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "<script>alert(1)</script>" in text.replace("\n", "")


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("＝HYPERLINK()", "'＝HYPERLINK()"), ("plain", "plain"), (None, ""), (5, "5"),
])
def test_spreadsheet_cells_for_csv_and_xlsx(value, expected):
    assert sanitize.spreadsheet_cell(value) == expected


@pytest.mark.parametrize("raw, shown", [
    ("a\x00b", "a\\x00b"), ("\x1b[31m", "\\x1b[31m"), ("x\ny", "x\\ny"), ("\u202e", "\\u202e"), ("\x9b", "\\x9b"),
])
def test_visible_escapes_controls(raw, shown):
    assert sanitize.visible(raw) == shown
    assert sanitize.xml(raw) == (raw if raw in ("x\ny", "\x9b") else shown)
