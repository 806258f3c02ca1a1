"""Read some evidence files in a second process while this one reads the others.

The machines that run the audit have two cores or more, and a prefecture's roster or firewall
export takes most of a run. The worker reads its file exactly as this process would and leaves
the result in the parse cache (auditor/evidence/cache.py), from which this process then takes it. The
worker reports nothing: if it fails, or the cache cannot be written, this process simply reads
the file itself and meets the same error, so messages and exit codes do not change.

A forked process never outlives the one that started it: killed, or out of memory, the parent
takes its children with it (PR_SET_PDEATHSIG on Linux; elsewhere the child watches its parent).
"""
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading

MIN_BYTES = 4 << 20  # smaller files are read faster than a process is started
WATCH_SECONDS = 0.2  # how often a child without prctl looks whether its parent is still there


def share(costs: dict) -> set:
    """The files for the worker: about half of the work (bytes times readings), when that is worth a process."""
    half, mine, given = sum(costs.values()) / 2, 0, set()
    for path in sorted(costs, key=costs.get, reverse=True):
        if mine + costs[path] <= half:
            given.add(path)
            mine += costs[path]
    return given if mine >= MIN_BYTES else set()


def start(jobs: list, work) -> int | None:
    """Run work(job) for each job in a forked process; -> its pid, or None where fork is unavailable, or
    where this process runs other threads (auditor called from a threaded program): a forked copy would
    hold their locks as they were at the fork, so this process reads everything itself."""
    if not jobs or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns into the caller's code
        die_with(parent)
        for job in jobs:
            work(job)
    finally:
        os._exit(0)


def die_with(parent: int) -> None:
    """End this (forked) process when `parent` ends: at once where the kernel can be asked to, else
    within WATCH_SECONDS by a thread that looks whether this process has been handed to another parent."""
    if not _death_signal():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it ended before the watch began
        os._exit(1)


def _death_signal() -> bool:
    """prctl(PR_SET_PDEATHSIG, SIGKILL) through ctypes; False where there is no such call."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def finish(pid: int | None) -> None:
    """Wait for the worker `pid` (None: there is none); -> None, the worker that is left."""
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
