"""Excel reporter: the 指摘事項一覧 — three sheets with filters, frozen headings, widths that fit Japanese,
real dates, inert cells, safe properties, the same bytes for the same document, and LibreOffice opens it."""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from auditor.reporters import office, report, xlsx
from office_support import office_reports, resave
from test_report_support import DATE, sample_run  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)
DEPT = ("departments", "0620_農林課")
SHEETS = {"ja": ["指摘事項", "改善措置", "管理策別結果"], "en": ["Findings", "Actions", "Results by control"]}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return office_reports(tmp_path_factory)


def values(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def column(ws, heading: str) -> list:
    rows = values(ws)
    i = rows[0].index(heading)
    return [r[i] for r in rows[1:]]


def test_three_sheets_in_both_languages_and_every_department(out):
    for lang in ("ja", "en"):
        assert openpyxl.load_workbook(out / f"findings.{lang}.xlsx").sheetnames == SHEETS[lang]
    departments = sorted((out / "departments").iterdir())
    assert len(departments) == 16 and all((d / "findings.ja.xlsx").is_file() for d in departments)


def test_filters_frozen_heading_row_and_print_titles(out):
    wb = openpyxl.load_workbook(out / "findings.ja.xlsx")
    for ws in wb:
        last = get_column_letter(ws.max_column)
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
        assert ws.print_title_rows == "$1:$1"
        assert all(c.font.b for c in ws[1])


def test_findings_and_actions_match_the_report_document(out):
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(out / "findings.ja.xlsx")
    findings = wb["指摘事項"]
    assert column(findings, "指摘ID") == [f["id"] for f in doc["check"]["findings"]]
    assert column(findings, "内容") == [f["message"]["ja"] for f in doc["check"]["findings"]]
    row = dict(zip(values(findings)[0], next(r for r in values(findings) if r[0] == "NS-06:PC-0052")))
    assert row["区分"] == "重大な不適合" and row["所属"] == "税務課" and row["証跡（ファイル:行）"] == "端末台帳.tsv:53"
    assert row["所属コード"] == "0320"  # text: the leading zero stays
    assert row["期限"] == dt.datetime(2026, 5, 15)  # a real date, not text
    actions = wb["改善措置"]
    ids = column(actions, "措置ID")
    assert ids == [a["action_id"] for a in doc["act"]["actions"]] + [a["action_id"] for a in doc["act"]["previous"]]
    assert set(column(actions, "年度区分")) == {"今回", "前回まで"}


def test_dates_are_dates_with_a_date_format(out):
    wb = openpyxl.load_workbook(out / "findings.ja.xlsx")
    ws = wb["改善措置"]
    head = [c.value for c in ws[1]]
    for name in ("期限", "延長期限", "完了日", "有効性確認日"):
        cells = [r[head.index(name)] for r in ws.iter_rows(min_row=2) if r[head.index(name)].value is not None]
        assert cells, name
        assert all(isinstance(c.value, dt.datetime) and c.number_format == "yyyy/mm/dd" for c in cells), name
    en = openpyxl.load_workbook(out / "findings.en.xlsx")["Actions"]
    due = [r[7] for r in en.iter_rows(min_row=2) if r[7].value is not None]
    assert due and all(c.number_format == "yyyy-mm-dd" for c in due)


def test_results_by_control_and_department(out, sample_run):
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ws = openpyxl.load_workbook(out / "findings.ja.xlsx")["管理策別結果"]
    rows = [dict(zip(values(ws)[0], r)) for r in values(ws)[1:]]
    org = [r for r in rows if r["所属"] == "組織全体"]
    assert [r["管理策"] for r in org] == [r.control_id for r in sample_run.results]
    expected = [(r["control_id"], d["code"], d["status"]) for r in doc["check"]["results"] for d in r["by_department"]]
    labels = {"pass": "適合", "fail": "不適合"}
    got = [(r["管理策"], r["所属コード"], r["結果"]) for r in rows if r["所属"] != "組織全体"]
    assert len(got) == len(expected) > len(org)
    assert [(c, d, labels.get(s, s)) for c, d, s in expected if s in labels] == \
        [g for g in got if g[2] in labels.values()]
    ns01 = [r for r in rows if r["管理策"] == "NS-01" and r["所属"] != "組織全体"]
    assert sum(r["未対応の指摘"] for r in ns01) == next(r for r in org if r["管理策"] == "NS-01")["未対応の指摘"]


def test_a_department_workbook_has_only_its_rows(out):
    wb = openpyxl.load_workbook(out.joinpath(*DEPT) / "findings.ja.xlsx")
    assert set(column(wb["指摘事項"], "所属コード")) == {"0620"}
    assert set(column(wb["改善措置"], "所属コード")) <= {"0620"}
    results = wb["管理策別結果"]
    assert set(column(results, "所属")) == {"農林課"} and None not in column(results, "結果")
    text = "".join(str(v) for ws in wb for r in values(ws) for v in r if v is not None)
    assert "税務課" not in text and "情報政策課" not in text


def test_column_widths_fit_japanese_text(out):
    ws = openpyxl.load_workbook(out / "findings.ja.xlsx")["指摘事項"]
    for i, heading in enumerate(values(ws)[0], 1):
        widest = max(office.width(v) for v in column(ws, heading) + [heading] if isinstance(v, str)) \
            if any(isinstance(v, str) for v in column(ws, heading) + [heading]) else 0
        width = ws.column_dimensions[get_column_letter(i)].width
        assert width >= min(widest, 40), (heading, width, widest)  # full-width characters count 2
    assert ws.column_dimensions["H"].width >= office.width("保険年金課") + 2
    assert office.width("税務課") == 6 and office.width("ABC") == 3 and office.width("ｱｲｳ") == 3


def test_formulas_and_control_characters_are_inert(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    doc["check"]["findings"][0]["message"]["ja"] = "=HYPERLINK(\"http://x\",\"y\")\x07\x1b[31m"
    doc["check"]["findings"][1]["message"]["ja"] = "＋cmd|' /C calc'!A0"
    doc["check"]["findings"][2]["message"]["ja"] = "-2+3"
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.workbook(doc, "ja")))
    ws = wb["指摘事項"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("=HYPERLINK(\"http://x\",\"y\")\\x07\\x1b[31m", "＋cmd|' /C calc'!A0", "-2+3"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text  # stored and shown as text
    assert not [c for w in wb for row in w.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(xlsx.workbook(doc, "ja"))) as z:
        sheet = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet and b"\x1b" not in sheet


def test_properties_name_the_report_and_nothing_of_the_machine(out):
    wb = openpyxl.load_workbook(out / "findings.ja.xlsx")
    p = wb.properties
    assert p.creator == "さくら台市" and p.title == "さくら台市 令和7年度 指摘事項一覧" and p.lastModifiedBy is None
    assert p.created == p.modified == dt.datetime(2026, 4, 15, 0, 0)  # 09:00 JST, stored in UTC
    with zipfile.ZipFile(out / "findings.ja.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 4, 15, 9, 0, 0)}
        every = b"".join(z.read(n) for n in z.namelist())
    assert b"<Application>auditor " in every and b"penpyxl" not in every and b"/root" not in every


def test_same_document_same_bytes(sample_run):
    doc = report.build(sample_run, ISSUED, {"code": "0620", "name": "農林課"})
    assert xlsx.workbook(doc, "en") == xlsx.workbook(copy.deepcopy(doc), "en")


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_and_resaves_every_workbook(out, tmp_path):
    files = sorted(out.rglob("*.xlsx"))
    assert len(files) == 34
    for original, saved in resave(files, "xlsx", tmp_path).items():
        before, after = openpyxl.load_workbook(original), openpyxl.load_workbook(saved)
        assert after.sheetnames == before.sheetnames, original
        for a, b in zip(before, after):
            assert values(b) == values(a), (original, a.title)
