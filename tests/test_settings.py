"""Settings: auditor.yaml or [tool.auditor] at the evidence repository's root, AUDITOR_* variables, and
`auditor config`; command line > environment > file > defaults, for every command, one rule."""
from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

from auditor.cli import main
from auditor.cli.options import Setting
from auditor.cli.settings import KEYS, env_name
from conftest import POLICY, ROOT, SAMPLE, invoke


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An evidence repository laid out as a town's (policies/, evidence/FY2025/), settings read from it."""
    monkeypatch.delenv("AUDITOR_CONFIG")  # conftest reads none (os.devnull): these tests read theirs
    (tmp_path / "policies").mkdir()
    shutil.copy(POLICY, tmp_path / "policies" / "town.yaml")
    shutil.copytree(SAMPLE, tmp_path / "evidence" / "FY2025")
    return tmp_path


def _english(path) -> bool:
    doc = json.loads(path.read_text(encoding="utf-8"))
    finding = next(f for r in doc["results"] for f in r["findings"])
    return finding["message"] == finding["messages"]["en"] != finding["messages"]["ja"]


def _config(repo, *args):
    result = invoke("config", "--format", "json", *args, cwd=repo)
    assert result.exit_code == 0, result.output
    return {r["key"]: r for r in json.loads(result.stdout)["settings"]}


def test_the_repository_root_has_no_settings_of_its_own():
    """The suite runs from here: a committed auditor.yaml or [tool.auditor] would change every test."""
    assert not (ROOT / "auditor.yaml").exists()
    assert "[tool.auditor" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert os.environ["AUDITOR_CONFIG"] == os.devnull  # and a stray one is not read (conftest)


