"""Unusable input: exit 2, one message naming the file (and line), no traceback, nothing written."""
from __future__ import annotations

import os

import pytest
import yaml

from conftest import ORG, invoke, write_evidence, write_policy


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

FLOWS = [{"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}]


def _manifest(ev):
    return yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))


def _save_manifest(ev, data):
    (ev / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _add_file(ev, name, content: bytes, kind="flow_rules", **extra):
    (ev / name).write_bytes(content)
    data = _manifest(ev)
    data["files"].append({"path": name, "kind": kind, "provided_by": "x", "collected_on": "2026-03-01", **extra})
    _save_manifest(ev, data)


def _expect_error(tmp_path, ev, *, file: str, line: int | None, words: str, policy=None, controls=None):
    out = tmp_path / "out.json"
    args = ["check", "--policy", policy or write_policy(tmp_path), "--evidence", ev, "--output", out]
    if controls:
        args += ["--controls", controls]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert "Traceback" not in err and err.startswith("error: ") and "\nerror:" not in err
    where = f"{file}:{line}:" if line else f"{file}:"
    assert where in err, err
    assert words in err, err
    assert not out.exists()
    return err


@pytest.fixture
def ev(tmp_path):
    return write_evidence(tmp_path / "ev", {"org_units": ORG, "flow_rules": FLOWS})


def test_missing_evidence_file(tmp_path, ev):
    data = _manifest(ev)
    data["files"].append({"path": "nai.csv", "kind": "staff", "provided_by": "x", "collected_on": "2026-03-01"})
    _save_manifest(ev, data)
    _expect_error(tmp_path, ev, file="manifest.yaml", line=None, words="'nai.csv' not found")


@pytest.mark.parametrize("path, words", [("../outside.csv", "leaves the evidence folder"),
                                         ("/etc/passwd", "is absolute"),
                                         ("link.csv", "leaves the evidence folder")])
def test_paths_outside_the_evidence_folder(tmp_path, ev, path, words):
    (tmp_path / "outside.csv").write_text("rule_id\nR1\n", encoding="utf-8")
    os.symlink(tmp_path / "outside.csv", ev / "link.csv")
    data = _manifest(ev)
    data["files"].append({"path": path, "kind": "flow_rules", "provided_by": "x", "collected_on": "2026-03-01"})
    _save_manifest(ev, data)
    err = _expect_error(tmp_path, ev, file="manifest.yaml", line=None, words=words)
    assert "root:" not in err  # nothing of the outside file is read


def test_yaml_syntax_error_in_manifest(tmp_path, ev):
    (ev / "manifest.yaml").write_text("organisation: x\nfiscal_year: 2025\nfiles: [\n  - a\n", encoding="utf-8")
    _expect_error(tmp_path, ev, file="manifest.yaml", line=4, words="YAML syntax error")


def test_yaml_with_python_tag(tmp_path, ev):
    _add_file(ev, "evil.yaml", b"- rule_id: !!python/object/apply:os.system ['echo pwned']\n")
    _expect_error(tmp_path, ev, file="evil.yaml", line=1, words="tag")


def test_python_tag_in_policy(tmp_path, ev):
    pol = tmp_path / "p.yaml"
    pol.write_text("organisation: !!python/name:os.system\nnetwork_model: alpha\n", encoding="utf-8")
    _expect_error(tmp_path, ev, file="p.yaml", line=1, words="tag", policy=pol)


def test_manifest_schema_violation_names_key_and_line(tmp_path, ev):
    data = _manifest(ev)
    data["files"][1]["colums"] = {"a": "rule_id"}
    _save_manifest(ev, data)
    _expect_error(tmp_path, ev, file="manifest.yaml", line=None, words="unknown key 'colums'")


def test_policy_schema_violation(tmp_path, ev):
    pol = tmp_path / "p.yaml"
    pol.write_text("organisation: {ja: 市, en: City}\nnetwork_model: gamma\n", encoding="utf-8")
    _expect_error(tmp_path, ev, file="p.yaml", line=2, words="network_model", policy=pol)


def test_policy_unknown_key_and_unknown_control(tmp_path, ev):
    pol = write_policy(tmp_path, colour="red")
    _expect_error(tmp_path, ev, file="policy.yaml", line=None, words="unknown key 'colour'", policy=pol)
    pol = write_policy(tmp_path, controls={"XX-99": {"enabled": False, "reason": "テスト"}})
    _expect_error(tmp_path, ev, file="policy.yaml", line=None, words="unknown control ID XX-99", policy=pol)


def test_control_schema_violation_names_file_line_and_key(tmp_path, ev):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "x.yaml").write_text(
        "- id: LOCAL-01\n  title: {ja: a, en: a}\n  requirement: {ja: a, en: a}\n  area: local\n"
        "  severity: major\n  source: x\n  evidence: [flow_rules]\n"
        "  rule: {none: flow_rules, where: {action: allow}}\n  message: {ja: a, en: a}\n  owner: me\n",
        encoding="utf-8")
    _expect_error(tmp_path, ev, file="x.yaml", line=10, words="unknown key 'owner'", controls=d)


