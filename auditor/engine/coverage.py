"""Coverage: what the audit assessed, item by item of the audit map, and the same seen by chapter,
section, 省令 measure, ISO/IEC 27001 Annex A control or NIST CSF 2.0 subcategory.

An item is assessed by rules (its controls were evaluated on evidence), answered by auditors (the
worksheet has an answer), both, or not at all (not_assessed). An unassessed item is never counted as
met: the item rate's denominator holds every applicable item.
"""
from __future__ import annotations

from ..model import AuditRun
from ..scoring import COMPLIANT, department_status

# Worst first: the status an item gets from the statuses of what assesses it.
_PRECEDENCE = ("fail", "error", "no_evidence", "stale", "not_assessed", "waived", "pass", "not_applicable")
_EVALUATED = ("pass", "fail", "waived")  # a rule's result that rests on evidence
VIEWS = ("guideline", "shorei", "iso27001", "nist-csf")


def _worst(statuses) -> str:
    present = [s for s in statuses if s is not None]
    return min(present, key=_PRECEDENCE.index) if present else "not_assessed"


def items(run: AuditRun, department: str | None = None) -> list[dict]:
    """One row per audit item: how it was assessed and with what result (for one department's view:
    the department-scoped items and every item's controls as they concern that department)."""
    fw = run.framework
    if fw is None:
        return []
    by_id = {r.control_id: r for r in run.results}
    secretariat = run.policy.secretariat
    overrides = run.policy.settings.get("items") or {}
    rows = []
    for item in fw.items:
        if overrides.get(item.id, {}).get("enabled", True) is False:  # the policy took it out of scope
            rows.append(_row(item, "not_applicable", "not_applicable", [], None,
                             {"ja": f"ポリシーで対象外: {overrides[item.id].get('reason')}",
                              "en": f"Out of scope in the policy: {overrides[item.id].get('reason')}"}))
            continue
        if department and item.scope != "department" and not item.controls:
            continue
        ctl = []
        for cid in item.controls:
            r = by_id.get(cid)
            st = None if r is None else (department_status(r, department, secretariat) if department else r.status)
            ctl.append({"id": cid, "status": st or ("not_evaluated" if r is None else None)})
        ctl = [c for c in ctl if c["status"] is not None]
        man = by_id.get(item.id) if item.manual else None
        man_status = None
        if man is not None:
            man_status = _manual_status(man, department, secretariat) if department else man.status
        if department and not ctl and man_status is None:
            continue
        rules = any(c["status"] in _EVALUATED for c in ctl)
        auditor = man_status in _EVALUATED  # 該当なし alone, or disabled in the policy: not applicable
        statuses = [c["status"] for c in ctl if c["status"] != "not_evaluated"] + ([man_status] if man_status else [])
        status = _worst(statuses)
        if all(s == "not_applicable" for s in statuses) and statuses:
            assessment = "not_applicable"
        elif rules and auditor:
            assessment = "both"
        elif rules or auditor:
            assessment = "rules" if rules else "auditor"
        else:
            assessment, status = "not_assessed", status if status in ("fail", "error", "no_evidence", "stale") else "not_assessed"
        rows.append(_row(item, assessment, status, ctl, man_status,
                         dict(man.reason) if man is not None and man.reason else None))
    return rows


def _row(item, assessment: str, status: str, ctl: list, man_status, reason) -> dict:
    return {"id": item.id, "title": dict(item.title), "chapter": item.chapter, "section": item.section,
            "measure": item.measure, "required": item.required, "scope": item.scope,
            "assessed_by": item.assessed_by, "assessment": assessment, "status": status,
            "controls": ctl, "manual_status": man_status, "refs": dict(item.refs), "reason": reason}


def _manual_status(result, code: str, secretariat) -> str | None:
    if code in result.unassessed:
        return "not_assessed"
    return department_status(result, code, secretariat) if code in result.departments or any(
        f.department_code == code for f in result.findings) else None


def _tally(rows: list[dict]) -> dict:
    applicable = [r for r in rows if r["assessment"] != "not_applicable"]
    compliant = sum(r["status"] in COMPLIANT for r in applicable)
    out = {"items": len(rows), "applicable": len(applicable), "required": sum(r["required"] for r in applicable),
           "rules": sum(r["assessment"] in ("rules", "both") for r in applicable),
           "auditor": sum(r["assessment"] in ("auditor", "both") for r in applicable),
           "assessed": sum(r["assessment"] != "not_assessed" for r in applicable),
           "not_assessed": sum(r["assessment"] == "not_assessed" for r in applicable),
           "not_applicable": len(rows) - len(applicable), "compliant": compliant,
           "failed": sum(r["status"] == "fail" for r in applicable),
           "rate": round(compliant / len(applicable), 4) if applicable else None,
           "assessed_rate": round(sum(r["assessment"] != "not_assessed" for r in applicable) / len(applicable), 4)
           if applicable else None}
    out["required_not_met"] = [r["id"] for r in applicable if r["required"] and r["status"] not in COMPLIANT]
    return out


def required_groups(groups: list, required_not_met: list) -> list | None:
    """[(group, its required items not met)] for the groups that have any, when the groups hold each of
    `required_not_met` exactly once (chapters, sections); None when they do not (an ISO view lists an item
    under several controls, a measure view leaves out the items of no measure): the flat list is shown."""
    pairs = [(g, sorted(g["required_not_met"], key=natural)) for g in groups if g.get("required_not_met")]  # GL1-02 before GL1-05
    held = [i for _, ids in pairs for i in ids]
    if len(held) != len(required_not_met) or sorted(held) != sorted(required_not_met):
        return None
    return pairs


def summary(run: AuditRun, department: str | None = None, by: str = "chapter", view: str = "guideline") -> dict:
    """{total, groups: [{id, title, ...tally}], items} for one grouping of the map."""
    rows = items(run, department)
    fw = run.framework
    groups = []
    if view == "shorei" or by == "measure":
        for m in fw.measures if fw else ():
            mine = [r for r in rows if r["measure"] == m.id]
            groups.append({"id": str(m.id), "title": dict(m.title), "transition": m.transition, **_tally(mine)})
    elif view in ("iso27001", "nist-csf"):
        key = "iso27001" if view == "iso27001" else "nist_csf"
        refs = sorted({ref for r in rows for ref in r["refs"].get(key, ())}, key=natural)
        for ref in refs:
            mine = [r for r in rows if ref in r["refs"].get(key, ())]
            groups.append({"id": ref, "title": None, "derived": key in (mine[0]["refs"].get("derived") or ()),
                           "items_ids": [r["id"] for r in mine], **_tally(mine)})
    elif by == "section":
        for s in fw.sections if fw else ():
            mine = [r for r in rows if r["section"] == s.id]
            if mine or not department:
                groups.append({"id": s.id, "title": dict(s.title), "chapter": s.chapter, **_tally(mine)})
    elif by == "chapter":
        for c in fw.chapters if fw else ():
            mine = [r for r in rows if r["chapter"] == c.id]
            if mine or not department:
                groups.append({"id": c.id, "title": dict(c.title), "measure": c.measure, **_tally(mine)})
    return {"framework": {"id": fw.id, "title": dict(fw.title), "revision": fw.revision} if fw else None,
            "view": view, "by": by, "department": department, "total": _tally(rows), "groups": groups, "items": rows}


def natural(ref: str):
    """A sort key that puts GL1-2 before GL1-10 and 5.9 before 5.10."""
    import re
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ref)]
