"""What counts as no value in an evidence cell: blanks, placeholders and invisible characters.

Spreadsheets write "none" as -, －, ―, ー, なし, 無, N/A, null, （なし）, 該当なし, and cells carry
characters that show as nothing (U+200B, U+FEFF, U+3164, ...: auditor/invisible.py). One rule decides
emptiness for every field kind: a value that is blank once invisible characters are removed, or that
folds to a placeholder, is no value. IDs, codes, dates, numbers and flags are read without their
invisible characters; free text keeps them as written (the outputs show control and bidi characters
as escapes). Folding: NFKC, hyphens as in IDs, spaces removed, case folded, and any run of dashes is
one dash. The manifest extends the list (`null_values:`, as pandas' `na_values`); a field's own
vocabulary keeps its words (a yes/no field reads なし and - as "no", a self-assessment answer reads
該当なし as "not applicable"), unless the manifest lists them.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from .. import invisible
from ..model import Location
from ..privacy import mynumber

# The documented default list (README, "Evidence manifest"); NFKC makes －/- and （なし）/(なし) one entry.
DEFAULT = ("-", "－", "―", "ー", "なし", "無し", "無", "N/A", "#N/A", "null", "none", "（なし）", "該当なし")
# Dashes, the katakana prolonged sound mark and box-drawing lines, all typed for "nothing".
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u2e3a\u2e3b\u30fc\ufe58\ufe63\uff0d\uff70"
_INVISIBLE = re.compile(f"[{invisible.CLASS}]")
_HYPHENS = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))  # as in IDs


def strip(text: str) -> tuple[str, tuple]:
    """The text without invisible characters, and the code points removed ('U+200B', ...), each once."""
    if text.isascii():
        return text, ()
    found = _INVISIBLE.findall(text)
    if not found:
        return text, ()
    return _INVISIBLE.sub("", text), tuple(dict.fromkeys(f"U+{ord(c):04X}" for c in found))


def fold(text: str) -> str:
    """The form in which a cell is compared with the placeholders."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).translate(_HYPHENS)
    text = "".join(text.split()).casefold()
    return "-" if text and not text.strip(_DASHES) else text


def _text(value) -> str:
    # Excel hands integers over as floats: 0.0 matches a null value written 0
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def keys(values) -> frozenset:
    """The folded forms of a list of placeholders (text or numbers, as the manifest writes them)."""
    return frozenset(k for k in (fold(_text(v)) for v in values if v is not None and not isinstance(v, bool)) if k)


DEFAULT_KEYS = keys(DEFAULT)


def is_null(text: str, nulls: frozenset = DEFAULT_KEYS) -> bool:
    """Whether a non-blank text is a placeholder (one of `nulls`, folded)."""
    if not nulls or _unlike(nulls).match(text) is not None:
        return False
    longest = _longest(nulls)
    if len(text) > 4 * longest:  # NFKC composes at most a few characters into one
        compact = "".join(text.split())
        if len(compact) > 4 * longest and ("-" not in nulls or compact.strip(_DASHES)):
            return False
    return fold(text) in nulls


def is_null_value(value, nulls: frozenset) -> bool:
    """A number cell (Excel, YAML) that the manifest lists as a placeholder, e.g. 0."""
    return type(value) in (int, float) and bool(nulls) and bool(_numeric(nulls)) and fold(_text(value)) in nulls


@functools.lru_cache(maxsize=64)
def _longest(nulls: frozenset) -> int:
    return max(len(k) for k in nulls)


@functools.lru_cache(maxsize=64)
def _numeric(nulls: frozenset) -> frozenset:
    return frozenset(k for k in nulls if any(c.isdigit() for c in k))


def column_is_clean(joined: str, nulls: frozenset) -> bool:
    """Whether none of these NUL-joined texts (none blank, none with spaces at its ends) holds an invisible
    character or is a placeholder: then each text is its own clean form."""
    if not joined.isascii() and _INVISIBLE.search(joined) is not None:
        return False
    if not nulls:
        return True
    # only a text without a letter, digit, kana or kanji that no placeholder is made of can be one
    return not any(fold(text[1:]) in nulls for text in _candidates(nulls).findall("\x00" + joined + "\x00"))


