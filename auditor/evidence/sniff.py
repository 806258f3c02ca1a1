"""The layout of an evidence file as it arrived, for `auditor inspect`: its format, encoding, delimiter,
the sheets of a workbook, the title rows above the header, the header row, merged cells and the number
formats of Excel cells. The table itself is then read by the loader's own readers (readers.read_table),
so that what inspect proposes is what `check` will read.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from . import headers, readers, sources
from .. import jsonproblems
from ..errors import InputError

SCAN_ROWS = 40  # rows looked at for the header (title rows above it are rarely more than a few)


@dataclass
class Sheet:
    """One table candidate: a CSV file, a sheet of a workbook, or a list of a YAML/JSON document."""
    name: str | None                      # sheet name, or the records: list of a document
    rows: list = field(default_factory=list)  # [(line, [cell values])] of the first SCAN_ROWS rows
    hidden: bool = False
    header_row: int | None = None         # the line of the header
    hits: int = 0                         # header cells that are known aliases
    merged: list = field(default_factory=list)   # (first row, last row, first col, last col), 1-based
    formats: dict = field(default_factory=dict)  # (row, col) -> Excel number format of a number cell
    ws: object = None                     # the openpyxl worksheet (xlsx), for the data rows' formats

    @property
    def title(self) -> list[str]:
        """The text of the rows above the header (the title of a report, a date of issue)."""
        if self.header_row is None:
            return []
        return [" ".join(str(c) for c in cells if c not in (None, ""))
                for line, cells in self.rows if line < self.header_row and any(c not in (None, "") for c in cells)]


@dataclass
class Layout:
    fmt: str
    encoding: str | None = None           # the encoding to write into the manifest (None: detected anyway)
    used: str | None = None               # the encoding the text was read with
    delimiter: str | None = None          # only when it is not the format's own
    sheets: list = field(default_factory=list)
    text: str | None = None


def fmt_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputError(path, f"the file is {readers.OLD_EXCEL}", hint=readers.OLD_EXCEL_HINT,
                         ja=f"ファイルは {readers.OLD_EXCEL_JA}", hint_ja=readers.OLD_EXCEL_HINT_JA)
    fmt = sources.FORMATS.get(suffix)
    if fmt is None:
        raise InputError(path, "unknown file type", hint="evidence files are .csv, .tsv, .xlsx, .yaml or .json",
                         ja="不明なファイル形式です", hint_ja="証跡のファイルは .csv、.tsv、.xlsx、.yaml、.json のどれかです")
    return fmt


def decode(data: bytes, path) -> tuple[str, str, str | None]:
    """-> (text, encoding used, encoding to write in the manifest): the loader's detection (UTF-8 with or
    without BOM, CP932, UTF-16 with a BOM), and UTF-16 without a BOM, which the loader reads only when
    the manifest says so."""
    try:
        text, used = readers.decode(data, str(path))
    except InputError as exc:
        if "UTF-16" not in exc.message:
            raise
        head = data[:400]
        used = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(used), used, used
        except UnicodeDecodeError:
            raise exc from None
    explicit = None if used == "utf-8" else used  # UTF-8 (BOM or not) is the default; say anything else
    return text, used, explicit


def _delimiter(text: str, default: str) -> str | None:
    """The delimiter when it is not the format's own: a '.csv' that Excel wrote with tabs or semicolons."""
    lines = [ln for ln in text[:1 << 16].splitlines()[:SCAN_ROWS] if ln.strip()]
    best, count = None, 0
    for d in (",", "\t", ";"):
        per = [ln.count(d) for ln in lines]
        n = sum(1 for p in per if p)
        if n > count:
            best, count = d, n
    return best if best not in (None, default) and count > len(lines) // 2 else None


def _csv_rows(text: str, delimiter: str) -> list:
    reader = csv.reader(io.StringIO(text[:1 << 20], newline=""), delimiter=delimiter)  # the first rows
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append((start, [c.strip() if isinstance(c, str) else c for c in cells]))
            start = reader.line_num + 1
            if len(rows) >= SCAN_ROWS:
                break
    except csv.Error:  # the loader's reader names the line; a layout guess needs only the first rows
        pass
    return rows


def layout(data: bytes, path: Path, fmt: str, limits, only_sheet: str | None = None) -> Layout:
    """The layout of one file (InputError when it cannot be read at all)."""
    if fmt in ("csv", "tsv"):
        text, used, explicit = decode(data, path)
        default = "," if fmt == "csv" else "\t"
        delimiter = _delimiter(text, default)
        sheet = Sheet(None, _csv_rows(text, delimiter or default))
        return Layout(fmt, explicit, used, delimiter, [sheet], text)
    if fmt == "xlsx":
        return Layout(fmt, sheets=_workbook(data, path, limits, only_sheet))
    text, used, explicit = decode(data, path)
    return Layout(fmt, explicit, used, sheets=_lists(text, path, fmt), text=text)


