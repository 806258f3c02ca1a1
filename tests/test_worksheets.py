"""The worksheets sent out and read back as evidence: the auditors' checklist (`auditor checklist export`,
kind audit_checklist) and a division's self-assessment sheet (`auditor selfcheck export`, kind
self_assessments). The CLI runs from the repository root on the shipped sample; a returned file is read
by the normal evidence loader, also after LibreOffice has saved it again (marked slow)."""
from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import POLICY, ROOT, SAMPLE, check_json, copy_sample, invoke

from auditor.catalogue import framework
from auditor.cycle import selfcheck, worksheet
from auditor.evidence import loader, normalize

MAP = ROOT / "tests" / "data" / "frameworks" / "department-items.yaml"  # department items, test-only
MAP_ARG = MAP.relative_to(ROOT)
DAY = "2026-03-10"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_lo = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: see .ci/run")
FILLED = ("result", "severity", "auditor", "checked_on", "evidence_reviewed", "note")


def _map(*paths):
    return framework.load(list(paths))


def manual_items(scope, *paths) -> list:
    """The IDs the checklist lists for a scope, in the map's order (the shipped map's content may grow)."""
    return [i.id for i in _map(*paths).items if i.manual and i.scope == scope]


def department_items(*paths) -> list:
    return [i.id for i in _map(*paths).items if i.scope == "department"]


def export(tmp_path, *args, name="checklist.xlsx", command="checklist"):
    out = tmp_path / name
    result = invoke(command, "export", *args, "--out", out, "--date", DAY, cwd=ROOT)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return out, yaml.safe_load(result.stdout), result


def header(ws, row):
    return {c.value: c.column for c in ws[row] if c.value}


def table(ws, row):
    labels = header(ws, row)
    return labels, [{k: ws.cell(r, c).value for k, c in labels.items()} for r in range(row + 1, ws.max_row + 1)]


# ---- the auditors' worksheet ----

def test_checklist_layout_for_the_organisation_and_a_department(tmp_path):
    out, entries, result = export(tmp_path, "--organisation", "--department", "0310", "--framework", MAP_ARG)
    assert "監査チェックリストを書き出しました" in result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["監査チェックリスト"]  # one sheet: one manifest entry
    (e,) = entries
    assert e == {"path": "checklist.xlsx", "kind": "audit_checklist", "provided_by": "監査人（情報セキュリティ監査）",
                 "collected_on": dt.date(2026, 3, 10), "sheet": "監査チェックリスト", "header_row": 5,
                 "columns": {"項目ID": "item", "所属": "unit", "判定": "result", "重要度": "severity",
                             "監査人": "auditor", "確認日": "checked_on", "確認した証跡": "evidence_reviewed",
                             "所見": "note"}}
    ws = wb.active
    assert ws["A1"].value == "さくら台市 令和7年度 監査チェックリスト（全庁、0310 市民課）"
    assert ws["A2"].value == "被監査部署: 全庁、0310 市民課（全庁の項目は所属欄 0220 情報政策課）"
    labels, everything = table(ws, worksheet.HEADER_ROW)
    assert list(labels) == ["項目ID", "所属", "被監査部署", "章/節", "監査項目", "必須", "監査資料の例", "自動評価の結果",
                            "判定", "重要度", "監査人", "確認日", "確認した証跡", "所見"]
    fw = _map(MAP)
    org = manual_items("organisation", MAP)
    rows = [r for r in everything if r["被監査部署"] == "全庁"]
    assert [r["項目ID"] for r in rows] == org and org[0] == "GL1-01"  # every organisation-wide manual item, first
    assert {r["所属"] for r in rows} == {"0220"}  # the CISO office answers for the organisation
    assert rows[0]["自動評価の結果"].startswith("OR-01 ") and "不適合（指摘 2 件）" in rows[0]["自動評価の結果"]
    assert [r["必須"] for r in rows] == ["必須" if fw.item(r["項目ID"]).required else None for r in rows]
    assert rows[0]["監査資料の例"] == "・体制表・任命の記録\n・兼務の状況がわかる名簿"
    assert rows[0]["章/節"] == f"{fw.item('GL1-01').section} {fw.section(fw.item('GL1-01').section).title['ja']}"
    assert all(r[k] is None for r in rows for k in ("判定", "重要度", "監査人", "確認日", "確認した証跡", "所見"))
    rows = everything[len(org):]
    assert {r["被監査部署"] for r in rows} == {"市民課"}
    # manual department items only: GL4-92 (and the shipped GL5-04, GL9-07...) are assessed by rules alone
    assert [r["項目ID"] for r in rows] == manual_items("department", MAP)
    assert {"GL2-91", "GL3-91", "GL4-91", "GL5-91", "GL6-91"} <= {r["項目ID"] for r in rows}
    assert not {"GL4-92", "GL5-04", "GL9-07"} & {r["項目ID"] for r in rows}
    assert {r["所属"] for r in rows} == {"0310"}
    auto = {r["項目ID"]: r["自動評価の結果"] for r in rows}
    assert auto["GL4-91"].startswith("TR-01 ") and auto["GL4-91"].endswith("不適合（指摘 1 件）")  # S00129
    assert auto["GL6-91"].endswith(": 適合") and auto["GL2-91"] == "（自動評価なし）"
    assert auto["GL5-91"].endswith(": 例外承認")  # NS-06: PC-0041 waived, 市民課's only finding


