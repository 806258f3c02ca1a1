"""A town's own evidence kind (docs/rules.md, "A kind of your own"): the worked example in examples/town-kind/
works from the CLI exactly as the docs show it, a town kind behaves like a shipped one, a bad kind file is
exit 2 at its file, line and key, and the caches never serve a result made with another version of it."""
from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
from importlib import resources

import jsonschema
import pytest
import yaml

from auditor import schema
from auditor.evidence import kinds, townkinds
from conftest import ROOT, invoke


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages; tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

EXAMPLE = ROOT / "examples" / "town-kind"
DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
SECTION = DOC[DOC.index("## A kind of your own"):]
CSV = "バックアップ実施記録.csv"
FINDINGS = [("LOCAL-BK-01.backup:財務会計システム", 5, "0400"), ("LOCAL-BK-01.restore:文書管理システム", 6, "0100"),
            ("LOCAL-BK-01.restore:グループウェア", 7, "0100")]


def _args(folder, *more):
    return ["--policy", folder / "policies" / "minato.yaml", "--evidence", folder / "evidence" / "FY2025",
            "--controls", folder / "controls", *more]


@pytest.fixture
def town(tmp_path, monkeypatch):
    """A copy of the example, with its caches beside its policy; and a counter of the runs that evaluate."""
    from auditor.engine import audit

    monkeypatch.delenv("AUDITOR_DB")
    folder = tmp_path / "town"
    shutil.copytree(EXAMPLE, folder)
    evaluated, real = [], audit.run
    monkeypatch.setattr(audit, "run", lambda *a, **k: evaluated.append(a) or real(*a, **k))
    return folder, evaluated


def _check(folder, *more):
    result = invoke("check", *_args(folder, "--control", "LOCAL-BK-01", "--format", "json", *more))
    assert result.exit_code in (0, 1), result.output
    (found,) = json.loads(result.stdout)["results"]
    return result, found


# --- the docs section is the example, and its commands give what it shows ---------------------------------

def test_the_files_shown_in_the_docs_are_the_example_files():
    blocks = re.findall(r"```\w+\n# file: (\S+)[^\n]*\n(.*?)```", SECTION, re.S)
    assert len(blocks) == 4
    for rel, body in blocks:
        raw = (ROOT / rel).read_bytes()
        text = raw.decode("cp932") if rel.endswith(".csv") else raw.decode("utf-8")
        assert text.replace("\r\n", "\n") == body, rel


def _commands():
    (block,) = re.findall(r"```sh\n(.*?)```", SECTION, re.S)
    commands = []
    for line in block.splitlines():
        if line.startswith("$ "):
            exit_code = re.search(r"# exit (\d)$", line)
            commands.append((shlex.split(line[2:], comments=True), int(exit_code[1]) if exit_code else 0, []))
        else:
            commands[-1][2].append(line)
    return commands


def _shows(output: str, expected: list[str]) -> bool:
    """The expected lines appear in this order; … stands for any text, and a line of … alone for lines left out."""
    lines = iter(output.splitlines())
    for want in (w for w in expected if w != "…"):
        pattern = re.compile(".*?".join(map(re.escape, want.split("…"))) + "$")
        if not any(pattern.match(line) for line in lines):
            return False
    return True


COMMANDS = _commands()


@pytest.mark.parametrize("args, code, expected", COMMANDS, ids=[c[0][1] for c in COMMANDS])
def test_every_command_of_the_docs_section_gives_what_it_shows(args, code, expected, monkeypatch):
    assert args[0] == "auditor" and expected
    monkeypatch.chdir(ROOT)
    result = invoke(*args[1:])
    assert result.exit_code == code, result.output
    assert _shows(result.stdout, expected), result.stdout


# --- from the CLI, like a shipped kind ----------------------------------------------------------------------

def test_check_finds_the_planted_gaps_at_file_and_line_and_passes_the_boundary_case(town):
    folder, _ = town
    result, found = _check(folder)
    assert result.exit_code == 1 and found["status"] == "fail"
    got = [(f["id"], f["locations"], f["department_code"]) for f in found["findings"]]
    assert sorted(got) == sorted((i, [{"file": CSV, "line": line}], unit) for i, line, unit in FINDINGS)
    assert not any("税務システム" in f["id"] for f in found["findings"])  # exactly 7 days, restore test on 4/1
    assert found["findings"][0]["subject"]["system"]  # the kind's x-key fields identify the subject


