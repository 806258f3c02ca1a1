"""Evaluate controls over evidence: results, findings with stable IDs, and exceptions applied."""
from __future__ import annotations

import datetime as dt
import functools
import string

from ..privacy import mynumber
from ..errors import reason
from ..evidence import blanks, kinds, normalize
from ..catalogue import rules
from . import notices
from ..catalogue.controls import context_params
from ..evidence.kinds import spec as kind_spec
from ..fiscal import day_text
from ..jatext import tighten
from ..model import MODEL_LABELS, STATUS_LABELS, Control, Evidence, Finding, Policy, Result

def evaluate(controls: list[Control], policy: Policy, evidence: Evidence, store=None) -> tuple[list[Result], list[dict]]:
    """One result per control, in catalogue order, and the state of every policy exception.

    store: the stored results per control (resultstore.ResultStore), or None: a control whose inputs
    are unchanged since an earlier run is taken from there instead of being evaluated."""
    statuses: dict = {}
    results = {}
    used = {e.id: 0 for e in policy.exceptions}
    for control in _dependency_order(controls):
        name = store.key(control, statuses) if store is not None else None
        result = store.get(name, control) if name is not None else None
        if result is None:
            result = _evaluate_one(control, policy, evidence, statuses)
            if name is not None:
                store.put(name, result)  # as evaluated: exceptions and staleness are settled on every run
        _apply_exceptions(result, policy, evidence, used)
        _settle(result, evidence, policy)
        statuses[control.id] = result.status  # settled first: controls_pass reads it
        results[control.id] = result
    exceptions = [{"exception": e, "state": e.state(evidence.as_of), "used": used[e.id]} for e in policy.exceptions]
    return [results[c.id] for c in controls], exceptions


class CycleError(ValueError):
    """Controls whose controls_pass refer to each other in a ring (`trail`: the IDs, the first again last)."""

    def __init__(self, trail: tuple):
        super().__init__(f"controls_pass cycle: {' -> '.join(trail)}")
        self.trail = trail


def _dependency_order(controls: list[Control]) -> list[Control]:
    """Controls that check other controls (controls_pass) come after those they check."""
    by_id = {c.id: c for c in controls}
    order, state = [], {}

    def visit(c: Control, trail: tuple):
        if state.get(c.id) == "done":
            return
        if c.id in trail:
            raise CycleError(trail + (c.id,))
        for dep in c.depends_on():
            if dep in by_id:
                visit(by_id[dep], trail + (c.id,))
        state[c.id] = "done"
        order.append(c)

    for c in controls:
        visit(c, ())
    return order


def _text(ja: str, en: str) -> dict:
    return {"ja": ja, "en": en}


