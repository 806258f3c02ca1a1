#!/usr/bin/env python3
"""`auditor report` on the shipped sample: the whole set (both languages, every format) and the Japanese
PDFs alone. Prints the median wall time of --runs whole-process runs, the median CPU time (the process and its
workers: steadier than wall time on a shared machine) and the peak memory (the proportional set size
summed over the process and every worker it starts, sampled every 10 ms, or its own peak RSS when
larger: the same sampling as bench/run.py); asserts nothing.

    .venv/bin/python bench/reports.py                     # 3 runs of each, this checkout
    .venv/bin/python bench/reports.py --runs 1 --root . /tmp/old   # and an older checkout, in turns, same venv
    .venv/bin/python bench/reports.py --jobs 1 --keep /tmp/out    # one worker; keep the last outputs
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import _TreeMemory  # noqa: E402  (the same process-tree sampling as the other benchmarks)

ALL = ["--lang", "both", "--format", "html,md,pdf,json,csv,docx,xlsx"]
JA_PDF = ["--lang", "ja", "--format", "pdf"]
SETS = {"all": ("both languages, every format", ALL), "ja-pdf": ("Japanese PDFs only", JA_PDF)}


def rounds(jobs: list, runs: int) -> list:
    """Each job (cmd, before, cwd) once per round, interleaved (a slow spell weighs on all alike);
    -> [(median wall s, median CPU s of the process and its workers, peak MB, last run)] per job."""
    walls, cpus, peaks, last = [[] for _ in jobs], [[] for _ in jobs], [0.0] * len(jobs), [None] * len(jobs)
    for _ in range(runs):
        for j, (cmd, before, cwd) in enumerate(jobs):
            before()
            with tempfile.TemporaryFile() as err:
                start = time.perf_counter()
                child = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
                sampler = _TreeMemory(child.pid)
                _, status, usage = os.wait4(child.pid, 0)  # its rusage counts the workers it reaped
                walls[j].append(time.perf_counter() - start)
                sampler.stop()
                err.seek(0)
                last[j] = subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status), "",
                                                      err.read().decode("utf-8", "replace"))
            cpus[j].append(usage.ru_utime + usage.ru_stime)
            peaks[j] = max(peaks[j], usage.ru_maxrss / 1024, sampler.peak_mb)
    return [(statistics.median(w), statistics.median(c), p, proc) for w, c, p, proc in zip(walls, cpus, peaks, last)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", type=Path, nargs="+", default=[HERE.parent],
                    help="checkouts to run, in turns (each one's auditor package is imported; default: this one)")
    ap.add_argument("--jobs", type=int, help="pass --jobs N to the first --root (an older checkout lacks it)")
    ap.add_argument("--set", dest="sets", choices=list(SETS), nargs="*", default=list(SETS))
    ap.add_argument("--keep", type=Path, help="copy the last run's reports here (DIR/<root number>/<set>)")
    opts = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="auditor-report-bench-"))
    try:
        jobs, rows = [], []
        for r, root in enumerate(opts.root):
            for name in opts.sets:
                out = work / str(r) / name
                cmd = [sys.executable, "-m", "auditor", "report", *SETS[name][1], "--out", str(out),
                       "--date", "2026-04-15", "--quiet"]
                if opts.jobs and r == 0:
                    cmd += ["--jobs", str(opts.jobs)]
                # each run starts from an empty folder, as a first issue does
                jobs.append((cmd, lambda out=out: shutil.rmtree(out, ignore_errors=True), root))
                rows.append((r, root, name, out))
        measured = rounds(jobs, opts.runs)
        print(f"auditor report on the sample, median of {opts.runs} run(s), {os.cpu_count()} cores")
        print(f"{'checkout':<28} {'set':<30} {'files':>6} {'median s':>9} {'CPU s':>7} {'peak MB':>8}")
        for (r, root, name, out), (t, cpu, peak, proc) in zip(rows, measured):
            label = f"{root.name}{' --jobs ' + str(opts.jobs) if opts.jobs and r == 0 else ''}"
            if proc.returncode:
                print(f"{label:<28} {SETS[name][0]:<30} exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
                continue
            files = sum(1 for p in out.rglob("*") if p.is_file())
            print(f"{label:<28} {SETS[name][0]:<30} {files:>6} {t:>9.2f} {cpu:>7.1f} {peak:>8.0f}")
            if opts.keep:
                shutil.rmtree(opts.keep / str(r) / name, ignore_errors=True)
                shutil.copytree(out, opts.keep / str(r) / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
