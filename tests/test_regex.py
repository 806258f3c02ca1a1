"""The rule operator `regex`: Python's syntax and meaning, run by RE2 in linear time (catalogue/rules/regex.py).

Every pattern here is checked against Python's own engine on the same texts: the translation must find a
match exactly where re.search does. Patterns with no linear-time equivalent are refused, never run by the
backtracking engine.
"""
import re
import time
import unicodedata

import pytest

from auditor.catalogue.rules import regex
from auditor.catalogue.rules.values import RuleError

TEXTS = [
    "", "a", "A", "aaa", "aaa\n", "a\nb", "\n", "abc", "ABC", "xabcx", "S00123", "Ｓ００１２３", "s00123\n", "CA-2024-01",
    "ca-2024-01", "道路課", "情報政策課 セキュリティ担当", "令和7年4月1日", "R7.4.1", "2025/4/1", "2025-04-01",
    "a b", "a\tb", "a\u3000b", "a\xa0b", "a\u2028b", "_x_", "٣", "१२३", "Ⅻ", "½", "①", "mynumber", "LGWAN接続系",
    "インターネット接続系", "ｶﾀｶﾅ", "k", "K", "\u212a", "ß", "ẞ", "ſ", "Σσς", "x" * 40, "a" * 28 + "!", "-", "]", "^",
    "\\", "a.b", "a+b", "(a)", "line1\nline2\n", "\r\n", "é", "e\u0301", "🙂", "\U00020bb7野家",
]
PATTERNS = [
    r"^A", r"A", r"^CA-", r"^S\d{5}$", r"\d+", r"\D", r"\w+", r"\W", r"\s", r"\S+", r"^\s*$", r"[\d]", r"[^\d]",
    r"[a\D]", r"[\w-]+", r"[\s\d]", r"[^\s\w]", r"(?i)ca-\d{4}", r"(?i:abc)x", r"(?i)k", r"(?i)[a-z]+$",
    r"(?i)ß", r"(?i)σ", r"(?s)a.b", r"a.b", r".", r"^$", r"$", r"a$", r"\n$", r"(?m)^line2$", r"(?m)^$", r"\Aa",
    r"b\Z", r"a|b|", r"(a|ab)(c|bcd)", r"(?:ab)+", r"a{2,3}", r"a{2}?", r"a*?b", r"x{40}", r"x{41}", r"[-\]^]",
    r"[^-]", r"\\", r"\.", r"a\+b", r"\(a\)", r"道路", r"^(?:道路|情報)課", r"[ぁ-んァ-ヶ]+", r"[\u3000-\u303f]",
    r"課$", r"\d{4}/\d{1,2}/\d{1,2}", r"^R\d+\.\d+\.\d+$", r"(?x) ^ S \d+ # an ID", r"(?P<id>S)\d", r"é", r"e\u0301",
    r"[🙂]", r"\U00020bb7", r"(?a)\w+", r"(?a)\d", r"(?a)\s", r"(?a)\bS", r"(?a)\Bb", r"(.*a){3}", r"", r"(?:)",
    r"[a-c]{0,2}d?$",
]
# Python's engine takes seconds to years on these with some TEXTS: compared on short texts only
CATASTROPHIC = [r"(a+)+$", r"(a|aa)+$", r"(\w+\s?)+$", r"^(([a-z])+.)+[A-Z]([a-z])+$", r"(x+x+)+y"]
SHORT = [t for t in TEXTS if len(t) <= 12]


@pytest.mark.parametrize("pattern", PATTERNS + CATASTROPHIC)
def test_finds_a_match_exactly_where_python_does(pattern):
    search = regex.searcher(pattern)
    python = re.compile(pattern)
    for text in SHORT if pattern in CATASTROPHIC else TEXTS:
        assert search(text) == (python.search(text) is not None), (pattern, text, regex.translate(pattern))


def _assigned():
    """Every code point Python's Unicode database assigns (RE2's tables may be of a newer Unicode)."""
    return [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]


@pytest.mark.parametrize("pattern", [r"\d", r"\w", r"\s", r"\D", r"\W", r"\S", r"[\d_]", r"[^\s]"])
def test_unicode_classes_are_pythons(pattern):
    """RE2's \\d, \\w and \\s are ASCII; the translation keeps Python's Unicode ones for every character."""
    search, python = regex.searcher(pattern), re.compile(pattern)
    wrong = [f"U+{ord(c):04X}" for c in _assigned() if search(c) != (python.search(c) is not None)]
    assert not wrong, wrong[:20]


def test_case_folding_is_pythons_but_for_turkish_i():
    """(?i) follows Unicode simple case folding; only Python's folding of İ/ı onto i differs."""
    search, python = regex.searcher(r"(?i)[a-z]"), re.compile(r"(?i)[a-z]")
    wrong = [f"U+{ord(c):04X}" for c in _assigned() if search(c) != (python.search(c) is not None)]
    assert wrong == ["U+0130", "U+0131"]


@pytest.mark.parametrize("pattern, text", [
    (r"(a+)+$", "a" * 30 + "!"), (r"(a|aa)+$", "a" * 40 + "!"), (r"(a|a)*b", "a" * 40), (r"(\w+\s?)+$", "word " * 20 + "!"),
    (r"(.*a){20}", "a" * 19 + "b" * 100), (r"(x+x+)+y", "x" * 40), (r"^(([a-z])+.)+[A-Z]([a-z])+$", "a" * 40 + "!"),
    (r"(a+)+$", "a" * 100_000 + "!"), (r"\d*\d*\d*\d*\d*x", "1" * 100_000),
])
def test_catastrophic_patterns_take_linear_time(pattern, text):
    """Python's engine takes minutes to years on these; RE2 takes microseconds to milliseconds."""
    start = time.perf_counter()
    assert regex.searcher(pattern)(text) is False
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("pattern, words", [
    (r"(a)\1", "back-reference"), (r"(?P<x>a)(?P=x)", "back-reference"), (r"(?=a)", "look-ahead"),
    (r"(?<=a)b", "look-ahead or look-behind"), (r"(?!a)", "negative look-around"), (r"(?<!a)b", "negative look-around"),
    (r"(a)?(?(1)b|c)", "conditional"), (r"\bS", r"\b and \B on Unicode text"), (r"S\B", r"\b and \B"),
    (r"a$b", "'$' followed by more pattern"), (r"(a$)+", "'$' followed"), (r"(?ai)k", "(?a) together with (?i)"),
    (r"[^a\W]", "negated class"), (r"a{2000}", "RE2 cannot run it"), (r"((a{100}){100}){100}", "RE2 cannot run it"),
    (r"([", "regex '(['"), (r"a**", "multiple repeat"),
])
def test_patterns_that_cannot_be_bounded_are_refused(pattern, words):
    with pytest.raises(RuleError) as err:
        regex.searcher(pattern)
    assert words in str(err.value) and repr(pattern) in str(err.value)


@pytest.mark.skipif(not hasattr(re, "NOFLAG") or not hasattr(re, "_parser"), reason="Python 3.11+ syntax")
@pytest.mark.parametrize("pattern", [r"(?>a+)b", r"a++b", r"a*+", r"a?+"])
def test_atomic_and_possessive_are_refused(pattern):
    with pytest.raises(RuleError, match="atomic|possessive"):
        regex.searcher(pattern)


def test_non_text_pattern_is_refused():
    with pytest.raises(RuleError, match="regex must be text"):
        regex.searcher(12)
