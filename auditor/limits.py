"""How much one input file may cost to read, checked before the work: size from stat, rows by counting
line ends. A 2 GB export or a 10-million-row CSV is refused with a message instead of exhausting memory.
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
                             line=line, hint="evidence and configuration must be ordinary files")
        too_large(shown, st.st_size, max_bytes, line, option)
        data = fh.read(max_bytes + 1)  # the file may have grown since fstat
        too_large(shown, len(data), max_bytes, line, option)
        return data


def too_large(shown, size: int, max_bytes: int, line=None, option: str = "--max-file-size",
              what: str = "the file is") -> None:
    if size > max_bytes:
        hint = (f"split the file, or raise the limit with {option} (e.g. {option} 2G)" if option.startswith("--")
                else option)
        raise InputError(shown, f"{what} {shown_size(size)} ({size:,} bytes), more than the limit of "
                         f"{shown_size(max_bytes)}", line=line, hint=hint)


def too_many_rows(shown, rows: int, max_rows: int, what: str = "rows", subject: str = "the file") -> None:
    """`rows` may be counted cheaply (line ends): the message says what was counted."""
    if rows > max_rows:
        raise InputError(shown, f"{subject} has {rows:,} {what}, more than the limit of {max_rows:,}",
                         hint="split the file (by department or period), or raise the limit with --max-rows N")
