"""Normalise evidence cells (IDs, dates, booleans, numbers, enumerations).

Evidence comes from Excel and CSV typed by people: full-width digits, 和暦,
○/×, Japanese labels. Every parser returns None for an empty cell and raises
errors.Unreadable (a ValueError: str() in English, `ja` in Japanese; shown to
users) for anything else it cannot read. Raw values are masked in messages in
case they hold a My Number.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal

from . import blanks
from .aliases import ALIASES, SPEC as _ALIAS_SPEC  # ALIASES: public here too, as callers have read it
from ..errors import Unreadable
from ..fiscal import parse_wareki
from ..privacy.mynumber import mask

# Hyphen look-alikes that NFKC leaves alone. Katakana ー is deliberately absent:
# it is part of words such as サーバー and must survive in IDs and names.
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_HYPHEN_FOLD = str.maketrans({c: "-" for c in _HYPHENS})
# A cell holding only a dash means "none"; here ー counts, as people type it so.
_LONE_DASHES = frozenset(_HYPHENS + "-ー")
# Older Pythons' NFKC may not know ㋿ (Unicode 12.1); map era ligatures first.
_LIGATURES = str.maketrans({"㋿": "令和", "㍻": "平成", "㍼": "昭和", "㍽": "大正", "㍾": "明治"})


def nfkc(value) -> str:
    text = str(value)
    if text.isascii():  # NFKC leaves ASCII as it is: the common case skips the table look-ups
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def _blank(value) -> bool:
    # NaN is how pandas spells an empty cell.
    return (value is None or (isinstance(value, float) and math.isnan(value))
            or (isinstance(value, str) and not value.strip()))


def _shown(value) -> str:
    text = mask(str(value))
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _ja(shown: str) -> str:
    """_shown's text in Japanese brackets: 「2025-13-01」 (invisible characters still escaped)."""
    return f"「{shown[1:-1]}」"


def _integral_text(value):
    # Excel hands integers over as floats (123.0); print them as 123.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


_WHITESPACE = re.compile(r"\s")
_LEADING = re.compile(r"\x00\s")  # led by a literal: scanned at memchr speed


ASCII_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.isspace() calls space in ASCII


def plain_ascii(joined: str) -> bool:
    """ASCII without any whitespace: one memchr-speed scan per space character beats a regex."""
    return joined.isascii() and not any(c in joined for c in ASCII_SPACES)


def edge_space(joined: str) -> bool:
    """Whether any of these NUL-joined texts starts or ends with whitespace (a whole column at once)."""
    return bool(joined) and (joined[0].isspace() or joined[-1].isspace() or _LEADING.search(joined) is not None
                             or _LEADING.search(joined[::-1]) is not None)


def normalize_id(value, nulls: frozenset = blanks.DEFAULT_KEYS) -> str | None:
    """IDs and codes: invisible characters removed, NFKC, hyphen variants -> '-', inner whitespace collapsed;
    a placeholder (one of `nulls`: -, なし, N/A, ...; evidence/blanks.py) is no ID."""
    if type(value) is str and value.isascii():  # fast path: most IDs are plain ASCII
        text = value.strip()
        if _WHITESPACE.search(text) is None:
            return None if not text or blanks.is_null(text, nulls) else text
    if _blank(value):
        return None
    value = _integral_text(value)
    if type(value) is str and not value.isascii():
        value = blanks.strip(value)[0]
    text = " ".join(nfkc(value).translate(_HYPHEN_FOLD).split())
    return text if text and not blanks.is_null(text, nulls) else None


# --- dates -------------------------------------------------------------------

_DATE_FORMS = "2025-04-01, 2025/4/1, 2025.4.1, 2025年4月1日, 20250401, 令和7年4月1日 or R7.4.1"
_DATE_FORMS_JA = "2025-04-01、2025/4/1、2025.4.1、2025年4月1日、20250401、令和7年4月1日、R7.4.1"
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_WESTERN = re.compile(r"(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})" + _TIME, re.ASCII)
_WESTERN_KANJI = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日", re.ASCII)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII)


