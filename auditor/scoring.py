"""Which results count as compliant, and a department's status for a result: the one definition that
the recorded rates (auditor/cycle/trend.py) and every report (auditor/reporters/document.py) share."""
from __future__ import annotations

from .model import AuditRun, Result

COMPLIANT = ("pass", "waived")


def rated(run: AuditRun) -> list[Result]:
    """The results the compliance rate counts: the controls. Audit items answered by auditors have their own
    rate in the coverage (engine/coverage.py), where an unanswered one counts as not met."""
    return [r for r in run.results if not r.control.manual]


def departments(run: AuditRun) -> list[dict]:
    """Every 課, plus any other unit that owns findings (the secretariat, a 部), by code."""
    units = run.evidence.units
    codes = {code for code, u in units.items() if u.get("level") == "課"}
    codes |= {f.department_code for r in run.results for f in r.findings if f.department_code}
    return [{"code": c, "name": run.evidence.unit_name(c) or c} for c in sorted(codes)]


def department_status(result: Result, code: str, secretariat: str | None) -> str | None:
    """This department's status for one control; None when the control says nothing about it.

    Controls that do not group by department are the secretariat's (the engine gives it their
    findings), so they count in its rate.
    """
    if result.status == "not_applicable":
        return "not_applicable"
    if code in result.unassessed:  # an audit item this department's auditors left unanswered
        return "not_assessed"
    mine = [f for f in result.findings if f.department_code == code]
    org_wide = not result.departments and code == secretariat
    if not (mine or code in result.departments or org_wide):
        return None
    if result.status in ("no_evidence", "error", "stale"):
        return result.status
    if result.status == "not_assessed" and not mine and code not in result.departments:
        return "not_assessed"  # never a pass for want of an answer
    if any(f.status == "open" for f in mine):
        return "fail"
    return "waived" if mine else "pass"
