"""The command line speaks Japanese by default: every command and its --help, on the shipped sample,
with LANG=C and no AUDITOR_LANG, prints no English word of ours (IDs, file names, field and kind names,
option names, format and product names, and the town's own data excepted); with --lang en, none of the
catalogue's Japanese sentences. The catalogue itself has every message in both languages."""
from __future__ import annotations

import inspect
import json
import re
import string
import sys
from functools import lru_cache
from pathlib import Path

import click
import pytest

from auditor.cli import i18n, localize, main
from conftest import POLICY, ROOT, SAMPLE, invoke

WORD = re.compile(r"[A-Za-z]{3,}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Names that are the same in both languages: formats, products, standards, the command itself.
NAMES = {
    "auditor", "json", "sarif", "junit", "html", "pdf", "csv", "tsv", "docx", "xlsx", "yaml", "yml", "text", "utf",
    "github", "gitlab", "Code", "Quality", "GitHub", "GitLab", "Excel", "Word", "BOM", "FIFO", "stdout", "sha",
    "LGWAN", "LIS", "POSIX", "CISO", "CSIRT", "ISMAP", "EDR", "ISO", "IEC", "JIS", "NIST", "CSF", "PDCA", "SHA", "SUMS", "TOML",
    "YYYY", "FILE", "DIR", "DIRECTORY", "COMMAND", "OPTIONS", "ARGS", "RUN", "REPORT", "CONTROL", "VIEW",
    "NAME", "CODE", "MANIFEST", "SIZE", "FORMAT", "DATE", "INTEGER", "RANGE", "TEXT", "KEY", "OUT", "README",
    "gitignore", "pyproject", "tool", "sample", "city", "pass", "fail", "sha256sum", "none", "auto", "both",
    "fiscal", "year", "department", "organisation", "anonymise", "anonymize", "reports",  # a default folder
}


def _words_of(text: str) -> set:
    return set(WORD.findall(text))


@lru_cache(maxsize=None)
def allowed() -> frozenset:
    """Every word a Japanese line may hold: command, option and choice names, kinds and their fields, and
    the words of the sample's own evidence and policy (a vulnerability's name, a server's host name)."""
    import openpyxl

    from auditor.cli.coverage import VIEWS  # coverage --framework's view names

    found = set(NAMES) | _words_of(" ".join(VIEWS))
    stack = [main]
    while stack:
        cmd = stack.pop()
        found |= _words_of(cmd.name or "")
        for p in cmd.params:
            found |= _words_of(" ".join(p.opts + p.secondary_opts))
            found |= _words_of(p.name or "") | _words_of(str(getattr(p, "metavar", "") or ""))
            if isinstance(p.type, click.Choice):
                found |= _words_of(" ".join(map(str, p.type.choices)))
        if isinstance(cmd, click.Group):
            stack.extend(cmd.commands.values())
    for schema in (ROOT / "auditor" / "schemas" / "kinds").glob("*.json"):
        found |= _words_of(schema.stem)
        found |= _words_of(" ".join(json.loads(schema.read_text(encoding="utf-8")).get("properties", {})))
    for f in SAMPLE.iterdir():
        if f.suffix == ".xlsx":
            book = openpyxl.load_workbook(f, read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    found |= _words_of(" ".join(str(v) for v in row if v is not None))
        else:
            raw = f.read_bytes()
            for encoding in ("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig", "cp932"):
                try:
                    found |= _words_of(raw.decode(encoding))
                    break
                except UnicodeDecodeError:
                    continue
    found |= _words_of(POLICY.read_text(encoding="utf-8"))
    from auditor.cycle.approval import DEFAULT_ROLES, STEPS  # the sign-off's role and step codes (--role)

    found |= _words_of(" ".join([*DEFAULT_ROLES, *STEPS]))
    return frozenset(found)


TOKEN = re.compile(r"[^\s\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+")  # Japanese text between ASCII runs splits them
FILE_NAME = re.compile(r"[^\s:/（(]+\.(?:csv|tsv|xlsx|yaml|yml|json|md|html)\b")


def english_words(text: str) -> list:
    """English words of ours in text: tokens that are paths, URLs, IDs, options, variables or snake_case
    names are left out, and so are the allowed words."""
    found = []
    for token in TOKEN.findall(text):
        bare = token.strip("()（）[]［］「」『』,、。:：;'\"`.…*")
        if (not bare or "/" in bare or "://" in bare or bare.startswith(("-", "$", "AUDITOR_")) or "_" in bare
                or re.search(r"\.[A-Za-z0-9]{1,5}$", bare) or re.search(r"\d", bare) or "=" in bare):
            continue
        found += [w for w in WORD.findall(bare) if w not in allowed() and w.lower() not in allowed()]
    return found


@pytest.fixture
def japanese_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "AUDITOR_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A history database holding one recorded run of the sample (and its actions)."""
    db = tmp_path_factory.mktemp("jadb") / "history.sqlite"
    result = invoke("check", "--record", "--db", db, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return db


def _commands(db, tmp):
    """Every command and subcommand a person reads, on the sample."""
    from auditor.cycle import history

    con = history.connect(db)
    action = history.runs(con) and con.execute("SELECT action_id FROM actions ORDER BY action_id LIMIT 1").fetchone()[0]
    check_json = tmp / "result.json"
    check_json.write_bytes(invoke("check", "--format", "json").stdout_bytes)
    return {
        "check": ["check"],
        "validate": ["validate"],
        "report": ["report", "--out", tmp / "reports", "--format", "json,md"],
        "controls list": ["controls", "list"],
        "framework list": ["framework", "list"],
        "framework show": ["framework", "show", "GL3-01"],
        "coverage": ["coverage"],
        "coverage item": ["coverage", "--by", "item"],
        "history list": ["history", "list", "--db", db],
        "history show": ["history", "show", "1", "--db", db],
        "actions list": ["actions", "list", "--db", db],
        "actions show": ["actions", "show", action, "--db", db],
        "exceptions list": ["exceptions", "list", "--date", "2026-03-31"],
        "compare": ["compare", "1", "1", "--db", db],
        "config": ["config"],
        "inspect": ["inspect", SAMPLE / "fw_rules.csv"],
        "init": ["init", tmp / "town", "--name", "湊町", "--model", "beta"],
        "test": ["test", "--case", "NS-01"],
        "verify": ["verify", tmp / "reports" / "report.json"],
        "checklist export": ["checklist", "export", "--organisation", "--out", tmp / "checklist.xlsx", "--db", db],
        "selfcheck export": ["selfcheck", "export", "--department", "0130", "--out", tmp / "selfcheck.xlsx"],
        "rollup": ["rollup", check_json, "--out", tmp / "rollup"],
    }


def _every_command():
    stack, found = [((), main)], []
    while stack:
        path, cmd = stack.pop()
        found.append(path)
        if isinstance(cmd, click.Group):
            stack.extend(((*path, n), c) for n, c in cmd.commands.items())
    return sorted(found)


def test_every_command_speaks_japanese_by_default(japanese_locale, recorded, tmp_path):
    problems = {}
    for name, args in _commands(recorded, tmp_path).items():
        result = invoke(*args)
        assert result.exit_code in (0, 1), (name, result.output)
        words = english_words(result.stdout + "\n" + result.stderr)
        if words:
            problems[name] = sorted(set(words)) + [result.stderr[-300:]]
    assert not problems, problems


def test_controls_show_speaks_japanese_around_the_control(japanese_locale, monkeypatch, tmp_path):
    """controls show prints the control's own bilingual YAML (field names, both titles): its words
    around it are Japanese."""
    monkeypatch.chdir(tmp_path)  # no policies/ here: the warning line
    result = invoke("controls", "show", "NS-01")
    assert result.exit_code == 0, result.output
    assert "ポリシーがないため" in result.stderr and not english_words(result.stderr)


def test_every_help_is_japanese_by_default(japanese_locale):
    problems = {}
    for path in _every_command():
        result = invoke(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        words = english_words(result.output)
        if words:
            problems[" ".join(path) or "auditor"] = sorted(set(words))
    assert not problems, problems


def test_help_in_english_with_lang_en_and_the_locale(monkeypatch):
    monkeypatch.delenv("AUDITOR_LANG", raising=False)
    assert "Usage:" in invoke("check", "--lang", "en", "--help").output
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    english = invoke("history", "--help").output
    assert "Usage:" in english and "Recorded audit runs" in english and not JAPANESE.search(english)
    monkeypatch.setenv("AUDITOR_LANG", "ja")
    assert "使い方:" in invoke("history", "--help").output


def test_click_usage_errors_in_japanese(japanese_locale):
    result = invoke("check", "--nope")
    assert result.exit_code == 2 and "オプション '--nope' はありません" in result.stderr
    result = invoke("history", "show")
    assert result.exit_code == 2 and "必須の引数を指定してください: 'RUN'" in result.stderr
    result = invoke("init", "--policy-name", "x")
    assert result.exit_code == 2 and "必須のオプションを指定してください: '--name'" in result.stderr
    result = invoke("init", "--name", "湊町")
    assert result.exit_code == 2 and "'--model'. 次のいずれかを指定します:" in result.stderr and "Choose" not in result.stderr


def test_click_path_errors_have_no_english_word_in_japanese(japanese_locale, tmp_path):
    """click names the path's kind in English (Directory '…' is a file): the Japanese says it its own way."""
    plain = tmp_path / "out.txt"
    plain.write_text("x", encoding="utf-8")
    ja = invoke("check", "--policy", POLICY, "--output-dir", plain, "--format", "sarif,json")
    assert ja.exit_code == 2 and f"'{plain}' はフォルダではなくファイルです。" in ja.stderr, ja.stderr
    assert "Directory" not in ja.stderr
    en = invoke("check", "--policy", POLICY, "--output-dir", plain, "--format", "sarif,json", "--lang", "en")
    assert en.exit_code == 2 and f"Directory '{plain}' is a file." in en.stderr, en.stderr


def test_input_errors_in_the_commands_language(japanese_locale, tmp_path):
    missing = tmp_path / "none.sqlite"
    ja = invoke("history", "list", "--db", missing)
    assert ja.exit_code == 2
    assert ja.stderr.startswith("エラー: ") and "監査履歴のデータベースがありません" in ja.stderr and "ヒント: " in ja.stderr
    en = invoke("history", "list", "--db", missing, "--lang", "en")
    assert en.stderr.startswith("error: ") and "no audit history database here" in en.stderr
    assert not JAPANESE.search(en.stderr)


def test_a_file_that_is_no_database_says_why_in_japanese(japanese_locale, tmp_path):
    """SQLite's English (file is not a database) is said in our words in a Japanese line."""
    notes = tmp_path / "history.sqlite"
    notes.write_bytes(b"these are the minutes of the meeting, not a database\n" * 100)
    ja = invoke("history", "list", "--db", notes)
    assert ja.exit_code == 2 and "SQLite のデータベースのファイルではありません" in ja.stderr, ja.stderr
    assert "file is not a database" not in ja.stderr
    assert notes.read_bytes().startswith(b"these are the minutes")  # never written over
    en = invoke("history", "list", "--db", notes, "--lang", "en")
    assert en.exit_code == 2 and "file is not a database" in en.stderr


@pytest.mark.parametrize("fmt, module", [("pdf", "weasyprint"), ("docx", "docx")])
def test_a_missing_report_library_is_named_in_japanese(japanese_locale, monkeypatch, tmp_path, fmt, module):
    """Python's "No module named ..." is said in our words in the Japanese line; English keeps Python's."""
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    ja = invoke("report", "--format", fmt, "--out", tmp_path / "ja")
    assert ja.exit_code == 2 and f"モジュール {module} がインストールされていません" in ja.stderr, ja.stderr
    assert "No module" not in ja.stderr and "import of" not in ja.stderr
    en = invoke("report", "--format", fmt, "--out", tmp_path / "en", "--lang", "en")
    assert en.exit_code == 2 and module in en.stderr and "cannot be loaded" in en.stderr


def test_a_missing_system_library_is_named_in_japanese():
    from auditor.errors import import_reason

    pango = OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file: "
                    "No such file or directory")
    assert import_reason(pango, "ja") == "OS のライブラリ libpango-1.0-0 を読み込めません"
    assert import_reason(pango, "en") == str(pango)
    stale = ImportError("cannot import name 'HTML' from 'weasyprint'", name="weasyprint")
    assert import_reason(stale, "ja") == "weasyprint の読み込みに失敗しました（版が合っていないおそれがあります）"
    assert import_reason(ImportError("bad magic number"), "ja") == "読み込みに失敗しました（版が合っていないおそれがあります）"


def _fixed_japanese() -> list:
    """The Japanese fragments of the catalogue's messages (the text between placeholders)."""
    out = []
    for entry in i18n.catalogue()["messages"].values():
        for literal, *_ in string.Formatter().parse(entry["ja"]):
            out += [f for f in re.split(r"[\s、。（）()：:・,]+", literal) if len(f) >= 3 and JAPANESE.search(f)]
    return sorted(set(out))


def _data_text() -> str:
    """The sample's data and the controls' own texts, which English lines may quote (a column, a file)."""
    parts = [f.read_text(encoding="utf-8", errors="replace") for f in (ROOT / "auditor" / "controls").glob("*.yaml")]
    parts += [f.read_text(encoding="utf-8", errors="replace") for f in SAMPLE.glob("*") if f.suffix in (".yaml", ".csv")]
    return "\n".join(parts)


def test_english_output_has_no_japanese_fixed_strings(recorded, tmp_path, monkeypatch):
    monkeypatch.delenv("AUDITOR_LANG", raising=False)
    data = _data_text()
    fixed = [f for f in _fixed_japanese() if f not in data]
    problems = {}
    for name, args in _commands(recorded, tmp_path).items():
        if name in ("init",):
            args = [*args[:2], "--name", "Minato", "--model", "beta"]
        result = invoke(*args, "--lang", "en")
        assert result.exit_code in (0, 1), (name, result.output)
        text = FILE_NAME.sub("", result.stdout + result.stderr)  # 是正処置管理表.xlsx is a file's name
        shown = [f for f in fixed if f in text]
        if shown:
            problems[name] = shown
    assert not problems, problems


def test_times_in_japan_time_and_days_in_wareki(japanese_locale, recorded):
    from auditor.cycle import history

    con = history.connect(recorded)
    stamp = history.runs(con)[0]["recorded_at"]
    out = invoke("history", "list", "--db", recorded).stdout
    assert i18n.when(stamp, "ja") in out and "基準日 令和8年3月31日" in out
    assert i18n.when("2026-04-01T15:30:00+00:00", "ja") == "令和8年4月2日 00:30"
    assert i18n.when("2026-04-01T15:30:00+00:00", "en") == "2026-04-02 00:30 JST"


def test_actions_show_labels_fields_and_unset_values(japanese_locale, recorded):
    from auditor.cycle import history

    con = history.connect(recorded)
    action = con.execute("SELECT action_id FROM actions ORDER BY action_id LIMIT 1").fetchone()[0]
    out = invoke("actions", "show", action, "--db", recorded).stdout
    assert "是正処置ID" in out and "状況: 未設定 → 未着手" in out and "None" not in out and "action_id" not in out
    en = invoke("actions", "show", action, "--db", recorded, "--lang", "en").stdout
    assert "status: not set -> not started" in en


@pytest.mark.parametrize("environ, lang", [
    ({}, "ja"), ({"LANG": "C"}, "ja"), ({"LANG": "POSIX"}, "ja"), ({"LANG": "C.UTF-8"}, "ja"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"), ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_GB"}, "en"),
    ({"LANG": "en_US.UTF-8", "AUDITOR_LANG": "ja"}, "ja"), ({"LANG": "ja_JP", "AUDITOR_LANG": "en"}, "en"),
])
def test_language_from_auditor_lang_then_the_locale(environ, lang):
    assert i18n.default(environ) == lang


def test_every_message_has_both_languages_and_the_same_placeholders():
    def names(text):
        return sorted({f for _, f, _, _ in string.Formatter().parse(text) if f})

    for key, entry in i18n.catalogue()["messages"].items():
        assert set(entry) == {"ja", "en"}, key
        assert names(entry["ja"]) == names(entry["en"]), key
    for entry in i18n.catalogue()["help"]:
        assert entry["ja"] and entry["en"] and JAPANESE.search(entry["ja"]), entry["en"]


def test_every_help_text_has_its_japanese():
    """A new option or command needs its Japanese help in cli/messages.yaml (help:)."""
    missing = []
    for obj, attr in localize.texts(main):
        text = localize.english(obj, attr)
        if text and attr == "help" and localize.japanese(text) is None:
            missing.append(inspect.cleandoc(text)[:80])
    assert not missing, missing


def test_particles_follow_japanese_words_without_a_space():
    assert i18n.tighten("財政課 の自己点検項目") == "財政課の自己点検項目"
    assert i18n.tighten("令和7年度 に棚卸し") == "令和7年度に棚卸し"
    assert i18n.tighten("PC-0017 が配置") == "PC-0017 が配置"  # after an ID the space stays
    assert i18n.tighten("（市民課）の 令和7年度 情報セキュリティ研修") == "（市民課）の令和7年度情報セキュリティ研修"
    assert i18n.tighten("令和7年6月1日 採用の職員 S00282") == "令和7年6月1日採用の職員 S00282"
    assert i18n.tighten("制定 平成31年4月1日、最終改定 令和7年3月30日") == "制定 平成31年4月1日、最終改定 令和7年3月30日"


def test_finding_messages_write_dates_in_wareki_in_japanese_and_iso_in_english():
    import re

    from conftest import check_json

    def messages(lang):
        _, doc = check_json("--fail-on", "none", "--lang", lang)
        return [f["message"] for r in doc["results"] for f in r["findings"]]

    ja, en = messages("ja"), messages("en")
    assert any("令和7年6月1日採用の職員" in m for m in ja)  # TR-02: a hire date
    assert not [m for m in ja if re.search(r"\d{4}-\d\d-\d\d", m)]
    assert [m for m in en if "S00282" in m and "2025-06-01" in m]  # the same finding, ISO in English


def _ja_errors():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ja_errors", ROOT / "tools" / "ja_errors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_english_only_input_errors_never_grow():
    """tools/ja_errors.py counts the InputError sites without Japanese; convert them, never add one."""
    module = _ja_errors()
    assert len(module.english_only()) <= ENGLISH_ONLY_CEILING, module.english_only()


ENGLISH_ONLY_CEILING = 0  # lower it as sites get their Japanese (python3 tools/ja_errors.py)


def test_no_input_error_puts_both_languages_in_its_message():
    """A message with Japanese in its English text ("not a folder (フォルダではありません)") shows a Japanese
    reader English and an English reader Japanese: the Japanese goes into ja= (and hint_ja=)."""
    module = _ja_errors()
    assert len(module.mixed()) <= MIXED_CEILING, module.mixed()


MIXED_CEILING = 0  # python3 tools/ja_errors.py --list names a site that mixes them


def test_every_hint_has_its_japanese():
    module = _ja_errors()
    assert not module.english_hints(), module.english_hints()  # hint= without hint_ja=


def test_the_counter_tells_a_mixed_message_from_a_converted_one(tmp_path, monkeypatch):
    module = _ja_errors()
    (tmp_path / "auditor").mkdir()
    (tmp_path / "auditor" / "m.py").write_text(
        'raise InputError(p, "not a folder (フォルダではありません)")\n'
        'raise InputError(p, f"no file {x} / ファイルがありません", hint="h")\n'
        'raise InputError(p, "not a folder", ja="フォルダではありません")\n'
        'raise InputError(p, "no such file")\n'
        'raise InputError(p, "no such file", hint="h", ja="ファイルがありません")\n', encoding="utf-8")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    assert module.mixed() == [("auditor/m.py", 1), ("auditor/m.py", 2)]
    assert module.english_only() == [("auditor/m.py", 4)]
    assert module.english_hints() == [("auditor/m.py", 2), ("auditor/m.py", 5)]


def test_an_input_error_in_each_language():
    from auditor.errors import InputError

    both = InputError("p.yaml", "no such file", line=3, hint="check the path", ja="ファイルがありません",
                      hint_ja="パスを確かめてください")
    assert both.render("ja") == "p.yaml:3: ファイルがありません\n  hint: パスを確かめてください"
    assert both.render("en") == str(both) == "p.yaml:3: no such file\n  hint: check the path"
    mixed = InputError("x", "two policies here / ポリシーが2つあります", hint="choose one / どちらか一方にしてください")
    assert mixed.render("en") == "x: two policies here\n  hint: choose one"  # the English part only
    assert mixed.render("ja") == str(mixed)  # not converted yet: both languages, as written


def test_an_unreadable_cell_is_explained_in_the_commands_language(japanese_locale, tmp_path):
    """The reason a cell does not read (no such day, not a number, ...) is Japanese in a Japanese line,
    not the English reader's words inside it."""
    from conftest import copy_sample

    ev = copy_sample(tmp_path)
    roles = ev / "role_assignments.csv"
    text = roles.read_text(encoding="utf-8-sig")
    assert "2023/4/1" in text
    roles.write_text(text.replace("2023/4/1", "令和5年2月30日", 1), encoding="utf-8-sig")
    args = ("check", "--policy", POLICY, "--evidence", ev, "--output", tmp_path / "out.json")
    ja = invoke(*args)
    assert ja.exit_code == 2 and ja.stderr.startswith("エラー: "), ja.stderr
    assert "role_assignments.csv:2:" in ja.stderr and "「令和5年2月30日」という日はありません" in ja.stderr, ja.stderr
    assert "no such day" not in ja.stderr
    en = invoke(*args, "--lang", "en")
    assert en.exit_code == 2 and "no such day: '令和5年2月30日'" in en.stderr and "という日" not in en.stderr


def test_a_broken_csv_row_is_explained_in_the_commands_language(japanese_locale, tmp_path):
    """csv's own English (',' expected after '"') is said in our words in a Japanese line."""
    from conftest import copy_sample

    ev = copy_sample(tmp_path)
    roles = ev / "role_assignments.csv"
    text = roles.read_text(encoding="utf-8-sig")
    assert ",S00029," in text
    roles.write_text(text.replace(",S00029,", ',"S00029"x,', 1), encoding="utf-8-sig")
    line = text.split("\n").index(next(l for l in text.split("\n") if ",S00029," in l)) + 1
    args = ("check", "--policy", POLICY, "--evidence", ev, "--output", tmp_path / "out.json")
    ja = invoke(*args)
    assert ja.exit_code == 2 and not (tmp_path / "out.json").exists(), ja.stderr
    assert ja.stderr.startswith(f"エラー: role_assignments.csv:{line}: セルを閉じる引用符 \" の後、"), ja.stderr
    assert "expected" not in ja.stderr
    en = invoke(*args, "--lang", "en")
    assert en.exit_code == 2 and "closes a cell" in en.stderr and "引用符" not in en.stderr


@pytest.mark.parametrize("rule, ja, en", [
    ("{none: flow_rules, where: {colour: red}}", "flow_rules にフィールド「colour」はありません（フィールド: ", "unknown field 'colour'"),
    ("{none: flow_rules, where: {action: allow}, key: [colour]}", "key/department: flow_rules にフィールド「colour」はありません",
     "key/department: unknown field 'colour'"),
    ("{none: flow_rules, where: {action: {eq: $nope}}}", "パラメータ $nope はありません", "unknown parameter $nope"),
    ("{none: flow_rules, where: {action: {eq: maybe}}}", "値 'maybe' は enum のフィールドに合いません（action の値として「maybe」は使えません",
     "value 'maybe' does not fit a enum field: unknown action value 'maybe'"),
])
def test_a_town_controls_rule_mistake_is_explained_in_japanese(japanese_locale, tmp_path, rule, ja, en):
    """The secretariat writes its own controls: what is wrong in a rule is said in Japanese, not the
    rule compiler's English inside the Japanese line."""
    from conftest import ORG, write_evidence, write_policy

    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "flow_rules": [
        {"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}]})
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "x.yaml").write_text(
        "- id: LOCAL-01\n  title: {ja: a, en: a}\n  requirement: {ja: a, en: a}\n  area: local\n"
        "  severity: major\n  source: x\n  evidence: [flow_rules]\n"
        f"  rule: {rule}\n  message: {{ja: a, en: a}}\n", encoding="utf-8")
    args = ("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--controls", mine,
            "--output", tmp_path / "out.json")
    result = invoke(*args)
    assert result.exit_code == 2 and "x.yaml:8: LOCAL-01: ルールが正しくありません（" in result.stderr, result.stderr
    assert ja in result.stderr and en.split("'")[0] not in result.stderr, result.stderr
    english = invoke(*args, "--lang", "en")
    assert english.exit_code == 2 and en in english.stderr and not JAPANESE.search(english.stderr.split("hint")[0])


def test_controls_checking_each_other_in_a_ring_are_named_in_japanese(japanese_locale, tmp_path):
    from conftest import ORG, write_evidence, write_policy

    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "x.yaml").write_text("".join(
        f"- id: LOCAL-0{a}\n  title: {{ja: a, en: a}}\n  requirement: {{ja: a, en: a}}\n  area: local\n"
        f"  severity: major\n  source: x\n  evidence: [org_units]\n  rule: {{controls_pass: [LOCAL-0{b}]}}\n"
        "  message: {ja: a, en: a}\n"
        for a, b in ((1, 2), (2, 1))), encoding="utf-8")
    args = ("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--controls", mine)
    ja = invoke(*args)
    assert ja.exit_code == 2 and "controls_pass が循環しています: LOCAL-01 -> LOCAL-02 -> LOCAL-01" in ja.stderr, ja.stderr
    assert "cycle" not in ja.stderr
    en = invoke(*args, "--lang", "en")
    assert en.exit_code == 2 and "controls_pass cycle: LOCAL-01 -> LOCAL-02 -> LOCAL-01" in en.stderr
    # the engine's own guard, behind the loader's: a ring is its own error, never any ValueError
    import types

    from auditor.engine import evaluate

    ring = [types.SimpleNamespace(id=a, depends_on=lambda b=b: [b]) for a, b in (("A", "B"), ("B", "A"))]
    with pytest.raises(evaluate.CycleError) as err:
        evaluate._dependency_order(ring)
    assert err.value.trail == ("A", "B", "A") and str(err.value) == "controls_pass cycle: A -> B -> A"


def test_a_system_error_is_said_in_japanese_words(japanese_locale, tmp_path):
    """The operating system's reason (No such file or directory) is ours in a Japanese line."""
    import errno

    from auditor.errors import os_reason

    missing = tmp_path / "no-such-folder" / "run.log"
    ja = invoke("check", "--policy", POLICY, "--log-file", missing)
    assert ja.exit_code == 2 and "--log-file に書き込めません（ファイルまたはフォルダがありません）" in ja.stderr, ja.stderr
    assert "No such file" not in ja.stderr
    en = invoke("check", "--policy", POLICY, "--log-file", missing, "--lang", "en")
    assert en.exit_code == 2 and "No such file or directory" in en.stderr and "フォルダ" not in en.stderr
    full = OSError(errno.ENOSPC, "No space left on device")
    assert (os_reason(full, "ja"), os_reason(full, "en")) == ("ディスクの空きがありません", "No space left on device")
    odd = OSError(errno.ENOMEDIUM if hasattr(errno, "ENOMEDIUM") else 123, "No medium found")
    assert os_reason(odd, "ja") == "No medium found"  # one we have no words for: the system's, not nothing
