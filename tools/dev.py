#!/usr/bin/env python3
"""Set-up and the two Quick start commands, with nothing but Python 3 and pip.

    python3 tools/dev.py audit   # audit the shipped sample and write the reports to reports/
    python3 tools/dev.py test    # run the whole test suite

Both create .venv/ on first use and install the project into it (again when setup.cfg changes).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
EXTRAS = ".[test,pdf]"


def ensure_venv() -> None:
    if not (BIN / "python").exists():
        print("creating .venv/ ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / ".installed"
    want = hashlib.sha256((ROOT / "setup.cfg").read_bytes() + EXTRAS.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    print(f"installing {EXTRAS} into .venv/ ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run(pip + ["-e", EXTRAS], check=True, cwd=ROOT)
    stamp.write_text(want)


def audit() -> int:
    auditor = str(BIN / "auditor")
    code = subprocess.run([auditor, "check"], cwd=ROOT).returncode
    if code == 2:
        return code
    print(f"\n`auditor check` exit code: {code} ({'gaps found: CI would fail' if code else 'no major gaps'})")
    return subprocess.run([auditor, "report", "--out", "reports"], cwd=ROOT).returncode


def test(args) -> int:
    return subprocess.run([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT).returncode


def main(argv) -> int:
    if not argv or argv[0] not in ("audit", "test"):
        print(__doc__)
        return 2
    ensure_venv()
    return audit() if argv[0] == "audit" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
