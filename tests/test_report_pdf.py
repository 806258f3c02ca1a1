"""PDF reporter: WeasyPrint typesets the HTML; poppler turns pages into images and text."""
from __future__ import annotations

import builtins
import datetime as dt
import shutil
import subprocess

import pytest

from auditor.reporters import report
from auditor.reporters import pdf
from conftest import POLICY, SAMPLE, invoke
from test_report_support import ARTIFACTS, DATE, has_weasyprint, require, sample_run, tool  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)


@pytest.fixture
def weasy():
    require(has_weasyprint(), "weasyprint (pip install '.[pdf]')")


def test_pdf_pages_render_with_japanese_text(sample_run, weasy, tmp_path):
    data = pdf.pdf(report.build(sample_run, ISSUED, None), "ja")
    assert data.startswith(b"%PDF-")
    path = tmp_path / "report.ja.pdf"
    path.write_bytes(data)
    subprocess.run([tool("pdftoppm"), "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 6  # cover, plan, do, check (several), act: sections start on new pages
    assert all(p.stat().st_size > 2000 for p in pages)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pages[0], ARTIFACTS / "report-ja-pdf-page1.png")
    text = subprocess.run([tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("情報セキュリティ監査報告書", "計画（Plan）", "評価（Check）", "改善（Act）", "重大な不適合"):
        assert heading in text  # a CJK font was embedded: the text is there, not tofu
    fonts = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "IPAex" in fonts


def test_pdf_bytes_are_reproducible(sample_run, weasy, monkeypatch):
    """The same document gives the same bytes at any time of day (fonts are stamped when embedded)."""
    import time
    dept = {"code": "0620", "name": "農林課"}
    doc = report.build(sample_run, ISSUED, dept)
    first = pdf.pdf(doc, "en")
    later = time.time() + 86_400 * 3
    monkeypatch.setattr(time, "time", lambda: later)
    assert pdf.pdf(doc, "en") == first


def test_cli_pdf_for_one_department(weasy, tmp_path):
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path, "--date", DATE,
                    "--format", "pdf", "--department", "農林課")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.ja.pdf").is_file()
    assert (tmp_path / "departments" / "0620_農林課" / "report.ja.pdf").is_file()


def test_missing_weasyprint_is_an_input_error(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path, "--format", "html,pdf")
    assert result.exit_code == 2
    assert "WeasyPrint" in result.stderr and "municipal-auditor[pdf]" in result.stderr
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())  # checked before any work
