"""Turn the bytes of one evidence file (CSV, TSV, XLSX, YAML, JSON) into raw rows with their lines.

Values stay raw (str, None, lists of str; xlsx also datetime/int/float): the caller normalises them.
Bad input is an InputError naming file and line, so that a clerk can find and fix the cell.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from itertools import repeat
from typing import Sequence

from . import fastyaml, limits, normalize, yamlio
from .errors import InputError

ENCODING_HINT = "set encoding: in the manifest (utf-8, cp932)"
HEADER_HINT = "if there are title rows above the header, set header_row: in the manifest"


@dataclass(frozen=True)
class RawTable:
    headers: list[str]                    # header labels as written (stripped); [] for YAML/JSON
    header_line: int | None               # line (Excel row) of the header
    columns: dict                         # label -> raw value of each row (None when empty)
    lines: Sequence                       # line where each row starts
    encoding: str | None                  # encoding actually used for text formats

    @property
    def rows(self) -> list[tuple[int | None, dict]]:
        """Row view (line, {label: value}), for small tables and tests."""
        names = list(self.columns)
        return [(line, {h: self.columns[h][i] for h in names}) for i, line in enumerate(self.lines)]


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, name of the encoding used). Undecodable bytes are an InputError with their line."""
    candidates = ["utf-8", "cp932"]
    if encoding is None and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]  # Excel's "Unicode text" export
    elif encoding is not None:
        try:
            info = codecs.lookup(encoding)
            if not info._is_text_encoding:  # rot13, base64...: not a way to read text
                raise LookupError(encoding)
            candidates = [info.name]
        except LookupError:
            raise InputError(path, f"unknown encoding '{encoding}'", hint=ENCODING_HINT) from None
    if not candidates[0].replace("_", "-").startswith(("utf-16", "utf-32")) and b"\x00" in data:
        _nul(data, path)  # UTF-8 and CP932 text never holds NUL, and the csv module would keep it in a cell
    failures = []
    for name in candidates:
        try:
            # utf-8-sig also reads plain UTF-8; Excel adds a BOM that must not end up in the first header.
            text = data.decode("utf-8-sig" if name == "utf-8" else name)
        except UnicodeDecodeError as exc:
            failures.append((exc.start, name))
            if name == "utf-8" and not data[:exc.start].isascii():
                break  # UTF-8 text (or BOM) with a bad byte: CP932 would decode it, but as mojibake
            continue
        if not name.startswith("utf") and not data.isascii():
            _not_utf8(data, path, name, declared=encoding is not None)
        return text, name
    # The encoding that got furthest is most likely the intended one: report its first bad byte.
    start, name = max(failures)
    line = data[:start].decode(name, "replace").count("\n") + 1
    tried = " or ".join(n.upper() for _, n in failures)
    raise InputError(path, f"cannot decode the file as {tried}: byte 0x{data[start]:02x} is not valid",
                     line=line, hint=ENCODING_HINT)


