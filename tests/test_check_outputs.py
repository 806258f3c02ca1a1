"""One run, many outputs: `check --format sarif,junit,json --output-dir DIR` writes every format to its
fixed file name, together, never onto an input, with nothing on stdout and the exit code of one run."""
from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml

from auditor import reporters
from auditor.cli.checkrun import FILE_NAMES, file_name
from conftest import POLICY, SAMPLE, copy_sample, invoke


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

FORMATS = ("sarif", "junit", "json", "text", "github", "gitlab", "oscal-ar", "oscal-poam")


def test_every_check_format_has_its_own_fixed_file_name():
    assert set(reporters.CHECK_FORMATS) <= set(FILE_NAMES)
    names = [file_name(f) for f in reporters.CHECK_FORMATS]
    assert len(set(names)) == len(names) and all(n.startswith("auditor.") for n in names)
    assert (file_name("sarif"), file_name("junit"), file_name("json")) == ("auditor.sarif", "auditor.junit.xml",
                                                                             "auditor.json")


def test_one_run_writes_each_format_as_a_run_of_that_format_alone(tmp_path):
    out = tmp_path / "out"
    many = invoke("check", "--format", ",".join(FORMATS), "--output-dir", out, "--lang", "en")
    assert many.exit_code == 1 and many.stdout == ""
    assert f"wrote {len(FORMATS)} files to {out}" in many.stderr  # in Japanese: tests/test_ci_docs.py
    assert sorted(p.name for p in out.iterdir()) == sorted(file_name(f) for f in FORMATS)  # nothing else is left
    for fmt in FORMATS:
        alone = invoke("check", "--format", fmt, "--lang", "en", "-o", tmp_path / f"alone.{fmt}")
        assert alone.exit_code == many.exit_code, fmt
        assert (out / file_name(fmt)).read_bytes() == (tmp_path / f"alone.{fmt}").read_bytes(), fmt
    assert invoke("check", "--format", "json,sarif", "--output-dir", out, "--fail-on", "none").exit_code == 0


def test_one_format_without_output_dir_is_as_before_and_several_need_one(tmp_path):
    plain = invoke("check", "--format", "json")
    assert plain.exit_code == 1 and plain.stdout.startswith("{")
    again = invoke("check", "--format", "json", "--output-dir", tmp_path)
    assert again.stdout == "" and (tmp_path / "auditor.json").read_text(encoding="utf-8") == plain.stdout
    several = invoke("check", "--format", "sarif,json")
    assert several.exit_code == 2 and "--output-dir" in several.stderr and several.stdout == ""
    unknown = invoke("check", "--format", "sarif,xml", "--output-dir", tmp_path)
    assert unknown.exit_code == 2 and "'xml' is not a format" in unknown.stderr
    both = invoke("check", "--format", "json", "-o", tmp_path / "a.json", "--output-dir", tmp_path)
    assert both.exit_code == 2 and "exclude each other" in both.stderr


def test_the_same_format_twice_is_written_once(tmp_path):
    result = invoke("check", "--format", "json,json", "--output-dir", tmp_path)
    assert result.exit_code == 1 and [p.name for p in tmp_path.iterdir()] == ["auditor.json"]


def test_the_folder_is_never_inside_the_evidence_nor_onto_an_input(tmp_path):
    evidence = copy_sample(tmp_path)
    policy = shutil.copy(POLICY, tmp_path / "policy.yaml")
    before = (tmp_path / "policy.yaml").read_bytes()
    inside = invoke("check", "--policy", policy, "--evidence", evidence, "--format", "sarif,json",
                    "--output-dir", evidence / "out")
    assert inside.exit_code == 2 and "inside the evidence folder" in inside.stderr
    assert not (evidence / "out").exists()
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(tmp_path / "policy.yaml", out / "auditor.json")  # a fixed name that leads onto the policy
    onto = invoke("check", "--policy", policy, "--evidence", evidence, "--format", "sarif,json", "--output-dir", out)
    assert onto.exit_code == 2 and "would overwrite the policy" in onto.stderr
    assert (tmp_path / "policy.yaml").read_bytes() == before and not (out / "auditor.sarif").exists()
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    not_folder = invoke("check", "--policy", policy, "--evidence", evidence, "--format", "sarif,json",
                        "--output-dir", tmp_path / "a-file")
    assert not_folder.exit_code == 2 and "is a file" in not_folder.stderr


