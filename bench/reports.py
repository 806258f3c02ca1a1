#!/usr/bin/env python3
"""`auditor report` on the shipped sample: the whole set (both languages, every format) and the Japanese
PDFs alone. Prints the median wall time of --runs whole-process runs and the peak memory (the
proportional set size summed over the process and every worker it starts, sampled every 10 ms, or its
own peak RSS when larger: the same sampling as bench/run.py); asserts nothing.

    .venv/bin/python bench/reports.py                     # 3 runs of each, this checkout
    .venv/bin/python bench/reports.py --runs 1 --root /tmp/old-checkout   # another checkout, same venv
    .venv/bin/python bench/reports.py --jobs 1 --keep /tmp/out   # one worker; keep the last outputs
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import rounds  # noqa: E402  (the same timing and process-tree sampling as the other benchmarks)

ALL = ["--lang", "both", "--format", "html,md,pdf,json,csv,docx,xlsx"]
JA_PDF = ["--lang", "ja", "--format", "pdf"]
SETS = {"all": ("both languages, every format", ALL), "ja-pdf": ("Japanese PDFs only", JA_PDF)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", type=Path, default=HERE.parent,
                    help="checkout to run (its auditor package is imported; default: this one)")
    ap.add_argument("--jobs", type=int, help="pass --jobs N (a checkout without the option fails)")
    ap.add_argument("--set", dest="sets", choices=list(SETS), nargs="*", default=list(SETS))
    ap.add_argument("--keep", type=Path, help="copy the last run's reports of each set here (DIR/all, DIR/ja-pdf)")
    opts = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="auditor-report-bench-"))
    try:
        jobs = []
        for name in opts.sets:
            out = work / name
            cmd = [sys.executable, "-m", "auditor", "report", *SETS[name][1], "--out", str(out),
                   "--date", "2026-04-15", "--quiet"]
            if opts.jobs:
                cmd += ["--jobs", str(opts.jobs)]
            # each run starts from an empty folder, as a first issue does
            jobs.append((cmd, lambda out=out: shutil.rmtree(out, ignore_errors=True), opts.root))
        measured = rounds(jobs, opts.runs)
        print(f"auditor report on the sample ({opts.root}), median of {opts.runs} run(s)")
        print(f"{'set':<34} {'files':>6} {'median s':>9} {'peak MB':>8}")
        for name, (t, peak, proc) in zip(opts.sets, measured):
            if proc.returncode:
                print(f"{SETS[name][0]:<34} exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
                continue
            files = sum(1 for p in (work / name).rglob("*") if p.is_file())
            print(f"{SETS[name][0]:<34} {files:>6} {t:>9.2f} {peak:>8.0f}")
            if opts.keep:
                shutil.rmtree(opts.keep / name, ignore_errors=True)
                shutil.copytree(work / name, opts.keep / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
