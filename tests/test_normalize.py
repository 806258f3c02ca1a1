import datetime as dt
import math
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor.evidence.normalize import ALIASES, canonical, nfkc, normalize_id, parse_bool, parse_date, parse_int, parse_number

D = dt.date


@pytest.mark.parametrize("raw, expected", [
    ("  ＡＢＣ１２３ ", "ABC123"),
    (123, "123"),
    ("ｶﾞ", "ガ"),
])
def test_nfkc(raw, expected):
    assert nfkc(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("ABC-001", "ABC-001"),
    ("ＡＢＣ－００１", "ABC-001"),
    *[(f"A{h}1", "A-1") for h in "‐‑‒–—―−﹣－"],
    ("サーバー01", "サーバー01"),          # katakana ー is not a hyphen
    ("  総務課 　広報\t係 ", "総務課 広報 係"),
    (123.0, "123"),
    (123, "123"),
    (None, None),
    ("", None),
    ("　 ", None),
    (float("nan"), None),
])
def test_normalize_id(raw, expected):
    assert normalize_id(raw) == expected


# Expected day -> every spelling that must parse to it.
DATE_FORMS = {
    D(2025, 4, 1): [
        dt.date(2025, 4, 1), dt.datetime(2025, 4, 1, 10, 30), "2025-04-01", "2025-4-1", "2025/4/1",
        "2025/04/01", "2025.4.1", "2025年4月1日", "2025年 4月 1日", "２０２５年４月１日", "20250401",
        20250401, "2025-04-01T10:00:00", "2025-04-01T23:30:00+09:00", "2025-04-01 10:00",
        "2025/4/1 9:05", " 2025-04-01 ", "令和7年4月1日", "令和７年４月１日", "令和 7年 4月 1日",
        "令和　７年　４月　１日", "R7.4.1", "r7.4.1", "R7/4/1", "R07-04-01", "Ｒ７．４．１", "㋿7年4月1日"],
    D(2019, 5, 1): ["令和元年5月1日", "R元.5.1", "㋿元年5月1日", "令和元年五月一日"],
    D(2019, 4, 30): ["平成31年4月30日", "H31-04-30", "h31/4/30", "㍻31年4月30日", "平成三十一年四月三十日"],
    D(2008, 4, 1): ["平成20年4月1日", "H20.4.1", "平成二〇年四月一日"],
    D(1989, 1, 8): ["平成元年1月8日"],
    D(1989, 1, 7): ["昭和64年1月7日", "S64.1.7", "㍼64年1月7日"],
    D(1926, 12, 25): ["昭和元年12月25日"],
    D(1926, 12, 24): ["大正15年12月24日"],
    D(1912, 7, 30): ["大正元年7月30日", "T1.7.30", "㍽元年7月30日"],
    D(1912, 7, 29): ["明治45年7月29日", "M45.7.29", "㍾45年7月29日"],
    D(1868, 1, 25): ["明治元年1月25日"],
    D(1868, 1, 1): ["明治元年1月1日"],
    D(2025, 12, 15): ["令和七年十二月十五日"],
    D(2028, 10, 10): ["令和十年十月十日"],
}


