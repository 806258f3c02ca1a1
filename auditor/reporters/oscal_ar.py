"""OSCAL 1.1.3 assessment-results (`auditor check --format oscal-ar`): the audit as OSCAL tools read it.

One result for the fiscal year: reviewed-controls (the controls and audit items evaluated, those not
applicable excluded, and the ISO/IEC 27001:2022 Annex A controls they map to), one observation per control
(what it was tested on: its evidence files, whose SHA-256 the back-matter carries), and findings: one per
gap (not-satisfied, with the finding's stable ID, severity, department and evidence location) and one per
control that holds (satisfied). The mapping is described in docs/oscal.md.
"""
from __future__ import annotations

from pathlib import Path

from ..engine import coverage
from ..model import STATUS_LABELS, AuditRun, Result
from . import oscal

TEXT = {
    "ja": {"result": "{fy} 監査結果", "summary": "評価した管理策・監査項目 {n} 件（適合 {ok} 件）、未対応の指摘 {open} 件",
           "observation": "{status}: {checked} 件の記録を点検", "evidence": "{path}（SHA-256 {sha}）",
           "holds": "{cid} は適合しています", "no_result": "{cid}: {status}", "waived": "例外措置 {id} により免除: {reason}",
           "controls": "評価した管理策と監査項目（適用外は除外）", "iso": "対応する ISO/IEC 27001:2022 附属書A の管理策"},
    "en": {"result": "{fy} audit results", "summary": "{n} controls and audit items evaluated ({ok} compliant), {open} open findings",
           "observation": "{status}: {checked} records checked", "evidence": "{path} (SHA-256 {sha})",
           "holds": "{cid} holds", "no_result": "{cid}: {status}", "waived": "waived by exception {id}: {reason}",
           "controls": "The controls and audit items evaluated (those not applicable excluded)",
           "iso": "The ISO/IEC 27001:2022 Annex A controls they map to"},
}
COMPLIANT = ("pass", "waived")


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    return oscal.dumps(run, "assessment-results", document(run, lang), lang)


def document(run: AuditRun, lang: str) -> dict:
    ev = run.evidence
    t = TEXT[lang]
    evaluated = [r for r in run.results if r.status != "not_applicable"]
    open_findings = sum(len(r.open_findings()) for r in run.results)
    fy = ev.fiscal_year.label_ja if lang == "ja" else ev.fiscal_year.label_en
    result = {
        "uuid": oscal.uid("result", oscal.town(run), ev.fiscal_year.year),
        "title": t["result"].format(fy=fy),
        "description": t["summary"].format(n=len(evaluated), ok=sum(r.status in COMPLIANT for r in evaluated),
                                           open=open_findings),
        "start": oscal.day_start(ev.fiscal_year.start),
        "end": oscal.day_end(ev.as_of),
        "props": [oscal.prop("fiscal-year", ev.fiscal_year.year), oscal.prop("network-model", run.policy.network_model)],
        "reviewed-controls": reviewed_controls(run, lang),
        "observations": [observation(run, r, lang) for r in evaluated],
        "findings": [f for r in evaluated for f in findings(run, r, lang)],
    }
    if not result["observations"]:
        del result["observations"], result["findings"]
    doc = {
        "uuid": oscal.uid("assessment-results", oscal.town(run), ev.fiscal_year.year),
        "metadata": oscal.metadata(run, "ar", lang),
        "import-ap": {"href": oscal.href_of(run.policy.path) if run.policy.path else "#policy",
                      "remarks": oscal.TEXT[lang]["ap"]},
        "results": [result],
    }
    resources = oscal.evidence_resources(run, lang)
    if resources:
        doc["back-matter"] = {"resources": resources}
    return doc


def reviewed_controls(run: AuditRun, lang: str) -> dict:
    t = TEXT[lang]
    mine = {"description": t["controls"]}
    included = [{"control-id": r.control_id} for r in run.results if r.status != "not_applicable"]
    excluded = [{"control-id": r.control_id} for r in run.results if r.status == "not_applicable"]
    if included:
        mine["include-controls"] = included
    if excluded:
        mine["exclude-controls"] = excluded
    selections = [mine]
    annex = sorted({ref for r in run.results if r.status != "not_applicable"
                    for ref, _ in oscal.iso27001(run, r.control) if ref.startswith("A.")}, key=coverage.natural)
    if annex:
        selections.append({"description": t["iso"], "props": [oscal.prop("catalogue", "ISO/IEC 27001:2022 Annex A")],
                           "include-controls": [{"control-id": ref} for ref in annex]})
    return {"control-selections": selections}