def test_report_json_holds_the_findings_of_the_town_control(town, tmp_path):
    folder, _ = town
    out = tmp_path / "reports"
    result = invoke("report", *_args(folder, "--out", out, "--format", "json"))
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft202012Validator(schema.load("report")).iter_errors(doc))
    text = json.dumps(doc, ensure_ascii=False)
    for finding_id, _, _ in FINDINGS:
        assert finding_id in text
    digest = hashlib.sha256((folder / "kinds" / "backups.json").read_bytes()).hexdigest()
    assert {"path": "kinds/backups.json", "sha256": digest} in doc["integrity"]["kinds"]  # what the run read


def test_inspect_maps_the_japanese_headers_by_the_kinds_aliases():
    file = EXAMPLE / "evidence" / "FY2025" / CSV
    result = invoke("inspect", file, "--kinds", EXAMPLE / "kinds", "--kind", "backups")
    assert result.exit_code == 0, result.output
    (entry,) = yaml.safe_load(result.stdout)
    assert entry["kind"] == "backups" and entry["header_row"] == 2 and entry["encoding"] == "cp932"
    assert entry["columns"] == {"システム名": "system", "所管課": "unit", "最終バックアップ日": "backup_on",
                                "リストア試験日": "restore_tested_on", "取得方式": "method", "遠隔地保管": "offsite",
                                "作業者": "operator"}
    guessed = invoke("inspect", file, "--kinds", EXAMPLE / "kinds")  # the kind guessed from the headers, too
    assert yaml.safe_load(guessed.stdout)[0]["kind"] == "backups"
    unknown = invoke("inspect", file, "--kind", "backups")  # without the town's kinds, none is known
    assert unknown.exit_code == 2 and "backups" in unknown.output


def test_controls_and_tests_of_the_town_read_its_kinds_beside_the_controls_folder():
    listed = invoke("controls", "list", "--controls", EXAMPLE / "controls")
    assert listed.exit_code == 0 and "LOCAL-BK-01" in listed.stdout
    tested = invoke("test", EXAMPLE / "controls", "--format", "json")
    assert tested.exit_code == 0, tested.output


def test_kinds_given_by_option_environment_or_settings_file(tmp_path, monkeypatch):
    folder = tmp_path / "town"
    shutil.copytree(EXAMPLE, folder)
    (folder / "kinds").rename(folder / "schemas")  # no longer beside the controls folder
    missing = invoke("validate", *_args(folder))
    line = next(i for i, t in enumerate((folder / "controls" / "backups.yaml").read_text("utf-8").splitlines(), 1)
                if t.strip().startswith("evidence:"))
    assert missing.exit_code == 2 and f"backups.yaml:{line}: LOCAL-BK-01: evidence: unknown kind 'backups'" in missing.output
    assert "--kinds" in missing.output
    assert invoke("validate", *_args(folder, "--kinds", folder / "schemas")).exit_code == 0
    monkeypatch.setenv("AUDITOR_KINDS", str(folder / "schemas"))
    assert invoke("validate", *_args(folder)).exit_code == 0
    monkeypatch.delenv("AUDITOR_KINDS")
    (folder / "auditor.yaml").write_text("kinds: schemas\n", encoding="utf-8")
    monkeypatch.delenv("AUDITOR_CONFIG")
    assert invoke("validate", *_args(folder), cwd=folder).exit_code == 0
    shown = invoke("config", "--format", "json", "validate", cwd=folder)
    (row,) = [r for r in json.loads(shown.stdout)["settings"] if r["key"] == "kinds"]
    assert row["source"].startswith("file") and "schemas" in json.dumps(row["value"])


def test_the_kinds_of_one_command_never_reach_the_next():
    assert invoke("controls", "list", "--controls", EXAMPLE / "controls").exit_code == 0
    assert "backups" not in kinds.names() and not kinds.town()


def test_a_personal_field_of_a_town_kind_is_withheld_in_messages(town):
    folder, _ = town
    path = folder / "controls" / "backups.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("（最終 {backup_on}）", "（最終 {backup_on}、{operator}）")
                    .replace("(last {backup_on})", "(last {backup_on}, {operator})"), encoding="utf-8")
    _, found = _check(folder)
    text = json.dumps(found, ensure_ascii=False)
    assert "鈴木" not in text and "（氏名非表示）" in text


# --- a bad kind file: exit 2 at its file, line and key ------------------------------------------------------

def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


