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

from collections import Counter
from dataclasses import dataclass, field

from ...evidence import normalize
from ...evidence.dataset import Dataset
from ...evidence.kinds import spec as kind_spec
from . import keyforms
from .predicates import compile_predicate
from .values import Context, RuleError, param

QUANTIFIERS = ("none", "all", "some", "each", "controls_pass")
MIN_MATCH = 0.5  # has.min_match: below this share on both sides, a join's keys likely differ in form


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
    joins: list = field(default_factory=list)  # Join of each each-rule whose keys hardly meet
    near_misses: list = field(default_factory=list)  # keyforms.NearMiss: keys that differ only in form
    # (kind, fields): `where` selected nothing as no record has a value in these fields (the control is then
    # no pass when no other rule checked anything)
    unselectable: tuple | None = None


@dataclass
class Join:
    """How the join keys of an `each` rule met: records with a key, how many found the other side."""

    outer: str  # kind
    inner: str
    on: list  # [(outer field, inner field)]
    outer_keyed: int  # records in scope with a key
    outer_matched: int
    inner_keyed: int
    inner_matched: int
    outer_unmatched: list  # a few keys of each side that the other does not hold
    inner_unmatched: list


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
        raise RuleError(f"unknown dataset '{kind}' (kinds: {', '.join(_kinds())}; a town's own kind: "
                        "--kinds DIR, or kinds/ beside the controls folder)",
                        f"証跡の種類「{kind}」はありません（種類: {'、'.join(_kinds())}。町独自の種類は --kinds DIR か、"
                        "管理策のフォルダの隣の kinds/ に置きます）")
    for name in list(rule.get("key", [])) + ([rule["department"]] if "department" in rule else []):
        if name not in kind_spec(kind).fields:
            raise RuleError(f"key/department: unknown field '{name}' of {kind}",
                            f"key/department: {kind} にフィールド「{name}」はありません")
    compiled = {"where": compile_predicate(rule.get("where"), ctx, kind)}
    if q == "all":
        compiled["require"] = compile_predicate(rule["require"], ctx, kind)
    if q == "each":
        has = rule["has"]
        inner = has["dataset"]
        if inner not in _kinds():
            raise RuleError(f"unknown dataset '{inner}' in has", f"has の証跡の種類「{inner}」はありません")
        for outer_field, inner_field in (has.get("on") or {}).items():
            for k, f in ((kind, outer_field), (inner, inner_field)):
                if f not in kind_spec(k).fields:
                    raise RuleError(f"has.on: unknown field '{f}' of {k}", f"has.on: {k} にフィールド「{f}」はありません")
        compiled["has"] = compile_predicate(has.get("where"), ctx, inner, outer_kind=kind)
    return q, when, compiled


def applies(rule: dict, ctx: Context) -> bool:
    """Whether the rule's `when` (over parameters only) holds: known before any evidence is read."""
    return bool(compile_predicate(rule.get("when"), ctx, None)({}, None))


def evaluate(rule: dict, ctx: Context, datasets: dict, files: dict) -> Outcome:
    """Evaluate one rule over the datasets (kind -> Dataset); `files`: kind -> evidence paths."""
    q, when, compiled = compile_rule(rule, ctx)
    if not when({}, None):
        return Outcome(applicable=False)
    if q == "controls_pass":
        return _controls_pass(rule, ctx)
    kind = rule[q]
    data = _dataset(datasets, kind)
    scope = compiled["where"].select(data.columns, size=len(data))
    out = Outcome(checked=len(scope))
    if q in ("all", "each") and not scope and len(data):
        absent = [f for f in compiled["where"].fields if all(v is None for v in data.columns.get(f, ()))]
        if absent:  # e.g. where: {level: 課} over an org master without a 階層 column, or with it left empty
            out.unselectable = (kind, absent)
            return out
    if q == "none":
        out.checked = len(data)  # every record was examined for the forbidden pattern
        _hits(out, rule, data, None, scope)
    elif q == "all":
        _hits(out, rule, data, scope, compiled["require"].select(data.columns, scope, negate=True))
    elif q == "some":
        need = _count(rule.get("min", 1), ctx)
        if len(scope) < need:
            out.hits.append(Hit("missing", {"count": len(scope), "min": need},
                                files=tuple(files.get(kind, ()))))
    else:
        _each(out, rule, ctx, data, scope, _dataset(datasets, rule["has"]["dataset"]), files, compiled["has"])
    return out


def _dataset(datasets: dict, kind: str) -> Dataset:
    data = datasets.get(kind)
    return data if data is not None else Dataset(kind, kind_spec(kind).fields)


