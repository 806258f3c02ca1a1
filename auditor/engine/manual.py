"""Audit items answered by auditors (監査チェックリスト): one result per manual item of the audit map.

An item nobody answered is `not_assessed` (未確認), never a pass. A 不適合 or 一部適合 answer is a
finding like a rule's: a stable ID (item and department), the item's severity unless the auditor set
one, the auditor's note as its message, and the worksheet row as its location.

Who must answer: an organisation-wide item, once for the town (a row with no 所属, or the CISO
office's); a department item, once for each department audited this year, i.e. each department that
appears anywhere in the worksheet.
"""
from __future__ import annotations

from ..model import Control, Evidence, Finding, Policy, Result
from ..privacy import mynumber

KIND = "audit_checklist"
AREA = "audit_items"
_FAILING = ("nonconforming", "partial")
_WORDS = {"nonconforming": ("不適合", "nonconforming"), "partial": ("一部適合", "partly conforming")}


def control_of(item, policy: Policy) -> Control:
    """The item as a control-shaped entry, so that every report and format shows it beside the controls."""
    override = (policy.settings.get("items") or {}).get(item.id, {})
    enabled = override.get("enabled", True)
    return Control(id=item.id, title=dict(item.title), requirement=dict(item.title), area=AREA,
                   severity=override.get("severity", item.severity),
                   source=f"監査項目 {item.id}（{item.section}）", params={}, evidence=(KIND,), rules=(),
                   message={"ja": "", "en": ""}, path=item.path, line=item.line, enabled=enabled,
                   disabled_reason=None if enabled else override.get("reason"), manual=True)


def results(items, policy: Policy, evidence: Evidence) -> list[Result]:
    rows = evidence.datasets.get(KIND, [])
    org = evidence.unit_code(policy.secretariat) if policy.secretariat else None
    audited = sorted({r.get("unit") for r in rows if r.get("unit") and r.get("unit") != org})
    by_item: dict = {}
    for r in rows:
        by_item.setdefault(r.get("item"), []).append(r)
    return [_result(control_of(item, policy), item, by_item.get(item.id, []), audited, org, evidence)
            for item in items if item.manual]


def _text(ja: str, en: str) -> dict:
    return {"ja": ja, "en": en}


def _result(control: Control, item, rows: list, audited: list, org, evidence: Evidence) -> Result:
    if not control.enabled:
        return Result(control, "not_applicable", reason=_text(f"ポリシーで対象外: {control.disabled_reason}",
                                                               f"Out of scope in the policy: {control.disabled_reason}"))
    if not evidence.files_of(KIND):
        return Result(control, "not_assessed", reason=_text("監査チェックリストが提出されていません",
                                                             "No auditors' worksheet was provided"))
    if item.scope == "department":
        if not audited:  # no department answered anything: nobody was audited for it this year
            return Result(control, "not_assessed", reason=_text("監査チェックリストに監査対象の所属がありません",
                                                                 "The worksheet names no audited department"))
        expected = audited
        answers = {u: [r for r in rows if r.get("unit") == u] for u in expected}
    else:
        expected = [None]
        answers = {None: [r for r in rows if r.get("unit") in (None, org)]}
    result = Result(control, "pass")
    applicable = False
    for unit, mine in answers.items():
        given = [r for r in mine if r.get("result") not in (None, "unchecked")]
        if not given:
            result.unassessed.append(unit)
            continue
        code = unit or org
        failed = [r for r in given if r.get("result") in _FAILING]
        if any(r.get("result") != "not_applicable" for r in given):
            applicable = True
            result.checked += 1
            if code:
                result.departments[code] = {"checked": 1, "failed": int(bool(failed))}
        for r in failed:
            f = _finding(control, item, r, code, evidence)
            same = next((g for g in result.findings if g.id == f.id), None)
            if same is None:
                result.findings.append(f)
            else:  # the same item answered twice for one department: one finding, both rows
                same.locations.extend(l for l in f.locations if l not in same.locations)
    if result.findings:
        result.status = "fail"
    elif result.unassessed:
        result.status = "not_assessed"
    elif not applicable:
        result.status = "not_applicable"
        result.reason = _text("監査人が該当なしと判定", "Judged not applicable by the auditor")
    if result.unassessed:
        names = "、".join(evidence.unit_name(u) or u for u in result.unassessed if u) or "全庁"
        names_en = ", ".join(evidence.unit_name(u) or u for u in result.unassessed if u) or "organisation"
        result.reason = result.reason or _text(f"未確認: {names}", f"Not assessed: {names_en}")
    return result


def _finding(control: Control, item, row, code, evidence: Evidence) -> Finding:
    word = _WORDS[row.get("result")]
    note = mynumber.mask(str(row.get("note") or "").strip()) or "—"
    seen = mynumber.mask(str(row.get("evidence_reviewed") or "").strip())
    ja = f"{item.title['ja']}: {word[0]}（監査人所見: {note}）" + (f"［確認した証跡: {seen}］" if seen else "")
    en = f"{item.title['en']}: {word[1]} (auditor's note, in Japanese: {note})" + \
        (f" [evidence reviewed: {seen}]" if seen else "")
    return Finding(id=f"{item.id}:{code or 'organisation'}", control_id=control.id,
                   severity=row.get("severity") or control.severity, department=evidence.unit_name(code) if code else None,
                   department_code=code, message={"ja": ja, "en": en},
                   locations=[{"file": row.file, "line": row.line}], subject={"item": item.id, **({"unit": code} if code else {})})
