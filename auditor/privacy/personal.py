"""Personal data found in evidence: one `Occurrence` per cell that held a My Number, and the masked
excerpt a department is shown to find it.

Evidence reading masks every My Number in every cell, mapped to a field or not, and records an
Occurrence for each (auditor/evidence/loader.py); auditor/evidence/derived.py turns them into the
derived dataset `personal_data_occurrences` that control DP-01 quantifies over.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import mynumber

MY_NUMBER_FIELD = "my_number"  # the x-personal value of a field meant to hold My Numbers
_CONTEXT = 12  # characters of the cell shown on each side of the first masked number


@dataclass(frozen=True)
class Occurrence:
    """One evidence cell that held a My Number; `value` is the cell already masked."""

    file: str
    line: int | None
    column: str
    field: str | None  # canonical field the column maps to; None for an unmapped column
    value: object


def excerpt(value, personal: bool = False) -> str:
    """The masked cell around its first masked number, enough for the department to find it.

    A column mapped to a personal field (a name) shows the mask only: its other text is personal too.
    """
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    text = " ".join(mynumber.mask(text).split())  # masked again: a cell is never trusted
    at = text.find(mynumber.MASK)
    if personal or at < 0:
        return mynumber.MASK
    start, end = max(0, at - _CONTEXT), min(len(text), at + len(mynumber.MASK) + _CONTEXT)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
