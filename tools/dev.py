#!/usr/bin/env python3
"""Set-up and the two Quick start commands, with nothing but Python 3 and pip.

    python3 tools/dev.py audit   # audit the shipped sample (FY2024 -> FY2025 cycle), reports in reports/
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
    return cycle(auditor)


DB = "reports/history.sqlite"
# The PDCA cycle of the sample city (README, "The cycle across fiscal years"): FY2024 audit recorded,
# progress sheets returned and imported, actions verified and extended, FY2025 audited against it.
# A fresh database and fixed dates every time, so that two runs write the same reports.
CYCLE = [
    ["report", "--evidence", "evidence/FY2024", "--date", "2025-04-15", "--record", "--out", "reports/FY2024"],
    ["actions", "export", "--department", "道路課", "--out", "reports/progress/0510_道路課.xlsx", "--date", "2025-04-15"],
    ["actions", "import", "evidence/FY2024/progress/0510_道路課.csv", "--by", "道路課長", "--date", "2025-12-01"],
    ["actions", "import", "evidence/FY2024/progress/0220_情報政策課.xlsx", "--by", "情報政策課長", "--date", "2025-12-01"],
    ["actions", "verify", "ACT-2024-TR-01:S00171", "--by", "情報政策課 セキュリティ担当", "--on", "2025-12-10",
     "--note", "LMSの受講記録を確認"],
    ["actions", "verify", "ACT-2024-NS-02:FW-0209", "--by", "情報政策課 セキュリティ担当", "--on", "2025-12-10",
     "--note", "FWの設定を確認"],
    ["actions", "extend", "ACT-2024-NS-04.placement:PC-0017", "--to", "2026-06-30", "--by", "CISO（副市長）",
     "--reason", "端末更新（令和8年6月）に合わせて移設"],
    ["report", "--date", "2026-04-15", "--record", "--out", "reports"],
    ["compare", "2024", "2025"],
]


def cycle(auditor: str) -> int:
    for suffix in ("", "-wal", "-shm"):
        (ROOT / (DB + suffix)).unlink(missing_ok=True)
    for step in CYCLE:
        print(f"\n$ auditor {' '.join(step)}", flush=True)
        code = subprocess.run([auditor, *step, "--db", DB], cwd=ROOT).returncode
        if code not in (0, 1):
            return code
    return 0


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
