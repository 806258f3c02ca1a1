"""Parse cache: the normalised columns of each evidence file, keyed by the file's SHA-256 and how it is read.

A second run over unchanged evidence skips decoding, parsing and normalising. An entry is found only
under the digest of the exact bytes, the manifest's reading options, the kind's schema and this
version of the tool, so a changed file is never served from the cache. Entries are plain data in
marshal format (loading one runs no code), carry a digest of their own and are ignored when damaged.
Deleting the folder is always safe.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import marshal
import os
import tempfile
from pathlib import Path

from . import __version__

FORMAT = 1
_READING = ("kind", "format", "encoding", "sheet", "header_row", "delimiter", "records", "columns", "values")
# The code that turns bytes into columns: an entry made by other code is never used.
_READERS = ("cache", "documents", "evidence", "fastyaml", "fiscal", "kinds", "mynumber", "normalize", "personal",
            "readers", "workbooks", "yamlio")


def key(digest: str, entry: dict, schema_digest: str) -> str:
    """The cache key of one manifest entry read from bytes with this SHA-256."""
    reading = {k: entry.get(k) for k in _READING}
    text = json.dumps([FORMAT, __version__, _code(), digest, schema_digest, reading], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _code() -> str:
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / f"{m}.py").read_bytes() for m in _READERS)).hexdigest()


def load(folder, name: str):
    """The cached value, or None when absent, damaged or foreign."""
    if folder is None:
        return None
    try:
        blob = (Path(folder) / name).read_bytes()
    except OSError:
        return None
    check, payload = blob[:32], blob[32:]
    if hashlib.sha256(payload).digest() != check:
        return None
    try:
        columns, lines, rest = marshal.loads(payload)
        return {name: _decode(column) for name, column in columns.items()}, _lines(lines), rest
    except (EOFError, ValueError, TypeError):
        return None


def store(folder, name: str, columns: dict, lines, rest) -> None:
    """Write one entry atomically; a folder that cannot be written only means no cache."""
    if folder is None:
        return
    try:
        lines = ("range", lines.start, lines.stop, lines.step) if isinstance(lines, range) else list(lines)
        payload = marshal.dumps(({n: _encode(c) for n, c in columns.items()}, lines, rest))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, Path(folder) / name)
    except (OSError, ValueError):  # ValueError: a value marshal cannot hold; such a file is not cached
        return


def _encode(column: list):
    if dt.date in set(map(type, column)):
        days = {d: d.toordinal() for d in set(column) if d is not None}
        return ("date", list(map(days.get, column)))
    return column


def _decode(column):
    if type(column) is tuple:  # ("date", ordinals): each distinct day built once
        days = {o: dt.date.fromordinal(o) for o in set(column[1]) if o is not None}
        return list(map(days.get, column[1]))
    return column


def _lines(lines):
    return range(*lines[1:]) if type(lines) is tuple else lines