BAD = {
    "invalid JSON": ("backups.json", lambda t: _edit(t, '"x-key": ["system"],', '"x-key": ["system"]'),
                     r"backups\.json:\d+: JSON syntax error"),
    "unknown x- keyword": ("backups.json", lambda t: _edit(t, '"x-personal": true,', '"x-personal": true, "x-secret": 1,'),
                           r"backups\.json:\d+: kind schema: unknown key 'x-secret' at 'properties/operator'"),
    "missing key field": ("backups.json", lambda t: _edit(t, '"x-key": ["system"]', '"x-key": ["system_id"]'),
                          r"backups\.json:\d+: kind schema: 'system_id' under x-key is not a field"),
    "unit field of another type": ("backups.json", lambda t: _edit(t, '"x-unit": "unit"', '"x-unit": "method"'),
                                   r"backups\.json:\d+: kind schema: x-unit 'method' must name a field of x-type unit"),
    "type against x-type": ("backups.json", lambda t: _edit(t, '"x-type": "bool"', '"x-type": "date"'),
                            r"backups\.json:\d+: kind schema: field 'offsite' of x-type date needs the type"),
    "shadowing a shipped kind": ("staff.json", lambda t: t, r"staff\.json: kind 'staff' is a shipped kind"),
    "a YAML kind file": ("backups.yaml", lambda t: yaml.safe_dump(
        dict(json.loads(t), required=["system", "machine"]), allow_unicode=True),
        r"backups\.yaml:\d+: kind schema: 'machine' under required is not a field"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_kind_file_is_exit_2_naming_file_line_and_key(tmp_path, case):
    folder = tmp_path / "town"
    shutil.copytree(EXAMPLE, folder)
    name, change, message = BAD[case]
    source = folder / "kinds" / "backups.json"
    text = change(source.read_text(encoding="utf-8"))
    source.unlink()
    (folder / "kinds" / name).write_text(text, encoding="utf-8")
    for command in (["validate"], ["check", "--control", "LOCAL-BK-01"]):
        result = invoke(*command, *_args(folder))
        assert result.exit_code == 2, result.output
        assert re.search(message, result.output), result.output
        assert "hint:" in result.output and "Traceback" not in result.output


def test_a_kind_file_that_is_not_json_is_explained_in_japanese(tmp_path, monkeypatch):
    from auditor.cli import i18n

    folder = tmp_path / "kinds"
    folder.mkdir()
    text = _edit((EXAMPLE / "kinds" / "backups.json").read_text(encoding="utf-8"), '"x-key": ["system"],', '"x-key": ["system"]')
    (folder / "extra.json").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "current", lambda: "ja")
    result = invoke("validate", "--kinds", folder)
    assert result.exit_code == 2 and "JSON の構文の誤りです（" in result.stderr and "項目の間に「,」がありません" in result.stderr
    assert "Expecting" not in result.stderr, result.stderr


def test_the_line_named_is_the_line_of_the_key(tmp_path):
    folder = tmp_path / "kinds"
    folder.mkdir()
    text = _edit((EXAMPLE / "kinds" / "backups.json").read_text(encoding="utf-8"), '"x-unit": "unit"', '"x-unit": "units"')
    (folder / "extra.json").write_text(text, encoding="utf-8")
    result = invoke("validate", "--kinds", folder)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"x-unit"' in t)
    assert result.exit_code == 2 and f"extra.json:{line}: " in result.output, result.output


def test_two_town_kinds_of_one_name_are_refused(tmp_path):
    other = tmp_path / "more"
    other.mkdir()
    shutil.copy(EXAMPLE / "kinds" / "backups.json", other / "backups.json")
    result = invoke("validate", "--kinds", EXAMPLE / "kinds", "--kinds", other)
    assert result.exit_code == 2 and "kind 'backups' is defined twice" in result.output


def test_every_shipped_kind_is_written_in_the_dialect_a_town_kind_is_checked_against():
    from auditor import yamlio

    for kind in kinds.shipped():
        doc = json.loads((resources.files("auditor") / "schemas" / "kinds" / f"{kind}.json").read_text("utf-8"))
        schema.validate(doc, "kind", kind)
        townkinds.check(doc, kind, yamlio.Located())


# --- caches make runs faster, never different ---------------------------------------------------------------

def test_changing_a_town_kind_file_changes_the_result_of_a_warm_run(town):
    folder, evaluated = town
    _, first = _check(folder)
    _, again = _check(folder)
    assert again == first and len(evaluated) == 1  # served from the result cache
    path = folder / "kinds" / "backups.json"
    path.write_text(_edit(path.read_text(encoding="utf-8"), '"x-key": ["system"]', '"x-key": ["system", "unit"]'),
                    encoding="utf-8")
    _, changed = _check(folder)
    assert len(evaluated) == 2
    assert sorted(f["id"] for f in changed["findings"]) == sorted(
        f"{i}/{unit}" for i, _, unit in FINDINGS)


def test_the_parse_cache_reads_a_file_afresh_under_a_changed_kind(town):
    folder, _ = town
    _, first = _check(folder, "--result-cache", "off")  # the records read are kept in the parse cache
    assert first["status"] == "fail"
    path = folder / "kinds" / "backups.json"
    path.write_text(_edit(path.read_text(encoding="utf-8"), '"anyOf": [{"type": "boolean"}, {"type": "null"}],\n      "x-type": "bool"',
                          '"anyOf": [{"type": "integer"}, {"type": "null"}],\n      "x-type": "int"'), encoding="utf-8")
    result = invoke("check", *_args(folder, "--control", "LOCAL-BK-01", "--result-cache", "off"))
    assert result.exit_code == 2, result.output  # ○ is no number: read again under the new kind, not served
    assert f"{CSV}:3: column '遠隔地保管' (offsite)" in result.output


def test_init_lists_the_town_control_and_an_example_entry_of_its_kind(tmp_path):
    result = invoke("init", tmp_path / "new", "--name", "みなと町", "--model", "alpha", "--fiscal-year", "2026",
                    "--controls", EXAMPLE / "controls")
    assert result.exit_code == 0, result.output
    manifest = (tmp_path / "new" / "evidence" / "FY2026" / "manifest.yaml").read_text(encoding="utf-8")
    assert "#   kind: backups" in manifest and "最終バックアップ日: backup_on" in manifest  # the first alias of each field
    policy = next((tmp_path / "new" / "policies").glob("*.yaml")).read_text(encoding="utf-8")
    assert "# LOCAL-BK-01: {params: {max_backup_age_days: 7}" in policy


def test_verify_compares_the_town_kind_files_the_report_was_made_with(town, tmp_path):
    folder, _ = town
    out = tmp_path / "reports"
    assert invoke("report", *_args(folder, "--out", out, "--format", "json")).exit_code == 0
    report = out / "report.json"
    same = invoke("verify", report, "--evidence", folder / "evidence" / "FY2025", "--kinds", folder / "kinds",
                  "--format", "json")
    assert same.exit_code == 0 and json.loads(same.stdout)["not_compared"]["kinds"] == [], same.output
    untold = invoke("verify", report, "--evidence", folder / "evidence" / "FY2025", "--lang", "en")
    assert "town kind folder(s) kinds were not compared" in untold.stdout
    path = folder / "kinds" / "backups.json"
    path.write_text(path.read_text(encoding="utf-8").replace("所管課", "所管部署"), encoding="utf-8")
    changed = invoke("verify", report, "--evidence", folder / "evidence" / "FY2025", "--kinds", folder / "kinds",
                     "--format", "json")
    assert changed.exit_code == 1
    assert json.loads(changed.stdout)["changed"] == [{"path": "kinds/backups.json", "what": "kinds"}]


def test_no_output_goes_into_a_town_kinds_folder(town):
    folder, _ = town
    result = invoke("report", *_args(folder, "--out", folder / "kinds" / "reports"))
    assert result.exit_code == 2 and "a folder of the town's evidence kinds" in result.output
    assert sorted(p.name for p in (folder / "kinds").iterdir()) == ["backups.json"]


@pytest.mark.parametrize("blank", ["", "なし", "-"])
def test_a_backup_without_a_date_is_said_to_have_none_not_to_be_old(town, blank):
    folder, _ = town
    sheet = folder / "evidence" / "FY2025" / CSV
    text = sheet.read_bytes().decode("cp932").replace("令和8年3月30日", blank, 1)
    sheet.write_bytes(text.encode("cp932"))
    (mine,) = [f for f in _check(folder, "--lang", "ja")[1]["findings"] if f["id"].startswith("LOCAL-BK-01.recorded:")]
    assert "最終バックアップ日が記録されていません" in mine["message"]
    found = _check(folder, "--lang", "en")[1]["findings"]
    (english,) = [f for f in found if f["id"] == mine["id"]]
    assert "has no date of its last backup" in english["message"]
    assert not [f for f in found if f["id"] == mine["id"].replace(".recorded:", ".backup:")]
