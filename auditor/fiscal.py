"""Fiscal years (年度) and Japanese era (和暦) labels.

A 年度 runs 1 April - 31 March (地方自治法208条1項) and is named by the
calendar year it starts in; reports are labelled that way.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from .errors import Unreadable


class Era(NamedTuple):
    name: str       # kanji name, e.g. 令和
    letter: str     # one-letter abbreviation used in R7.4.1
    start: _dt.date  # first day of the era (year 1 = 元年)


# Oldest first. 明治 officially began 1868-01-25 (lunisolar reckoning); we
# accept the whole of 1868 so that 明治元年 dates do not fail on a technicality.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", _dt.date(1868, 1, 1)),
    Era("大正", "T", _dt.date(1912, 7, 30)),
    Era("昭和", "S", _dt.date(1926, 12, 25)),
    Era("平成", "H", _dt.date(1989, 1, 8)),
    Era("令和", "R", _dt.date(2019, 5, 1)),
)

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
              "August", "September", "October", "November", "December")


def _as_date(d) -> _dt.date:
    # datetime is a subclass of date but does not compare with it; use the day.
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    raise TypeError(f"expected a date, got {type(d).__name__}")


def era_of(d) -> Era:
    """The era a calendar day belongs to; ValueError before 明治."""
    d = _as_date(d)
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise ValueError(f"{d.isoformat()} is before the 明治 era; no 和暦 form")


def era_end(era: Era) -> _dt.date | None:
    """Last day of an era, or None for the current one."""
    i = ERAS.index(era)
    if i + 1 < len(ERAS):
        return ERAS[i + 1].start - _dt.timedelta(days=1)
    return None


def _era_year(n: int) -> str:
    # Year 1 of an era is written 元年, never 1年.
    return "元" if n == 1 else str(n)


def wareki(d) -> str:
    """令和7年4月1日 style."""
    d = _as_date(d)
    era = era_of(d)
    n = d.year - era.start.year + 1
    return f"{era.name}{_era_year(n)}年{d.month}月{d.day}日"


def day_text(d, lang: str) -> str:
    """A day as messages and headings write it: 令和8年3月31日 in Japanese, 2026-03-31 in English (and
    in Japanese before 明治, which has no era to show)."""
    d = _as_date(d)
    if lang == "ja":
        try:
            return wareki(d)
        except ValueError:
            pass
    return d.isoformat()


def wareki_short(d) -> str:
    """R7.4.1 style (year 1 as a digit, as forms and Excel do)."""
    d = _as_date(d)
    era = era_of(d)
    return f"{era.letter}{d.year - era.start.year + 1}.{d.month}.{d.day}"


def add_years(d, n: int):
    """Same day n years later; 29 February becomes 28 February in common years."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


def label(d, lang: str = "ja") -> str:
    """Display form of a day: 2025年4月1日（令和7年4月1日） or 1 April 2025."""
    d = _as_date(d)
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    if lang == "ja":
        western = f"{d.year}年{d.month}月{d.day}日"
        try:
            return f"{western}（{wareki(d)}）"
        except ValueError:
            return western  # before 明治: no era to show
    raise ValueError(f"unsupported language {lang!r}; use 'ja' or 'en'")


_NUM = r"(元|\d{1,2}|[〇一二三四五六七八九十]{1,3})"
_YEAR = r"(元|\d{1,4}|[〇一二三四五六七八九十]{1,3})"  # wareki() writes 令和100年 for 2118 (and up to 令和7981年)
_WAREKI = re.compile(rf"({'|'.join(e.name for e in ERAS)}|[{''.join(e.letter for e in ERAS)}])"
                     rf"(?:{_YEAR}年{_NUM}月{_NUM}日|{_YEAR}([./-]){_NUM}\6{_NUM})",
                     re.ASCII | re.IGNORECASE)
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _number(token: str) -> int:
    """1-2 ASCII digits, 元, or kanji numerals up to 九十九 (三十一, 十二, 二〇)."""
    if token == "元":
        return 1
    if token.isascii():
        return int(token)
    if "十" in token:
        tens, _, ones = token.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            raise ValueError
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    return int("".join(str(_KANJI_DIGITS[c]) for c in token))


