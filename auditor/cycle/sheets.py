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


def choices(values, cells: str, title: str, prompt: str, error: str):
    """A drop-down of `values` over `cells` (A1 range); anything else typed is refused with `error`."""
    from openpyxl.worksheet.datavalidation import DataValidation

    listed = ",".join(values)
    if any(ch in listed for ch in '"') or len(listed) > 255:  # Excel's limit for a list written in place
        raise ValueError(f"cannot offer these choices in a drop-down: {listed!r}")
    dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="stop", errorTitle=_short(title, 32),
                        error=_short(error, 255), showInputMessage=bool(prompt), promptTitle=_short(title, 32),
                        prompt=_short(prompt, 255))
    dv.add(cells)
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