def _count(value, ctx) -> int:
    n = param(value, ctx) if isinstance(value, str) else value
    if not isinstance(n, int) or n < 1:
        raise RuleError(f"min must be a whole number of at least 1, not {n!r}", f"min は 1 以上の整数で書きます（{n!r} は使えません）")
    return n


def _unit_field(rule: dict, kind: str) -> str | None:
    return rule.get("department") or kind_spec(kind).unit_field


def _hits(out: Outcome, rule: dict, data: Dataset, population, failing: list) -> None:
    """Count checked and failed rows per department; each failing row becomes a hit."""
    name = _unit_field(rule, data.kind)
    if name and kind_spec(data.kind).fields[name][0] != "unit_list":  # a list names no single owner
        units = data.columns[name]
        whole = population is None or len(population) == len(units)  # every row (scope is then range-like)
        checked = Counter(units if whole else map(units.__getitem__, population))
        failed = Counter(map(units.__getitem__, failing))
        for unit, n in checked.items():
            if unit is not None:
                out.departments[unit] = [n, failed.get(unit, 0)]
    keys = rule.get("key") or kind_spec(data.kind).key
    for i in failing:
        record = data.record(i)
        unit = record.fields.get(name) if name else None
        parts = [record.fields.get(n) for n in keys]
        # a record without its ID (a file with no 監査ID column) is no subject of any other record's: its row
        # names it, or every such row's gap would merge into one finding
        key = ("/".join(str(v or "-") for v in parts) if any(parts) or not keys
               else f"{record.file}:{record.line}" if record.line is not None else record.file)
        out.hits.append(Hit(key, dict(record.fields), record=record, unit=unit))


def _each(out, rule, ctx, outer: Dataset, scope, inner: Dataset, files, has_pred) -> None:
    has = rule["has"]
    need = _count(has.get("min", 1), ctx)
    on = list((has.get("on") or {}).items())
    near = None  # (unmatched outer keys, the inner keys that would have matched, the inner column)
    if len(on) == 1 and not has_pred.outers and _scalar(outer, on[0][0]):
        # the usual case: count the qualifying inner rows per key, then look each outer key up
        inner_column = _join_column(inner, on[0][1])
        rows = has_pred.select(inner.columns, size=len(inner))
        if need == 1 and _scalar(inner, on[0][1]):
            count = dict.fromkeys(map(inner_column.__getitem__, rows))  # only whether a key occurs: no counting
        elif _scalar(inner, on[0][1]):
            count = Counter(map(inner_column.__getitem__, rows))
        else:
            count = Counter(v for i in rows for v in set(inner_column[i] or ()))
        count.pop(None, None)
        outer_column = _join_column(outer, on[0][0])
        if need == 1:
            found = count.keys()
            failing = ([r for r, v in enumerate(outer_column) if v not in found] if len(scope) == len(outer)
                       else [r for r in scope if outer_column[r] not in found])  # scope: every row, or some
            if failing and _scalar(inner, on[0][1]):
                near = (map(outer_column.__getitem__, failing), found, inner_column)
        else:
            failing = [r for r in scope if count.get(outer_column[r], 0) < need]
    else:
        failing = _each_row_by_row(outer, scope, inner, on, has_pred, need)
    share = has.get("min_match", MIN_MATCH)
    if len(scope) - len(failing) < share * len(scope):  # else enough outer records matched: no need to look
        join = _join_coverage(outer, scope, inner, on)
        if join and join.outer_matched < share * join.outer_keyed and join.inner_matched < share * join.inner_keyed:
            out.joins.append(join)  # both sides mostly unmatched: the keys are likely written differently
    if near is not None and not out.joins:
        _near_misses(out, outer, inner, on, *near)
    _hits(out, rule, outer, scope, failing)
    if rule.get("locate") == "dataset":
        for hit in out.hits:
            hit.record, hit.files = None, tuple(files.get(inner.kind, ()))
    for hit in out.hits:
        hit.fields.update(count=0, min=need)


