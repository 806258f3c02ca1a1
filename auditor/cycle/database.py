"""The history database file: SQLite opened with WAL and a busy timeout, its schema created and
migrated (table schema_version), one transaction at a time, and the event log of every change.

Texts are masked again before they are stored: a My Number never reaches the file. What is recorded
in it is auditor/cycle/history.py (runs), register.py (actions) and approval.py (sign-off).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

from .. import defaults
from ..errors import InputError, os_reason
from ..privacy import mynumber

BUSY_MS = 60_000  # a second --record run waits this long for the first to commit
HINT = "record an audit first: auditor report --record (or auditor check --record)"
HINT_JA = "先に監査を記録してください（auditor report --record または auditor check --record）"

# Each entry migrates from version i to i + 1; never edit a released one, append a new one.
MIGRATIONS = [
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, command TEXT NOT NULL,
        fiscal_year INTEGER NOT NULL, as_of TEXT NOT NULL, issued_on TEXT,
        organisation TEXT NOT NULL, policy_file TEXT NOT NULL, policy_sha256 TEXT NOT NULL,
        catalogue_sha256 TEXT NOT NULL, controls INTEGER NOT NULL, evidence_root TEXT NOT NULL,
        tool_version TEXT NOT NULL);
    CREATE INDEX runs_fy ON runs (fiscal_year, id);
    CREATE TABLE evidence_files (
        run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL, kind TEXT NOT NULL,
        provided_by TEXT, collected_on TEXT, sha256 TEXT NOT NULL, records INTEGER NOT NULL,
        PRIMARY KEY (run_id, path));
    CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs(id), control_id TEXT NOT NULL, area TEXT NOT NULL,
        severity TEXT NOT NULL, status TEXT NOT NULL, checked INTEGER, reason TEXT,
        PRIMARY KEY (run_id, control_id));
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id), finding_id TEXT NOT NULL, control_id TEXT NOT NULL,
        severity TEXT NOT NULL, base_severity TEXT NOT NULL, status TEXT NOT NULL, recurred INTEGER NOT NULL,
        department_code TEXT, department_name TEXT, message_ja TEXT NOT NULL, message_en TEXT NOT NULL,
        locations TEXT NOT NULL, exception_id TEXT,
        PRIMARY KEY (run_id, finding_id));
    CREATE TABLE rates (
        run_id INTEGER NOT NULL REFERENCES runs(id), scope TEXT NOT NULL, key TEXT NOT NULL,
        label TEXT, evaluated INTEGER NOT NULL, compliant INTEGER NOT NULL,
        PRIMARY KEY (run_id, scope, key));
    CREATE TABLE actions (
        action_id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, control_id TEXT NOT NULL,
        fiscal_year INTEGER NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(id),
        severity TEXT NOT NULL, department_code TEXT, department_name TEXT, item TEXT,
        message_ja TEXT NOT NULL, message_en TEXT NOT NULL, owner_role TEXT, owner TEXT,
        due_on TEXT NOT NULL, status TEXT NOT NULL, progress_note TEXT, completed_on TEXT,
        verified_on TEXT, verified_by TEXT, extended_to TEXT, created_on TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE INDEX actions_dept ON actions (department_code, status);
    CREATE TABLE action_events (
        id INTEGER PRIMARY KEY, action_id TEXT NOT NULL REFERENCES actions(action_id), at TEXT NOT NULL,
        by TEXT, event TEXT NOT NULL, source TEXT, changes TEXT NOT NULL, note TEXT);
    CREATE INDEX events_action ON action_events (action_id, id);
    CREATE TABLE run_actions (
        run_id INTEGER NOT NULL REFERENCES runs(id), action_id TEXT NOT NULL, state TEXT NOT NULL,
        status TEXT, PRIMARY KEY (run_id, action_id));
    """,
    # the verified action of the same finding that a new action follows (the finding recurred)
    "ALTER TABLE actions ADD COLUMN previous_action_id TEXT",
    # sign-off (auditor/cycle/approval.py): the reports a run issued, and who signed which step of them
    """
    ALTER TABLE runs ADD COLUMN reports_dir TEXT;
    CREATE TABLE report_files (
        run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL, sha256 TEXT NOT NULL,
        PRIMARY KEY (run_id, path));
    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL,
        role TEXT NOT NULL, name TEXT NOT NULL, approved_on TEXT NOT NULL, recorded_at TEXT NOT NULL,
        UNIQUE (run_id, role), UNIQUE (run_id, step));
    CREATE TABLE approval_files (
        approval_id INTEGER NOT NULL REFERENCES approvals(id), path TEXT NOT NULL, approved_sha256 TEXT,
        issued_sha256 TEXT, PRIMARY KEY (approval_id, path));
    """,
    # one file listed under two manifest entries (other kind, constants or unpivot): one row per entry
    """
    CREATE TABLE evidence_files_4 (
        run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL, entry INTEGER NOT NULL,
        kind TEXT NOT NULL, provided_by TEXT, collected_on TEXT, sha256 TEXT NOT NULL, records INTEGER NOT NULL,
        PRIMARY KEY (run_id, path, entry));
    INSERT INTO evidence_files_4 SELECT run_id, path, 0, kind, provided_by, collected_on, sha256, records
        FROM evidence_files;
    DROP TABLE evidence_files;
    ALTER TABLE evidence_files_4 RENAME TO evidence_files
    """,
    # a signature withdrawn (`auditor report withdraw`): moved out of approvals with its files, with who
    # withdrew it, on which day and why, and the report files issued again without it; after_approval_id:
    # the signature that stood last then (expected_files tells by it whether the withdrawal is the latest issue)
    """
    CREATE TABLE withdrawals (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL,
        role TEXT NOT NULL, name TEXT NOT NULL, approved_on TEXT NOT NULL, recorded_at TEXT NOT NULL,
        signed_report_sha256 TEXT, withdrawn_by TEXT NOT NULL, withdrawn_on TEXT NOT NULL, reason TEXT NOT NULL,
        withdrawn_at TEXT NOT NULL, after_approval_id INTEGER);
    CREATE TABLE withdrawal_files (
        withdrawal_id INTEGER NOT NULL REFERENCES withdrawals(id), path TEXT NOT NULL, approved_sha256 TEXT,
        issued_sha256 TEXT, PRIMARY KEY (withdrawal_id, path))
    """,
]


