"""One large CSV read by both processes: the worker (prefetch.py) reads the tail blocks of its readings
into the parse cache while this process reads the head blocks, then this one reads the file whole.

A prefecture's roster is most of a cold run and cannot be handed to the worker whole without leaving this
process idle, or kept here without leaving the worker so. Blocks (chunks.py) can be shared: whoever reads
a block leaves it where the whole reading takes it (the worker in the cache, this process in `tables`),
and the whole reading, done here as before, takes each block from there or reads it itself. So the
result is the whole reading's, and a worker that failed or was slow only costs time.
"""
from __future__ import annotations

from . import chunks


def choose(files_read, readings: dict, costs: dict, given: set, min_bytes: int, cache_dir, limits) -> tuple[list, int]:
    """The uncached readings (entry -> reading) of the file both processes read, and the worker's first block;
    none when the file was read by blocks before (one line changed: its blocks are in the cache)."""
    readable: dict = {}
    for i in sorted(readings):
        raw = files_read.held(i)
        ok = raw is not None and chunks.applies(raw, readings[i])
        readable[files_read.ids[i]] = readable.get(files_read.ids[i], True) and ok
    found = plan(costs, given, readable, min_bytes)
    if found is None:
        return [], 0
    shared = [i for i in sorted(readings) if files_read.ids[i] == found[0]]
    raw = files_read.held(shared[0])
    if chunks.first_cached(raw, readings[shared[0]], cache_dir, limits):
        return [], 0
    return shared, first_block(raw, found[1])


def plan(costs: dict, given: set, readable: dict, min_bytes: int) -> tuple[str, float] | None:
    """(identity of the file to share, the share of its blocks the worker reads, from its end), or None.

    costs: the work per file still to read (loader._costs); given: the files the worker reads whole;
    readable: identity -> whether every reading of that file is read by blocks."""
    rest = [f for f in costs if f not in given and readable.get(f)]
    if not rest:
        return None
    big = max(rest, key=costs.get)
    share = (sum(costs.values()) / 2 - sum(costs[f] for f in given)) / costs[big]
    if share * costs[big] < min_bytes:  # too little to be worth a process
        return None
    return big, min(share, 0.5)


def first_block(raw: bytes, share: float) -> int:
    """The first block the worker reads: the last `share` of the file's blocks."""
    blocks = -(-max(raw.count(b"\n"), 1) // chunks.CHUNK_LINES)
    return max(1, blocks - round(share * blocks))


def ahead(raw: bytes, reading: dict, cache_dir, limits, tables: dict, records, pending, part: tuple) -> None:
    """Read the blocks of `part` of one reading ahead; anything unusable is left to the whole reading."""
    if chunks.applies(raw, reading):
        chunks.read(raw, reading, [], cache_dir, limits, tables, records, pending, part=part)
