"""`auditor verify REPORT --evidence DIR`: does the evidence still match an issued report?

Every report records SHA-256 of the manifest, each evidence file, other files in the folder, the
policy and each controls file; verify lists each file changed, added or removed since (exit 0/1/2).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from auditor import defaults, fsio
from auditor.evidence import integrity
from conftest import POLICY, ROOT, invoke

CONTROLS = defaults.shipped_controls()


@pytest.fixture
def issued(sample_copy, tmp_path):
    """A copy of the sample with an unlisted note in it, and its reports: check JSON, report.json, HTML."""
    (sample_copy / "送付状.txt").write_text("証跡一式を送付します", encoding="utf-8")
    check = tmp_path / "results.json"
    assert invoke("check", "--policy", POLICY, "--evidence", sample_copy, "--format", "json", "-o", check).exit_code == 1
    out = tmp_path / "reports"
    result = invoke("report", "--policy", POLICY, "--evidence", sample_copy, "--out", out, "--date", "2026-04-15",
                    "--format", "json,html")
    assert result.exit_code == 0, result.output
    return sample_copy, {"check": check, "report": out / "report.json", "html": out / "report.ja.html"}


@pytest.fixture
def english(monkeypatch):
    """The command line's English messages, which these tests read (the Japanese: test_cli_japanese.py)."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")


def _verify(report, evidence, *args):
    return invoke("verify", report, "--evidence", evidence, *args)


@pytest.mark.parametrize("which", ["check", "report", "html"])
def test_unchanged_evidence_matches(issued, which):
    ev, reports = issued
    result = _verify(reports[which], ev)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("一致") and "32 ファイル" in result.stdout  # 30 files, manifest, the note
    assert _verify(reports[which], ev, "--lang", "en").stdout.startswith("MATCH")


def test_every_report_records_what_it_was_made_from(issued):
    ev, reports = issued
    for which in ("check", "report"):
        block = json.loads(reports[which].read_text(encoding="utf-8"))["integrity"]
        assert block["algorithm"] == "sha256"
        assert block["manifest"]["sha256"] == integrity.digest(ev / "manifest.yaml")
        assert {e["path"]: e["sha256"] for e in block["evidence"]}["fw_rules.csv"] == integrity.digest(ev / "fw_rules.csv")
        assert len(block["evidence"]) == 30 and [u["path"] for u in block["unlisted"]] == ["送付状.txt"]
        assert block["policy"] == {"path": "sample-city.yaml", "sha256": integrity.digest(POLICY)}
        files = sorted(p.name for p in CONTROLS.glob("*.yaml"))
        assert [c["path"] for c in block["controls"]] == [f"controls/{n}" for n in files]
        assert all(c["sha256"] == integrity.digest(CONTROLS / c["path"].split("/")[1]) for c in block["controls"])
        assert all(c.get("shipped") is True for c in block["controls"])


def test_changed_added_and_removed_files_are_listed(issued):
    ev, reports = issued
    with open(ev / "fw_rules.csv", "ab") as fh:
        fh.write(b"FW-0999,x,y,z,,,\r\n")
    (ev / "manifest.yaml").write_text((ev / "manifest.yaml").read_text(encoding="utf-8") + "# edited\n",
                                      encoding="utf-8")
    (ev / "drills.yaml").unlink()
    (ev / "送付状.txt").unlink()
    (ev / "sub").mkdir()
    (ev / "sub" / "追加資料.csv").write_text("a\n1\n", encoding="utf-8")
    for which in ("check", "report", "html"):
        result = _verify(reports[which], ev, "--format", "json")
        assert result.exit_code == 1
        doc = json.loads(result.stdout)
        assert doc["matches"] is False
        assert doc["changed"] == [{"path": "fw_rules.csv", "what": "evidence"},
                                  {"path": "manifest.yaml", "what": "manifest"}]
        assert doc["removed"] == [{"path": "drills.yaml", "what": "evidence"},
                                  {"path": "送付状.txt", "what": "unlisted"}]
        assert doc["added"] == [{"path": "sub/追加資料.csv", "what": "unlisted"}]
    text = _verify(reports["report"], ev, "--lang", "en").stdout
    assert text.startswith("MISMATCH") and "(2 changed, 1 added, 2 removed)" in text
    assert "changed  fw_rules.csv  (evidence)" in text and "removed  drills.yaml  (evidence)" in text


