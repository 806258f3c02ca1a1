"""Writing the workbooks that go out to be filled in and come back as input: the progress sheets
(progress.py), the auditors' worksheet and the self-assessment sheet (worksheet.py, selfcheck.py).

What they share: every value a cell can hold (XML 1.0 forbids most control characters); text that a
spreadsheet would run as a formula stored as text; the columns to fill in shaded, unlocked and
formatted as text (a formula typed there stays text in Excel and LibreOffice), the others locked
under sheet protection; drop-downs; document properties that say what the sheet is, written from
fixed values (never the account that ran the export); the same inputs giving the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from .. import fsio
from ..errors import InputError, os_reason
from ..privacy import mynumber, sanitize

FORMULA = sanitize.FORMULA_START  # =, +, -, @, tab, CR, LF and their full-width forms
FILL = "FFF2CC"  # the columns the recipient fills in
TEXT_FORMAT = "@"  # Excel's and LibreOffice's "text" cell format: what is typed is kept as typed
DATE_FORMAT = "yyyy/m/d"
MAX_PROPERTY = 255  # characters of a custom document property Excel keeps


def sheet_text(value):
    """A value a worksheet can hold: Word's line break (U+000B) is a line break in the cell; the other
    characters XML 1.0 forbids become visible escapes (openpyxl refuses them)."""
    if not isinstance(value, str):
        return value
    return sanitize.xml(value.replace("\x0b", "\n"))


def put(cell, value):
    """Write one value; a string that a spreadsheet would evaluate (=, +, -, @... first) is stored as
    text, with Excel's quote prefix, and a date gets a date format."""
    value = sheet_text(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA):
        cell.data_type = "s"  # openpyxl took it for a formula: stored as text, never evaluated
        cell.quotePrefix = True
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def fill_in(cell):
    """A cell the recipient fills in: shaded, unlocked under sheet protection, formatted as text."""
    from openpyxl.styles import PatternFill, Protection

    cell.fill = PatternFill("solid", fgColor=FILL)
    cell.protection = Protection(locked=False)
    if not isinstance(cell.value, dt.date):
        cell.number_format = TEXT_FORMAT
    return cell


def protect(ws) -> None:
    """Lock every cell not made fill_in; no password (it guards against slips, not people), and columns
    and rows can still be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def choices(values, cells, title: str | None = None, prompt: str | None = None, error: str | None = None):
    """A drop-down of `values` over `cells` (an A1 range, or a list of them). With `error`, anything else
    typed is refused with that message; with `prompt`, selecting a cell shows it."""
    from openpyxl.worksheet.datavalidation import DataValidation

    listed = ",".join(values)
    if '"' in listed or len(listed) > 255:  # Excel's limit for a list written in place
        raise ValueError(f"cannot offer these choices in a drop-down: {listed!r}")
    dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showDropDown=False)
    if error:
        dv.showErrorMessage, dv.errorStyle, dv.error = True, "stop", _short(error, 255)
        dv.errorTitle = _short(title, 32) if title else None
    if prompt:
        dv.showInputMessage, dv.prompt = True, _short(prompt, 255)
        dv.promptTitle = _short(title, 32) if title else None
    for ranged in [cells] if isinstance(cells, str) else cells:
        dv.add(ranged)
    return dv


def _short(text: str, limit: int) -> str:
    text = sheet_text(text or "")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def property_text(value) -> str:
    """A document property's value: masked, XML-safe, no longer than Excel keeps."""
    return _short(mynumber.mask(str(value if value is not None else "")), MAX_PROPERTY)


