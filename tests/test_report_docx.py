"""Word reporter: the report as an editable .docx — Word headings and tables, 決裁欄, page numbers,
Japanese fonts, inert text, the same bytes for the same document, and LibreOffice opens it."""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from auditor.reporters import docx as wordreport
from auditor.reporters import report
from office_support import office_reports, resave
from test_report_support import DATE, sample_run  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)
DEPT = ("departments", "0620_農林課")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return office_reports(tmp_path_factory)


def body_texts(document) -> list[str]:
    """Every non-empty paragraph of the body, tables included, in document order."""
    texts = []
    for p in document.element.body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if text.strip():
            texts.append(text)
    return texts


def open_docx(path) -> docx.Document:
    return docx.Document(str(path))


def test_both_languages_and_every_department(out):
    assert (out / "report.ja.docx").is_file() and (out / "report.en.docx").is_file()
    departments = sorted((out / "departments").iterdir())
    assert len(departments) == 16
    assert all((d / "report.ja.docx").is_file() and (d / "report.en.docx").is_file() for d in departments)


def test_word_headings_in_the_order_of_the_report(out):
    d = open_docx(out / "report.ja.docx")
    heads = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    level1 = [text for style, text in heads if style == "Heading 1"]
    assert level1[:4] == ["1. 評価（Check）", "2. 改善（Act）", "付録A 計画（Plan）", "付録B 実施（Do）"]  # after the summary
    assert ("Title", "情報セキュリティ監査報告書") in heads
    names = {style for style, _ in heads}
    assert {"Heading 1", "Heading 2", "Heading 3"} <= names
    for style, text in heads:  # Word's built-in heading styles, so a town's own styles apply
        assert d.styles[style].style_id in ("Title", "Heading1", "Heading2", "Heading3"), (style, text)
    sections = [p for p in d.paragraphs if p.style.name == "Heading 1"]
    assert all(p.paragraph_format.page_break_before for p in sections)  # each section on a new page
    en = [p.text for p in open_docx(out / "report.en.docx").paragraphs if p.style.name == "Heading 1"]
    assert en[:4] == ["1. Check", "2. Act", "Appendix A: Plan", "Appendix B: Do"]


def test_tables_use_a_table_style_and_repeat_their_heading_row(out, sample_run):
    d = open_docx(out / "report.ja.docx")
    assert len(d.tables) > 15
    for table in d.tables:
        assert table.style.name == "Table Grid"
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    heading_rows = [t for t in d.tables if t.rows[0]._tr.trPr is not None
                    and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None]
    assert len(heading_rows) >= len(d.tables) - 4  # all but the 決裁欄 and the key-value tables (cover, summary figures, criteria)
    for table in d.tables:  # no table is wider than the text: A4 less the margins
        assert sum(int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))) <= 165 * 1440 / 25.4 + 2
    results = next(t for t in d.tables if t.rows[0].cells[0].text == "管理策" and t.rows[0].cells[-1].text == "理由・備考")
    assert [r.cells[0].text for r in results.rows[1:]] == [r.control_id for r in sample_run.results]


def test_approval_block_on_the_first_page(out):
    for lang, words in (("ja", ["決裁欄", "起案", "審査", "決裁", "職", "氏名", "日付"]),
                        ("en", ["Approval", "Drafted", "Reviewed", "Approved", "Title", "Name", "Date"])):
        d = open_docx(out / f"report.{lang}.docx")
        body = list(d.element.body.iterchildren())
        first_table = next(i for i, el in enumerate(body) if el.tag == qn("w:tbl"))
        first_break = next(i for i, el in enumerate(body)
                           if el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None)
        assert first_table < first_break  # before the first section starts a new page
        block = d.tables[0]
        assert [c.text for c in block.rows[0].cells] == words[:4]
        assert [r.cells[0].text for r in block.rows[1:]] == words[4:]
        assert all(c.text == "" for r in block.rows[1:] for c in r.cells[1:])  # boxes left for 職・氏名・日付
        assert block.rows[2].height >= Mm(12)  # room for a name and a seal