def test_policy_and_controls_are_compared_when_given(issued, tmp_path):
    ev, reports = issued
    controls = tmp_path / "controls"
    shutil.copytree(CONTROLS, controls)
    policy = tmp_path / "sample-city.yaml"
    shutil.copy(POLICY, policy)
    args = ("--policy", policy, "--controls", controls)
    assert _verify(reports["report"], ev, *args).exit_code == 0
    policy.write_text(policy.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    (controls / "01-network.yaml").write_text("# gone\n", encoding="utf-8")
    (controls / "08-local.yaml").write_text("# new\n", encoding="utf-8")
    doc = json.loads(_verify(reports["report"], ev, *args, "--format", "json").stdout)
    assert doc["changed"] == [{"path": "sample-city.yaml", "what": "policy"},
                              {"path": "controls/01-network.yaml", "what": "controls"}]
    assert doc["added"] == [{"path": "controls/08-local.yaml", "what": "controls"}]


def test_macos_decomposed_names_still_match(tmp_path):
    """A folder copied through macOS holds NFD names; the report recorded the NFC ones."""
    nfc = "ポリシー点検票.csv"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    (tmp_path / nfd).write_text("x", encoding="utf-8")
    block = {"evidence": [{"path": nfc, "sha256": integrity.digest(tmp_path / nfd)}]}
    result = integrity.verify(block, tmp_path)
    assert result["removed"] == [{"path": "manifest.yaml", "what": "manifest"}]
    assert not result["changed"] and not result["added"] and result["unchanged"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_folder_does_not_hang(issued):
    ev, reports = issued
    os.mkfifo(ev / "pipe")
    result = _verify(reports["check"], ev)
    assert result.exit_code == 0  # not a regular file: neither read nor listed


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "cannot read the report"),
    (lambda p: p.write_text("{not json", encoding="utf-8"), "not a JSON report"),
    (lambda p: p.write_text('{"results": []}', encoding="utf-8"), "no integrity block"),
])
def test_unusable_report_exits_2(tmp_path, make, message, english):
    report = tmp_path / "r.json"
    make(report)
    result = invoke("verify", report, "--evidence", tmp_path)
    assert result.exit_code == 2 and message in result.stderr and str(report) in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_html_without_block_and_missing_evidence_folder_exit_2(issued, tmp_path, english):
    _, reports = issued
    page = tmp_path / "other.html"
    page.write_text("<html><body>x</body></html>", encoding="utf-8")
    assert invoke("verify", page, "--evidence", tmp_path).exit_code == 2
    result = invoke("verify", reports["check"], "--evidence", tmp_path / "nowhere")
    assert result.exit_code == 2 and "evidence folder not found" in result.stderr


