"""The follow-up action register (改善計画の進捗管理), kept in the history database.

Statuses and who may move an action between them:

    not_started (未着手) -> in_progress (対応中) -> done (完了・確認待ち)     the department, by import
    done -> in_progress                                                        reopened (import, or a failed check)
    done -> verified (有効性確認済)                                            only `actions verify`, by someone
                                                                                 other than the owner (ISO 27001 10.2 d)
    not_started / in_progress / done -> resolved_pending_verification        a recorded audit that evaluated the
        (解消確認待ち)                                                           control again and no longer finds it
    resolved_pending_verification -> verified                                  `actions verify`, as for done
    resolved_pending_verification -> its status before                         a recorded audit finds it again

One finding has one open action: a recorded audit carries an open action over (status, owner, due
date and extension kept) and raises a new one only for a finding without one. Verified is final: if
the finding comes back, next year's audit marks it recurred (再発) and raises a new action linked to
the verified one (previous_action_id). An approved extension (`actions extend`) moves the date an
open action is overdue from. Every change is an event with who, when and from where.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import unicodedata
from pathlib import Path

from . import database as history, pdca  # the database primitives (history.py records runs)
from ..evidence import kinds, normalize
from ..evidence.dataset import Dataset
from ..errors import InputError
from ..model import EvidenceFile, Record

PENDING = pdca.PENDING
STATUSES = ("not_started", "in_progress", "done", PENDING, "verified")
OPEN = ("not_started", "in_progress", "done", PENDING)
CHECKABLE = ("done", PENDING)  # what `actions verify` may close
LABELS = {"ja": {"not_started": "未着手", "in_progress": "対応中", "done": "完了（確認待ち）", PENDING: "解消確認待ち",
                 "verified": "有効性確認済"},
          "en": {"not_started": "not started", "in_progress": "in progress", "done": "done (awaiting check)",
                 PENDING: "resolved, awaiting verification", "verified": "verified"}}
# What a department may set on its returned sheet, from each status (verified only by `actions verify`,
# resolved_pending_verification only by a recorded audit).
BY_IMPORT = {"not_started": {"not_started", "in_progress", "done"}, "in_progress": {"in_progress", "done"},
             "done": {"in_progress", "done"}, PENDING: {PENDING, "in_progress", "done"}, "verified": {"verified"}}
_DATES = ("due_on", "completed_on", "verified_on", "extended_to", "created_on")


def rows(con, upto_fy: int | None = None) -> list[dict]:
    """Every action (dates as date objects), oldest fiscal year first."""
    query, args = "SELECT * FROM actions", ()
    if upto_fy is not None:
        query, args = query + " WHERE fiscal_year <= ?", (upto_fy,)
    out = []
    for r in con.execute(query + " ORDER BY fiscal_year, action_id", args):
        a = dict(r)
        for k in _DATES:
            a[k] = dt.date.fromisoformat(a[k]) if a[k] else None
        out.append(a)
    return out


def get(con, action_id: str) -> dict:
    found = [a for a in rows(con) if a["action_id"] == action_id.strip()]
    if not found:
        raise InputError(action_id, "no such action in the register", hint="see `auditor actions list`",
                         ja="この是正処置は管理表にありません", hint_ja="auditor actions list で一覧を表示できます")
    return found[0]


def owner_of(a: dict) -> str:
    """The person who answers for the action, or its department's role when none was named."""
    return a.get("owner") or f"{a.get('owner_role') or ''}（{a.get('department_name') or a.get('department_code') or ''}）"


def register_record(a: dict, db: str) -> Record:
    """An action as a corrective_actions record, so CA-01..03 can read the register."""
    fields = {"action_id": a["action_id"], "finding_id": a["finding_id"], "unit": a["department_code"],
              "item": a.get("item"), "owner": owner_of(a), "due_on": a["due_on"], "status": a["status"],
              "completed_on": a["completed_on"], "verified_on": a["verified_on"], "verified_by": a["verified_by"],
              "extended_to": a["extended_to"]}
    return Record("corrective_actions", fields, db, None)


