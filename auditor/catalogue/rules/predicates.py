"""Predicates: a mapping of field conditions (all must hold) with `all`, `any` and `not`.

A predicate compiles once per control into one Python expression over the record's fields, with
parameters and constants resolved and coerced beforehand. The expression is built into list
comprehensions that run over whole columns (hundreds of thousands of rows at C-loop speed), and
into a plain function over a record's fields for single records.
"""
from __future__ import annotations

import datetime as dt
import functools
import re  # parameter names only: user patterns run in RE2 (regex.py)

from . import regex
from .values import MISSING, Context, RuleError, compile_value, field_type, param

_LOGIC = ("all", "any", "not")
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "between", "in_fy", "exists",
             "regex", "contains", "intersects", "not", "first")
_VALUE_KEYS = ("field", "outer", "date", "lookup")
_TRUE = "True"
_PARAM = re.compile(r"\$[a-z][a-z0-9_]*")
_PER_ROW = False  # tests: the reference path, the predicate tested on every row
_DISTINCT_TYPES = {str, dt.date, type(None)}  # types where equal values behave alike (not 1 == 1.0 == True)
_DISTINCT_SHARE = 4  # a column with more than 1/4 distinct values (IDs) is tested row by row


class Code:
    """The names an expression may use: fields (f0, f1, …), outer fields (o0, …) and constants (k0, …)."""

    def __init__(self):
        self.fields: list[str] = []
        self.outers: list[str] = []
        self.env: dict = {}

    def field(self, name: str) -> str:
        if name not in self.fields:
            self.fields.append(name)
        return f"f{self.fields.index(name)}"

    def outer(self, name: str) -> str:
        if name not in self.outers:
            self.outers.append(name)
        return f"o{self.outers.index(name)}"

    def const(self, value) -> str:
        name = f"k{len(self.env)}"
        self.env[name] = value
        return name


class Predicate:
    """A compiled predicate: `expr` over the fields in `fields` (and `outers`, inside has.where)."""

    def __init__(self, expr: str, code: Code):
        self.expr, self.fields, self.outers = expr, tuple(code.fields), tuple(code.outers)
        self.env = dict(code.env)
        self.always = expr == _TRUE
        self._fn = self._build("def fn(f, o):\n" + "".join(
            f"    f{i} = f.get({n!r})\n" for i, n in enumerate(self.fields)) + "".join(
            f"    o{i} = o.get({n!r}) if o is not None else None\n" for i, n in enumerate(self.outers))
            + f"    return {expr}\n", "fn")
        self._select: dict = {}
        # once per distinct value pays only where a row costs a call (RE2, date arithmetic, str, set):
        # hashing 500,000 values costs more than comparing them (docs/performance.md)
        self.per_value = any(callable(v) for v in self.env.values()) or any(
            f"{c}(" in expr for c in ("str", "set", "bool"))

    def _build(self, source: str, name: str):
        namespace = dict(self.env)
        exec(_code(source), namespace)  # source made here from checked names only
        return namespace[name]

    def __call__(self, fields: dict, outer: dict | None) -> bool:
        return _checked(self._fn, fields, outer)

    def select(self, columns: dict, rows=None, size: int = 0, negate: bool = False, outer=()) -> list:
        """Indices of the rows (`rows`, or all `size` rows) whose fields satisfy the predicate (or not)."""
        if self.always and not negate:
            return list(range(size)) if rows is None else list(rows)
        if negate not in self._select:
            self._select[negate] = self._build(self._select_source(negate), "select")
        if self.per_value and self.fields and not self.outers and not _PER_ROW:
            picked = self._select_distinct(columns, rows, negate)
            if picked is not None:
                return picked
        return _checked(self._select[negate], rows, size, *outer, *(columns[n] for n in self.fields))

    def _select_distinct(self, columns: dict, rows, negate: bool) -> list | None:
        """The predicate tested once per distinct value (tuple of values) of its fields, rows picked
        by membership; None when that may not give what testing every row gives, or would not pay.

        Equal to the row-by-row path: the expression is a pure function of its fields' values, and the
        distinct values are tested in the order of their first row, so a value that cannot be compared
        raises the same error as row by row. Only str, date and None values: equal values of those are
        interchangeable (1, 1.0 and True are equal but print differently; lists are unhashable)."""
        cs = [columns[n] for n in self.fields]
        if rows is None:
            values = cs[0] if len(cs) == 1 else list(zip(*cs))
        else:
            rows = rows if isinstance(rows, (list, range)) else list(rows)
            values = list(map(cs[0].__getitem__, rows)) if len(cs) == 1 else [
                t for t in zip(*(map(c.__getitem__, rows) for c in cs))]
        try:
            distinct = list(dict.fromkeys(values))
        except TypeError:  # a list value (unhashable)
            return None
        if len(distinct) * _DISTINCT_SHARE > len(values):
            return None
        parts = [distinct] if len(cs) == 1 else [list(p) for p in zip(*distinct)] if distinct else [[] for _ in cs]
        if any(type(v) not in _DISTINCT_TYPES for p in parts for v in p):
            return None
        keep = set(map(distinct.__getitem__, _checked(self._select[negate], None, len(distinct), *parts)))
        if rows is None:
            return [i for i, v in enumerate(values) if v in keep]
        return [i for i, v in zip(rows, values) if v in keep]

    def _select_source(self, negate: bool) -> str:
        n = len(self.fields)
        cond = f"not ({self.expr})" if negate else self.expr
        fs, cs = [f"f{i}" for i in range(n)], [f"c{i}" for i in range(n)]
        every = {0: "i in range(size)", 1: "i, f0 in enumerate(c0)"}.get(
            n, f"i, ({', '.join(fs)}) in enumerate(zip({', '.join(cs)}))")
        some = f"i in rows for {', '.join(fs)}, in (({', '.join(c + '[i]' for c in cs)},),)" if n else "i in rows"
        args = ", ".join(["rows", "size"] + [f"o{i}" for i in range(len(self.outers))] + cs)
        return (f"def select({args}):\n"
                f"    if rows is None:\n"
                f"        return [i for {every} if {cond}]\n"
                f"    return [i for {some} if {cond}]\n")


