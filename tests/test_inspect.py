"""`auditor inspect` (issue 16 §1): on every raw file of the shipped sample it proposes the entry the sample's
manifest has (or one that reads the same records), and on files in other layouts (CP932 with title and
footer rows, a workbook with a title row, UTF-16 with English headers) an entry that reads them right,
with the warnings a clerk needs. `--append` adds the entry to a manifest and keeps its comments."""
from __future__ import annotations

import shutil

import pytest
import yaml

import messy_files as messy
from auditor.evidence import headers, inspect, inspect_text, kinds, loader, manifest_edit
from auditor.errors import InputError
from auditor.schema import load
from conftest import SAMPLE, invoke

MANIFEST = yaml.safe_load((SAMPLE / "manifest.yaml").read_text(encoding="utf-8"))
ENTRIES = {e["path"]: e for e in MANIFEST["files"]}
# Columns the proposal reads that the sample's manifest leaves out (the sample ignores them on purpose).
EXTRA = {("lms_export.csv", "unit"), ("自己点検票.csv", "note")}


def _read(tmp_path, name: str, data: bytes, entry: dict) -> dict:
    """The records one manifest entry reads from a file: {field: column} (fields with a value)."""
    folder = tmp_path / f"read-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / name).write_bytes(data)
    doc = {"organisation": "テスト", "fiscal_year": 2025, "files": [entry]}
    (folder / "manifest.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ds = loader.load(folder).datasets[entry["kind"]]
    return {f: list(c) for f, c in ds.columns.items() if any(v not in (None, []) for v in c)}


def _one(path, **kw) -> inspect.Proposal:
    (p,) = inspect.inspect(path, provided_by="テスト", **kw)
    return p


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_inspect_proposes_the_sample_manifest_entry(tmp_path, name):
    p = _one(SAMPLE / name)
    mine, theirs = p.entry, ENTRIES[name]
    assert mine["kind"] == theirs["kind"]
    assert mine.get("sheet") == theirs.get("sheet") and mine.get("header_row") == theirs.get("header_row")
    spec = kinds.spec(theirs["kind"])
    # values: of a free-text field (course names as the sample's own IDs) are the town's choice, not a reading
    own = {f: m for f, m in (theirs.get("values") or {}).items() if spec.fields[f][0] not in ("enum", "bool")}
    compared = dict(mine, values={**(mine.get("values") or {}), **own}) if own else mine
    data = (SAMPLE / name).read_bytes()
    read_mine, read_theirs = _read(tmp_path, name, data, compared), _read(tmp_path, name, data, theirs)
    assert {f: read_mine[f] for f in read_theirs} == read_theirs  # the same records, field by field
    assert {(name, f) for f in set(read_mine) - set(read_theirs)} <= EXTRA
    # what is printed is the entry itself, as YAML
    (printed,) = yaml.safe_load(inspect_text.render([p], "ja"))
    assert printed == {k: (v if k != "collected_on" else yaml.safe_load(v)) for k, v in mine.items()}


def test_every_sample_file_is_inspected():
    raw = {p.name for p in SAMPLE.iterdir() if p.name != "manifest.yaml"}
    assert raw == set(ENTRIES)


def test_cp932_csv_with_title_rows_and_a_footer_total(tmp_path):
    (tmp_path / "lms.csv").write_bytes(messy.lms_cp932())
    p = _one(tmp_path / "lms.csv")
    assert p.kind == "training_records" and p.guessed
    assert p.entry["encoding"] == "cp932" and p.entry["header_row"] == 4
    assert p.entry["columns"] == {"職員コード": "staff_id", "所属課": "unit", "研修名": "course", "修了日": "completed_on",
                                  "点数": "score"}
    assert p.entry["collected_on"] == "2026-03-02"  # 出力日: 令和8年3月2日, in the title
    footer = [a for c, a in p.notes if c == "footer_skipped"]
    assert footer and footer[0]["lines"] == [8] and p.entry["skip_rows"]["reason"] == "合計・注記行"
    records = _read(tmp_path, "lms.csv", messy.lms_cp932(), p.entry)
    assert records["staff_id"] == ["001001", "001002", "001002"]  # leading zeros kept; the 合計 row left out
    assert str(records["completed_on"][1]) == "2025-06-20"  # R7.6.20


def test_a_note_row_below_the_records_is_named_once_not_also_as_a_blank_key(tmp_path):
    """「※建設課は未提出」 under a self-assessment: proposed for skip_rows, and no warning of a blank item,
    an odd answer or a date that is none on that row."""
    (tmp_path / "点検.csv").write_text("所属,点検日,項目番号,回答\n総務課,2025/10/1,SA-1,〇\n税務課,2025/10/3,SA-1,✕\n"
                                     "住民課,2025/10/5,SA-1,はい\n※建設課は未提出\n", encoding="utf-8")
    p = _one(tmp_path / "点検.csv")
    assert [a["lines"] for c, a in p.notes if c == "footer_skipped"] == [[5]] and "skip_rows" in p.entry
    assert p.warnings == [] and not p.unknown  # 〇 and ✕ read as ○ and ×


def test_workbook_with_a_title_row_and_a_word_auditor_does_not_know(tmp_path):
    (tmp_path / "名簿.xlsx").write_bytes(messy.roster_xlsx())
    p = _one(tmp_path / "名簿.xlsx")
    assert (p.kind, p.entry["sheet"], p.entry["header_row"]) == ("staff", "名簿", 2)
    assert p.sheets == ["集計"]
    assert p.entry["values"] == {"employment": {"正職員": "regular"}}
    assert p.entry["columns"]["職員No"] == "staff_id" and p.entry["columns"]["雇用区分"] == "employment"
    records = _read(tmp_path, "名簿.xlsx", messy.roster_xlsx(), p.entry)
    assert records["employment"] == ["regular", "fiscal_appointee", "regular"]


def test_utf16_csv_with_english_headers(tmp_path):
    (tmp_path / "fw.csv").write_bytes(messy.fw_utf16())
    p = _one(tmp_path / "fw.csv")
    assert p.kind == "flow_rules" and p.entry["encoding"] == "utf-16"
    assert p.entry["columns"] == {"Rule ID": "rule_id", "Source": "src_zone", "Destination": "dst_zone",
                                  "Action": "action", "Service": "service", "Via": "via",
                                  "Specific Comm ID": "specific_comm_id"}
    records = _read(tmp_path, "fw.csv", messy.fw_utf16(), p.entry)
    assert records["src_zone"][1] == "mynumber" and records["dst_zone"][1] == "internet"
    assert records["action"] == ["allow", "allow", "deny", "deny"]


def test_utf16_without_a_byte_order_mark_is_told_and_written_down(tmp_path):
    (tmp_path / "fw.csv").write_bytes(messy.fw_utf16(bom=False))
    p = _one(tmp_path / "fw.csv")
    assert p.entry["encoding"] == "utf-16-le"
    assert len(_read(tmp_path, "fw.csv", messy.fw_utf16(bom=False), p.entry)["rule_id"]) == 4


def test_warnings_of_a_messy_roster_and_no_my_number_printed(tmp_path):
    (tmp_path / "r.xlsx").write_bytes(messy.roster_messy_xlsx())
    p = _one(tmp_path / "r.xlsx")
    codes = {c: a for c, a in p.warnings}
    assert "zero_format" not in codes and "short_keys" not in codes  # 4 shown as 000004 is read as 000004
    assert codes["unreadable_dates"]["lines"] == [5]
    assert ("merged_down", {"header": "所属", "first": 3, "last": 5}) in p.notes  # filled down by the reader
    assert codes["my_numbers"]["header"] == "備考"
    records = _read(tmp_path, "r.xlsx", messy.roster_messy_xlsx(), dict(p.entry, values={"employment": {"嘱託": "fiscal_appointee"}},
                                                                          columns={"職員番号": "staff_id", "所属": "unit"}))
    assert records["staff_id"][-1] == "000004" and records["unit"][:3] == ["総務課"] * 3
    assert [raw for raw, _, _ in p.unknown["employment"]] == ["嘱託"]
    for lang in ("ja", "en"):
        text = inspect_text.render([p], lang)
        assert messy.MY_NUMBER not in text and "嘱託" in text


def test_keys_that_lost_their_zeros_excel_text_and_blank_keys(tmp_path):
    (tmp_path / "s.csv").write_bytes(messy.short_keys_csv())
    p = _one(tmp_path / "s.csv", kind="staff")
    codes = {c: a for c, a in p.warnings}
    assert codes["short_keys"]["lines"] == [4] and codes["short_keys"]["example"] == ("1003", "001001")
    assert "excel_text" not in codes  # ="001004" is read as 001004
    assert codes["blank_keys"]["lines"] == [6] and codes["blank_keys"]["required"]


def test_kind_that_cannot_be_told_is_asked_for(tmp_path):
    (tmp_path / "x.csv").write_text("列A,列B\n1,2\n", encoding="utf-8")
    result = invoke("inspect", tmp_path / "x.csv")
    assert result.exit_code == 2 and "--kind" in result.stderr and "Traceback" not in result.output
    assert invoke("inspect", tmp_path / "x.csv", "--kind", "nope").exit_code == 2


def test_header_aliases_name_one_field_each_and_only_fields_of_their_kind():
    for kind in headers.providable():
        seen = {}
        for name, spec in load(f"kinds/{kind}")["properties"].items():
            for alias in [name, *spec.get("x-aliases", ())]:
                key = headers.label_key(alias)
                assert seen.setdefault(key, name) == name, (kind, alias, seen[key], name)


def test_aliases_do_not_change_what_the_loader_reads(tmp_path):
    """x-aliases serve inspect only: a header that is an alias is not read unless the manifest maps it."""
    ev = tmp_path / "ev"
    manifest = _manifest(ev, "organisation: x\nfiscal_year: 2025\nfiles:\n- {path: s.csv, kind: staff, "
                             "provided_by: x, collected_on: 2026-03-01}\n")
    (ev / "s.csv").write_text("職員コード,所属\n001,総務課\n", encoding="utf-8")
    with pytest.raises(InputError, match="required field"):
        loader.load(ev)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("}", ", columns: {職員コード: staff_id}}"),
                        encoding="utf-8")
    assert loader.load(ev).datasets["staff"].columns["staff_id"] == ["001"]