def state(actions: list[dict], trend: list[dict]) -> dict:
    """The register state a run read (its actions and earlier years' rates), by a digest of the rows
    themselves: the database file changes with every import, so its bytes say nothing of what was used."""
    rows = {"actions": actions,
            "trend": [dict(t, rates=sorted(t["rates"].values(), key=lambda r: (r["scope"], r["key"]))) for t in trend]}
    digest = hashlib.sha256(json.dumps(rows, default=str, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return {"source": "history database", "actions": len(actions),
            "fiscal_years": sorted({t["fiscal_year"] for t in trend} | {a["fiscal_year"] for a in actions}),
            "sha256": digest}


def as_evidence(ev, actions: list[dict], db: str):
    """The evidence with the register standing in for a missing corrective_actions file."""
    recs = [register_record(a, db) for a in actions]
    digest = hashlib.sha256(json.dumps([r.fields for r in recs], default=str, ensure_ascii=False).encode()).hexdigest()
    entry = EvidenceFile(db, "corrective_actions", "auditor（是正処置の登録簿 / action register）", None, digest, len(recs))
    data = Dataset.from_records("corrective_actions", kinds.spec("corrective_actions").fields, recs)
    return dataclasses.replace(ev, files=ev.files + (entry,), datasets={**ev.datasets, "corrective_actions": data})


def follow_up(run, issued: dt.date) -> tuple[list[dict], list[dict]]:
    """(this audit's actions, earlier actions with their state): what the report shows and --record keeps.

    Earlier actions are the corrective_actions evidence rows and the register's rows of earlier
    fiscal years; pdca.plan gives every open finding one action (carried over or new).
    """
    ev, settings = run.evidence, run.policy.settings
    cycle = getattr(run, "cycle", None) or pdca.Cycle()
    findings = [{"id": f.id, "control_id": f.control_id, "severity": f.severity, "status": f.status,
                 "department": {"code": f.department_code, "name": f.department}
                 if f.department_code or f.department else None}
                for r in run.results for f in r.findings]
    filed = [dict(rec.fields, file=rec.file, line=rec.line, source="evidence")
             for rec in ev.datasets.get("corrective_actions", []) if rec.file != cycle.db_file]
    db_name = Path(cycle.db).name if cycle.db else ""
    earlier = filed + [dict(a, file=db_name, line=None) for a in cycle.register_rows]
    rechecked = {r.control_id for r in run.results if r.status in pdca.RECHECKED}
    questioned: dict = {}  # action ID -> open findings of this audit about it (CA-03: its check was improper)
    for r in run.results:
        for f in r.open_findings():
            if f.subject.get("action_id"):
                questioned.setdefault(f.subject["action_id"], []).append(f.id)
    previous = pdca.previous_actions(earlier, {f["id"] for f in findings}, ev.as_of, rechecked, questioned)
    actions = pdca.plan(findings, previous, issued, settings["due_days"], settings["owner_role"],
                        ev.fiscal_year.year, cycle.recurred)
    return actions, previous


def with_text(run, actions: list[dict]) -> list[dict]:
    """New actions with what the register keeps besides: message and item of their finding."""
    by_id = {f.id: f for r in run.results for f in r.findings}
    out = []
    for a in actions:
        f = by_id[a["finding_id"]]
        out.append({**a, "message": dict(f.message), "item": f.subject.get("item")})
    return out


def for_run(run, issued: dt.date) -> list[dict]:
    """This run's new actions (status new: findings with no open action) with message and item."""
    actions, _ = follow_up(run, issued)
    return with_text(run, [a for a in actions if a["status"] == "new"])


def _same_person(a, b) -> bool:
    def key(s):
        return "".join(unicodedata.normalize("NFKC", str(s or "")).split()).casefold()
    return bool(key(a)) and key(a) == key(b)


def in_department(a: dict, department: str | None) -> bool:
    if not department:
        return True
    want = normalize.nfkc(department)
    return want in (normalize.nfkc(a.get("department_code") or ""), normalize.nfkc(a.get("department_name") or ""))


def listing(con, department=None, status=None, overdue: bool = False, as_of: dt.date | None = None) -> list[dict]:
    """Actions filtered by department (code or name), status, and overdue at as_of (default today)."""
    as_of = as_of or dt.date.today()
    if status and status not in STATUSES:
        raise InputError("--status", f"unknown status '{status}'", hint="choose " + ", ".join(STATUSES),
                         ja=f"状況「{status}」はありません", hint_ja="次から選んでください: " + "、".join(STATUSES))
    everything = rows(con)
    if department and not any(in_department(a, department) for a in everything):
        raise InputError("--department", f"no action of department {department} in the register",
                         hint="give a unit code or name as in `auditor actions list`",
                         ja=f"所属 {department} の是正処置は管理表にありません",
                         hint_ja="auditor actions list に出る所属のコードか名称を指定してください")
    out = []
    for a in everything:
        a["overdue"] = pdca.is_overdue(a, as_of)  # done is not overdue: only the check is pending
        if in_department(a, department) and (not status or a["status"] == status) and (not overdue or a["overdue"]):
            out.append(a)
    return out


def events(con, action_id: str) -> list[dict]:
    return [dict(r) | {"changes": json.loads(r["changes"])} for r in con.execute(
        "SELECT at, by, event, source, changes, note FROM action_events WHERE action_id = ? ORDER BY id", (action_id,))]


def apply(con, changes: list[dict], by: str, source: str) -> int:
    """Apply validated changes ({action_id, set: {field: value}}) in one transaction."""
    with history.transaction(con):
        for c in changes:
            _update(con, c["action_id"], c["set"], c["old"], by, "import", source, c.get("note"))
    return len(changes)


def _update(con, action_id, values: dict, old: dict, by, kind, source, note=None) -> None:
    stamp = history.now()
    sets = ", ".join(f"{k} = ?" for k in values)
    con.execute(f"UPDATE actions SET {sets}, updated_at = ? WHERE action_id = ?",
                [history._text(v.isoformat() if isinstance(v, dt.date) else v) for v in values.values()]
                + [stamp, action_id])
    diff = {k: [_iso(old.get(k)), _iso(v)] for k, v in values.items()}
    history.event(con, action_id, by, kind, source, diff, note, at=stamp)


def verify(con, action_id: str, by: str, on: dt.date, note: str | None = None, effective: bool = True) -> dict:
    """Close a done action after its effectiveness check, or send it back (effective=False)."""
    a = get(con, action_id)
    if a["status"] not in CHECKABLE:
        state = LABELS["en"][a["status"]]
        raise InputError(action_id, f"the action is {state}: only a done action or one resolved, awaiting "
                                    "verification can be checked",
                         hint="the department reports completion first (actions export / actions import)",
                         ja=f"この是正処置は{LABELS['ja'].get(a['status'], state)}です。有効性を確認できるのは、完了したもの"
                            "か、解消確認待ちのものだけです",
                         hint_ja="先に所属から完了の報告を受けてください（actions export / actions import）")
    if _same_person(by, a.get("owner")) or _same_person(by, _completed_by(con, action_id)):
        raise InputError(action_id, f"{by} owns the action or reported it done: the effectiveness check "
                               "must be made by someone else (ISO/IEC 27001 10.2 d)",
                         hint="ask the CISO office or another officer to verify it",
                         ja=f"{by} はこの是正処置の担当者か完了の報告者です。有効性の確認は別の人が行います"
                            "（ISO/IEC 27001 10.2 d）", hint_ja="CISO の担当課か別の職員に確認を依頼してください")
    if a["completed_on"] and on < a["completed_on"]:
        raise InputError(action_id, f"check date {on} is before the completion date {a['completed_on']}",
                         hint="give --on the day the effectiveness was checked",
                         ja=f"確認日 {on} が完了日 {a['completed_on']} より前です", hint_ja="--on に有効性を確認した日を指定してください")
    if on > dt.date.today():
        raise InputError(action_id, f"check date {on} is in the future", hint="give --on the day of the check",
                         ja=f"確認日 {on} が未来の日付です", hint_ja="--on に確認した日を指定してください")
    values = {"status": "verified", "verified_on": on, "verified_by": by} if effective else \
        {"status": "in_progress", "completed_on": None}
    with history.transaction(con):
        _update(con, action_id, values, a, by, "verify" if effective else "ineffective", "actions verify", note)
    return get(con, action_id)


def _completed_by(con, action_id: str):
    """Who last reported the action done (the sheet's sender): they cannot check their own work."""
    done = [e["by"] for e in events(con, action_id) if (e["changes"].get("status") or [None, None])[1] == "done"]
    return done[-1] if done else None


def extend(con, action_id: str, to: dt.date, by: str, reason: str) -> dict:
    """Record an approved extension (延長承認) of an open action's due date."""
    a = get(con, action_id)
    if a["status"] == "verified":
        raise InputError(action_id, "the action is verified (closed): nothing to extend",
                         ja="この是正処置は有効性確認済み（終了）のため、延長できません")
    if to <= a["due_on"]:
        raise InputError(action_id, f"new date {to} is not after the due date {a['due_on']}", hint="give a later --to date",
                         ja=f"新しい期限 {to} が元の期限 {a['due_on']} より後ではありません", hint_ja="--to に後の日付を指定してください")
    with history.transaction(con):
        _update(con, action_id, {"extended_to": to}, a, by, "extend", "actions extend", reason)
    return get(con, action_id)


def _iso(v):
    return v.isoformat() if isinstance(v, dt.date) else v
