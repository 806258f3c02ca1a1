"""Turn the bytes of one evidence file into a RawTable: CSV and TSV here, .xlsx in xlsx.py,
YAML and JSON in documents.py, firewall configurations in configs.py (FortiGate in fortigate.py, PAN-OS in
panos.py, their records in firewall.py); every row keeps its line.

Values stay raw (str, None, lists of str; xlsx also datetime/int/float): the caller normalises them.
Bad input is an InputError naming file and line, so that a clerk can find and fix the cell.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from itertools import repeat

from . import configs, csvproblems, documents
from ... import limits
from .. import normalize
from ...errors import InputError
from .table import (HEADER_HINT, HEADER_HINT_JA, OLD_EXCEL, OLD_EXCEL_HINT, OLD_EXCEL_HINT_JA, OLD_EXCEL_JA,  # noqa: F401
                    OLE2_MAGIC, ZIP_MAGIC, RawTable, build_table, cell_at)  # (the readers' API)

ENCODING_HINT = "set encoding: in the manifest (utf-8, cp932)"
ENCODING_HINT_JA = "マニフェストで encoding: を指定してください（utf-8、cp932）"




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
            raise InputError(path, f"unknown encoding '{encoding}'", hint=ENCODING_HINT, ja=f"文字コード「{encoding}」は"
                             "使えません", hint_ja=ENCODING_HINT_JA) from None
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
                     line=line, hint=ENCODING_HINT, ja=f"{tried} として読めません（バイト 0x{data[start]:02x} が不正です）",
                     hint_ja=ENCODING_HINT_JA)


_SHIFT_JIS = {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213"}
# Two UTF-8 kana in a row; read as Shift_JIS they are the classic mojibake 縺/繧/繝, never real text.
_UTF8_KANA = re.compile(rb"\xe3[\x81-\x83][\x80-\xbf]\xe3[\x81-\x83][\x80-\xbf]")  # unrolled: led by a literal


def _nul(data: bytes, path: str):
    at = data.index(b"\x00")
    head = data[:400]
    even, odd, half = head[0::2].count(0), head[1::2].count(0), len(head) // 2 or 1
    if min(even, odd) < half // 10 and max(even, odd) > half // 3:  # NUL in every other byte: ASCII in UTF-16
        what, hint = "looks like UTF-16 without a byte-order mark", "set encoding: utf-16-le (or utf-16-be), or save it as UTF-8"
        ja, hint_ja = "BOM のない UTF-16 のようです", "encoding: utf-16-le（または utf-16-be）を指定するか、UTF-8 で保存してください"
    elif data.startswith(OLE2_MAGIC):  # an .xls saved under a text name
        what, hint = f"is {OLD_EXCEL} as text", OLD_EXCEL_HINT
        ja, hint_ja = "Excel 97-2003 のブック（.xls）で、テキストとしては読めません", OLD_EXCEL_HINT_JA
    elif data.startswith(ZIP_MAGIC):  # ZIP: an .xlsx (or .docx) saved or renamed under a text name
        what, hint = "is a ZIP archive, most likely an Excel workbook (.xlsx) under a text name", \
            "set format: xlsx in its manifest entry (or give the file its .xlsx name), or export it as CSV"
        ja, hint_ja = "ZIP 形式で、Excel のブック（.xlsx）がテキストの名前で保存されているようです", \
            "マニフェストの記載に format: xlsx を書く（またはファイル名を .xlsx にする）か、CSV として書き出してください"
    else:
        what, hint = "holds a NUL byte (0x00): binary data, or a damaged export", "export the file again as text (CSV, TSV)"
        ja, hint_ja = "NUL バイト（0x00）を含んでいます。バイナリのデータか、壊れた書き出しです", \
            "テキスト（CSV、TSV）としてもう一度書き出してください"
    raise InputError(path, f"the file {what}", line=data[:at].count(b"\n") + 1, hint=hint, ja=f"ファイルは {ja}",
                     hint_ja=hint_ja)


def _not_utf8(data: bytes, path: str, name: str, declared: bool):
    """Bytes that decoded as a legacy encoding but are (partly) UTF-8 would become mojibake: refuse them."""
    if declared:  # detection tries UTF-8 first: only a declared encoding can hide a UTF-8 file
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise InputError(path, f"the file is UTF-8 text, but the manifest says encoding: {name}",
                             hint="remove encoding: (UTF-8 and CP932 are detected), or set encoding: utf-8",
                             ja=f"ファイルは UTF-8 ですが、マニフェストでは encoding: {name} となっています",
                             hint_ja="encoding: を削除する（UTF-8 と CP932 は自動で判定します）か、encoding: utf-8 にしてください")
    m = _UTF8_KANA.search(data) if name in _SHIFT_JIS else None
    if m:
        raise InputError(path, f"this line is UTF-8 text in a file read as {name.upper()} (mixed encodings)",
                         line=data[:m.start()].count(b"\n") + 1,
                         hint="save the whole file in one encoding (UTF-8, or CP932 for older Excel)",
                         ja=f"{name.upper()} として読むファイルの中で、この行は UTF-8 です（文字コードが混在しています）",
                         hint_ja="ファイル全体を一つの文字コード（UTF-8、古い Excel 向けなら CP932）で保存してください")


def read_tables(data: bytes, path: str, fmt: str, *, sheets=None, **options) -> list[RawTable]:
    """read_table, as a list of tables: one per sheet read (`sheets`: 'all' or a pattern of sheet names)."""
    if sheets is not None and fmt == "xlsx":
        from . import xlsx as workbooks

        return workbooks.read_xlsx(data, path, None, options.get("header_row"), options.get("limit"),
                                   header_rows=options.get("header_rows"), sheets=sheets,
                                   cells=options.get("cells") or ())
    return [read_table(data, path, fmt, **options)]


def read_table(data: bytes, path: str, fmt: str, *, encoding=None, sheet=None, header_row=None,
               delimiter=None, records=None, limit=None, parsed: dict | None = None, header_rows=None,
               cells=(), zones=None, gateways=None) -> RawTable:
    """Read one evidence file. fmt: 'csv', 'tsv', 'xlsx', 'yaml' or 'json'; `records`: the list to read.

    limit: a limits.Limits; a file with more data rows (records) is refused, counted before parsing where
    that is cheap, and so is a workbook that unpacks to more than its file size limit.
    parsed: where a YAML/JSON document of these bytes, once parsed, is kept for reading its other lists.
    header_rows: the lines of a header written over several rows; cells: addresses (D2) whose values the
    table keeps (RawTable.cells).
    zones, gateways: a firewall configuration's maps (fmt 'fortigate' or 'panos'; configs.py).
    """
    if header_row is not None and (type(header_row) is not int or header_row < 1):
        raise InputError(path, f"header_row must be a line number (1 or more), not {header_row!r}", hint=HEADER_HINT,
                         ja=f"header_row は行番号（1 以上）で書きます。{header_row!r} は使えません", hint_ja=HEADER_HINT_JA)
    if header_rows is not None and (not header_rows or any(type(n) is not int or n < 1 for n in header_rows)
                                    or list(header_rows) != list(range(header_rows[0], header_rows[0] + len(header_rows)))):
        raise InputError(path, f"header_rows must be consecutive line numbers, not {header_rows!r}", hint=HEADER_HINT,
                         ja=f"header_rows は連続した行番号で書きます。{header_rows!r} は使えません", hint_ja=HEADER_HINT_JA)
    if fmt in ("csv", "tsv"):
        return _read_csv(data, path, "," if fmt == "csv" else "\t", encoding, header_row, delimiter,
                         limit and limit.max_rows, limit, header_rows, cells)
    if fmt == "xlsx":
        from . import xlsx as workbooks  # openpyxl only when there is a workbook

        return workbooks.read_xlsx(data, path, sheet, header_row, limit, header_rows=header_rows, cells=cells)
    if fmt in configs.FORMATS:
        return configs.read(data, path, fmt, zones=zones, gateways=gateways, encoding=encoding, limit=limit,
                             parsed=parsed, decode=decode)
    if fmt in ("yaml", "json"):
        found = None if parsed is None else parsed.get((fmt, encoding))
        if found is None:  # the document is parsed once; each of its lists is then taken from it
            text, used = decode(data, path, encoding)
            found = (documents.Yaml if fmt == "yaml" else documents.Json)(text, path), used
            if parsed is not None:
                parsed[fmt, encoding] = found
        doc, used = found
        columns, lines = doc.table(records)
        if limit is not None:  # records span lines (or share one): counted once parsed
            limits.too_many_rows(path, len(lines), limit.max_rows, "records")
        return RawTable([], None, columns, lines, used)
    raise InputError(path, f"unsupported format '{fmt}'", hint="use csv, tsv, xlsx, yaml, json, fortigate or panos",
                     ja=f"形式「{fmt}」には対応していません",
                     hint_ja="csv、tsv、xlsx、yaml、json、fortigate、panos のどれかを指定してください")


# ---- tables (CSV, TSV, XLSX) ----











def _split_plain_csv(text: str, delimiter: str, max_cell: int | None = None, path=None):
    """-> (header cells, columns, rows) for the common export: no quotes, the header on line 1, no blank
    or ragged lines; None for anything else (the csv module reads that). Cuts the whole text at C speed.
    A cell longer than max_cell characters is refused, as the csv module refuses it."""
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
    joined = rest.replace("\n", delimiter) if k > 1 else rest
    if max_cell is not None:
        _long_cell(first, joined, delimiter if k > 1 else "\n", max_cell, path, rest, delimiter)
    cells = joined.split(delimiter) if k > 1 else rest.split("\n")
    return header, [cells[j::k] for j in range(k)], lines - 1, _pristine(rest, delimiter)


def _long_cell(first: str, joined: str, sep: str, max_cell: int, path, rest: str, delimiter: str) -> None:
    """Refuse a cell of the header or of the data (cells of `joined` cut by `sep`) longer than max_cell."""
    found = limits.long_span(first, max_cell, delimiter)
    line = 1
    if found is None:
        found = limits.long_span(joined, max_cell, sep)
        if found is None:
            return
        line = rest.count("\n", 0, found[0]) + 2  # joined has rest's offsets; the header is line 1
    limits.cell_too_large(path, found[1], max_cell, line=line)


def _pristine(rest: str, delimiter: str) -> bool:
    """Whether every cell of these data lines is non-empty ASCII without whitespace (a machine export of
    IDs, codes and dates), judged over the whole text at C speed."""
    if not rest or not rest.isascii() or rest[0] in (delimiter, "\n") or rest[-1] == delimiter:
        return False
    if any(c in rest for c in normalize.ASCII_SPACES if c not in ("\n", delimiter)):
        return False
    return not any(pair in rest for pair in (delimiter + delimiter, "\n" + delimiter, delimiter + "\n", "\n\n"))


def _read_csv(data, path, default_delimiter, encoding, header_row, delimiter, max_rows=None, limit=None,
              header_rows=None, cells=()):
    if limit is not None:  # before decoding: a file without line ends is refused at once
        limits.too_long_line(path, data, limit.max_line_length)
    max_cell = None if limit is None else limit.max_cell_size
    text, used = decode(data, path, encoding)
    top = header_rows[-1] if header_rows else header_row
    if max_rows is not None:  # line ends, counted at C speed before any parsing
        lines = text.count("\n") + (not text.endswith("\n") and bool(text)) - (top or 1)
        limits.too_many_rows(path, lines, max_rows, "rows (lines after the header)")
    delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter) or default_delimiter
    plain = _split_plain_csv(text, delimiter, max_cell, path) \
        if header_row in (None, 1) and not header_rows and not cells and len(delimiter) == 1 else None
    if plain is not None:
        header, columns, n, pristine = plain
        return build_table([header], [1], path, header_row, used, split=(columns, range(2, n + 2), pristine))
    before = csv.field_size_limit(max_cell if max_cell is not None else csv.field_size_limit())
    try:
        try:
            # strict: a stray quote is an error instead of silently merging cells or swallowing the file's end
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            rows = list(reader)
        except TypeError:
            raise InputError(path, f"delimiter must be a single character, not {delimiter!r}",
                             hint="use delimiter: ',' or a tab", ja=f"delimiter は1文字で書きます。{delimiter!r} は使えません",
                             hint_ja="delimiter: ',' かタブを指定してください") from None
        except csv.Error:
            rows = None
        physical = text.count("\n") + (not text.endswith("\n") and bool(text))
        if rows is not None and len(rows) == physical and text.count("\r") == text.count("\r\n"):
            lines = range(1, len(rows) + 1)  # no cell spans lines: row k is on line k
        else:
            rows, lines = _csv_rows_with_lines(text, path, delimiter, max_cell)
    finally:
        csv.field_size_limit(before)
    if '="' in text:  # ="01200": the Excel way to keep a code's leading zeros, read as the code
        rows = [[_formula_text(c) for c in row] for row in rows]
    table = build_table(rows, lines, path, header_row, used, header_rows=header_rows)
    if not cells:
        return table
    by_line = {line: row for line, row in zip(lines, rows)}
    grid = [by_line.get(n, []) for n in range(1, max(by_line, default=0) + 1)]
    return dataclasses.replace(table, cells={a: _cell_text(cell_at(grid, a)) for a in cells})


_EXCEL_TEXT = re.compile(r'="((?:[^"]|"")*)"')


def _formula_text(cell: str) -> str:
    m = _EXCEL_TEXT.fullmatch(cell.strip()) if cell.startswith(("=", " ")) else None
    return m.group(1).replace('""', '"') if m else cell


def _cell_text(value):
    return (value.strip() or None) if isinstance(value, str) else value


def _csv_rows_with_lines(text, path, delimiter, max_cell=None):
    """The slow reading: tracks where each row starts (quoted cells may span lines) and where it breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, lines, start = [], [], 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return rows, lines
        except csv.Error as exc:
            if max_cell is not None and "field larger than field limit" in str(exc):
                limits.cell_too_large(path, None, max_cell, line=start, where="this row has ")
            unclosed = "end of data" in str(exc)
            en, ja = ("a quoted cell starting on this row is never closed",
                      "この行で始まる引用符付きのセルが閉じられていません") if unclosed else csvproblems.describe(str(exc))
            raise InputError(path, en, line=start if unclosed else reader.line_num or start,
                             hint='quote a cell with quotes as a whole and double the inner quotes ("")', ja=ja,
                             hint_ja='セル全体を引用符で囲み、中の引用符は二つ重ねてください（""）') from None
        rows.append(cells)
        lines.append(start)
        start = reader.line_num + 1  # the next row starts after the last physical line of this one