def _workbook(data: bytes, path: Path, limits, only_sheet) -> list:
    import openpyxl

    from .readers.xlsx import _check_unpacked

    if data.startswith(readers.OLE2_MAGIC):
        raise InputError(path, f"the file is {readers.OLD_EXCEL}, or a password-protected workbook",
                         hint=readers.OLD_EXCEL_HINT, hint_ja=readers.OLD_EXCEL_HINT_JA,
                         ja=f"ファイルは {readers.OLD_EXCEL_JA}。またはパスワード付きのブックです")
    _check_unpacked(data, str(path), limits)
    try:  # not read-only: merged ranges and number formats are only there
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 (zip, XML and openpyxl errors: not a usable workbook)
        raise InputError(path, f"not a valid Excel workbook ({type(exc).__name__})",
                         hint="save it as .xlsx from Excel", ja=f"Excel のブックとして読めません（{type(exc).__name__}）",
                         hint_ja="Excel で .xlsx 形式で保存してください") from None
    if only_sheet is not None and only_sheet not in wb.sheetnames:
        raise InputError(path, f"no sheet named '{only_sheet}'; the workbook has: " + ", ".join(wb.sheetnames),
                         hint="give --sheet one of these",
                         ja=f"シート「{only_sheet}」がありません。ブックのシート: " + "、".join(wb.sheetnames),
                         hint_ja="--sheet にこのどれかを指定してください")
    sheets = []
    for ws in wb.worksheets:
        if only_sheet is not None and ws.title != only_sheet:
            continue
        sheet = Sheet(ws.title, hidden=ws.sheet_state != "visible", ws=ws)
        for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row or 0, SCAN_ROWS)):
            sheet.rows.append((row[0].row, [c.value for c in row]))
        sheet.merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in ws.merged_cells.ranges]
        sheets.append(sheet)
    return sheets


def _lists(text: str, path: Path, fmt: str) -> list:
    """The lists of records of a YAML/JSON document: the document itself, or each top-level list."""
    import json

    from .. import yamlio

    try:
        doc = yamlio.load_data(text, str(path))[0] if fmt == "yaml" else json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"JSON syntax error: {exc.msg}", line=exc.lineno,
                         ja=f"JSON の構文エラーです（{jsonproblems.japanese(exc.msg)}）") from None
    except ValueError as exc:  # a number of more digits than Python converts
        raise InputError(path, f"JSON error: {exc}", ja="JSON を読めません（桁数の多すぎる数値など、変換できない値があります）") from None
    if isinstance(doc, list):
        return [_records_sheet(None, doc)]
    if isinstance(doc, dict):
        lists = [k for k, v in doc.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        if "records" in doc:
            lists = ["records"]
        return [_records_sheet(k if len(lists) > 1 else None, doc[k]) for k in lists]
    return []


def _records_sheet(name, records) -> Sheet:
    keys = [str(k) for k in dict.fromkeys(k for r in records if isinstance(r, dict) for k in r)]
    return Sheet(name, [(None, keys)], hits=sum(headers.is_alias(k) for k in keys))


def find_header(sheet: Sheet, keys=None) -> None:
    """Set the sheet's header row: the row (of the first SCAN_ROWS) with the most cells that are known
    header labels, else the first row of text cells as wide as the table; the rows above it are titles."""
    keys = headers.every_key() if keys is None else keys
    width = max((sum(c not in (None, "") for c in cells) for _, cells in sheet.rows), default=0)
    best = None
    for line, cells in sheet.rows:
        filled = [c for c in cells if c not in (None, "")]
        texts = [c for c in filled if isinstance(c, str)]
        if len(filled) < min(2, width) or len(texts) < len(filled):
            continue  # a title of one cell, or a data row (numbers, dates)
        hits = sum(headers.is_alias(c, keys) for c in texts)
        score = (hits, len(filled) >= width * 0.6)
        if best is None or score > best[0]:
            best = (score, line)
    if best is None:
        raise InputError(sheet.name or "table", "no header row found in the first rows",
                         hint="the table needs a row of column labels", ja="最初の行に見出し行が見つかりません",
                         hint_ja="表には列の見出しの行が必要です")
    sheet.header_row, sheet.hits = best[1], best[0][0]
