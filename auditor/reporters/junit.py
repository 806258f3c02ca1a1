"""JUnit XML for CI test dashboards: a test suite per area, a test case per control and department.

A case fails when it has open findings that are new (not in the baseline); the failure lists them
with evidence file and line. Cases whose open findings are all baselined are skipped, naming them.
Waived findings are listed in the suite's system-out.

Each case has the `file` (and, when known, `line`) attribute that GitLab, pytest's xunit1 and other CI
reporters link: the evidence file and line of its first finding (open first), else the first evidence
file the control reads, else the manifest; repository-relative, as in SARIF and the annotations.
Items not assessed and controls not applicable are skipped, never failures.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..privacy import mynumber, sanitize
from ..model import SEVERITIES, AuditRun
from . import evidence_path

TEXT = {
    "ja": {"org_wide": "組織全体", "failed": "未対応の指摘 {n} 件", "known": "既知（ベースライン）{n} 件",
           "known_tag": "既知", "waived": "免除 {id} {exc}: {reason}"},
    "en": {"org_wide": "organisation-wide", "failed": "{n} open finding(s)", "known": "{n} known (baseline)",
           "known_tag": "known", "waived": "waived {id} by {exc}: {reason}"},
}


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    t = TEXT[lang]
    known = baseline.covers if baseline is not None else (lambda f: False)
    suites = ET.Element("testsuites")
    timestamp = f"{run.evidence.as_of.isoformat()}T00:00:00"  # the audit date keeps output reproducible
    areas: dict = {}
    for r in run.results:
        areas.setdefault(r.control.area, []).append(r)
    for i, (area, results) in enumerate(areas.items()):
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(suites, "testsuite", name=area, package="auditor", id=str(i), timestamp=timestamp,
                              hostname="auditor", time="0")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="fiscal_year", value=str(run.evidence.fiscal_year.year))
        ET.SubElement(props, "property", name="network_model", value=run.policy.network_model)
        if baseline is not None:
            ET.SubElement(props, "property", name="baseline", value=baseline.path)
        waived = []
        for r in results:
            for department, findings in _cases(r, run, t):
                counts["tests"] += 1
                name = f"{r.control_id} {r.control.title[lang]}" + (f" [{department}]" if department else "")
                case = ET.SubElement(suite, "testcase", name=name, classname=f"auditor.{area}.{r.control_id}", time="0",
                                     **_where(run, r, findings))
                outcome = _outcome(case, r, findings, known, lang, baseline is not None and baseline.covers_result(r))
                if outcome:
                    counts[outcome] += 1
                waived += [t["waived"].format(id=f.id, exc=f.exception["id"], reason=f.exception["reason"])
                           for f in findings if f.status == "waived"]
        for key, value in counts.items():
            suite.set(key, str(value))
        ET.SubElement(suite, "system-out").text = "\n".join(waived)
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(suites)
    sanitize.xml_tree(suites)  # evidence text may hold characters XML 1.0 forbids
    return mynumber.mask('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n")


def _cases(r, run: AuditRun, t: dict) -> list:
    """(department name, its findings) for every department the control checked or found something in.

    A control that checks the organisation as a whole, or could not be evaluated, is one case (name None).
    """
    if r.status in ("not_applicable", "no_evidence", "error") or (r.status == "not_assessed" and not r.departments):
        return [(None, r.findings)]
    groups: dict = {code: [] for code in r.departments}
    for f in r.findings:
        groups.setdefault(f.department_code, []).append(f)
    if not groups:
        return [(None, [])]
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
    return [(run.evidence.unit_name(code) if code else t["org_wide"], findings) for code, findings in ordered]


def _where(run: AuditRun, r, findings: list) -> dict:
    """The case's file and line attributes: its first finding's location (an open one first), else the
    first evidence file the control reads, else the manifest (where missing evidence is listed)."""
    ordered = sorted(findings, key=lambda f: f.status != "open")
    loc = next((loc for f in ordered for loc in f.locations if loc.get("file")), None)
    if loc is None and r.status not in ("no_evidence", "error"):
        files = [p for kind in r.control.evidence for p in run.evidence.files_of(kind)]
        loc = {"file": files[0]} if files else None
    where = {"file": evidence_path(run, loc)}
    if loc and loc.get("line"):
        where["line"] = str(loc["line"])
    return where


def _outcome(case, r, findings: list, known, lang: str, known_missing: bool = False) -> str | None:
    """Adds failure, skipped or error to the case; returns the counter it bumps (None: passed)."""
    t = TEXT[lang]
    open_findings = [f for f in findings if f.status == "open"]
    new = [f for f in open_findings if not known(f)]
    if new:
        message = t["failed"].format(n=len(new))
        if len(new) < len(open_findings):
            message += f" + {t['known'].format(n=len(open_findings) - len(new))}"
        worst = min(new, key=lambda f: SEVERITIES.index(f.severity)).severity
        failure = ET.SubElement(case, "failure", type=worst, message=message)
        failure.text = "\n".join(_line(f, known(f), lang) for f in open_findings)
        return "failures"
    if open_findings:
        skipped = ET.SubElement(case, "skipped", message=t["known"].format(n=len(open_findings)))
        skipped.text = "\n".join(_line(f, True, lang) for f in open_findings)
        return "skipped"
    if known_missing:  # without evidence in the baseline too: known debt, like a known finding
        reason = r.reason[lang] if r.reason else r.status
        ET.SubElement(case, "skipped", message=f"{reason} ({t['known_tag']})")
        return "skipped"
    if r.status in ("no_evidence", "error", "stale"):
        ET.SubElement(case, "error", type=r.status, message=r.reason[lang] if r.reason else r.status)
        return "errors"
    if r.status in ("not_applicable", "not_assessed"):  # 未確認: shown, never a pass
        ET.SubElement(case, "skipped", message=r.reason[lang] if r.reason else r.status)
        return "skipped"
    return None


def _line(f, is_known: bool, lang: str) -> str:
    where = ", ".join(f"{l['file']}:{l['line']}" if l.get("line") else l["file"] for l in f.locations) or "—"
    tag = f" ({TEXT[lang]['known_tag']})" if is_known else ""
    return f"[{f.severity}]{tag} {f.id} {f.department or TEXT[lang]['org_wide']}: {f.message[lang]} ({where})"
