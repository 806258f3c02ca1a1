"""The layout options of a manifest entry (issue 16 §2) misused: refused with exit 2 at the manifest's
file and line and naming the key (schema, patterns, fields), or at the evidence file's header line when
only the header can tell (a column the option names is not there); and the parse cache serves what a
fresh reading gives, remarks included."""
from __future__ import annotations

import pytest

from auditor.errors import InputError
from auditor.sealed import Store
from conftest import invoke, write_policy
from layout_files import folder, load, manifest, manifest_line, notices, rows, write_table

ROSTER = [["職員番号", "所属"], ["S001", "市民課"], [None, None], ["合計", None]]


@pytest.mark.parametrize("option, value, key, words", [
    ("skip_rows", {"where": {"staff_id": {"regexp": "^合計"}}}, "skip_rows", ["regexp"]),
    ("skip_rows", {"when": {"staff_id": "合計"}}, "skip_rows", ["where"]),
    ("unpivot", {"columns": ["a"], "name": "course"}, "unpivot", ["value"]),
    ("fields_from", {"unit": "cell 2D"}, "fields_from", ["cell 2D"]),
    ("header_rows", [2], "header_rows", ["header_rows"]),
    ("values", {"unit": {"市民課": {"drop": "yes"}}}, "values", ["drop"]),
    ("extract", {"specific": {"from": "備考", "pattern": "x"}}, "extract", ["フィールド「specific」はありません"]),
    ("key_pattern", r"(S)\1", "key_pattern", ["後方参照（\\1、(?P=name)）は使えません"]),
    ("header_rows", [1, 3], "header_rows", ["連続した行にします"]),
    ("fill_down", "unit", "fill_down", ["fill_down"]),
    ("sheets", "all", "sheets", ["sheets:", "csv として読む"]),
    ("constants", {"staff_id": "S1"}, "constants", ["columns: でも列から読んでいます"]),
])
def test_a_misused_option_is_refused_at_the_manifest_line(tmp_path, option, value, key, words):
    ev = folder(tmp_path)
    name = write_table(ev, "名簿", ROSTER, "csv")
    manifest(ev, [{"path": name, "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit"}, option: value}])
    result = invoke("validate", "--policy", write_policy(tmp_path), "--evidence", ev)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    line = manifest_line(ev, f"{key}:")
    assert "manifest.yaml:" in result.output and all(w in result.output for w in words), result.output
    shown = int(result.output.split("manifest.yaml:")[1].split(":")[0])
    first = manifest_line(ev, f"- path: {name}")  # an option the format does not read: the entry's line
    assert (line <= shown <= line + 4 or shown == first) and key in result.output, (line, result.output)


@pytest.mark.parametrize("option, value, en, ja", [
    ("extract", {"specific": {"from": "備考", "pattern": "x"}}, "unknown field 'specific'", "フィールド「specific」"),
    ("key_pattern", r"(S)\1", "a back-reference", "後方参照"),
    ("key_pattern", "(S", "missing ), unterminated subpattern", "「(」に対応する「)」がありません"),
    ("skip_rows", {"where": {"staff_id": {"regex": "(?=合計)"}}}, "a look-ahead", "先読み・後読み"),
    ("constants", {"staff_id": "S1"}, "also mapped", "columns: でも列から読んでいます"),
])
def test_a_misused_option_is_said_in_the_commands_language(tmp_path, option, value, en, ja):
    """The problem itself is in the reader's language, not English inside a Japanese line."""
    ev = folder(tmp_path)
    name = write_table(ev, "名簿", ROSTER, "csv")
    manifest(ev, [{"path": name, "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit"}, option: value}])
    args = ("validate", "--policy", write_policy(tmp_path), "--evidence", ev)
    said_ja, said_en = invoke(*args, "--lang", "ja"), invoke(*args, "--lang", "en")
    assert said_ja.exit_code == said_en.exit_code == 2
    assert f"ファイルの項目の {option}: が正しくありません。" in said_ja.stderr and ja in said_ja.stderr, said_ja.stderr
    assert en not in said_ja.stderr and en in said_en.stderr and ja not in said_en.stderr, said_en.stderr


@pytest.mark.parametrize("option, value", [
    ("fill_down", ["課名"]), ("skip_rows", {"where": {"備考": "以上"}}),
    ("extract", {"name": {"from": "コメント", "pattern": "x"}}),
])
def test_an_option_naming_a_column_the_file_lacks_is_refused_at_the_header(tmp_path, option, value):
    ev = folder(tmp_path)
    name = write_table(ev, "名簿", ROSTER, "csv")
    entry = {"path": name, "kind": "staff", option: value, "columns": {"職員番号": "staff_id"}}
    manifest(ev, [entry])
    with pytest.raises(InputError) as err:
        load(ev)
    assert err.value.path.endswith(name) and err.value.line == 1 and f"{option}:" in str(err.value)
    assert "columns in the file: 職員番号, 所属" in err.value.hint


def test_the_parse_cache_serves_the_same_records_and_remarks(tmp_path):
    ev = folder(tmp_path)
    name = write_table(ev, "名簿", [["職員番号", "所属"], ["S001", "市民課"], ["S002", None], ["合計", None]], "xlsx",
                       merges=["B2:B3"])
    entry = {"path": name, "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit"},
             "key_pattern": r"S\d+"}
    manifest(ev, [entry])
    store = Store(tmp_path / "cache", b"k" * 32)
    fresh = load(ev, cache_dir=store)
    cached = load(ev, cache_dir=store)
    for got in (fresh, cached):
        assert rows(got, "staff", "staff_id", "unit") == [(name, 2, "S001", "0200"), (name, 3, "S002", "0200")]
    assert fresh.notices == cached.notices and {n["code"] for n in cached.notices} == {"merged_cells", "key_pattern"}
    manifest(ev, [dict(entry, key_pattern=r"S00[2-9]")])  # another reading: never the first one's records
    again = load(ev, cache_dir=store)
    assert [r[2] for r in rows(again, "staff", "staff_id")] == ["S002"]
    assert "line 2, 4" in notices(again, "key_pattern")[0]["message"]["en"]