def _make_date(y: int, m: int, d: int, shown: str) -> _dt.date:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise _no_such_day(shown) from None


def parse_date(value) -> _dt.date | None:
    """A calendar day from a date object or any form listed in _DATE_FORMS."""
    if value.__class__ is str and len(value) == 10 and value[4] == "-" == value[7] and value.isascii() \
            and value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit():  # 2025-04-01, the most usual
        try:
            return _dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            raise _no_such_day(_shown(value)) from None
    return _parse_any(value)


def _no_such_day(shown: str) -> Unreadable:
    return Unreadable(f"no such day: {shown}", f"{_ja(shown)}という日はありません")


def _not_a_date(shown: str, serial: bool = False) -> Unreadable:
    if serial:  # most likely an Excel serial such as 45748
        return Unreadable(f"not a date: {shown}; format the cell as a date or use {_DATE_FORMS}",
                          f"{_ja(shown)}は日付として読めません（Excel の日付の通し番号のようです）。"
                          f"セルの書式を日付にするか、{_DATE_FORMS_JA} のように書いてください")
    return Unreadable(f"not a date: {shown}; use {_DATE_FORMS}",
                      f"{_ja(shown)}は日付として読めません。{_DATE_FORMS_JA} のように書いてください")


def _parse_any(value) -> _dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (bool, float)) and not (isinstance(value, float) and value.is_integer()):
        raise _not_a_date(_shown(value))
    # Numbers only pass as 8-digit 20250401; Excel serials (45748) stay rejected.
    text = nfkc(_integral_text(value))
    shown = _shown(text)
    m = _WESTERN.fullmatch(text) or _WESTERN_KANJI.fullmatch(re.sub(r"\s+", "", text)) \
        or _COMPACT.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.group("y", "m", "d"))
        return _make_date(y, mo, d, shown)
    d = parse_wareki(text.translate(_LIGATURES), shown)
    if d is not None:
        return d
    raise _not_a_date(shown, serial=text.isdigit())


# --- booleans and numbers ----------------------------------------------------

_TRUE = frozenset("○ 〇 ◯ 有 はい あり 済 true yes y 1 on t".split())
_FALSE = frozenset("× ✕ ✗ 無 いいえ なし 未 false no n 0 off f -".split())


def words(xtype: str, enum: str | None = None) -> tuple:
    """The words that a field's reader gives a meaning (a placeholder among them is then a value)."""
    if xtype == "bool":
        return (*_TRUE, *_FALSE, *_LONE_DASHES)
    return tuple(ALIASES.get(enum, ())) if xtype == "enum" else ()


def parse_bool(value) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = nfkc(value).lower()
    if text in _LONE_DASHES:
        return False
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    shown = _shown(value)
    raise Unreadable(f"not a yes/no value: {shown}; use ○/×, 有/無, はい/いいえ, "
                     "あり/なし, 済/未, true/false, yes/no, 1/0 or - for none",
                     f"{_ja(shown)}は有無（はい/いいえ）として読めません。○/×、有/無、はい/いいえ、"
                     "あり/なし、済/未、true/false、yes/no、1/0 のどれかを書き、ないときは - と書いてください")


_NUMERIC = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)


def _not_a_number(value, whole: bool, hint: bool = True) -> Unreadable:
    shown = _shown(value)
    kind, kind_ja = ("whole number", "整数") if whole else ("number", "数値")
    example, example_ja = ("1234 or 1,234", "1234、1,234") if whole else ("1234, 1,234, 12.5 or 12%", "1234、1,234、12.5、12%")
    if not hint:
        return Unreadable(f"not a {kind}: {shown}", f"{_ja(shown)}は{kind_ja}として読めません")
    return Unreadable(f"not a {kind}: {shown}; use e.g. {example}",
                      f"{_ja(shown)}は{kind_ja}として読めません。例: {example_ja}")


