"""A JSON file that does not parse (a baseline, a town's result for the roll-up, a report to verify, JSON
evidence): the Japanese message says what is wrong in our own words, not the parser's English."""
from __future__ import annotations

import json
import re

import orjson
import pytest

from auditor import jsonproblems
from conftest import invoke

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,}")

# the mistakes people make by hand, and words of our Japanese for them (json's, orjson's: they see some apart)
MISTAKES = [
    ("", "値がありません（空のファイル", "ファイルが空です"),
    ('{"a": 1,}', "最後の項目の後", "最後の項目の後に「,」があります"),  # json: 3.13 names the trailing comma
    ("[1, 2,]", "「,」", "最後の項目の後に「,」があります"),
    ('{"a" 1}', "キーの後に「:」がありません", "キーの後に「:」がありません"),
    ("{'a': 1}", "二重引用符", "二重引用符"),
    ("{a: 1}", "二重引用符", "二重引用符"),
    ("[1 2]", "「,」がありません", "「,」がありません"),
    ('"abc', "引用符が閉じられていません", "閉じられないまま、ファイルが終わっています"),
    ('"a\x01"', "制御文字", "制御文字"),
    ('"C:\\path"', "「\\」の後に使えない文字", "「\\」の後に使えない文字"),
    ('"\\u12"', "「\\」の後に使えない文字", "「\\」の後に使えない文字"),
    ('{"a": 1} x', "余分な文字", "余分な文字"),
    ("[1,", "値があるべき位置に値がありません", "閉じられないまま、ファイルが終わっています"),
    ('{"a": tru}', "値があるべき位置に値がありません", "値があるべき位置に値がありません"),
    ("\ufeff{}", "BOM", "BOM"),
]
NOT_ENGLISH = ("true", "false", "null", "JSON", "BOM")  # names, the same in Japanese


@pytest.mark.parametrize("loads", [json.loads, orjson.loads], ids=["json", "orjson"])
@pytest.mark.parametrize("text, json_words, orjson_words", MISTAKES)
def test_every_usual_mistake_is_worded_in_japanese(loads, text, json_words, orjson_words):
    with pytest.raises(json.JSONDecodeError) as err:
        loads(text)
    ja = jsonproblems.japanese(err.value.msg)
    assert (json_words if loads is json.loads else orjson_words) in ja, (err.value.msg, ja)
    assert not ENGLISH_WORDS.search(re.sub("|".join(NOT_ENGLISH), "", ja)), (err.value.msg, ja)


def test_a_message_we_do_not_word_is_kept():
    assert jsonproblems.japanese("something new") == "something new"


def test_a_broken_baseline_says_what_is_wrong_in_japanese_at_its_line(tmp_path, monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "AUDITOR_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    path = tmp_path / "baseline.json"
    path.write_text('{\n  "results": [\n    {"control_id": "NS-01",}\n  ]\n}\n', encoding="utf-8")
    ja = invoke("check", "--baseline", path)
    assert ja.exit_code == 2 and f"{path}:3: " in ja.stderr, ja.stderr
    assert "ベースラインが正しい JSON ではありません（" in ja.stderr and "最後の項目の後" in ja.stderr  # (Python 3.13's words)
    assert not re.search(r"Expecting|Illegal", ja.stderr)
    en = invoke("check", "--baseline", path, "--lang", "en")
    assert re.search(r"Expecting property name|Illegal trailing comma", en.stderr) and not JAPANESE.search(en.stderr)


def test_inspect_names_the_line_of_broken_json_evidence_in_japanese(tmp_path, monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "AUDITOR_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    path = tmp_path / "staff.json"
    path.write_text('[\n  {"staff_id": "S1"}\n  {"staff_id": "S2"}\n]\n', encoding="utf-8")
    ja = invoke("inspect", path)
    assert ja.exit_code == 2 and f"{path}:3: JSON の構文エラーです（項目の間に「,」がありません" in ja.stderr, ja.stderr
    en = invoke("inspect", path, "--lang", "en")
    assert en.exit_code == 2 and f"{path}:3: JSON syntax error: Expecting ',' delimiter" in en.stderr