def _evaluate_one(control: Control, policy: Policy, evidence: Evidence, statuses: dict) -> Result:
    if not control.enabled:
        return Result(control, "not_applicable", reason=_text(f"ポリシーで対象外: {control.disabled_reason}",
                                                               f"Out of scope in the policy: {control.disabled_reason}"))
    params = context_params(control, policy, evidence.fiscal_year, evidence.as_of)
    ctx = rules.Context(params, evidence.fiscal_year, evidence.as_of, evidence.units, evidence.unit_names, statuses)
    try:  # a control that does not apply (e.g. a β-only one under α) needs no evidence
        if not any(rules.applies(rule, ctx) for rule in control.rules):
            return Result(control, "not_applicable", reason=_not_applicable())
    except rules.RuleError as exc:
        return _rule_error(control, exc)
    missing = [k for k in control.evidence if not evidence.files_of(k)]
    if missing:
        names = ", ".join(missing)
        return Result(control, "no_evidence", reason=_text(f"証跡がありません: {names}", f"No evidence provided: {names}"))
    files = {k: evidence.files_of(k) for k in control.evidence}
    result = Result(control, "pass")
    applicable = False
    unselectable = None  # a rule that picked nothing for want of the values it picks by
    findings: dict[str, Finding] = {}
    base = {lang: _base_values(params, evidence, policy, lang) for lang in ("ja", "en")}
    for rule in control.rules:
        try:
            outcome = rules.evaluate(rule, ctx, evidence.datasets, files)
        except rules.RuleError as exc:
            return _rule_error(control, exc)
        if not outcome.applicable:
            continue
        unselectable = unselectable or outcome.unselectable
        applicable = True
        result.checked += outcome.checked
        for unit, (checked, failed) in outcome.departments.items():
            counts = result.departments.setdefault(unit, {"checked": 0, "failed": 0})
            counts["checked"] += checked
            counts["failed"] += failed
        for hit in outcome.hits:
            _merge(findings, _finding(control, rule, hit, policy, evidence, base))
        result.notices += [notices.join(j, files) for j in outcome.joins]
        result.notices += [notices.near_miss(m, files) for m in outcome.near_misses]
    if not applicable:
        return Result(control, "not_applicable", reason=_not_applicable())
    if unselectable and not result.checked and not findings:  # 0 checked is no pass when that is why
        return _unselectable(control, *unselectable, files)
    try:
        result.notices += notices.notes(control, ctx, base)
    except rules.RuleError as exc:
        return _rule_error(control, exc)
    texts = [text for f in findings.values() for text in (f.id, f.message["ja"], f.message["en"])]
    if mynumber.might_contain(texts):  # one scan of every message; masking is rare
        masked: dict[str, Finding] = {}
        for f in findings.values():
            if mynumber.might_contain((f.id, f.message["ja"], f.message["en"])):
                f.id, f.message = mynumber.mask(f.id), {lang: mynumber.mask(t) for lang, t in f.message.items()}
            _merge(masked, f)
        findings = masked
    result.findings = list(findings.values())
    return result


def _unselectable(control: Control, kind: str, fields: list, files: dict) -> Result:
    """No record of `kind` has a value in the fields the rule picks its records by: nothing was looked at."""
    spec = kinds.schema(kind)["properties"]
    shown = {lang: (sep.join(f"{f}（{spec[f]['x-aliases'][0]}）" if lang == "ja" and spec.get(f, {}).get("x-aliases")
                             else f for f in fields)) for lang, sep in (("ja", "、"), ("en", ", "))}
    where = {"ja": "、".join(files.get(kind, ())), "en": ", ".join(files.get(kind, ()))}
    return Result(control, "no_evidence", reason=_text(
        f"{where['ja']} に {shown['ja']}の値がないため、確認する記録を選べません（{kind} の {shown['ja']}で対象を選ぶ"
        "管理策です）。列を加えて値を記入するか、マニフェストの columns: で対応付けてください",
        f"{where['en']} holds no value of {shown['en']}, by which this control picks the {kind} records it checks: "
        "nothing was checked. Add the column and fill it in, or map it under columns: in the manifest"))


def _not_applicable() -> dict:
    return _text("ネットワークモデル等の条件により適用外", "Does not apply under the declared model or parameters")


def _merge(findings: dict, finding: Finding) -> None:
    """One finding per ID: a second hit on the same subject adds its locations."""
    first = findings.get(finding.id)
    if first is None:
        findings[finding.id] = finding
    else:
        first.locations.extend(l for l in finding.locations if l not in first.locations)


def _rule_error(control: Control, exc: Exception) -> Result:
    return Result(control, "error", reason=_text(f"ルールを評価できません: {reason(exc, 'ja')}", f"Rule cannot be evaluated: {exc}"))