def _manifest(folder, text=None):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.yaml"
    path.write_text(text or "# 湊町の証跡\norganisation: 湊町\nfiscal_year: 2025  # 令和7年度\nfiles: []  # none yet\n"
                    "# - path: example.csv\n", encoding="utf-8")
    return path


def test_append_adds_the_entry_keeps_comments_and_refuses_a_path_listed(tmp_path):
    ev = tmp_path / "evidence" / "FY2025"
    manifest = _manifest(ev)
    (ev / "sub").mkdir()
    (ev / "sub" / "fw.csv").write_bytes(messy.fw_utf16())
    (ev / "lms.csv").write_bytes(messy.lms_cp932())
    for f in ("sub/fw.csv", "lms.csv"):
        result = invoke("inspect", ev / f, "--append", manifest, "--provided-by", "情報政策課", "--collected-on", "R8.3.2")
        assert result.exit_code == 0, result.output
    text = manifest.read_text(encoding="utf-8")
    assert "# 湊町の証跡" in text and "# 令和7年度" in text and "# - path: example.csv" in text and "# none yet" in text
    doc = yaml.safe_load(text)
    assert [e["path"] for e in doc["files"]] == ["sub/fw.csv", "lms.csv"]
    assert doc["files"][0]["collected_on"] == yaml.safe_load("2026-03-02") and doc["files"][0]["provided_by"] == "情報政策課"
    assert invoke("validate", "--evidence", ev, "--policy", _policy(tmp_path)).exit_code == 0
    again = invoke("inspect", ev / "lms.csv", "--append", manifest)
    assert again.exit_code == 2 and "はすでに登録されています" in again.stderr
    assert manifest.read_text(encoding="utf-8") == text


