"""PDF reporter: WeasyPrint typesets the HTML; poppler turns pages into images and text."""
from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_pdf_is_pdfa_3u_with_metadata_and_the_integrity_block(sample_run, weasy, tmp_path):
    """For the archive: PDF/A-3u (XMP pdfaid), tagged, every font embedded, the organisation as author, and
    the integrity block attached as integrity.json, from which `auditor verify` checks the evidence.
    (veraPDF, the reference validator, is not installable here: qpdf and poppler check what they can.)"""
    doc = report.build(sample_run, ISSUED, {"code": "0620", "name": "農林課"})
    path = tmp_path / "report.en.pdf"
    path.write_bytes(pdf.pdf(doc, "en"))

    def out(*args):
        return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout

    meta = out(tool("pdfinfo"), "-meta", str(path))
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="U"' in meta
    assert "<rdf:li>Sakuradai City</rdf:li>" in meta and "2026-04-15T09:00:00+09:00" in meta
    info = out(tool("pdfinfo"), str(path))
    assert "Author:          Sakuradai City" in info and "Tagged:          yes" in info and "(A4)" in info
    assert "Title:           Sakuradai City" in info
    fonts = out(tool("pdffonts"), str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb: every font embedded
    assert "integrity.json" in out(tool("pdfdetach"), "-list", str(path))
    attached = tmp_path / "integrity.json"
    out(tool("pdfdetach"), "-save", "1", "-o", str(attached), str(path))
    assert json.loads(attached.read_text(encoding="utf-8")) == {"integrity": doc["integrity"]}
    check = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout + check.stderr
    verified = invoke("verify", attached, "--evidence", SAMPLE)
    assert verified.exit_code == 0, verified.output


def _latin_font() -> Path | None:
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        for font in sorted(folder.rglob("*.ttf")) if folder.is_dir() else []:
            if not any(k in font.as_posix().lower() for k in ("cjk", "ipa", "noto", "droid", "wqy", "takao", "vl-")):
                return font
    return None


@pytest.mark.parametrize("fonts", ["none", "latin only"])
def test_no_japanese_font_is_refused_not_printed_as_boxes(weasy, tmp_path, fonts):
    """Pango crashes (exit 139) with no font at all and prints boxes (exit 0) with no Japanese one: both are
    refused first, with exit 2 and the package to install."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    if fonts == "latin only":
        latin = _latin_font()
        if latin is None:
            pytest.skip("no Latin-only TrueType font here")
        shutil.copy(latin, folder / latin.name)
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / "cache"}</cachedir>'
                      "</fontconfig>\n", encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(config))
    env.pop("FONTCONFIG_PATH", None)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "auditor", "report", "--policy", str(POLICY), "--evidence", str(SAMPLE),
                          "--out", str(out), "--date", DATE, "--format", "html,pdf"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert "fonts-noto-cjk" in run.stderr and "IPAex" in run.stderr and "日本語" in run.stderr
    assert "Traceback" not in run.stderr and not out.exists()  # refused before any work
