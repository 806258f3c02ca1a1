"""The shipped control files and audit map, as the test suite checked them against their schemas.

A run on a new machine, as every CI job without a restored cache, would check the fifteen shipped
control files and the map against their JSON Schemas: 0.13 s of a small town's run. The suite checks
them on every change and holds `schemas/vouched.json` to what it checked (tests/test_shipped_memo.py;
`python3 tools/vouch.py` writes it): the SHA-256 of each shipped file and of the schemas. A shipped file
whose bytes are those, with those schemas, is not checked again; any other bytes (an edited install,
a file changed without the tool) are checked as always. The suite also compiles every rule of those
bytes under this code (tests/test_shipped_memo.py), so a vouched control file's rules are not compiled
at load either (catalogue/controls._file); the IDs are still compared. Nor are vouched bytes parsed: the
suite also holds `schemas/vouched-loaded.jsonl` to what their YAML loads to, data and lines (read_config).
"""
from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path, PurePath

NAME = "vouched.json"
# the same files as loaded (their data and lines), one JSON line each: a first run reads them in about
# a millisecond where parsing their YAML takes some 45 ms (tools/vouch.py writes it; the suite compares it)
LOADED = "vouched-loaded.jsonl"


def vouched(path, raw: bytes) -> bool:
    """Whether these are the bytes of the shipped file at `path` that the suite checked, under these schemas."""
    table = _table()
    return (table.get("schemas") == _schemas() and
            table.get("files", {}).get(_rel(path)) == hashlib.sha256(raw).hexdigest())


def shipped() -> list[tuple[Path, str]]:
    """(file, the schema it is checked against) of every shipped file the table covers."""
    from ..defaults import shipped_controls, shipped_frameworks

    return ([(p, "control") for p in sorted(shipped_controls().glob("*.yaml"))]
            + [(shipped_frameworks() / "guideline.yaml", "framework")])


def current() -> dict:
    """The table for the shipped files as they are (tools/vouch.py writes it; the suite compares it)."""
    return {"schemas": _schemas(), "files": {_rel(p): hashlib.sha256(p.read_bytes()).hexdigest()
                                             for p, _ in sorted(shipped(), key=lambda f: _rel(f[0]))}}


def read_config(path, raw: bytes):
    """yamlio.read_config(path) of a shipped file: from LOADED when these are the vouched bytes, else parsed."""
    from .. import yamlio

    line = _loaded().get(_rel(path))
    if line is not None and vouched(path, raw):
        entry = json.loads(line)  # fresh objects on every call: a caller may change what it gets
        if entry.get("sha256") == _table().get("files", {}).get(_rel(path)):  # written with these very bytes
            return entry["data"], yamlio.Located.restore(entry["data"], entry["marks"])
    return yamlio.read_config(path)


def loaded_lines() -> str:
    """LOADED for the shipped files as they are: parsed from their YAML."""
    from .. import yamlio

    lines = []
    for path, _ in sorted(shipped(), key=lambda f: _rel(f[0])):
        data, located = yamlio.read_config(path)
        entry = {"file": _rel(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "data": data,
                 "marks": located.export(data)}
        lines.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=1)
def _loaded() -> dict:
    """file -> its JSON line in LOADED ({} when the package has none)."""
    try:
        text = (resources.files("auditor") / "schemas" / LOADED).read_text(encoding="utf-8")
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        if line.startswith('{"file":"'):
            out[line[9:line.index('"', 9)]] = line
    return out


def _rel(path) -> str:
    p = PurePath(path)
    return f"{p.parent.name}/{p.name}"


@functools.lru_cache(maxsize=1)
def _table() -> dict:
    try:
        data = json.loads((resources.files("auditor") / "schemas" / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@functools.lru_cache(maxsize=1)
def _schemas() -> str:
    """One digest over every schema of the package, since one may refer to another."""
    h = hashlib.sha256()
    root = resources.files("auditor") / "schemas"
    for entry in sorted((e for e in root.iterdir() if e.name.endswith(".schema.json")), key=lambda e: e.name):
        h.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return h.hexdigest()
