"""The PDCA report document: what a report holds, built once per audience.

Every report format renders this one document, so they cannot disagree. A department's document
holds only its own findings, actions and statuses; auditor/reporters/redact.py scrubs it before any
format renders it.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import __version__, filenames
from ..evidence import integrity
from ..cycle import pdca, register
from ..engine.evaluate import enum_label
from ..model import MODEL_LABELS
from ..model import AuditRun, Result
from ..scoring import COMPLIANT, department_status, departments, rated
from . import byunit, coveragesection, deptappendix, summary, trendsection
from .labels import labels

SEVERITIES = ("major", "minor", "observation")


def _both(key: str, **values) -> dict:
    return {lang: labels()[lang]["text"][key].format(**values) for lang in ("ja", "en")}


def _rate(compliant: int, evaluated: int) -> dict:
    return {"evaluated": evaluated, "compliant": compliant,
            "rate": round(compliant / evaluated, 4) if evaluated else None}


def _finding(f, control, recurred: dict) -> dict:
    dept = {"code": f.department_code, "name": f.department} if f.department_code or f.department else None
    return {"id": f.id, "control_id": f.control_id, "control_title": dict(control.title), "severity": f.severity,
            "status": f.status, "department": dept, "message": dict(f.message),
            "locations": [{"file": l["file"], "line": l.get("line")} for l in f.locations],
            "exception": dict(f.exception) if f.exception else None,
            "recurred": dict(recurred[f.id]) if f.id in recurred else None}


def _counts(findings: list[dict]) -> dict:
    out = {s: 0 for s in SEVERITIES}
    for f in findings:
        if f["status"] == "open":
            out[f["severity"]] += 1
    out["waived"] = sum(1 for f in findings if f["status"] == "waived")
    return out


def _area_rows(pairs) -> list[dict]:
    """pairs: (area, status) for evaluated controls; one row per area in first-seen order."""
    rows: dict = {}
    for area, status in pairs:
        row = rows.setdefault(area, [0, 0])
        row[0] += 1
        row[1] += status in COMPLIANT
    out = []
    for area, (evaluated, compliant) in rows.items():
        label = labels()["areas"].get(area, {"ja": area, "en": area})
        out.append({"area": area, "label": dict(label), **_rate(compliant, evaluated)})
    return out


def document(run: AuditRun, issued: dt.date, department: dict | None = None) -> dict:
    """The whole report for the organisation (department=None) or one department ({code, name})."""
    code = department["code"] if department else None
    recurred = _cycle(run).recurred
    all_findings = [_finding(f, r.control, recurred) for r in run.results for f in r.findings]
    findings = [f for f in all_findings if not department or (f["department"] or {}).get("code") == code]
    findings.sort(key=lambda f: (SEVERITIES.index(f["severity"]), f["status"] != "open", f["control_id"], f["id"]))
    audience = [department] if department else departments(run)
    plan = dict(_plan(run, audience), coverage=coveragesection.plan(run, department))
    check = dict(_check(run, department, findings, all_findings, audience), coverage=coveragesection.check(run, department))
    act = _act(run, issued, code, findings)
    do, appendix = _do(run), coveragesection.appendix(run, department)
    if department:  # the appendices keep the rows its Check shows; the organisation's report has the rest
        shown = {r["control_id"] for r in check["results"]}
        plan = deptappendix.plan(plan, shown)
        do = deptappendix.do(do, run, shown, department)
        appendix = deptappendix.appendix(appendix, run)
    return {
        # 2: audit items, coverage, appendix; 3: summary, a department's results only those that concern it;
        # 4: a department's appendices too (plan.controls_left_out, do.evidence_left_out, appendix.rows_left_out)
        "schema_version": 4,
        "tool": {"name": "auditor", "version": __version__},
        "scope": {"kind": "department" if department else "organisation", "department": department},
        "cover": _cover(run, issued),
        "summary": summary.section(run, department, check, act, check.get("results_left_out")),
        "plan": plan,
        "do": do,
        "check": check,
        "act": act,
        "appendix": appendix,
        "integrity": integrity.block(run),  # `auditor verify` checks the evidence against it later
    }


def _cycle(run) -> pdca.Cycle:
    """What the run merged from the history database (an empty cycle for a plain AuditRun)."""
    return getattr(run, "cycle", None) or pdca.Cycle()


def _cover(run: AuditRun, issued: dt.date) -> dict:
    ev, pol, fy = run.evidence, run.policy, run.evidence.fiscal_year
    return {"organisation": dict(pol.organisation), "fiscal_year": fy.year,
            "fiscal_year_label": {"ja": fy.label_ja, "en": fy.label_en},
            "audit_type": dict(pol.settings["audit_type"]), "issued_on": issued.isoformat(),
            "as_of": ev.as_of.isoformat(), "policy_version": pol.version,
            "network_model": pol.network_model, "network_model_label": MODEL_LABELS[pol.network_model]}


def _plan(run: AuditRun, audience: list[dict]) -> dict:
    ev, pol, fy = run.evidence, run.policy, run.evidence.fiscal_year
    zones = [r.fields for r in ev.datasets.get("zones", [])]
    return {
        "objectives": _both("objectives", org_ja=pol.organisation["ja"], org_en=pol.organisation["en"]),
        "departments": [{"code": d["code"], "name": d["name"]} for d in audience],
        "systems": [{"zone": z.get("zone"), "label": enum_label("zone", z.get("zone") or "", "ja"),
                     "name": z.get("name"), "cidr": z.get("cidr")} for z in zones],
        "controls_in_scope": [_control(r.control) for r in run.results if r.status != "not_applicable"],
        "controls_out_of_scope": [{**_control(r.control), "reason": dict(r.reason) if r.reason else None}
                                  for r in run.results if r.status == "not_applicable"],
        "criteria": {"policy": {"file": filenames.printable(Path(pol.path).name), "version": pol.version, "sha256": pol.sha256},
                     "catalogue": {"controls": len(run.controls), "sha256": run.catalogue_sha256},
                     "framework": _framework(run.framework)},
        "period": {"start": fy.start.isoformat(), "end": fy.end.isoformat(), "as_of": ev.as_of.isoformat()},
    }


def _framework(fw) -> dict | None:
    """The audit map the run was read against: the shipped file by name, a town's by its own name."""
    if fw is None:
        return None
    return {"id": fw.id, "revision": fw.revision, "items": len(fw.items),
            "files": [{"file": Path(path).name, "sha256": digest} for path, digest in fw.files]}