def test_checklist_cells_context_locked_answers_open_as_text_with_drop_downs(tmp_path):
    out, _, _ = export(tmp_path, "--department", "0310", "--framework", MAP_ARG)
    ws = openpyxl.load_workbook(out).active
    labels = header(ws, worksheet.HEADER_ROW)
    assert ws.protection.sheet
    first = worksheet.HEADER_ROW + 1
    for label in ("項目ID", "所属", "章/節", "監査項目", "必須", "監査資料の例", "自動評価の結果"):
        assert ws.cell(first, labels[label]).protection.locked, label
    for label in ("判定", "重要度", "監査人", "確認日", "確認した証跡", "所見"):
        cell = ws.cell(first, labels[label])
        assert not cell.protection.locked and cell.number_format == "@", label  # typed formulas stay text
    assert ws.cell(worksheet.HEADER_ROW, labels["判定"]).protection.locked  # the header is what the manifest maps
    assert ws.freeze_panes == f"D{first}"
    lists = {d.formula1: d for d in ws.data_validations.dataValidation}
    result = lists['"適合,一部適合,不適合,該当なし,未確認"']
    n = len(manual_items("department", MAP))
    assert str(result.sqref) == f"I{first}:I{first + n - 1}" and result.showErrorMessage
    severity = [d for d in ws.data_validations.dataValidation if "重大な不適合" in d.formula1]
    assert {d.prompt for d in severity} == {"空欄のときは項目の既定: 重大な不適合", "空欄のときは項目の既定: 軽微な不適合"}
    for value, word in worksheet.RESULT_LABELS["ja"].items():  # the drop-downs' words read back as the kind's values
        assert normalize.canonical("checklist_result", word) == value
    for value, word in worksheet.SEVERITY_LABELS["ja"].items():
        assert normalize.canonical("severity", word) == value


def test_checklist_properties_and_same_bytes_each_time(tmp_path):
    out, _, _ = export(tmp_path, "--organisation")
    again, _, _ = export(tmp_path, "--organisation", name="again.xlsx")
    assert out.read_bytes() == again.read_bytes()
    wb = openpyxl.load_workbook(out)
    props = wb.properties
    assert props.creator == "auditor" and props.lastModifiedBy is None
    assert props.created == props.modified == dt.datetime(2026, 3, 10, 9, 0)
    assert props.title == "さくら台市 令和7年度 監査チェックリスト（全庁）" and props.subject == "監査チェックリスト"
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom == {"auditor.worksheet": "audit_checklist", "auditor.fiscal_year": "2025",
                      "auditor.auditees": "organisation", "auditor.framework": "soumu-lg-guideline (2026-03-27)",
                      "auditor.header_row": "5"}


