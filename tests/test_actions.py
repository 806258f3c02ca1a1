"""The action register from the CLI: list, export, import (all or nothing), verify, extend."""
from __future__ import annotations

import csv
import io
import json
import sqlite3

import openpyxl
import pytest

from conftest import POLICY, ROOT, invoke


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

FY2024 = ROOT / "evidence" / "FY2024"
ROAD = "ACT-2024-TR-01:S00171"  # 道路課's only FY2024 action
POLICY_ACT = "ACT-2024-NS-09.prerequisites:TR-01"  # one of 情報政策課's FY2024 actions, not started like ROAD
POLICY_OPT = ["--policy", POLICY]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "history.sqlite"
    result = invoke("check", *POLICY_OPT, "--evidence", FY2024, "--record", "--db", path)
    assert result.exit_code == 1, result.output
    return path


def actions(db) -> dict:
    result = invoke("actions", "list", "--db", db, "--format", "json")
    return {a["action_id"]: a for a in json.loads(result.stdout)}


def events(db) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM action_events").fetchone()[0]


def sheet(tmp_path, rows, name="returned.csv", encoding="utf-8-sig") -> str:
    """A returned progress sheet: the exported header and the given {column: value} rows."""
    header = ["措置ID", "年度", "指摘ID", "区分", "指摘内容", "所属", "期限", "延長期限", "状況", "担当者", "進捗メモ", "完了日"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for row in rows:
        w.writerow([row.get(h, "") for h in header])
    path = tmp_path / name
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def do_import(db, path, by="道路課 山田", date="2025-12-01", department="道路課"):
    return invoke("actions", "import", path, "--department", department, "--by", by, "--date", date, "--db", db)


def table(raw: bytes, encoding="utf-8-sig") -> list:
    """The rows of an exported .csv below its marked first row and the blank row after it."""
    mark, blank, *rows = csv.reader(io.StringIO(raw.decode(encoding)))
    assert mark[0].startswith("#進捗報告票") and blank == []
    return rows


def test_export_csv_is_excel_utf8_with_the_department_open_actions(db, tmp_path):
    out = tmp_path / "road.csv"
    result = invoke("actions", "export", "--department", "道路課", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = table(raw)
    assert rows[0][0] == "措置ID" and {"状況", "進捗メモ", "完了日"} <= set(rows[0])
    assert [r[0] for r in rows[1:]] == [ROAD] and rows[1][rows[0].index("状況")] == "未着手"
    cp = tmp_path / "road932.csv"
    assert invoke("actions", "export", "--department", "0510", "--out", cp, "--encoding", "cp932", "--db", db).exit_code == 0
    assert cp.read_bytes().decode("cp932").splitlines()[2].startswith("措置ID,")


def test_export_cp932_writes_em_dashes_as_cp932_dashes_not_question_marks(tmp_path):
    """The progress sheet and the report CSV share one CP932 writer: — (U+2014) becomes ―, not '?'."""
    from auditor.cycle import progress

    action = {"action_id": "ACT-1", "fiscal_year": 2025, "finding_id": "NS-02:FW-0215", "severity": "major",
              "message_ja": "経由: — 🙂", "message_en": "via: —", "department_name": "道路課", "department_code": "0510",
              "due_on": "2026-06-30", "extended_to": None, "status": "not_started", "owner": None,
              "progress_note": None, "completed_on": None}
    out = tmp_path / "road.csv"
    notes = progress.export([action], out, "ja", "cp932", None)
    text = out.read_bytes().decode("cp932")
    assert "経由: ― ?" in text.splitlines()[1]  # the dash folded; only the emoji CP932 lacks is replaced
    assert len(notes) == 1 and "1 character(s)" in notes[0] and "U+1F642" in notes[0]


def test_export_unknown_department_or_type_is_an_input_error(db, tmp_path):
    result = invoke("actions", "export", "--department", "宇宙課", "--out", tmp_path / "x.csv", "--db", db)
    assert result.exit_code == 2 and "宇宙課" in result.stderr
    result = invoke("actions", "export", "--department", "道路課", "--out", tmp_path / "x.pdf", "--db", db)
    assert result.exit_code == 2 and ".xlsx or .csv" in result.stderr


def test_export_neutralises_cells_excel_would_run(db, tmp_path):
    formula = '=HYPERLINK("http://evil.example","x")'
    returned = sheet(tmp_path, [{"措置ID": ROAD, "状況": "対応中", "担当者": "@SUM(1+1)", "進捗メモ": formula}])
    assert do_import(db, returned).exit_code == 0
    out = tmp_path / "road.csv"
    invoke("actions", "export", "--department", "道路課", "--out", out, "--db", db)
    rows = table(out.read_bytes())
    assert rows[1][rows[0].index("進捗メモ")] == "'" + formula
    assert rows[1][rows[0].index("担当者")] == "'@SUM(1+1)"
    xlsx = tmp_path / "road.xlsx"
    invoke("actions", "export", "--department", "道路課", "--out", xlsx, "--db", db)
    ws = openpyxl.load_workbook(xlsx).worksheets[0]
    header = [c.value for c in ws[1]]
    note = ws.cell(2, header.index("進捗メモ") + 1)
    assert note.data_type == "s" and note.value == formula  # text, never a formula cell
    # the exported sheet imports back unchanged: the neutralising apostrophe is ours
    before = events(db)
    assert do_import(db, out).exit_code == 0 and do_import(db, xlsx).exit_code == 0
    assert events(db) == before and actions(db)[ROAD]["progress_note"] == formula


def test_import_applies_changes_and_records_who_and_when(db, tmp_path):
    returned = sheet(tmp_path, [{"措置ID": ROAD, "状況": "完了", "担当者": "道路課長", "進捗メモ": "補講で受講",
                                 "完了日": "令和7年5月30日"}])
    result = do_import(db, returned)
    assert result.exit_code == 0, result.output
    a = actions(db)[ROAD]
    assert (a["status"], a["owner"], a["completed_on"]) == ("done", "道路課長", "2025-05-30")
    shown = invoke("actions", "show", ROAD, "--db", db, "--lang", "en").stdout
    assert "imported by" in shown and "道路課 山田" in shown and "returned.csv" in shown and "status: not started -> done (awaiting check)" in shown


@pytest.mark.parametrize("word", ["済", "対応済み", "完了済"])
def test_a_clerks_word_for_done_is_read_as_done(db, tmp_path, word):
    """「済」「対応済み」 are how a department marks a finished item; they import as 完了, not as an error."""
    returned = sheet(tmp_path, [{"措置ID": ROAD, "状況": word, "担当者": "道路課長", "完了日": "2025/5/30"}])
    result = do_import(db, returned)
    assert result.exit_code == 0, result.output
    assert actions(db)[ROAD]["status"] == "done"


def test_an_invisible_character_pasted_beside_the_completion_day_is_ignored(db, tmp_path):
    returned = sheet(tmp_path, [{"措置ID": ROAD, "状況": "完了", "担当者": "道路課長", "完了日": "\u200b令和7年5月30日\ufeff"}])
    result = do_import(db, returned)
    assert result.exit_code == 0, result.output
    assert actions(db)[ROAD]["completed_on"] == "2025-05-30"


# A returned row that stops the import, and what the message says of it in English and in Japanese.
BAD_ROWS = [
    ({"措置ID": "ACT-2024-NO-SUCH:1", "状況": "対応中"}, "unknown action ID",
     "措置ID ACT-2024-NO-SUCH:1 は登録簿にありません"),
    ({"措置ID": POLICY_ACT, "状況": "完了", "完了日": "2025/2/30"}, "completed on", "完了日: "),
    ({"措置ID": POLICY_ACT, "状況": "完了", "完了日": "\u200b"}, "only invisible characters (U+200B)",
     "完了日には目に見えない文字（U+200B）しかありません。空欄にするか日付を書いてください"),
    ({"措置ID": POLICY_ACT, "状況": "対応中", "完了日": "なし"}, "leave it empty while the action is open",
     "完了日の「なし」は日付ではありません。未完了なら空欄のままにし、完了したなら完了した日を書いてください"),
    ({"措置ID": POLICY_ACT, "状況": "完了", "完了日": " － "}, "completed on is '－', which is not a day",
     "完了日の「－」は日付ではありません"),
    ({"措置ID": POLICY_ACT, "状況": "完了", "完了日": "2026/1/5"}, "in the future", "完了日 令和8年1月5日 は未来の日付です"),
    ({"措置ID": POLICY_ACT, "状況": "完了", "完了日": "2024/3/1"}, "before fiscal year 2024", "指摘のあった令和6年度より前です"),
    ({"措置ID": POLICY_ACT, "状況": "完了"}, "needs a completion date", "完了にするには完了日が必要です"),
    ({"措置ID": POLICY_ACT, "状況": "有効性確認済", "完了日": "2025/5/30"}, "skips the effectiveness check",
     "シートでは有効性確認済にできません"),
    ({"措置ID": POLICY_ACT, "状況": "対応中", "完了日": "2025/5/30"}, "completion date is given",
     "完了日がありますが、状況は 対応中 です"),
    ({"措置ID": POLICY_ACT, "状況": "保留"}, "unknown status", "状況「保留」は使えません"),
    ({"措置ID": POLICY_ACT, "状況": "解消確認待ち"}, "only a recorded audit", "指摘が見つからなくなった監査の記録だけです"),
    ({"措置ID": ROAD, "状況": "対応中"}, "is an action of 道路課", "道路課 の措置で、このシートの所属"),
]


@pytest.mark.parametrize("bad, message, _", BAD_ROWS)
def test_import_with_one_bad_row_changes_nothing(db, tmp_path, bad, message, _):
    good = {"措置ID": "ACT-2024-NS-01:FW-0107", "状況": "対応中", "進捗メモ": "調整中"}
    before, count = actions(db), events(db)
    result = do_import(db, sheet(tmp_path, [good, bad]), by="情報政策課 山田", department="情報政策課")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "returned.csv:3" in result.stderr and message in result.stderr and "nothing was imported" in result.stderr
    assert actions(db) == before and events(db) == count


@pytest.mark.parametrize("bad, _, words", BAD_ROWS)
def test_a_refused_import_lists_its_rows_in_japanese(db, tmp_path, monkeypatch, bad, _, words):
    """The rows that stop an import are listed in the reader's language: 「3 行目: …」, no English."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "ja")
    good = {"措置ID": "ACT-2024-NS-01:FW-0107", "状況": "対応中", "進捗メモ": "調整中"}
    result = do_import(db, sheet(tmp_path, [good, bad]), by="情報政策課 山田", department="情報政策課")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "  3 行目: " in result.stderr and words in result.stderr, result.stderr
    assert "line 3" not in result.stderr and "unknown" not in result.stderr


def test_import_refuses_going_back_and_changing_a_verified_action(db, tmp_path):
    assert do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "対応中"}])).exit_code == 0
    back = do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "未着手"}], "back.csv"))
    assert back.exit_code == 2 and "back.csv:2" in back.stderr and "cannot go from in progress" in back.stderr
    do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "完了", "担当者": "道路課長", "完了日": "2025/5/30"}], "d.csv"))
    assert invoke("actions", "verify", ROAD, "--by", "情報政策課 佐藤", "--on", "2025-06-10", "--db", db).exit_code == 0
    again = do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "完了", "進捗メモ": "追記"}], "late.csv"))
    assert again.exit_code == 2 and "already verified" in again.stderr


def test_verify_needs_someone_other_than_the_owner(db, tmp_path):
    not_done = invoke("actions", "verify", ROAD, "--by", "情報政策課 佐藤", "--on", "2025-06-10", "--db", db)
    assert not_done.exit_code == 2 and "only a done action" in not_done.stderr
    do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "完了", "担当者": "道路課長", "完了日": "2025/5/30"}]),
              by="道路課 山田")
    for person in ("道路課長", "道路課　長", "道路課 山田"):  # the owner (any spacing) and the one who reported it
        refused = invoke("actions", "verify", ROAD, "--by", person, "--on", "2025-06-10", "--db", db)
        assert refused.exit_code == 2 and "10.2 d" in refused.stderr and "Traceback" not in refused.output
    assert actions(db)[ROAD]["status"] == "done"
    early = invoke("actions", "verify", ROAD, "--by", "情報政策課 佐藤", "--on", "2025-05-01", "--db", db)
    assert early.exit_code == 2 and "before the completion date" in early.stderr
    ok = invoke("actions", "verify", ROAD, "--by", "情報政策課 佐藤", "--on", "2025-06-10", "--note", "LMS確認", "--db", db)
    assert ok.exit_code == 0, ok.output
    a = actions(db)[ROAD]
    assert (a["status"], a["verified_by"], a["verified_on"]) == ("verified", "情報政策課 佐藤", "2025-06-10")


def test_an_ineffective_check_sends_the_action_back(db, tmp_path):
    do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "完了", "完了日": "2025/5/30"}]))
    result = invoke("actions", "verify", ROAD, "--by", "情報政策課 佐藤", "--ineffective", "--on", "2025-06-10",
                    "--note", "未受講が判明", "--db", db)
    assert result.exit_code == 0
    a = actions(db)[ROAD]
    assert a["status"] == "in_progress" and a["completed_on"] is None


def test_list_filters_by_department_status_and_overdue(db, tmp_path):
    road = json.loads(invoke("actions", "list", "--department", "道路課", "--format", "json", "--db", db).stdout)
    assert [a["action_id"] for a in road] == [ROAD]
    assert json.loads(invoke("actions", "list", "--department", "0510", "--format", "json", "--db", db).stdout) == road
    all_open = actions(db)
    due = min(a["due_on"] for a in all_open.values())
    late = json.loads(invoke("actions", "list", "--overdue", "--date", "2099-01-01", "--format", "json", "--db", db).stdout)
    assert len(late) == len(all_open)
    early = json.loads(invoke("actions", "list", "--overdue", "--date", due, "--format", "json", "--db", db).stdout)
    assert early == []
    do_import(db, sheet(tmp_path, [{"措置ID": ROAD, "状況": "対応中"}]))
    busy = json.loads(invoke("actions", "list", "--status", "in_progress", "--format", "json", "--db", db).stdout)
    assert [a["action_id"] for a in busy] == [ROAD]


def test_an_approved_extension_stops_the_action_being_overdue(db):
    due = actions(db)[ROAD]["due_on"]
    result = invoke("actions", "extend", ROAD, "--to", "2099-06-30", "--by", "CISO", "--reason", "予算措置待ち", "--db", db)
    assert result.exit_code == 0, result.output
    late = json.loads(invoke("actions", "list", "--overdue", "--date", "2099-01-01", "--format", "json", "--db", db).stdout)
    assert ROAD not in {a["action_id"] for a in late}
    shorter = invoke("actions", "extend", ROAD, "--to", due, "--by", "CISO", "--reason", "x", "--db", db)
    assert shorter.exit_code == 2 and "not after the due date" in shorter.stderr


def test_the_exported_sheet_says_whose_it_is_and_the_import_records_it(db, tmp_path):
    """The .csv's first row and the .xlsx's document properties name the department; clerks see no data there."""
    out = tmp_path / "road.csv"
    assert invoke("actions", "export", "--department", "0510", "--out", out, "--db", db).exit_code == 0
    mark = next(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert mark[:2] == ["#進捗報告票 / progress sheet", "0510 道路課"] and "変更・削除しないでください" in mark[2]
    book = tmp_path / "road.xlsx"
    assert invoke("actions", "export", "--department", "道路課", "--out", book, "--db", db).exit_code == 0
    wb = openpyxl.load_workbook(book)
    assert {p.name: p.value for p in wb.custom_doc_props} == {"auditor.department_code": "0510",
                                                              "auditor.department_name": "道路課"}
    assert [c.value for c in wb.worksheets[0][1]][0] == "措置ID"  # the layout is unchanged
    filled = sheet(tmp_path, [{"措置ID": ROAD, "状況": "対応中"}])
    assert do_import(db, filled).exit_code == 0
    shown = invoke("actions", "show", ROAD, "--db", db).stdout
    assert "sheet of 0510 道路課" in shown and "--secretariat" not in shown