def set_properties(wb, stamp: dt.date, title: str | None = None, subject: str | None = None,
                   custom: dict | None = None) -> dt.datetime:
    """The workbook's properties: made by `auditor` at a fixed time on `stamp` (not the account or the
    clock of the machine), a title and subject, and custom string properties (kept by Excel and
    LibreOffice when the file is saved again; never shown as a cell). Returns the moment stamped."""
    from openpyxl.packaging.custom import StringProperty

    moment = dt.datetime.combine(stamp, dt.time(9, 0))
    props = wb.properties
    props.creator = "auditor"
    props.lastModifiedBy = None
    props.created = props.modified = moment
    if title:
        props.title = property_text(title)
    if subject:
        props.subject = property_text(subject)
    for name, value in (custom or {}).items():
        wb.custom_doc_props.append(StringProperty(name=name, value=property_text(value)))
    return moment


def save(wb, moment: dt.datetime) -> bytes:
    """The workbook's bytes, every zip member stamped with `moment`: the same inputs, the same bytes."""
    from openpyxl.writer.excel import ExcelWriter

    buf = io.BytesIO()
    ExcelWriter(wb, FixedZip(buf, "w", zipfile.ZIP_DEFLATED, stamp=moment)).save()
    return buf.getvalue()


class FixedZip(zipfile.ZipFile):
    """Every member stamped with one time (openpyxl would use now())."""
    def __init__(self, *args, stamp: dt.datetime, **kwargs):
        self._stamp = stamp.timetuple()[:6]
        super().__init__(*args, **kwargs)

    def open(self, name, mode="r", *args, **kwargs):
        if mode == "w" and isinstance(name, zipfile.ZipInfo):
            name.date_time, name.external_attr = self._stamp, 0o600 << 16
        return super().open(name, mode, *args, **kwargs)


def write(out, data: bytes) -> None:
    """Write a sheet atomically (a reader never sees half of it); an OSError is bad input naming the file."""
    try:
        fsio.write_atomic(out, data)
    except OSError as exc:
        raise InputError(out, f"cannot write the sheet: {exc.strerror or exc}",
                         ja=f"シートを書き込めません（{os_reason(exc, 'ja')}）") from None


@dataclass(frozen=True)
class Column:
    """One column of a sheet sent out: its key, header label, whether the recipient fills it in, its width."""
    key: str
    label: str
    filled: bool = False
    width: int = 12


def columns(spec, en_labels: dict, lang: str) -> list:
    """Columns from (key, field or None, ja label, filled in, width): in English a field's column is headed by
    the field's name (read back with no `columns:` map), a context column by en_labels[key]."""
    return [Column(key, ja if lang == "ja" else field or en_labels[key], filled, width)
            for key, field, ja, filled, width in spec]


def column_map(spec, lang: str) -> dict:
    """Header label -> field, for the manifest's `columns:` (empty in English: the labels are the fields)."""
    return {} if lang == "en" else {ja: field for _, field, ja, _, _ in spec if field}


def table(ws, titles: list, columns: list, rows: list, header_row: int, freeze_at: int = 1) -> None:
    """Title rows from row 1, the header at `header_row` (fixed: the manifest names it), one row per
    dict of `rows` (by column key) below it. Every text is masked and written by `put`; the columns to
    fill in are `fill_in`; the sheet is protected, its panes frozen below the header and right of the
    first `freeze_at` columns, printed landscape with the header row on every page."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    if len(titles) >= header_row:
        raise ValueError(f"{len(titles)} title rows do not fit above header row {header_row}")
    for r, text in enumerate(titles, 1):
        put(ws.cell(r, 1), mynumber.mask(text)).font = Font(bold=r == 1, size=14 if r == 1 else 11)
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
    for r, row in enumerate(rows, header_row + 1):
        for c, col in enumerate(columns, 1):
            value = row.get(col.key)
            cell = put(ws.cell(r, c), mynumber.mask(value) if isinstance(value, str) else value)
            cell.alignment = wrap
            if col.filled:
                fill_in(cell)
    for c, col in enumerate(columns, 1):
        cell = put(ws.cell(header_row, c), col.label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if col.filled:  # shaded like its cells, and locked: the header is what the manifest maps
            cell.fill = PatternFill("solid", fgColor=FILL)
    protect(ws)
    ws.freeze_panes = f"{get_column_letter(freeze_at + 1)}{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