def test_reports_are_written_atomically(issued, tmp_path, monkeypatch):
    """Every report file goes through a temporary name: a failure leaves the old file, and no debris."""
    _, reports = issued
    folder = reports["report"].parent
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    before = reports["report"].read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        fsio.write_atomic(reports["report"], b"{half")
    assert reports["report"].read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_replaces_a_symlink_instead_of_writing_through_it(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    fsio.write_atomic(link, "new")
    assert target.read_text(encoding="utf-8") == "keep" and not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "new"


def test_verify_never_writes(issued):
    ev, reports = issued
    before = {p: p.stat().st_mtime_ns for p in Path(ev).rglob("*")}
    _verify(reports["report"], ev)
    assert {p: p.stat().st_mtime_ns for p in Path(ev).rglob("*")} == before


# ---- the history database, the recorded folder, and how far the block can be trusted ----

@pytest.fixture
def town(tmp_path, monkeypatch):
    """An evidence repository with two fiscal years, run from its root like a municipality's."""
    monkeypatch.delenv("AUDITOR_DB", raising=False)  # its register beside its policy, as a town keeps it
    root = tmp_path / "town"
    (root / "policies").mkdir(parents=True)
    shutil.copy(POLICY, root / "policies" / POLICY.name)
    for fy in ("FY2024", "FY2025"):
        shutil.copytree(ROOT / "evidence" / fy, root / "evidence" / fy)
    return root


def test_a_report_that_read_the_history_database_verifies(town):
    """The register is recorded as the state the run read, not as a file: it is neither missing nor compared."""
    args = ("--evidence", "evidence/FY2024", "--date", "2025-04-15", "--record", "--format", "json")
    assert invoke("report", *args, "--out", "reports/FY2024", cwd=town).exit_code == 0
    report = town / "reports" / "FY2024" / "report.json"
    block = json.loads(report.read_text(encoding="utf-8"))["integrity"]
    assert block["register"]["source"] == "history database" and len(block["register"]["sha256"]) == 64
    assert not [e for e in block["evidence"] if "history.sqlite" in e["path"]]
    assert invoke("check", "--evidence", "evidence/FY2024", "--record", cwd=town).exit_code in (0, 1)  # the db changes
    result = invoke("verify", report, "--format", "json", cwd=town)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["register"] == block["register"]
    assert "not compared" in invoke("verify", report, "--lang", "en", cwd=town).stdout


def test_a_report_of_an_earlier_version_that_recorded_the_database_as_a_file(issued):
    ev, reports = issued
    doc = json.loads(reports["check"].read_text(encoding="utf-8"))
    doc["integrity"]["evidence"].append({"path": "../../policies/.auditor/history.sqlite", "sha256": "0" * 64})
    reports["check"].write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = _verify(reports["check"], ev, "--lang", "en")
    assert result.exit_code == 0 and "recorded as a file by an earlier version" in result.stdout


def test_without_evidence_the_folder_the_report_records_is_compared(town):
    assert invoke("report", "--evidence", "evidence/FY2024", "--date", "2025-04-15", "--format", "json",
                  "--out", "reports/FY2024", cwd=town).exit_code == 0
    result = invoke("verify", "reports/FY2024/report.json", "--lang", "en", cwd=town)
    assert result.exit_code == 0, result.output  # not the newest folder, FY2025
    assert "evidence folder compared: evidence/FY2024" in result.stdout
    elsewhere = town / "reports"  # the recorded folder is not found from here: say so, never pick another
    result = invoke("verify", "FY2024/report.json", cwd=elsewhere)
    assert result.exit_code == 2 and "FY2024/report.json" in result.stderr and "--evidence" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    other = invoke("verify", "reports/FY2024/report.json", "--evidence", "evidence/FY2025", "--lang", "en", cwd=town)
    assert other.exit_code == 1 and "the report was made from FY2024; this is another folder" in other.stdout


def test_the_output_says_the_block_is_not_authenticated(issued):
    ev, reports = issued
    assert "not authenticated" in _verify(reports["report"], ev, "--lang", "en").stdout
    assert "認証されていません" in _verify(reports["report"], ev).stdout
    assert json.loads(_verify(reports["report"], ev, "--format", "json").stdout)["authenticated"] is False


def test_sha256sums_beside_the_reports_makes_them_checkable(sample_copy, tmp_path):
    out = tmp_path / "reports"
    result = invoke("report", "--policy", POLICY, "--evidence", sample_copy, "--out", out, "--date", "2026-04-15",
                    "--format", "json,html", "--sums", "--lang", "en")
    assert result.exit_code == 0, result.output
    sums = out / "SHA256SUMS"
    assert "SHA256SUMS" in result.stderr and "sha256sum -c" in result.stderr
    listed = {line.split("  ", 1)[1] for line in sums.read_text(encoding="utf-8").splitlines()}
    assert listed == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p != sums}
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out).returncode == 0
    ok = invoke("verify", out / "report.json", "--evidence", sample_copy, "--sums", sums, "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["authenticated"] is True
    # evidence changed, and the report's block edited to match it: only the detached list notices
    with open(sample_copy / "fw_rules.csv", "ab") as fh:
        fh.write(b"FW-0999,x,y,z,,,\r\n")
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for e in doc["integrity"]["evidence"]:
        e["sha256"] = integrity.digest(sample_copy / e["path"]) if e["path"] == "fw_rules.csv" else e["sha256"]
    (out / "report.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert invoke("verify", out / "report.json", "--evidence", sample_copy).exit_code == 0  # fooled without it
    bad = invoke("verify", out / "report.json", "--evidence", sample_copy, "--sums", sums, "--lang", "en")
    assert bad.exit_code == 1 and bad.stdout.startswith("MISMATCH: the report file differs from")
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out, capture_output=True).returncode


def test_unusable_sums_file_exits_2_naming_it(issued, tmp_path, english):
    ev, reports = issued
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("0" * 64 + "  other.json\nnot a line\n", encoding="utf-8")
    result = invoke("verify", reports["check"], "--evidence", ev, "--sums", sums)
    assert result.exit_code == 2 and f"{sums}:2:" in result.stderr
    sums.write_text("0" * 64 + "  other.json\n", encoding="utf-8")
    result = invoke("verify", reports["check"], "--evidence", ev, "--sums", sums)
    assert result.exit_code == 2 and str(sums) in result.stderr and "not listed" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_without_policy_and_controls_the_output_says_they_were_not_compared(issued, tmp_path):
    ev, reports = issued
    text = _verify(reports["report"], ev, "--lang", "en").stdout
    assert "the policy was not compared" in text and "controls shipped with auditor were not compared" in text
    assert "ポリシーは照合していません" in _verify(reports["report"], ev).stdout
    doc = json.loads(_verify(reports["report"], ev, "--format", "json").stdout)
    assert doc["not_compared"] == {"policy": True, "controls": [], "shipped_controls": True, "kinds": []}
    controls = tmp_path / "controls"
    shutil.copytree(CONTROLS, controls)
    given = _verify(reports["report"], ev, "--policy", POLICY, "--controls", controls, "--format", "json")
    assert json.loads(given.stdout)["not_compared"] == {"policy": False, "controls": [], "shipped_controls": False,
                                                         "kinds": []}
    assert "not compared" not in _verify(reports["report"], ev, "--policy", POLICY, "--controls", controls,
                                         "--lang", "en").stdout.replace("and is not compared", "")


def test_a_report_read_from_an_existing_database_verifies_after_the_register_changes(town):
    """A database exists and no corrective_actions file is listed: the run reads the register from it.
    Neither a report without --record nor `check` output may then miss the database as a removed file."""
    assert invoke("check", "--evidence", "evidence/FY2024", "--record", cwd=town).exit_code in (0, 1)
    assert (town / "policies" / ".auditor" / "history.sqlite").is_file()
    manifest = (town / "evidence" / "FY2024" / "manifest.yaml").read_text(encoding="utf-8")
    assert "corrective_actions" not in manifest
    assert invoke("report", "--evidence", "evidence/FY2024", "--date", "2025-04-15", "--format", "json,html",
                  "--out", "reports", cwd=town).exit_code == 0
    assert invoke("check", "--evidence", "evidence/FY2024", "--format", "json", "-o", "results.json",
                  cwd=town).exit_code in (0, 1)
    assert invoke("check", "--evidence", "evidence/FY2024", "--record", cwd=town).exit_code in (0, 1)  # db changes
    department = sorted((town / "reports" / "departments").glob("*/report.json"))[0]
    for report in ("reports/report.json", "reports/report.ja.html", "results.json", department):
        result = invoke("verify", report, "--format", "json", cwd=town)
        assert result.exit_code == 0, (report, result.output)
        doc = json.loads(result.stdout)
        assert not doc["removed"] and doc["register"]["source"] == "history database"


def test_a_town_controls_folder_named_controls_is_compared_with_its_own_files_only(tmp_path):
    """The worked example keeps its controls in controls/, the shipped folder's name: verify used to compare
    it with the shipped files too and call all of them removed (a wrong mismatch)."""
    example = ROOT / "examples" / "town-kind"
    town = tmp_path / "town"
    shutil.copytree(example, town)
    out = tmp_path / "out"
    args = ("--policy", town / "policies" / "minato.yaml", "--controls", town / "controls")
    assert invoke("report", *args, "--evidence", town / "evidence" / "FY2025", "--format", "json", "--out", out,
                  "--quiet").exit_code in (0, 1)
    ok = invoke("verify", out / "report.json", "--evidence", town / "evidence" / "FY2025", *args, "--format", "json")
    doc = json.loads(ok.stdout)
    assert ok.exit_code == 0 and doc["matches"], doc
    assert doc["not_compared"] == {"policy": False, "controls": [], "shipped_controls": True, "kinds": []}
    (town / "controls" / "backups.yaml").write_text("# edited\n", encoding="utf-8")
    changed = json.loads(invoke("verify", out / "report.json", "--evidence", town / "evidence" / "FY2025", *args,
                                "--format", "json").stdout)
    assert changed["changed"] == [{"path": "controls/backups.yaml", "what": "controls"}] and not changed["removed"]