def _do(run: AuditRun) -> dict:
    ev = run.evidence
    return {
        "evidence_root": filenames.printable(Path(ev.root).name),
        "evidence": [{"path": f.path, "kind": f.kind, "provided_by": f.provided_by, "collected_on": _iso(f.collected_on),
                      "records": f.records, "sha256": f.sha256} for f in ev.files],
        "missing": [{"control_id": r.control_id, "title": dict(r.control.title),
                     "kinds": [k for k in r.control.evidence if not ev.files_of(k)]}
                    for r in run.results if r.status == "no_evidence"],
        "sampling": _both("sampling"),
    }


def _check(run: AuditRun, department, findings: list[dict], all_findings: list[dict], audience) -> dict:
    code, secretariat = (department or {}).get("code"), run.policy.secretariat
    statuses = {r.control_id: (department_status(r, code, secretariat) if department else r.status)
                for r in run.results}
    evaluated = [r for r in rated(run) if statuses[r.control_id] not in (None, "not_applicable")]
    limited = [r for r in evaluated if statuses[r.control_id] in ("no_evidence", "stale", "error")]
    rate = _rate(sum(statuses[r.control_id] in COMPLIANT for r in evaluated), len(evaluated))
    counts = _counts(findings)
    org_eval = [r for r in rated(run) if r.status != "not_applicable"]
    dept_rows = []
    for d in audience:
        st = [s for s in (department_status(r, d["code"], secretariat) for r in rated(run))
              if s not in (None, "not_applicable")]
        mine = [f for f in all_findings if (f["department"] or {}).get("code") == d["code"]]
        dept_rows.append({"code": d["code"], "name": d["name"], **_rate(sum(s in COMPLIANT for s in st), len(st)),
                          "open": {k: v for k, v in _counts(mine).items() if k != "waived"},
                          "coverage": coveragesection.of_department(run, d["code"])})
    results = []
    for r in run.results:
        mine = [f for f in findings if f["control_id"] == r.control_id]
        excs = {f["exception"]["id"]: f["exception"] for f in mine if f["exception"]}
        results.append({"control_id": r.control_id, "title": dict(r.control.title), "area": r.control.area,
                        "severity": r.control.severity, "status": statuses[r.control_id],
                        "organisation_status": r.status, "reason": dict(r.reason) if r.reason else None,
                        "checked": _checked(r, code, secretariat),
                        "open_findings": sum(f["status"] == "open" for f in mine),
                        "waived_findings": sum(f["status"] == "waived" for f in mine),
                        "exceptions": [excs[k] for k in sorted(excs)],
                        # a department's report gets the notes; data-quality warnings (which quote keys of
                        # every department) go to the organisation's
                        "notices": [{"code": n["code"], "level": n["level"], "message": dict(n["message"])}
                                    for n in r.notices if not department or n["level"] == "info"],
                        **({} if department else
                           {"by_department": byunit.rows(r, audience, findings, secretariat, _checked)})})
    left_out = None
    if department:  # rows that say nothing about this department: the organisation's report has them
        kept = [r for r in results if r["status"] not in (None, "not_applicable")]
        left_out = {"count": len(results) - len(kept),
                    "not_applicable": sum(r["status"] == "not_applicable" for r in results)}
        results = kept
    return {
        "definition": _both("rate_definition"),
        "overall": rate,
        # a department sees the organisation only as numbers
        "organisation": ({**_rate(sum(r.status in COMPLIANT for r in org_eval), len(org_eval)),
                          "open": _counts(all_findings)} if department else None),
        "by_area": _area_rows((r.control.area, statuses[r.control_id]) for r in evaluated),
        "by_department": dept_rows,
        "findings_count": counts,
        "limited": [r.control_id for r in limited],
        "conclusion": _conclusion(rate, counts, limited),
        "results": results,
        **({"results_left_out": left_out} if left_out else {}),
        "findings": findings,
        "exceptions": _exceptions(run, findings, department),
        "trend": trendsection.section(run, department),
    }