@functools.lru_cache(maxsize=1024)
def _code(source: str):
    return compile(source, "<rule>", "exec")  # the same rule shape recurs across controls and runs


def _checked(fn, *args):
    try:
        return fn(*args)
    except TypeError as exc:  # e.g. a date compared with a number: the rule and the data disagree
        raise RuleError(f"cannot compare the values of this rule ({exc})",
                        "このルールの値どうしを比べられません（日付と数値など、型の違う値の比較です）") from None


def compile_predicate(pred: dict | None, ctx: Context, kind: str | None, outer_kind: str | None = None) -> Predicate:
    """Compile a predicate over records of `kind` (None: over the parameters, for `when`)."""
    code = Code()
    return Predicate(_expr(pred, ctx, kind, outer_kind, code), code)


def _expr(pred, ctx, kind, outer_kind, code) -> str:
    if not pred:
        return _TRUE
    parts = []
    for key, cond in pred.items():
        if key in ("all", "any"):
            subs = [_expr(p, ctx, kind, outer_kind, code) for p in cond]
            parts.append(_join(subs, " and " if key == "all" else " or "))
        elif key == "not":
            parts.append(f"(not {_expr(cond, ctx, kind, outer_kind, code)})")
        else:
            parts.append(_condition(key, cond, ctx, kind, outer_kind, code))
    return _join(parts, " and ")


def _join(parts: list, op: str) -> str:
    if op == " and ":
        parts = [p for p in parts if p != _TRUE]
        return _TRUE if not parts else parts[0] if len(parts) == 1 else "(" + op.join(parts) + ")"
    if not parts or _TRUE in parts:
        return "False" if not parts else _TRUE
    return parts[0] if len(parts) == 1 else "(" + op.join(parts) + ")"