def test_a_set_that_cannot_be_written_leaves_the_earlier_one(tmp_path, monkeypatch):
    from auditor import fsio

    out = tmp_path / "out"
    assert invoke("check", "--format", "sarif,json", "--output-dir", out, "--fail-on", "none").exit_code == 0
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    real = fsio.FolderSet.write

    def full_disk(self, rel, data):
        if str(rel) == "auditor.json":
            raise OSError(28, "No space left on device")
        return real(self, rel, data)
    monkeypatch.setattr(fsio.FolderSet, "write", full_disk)
    failed = invoke("check", "--format", "sarif,json", "--output-dir", out, "--lang", "en")
    assert failed.exit_code == 2 and "No space left" in failed.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier  # the SARIF already staged was not swapped in


def test_quiet_verbose_and_the_log_file(tmp_path):
    out = tmp_path / "out"
    quiet = invoke("check", "--format", "json,sarif", "--output-dir", out, "--quiet")
    assert quiet.exit_code == 1 and quiet.stderr == "" and (out / "auditor.sarif").is_file()
    bad = invoke("check", "--format", "json,sarif", "--quiet")
    assert bad.exit_code == 2 and bad.stderr.startswith("error:")  # errors still show
    verbose = invoke("check", "--format", "json", "--output-dir", out, "--verbose", "--result-cache", "off")
    lines = verbose.stderr.splitlines()
    assert any(re.search(r"read fw_rules\.csv: flow_rules, \d+ records, cp932", l) for l in lines)
    listed = len(yaml.safe_load((SAMPLE / "manifest.yaml").read_text("utf-8"))["files"])
    assert any(l.startswith("auditor: evidence ") and f"{listed} files" in l for l in lines)
    assert any("result cache: not used" in l for l in lines)
    invoke("check", "--format", "json", "--output-dir", out, "-v")
    again = invoke("check", "--format", "json", "--output-dir", out, "-v")  # the same inputs: served
    assert "result cache: served" in again.stderr and "read fw_rules.csv" not in again.stderr
    assert invoke("check", "-q", "-v").exit_code == 2


def test_the_log_file_is_appended_and_masked(tmp_path):
    evidence = tmp_path / "123456789018"  # a folder named by a valid My Number
    shutil.copytree(SAMPLE, evidence)
    log = tmp_path / "auditor.log"
    log.write_text("earlier line\n", encoding="utf-8")
    for _ in range(2):
        result = invoke("check", "--policy", POLICY, "--evidence", evidence, "--format", "json", "-o",
                        tmp_path / "r.json", "--log-file", log, "--result-cache", "off")
        assert result.exit_code == 1 and result.stderr == ""  # the log file only: nothing on stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier line\n") and text.count("read fw_rules.csv") == 2
    assert "123456789018" not in text and "************" in text
    onto = invoke("check", "--log-file", POLICY)
    assert onto.exit_code == 2 and "--log-file would overwrite the policy" in onto.stderr
    inside = invoke("check", "--log-file", SAMPLE / "x.log")
    assert inside.exit_code == 2 and "inside the evidence folder" in inside.stderr


@pytest.mark.parametrize("fmt", ["sarif,junit", "json"])
def test_the_exit_code_is_that_of_one_run(tmp_path, fmt):
    for fail_on, code in (("major", 1), ("none", 0)):
        result = invoke("check", "--format", fmt, "--output-dir", tmp_path, "--fail-on", fail_on)
        assert result.exit_code == code
