"""Property-based tests of the cell normalisers (auditor/evidence/normalize.py, auditor/fiscal.py).

Any cell (text, number, date, None) gives a value or a ValueError with a message, never another
exception; every documented way of writing a value reads back as that value.
"""
import datetime as dt
import math

from hypothesis import assume, given
from hypothesis import strategies as st

from auditor import fiscal
from auditor.evidence import normalize

from .profile import fuzz

# Text that looks like the cells people type: digits (ASCII, full-width, kanji), era names, separators.
DATEISH = st.text(alphabet="0123456789０１２３４５６７８９〇一二三四五六七八九十年月日度元令和平成昭和大正明治"
                           "RHSTMrhstmFY.-/／－ 　:T+Z", max_size=24)
TEXT = st.one_of(st.text(max_size=40), DATEISH)
CELL = st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none(), st.dates(), st.datetimes())
WAREKI_DAYS = st.dates(min_value=dt.date(1868, 1, 1), max_value=dt.date(2117, 12, 31))  # 令和99年 at most
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
PADDING = st.sampled_from(["", " ", "\t", "　", " \u3000 "])


def _value_or_valueerror(parse, value, ok):
    try:
        result = parse(value)
    except ValueError as exc:
        assert str(exc), "a ValueError is shown to users: it must say something"
        return None
    assert ok(result), (value, result)
    return result


def _kanji(n: int) -> str:
    """1..99 in kanji numerals as people write them (十二, 二十, 三十一)."""
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else digits[tens]) + ("十" if tens else "") + (digits[ones] if ones else "")) or "〇"


def _forms(d: dt.date) -> dict:
    era = fiscal.era_of(d)
    n = d.year - era.start.year + 1
    return {
        "iso": d.isoformat(),
        "slash": f"{d.year}/{d.month}/{d.day}",
        "dot": f"{d.year}.{d.month:02d}.{d.day:02d}",
        "kanji-western": f"{d.year}年{d.month}月{d.day}日",
        "compact": d.strftime("%Y%m%d") if d.year >= 1000 else d.isoformat(),
        "wareki": fiscal.wareki(d),
        "wareki-short": fiscal.wareki_short(d),
        "wareki-kanji": f"{era.name}{'元' if n == 1 else _kanji(n)}年{_kanji(d.month)}月{_kanji(d.day)}日",
        "wareki-lower-letter": fiscal.wareki_short(d).lower(),
        "iso-datetime": f"{d.isoformat()}T09:30:00+09:00",
    }


# ---- dates ----

@fuzz(400)
@given(CELL)
def test_parse_date_gives_a_day_or_a_valueerror(value):
    _value_or_valueerror(normalize.parse_date, value, lambda r: r is None or type(r) is dt.date)


@fuzz(300)
@given(WAREKI_DAYS, st.sampled_from(list(_forms(dt.date(2025, 4, 1)))), st.booleans(), PADDING, PADDING)
def test_every_written_form_of_a_day_reads_back_as_that_day(day, form, full_width, before, after):
    text = _forms(day)[form]
    if full_width:
        text = text.translate(FULL_WIDTH)  # NFKC folds it back
    assert normalize.parse_date(before + text + after) == day, text


@fuzz(100)
@given(st.datetimes(min_value=dt.datetime(1900, 1, 1)))
def test_excel_datetime_cells_read_as_their_day(moment):
    assert normalize.parse_date(moment) == moment.date()


@fuzz(200)
@given(st.sampled_from(fiscal.ERAS), st.integers(1, 99), st.integers(1, 12), st.integers(1, 31))
def test_wareki_outside_its_era_or_calendar_is_a_valueerror(era, year, month, day):
    """平成31年5月1日 or 令和元年4月30日 or 2月30日: refused, never moved to another day."""
    text = f"{era.name}{year}年{month}月{day}日"
    try:
        d = dt.date(era.start.year + year - 1, month, day)
    except ValueError:
        d = None
    end = fiscal.era_end(era)
    inside = d is not None and d >= era.start and (end is None or d <= end)
    if inside:
        assert normalize.parse_date(text) == d
    else:
        result = _value_or_valueerror(normalize.parse_date, text, lambda r: False)
        assert result is None


@fuzz(200)
@given(TEXT)
def test_parse_wareki_gives_a_day_none_or_a_valueerror(text):
    _value_or_valueerror(lambda t: fiscal.parse_wareki(normalize.nfkc(t)), text,
                         lambda r: r is None or type(r) is dt.date)


@fuzz(200)
@given(st.dates())
def test_labels_of_any_day_never_fail(day):
    for lang in ("ja", "en"):
        assert fiscal.label(day, lang)
    if day >= fiscal.ERAS[0].start:
        assert normalize.parse_date(fiscal.wareki(day)) == day


