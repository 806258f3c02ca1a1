"""Returned progress sheets (`auditor actions import`): bounded work, and only the sender's own actions.

A sheet may hold a few rows more than its department has actions (a .csv: ten lines per action, as a
note may span lines, plus 100), counted before it is parsed; the error listing stops after 30 rows.
A sheet changes only the actions of the department it was exported for: the exported .csv and .xlsx
carry that department, the importer names it (--department), a row about another department's
action is an error naming file and line, and a --by naming another department needs --secretariat,
which the event records. Every refusal leaves the register as it was.
"""
import csv
import io
import json
import os
import shutil
import sqlite3

import openpyxl
import pytest

from .harness import ROOT, label_of, run_cli, xlsx

ROAD, TAX = "ACT-2024-TR-01:S00171", "ACT-2024-CA-01.self-check:0320/SA-2"  # 道路課's and 税務課's only FY2024 actions
HEADER = ["措置ID", "年度", "指摘ID", "区分", "指摘内容", "所属", "期限", "延長期限", "状況", "担当者", "進捗メモ", "完了日"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The FY2024 sample audited and recorded once; each test works on a copy of its register."""
    root = tmp_path_factory.mktemp("recorded")
    shutil.copytree(ROOT / "evidence" / "FY2024", root / "FY2024")
    shutil.copy(ROOT / "policies" / "sample-city.yaml", root / "policy.yaml")
    run = run_cli(["check", "--policy", root / "policy.yaml", "--evidence", root / "FY2024", "--record",
                   "--db", root / "h.sqlite"], root)
    assert run.code == 1, run.stderr
    return root / "h.sqlite"


@pytest.fixture
def db(recorded, tmp_path):
    con = sqlite3.connect(recorded)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    shutil.copy(recorded, tmp_path / "h.sqlite")
    return tmp_path / "h.sqlite"


def _state(db) -> tuple:
    with sqlite3.connect(db) as con:
        return (con.execute("SELECT * FROM actions ORDER BY action_id").fetchall(),
                con.execute("SELECT COUNT(*) FROM action_events").fetchone()[0])


def _import(db, sheet, department="道路課", by="道路課長", *extra, request=None):
    return run_cli(["actions", "import", sheet, "--department", department, "--by", by, "--date", "2025-12-01",
                    "--db", db, *extra], db.parent, label=label_of(request) if request else "")


def _refused(run, db, before, where: str, words=()):
    assert not run.timed_out and run.code == 2, f"rc={run.code}\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stdout + run.stderr and run.stderr.startswith("error: "), run.stderr[-3000:]
    assert where in run.stderr, run.stderr[-3000:]
    for w in words:
        assert w in run.stderr, run.stderr[-3000:]
    assert _state(db) == before, "a refused sheet changed the register"


def _export(db, department, name):
    out = db.parent / name
    run = run_cli(["actions", "export", "--department", department, "--out", out, "--db", db, "--date", "2025-04-15"],
                  db.parent)
    assert run.code == 0, run.stderr
    return out


def _csv(path, rows, marked=None, encoding="utf-8-sig"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if marked:
        w.writerows([["#進捗報告票 / progress sheet", marked, "この行は変更しないでください"], []])
    w.writerow(HEADER)
    for row in rows:
        w.writerow([row.get(h, "") for h in HEADER])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# ---- bounded work ----

def test_a_sheet_of_three_hundred_thousand_rows_is_refused_before_parsing(db, request):
    """The 1.5 M-row case: 55 s, 1.8 GB and a 70 MB error listing before; now a few lines, at once."""
    sheet = db.parent / "returned.csv"
    sheet.write_bytes(("措置ID,状況\r\n" + "ACT-9999-XX-01:1,対応中\r\n" * 300_000).encode("utf-8-sig"))
    before = _state(db)
    run = _import(db, sheet, request=request)
    _refused(run, db, before, f"{sheet}:", ["300,001 lines", "at most 110", "0510 道路課 has 1 action(s)"])
    assert len(run.stderr) < 2000 and run.peak_rss < 200 * 2**20


@pytest.mark.parametrize("shape", ["declared", "undeclared"])
def test_a_workbook_with_more_rows_than_the_department_can_have_stops_at_the_cap(db, request, shape):
    rows = [HEADER[:1] + ["状況"]] + [[f"ACT-9999-XX-01:{i}", "対応中"] for i in range(20_000)]
    sheet = db.parent / "returned.xlsx"
    sheet.write_bytes(xlsx([("進捗報告", rows[:3] if shape == "declared" else rows, "visible")],
                           dimension="A1:B1000001" if shape == "declared" else "A1:B2"))
    before = _state(db)
    run = _import(db, sheet, request=request)
    _refused(run, db, before, f"{sheet}:", ["more than 110 rows", "at most 110"])
    assert len(run.stderr) < 2000


def test_the_error_listing_stops_after_thirty_rows(db, request):
    sheet = _csv(db.parent / "returned.csv", [{"措置ID": f"ACT-9999-XX-01:{i}", "状況": "対応中"} for i in range(100)])
    before = _state(db)
    run = _import(db, sheet, request=request)
    _refused(run, db, before, f"{sheet}:2:", ["100 row(s) cannot be applied", "line 31:", "and 70 more row(s)"])
    assert "line 32:" not in run.stderr


@pytest.mark.parametrize("what", ["sparse", "fifo"])
def test_a_sheet_that_is_not_a_small_regular_file_is_refused_without_reading_it(db, request, what):
    sheet = db.parent / "returned.csv"
    if what == "sparse":
        with open(sheet, "wb") as fh:
            fh.truncate(200 * 2**20)  # 200 MiB of holes: costs no disk
    else:
        os.mkfifo(sheet)  # read, it would wait for a writer forever
    before = _state(db)
    run = _import(db, sheet, request=request)
    _refused(run, db, before, f"{sheet}:", ["more than the limit of 64.0 MiB" if what == "sparse" else "not a regular file"])
    assert run.peak_rss < 150 * 2**20


# ---- only the actions of the sheet's department ----

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_sheet_exported_for_another_department_is_refused(db, request, fmt):
    sheet = _export(db, "税務課", f"tax.{fmt}")
    before = _state(db)
    run = _import(db, sheet, request=request)  # as 道路課's
    _refused(run, db, before, f"{sheet}:1:" if fmt == "csv" else f"{sheet}:",
             ["exported for 0320 税務課, not for 0510 道路課", "--department 0320"])


@pytest.mark.parametrize("marked", [None, "0510 道路課"], ids=["unmarked", "marked"])
def test_a_row_about_another_departments_action_is_an_error_naming_its_line(db, request, marked):
    """住民課's sheet set 税務課's action done: the row is refused with its line, and nothing is applied."""
    sheet = _csv(db.parent / "returned.csv", [{"措置ID": ROAD, "状況": "対応中"},
                                              {"措置ID": TAX, "状況": "完了", "完了日": "2025/5/30"}], marked)
    line = 5 if marked else 3
    before = _state(db)
    run = _import(db, sheet, request=request)
    _refused(run, db, before, f"{sheet}:{line}:", [f"line {line}: {TAX} is an action of 税務課, not of 0510 道路課"])


def test_a_row_copied_into_an_exported_workbook_from_another_department_is_refused(db, request):
    sheet = _export(db, "道路課", "road.xlsx")
    wb = openpyxl.load_workbook(sheet)  # as the clerk's spreadsheet saves it: the properties stay
    wb.active.append([TAX, 2024, "CA-01.self-check:0320/SA-2", None, None, "税務課", None, None, "完了", None, None, "2025/5/30"])
    wb.save(sheet)
    before = _state(db)
    run = _import(db, sheet, request=request)
    _refused(run, db, before, f"{sheet}:3:", [f"{TAX} is an action of 税務課"])
    again = _import(db, sheet, "税務課", "税務課長", request=request)  # and it is still 道路課's sheet
    _refused(again, db, before, f"{sheet}:", ["exported for 0510 道路課, not for 0320 税務課"])


def test_the_mark_survives_a_spreadsheet_saving_the_csv_in_cp932(db, request):
    """Excel pads every row with commas and may save CP932: the marked row is still found and checked."""
    exported = _export(db, "道路課", "road.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    width = max(map(len, rows))
    resaved = "".join(",".join(r + [""] * (width - len(r))) + "\r\n" for r in rows)
    sheet = db.parent / "resaved.csv"
    sheet.write_bytes(resaved.encode("cp932"))
    before = _state(db)
    _refused(_import(db, sheet, "税務課", "税務課長", request=request), db, before, f"{sheet}:1:", ["exported for 0510 道路課"])
    run = _import(db, sheet, request=request)
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("by", ["税務課長", "税務課 山田", "ぜいむ 税務課"])
def test_by_naming_another_department_needs_the_secretariat_option(db, request, by):
    sheet = _csv(db.parent / "returned.csv", [{"措置ID": ROAD, "状況": "対応中"}], "0510 道路課")
    before = _state(db)
    _refused(_import(db, sheet, "道路課", by, request=request), db, before, "--by:", ["names 税務課", "--secretariat"])
    run = _import(db, sheet, "道路課", by, "--secretariat", request=request)
    assert run.code == 0, run.stderr
    shown = run_cli(["actions", "show", ROAD, "--db", db], db.parent).stdout
    assert "--secretariat" in shown and "0510 道路課" in shown and by in shown


def test_an_unmarked_sheet_needs_the_department_named(db, request):
    """The sheets returned before this change carry no department: they import when it is named."""
    sheet = ROOT / "evidence" / "FY2024" / "progress" / "0510_道路課.csv"
    before = _state(db)
    missing = run_cli(["actions", "import", sheet, "--by", "道路課長", "--db", db, "--date", "2025-12-01"], db.parent)
    assert missing.code == 2 and "--department" in missing.stderr and "Traceback" not in missing.stderr
    assert _state(db) == before
    run = _import(db, sheet, request=request)
    assert run.code == 0, run.stderr
    listed = json.loads(run_cli(["actions", "list", "--db", db, "--format", "json"], db.parent).stdout)
    assert {a["action_id"]: a["status"] for a in listed}[ROAD] == "done"
    shown = run_cli(["actions", "show", ROAD, "--db", db], db.parent).stdout
    assert "not marked with its department" in shown
