"""Parse cache: the normalised columns of each evidence file, keyed by the file's SHA-256 and how it is read.

A second run over unchanged evidence skips decoding, parsing and normalising. An entry is found only
under the digest of the exact bytes, the manifest's reading options, the kind's schema, this version
of the tool, of Python and of marshal's format, so a changed file is never served from the cache.
Entries are plain data in marshal format (loading one runs no code), carry a digest of their own and
are ignored when damaged.
Deleting the folder is always safe.
"""
from __future__ import annotations

import array
import datetime as dt
import functools
import hashlib
import json
import marshal
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path

from .. import __version__, defaults

FORMAT = 2
_READING = ("kind", "format", "encoding", "sheet", "header_row", "delimiter", "records", "columns", "values",
            "null_values")  # null_values: the manifest's own and its top-level list, merged by the loader
# The code that turns bytes into columns: an entry made by other code is never used.
_READERS = ("evidence/cache", "evidence/readers/documents", "evidence/loader", "evidence/readers/fastyaml", "fiscal",
            "evidence/blanks", "evidence/kinds", "privacy/mynumber", "evidence/normalize", "privacy/personal",
            "evidence/readers/__init__", "evidence/readers/table", "evidence/readers/xlsx", "invisible",
            "yamlio")  # below auditor/


def key(digest: str, entry: dict, schema_digest: str) -> str:
    """The cache key of one manifest entry read from bytes with this SHA-256."""
    reading = {k: entry.get(k) for k in _READING}
    # marshal's format and what it builds may change with Python: an entry made by another one is not used
    runtime = [sys.version, marshal.version]
    text = json.dumps([FORMAT, __version__, runtime, _code(), digest, schema_digest, reading], sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _code() -> str:
    here = resources.files("auditor")  # a folder, or a zip archive (zipapp)
    return hashlib.sha256(b"".join((here / f"{m}.py").read_bytes() for m in _READERS)).hexdigest()


def load(folder, name: str):
    """The cached value, or None when absent, damaged or foreign."""
    payload = load_blob(folder, name)
    if payload is None:
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
    except ValueError:  # a value marshal cannot hold; such a file is not cached
        return
    store_blob(folder, name, payload)


def load_blob(folder, name: str) -> bytes | None:
    """The bytes stored under name, or None when absent or damaged (each entry carries its own SHA-256)."""
    if folder is None:
        return None
    try:
        blob = (Path(folder) / name).read_bytes()
    except OSError:
        return None
    check, payload = blob[:32], blob[32:]
    return payload if hashlib.sha256(payload).digest() == check else None


def store_blob(folder, name: str, payload: bytes) -> None:
    if folder is None:
        return
    tmp = None
    try:
        defaults.make_folder(folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, Path(folder) / name)
    except OSError:  # a full disk or a read-only folder only means no cache
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _encode(column: list):
    """A column in the form marshal writes and reads fastest: repeating values as one index array,
    distinct text as one joined string, dates as day numbers; else the list itself."""
    n = len(column)
    types = set(map(type, column))
    one = types - {type(None)}
    if n >= _SMALL and len(one) == 1 and one <= {str, int, float, bool, dt.date} and _repeats(column):
        values = list(dict.fromkeys(column))  # one type: True and 1 would be one key in a dict
        if len(values) < 1 << 16:
            pos = {v: i for i, v in enumerate(values)}
            dated = one == {dt.date}
            if dated:
                values = [v if v is None else v.toordinal() for v in values]
            return ("index", values, dated, array.array("H", map(pos.__getitem__, column)).tobytes())
    if n >= _SMALL and types == {str}:
        joined = _SEP.join(column)
        if joined.count(_SEP) == n - 1:  # no cell holds the separator itself
            return ("text", joined)
    if one == {dt.date}:
        days = {d: d.toordinal() for d in set(column) if d is not None}
        return ("date", list(map(days.get, column)))
    return column


_SMALL = 256  # shorter columns are written as they are
_SEP = "\x00"


def _repeats(column: list) -> bool:
    """Whether a column holds few distinct values, judged from its first rows (IDs and names do not repeat)."""
    return len(set(column[:_SMALL])) * 4 <= _SMALL


def _decode(column):
    if type(column) is not tuple:
        return column
    if column[0] == "index":
        _, values, dated, index = column
        if dated:
            values = [v if v is None else dt.date.fromordinal(v) for v in values]
        return list(map(values.__getitem__, array.array("H", index)))
    if column[0] == "text":
        return column[1].split(_SEP)
    days = {o: dt.date.fromordinal(o) for o in set(column[1]) if o is not None}  # ("date", ordinals)
    return list(map(days.get, column[1]))


def _lines(lines):
    return range(*lines[1:]) if type(lines) is tuple else lines
