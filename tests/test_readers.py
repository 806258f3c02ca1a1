import datetime
import io
import re

import openpyxl
import pytest

from auditor.errors import InputError
from auditor.evidence.readers import RawTable, decode, read_table


def raises(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    return info.value


# ---- decode ----

def test_decode_auto_utf8_bom_and_cp932():
    assert decode("氏名\n".encode(), "a.csv") == ("氏名\n", "utf-8")
    assert decode(b"\xef\xbb\xbf" + "氏名\n".encode(), "a.csv") == ("氏名\n", "utf-8")
    text = "①㈱髙橋\r\n"
    assert decode(text.encode("cp932"), "a.csv") == (text, "cp932")


def test_decode_given_encoding_is_strict_and_utf8_strips_bom():
    assert decode(b"\xef\xbb\xbfid\n", "a.csv", "utf-8") == ("id\n", "utf-8")
    assert decode("髙".encode("cp932"), "a.csv", "CP932") == ("髙", "cp932")
    err = raises(decode, "a\nb\n髙".encode("cp932"), "x/a.csv", "utf-8")
    assert (err.path, err.line) == ("x/a.csv", 3)
    assert "UTF-8" in err.message and "encoding:" in err.hint


def test_decode_shift_jis_rejects_nec_extensions_with_line():
    err = raises(decode, "id\n1\n①\n".encode("cp932"), "a.csv", "shift_jis")
    assert err.line == 3 and "SHIFT_JIS" in err.message


def test_decode_auto_failure_reports_line_of_the_bad_byte():
    data = b"id,name\n1,a\n2," + b"\x85\x40\n"  # invalid in both
    err = raises(decode, data, "a.csv")
    assert (err.path, err.line) == ("a.csv", 3)
    assert "UTF-8 or CP932" in err.message and "0x85" in err.message
    assert err.hint == "set encoding: in the manifest (utf-8, cp932)"


def test_decode_utf8_with_one_bad_byte_is_not_read_as_cp932_mojibake():
    err = raises(decode, "id,名前\n1,田中\n2,".encode() + b"\xff\n", "a.csv")
    assert err.line == 3 and "as UTF-8:" in err.message
    # ...while CP932 whose first lines are ASCII still falls back to CP932
    assert decode("id,name\n1,髙橋\n".encode("cp932"), "a.csv")[1] == "cp932"


def test_decode_unknown_encoding():
    for name in ("klingon", "rot13"):
        err = raises(decode, b"x", "a.csv", name)
        assert name in err.message and err.path == "a.csv" and "encoding:" in err.hint


def test_decode_utf16_with_bom():
    assert decode("id\t名\r\n".encode("utf-16"), "a.txt") == ("id\t名\r\n", "utf-16")


# ---- CSV / TSV ----

def test_cp932_csv_with_japanese_headers_and_crlf():
    text = "職員番号,氏名,所属\r\n001,髙橋 一郎,総務課①\r\n002,㈱テスト,税務課\r\n"
    t = read_table(text.encode("cp932"), "staff.csv", "csv")
    assert isinstance(t, RawTable)
    assert t.encoding == "cp932"
    assert t.headers == ["職員番号", "氏名", "所属"] and t.header_line == 1
    assert t.rows == [(2, {"職員番号": "001", "氏名": "髙橋 一郎", "所属": "総務課①"}),
                      (3, {"職員番号": "002", "氏名": "㈱テスト", "所属": "税務課"})]


def test_utf8_bom_csv_first_header_is_clean():
    t = read_table(b"\xef\xbb\xbf" + "ID,名前\n1,a\n".encode(), "a.csv", "csv")
    assert t.headers == ["ID", "名前"] and t.encoding == "utf-8"
    assert t.rows == [(2, {"ID": "1", "名前": "a"})]


def test_quoted_multiline_cell_keeps_following_line_numbers():
    text = 'id,memo,owner\r\n1,"first\r\nsecond\r\nthird",a\r\n2,"x ""quoted""",b\r\n\r\n3,"one\nmore",c\r\n4,,d\r\n'
    t = read_table(text.encode(), "a.csv", "csv")
    assert [line for line, _ in t.rows] == [2, 5, 7, 9]
    assert t.rows[0][1]["memo"] == "first\r\nsecond\r\nthird"
    assert t.rows[1][1]["memo"] == 'x "quoted"'
    assert t.rows[3][1] == {"id": "4", "memo": None, "owner": "d"}


def test_title_rows_with_header_row():
    text = "令和6年度 端末台帳,,\n作成: 情報政策課,,\n\n端末番号,設置場所,更新日\n\nPC-001,本庁舎2F,R6.4.1\n"
    t = read_table(text.encode("cp932"), "a.csv", "csv", header_row=4)
    assert t.header_line == 4 and t.headers == ["端末番号", "設置場所", "更新日"]
    assert t.rows == [(6, {"端末番号": "PC-001", "設置場所": "本庁舎2F", "更新日": "R6.4.1"})]


def test_default_header_is_first_non_blank_line_and_blank_lines_are_skipped():
    text = "\n , ,\n\nid,name\n1,a\n\n,,\n \t, \n2,b\n"
    t = read_table(text.encode(), "a.csv", "csv")
    assert t.header_line == 4
    assert t.rows == [(5, {"id": "1", "name": "a"}), (9, {"id": "2", "name": "b"})]


def test_full_width_labels_kept_cells_stripped_short_rows_padded():
    text = "ＩＤ,\u3000氏　名 ,備考,,\n 1 ,  田中\u3000,,,\n2\n"
    t = read_table(text.encode(), "a.csv", "csv")
    assert t.headers == ["ＩＤ", "氏　名", "備考"]  # trailing empty header cells dropped
    assert t.rows == [(2, {"ＩＤ": "1", "氏　名": "田中", "備考": None}),
                      (3, {"ＩＤ": "2", "氏　名": None, "備考": None})]


def test_value_beyond_the_header_is_an_error():
    err = raises(read_table, b"id,name\n1,a\n2,b,,oops\n", "d/a.csv", "csv")
    assert (err.path, err.line) == ("d/a.csv", 3)
    assert "column 4 (D)" in err.message and "no header" in err.message and "header_row" in err.hint


def test_value_under_a_nameless_middle_column_is_an_error_but_empty_is_fine():
    t = read_table(b"id,,name\n1,,a\n", "a.csv", "csv")
    assert t.headers == ["id", "name"] and t.rows == [(2, {"id": "1", "name": "a"})]
    err = raises(read_table, b"id,,name\n1,,a\n2,x,b\n", "a.csv", "csv")
    assert err.line == 3 and "column 2 (B)" in err.message


def test_duplicate_header_names_both_columns():
    err = raises(read_table, "title\n\n氏名,所属,氏名\n".encode(), "a.csv", "csv", header_row=3)
    assert (err.path, err.line) == ("a.csv", 3)
    assert "column 1 (A)" in err.message and "column 3 (C)" in err.message and "氏名" in err.message


def test_unclosed_quote_reports_the_line_where_the_row_starts():
    err = raises(read_table, b'id,memo\n1,ok\n2,"never closed\n3,x\n4,y\n', "a.csv", "csv")
    assert (err.path, err.line) == ("a.csv", 3) and "never closed" in err.message


def test_stray_quote_is_a_csv_error_with_line():
    err = raises(read_table, b'id,memo\n1,ok\n2,"a"b\n', "a.csv", "csv")
    assert err.line == 3 and '""' in err.hint
    assert err.message == 'after the quote " that closes a cell there are other characters before the next delimiter (,)'
    assert err.render("ja").startswith('a.csv:3: セルを閉じる引用符 " の後、次の区切り「,」までの間に別の文字があります')
    tab = raises(read_table, b'id\tmemo\n2\t"a" \n', "a.tsv", "tsv")  # the delimiter is named, a tab as TAB
    assert tab.line == 2 and "区切り「TAB」" in tab.render("ja") and "delimiter (TAB)" in tab.message


@pytest.mark.parametrize("problem, en, ja", [
    ("field larger than field limit (131072)", "longer than 131,072 characters", "131,072 文字を超えるセル"),
    ("line contains NUL", "NUL character (U+0000)", "NUL 文字（U+0000）"),
    ("new-line character seen in unquoted field - do you need to open the file with newline=''?",
     "line break (CR) inside a cell that is not quoted", "引用符で囲んでいないセルの中に改行（CR）"),
    ("something new", "malformed CSV: something new", "CSV の形が崩れています（something new）"),
])
def test_every_csv_reader_problem_is_said_in_both_languages(problem, en, ja):
    from auditor.evidence.readers import csvproblems

    got_en, got_ja = csvproblems.describe(problem)
    assert en in got_en and ja in got_ja


def test_the_csv_readers_own_problems_are_all_known():
    """Every fixed message of this Python's csv reader that a file can cause has our words (no English left)."""
    import csv

    from auditor.evidence.readers import csvproblems

    for text in ('a\n"x"y\n', 'a\nx\0y\n', 'a\n' + "x" * (csv.field_size_limit() + 1) + '\n'):
        try:
            list(csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error as exc:
            assert not csvproblems.describe(str(exc))[1].startswith("CSV の形が崩れています"), exc


@pytest.mark.parametrize("text,header_row,line,words", [
    ("", None, None, "no header"),
    ("\n\n", None, None, "no header"),
    ("a,b\n1,2\n", 9, 9, "past the end"),
    ("title\n\na,b\n", 2, 2, "no header at line 2"),
    ('a,b\n1,"x\ny"\n2,z\n', 3, 3, "no header at line 3"),
])
def test_missing_header(text, header_row, line, words):
    err = raises(read_table, text.encode(), "a.csv", "csv", header_row=header_row)
    assert err.path == "a.csv" and err.line == line and words in err.message and err.hint


def test_bad_header_row_value():
    err = raises(read_table, b"a\n", "a.csv", "csv", header_row=0)
    assert "header_row" in err.message


def test_header_only_file_has_no_rows():
    t = read_table(b"a,b\r\n", "a.csv", "csv")
    assert t.headers == ["a", "b"] and t.rows == []


def test_tsv_and_custom_delimiters():
    t = read_table("番号\t名称\r\n1\tA,B\r\n".encode("cp932"), "a.tsv", "tsv")
    assert t.rows == [(2, {"番号": "1", "名称": "A,B"})]
    t = read_table(b"a;b\n1;2\n", "a.txt", "csv", delimiter=";")
    assert t.rows == [(2, {"a": "1", "b": "2"})]
    t = read_table(b"a\tb\n1\t2\n", "a.txt", "csv", delimiter="\\t")
    assert t.headers == ["a", "b"]
    err = raises(read_table, b"a\n", "a.txt", "csv", delimiter=";;")
    assert "single character" in err.message


def test_csv_decode_error_surfaces_with_line():
    err = raises(read_table, b"a,b\n1,2\n\xff\xff\n", "a.csv", "csv", encoding="utf-8")
    assert (err.path, err.line) == ("a.csv", 3)


# ---- XLSX ----

def workbook(*sheets) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


LEDGER = [
    ["令和6年度 アカウント台帳", None, None],
    [],
    ["  利用者ID ", "氏名", "最終ログイン", None, None],
    ["u001", "  髙橋  ", datetime.datetime(2024, 4, 1), None, None],
    [],
    [42, None, 3.5],
]


def test_xlsx_with_title_row_header_row_and_date_cell():
    data = workbook(("表紙", [["cover"]]), ("台帳", LEDGER))
    t = read_table(data, "a.xlsx", "xlsx", sheet="台帳", header_row=3)
    assert t.headers == ["利用者ID", "氏名", "最終ログイン"] and t.header_line == 3 and t.encoding is None
    assert t.rows == [(4, {"利用者ID": "u001", "氏名": "髙橋", "最終ログイン": datetime.datetime(2024, 4, 1)}),
                      (6, {"利用者ID": 42, "氏名": None, "最終ログイン": 3.5})]


def test_xlsx_default_sheet_and_header():
    data = workbook(("S1", [[], [None, "id", "name"], [None, "1", "a"]]), ("S2", [["x"]]))
    t = read_table(data, "a.xlsx", "xlsx")
    assert t.header_line == 2 and t.rows == [(3, {"id": "1", "name": "a"})]


def test_xlsx_title_row_without_header_row_points_at_header_row():
    err = raises(read_table, workbook(("台帳", LEDGER)), "a.xlsx", "xlsx")
    assert err.line == 3 and "台帳" in err.message and "header_row" in err.hint


def test_xlsx_unknown_sheet_lists_names():
    err = raises(read_table, workbook(("A", [["x"]]), ("B", [["y"]])), "a.xlsx", "xlsx", sheet="C")
    assert err.path == "a.xlsx" and "'C'" in err.message and "'A', 'B'" in err.message


def test_xlsx_duplicate_header_names_sheet_and_columns():
    err = raises(read_table, workbook(("S", [["t"], ["id", "id"]])), "a.xlsx", "xlsx", header_row=2)
    assert err.line == 2 and "sheet 'S'" in err.message and "column 2 (B)" in err.message


def test_not_a_workbook():
    for data in (b"id,name\n1,a\n", b"PK\x03\x04garbage"):
        err = raises(read_table, data, "a.xlsx", "xlsx")
        assert err.path == "a.xlsx" and "not a valid Excel workbook" in err.message and ".xls" in err.hint
        assert "ZIP 形式の .xlsx ではないか、途中で切れています" in err.render("ja") and "zip file" not in err.render("ja")


def _rezipped(data: bytes, change) -> bytes:
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            part = change(name, src.read(name))
            if part is not None:
                dst.writestr(name, part)
    return out.getvalue()


@pytest.mark.parametrize("change, ja", [
    (lambda n, d: None if n == "xl/workbook.xml" else d, "ブックに必要な部分 xl/workbook.xml がありません"),
    (lambda n, d: d[:80] if "worksheets/sheet" in n else d, "ブックの中の XML が壊れています"),
])
def test_a_damaged_workbook_says_what_is_damaged_in_japanese(change, ja):
    err = raises(read_table, _rezipped(workbook(("S", [["id"], ["1"]])), change), "a.xlsx", "xlsx")
    said = err.render("ja")
    assert ja in said and "There is no item" not in said and "unclosed token" not in said, said


# ---- YAML ----

def test_yaml_top_level_list_with_lines():
    text = "# accounts\n- id: 0123\n  enabled: no\n  roles: [admin, 1]\n- id: u2\n  note:\n"
    t = read_table(text.encode(), "a.yaml", "yaml")
    assert t.headers == [] and t.header_line is None and t.encoding == "utf-8"
    assert t.rows == [(2, {"id": "0123", "enabled": "no", "roles": ["admin", "1"], "note": None}),
                      (5, {"id": "u2", "enabled": None, "roles": None, "note": None})]  # absent: None


def test_yaml_records_key_and_single_named_list():
    text = "title: 台帳\nrecords:\n  - id: a\n\n  - id: b\n"
    t = read_table(text.encode("cp932"), "a.yml", "yaml")
    assert t.rows == [(3, {"id": "a"}), (5, {"id": "b"})] and t.encoding == "cp932"
    t = read_table(b"version: '1'\nflow_rules:\n- {src: a, dst: b}\n", "a.yml", "yaml")
    assert t.rows == [(3, {"src": "a", "dst": "b"})]
    assert read_table(b"records: []\n", "a.yml", "yaml").rows == []


@pytest.mark.parametrize("text,line,words", [
    ("just text\n", None, "no records"),
    ("a: [{x: 1}]\nb: [{y: 2}]\n", 1, "'a', 'b'"),
    ("a: 1\n", 1, "no list of records"),
    ("records: {x: 1}\n", 1, "must be a list"),
    ("- id: 1\n- plain\n", None, "must be a mapping"),
    ("- id: 1\n- id: 2\n  sub: {x: 1}\n", 2, "nested"),
    ("- id: 1\n  id: 2\n", 2, "duplicate key"),
    ("- id: [1\n", 2, "syntax"),
])
def test_yaml_bad_shapes(text, line, words):
    err = raises(read_table, text.encode(), "d/a.yaml", "yaml")
    assert err.path == "d/a.yaml" and err.line == line and words in err.message and err.hint


# ---- JSON ----

def test_json_array_with_lines_and_scalars_as_text():
    text = '[\n  {"id": 1, "amount": 1.50, "ok": true, "ng": false, "x": null, "e": ""},\n\n  {"id": "u2",\n   "tags": ["a", 2]}]'
    t = read_table(text.encode(), "a.json", "json")
    assert t.headers == [] and t.header_line is None
    assert t.rows == [(2, {"id": "1", "amount": "1.50", "ok": "true", "ng": "false", "x": None, "e": None, "tags": None}),
                      (4, {"id": "u2", "amount": None, "ok": None, "ng": None, "x": None, "e": None, "tags": ["a", "2"]})]


def test_json_object_forms_with_lines():
    text = ('\ufeff{\r\n "meta": {"records": "not this", "n": [1, 2]},\r\n "rows": "x",\r\n'
            ' "records": [\r\n  {"id": "a"},\r\n  {"id": "b"}\r\n ]\r\n}\r\n')
    t = read_table(text.encode(), "a.json", "json")
    assert t.rows == [(5, {"id": "a"}), (6, {"id": "b"})]
    text = '{"version": "1",\n "flow_rules": [\n {"src": "a"}, {"src": "b"},\n {"src": "c"}]}'
    t = read_table(text.encode(), "a.json", "json")
    assert [line for line, _ in t.rows] == [3, 3, 4]
    assert read_table(b"[]", "a.json", "json").rows == []


def test_json_syntax_error_has_line():
    err = raises(read_table, b'[\n {"id": 1},\n {"id": 2,}\n]', "d/a.json", "json")
    assert (err.path, err.line) == ("d/a.json", 3) and "JSON syntax error" in err.message and err.hint
    said = err.render("ja")  # json's English (Expecting property name / Illegal trailing comma) said in our words
    assert "JSON の構文エラーです（" in said and "最後の項目の後" in said and not re.search("Expecting|Illegal", said), said


@pytest.mark.parametrize("text,line,words", [
    ('"text"', None, "no records"),
    ('\n{"a": [], "b": []}', 2, "'a', 'b'"),
    ('[{"id": 1},\n 5]', 2, "must be a mapping"),
    ('[{"id": 1},\n {"id": {"x": 1}}]', 2, "nested"),
    ('[{"id": 1, "id": 2}]', None, "duplicate key 'id'"),
])
def test_json_bad_shapes(text, line, words):
    err = raises(read_table, text.encode(), "a.json", "json")
    assert err.path == "a.json" and err.line == line and words in err.message and err.hint


def test_unsupported_format():
    err = raises(read_table, b"", "a.xml", "xml")
    assert "xml" in err.message and err.path == "a.xml"