def _act(run: AuditRun, issued: dt.date, code, findings: list[dict]) -> dict:
    ev, settings, cycle = run.evidence, run.policy.settings, _cycle(run)
    planned, earlier = register.follow_up(run, issued)  # the same plan --record keeps
    mine = {f["id"] for f in findings}
    previous = [_previous(a, ev) for a in earlier if code is None or a.get("unit") == code]
    db_name = Path(cycle.db).name if cycle.db else ""
    return {"actions": [a for a in planned if a["finding_id"] in mine],
            "due_days": dict(settings["due_days"]), "previous": previous,
            "previous_counts": pdca.count_states(previous),
            "register_provided": bool(ev.files_of("corrective_actions")) or cycle.db is not None,
            "register_db": db_name or None}


def _checked(r: Result, code, secretariat):
    """Records checked: all of them, or this department's (organisation-wide ones for the secretariat)."""
    if code is None:
        return r.checked
    if code in r.departments:
        return r.departments[code]["checked"]
    return r.checked if not r.departments and code == secretariat else None


def _control(c) -> dict:
    return {"id": c.id, "title": dict(c.title), "area": c.area, "severity": c.severity, "source": c.source}


def _iso(d):
    return d.isoformat() if isinstance(d, dt.date) else d


def _previous(a: dict, ev) -> dict:
    unit = a.get("unit")
    return {"action_id": a.get("action_id"), "finding_id": a.get("finding_id"),
            "department": {"code": unit, "name": ev.unit_name(unit)} if unit else None,
            "register_status": a.get("status"), "due_on": _iso(a.get("due_on")),
            "extended_to": _iso(a.get("extended_to")), "completed_on": _iso(a.get("completed_on")),
            "verified_on": _iso(a.get("verified_on")), "state": a["state"], "overdue": a["overdue"],
            "questioned_by": list(a.get("questioned_by") or []),
            "location": {"file": a["file"], "line": a["line"]}, "source": a.get("source", "evidence"),
            "fiscal_year": a.get("fiscal_year"), "severity": a.get("severity")}


def _exceptions(run: AuditRun, findings: list[dict], department) -> list[dict]:
    """Every policy exception with its state; a department sees only those touching its findings."""
    touched = {f["exception"]["id"] for f in findings if f["exception"]}
    notice = run.policy.settings.get("exception_notice_days", 30)
    out = []
    for e in run.exceptions:
        exc = e["exception"]
        if department and exc.id not in touched:
            continue
        out.append({"id": exc.id, "control": exc.control, "state": e["state"], "reason": exc.reason,
                    "approver": exc.approver, "from": _iso(exc.start), "to": _iso(exc.end),
                    "findings_waived": e["used"] if not department else
                    sum(1 for f in findings if f["status"] == "waived" and f["exception"]["id"] == exc.id),
                    "problem": exc.problem, "ends_in_days": _days_left(exc, run.evidence.as_of),
                    "ending_soon": e["state"] == "valid" and 0 <= _days_left(exc, run.evidence.as_of) <= notice})
    return out


def _days_left(exc, as_of: dt.date):
    return (exc.end - as_of).days if exc.end else None


def _conclusion(rate: dict, counts: dict, limited: list[Result]) -> dict:
    """Advisory (助言型) wording only: never a sentence that reads as assurance."""
    parts = [_both("advisory")]
    pct = "—" if rate["rate"] is None else f"{rate['rate'] * 100:.1f}%"
    parts.append(_both("result_summary", evaluated=rate["evaluated"], compliant=rate["compliant"], rate=pct,
                       major=counts["major"], minor=counts["minor"], observation=counts["observation"]))
    if not any(counts[s] for s in SEVERITIES):
        parts.append(_both("no_open_findings"))
    if limited:
        parts.append(_both("limited", n=len(limited), ids=", ".join(r.control_id for r in limited)))
    if any(counts[s] for s in SEVERITIES):
        parts.append(_both("request_plan"))
    return {lang: "".join(p[lang] if lang == "ja" else p[lang] + " " for p in parts).strip() for lang in ("ja", "en")}
