"""Excel workbooks (.xlsx): the sheet a clerk sees, as a RawTable with Excel row numbers."""
from __future__ import annotations

import io
import itertools
import re

from ... import limits
from ...errors import InputError
from .table import OLD_EXCEL, OLD_EXCEL_HINT, OLE2_MAGIC, build_table


def read_xlsx(data, path, sheet, header_row, limit=None):
    """The sheet named (hidden or not), else the first visible one: what a clerk sees on opening the file.

    Formulas: the result Excel saved with the file is read; a formula without one (a workbook written
    by a program and never opened in Excel) is an error, not an empty cell.
    """
    import openpyxl  # only needed for workbooks

    if data.startswith(OLE2_MAGIC):  # not a zip: an old .xls, or an .xlsx encrypted with a password
        raise InputError(path, f"not a valid Excel workbook: the file is {OLD_EXCEL}, or a password-protected one",
                         hint=OLD_EXCEL_HINT + "; remove the password if it has one")
    if limit is not None:
        _check_unpacked(data, path, limit)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a usable workbook"
        _refuse_entities(exc, path)
        raise InputError(path, f"not a valid Excel workbook ({type(exc).__name__}: {exc})",
                         hint="save it as .xlsx from Excel (old .xls files are not supported)") from None
    try:
        names = wb.sheetnames
        if sheet is not None and str(sheet) not in names:
            raise InputError(path, f"no sheet named '{sheet}'; the workbook has: "
                             + ", ".join(f"'{n}'" for n in names), hint="set sheet: in the manifest to one of these")
        visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] or names
        ws = wb[str(sheet) if sheet is not None else visible[0]]
        if not hasattr(ws, "iter_rows"):
            raise InputError(path, f"sheet '{ws.title}' is a chart, not a table", hint="set sheet: in the manifest")
        where = f"sheet '{ws.title}': "
        cap = None if limit is None else limit.max_rows + (header_row or 1)
        if cap is not None and (ws.max_row or 0) > cap:  # the size the sheet declares, before reading a row
            limits.too_many_rows(path, ws.max_row - (header_row or 1), limit.max_rows, subject=f"sheet '{ws.title}'")
        _formulas_without_results(wb, ws, path, where)
        ws.reset_dimensions()  # some writers record a wrong sheet size; read every row that exists
        rows = [list(row) for row in itertools.islice(ws.iter_rows(values_only=True), cap and cap + 1)]
        if cap is not None and len(rows) > cap:  # the declared size was wrong: stop reading all the same
            limits.too_many_rows(path, len(rows) - (header_row or 1), limit.max_rows, "rows or more",
                                 subject=f"sheet '{ws.title}'")
        return build_table(rows, range(1, len(rows) + 1), path, header_row, None, where=where, text=False,
                           max_cell=None if limit is None else limit.max_cell_size)
    except InputError:
        raise
    except Exception as exc:  # read-only mode parses lazily, so a damaged sheet fails only here
        _refuse_entities(exc, path)
        raise InputError(path, f"cannot read the workbook ({type(exc).__name__}: {exc})",
                         hint="open and re-save the file in Excel") from None
    finally:
        wb.close()


_FORBIDDEN = {"EntitiesForbidden": "declares an XML entity", "DTDForbidden": "holds a document type declaration",
              "ExternalReferenceForbidden": "refers to an external resource"}


def _refuse_entities(exc: BaseException, path) -> None:
    """defusedxml (which openpyxl parses with) stopped an entity bomb or an external entity, perhaps
    wrapped in openpyxl's own error: refuse the file as hostile, not as damaged."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a declared dependency
        return
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DefusedXmlException):
            what = _FORBIDDEN.get(type(exc).__name__, "holds XML that is refused")
            name = getattr(exc, "name", None)
            raise InputError(path, f"the workbook {what}{f' ({name!r})' if name else ''}; such a file is refused "
                             "(XML のエンティティ宣言・外部参照を含むブックは読み込みません)",
                             hint="Excel never writes these: ask the sender for the file as Excel saved it "
                                  "(Excel で保存し直したファイルを提出してもらってください)") from None
        exc = exc.__cause__ or exc.__context__


def _check_unpacked(data, path, limit) -> None:
    """A workbook is a zip: refuse one whose parts unpack to more than the file size limit (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            size = sum(i.file_size for i in z.infolist())  # zipfile never reads past these sizes
    except Exception:  # not a zip: openpyxl's message says so
        return
    if size > limit.max_file_size:
        limits.too_large(path, size, limit.max_file_size, what="the workbook unpacks to")


# A cell that holds a formula and no saved result (<v> missing or empty); only looked for when '<f' occurs.
_UNSAVED_FORMULA = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def _formulas_without_results(wb, ws, path, where) -> None:
    """Scan the sheet's XML in chunks (a large sheet is never held twice in memory) at memchr speed."""
    try:
        source = wb._archive.open(ws._worksheet_path)  # openpyxl's read-only internals: skip if they move
    except Exception:  # noqa: BLE001
        return
    with source:
        tail = b""
        while True:
            chunk = source.read(1 << 22)
            if not chunk:
                return
            text, tail = tail + chunk, (tail + chunk)[-(1 << 16):]  # a cell split between chunks is seen whole
            m = _UNSAVED_FORMULA.search(text) if b"<f" in text else None
            if m:
                raise InputError(path, f"{where}cell {m.group(1).decode()}{m.group(2).decode()} holds a formula "
                                 "with no saved result", line=int(m.group(2)),
                                 hint="open the workbook in Excel and save it (Excel saves each formula's result), "
                                      "or paste the values in place of the formulas")