def parse_wareki(text: str, shown: str | None = None) -> _dt.date | None:
    """令和7年4月1日 / R7.4.1 / H31-04-30 (NFKC'd text) to a date.

    None when the text is not 和暦-shaped at all; ValueError when it is but
    names no real day or a day outside the era (平成31年5月1日).
    """
    m = _WAREKI.fullmatch("".join(text.split()))
    if not m:
        return None
    shown = shown or repr(text)
    shown_ja = f"「{shown[1:-1]}」" if shown[:1] in "'\"" else shown
    era = next(e for e in ERAS if m.group(1) in (e.name, e.letter, e.letter.lower()))
    parts = [g for g in m.group(2, 3, 4, 5, 7, 8) if g is not None]
    try:
        n, month, day = (_number(p) for p in parts)
        d = _dt.date(era.start.year + n - 1, month, day)
    except (ValueError, KeyError):
        raise Unreadable(f"no such day: {shown}", f"{shown_ja}という日はありません") from None
    end = era_end(era)
    if d < era.start or (end and d > end):
        span = f"{era.start.isoformat()} to {end.isoformat()}" if end else f"from {era.start.isoformat()}"
        span_ja = f"{era.start.isoformat()}〜{end.isoformat() if end else ''}"
        raise Unreadable(f"{shown} is outside the {era.name} era ({span})",
                         f"{shown_ja}は{era.name}の期間（{span_ja}）の外の日です")
    return d


_FY_TEXT = re.compile(r"(?:FY)?(\d{4})(?:年度)?|(明治|大正|昭和|平成|令和|[MTSHR])(元|\d{1,2})(?:年度)?", re.I)


def parse_fiscal_year(value) -> int:
    """2025, "2025", "2025年度", "FY2025", "令和7年度", "R7", "令和元年度" -> the starting calendar year."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    m = _FY_TEXT.fullmatch(text)
    if not m:
        raise ValueError(f"unreadable fiscal year {value!r}; write 2025, 2025年度, FY2025 or 令和7年度")
    if m.group(1):
        return int(m.group(1))
    era = next(e for e in ERAS if m.group(2).upper() in (e.name, e.letter))
    n, end = _number(m.group(3)), era_end(era)
    last = end.year - era.start.year + 1 if end else None
    if n < 1 or (last and n > last):  # 令和0年度, 平成32年度: no such year of the era
        span = f"元年 to {last}年" if last else "元年 on"
        raise ValueError(f"unreadable fiscal year {value!r}: {era.name} runs {span}")
    return era.start.year + n - 1


@dataclass(frozen=True, order=True)
class FiscalYear:
    """年度 named by its starting calendar year: FiscalYear(2025) = 令和7年度."""

    year: int

    @classmethod
    def of(cls, d) -> "FiscalYear":
        d = _as_date(d)
        return cls(d.year if d.month >= 4 else d.year - 1)

    @property
    def start(self) -> _dt.date:
        return _dt.date(self.year, 4, 1)

    @property
    def end(self) -> _dt.date:
        return _dt.date(self.year + 1, 3, 31)

    def contains(self, d) -> bool:
        return self.start <= _as_date(d) <= self.end

    @property
    def label_ja(self) -> str:
        # A 年度 takes the newest era that began in or before its starting
        # calendar year: 2019年度 is 令和元年度 although April 2019 was 平成.
        for era in reversed(ERAS):
            if era.start.year <= self.year:
                return f"{era.name}{_era_year(self.year - era.start.year + 1)}年度"
        raise ValueError(f"FY{self.year} is before the 明治 era")

    @property
    def label_en(self) -> str:
        return f"FY{self.year}"

    def __str__(self) -> str:
        return self.label_en
