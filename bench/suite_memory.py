#!/usr/bin/env python3
"""Peak memory of the test suite: the proportional set size (PSS) of pytest and every process it
starts, summed and sampled every 0.2 s. Prints the figure; asserts nothing.

    python3 bench/suite_memory.py                 # the whole suite, as CI runs it
    python3 bench/suite_memory.py -m "not slow"   # pytest options pass through
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import _pss_kb, _tree  # noqa: E402  (the same process-tree sampling as the benchmarks)

PYTHON = HERE.parent / ".venv" / "bin" / "python"


def main(args) -> int:
    cmd = [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    proc = subprocess.Popen(cmd, cwd=HERE.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, started = 0, time.monotonic()
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, sum(_pss_kb(p) for p in _tree(proc.pid)))
        time.sleep(0.2)
    reader.join()
    summary = next((line.strip() for line in reversed(lines) if " passed" in line or " failed" in line), "")
    print(f"test suite: peak PSS {peak / 1024:.0f} MiB (pytest and its children), "
          f"{time.monotonic() - started:.0f} s; {summary}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
