"""What must never leave: other departments' data in a department's report, personal names, My Numbers."""
from __future__ import annotations

import re
import subprocess

import pytest

from auditor.reporters import report
from auditor.scoring import departments
from conftest import SAMPLE
from test_report_support import (PLANTED, decode, holds_planted_number, require, sample_reports,  # noqa: F401
                                 sample_run, text_files, tool)

_ID_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-]*[0-9A-Za-z]")
IDENTIFYING = ("staff_id", "asset_id", "owner", "verified_by")


def _staff_and_assets(run) -> set:
    """Every staff ID and asset ID that the evidence knows."""
    ids = set()
    for kind, field in (("staff", "staff_id"), ("role_assignments", "staff_id"), ("terminals", "asset_id")):
        ids |= {r.fields[field] for r in run.evidence.datasets.get(kind, []) if r.fields.get(field)}
    return ids


def _ids_in(findings, known) -> set:
    """Staff and asset IDs a set of findings shows: in their subjects and in their messages."""
    ids = set()
    for f in findings:
        ids |= {str(v) for k, v in f.subject.items() if k in IDENTIFYING and v}
        for text in f.message.values():
            ids |= {t for t in _ID_TOKEN.findall(text) if t in known}
    return ids


def _locations(findings) -> set:
    return {f"{l['file']}:{l['line']}" for f in findings for l in f.locations if l.get("line")}


def _occurs(token: str, text: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(token)}(?![0-9A-Za-z])", text) is not None


def test_department_reports_hold_nothing_of_other_departments(sample_run, sample_reports):
    depts = departments(sample_run)
    known = _staff_and_assets(sample_run)
    findings = [f for r in sample_run.results for f in r.findings]
    assert len(depts) == 16
    checked = 0
    for dept in depts:
        code = dept["code"]
        mine = [f for f in findings if f.department_code == code]
        others = [f for f in findings if f.department_code != code]
        names = {d["name"] for d in depts if d["code"] != code}
        ids = _ids_in(others, known) - _ids_in(mine, known)
        locations = _locations(others) - _locations(mine)
        folder = sample_reports / "departments" / report.folder_name(dept)
        files = text_files(folder)
        assert {p.suffix for p in files} == {".html", ".md", ".json", ".csv"}, folder
        for path in files:
            text = decode(path)
            assert dept["name"] in text or path.suffix == ".csv", path  # a CSV may hold no rows
            for name in names:
                assert name not in text, (path.relative_to(sample_reports), name)
            for token in ids:
                assert not _occurs(token, text), (path.relative_to(sample_reports), token)
            if path.suffix != ".json":  # JSON keeps file and line apart
                for loc in locations:
                    assert not re.search(re.escape(loc) + r"(?!\d)", text), (path, loc)
            checked += 1
        # its own findings are all there, and organisation-wide numbers only
        html = decode(folder / "report.ja.html")
        assert all(f.id in html for f in mine)
    assert checked == 16 * 9


def test_department_report_keeps_its_own_identifiers(sample_run, sample_reports):
    folder = sample_reports / "departments" / report.folder_name({"code": "0320", "name": "税務課"})
    html = decode(folder / "report.ja.html")
    assert "PC-0052" in html and "S00002" in html and "CA-2024-07" in html
    assert "S00113" in html  # the verifier its own finding names (CA-03) is part of that finding
    other = decode(sample_reports / "departments" / report.folder_name({"code": "0220", "name": "情報政策課"})
                   / "report.ja.html")
    assert "（非開示）" in other  # AU-03 names the audited units; other units' names are withheld there


def test_personal_names_never_printed(sample_run, sample_reports):
    assert sample_run.policy.settings["show_personal_names"] is False
    names = {r.fields["name"] for r in sample_run.evidence.datasets["staff"] if r.fields.get("name")}
    assert len(names) > 100
    for path in text_files(sample_reports):
        text = decode(path)
        leaked = [n for n in names if n in text]
        assert not leaked, (path, leaked[:3])


def test_planted_my_number_is_in_the_evidence_but_in_no_output(sample_reports):
    raw = (SAMPLE / "fw_rules.csv").read_bytes().decode("cp932")
    assert holds_planted_number(raw)  # the test means something
    outputs = [p for p in sample_reports.rglob("*") if p.is_file()]
    assert len(outputs) >= 17 * 9
    for path in outputs:
        if path.suffix == ".pdf":
            text = subprocess.run([tool("pdftotext"), str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert "評価" in text or "Check" in text  # the text layer is there to search
        else:
            text = decode(path)
        assert not holds_planted_number(text), path
        assert PLANTED not in path.read_bytes().decode("latin-1")


@pytest.mark.parametrize("text, masked", [
    ("番号 123456789018 を含む", "番号 ************ を含む"),
    ("１２３４５６７８９０１８", "************"),
    ("1234-5678-9018", "************"),
])
def test_scrub_masks_every_string_but_keeps_digests(text, masked):
    doc = {"a": [text, {"ja": text, "en": text}], "sha256": "0" * 52 + PLANTED}
    out = report.scrub(doc)
    assert out["a"][0] == masked and out["a"][1] == {"ja": masked, "en": masked}
    assert out["sha256"] == doc["sha256"]  # our own hex digest, not evidence


def test_pdf_is_checked_when_present(sample_reports):
    pdfs = list(sample_reports.rglob("*.pdf"))
    from test_report_support import has_weasyprint
    require(bool(pdfs) or has_weasyprint(), "weasyprint")
    assert len(pdfs) == 17