def test_checklist_text_from_the_map_is_never_a_formula_and_numbers_are_masked(tmp_path):
    town = tmp_path / "town.yaml"
    town.write_text(yaml.safe_dump({"framework": {"id": "soumu-lg-guideline", "base": "shipped"}, "chapters": [
        {"id": "1", "sections": [{"id": "1.1", "items": [{
            "id": "GL1-01", "title": {"ja": '=HYPERLINK("http://x.invalid","照会 1234-5678-9018")', "en": "+1"},
            "manual": [{"ja": "-2+3", "en": "@SUM(1)"}]}]}]}]}, allow_unicode=True), encoding="utf-8")
    out, _, _ = export(tmp_path, "--organisation", "--framework", town, "--lang", "en")
    ws = openpyxl.load_workbook(out).active
    first = worksheet.HEADER_ROW + 1
    title = ws.cell(first, 5)  # 監査項目
    assert title.value == "+1" and title.data_type == "s" and title.quotePrefix
    assert ws.cell(first, 7).value == "• @SUM(1)"
    ja = export(tmp_path, "--organisation", "--framework", town, name="ja.xlsx")[0]
    assert openpyxl.load_workbook(ja).active.cell(first, 5).value == '=HYPERLINK("http://x.invalid","照会 ************")'
    for path in (out, ja):
        with zipfile.ZipFile(path) as z:
            text = b"".join(z.read(n) for n in z.namelist()).decode()
        assert "<f>" not in text and "1234-5678-9018" not in text


def _fill(path: Path, answers: dict, label_of=None):
    """Fill the answer cells with openpyxl, as the auditors would; a formula typed into a text-formatted
    cell is kept as text by Excel (and LibreOffice: see the UNO test), which openpyxl writes as a string."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        labels = header(ws, worksheet.HEADER_ROW)
        for r in range(worksheet.HEADER_ROW + 1, ws.max_row + 1):
            key = (ws.cell(r, 2).value, ws.cell(r, 1).value)  # 所属, 項目ID
            for label, value in answers.get(key, {}).items():
                cell = ws.cell(r, labels[label_of(label) if label_of else label])
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
    wb.save(path)


ANSWERS = {
    ("0220", "GL1-01"): {"判定": "不適合", "監査人": "監査 太郎", "確認日": "令和8年2月24日",
                       "確認した証跡": "体制表", "所見": '=HYPERLINK("http://x.invalid","click")'},
    ("0220", "GL1-02"): {"判定": "適合", "重要度": "観察事項", "確認日": dt.date(2026, 2, 25)},
    ("0510", "GL3-91"): {"判定": "一部適合", "監査人": "監査 花子", "確認日": "2026/3/3", "所見": "+81 施錠漏れ"},
    ("0510", "GL5-91"): {"判定": "該当なし"},
}
EXPECTED = {
    ("GL1-01", "0220"): {"result": "nonconforming", "severity": None, "auditor": "監査 太郎",
                         "checked_on": dt.date(2026, 2, 24), "evidence_reviewed": "体制表",
                         "note": '=HYPERLINK("http://x.invalid","click")'},  # text, not evaluated
    ("GL1-02", "0220"): {"result": "conforms", "severity": "observation", "checked_on": dt.date(2026, 2, 25)},
    ("GL3-91", "0510"): {"result": "partial", "auditor": "監査 花子", "checked_on": dt.date(2026, 3, 3),
                         "note": "+81 施錠漏れ"},
    ("GL5-91", "0510"): {"result": "not_applicable"},
}


def _listed(folder: Path, name: str, entries: list) -> Path:
    """The sample's copy with the returned file and its manifest entries (as the export printed them)."""
    manifest = folder / "manifest.yaml"
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    doc["files"] = [f for f in doc["files"] if f["kind"] != "audit_checklist"] + [dict(e, path=name) for e in entries]
    manifest.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _records(folder: Path, kind: str, name: str) -> dict:
    ev = loader.load(folder)
    return {tuple(r.get(k) for k in ("item", "unit")): dict(r.fields) for r in ev.datasets[kind] if r.file == name}


def _expected(rows: dict, blank: dict) -> dict:
    return {key: {**blank, **values} for key, values in rows.items()}


def _check_reads(folder: Path) -> dict:
    code, doc = check_json("--policy", POLICY, "--evidence", folder)
    assert code in (0, 1)
    return doc


