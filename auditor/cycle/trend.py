"""Compliance rates of a run, as `--record` stores them (the report's trend reads them back:
auditor/reporters/trendsection.py).

The rate is the report's: compliant controls / evaluated controls, overall, by area, by department
and by department and area (so a department's own report can show its own trend).
"""
from __future__ import annotations

from .. import scoring


def rates(run) -> list[tuple]:
    """(scope, key, label, evaluated, compliant) rows: overall, area, department, department_area."""
    out = []
    results = scoring.rated(run)

    def add(scope, key, label, statuses):
        st = [s for s in statuses if s not in (None, "not_applicable")]
        out.append((scope, key, label, len(st), sum(s in scoring.COMPLIANT for s in st)))

    add("overall", "", None, [r.status for r in results])
    areas = list(dict.fromkeys(r.control.area for r in results))
    for area in areas:
        add("area", area, None, [r.status for r in results if r.control.area == area])
    secretariat = run.policy.secretariat
    for d in scoring.departments(run):
        per = [(r.control.area, scoring.department_status(r, d["code"], secretariat)) for r in results]
        add("department", d["code"], d["name"], [s for _, s in per])
        for area in areas:
            add("department_area", f"{d['code']}/{area}", None, [s for a, s in per if a == area])
    return [row for row in out if row[3] or row[0] == "overall"]