# Characters that stand for themselves under NFKC and case folding, unless a mark after them composes.
_PLAIN = ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x3041, 0x3096), (0x30A1, 0x30FA), (0x4E00, 0x9FFF))


@functools.lru_cache(maxsize=64)
def _unused(nulls: frozenset) -> str:
    """A character-class body: the plain characters that no placeholder is made of (nor composes from)."""
    used = {c for k in nulls for c in k}
    used |= {unicodedata.normalize("NFD", c)[0] for c in used}  # か + ゛ composes to が
    used |= {c.upper() for c in used if c.isascii()}
    ranges = []
    for first, last in _PLAIN:
        for c in sorted(ord(u) for u in used if first <= ord(u) <= last):
            if c > first:
                ranges.append((first, c - 1))
            first = c + 1
        if first <= last:
            ranges.append((first, last))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@functools.lru_cache(maxsize=64)
def _candidates(nulls: frozenset):
    """The texts (each led by its NUL) without any plain character that no placeholder is made of."""
    return re.compile(f"\x00[^\x00{_unused(nulls)}]*(?=\x00)")


@functools.lru_cache(maxsize=64)
def _unlike(nulls: frozenset):
    """A text led by such a character (an ID such as S0012, a name) is no placeholder."""
    return re.compile(f"[{_unused(nulls)}]")


# --- how a cleaned value is shown -------------------------------------------------

def _shown(raw, sep: str) -> str | None:
    """What a not-blank cell that gave no value holds, as a message shows it; None for a blank cell."""
    if raw is None or raw == [] or (isinstance(raw, str) and not raw.strip()):
        return None
    text, removed = strip(raw) if isinstance(raw, str) else (raw, ())
    return sep.join(removed) if removed and not str(text).strip() else repr(mynumber.mask(str(raw)))


def why_empty(raw) -> str:
    """Why a cell that is not blank gave no value (said where a required field is found empty)."""
    shown = _shown(raw, ", ")
    return "" if shown is None else (
        f" (the cell holds {shown}, which counts as no value: README.md, 'Evidence manifest', null_values)")


def why_empty_ja(raw) -> str:
    """why_empty in Japanese."""
    shown = _shown(raw, "、")
    return "" if shown is None else f"（セルの {shown} は値なしと見なされます。README.md「Evidence manifest」の null_values）"


_LINES_SHOWN = 10


def summary(path: str, lines, notes: list) -> list:
    """The cleaned cells of one file, one entry per column and outcome: (Location of the first, column
    label, field, characters removed, whether that left no value, rows, the lines of the first rows)."""
    seen: dict = {}
    for row, label, name, removed, emptied in notes:
        first = seen.setdefault((label, name, emptied), [Location(path, lines[row]), {}, 0, []])
        first[1].update(dict.fromkeys(removed))
        first[2] += 1
        if len(first[3]) < _LINES_SHOWN:
            first[3].append(lines[row])
    return [(loc, label, name, tuple(chars), emptied, rows, tuple(at))
            for (label, name, emptied), (loc, chars, rows, at) in seen.items()]


_NOTE = {"ja": ("{field} の値から不可視文字 {chars} を除いて読みました",
                "{field} は不可視文字 {chars} だけのため空欄として扱いました"),
         "en": ("invisible character(s) {chars} removed from {field}",
                "{field} held only invisible character(s) {chars} and was read as empty")}
_AROUND = {"ja": ("（注: ", "。", "）"), "en": (" (note: ", "; ", ")")}


def note(field: str, removed, emptied: bool, lang: str) -> str:
    return _NOTE[lang][bool(emptied)].format(field=field, chars=", ".join(removed))


def notes(cleaned: dict | None, lang: str) -> str:
    """What a finding's message adds about its record's cleaned cells: field -> (removed, emptied)."""
    if not cleaned:
        return ""
    start, sep, end = _AROUND[lang]
    return start + sep.join(note(f, r, e, lang) for f, (r, e) in sorted(cleaned.items())) + end