_SHIFT_JIS = {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213"}
# Two UTF-8 kana in a row; read as Shift_JIS they are the classic mojibake 縺/繧/繝, never real text.
_UTF8_KANA = re.compile(rb"\xe3[\x81-\x83][\x80-\xbf]\xe3[\x81-\x83][\x80-\xbf]")  # unrolled: led by a literal


def _nul(data: bytes, path: str):
    at = data.index(b"\x00")
    head = data[:400]
    even, odd, half = head[0::2].count(0), head[1::2].count(0), len(head) // 2 or 1
    if min(even, odd) < half // 10 and max(even, odd) > half // 3:  # NUL in every other byte: ASCII in UTF-16
        what, hint = "looks like UTF-16 without a byte-order mark", "set encoding: utf-16-le (or utf-16-be), or save it as UTF-8"
    else:
        what, hint = "holds a NUL byte (0x00): binary data, or a damaged export", "export the file again as text (CSV, TSV)"
    raise InputError(path, f"the file {what}", line=data[:at].count(b"\n") + 1, hint=hint)


def _not_utf8(data: bytes, path: str, name: str, declared: bool):
    """Bytes that decoded as a legacy encoding but are (partly) UTF-8 would become mojibake: refuse them."""
    if declared:  # detection tries UTF-8 first: only a declared encoding can hide a UTF-8 file
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise InputError(path, f"the file is UTF-8 text, but the manifest says encoding: {name}",
                             hint="remove encoding: (UTF-8 and CP932 are detected), or set encoding: utf-8")
    m = _UTF8_KANA.search(data) if name in _SHIFT_JIS else None
    if m:
        raise InputError(path, f"this line is UTF-8 text in a file read as {name.upper()} (mixed encodings)",
                         line=data[:m.start()].count(b"\n") + 1,
                         hint="save the whole file in one encoding (UTF-8, or CP932 for older Excel)")


def read_table(data: bytes, path: str, fmt: str, *, encoding=None, sheet=None, header_row=None,
               delimiter=None, records=None, limit=None) -> RawTable:
    """Read one evidence file. fmt: 'csv', 'tsv', 'xlsx', 'yaml' or 'json'; `records`: the list to read.

    limit: a limits.Limits; a file with more data rows (records) is refused, counted before parsing where
    that is cheap, and so is a workbook that unpacks to more than its file size limit.
    """
    if header_row is not None and (type(header_row) is not int or header_row < 1):
        raise InputError(path, f"header_row must be a line number (1 or more), not {header_row!r}", hint=HEADER_HINT)
    if fmt in ("csv", "tsv"):
        return _read_csv(data, path, "," if fmt == "csv" else "\t", encoding, header_row, delimiter,
                         limit and limit.max_rows)
    if fmt == "xlsx":
        return _read_xlsx(data, path, sheet, header_row, limit)
    if fmt in ("yaml", "json"):
        text, used = decode(data, path, encoding)
        if fmt == "yaml":
            columns, lines = _yaml_columns(text, path, records)
        else:
            columns, lines = _columns(*_json_records(text, path, records), path)
        if limit is not None:  # records span lines (or share one): counted once parsed
            limits.too_many_rows(path, len(lines), limit.max_rows, "records")
        return RawTable([], None, columns, lines, used)
    raise InputError(path, f"unsupported format '{fmt}'", hint="use csv, tsv, xlsx, yaml or json")


# ---- tables (CSV, TSV, XLSX) ----

def _col(i: int) -> str:
    """0-based index -> 'column 3 (C)': clerks look for Excel letters."""
    n, letters = i + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"column {i + 1} ({letters})"


def _cell(value):
    """A stripped cell, None when empty (xlsx cells may also be numbers or datetimes)."""
    return (value.strip() or None) if isinstance(value, str) else value


def _clean(column) -> list:
    """Strip a column of text cells, empty -> None; one C-speed scan first, as most columns are clean."""
    if "" not in column and not normalize.edge_space("\x00".join(column)):
        return list(column)
    return [c.strip() or None for c in column]


def _table(rows, lines, path, header_row, encoding, where="", text=True, split=None):
    """Build a RawTable from raw rows (lists of cells) and the line of each; `where` prefixes messages.

    split: (columns, lines) of the data rows when the caller already split them by column (rows then
    holds the header row only, and every data row is exactly as wide as the header).
    """
    def blank(cells):
        return all(_cell(c) is None for c in cells)

    h = None
    for i, cells in enumerate(rows):
        line = lines[i]
        if header_row is not None:
            if line < header_row:
                continue  # title rows above the header
            if line > header_row or blank(cells):
                raise InputError(path, f"{where}no header at line {header_row} (blank, or inside a quoted cell)",
                                 line=header_row, hint="header_row: must point at the line holding the column labels")
        elif blank(cells):
            continue
        h = i
        break
    if h is None:
        what = f"line {header_row} is past the end of the data" if header_row else "no header row (no data at all)"
        raise InputError(path, f"{where}{what}", line=header_row, hint="the file must start with (or header_row: "
                         "must point at) a row of column labels")
    header_line = lines[h]
    labels = ["" if c is None else str(c).strip() for c in rows[h]]
    while labels and not labels[-1]:
        labels.pop()
    seen = {}
    for i, label in enumerate(labels):
        key = normalize.nfkc(label)  # 'ＩＤ' and 'ID' would map to the same field: one would be lost
        if key in seen:
            raise InputError(path, f"{where}{_col(seen[key])} and {_col(i)} are both labelled '{key}'"
                             + (f" (written '{labels[seen[key]]}' and '{label}')" if labels[seen[key]] != label else ""),
                             line=header_line, hint="rename one of the columns")
        if label:
            seen[key] = i
    width = len(labels)
    if split is not None:
        transposed, lines = split
    else:
        transposed, lines = _transpose(rows[h + 1:], lines[h + 1:], width, text, path, where, header_line)

    def stray(k, i):
        raise InputError(path, f"{where}row has a value in {_col(i)}, which has no header label "
                         f"(the header at line {header_line} has {width} columns)",
                         line=lines[k], hint="add a label for this column or remove the value; " + HEADER_HINT)

    for i, label in enumerate(labels):
        if not label:
            for k, c in enumerate(transposed[i]):
                if _cell(c) is not None:
                    stray(k, i)
    columns = {label: (_clean(transposed[i]) if text else [_cell(c) for c in transposed[i]])
               for i, label in enumerate(labels) if label}
    if columns and all(None in c for c in columns.values()):  # some rows may be wholly blank
        keep = [k for k, values in enumerate(zip(*columns.values())) if any(v is not None for v in values)]
        if len(keep) < len(lines):
            columns = {label: [c[k] for k in keep] for label, c in columns.items()}
            lines = [lines[k] for k in keep]
    elif not columns:
        lines = []
    return RawTable([h for h in labels if h], header_line, columns, lines, encoding)


def _transpose(data, lines, width, text, path, where, header_line):
    """Rows -> columns, refusing values beyond the header and padding short rows."""
    longest = max(map(len, data), default=width)
    if longest > width:
        for k, cells in enumerate(data):
            for i in range(width, len(cells)):
                if _cell(cells[i]) is not None:
                    raise InputError(path, f"{where}row has a value in {_col(i)}, which has no header label "
                                     f"(the header at line {header_line} has {width} columns)", line=lines[k],
                                     hint="add a label for this column or remove the value; " + HEADER_HINT)
    if data and (longest != width or min(map(len, data)) != width):
        pad = "" if text else None
        data = [cells[:width] + [pad] * (width - len(cells)) if len(cells) != width else cells for cells in data]
    return (list(zip(*data)) if data else [()] * width), lines


def _split_plain_csv(text: str, delimiter: str):
    """-> (header cells, columns, rows) for the common export: no quotes, the header on line 1, no blank
    or ragged lines; None for anything else (the csv module reads that). Cuts the whole text at C speed."""
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    body = text[:-1] if text.endswith("\n") else text
    first = body.split("\n", 1)[0]
    lines = body.count("\n") + 1
    k = first.count(delimiter) + 1
    header = first.split(delimiter)
    if lines < 2 or not all(h.strip() for h in header):
        return None
    rest = body[len(first) + 1:]
    if set(map(str.count, rest.split("\n"), repeat(delimiter))) != {k - 1}:
        return None  # a blank, short or long row: the csv module and the row checks handle it
    cells = rest.replace("\n", delimiter).split(delimiter) if k > 1 else rest.split("\n")
    return header, [cells[j::k] for j in range(k)], lines - 1


def _read_csv(data, path, default_delimiter, encoding, header_row, delimiter, max_rows=None):
    text, used = decode(data, path, encoding)
    if max_rows is not None:  # line ends, counted at C speed before any parsing
        lines = text.count("\n") + (not text.endswith("\n") and bool(text)) - (header_row or 1)
        limits.too_many_rows(path, lines, max_rows, "rows (lines after the header)")
    delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter) or default_delimiter
    plain = _split_plain_csv(text, delimiter) if header_row in (None, 1) and len(delimiter) == 1 else None
    if plain is not None:
        header, columns, n = plain
        return _table([header], [1], path, header_row, used, split=(columns, range(2, n + 2)))
    try:
        # strict: a stray quote is an error instead of silently merging cells or swallowing the file's end
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows = list(reader)
    except TypeError:
        raise InputError(path, f"delimiter must be a single character, not {delimiter!r}",
                         hint="use delimiter: ',' or a tab") from None
    except csv.Error:
        rows = None
    physical = text.count("\n") + (not text.endswith("\n") and bool(text))
    if rows is not None and len(rows) == physical and text.count("\r") == text.count("\r\n"):
        lines = range(1, len(rows) + 1)  # no cell spans lines: row k is on line k
    else:
        rows, lines = _csv_rows_with_lines(text, path, delimiter)
    return _table(rows, lines, path, header_row, used)


