"""The table every reader builds: a RawTable of raw columns, each row with its line, from rows of cells
(CSV/TSV in __init__.py, .xlsx in xlsx.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from ... import limits
from ...errors import InputError
from .. import normalize

# Excel 97-2003 (.xls) is a binary OLE2 file that no reader here parses; so is a password-protected .xlsx.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx (or .docx) is a ZIP: told apart from text under a .csv name
OLD_EXCEL = "an Excel 97-2003 workbook (.xls), which cannot be read"
OLD_EXCEL_JA = "Excel 97-2003 のブック（.xls）で、読み込めません"
OLD_EXCEL_HINT = "open it in Excel and save it as .xlsx (an Excel workbook)"
OLD_EXCEL_HINT_JA = "Excel で開いて .xlsx 形式で保存し直してください（Excel ブック）"
HEADER_HINT = "if there are title rows above the header, set header_row: in the manifest"
HEADER_HINT_JA = "見出しの上に表題の行があるときは、マニフェストで header_row: を指定してください"
STRAY_HINT_JA = "この列に見出しを付けるか、値を消してください。" + HEADER_HINT_JA


@dataclass(frozen=True)
class RawTable:
    headers: list[str]                    # header labels as written (stripped); [] for YAML/JSON
    header_line: int | None               # line (Excel row) of the header
    columns: dict                         # label -> raw value of each row (None when empty)
    lines: Sequence                       # line where each row starts
    encoding: str | None                  # encoding actually used for text formats
    pristine: frozenset = frozenset()     # labels of columns known to hold only non-empty ASCII text
                                          # without whitespace: already clean, nothing to check again
    lower: dict = field(default_factory=dict)  # header_rows: joined label -> its lowest header cell
    notes: tuple = ()                     # what the reader did to the cells: (code, line, ja, en)
    cells: dict = field(default_factory=dict)  # fields_from: cell address (D2) -> its raw value
    sheet: str | None = None              # the sheet read (.xlsx)
    several: bool = False                 # one of the sheets of a workbook read sheet by sheet (sheets:)

    @property
    def rows(self) -> list[tuple[int | None, dict]]:
        """Row view (line, {label: value}), for small tables and tests."""
        names = list(self.columns)
        return [(line, {h: self.columns[h][i] for h in names}) for i, line in enumerate(self.lines)]


_ADDRESS = re.compile(r"([A-Z]{1,3})([0-9]+)")


def cell_at(rows, address: str):
    """The raw value at an address (D2) of rows of cells, None beyond them."""
    m = _ADDRESS.fullmatch(address)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    r = int(m.group(2))
    return rows[r - 1][col - 1] if r <= len(rows) and col <= len(rows[r - 1]) else None


def _col(i: int) -> str:
    """0-based index -> 'column 3 (C)': clerks look for Excel letters."""
    n, letters = i + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"column {i + 1} ({letters})"


def _col_ja(i: int) -> str:
    """_col in Japanese: '3列目（C）'."""
    return _col(i).replace("column ", "").replace(" (", "列目（").replace(")", "）")


def where_ja(where: str) -> str:
    """The "sheet 'X': " prefix of a message in Japanese."""
    m = re.fullmatch(r"sheet '(.*)': ", where, re.S)
    return f"シート「{m.group(1)}」: " if m else where


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


def build_table(rows, lines, path, header_row, encoding, where="", text=True, split=None, max_cell=None,
                header_rows=None):
    """Build a RawTable from raw rows (lists of cells) and the line of each; `where` prefixes messages.

    header_rows: the lines of a header written over several rows (a group label over its sub-labels):
    each column's label is its cells joined with '/', top to bottom (研修/受講日), and may also be
    mapped by its lowest cell (RawTable.lower). header_row is then the last of them.

    max_cell: refuse a text cell longer than this many characters (the CSV readers check it as they cut).

    split: (columns, lines, pristine) of the data rows when the caller already split them by column (rows
    then holds the header row only, and every data row is exactly as wide as the header); pristine: every
    cell is non-empty ASCII text without whitespace.
    """
    def blank(cells):
        return all(_cell(c) is None for c in cells)

    h = None
    if header_rows:
        header_row = header_rows[-1]
    for i, cells in enumerate(rows):
        line = lines[i]
        if header_row is not None:
            if line < header_row:
                continue  # title rows above the header
            if line > header_row or blank(cells):
                raise InputError(path, f"{where}no header at line {header_row} (blank, or inside a quoted cell)",
                                 line=header_row, hint="header_row: must point at the line holding the column labels",
                                 ja=f"{where_ja(where)}{header_row}行目に見出しがありません（空の行か、引用符の中です）",
                                 hint_ja="header_row: には列の見出しがある行を指定してください")
        elif blank(cells):
            continue
        h = i
        break
    if h is None:
        what = f"line {header_row} is past the end of the data" if header_row else "no header row (no data at all)"
        what_ja = f"{header_row}行目はデータの終わりより後です" if header_row else "見出しの行がありません（データが空です）"
        raise InputError(path, f"{where}{what}", line=header_row, hint="the file must start with (or header_row: "
                         "must point at) a row of column labels", ja=f"{where_ja(where)}{what_ja}",
                         hint_ja="ファイルは列の見出しの行で始めてください（または header_row: でその行を指定してください）")
    header_line = lines[h]
    labels = ["" if c is None else str(c).strip() for c in rows[h]]
    lower = {}
    if header_rows and len(header_rows) > 1:
        labels, lower = _joined(rows, lines, h, header_rows, labels, path, where)
    while labels and not labels[-1]:
        labels.pop()
    seen = {}
    for i, label in enumerate(labels):
        key = normalize.nfkc(label)  # 'ＩＤ' and 'ID' would map to the same field: one would be lost
        if key in seen:
            written = labels[seen[key]] != label
            raise InputError(path, f"{where}{_col(seen[key])} and {_col(i)} are both labelled '{key}'"
                             + (f" (written '{labels[seen[key]]}' and '{label}')" if written else ""),
                             line=header_line, hint="rename one of the columns", hint_ja="どちらかの列の名前を変えてください",
                             ja=f"{where_ja(where)}{_col_ja(seen[key])}と{_col_ja(i)}の見出しがどちらも「{key}」です"
                             + (f"（「{labels[seen[key]]}」と「{label}」）" if written else ""))
        if label:
            seen[key] = i
    width = len(labels)
    pristine = False
    if split is not None:
        transposed, lines, pristine = split
    else:
        transposed, lines = _transpose(rows[h + 1:], lines[h + 1:], width, text, path, where, header_line)
    if max_cell is not None:
        _long_cells([labels], [header_line], max_cell, path, where)
        _long_cells(transposed, lines, max_cell, path, where, by_column=True)

    def stray(k, i):
        raise InputError(path, f"{where}row has a value in {_col(i)}, which has no header label "
                         f"(the header at line {header_line} has {width} columns)",
                         line=lines[k], hint="add a label for this column or remove the value; " + HEADER_HINT,
                         ja=f"{where_ja(where)}見出しのない{_col_ja(i)}に値があります（{header_line}行目の見出しは"
                         f"{width}列です）", hint_ja=STRAY_HINT_JA)

    for i, label in enumerate(labels):
        if not label:
            for k, c in enumerate(transposed[i]):
                if _cell(c) is not None:
                    stray(k, i)
    if pristine:  # the whole text was judged at once
        columns = {label: transposed[i] for i, label in enumerate(labels) if label}
        return RawTable([h for h in labels if h], header_line, columns, lines, encoding, frozenset(columns), lower)
    columns, clean = {}, set()
    for i, label in enumerate(labels):
        if label and text:
            columns[label], is_pristine = _clean(transposed[i])
            if is_pristine:
                clean.add(label)
        elif label:
            columns[label] = [_cell(c) for c in transposed[i]]
    if clean:  # a pristine column has no blank cell, so no row is wholly blank
        return RawTable([h for h in labels if h], header_line, columns, lines, encoding, frozenset(clean), lower)
    if columns and all(None in c for c in columns.values()):  # some rows may be wholly blank
        keep = [k for k, values in enumerate(zip(*columns.values())) if any(v is not None for v in values)]
        if len(keep) < len(lines):
            columns = {label: [c[k] for k in keep] for label, c in columns.items()}
            lines = [lines[k] for k in keep]
    elif not columns:
        lines = []
    return RawTable([h for h in labels if h], header_line, columns, lines, encoding, lower=lower)


def _joined(rows, lines, h, header_rows, last, path, where) -> tuple[list, dict]:
    """The labels of a header over several rows, and each joined label's lowest cell.

    A group label written once over its columns (merged in Excel, or followed by blank cells in a CSV)
    covers the blank cells to its right as far as the row above it does; a label merged down over the
    header rows (職員番号 over two rows) is written once."""
    index = {line: k for k, line in enumerate(lines)}
    grid = []
    for line in header_rows[:-1]:
        k = index.get(line)
        if k is None or k >= h:
            raise InputError(path, f"{where}no header at line {line}", line=line,
                             hint="header_rows: must list the consecutive lines holding the column labels",
                             ja=f"{where_ja(where)}{line}行目に見出しがありません",
                             hint_ja="header_rows: には列の見出しがある連続した行を並べてください")
        grid.append(["" if c is None else str(c).strip() for c in rows[k]])
    grid.append(last)
    width = max(map(len, grid))
    grid = [row + [""] * (width - len(row)) for row in grid]
    for r, row in enumerate(grid[:-1]):  # carry a group label right, within the group above it
        for i in range(1, width):
            if (not row[i] and row[i - 1] and grid[-1][i] and grid[-1][i - 1] and grid[-1][i - 1] != row[i - 1]
                    and (r == 0 or grid[r - 1][i] == grid[r - 1][i - 1])):
                row[i] = row[i - 1]
    labels, lower = [], {}
    for i in range(width):
        parts = []
        for row in grid:
            if row[i] and (not parts or parts[-1] != row[i]):
                parts.append(row[i])
        label = "/".join(parts)
        labels.append(label)
        if len(parts) > 1:
            lower[label] = parts[-1]
    return labels, lower


def _long_cells(columns, lines, max_cell, path, where, by_column=False) -> None:
    """Refuse a text cell longer than max_cell: one C-speed probe per column, a scan only on a hit."""
    for column in columns:
        joined = "\x00".join([c for c in column if type(c) is str])
        if limits.long_span(joined, max_cell, "\x00") is None:
            continue
        for k, c in enumerate(column):
            if type(c) is str and len(c) > max_cell:
                limits.cell_too_large(path, len(c), max_cell, line=lines[k if by_column else 0], where=where)


def _transpose(data, lines, width, text, path, where, header_line):
    """Rows -> columns, refusing values beyond the header and padding short rows."""
    longest = max(map(len, data), default=width)
    if longest > width:
        for k, cells in enumerate(data):
            for i in range(width, len(cells)):
                if _cell(cells[i]) is not None:
                    raise InputError(path, f"{where}row has a value in {_col(i)}, which has no header label "
                                     f"(the header at line {header_line} has {width} columns)", line=lines[k],
                                     hint="add a label for this column or remove the value; " + HEADER_HINT,
                                     ja=f"{where_ja(where)}見出しのない{_col_ja(i)}に値があります（{header_line}行目の"
                                     f"見出しは{width}列です）", hint_ja=STRAY_HINT_JA)
    if data and (longest != width or min(map(len, data)) != width):
        pad = "" if text else None
        data = [cells[:width] + [pad] * (width - len(cells)) if len(cells) != width else cells for cells in data]
    return (list(zip(*data)) if data else [()] * width), lines
