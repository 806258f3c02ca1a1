"""Detect and mask My Numbers (個人番号) so they never reach findings or logs.

A My Number is 12 digits, the last being a check digit. We look at the original text and report
spans in it, so callers can mask without re-normalising. A candidate is, after NFKC (superscript,
subscript and circled digits are digits) and with hyphens, spaces, line breaks and invisible characters
removed, a run of exactly 12 digits that passes the check digit: 12 digits in a row, the usual 4-4-4
grouping, or any run of digits joined by those separators that holds 12 digits.
A 13-digit 法人番号 is never one. When in doubt we prefer to over-mask: a masked asset number is
harmless, a leaked My Number is not.
"""
from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata

import orjson

from .. import filenames, invisible

MASK = "*" * 12

# The characters besides Unicode decimals that NFKC folds to one ASCII digit: superscripts ¹²³⁰⁴-⁹,
# subscripts ₀-₉, circled ①-⑨ and ⓪ (tests/test_mynumber.py checks this list against the Unicode data).
FOLDED_DIGITS = "\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u24ea"
_D = f"[\\d{FOLDED_DIGITS}]"  # any Unicode decimal digit (ASCII, full-width...) and the folded forms above
# Separators removed before checking: ASCII/full-width/other spaces (NFKC folds them to a space),
# line breaks (a cell wrapped in Excel, or a number typed over two lines), ASCII/full-width hyphen and
# the dash look-alikes people type by mistake (incl. katakana ー), and invisible characters (the
# evidence reader removes them from IDs: a number split by them is one).
_S = ("[ \t\n\r\x0b\x0c\x85\u2028\u2029\u00a0\u2000-\u200a\u202f\u205f\u3000\\-\u2010\u2011\u2012\u2013"
      "\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d\u30fc\uff70" + invisible.CLASS + "]")
# Lookahead so that overlapping candidates are all seen (a failing window must not hide a valid
# one that starts inside it); the digit look-arounds reject 12 digits that are part of a longer
# run, such as a 13-digit 法人番号.
_CANDIDATE = re.compile(
    f"(?=(?<!{_D})({_D}{{12}}|{_D}{{4}}{_S}{_D}{{4}}{_S}{_D}{{4}})(?!{_D}))"
)
# Digits joined by any number of separators: valid when the whole run holds exactly 12 digits.
_JOINED = re.compile(f"{_D}(?:{_S}*{_D})+")
_ANY_DIGIT = re.compile(_D)
_TWELVE = re.compile(r"[0-9]{12}")


def _ascii_digits(text: str) -> str:
    """The digits of a match (decimals and the folded forms: unicodedata.digit knows both) as ASCII."""
    return "".join(str(unicodedata.digit(ch)) for ch in text if unicodedata.digit(ch, None) is not None)


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
    if not isinstance(digits, str) or len(digits) != 12 or not digits.isdecimal():
        return False
    s = _ascii_digits(digits)
    if not _TWELVE.fullmatch(s):
        return False
    return check_digit(s[:11]) == int(s[11])


def find(text) -> list[tuple[int, int]]:
    """(start, end) spans in the original text of every valid My Number, in order, not overlapping."""
    # 12 digits need 12 characters: most cells (IDs, dates, names) are shorter and skip the regex
    if not isinstance(text, str) or len(text) < 12 or not _ANY_DIGIT.search(text):
        return []
    spans: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text):
        if is_valid(_ascii_digits(m.group(1))):
            spans.append(m.span(1))
    for m in _JOINED.finditer(text):
        digits = _ascii_digits(m.group(0))
        if len(digits) == 12 and is_valid(digits):
            spans.append(m.span(0))
    if not spans:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start < merged[-1][1]:  # the same number found twice: mask the wider span
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


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


