"""Office files in the layouts of issue 16 §2, written as CSV (as Excel exports them) and as .xlsx
(openpyxl), and a manifest around them; shared by the tests of the manifest's layout options."""
from __future__ import annotations

import csv
import io

import openpyxl
import yaml

from auditor.evidence import loader
from conftest import ORG

FORMATS = ("csv", "xlsx")


def workbook(sheets: dict, merges: dict | None = None, formats: dict | None = None) -> bytes:
    """sheets: name -> rows; merges: name -> ['A3:A5', ...]; formats: name -> {'A2': '00000', ...}."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(name, ()):
            ws.merge_cells(ref)
        for ref, fmt in (formats or {}).get(name, {}).items():
            ws[ref].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_table(folder, stem: str, rows: list, fmt: str, merges=(), formats=None, encoding="utf-8") -> str:
    """rows as a CSV export (a merged cell's value in its first cell, blanks below it) or a sheet."""
    if fmt == "xlsx":
        name = f"{stem}.xlsx"
        (folder / name).write_bytes(workbook({"Sheet1": rows}, {"Sheet1": list(merges)}, {"Sheet1": formats or {}}))
        return name
    name = f"{stem}.csv"
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([["" if c is None else c for c in row] for row in rows])
    (folder / name).write_bytes(buf.getvalue().encode(encoding))
    return name


def manifest(folder, files: list, org=True) -> None:
    entries = [dict(f, provided_by=f.get("provided_by", "人事課"), collected_on="2026-03-02") for f in files]
    if org:
        (folder / "org_units.yaml").write_text(yaml.safe_dump(ORG, allow_unicode=True), encoding="utf-8")
        entries.insert(0, {"path": "org_units.yaml", "kind": "org_units", "provided_by": "総務課",
                           "collected_on": "2026-03-02"})
    doc = {"organisation": "テスト市", "fiscal_year": 2025, "files": entries}
    (folder / "manifest.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def folder(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    return ev


def load(ev, **kw):
    return loader.load(ev, **kw)


def rows(evidence, kind: str, *names) -> list:
    """(file, line, field values...) of every record of a kind."""
    data = evidence.datasets[kind]
    return [(r.file, r.line, *(r.fields.get(n) for n in names)) for r in data]


def notices(evidence, code: str, file: str | None = None) -> list:
    return [n for n in evidence.notices if n["code"] == code and (file is None or n["file"] == file)]


def manifest_line(ev, text: str) -> int:
    """The line of the manifest that holds `text` (a key of an entry)."""
    for n, line in enumerate((ev / "manifest.yaml").read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(text)
