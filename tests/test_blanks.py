"""Placeholders and invisible characters are no value, for every field kind (issue 12 §1).

One rule (auditor/evidence/blanks.py) decides emptiness; the CLI cases over the shipped controls are
in tests/adversarial/test_placeholders.py.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.evidence import blanks, cache, kinds, normalize
from conftest import ORG, invoke, write_evidence, write_policy

# The forms and other spellings of them (full-width, spaced, other case, other dashes).
PLACEHOLDERS = ["-", "－", "―", "ー", "なし", "無", "N/A", "null", "（なし）", "該当なし",
                "n/a", "NULL", "Ｎ／Ａ", "ｎｕｌｌ", "( なし )", "--", "ｰ", "‐", "─", "無し", "#N/A", "None"]
INVISIBLES = ["\u200b", "\u2060", "\ufeff", "\u3164", "\u200d", "\u00ad", "\u180e", "\u115f"]
ALONE = INVISIBLES + ["\u200b\u200b", " \u2060 ", "\u3000\ufeff"]


@pytest.mark.parametrize("value", PLACEHOLDERS + ALONE + [f"{c}なし" for c in INVISIBLES[:3]])
def test_a_placeholder_or_invisible_characters_alone_are_no_id(value):
    assert normalize.normalize_id(value) is None


@pytest.mark.parametrize("invisible", INVISIBLES)
def test_invisible_characters_are_removed_from_ids(invisible):
    assert normalize.normalize_id(f"GW-02{invisible}") == "GW-02"
    assert normalize.normalize_id(f"{invisible}TK{invisible}-001") == "TK-001"


@pytest.mark.parametrize("value", ["サーバー01", "無線", "なし子", "null-route", "N/A-1", "ーA", "0", "TK-001"])
def test_values_that_only_contain_a_placeholder_stay(value):
    assert normalize.normalize_id(value) == normalize.nfkc(value).replace("‐", "-")


@pytest.mark.parametrize("kind, field", [("flow_rules", "specific_comm_id"), ("flow_rules", "via"),
                                         ("corrective_actions", "verified_by"), ("corrective_actions", "due_on"),
                                         ("corrective_actions", "status"), ("staff", "unit"), ("staff", "name"),
                                         ("drills", "click_rate"), ("drills", "participants"),
                                         ("audits", "auditees"), ("staff", "employment")])
@pytest.mark.parametrize("value", PLACEHOLDERS + ALONE)
def test_every_field_kind_reads_them_as_no_value(kind, field, value):
    spec = kinds.spec(kind)
    assert spec.convert(field, value) in (None, [])
    column, problems, _ = spec.convert_column(field, [value, value], plain=True)
    assert column in ([None, None], [[], []]) and not problems


@pytest.mark.parametrize("value, expected", [("なし", False), ("無", False), ("-", False), ("ー", False), ("－", False),
                                             ("N/A", None), ("null", None), ("\u200b", None), ("○\u200b", True)])
def test_a_yes_no_field_keeps_its_own_words(value, expected):
    """あり/なし and 有/無 are the yes/no vocabulary: なし is "no" there, not a missing value."""
    assert kinds.spec("terminals").convert("mfa", value) is expected


def test_an_answer_keeps_not_applicable():
    spec = kinds.spec("self_assessments")
    assert [spec.convert("answer", v) for v in ("該当なし", "-", "なし", "N/A")] == ["na", "na", None, None]


def test_free_text_keeps_its_characters_unless_they_are_all_invisible():
    spec = kinds.spec("flow_rules")
    assert spec.read("service", "HTTPS\u202e(443)") == ("HTTPS\u202e(443)", None)  # outputs show it escaped
    assert spec.read("service", "\u200b") == (None, (("U+200B",), True))
    assert spec.read("service", "なし\u200b") == (None, None)


def test_cleaning_is_reported_with_the_characters_removed():
    spec = kinds.spec("flow_rules")
    assert spec.read("via", "GW-02\u200b\ufeff") == ("GW-02", (("U+200B", "U+FEFF"), False))
    assert spec.read("specific_comm_id", "\u3164") == (None, (("U+3164",), True))
    column, problems, notes = spec.convert_column("via", ["GW-01", "GW-02\u200b", "\u2060", None], plain=True)
    assert column == ["GW-01", "GW-02", None, None] and not problems
    assert notes == [(1, (("U+200B",), False)), (2, (("U+2060",), True))]
    assert spec.read("src_zone", "lgwan\u200b") == ("lgwan", (("U+200B",), False))
    assert kinds.spec("corrective_actions").read("due_on", "2026-03-01\u2060") == \
        (dt.date(2026, 3, 1), (("U+2060",), False))


def test_the_manifest_extends_the_list_and_wins_over_a_fields_words():
    spec = kinds.spec("terminals")
    nulls = spec.nulls_for("mfa", ["なし", "未設定", 0])
    assert spec.convert("mfa", "なし", nulls=nulls) is None  # the manifest says なし means "not recorded"
    assert spec.convert("mfa", "未設定", nulls=nulls) is None and spec.convert("mfa", "○", nulls=nulls) is True
    ids = kinds.spec("flow_rules")
    nulls = ids.nulls_for("specific_comm_id", ["TBD", 0])
    assert [ids.convert("specific_comm_id", v, nulls=nulls) for v in ("tbd", "ＴＢＤ", 0, 0.0, "0", "TK")] == \
        [None, None, None, None, None, "TK"]
    assert ids.convert("specific_comm_id", "TBD") == "TBD"  # not in the default list
    nulls = ids.nulls_for("specific_comm_id", ["n-a"])
    assert ids.convert("specific_comm_id", "Ｎ‐Ａ", nulls=nulls) is None  # hyphens fold as in IDs


CELL = st.sampled_from(["S01", "TK-1", "ab", "山田　太郎", "なし子", "サーバー", "が", "か\u3099", "0", "x y", "無理",
                        "ｶﾞ", "ＡＢ", *PLACEHOLDERS, *INVISIBLES, "GW\u200b1", "葛\U000e0100", "ß"])


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(CELL, min_size=1, max_size=12), field=st.sampled_from(["staff_id", "unit", "name"]),
       extra=st.sampled_from([(), ("か",), ("が",), ("ss",), ("0", "無理")]))
def test_a_column_read_at_once_equals_the_column_read_cell_by_cell(cells, field, extra):
    """The whole-column fast paths (pristine ASCII, plain IDs, stripped text) step aside for placeholders
    and invisible characters: they give exactly what reading every cell gives."""
    spec = kinds.spec("staff")
    nulls = spec.nulls_for(field, extra)
    pristine = all(c.isascii() and c and not any(ch.isspace() for ch in c) for c in cells)
    fast = spec.convert_column(field, cells, plain=True, pristine=pristine, nulls=nulls)
    slow = spec._cell_by_cell(field, cells, None, nulls)
    assert fast == slow


def test_a_column_check_catches_a_placeholder_among_many():
    joined = "\x00".join([f"S{i:05d}" for i in range(3000)] + ["ｎｕｌｌ"] + ["山田"] * 10)
    assert not blanks.column_is_clean(joined, blanks.DEFAULT_KEYS)
    assert blanks.column_is_clean(joined.replace("ｎｕｌｌ", "nullx"), blanks.DEFAULT_KEYS)
    assert not blanks.column_is_clean("S1\x00S\u200b2", blanks.DEFAULT_KEYS)


def test_parse_cache_key_holds_the_null_values():
    entry = {"kind": "flow_rules", "format": "csv"}
    base = cache.key("ab" * 32, entry, "schema")
    assert cache.key("ab" * 32, dict(entry, null_values={"*": ["TBD"]}), "schema") != base
    assert cache.key("ab" * 32, dict(entry, null_values={"via": ["TBD"]}), "schema") != \
        cache.key("ab" * 32, dict(entry, null_values={"*": ["TBD"]}), "schema")


def _city(tmp_path, flows, gateways=None):
    data = {"org_units": ORG, "flow_rules": flows}
    if gateways:
        data["gateways"] = gateways
    return write_evidence(tmp_path / "ev", data), write_policy(tmp_path)


def test_text_and_json_outputs_say_where_a_value_was_cleaned(tmp_path):
    flows = [{"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "allow", "via": "GW-02\u200b"},
             {"rule_id": "R2", "src_zone": "lgwan", "dst_zone": "internet", "action": "allow", "via": "GW-09\u200b"}]
    ev, policy = _city(tmp_path, flows, [{"gateway_id": "GW-02", "type": "file_sanitizer"}])
    out = invoke("check", "--policy", policy, "--evidence", ev, "--format", "json", "--control", "NS-02")
    doc = json.loads(out.stdout)
    (result,) = doc["results"]
    (finding,) = result["findings"]  # R1 passes once its gateway ID is cleaned; R2's gateway is unknown
    assert finding["id"] == "NS-02:R2" and "U+200B" in finding["message"] and "via" in finding["message"]
    assert doc["cleaned_values"] == [{"file": "flow_rules.yaml", "line": 1, "column": "via", "field": "via",
                                      "removed": ["U+200B"], "empty": False, "rows": 2, "lines": [1, 6]}]
    for lang, words in (("ja", "不可視文字"), ("en", "invisible character")):
        text = invoke("check", "--policy", policy, "--evidence", ev, "--lang", lang, "--control", "NS-02").stdout
        assert "flow_rules.yaml:1 via" in text and "U+200B" in text and words in text


def test_manifest_null_values_are_checked(tmp_path, monkeypatch):
    ev, policy = _city(tmp_path, [{"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}])
    text = (ev / "manifest.yaml").read_text(encoding="utf-8")
    (ev / "manifest.yaml").write_text(text.replace("  kind: flow_rules\n", "  kind: flow_rules\n  null_values: {vai: [x]}\n"),
                                      encoding="utf-8")
    out = invoke("check", "--policy", policy, "--evidence", ev)
    assert out.exit_code == 2 and "manifest.yaml" in out.stderr and "null_values: 種類 flow_rules にフィールド「vai」" in out.stderr
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")
    out = invoke("check", "--policy", policy, "--evidence", ev)
    assert out.exit_code == 2 and "manifest.yaml" in out.stderr and "null_values: unknown field 'vai'" in out.stderr
