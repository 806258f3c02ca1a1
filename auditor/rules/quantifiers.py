"""Quantifiers: what a rule asserts about a dataset, and the hits (gaps) it yields.

- none: no record matching `where` may exist; each one is a hit at its row.
- all: every record matching `where` must satisfy `require`; each one that does not is a hit.
- some: at least `min` records match `where`; otherwise one hit at the dataset's files.
- each: every record matching `where` has at least `has.min` records in `has.dataset` joined on
  `has.on` (outer field: inner field; a list-valued inner field joins on each element) that
  satisfy `has.where` (which may use `{outer: field}`); otherwise a hit at the record (or, with
  `locate: dataset`, at the joined dataset's files).
- controls_pass: each listed control passed (or was waived); otherwise a hit naming it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import normalize
from ..kinds import spec as kind_spec
from .predicates import compile_predicate
from .values import Context, RuleError, param

QUANTIFIERS = ("none", "all", "some", "each", "controls_pass")


@dataclass
class Hit:
    """One gap found by a rule, before it becomes a Finding."""

    key: str  # identity of the subject, stable across years
    fields: dict  # values for the message template
    record: object = None  # Record where the gap is located, or None
    files: tuple = ()  # files that should have held the evidence, when there is no record
    unit: str | None = None  # unit code responsible


@dataclass
class Outcome:
    applicable: bool = True
    hits: list = field(default_factory=list)
    checked: int = 0
    departments: dict = field(default_factory=dict)  # unit code -> [checked, failed]


def quantifier(rule: dict) -> str:
    return next(q for q in QUANTIFIERS if q in rule)


def datasets_of(rule: dict) -> list[str]:
    q = quantifier(rule)
    if q == "controls_pass":
        return []
    names = [rule[q]]
    if "has" in rule:
        names.append(rule["has"]["dataset"])
    return names


def compile_rule(rule: dict, ctx: Context):
    """Compile every predicate of a rule; raises RuleError for unknown fields or parameters."""
    q = quantifier(rule)
    when = compile_predicate(rule.get("when"), ctx, None)
    if q == "controls_pass":
        return q, when, None
    kind = rule[q]
    if kind not in _kinds():
        raise RuleError(f"unknown dataset '{kind}' (kinds: {', '.join(_kinds())})")
    for name in list(rule.get("key", [])) + ([rule["department"]] if "department" in rule else []):
        if name not in kind_spec(kind).fields:
            raise RuleError(f"key/department: unknown field '{name}' of {kind}")
    compiled = {"where": compile_predicate(rule.get("where"), ctx, kind)}
    if q == "all":
        compiled["require"] = compile_predicate(rule["require"], ctx, kind)
    if q == "each":
        has = rule["has"]
        inner = has["dataset"]
        if inner not in _kinds():
            raise RuleError(f"unknown dataset '{inner}' in has")
        for outer_field, inner_field in (has.get("on") or {}).items():
            for k, f in ((kind, outer_field), (inner, inner_field)):
                if f not in kind_spec(k).fields:
                    raise RuleError(f"has.on: unknown field '{f}' of {k}")
        compiled["has"] = compile_predicate(has.get("where"), ctx, inner, outer_kind=kind)
    return q, when, compiled


def evaluate(rule: dict, ctx: Context, datasets: dict, files: dict) -> Outcome:
    """Evaluate one rule over the datasets (kind -> records); `files`: kind -> evidence paths."""
    q, when, compiled = compile_rule(rule, ctx)
    if not when({}, None):
        return Outcome(applicable=False)
    if q == "controls_pass":
        return _controls_pass(rule, ctx)
    kind = rule[q]
    records = datasets.get(kind, [])
    where = compiled["where"]
    scope = [r for r in records if where(r.fields, None)]
    out = Outcome(checked=len(scope))
    if q == "none":
        out.checked = len(records)  # every record was examined for the forbidden pattern
        _hits(out, rule, records, scope, ctx)
    elif q == "all":
        require = compiled["require"]
        _hits(out, rule, scope, [r for r in scope if not require(r.fields, None)], ctx)
    elif q == "some":
        need = _count(rule.get("min", 1), ctx)
        if len(scope) < need:
            out.hits.append(Hit("missing", {"count": len(scope), "min": need},
                                files=tuple(files.get(kind, ()))))
    else:
        _each(out, rule, ctx, scope, datasets, files, compiled["has"])
    return out


def _count(value, ctx) -> int:
    n = param(value, ctx) if isinstance(value, str) else value
    if not isinstance(n, int) or n < 1:
        raise RuleError(f"min must be a whole number of at least 1, not {n!r}")
    return n


def _unit_of(rule: dict, record) -> str | None:
    name = rule.get("department") or kind_spec(record.kind).unit_field
    return record.fields.get(name) if name else None


def _key(rule: dict, record) -> str:
    names = rule.get("key") or kind_spec(record.kind).key
    return "/".join(str(record.fields.get(n) or "-") for n in names)


def _hits(out: Outcome, rule: dict, population, failing, ctx) -> None:
    failed = {id(r) for r in failing}
    for r in population:
        unit = _unit_of(rule, r)
        if unit is not None and not isinstance(unit, list):
            counts = out.departments.setdefault(unit, [0, 0])
            counts[0] += 1
            counts[1] += id(r) in failed
    for r in failing:
        out.hits.append(Hit(_key(rule, r), dict(r.fields), record=r, unit=_unit_of(rule, r)))


def _each(out, rule, ctx, scope, datasets, files, has_pred) -> None:
    has = rule["has"]
    inner_kind = has["dataset"]
    need = _count(has.get("min", 1), ctx)
    on = list((has.get("on") or {}).items())
    index: dict = {}
    for r in datasets.get(inner_kind, []):
        for key in _join_keys(r.fields, [inner for _, inner in on]):
            index.setdefault(key, []).append(r)
    failing = []
    for r in scope:
        keys = _join_keys(r.fields, [outer for outer, _ in on])
        found, seen = 0, set()
        for key in keys:
            for c in index.get(key, ()):
                if id(c) not in seen and has_pred(c.fields, r.fields):
                    seen.add(id(c))
                    found += 1
            if found >= need:
                break
        if found < need:
            failing.append(r)
    _hits(out, rule, scope, failing, ctx)
    if rule.get("locate") == "dataset":
        for hit in out.hits:
            hit.record, hit.files = None, tuple(files.get(inner_kind, ()))
    for hit in out.hits:
        hit.fields.update(count=0, min=need)


def _join_keys(fields: dict, names: list) -> list:
    """Join keys of one record: a tuple of values, one per `on` pair (NFKC for text)."""
    if not names:
        return [()]
    keys = [()]
    for name in names:
        value = fields.get(name)
        values = value if isinstance(value, list) else [value]
        values = [normalize.nfkc(v) if isinstance(v, str) else v for v in values if v is not None]
        keys = [k + (v,) for k in keys for v in values]
    return keys


def _controls_pass(rule: dict, ctx: Context) -> Outcome:
    wanted = rule["controls_pass"]
    ids = param(wanted, ctx) if isinstance(wanted, str) else wanted
    out = Outcome(checked=len(ids or ()))
    for cid in ids or ():
        status = ctx.statuses.get(cid, "not_evaluated")
        if status not in ("pass", "waived"):
            out.hits.append(Hit(cid, {"control": cid, "status": status}))
    return out


def _kinds():
    from ..kinds import names
    return names()
