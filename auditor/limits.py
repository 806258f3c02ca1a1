"""How much one input file may cost to read, checked before the work: size from stat, rows by counting
line ends, line length and cell size by probing. A 2 GB export, a 10-million-row CSV or a 1 GB file
without a line end is refused with a message instead of exhausting memory.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from .errors import InputError

GIB = 2**30
CONFIG_MAX_BYTES = 16 * 2**20  # controls, policies and manifests are written by hand: never this large


@dataclass(frozen=True)
class Limits:
    max_file_size: int = GIB  # bytes of one evidence file (--max-file-size)
    max_rows: int = 5_000_000  # data rows of one evidence file, or records of a YAML/JSON file (--max-rows)
    # A row costs memory per cell, so one endless line (no line ends: binary data, a broken export) would
    # cost many times its size before any row check could run.
    max_line_length: int = 2**20  # bytes of one line of a CSV/TSV file (--max-line-length)
    max_cell_size: int = 2**17  # characters of one table cell (--max-cell-size); the csv module's default


DEFAULT = Limits()
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"([0-9]+) ?([kmgt]?)(?:i?b)?")


def parse_size(text: str) -> int:
    """'1073741824', '512M', '1G', '1GiB', '2 GB' -> bytes (binary units); ValueError otherwise."""
    m = _SIZE.fullmatch(str(text).strip().lower())
    if m is None:
        raise ValueError(f"not a size: {text!r}; write bytes or e.g. 512M, 1G")
    return int(m.group(1)) * _UNITS[m.group(2)]


def shown_size(n: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


def read_regular(path, max_bytes: int, shown, line=None, option: str = "--max-file-size") -> bytes:
    """The bytes of a regular file of at most max_bytes, refused before reading when it is larger.

    Opened without blocking (a named pipe would wait forever for a writer) and checked with fstat on
    the open file, so that devices (/dev/zero never ends), pipes and sockets are refused, not read.
    OSError (missing file, no permission) is left to the caller, which knows how to name it.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(shown, "not a regular file (a device, pipe or socket): refused without reading it",
                             line=line, hint="evidence and configuration must be ordinary files",
                             ja="通常のファイルではない（デバイス、パイプ、ソケット）ため、読まずに拒否しました",
                             hint_ja="証跡と設定は通常のファイルにしてください")
        too_large(shown, st.st_size, max_bytes, line, option)
        data = fh.read(max_bytes + 1)  # the file may have grown since fstat
        too_large(shown, len(data), max_bytes, line, option)
        return data


def too_large(shown, size: int, max_bytes: int, line=None, option: str = "--max-file-size",
              what: str = "the file is", what_ja: str = "大きさ") -> None:
    if size > max_bytes:
        hint = (f"split the file, or raise the limit with {option} (e.g. {option} 2G)" if option.startswith("--")
                else option)
        raise InputError(shown, f"{what} {shown_size(size)} ({size:,} bytes), more than the limit of "
                         f"{shown_size(max_bytes)}", line=line, hint=hint,
                         ja=f"{what_ja} {shown_size(size)}（{size:,} バイト）が上限 {shown_size(max_bytes)} を超えています",
                         hint_ja=f"ファイルを分割するか、{option} で上限を上げてください（例: {option} 2G）"
                         if option.startswith("--") else None)


def too_many_rows(shown, rows: int, max_rows: int, what: str = "rows", subject: str = "the file") -> None:
    """`rows` may be counted cheaply (line ends): the message says what was counted."""
    if rows > max_rows:
        raise InputError(shown, f"{subject} has {rows:,} {what}, more than the limit of {max_rows:,}",
                         hint="split the file (by department or period), or raise the limit with --max-rows N",
                         ja=f"行数 {rows:,}（{what}）が上限 {max_rows:,} を超えています",
                         hint_ja="ファイルを（所属や期間で）分割するか、--max-rows N で上限を上げてください")


def long_span(data, max_len: int, sep, lo: int = 0, hi: int | None = None) -> tuple[int, int] | None:
    """(offset, length) of the first run of data[lo:hi] (str or bytes) without `sep` longer than max_len.

    Probes windows of max_len // 2 + 1 characters: a window without `sep` is inside a run at least that
    long, and every run longer than max_len holds a whole window. So a file of short lines costs one
    memchr-speed find per window, a few per megabyte, and the length is measured only around a hit.
    """
    hi = len(data) if hi is None else hi
    if hi - lo <= max_len:
        return None
    step = max_len // 2 + 1
    pos = lo
    while pos + step <= hi:
        if data.find(sep, pos, pos + step) >= 0:
            pos += step
            continue
        start = data.rfind(sep, lo, pos) + 1 or lo
        end = data.find(sep, pos + step, hi)
        end = hi if end < 0 else end
        if end - start > max_len:
            return start, end - start
        pos = end + 1
    return None


def too_long_line(shown, data: bytes, max_len: int) -> None:
    """Refuse a text table with a line longer than max_len bytes, naming the line. Lines end in LF, CRLF
    or, from old Mac Excel, CR alone."""
    pos = 0
    while True:
        found = long_span(data, max_len, b"\n", pos)
        if found is None:
            return
        start, length = found
        if data.find(b"\r", start, start + length) >= 0:  # CR line ends inside: measure those lines
            found = long_span(data, max_len, b"\r", start, start + length)
        if found is not None:
            at, length = found
            line = data.count(b"\n", 0, at) + data.count(b"\r", start, at) + 1
            raise InputError(shown, f"this line is {shown_size(length)} ({length:,} bytes) long, more than the limit "
                             f"of {shown_size(max_len)}", line=line,
                             hint="a line this long is usually a file without line ends (binary data, or a broken "
                                  "export); fix it, or raise the limit with --max-line-length (e.g. --max-line-length 8M)",
                             ja=f"この行は {shown_size(length)}（{length:,} バイト）あり、上限の {shown_size(max_len)} を超えています",
                             hint_ja="1 行が長すぎます（改行のないファイルや壊れた出力の可能性）。修正するか --max-line-length で"
                                     "上限を上げてください（例: --max-line-length 8M）")
        pos = start + length + 1


def _where_ja(where: str) -> str:
    """The English lead of cell_too_large's message ("this row has ", "sheet 'X': ") in Japanese."""
    if where.startswith("sheet '") and where.endswith("': "):
        return f"シート「{where[7:-3]}」: "
    return {"this row has ": "この行の", "a quoted value: ": "引用符の値: "}.get(where, where)


def cell_too_large(shown, length: int | None, max_cells: int, line=None, where: str = "") -> None:
    """Refuse a table holding a cell longer than max_cells characters (length: None when not measured)."""
    size = f"of {length:,} characters, more than" if length is not None else "of more than"
    raise InputError(shown, f"{where}a cell {size} the limit of {max_cells:,} characters", line=line,
                     hint="a cell this long is usually a stray quote that joins the rest of the file into one cell; "
                          "fix it, or raise the limit with --max-cell-size (e.g. --max-cell-size 1M)",
                     ja=f"{_where_ja(where)}セルの長さが" + (f" {length:,} 文字で" if length is not None else "") +
                        f"、上限の {max_cells:,} 文字を超えています",
                     hint_ja="セルが長すぎます（閉じていない引用符の可能性）。修正するか --max-cell-size で上限を上げてください"
                             "（例: --max-cell-size 1M）")