def _finding(control: Control, rule: dict, hit, policy: Policy, evidence: Evidence, base: dict) -> Finding:
    sub = f".{rule['id']}" if len(control.rules) > 1 and rule.get("id") else ""
    fid = f"{control.id}{sub}:{hit.key}"
    unit = hit.unit or evidence.unit_code(policy.secretariat)
    department = evidence.unit_name(unit) if unit else None
    if hit.record is not None:
        locations = [{"file": hit.record.file, "line": hit.record.line}]
    else:
        locations = [{"file": f, "line": None} for f in hit.files]
    template = rule.get("message") or control.message
    spec = kind_spec(hit.record.kind) if hit.record is not None else None
    hide = not policy.settings.get("show_personal_names")
    message = {lang: _format(template[lang], _Values(hit, spec, base[lang], department, evidence, lang, hide))
               for lang in ("ja", "en")}
    message["ja"] = tighten(message["ja"])  # 「農林課の」, not 「農林課 の」
    if hit.record is not None and hit.record.cleaned:  # a cleaned value reads like its look-alike: say so
        message = {lang: text + blanks.notes(hit.record.cleaned, lang) for lang, text in message.items()}
    subject = {}
    if spec is not None:
        subject = {k: v for k, v in hit.record.fields.items() if k in spec.subject and isinstance(v, str)}
    if unit:
        subject.setdefault("unit", unit)
    return Finding(id=fid, control_id=control.id, severity=control.severity, department=department,
                   department_code=unit, message=message, locations=locations, subject=subject)


_NAME_WITHHELD = {"ja": "（氏名非表示）", "en": "(name withheld)"}


@functools.lru_cache(maxsize=4096)
def enum_label(enum: str, value: str, lang: str) -> str:
    """Japanese reports name an enumeration value by its Japanese term (mynumber -> マイナンバー利用事務系)."""
    if lang != "ja":
        return value
    for raw, canonical in normalize.ALIASES.get(enum, {}).items():
        if canonical == value and not raw.isascii():
            return raw
    return value


def _base_values(params, evidence, policy, lang) -> dict:
    """What every message of a control may name besides its record: parameters, year, model."""
    return dict(params, fy=evidence.fiscal_year.label_ja, fy_en=evidence.fiscal_year.label_en,
                model=MODEL_LABELS[policy.network_model])


class _Values:
    """The values a message may name, each looked up only when the template names it.

    The record's fields come first (personal names withheld unless the policy opts in, enumerations
    by their Japanese term), then `department`, then the control's parameters, year and model; an
    unknown name shows as "?". Unit fields are shown by the unit's name. With `shown`, a value comes
    as the message shows it (None as "—", lists joined, dates: _day): str.format_map's fast path.
    """

    __slots__ = ("fields", "spec", "base", "department", "evidence", "lang", "hide", "shown")

    def __init__(self, hit, spec, base, department, evidence, lang, hide):
        self.fields, self.spec, self.base, self.department = hit.fields, spec, base, department
        self.evidence, self.lang, self.hide, self.shown = evidence, lang, hide, True

    def __getitem__(self, key):
        fields, spec = self.fields, self.spec
        if key in fields:
            value = fields[key]
            if spec is None:
                if key == "status":  # controls_pass: the other control's status
                    value = STATUS_LABELS[self.lang].get(value, value)
            elif key in spec.personal and self.hide:
                value = _NAME_WITHHELD[self.lang]
            elif value.__class__ is str and spec.fields.get(key, _NO_FIELD)[1]:
                value = enum_label(spec.fields[key][1], value, self.lang)
        elif key == "department":
            value = self.department or "—"
        elif key in self.base:
            value = self.base[key]
        elif spec is None or key not in spec.fields:
            return "?"
        else:  # a field of the kind that the record does not hold (a YAML record without the key)
            value = None
        if spec is not None and key in spec.units:
            unit_name = self.evidence.unit_name
            value = [unit_name(u) for u in value] if isinstance(value, list) else unit_name(value)
        if not self.shown or value.__class__ is str:
            return value
        if value is None:
            return "—"
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if value.__class__ is bool and spec is not None and key in spec.fields:  # a yes/no field: ○/× in Japanese
            return _YES_NO[self.lang][value]
        return _day(value, self.lang) if isinstance(value, dt.date) else value


