"""Value expressions of the rule language: literals, `$param`, `{field}`, `{outer}`, date arithmetic.

An operand compiles to a `Value`: either a constant (resolved once, coerced to the field's type)
or a Python expression over the record's fields, which the predicate compiler puts into its code.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...errors import reason
from ...evidence import normalize
from ...fiscal import add_years
from ...evidence.kinds import spec as kind_spec


class RuleError(Exception):
    """A rule that cannot be evaluated as written (unknown field, bad parameter, ...): str() in English,
    `ja` in Japanese (errors.reason picks one)."""

    def __init__(self, message: str, ja: str | None = None):
        super().__init__(message)
        self.ja = ja


@dataclass
class Context:
    """What a rule may refer to besides records."""

    params: dict  # the control's parameters plus fiscal_year, fy_start, fy_end, as_of, network_model
    fy: object  # FiscalYear
    as_of: dt.date
    units: dict  # unit code -> {"name", ...}; empty when only checking the rule's shape
    unit_names: dict  # NFKC name -> code
    statuses: dict  # control id -> status, for controls_pass


MISSING = object()  # a `$param` that is null: the condition using it is dropped


@dataclass
class Value:
    const: object = MISSING
    code: str | None = None  # a Python expression (see predicates.Code) when the value varies per record

    @property
    def dynamic(self) -> bool:
        return self.code is not None


def param(name: str, ctx: Context):
    key = name[1:]
    if key not in ctx.params:
        known = sorted(ctx.params)
        raise RuleError(f"unknown parameter ${key} (known: {', '.join('$' + k for k in known)})",
                        f"パラメータ ${key} はありません（使えるもの: {'、'.join('$' + k for k in known)}）")
    return ctx.params[key]


def field_type(kind: str | None, name: str) -> tuple:
    """(x-type, enum name) of a field, or (None, None) for untyped values (params in `when`)."""
    if kind is None:
        return None, None
    fields = kind_spec(kind).fields
    if name not in fields:
        raise RuleError(f"unknown field '{name}' of {kind} (fields: {', '.join(fields)})",
                        f"{kind} にフィールド「{name}」はありません（フィールド: {'、'.join(fields)}）")
    return fields[name]


def coerce(value, ftype: tuple, ctx: Context):
    """Bring a constant from a rule or a parameter to the type the field's values have."""
    xtype, enum = ftype
    if value is None or xtype is None:
        return value
    if isinstance(value, (list, tuple, set)) and xtype != "unit_list":
        return [coerce(v, ftype, ctx) for v in value]
    try:
        if xtype == "date":
            return value if isinstance(value, dt.date) else normalize.parse_date(value)
        if xtype in ("id", "unit", "unit_list"):
            if isinstance(value, (list, tuple)):
                return [coerce(v, ("unit", None), ctx) for v in value]
            code = normalize.normalize_id(value)
            if xtype != "id" and code not in ctx.units:
                code = ctx.unit_names.get(normalize.nfkc(code), code)
            return code
        if xtype == "enum":
            return normalize.canonical(enum, value)
        if xtype in ("number", "int"):
            return normalize.parse_number(value) if isinstance(value, str) else value
        if xtype == "bool":
            return normalize.parse_bool(value)
    except ValueError as exc:
        raise RuleError(f"value {value!r} does not fit a {xtype} field: {exc}",
                        f"値 {value!r} は {xtype} のフィールドに合いません（{reason(exc, 'ja')}）") from None
    return value


def compile_value(expr, ctx: Context, kind: str | None, outer_kind: str | None, ftype=(None, None),
                  code=None) -> Value:
    """Compile an operand; constants are coerced to `ftype`; `code` names fields and helpers in the code."""
    if isinstance(expr, str) and expr.startswith("$"):
        value = param(expr, ctx)
        return Value(MISSING) if value is None else Value(coerce(value, ftype, ctx))
    if isinstance(expr, dict):
        if "field" in expr:
            name = expr["field"]
            field_type(kind, name)
            return Value(code=code.field(name))
        if "outer" in expr:
            if outer_kind is None:
                raise RuleError("{outer: ...} is only allowed inside has.where", "{outer: ...} は has.where の中でだけ使えます")
            name = expr["outer"]
            field_type(outer_kind, name)
            return Value(code=code.outer(name))
        if "date" in expr:
            return _date_expr(expr, ctx, kind, outer_kind, code)
        if "lookup" in expr:
            table = compile_value(expr["lookup"], ctx, kind, outer_kind, code=code)
            key = compile_value(expr["key"], ctx, kind, outer_kind, code=code)
            if table.dynamic or key.dynamic or not isinstance(table.const, dict):
                raise RuleError("lookup needs a mapping parameter and a constant key",
                                "lookup には対応表のパラメータと定数のキーが必要です")
            if key.const not in table.const:
                raise RuleError(f"lookup: no entry '{key.const}' in {table.const}",
                                f"lookup: {table.const} に「{key.const}」の項目はありません")
            return Value(coerce(table.const[key.const], ftype, ctx))
    if isinstance(expr, list):
        return Value([coerce(v, ftype, ctx) if not isinstance(v, str) or not v.startswith("$") else
                      coerce(param(v, ctx), ftype, ctx) for v in expr])
    return Value(coerce(expr, ftype, ctx))


def _date_expr(expr: dict, ctx, kind, outer_kind, code) -> Value:
    base = compile_value(expr["date"], ctx, kind, outer_kind, ("date", None), code)
    shifts = []
    for sign, key in ((1, "plus"), (-1, "minus")):
        if key in expr:
            (unit, amount), = expr[key].items()
            n = param(amount, ctx) if isinstance(amount, str) else amount
            if n is None:
                return Value(MISSING)
            if not isinstance(n, int):
                raise RuleError(f"{key}.{unit} must be a whole number, not {n!r}", f"{key}.{unit} は整数で書きます（{n!r} は使えません）")
            shifts.append((unit, sign * n))

    def shift(d):
        if d is None:
            return None
        for unit, n in shifts:
            d = d + dt.timedelta(days=n) if unit == "days" else add_years(d, n)
        return d

    if base.dynamic:
        return Value(code=f"{code.const(shift)}({base.code})")
    if base.const is MISSING:
        return base
    return Value(shift(base.const))
