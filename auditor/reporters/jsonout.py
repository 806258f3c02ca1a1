"""Machine-readable results: the document CI and other tools read (DESIGN.md, 'Interfaces')."""
from __future__ import annotations


from .. import __version__
from ..engine import coverage
from ..evidence import integrity
from ..privacy import mynumber
from ..model import AuditRun, Finding, Result


def finding_dict(f: Finding, lang: str, baseline=None) -> dict:
    return {"id": f.id, "control_id": f.control_id, "severity": f.severity, "status": f.status,
            "baselined": baseline is not None and baseline.covers(f),
            "department": f.department, "department_code": f.department_code,
            "message": f.message[lang], "messages": f.message, "locations": f.locations,
            "subject": f.subject, "exception": f.exception}


def result_dict(r: Result, lang: str, baseline=None) -> dict:
    c = r.control
    return {"control_id": c.id, "title": c.title, "area": c.area, "severity": c.severity, "status": r.status,
            "kind": "item" if c.manual else "control",
            "baselined": baseline is not None and baseline.covers_result(r),
            "reason": r.reason[lang] if r.reason else None, "source": c.source, "checked": r.checked,
            "departments": [{"code": code, **counts} for code, counts in sorted(r.departments.items())],
            "findings": [finding_dict(f, lang, baseline) for f in r.findings],
            "notices": [{"code": n["code"], "level": n["level"], "message": n["message"][lang],
                         "messages": n["message"], "files": n["files"]} for n in r.notices]}


def summary(run: AuditRun, baseline=None) -> dict:
    """controls and statuses count the rule-based controls; items and item_statuses the audit items
    auditors answer (engine/manual.py)."""
    by_status, by_item = {}, {}
    for r in run.results:
        counts = by_item if r.control.manual else by_status
        counts[r.status] = counts.get(r.status, 0) + 1
    open_by_sev = {"major": 0, "minor": 0, "observation": 0}
    waived = baselined = 0
    for r in run.results:
        for f in r.findings:
            if f.status == "open":
                open_by_sev[f.severity] += 1
                baselined += baseline is not None and baseline.covers(f)
            else:
                waived += 1
    # open_findings counts every open finding; baselined_findings says how many of them the gate ignores;
    # statuses counts every no_evidence control, baselined_no_evidence those the gate ignores
    missing = sum(baseline is not None and baseline.covers_result(r) for r in run.results)
    return {"controls": sum(not r.control.manual for r in run.results), "statuses": by_status,
            "items": sum(r.control.manual for r in run.results), "item_statuses": by_item, "open_findings": open_by_sev,
            "waived_findings": waived, "baselined_findings": baselined, "baselined_no_evidence": missing}


def coverage_dict(run: AuditRun) -> dict | None:
    """The audit map's coverage: totals, by chapter, by 省令 measure, and every item (engine/coverage.py)."""
    if run.framework is None:
        return None
    by_chapter = coverage.summary(run, by="chapter")
    by_measure = coverage.summary(run, by="measure")
    return {"framework": by_chapter["framework"], "total": by_chapter["total"],
            "by_chapter": by_chapter["groups"], "by_measure": by_measure["groups"], "items": by_chapter["items"]}


def document(run: AuditRun, lang: str, baseline=None) -> dict:
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
        "summary": summary(run, baseline),
        "baseline": {"path": baseline.path, "known_findings": len(baseline.known),
                     "known_no_evidence": sorted(baseline.missing)} if baseline is not None else None,
        "results": [result_dict(r, lang, baseline) for r in run.results],
        "coverage": coverage_dict(run),
        "exceptions": [{"id": e["exception"].id, "control": e["exception"].control, "state": e["state"],
                        "findings_waived": e["used"], "problem": e["exception"].problem,
                        "to": e["exception"].end.isoformat() if e["exception"].end else None}
                       for e in run.exceptions],
        "my_number_notices": [l.as_dict() for l in ev.my_numbers],
        "unknown_units": [dict(loc.as_dict(), value=value, rows=n) for loc, value, n in ev.unknown_units],
        "evidence_notices": [{"code": n["code"], "level": n["level"], "file": n["file"], "line": n["line"],
                              "message": n["message"][lang], "messages": n["message"]} for n in ev.notices],
        "cleaned_values": [dict(loc.as_dict(), column=label, field=field, removed=list(chars), empty=emptied, rows=n,
                                lines=list(at)) for loc, label, field, chars, emptied, n, at in ev.cleaned],
        "evidence": [{"path": f.path, "kind": f.kind, "provided_by": f.provided_by,
                      "collected_on": f.collected_on.isoformat() if f.collected_on else None,
                      "records": f.records, "sha256": f.sha256} for f in ev.files],
        "integrity": integrity.block(run),  # `auditor verify` checks the evidence against it later
    }


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    # masked again as a whole: policy text and file names reach this document unread by evidence.py
    return mynumber.dumps(document(run, lang, baseline), items=sum(len(r.findings) for r in run.results))