def _numeric(value, whole: bool):
    if _blank(value):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and math.isinf(value)):
        raise _not_a_number(value, whole, hint=False)
    if isinstance(value, int):
        return value if whole else float(value)
    if isinstance(value, float):
        if whole and not value.is_integer():
            raise _not_a_number(value, True, hint=False)
        return int(value) if whole else value
    text = nfkc(value).translate(_HYPHEN_FOLD)
    if text[:1] in ("▲", "△"):  # the accounting minus sign in Japanese reports
        text = "-" + text[1:].lstrip()
    percent = not whole and text.endswith("%")
    body = text[:-1].rstrip() if percent else text
    # Decimal keeps long integers exact and makes '12%' exactly 0.12.
    number = Decimal(body.replace(",", "")) if _NUMERIC.fullmatch(body) else None
    if number is None or (whole and number != number.to_integral_value()):
        raise _not_a_number(value, whole)
    if whole:
        return int(number)
    return float(number / 100 if percent else number)


def parse_number(value) -> float | None:
    """A number; '1,234' -> 1234.0, '12%' -> 0.12 (percent only as a suffix)."""
    return _numeric(value, whole=False)


def parse_int(value) -> int | None:
    """A whole number; '1,234' -> 1234, 123.0 -> 123; no fractions or percents."""
    return _numeric(value, whole=True)


# --- enumerations (their words: evidence/aliases.py) ----------------------------


# Marks typed from other keys than the aliases': 〇 (the kanji zero) and ◯ for ○, ✕ for ×, as booleans read them.
_MARKS = str.maketrans({"〇": "○", "◯": "○", "⭕": "○", "✕": "×", "✖": "×", "✗": "×", "╳": "×", "☓": "×"})


def _key(text: str) -> str:
    # Match ignoring ASCII case, spaces, look-alike marks and the spelling of a lone dash.
    text = "".join(nfkc(text).split()).casefold().translate(_MARKS)
    return "-" if text in _LONE_DASHES else text


_INDEX = {enum: {_key(raw): canon for raw, canon in table.items()}
          for enum, table in ALIASES.items()}


def canonical(enum_name: str, value, extra: dict | None = None) -> str | None:
    """Canonical value of an enumeration; `extra` (a manifest's map) wins over ALIASES."""
    if enum_name not in _INDEX and not extra:
        raise KeyError(f"unknown enumeration {enum_name!r}")
    if _blank(value):
        return None
    index = _INDEX.get(enum_name, {})
    text = nfkc(value)
    if extra:
        for candidate in (value, text):
            if isinstance(candidate, str) and candidate in extra:
                return _resolve(enum_name, index, extra[candidate])
        folded = {_key(str(k)): v for k, v in extra.items()}
        if _key(text) in folded:
            return _resolve(enum_name, index, folded[_key(text)])
    if _key(text) in index:
        return index[_key(text)]
    shown = _shown(text)
    raise Unreadable(f"unknown {enum_name} value {shown}; use one of: " + _allowed(enum_name, extra),
                     f"{enum_name} の値として{_ja(shown)}は使えません。次のどれかを書いてください: "
                     + _allowed(enum_name, extra, "、"))


def _allowed(enum_name: str, extra: dict | None, sep: str = ", ") -> str:
    return sep.join(_ALIAS_SPEC.get(enum_name) or sorted({str(v) for v in (extra or {}).values()}))


def _resolve(enum_name: str, index: dict, hit) -> str:
    # A manifest may map to an alias (e.g. 許可) rather than the canonical value;
    # mapping to something unknown is the manifest's mistake, so say so.
    if not index:
        return str(hit)
    if _key(str(hit)) in index:
        return index[_key(str(hit))]
    shown = _shown(hit)
    raise Unreadable(f"manifest maps to unknown {enum_name} value {shown}; use one of: {_allowed(enum_name, None)}",
                     f"マニフェストの対応づけ先{_ja(shown)}は {enum_name} の値にありません。"
                     f"次のどれかにしてください: {_allowed(enum_name, None, '、')}")
