"""Follow-up (Act): an action for every open finding, and the state of last cycle's actions.

Plain functions over plain data (dicts and dates), so that the rules can be tested alone.
"""
from __future__ import annotations

import datetime as dt

# Register statuses that mean the work is done; everything else is still open.
CLOSED = frozenset({"completed", "verified", "done", "closed"})
STATES = ("closed", "open", "overdue", "recurred")
_SEVERITY_ORDER = {"major": 0, "minor": 1, "observation": 2}


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
    if is_closed(action):
        return False
    due, extended = action.get("due_on"), action.get("extended_to")
    if due is None or due >= as_of:
        return False
    return not (extended is not None and extended >= as_of)


def state(action: dict, current_finding_ids, as_of: dt.date) -> str:
    """closed, open, overdue, or recurred (its finding was raised again in this run)."""
    if action.get("finding_id") in current_finding_ids:
        return "recurred"
    if is_closed(action):
        return "closed"
    return "overdue" if is_overdue(action, as_of) else "open"


def previous_actions(records: list[dict], current_finding_ids, as_of: dt.date) -> list[dict]:
    """Last cycle's register rows with their state at as_of, in register order of action ID."""
    ids = set(current_finding_ids)
    out = []
    for r in records:
        out.append({**r, "state": state(r, ids, as_of), "overdue": is_overdue(r, as_of)})
    out.sort(key=lambda a: (str(a.get("action_id") or ""), str(a.get("finding_id") or "")))
    return out


def count_states(previous: list[dict]) -> dict:
    counts = {s: 0 for s in STATES}
    for a in previous:
        counts[a["state"]] += 1
    return counts
