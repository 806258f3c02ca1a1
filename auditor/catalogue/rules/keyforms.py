"""Join keys that differ only in how they are written: 0014 against 00014, S-0014 against s0014.

A roster exported from one system and a training log from another may pad or prefix the same IDs
differently for some records only (a few typed by hand). The join then misses those records and each
becomes a finding, although most of the file matches (so no join_mismatch warning is given). This
module finds them without reading every inner key again: the forms (prefix, separator, digit width)
of a sample of the inner keys are known, and each unmatched outer key is written in each of those
forms and looked up. A near miss is only a notice: the finding stands, as the IDs do differ.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"([^0-9]*?)([-_ ]?)([0-9]+)")  # prefix, separator, one run of digits at the end
SAMPLE = 300  # inner keys whose forms are learnt (spread over the column)
MAX_FORMS = 12  # more forms than this: the keys follow no scheme to compare with
SHOWN = 3  # pairs given as examples


@dataclass
class NearMiss:
    outer: str  # kinds
    inner: str
    on: list  # [(outer field, inner field)]
    count: int  # unmatched outer records whose key, written otherwise, is an inner key
    examples: list  # [(outer key, inner key)], the first few in row order


def _form(key: str):
    m = _KEY.fullmatch(key)
    if m is None:
        return None
    prefix, sep, digits = m.groups()
    # a padded number has a width; one without a leading zero may be written at any width
    return prefix, sep, len(digits) if digits[0] == "0" and len(digits) > 1 else 0


def forms(keys) -> list | None:
    """The forms of a sample of keys; None when they follow no few forms."""
    seen: dict = {}
    for key in keys:
        if type(key) is str:
            f = _form(key)
            if f is not None:
                seen.setdefault(f)
                if len(seen) > MAX_FORMS:
                    return None
    return list(seen) or None


def near_misses(unmatched, known, inner_forms: list) -> tuple[int, list]:
    """(how many unmatched keys are a known key written in another form, the first pairs).

    unmatched: outer keys in row order; known: the inner keys that would have satisfied the join."""
    count, examples = 0, []
    by_prefix: dict = {}
    for prefix, sep, width in inner_forms:
        by_prefix.setdefault(prefix.casefold(), []).append((prefix + sep, width))
    for key in unmatched:
        if type(key) is not str:
            continue
        m = _KEY.fullmatch(key)
        if m is None:
            continue
        number = m.group(3).lstrip("0") or "0"  # not int(): a cell of 5,000 digits is a key too
        for start, width in by_prefix.get(m.group(1).casefold(), ()):
            other = start + (number.zfill(width) if width else number)
            if other != key and (not width or len(other) == len(start) + width) and other in known:
                count += 1
                if len(examples) < SHOWN:
                    examples.append((key, other))
                break
    return count, examples