def test_control_with_unknown_field_in_rule(tmp_path, ev):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "x.yaml").write_text(
        "- id: LOCAL-01\n  title: {ja: a, en: a}\n  requirement: {ja: a, en: a}\n  area: local\n"
        "  severity: major\n  source: x\n  evidence: [flow_rules]\n"
        "  rule: {none: flow_rules, where: {colour: red}}\n  message: {ja: a, en: a}\n",
        encoding="utf-8")
    _expect_error(tmp_path, ev, file="x.yaml", line=8, words="unknown field 'colour'", controls=d)


def test_undecodable_file(tmp_path, ev):
    _add_file(ev, "bad.csv", "rule_id,src_zone,dst_zone,action\nR9,lgwan,internet,許可\n".encode("utf-8")[:-3] + b"\xff\xfe\n")
    _expect_error(tmp_path, ev, file="bad.csv", line=2, words="encoding")


def test_wrong_declared_encoding(tmp_path, ev):
    _add_file(ev, "sjis.csv", "rule_id,src_zone,dst_zone,action\nR9,LGWAN接続系,インターネット接続系,許可\n".encode("cp932"),
              encoding="utf-8")
    _expect_error(tmp_path, ev, file="sjis.csv", line=2, words="utf-8")


def test_missing_mapped_column(tmp_path, ev):
    _add_file(ev, "fw.csv", "ルールID,送信元,宛先,動作\nR9,lgwan,internet,許可\n".encode("utf-8"),
              columns={"ルールID": "rule_id", "送信元": "src_zone", "宛先": "dst_zone", "動作": "action", "経由": "via"})
    _expect_error(tmp_path, ev, file="fw.csv", line=1, words="mapped column '経由' (via) is missing")


def test_unreadable_date(tmp_path, ev):
    _add_file(ev, "staff.csv", "staff_id,joined_on\nS1,2025-04-01\nS2,令和7年13月1日\n".encode("utf-8"), kind="staff")
    _expect_error(tmp_path, ev, file="staff.csv", line=3, words="joined_on")


def test_unreadable_collected_on_date(tmp_path, ev):
    data = _manifest(ev)
    data["files"][0]["collected_on"] = "そのうち"
    _save_manifest(ev, data)
    _expect_error(tmp_path, ev, file="manifest.yaml", line=None, words="unreadable date")


def test_missing_manifest(tmp_path):
    (tmp_path / "empty").mkdir()
    _expect_error(tmp_path, tmp_path / "empty", file="manifest.yaml", line=None, words="manifest not found")


