"""The approval block (決裁欄) the reports carry, and the reports of a run issued again with it.

The block is one part of the report document, `doc["approval"]`: the steps of the sign-off in the
policy's order, each with its role, name, date and the SHA-256 of the organisation's report.json
that step signed (None for a step not signed yet). Every format renders it from the document: the
Word file fills its 決裁欄, the HTML (and so the PDF) and Markdown reports show it under the cover,
report.json holds it as it is. A report without sign-off has no block (Word leaves its 決裁欄 blank).

After a signature, auditor/reporters/reissue.py issues the run's reports again with the block.
"""
from __future__ import annotations

from .. import fiscal
from ..privacy import mynumber
from .labels import labels

REPORT_JSON = "report.json"


def block(sigs: list[dict], rules, run_id: int | None) -> dict:
    """The document's approval part: one entry per step of rules.order, signed or not."""
    by_step = {s["step"]: s for s in sigs}
    steps = []
    for step in rules.order:
        s = by_step.get(step)
        org = next((f for f in (s or {}).get("files") or [] if f["path"] == REPORT_JSON), None)
        steps.append({"step": step, "role": s and s["role"], "name": s and mynumber.mask(s["name"]),
                      "on": s and s["approved_on"], "recorded_at": s and s.get("recorded_at"),
                      "report_sha256": org and org["approved_sha256"]})
    return {"run_id": run_id, "self_approval": rules.self_approval, "steps": steps,
            "complete": all(s["name"] for s in steps)}


def view(doc: dict, lang: str) -> dict | None:
    """What the HTML, Markdown and Word 決裁欄 print: column heads, then 職・氏名・日付 rows."""
    a = doc.get("approval")
    if not a:
        return None
    o = labels()["office"][lang]["approval"]
    roles = o.get("roles", {})
    steps = a["steps"]
    return {"title": o["title"], "columns": [o[s["step"]] for s in steps],
            "rows": [(o["role"], [roles.get(s["role"], s["role"]) if s["role"] else "" for s in steps]),
                     (o["name"], [s["name"] or "" for s in steps]),
                     (o["date"], [_date(s["on"], lang) for s in steps])],
            "complete": a["complete"], "status": o["complete" if a["complete"] else "partial"]}


def _date(iso, lang: str) -> str:
    if not iso:
        return ""
    import datetime as dt

    day = dt.date.fromisoformat(iso)
    return fiscal.wareki(day) if lang == "ja" else fiscal.label(day, "en")
