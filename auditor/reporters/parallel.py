"""Rendering the slow formats of a report set (PDF) in a bounded pool of worker processes.

WeasyPrint lays out in pure Python: one department's PDF takes a second or more of one core, and the
whole set dozens. The other formats take milliseconds and stay in the calling process. Each worker
renders one document at a time and collects what the document left behind (the CLI turns the collector
off, and WeasyPrint's boxes form reference cycles), so memory stays bounded whatever the number of
departments (a worker's resident size stays within about 250-350 MB over a dozen PDFs). At most `jobs * 2` documents are queued or waiting
to be written at once; the caller writes each result (atomically) as it arrives, in the order asked.

Workers are forked where the system can (Linux), all at the start, before the pool's own threads
exist (a worker is never forked while another thread might hold a lock); they start with the imported
modules of the caller. Elsewhere they are spawned (each imports what it needs once). A process that
already runs other threads (auditor called from a threaded program) renders everything itself, as
evidence/prefetch.py reads everything itself there: a forked worker would hold those threads' locks, and
a spawned one would run the host program's main module again.
"""
from __future__ import annotations

import collections
import gc
import multiprocessing
import os
import threading

from ..errors import InputError

SLOW = ("pdf",)  # --format names whose rendering goes to the workers


def cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_jobs() -> int:
    return min(2, cpus())


def jobs_for(asked: int | None) -> int:
    """The pool's size: as asked (default min(2, cores)), never more than the cores."""
    return max(1, min(asked or default_jobs(), cpus()))


def render(module_name: str, doc: dict, lang: str, opts) -> list:
    """module.files(doc, lang, opts) with the garbage it made collected before returning."""
    import importlib

    module = importlib.import_module(module_name)
    gc.freeze()  # the collection below looks only at what this document made
    try:
        return module.files(doc, lang, opts)
    finally:
        gc.collect()
        gc.unfreeze()


def _task(args) -> tuple:
    """In a worker: ("ok", files) or ("input", InputError's fields): InputError does not pickle."""
    try:
        return "ok", render(*args)
    except InputError as exc:
        return "input", (exc.path, exc.message, exc.line, exc.hint, exc.ja, exc.hint_ja)


def _unpack(result: tuple) -> list:
    kind, value = result
    if kind == "input":
        path, message, line, hint, ja, hint_ja = value
        raise InputError(path, message, line=line, hint=hint, ja=ja, hint_ja=hint_ja)
    return value


def start_method() -> str | None:
    """fork where the system has it, spawn where it has not; None (no workers) beside other threads."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    return "fork" if threading.active_count() == 1 else None


class Pool:
    """A bounded pool (jobs=1: everything in this process, as before). `submit` returns a handle whose
    `get()` gives the files; a submission waits while `jobs * 2` are outstanding."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool = None
        self._pending: collections.deque = collections.deque()
        method = start_method() if jobs > 1 else None
        if method:
            self._pool = multiprocessing.get_context(method).Pool(jobs)

    def submit(self, module_name: str, doc: dict, lang: str, opts):
        if self._pool is None:
            return _Done(render(module_name, doc, lang, opts))
        while sum(1 for h in self._pending if not h.ready()) >= self.jobs * 2:
            self._pending[0].wait(0.05)
            self._drop_ready()
        handle = _Async(self._pool.apply_async(_task, ((module_name, doc, lang, opts),)))
        self._pending.append(handle._result)
        self._drop_ready()
        return handle

    def _drop_ready(self):
        while self._pending and self._pending[0].ready():
            self._pending.popleft()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def terminate(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.terminate()
        return False


class _Done:
    def __init__(self, files):
        self.files = files

    def ready(self) -> bool:
        return True

    def get(self):
        return self.files


class _Async:
    def __init__(self, result):
        self._result = result

    def ready(self) -> bool:
        return self._result.ready()

    def get(self):
        return _unpack(self._result.get())
