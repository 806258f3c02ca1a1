"""Smoke run of the benchmark at x1: it works from a clean checkout and every violation matches.

Speed is measured by bench/run.py and reported in docs/performance.md, never asserted here.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_at_x1_and_finds_the_expected_violations(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--runs", "1", "--scale", "1",
                           "--city", "1", "--work", str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all engines found the expected violations" in proc.stdout
    rows = {line.split("  ")[0]: line for line in proc.stdout.splitlines()}
    assert "5/150/3    yes" in rows["auditor check (cold)"]
    assert "5/150/3    yes" in rows["auditor check (parse cache only)"]
    assert "5/150/3    yes" in rows["auditor check (warm: unchanged)"]
    assert "findings" in rows["auditor check, full catalogue (cold)"]