@pytest.mark.parametrize("raw, expected", [(raw, day) for day, raws in DATE_FORMS.items() for raw in raws])
def test_parse_date_accepts(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", float("nan")])
def test_parse_date_blank(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw, message", [
    ("平成31年5月1日", "outside the 平成 era"),
    ("H31.5.1", "outside the 平成 era"),
    ("令和元年4月30日", "outside the 令和 era"),
    ("R1.4.30", "outside the 令和 era"),
    ("昭和64年1月8日", "outside the 昭和 era"),
    ("大正15年12月25日", "outside the 大正 era"),
    ("明治45年7月30日", "outside the 明治 era"),
    ("令和0年5月1日", "outside the 令和 era"),
    ("2025/2/30", "no such day"),
    ("2025-13-01", "no such day"),
    ("20250230", "no such day"),
    ("令和7年2月30日", "no such day"),
    ("平成三十一年二月三十日", "no such day"),
    ("45748", "format the cell as a date"),       # Excel serial as text
    (45748, "format the cell as a date"),         # Excel serial as number
    (45748.0, "format the cell as a date"),
    (45748.5, "not a date"),
    ("25/4/1", "not a date"),                     # 2-digit year
    ("R7.4", "not a date"),
    ("平成30年4月分", "not a date"),
    ("2025/4-1", "not a date"),                   # mixed separators
    ("X7.4.1", "not a date"),
    ("令和百年1月1日", "not a date"),
    ("yesterday", "not a date"),
    (True, "not a date"),
])
def test_parse_date_rejects(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_date(raw)


def test_parse_date_message_lists_forms():
    with pytest.raises(ValueError, match=r"2025-04-01.*令和7年4月1日.*R7\.4\.1"):
        parse_date("someday")


def test_parse_date_message_masks_my_number():
    with pytest.raises(ValueError) as err:
        parse_date("123456789018")
    assert "123456789018" not in str(err.value)


TRUE_VALUES = ["○", "〇", "◯", "有", "はい", "あり", "済", "true", "TRUE", "True", "yes", "YES",
               "y", "Y", "1", "１", "on", "t", "ｙｅｓ", " はい "]
FALSE_VALUES = ["×", "✕", "✗", "無", "いいえ", "なし", "未", "false", "FALSE", "no", "n", "0",
                "０", "off", "f", "F", "-", "－", "―", "ー"]


@pytest.mark.parametrize("raw, expected", [
    *[(v, True) for v in TRUE_VALUES], *[(v, False) for v in FALSE_VALUES],
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False),
    (None, None), ("", None), ("  ", None),
])
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", 2, -1, "◎", "△", "yes!"])
def test_parse_bool_rejects(raw):
    with pytest.raises(ValueError, match="○/×"):
        parse_bool(raw)


@pytest.mark.parametrize("raw, expected", [
    ("1234", 1234), ("1,234", 1234), ("１，２３４", 1234), ("-5", -5), ("−5", -5), ("▲5", -5),
    ("+7", 7), (" 42 ", 42), ("123.0", 123), (123.0, 123), (7, 7), ("1,234,567", 1234567),
    ("123456789012345678901", 123456789012345678901), (None, None), ("", None),
])
def test_parse_int(raw, expected):
    result = parse_int(raw)
    assert result == expected and (result is None or type(result) is int)


@pytest.mark.parametrize("raw", ["1.5", 1.5, "12%", "abc", "1,23", "1 234", True, "nan", "1e3"])
def test_parse_int_rejects(raw):
    with pytest.raises(ValueError, match="whole number"):
        parse_int(raw)


