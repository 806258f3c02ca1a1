"""SARIF 2.1.0 for code-scanning dashboards: one rule per control and per audit item, one result per finding.

Locations are repository-relative (GitHub maps them onto files only then); waived findings carry a
suppression with the exception's reason; with a baseline every result says new or unchanged.

What GitHub code scanning and the SARIF multitool's rules look for:
- `tool.driver` has fullName, informationUri, version, semanticVersion and language; each rule a
  Pascal-case `name` made from its English title;
- `automationDetails.id` is `auditor/FY2025/`, so that the analyses of two fiscal years are kept side by
  side (GitHub's category is the part before the last slash);
- `artifacts` lists the policy and every evidence file with its SHA-256 (`hashes`), and each location
  names its artifact's `index`;
- every location has a `region`: the finding's line, or line 1 for what concerns a whole file (a
  control without evidence points at the manifest, line 1), marked `"properties": {"wholeFile": true}`;
- `invocations` (when the CLI passes an Invocation) has the exit code and the start and end times;
- `--sarif-min-severity` leaves the results below a severity out (GitHub shows 5,000 per upload) and
  says how many in a tool notification; the rules stay complete.
Audit items answered by auditors are rules like the controls (`properties.manual`); a result that is
not assessed or not applicable is no result, as it is no failure.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..privacy import mynumber
from ..model import SEVERITIES, AuditRun
from . import evidence_path, repo_path

TAKES_INVOCATION = True  # reporters.render hands over the run's exit code and times
LEVELS = {"major": "error", "minor": "warning", "observation": "note"}
# GitHub ranks security alerts by this score: 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"major": "8.0", "minor": "5.0", "observation": "2.0"}
# The rules are exact checks over records; what can be wrong is the evidence, hence not "very-high".
PRECISION = "high"
SOURCE = {"ja": "出典", "en": "Source"}
PERIOD = {"ja": "{start}〜{end}", "en": "{start} to {end}"}
SRCROOT = "%SRCROOT%"
INFORMATION_URI = "https://pypi.org/project/municipal-auditor/"
FULL_NAME = f"auditor (municipal-auditor) {__version__}: 自治体情報セキュリティ監査 / municipal security audit"
LANGUAGE = {"ja": "ja-JP", "en": "en-US"}
OMITTED = {"ja": "--sarif-min-severity {min}: {n} 件の結果（{below}）を省略しました",
           "en": "--sarif-min-severity {min}: {n} results below it ({below}) left out"}
EXIT = {0: "nothing at or above --fail-on is open", 1: "something at or above --fail-on is open"}


def render(run: AuditRun, lang: str = "ja", baseline=None, invocation=None) -> str:
    rules, index = [], {}
    for r in run.results:
        index[r.control_id] = len(rules)
        rules.append(_rule(r, lang))
    artifacts, where = _artifacts(run)
    exception_lines = {e.id: e.line for e in run.policy.exceptions}
    results = []
    for r in run.results:
        for f in r.findings:
            result = {"ruleId": f.control_id, "ruleIndex": index[f.control_id], "kind": "fail",
                      "level": LEVELS[f.severity], "message": {"text": f.message[lang]},
                      "locations": [_location(evidence_path(run, loc), loc.get("line"), where) for loc in f.locations]
                      or [_location(evidence_path(run, None), None, where)],
                      "partialFingerprints": {"findingId/v1": f.id},
                      "properties": {"department": f.department, "department_code": f.department_code,
                                     "severity": f.severity, "status": f.status}}
            if baseline is not None:
                result["baselineState"] = baseline.state(f)
                result["properties"]["baselined"] = baseline.covers(f)
            if f.status == "waived":
                result["suppressions"] = [_suppression(f.exception, run, exception_lines.get(f.exception["id"]),
                                                       lang, where)]
            results.append(result)
        if r.status in ("no_evidence", "error"):  # the gate fails on these: show them where the findings are
            result = {"ruleId": r.control_id, "ruleIndex": index[r.control_id], "kind": "fail",
                      "level": LEVELS[r.control.severity], "message": {"text": r.reason[lang]},
                      "locations": [_location(evidence_path(run, None), None, where)],
                      "partialFingerprints": {"findingId/v1": f"{r.control_id}:{r.status}"},
                      "properties": {"severity": r.control.severity, "status": r.status}}
            if baseline is not None:
                known = baseline.covers_result(r)
                result["baselineState"] = "unchanged" if known else "new"
                result["properties"]["baselined"] = known
            results.append(result)
    minimum = invocation.sarif_min_severity if invocation is not None else None
    results, omitted = _capped(results, minimum)
    driver = {"name": "auditor", "fullName": FULL_NAME, "version": __version__, "informationUri": INFORMATION_URI,
              "language": LANGUAGE[lang], "rules": rules}
    if re.fullmatch(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?", __version__):
        driver["semanticVersion"] = __version__
    fy = run.evidence.fiscal_year.year
    body = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"auditor/FY{fy}/", "description": {
            "text": f"{run.policy.organisation[lang]} FY{fy}: auditor check"}},
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": "The folder auditor ran in: the repository root in CI / auditor を実行したフォルダ"}}},
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"organisation": run.policy.organisation[lang], "fiscal_year": fy,
                       **({"baseline": baseline.path} if baseline is not None else {}),
                       **({"min_severity": minimum, "omitted": omitted} if minimum else {})},
    }
    if invocation is not None:
        body["invocations"] = [_invocation(invocation, omitted, lang)]
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [body]}
    return mynumber.dumps(doc, keep=("sha-256",), items=len(results))  # policy text, file names too; not the digests


def _rule(r, lang: str) -> dict:
    c = r.control
    text = "\n\n".join(f"{c.title[l]}\n{c.requirement[l]}" for l in ("ja", "en"))
    markdown = "\n\n".join(f"**{c.title[l]}**\n\n{c.requirement[l]}" for l in ("ja", "en"))
    source = f"{SOURCE['ja']} / {SOURCE['en']}: {c.source}"
    tags = ["security", "compliance", c.area] + (["audit-item", "manual"] if c.manual else [])
    return {"id": c.id, "name": _pascal(c.title.get("en", ""), c.id),
            "shortDescription": {"text": c.title[lang]},
            "fullDescription": {"text": c.requirement[lang]},
            "help": {"text": f"{text}\n\n{source}", "markdown": f"{markdown}\n\n{source}"},
            "defaultConfiguration": {"level": LEVELS[c.severity]},
            "properties": {"tags": tags, "precision": PRECISION,
                           "security-severity": SECURITY_SEVERITY[c.severity], "problem.severity": LEVELS[c.severity],
                           "area": c.area, "source": c.source, "status": r.status, "manual": c.manual}}


def _pascal(title: str, control_id: str) -> str:
    """A rule's friendly name: its English title as one Pascal-case identifier (SARIF's advice)."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", title) if len(w) > 1 or w.isdigit()]  # no "A", no "'s"
    name = "".join(w.capitalize() for w in words)  # LGWAN -> Lgwan: one capital per word
    if not name or not name[0].isalpha():
        name = "Control" + re.sub(r"[^A-Za-z0-9]", "", control_id) + name
    return name


