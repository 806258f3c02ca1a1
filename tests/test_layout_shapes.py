"""Tables of other shapes (issue 16 §2): a matrix (unpivot:), one sheet per department with the unit
and the date above the table (sheets:, fields_from:), and one file per department (path: as a pattern).
Every record keeps its file and the line of its row."""
from __future__ import annotations

import json
import os

import pytest

from auditor.errors import InputError
from conftest import invoke, write_policy
from layout_files import FORMATS, folder, load, manifest, manifest_line, notices, rows, workbook, write_table

MATRIX = [
    ["職員番号", "氏名", "情報セキュリティ基礎研修", "個人情報保護研修", "標的型メール訓練"],
    ["S001", "山田", "2025-06-01", "2025-09-10", None],
    ["S002", "佐藤", None, "2025-09-10", "2025-11-05"],
    ["S003", "田中", None, None, None],
    ["合計", None, 1, 2, 1],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unpivot_gives_one_record_per_filled_cell_with_the_rows_line(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "受講一覧", MATRIX, fmt)
    manifest(ev, [{"path": name, "kind": "training_records", "columns": {"職員番号": "staff_id"},
                   "skip_rows": {"where": {"staff_id": "合計"}},
                   "unpivot": {"columns": {"情報セキュリティ基礎研修": "security-basic", "個人情報保護研修": "privacy"},
                               "name": "course", "value": "completed_on"}}])
    evidence = load(ev)
    got = [(r[1], r[2], r[3], str(r[4])) for r in rows(evidence, "training_records", "staff_id", "course", "completed_on")]
    assert got == [(2, "S001", "security-basic", "2025-06-01"), (2, "S001", "privacy", "2025-09-10"),
                   (3, "S002", "privacy", "2025-09-10")]
    (notice,) = notices(evidence, "unpivot", name)
    assert "3 row(s) × 2 column(s) gave 3 record(s)" in notice["message"]["en"]
    assert [n["line"] for n in notices(evidence, "skip_rows", name)] == [5]


def test_unpivot_by_labels_with_values_and_a_drop_marker(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "受講一覧", MATRIX[:4], "csv")
    manifest(ev, [{"path": name, "kind": "training_records", "columns": {"職員番号": "staff_id"},
                   "unpivot": {"columns": ["情報セキュリティ基礎研修", "個人情報保護研修", "標的型メール訓練"],
                               "name": "course", "value": "completed_on"},
                   "values": {"course": {"情報セキュリティ基礎研修": "security-basic", "個人情報保護研修": "privacy",
                                         "標的型メール訓練": {"drop": True}}}}])
    evidence = load(ev)
    assert [r[3] for r in rows(evidence, "training_records", "staff_id", "course")] == [
        "security-basic", "privacy", "privacy"]
    assert "1 left out by values: drop" in notices(evidence, "unpivot", name)[0]["message"]["en"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unpivot_column_not_in_the_header_is_refused_at_the_header_line(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "受講一覧", MATRIX, fmt)
    manifest(ev, [{"path": name, "kind": "training_records", "columns": {"職員番号": "staff_id"},
                   "unpivot": {"columns": ["情報セキュリティ研修"], "name": "course", "value": "completed_on"}}])
    with pytest.raises(InputError) as err:
        load(ev)
    assert err.value.path.endswith(name) and err.value.line == 1
    assert "unpivot: columns: no column '情報セキュリティ研修'" in str(err.value) and "個人情報保護研修" in err.value.hint


def _sheet(unit, submitted, answers):
    return [["情報セキュリティ自己点検票", None, None, None], ["所属", unit, "提出日", submitted], [None] * 4,
            ["No", "点検項目", "回答", "備考"], *[[i, item, a, None] for i, (item, a) in enumerate(answers, 1)]]


def _workbook():
    return workbook({
        "市民課": _sheet("市民課", "2026-01-15", [("1.1", "はい"), ("1.2", "いいえ")]),
        "情報政策課": _sheet("情報政策課", "2026-01-20", [("1.1", "はい"), ("1.2", "はい"), ("1.3", "該当なし")]),
        "集計": [["集計表"], ["課", "件数"], ["市民課", 2]],
    })


@pytest.mark.parametrize("sheets, source", [("all", "cell B2"), ("*課", "sheet_name")])
def test_one_sheet_per_department_with_unit_and_date_above_the_table(tmp_path, sheets, source):
    ev = folder(tmp_path)
    (ev / "自己点検.xlsx").write_bytes(_workbook())
    entry = {"path": "自己点検.xlsx", "kind": "self_assessments", "sheets": sheets, "header_row": 4,
             "columns": {"点検項目": "item", "回答": "answer"},
             "fields_from": {"unit": source, "submitted_on": "cell D2"}}
    if sheets == "all":  # the summary sheet is not one of the departments'
        entry["sheets"] = "*課"
    manifest(ev, [entry])
    evidence = load(ev)
    got = [(r[0], r[1], r[2], str(r[3]), r[4]) for r in rows(evidence, "self_assessments", "unit", "submitted_on", "item")]
    assert got == [("自己点検.xlsx", 5, "0200", "2026-01-15", "1.1"), ("自己点検.xlsx", 6, "0200", "2026-01-15", "1.2"),
                   ("自己点検.xlsx", 5, "0100", "2026-01-20", "1.1"), ("自己点検.xlsx", 6, "0100", "2026-01-20", "1.2"),
                   ("自己点検.xlsx", 7, "0100", "2026-01-20", "1.3")]
    (notice,) = notices(evidence, "sheets", "自己点検.xlsx")
    assert "市民課 (5–6), 情報政策課 (5–7)" in notice["message"]["en"]


def test_sheets_all_reads_every_visible_sheet_and_names_the_sheet_of_an_error(tmp_path):
    ev = folder(tmp_path)
    (ev / "自己点検.xlsx").write_bytes(_workbook())
    manifest(ev, [{"path": "自己点検.xlsx", "kind": "self_assessments", "sheets": "all", "header_row": 4,
                   "columns": {"点検項目": "item", "回答": "answer"}, "fields_from": {"unit": "sheet_name"}}])
    with pytest.raises(InputError) as err:  # 集計 has no header at line 4
        load(ev)
    assert "sheet '集計'" in str(err.value)


def test_fields_from_a_cell_and_the_file_name_on_csv(tmp_path):
    ev = folder(tmp_path)
    (ev / "市民課.csv").write_text("情報セキュリティ自己点検票,,,\n所属,市民課,提出日,2026/1/15\n,,,\n"
                                  "No,点検項目,回答,備考\n1,1.1,はい,\n2,1.2,いいえ,\n", encoding="cp932")
    manifest(ev, [{"path": "市民課.csv", "kind": "self_assessments", "header_row": 4,
                   "columns": {"点検項目": "item", "回答": "answer"},
                   "fields_from": {"unit": "file_name", "submitted_on": "cell D2"}}])
    got = rows(load(ev), "self_assessments", "unit", "submitted_on", "answer")
    assert [(r[1], r[2], str(r[3]), r[4]) for r in got] == [(5, "0200", "2026-01-15", "yes"), (6, "0200", "2026-01-15", "no")]


def test_sheet_name_on_a_csv_is_refused_at_the_manifest_line(tmp_path):
    ev = folder(tmp_path)
    (ev / "a.csv").write_text("点検項目,回答\n1.1,はい\n", encoding="utf-8")
    manifest(ev, [{"path": "a.csv", "kind": "self_assessments", "columns": {"点検項目": "item", "回答": "answer"},
                   "fields_from": {"unit": "sheet_name"}}])
    with pytest.raises(InputError) as err:
        load(ev)
    assert err.value.line == manifest_line(ev, "fields_from:") and "sheet_name" in str(err.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_path_pattern_lists_one_file_per_department_each_with_its_own_name_and_lines(tmp_path, fmt):
    ev = folder(tmp_path)
    (ev / "課別").mkdir()
    write_table(ev / "課別", "市民課", [["職員番号", "所属"], ["S001", "市民課"], ["S002", "市民課"]], fmt)
    write_table(ev / "課別", "情報政策課", [["職員番号", "所属"], ["S101", "情報政策課"]], fmt)
    (ev / "課別" / f"~$市民課.{fmt}").write_bytes(b"an Excel lock file")
    manifest(ev, [{"path": f"課別/*.{fmt}", "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit"}}])
    evidence = load(ev)
    assert [f.path for f in evidence.files if f.kind == "staff"] == [f"課別/市民課.{fmt}", f"課別/情報政策課.{fmt}"]
    assert rows(evidence, "staff", "staff_id") == [(f"課別/市民課.{fmt}", 2, "S001"), (f"課別/市民課.{fmt}", 3, "S002"),
                                                   (f"課別/情報政策課.{fmt}", 2, "S101")]


def test_findings_of_files_read_through_a_pattern_name_each_file(tmp_path):
    ev = folder(tmp_path)
    (ev / "課別").mkdir()
    for unit, staff in (("市民課", "S001"), ("情報政策課", "S101")):
        write_table(ev / "課別", unit, [["職員番号", "所属", "任用形態"], [staff, unit, "正規"]], "csv")
    (ev / "研修.csv").write_text("職員番号,コース,受講日\nS001,security-basic,2025-06-01\n", encoding="utf-8")
    manifest(ev, [{"path": "課別/*.csv", "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit",
                                                                      "任用形態": "employment"}},
                  {"path": "研修.csv", "kind": "training_records",
                   "columns": {"職員番号": "staff_id", "コース": "course", "受講日": "completed_on"}}])
    result = invoke("check", "--format", "json", "--policy", write_policy(tmp_path), "--evidence", ev, "--control", "TR-01")
    (tr01,) = json.loads(result.stdout)["results"]
    assert [(f["id"], f["locations"]) for f in tr01["findings"]] == [
        ("TR-01:S101", [{"file": "課別/情報政策課.csv", "line": 2}])]


@pytest.mark.parametrize("pattern, words", [("../*.csv", "leaves the evidence folder"),
                                            ("課別/*.xlsx", "no file matches")])
def test_a_path_pattern_outside_the_folder_or_matching_nothing_is_refused(tmp_path, pattern, words):
    ev = folder(tmp_path)
    (ev / "課別").mkdir()
    (tmp_path / "outside.csv").write_text("staff_id\nS1\n", encoding="utf-8")
    manifest(ev, [{"path": pattern, "kind": "staff"}])
    with pytest.raises(InputError) as err:
        load(ev)
    assert words in str(err.value) and err.value.line == manifest_line(ev, pattern)


def test_a_symlink_out_of_the_folder_matched_by_a_pattern_is_refused(tmp_path):
    ev = folder(tmp_path)
    (tmp_path / "secret.csv").write_text("staff_id\nS1\n", encoding="utf-8")
    (ev / "課別").mkdir()
    os.symlink(tmp_path / "secret.csv", ev / "課別" / "a.csv")
    manifest(ev, [{"path": "課別/*.csv", "kind": "staff"}])
    with pytest.raises(InputError, match="leaves the evidence folder"):
        load(ev)


def test_a_pattern_pathlib_refuses_is_explained_in_japanese(tmp_path):
    ev = folder(tmp_path)
    (ev / "課別").mkdir()
    (ev / "課別" / "a.csv").write_text("staff_id\nS1\n", encoding="utf-8")
    manifest(ev, [{"path": "課別**/*.csv", "kind": "staff"}])
    try:
        found = load(ev)
    except InputError as err:  # Python before 3.13: ** must stand alone between slashes
        assert "** がパスの一部分になっています" in err.render("ja") and "課別/**/*.xlsx" in err.render("ja")
        assert err.line == manifest_line(ev, "課別**")
    else:  # 3.13 reads it as * and matches the file
        assert [f.path for f in found.files if f.kind == "staff"] == ["課別/a.csv"]