def _checklist_round_trip(tmp_path, resave=None):
    out, entries, _ = export(tmp_path, "--organisation", "--department", "0510", "--framework", MAP_ARG)
    _fill(out, ANSWERS)
    if resave:
        out = resave(out)
    folder = copy_sample(tmp_path / "evidence")
    shutil.copy(out, folder / "returned.xlsx")
    _listed(folder, "returned.xlsx", entries)
    _check_reads(folder)  # `auditor check` reads it: no input error
    records = _records(folder, "audit_checklist", "returned.xlsx")
    blank = dict.fromkeys(FILLED)
    # every row, answered or not: the organisation-wide items, then 道路課's
    assert len(records) == len(manual_items("organisation", MAP)) + len(manual_items("department", MAP))
    assert {k: v for k, v in records.items() if k in EXPECTED} == \
        {k: {"item": k[0], "unit": k[1], **v} for k, v in _expected(EXPECTED, blank).items()}
    assert all(v == {"item": k[0], "unit": k[1], **blank} for k, v in records.items() if k not in EXPECTED)
    return out


def test_checklist_filled_in_reads_back_through_the_evidence_loader(tmp_path):
    _checklist_round_trip(tmp_path)


def test_english_checklist_needs_no_column_map(tmp_path):
    out, entries, result = export(tmp_path, "--department", "0510", "--framework", MAP_ARG, "--lang", "en")
    assert "columns" not in entries[0] and "wrote the audit checklist" in result.stderr
    ws = openpyxl.load_workbook(out).active
    assert list(header(ws, 5)) == ["item", "unit", "Auditee", "Section", "Audit item", "Required", "What to look at",
                                   "Automated results", "result", "severity", "auditor", "checked_on",
                                   "evidence_reviewed", "note"]
    _fill(out, {("0510", "GL3-91"): {"result": "conforms", "note": "ok"}})
    folder = _listed(copy_sample(tmp_path / "evidence"), "returned.xlsx", entries)
    shutil.copy(out, folder / "returned.xlsx")
    records = _records(folder, "audit_checklist", "returned.xlsx")
    assert records[("GL3-91", "0510")]["result"] == "conforms" and len(records) == len(manual_items("department", MAP))


# ---- LibreOffice ----

def _resaver(tmp_path):
    def resave(path: Path) -> Path:
        out = tmp_path / f"resaved-{path.stem}"
        out.mkdir()
        run = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                              "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                             capture_output=True, text=True, timeout=300)
        target = out / path.name
        assert run.returncode == 0 and target.is_file(), run.stdout + run.stderr
        assert target.read_bytes() != path.read_bytes()
        return target
    return resave


@pytest.mark.slow
@needs_lo
def test_checklist_saved_again_by_libreoffice_reads_back_the_same(tmp_path):
    out = _checklist_round_trip(tmp_path, _resaver(tmp_path))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["監査チェックリスト"]
    with zipfile.ZipFile(out) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")  # really written by LibreOffice
    props = wb.properties
    assert props.title == "さくら台市 令和7年度 監査チェックリスト（全庁、0510 道路課）"
    assert props.subject == "監査チェックリスト" and props.creator == "auditor"
    assert props.created == dt.datetime(2026, 3, 10, 9, 0)
    assert not props.lastModifiedBy  # no account name added by the save
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["auditor.worksheet"] == "audit_checklist" and custom["auditor.auditees"] == "organisation,0510"
    ws = wb.active
    assert ws.protection.sheet and ws.cell(6, 1).protection.locked and not ws.cell(6, 9).protection.locked
    assert ws.cell(6, 9).number_format == "@"
    assert any("一部適合" in d.formula1 for d in ws.data_validations.dataValidation)


# Typing into LibreOffice itself (UNO, the system Python's `uno` module): a formula typed into an answer
# cell is kept as text because the export formats those cells as text; typed into a context cell it
# would be refused (protected) and so is not tried.
UNO_TYPE = r'''
import os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

def pv(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value; return p

src, dst, profile, pipe = sys.argv[1:5]
typed = [a.split("!", 2) for a in sys.argv[5:]]  # sheet!cell!text
office = subprocess.Popen([os.environ["SOFFICE"], "-env:UserInstallation=" + profile, "--headless", "--invisible",
                           "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.2)
    else:
        sys.exit("LibreOffice did not answer on its pipe within 60 s")
    smgr = ctx.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    # An office that has only just started can hand back a component that is not yet a spreadsheet
    # (its Sheets property is missing): wait and load again rather than fail at random.
    for attempt in range(10):
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (pv("Hidden", True),))
        if doc is not None and doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            break
        if doc is not None:
            doc.close(True)
        time.sleep(1)
    else:
        sys.exit("LibreOffice did not open %s as a spreadsheet in 10 attempts" % src)
    ctrl = doc.getCurrentController()
    dispatch = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    for sheet, cell, text in typed:
        ctrl.setActiveSheet(doc.Sheets.getByName(sheet))
        ctrl.select(doc.Sheets.getByName(sheet).getCellRangeByName(cell))
        dispatch.executeDispatch(ctrl.Frame, ".uno:EnterString", "", 0, (pv("StringName", text),))
    doc.storeToURL(uno.systemPathToFileUrl(dst), (pv("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        office.wait(timeout=60)
    except subprocess.TimeoutExpired:
        office.kill()
'''


