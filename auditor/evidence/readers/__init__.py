"""Turn the bytes of one evidence file into a RawTable: CSV and TSV here, .xlsx in workbooks.py,
YAML and JSON in documents.py; every row keeps its line.

Values stay raw (str, None, lists of str; xlsx also datetime/int/float): the caller normalises them.
Bad input is an InputError naming file and line, so that a clerk can find and fix the cell.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from itertools import repeat
from typing import Sequence

from . import documents
from ... import limits
from .. import normalize
from ...errors import InputError

ENCODING_HINT = "set encoding: in the manifest (utf-8, cp932)"
# Excel 97-2003 (.xls) is a binary OLE2 file that no reader here parses; so is a password-protected .xlsx.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLD_EXCEL = "an Excel 97-2003 workbook (.xls), which cannot be read"
OLD_EXCEL_HINT = "open it in Excel and save it as .xlsx (Excel ブック) / Excel で開いて .xlsx 形式で保存し直してください"
HEADER_HINT = "if there are title rows above the header, set header_row: in the manifest"


@dataclass(frozen=True)
class RawTable:
    headers: list[str]                    # header labels as written (stripped); [] for YAML/JSON
    header_line: int | None               # line (Excel row) of the header
    columns: dict                         # label -> raw value of each row (None when empty)
    lines: Sequence                       # line where each row starts
    encoding: str | None                  # encoding actually used for text formats
    pristine: frozenset = frozenset()     # labels of columns known to hold only non-empty ASCII text
                                          # without whitespace: already clean, nothing to check again

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
    elif data.startswith(OLE2_MAGIC):  # an .xls saved under a text name
        what, hint = f"is {OLD_EXCEL} as text", OLD_EXCEL_HINT
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
        from . import xlsx as workbooks  # openpyxl only when there is a workbook

        return workbooks.read_xlsx(data, path, sheet, header_row, limit)
    if fmt in ("yaml", "json"):
        text, used = decode(data, path, encoding)
        if fmt == "yaml":
            columns, lines = documents.yaml_columns(text, path, records)
        else:
            columns, lines = documents.columns(*documents.json_records(text, path, records), path)
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


def _clean(column) -> tuple[list, bool]:
    """Strip a column of text cells, empty -> None; one C-speed scan first, as most columns are clean.
    -> (the column, whether it is pristine: non-empty ASCII cells without whitespace)."""
    if "" not in column:
        joined = "\x00".join(column)
        if normalize.plain_ascii(joined):
            return list(column), True
        if not normalize.edge_space(joined):
            return list(column), False
    return [c.strip() or None for c in column], False


def build_table(rows, lines, path, header_row, encoding, where="", text=True, split=None):
    """Build a RawTable from raw rows (lists of cells) and the line of each; `where` prefixes messages.

    split: (columns, lines, pristine) of the data rows when the caller already split them by column (rows
    then holds the header row only, and every data row is exactly as wide as the header); pristine: every
    cell is non-empty ASCII text without whitespace.
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
    pristine = False
    if split is not None:
        transposed, lines, pristine = split
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
    if pristine:  # the whole text was judged at once
        columns = {label: transposed[i] for i, label in enumerate(labels) if label}
        return RawTable([h for h in labels if h], header_line, columns, lines, encoding, frozenset(columns))
    columns, clean = {}, set()
    for i, label in enumerate(labels):
        if label and text:
            columns[label], is_pristine = _clean(transposed[i])
            if is_pristine:
                clean.add(label)
        elif label:
            columns[label] = [_cell(c) for c in transposed[i]]
    if clean:  # a pristine column has no blank cell, so no row is wholly blank
        return RawTable([h for h in labels if h], header_line, columns, lines, encoding, frozenset(clean))
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
    return header, [cells[j::k] for j in range(k)], lines - 1, _pristine(rest, delimiter)


def _pristine(rest: str, delimiter: str) -> bool:
    """Whether every cell of these data lines is non-empty ASCII without whitespace (a machine export of
    IDs, codes and dates), judged over the whole text at C speed."""
    if not rest or not rest.isascii() or rest[0] in (delimiter, "\n") or rest[-1] == delimiter:
        return False
    if any(c in rest for c in normalize.ASCII_SPACES if c not in ("\n", delimiter)):
        return False
    return not any(pair in rest for pair in (delimiter + delimiter, "\n" + delimiter, delimiter + "\n", "\n\n"))


def _read_csv(data, path, default_delimiter, encoding, header_row, delimiter, max_rows=None):
    text, used = decode(data, path, encoding)
    if max_rows is not None:  # line ends, counted at C speed before any parsing
        lines = text.count("\n") + (not text.endswith("\n") and bool(text)) - (header_row or 1)
        limits.too_many_rows(path, lines, max_rows, "rows (lines after the header)")
    delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter) or default_delimiter
    plain = _split_plain_csv(text, delimiter) if header_row in (None, 1) and len(delimiter) == 1 else None
    if plain is not None:
        header, columns, n, pristine = plain
        return build_table([header], [1], path, header_row, used, split=(columns, range(2, n + 2), pristine))
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
    return build_table(rows, lines, path, header_row, used)


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
