"""Bounds of the cache folder (.auditor/cache): each kind of entry is kept under a size and an age.

Without bounds the folder only grows: every version of a roster leaves its parse (about 16 MB for
500,000 staff), every run its outputs. After each write, the entries of the kind just written are
pruned (sealed.Store.store): those unused for longer than the kind's age go, then the least recently
used until the kind's total size fits, always keeping the entry just written. An entry's time is its
modification time, renewed whenever it is used (touch()). A pruned entry only means that the next run
reads or evaluates afresh: the output is the same (tests/test_cachebounds.py).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

DAY = 86_400
MB = 1 << 20
# kind -> (most bytes, most seconds unused); docs/performance.md states them
BOUNDS = {
    "parse": (512 * MB, 30 * DAY),  # columns of evidence files (evidence/cache.py)
    "run": (256 * MB, 30 * DAY),  # outputs of whole runs (engine/runcache.py; also at most KEEP of them)
    "res": (256 * MB, 30 * DAY),  # results per control (engine/resultstore.py)
    "valid": (16 * MB, 90 * DAY),  # documents found schema-valid (schema.py)
    "cat": (16 * MB, 90 * DAY),  # the shipped catalogue and map as loaded (catalogue/memo.py)
    "pkg": (1 * MB, 90 * DAY),  # the package's digest by its files' status (sealed.package_digest)
}
_PREFIXES = {"run-": "run", "res-": "res", "valid-": "valid", "cat-": "cat", "pkg-": "pkg"}


def kind_of(name: str) -> str | None:
    """The kind of an entry by its name (a parse entry is named by its bare SHA-256); None: not ours."""
    for prefix, kind in _PREFIXES.items():
        if name.startswith(prefix):
            return kind
    return "parse" if len(name) == 64 and all(c in "0123456789abcdef" for c in name) else None


def touch(path: Path) -> None:
    """Mark an entry as used now (it is kept longest)."""
    try:
        os.utime(path)
    except OSError:
        pass


def prune(folder: Path, written: str, now: float | None = None) -> None:
    """Remove the entries of written's kind beyond its bounds, never written itself."""
    kind = kind_of(written)
    if kind is None:
        return
    most, age = BOUNDS[kind]
    now = time.time() if now is None else now
    entries = []
    try:
        for entry in os.scandir(folder):
            if entry.name != written and kind_of(entry.name) == kind:
                st = entry.stat(follow_symlinks=False)
                entries.append((st.st_mtime, st.st_size, entry.path))
        total = os.stat(os.path.join(folder, written)).st_size
    except OSError:  # the folder went away, or another run pruned first
        return
    entries.sort(reverse=True)  # newest first
    for mtime, size, path in entries:
        if now - mtime > age or total + size > most:
            try:
                os.unlink(path)
            except OSError:
                pass
        else:
            total += size
