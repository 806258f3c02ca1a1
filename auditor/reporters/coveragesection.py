"""The report's coverage: what the audit assessed next to the compliance rate, by chapter and by 省令
measure (Plan and Check), the same audit through ISO/IEC 27001 and NIST CSF 2.0, and the statement of
applicability (what the policy took out of scope, and why)."""
from __future__ import annotations

from ..engine import coverage
from .labels import labels


def _both(key: str, **values) -> dict:
    return {lang: labels()[lang]["text"][key].format(**values) for lang in ("ja", "en")}


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _code(department):
    return (department or {}).get("code")


def plan(run, department) -> dict | None:
    """What the audit map holds and how this run will assess it."""
    if run.framework is None:
        return None
    total = coverage.summary(run, _code(department))["total"]
    fw = run.framework
    return {"framework": {"id": fw.id, "title": dict(fw.title), "revision": fw.revision}, "total": total,
            "statement": _both("coverage_plan", items=total["applicable"], rules=total["rules"],
                               auditor=total["auditor"], not_assessed=total["not_assessed"])}


def check(run, department) -> dict | None:
    if run.framework is None:
        return None
    code = _code(department)
    chapters = coverage.summary(run, code, by="chapter")
    measures = coverage.summary(run, code, by="measure")
    total = chapters["total"]
    return {"total": total, "by_chapter": chapters["groups"], "by_measure": measures["groups"],
            "required_not_met": total["required_not_met"],
            "statement": _both("coverage_check", assessed=total["assessed"], items=total["applicable"],
                               not_assessed=total["not_assessed"], rate=_pct(total["rate"]),
                               assessed_rate=_pct(total["assessed_rate"])),
            "transition_note": _both("coverage_transition")}


def of_department(run, code: str) -> dict | None:
    """The audit items that concern one department: how many, assessed, not assessed."""
    if run.framework is None:
        return None
    total = coverage.summary(run, code)["total"]
    return {k: total[k] for k in ("applicable", "assessed", "not_assessed")}


def appendix(run, department) -> dict | None:
    if run.framework is None:
        return None
    code = _code(department)
    views = {}
    for view in ("iso27001", "nist-csf"):
        groups = coverage.summary(run, code, view=view)["groups"]
        views[view.replace("-", "_")] = [{"id": g["id"], "derived": g.get("derived", False), "items": g["items_ids"],
                                          "applicable": g["applicable"], "assessed": g["assessed"],
                                          "not_assessed": g["not_assessed"], "compliant": g["compliant"],
                                          "failed": g["failed"]} for g in groups]
    return {**views, "applicability": applicability(run, department)}


def applicability(run, department) -> list[dict]:
    """The statement of applicability (適用宣言書): every control and item the policy took out of scope,
    with the reason it gives (a reason is required: catalogue/policy.py)."""
    if department:
        return []
    out = []
    for r in run.results:
        c = r.control
        if not c.enabled:
            out.append({"id": c.id, "kind": "item" if c.manual else "control", "title": dict(c.title),
                        "reason": c.disabled_reason})
    return out