def _uno_python():
    for python in ("/usr/bin/python3", shutil.which("python3")):
        if python and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0:
            return python
    return None


@pytest.mark.slow
@needs_lo
def test_a_formula_typed_in_libreoffice_into_an_answer_cell_is_read_as_text(tmp_path):
    python = _uno_python()
    if python is None:
        pytest.skip("the system Python has no `uno` module (python3-uno)")
    out, entries, _ = export(tmp_path, "--department", "0510", "--framework", MAP_ARG)
    script = tmp_path / "type.py"
    script.write_text(UNO_TYPE, encoding="utf-8")
    typed = tmp_path / "typed.xlsx"
    row = worksheet.HEADER_ROW + 1 + manual_items("department", MAP).index("GL3-91")
    run = subprocess.run([python, str(script), str(out), str(typed), (tmp_path / "uno-profile").as_uri(),
                          f"auditor-test-{tmp_path.name}", f"監査チェックリスト!I{row}!不適合",
                          f"監査チェックリスト!N{row}!=1+1", f"監査チェックリスト!L{row}!2026/3/3"],
                         capture_output=True, text=True, timeout=300, env={"SOFFICE": SOFFICE, "HOME": str(tmp_path),
                                                                            "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0 and typed.is_file(), run.stdout + run.stderr
    folder = _listed(copy_sample(tmp_path / "evidence"), "typed.xlsx", entries)
    shutil.copy(typed, folder / "typed.xlsx")
    record = _records(folder, "audit_checklist", "typed.xlsx")[("GL3-91", "0510")]
    assert record["result"] == "nonconforming" and record["note"] == "=1+1"  # not 2
    assert record["checked_on"] == dt.date(2026, 3, 3)


# ---- the self-assessment sheet ----

def test_selfcheck_layout_questions_and_entry(tmp_path):
    out, entries, result = export(tmp_path, "--department", "農林課", "--framework", MAP_ARG, command="selfcheck")
    items = department_items(MAP)
    assert f"0620 農林課の自己点検票を書き出しました（{len(items)} 問）" in result.stderr
    (e,) = entries
    assert e == {"path": "checklist.xlsx", "kind": "self_assessments", "provided_by": "農林課（自己点検）",
                 "collected_on": dt.date(2026, 3, 10), "sheet": "自己点検票", "header_row": 5,
                 "columns": {"所属": "unit", "提出日": "submitted_on", "点検項目": "item", "回答": "answer", "備考": "note"}}
    ws = openpyxl.load_workbook(out)["自己点検票"]
    assert "0620 農林課" in ws["A1"].value
    labels, rows = table(ws, selfcheck.HEADER_ROW)
    assert list(labels) == ["所属", "提出日", "点検項目", "章/節", "質問", "回答", "備考"]
    questions = {r["点検項目"]: r["質問"] for r in rows}
    assert list(questions) == items  # every department item, by rules or by auditors
    assert {"GL4-92", "GL5-04", "GL2-91"} <= set(items)
    assert questions["GL2-91"] == "課の情報資産を分類し、台帳に記載していますか"  # its own selfcheck: text
    assert questions["GL4-91"] == "課の職員が毎年度情報セキュリティ研修を受講していますか"  # made from the title
    assert questions["GL3-91"].endswith("放置されていないことを確認していますか")
    assert {r["所属"] for r in rows} == {"0620"} and all(r["回答"] is None and r["提出日"] is None for r in rows)
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"はい,いいえ,該当なし"' and str(dv.sqref) == f"F6:F{5 + len(items)}"
    assert not ws.cell(6, 2).protection.locked and ws.cell(6, 5).protection.locked
    assert all(normalize.canonical("answer", a) == c for a, c in zip(selfcheck.ANSWERS["ja"], ("yes", "no", "na")))


def _selfcheck_round_trip(tmp_path, resave=None):
    out, entries, _ = export(tmp_path, "--department", "0620", "--framework", MAP_ARG, command="selfcheck")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    items = department_items(MAP)
    answers = [("はい", "いいえ", "該当なし", "はい", None)[n % 5] for n in range(len(items))]
    for r, answer in enumerate(answers, selfcheck.HEADER_ROW + 1):
        ws.cell(r, 2).value = "令和8年2月27日" if r % 2 else dt.date(2026, 2, 27)
        ws.cell(r, 6).value = answer
    noted = selfcheck.HEADER_ROW + 1 + items.index("GL3-91")
    ws.cell(noted, 7).value = "=台帳を作成中"  # typed into a text cell: a string
    ws.cell(noted, 7).data_type = "s"
    wb.save(out)
    if resave:
        out = resave(out)
    folder = copy_sample(tmp_path / "evidence")
    shutil.copy(out, folder / "自己点検票_農林課.xlsx")
    manifest = folder / "manifest.yaml"
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    doc["files"].append(dict(entries[0], path="自己点検票_農林課.xlsx"))
    manifest.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    records = _records(folder, "self_assessments", "自己点検票_農林課.xlsx")
    canon = {"はい": "yes", "いいえ": "no", "該当なし": "na", None: None}
    assert records == {(item, "0620"): {"unit": "0620", "submitted_on": dt.date(2026, 2, 27), "item": item,
                                        "answer": canon[a], "note": "=台帳を作成中" if item == "GL3-91" else None}
                       for item, a in zip(items, answers)}
    doc = _check_reads(folder)
    (sa,) = [r for r in doc["results"] if r["control_id"] == "SA-01"]
    assert {f["id"] for f in sa["findings"]} == {"SA-01:0520"}  # 農林課 (0620) has now submitted
    return out


def test_selfcheck_answered_reads_back_as_self_assessments_and_sa01_sees_it(tmp_path):
    _selfcheck_round_trip(tmp_path)


@pytest.mark.slow
@needs_lo
def test_selfcheck_saved_again_by_libreoffice_reads_back_the_same(tmp_path):
    out = _selfcheck_round_trip(tmp_path, _resaver(tmp_path))
    wb = openpyxl.load_workbook(out)
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["auditor.worksheet"] == "self_assessments" and custom["auditor.department_code"] == "0620"
    assert wb.properties.title == "さくら台市 令和7年度 情報セキュリティ自己点検票（0620 農林課）"
    assert not wb.properties.lastModifiedBy


def test_selfcheck_key_of_the_map_is_checked(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"framework": {"id": "x", "base": "shipped"}, "chapters": [{"id": "9", "title": {
        "ja": "章", "en": "ch"}, "sections": [{"id": "9.1", "items": [{"id": "X-1", "title": {"ja": "a", "en": "a"},
        "scope": "department", "manual": [{"ja": "b", "en": "b"}], "selfcheck": {"ja": "はいですか"}}]}]}]},
        allow_unicode=True), encoding="utf-8")
    result = invoke("selfcheck", "export", "--department", "0620", "--framework", bad, "--out", tmp_path / "s.xlsx",
                    cwd=ROOT)
    assert result.exit_code == 2 and "bad.yaml" in result.stderr and "Traceback" not in result.output