def _day(value: dt.date, lang: str) -> str:
    """A date as a message shows it (fiscal.day_text: 和暦 in Japanese, ISO in English); a time of day
    keeps its ISO form."""
    return day_text(value, lang) if value.__class__ is dt.date else value.isoformat()


_NO_FIELD = (None, None)
_YES_NO = {"ja": {True: "○", False: "×"}, "en": {True: "yes", False: "no"}}


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value, spec):
        if value is None:
            return "—"
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        if isinstance(value, dt.date):
            value = _day(value, self.lang)
        try:
            return super().format_field(value, spec)
        except (ValueError, TypeError):
            return str(value)


def _format(template: str, values: _Values) -> str:
    try:
        return template.format_map(values)
    except (IndexError, ValueError, AttributeError, KeyError, TypeError):
        values.shown = False  # a format spec that does not fit the shown value: format field by field
    try:
        return _Formatter(values.lang).vformat(template, (), values)
    except (IndexError, ValueError, AttributeError, KeyError):
        return template


def _apply_exceptions(result: Result, policy: Policy, evidence: Evidence, used: dict) -> None:
    """Waive the findings that a valid exception covers; invalid ones are shown, never waive."""
    for exc in policy.exceptions:
        if exc.control != result.control_id:
            continue
        state = exc.state(evidence.as_of)
        info = {"id": exc.id, "state": state, "reason": exc.reason, "approver": exc.approver,
                "from": exc.start.isoformat() if exc.start else None, "to": exc.end.isoformat() if exc.end else None}
        for finding in result.findings:
            if finding.status == "waived" or not _in_scope(exc.scope, finding, evidence):
                continue
            if state == "valid":
                finding.status, finding.exception = "waived", info
                used[exc.id] += 1
            elif finding.exception is None:
                finding.exception = info  # shown beside the finding: an exception exists but does not waive


def _in_scope(scope: dict, finding: Finding, evidence: Evidence) -> bool:
    for key, want in scope.items():
        have = finding.subject.get(key)
        if key in ("unit", "department"):
            have, want = finding.department_code, evidence.unit_code(want)
        if have is None or normalize.nfkc(have) != normalize.nfkc(want or ""):
            return False
    return True


def _settle(result: Result, evidence: Evidence, policy: Policy | None = None) -> None:
    """Final status from the findings. A control that would pass on old evidence is stale, never pass:
    evidence collected before the fiscal year, or older at as_of than the policy's maximum age for its kind.
    """
    if result.status in ("not_applicable", "no_evidence", "error"):
        return
    if result.open_findings():
        result.status = "fail"
    elif result.findings:
        result.status = "waived"
    else:
        result.status = "pass"
        mine = [f for f in evidence.files if f.kind in result.control.evidence and f.collected_on]
        old = [f.path for f in mine if f.collected_on < evidence.fiscal_year.start]
        if old:
            result.status = "stale"
            result.reason = _text(f"年度開始前に収集された証跡: {', '.join(old)}",
                                  f"Evidence collected before the fiscal year began: {', '.join(old)}")
            return
        limits = (policy.settings if policy else {}).get("max_age_days") or {}
        aged = [(f, (evidence.as_of - f.collected_on).days) for f in mine
                if limits.get(f.kind) and (evidence.as_of - f.collected_on).days > limits[f.kind]]
        if aged:
            result.status = "stale"
            result.reason = _text(
                "古い証跡: " + "、".join(f"{f.path}（収集 {f.collected_on}、基準日で {d} 日経過、上限 {limits[f.kind]} 日）"
                                     for f, d in aged),
                "Stale evidence: " + "; ".join(f"{f.path} (collected {f.collected_on}, {d} days old at as-of, "
                                               f"limit {limits[f.kind]} days)" for f, d in aged))
