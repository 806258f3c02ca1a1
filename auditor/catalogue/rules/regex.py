"""The rule operator `regex`: the base's linear-time patterns (auditor/regex.py), whose errors a rule
reports as RuleError (at the control's file and line)."""
from __future__ import annotations

from ... import regex as _base
from .values import RuleError

HINT = _base.HINT


class Unbounded(RuleError):
    """A pattern that cannot run in linear time with Python's meaning."""


def translate(pattern: str) -> str:
    return _call(_base.translate, pattern)


def searcher(pattern):
    return _call(_base.searcher, pattern)


def _call(fn, pattern):
    try:
        return fn(pattern)
    except _base.Unbounded as exc:
        raise Unbounded(str(exc), exc.ja) from None
    except _base.PatternError as exc:
        raise RuleError(str(exc), exc.ja) from None
