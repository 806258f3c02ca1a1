"""Which rows of a table are records: the manifest's `skip_rows:` and `key_pattern:`.

`skip_rows: {where: …}` uses the predicate form of the rule language (catalogue/rules/predicates.py),
the subset that makes sense on cells as written: a field (or a column label) with a value (equals), a
list (in), or a mapping of operators `eq`, `in`, `regex`, `exists`, `not`; and `all`, `any`, `not` over
predicates. It is evaluated on the raw cells, before they are normalised (a footer row's 計 45名 is no
date and no ID), compared as text after NFKC: full-width and half-width spellings are one, and an Excel
number cell 45 equals '45'. Patterns run in linear time (auditor/regex.py). The evidence stage may not
import the catalogue (docs/architecture.md), so the matcher is this small one, with the same syntax.
"""
from __future__ import annotations

import datetime as dt

from . import blanks, normalize
from .. import regex

OPERATORS = ("eq", "in", "regex", "exists", "not")


class FilterError(ValueError):
    """A predicate that cannot be used as written (the message names the operator): str() in English,
    `ja` in Japanese."""

    def __init__(self, message: str, ja: str):
        super().__init__(message)
        self.ja = ja


def text(value) -> str | None:
    """A raw cell as the filters compare it: NFKC text, None when it holds no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    clean = " ".join(normalize.nfkc(blanks.strip(str(value))[0]).split())
    return clean or None


def names(pred) -> list[str]:
    """The fields and column labels a predicate reads, in order of appearance."""
    out: list[str] = []
    for key, cond in (pred or {}).items():
        if key in ("all", "any"):
            for sub in cond:
                out += [n for n in names(sub) if n not in out]
        elif key == "not":
            out += [n for n in names(cond) if n not in out]
        elif key not in out:
            out.append(key)
    return out


def compile_where(pred):
    """-> test(get) -> bool, where get(name) is the text (text()) of that field or column in the row."""
    if not isinstance(pred, dict) or not pred:
        raise FilterError("where: needs a mapping of conditions, e.g. {staff_id: {regex: '^(合計|計)'}}",
                          "where: には条件の対応表を書きます（例: {staff_id: {regex: '^(合計|計)'}}）")
    parts = []
    for key, cond in pred.items():
        if key in ("all", "any"):
            if not isinstance(cond, list) or not cond:
                raise FilterError(f"{key}: needs a list of conditions", f"{key}: には条件の一覧を書きます")
            subs = [compile_where(c) for c in cond]
            parts.append((lambda s: lambda get: all(t(get) for t in s))(subs) if key == "all"
                         else (lambda s: lambda get: any(t(get) for t in s))(subs))
        elif key == "not":
            sub = compile_where(cond)
            parts.append(lambda get, sub=sub: not sub(get))
        else:
            test = _tests(cond)
            parts.append(lambda get, key=key, test=test: test(get(key)))
    return parts[0] if len(parts) == 1 else lambda get: all(p(get) for p in parts)


def _tests(cond):
    if isinstance(cond, dict):
        if not cond:
            raise FilterError("a field's condition needs an operator: " + ", ".join(OPERATORS),
                              "フィールドの条件には演算子が要ります（" + "、".join(OPERATORS) + "）")
        tests = [_operator(op, arg) for op, arg in cond.items()]
        return tests[0] if len(tests) == 1 else lambda v: all(t(v) for t in tests)
    return _operator("in" if isinstance(cond, list) else "eq", cond)


def _operator(op: str, arg):
    if op == "eq":
        want = text(arg)
        return lambda v: v is not None and v == want
    if op == "in":
        if not isinstance(arg, list):
            raise FilterError(f"in: needs a list, not {arg!r}", f"in: には一覧を書きます（{arg!r} は使えません）")
        wants = frozenset(text(a) for a in arg) - {None}
        return lambda v: v in wants
    if op == "regex":
        search = searcher(arg)
        return lambda v: v is not None and search(v)
    if op == "exists":
        if not isinstance(arg, bool):
            raise FilterError(f"exists: needs true or false, not {arg!r}",
                              f"exists: には true か false を書きます（{arg!r} は使えません）")
        return lambda v: (v is not None and not blanks.is_null(v)) == arg
    if op == "not":
        test = _tests(arg)
        return lambda v: not test(v)
    raise FilterError(f"unknown operator '{op}' (skip_rows: knows {', '.join(OPERATORS)}, all, any)",
                      f"演算子「{op}」はありません（skip_rows: で使えるのは {'、'.join(OPERATORS)}、all、any）")


def searcher(pattern):
    try:
        return regex.searcher(pattern)
    except regex.PatternError as exc:
        raise FilterError(str(exc), exc.ja) from None


def fullmatcher(pattern):
    try:
        return regex.fullmatcher(pattern)
    except regex.PatternError as exc:
        raise FilterError(str(exc), exc.ja) from None


def extractor(pattern):
    try:
        return regex.extractor(pattern)
    except regex.PatternError as exc:
        raise FilterError(str(exc), exc.ja) from None


def rules(skip_rows) -> list[dict]:
    """skip_rows: one rule ({where:, reason:}) or a list of them."""
    if skip_rows is None:
        return []
    return list(skip_rows) if isinstance(skip_rows, list) else [skip_rows]


def key_patterns(key_pattern, spec) -> dict:
    """key_pattern: a pattern for the kind's key field, or {field: pattern} -> {field: pattern}."""
    if key_pattern is None:
        return {}
    if isinstance(key_pattern, dict):
        return dict(key_pattern)
    return {spec.key[0]: key_pattern}


def is_drop(value) -> bool:
    """The values: marker that drops a row (`係: {drop: true}`); a bare `drop` would be the firewall action."""
    return isinstance(value, dict) and value.get("drop") is True
