import sys
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


@pytest.mark.parametrize("text", [
    "1234\n5678\n9018", "1234\r\n5678\r\n9018", "12345678\n9018", "1234-\n5678-\n9018", "1234 \n 5678 \n 9018",
    "1234\u20285678\u20299018", "1234\x0b5678\x0c9018", "1234\r5678\r9018", "1234\n\n5678\n\n9018",
])
def test_a_my_number_split_by_line_breaks_is_found(text):
    """A number wrapped in an Excel cell, or typed over two lines, is one number."""
    assert mask(text) == MASK and mask(f"番号:\n{text}\n以上") == f"番号:\n{MASK}\n以上"
    assert mynumber.might_contain([text]) and mynumber.might_contain([text] * 9)
    assert mask(f"1{text}") == f"1{text}"  # 13 digits once joined: not a My Number


def _digit_forms() -> dict:
    """Every character that is no Unicode decimal but that NFKC folds to one ASCII digit."""
    import sys
    import unicodedata

    return {chr(c): int(unicodedata.normalize("NFKC", chr(c))) for c in range(sys.maxunicode + 1)
            if not chr(c).isdecimal() and len(unicodedata.normalize("NFKC", chr(c))) == 1
            and unicodedata.normalize("NFKC", chr(c)) in "0123456789"}


def test_every_character_nfkc_folds_to_a_digit_counts_as_one():
    """Superscript, subscript and circled digits: NFKC makes them digits, so the detector must too."""
    forms = _digit_forms()
    assert {"¹", "²", "³", "⁰", "₀", "₉", "①", "⓪"} <= set(forms)
    for ch, value in forms.items():
        first = f"{value}" + "1234567890"
        number = ch + first[1:] + str(check_digit(first))
        assert mask(f"番号{number}") == f"番号{MASK}", (hex(ord(ch)), number)
        assert mynumber.might_contain([number] * 9)


@pytest.mark.parametrize("text", ["¹²³⁴⁵⁶⁷⁸⁹⁰¹⁸", "₁₂₃₄₅₆₇₈₉₀₁₈", "①②③④⑤⑥⑦⑧⑨⓪①⑧", "¹²³⁴-⁵⁶⁷⁸-⁹⁰¹⁸",
                                  "12³⁴５６78⁹⁰¹⁸", "¹²³⁴\n⁵⁶⁷⁸\n⁹⁰¹⁸"])
def test_a_my_number_in_superscript_or_circled_digits_is_found(text):
    assert mask(text) == MASK and mask(f"記載 {text} です") == f"記載 {MASK} です"
    assert mask("¹" + text) == "¹" + text  # 13 digits


def test_dumps_sees_a_number_split_by_escaped_line_breaks():
    """JSON writes a line break as \\n: the scan of the text must read it back as one."""
    doc = {"note": "1234\n5678\n9018", "wrapped": "1234\r\n5678\r\n9018", "sha256": "0" * 64}
    text = mynumber.dumps(doc)
    assert "5678" not in text and text.count(MASK) == 2


def test_markdown_never_rejoins_a_number_split_over_lines():
    from auditor.reporters.markdown import code, md

    for value in ("1234\n5678\n9018", "1234\t5678\r\n9018", "12345678\u20289018"):
        assert "5678" not in str(md(value)) and "5678" not in str(code(value))


def test_the_re2_patterns_read_every_digit_and_separator_exactly_as_re_does():
    """The RE2 scans (long texts) must see the very runs re's _MAYBE sees: their digit and separator
    classes hold the same characters as re's, code point by code point, both ways."""
    import re

    import re2

    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert not [c for c in chars if ord(c) >= 0x20000 and c.isdecimal()]  # the bound of _re2's enumeration
    assert mynumber._decimals() == [c for c in chars if c.isdecimal()]  # its shortcut over runs of ten
    pattern = mynumber._re2("run").pattern
    digit_class = pattern[:pattern.index("]") + 1]
    for mine, theirs in ((digit_class, mynumber._D), (mynumber._S, mynumber._S)):
        assert set(re2.findall(mine, chars)) == set(re.findall(theirs, chars))


_PIECES = ["1234", "5678", "9018", "0", "12", "-", " ", "\n", "\\n", "\\t", "\u200b", "ー", "１２", "²", "a", "年",
           '"', "\\", ",", "x" * 5]


@pytest.mark.parametrize("seed", range(40))
def test_the_prefilter_never_hides_what_re_finds(seed):
    """Random texts of digits, separators, JSON escapes and letters, padded past the prefilter's length:
    wherever re's scan finds a candidate, the prefilter says one may be there; dumps masks the same."""
    import random

    rng = random.Random(seed)
    for _ in range(200):
        core = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14)))
        text = "y" * mynumber._LONG + core
        scan = text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")
        if mynumber._MAYBE.search(scan) is not None:
            assert not mynumber._none_possible(mynumber._utf8(text)), core
        spans = [m.span() for m in mynumber._MAYBE.finditer(scan)]
        assert [m.span() for m in mynumber._re2("run").finditer(scan)] == spans, core  # the same windows
    doc = {"pad": "y" * mynumber._LONG, "note": "1234\n5678\n9018", "id": "ー".join(["1234", "5678", "9018"])}
    text = mynumber.dumps(doc)
    assert "5678" not in text and text.count(MASK) == 2


def test_our_digests_alone_never_cost_a_scan_but_other_values_are_masked():
    """12 digits inside a SHA-256 under a kept key are no My Number (and stay as they are); the same digits
    under another key, or a number in a message beside them, are masked as always."""
    pad = "x" * mynumber._LONG
    assert mynumber._none_possible(mynumber._without_kept(('{"sha256": "ab' + VALID + 'cd"}').encode(), ("sha256",)))
    kept = mynumber.dumps({"sha256": "ab" + VALID + "cd", "pad": pad})
    assert VALID in kept  # a kept value is never altered
    other = mynumber.dumps({"file_sha256": "ab" + VALID + "cd", "pad": pad})
    assert VALID not in other and MASK in other
    both = mynumber.dumps({"note": f"番号 {VALID}", "sha256": "ab" + VALID, "pad": pad}, items=10)
    assert f"番号 {MASK}" in both and "ab" + VALID in both


def test_a_lone_surrogate_in_a_long_text_is_scanned_not_a_crash():
    """A JSON evidence file may spell a lone surrogate (\\ud800), which RE2 refuses as text: the long scans
    read it as bytes that are neither digit nor separator, as re does, and a number beside it is masked."""
    pad, odd = "y" * mynumber._LONG, "\ud800"
    assert "%uD800" in mynumber.dumps({"pad": pad, "odd": odd})  # no output holds it: shown as filenames.printable does
    text = mynumber.dumps({"pad": pad, "note": f"{odd}{VALID}{odd}", "joined": f"1234 5678{odd}9018"})
    assert VALID not in text and text.count(MASK) == 1 and "5678" in text  # a surrogate breaks a run
    assert mynumber.might_contain([pad + odd + VALID] * 9) and not mynumber.might_contain([pad + odd + "1234"] * 9)