def _condition(name: str, cond, ctx, kind, outer_kind, code) -> str:
    ftype = field_type(kind, name)
    if kind is None:  # `when`: conditions over parameters, not record fields
        if name not in ctx.params:
            raise RuleError(f"when: unknown parameter '{name}'", f"when: パラメータ「{name}」はありません")
        var = code.const(ctx.params[name])
    else:
        var = code.field(name)
    return _tests(cond, var, ftype, ctx, kind, outer_kind, code)


def _tests(cond, var, ftype, ctx, kind, outer_kind, code) -> str:
    if isinstance(cond, dict) and not any(k in cond for k in _VALUE_KEYS):
        return _join([_operator(op, arg, var, ftype, ctx, kind, outer_kind, code) for op, arg in cond.items()], " and ")
    op = "in" if isinstance(cond, list) and ftype[0] != "unit_list" else "eq"
    return _operator(op, cond, var, ftype, ctx, kind, outer_kind, code)


def _operator(op: str, arg, v: str, ftype, ctx, kind, outer_kind, code) -> str:
    if op == "not":
        return f"(not {_tests(arg, v, ftype, ctx, kind, outer_kind, code)})"
    if op == "first":  # the first condition that no null parameter switches off
        if not isinstance(arg, list) or not arg:
            raise RuleError("first: needs a list of conditions", "first: には条件の一覧が必要です")
        for cond in arg:
            expr = _tests(cond, v, ftype, ctx, kind, outer_kind, code)
            if expr != _TRUE:
                return expr
        return _TRUE
    if op == "exists":
        return f"({v} is not None and {v} != '' and {v} != [])" if arg else f"({v} is None or {v} == '' or {v} == [])"
    if op == "in_fy":
        start, end = code.const(ctx.fy.start), code.const(ctx.fy.end)
        return f"({v} is not None and {'' if arg else 'not '}({start} <= {v} <= {end}))"
    if op == "regex":  # linear time whatever the pattern and the text (regex.py)
        if isinstance(arg, str) and _PARAM.fullmatch(arg):
            arg = param(arg, ctx)
            if arg is None:
                return _TRUE  # a null parameter switches the condition off
        if not isinstance(arg, str):
            raise RuleError(f"regex needs a pattern (text), not {arg!r}", f"regex にはパターン（文字列）が必要です（{arg!r} は使えません）")
        return f"({v} is not None and {code.const(regex.searcher(arg))}(str({v})))"
    if op == "between":
        lo = compile_value(arg[0], ctx, kind, outer_kind, ftype, code)
        hi = compile_value(arg[1], ctx, kind, outer_kind, ftype, code)
        if MISSING in (lo.const, hi.const) and not (lo.dynamic or hi.dynamic):
            return _TRUE
        a, b = _operand(lo, code), _operand(hi, code)
        return f"({v} is not None and {a} is not None and {b} is not None and {a} <= {v} <= {b})"
    item_type = ("unit", None) if ftype[0] == "unit_list" and op == "contains" else ftype
    value = compile_value(arg, ctx, kind, outer_kind, item_type, code)
    if value.const is MISSING and not value.dynamic:
        return _TRUE  # compared with a null parameter: the condition is switched off
    w = _operand(value, code)
    if op == "eq":
        return f"({v} is not None and {v} == {w})"
    if op == "ne":
        return f"({v} != {w})"
    if op in ("in", "not_in"):
        if value.dynamic:
            test = f"({v} is not None and {v} in ({w} or ()))"
        else:
            members = value.const if isinstance(value.const, list) else [value.const]
            try:
                test = f"({v} in {code.const(frozenset(members))})"
            except TypeError:  # unhashable members (lists): compare one by one
                test = f"({v} in {code.const(tuple(members))})"
        return test if op == "in" else f"(not {test})"
    if op in ("gt", "ge", "lt", "le"):
        sign = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
        return f"({v} is not None and {w} is not None and {v} {sign} {w})"
    if op == "contains":
        return f"({w} in ({v} or ()))"
    if op == "intersects":
        return f"bool(set({v} or ()) & set({w} or ()))"
    raise RuleError(f"unknown operator '{op}'", f"演算子「{op}」はありません")


def _operand(value, code) -> str:
    return value.code if value.dynamic else code.const(value.const)
