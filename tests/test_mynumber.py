import time

import pytest

from auditor.privacy import mynumber
from auditor.privacy.mynumber import MASK, check_digit, contains, find, is_valid, mask

VALID = "123456789018"           # the published test vector
INVALID = "123456789012"         # same digits, wrong check digit


def _with_check(first11: str) -> str:
    return first11 + str(check_digit(first11))


@pytest.mark.parametrize("digits, ok", [
    (VALID, True),
    ("１２３４５６７８９０１８", True),
    (_with_check("00000000000"), True),
    (_with_check("98765432109"), True),
    (_with_check("11111111111"), True),
    (INVALID, False),
    ("123456789010", False),
    ("12345678901", False),       # 11 digits
    ("1234567890188", False),     # 13 digits
    ("1234-5678-9018", False),    # is_valid takes bare digits only
    ("12345678901a", False),
    ("", False),
    (123456789018, False),        # not a str
    (None, False),
])
def test_is_valid(digits, ok):
    assert is_valid(digits) is ok


def test_check_digit_rule():
    # r <= 1 gives 0, otherwise 11 - r; exercise every possible check digit.
    seen = {check_digit(f"{i:011d}") for i in range(0, 2000)}
    assert seen <= set(range(10)) and len(seen) == 10
    assert check_digit("12345678901") == 8


@pytest.mark.parametrize("text, spans", [
    (VALID, [(0, 12)]),
    (f"番号{VALID}です", [(2, 14)]),
    ("１２３４５６７８９０１８", [(0, 12)]),
    ("1234-5678-9018", [(0, 14)]),
    ("1234 5678 9018", [(0, 14)]),
    ("１２３４－５６７８－９０１８", [(0, 14)]),
    ("1234　5678　9018", [(0, 14)]),
    ("1234−5678−9018", [(0, 14)]),
    ("1234ー5678ー9018", [(0, 14)]),       # IME long-vowel mark typed as a dash
    (f"{VALID},{VALID}", [(0, 12), (13, 25)]),
    (INVALID, []),
    ("1234-5678-9012", []),
    ("1" + VALID, []),                      # 13-digit run, e.g. a 法人番号
    (VALID + "0", []),
    ("9" + VALID + "9", []),
    ("１" + VALID, []),                      # full-width digit extends the run
    ("123-4567-89018", [(0, 14)]),          # any grouping: hyphens and spaces are removed
    ("12345678-9018", [(0, 13)]),
    ("1234--5678-9018", [(0, 15)]),
    ("1-2345-6789-0123", []),               # 13 digits once joined: a 法人番号
    ("2025-04-01 10:30", []),
    ("", []),
    ("no digits here", []),
])
def test_find(text, spans):
    assert find(text) == spans


def test_find_sees_overlapping_windows():
    # The window at offset 0 fails; the valid one starts inside it.
    text = "9999 1234 5678 9018"
    assert not is_valid("999912345678")
    assert find(text) == [(5, 19)]


@pytest.mark.parametrize("text, expected", [
    (f"個人番号：{VALID}", f"個人番号：{MASK}"),
    ("個人番号：１２３４５６７８９０１８", f"個人番号：{MASK}"),
    ("山田太郎（1234-5678-9018）様", f"山田太郎（{MASK}）様"),
    ("番号 1234 5678 9018 を確認", f"番号 {MASK} を確認"),
    (f"法人番号 1{VALID}", f"法人番号 1{VALID}"),           # 13 digits left alone
    (f"{INVALID} は無効", f"{INVALID} は無効"),
    ("電話 03-1234-5678、令和7年4月1日", "電話 03-1234-5678、令和7年4月1日"),
    (f"a{VALID}b{VALID}c", f"a{MASK}b{MASK}c"),
    ("", ""),
])
def test_mask(text, expected):
    assert mask(text) == expected
    assert contains(text) is (expected != text)


@pytest.mark.parametrize("value", [None, 123456789018, 1.5, b"123456789018", ["123456789018"]])
def test_mask_passes_non_str_through(value):
    assert mask(value) is value
    assert contains(value) is False
    assert find(value) == []


def test_mask_returns_same_object_when_nothing_found():
    text = "特定個人情報なし"
    assert mask(text) is text


def test_mask_is_fast_without_digits():
    text = "あ" * 2_000_000
    start = time.perf_counter()
    assert mask(text) is text
    assert time.perf_counter() - start < 0.5


def test_mask_long_text_with_digits():
    text = ("職員番号 00123 " * 20000) + VALID
    start = time.perf_counter()
    assert mask(text).endswith(MASK)
    assert time.perf_counter() - start < 2.0


def test_mask_constant():
    assert mynumber.MASK == "*" * 12


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\ufeff", "\u3164", "\u200d", "\u00ad", "\u180e",
                                       "\u115f", "\u200b\u200b"])
def test_a_my_number_split_by_invisible_characters_is_found(invisible):
    """The evidence reader removes invisible characters from IDs: the number they split must be found first."""
    text = f"1234{invisible}5678{invisible}9018"
    assert mask(text) == MASK and mynumber.might_contain([text] * 9)
    assert mask(f"12345678{invisible}9018") == MASK