def mask_name(text: str) -> str:
    """A name or path as outputs write it: masked, with the bytes of a name not in UTF-8 as %NN
    (filenames.printable): masked before (the %NN of a byte beside digits would hide a number from the
    scan) and after (nor may it make a run of digits that reads as one)."""
    text = mask(text)
    shown = filenames.printable(text)
    return text if shown is text else mask(shown)


def contains(text) -> bool:
    return bool(find(text))


def mask_cell(value):
    """A raw evidence cell with every My Number masked; the same object when there is none.

    Besides text, Excel number cells (a My Number typed as a number) and lists of text (YAML/JSON
    list fields) are checked: a masked number becomes the text MASK.
    """
    if type(value) is str:
        return mask(value) if len(value) >= 12 else value
    if type(value) is int:
        return MASK if 10**11 <= value < 10**12 and is_valid(str(value)) else value
    if type(value) is float:
        whole = value.is_integer() and 10**11 <= value < 10**12
        return MASK if whole and is_valid(str(int(value))) else value
    if type(value) is list:
        items = [mask_cell(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    return value


# What every match needs: a run of 12 or more digits, separators allowed between them. It is tried only
# where such a run starts and read to its end in one pass (possessive), which over text full of short
# numbers and IDs costs about 60 % of trying 12 digits at every digit. `re` reads possessive quantifiers
# from Python 3.11; before, the greedy ones match the same text (a separator is never a digit, so
# backtracking can never succeed where the possessive form fails), only more slowly.
_PLUS = "+" if sys.version_info >= (3, 11) else ""
_MAYBE = re.compile(f"{_D}(?<!{_D}{_D})(?<!{_D}{_S})(?:{_S}*{_PLUS}{_D}){{11}}(?:{_S}*{_PLUS}{_D})*{_PLUS}")


_LONG = 1 << 16  # characters from which a text is scanned by RE2 (linear) instead of re (tried at every position)
_RE2: dict = {}


def _re2(name: str):
    """RE2 patterns over exactly re's classes: the digits are Python's own decimals (str.isdecimal, which
    re's \\d matches; none lies above U+1FFFF, as tests/test_mynumber.py checks) and FOLDED_DIGITS, the
    separators _S. "run": what _MAYBE matches, so the same spans; "json": 12 digits joined by separators or
    by JSON's \\t, \\n, \\r escapes, matched wherever the JSON's scan could find a candidate (a text
    where it finds none needs no scan)."""
    if not _RE2:
        import re2

        digit = "[" + "".join(_decimals()) + FOLDED_DIGITS + "]"
        options = re2.Options()
        options.log_errors, options.never_capture = False, True
        _RE2["json"] = re2.compile(f"{digit}(?:(?:{_S}|\\\\[tnr])*{digit}){{11}}", options)
        _RE2["run"] = re2.compile(f"{digit}(?:{_S}*{digit}){{11}}(?:{_S}*{digit})*", options)
    return _RE2[name]


def _decimals() -> list:
    """Python's decimals below U+20000, as they come: in runs of at least ten consecutive code points
    (Unicode keeps each script's digits 0-9 together), so each run holds a multiple of ten within nine
    of every member; testing those and their neighbours costs a tenth of testing every code point."""
    found = set()
    for tenth in range(0, 0x20000, 10):
        if chr(tenth).isdecimal():
            found.update(c for c in range(max(0, tenth - 9), tenth + 10) if chr(c).isdecimal())
    return [chr(c) for c in sorted(found)]


def _utf8(text: str) -> bytes:
    """The bytes RE2 reads: UTF-8, a lone surrogate (from a JSON escape such as \\ud800) kept as its three
    bytes, which are neither a digit nor a separator, as the surrogate is not for re (RE2 refuses such str)."""
    return text.encode("utf-8", "surrogatepass")


def _none_possible(raw: bytes) -> bool:
    """True when the JSON text (UTF-8 bytes) cannot hold a candidate: no 12 digits joined by separators or
    escapes."""
    return _re2("json").search(raw) is None


def might_contain(texts) -> bool:
    """Cheap test of many texts (a column): False means none of them holds a My Number."""
    if len(texts) <= 8:  # a few texts (a finding's messages): scan each
        return any(len(t) >= 12 and _may_hold(t) for t in texts)
    if max(map(len, texts)) < 12:  # 12 digits need 12 characters
        return False
    long = [t for t in set(texts) if len(t) >= 12]
    return bool(long) and _may_hold("\x00".join(long))


def _may_hold(text: str) -> bool:
    if len(text) >= _LONG:
        return _re2("run").search(_utf8(text)) is not None
    return _MAYBE.search(text) is not None


def mask_all(obj, keep: tuple = ("sha256",)):
    """Every string of a nested document masked, keys included; values under `keep` keys are ours
    (hex digests that may hold 12 check-digit-valid digits by chance) and stay intact."""
    if isinstance(obj, str):
        return mask(obj)
    if isinstance(obj, dict):
        return {mask(k): (v if k in keep else mask_all(v, keep)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [mask_all(v, keep) for v in obj]
    return obj


_LARGE = 5000  # findings beyond which JSON is written without indentation (half the bytes to write and scan)


def dumps(doc, keep: tuple = ("sha256",), items: int = 0) -> str:
    """JSON text of `doc` with every My Number masked, as mask_all() would, at a fraction of its cost.

    The text is written first and scanned once; only when it holds a valid number is the document
    masked string by string (JSON escapes tabs and line breaks, separators, as \\t, \\n: the scan reads them back).
    `items`: how many findings the document holds; a large one is written without indentation.
    """
    indent = items <= _LARGE
    raw = _json(doc, indent)
    if raw is None:  # a lone surrogate (a path not in UTF-8): masked as it is, then with its bytes as %NN
        doc = filenames.printable_all(mask_all(doc, keep))  # and scanned again below, as written
        raw = _json(doc, indent)
    if len(raw) >= _LONG and _none_possible(_without_kept(raw, keep)):
        return raw.decode("utf-8") + "\n"
    text = raw.decode("utf-8")
    scan = text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")
    if any(find(scan[max(0, start - 30):end + 30]) for start, end in _runs(scan)):
        text = _json(mask_all(doc, keep), indent).decode("utf-8")
    return text + "\n"


def _runs(scan: str):
    """(start, end) of what _MAYBE matches in `scan`: by RE2 in a long text (linear; its spans are the same,
    tests/test_mynumber.py). dumps() scans only UTF-8 text: a lone surrogate was made printable before."""
    if len(scan) >= _LONG:
        return (m.span() for m in _re2("run").finditer(scan))
    return (m.span() for m in _MAYBE.finditer(scan))


@functools.lru_cache(maxsize=8)
def _kept(keep: tuple):
    return re.compile(("(?:" + "|".join(re.escape(k) for k in keep) + ')": ?"[0-9a-fA-F]+"').encode())


def _without_kept(text: bytes, keep: tuple) -> bytes:
    """The text with the hex values of the `keep` keys (our digests) emptied, for the test whether a scan is
    needed: 12 digits of a SHA-256 are no My Number, and mask_all() leaves those values as they are anyway.
    A JSON string is bounded by quotes, neither digits nor separators, so no run outside one changes."""
    if not keep:
        return text
    # the key whole: "file_sha256" is not "sha256", and its value is masked like any other
    return _kept(keep).sub(lambda m: b'": ""' if m.start() and text[m.start() - 1] == 0x22 else m.group(0), text)


def _json(doc, indent: bool) -> bytes | None:
    """orjson's text as UTF-8 (the same as json.dumps with ensure_ascii=False, indent=2, at a tenth of the
    cost); json.dumps for what orjson refuses (integers beyond 64 bits); None for a lone surrogate, which
    no UTF-8 text holds."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0))
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        try:
            return json.dumps(doc, ensure_ascii=False, indent=2 if indent else None).encode("utf-8")
        except UnicodeEncodeError:
            return None
