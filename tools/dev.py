#!/usr/bin/env python3
"""Set-up and the two Quick start commands, with nothing but Python 3 and pip.

    python3 tools/dev.py audit            # the shipped sample's FY2024 -> FY2025 cycle: reports in reports/,
                                          # its register where plain commands read it (policies/.auditor/)
    python3 tools/dev.py test             # run the whole test suite (pytest options pass through)
    python3 tools/dev.py test -m "not slow"   # the fast part only: no browser, PDF, adversarial or fuzz tests
    python3 tools/dev.py test --newest    # the suite against the newest versions pip chooses (.venv-newest/)
    python3 tools/dev.py matrix           # the suite on every Python the package declares that is installed
    python3 tools/dev.py matrix --others  # the same, less the Python running this script (CI runs `test` first)

`audit` and `test` create .venv/ on first use and install the project into it with the versions of
constraints.txt (again when setup.cfg or constraints.txt change). `--newest` is the scheduled-style
check: it installs without the constraints, so a new release that breaks us shows up before the pins
are moved. `matrix` makes one .venv-pyX.Y/ per declared Python it finds (pyenv, or pythonX.Y on PATH).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
EXTRAS = ".[test,pdf]"
CONSTRAINTS = ROOT / "constraints.txt"
# The Python versions setup.cfg declares (python_requires and the classifiers); test_packaging checks they agree.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def _bin(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def ensure_venv(venv: Path = VENV, python: str = sys.executable, pinned: bool = True) -> Path:
    """The venv's bin folder, with the project installed (pinned: with constraints.txt)."""
    bindir = _bin(venv)
    if not (bindir / "python").exists():
        print(f"creating {venv.name}/ ...", flush=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    stamp = venv / ".installed"
    inputs = (ROOT / "setup.cfg").read_bytes() + EXTRAS.encode()
    if pinned:
        inputs += CONSTRAINTS.read_bytes()
    want = hashlib.sha256(inputs).hexdigest()
    if pinned and stamp.exists() and stamp.read_text() == want:
        return bindir
    print(f"installing {EXTRAS} into {venv.name}/{'' if pinned else ' (newest versions)'} ...", flush=True)
    pip = [str(bindir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, cwd=ROOT)
    if pinned:
        subprocess.run(pip + ["-c", str(CONSTRAINTS), "-e", EXTRAS], check=True, cwd=ROOT)
    else:
        subprocess.run(pip + ["--upgrade", "--upgrade-strategy", "eager", "-e", EXTRAS], check=True, cwd=ROOT)
        subprocess.run([str(bindir / "python"), "-m", "pip", "freeze", "--exclude-editable"], cwd=ROOT)
    stamp.write_text(want)
    return bindir


def audit() -> int:
    auditor = str(_bin(VENV) / "auditor")
    code = cycle(auditor)
    if code:
        return code
    print("\n$ auditor check", flush=True)  # against the register the cycle just kept, as a plain check reads it
    code = subprocess.run([auditor, "check", "--db", DB], cwd=ROOT).returncode
    if code not in (0, 1):
        return code
    print(f"\n`auditor check` exit code: {code} ({'gaps found: CI would fail' if code else 'no major gaps'})")
    return 0


# The sample's one register: the default database beside its policy, which every plain `auditor`
# command reads (test_cycle checks they agree). Passed as --db all the same, so that $AUDITOR_DB
# cannot send the cycle elsewhere.
DB = "policies/.auditor/history.sqlite"
# The PDCA cycle of the sample city (README, "The cycle across fiscal years"): FY2024 audit recorded,
# progress sheets returned and imported, actions verified and extended, FY2025 audited against it.
# A fresh register and fixed dates every time, so that two runs write the same reports.
CYCLE = [
    ["report", "--evidence", "evidence/FY2024", "--date", "2025-04-15", "--record", "--out", "reports/FY2024"],
    ["actions", "export", "--department", "道路課", "--out", "reports/progress/0510_道路課.xlsx", "--date", "2025-04-15"],
    ["actions", "import", "evidence/FY2024/progress/0510_道路課.csv", "--department", "道路課", "--by", "道路課長",
     "--date", "2025-12-01"],
    ["actions", "import", "evidence/FY2024/progress/0220_情報政策課.xlsx", "--department", "情報政策課",
     "--by", "情報政策課長", "--date", "2025-12-01"],
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


def pytest(bindir: Path, args) -> int:
    code = subprocess.run([str(bindir / "python"), "-m", "pytest", *args], cwd=ROOT).returncode
    return code


def find_python(version: str) -> str | None:
    """An interpreter of this version: pyenv's newest build of it, or pythonX.Y on PATH."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    builds = sorted((d for d in pyenv.glob(f"{version}.*") if d.name.split(".")[:2] == version.split(".")),
                    key=lambda d: [int(n) for n in d.name.split(".") if n.isdigit()]) if pyenv.is_dir() else []
    for d in reversed(builds):
        if (d / "bin" / "python3").exists():
            return str(d / "bin" / "python3")
    return shutil.which(f"python{version}")


def matrix(args) -> int:
    """The suite on each declared Python that is installed; a missing one is named, not hidden."""
    failed, missing = [], []
    others = "--others" in args  # CI: the suite already ran on this interpreter
    args = [a for a in args if a != "--others"]
    current = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for version in PYTHONS:
        if others and version == current:
            continue
        python = find_python(version)
        if python is None:
            missing.append(version)
            continue
        print(f"\n=== Python {version} ({python})", flush=True)
        bindir = ensure_venv(ROOT / f".venv-py{version}", python)
        if pytest(bindir, args) != 0:
            failed.append(version)
    ran = [v for v in PYTHONS if v not in failed + missing and not (others and v == current)]
    print(f"\nmatrix: passed on {', '.join(ran) or 'none'}"
          + (f"; FAILED on {', '.join(failed)}" if failed else "")
          + (f"; not installed here: {', '.join(missing)}" if missing else ""))
    return 1 if failed else 0


def main(argv) -> int:
    if not argv or argv[0] not in ("audit", "test", "matrix"):
        print(__doc__)
        return 2
    if argv[0] == "matrix":
        return matrix(argv[1:])
    if argv[0] == "test" and "--newest" in argv:
        bindir = ensure_venv(ROOT / ".venv-newest", pinned=False)
        return pytest(bindir, [a for a in argv[1:] if a != "--newest"])
    bindir = ensure_venv()
    return audit() if argv[0] == "audit" else pytest(bindir, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
