"""Machine-readable results: the document CI and other tools read (DESIGN.md, 'Interfaces')."""
from __future__ import annotations

import json

from .. import __version__
from ..model import AuditRun, Finding, Result


def finding_dict(f: Finding, lang: str) -> dict:
    return {"id": f.id, "control_id": f.control_id, "severity": f.severity, "status": f.status,
            "department": f.department, "department_code": f.department_code,
            "message": f.message[lang], "messages": f.message, "locations": f.locations,
            "subject": f.subject, "exception": f.exception}


def result_dict(r: Result, lang: str) -> dict:
    c = r.control
    return {"control_id": c.id, "title": c.title, "area": c.area, "severity": c.severity, "status": r.status,
            "reason": r.reason[lang] if r.reason else None, "source": c.source, "checked": r.checked,
            "departments": [{"code": code, **counts} for code, counts in sorted(r.departments.items())],
            "findings": [finding_dict(f, lang) for f in r.findings]}


def summary(run: AuditRun) -> dict:
    by_status = {}
    for r in run.results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    open_by_sev = {"major": 0, "minor": 0, "observation": 0}
    waived = 0
    for r in run.results:
        for f in r.findings:
            if f.status == "open":
                open_by_sev[f.severity] += 1
            else:
                waived += 1
    return {"controls": len(run.results), "statuses": by_status, "open_findings": open_by_sev,
            "waived_findings": waived}


def document(run: AuditRun, lang: str) -> dict:
    ev, pol = run.evidence, run.policy
    return {
        "tool": {"name": "auditor", "version": __version__},
        "organisation": pol.organisation,
        "fiscal_year": ev.fiscal_year.year,
        "fiscal_year_label": {"ja": ev.fiscal_year.label_ja, "en": ev.fiscal_year.label_en},
        "as_of": ev.as_of.isoformat(),
        "network_model": pol.network_model,
        "policy": {"path": pol.path, "version": pol.version, "sha256": pol.sha256},
        "catalogue_sha256": run.catalogue_sha256,
        "summary": summary(run),
        "results": [result_dict(r, lang) for r in run.results],
        "exceptions": [{"id": e["exception"].id, "control": e["exception"].control, "state": e["state"],
                        "findings_waived": e["used"], "problem": e["exception"].problem,
                        "to": e["exception"].end.isoformat() if e["exception"].end else None}
                       for e in run.exceptions],
        "my_number_notices": [l.as_dict() for l in ev.my_numbers],
        "unknown_units": [dict(loc.as_dict(), value=value, rows=n) for loc, value, n in ev.unknown_units],
        "evidence": [{"path": f.path, "kind": f.kind, "provided_by": f.provided_by,
                      "collected_on": f.collected_on.isoformat() if f.collected_on else None,
                      "records": f.records, "sha256": f.sha256} for f in ev.files],
    }


def render(run: AuditRun, lang: str = "ja") -> str:
    return json.dumps(document(run, lang), ensure_ascii=False, indent=2) + "\n"
