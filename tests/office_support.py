"""Helpers for the Office report tests (test_report_docx.py, test_report_xlsx.py); holds no tests."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import POLICY, SAMPLE, invoke
from test_report_support import DATE, require

_SESSION: dict = {}


def office_reports(tmp_path_factory) -> Path:
    """`auditor report --format docx,xlsx,json --lang both` on the shipped sample, once per session."""
    if "out" not in _SESSION:
        out = tmp_path_factory.mktemp("office")
        result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", out, "--date", DATE,
                        "--format", "docx,xlsx,json", "--lang", "both")
        assert result.exit_code == 0, result.output
        _SESSION["out"] = out
    return _SESSION["out"]


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    require(path is not None, "LibreOffice (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
    return path


def resave(files: list[Path], fmt: str, tmp: Path) -> dict[Path, Path]:
    """Open each file with LibreOffice headless and save it again as `fmt` (one LibreOffice start for all);
    returns original -> re-saved. Fails on a LibreOffice error or a file it did not write."""
    src, out = tmp / f"in-{fmt}", tmp / f"out-{fmt}"
    src.mkdir()
    out.mkdir()
    names = {}
    for i, path in enumerate(files):  # the same names in every department's folder: one flat, unique set
        copy = src / f"{i:03d}-{path.name}"
        shutil.copy(path, copy)
        names[path] = out / copy.name
    run = subprocess.run([soffice(), f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                          "--convert-to", fmt, "--outdir", str(out), *sorted(str(p) for p in src.iterdir())],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    errors = [line for line in (run.stdout + run.stderr).splitlines() if line.lower().startswith("error")]
    assert not errors, errors
    missing = [p.name for p in names.values() if not p.is_file() or p.stat().st_size == 0]
    assert not missing, (missing, run.stdout, run.stderr)
    return names