def test_append_refuses_a_file_outside_the_manifest_folder(tmp_path):
    manifest = _manifest(tmp_path / "ev")
    (tmp_path / "fw.csv").write_bytes(messy.fw_utf16())
    result = invoke("inspect", tmp_path / "fw.csv", "--append", manifest)
    assert result.exit_code == 2 and "の外にあります" in result.stderr


def test_append_after_the_last_entry_of_a_block_list(tmp_path):
    ev = tmp_path / "ev"
    shutil.copytree(SAMPLE, ev)
    before = (ev / "manifest.yaml").read_text(encoding="utf-8")
    (ev / "fw2.csv").write_bytes(messy.fw_utf16())
    assert invoke("inspect", ev / "fw2.csv", "--append", ev / "manifest.yaml", "--lang", "en").exit_code == 0
    after = (ev / "manifest.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and yaml.safe_load(after)["files"][-1]["path"] == "fw2.csv"
    assert "# auditor inspect: fw2.csv (flow_rules: firewall flow rules)" in after


def test_append_refuses_a_files_list_it_cannot_extend(tmp_path):
    manifest = _manifest(tmp_path / "ev", "organisation: x\nfiscal_year: 2025\nfiles: [{path: a.csv, kind: staff, "
                                          "provided_by: x, collected_on: 2026-03-01}]\n")
    with pytest.raises(InputError):
        manifest_edit.append(manifest, "- path: b.csv\n", [{"path": "b.csv"}])


def _policy(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("organisation: {ja: 湊町, en: Minato}\nnetwork_model: beta_prime\n", encoding="utf-8")
    return path


def test_a_document_with_several_lists_gives_an_entry_per_list(tmp_path):
    path = tmp_path / "台帳.yaml"
    path.write_text("departments:\n- {code: '0100', name: 総務課, level: 課}\n"
                    "audits:\n- {audit_id: IA-1, kind: 内部監査, started_on: 2025-10-01}\n", encoding="utf-8")
    found = inspect.inspect(path, provided_by="情報政策課")
    assert [(p.kind, p.entry.get("records")) for p in found] == [("org_units", "departments"), ("audits", "audits")]


def test_english_output_is_english(tmp_path):
    (tmp_path / "r.xlsx").write_bytes(messy.roster_messy_xlsx())
    result = invoke("inspect", tmp_path / "r.xlsx", "--lang", "en")
    assert result.exit_code == 0
    comments = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert any(line.startswith("# warning: ") for line in comments) and not any("警告" in line for line in comments)
    assert "kind staff (staff roster): guessed from the headers" in result.stdout


def test_a_header_over_two_rows_is_read_with_header_rows(tmp_path):
    (tmp_path / "研修.xlsx").write_bytes(messy.two_row_header_xlsx())
    p = _one(tmp_path / "研修.xlsx")
    assert p.kind == "training_records" and p.entry["header_rows"] == [2, 3]
    assert p.entry["columns"] == {"職員番号": "staff_id", "研修/受講日": "completed_on", "研修/得点": "score"}
    records = _read(tmp_path, "研修.xlsx", messy.two_row_header_xlsx(), p.entry)
    assert records["staff_id"] == ["S001", "S002"] and records["score"] == [80.0, 75.0]


def test_rows_of_other_levels_in_an_org_master_are_dropped(tmp_path):
    data = "組織コード,組織名,上位組織コード,階層\n0100,総務部,,部\n0110,総務課,0100,課\n0111,庶務係,0110,係\n".encode()
    (tmp_path / "org.csv").write_bytes(data)
    p = _one(tmp_path / "org.csv")
    assert p.entry["values"] == {"level": {"係": {"drop": True}}} and not p.unknown
    assert _read(tmp_path, "org.csv", data, p.entry)["code"] == ["0100", "0110"]


@pytest.mark.parametrize("header", ["上位所属", "上位所属コード", "親所属"])
def test_an_org_master_names_its_parent_column_as_offices_write_it(tmp_path, header):
    (tmp_path / "org.csv").write_bytes(f"所属コード,所属名,{header}\n0100,総務部,\n0110,総務課,0100\n".encode())
    assert _one(tmp_path / "org.csv").entry["columns"] == {"所属コード": "code", "所属名": "name", header: "parent"}


def test_an_audit_log_maps_the_auditors_unit_not_the_auditors_name(tmp_path):
    """監査人 (a person) beside 監査人所属 (the unit AU-03's independence is checked on): the unit is taken."""
    (tmp_path / "監査.csv").write_text("監査区分,対象所属,実施日,監査人,監査人所属\n内部監査,総務課,2025/11/10,山田,企画課\n",
                                     encoding="utf-8")
    p = _one(tmp_path / "監査.csv")
    assert p.entry["columns"] == {"監査区分": "kind", "対象所属": "auditees", "実施日": "ended_on", "監査人所属": "auditors"}
    # no 監査ID column: the findings will be named by row, which the clerk is told
    assert [a["fields"] for c, a in p.warnings if c == "missing_key"] == [["audit_id"]]
    (tmp_path / "監査2.csv").write_text("監査ID,監査区分,実施日\nA-1,内部監査,2025/11/10\n", encoding="utf-8")
    assert not [c for c, _ in _one(tmp_path / "監査2.csv").warnings if c == "missing_key"]


def test_every_field_of_every_kind_has_header_aliases():
    missing = [(kind, name) for kind in headers.providable()
               for name, spec in load(f"kinds/{kind}")["properties"].items() if not spec.get("x-aliases")]
    assert missing == []


def test_values_are_guessed_only_when_close():
    from auditor.evidence import profile

    assert profile.guess_enum("employment", "正職員") == "regular"
    assert profile.guess_enum("employment", "嘱託職員") is None
    assert profile.guess_enum("action_status", "対応予定") is None  # 対応中 is close, but means not yet begun
    assert profile.guess_enum("action_status", "対応済") == "done"  # a spelling of 完了, not the close 対応中
    assert profile.guess_enum("role", "最高情報セキュリティ責任者（CISO）") == "ciso"  # the longest alias inside
    assert [profile.guess_bool(v) for v in ("設定済", "未設定", "施行中", "廃止", "online", "不要")] == \
        [True, False, True, False, None, False]


def test_a_workbook_renamed_to_csv_is_read_as_a_workbook_and_said_so(tmp_path):
    ev = tmp_path / "evidence" / "FY2025"
    manifest = _manifest(ev)
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["職員番号", "氏名", "所属", "任用形態"], ["S001", "湊 太郎", "総務課", "正規"], ["S002", "湊 花子", "税務課", "正規"]):
        book.active.append(row)
    book.save(ev / "名簿.csv")  # saved from Excel under the old export's name
    result = invoke("inspect", ev / "名簿.csv", "--append", manifest, "--provided-by", "人事課", "--collected-on", "R8.3.2")
    assert result.exit_code == 0, result.output
    assert "中身は Excel のブック（.xlsx）です" in result.stdout
    (entry,) = yaml.safe_load(manifest.read_text(encoding="utf-8"))["files"]
    assert entry["format"] == "xlsx" and entry["kind"] == "staff"
    assert invoke("validate", "--evidence", ev, "--policy", _policy(tmp_path)).exit_code == 0
    assert loader.load(ev).datasets["staff"].columns["staff_id"] == ["S001", "S002"]  # read as the workbook


def test_a_zip_under_a_csv_name_that_is_no_workbook_is_refused_in_its_own_words(tmp_path):
    (tmp_path / "報告.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 60)  # a Word file or another archive, renamed
    result = invoke("inspect", tmp_path / "報告.csv")
    assert result.exit_code == 2 and "中身は ZIP 形式で、読める Excel のブックでもありません" in result.stderr
    assert "Traceback" not in result.output