def _csv_rows_with_lines(text, path, delimiter):
    """The slow reading: tracks where each row starts (quoted cells may span lines) and where it breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, lines, start = [], [], 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return rows, lines
        except csv.Error as exc:
            unclosed = "end of data" in str(exc)
            raise InputError(path, "a quoted cell starting on this row is never closed" if unclosed else
                             f"malformed CSV: {exc}", line=start if unclosed else reader.line_num or start,
                             hint='quote a cell with quotes as a whole and double the inner quotes ("")') from None
        rows.append(cells)
        lines.append(start)
        start = reader.line_num + 1  # the next row starts after the last physical line of this one


def _read_xlsx(data, path, sheet, header_row, limit=None):
    """The sheet named (hidden or not), else the first visible one: what a clerk sees on opening the file.

    Formulas: the result Excel saved with the file is read; a formula without one (a workbook written
    by a program and never opened in Excel) is an error, not an empty cell.
    """
    import openpyxl  # only needed for workbooks

    if limit is not None:
        _check_unpacked(data, path, limit)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a usable workbook"
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
        return _table(rows, range(1, len(rows) + 1), path, header_row, None, where=where, text=False)
    except InputError:
        raise
    except Exception as exc:  # read-only mode parses lazily, so a damaged sheet fails only here
        raise InputError(path, f"cannot read the workbook ({type(exc).__name__}: {exc})",
                         hint="open and re-save the file in Excel") from None
    finally:
        wb.close()


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


# ---- records (YAML, JSON) ----

SHAPE_HINT = "expected a list of records, or a mapping with one list of records (e.g. records:)"


def _pick(data, path, line_of, wanted=None):
    """-> (key or None, list of records) from the accepted shapes; `wanted` names the list to read."""
    if wanted is not None:
        if not isinstance(data, dict) or wanted not in data:
            raise InputError(path, f"no list '{wanted}' at the top of the file", line=line_of(data),
                             hint="records: in the manifest must name a top-level list of the file")
        key = wanted
    elif isinstance(data, list):
        return None, data
    elif isinstance(data, dict):
        if "records" in data:
            key = "records"
        else:
            keys = [k for k, v in data.items() if isinstance(v, list) and all(isinstance(x, dict) for x in v)]
            if len(keys) != 1:
                found = "lists " + ", ".join(f"'{k}'" for k in keys) if keys else "no list of records"
                raise InputError(path, f"cannot tell which list holds the records: found {found}",
                                 line=line_of(data), hint=SHAPE_HINT + "; or name it with records: in the manifest")
            key = keys[0]
    else:
        raise InputError(path, "the file holds no records", hint=SHAPE_HINT)
    records = data[key]
    if not isinstance(records, list):
        raise InputError(path, f"'{key}' must be a list of records", line=line_of(data), hint=SHAPE_HINT)
    return key, records


def _yaml_columns(text, path, wanted):
    skeleton, fast = fastyaml.split(text)
    if None in fast and wanted is None:
        return fast[None]
    data, located = yamlio.load_data(skeleton, path)
    if isinstance(data, dict):
        data.update((key, []) for key in fast if key in data)
    key, records = _pick(data, path, located.line, wanted)
    if key in fast:
        return fast[key]
    return _columns(records, [located.line(r) if isinstance(r, dict) else None for r in records], path)


def _columns(records, lines, path) -> tuple[dict, list]:
    """Records (mappings) -> columns; a field a record lacks is None in it."""
    columns: dict = {}
    n = len(records)
    for i, (rec, line) in enumerate(zip(records, lines)):
        for k, v in _record(rec, path, line).items():
            column = columns.get(k)
            if column is None:
                column = columns[k] = [None] * n
            column[i] = v
    return columns, lines


_WS = re.compile(r"[ \t\n\r]*")


def _json_records(text, path, wanted=None):
    def no_duplicates(pairs):  # json would silently keep the last one; YAML rejects them too
        keys = [k for k, _ in pairs]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                raise InputError(path, f"duplicate key '{k}' in a JSON object", hint="remove or rename one of them")
        return dict(pairs)

    try:  # numbers keep their text as written ('1.50' stays '1.50'), like YAML and CSV
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"JSON syntax error: {exc.msg}", line=exc.lineno,
                         hint="check the commas, brackets and quotes around this line") from None
    except RecursionError:  # the C decoder stops at Python's recursion limit: a nesting bomb
        raise InputError(path, "the document nests too deeply", hint="evidence files are flat data") from None
    key, records = _pick(data, path, lambda _: text.count("\n", 0, _WS.match(text).end()) + 1, wanted)
    # json keeps no positions: re-scan the top level to find where each record starts.
    dec, skip = json.JSONDecoder(), lambda i: _WS.match(text, i).end()
    i = skip(0)
    if key is not None:
        i, found = skip(i + 1), None
        while text[i] != "}":
            k, i = dec.raw_decode(text, i)
            i = skip(skip(i) + 1)  # past ':'
            if k == key:
                found = i
            i = skip(dec.raw_decode(text, i)[1])
            i = skip(i + 1) if text[i] == "," else i
        i = found
    lines, line, pos = [], 1, 0
    i = skip(i + 1)
    while text[i] != "]":
        line += text.count("\n", pos, i)
        lines.append(line)
        pos = i
        i = skip(dec.raw_decode(text, i)[1])
        i = skip(i + 1) if text[i] == "," else i
    return records, lines


def _value(v, path, line, field):
    if v is None or isinstance(v, str):
        return v or None  # an empty value is a missing value, as in CSV
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list) and not any(isinstance(x, (list, dict)) for x in v):
        return [_value(x, path, line, field) for x in v]
    raise InputError(path, f"field '{field}' holds a nested structure; expected text or a list of text",
                     line=line, hint="flatten the value, e.g. into several fields")


def _record(rec, path, line):
    if not isinstance(rec, dict):
        raise InputError(path, f"a record must be a mapping of field: value, not {type(rec).__name__}",
                         line=line, hint=SHAPE_HINT)
    return {str(k): _value(v, path, line, k) for k, v in rec.items()}
