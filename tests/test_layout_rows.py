"""Rows that are not records (issue 16 §2): footer and note rows (合計, 計 45名, ※以上), rows of other
levels in an org master (係 beside 課), left out by skip_rows:, key_pattern: or values: {drop: true};
every row left out is counted in an evidence notice with its lines, on CSV and .xlsx alike."""
from __future__ import annotations

import json

import pytest

from conftest import invoke, write_policy
from layout_files import FORMATS, folder, load, manifest, notices, rows, write_table

ROSTER = [
    ["職員名簿", None, None, None],
    ["職員番号", "氏名", "所属", "任用形態"],
    ["S00101", "山田 太郎", "情報政策課", "正規"],
    ["S00102", "佐藤 花子", "情報政策課", "会計年度任用"],
    [None, None, None, None],  # a blank separator row
    ["S00201", "鈴木 一郎", "市民課", "正規"],
    ["合計", None, None, "3名"],
    ["計 3名", None, None, None],
    ["※以上", None, None, None],
]
COLUMNS = {"職員番号": "staff_id", "氏名": "name", "所属": "unit", "任用形態": "employment"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_skip_rows_leaves_out_footer_rows_and_counts_them_with_their_lines(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "職員名簿", ROSTER, fmt)
    manifest(ev, [{"path": name, "kind": "staff", "header_row": 2, "columns": COLUMNS,
                   "skip_rows": {"where": {"staff_id": {"regex": "^(合計|計|※)"}}, "reason": "合計・注記行"}}])
    evidence = load(ev)
    assert rows(evidence, "staff", "staff_id", "unit") == [
        (name, 3, "S00101", "0100"), (name, 4, "S00102", "0100"), (name, 6, "S00201", "0200")]
    (notice,) = notices(evidence, "skip_rows", name)
    assert notice["line"] == 7 and notice["level"] == "info"
    assert "3 row(s) left out" in notice["message"]["en"] and "line 7, 8, 9" in notice["message"]["en"]
    assert "合計・注記行" in notice["message"]["ja"] and "3 行" in notice["message"]["ja"]
    assert not notices(evidence, "footer_row")  # nothing left that looks like a footer


@pytest.mark.parametrize("fmt", FORMATS)
def test_key_pattern_keeps_only_rows_whose_key_matches(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "職員名簿", ROSTER, fmt)
    manifest(ev, [{"path": name, "kind": "staff", "header_row": 2, "columns": COLUMNS, "key_pattern": r"S\d{5}"}])
    evidence = load(ev)
    assert [r[2] for r in rows(evidence, "staff", "staff_id")] == ["S00101", "S00102", "S00201"]
    (notice,) = notices(evidence, "key_pattern", name)
    assert notice["line"] == 7 and "line 7, 8, 9" in notice["message"]["en"] and r"S\d{5}" in notice["message"]["en"]


def test_without_an_option_a_footer_row_is_still_read_and_named(tmp_path):
    """The old behaviour stays: a record is never dropped unless the manifest says so."""
    ev = folder(tmp_path)
    name = write_table(ev, "職員名簿", ROSTER[:4] + [["計 2名", None, None, None]], "csv")
    manifest(ev, [{"path": name, "kind": "staff", "header_row": 2, "columns": COLUMNS}])
    evidence = load(ev)
    assert len(evidence.datasets["staff"]) == 3 and not notices(evidence, "skip_rows")


ORG_MASTER = [
    ["所属コード", "所属名", "上位", "階層", "個人番号利用"],
    ["0001", "総務部", None, "部", "×"],
    ["0100", "情報政策課", "0001", "課", "×"],
    ["010001", "情報企画係", "0100", "係", "×"],
    ["0200", "市民課", "0001", "課", "○"],
    ["020001", "住民記録係", "0200", "係", "○"],
    ["020002", "戸籍係", "0200", "係", "○"],
]
ORG_COLUMNS = {"所属コード": "code", "所属名": "name", "上位": "parent", "階層": "level", "個人番号利用": "mynumber_work"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("how", ["skip_rows", "values_drop"])
def test_rows_of_other_levels_in_an_org_master_are_left_out(tmp_path, fmt, how):
    ev = folder(tmp_path)
    name = write_table(ev, "組織マスタ", ORG_MASTER, fmt)
    entry = {"path": name, "kind": "org_units", "columns": ORG_COLUMNS}
    if how == "skip_rows":
        entry["skip_rows"] = {"where": {"階層": "係"}}
    else:
        entry["values"] = {"level": {"係": {"drop": True}}}
    manifest(ev, [entry], org=False)
    evidence = load(ev)
    assert [(r[1], r[2], r[3]) for r in rows(evidence, "org_units", "code", "level")] == [
        (2, "0001", "部"), (3, "0100", "課"), (5, "0200", "課")]
    (notice,) = notices(evidence, how, name)
    assert "3 row(s)" in notice["message"]["en"] and "line 4, 6, 7" in notice["message"]["en"]


def test_predicates_any_not_in_exists_on_csv(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "名簿", [
        ["職員番号", "所属", "備考"],
        ["S1", "市民課", None],
        ["S2", "市民課", "退職予定"],
        [None, "市民課", "空行"],
        ["S3", "情報政策課", "派遣元 〇〇"],
        ["小計", None, None],
    ], "csv")
    manifest(ev, [{"path": name, "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit"},
                   "skip_rows": [{"where": {"any": [{"staff_id": {"exists": False}}, {"staff_id": ["小計", "合計"]}]}},
                                 {"where": {"備考": {"regex": "派遣元"}, "not": {"所属": {"in": ["市民課"]}}},
                                  "reason": "派遣元の行"}]}])
    evidence = load(ev)
    assert [r[2] for r in rows(evidence, "staff", "staff_id")] == ["S1", "S2"]
    assert [n["line"] for n in notices(evidence, "skip_rows", name)] == [4, 5]


@pytest.mark.parametrize("fmt", FORMATS)
def test_dropped_rows_are_shown_in_json_text_and_validate(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "職員名簿", ROSTER, fmt)
    manifest(ev, [{"path": name, "kind": "staff", "header_row": 2, "columns": COLUMNS, "key_pattern": r"S\d{5}"}])
    policy = write_policy(tmp_path)
    doc = json.loads(invoke("check", "--format", "json", "--policy", policy, "--evidence", ev).stdout)
    shown = [n for n in doc["evidence_notices"] if n["code"] == "key_pattern"]
    assert [(n["file"], n["line"], n["level"]) for n in shown] == [(name, 7, "info")]
    for lang in ("ja", "en"):
        assert f"{name}:7" in invoke("check", "--policy", policy, "--evidence", ev, "--lang", lang).output
    validated = invoke("validate", "--policy", policy, "--evidence", ev, "--lang", "en")
    assert validated.exit_code == 0 and f"{name}:7" in validated.stderr and "3 row(s) left out" in validated.stderr
    japanese = invoke("validate", "--policy", policy, "--evidence", ev)
    assert japanese.stderr.startswith(f"注意: {name}:7: ") and "3 行を記録として読まずに除きました" in japanese.stderr
