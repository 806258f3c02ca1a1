#!/usr/bin/env python3
"""`auditor rollup` at prefecture scale: 1,741 synthetic check results (one per municipality) made from
the shipped sample's `auditor check --format json` with varied statuses, then one timed roll-up.
Prints the seconds and the peak memory (the rollup process's own maximum RSS, from os.wait4);
asserts nothing.

    python3 bench/rollup.py                  # 1,741 results in a temporary folder
    python3 bench/rollup.py --results 200 --anonymise
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin" / "auditor"
STATUSES = ("pass", "pass", "fail", "waived", "no_evidence", "not_applicable")


def _auditor() -> list[str]:
    return [str(VENV)] if VENV.exists() else [sys.executable, "-m", "auditor"]


def sample_result() -> dict:
    proc = subprocess.run([*_auditor(), "check", "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"auditor check failed: {proc.stderr}")
    return json.loads(proc.stdout)


def generate(folder: Path, n: int, seed: int = 1741) -> int:
    """n results, each the sample renamed with its controls' statuses, items' answers and required items varied."""
    base = sample_result()
    rng = random.Random(seed)
    size, d = 0, copy.deepcopy(base)  # one copy, reused: every field varied is set again for each town
    for i in range(n):
        d["organisation"] = {"ja": f"合成{i:04d}町", "en": f"Synthetic Town {i:04d}"}
        for r, orig in zip(d["results"], base["results"]):
            r["status"] = rng.choice(STATUSES) if r["kind"] == "control" else orig["status"]
            r["findings"] = orig["findings"] if r["status"] == "fail" else []
        cov, orig = d["coverage"], base["coverage"]
        for g, o in zip([cov["total"], *cov["by_chapter"], *cov["by_measure"]],
                        [orig["total"], *orig["by_chapter"], *orig["by_measure"]]):
            g["compliant"] = rng.randint(0, o["applicable"])
            g["assessed"] = rng.randint(g["compliant"], o["applicable"])
            g["rate"] = round(g["compliant"] / o["applicable"], 4) if o["applicable"] else None
        unmet = orig["total"]["required_not_met"]
        cov["total"]["required_not_met"] = unmet[:rng.randint(0, len(unmet))]
        text = json.dumps(d, ensure_ascii=False)
        size += len(text.encode("utf-8"))
        (folder / f"town-{i:04d}.json").write_text(text, encoding="utf-8")
    return size


def timed(args: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one process, measured for that process alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"auditor rollup exited {proc.returncode}: {err}")
    return seconds, usage.ru_maxrss, proc.returncode  # ru_maxrss: KiB on Linux


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=int, default=1741, help="how many towns (default: Japan's 1,741 municipalities)")
    ap.add_argument("--anonymise", action="store_true")
    opts = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="auditor-rollup-bench-") as tmp:
        folder, out = Path(tmp) / "results", Path(tmp) / "out"
        folder.mkdir()
        t0 = time.perf_counter()
        size = generate(folder, opts.results)
        print(f"generated {opts.results} results ({size / 2**20:.0f} MiB of JSON) in {time.perf_counter() - t0:.1f} s")
        cmd = [*_auditor(), "rollup", str(folder), "--out", str(out)] + (["--anonymise"] if opts.anonymise else [])
        seconds, peak, _ = timed(cmd)
        doc = json.loads((out / "rollup.json").read_text(encoding="utf-8"))
        sizes = ", ".join(f"{f} {(out / f).stat().st_size / 2**10:.0f} KiB" for f in ("rollup.json", "rollup.csv", "rollup.html"))
        print(f"auditor rollup: {doc['results']} results in {seconds:.2f} s, peak memory {peak / 1024:.0f} MiB (max RSS); {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
