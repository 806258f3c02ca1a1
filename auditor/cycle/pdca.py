"""Follow-up (Act): an action for every open finding, and the state of last cycle's actions.

Plain functions over plain data (dicts and dates), so that the rules can be tested alone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Register statuses that mean the work is done; everything else is still open.
CLOSED = frozenset({"completed", "verified", "done", "closed"})
# Done and its effectiveness checked (ISO 27001 10.2 d): only these can recur.
VERIFIED = frozenset({"verified", "closed"})
# The audit no longer finds the action's finding; the effectiveness check is still to come.
PENDING = "resolved_pending_verification"
# Result statuses that looked at a control's evidence afresh: only then does a missing finding mean resolved.
RECHECKED = frozenset({"pass", "fail", "waived"})
STATES = ("closed", "resolved", "questioned", "open", "overdue", "recurred")
RAISED = {"observation": "minor", "minor": "major", "major": "major"}
RECURRED_MARK = {"ja": "【再発】", "en": "[Recurred] "}
_SEVERITY_ORDER = {"major": 0, "minor": 1, "observation": 2}


@dataclass
class Cycle:
    """What an audit run learnt from earlier cycles (auditor.engine.audit fills it, reports read it)."""
    db: str | None = None  # the history database the register was read from
    db_file: str | None = None  # the same, relative to the evidence root: the file of the records it feeds
    register_rows: list = field(default_factory=list)  # its actions from earlier fiscal years
    register_fed: bool = False  # CA-01..03 read the register (no corrective_actions evidence file)
    recurred: dict = field(default_factory=dict)  # finding id -> {action_id, from, to}
    trend: list = field(default_factory=list)  # history.trend(): earlier fiscal years' rates
    register_state: dict | None = None  # register.state(): what was read from the database, by content


def action_id(finding_id: str, fiscal_year: int) -> str:
    """Stable: the same finding in the same cycle always gets the same action ID.

    The cycle is part of it so that a finding that comes back next year gets a new action,
    linked to the old one through the finding ID.
    """
    return f"ACT-{fiscal_year}-{finding_id}"


def due_date(issued: dt.date, severity: str, due_days: dict) -> dt.date:
    return issued + dt.timedelta(days=int(due_days[severity]))


def new_actions(findings: list[dict], issued: dt.date, due_days: dict, owner_role: str,
                fiscal_year: int) -> list[dict]:
    """One action (status new) per open finding; waived findings need none.

    A finding is {id, control_id, severity, status, department: {code, name} | None}.
    """
    actions = []
    for f in findings:
        if f["status"] != "open":
            continue
        actions.append({"action_id": action_id(f["id"], fiscal_year), "finding_id": f["id"],
                        "control_id": f["control_id"], "severity": f["severity"],
                        "department": f.get("department"), "owner_role": owner_role,
                        "due_on": due_date(issued, f["severity"], due_days).isoformat(), "status": "new"})
    actions.sort(key=lambda a: (a["due_on"], _SEVERITY_ORDER.get(a["severity"], 9), a["action_id"]))
    return actions


def is_closed(action: dict) -> bool:
    return (action.get("status") or "") in CLOSED


def is_overdue(action: dict, as_of: dt.date) -> bool:
    """Open past its due date, unless an approved extension still runs at as_of."""
    return not is_closed(action) and action.get("status") != PENDING and _past_due(action, as_of)


def _past_due(action: dict, as_of: dt.date) -> bool:
    due, extended = action.get("due_on"), action.get("extended_to")
    if due is None or due >= as_of:
        return False
    return not (extended is not None and extended >= as_of)


def control_of(action: dict) -> str:
    """The control an action's finding belongs to (NS-04 for NS-04.placement:PC-0017)."""
    return (action.get("control_id") or str(action.get("finding_id") or "").split(":")[0]).split(".")[0]


def state(action: dict, current_finding_ids, as_of: dt.date, rechecked=None, questioned=()) -> str:
    """recurred, closed, questioned, resolved, overdue or open.

    recurred: verified, and its finding is raised again. closed: done and not found again; for the
    register's own actions (source "register") only a verified one is closed. questioned: it would be
    closed, but an open finding of this audit names it (a CA-03 check, say) -- it is not counted closed.
    resolved: a register action whose finding this audit no longer finds although its control was
    evaluated again (rechecked: control IDs), or one already resolved_pending_verification.
    An action reported done whose finding is still raised did not work: it counts as open again.
    """
    found = action.get("finding_id") in current_finding_ids
    status = action.get("status") or ""
    if found and status in VERIFIED:
        return "recurred"
    if not found:
        ours = action.get("source") == "register"
        if status in VERIFIED or (not ours and status in CLOSED):
            return "questioned" if action.get("action_id") in questioned else "closed"
        if status == PENDING or (ours and control_of(action) in (rechecked or ())):
            return "resolved"
        if status in CLOSED:
            return "open"  # done, but its control was not evaluated again: nothing says it worked
    return "overdue" if _past_due(action, as_of) else "open"


