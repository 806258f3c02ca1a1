"""The control catalogue: load control YAML files, check them, and apply a policy to them."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from . import crosswalk, memo, rules, vouched
from .. import schema, yamlio
from ..defaults import control_files, is_shipped
from ..evidence import kinds
from ..errors import InputError, reason
from ..fiscal import FiscalYear
from ..model import Control, Policy


def load(dirs, cache_dir=None, shipped_memo=None) -> tuple[list[Control], str]:
    """All controls in the folders, in file order, and a SHA-256 over the files read.

    cache_dir, shipped_memo: where a file found schema-valid is remembered (schema.validate), and the
    shipped files as loaded (memo.py): in shipped_memo when given, so that a first run in another project
    need not read them again, else in cache_dir."""
    digest = hashlib.sha256()
    controls: dict[str, Control] = {}
    for path in control_files(dirs):
        raw = yamlio.read_file(path)  # size-checked
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        if is_shipped(path):  # package data: loaded once, then from the signed memo (memo.py)
            store = shipped_memo if shipped_memo is not None else cache_dir
            found = memo.recall(store, "controls", path, raw,
                                lambda p=path, b=raw: _file(p, store, vouched.vouched(p, b), raw=b))
        else:
            found = _file(path, cache_dir)
        for control in found:
            if control.id in controls:
                first = controls[control.id]
                raise InputError(path, f"control {control.id} is defined twice (first in {first.path}:{first.line})",
                                 line=control.line, hint="control IDs never change and never repeat; rename the new one",
                                 ja=f"管理策 {control.id} が 2 回定義されています（最初は {first.path}:{first.line}）",
                                 hint_ja="管理策 ID は変えず、重複させません。新しい方の ID を変えてください")
            controls[control.id] = control
    return list(controls.values()), digest.hexdigest()


def _file(path: Path, cache_dir, checked: bool = False, raw: bytes | None = None) -> list[Control]:
    """The controls of one file, schema-checked and their rules compiled (mistakes at their file and line),
    unless the suite checked these bytes (checked: vouched.py), which saves a first run compiling rules of
    controls it may not evaluate (about 50 ms of a small town's)."""
    # vouched bytes: as loaded when the suite checked them (vouched.LOADED), not parsed again
    data, located = vouched.read_config(path, raw) if checked and raw is not None else yamlio.read_config(path)
    if not checked:
        schema.validate(data, "control", path, located, hint="see docs/rules.md for the keys a control holds",
                        cache_dir=cache_dir)
    found = []
    for item in data["controls"] if isinstance(data, dict) else data:
        control = _build(item, path, located.line(item))
        if not checked:
            _check_kinds(control, located.line_of(item, ["evidence"]))
            _check_rules(control, located.line_of(item, ["rule"]))
        found.append(control)
    return found


def _build(item: dict, path: Path, line) -> Control:
    rule = item["rule"]
    refs = crosswalk.complete(item.get("refs")) if item.get("refs") else {}
    source = item.get("source") or crosswalk.source_of(refs)
    if not source:
        raise InputError(path, f"{item['id']}: neither source nor refs says where the control comes from", line=line,
                         hint="give refs: {guideline: [\"3.1\"], iso27002: [\"8.22\"]} or source: \"...\"",
                         ja=f"{item['id']}: 管理策の出典が source にも refs にも書かれていません",
                         hint_ja="refs: {guideline: [\"3.1\"], iso27002: [\"8.22\"]} か source: \"...\" を書いてください")
    return Control(id=item["id"], title=item["title"], requirement=item["requirement"], area=item["area"],
                   severity=item["severity"], source=source, params=dict(item.get("params") or {}),
                   evidence=tuple(item["evidence"]), rules=tuple(rule if isinstance(rule, list) else [rule]),
                   message=item["message"], path=str(path), line=line, notes=tuple(item.get("notes") or ()),
                   refs=refs)


def _check_kinds(control: Control, line) -> None:
    """Every kind under evidence: is known: an unknown one would wait for evidence no manifest can list."""
    for kind in control.evidence:
        if kind not in kinds.names():
            raise InputError(control.path, f"{control.id}: evidence: unknown kind '{kind}'", line=line,
                             hint="known kinds: " + ", ".join(kinds.names()) + "; " + kinds.TOWN_HINT_EN,
                             ja=f"{control.id}: evidence: 証跡の種類「{kind}」はありません",
                             hint_ja="証跡の種類: " + "、".join(kinds.names()) + "。" + kinds.TOWN_HINT_JA)


def _check_rules(control: Control, line) -> None:
    """Compile every rule once against placeholder values, so mistakes surface at load time."""
    ids = [r.get("id") for r in control.rules]
    if len(set(ids)) != len(ids):
        raise InputError(control.path, f"{control.id}: rule ids repeat", line=line,
                         ja=f"{control.id}: ルールの id が重複しています")
    for rule in control.rules:
        for kind in rules.datasets_of(rule):
            if kind not in control.evidence:
                raise InputError(control.path, f"{control.id}: rule reads '{kind}', which is not listed under evidence",
                                 line=line, hint=f"add {kind} to evidence:",
                                 ja=f"{control.id}: ルールが読む「{kind}」が evidence: にありません",
                                 hint_ja=f"evidence: に {kind} を加えてください")
    _compile(control, control.params, "alpha", control.path, line)


def _compile(control: Control, params: dict, model: str, path, line) -> None:
    """Compile every rule once against placeholder dates; a RuleError becomes InputError at path:line."""
    fy = FiscalYear(2025)
    ctx = rules.Context(params=dict(params, **_globals(model, fy, None)), fy=fy, as_of=fy.end,
                        units={}, unit_names={}, statuses={})
    for rule in control.rules:
        try:
            rules.compile_rule(rule, ctx)
        except rules.RuleError as exc:
            raise InputError(path, f"{control.id}: {exc}", line=line, ja=f"{control.id}: ルールが正しくありません（{reason(exc, 'ja')}）") from None
    for note in control.notes:
        try:
            rules.applies(note, ctx)
        except rules.RuleError as exc:
            raise InputError(path, f"{control.id}: notes: {exc}", line=line,
                             ja=f"{control.id}: notes: が正しくありません（{reason(exc, 'ja')}）") from None


def _globals(model: str, fy: FiscalYear, as_of) -> dict:
    return {"fiscal_year": fy.year, "fy_start": fy.start, "fy_end": fy.end, "as_of": as_of or fy.end,
            "network_model": model}


def context_params(control: Control, policy: Policy, fy: FiscalYear, as_of) -> dict:
    return dict(control.params, **_globals(policy.network_model, fy, as_of))


def apply_policy(controls: list[Control], policy: Policy, policy_lines: dict) -> list[Control]:
    """Controls with the policy's parameters, severities and enablement; unknown IDs are errors."""
    by_id = {c.id: c for c in controls}
    for cid, line in policy_lines.items():
        if cid not in by_id:
            raise InputError(policy.path, f"unknown control ID {cid}", line=line,
                             hint="known controls: " + ", ".join(sorted(by_id)), ja=f"管理策 ID {cid} はありません",
                             hint_ja="管理策の一覧: " + "、".join(sorted(by_id)))
    out = []
    for c in controls:
        override = policy.controls.get(c.id, {})
        params = dict(c.params)
        for name, value in (override.get("params") or {}).items():
            if name not in params:
                raise InputError(policy.path, f"{c.id} has no parameter '{name}'", line=policy_lines.get(c.id),
                                 hint="parameters of this control: " + (", ".join(params) or "none"),
                                 ja=f"{c.id} にパラメータ「{name}」はありません",
                                 hint_ja="この管理策のパラメータ: " + ("、".join(params) or "なし"))
            params[name] = value
        enabled = override.get("enabled", True)
        if override.get("params"):  # a value a rule cannot use is the policy's error, not the control's
            _compile(c, params, policy.network_model, policy.path, policy_lines.get(c.id))
        out.append(replace(c, params=params, severity=override.get("severity", c.severity), enabled=enabled,
                           disabled_reason=None if enabled else override.get("reason", "disabled in the policy")))
    _check_cycles(out)
    return out


def _check_cycles(controls: list[Control]) -> None:
    """controls_pass must not go round in a circle (with the policy's parameters): named at a control's line."""
    by_id = {c.id: c for c in controls}
    done = set()
    for first in controls:
        trail, todo = [], [first]
        while todo:  # depth-first without recursion; None marks the end of a control's dependencies
            c = todo.pop()
            if c is None:
                done.add(trail.pop().id)
                continue
            if c.id in done:
                continue
            ids = [t.id for t in trail]
            if c.id in ids:
                raise InputError(c.path, f"controls_pass cycle: {' -> '.join(ids[ids.index(c.id):] + [c.id])}",
                                 line=c.line, hint="a control cannot depend on itself through controls_pass",
                                 ja=f"controls_pass が循環しています: {' -> '.join(ids[ids.index(c.id):] + [c.id])}",
                                 hint_ja="管理策は controls_pass を通じて自分自身に依存できません")
            trail.append(c)
            todo.append(None)
            todo.extend(by_id[d] for d in c.depends_on() if d in by_id)



def describe(control: Control, default: Control, policy: Policy | None, shown_path: str) -> dict:
    """One control as `controls show` prints it: with the policy's parameters, severity and enablement
    (control: after apply_policy; default: as the catalogue has it), what the policy changed, and the
    policy's exceptions to it. shown_path: the control file as the user should see it."""
    c = control
    doc = {"id": c.id, "title": c.title, "requirement": c.requirement, "area": c.area, "severity": c.severity,
           "enabled": c.enabled}
    if not c.enabled:
        doc["disabled_reason"] = c.disabled_reason
    doc.update({"source": c.source, **({"refs": c.refs} if c.refs else {}), "params": c.params, "evidence": list(c.evidence),
                "rule": list(c.rules) if len(c.rules) > 1 else c.rules[0], "message": c.message,
                "file": shown_path, "line": c.line})
    if policy is None:
        doc["policy"] = None  # the catalogue's defaults, said as such
        return doc
    changed = [{"setting": f"params.{k}", "default": default.params.get(k), "policy": v}
               for k, v in c.params.items() if v != default.params.get(k)]
    if c.severity != default.severity:
        changed.append({"setting": "severity", "default": default.severity, "policy": c.severity})
    if not c.enabled:
        changed.append({"setting": "enabled", "default": True, "policy": False})
    doc["policy"] = {"file": policy.path, "network_model": policy.network_model, "changed": changed,
                     "exceptions": [{"id": e.id, "scope": e.scope, "from": e.start, "to": e.end,
                                     **({"problem": e.problem} if e.problem else {})}
                                    for e in policy.exceptions if e.control == c.id]}
    return doc