def default_path(policy_path) -> Path:
    """`.auditor/history.sqlite` beside the policy file."""
    return defaults.state_dir(policy_path) / "history.sqlite"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def connect(path, create: bool = False) -> sqlite3.Connection:
    """Open (and with create=True make) the database, migrated to the current schema."""
    path = Path(path)
    if not path.is_file():
        if not create:
            raise InputError(path, "no audit history database here", hint=HINT + "; or pass --db PATH",
                             ja="ここに監査履歴のデータベースがありません", hint_ja=HINT_JA + "。または --db PATH を指定してください")
        try:
            defaults.make_folder(path.parent)
        except OSError as exc:
            raise InputError(path, f"cannot create the database folder: {exc.strerror or exc}",
                             ja=f"データベースのフォルダを作れません（{os_reason(exc, 'ja')}）") from None
    try:
        con = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        _wal(con)
        con.execute("PRAGMA foreign_keys = ON")
        _migrate(con, path)
    except sqlite3.DatabaseError as exc:
        raise InputError(path, f"not a usable auditor history database ({exc})",
                         hint="pass --db with another path, or move this file away",
                         ja=f"auditor の監査履歴のデータベースとして使えません（{_sqlite_ja(exc)}）",
                         hint_ja="--db で別のパスを指定するか、このファイルを移してください") from None
    return con


# SQLite's reasons a town meets, in our Japanese words (matched by their start)
_SQLITE_JA = {
    "file is not a database": "SQLite のデータベースのファイルではありません",
    "database disk image is malformed": "データベースのファイルが壊れています",
    "database is locked": "ほかの auditor がデータベースを使用中です。しばらくしてからもう一度実行してください",
    "cannot switch the database to WAL mode": "ほかの auditor がデータベースを使用中です。しばらくしてからもう一度実行してください",
    "attempt to write a readonly database": "読み取り専用のため書き込めません",
    "unable to open database file": "データベースのファイルを開けません",
    "disk I/O error": "ディスクの入出力のエラーです",
    "database or disk is full": "ディスクの空きがありません",
}


def _sqlite_ja(exc: Exception) -> str:
    return next((ja for start, ja in _SQLITE_JA.items() if str(exc).startswith(start)), str(exc))


def _wal(con) -> None:
    """WAL lets readers work while a run records; switching needs a moment alone with the file."""
    for _ in range(200):
        try:
            if con.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        time.sleep(0.05)
    raise sqlite3.OperationalError("cannot switch the database to WAL mode: it stays locked")


def _migrate(con, path) -> None:
    with transaction(con):
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = con.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else 0
        if version > len(MIGRATIONS):
            raise InputError(path, f"database schema version {version} is newer than this auditor knows "
                             f"({len(MIGRATIONS)})", hint="upgrade auditor (pip install -U municipal-auditor)",
                             ja=f"データベースのスキーマの版 {version} は、この auditor が知る版（{len(MIGRATIONS)}）より新しいです",
                             hint_ja="auditor を更新してください（pip install -U municipal-auditor）")
        for script in MIGRATIONS[version:]:
            for statement in (s for s in script.split(";") if s.strip()):
                con.execute(statement)
        if not row:
            con.execute("INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS),))
        elif version < len(MIGRATIONS):
            con.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))


@contextlib.contextmanager
def transaction(con):
    """All or nothing; IMMEDIATE takes the write lock up front, so two writers queue, not deadlock."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _text(value):
    """Text as stored: My Numbers masked, a path's bytes that are not UTF-8 as %NN (SQLite keeps UTF-8)."""
    return mynumber.mask_name(value) if isinstance(value, str) else value


def _json(value) -> str:
    return _text(json.dumps(value, ensure_ascii=False, sort_keys=True))


def event(con, action_id: str, by, kind: str, source, changes: dict, note=None, at=None) -> None:
    """One line of an action's history: who changed what, when, from where."""
    con.execute("INSERT INTO action_events (action_id, at, by, event, source, changes, note) VALUES (?,?,?,?,?,?,?)",
                (action_id, at or now(), _text(by), kind, _text(source), _json(changes), _text(note)))
