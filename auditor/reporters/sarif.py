"""SARIF 2.1.0 for code-scanning dashboards: one rule per control, one result per finding."""
from __future__ import annotations

import json

from .. import __version__
from ..model import AuditRun

LEVELS = {"major": "error", "minor": "warning", "observation": "note"}


def render(run: AuditRun, lang: str = "ja") -> str:
    rules, index = [], {}
    for r in run.results:
        c = r.control
        index[c.id] = len(rules)
        rules.append({"id": c.id, "name": c.id.replace("-", ""),
                      "shortDescription": {"text": c.title[lang]},
                      "fullDescription": {"text": c.requirement[lang]},
                      "defaultConfiguration": {"level": LEVELS[c.severity]},
                      "properties": {"area": c.area, "source": c.source, "status": r.status}})
    results = []
    for r in run.results:
        for f in r.findings:
            result = {"ruleId": f.control_id, "ruleIndex": index[f.control_id], "level": LEVELS[f.severity],
                      "message": {"text": f.message[lang]},
                      "locations": [_location(loc) for loc in f.locations] or [_location({"file": "manifest.yaml"})],
                      "partialFingerprints": {"findingId/v1": f.id},
                      "properties": {"department": f.department, "severity": f.severity}}
            if f.status == "waived":
                result["suppressions"] = [{"kind": "external", "status": "accepted",
                                           "justification": f"{f.exception['id']}: {f.exception['reason']}"}]
            results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "auditor", "version": __version__, "rules": rules}},
            "originalUriBaseIds": {"EVIDENCE": {"uri": _as_uri(run.evidence.root)}},
            "results": results,
            "properties": {"organisation": run.policy.organisation[lang], "fiscal_year": run.evidence.fiscal_year.year},
        }],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _location(loc: dict) -> dict:
    physical = {"artifactLocation": {"uri": loc["file"], "uriBaseId": "EVIDENCE"}}
    if loc.get("line"):
        physical["region"] = {"startLine": loc["line"]}
    return {"physicalLocation": physical}


def _as_uri(root: str) -> str:
    root = root.replace("\\", "/")
    return root if root.endswith("/") else root + "/"
