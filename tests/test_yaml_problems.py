"""A hand-edited YAML file that does not parse: the message says, in the reader's language, what is wrong
at which line, in our own Japanese words for the mistakes people make, not libyaml's English."""
from __future__ import annotations

import re
import shutil

import pytest
import yaml

from auditor import yamlio, yamlproblems
from auditor.errors import InputError
from conftest import POLICY, SAMPLE, invoke

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}")

# (the mistake, the document, the line it is reported at, words of the Japanese message)
MISTAKES = [
    ("tab indentation", "a:\n\tb: 1\n", 2, "タブ文字"),
    ("a list not closed", "a: [1, 2\nb: 3\n", 2, "「]」で閉じられていません"),
    ("a mapping not closed", "a: {x: 1\nb: 3\n", 2, "「}」で閉じられていません"),
    ("a colon inside a value", "a: b: c\n", 1, "引用符で囲みます"),
    ("indentation that slips", "a:\n  b: 1\n c: 2\n", 3, "字下げのずれ"),
    ("a quote not closed", 'a: "abc\n', 2, "引用符が閉じられない"),
    ("a value starting with @", "a: @x\n", 1, "「@」で始める"),
    ("a backslash in double quotes", 'a: "C:\\path"\n', 1, "単一引用符"),
    ("an alias never defined", "a: *x\n", 1, "別名"),
    ("a key without its colon", "a: 1\nb\nc: 2\n", 3, "「:」がありません"),
    ("a mapping line among list items", "- a\nb: 1\n", 2, "「- 」で始まる行"),
    ("an anchor twice", "a: &x 1\nb: &x 2\n", 2, "2 回定義"),
    ("a line starting with %", "%FOO\n---\na: 1\n", 1, "「%」で始まる行"),
    ("a control character", "a: 日本語日本語\nb: 日本語\nc: \x07\n", 3, "U+0007"),
]


@pytest.mark.parametrize("what, text, line, words", MISTAKES, ids=[m[0] for m in MISTAKES])
@pytest.mark.parametrize("load", [yamlio.load_config, yamlio.load_data], ids=["config", "evidence"])
def test_each_common_mistake_is_worded_in_japanese_at_its_line(what, text, line, words, load):
    with pytest.raises(InputError) as caught:
        load(text, "x.yaml")
    exc = caught.value
    assert exc.line == line, (what, exc.line)
    assert words in exc.ja, exc.ja
    assert not ENGLISH_WORDS.search(exc.ja.replace("YAML", "")), exc.ja  # none of libyaml's English
    assert str(exc).startswith(f"x.yaml:{line}: YAML") and not JAPANESE.search(str(exc))


def test_a_problem_we_do_not_word_keeps_libyamls_words():
    assert yamlproblems.japanese("while scanning something new") is None
    assert yamlproblems.japanese(None) is None


def test_every_worded_problem_is_one_libyaml_or_pyyaml_can_say():
    """The table's keys are libyaml's own strings (or PyYAML's, for the pure-Python loader): a key with a
    typo would never match and its mistake would silently stay in English."""
    import pathlib

    shipped = pathlib.Path(yaml.__file__).parent
    said = "".join(p.read_text(encoding="utf-8") for p in shipped.glob("*.py"))
    said += "".join(p.read_bytes().decode("latin-1") for p in shipped.glob("_yaml*"))  # libyaml, compiled in
    missing = [k for k in yamlproblems._JA if k not in said]
    assert not missing, missing


@pytest.fixture
def broken_policy(tmp_path):
    policy = tmp_path / "policy.yaml"
    text = POLICY.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, t in enumerate(text) if t.startswith(" ") and ":" in t)  # an indented key
    text[at] = "\t" + text[at].lstrip(" ")
    policy.write_text("".join(text), encoding="utf-8")
    for extra in POLICY.parent.iterdir():  # what the policy refers to beside it, if anything
        if extra.name != POLICY.name and extra.is_file():
            shutil.copy(extra, tmp_path / extra.name)
    return policy, at + 1


def test_the_cli_names_the_line_and_the_tab_in_each_language(broken_policy):
    policy, line = broken_policy
    ja = invoke("check", "--policy", policy, "--evidence", SAMPLE, "--lang", "ja")
    assert ja.exit_code == 2 and "Traceback" not in ja.stderr
    assert f"{policy}:{line}:" in ja.stderr and "タブ文字" in ja.stderr, ja.stderr
    assert "cannot start any token" not in ja.stderr
    en = invoke("check", "--policy", policy, "--evidence", SAMPLE, "--lang", "en")
    assert en.exit_code == 2 and f"{policy}:{line}:" in en.stderr and "YAML syntax error" in en.stderr