@pytest.mark.parametrize("raw, expected", [
    ("1234", 1234.0), ("1,234", 1234.0), ("1,234.5", 1234.5), ("12.5", 12.5), ("１２．５", 12.5),
    ("12%", 0.12), ("１２％", 0.12), ("12.5 %", 0.125), ("100%", 1.0), ("-3%", -0.03),
    ("△1,000", -1000.0), (3, 3.0), (2.5, 2.5),
])
def test_parse_number(raw, expected):
    assert parse_number(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", [None, "", "  ", float("nan")])
def test_parse_number_blank(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize("raw", ["%12", "12%%", "abc", "1,23", "1.2.3", "nan", "inf", True,
                                 math.inf, "12 percent"])
def test_parse_number_rejects(raw):
    with pytest.raises(ValueError, match="number"):
        parse_number(raw)


# One line per canonical value: enumeration, canonical value, raw spellings.
BUILTIN = """
zone mynumber マイナンバー利用事務系 個人番号利用事務系 マイナンバー系 mynumber MyNumber
zone lgwan LGWAN接続系 ＬＧＷＡＮ接続系 LGWAN系 lgwan
zone internet インターネット接続系 インターネット系 Internet
zone external 外部 インターネット External
flow_zone any any ANY 全領域 すべて 全て 任意 *
flow_zone mynumber マイナンバー利用事務系 個人番号利用事務系
action allow 許可 allow ALLOW permit accept
action deny 拒否 deny DROP reject 遮断
audit_kind internal 内部監査 内部
audit_kind external 外部監査 外部
terminal_role main 主たる業務端末 業務端末
terminal_role shared 共用端末
terminal_role server サーバ サーバー
employment regular 正規 正規職員 常勤
employment fiscal_appointee 会計年度任用 会計年度任用職員
employment dispatched 派遣 派遣職員
employment reappointed 再任用 再任用職員
employment temporary_appointee 臨時的任用 臨時的任用職員
employment fixed_term 任期付 任期付職員 任期付き職員
unit_level 部 部 局 department Department
unit_level 課 課 室 division
role ciso CISO ciso 最高情報セキュリティ責任者
role general_officer 統括情報セキュリティ責任者
role security_officer 情報セキュリティ責任者
role security_manager 情報セキュリティ管理者
role system_manager 情報システム管理者
drill_kind incident インシデント対応訓練 緊急時対応訓練
drill_kind phishing 標的型メール訓練 標的型攻撃メール訓練
gateway_type file_sanitizer ファイル無害化
gateway_type screen_transfer 画面転送 仮想ブラウザ
gateway_type mail_sanitizer メール無害化
gateway_type security_cloud セキュリティクラウド 自治体情報セキュリティクラウド
answer yes はい ○ 〇 ◯ 実施 済 YES
answer no いいえ × ✕ ✖ 未実施 未
answer na 該当なし 対象外 - － NA
action_status not_started 未着手
action_status in_progress 対応中 着手
action_status done 完了 済 対応済み
checklist_result conforms 適合 ○ 〇
checklist_result nonconforming 不適合 × ✕
action_status verified 有効性確認済 確認済
action_status resolved_pending_verification 解消確認待ち
action_status carried_over 継続 Carried_Over
"""
BUILTIN_CASES = [(enum, raw, canon) for enum, canon, *raws in map(str.split, BUILTIN.strip().splitlines())
                 for raw in raws]


@pytest.mark.parametrize("enum, raw, expected", BUILTIN_CASES + [
    ("zone", " LGWAN 接続系 ", "lgwan"), ("zone", None, None), ("zone", "", None),
])
def test_canonical_builtin(enum, raw, expected):
    assert canonical(enum, raw) == expected


def test_aliases_table_shape():
    for enum, table in ALIASES.items():
        for canon in set(table.values()):
            assert table[canon] == canon, (enum, canon)
    assert ALIASES["zone"]["LGWAN接続系"] == "lgwan"
    assert ALIASES["unit_level"]["局"] == "部"


@pytest.mark.parametrize("extra, raw, expected", [
    ({"基幹系": "mynumber"}, "基幹系", "mynumber"),
    ({"基幹系": "mynumber"}, "基幹系 ", "mynumber"),        # NFKC/strip form
    ({"ｷｶﾝ": "mynumber"}, "ｷｶﾝ", "mynumber"),             # raw key as written
    ({"キカン": "mynumber"}, "ｷｶﾝ", "mynumber"),           # NFKC of the raw value
    ({"Core": "mynumber"}, "CORE", "mynumber"),           # ASCII case ignored
    ({"インターネット": "internet"}, "インターネット", "internet"),  # extra wins over ALIASES
    ({"net": "インターネット系"}, "net", "internet"),        # extra may name an alias
    ({"x": "y"}, "LGWAN系", "lgwan"),                      # falls back to ALIASES
])
def test_canonical_extra(extra, raw, expected):
    assert canonical("zone", raw, extra) == expected


def test_canonical_extra_for_enum_without_builtins():
    assert canonical("colour", "赤", {"赤": "red"}) == "red"


@pytest.mark.parametrize("enum, raw, extra", [
    ("zone", "基幹系", None), ("action", "maybe", None), ("unit_level", "係", None),
    ("zone", "基幹系", {"情報系": "internet"}), ("zone", "基幹系", {"基幹系": "core"}),
])
def test_canonical_unknown(enum, raw, extra):
    with pytest.raises(ValueError, match="use one of"):
        canonical(enum, raw, extra)


def test_canonical_unknown_lists_canonical_values():
    with pytest.raises(ValueError, match="mynumber, lgwan, internet, external"):
        canonical("zone", "基幹系")


def test_canonical_unknown_enumeration_is_a_programming_error():
    with pytest.raises(KeyError):
        canonical("no_such_enum", "x")


@settings(max_examples=3000, deadline=None)
@given(st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.text(alphabet="0123456789-/. 年月日T:０１２", min_size=8, max_size=12),
    st.builds(lambda a, b: a + "-" + b, st.text(alphabet="0123456789٣", max_size=5), st.text(alphabet="0123456789-", max_size=6))))
@example("2025-02-29")
@example("0000-01-01")
@example("2025-04-01")
def test_the_iso_shortcut_reads_a_date_as_the_full_reader_does(text):
    """YYYY-MM-DD is read without the regular expressions: the same day, or the same error, as every other form."""
    from auditor.evidence import normalize

    def outcome(read):
        try:
            return read(text)
        except ValueError as exc:
            return str(exc)
    assert outcome(parse_date) == outcome(normalize._parse_any)


ENGLISH_WORDS = re.compile(r"\b(?:not a|no such|unknown|use one of|use e\.g\.|outside the|manifest maps)\b")


@pytest.mark.parametrize("read, raw, words", [
    (parse_date, "令和7年2月30日", "という日はありません"),
    (parse_date, "2025-02-30", "という日はありません"),
    (parse_date, "平成31年5月1日", "平成の期間（1989-01-08〜2019-04-30）の外の日です"),
    (parse_date, "45748", "Excel の日付の通し番号"),
    (parse_date, "yesterday", "は日付として読めません。2025-04-01、"),
    (parse_date, "\u200b", "「\\u200b」は日付として読めません"),
    (parse_bool, "たぶん", "「たぶん」は有無（はい/いいえ）として読めません"),
    (parse_int, "1.5", "「1.5」は整数として読めません。例: 1234、1,234"),
    (parse_int, 1.5, "「1.5」は整数として読めません"),
    (parse_number, "約10", "「約10」は数値として読めません。例: 1234、1,234、12.5、12%"),
    (lambda v: canonical("action", v), "通す", "action の値として「通す」は使えません。次のどれかを書いてください: allow、deny"),
    (lambda v: canonical("action", v, {"通す": "pass"}), "通す", "マニフェストの対応づけ先「pass」は action の値にありません"),
])
def test_every_unreadable_value_says_why_in_japanese_too(read, raw, words):
    """A cell that does not read is explained in the user's language: the English for --lang en, and
    Japanese of our own for the Japanese lines (it was the English inside a Japanese sentence)."""
    from auditor.errors import Unreadable, reason

    with pytest.raises(Unreadable) as err:
        read(raw)
    ja = reason(err.value, "ja")
    assert words in ja, ja
    assert not ENGLISH_WORDS.search(ja) and ENGLISH_WORDS.search(reason(err.value, "en"))


def test_a_japanese_reason_masks_a_my_number_too():
    from auditor.errors import reason

    with pytest.raises(ValueError) as err:
        parse_date("123456789018")
    assert "123456789018" not in reason(err.value, "ja") and "は日付として読めません" in reason(err.value, "ja")