def test_a_config_file_sets_the_options_of_check(repo):
    (repo / "auditor.yaml").write_text("# the town's settings\nformat: [sarif, junit, json]\noutput_dir: ci-out\n"
                                       "fail_on: none\nlang: en\n", encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 0 and result.stdout == ""
    assert sorted(p.name for p in (repo / "ci-out").iterdir()) == ["auditor.json", "auditor.junit.xml", "auditor.sarif"]
    assert _english(repo / "ci-out" / "auditor.json")
    rows = _config(repo)
    assert rows["fail_on"]["value"] == "none" and rows["fail_on"]["source"] == "file auditor.yaml:4"
    assert rows["format"]["value"] == ["sarif", "junit", "json"] and rows["format"]["source"] == "file auditor.yaml:2"
    assert rows["policy"]["value"] == "policies/town.yaml" and rows["policy"]["source"] == "default"


def test_command_line_over_environment_over_file_over_default(repo, monkeypatch):
    (repo / "auditor.yaml").write_text("fail_on: none\nlang: en\nmax_rows: 100000\n", encoding="utf-8")
    monkeypatch.setenv("AUDITOR_FAIL_ON", "major")
    assert invoke("check", cwd=repo).exit_code == 1  # the environment's major beats the file's none
    assert invoke("check", "--fail-on", "none", cwd=repo).exit_code == 0  # the command line beats both
    rows = _config(repo, "check", "--max-rows", "7")
    assert (rows["fail_on"]["value"], rows["fail_on"]["source"]) == ("major", "environment AUDITOR_FAIL_ON")
    assert (rows["lang"]["value"], rows["lang"]["source"]) == ("en", "file auditor.yaml:2")
    assert (rows["max_rows"]["value"], rows["max_rows"]["source"]) == (7, "command line")
    assert (rows["max_cell_size"]["source"], rows["quiet"]["value"]) == ("default", False)
    text = invoke("config", cwd=repo).stdout
    assert "config file: auditor.yaml" in text and "environment AUDITOR_FAIL_ON" in text
    assert "command line > environment > file > default" in text


def test_every_setting_has_its_variable_and_an_option_of_check_report_or_validate():
    options = {p.setting for name in ("check", "report", "validate") for p in main.commands[name].params
               if isinstance(p, Setting)}
    assert options == set(KEYS)
    assert env_name("max_file_size") == "AUDITOR_MAX_FILE_SIZE"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Settings"):]
    for key in KEYS:  # one table in the README names each key and its variable
        assert f"`{key}`" in table and f"`{env_name(key)}`" in table, key


def test_pyproject_tool_auditor(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "town"\n\n[tool.auditor]\nfail_on = "none"\n'
                                         'format = "sarif,json"\noutput_dir = "out"\n', encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 0 and (repo / "out" / "auditor.sarif").is_file()
    assert _config(repo)["fail_on"]["source"] == "file pyproject.toml:5"
    (repo / "pyproject.toml").write_text('[tool.auditor]\nfail-on = "none"\n', encoding="utf-8")
    bad = invoke("check", cwd=repo)
    assert bad.exit_code == 2 and "pyproject.toml:2" in bad.stderr and "did you mean fail_on" in bad.stderr


def test_a_pyproject_without_the_table_is_not_read(repo):
    (repo / "pyproject.toml").write_text("[tool.other]\nbroken = [\n", encoding="utf-8")  # another tool's problem
    assert invoke("check", "--format", "json", cwd=repo).exit_code == 1
    assert _config(repo)["fail_on"]["source"] == "default"


def test_both_files_are_refused(repo):
    (repo / "auditor.yaml").write_text("lang: en\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text("[tool.auditor]\nlang = \"ja\"\n", encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 2 and "both auditor.yaml and [tool.auditor]" in result.stderr


@pytest.mark.parametrize("text, where, words", [
    ("fail_on: sometimes\n", "auditor.yaml:1", "fail_on"),
    ("lang: en\nfail-on: none\n", "auditor.yaml:2", "did you mean fail_on"),
    ("max_file_size: lots\n", "auditor.yaml:1", "max_file_size"),
    ("max_rows: 0\n", "auditor.yaml:1", "max_rows"),
    ("format: [sarif, xml]\n", "auditor.yaml:1", "'xml' is not a format"),
    ("controls: 3\n", "auditor.yaml:1", "controls"),
    ("- policy\n", "auditor.yaml:1", "mapping"),
    ("policy: [a\n", "auditor.yaml", ""),
])
def test_a_bad_setting_names_its_file_and_line(repo, text, where, words):
    (repo / "auditor.yaml").write_text(text, encoding="utf-8")
    for args in (["check"], ["validate"], ["config"]):
        result = invoke(*args, cwd=repo)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(f"error: {where}") and words in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize("name, value, words", [
    ("AUDITOR_FAIL_ON", "sometimes", "fail_on"), ("AUDITOR_QUIET", "maybe", "yes or no"),
    ("AUDITOR_MAX_ROWS", "many", "max_rows"), ("AUDITOR_FORMAT", "sarif,pdf", "'pdf' is not a format"),
])
def test_a_bad_variable_is_named(repo, monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    result = invoke("check", cwd=repo)
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {name}:") and words in result.stderr


def test_every_option_from_its_variable(repo, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    town = elsewhere / "controls"
    town.mkdir()
    monkeypatch.setenv("AUDITOR_POLICY", str(repo / "policies" / "town.yaml"))
    monkeypatch.setenv("AUDITOR_EVIDENCE", str(repo / "evidence" / "FY2025"))
    monkeypatch.setenv("AUDITOR_CONTROLS", os.pathsep.join([str(town), ""]))
    monkeypatch.setenv("AUDITOR_FORMAT", "json,sarif")
    monkeypatch.setenv("AUDITOR_OUTPUT_DIR", str(elsewhere / "out"))
    monkeypatch.setenv("AUDITOR_LANG", "en")
    monkeypatch.setenv("AUDITOR_QUIET", "yes")
    monkeypatch.setenv("AUDITOR_MAX_FILE_SIZE", "512M")
    result = invoke("check", cwd=elsewhere)  # no policies/ or evidence/ here: all from the environment
    assert result.exit_code == 1 and result.stdout == "" and result.stderr == ""  # quiet: not even "wrote"
    assert _english(elsewhere / "out" / "auditor.json")
    rows = _config(elsewhere)
    assert rows["controls"]["value"] == [str(town)] and rows["max_file_size"]["value"] == 512 * 2**20
    assert {rows[k]["source"] for k in ("policy", "evidence", "format", "quiet")} == {
        f"environment AUDITOR_{k.upper()}" for k in ("policy", "evidence", "format", "quiet")}


def test_paths_in_a_named_config_file_are_relative_to_its_folder(repo, tmp_path_factory):
    settings = repo / "ci" / "auditor.yaml"
    settings.parent.mkdir()
    settings.write_text("policy: ../policies/town.yaml\nevidence: ../evidence/FY2025\nformat: json\n"
                        "output_dir: ../out\n", encoding="utf-8")
    other = tmp_path_factory.mktemp("cwd")
    result = invoke("--config", settings, "check", "--fail-on", "none", cwd=other)
    assert result.exit_code == 0, result.output
    assert (repo / "out" / "auditor.json").is_file()
    missing = invoke("--config", repo / "nope.yaml", "check", cwd=repo)
    assert missing.exit_code == 2 and "config file not found" in missing.stderr
    none = invoke("--config", os.devnull, "check", "--format", "json", cwd=repo)  # reads none
    assert none.exit_code == 1 and none.stdout.startswith("{")


def test_the_history_database_from_a_setting_need_not_exist_yet(repo, monkeypatch):
    monkeypatch.delenv("AUDITOR_DB")  # conftest's would come first (environment > file)
    (repo / "auditor.yaml").write_text("db: state/history.sqlite\n", encoding="utf-8")
    assert invoke("check", "--format", "json", cwd=repo).exit_code == 1  # no register yet, as with AUDITOR_DB
    typed = invoke("check", "--db", "state/history.sqlite", cwd=repo)
    assert typed.exit_code == 2 and "no audit history database" in typed.stderr  # typed: it must exist
    assert invoke("check", "--record", cwd=repo).exit_code == 1
    assert (repo / "state" / "history.sqlite").is_file()
    assert invoke("history", "list", cwd=repo).exit_code == 0  # the other commands read it too


def test_settings_reach_only_the_options_that_take_them(repo):
    """coverage --framework (a view) and verify --format are other options: the settings leave them alone."""
    (repo / "auditor.yaml").write_text("format: sarif\nframeworks: [missing-map.yaml]\nlang: en\n", encoding="utf-8")
    coverage = invoke("config", "--format", "json", "coverage", cwd=repo)
    keys = {r["key"] for r in json.loads(coverage.stdout)["settings"]}
    assert "frameworks" not in keys and "format" not in keys and "policy" in keys
    report = invoke("config", "--format", "json", "report", cwd=repo)
    rows = {r["key"]: r for r in json.loads(report.stdout)["settings"]}
    assert rows["lang"]["value"] == "en" and "format" not in rows
    assert invoke("config", "controls", cwd=repo).exit_code == 2  # a group: name its command


def test_validate_and_report_take_the_shared_settings(repo):
    (repo / "auditor.yaml").write_text("quiet: true\nlang: en\n", encoding="utf-8")
    validate = invoke("validate", cwd=repo)
    assert validate.exit_code == 0 and validate.stderr == "" and validate.stdout.startswith("OK:")
    report = invoke("report", "--out", repo / "reports", "--format", "json", "--date", "2026-04-15", cwd=repo)
    assert report.exit_code == 0 and report.stderr == ""  # quiet: no "wrote" line
    assert (repo / "reports" / "report.json").is_file()
    assert not list((repo / "reports").glob("report.ja.*"))  # lang: en


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="tomllib is in the standard library from Python 3.11")
def test_tomli_reads_pyproject_on_python_3_10(repo):  # pragma: no cover - Python 3.10 only
    import tomli  # noqa: F401 (setup.cfg: tomli; python_version < "3.11")

    (repo / "pyproject.toml").write_text("[tool.auditor]\nfail_on = \"none\"\n", encoding="utf-8")
    assert invoke("check", cwd=repo).exit_code == 0


@pytest.mark.parametrize("table, line, ja", [
    ('format = sarif\n', 2, "10 文字目: 値として読めません（文字列は引用符で囲みます。例: format = \"sarif\"）"),
    ('format "sarif"\n', 2, "キーの後に「=」がありません"),
    ('lang = "ja"\nlang = "en"\n', 3, "同じキーが二度書かれています"),
    ('evidence = "evidence\\FY2025"\n', 2, "文字列の中の「\\」は「\\\\」と書くか"),
])
def test_a_broken_tool_auditor_table_is_explained_in_both_languages(repo, monkeypatch, table, line, ja):
    """tomllib's (or tomli's) English is said in our words in a Japanese line, at the line it names."""
    from auditor.cli import i18n

    (repo / "pyproject.toml").write_text("[tool.auditor]\n" + table, encoding="utf-8")
    en = invoke("check", cwd=repo)
    assert en.exit_code == 2 and f"pyproject.toml:{line}: not valid TOML: " in en.stderr, en.stderr
    monkeypatch.setattr(i18n, "current", lambda: "ja")
    said = invoke("check", cwd=repo)
    assert said.exit_code == 2 and f"pyproject.toml:{line}: 正しい TOML ではありません（" in said.stderr, said.stderr
    assert ja in said.stderr and "(at line" not in said.stderr and "Expected" not in said.stderr, said.stderr
