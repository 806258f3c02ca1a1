"""GitLab Code Quality JSON: one issue per open finding, for the merge-request widget.

GitLab itself compares the report of the source branch with the target branch's by fingerprint, so
the fingerprint depends only on the finding ID (stable across years) and baselined findings are
listed like the rest. Waived findings are accepted risk and not listed (the JSON and SARIF keep them).
"""
from __future__ import annotations

import hashlib

from ..privacy import mynumber
from ..model import AuditRun
from . import evidence_path

# A major gap fails the default gate: GitLab's "critical" sorts it above code-style "major" issues.
SEVERITY = {"major": "critical", "minor": "minor", "observation": "info"}
MORE = {"ja": "他の箇所", "en": "Other locations"}


def fingerprint(key: str) -> str:
    return hashlib.sha256(f"auditor:{key}".encode()).hexdigest()


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    issues = []
    for r in run.results:
        for f in r.open_findings():
            first = f.locations[0] if f.locations else None
            head = f"{f.control_id} {f.department}" if f.department else f.control_id
            issue = _issue(f.control_id, f"{head}: {f.message[lang]}", fingerprint(f.id), f.severity,
                           evidence_path(run, first), (first or {}).get("line"))
            if len(f.locations) > 1:
                others = ", ".join(f"{evidence_path(run, l)}:{l['line']}" if l.get("line") else evidence_path(run, l)
                                   for l in f.locations[1:])
                issue["content"] = {"body": f"{MORE[lang]}: {others}"}
            issues.append(issue)
        if r.status in ("no_evidence", "error"):  # the gate fails on these, so the widget shows them too
            reason = r.reason[lang] if r.reason else r.status
            issues.append(_issue(r.control_id, f"{r.control_id}: {reason}", fingerprint(f"{r.control_id}:{r.status}"),
                                 r.control.severity, evidence_path(run, None), None))
    # file names and policy text are masked too; fingerprints are our digests
    return mynumber.dumps(issues, keep=("fingerprint",), items=len(issues))


def _issue(check: str, description: str, fp: str, severity: str, path: str, line) -> dict:
    return {"type": "issue", "check_name": check, "description": description, "categories": ["Security"],
            "fingerprint": fp, "severity": SEVERITY[severity],
            "location": {"path": path, "lines": {"begin": line or 1}}}