def _artifacts(run: AuditRun) -> tuple[list, dict]:
    """The files the run read, with their SHA-256: the policy and every evidence file (each once);
    and uri -> index for the locations."""
    artifacts, where = [], {}

    def add(path: str, sha: str, description: str, props: dict) -> None:
        location = _artifact_location(path)
        if location["uri"] in where or not sha:
            return
        where[location["uri"]] = len(artifacts)
        artifacts.append({"location": location, "hashes": {"sha-256": sha}, "roles": ["analysisTarget"],
                          "description": {"text": description}, "properties": props})

    if run.policy.path:
        add(repo_path(run.policy.path), run.policy.sha256, "policy / ポリシー", {"kind": "policy"})
    for f in run.evidence.files:
        add(evidence_path(run, {"file": f.path}), f.sha256, f"evidence: {f.kind} / 証跡",
            {"kind": f.kind, "records": f.records, "provided_by": f.provided_by,
             "collected_on": f.collected_on.isoformat() if f.collected_on else None})
    return artifacts, where


def _capped(results: list, minimum: str | None) -> tuple[list, dict]:
    """The results at or above `minimum` (all without one), and how many of each severity were left out."""
    if not minimum:
        return results, {}
    keep = SEVERITIES[:SEVERITIES.index(minimum) + 1]
    omitted: dict = {}
    kept = []
    for result in results:
        severity = result["properties"]["severity"]
        if severity in keep:
            kept.append(result)
        else:
            omitted[severity] = omitted.get(severity, 0) + 1
    return kept, omitted


def _invocation(invocation, omitted: dict, lang: str) -> dict:
    def utc(moment) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    done = {"executionSuccessful": True, "exitCode": invocation.exit_code,  # 1 is findings, a finished run
            "exitCodeDescription": EXIT.get(invocation.exit_code, ""),
            "startTimeUtc": utc(invocation.started), "endTimeUtc": utc(invocation.ended)}
    if omitted:
        below = ", ".join(f"{n} {s}" for s, n in omitted.items())
        done["toolExecutionNotifications"] = [{"level": "note", "descriptor": {"id": "results-omitted"},
                                               "message": {"text": OMITTED[lang].format(
                                                   min=invocation.sarif_min_severity, n=sum(omitted.values()),
                                                   below=below)}}]
    return done


def _suppression(exc: dict, run: AuditRun, line, lang: str, where: dict) -> dict:
    # The approver is left out: SARIF goes to a dashboard that more people read than the policy.
    period = PERIOD[lang].format(start=exc["from"], end=exc["to"])
    suppression = {"kind": "external", "status": "accepted",
                   "justification": f"{exc['id']}: {exc['reason']} ({period})",
                   "properties": {"exception_id": exc["id"], "reason": exc["reason"], "from": exc["from"], "to": exc["to"]}}
    if run.policy.path:  # where the exception is written down
        suppression["location"] = _location(repo_path(run.policy.path), line, where)
    return suppression


def _artifact_location(path: str) -> dict:
    if Path(path).is_absolute():  # outside the repository: a file URI, which takes no base ID
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(os.fsencode(path), safe="/"), "uriBaseId": SRCROOT}  # a name's own bytes, UTF-8 or not


def _location(path: str, line=None, where: dict | None = None) -> dict:
    """A location with a region always (GitHub places a result by its line): line 1 for a whole file."""
    artifact = _artifact_location(path)
    if where and artifact["uri"] in where:
        artifact["index"] = where[artifact["uri"]]
    physical = {"artifactLocation": artifact, "region": {"startLine": line or 1}}
    location = {"physicalLocation": physical}
    if not line:
        location["properties"] = {"wholeFile": True}
    return location