@fuzz(200)
@given(st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_fiscal_year_of_a_day_contains_it(day):
    fy = fiscal.FiscalYear.of(day)
    assert fy.contains(day) and fy.start <= day <= fy.end and fy.start.month == 4


# ---- fiscal years ----

@fuzz(300)
@given(st.one_of(TEXT, st.integers(0, 10**6)))
def test_parse_fiscal_year_gives_a_year_or_a_valueerror(value):
    _value_or_valueerror(fiscal.parse_fiscal_year, value, lambda r: type(r) is int)


@fuzz(200)
@given(st.integers(1868, 2117), st.sampled_from(["label", "kanji-year", "fy", "plain", "full-width"]))
def test_fiscal_year_labels_read_back(year, form):
    text = {"label": fiscal.FiscalYear(year).label_ja, "kanji-year": f"{year}年度", "fy": f"FY{year}",
            "plain": str(year), "full-width": f"{year}年度".translate(FULL_WIDTH)}[form]
    assert fiscal.parse_fiscal_year(text) == year


# ---- booleans ----

TRUE = ["○", "〇", "◯", "有", "はい", "あり", "済", "true", "yes", "y", "1", "on"]
FALSE = ["×", "無", "いいえ", "なし", "未", "false", "no", "n", "0", "off", "-", "－", "ー"]


@fuzz(300)
@given(CELL)
def test_parse_bool_gives_a_flag_or_a_valueerror(value):
    _value_or_valueerror(normalize.parse_bool, value, lambda r: r in (True, False, None))


@fuzz(200)
@given(st.sampled_from([(t, True) for t in TRUE] + [(f, False) for f in FALSE]), st.booleans(), st.booleans(),
       PADDING, PADDING)
def test_documented_yes_and_no_read_back(token_value, upper, full_width, before, after):
    token, value = token_value
    if upper:
        token = token.upper()
    if full_width:
        token = token.translate(FULL_WIDTH)
    assert normalize.parse_bool(before + token + after) is value


# ---- enumerations ----

ENUMS = sorted(normalize.ALIASES)


@fuzz(300)
@given(st.sampled_from(ENUMS), CELL)
def test_canonical_gives_a_known_value_or_a_valueerror(enum, value):
    known = set(normalize.ALIASES[enum].values())
    _value_or_valueerror(lambda v: normalize.canonical(enum, v), value, lambda r: r is None or r in known)


@fuzz(200)
@given(st.sampled_from([(e, raw, canon) for e in ENUMS for raw, canon in normalize.ALIASES[e].items()]),
       st.booleans(), st.booleans(), PADDING, PADDING)
def test_every_alias_reads_as_its_canonical_value(entry, swap_case, full_width, before, after):
    enum, raw, canon = entry
    if swap_case:
        raw = raw.swapcase()
    if full_width:
        raw = raw.translate(FULL_WIDTH)
    assert normalize.canonical(enum, before + raw + after) == canon


@fuzz(200)
@given(st.sampled_from(ENUMS + ["course"]), st.dictionaries(TEXT, TEXT, max_size=4), TEXT)
def test_manifest_value_maps_give_a_value_or_a_valueerror(enum, extra, value):
    """values: in the manifest may map anything to anything: a bad target is the manifest's ValueError."""
    assume(extra or enum in normalize.ALIASES)
    _value_or_valueerror(lambda v: normalize.canonical(enum, v, extra), value, lambda r: r is None or type(r) is str)


# ---- NFKC, IDs and numbers ----

@fuzz(300)
@given(st.text(max_size=60))
def test_nfkc_is_stable(text):
    once = normalize.nfkc(text)
    assert normalize.nfkc(once) == once
    assert once == once.strip()


@fuzz(300)
@given(CELL)
def test_normalize_id_is_stable_and_never_fails(value):
    result = normalize.normalize_id(value)
    assert result is None or (type(result) is str and result)
    if result is not None:
        assert normalize.normalize_id(result) == result
        assert result == result.strip() and "  " not in result


@fuzz(300)
@given(CELL)
def test_numbers_give_a_number_or_a_valueerror(value):
    _value_or_valueerror(normalize.parse_number, value,
                         lambda r: r is None or (type(r) is float and not math.isinf(r)))
    _value_or_valueerror(normalize.parse_int, value, lambda r: r is None or type(r) is int)


@fuzz(200)
@given(st.integers(-10**15, 10**15), st.booleans(), st.booleans())
def test_whole_numbers_read_back_with_commas_and_full_width(n, commas, full_width):
    text = f"{n:,}" if commas else str(n)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert normalize.parse_int(text) == n
