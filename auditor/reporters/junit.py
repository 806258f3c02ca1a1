"""JUnit XML for CI test dashboards: a test suite per area, a test case per control."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..model import AuditRun


def render(run: AuditRun, lang: str = "ja") -> str:
    suites = ET.Element("testsuites")
    timestamp = f"{run.evidence.as_of.isoformat()}T00:00:00"  # the audit date keeps output reproducible
    areas: dict = {}
    for r in run.results:
        areas.setdefault(r.control.area, []).append(r)
    for i, (area, results) in enumerate(areas.items()):
        counts = {"failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(suites, "testsuite", name=area, package="auditor", id=str(i), timestamp=timestamp,
                              hostname="auditor", tests=str(len(results)), time="0")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="fiscal_year", value=str(run.evidence.fiscal_year.year))
        ET.SubElement(props, "property", name="network_model", value=run.policy.network_model)
        for r in results:
            case = ET.SubElement(suite, "testcase", name=f"{r.control_id} {r.control.title[lang]}",
                                 classname=f"auditor.{area}", time="0")
            open_findings = r.open_findings()
            if open_findings:
                counts["failures"] += 1
                body = "\n".join(f"{f.id} [{f.department}] {f.message[lang]} ({_where(f)})" for f in open_findings)
                failure = ET.SubElement(case, "failure", type=r.control.severity,
                                        message=f"{len(open_findings)} finding(s)")
                failure.text = body
            elif r.status in ("no_evidence", "error", "stale"):
                counts["errors"] += 1
                ET.SubElement(case, "error", type=r.status, message=r.reason[lang] if r.reason else r.status)
            elif r.status == "not_applicable":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=r.reason[lang] if r.reason else "")
        for key, value in counts.items():
            suite.set(key, str(value))
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _where(f) -> str:
    return ", ".join(f"{l['file']}:{l['line']}" if l.get("line") else l["file"] for l in f.locations) or "—"
