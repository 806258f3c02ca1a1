#!/usr/bin/env python3
"""One run's writes into a cache folder that a month of CI runs has filled.

    .venv/bin/python bench/cachebounds.py

A run of the full catalogue stores one result per control (64) into .auditor/cache, and each write
keeps its kind within its bounds (auditor/cachebounds.py). Prints, for folders of 500 to 20,000 entries
(results of 10 KB, written over the last 20 days), the seconds of 64 writes as one process makes them.
Asserts only that the bound holds.
"""
from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from auditor import cachebounds, sealed

WRITES = 64


def once(entries: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder, now = Path(tmp), time.time()
        for i in range(entries):
            p = folder / f"res-{hashlib.sha256(b'old%d' % i).hexdigest()}"
            p.write_bytes(b"x" * 10_000)
            os.utime(p, (now - 20 * cachebounds.DAY + i, now - 20 * cachebounds.DAY + i))
        cachebounds.forget()  # a new process
        store = sealed.Store(folder, b"k" * 32)
        start = time.perf_counter()
        for i in range(WRITES):
            store.store(f"res-{hashlib.sha256(b'new%d' % i).hexdigest()}", b"y" * 10_000)
        took = time.perf_counter() - start
        size = sum(p.stat().st_size for p in folder.iterdir())
        assert size <= cachebounds.BOUNDS["res"][0], size
        return took


def main() -> None:
    print(f"{'entries in the folder':>22}  {WRITES} writes, median of 3 (s)")
    for entries in (500, 5_000, 20_000):
        print(f"{entries:>22}  {statistics.median(once(entries) for _ in range(3)):.3f}")


if __name__ == "__main__":
    main()
