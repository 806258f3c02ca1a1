"""`auditor report` end to end on the shipped sample: every audience, every format, options and errors."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from auditor.reporters import report
from auditor.scoring import departments
from conftest import POLICY, ROOT, SAMPLE, invoke
from test_report_support import DATE, pdf_expected, sample_reports, sample_run  # noqa: F401


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")


def test_organisation_and_every_department_in_every_format(sample_run, sample_reports):
    expected = {"report.ja.html", "report.en.html", "report.ja.md", "report.en.md", "report.json",
                "findings.ja.csv", "findings.en.csv", "actions.ja.csv", "actions.en.csv"}
    if pdf_expected():
        expected |= {"report.ja.pdf"}
    folders = [sample_reports] + [sample_reports / "departments" / report.folder_name(d) for d in departments(sample_run)]
    assert len(folders) == 17
    assert sorted(p.name for p in (sample_reports / "departments").iterdir()) == [f.name for f in folders[1:]]
    for folder in folders:
        assert {p.name for p in folder.iterdir() if p.is_file()} - {"index.html"} == expected, folder


def test_index_links_every_report_written(tmp_path):
    from urllib.parse import unquote
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path, "--date", DATE,
                    "--format", "html,json,csv", "--lang", "both", "--department", "農林課")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "index.html").read_text("utf-8")
    links = [unquote(h) for h in re.findall(r'<a href="([^"]+)">', page)]
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()} - {"index.html"}
    assert set(links) == written and len(written) == 2 * 7
    assert "<script" not in page and 'lang="ja"' in page and "農林課" in page


def test_subprocess_from_the_repository_root(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "auditor", "report", "--out", str(out), "--date", DATE,
                           "--format", "html,json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "34 個のファイル（報告書 17 件）を書き出しました" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "report.ja.html").is_file() and (out / "departments" / "0220_情報政策課" / "report.json").is_file()
    assert proc.stdout == ""  # reports go to files; stdout stays clean


def test_defaults_report_on_the_sample_into_reports(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "evidence" / "FY2025")
    (tmp_path / "policies").mkdir()
    shutil.copy(POLICY, tmp_path / "policies" / POLICY.name)
    result = invoke("report", "--date", DATE, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "reports").iterdir()}
    assert names == {"report.ja.html", "report.ja.md", "report.json", "departments", "index.html"}  # ja; HTML+MD+JSON
    assert len(list((tmp_path / "reports" / "departments").iterdir())) == 16


def test_department_option_by_name_or_code(tmp_path):
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path, "--date", DATE,
                    "--department", "税務課", "--department", "０６２０", "--format", "md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "departments").iterdir()) == ["0320_税務課", "0620_農林課"]
    assert (tmp_path / "report.ja.md").is_file()  # the organisation's report is always written


def test_bad_options_exit_2_with_a_message(tmp_path):
    cases = [(["--department", "存在しない課"], "no department 存在しない課"),
             (["--format", "html,odt"], "unknown format odt"),
             (["--date", "2026/13/45"], "Invalid value for '--date'")]
    for extra, message in cases:
        result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path / "x", *extra)
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.output and "Traceback" not in result.output
    result = invoke("report", "--policy", tmp_path / "none.yaml", "--evidence", SAMPLE, "--out", tmp_path / "x")
    assert result.exit_code == 2 and "none.yaml" in result.stderr


def test_unwritable_out_is_an_input_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", blocker / "sub", "--format", "json")
    assert result.exit_code == 2 and "cannot write the report" in result.stderr


def test_folder_names_are_safe():
    assert report.folder_name({"code": "0220", "name": "情報政策課"}) == "0220_情報政策課"
    assert report.folder_name({"code": "09", "name": 'a/b\\c:d*e?"f<g>h| i'}) == "09_a_b_c_d_e_f_g_h_i"
    assert report.folder_name({"code": "..", "name": ".."}) == "unit"


def test_help_lists_the_options():
    result = invoke("report", "--help")
    for option in ("--policy", "--evidence", "--out", "--lang", "--format", "--department", "--date", "--csv-encoding"):
        assert option in result.output


def test_date_of_issue_in_wareki_gives_the_same_report(tmp_path):
    """--date reads the forms evidence accepts: 令和8年4月15日 and R8.4.15 are 2026-04-15."""
    written = {}
    for given in ("2026-04-15", "令和8年4月15日", "R8.4.15"):
        out = tmp_path / given.replace("/", "-")
        result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", out, "--date", given, "--format", "json")
        assert result.exit_code == 0, result.output
        written[given] = (out / "report.json").read_bytes()
    assert len(set(written.values())) == 1


def test_an_impossible_date_names_the_option(tmp_path):
    for args in (["report", "--out", tmp_path, "--date", "令和8年13月1日"], ["exceptions", "list", "--date", "someday"],
                 ["actions", "list", "--date", ""]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert "--date" in result.stderr and "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_folder_names_carry_no_control_or_bidi_override():
    """A unit name with U+202E would make `ls` show a folder name that reads differently."""
    assert report.folder_name({"code": "0200", "name": "市民\u202e課fdp.exe"}) == "0200_市民_課fdp.exe"
    assert report.folder_name({"code": "0300", "name": "税\u0085務\u2066課\u2069"}) == "0300_税_務_課"
