"""The SARIF and JUnit outputs read by the tools their consumers use: Microsoft's SARIF multitool with
the SARIF and GitHub rules (through npx, from the npm registry), and sarif-tools when it is installed.
Slow: the multitool is a 60 MB download on a fresh machine."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess

from urllib.parse import unquote

import pytest

from conftest import ORG, invoke, write_evidence, write_policy


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

pytestmark = pytest.mark.slow
MULTITOOL = "@microsoft/sarif-multitool@5.7.0"
# The notes the multitool's SARIF rules still give, each asking for what auditor leaves out on purpose
# (docs/ci.md): message IDs instead of text (SARIF2002), version-control details that only the CI knows
# (SARIF2003), the $schema fetched over the network (SARIF2006, offline here), evidence snippets and
# context regions and embedded file content, which would copy personal data into the dashboard
# (SARIF2010, SARIF2011, SARIF2013), and a web page per rule (SARIF2012's help URI; the help text
# carries the requirement). Anything else, and any warning or error, fails.
ALLOWED_NOTES = {("SARIF2002", "Note_Default"), ("SARIF2003", "Note_Default"), ("SARIF2006", "Note_Default"),
                 ("SARIF2010", "Note_Default"), ("SARIF2011", "Note_Default"), ("SARIF2013", "Note_Default"),
                 ("SARIF2012", "Note_ProvideHelpUri")}


@pytest.fixture(scope="module")
def sarif_files(tmp_path_factory):
    """The sample's SARIF (findings, a waived one, recurred ones), one with a control without evidence,
    and one capped by severity with a baseline."""
    folder = tmp_path_factory.mktemp("sarif")
    files = {"sample": folder / "sample.sarif", "missing": folder / "missing.sarif", "capped": folder / "capped.sarif"}
    assert invoke("check", "--format", "sarif", "-o", files["sample"]).exit_code == 1
    baseline = folder / "baseline.json"
    assert invoke("check", "--format", "json", "--fail-on", "none", "-o", baseline).exit_code == 0
    assert invoke("check", "--format", "sarif", "-o", files["capped"], "--baseline", baseline,
                  "--sarif-min-severity", "major").exit_code == 0
    ev = write_evidence(folder / "ev", {"org_units": ORG})
    policy = write_policy(folder)
    assert invoke("check", "--policy", policy.name, "--evidence", ev.name, "--format", "sarif", "-o", files["missing"],
                  "--fail-on", "none", cwd=folder).exit_code == 0  # from its repository's root, as in CI
    return files


def test_the_multitool_with_the_github_rules_finds_nothing_that_applies(sarif_files, tmp_path):
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx (Node.js) is not installed: the SARIF multitool comes from the npm registry")
    out = tmp_path / "validation.sarif"
    # npx runs the tool through a shell: the ;-separated lists are quoted for it
    run = subprocess.run([npx, "--yes", MULTITOOL, "validate", "--rule-kind", '"Gh;Sarif"',
                          "--level", '"Error;Warning;Note"', "--log", "ForceOverwrite", "-o", str(out),
                          *map(str, sarif_files.values())], capture_output=True, text=True, timeout=900)
    if run.returncode != 0 and not out.exists():
        pytest.skip(f"the SARIF multitool could not be installed or run: {(run.stderr or run.stdout)[-300:]}")
    assert run.returncode == 0, run.stdout + run.stderr
    log = json.loads(out.read_text(encoding="utf-8-sig"))
    found = [(r["ruleId"], r.get("level", "warning"), r["message"].get("id")) for run_ in log["runs"]
             for r in run_.get("results", [])]
    assert [f for f in found if f[1] != "note"] == []  # no error, no warning, GitHub's rules included
    assert {(rule, message) for rule, _, message in found} <= ALLOWED_NOTES
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_tools_reads_every_result_at_its_file_and_line(sarif_files, tmp_path):
    tool = shutil.which("sarif")
    if tool is None:
        pytest.skip("sarif-tools is not installed (pip install sarif-tools): its reading is not checked")
    summary = subprocess.run([tool, "summary", str(sarif_files["sample"])], capture_output=True, text=True)
    assert summary.returncode == 0 and "error:" in summary.stdout
    out = tmp_path / "results.csv"
    subprocess.run([tool, "csv", "-o", str(out), str(sarif_files["sample"])], check=True, capture_output=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    doc = json.loads(sarif_files["sample"].read_text(encoding="utf-8"))
    results = doc["runs"][0]["results"]
    assert len(rows) == len(results)
    expected = sorted((r["ruleId"], unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
                       str(r["locations"][0]["physicalLocation"]["region"]["startLine"])) for r in results)
    assert sorted((r["Code"], unquote(r["Location"]), r["Line"]) for r in rows) == expected