def recur(results, register: list[dict], fiscal_year: int) -> dict:
    """Raise by one level every open finding whose earlier action was verified; mark its message.

    register: rows from the corrective-action evidence and the database (with fiscal_year, oldest
    first); database rows of this same fiscal year do not count. Returns finding id -> what changed,
    naming the latest verified action (the one a new action follows).
    """
    verified = {}
    for a in register:
        if (a.get("status") or "") in VERIFIED and (a.get("fiscal_year") or 0) < fiscal_year:
            verified[a.get("finding_id")] = a.get("action_id")
    changed = {}
    for r in results:
        for f in r.open_findings():
            if f.id not in verified:
                continue
            changed[f.id] = {"action_id": verified[f.id], "from": f.severity, "to": RAISED[f.severity]}
            f.severity = RAISED[f.severity]
            f.message = {lang: RECURRED_MARK[lang] + text for lang, text in f.message.items()}
    return changed


def previous_actions(records: list[dict], current_finding_ids, as_of: dt.date, rechecked=None,
                     questioned=None) -> list[dict]:
    """Last cycle's register rows with their state at as_of, in register order of action ID.

    questioned: action ID -> the open findings of this audit that name it (see `state`).
    """
    ids, questioned = set(current_finding_ids), questioned or {}
    out = []
    for r in records:
        st = state(r, ids, as_of, rechecked, questioned)
        out.append({**r, "state": st, "overdue": st == "overdue",
                    "questioned_by": list(questioned.get(r.get("action_id"), ())) if st == "questioned" else []})
    out.sort(key=lambda a: (str(a.get("action_id") or ""), str(a.get("finding_id") or "")))
    return out


def plan(findings: list[dict], previous: list[dict], issued: dt.date, due_days: dict, owner_role: str,
         fiscal_year: int, recurred: dict | None = None) -> list[dict]:
    """One action per open finding: the open action it already has, carried over, or a new one.

    A carried-over action keeps its ID, status, due date and extension (status "carried_over",
    register_status its status). A new action of a recurred finding names the verified action it
    follows (previous_action_id). previous: `previous_actions` rows; the register's own actions
    are preferred, then the oldest.
    """
    holders: dict = {}
    order = sorted((a for a in previous if a["state"] in ("open", "overdue") and a.get("finding_id")),
                   key=lambda a: (a.get("source") != "register", a.get("fiscal_year") or 0, str(a.get("action_id"))))
    for a in order:
        holders.setdefault(a["finding_id"], a)
    recurred = recurred or {}
    out = []
    for f in findings:
        held = holders.get(f["id"]) if f["status"] == "open" else None
        if held is None:
            continue
        out.append({"action_id": held["action_id"], "finding_id": f["id"], "control_id": f["control_id"],
                    "severity": f["severity"], "department": f.get("department"),
                    "owner_role": held.get("owner_role") or owner_role, "due_on": _iso(held.get("due_on")),
                    "status": "carried_over", "register_status": held.get("status"),
                    "extended_to": _iso(held.get("extended_to")), "fiscal_year": held.get("fiscal_year"),
                    "previous_action_id": None})
    for a in new_actions([f for f in findings if f["id"] not in holders], issued, due_days, owner_role, fiscal_year):
        out.append({**a, "register_status": None, "extended_to": None, "fiscal_year": fiscal_year,
                    "previous_action_id": (recurred.get(a["finding_id"]) or {}).get("action_id")})
    out.sort(key=lambda a: (a["extended_to"] or a["due_on"] or "9999", _SEVERITY_ORDER.get(a["severity"], 9),
                            a["action_id"]))
    return out


def _iso(d):
    return d.isoformat() if isinstance(d, dt.date) else d


def count_states(previous: list[dict]) -> dict:
    counts = {s: 0 for s in STATES}
    for a in previous:
        counts[a["state"]] += 1
    return counts