def _near_misses(out: Outcome, outer: Dataset, inner: Dataset, on: list, unmatched, known, inner_column) -> None:
    """Unmatched outer keys that an inner key equals but for zeros, separators or case (keyforms.py)."""
    forms = keyforms.forms(inner_column[::max(1, len(inner_column) // keyforms.SAMPLE)])
    if forms:
        count, examples = keyforms.near_misses(unmatched, known, forms)
        if count:
            out.near_misses.append(keyforms.NearMiss(outer.kind, inner.kind, on, count, examples))


def _join_coverage(outer: Dataset, scope, inner: Dataset, on: list, shown: int = 3) -> Join | None:
    """Join keys met on both sides (has.where aside): of the outer records in scope, and of all inner records."""
    if not on:
        return None
    (outer_rows, outer_flat), (inner_rows, inner_flat) = (_row_keys(outer, [o for o, _ in on]),
                                                          _row_keys(inner, [i for _, i in on]))
    scoped = outer_rows if len(scope) == len(outer_rows) else list(map(outer_rows.__getitem__, scope))
    sides = [_side(scoped, outer_flat, _all_keys(inner_rows, inner_flat), shown),
             _side(inner_rows, inner_flat, _all_keys(outer_rows, outer_flat), shown)]
    if not sides[0][0] or not sides[1][0]:
        return None  # nothing to compare on one side
    (ok, om, os_), (ik, im, is_) = sides
    text = lambda k: "/".join(map(str, k)) if isinstance(k, tuple) else str(k)  # noqa: E731
    return Join(outer.kind, inner.kind, on, ok, om, ik, im, list(map(text, os_)), list(map(text, is_)))


def _row_keys(data: Dataset, names: list) -> tuple[list, bool]:
    """Each row's join key (None: it has none), at C speed when no field holds a list -> (keys, True);
    else each row's list of keys -> (lists, False). One field gives plain values, several give tuples."""
    if all(_scalar(data, n) for n in names):
        columns = [_join_column(data, n) for n in names]
        if len(columns) == 1:
            return columns[0], True
        return [None if None in t else t for t in zip(*columns)], True
    keys = _join_keys(data, names, None)
    return ([[k[0] for k in ks] for ks in keys] if len(names) == 1 else keys), False


def _all_keys(rows: list, flat: bool) -> set:
    return set(rows) if flat else {k for ks in rows for k in ks}


def _side(rows: list, flat: bool, other: set, shown: int) -> tuple:
    """(rows with a key, rows whose key the other side holds, a few keys it does not)."""
    if flat:
        keyed = [k for k in rows if k is not None]
        missing = [k for k in keyed if k not in other]
    else:
        keyed = [ks for ks in rows if ks]
        missing = [ks[0] for ks in keyed if not any(k in other for k in ks)]
    return len(keyed), len(keyed) - len(missing), _first_distinct(missing, shown)


def _first_distinct(values, n: int) -> list:
    out: dict = {}
    for v in values:
        out.setdefault(v)
        if len(out) == n:
            break
    return list(out)


def _scalar(data: Dataset, name: str) -> bool:
    return kind_spec(data.kind).fields[name][0] != "unit_list"


def _join_column(data: Dataset, name: str) -> list:
    """A column as join keys: free text compares after NFKC; IDs, codes and dates are normal already."""
    column = data.columns[name]
    if kind_spec(data.kind).fields[name][0] not in ("text", None):
        return column
    return [normalize.nfkc(v) if isinstance(v, str) else [normalize.nfkc(x) for x in v] if isinstance(v, list) else v
            for v in column]


_ONE_KEY = True  # tests: False takes the general path (keys as lists of tuples), the reference


def _each_row_by_row(outer, scope, inner, on, has_pred, need) -> list:
    """Several join fields, or has.where reads the outer record: test the joined inner rows of each outer row."""
    outer_columns = [outer.columns[n] for n in has_pred.outers]
    inner_names, outer_names = [i for _, i in on], [o for o, _ in on]
    failing = []
    if _ONE_KEY and on and all(_scalar(inner, n) for n in inner_names) and all(_scalar(outer, n) for n in outer_names):
        # one key a row at most (no list fields): the rows of a key are the index's list, in order already
        index: dict = {}
        for row, key in enumerate(_row_keys(inner, inner_names)[0]):
            if key is not None:
                index.setdefault(key, []).append(row)
        keys = _row_keys(outer, outer_names)[0]
        for row in scope:
            values = [column[row] for column in outer_columns]
            if len(has_pred.select(inner.columns, index.get(keys[row], []), outer=values)) < need:
                failing.append(row)
        return failing
    index = {}
    for row, keys in enumerate(_join_keys(inner, inner_names, None)):
        for key in set(keys):
            index.setdefault(key, []).append(row)
    for row, keys in zip(scope, _join_keys(outer, outer_names, scope)):
        candidates = sorted({c for key in keys for c in index.get(key, ())})
        values = [column[row] for column in outer_columns]
        if len(has_pred.select(inner.columns, candidates, outer=values)) < need:
            failing.append(row)
    return failing


def _join_keys(data: Dataset, names: list, rows) -> list:
    """The join keys of each row (of `rows`, or all): tuples of values, one per `on` field."""
    rows = range(len(data)) if rows is None else rows
    columns = [_join_column(data, name) for name in names]
    out = []
    for row in rows:
        keys = [()]
        for column in columns:
            value = column[row]
            values = value if isinstance(value, list) else [value]
            keys = [k + (v,) for k in keys for v in values if v is not None]
        out.append(keys)
    return out


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
    from ...evidence.kinds import names
    return names()
