"""The history database: schema and migrations, whole runs only, concurrent recorders, no My Numbers."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest

from auditor.engine import audit
from auditor import defaults
from auditor.cycle import database, history
from auditor.errors import InputError
from conftest import POLICY, ROOT, SAMPLE, invoke


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

FY2024 = ROOT / "evidence" / "FY2024"
# the check-digit-valid My Numbers planted in the sample evidence, as digits
MY_NUMBERS = ("123456789018", "314159265352")


def counts(db) -> dict:
    with sqlite3.connect(db) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("runs", "results", "findings", "evidence_files", "rates", "actions", "run_actions")}


def test_schema_is_created_versioned_and_in_wal_mode(tmp_path):
    db = tmp_path / "h.sqlite"
    history.connect(db, create=True).close()
    con = history.connect(db)  # opening again migrates nothing
    assert [tuple(r) for r in con.execute("SELECT version FROM schema_version")] == [(len(database.MIGRATIONS),)]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert counts(db)["runs"] == 0


def test_a_newer_schema_or_a_foreign_file_is_an_input_error(tmp_path):
    db = tmp_path / "h.sqlite"
    history.connect(db, create=True).close()
    with sqlite3.connect(db) as con:
        con.execute("UPDATE schema_version SET version = 99")
    result = invoke("history", "list", "--db", db)
    assert result.exit_code == 2 and "newer" in result.stderr and "Traceback" not in result.output
    junk = tmp_path / "notes.sqlite"
    junk.write_text("this is not a database\n" * 100, encoding="utf-8")
    result = invoke("history", "list", "--db", junk)
    assert result.exit_code == 2 and "notes.sqlite" in result.stderr and "Traceback" not in result.output
    missing = invoke("history", "list", "--db", tmp_path / "none.sqlite")
    assert missing.exit_code == 2 and "--record" in missing.stderr


def test_record_default_path_is_beside_the_policy(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITOR_DB")  # conftest's isolation; here the default itself is tested
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    result = invoke("check", "--policy", policy, "--evidence", FY2024, "--record")
    assert result.exit_code == 1 and "recorded run 1" in result.stderr
    db = tmp_path / ".auditor" / "history.sqlite"
    assert counts(db)["runs"] == 1
    assert "FY2024" in invoke("history", "list", "--policy", policy).stdout


def test_a_run_is_recorded_whole_with_results_findings_and_actions(tmp_path):
    db = tmp_path / "h.sqlite"
    run = audit.run(POLICY, FY2024, [defaults.shipped_controls()], db=None)
    history.record_run(db, run, "check", __import__("datetime").date(2025, 4, 15))
    c = counts(db)
    findings = [f for r in run.results for f in r.findings]
    assert c["results"] == len(run.results) and c["findings"] == len(findings)
    assert c["actions"] == sum(f.status == "open" for f in findings)
    assert c["evidence_files"] == len(run.evidence.files)


def test_a_failure_while_recording_leaves_no_half_written_run(tmp_path, monkeypatch):
    db = tmp_path / "h.sqlite"
    run = audit.run(POLICY, FY2024, [defaults.shipped_controls()])

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(history, "event", crash)  # fails after the run, results and findings were inserted
    with pytest.raises(OSError):
        history.record_run(db, run, "check", __import__("datetime").date(2025, 4, 15))
    assert set(counts(db).values()) == {0}


def test_two_concurrent_recorders_both_complete(tmp_path):
    db = tmp_path / "h.sqlite"
    cmd = [sys.executable, "-m", "auditor", "check", "--policy", str(POLICY), "--record", "--db", str(db),
           "--format", "json", "-o"]
    procs = [subprocess.Popen(cmd + [str(tmp_path / f"out{i}.json"), "--evidence", str(ev)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, ev in enumerate((FY2024, SAMPLE))]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [1, 1], outs
    con = history.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = {r["fiscal_year"]: r["id"] for r in history.runs(con)}
    assert set(runs) == {2024, 2025}
    empty = tmp_path / "empty.sqlite"  # what each run saw: the register before either recorded
    history.connect(empty, create=True).close()
    for fy, ev in ((2024, FY2024), (2025, SAMPLE)):
        expected = audit.run(POLICY, ev, [defaults.shipped_controls()], db=empty)
        stored = history.run_detail(con, runs[fy])
        assert len(stored["results"]) == len(expected.results)
        assert {f["finding_id"] for f in stored["findings"]} == {f.id for r in expected.results for f in r.findings}


def test_no_my_number_reaches_the_database(tmp_path):
    db = tmp_path / "h.sqlite"
    for ev in (FY2024, SAMPLE):
        invoke("check", "--policy", POLICY, "--evidence", ev, "--record", "--db", db)
    # a department's note that quotes a My Number is masked as it is imported
    sheet = tmp_path / "s.csv"
    sheet.write_text("措置ID,状況,進捗メモ\nACT-2024-NS-01:FW-0107,対応中,照会番号 1234 5678 9018 を確認\n", encoding="utf-8")
    assert invoke("actions", "import", sheet, "--department", "情報政策課", "--by", "x", "--db", db,
                  "--date", "2025-12-01").exit_code == 0
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    text = "\n".join(str(v) for t in ("runs", "evidence_files", "results", "findings", "rates", "actions",
                                      "action_events") for row in con.execute(f"SELECT * FROM {t}") for v in row)
    con.close()
    raw = db.read_bytes()
    digits = "".join(c for c in text if c.isdigit() or c == "\n")
    for number in MY_NUMBERS:
        assert number not in digits.replace(" ", "") and number.encode() not in raw
    assert "************" in text  # the masked form is what is kept


def test_resolve_runs_by_id_or_fiscal_year(tmp_path):
    db = tmp_path / "h.sqlite"
    invoke("check", "--policy", POLICY, "--evidence", FY2024, "--record", "--db", db)
    con = history.connect(db)
    assert history.resolve(con, "1") == history.resolve(con, "令和6年度") == history.resolve(con, "FY2024") == 1
    for ref in ("7", "2030", "last year"):
        with pytest.raises(InputError):
            history.resolve(con, ref)


def test_a_pending_action_found_again_goes_back_to_its_status(tmp_path):
    import datetime as dt

    from auditor.cycle import pdca

    db = tmp_path / "h.sqlite"
    run = audit.run(POLICY, FY2024, [defaults.shipped_controls()])
    history.record_run(db, run, "check", dt.date(2025, 4, 15))
    con = history.connect(db)
    aid = "ACT-2024-NS-01:FW-0107"
    with history.transaction(con):
        con.execute("UPDATE actions SET status = 'in_progress' WHERE action_id = ?", (aid,))
        con.execute("UPDATE actions SET status = ? WHERE action_id = ?", (pdca.PENDING, aid))
        history.event(con, aid, None, "resolved", "run 1", {"status": ["in_progress", pdca.PENDING]})
    back = {"action_id": aid, "finding_id": "NS-01:FW-0107", "status": pdca.PENDING, "state": "overdue",
            "source": "register"}
    run_id = history.record(con, run, "check", dt.date(2026, 4, 15), [], [], [back], {})
    assert con.execute("SELECT status FROM actions WHERE action_id = ?", (aid,)).fetchone()[0] == "in_progress"
    last = con.execute("SELECT event, source FROM action_events WHERE action_id = ? ORDER BY id DESC", (aid,)).fetchone()
    assert tuple(last) == ("reopened", f"run {run_id}")
    assert con.execute("SELECT status FROM run_actions WHERE run_id = ? AND action_id = ?",
                       (run_id, aid)).fetchone()[0] == "in_progress"


def test_recording_the_same_year_again_adds_no_second_action(tmp_path):
    db = tmp_path / "h.sqlite"
    for ev in (FY2024, SAMPLE, SAMPLE):
        invoke("check", "--policy", POLICY, "--evidence", ev, "--record", "--db", db)
    with sqlite3.connect(db) as con:
        twice = con.execute("SELECT finding_id, COUNT(*) FROM actions WHERE status != 'verified'"
                            " AND status != 'resolved_pending_verification' GROUP BY finding_id HAVING COUNT(*) > 1")
        assert twice.fetchall() == []


def test_auditor_db_names_the_register_when_no_db_is_given(tmp_path, monkeypatch):
    db = tmp_path / "ci.sqlite"
    monkeypatch.setenv("AUDITOR_DB", str(db))
    assert invoke("check", "--policy", POLICY, "--evidence", FY2024, "--record").exit_code == 1
    assert counts(db)["runs"] == 1 and not (ROOT / "policies" / ".auditor" / "ci.sqlite").exists()
    assert "FY2024" in invoke("history", "list").stdout
    other = invoke("history", "list", "--db", tmp_path / "other.sqlite")  # --db still wins
    assert other.exit_code == 2 and "other.sqlite" in other.stderr


def test_a_file_listed_under_two_entries_is_recorded_once_per_entry(tmp_path):
    """One attendance export read twice (a second course as a constant) is allowed by the manifest;
    --record used to crash on the database's key (run, path)."""
    from conftest import copy_sample

    ev = copy_sample(tmp_path)
    manifest = ev / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    second = ("- path: lms_export.csv\n  kind: training_records\n  provided_by: 人事課（研修担当）\n"
              "  collected_on: 2026-04-03\n  columns: {職員番号: staff_id, 受講日: completed_on}\n"
              "  constants: {course: privacy}\n")
    manifest.write_text(text.replace("- path: role_assignments.csv\n", second + "- path: role_assignments.csv\n", 1),
                        encoding="utf-8")
    db = tmp_path / "h.sqlite"
    result = invoke("check", "--evidence", ev, "--record", "--db", db, "--format", "json", "-o", tmp_path / "c.json")
    assert result.exit_code in (0, 1), result.output
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT entry, kind, records FROM evidence_files WHERE path = 'lms_export.csv' "
                           "ORDER BY entry").fetchall()
    assert [r[:2] for r in rows] == [(0, "training_records"), (1, "training_records")] and rows[0][2] > 0
    shown = invoke("history", "show", "1", "--db", db)
    assert shown.exit_code == 0 and shown.stdout.count("lms_export.csv") == 2


def test_the_evidence_rows_of_an_older_database_are_kept_by_the_migration(tmp_path):
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    for script in database.MIGRATIONS[:3]:  # the key was (run, path) before
        for statement in (s for s in script.split(";") if s.strip()):
            con.execute(statement)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (3)")
    con.execute("INSERT INTO runs (id, recorded_at, command, fiscal_year, as_of, organisation, policy_file, policy_sha256,"
                " catalogue_sha256, controls, evidence_root, tool_version) VALUES "
                "(1, 'x', 'check', 2025, '2026-03-31', '{}', 'p.yaml', 'a', 'b', 1, 'ev', '0')")
    con.execute("INSERT INTO evidence_files VALUES (1, 'fw_rules.csv', 'flow_rules', '情報政策課', '2026-03-03', 'c', 12)")
    con.commit()
    con.close()
    con = history.connect(db)
    assert [tuple(r) for r in con.execute("SELECT run_id, path, entry, kind, records FROM evidence_files")] == [
        (1, "fw_rules.csv", 0, "flow_rules", 12)]
    assert history.run_detail(con, 1)["evidence"][0]["path"] == "fw_rules.csv"
