"""Predicates: a mapping of field conditions (all must hold) with `all`, `any` and `not`.

Each predicate compiles once per control into a closure `fn(fields, outer) -> bool`; parameters
and constants are resolved and coerced at compile time, so evaluation per record is cheap.
"""
from __future__ import annotations

import re

from .values import MISSING, Context, RuleError, compile_value, field_type

_LOGIC = ("all", "any", "not")
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "between", "in_fy", "exists",
             "regex", "contains", "intersects", "not")
_VALUE_KEYS = ("field", "outer", "date", "lookup")


def _true(f, o):
    return True


def compile_predicate(pred: dict | None, ctx: Context, kind: str | None, outer_kind: str | None = None):
    """Compile a predicate over records of `kind` (None: over the parameters, for `when`)."""
    if not pred:
        return _true
    parts = []
    for key, cond in pred.items():
        if key == "all":
            subs = [compile_predicate(p, ctx, kind, outer_kind) for p in cond]
            parts.append(lambda f, o, s=subs: all(fn(f, o) for fn in s))
        elif key == "any":
            subs = [compile_predicate(p, ctx, kind, outer_kind) for p in cond]
            parts.append(lambda f, o, s=subs: any(fn(f, o) for fn in s))
        elif key == "not":
            sub = compile_predicate(cond, ctx, kind, outer_kind)
            parts.append(lambda f, o, s=sub: not s(f, o))
        else:
            fn = _condition(key, cond, ctx, kind, outer_kind)
            if fn is not _true:
                parts.append(fn)
    if not parts:
        return _true
    if len(parts) == 1:
        return parts[0]
    return lambda f, o: all(fn(f, o) for fn in parts)


def _condition(name: str, cond, ctx, kind, outer_kind):
    ftype = field_type(kind, name)
    if kind is None:  # `when`: conditions over parameters, not record fields
        if name not in ctx.params:
            raise RuleError(f"when: unknown parameter '{name}'")
        value = ctx.params[name]
        get = lambda f, o: value  # noqa: E731
    else:
        get = lambda f, o: f.get(name)  # noqa: E731
    if isinstance(cond, dict) and not any(k in cond for k in _VALUE_KEYS):
        tests = [_operator(op, arg, get, ftype, ctx, kind, outer_kind) for op, arg in cond.items()]
        tests = [t for t in tests if t is not _true]
        if not tests:
            return _true
        return tests[0] if len(tests) == 1 else (lambda f, o: all(t(f, o) for t in tests))
    op = "in" if isinstance(cond, list) and ftype[0] != "unit_list" else "eq"
    return _operator(op, cond, get, ftype, ctx, kind, outer_kind)


def _operator(op: str, arg, get, ftype, ctx, kind, outer_kind):
    if op == "not":
        inner = _condition_from(arg, get, ftype, ctx, kind, outer_kind)
        return lambda f, o: not inner(f, o)
    if op == "exists":
        want = bool(arg)
        return lambda f, o: (get(f, o) not in (None, "", [])) is want
    if op == "in_fy":
        start, end, want = ctx.fy.start, ctx.fy.end, bool(arg)

        def in_fy(f, o):
            v = get(f, o)
            return v is not None and (start <= v <= end) is want
        return in_fy
    if op == "regex":
        try:
            pattern = re.compile(arg)
        except re.error as exc:
            raise RuleError(f"regex {arg!r}: {exc}") from None
        return lambda f, o: (v := get(f, o)) is not None and pattern.search(str(v)) is not None
    if op == "between":
        lo = compile_value(arg[0], ctx, kind, outer_kind, ftype)
        hi = compile_value(arg[1], ctx, kind, outer_kind, ftype)
        if MISSING in (lo.const, hi.const) and not (lo.dynamic or hi.dynamic):
            return _true
        lo_get, hi_get = _getter(lo), _getter(hi)

        def between(f, o):
            v, a, b = get(f, o), lo_get(f, o), hi_get(f, o)
            return None not in (v, a, b) and a <= v <= b
        return between
    item_type = ("unit", None) if ftype[0] == "unit_list" and op == "contains" else ftype
    value = compile_value(arg, ctx, kind, outer_kind, item_type)
    if value.const is MISSING and not value.dynamic:
        return _true  # compared with a null parameter: the condition is switched off
    other = _getter(value)
    return _COMPARE[op](get, other, value)


def _condition_from(arg, get, ftype, ctx, kind, outer_kind):
    if isinstance(arg, dict) and not any(k in arg for k in _VALUE_KEYS):
        tests = [_operator(op, a, get, ftype, ctx, kind, outer_kind) for op, a in arg.items()]
        return lambda f, o: all(t(f, o) for t in tests)
    op = "in" if isinstance(arg, list) and ftype[0] != "unit_list" else "eq"
    return _operator(op, arg, get, ftype, ctx, kind, outer_kind)


def _getter(value):
    if value.dynamic:
        return value.getter
    const = value.const
    return lambda f, o: const


def _ordered(cmp):
    def make(get, other, value):
        def test(f, o):
            a, b = get(f, o), other(f, o)
            if a is None or b is None:
                return False
            try:
                return cmp(a, b)
            except TypeError:
                raise RuleError(f"cannot compare {a!r} with {b!r}") from None
        return test
    return make


def _in(get, other, value):
    if not value.dynamic:
        members = set(value.const) if isinstance(value.const, list) else {value.const}
        return lambda f, o: get(f, o) in members
    return lambda f, o: (v := get(f, o)) is not None and v in (other(f, o) or ())


def _not_in(get, other, value):
    member = _in(get, other, value)
    return lambda f, o: not member(f, o)


def _intersects(get, other, value):
    return lambda f, o: bool(set(get(f, o) or ()) & set(other(f, o) or ()))


_COMPARE = {
    "eq": lambda get, other, value: (lambda f, o: (v := get(f, o)) is not None and v == other(f, o)),
    "ne": lambda get, other, value: (lambda f, o: get(f, o) != other(f, o)),
    "in": _in,
    "not_in": _not_in,
    "gt": _ordered(lambda a, b: a > b),
    "ge": _ordered(lambda a, b: a >= b),
    "lt": _ordered(lambda a, b: a < b),
    "le": _ordered(lambda a, b: a <= b),
    "contains": lambda get, other, value: (lambda f, o: other(f, o) in (get(f, o) or ())),
    "intersects": _intersects,
}
