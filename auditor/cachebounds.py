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
import re
import threading
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


_SHA256 = re.compile("[0-9a-f]{64}")


def kind_of(name: str) -> str | None:
    """The kind of an entry by its name (a parse entry is named by its bare SHA-256); None: not ours."""
    dash = name.find("-")
    if dash > 0:
        return _PREFIXES.get(name[:dash + 1])
    return "parse" if _SHA256.fullmatch(name) else None


def touch(path: Path) -> None:
    """Mark an entry as used now (it is kept longest)."""
    try:
        os.utime(path)
    except OSError:
        return
    with _LOCK:
        ledger = _LEDGERS.get((os.path.abspath(path.parent), kind_of(path.name)))
        if ledger is not None and path.name in ledger.entries:
            ledger.add(path.name, time.time(), ledger.entries[path.name][1])


class _Ledger:
    """The entries of one kind in one folder as this process knows them: name -> (time, size), least
    recently used first, and their total size."""

    def __init__(self, entries: list):
        self.entries: dict = {}
        self.total = 0
        for mtime, size, name in sorted(entries):
            self.add(name, mtime, size)

    def add(self, name: str, mtime: float, size: int) -> None:
        old = self.entries.pop(name, None)
        self.total += size - (old[1] if old else 0)
        self.entries[name] = (mtime, size)

    def drop(self, name: str) -> None:
        self.total -= self.entries.pop(name)[1]


# (folder, kind) -> _Ledger: the folder is listed once per process and kind, at its first write. A run
# writes up to a few hundred entries; listing the folder at each of them cost O(entries) every time
# (64 writes into a folder of 20,000 results took 8.6 s). Entries another process adds meanwhile are
# counted from the next process's listing on.
_LEDGERS: dict = {}
_LOCK = threading.Lock()  # auditor called from a threaded program


def forget() -> None:
    """Drop what this process knows of the folders (as a new process would start)."""
    with _LOCK:
        _LEDGERS.clear()


def prune(folder: Path, written: str, now: float | None = None) -> None:
    """Remove the entries of written's kind beyond its bounds, never written itself: those unused for
    longer than the kind's age, then the least recently used until the kind's total size fits."""
    kind = kind_of(written)
    if kind is None:
        return
    with _LOCK:
        _prune(folder, written, kind, time.time() if now is None else now)


def _prune(folder, written: str, kind: str, now: float) -> None:
    most, age = BOUNDS[kind]
    key = (os.path.abspath(folder), kind)
    try:
        size = os.stat(os.path.join(folder, written)).st_size
        if key not in _LEDGERS:
            _LEDGERS[key] = _Ledger(_listed(folder, kind))
    except OSError:  # the folder went away, or another run pruned first
        return
    ledger = _LEDGERS[key]
    ledger.add(written, now, size)
    for name, (mtime, _) in list(ledger.entries.items()):  # least recently used first
        if name == written or (now - mtime <= age and ledger.total <= most):
            break
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:  # another run removed it first
            pass
        ledger.drop(name)


def _listed(folder, kind: str) -> list:
    out = []
    for entry in os.scandir(folder):
        if kind_of(entry.name) == kind:
            st = entry.stat(follow_symlinks=False)
            out.append((st.st_mtime, st.st_size, entry.name))
    return out