# ---- bad input: exit 2, naming the option or the file ----

@pytest.mark.parametrize("args, named", [
    (("checklist", "export", "--department", "9999"), "--department"),
    (("selfcheck", "export", "--department", "存在しない課"), "--department"),
    (("checklist", "export"), "--department"),
    (("checklist", "export", "--organisation", "--framework", "no/such.yaml"), "no/such.yaml"),
])
def test_bad_options_exit_2_naming_them(tmp_path, args, named):
    out = tmp_path / "x.xlsx"
    result = invoke(*args, "--out", out, cwd=ROOT)
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "Traceback" not in result.output and not out.exists()
    if "9999" in args:
        assert "0310 市民課" in result.stderr and "0620 農林課" in result.stderr  # the known departments


@pytest.mark.parametrize("command", ["checklist", "selfcheck"])
def test_a_map_without_department_items_is_named(tmp_path, command):
    town = tmp_path / "town.yaml"  # no base: it replaces the shipped map
    item = {"id": "T-1", "title": {"ja": "体制がある", "en": "roles exist"}, "manual": [{"ja": "体制表", "en": "chart"}]}
    town.write_text(yaml.safe_dump({"framework": {"id": "town"}, "chapters": [{
        "id": "1", "title": {"ja": "組織", "en": "org"},
        "sections": [{"id": "1.1", "title": {"ja": "体制", "en": "roles"}, "items": [item]}]}]}, allow_unicode=True),
        encoding="utf-8")
    result = invoke(command, "export", "--department", "0310", "--framework", town, "--out", tmp_path / "x.xlsx",
                    cwd=ROOT)
    assert result.exit_code == 2 and "--department" in result.stderr and "scope" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("command", ["checklist", "selfcheck"])