def _control_props(run: AuditRun, r: Result) -> list[dict]:
    c = r.control
    return [oscal.prop("control-id", c.id), oscal.prop("kind", "audit-item" if c.manual else "control"),
            oscal.prop("area", c.area), *oscal.items_props(run, c), *oscal.iso_props(run, c)]


def observation(run: AuditRun, r: Result, lang: str) -> dict:
    c, ev, t = r.control, run.evidence, TEXT[lang]
    files = sorted({p for kind in c.evidence for p in ev.files_of(kind)})
    by_path = {f.path: f for f in ev.files}
    obs = {
        "uuid": observation_uuid(run, c.id),
        "title": f"{c.id} {c.title[lang]}",
        "description": t["observation"].format(status=STATUS_LABELS[lang].get(r.status, r.status), checked=r.checked)
        + (f" — {r.reason[lang]}" if r.reason else ""),
        "props": [*_control_props(run, r), oscal.prop("status", r.status)],
        "methods": ["EXAMINE", "INTERVIEW"] if c.manual else ["TEST"],
        "types": ["control-objective"],
        "collected": oscal.day_start(ev.as_of),
    }
    # the file itself, its SHA-256, and a link to its back-matter resource (which carries the hash as OSCAL's)
    evidence = [{"href": oscal.href_of(Path(ev.root) / p),
                 "description": t["evidence"].format(path=p, sha=by_path[p].sha256),
                 "props": [oscal.prop("sha256", by_path[p].sha256), oscal.prop("evidence-kind", by_path[p].kind)],
                 "links": [{"href": f"#{oscal.evidence_uuid(run, p)}", "rel": "evidence"}]}
                for p in files if p in by_path]
    if evidence:
        obs["relevant-evidence"] = evidence
    return obs


def observation_uuid(run: AuditRun, control_id: str) -> str:
    return oscal.uid("observation", oscal.town(run), run.evidence.fiscal_year.year, control_id)


def findings(run: AuditRun, r: Result, lang: str) -> list[dict]:
    """Not-satisfied findings for the gaps (and for a control that could not be assessed), or one
    satisfied finding for a control that holds."""
    c, t = r.control, TEXT[lang]
    related = [{"observation-uuid": observation_uuid(run, c.id)}]
    if not r.findings:
        state, reason = ("satisfied", "pass") if r.status in COMPLIANT else ("not-satisfied", "other")
        text = t["holds"].format(cid=c.id) if state == "satisfied" else \
            t["no_result"].format(cid=c.id, status=r.reason[lang] if r.reason else r.status)
        return [{"uuid": oscal.finding_uuid(run, c.id), "title": f"{c.id} {c.title[lang]}", "description": text,
                 "props": [*_control_props(run, r), oscal.prop("status", r.status)],
                 "target": {"type": "objective-id", "target-id": c.id, "status": {"state": state, "reason": reason}},
                 "related-observations": related}]
    out = []
    for f in r.findings:
        props = [oscal.prop("finding-id", f.id), oscal.prop("severity", f.severity), oscal.prop("status", f.status),
                 *_control_props(run, r)]
        if f.department_code or f.department:
            props.append(oscal.prop("department", f.department or f.department_code))
        for loc in f.locations:
            props.append(oscal.prop("location", f"{loc['file']}:{loc['line']}" if loc.get("line") else loc["file"]))
        finding = {"uuid": oscal.finding_uuid(run, f.id), "title": f"{f.id} {c.title[lang]}",
                   "description": f.message[lang], "props": props,
                   "target": {"type": "objective-id", "target-id": c.id,
                              "status": {"state": "not-satisfied", "reason": "fail"}},
                   "related-observations": related}
        if f.status == "waived" and f.exception:  # the exception's approver is left out, as in SARIF
            finding["remarks"] = t["waived"].format(id=f.exception["id"], reason=f.exception["reason"])
            props.append(oscal.prop("exception-id", f.exception["id"]))
        out.append(finding)
    return out
