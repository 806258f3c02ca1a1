"""OSCAL 1.1.3 plan-of-action-and-milestones (`auditor check --format oscal-poam`): the open follow-up actions.

One poam-item per action of the PDCA plan (every open finding has one: carried over from the register or
new), with its risk (status, deadline, the planned remediation and its due-date milestone), the finding it
answers and the observation of the control. UUIDs are those of assessment-results (oscal_ar.py) for the same
finding and control; a poam-item's UUID follows the finding's ID, so an action carried over to the next
fiscal year keeps its item. Due dates of new actions count from the audit's as-of date (the register's own
due date and extension, for a carried-over action). See docs/oscal.md.
"""
from __future__ import annotations

from ..cycle import register
from ..model import AuditRun
from . import oscal, oscal_ar

TEXT = {
    "ja": {"remediation": "{owner}が {due} までに是正する", "milestone": "是正期限 {due}",
           "item": "{cid} {title}: {fid} の是正", "carried": "前年度からの継続（{action}）",
           "previous": "再発: 前回の処置 {action}"},
    "en": {"remediation": "{owner} corrects it by {due}", "milestone": "Due {due}",
           "item": "{cid} {title}: correct {fid}", "carried": "carried over ({action})",
           "previous": "recurred: earlier action {action}"},
}
# register status (or the plan's) -> OSCAL risk status
RISK_STATUS = {"new": "open", "not_started": "open", "in_progress": "remediating", "carried_over": "remediating"}


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    return oscal.dumps(run, "plan-of-action-and-milestones", document(run, lang), lang)


def document(run: AuditRun, lang: str) -> dict:
    ev = run.evidence
    actions, _ = register.follow_up(run, ev.as_of)  # the plan `report` shows, issued on the as-of day
    results = {r.control_id: r for r in run.results}
    by_id = {f.id: (f, results[f.control_id]) for r in run.results for f in r.findings}
    risks, findings, items, observations = [], [], [], {}
    for a in actions:
        f, r = by_id[a["finding_id"]]
        observations.setdefault(r.control_id, oscal_ar.observation(run, r, lang))
        (finding,) = [x for x in oscal_ar.findings(run, r, lang) if x["uuid"] == oscal.finding_uuid(run, f.id)]
        risk = _risk(run, a, f, r, lang)
        finding["related-risks"] = [{"risk-uuid": risk["uuid"]}]
        risks.append(risk)
        findings.append(finding)
        items.append(_item(run, a, f, r, risk, finding, lang))
    doc = {
        "uuid": oscal.uid("poam", oscal.town(run), ev.fiscal_year.year),
        "metadata": oscal.metadata(run, "poam", lang),
        "system-id": {"identifier-type": oscal.NS, "id": oscal.town(run)},
    }
    if observations:
        doc["observations"] = list(observations.values())
    if risks:
        doc["risks"] = risks
        doc["findings"] = findings
    doc["poam-items"] = items
    resources = oscal.evidence_resources(run, lang)
    if resources:
        doc["back-matter"] = {"resources": resources}
    return doc


def _due(a: dict) -> str | None:
    return a.get("extended_to") or a.get("due_on")


def _action_props(a: dict, f) -> list[dict]:
    props = [oscal.prop("action-id", a["action_id"]), oscal.prop("finding-id", f.id),
             oscal.prop("action-status", a.get("register_status") or a["status"]),
             oscal.prop("severity", a["severity"]), oscal.prop("owner-role", a["owner_role"])]
    if a.get("due_on"):
        props.append(oscal.prop("due-on", a["due_on"]))
    if a.get("extended_to"):
        props.append(oscal.prop("extended-to", a["extended_to"]))
    dept = a.get("department") or {}
    if dept.get("name") or dept.get("code"):
        props.append(oscal.prop("department", dept.get("name") or dept.get("code")))
    if a.get("fiscal_year"):
        props.append(oscal.prop("fiscal-year", a["fiscal_year"]))
    return props


def _risk(run: AuditRun, a: dict, f, r, lang: str) -> dict:
    t, c = TEXT[lang], r.control
    due = _due(a)
    status = RISK_STATUS.get(a.get("register_status") or a["status"], "open")
    risk = {"uuid": oscal.uid("risk", oscal.town(run), f.id), "title": f"{f.id} {c.title[lang]}",
            "description": f.message[lang], "statement": c.requirement[lang],
            "props": [*_action_props(a, f), *oscal.iso_props(run, c)], "status": status,
            "related-observations": [{"observation-uuid": oscal_ar.observation_uuid(run, c.id)}]}
    if due:
        risk["deadline"] = oscal.day_end(_date(due))
    remediation = {"uuid": oscal.uid("remediation", oscal.town(run), f.id), "lifecycle": "planned",
                   "title": a["action_id"],
                   "description": t["remediation"].format(owner=a["owner_role"], due=due or "—")}
    if due:
        remediation["tasks"] = [{"uuid": oscal.uid("milestone", oscal.town(run), f.id, due), "type": "milestone",
                                 "title": t["milestone"].format(due=due),
                                 "timing": {"on-date": {"date": oscal.day_end(_date(due))}}}]
    risk["remediations"] = [remediation]
    return risk


def _item(run: AuditRun, a: dict, f, r, risk: dict, finding: dict, lang: str) -> dict:
    t, c = TEXT[lang], r.control
    notes = []
    if a["status"] == "carried_over":
        notes.append(t["carried"].format(action=a["action_id"]))
    if a.get("previous_action_id"):
        notes.append(t["previous"].format(action=a["previous_action_id"]))
    item = {"uuid": oscal.uid("poam-item", oscal.town(run), f.id),
            "title": t["item"].format(cid=c.id, title=c.title[lang], fid=f.id),
            "description": f.message[lang], "props": _action_props(a, f),
            "related-findings": [{"finding-uuid": finding["uuid"]}],
            "related-observations": [{"observation-uuid": oscal_ar.observation_uuid(run, c.id)}],
            "related-risks": [{"risk-uuid": risk["uuid"]}]}
    if notes:
        item["remarks"] = "; ".join(notes)
    return item


def _date(value):
    import datetime as dt

    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