def test_evidence_files_are_never_modified(tmp_path, sample_copy):
    before = {p: p.read_bytes() for p in sample_copy.iterdir()}
    invoke("check", "--evidence", sample_copy, "--policy", write_policy(tmp_path, network_model="beta"))
    assert {p: p.read_bytes() for p in sample_copy.iterdir()} == before


@pytest.mark.parametrize("args, named", [(["controls", "show", "XX-99"], "CONTROL_ID: "),
                                         (["check", "--control", "NOPE"], "--control: "),
                                         (["history", "show", "99"], "RUN: "),
                                         (["history", "show", "someday"], "RUN: "),
                                         (["compare", "1", "2030"], "RUN_A: ")])
def test_a_bad_command_line_value_names_its_option_not_a_placeholder(tmp_path, args, named):
    from auditor.cycle import history

    db = tmp_path / "history.sqlite"
    history.connect(db, create=True).close()
    result = invoke(*args, *(["--db", db] if args[0] in ("history", "compare") else []))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {named}"), result.stderr
    assert "<input>" not in result.stderr and "Traceback" not in result.stderr


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # the start of every Excel 97-2003 file


@pytest.mark.parametrize("name", ["職員名簿.xls", "職員名簿.xlsx", "職員名簿.csv"])
def test_an_old_xls_workbook_says_to_save_it_as_xlsx(tmp_path, ev, name, monkeypatch):
    """.xls, or an .xls renamed: not "unknown file type" or a zip error, but what to do about it."""
    _add_file(ev, name, OLE2, kind="staff")
    err = _expect_error(tmp_path, ev, file=name, line=None, words="Excel 97-2003")
    assert "save it as .xlsx" in err
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "ja")  # the hint in Japanese when the CLI speaks it
    ja = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--output", tmp_path / "out.json")
    assert ja.exit_code == 2 and ja.stderr.startswith("エラー: ") and ".xlsx 形式で保存" in ja.stderr


def test_a_workbook_renamed_to_csv_is_named_as_a_workbook_and_reads_once_its_format_is_given(tmp_path, ev):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["staff_id", "unit"])
    book.active.append(["S001", "0200"])
    book.save(tmp_path / "book.xlsx")
    _add_file(ev, "職員名簿.csv", (tmp_path / "book.xlsx").read_bytes(), kind="staff")
    err = _expect_error(tmp_path, ev, file="職員名簿.csv", line=None, words="Excel workbook (.xlsx) under a text name")
    assert "set format: xlsx" in err
    data = _manifest(ev)
    data["files"][-1]["format"] = "xlsx"
    _save_manifest(ev, data)
    assert invoke("validate", "--policy", write_policy(tmp_path), "--evidence", ev).exit_code == 0


def test_a_word_document_renamed_to_xlsx_is_named_so_in_japanese(tmp_path, ev, monkeypatch):
    """A .docx saved under a .xlsx name: our Japanese words, not openpyxl's English inside the Japanese line."""
    import docx

    docx.Document().save(tmp_path / "memo.docx")
    _add_file(ev, "職員名簿.xlsx", (tmp_path / "memo.docx").read_bytes(), kind="staff")
    _expect_error(tmp_path, ev, file="職員名簿.xlsx", line=None, words="not a valid Excel workbook")
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "ja")
    ja = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--output", tmp_path / "out.json")
    assert ja.exit_code == 2 and "ブックの本体がありません" in ja.stderr and "別の種類のファイル" in ja.stderr
    assert "File contains" not in ja.stderr and "Traceback" not in ja.stderr


def test_an_old_xls_progress_sheet_says_to_save_it_as_xlsx(tmp_path):
    sheet = tmp_path / "道路課.xls"
    sheet.write_bytes(OLE2)
    db = tmp_path / "history.sqlite"
    from auditor.cycle import history
    history.connect(db, create=True).close()
    result = invoke("actions", "import", sheet, "--department", "道路課", "--by", "道路課長", "--db", db)
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {sheet}: ")
    assert "Excel 97-2003" in result.stderr and "save it as .xlsx" in result.stderr
