"""Excel workbooks: damaged files, formulas, merged header cells and hidden sheets.

By design (README, "Evidence manifest"): a formula is read as the result Excel saved with the file,
and a formula without a saved result is an error; the sheet named by `sheet:` is read whether hidden
or not, and without `sheet:` the first visible sheet, the one a clerk sees on opening the file.
XML that declares entities (a billion-laughs bomb, an external entity) is refused, whichever part holds it.
"""
import io
import zipfile

import pytest

from .harness import accepted, label_of, local_control, messages, refused, xlsx

STAFF = {"職員番号": "staff_id", "所属": "unit"}
LIST_STAFF = "{none: staff, where: {staff_id: {exists: true}}}"  # one finding per record read


def _roster(rows, **kw):
    return xlsx([("名簿", rows, "visible")], **kw)


def test_truncated_workbook(case, request):
    whole = _roster([["職員番号", "所属"]] + [[f"S{i}", "0100"] for i in range(200)])
    case.add_file("名簿.xlsx", whole[: len(whole) // 2], kind="staff", columns=STAFF)
    refused(case, file="名簿.xlsx", words="not a valid Excel workbook", commands=("check", "report"),
            label=label_of(request))


def test_workbook_with_a_damaged_sheet(case, request):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_roster([["職員番号"], ["S1"]]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[:60] + b"<row r=\"1\"><c r=\"A1\"" if item.filename.endswith("sheet1.xml") else data)
    case.add_file("名簿.xlsx", buf.getvalue(), kind="staff", columns={"職員番号": "staff_id"})
    refused(case, file="名簿.xlsx", words="workbook", label=label_of(request))


def test_old_binary_xls_renamed_xlsx(case, request):
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    case.add_file("名簿.xlsx", ole, kind="staff", columns=STAFF)
    refused(case, file="名簿.xlsx", words=[".xls", "save it as .xlsx"], label=label_of(request))  # issue 11: say to re-save


def test_formulas_are_read_as_their_saved_results(case, request):
    """Not an error: =B2 style formulas give what Excel saved (here the unit codes), never the formula text."""
    rows = [["職員番号", "所属"], ["S1", ("=\"01\"&\"00\"", "0100")], [("=\"S\"&2", "S2"), ("=B2", "0100")]]
    case.add_file("名簿.xlsx", _roster(rows), kind="staff", columns=STAFF)
    local_control(case, LIST_STAFF)
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert messages(doc, "LOCAL-01") == ["S1 情報政策課", "S2 情報政策課"]  # unit 0100, shown by name


def test_formula_without_a_saved_result(case, request):
    """Written by a program and never opened in Excel: the cell would read as empty, so it is refused."""
    rows = [["職員番号", "所属"], ["S1", "0100"], ["S2", ("=B2", None)]]
    case.add_file("名簿.xlsx", _roster(rows), kind="staff", columns=STAFF)
    refused(case, file="名簿.xlsx", line=3, words="cell B3 holds a formula with no saved result",
            commands=("check", "report"), label=label_of(request))


def test_merged_header_cells(case, request):
    """所属 merged over B1:C1 leaves C1 empty; the value under it has no column to go to."""
    rows = [["職員番号", "所属", None], ["S1", "0100", "情報政策課"]]
    case.add_file("名簿.xlsx", _roster(rows, merged=["B1:C1"]), kind="staff", columns=STAFF)
    refused(case, file="名簿.xlsx", line=2, words="column 3 (C), which has no header label", label=label_of(request))


def test_merged_title_above_the_header(case, request):
    """Not an error: a merged title row above the header, skipped with header_row:."""
    rows = [["令和7年度 職員名簿", None], ["職員番号", "所属"], ["S1", "0100"]]
    case.add_file("名簿.xlsx", _roster(rows, merged=["A1:B1"]), kind="staff", columns=STAFF, header_row=2)
    local_control(case, LIST_STAFF)
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert messages(doc, "LOCAL-01") == ["S1 情報政策課"]


def _hidden_first():
    old = [["職員番号", "所属"], ["OLD1", "0100"]]
    current = [["職員番号", "所属"], ["S1", "0100"], ["S2", "0200"]]
    return xlsx([("旧名簿", old, "hidden"), ("名簿", current, "visible")])


def test_hidden_sheet_is_not_read_by_default(case, request):
    """Not an error: without sheet:, the first visible sheet is read, not the hidden one before it."""
    case.add_file("名簿.xlsx", _hidden_first(), kind="staff", columns=STAFF)
    local_control(case, LIST_STAFF)
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert messages(doc, "LOCAL-01") == ["S1 情報政策課", "S2 市民課"]


def test_hidden_sheet_named_in_the_manifest_is_read(case, request):
    """Not an error: a sheet the manifest names is read, hidden or not (the manifest is explicit)."""
    case.add_file("名簿.xlsx", _hidden_first(), kind="staff", columns=STAFF, sheet="旧名簿")
    local_control(case, LIST_STAFF)
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert messages(doc, "LOCAL-01") == ["OLD1 情報政策課"]


def test_missing_sheet_lists_the_sheets(case, request):
    case.add_file("名簿.xlsx", _hidden_first(), kind="staff", columns=STAFF, sheet="職員")
    refused(case, file="名簿.xlsx", words=["no sheet named '職員'", "'旧名簿', '名簿'"], label=label_of(request))


# ---- entity declarations in the workbook's XML (defusedxml refuses them; we say so, exit 2) ----

_LAUGHS = '<!DOCTYPE t [<!ENTITY a0 "laugh">' + "".join(
    f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_DECL = b'<?xml version="1.0" encoding="UTF-8"?>'


def _hostile(part: str, doctype: str, ref: str) -> bytes:
    """A one-sheet roster whose staff ID cell expands `ref`, declared in the sheet or in sharedStrings.xml."""
    base = _roster([["職員番号", "所属"], ["S1", "0100"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                cell = f"<t>{ref}</t>" if part == "sheet" else None
                data = data.replace(b"<t>S1</t>", cell.encode()) if cell else data.replace(
                    b'<c r="A2" t="inlineStr"><is><t>S1</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>')
                if part == "sheet":
                    data = data.replace(_DECL, _DECL + doctype.encode())
            elif item.filename == "[Content_Types].xml" and part == "sharedStrings":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST}"/>'
                                    "</Types>".encode())
            dst.writestr(item, data)
        if part == "sharedStrings":
            dst.writestr("xl/sharedStrings.xml", _DECL + doctype.encode() + (
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                f"<si><t>{ref}</t></si></sst>").encode())
    return out.getvalue()


@pytest.mark.parametrize("part", ["sheet", "sharedStrings"])
@pytest.mark.parametrize("attack", ["billion_laughs", "external_entity"])
def test_workbook_xml_declaring_entities_is_refused(case, request, part, attack):
    secret = case.root / "secret.txt"
    secret.write_text("SECRET-MARKER", encoding="utf-8")
    doctype, ref = ((_LAUGHS, "&a9;") if attack == "billion_laughs"
                    else (f'<!DOCTYPE t [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;"))
    case.add_file("名簿.xlsx", _hostile(part, doctype, ref), kind="staff", columns=STAFF)
    for run in refused(case, file="名簿.xlsx", words="XML entity", commands=("check", "report"),
                       label=label_of(request)):
        assert "SECRET-MARKER" not in run.stdout + run.stderr and "laughlaugh" not in run.stderr
