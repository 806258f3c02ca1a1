"""SARIF 2.1.0 for code-scanning dashboards: one rule per control, one result per finding.

Locations are repository-relative (GitHub maps them onto files only then); waived findings carry a
suppression with the exception's reason; with a baseline every result says new or unchanged.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..privacy import mynumber
from ..model import AuditRun
from . import evidence_path, repo_path

LEVELS = {"major": "error", "minor": "warning", "observation": "note"}
# GitHub ranks security alerts by this score: 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"major": "8.0", "minor": "5.0", "observation": "2.0"}
# The rules are exact checks over records; what can be wrong is the evidence, hence not "very-high".
PRECISION = "high"
SOURCE = {"ja": "出典", "en": "Source"}
PERIOD = {"ja": "{start}〜{end}", "en": "{start} to {end}"}
SRCROOT = "%SRCROOT%"


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    rules, index = [], {}
    for r in run.results:
        index[r.control_id] = len(rules)
        rules.append(_rule(r, lang))
    exception_lines = {e.id: e.line for e in run.policy.exceptions}
    results = []
    for r in run.results:
        for f in r.findings:
            result = {"ruleId": f.control_id, "ruleIndex": index[f.control_id], "kind": "fail",
                      "level": LEVELS[f.severity], "message": {"text": f.message[lang]},
                      "locations": [_location(evidence_path(run, loc), loc.get("line")) for loc in f.locations]
                      or [_location(evidence_path(run, None))],
                      "partialFingerprints": {"findingId/v1": f.id},
                      "properties": {"department": f.department, "department_code": f.department_code,
                                     "severity": f.severity, "status": f.status}}
            if baseline is not None:
                result["baselineState"] = baseline.state(f)
                result["properties"]["baselined"] = baseline.covers(f)
            if f.status == "waived":
                result["suppressions"] = [_suppression(f.exception, run, exception_lines.get(f.exception["id"]), lang)]
            results.append(result)
        if r.status in ("no_evidence", "error"):  # the gate fails on these: show them where the findings are
            result = {"ruleId": r.control_id, "ruleIndex": index[r.control_id], "kind": "fail",
                      "level": LEVELS[r.control.severity], "message": {"text": r.reason[lang]},
                      "locations": [_location(evidence_path(run, None))],
                      "partialFingerprints": {"findingId/v1": f"{r.control_id}:{r.status}"},
                      "properties": {"severity": r.control.severity, "status": r.status}}
            if baseline is not None:
                known = baseline.covers_result(r)
                result["baselineState"] = "unchanged" if known else "new"
                result["properties"]["baselined"] = known
            results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "auditor", "version": __version__, "rules": rules}},
            "originalUriBaseIds": {SRCROOT: {"description": {
                "text": "The folder auditor ran in: the repository root in CI / auditor を実行したフォルダ"}}},
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"organisation": run.policy.organisation[lang], "fiscal_year": run.evidence.fiscal_year.year,
                           **({"baseline": baseline.path} if baseline is not None else {})},
        }],
    }
    return mynumber.dumps(doc, items=len(doc["runs"][0]["results"]))  # policy text, file names too


def _rule(r, lang: str) -> dict:
    c = r.control
    text = "\n\n".join(f"{c.title[l]}\n{c.requirement[l]}" for l in ("ja", "en"))
    markdown = "\n\n".join(f"**{c.title[l]}**\n\n{c.requirement[l]}" for l in ("ja", "en"))
    source = f"{SOURCE['ja']} / {SOURCE['en']}: {c.source}"
    return {"id": c.id, "name": c.id.replace("-", ""),
            "shortDescription": {"text": c.title[lang]},
            "fullDescription": {"text": c.requirement[lang]},
            "help": {"text": f"{text}\n\n{source}", "markdown": f"{markdown}\n\n{source}"},
            "defaultConfiguration": {"level": LEVELS[c.severity]},
            "properties": {"tags": ["security", "compliance", c.area], "precision": PRECISION,
                           "security-severity": SECURITY_SEVERITY[c.severity], "problem.severity": LEVELS[c.severity],
                           "area": c.area, "source": c.source, "status": r.status}}


def _suppression(exc: dict, run: AuditRun, line, lang: str) -> dict:
    # The approver is left out: SARIF goes to a dashboard that more people read than the policy.
    period = PERIOD[lang].format(start=exc["from"], end=exc["to"])
    suppression = {"kind": "external", "status": "accepted",
                   "justification": f"{exc['id']}: {exc['reason']} ({period})",
                   "properties": {"exception_id": exc["id"], "reason": exc["reason"], "from": exc["from"], "to": exc["to"]}}
    if run.policy.path:  # where the exception is written down
        suppression["location"] = _location(repo_path(run.policy.path), line)
    return suppression


def _location(path: str, line=None) -> dict:
    if Path(path).is_absolute():  # outside the repository: a file URI, which takes no base ID
        artifact = {"uri": Path(path).as_uri()}
    else:
        artifact = {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}
    physical = {"artifactLocation": artifact}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}
