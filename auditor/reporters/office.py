"""What the Office formats (.docx, .xlsx) share: inert cell text, widths that fit Japanese, fixed zips.

- `text`: a string a Word or Excel XML part may hold, shown as written: control and bidi characters as
  visible escapes (auditor/privacy/sanitize.py), nothing XML 1.0 forbids.
- `cell`: `text`, and a leading apostrophe when Excel would run it as a formula (=, +, -, @, their
  full-width forms...), as the CSV and the progress sheets do: a Word table pasted into Excel is
  read cell by cell the same way.
- `width`: the display width of a text, full-width (East Asian wide) characters counting 2.
- `repack`: an OOXML zip with every member stamped with one time, so that the same document gives
  the same bytes (python-docx and openpyxl stamp members with the time of saving).
- `freed`: run a builder and free what it left in reference cycles (python-docx's and openpyxl's
  objects refer to each other), even while the CLI keeps the cyclic collector off.
"""
from __future__ import annotations

import datetime as dt
import gc
import io
import unicodedata
import zipfile

from .. import fiscal
from ..privacy import sanitize


def text(value) -> str:
    """Any value as text an XML part may hold, control characters as visible escapes; None is ''."""
    if value is None:
        return ""
    return sanitize.xml(sanitize.visible(str(value)))


def cell(value) -> str:
    """`text` that Excel shows as written, never as a formula."""
    return sanitize.spreadsheet_cell(text(value))


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(sanitize.FORMULA_START)


def width(value) -> int:
    """Display columns: East Asian wide and full-width characters count 2, combining marks 0."""
    total = 0
    for ch in "" if value is None else str(value):
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def day(iso, lang: str) -> str:
    """2026年4月15日（令和8年4月15日） or 15 April 2026; — when unknown (as the HTML report)."""
    return fiscal.label(dt.date.fromisoformat(iso), lang) if iso else "—"


def pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def moment(day: str | dt.date) -> dt.datetime:
    """The time stamped into a report's files: 09:00 on the date of issue (no clock is read)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(9, 0))


def moment_utc(day: str | dt.date) -> dt.datetime:
    """`moment` as document properties hold it: in UTC (09:00 in Japan is 00:00 UTC), without tzinfo."""
    return moment(day) - dt.timedelta(hours=9)


def app_properties() -> bytes:
    """docProps/app.xml naming this tool as the application (not the library, nor its version)."""
    from .. import __version__

    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Application>auditor {__version__}</Application><DocSecurity>0</DocSecurity>"
            "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            "<HyperlinksChanged>false</HyperlinksChanged></Properties>").encode("utf-8")


def repack(data: bytes, stamp: dt.datetime, replace: dict | None = None) -> bytes:
    """The same zip, each member stamped `stamp`, in the same order; `replace`: member name -> new bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            out.writestr(fixed, (replace or {}).get(info.filename) or src.read(info.filename))
    return buf.getvalue()


def date_or_none(value):
    """An ISO date string as a date (for a spreadsheet's real date cells); anything else as is."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def freed(build, *args):
    """build(*args), then its reference cycles collected: the objects that existed before are frozen
    meanwhile, so the collection looks only at what the build made (milliseconds, not the whole run's
    heap). Without it, 34 Word reports kept 7 MB each until the command ended (the CLI turns the
    collector off while it works)."""
    gc.freeze()
    try:
        return build(*args)
    finally:
        gc.collect()
        gc.unfreeze()