def test_never_written_into_the_evidence_or_onto_an_input_or_as_another_type(tmp_path, command):
    for out in (SAMPLE / "new.xlsx", SAMPLE / "職員名簿.xlsx", MAP, tmp_path / "sheet.csv"):
        before = out.read_bytes() if out.exists() else None
        result = invoke(command, "export", "--department", "0510", "--framework", MAP_ARG, "--out", out, cwd=ROOT)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert (out.read_bytes() if out.exists() else None) == before


# ---- the shipped sample ----

def _tool():
    spec = importlib.util.spec_from_file_location("make_sample_checklist", ROOT / "tools" / "make_sample_checklist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _contents(path: Path) -> tuple:
    """What a workbook holds: every cell's value, type, format, lock and fill, the drop-downs, the properties."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    cells = [(c.coordinate, c.value, c.data_type, c.number_format, c.protection.locked, c.fill.fgColor.rgb)
             for row in ws.iter_rows() for c in row]
    lists = sorted((str(d.sqref), d.formula1, d.prompt) for d in ws.data_validations.dataValidation)
    props = {k: getattr(wb.properties, k) for k in ("creator", "title", "subject", "created", "modified")}
    return wb.sheetnames, cells, lists, props, sorted((p.name, p.value) for p in wb.custom_doc_props.props)


def test_the_sample_checklist_is_what_the_tool_makes_and_holds_the_planted_answers(tmp_path, monkeypatch):
    tool = _tool()
    folder = copy_sample(tmp_path)
    monkeypatch.setattr(tool, "OUT", folder)
    tool.main()  # in a copy: the shipped sample is never written by a test
    # the same workbook (its bytes follow openpyxl's XML writer: lxml or not) and the same manifest
    assert _contents(folder / tool.NAME) == _contents(SAMPLE / tool.NAME)
    assert (folder / "manifest.yaml").read_bytes() == (SAMPLE / "manifest.yaml").read_bytes()
    ev = loader.load(SAMPLE)
    rows = [dict(r.fields) for r in ev.datasets["audit_checklist"]]
    by = {}
    for r in rows:
        by.setdefault(r["result"], []).append(r)
    assert {(r["item"], r["unit"]) for r in by["nonconforming"]} == {("GL1-01", "0220"), ("GL4-08", "0310")}
    assert all(r["note"] for r in by["nonconforming"])
    assert [(r["item"], r["unit"]) for r in by["not_applicable"]] == [("GL8-07", "0510")]
    assert len(by["conforms"]) == 7 and set(by) == {"conforms", "nonconforming", "not_applicable", None}
    org, dept = manual_items("organisation"), manual_items("department")
    assert [(r["unit"], r["item"]) for r in rows] == [("0220", i) for i in org] + [(u, i) for u in ("0310", "0510")
                                                                                  for i in dept]
    assert {r["auditor"] for r in rows} - {None} == {"青山 美里", "北村 拓真"}  # fictitious


def test_the_sample_checklist_is_listed_in_the_manifest_as_the_export_prints_it(tmp_path):
    _, entries, _ = export(tmp_path, "--organisation", "--department", "0310", "--department", "道路課",
                           name="監査チェックリスト.xlsx")
    doc = yaml.safe_load((SAMPLE / "manifest.yaml").read_text(encoding="utf-8"))
    listed = [f for f in doc["files"] if f["kind"] == "audit_checklist"]
    assert [{k: v for k, v in f.items() if k not in ("provided_by", "collected_on")} for f in listed] == \
        [{k: v for k, v in e.items() if k not in ("provided_by", "collected_on")} for e in entries]
    result = invoke("validate", cwd=ROOT)
    assert result.exit_code == 0, result.output
