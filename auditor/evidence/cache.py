"""Parse cache: the normalised columns of each evidence file, keyed by the file's SHA-256 and how it is read.

A second run over unchanged evidence skips decoding, parsing and normalising. An entry is found only
under the digest of the exact bytes, the reading as the reader uses it (`loader._reading`: every key of
the manifest entry that is not only about the file, and the format its name implies, in the order
written), the limits it was read under, the kind's schema, the code of the evidence stage and of the
stages below it, and the interpreter and libraries (auditor/sealed.py), so that a fresh reading could
never give anything else. Entries are plain data in marshal format (loading one runs no code), are
signed with the user's secret (auditor/sealed.py), and are ignored when unsigned, damaged or malformed.
Deleting the folder is always safe.
"""
from __future__ import annotations

import array
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import marshal
import sys
from importlib import resources
from pathlib import Path

from .. import __version__, cachebounds
from ..sealed import runtime, walk

FORMAT = 4
# The code that turns bytes into columns: the evidence stage and the stages below it, which are all it
# may import (docs/architecture.md, held by tests/test_architecture.py). Derived from the folders, so a
# new reader module is never left out.
_STAGES = ("privacy", "evidence")


def key(digest: str, reading: dict, schema_digest: str, limits=None) -> str:
    """The cache key of one manifest entry read from bytes with this SHA-256.

    reading: the entry as the reader uses it (loader._reading); limits: the limits.Limits it is read under
    (a file refused under them is never stored, so an entry found under the same ones reads the same).
    """
    bounds = dataclasses.astuple(limits) if limits is not None else None
    # marshal's format and what it builds may change with Python: an entry made by another one is not used
    python = [sys.version, marshal.version, runtime()]
    text = json.dumps([FORMAT, __version__, python, _code(), digest, schema_digest, bounds, canonical(reading)],
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def key_of(digest: str, reading: dict, schema_digest: str, limits=None) -> str | None:
    """key(), or None for a reading with a value that has no canonical form (such a file is not cached)."""
    try:
        return key(digest, reading, schema_digest, limits)
    except TypeError:
        return None


def present(where, digest: str | None, reading: dict, schema_digest: str, limits=None) -> bool:
    """Whether the cache holds an entry for this reading of the bytes with this digest (signed or not)."""
    name = key_of(digest, reading, schema_digest, limits) if digest is not None else None
    return name is not None and (where.folder / name).is_file()


def canonical(value):
    """A JSON form that keeps what may decide a reading: the order of every mapping (the first of two
    columns mapped to one field wins), and types (1, 1.0, "1" and true differ); the top-level keys are
    sorted, as the reader looks options up by name. Raises TypeError for a value JSON cannot hold."""
    def inner(v):
        if isinstance(v, dict):
            return {"map": [[k, inner(x)] for k, x in v.items()]}
        if isinstance(v, (list, tuple)):
            return [inner(x) for x in v]
        if v is None or isinstance(v, (str, bool, int, float)):
            return v
        raise TypeError(f"not a manifest value: {type(v).__name__}")
    return sorted([k, inner(v)] for k, v in value.items()) if isinstance(value, dict) else inner(value)


def code_files() -> list[Path]:
    """The modules whose source is in every key: the base modules and the evidence and privacy packages."""
    here = Path(__file__).resolve().parent.parent  # auditor/
    files = [p for p in here.glob("*.py")]
    for stage in _STAGES:
        files += (p for p in (here / stage).rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(files)


@functools.lru_cache(maxsize=1)
def _code() -> str:
    h = hashlib.sha256()
    for rel, data in _sources():
        h.update(rel.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def _sources() -> list[tuple[str, bytes]]:
    """(path below auditor/, bytes) of code_files(); inside a zip archive (zipapp), where no file is on
    disk, the same modules through importlib.resources, so that the digest is never taken over nothing."""
    here = Path(__file__).resolve().parent.parent
    files = code_files()
    if files:
        return [(p.relative_to(here).as_posix(), p.read_bytes()) for p in files]
    root = resources.files("auditor")
    out = [(e.name, e.read_bytes()) for e in root.iterdir() if e.name.endswith(".py")]
    for stage in _STAGES:
        out += [(rel, e.read_bytes()) for rel, e in walk(root / stage, f"{stage}/") if rel.endswith(".py")]
    return sorted(out)


def load(where, name: str):
    """The cached (columns, lines, rest), or None when absent, unsigned, damaged or malformed.

    where: the cache (a sealed.Store), or None for no cache."""
    payload = where.load(name) if where is not None else None
    if payload is None:
        return None
    cachebounds.touch(where.folder / name)  # used: pruned last
    try:
        columns, lines, rest = marshal.loads(payload)
        columns = {name: _decode(column) for name, column in columns.items()}
        lines = _lines(lines)
    except Exception:  # noqa: BLE001 - any shape marshal can hold: an entry that is not ours is absent
        return None
    return (columns, lines, rest) if _well_formed(columns, lines, rest) else None


def store(where, name: str, columns: dict, lines, rest) -> None:
    """Write one entry atomically into where (a sealed.Store, or None); failing to write only means no cache."""
    if where is None:
        return
    try:
        lines = ("range", lines.start, lines.stop, lines.step) if isinstance(lines, range) else list(lines)
        payload = marshal.dumps(({n: _encode(c) for n, c in columns.items()}, lines, rest))
    except ValueError:  # a value marshal cannot hold; such a file is not cached
        return
    where.store(name, payload)


def _well_formed(columns, lines, rest) -> bool:
    """What the loader relies on: columns of one length per line, the line numbers, and
    (mapped fields, encoding, occurrences of (line, column, field, masked value),
    cleaning notes of (row, column, field, characters removed, emptied), remarks of (code, line, ja, en))."""
    if type(columns) is not dict or not isinstance(lines, (range, list)) or type(rest) is not tuple or len(rest) != 5:
        return False
    n = len(lines)
    if not all(type(k) is str and type(c) is list and len(c) == n for k, c in columns.items()):
        return False
    if type(lines) is list and not set(map(type, lines)) <= {int, type(None)}:
        return False
    present, encoding, occurrences, notes, remarks = rest
    if not (type(remarks) is list and all(type(r) is tuple and len(r) == 4 and type(r[0]) is str
                                          and (r[1] is None or type(r[1]) is int) and type(r[2]) is str
                                          and type(r[3]) is str for r in remarks)):
        return False
    if not (type(notes) is list and all(type(x) is tuple and len(x) == 5 and type(x[0]) is int and type(x[1]) is str
                                        and (x[2] is None or type(x[2]) is str) and type(x[3]) is list
                                        and type(x[4]) is bool for x in notes)):
        return False
    return (type(present) is list and all(type(p) is str for p in present)
            and (encoding is None or type(encoding) is str) and type(occurrences) is list
            and all(type(o) is tuple and len(o) == 4 and (o[0] is None or type(o[0]) is int) and type(o[1]) is str
                    and (o[2] is None or type(o[2]) is str) for o in occurrences))


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
