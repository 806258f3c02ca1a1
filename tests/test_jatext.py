"""tighten() removes exactly the spaces the former patterns (a look-behind before the space) removed: its
patterns, which start at the space, are a speed-up only."""
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor import jatext
from auditor.jatext import tighten

_JA = jatext._JA
REFERENCE_PARTICLE = re.compile(f"(?<=[{_JA}\uff10-\uff5a）」』】]) (?=の|が|に|を|で|と|は|へ|も|や|から|まで|より)")
REFERENCE_ERA = re.compile(f"(?<=[\u3041-\u3096）」』】]) (?=(?:令和|平成|昭和|大正|明治)(?:元|\\d{{1,4}})年)"
                           f"|(?:(?<=\\d日)|(?<=年度)|(?<=元年)) (?=[{_JA}（「])")

PIECES = ["の", "が", "から", "まで", "より", "を", "課", "研修", "ア", "ぁ", "ゖ", "々", "）", "」", "』", "】",
          "（", "「", "令和", "平成", "昭和", "元", "7", "１", "年", "年度", "元年", "日", "6月1日", "A", "PC-0017", "-",
          "ｚ", "\uff10", "\uff5b", "\u3040", "\u3097", "\n"]


def reference(text: str) -> str:
    return REFERENCE_ERA.sub("", REFERENCE_PARTICLE.sub("", text)) if " " in text else text


# every piece followed by no space, one or two: each pair of pieces meets across a space often
TEXTS = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "  "])), max_size=24).map(
    lambda parts: "".join(a + b for a, b in parts))


@settings(max_examples=5000, deadline=None)
@given(TEXTS)
@example("職員 S001（総務課）の 令和7年度 情報セキュリティ研修")
@example("令和7年6月1日 採用の職員 PC-0017 が 平成31年4月1日 に")
@example("制定 平成31年4月1日")
def test_the_same_spaces_are_removed_as_by_the_former_patterns(text):
    assert tighten(text) == reference(text)


def test_what_the_messages_read():
    assert tighten("職員 S001（総務課） の 令和7年度 情報セキュリティ研修") == "職員 S001（総務課）の令和7年度情報セキュリティ研修"
    assert tighten("PC-0017 が 農林課 の 端末") == "PC-0017 が 農林課の 端末"  # after ASCII the space stays
    assert tighten("制定 平成31年4月1日") == "制定 平成31年4月1日"  # a label keeps its space
