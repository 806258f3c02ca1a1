"""Audit history: the recorded runs (results, findings, rates, evidence hashes) and their actions.

One transaction per recorded run (BEGIN IMMEDIATE ... COMMIT), so a crash or a concurrent run
never leaves half an audit; WAL mode and a busy timeout let two `--record` runs both finish
(auditor/cycle/database.py opens the file).
"""
from __future__ import annotations

import datetime as dt
import json

from .. import __version__
from . import pdca
from ..errors import InputError
from .database import (BUSY_MS, HINT, _json, _text, connect, default_path, event,  # noqa: F401 (history's API)
                       now, transaction)




















def record_run(path, run, command: str, issued: dt.date, issue: dict | None = None) -> int:
    """Record an audit run (auditor.engine.audit.run) with its new actions; returns the run ID.

    issue: the reports `auditor report` wrote for it (approval.store_issue), in the same transaction."""
    from . import register, trend

    cycle = getattr(run, "cycle", None) or pdca.Cycle()
    actions, previous = register.follow_up(run, issued)
    new = register.with_text(run, [a for a in actions if a["status"] == "new"])
    con = connect(path, create=True)
    try:
        return record(con, run, command, issued, trend.rates(run), new, previous, cycle.recurred, issue)
    finally:
        con.close()


def record(con, run, command: str, issued: dt.date, rates: list, actions: list, previous: list,
           recurred: dict, issue: dict | None = None) -> int:
    """Store one run (results, findings, rates, its new actions, last cycle's states); returns its ID.

    actions: the new ones of register.follow_up (with message and item). A finding that already has
    an open action in the register gets none (one finding, one open action), so a repeated record
    of the same fiscal year keeps the action's status and due date. previous: earlier actions with
    their state; a register action the audit judged resolved becomes resolved_pending_verification,
    and one pending that is found again goes back to the status it had.
    """
    ev, pol = run.evidence, run.policy
    stamp = now()
    with transaction(con):
        cur = con.execute(
            "INSERT INTO runs (recorded_at, command, fiscal_year, as_of, issued_on, organisation, policy_file,"
            " policy_sha256, catalogue_sha256, controls, evidence_root, tool_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (stamp, command, ev.fiscal_year.year, ev.as_of.isoformat(), issued.isoformat(), _json(pol.organisation),
             _text(str(pol.path)), pol.sha256, run.catalogue_sha256, len(run.controls), _text(str(ev.root)), __version__))
        run_id = cur.lastrowid
        con.executemany("INSERT INTO evidence_files (run_id, path, entry, kind, provided_by, collected_on, sha256,"
                        " records) VALUES (?,?,?,?,?,?,?,?)",
                        [(run_id, _text(f.path), entry, f.kind, _text(f.provided_by), _iso(f.collected_on), f.sha256,
                          f.records) for f, entry in _entries(ev.files)])
        con.executemany("INSERT INTO results VALUES (?,?,?,?,?,?,?)",
                        [(run_id, r.control_id, r.control.area, r.control.severity, r.status, r.checked,
                          _json(r.reason) if r.reason else None) for r in run.results])
        con.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
            (run_id, f.id, f.control_id, f.severity, recurred.get(f.id, {}).get("from", f.severity), f.status,
             int(f.id in recurred), f.department_code, f.department, _text(f.message["ja"]),
             _text(f.message["en"]), _json(f.locations), (f.exception or {}).get("id") if f.status == "waived" else None)
            for r in run.results for f in r.findings])
        con.executemany("INSERT INTO rates VALUES (?,?,?,?,?,?)",
                        [(run_id, scope, key, _text(label), evaluated, compliant)
                         for scope, key, label, evaluated, compliant in rates])
        states = []
        for p in previous:
            if p.get("source") == "register":
                states.append((run_id, p["action_id"], p["state"], _settle(con, p, run_id, stamp)))
        held = _open_findings(con, ev.fiscal_year.year)  # read after settling: a pending one found again is open
        added = []
        for a in actions:
            if a["finding_id"] in held:
                continue  # recorded meanwhile (another run, or this fiscal year already): keep that one
            dept = a.get("department") or {}
            cur = con.execute(
                "INSERT OR IGNORE INTO actions (action_id, finding_id, control_id, fiscal_year, run_id, severity,"
                " department_code, department_name, item, message_ja, message_en, owner_role, due_on, status,"
                " created_on, updated_at, previous_action_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (a["action_id"], a["finding_id"], a["control_id"], ev.fiscal_year.year, run_id, a["severity"],
                 dept.get("code"), dept.get("name"), a.get("item"), _text(a["message"]["ja"]),
                 _text(a["message"]["en"]), a["owner_role"], a["due_on"], "not_started", issued.isoformat(), stamp,
                 a.get("previous_action_id")))
            if cur.rowcount:
                changes = {"status": [None, "not_started"]}
                if a.get("previous_action_id"):
                    changes["previous_action_id"] = [None, a["previous_action_id"]]
                event(con, a["action_id"], None, "created", f"run {run_id}", changes, at=stamp)
            added.append((run_id, a["action_id"], "new", "not_started"))
        con.executemany("INSERT OR REPLACE INTO run_actions VALUES (?,?,?,?)", added + states)
        if issue:
            from . import approval
            approval.store_issue(con, run_id, issue)
    return run_id


