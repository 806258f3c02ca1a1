"""Cells as offices write them (issue 16 §2): a unit merged down its block (fill_down:, and merged
ranges of .xlsx), codes written ="01200" or shown with a zero-padded format, a header over two rows
(header_rows:), a field inside another column (extract:), a field constant for a whole file
(constants:) and one file listed under two entries."""
from __future__ import annotations

import pytest

from auditor.errors import InputError
from layout_files import FORMATS, folder, load, manifest, manifest_line, notices, rows, workbook, write_table

BLOCKS = [
    ["所属", "職員番号", "氏名"],
    ["情報政策課", "S001", "山田"],
    [None, "S002", "佐藤"],
    [None, "S003", "田中"],
    ["市民課", "S004", "鈴木"],
    [None, "S005", "高橋"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_fill_down_gives_each_row_of_a_block_its_unit(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "名簿", BLOCKS, fmt)
    manifest(ev, [{"path": name, "kind": "staff", "fill_down": ["unit"],
                   "columns": {"所属": "unit", "職員番号": "staff_id", "氏名": "name"}}])
    evidence = load(ev)
    assert [r[2:] for r in rows(evidence, "staff", "staff_id", "unit")] == [
        ("S001", "0100"), ("S002", "0100"), ("S003", "0100"), ("S004", "0200"), ("S005", "0200")]
    (notice,) = notices(evidence, "fill_down", name)
    assert "3 blank cell(s) of unit" in notice["message"]["en"] and "line 3, 4, 6" in notice["message"]["en"]


def test_merged_ranges_of_a_workbook_are_filled_without_an_option_and_said_so(tmp_path):
    ev = folder(tmp_path)
    (ev / "名簿.xlsx").write_bytes(workbook({"名簿": BLOCKS}, {"名簿": ["A2:A4", "A5:A6"]}))
    manifest(ev, [{"path": "名簿.xlsx", "kind": "staff", "columns": {"所属": "unit", "職員番号": "staff_id"}}])
    evidence = load(ev)
    assert [r[3] for r in rows(evidence, "staff", "staff_id", "unit")] == ["0100"] * 3 + ["0200"] * 2
    (notice,) = notices(evidence, "merged_cells", "名簿.xlsx")
    assert "A2:A4, A5:A6" in notice["message"]["en"] and notice["line"] == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_codes_keep_their_leading_zeros(tmp_path, fmt):
    ev = folder(tmp_path)
    if fmt == "csv":  # Excel's trick: ="01200", quoted or not
        (ev / "所属.csv").write_text('所属コード,所属名,階層\n="0100",情報政策課,課\n"=""0200""",市民課,課\n'
                                     '="0001",総務部,部\n', encoding="utf-8")
        name = "所属.csv"
    else:  # number cells shown with the format 0000
        name = write_table(ev, "所属", [["所属コード", "所属名", "階層"], [100, "情報政策課", "課"], [200, "市民課", "課"],
                                         [1, "総務部", "部"]], fmt, formats={"A2": "0000", "A3": "0000", "A4": "0000"})
    manifest(ev, [{"path": name, "kind": "org_units", "columns": {"所属コード": "code", "所属名": "name", "階層": "level"}}],
             org=False)
    assert [r[2] for r in rows(load(ev), "org_units", "code")] == ["0100", "0200", "0001"]


def test_a_number_cell_without_a_padded_format_stays_a_number(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "所属", [["所属コード", "所属名"], [100, "情報政策課"], [200, "市民課"]], "xlsx",
                       formats={"A2": "0.00"})
    manifest(ev, [{"path": name, "kind": "org_units", "columns": {"所属コード": "code", "所属名": "name"}}], org=False)
    assert [r[2] for r in rows(load(ev), "org_units", "code")] == ["100", "200"]


TWO_ROWS = [
    ["研修受講状況", None, None, None],
    ["職員番号", "氏名", "研修", None],
    [None, None, "受講日", "得点"],
    ["S001", "山田", "2025-06-01", 90],
    ["S002", "佐藤", "2025-07-15", 75],
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("by", ["joined", "lower"])
def test_a_header_over_two_rows_is_mapped_by_the_joined_or_the_lower_label(tmp_path, fmt, by):
    ev = folder(tmp_path)
    merges = ["A2:A3", "B2:B3", "C2:D2"]
    name = write_table(ev, "受講", TWO_ROWS, fmt, merges=merges)
    columns = {"職員番号": "staff_id", "研修/受講日" if by == "joined" else "受講日": "completed_on",
               "研修/得点" if by == "joined" else "得点": "score"}
    manifest(ev, [{"path": name, "kind": "training_records", "header_rows": [2, 3], "columns": columns,
                   "constants": {"course": "security-basic"}}])
    got = rows(load(ev), "training_records", "staff_id", "course", "completed_on", "score")
    assert [(r[1], *r[2:4], str(r[4]), r[5]) for r in got] == [
        (4, "S001", "security-basic", "2025-06-01", 90.0), (5, "S002", "security-basic", "2025-07-15", 75.0)]


def test_a_lower_label_under_two_groups_must_be_mapped_by_its_joined_label(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "受講", [["職員番号", "基礎研修", None, "応用研修", None],
                                    [None, "受講日", "得点", "受講日", "得点"],
                                    ["S001", "2025-06-01", 90, "2025-09-01", 80]], "csv")
    manifest(ev, [{"path": name, "kind": "training_records", "header_rows": [1, 2],
                   "columns": {"職員番号": "staff_id", "受講日": "completed_on"}}])
    with pytest.raises(InputError) as err:
        load(ev)
    assert err.value.line == 2 and "基礎研修/受講日" in str(err.value) and "応用研修/受講日" in str(err.value)


FLOWS = [
    ["ルールID", "送信元", "宛先", "動作", "備考"],
    ["R1", "LGWAN接続系", "インターネット接続系", "許可", "特定通信: TC-2025-01 （国保連合会）"],
    ["R2", "マイナンバー利用事務系", "LGWAN接続系", "許可", "特定通信：TC-2025-02"],
    ["R3", "LGWAN接続系", "インターネット接続系", "許可", "Web閲覧（画面転送経由）"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_extract_reads_a_field_written_inside_another_column(tmp_path, fmt):
    ev = folder(tmp_path)
    name = write_table(ev, "FW", FLOWS, fmt, encoding="cp932")
    manifest(ev, [{"path": name, "kind": "flow_rules",
                   "columns": {"ルールID": "rule_id", "送信元": "src_zone", "宛先": "dst_zone", "動作": "action"},
                   "extract": {"specific_comm_id": {"from": "備考", "pattern": r"特定通信[:：]\s*(\S+)"}}}])
    assert [r[2:] for r in rows(load(ev), "flow_rules", "rule_id", "specific_comm_id")] == [
        ("R1", "TC-2025-01"), ("R2", "TC-2025-02"), ("R3", None)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_file_under_two_entries_with_other_constants(tmp_path, fmt):
    """One attendance sheet of two courses taken together, listed once per course."""
    ev = folder(tmp_path)
    name = write_table(ev, "合同研修", [["職員番号", "受講日"], ["S001", "2025-06-01"], ["S002", "2025-06-01"]], fmt)
    entry = {"path": name, "kind": "training_records", "columns": {"職員番号": "staff_id", "受講日": "completed_on"}}
    manifest(ev, [dict(entry, constants={"course": "security-basic"}), dict(entry, constants={"course": "privacy"})])
    got = rows(load(ev), "training_records", "staff_id", "course")
    assert sorted(r[2:] for r in got) == [("S001", "privacy"), ("S001", "security-basic"),
                                          ("S002", "privacy"), ("S002", "security-basic")]


def test_the_exact_duplicate_entry_is_still_refused(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "研修", [["職員番号", "受講日"], ["S001", "2025-06-01"]], "csv")
    entry = {"path": name, "kind": "training_records", "constants": {"course": "security-basic"},
             "columns": {"職員番号": "staff_id", "受講日": "completed_on"}}
    manifest(ev, [entry, dict(entry)])
    with pytest.raises(InputError, match="listed twice"):
        load(ev)


def test_a_constant_for_a_mapped_field_is_refused_at_its_manifest_line(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "研修", [["職員番号", "コース"], ["S001", "基礎"]], "csv")
    manifest(ev, [{"path": name, "kind": "training_records", "constants": {"course": "security-basic"},
                   "columns": {"職員番号": "staff_id", "コース": "course"}}])
    with pytest.raises(InputError) as err:
        load(ev)
    assert err.value.path.endswith("manifest.yaml") and err.value.line == manifest_line(ev, "constants:")
    assert "constants: field 'course' is also mapped" in str(err.value)
