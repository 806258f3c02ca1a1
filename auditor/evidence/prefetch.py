"""Read some evidence files in a second process while this one reads the others.

The machines that run the audit have two cores or more, and a prefecture's roster or firewall
export takes most of a run. The worker reads its file exactly as this process would and leaves
the result in the parse cache (auditor/evidence/cache.py), from which this process then takes it. The
worker reports nothing: if it fails, or the cache cannot be written, this process simply reads
the file itself and meets the same error, so messages and exit codes do not change.
"""
from __future__ import annotations

import atexit
import os

MIN_BYTES = 4 << 20  # smaller files are read faster than a process is started


def share(costs: dict) -> set:
    """The files for the worker: about half of the work (bytes times readings), when that is worth a process."""
    half, mine, given = sum(costs.values()) / 2, 0, set()
    for path in sorted(costs, key=costs.get, reverse=True):
        if mine + costs[path] <= half:
            given.add(path)
            mine += costs[path]
    return given if mine >= MIN_BYTES else set()


def start(jobs: list, work) -> int | None:
    """Run work(job) for each job in a forked process; -> its pid, or None where fork is unavailable."""
    if not jobs or not hasattr(os, "fork"):
        return None
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns into the caller's code
        for job in jobs:
            work(job)
    finally:
        os._exit(0)


def finish(pid: int | None) -> None:
    if pid:
        os.waitpid(pid, 0)


_BACKGROUND: list = []


def background(work) -> None:
    """Run work() in a forked process while this one goes on (writing the parse cache is nobody's wait).

    join() waits for it; it is also called at exit, so no run leaves a process writing behind it.
    Where fork is unavailable, work() runs here and now.
    """
    pid = start([None], lambda _: work())
    if pid is None:
        work()
        return
    if not _BACKGROUND:
        atexit.register(join)
    _BACKGROUND.append(pid)


def join() -> None:
    while _BACKGROUND:
        finish(_BACKGROUND.pop())