def test_page_numbers_are_fields_in_the_footer(out):
    d = open_docx(out / "report.ja.docx")
    footer = d.sections[0].footer._element
    codes = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]
    kinds = [f.get(qn("w:fldCharType")) for f in footer.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2


def test_a4_portrait_with_margins(out):
    section = open_docx(out / "report.ja.docx").sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.orientation == 0  # portrait
    assert round(section.left_margin.mm) == 25 and round(section.right_margin.mm) == 20
    assert round(section.top_margin.mm) == 25


def test_japanese_fonts_named_for_word_with_fallbacks(out):
    d = open_docx(out / "report.ja.docx")

    def fonts(style):
        el = d.styles[style].element.rPr.find(qn("w:rFonts"))
        return {k.split("}")[1]: v for k, v in el.attrib.items()}

    assert fonts("Normal") == {"ascii": "游明朝", "hAnsi": "游明朝", "eastAsia": "游明朝", "cs": "游明朝"}
    for style in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        assert fonts(style)["eastAsia"] == "游ゴシック" and "eastAsiaTheme" not in fonts(style)
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "游明朝"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "ja-JP"
    with zipfile.ZipFile(out / "report.ja.docx") as z:
        table = z.read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="游明朝"><w:altName w:val="Yu Mincho,ＭＳ 明朝,MS Mincho"/>' in table
    assert '<w:font w:name="游ゴシック"><w:altName w:val="Yu Gothic,ＭＳ ゴシック,MS Gothic"/>' in table
    assert '<w:charset w:val="80"/>' in table  # Shift_JIS: Word substitutes a Japanese face, never a Latin one


def test_the_same_text_as_the_report_document(out):
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    text = "\n".join(body_texts(open_docx(out / "report.ja.docx")))
    for f in doc["check"]["findings"]:
        assert f["id"] in text and f["message"]["ja"] in text
    for a in doc["act"]["actions"]:
        assert a["action_id"] in text
    for a in doc["act"]["previous"]:
        assert a["action_id"] in text
    assert doc["check"]["conclusion"]["ja"] in text
    if doc["check"].get("coverage"):
        assert doc["check"]["coverage"]["statement"]["ja"] in text
    en = "\n".join(body_texts(open_docx(out / "report.en.docx")))
    assert doc["check"]["conclusion"]["en"] in en and "Approval" in en


def test_a_department_gets_only_its_findings(out):
    doc = json.loads((out.joinpath(*DEPT) / "report.json").read_text(encoding="utf-8"))
    text = "\n".join(body_texts(open_docx(out.joinpath(*DEPT) / "report.ja.docx")))
    assert "情報セキュリティ監査報告書（所属別）" in text and "農林課" in text
    org = json.loads((out / "report.json").read_text(encoding="utf-8"))
    others = [f["id"] for f in org["check"]["findings"] if (f["department"] or {}).get("code") != "0620"]
    assert others and not [i for i in others if i in text]
    assert all(f["id"] in text for f in doc["check"]["findings"])


def test_round_trip_through_python_docx_keeps_the_text(out):
    for path in (out / "report.ja.docx", out.joinpath(*DEPT) / "report.en.docx"):
        first = open_docx(path)
        buf = io.BytesIO()
        first.save(buf)
        again = docx.Document(io.BytesIO(buf.getvalue()))
        assert body_texts(again) == body_texts(first) and len(body_texts(first)) > 100
        assert [t.style.name for t in again.tables] == [t.style.name for t in first.tables]


def test_properties_name_the_report_and_nothing_of_the_machine(out):
    d = open_docx(out / "report.ja.docx")
    core = d.core_properties
    assert core.title == "さくら台市 令和7年度 情報セキュリティ監査報告書" and core.author == "さくら台市"
    assert core.last_modified_by == "" and core.comments == "" and core.language == "ja-JP"
    assert core.created == core.modified == dt.datetime(2026, 4, 15, 0, 0, tzinfo=dt.timezone.utc)  # 09:00 JST
    with zipfile.ZipFile(out / "report.ja.docx") as z:
        names = z.namelist()
        assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]
        every = b"".join(z.read(n) for n in names if n.endswith((".xml", ".rels")))
        assert {i.date_time for i in z.infolist()} == {(2026, 4, 15, 9, 0, 0)}
    for leftover in (b"python-docx", b"Macintosh", b"/root", b"/home/"):
        assert leftover not in every


def test_same_document_same_bytes(sample_run):
    doc = report.build(sample_run, ISSUED, {"code": "0620", "name": "農林課"})
    assert wordreport.document(doc, "ja") == wordreport.document(copy.deepcopy(doc), "ja")


def test_formulas_and_control_characters_are_inert(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    hostile = "=HYPERLINK(\"http://x\",\"y\")\x07\x1b[31m\u202e\ud800"
    doc["check"]["findings"][0]["message"]["ja"] = hostile
    doc["check"]["findings"][1]["message"]["ja"] = "＝1+1"
    doc["plan"]["systems"][0]["name"] = "@SUM(A1)"
    d = docx.Document(io.BytesIO(wordreport.document(doc, "ja")))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "'=HYPERLINK(\"http://x\",\"y\")\\x07\\x1b[31m\\u202e\\ud800" in cells
    assert "'@SUM(A1)" in cells
    assert any(c.startswith("'＝1+1") for c in cells)
    text = "\n".join(body_texts(d))
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text


def test_unknown_document_keys_and_missing_sections_are_read_defensively(sample_run):
    """A document without the coverage sections (no audit map) or with keys this version does not know."""
    doc = report.build(sample_run, ISSUED, None)
    doc["check"]["coverage"] = None
    doc["plan"]["coverage"] = None
    doc.pop("appendix", None)
    doc["summary"] = {"something": "new"}
    d = docx.Document(io.BytesIO(wordreport.document(doc, "en")))
    assert "1. Check" in [p.text for p in d.paragraphs]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_and_resaves_every_word_report(out, tmp_path):
    files = sorted(out.rglob("*.docx"))
    assert len(files) == 34
    for original, saved in resave(files, "docx", tmp_path).items():
        assert body_texts(open_docx(saved)) == body_texts(open_docx(original)), original


def test_missing_python_docx_is_an_input_error(tmp_path, monkeypatch):
    import builtins

    from conftest import POLICY, SAMPLE, invoke

    real_import = builtins.__import__

    def no_docx(name, *args, **kwargs):
        if name == "docx" or name.startswith("docx."):
            raise ImportError("No module named 'docx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path, "--format", "html,docx")
    assert result.exit_code == 2
    assert "python-docx" in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # checked before any work
