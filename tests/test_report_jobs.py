"""The report set typeset by a pool of workers (--jobs): the same files as in one process, errors
from a worker as clear as from the caller, and never more workers than cores. Speed and memory are
measured in bench/reports.py, not here."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.reporters import parallel, pdf
from conftest import invoke
from test_report_support import DATE, has_weasyprint, require


def _files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_workers_write_the_same_files_as_one_process(tmp_path):
    require(has_weasyprint(), "weasyprint (pip install '.[pdf]')")
    common = ["report", "--lang", "ja", "--format", "pdf,json,md", "--department", "0130", "--date", DATE]
    one = invoke(*common, "--out", tmp_path / "one", "--jobs", "1")
    two = invoke(*common, "--out", tmp_path / "two", "--jobs", "2")
    assert one.exit_code == 0 and two.exit_code == 0, one.stderr + two.stderr
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert "report.ja.pdf" in a and "departments/0130_財政課/report.ja.pdf" in a
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []  # byte for byte: PDFs are reproducible
    # no progress bar when stderr is not a terminal (CI logs, pipes): only the summary line
    assert "報告書を作成中" not in two.stderr and "writing reports" not in two.stderr


def test_an_input_error_in_a_worker_reaches_the_caller_whole(monkeypatch):
    def refuse(doc, lang, options=None):
        raise InputError("--format pdf", "no Japanese font", line=3, hint="install fonts-noto-cjk")

    monkeypatch.setattr(pdf, "files", refuse)  # the forked workers inherit the patch
    if parallel.start_method() != "fork":
        pytest.skip("a spawned worker would not inherit the patch")
    with pytest.raises(InputError) as caught:
        with parallel.Pool(2) as pool:
            pool.submit("auditor.reporters.pdf", {}, "ja", None).get()
    assert (caught.value.path, caught.value.message, caught.value.line, caught.value.hint) == \
        ("--format pdf", "no Japanese font", 3, "install fonts-noto-cjk")


def test_beside_another_thread_there_are_no_workers_and_the_same_files(tmp_path):
    """auditor called from a threaded program: a forked worker would hold the other thread's locks, a
    spawned one would run the host's main module again; this process renders everything itself."""
    import threading

    require(has_weasyprint(), "weasyprint (pip install '.[pdf]')")
    common = ["report", "--lang", "ja", "--format", "pdf,md", "--date", DATE]
    one = invoke(*common, "--out", tmp_path / "one", "--jobs", "1")
    assert parallel.start_method() == ("fork" if threading.active_count() == 1 else None)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert parallel.start_method() is None and parallel.Pool(2)._pool is None
        two = invoke(*common, "--out", tmp_path / "two", "--jobs", "2")
    finally:
        stop.set()
        other.join()
    assert one.exit_code == 0 and two.exit_code == 0, one.stderr + two.stderr
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert "report.ja.pdf" in a and a == b


def test_the_pool_never_has_more_workers_than_cores():
    assert parallel.jobs_for(None) == min(2, parallel.cpus())
    assert parallel.jobs_for(10_000) == parallel.cpus()
    assert parallel.jobs_for(1) == 1


def test_jobs_must_be_a_positive_number(tmp_path):
    result = invoke("report", "--format", "json", "--out", tmp_path / "r", "--jobs", "0")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr
    assert not (tmp_path / "r").exists()
