"""Detect and mask My Numbers (個人番号) so they never reach findings or logs.

A My Number is 12 digits, the last being a check digit. We look at the
original text (full-width digits and 4-4-4 grouping allowed) and report spans
in it, so callers can mask without re-normalising. When in doubt we prefer to
over-mask: a masked asset number is harmless, a leaked My Number is not.
"""
from __future__ import annotations

import re

MASK = "*" * 12

_D = "[0-9０-９]"
# Group separators: ASCII/full-width space, ASCII/full-width hyphen and the
# dash look-alikes people type by mistake (incl. katakana ー from the IME).
_S = "[ \u3000\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u30fc]"
# Lookahead so that overlapping candidates are all seen (a failing window must
# not hide a valid one that starts inside it); the digit look-arounds reject
# 12 digits that are part of a longer run, such as a 13-digit 法人番号.
_CANDIDATE = re.compile(
    f"(?=(?<!{_D})({_D}{{12}}|{_D}{{4}}{_S}{_D}{{4}}{_S}{_D}{{4}})(?!{_D}))"
)
_ANY_DIGIT = re.compile(_D)
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
_TWELVE = re.compile(r"[0-9]{12}")


def check_digit(first11: str) -> int:
    """Check digit for the first 11 ASCII digits of a My Number."""
    total = 0
    for n in range(1, 12):  # n counts from the right of the 11 digits
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


def is_valid(digits: str) -> bool:
    """True for exactly 12 digits (full-width allowed) with a correct check digit."""
    if not isinstance(digits, str):
        return False
    s = digits.translate(_TO_ASCII)
    if not _TWELVE.fullmatch(s):
        return False
    return check_digit(s[:11]) == int(s[11])


def find(text) -> list[tuple[int, int]]:
    """(start, end) spans in the original text of every valid My Number."""
    # 12 digits need 12 characters: most cells (IDs, dates, names) are shorter and skip the regex
    if not isinstance(text, str) or len(text) < 12 or not _ANY_DIGIT.search(text):
        return []
    spans: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text):
        start, end = m.span(1)
        if spans and start < spans[-1][1]:
            continue  # overlaps one already accepted
        digits = "".join(ch for ch in m.group(1) if ch.isdigit())
        if is_valid(digits):
            spans.append((start, end))
    return spans


def mask(text):
    """Replace every My Number with 12 asterisks; non-str values pass through."""
    if not isinstance(text, str):
        return text
    spans = find(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(MASK)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def contains(text) -> bool:
    return bool(find(text))