def _settle(con, p: dict, run_id: int, stamp: str):
    """Bring a register action's status in line with the audit's judgement; returns its status now."""
    row = con.execute("SELECT status FROM actions WHERE action_id = ?", (p["action_id"],)).fetchone()
    if row is None:
        return p.get("status")
    status = row[0]
    if p["state"] == "resolved" and status in ("not_started", "in_progress", "done"):
        new, kind = pdca.PENDING, "resolved"
    elif p["state"] in ("open", "overdue") and status == pdca.PENDING:
        new, kind = _before_pending(con, p["action_id"]), "reopened"
    else:
        return status
    con.execute("UPDATE actions SET status = ?, updated_at = ? WHERE action_id = ?", (new, stamp, p["action_id"]))
    event(con, p["action_id"], None, kind, f"run {run_id}", {"status": [status, new]}, at=stamp)
    return new


def _before_pending(con, action_id: str) -> str:
    """The status an action had before an audit found it resolved (in_progress if the history lacks it)."""
    for (changes,) in con.execute("SELECT changes FROM action_events WHERE action_id = ? ORDER BY id DESC", (action_id,)):
        old, new = (json.loads(changes).get("status") or [None, None])
        if new == pdca.PENDING and old:
            return old
    return "in_progress"


def _open_findings(con, fiscal_year: int) -> set:
    """Findings that hold an open register action of this fiscal year or an earlier one."""
    return {r[0] for r in con.execute(
        "SELECT finding_id FROM actions WHERE fiscal_year <= ? AND status != 'verified'", (fiscal_year,))}




def _entries(files):
    """(file, its entry number among the manifest's entries of the same path: 0 for the first listing)."""
    seen: dict = {}
    for f in files:
        seen[f.path] = seen.get(f.path, -1) + 1
        yield f, seen[f.path]


def _iso(d):
    return d.isoformat() if isinstance(d, dt.date) else d


# ---- reading ----

def runs(con) -> list[dict]:
    rows = con.execute(
        "SELECT r.*, (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id AND f.status = 'open') AS open_findings,"
        " (SELECT COUNT(*) FROM results s WHERE s.run_id = r.id) AS results FROM runs r ORDER BY r.id").fetchall()
    signed: dict = {}
    for run_id, step in con.execute("SELECT run_id, step FROM approvals ORDER BY id"):
        signed.setdefault(run_id, []).append(step)
    return [dict(r) | {"organisation": json.loads(r["organisation"]), "signed": signed.get(r["id"], [])} for r in rows]


def resolve(con, ref: str, name: str = "RUN") -> int:
    """A run by its ID (7, #7) or by fiscal year (2025, FY2025, 令和7年度: its latest run).

    name: the command-line argument that gave ref, which errors name (it is no file)."""
    from ..fiscal import parse_fiscal_year

    text = str(ref).strip().lstrip("#")
    if text.isdigit() and len(text) < 4:
        row = con.execute("SELECT id FROM runs WHERE id = ?", (int(text),)).fetchone()
        if not row:
            raise InputError(name, f"no recorded run {ref}", hint="see `auditor history list`",
                             ja=f"記録された実行 {ref} はありません", hint_ja="auditor history list で一覧を表示できます")
        return row[0]
    try:
        fy = parse_fiscal_year(text)
    except ValueError:
        raise InputError(name, f"'{ref}' is neither a run ID nor a fiscal year",
                         hint="give a run ID from `auditor history list` (e.g. 3) or a fiscal year (e.g. 2025, 令和7年度)",
                         ja=f"「{ref}」は実行の ID でも年度でもありません",
                         hint_ja="auditor history list の実行 ID（例: 3）か年度（例: 2025、令和7年度）を指定してください") from None
    row = con.execute("SELECT MAX(id) FROM runs WHERE fiscal_year = ?", (fy,)).fetchone()
    if not row or row[0] is None:
        raise InputError(name, f"no recorded run for fiscal year {fy}", hint="see `auditor history list`",
                         ja=f"{fy} 年度の記録された実行はありません", hint_ja="auditor history list で一覧を表示できます")
    return row[0]


def run_detail(con, run_id: int) -> dict:
    run = dict(con.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
    run["organisation"] = json.loads(run["organisation"])
    run["evidence"] = [dict(r) for r in con.execute(
        "SELECT path, kind, provided_by, collected_on, sha256, records FROM evidence_files WHERE run_id = ?"
        " ORDER BY path, entry",
        (run_id,))]
    run["results"] = [dict(r) | {"reason": json.loads(r["reason"]) if r["reason"] else None} for r in con.execute(
        "SELECT control_id, area, severity, status, checked, reason FROM results WHERE run_id = ?", (run_id,))]
    run["findings"] = findings(con, run_id)
    run["actions"] = [dict(r) for r in con.execute(
        "SELECT action_id, state, status FROM run_actions WHERE run_id = ? ORDER BY action_id", (run_id,))]
    from . import approval
    run["approvals"] = approval.signatures(con, run_id)
    run["withdrawals"] = approval.withdrawals(con, run_id)
    return run


def findings(con, run_id: int) -> list[dict]:
    return [dict(r) | {"recurred": bool(r["recurred"]), "locations": json.loads(r["locations"])} for r in con.execute(
        "SELECT finding_id, control_id, severity, base_severity, status, recurred, department_code, department_name,"
        " message_ja, message_en, locations, exception_id FROM findings WHERE run_id = ? ORDER BY finding_id",
        (run_id,))]


def trend(con, exclude_fy: int | None = None) -> list[dict]:
    """The latest run of each recorded fiscal year (but exclude_fy) with its compliance rates."""
    out = []
    for row in con.execute("SELECT fiscal_year, MAX(id) AS id FROM runs GROUP BY fiscal_year ORDER BY fiscal_year"):
        if row["fiscal_year"] == exclude_fy:
            continue
        rates = {(r["scope"], r["key"]): dict(r) for r in con.execute(
            "SELECT scope, key, label, evaluated, compliant FROM rates WHERE run_id = ?", (row["id"],))}
        out.append({"fiscal_year": row["fiscal_year"], "run_id": row["id"], "rates": rates})
    return out
