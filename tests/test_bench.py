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
    assert "5/150/3    yes" in rows["auditor check (first run: nothing remembered)"]
    assert "5/150/3    yes" in rows["auditor check (parse cache only)"]
    assert "5/150/3    yes" in rows["auditor check (warm: unchanged)"]
    assert "5/150/3    yes" in rows["auditor check (partial: one roster line)"]  # after one line changed
    assert "5/150/3    yes" in rows["auditor check (partial: one audits line)"]
    assert "yes" in rows["auditor check, full catalogue (partial: one staff line)"]
    assert "findings" in rows["auditor check, full catalogue (cold)"]


def test_benchmark_stops_when_the_peers_asked_for_are_not_found(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--runs", "1", "--peers", sys.executable,
                           "--peers-dir", str(tmp_path), "--work", str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "python_ref.py" in proc.stderr and "--peers-dir" in proc.stderr
    assert "auditor check" not in proc.stdout  # nothing measured: no table without its peers


def test_benchmark_stops_when_its_python_lacks_a_package_auditor_declares(monkeypatch, capsys):
    import importlib.metadata as md
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    real = md.version

    def version(name):
        if name == "google-re2":
            raise md.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(md, "version", version)
    try:
        bench.auditor_ready()
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("the bench went on without google-re2")
    err = capsys.readouterr().err
    assert "google-re2" in err and "bench/run.py" in err
    monkeypatch.setattr(md, "version", real)
    bench.auditor_ready()  # the test's own Python has them all: no stop
