"""Excel (.xlsx) 指摘事項一覧: findings, actions, and results by control and department, via openpyxl.

Three sheets (指摘事項 / 改善措置 / 管理策別結果), each with a filter on its heading row, the heading row
frozen, column widths that fit Japanese text (a full-width character counts 2) and dates as real
dates. Evidence text is shown as written: control characters as visible escapes, and a cell that
Excel would run as a formula (=, +, -, @ and their full-width forms...) is stored as text with a
quote prefix, as the progress sheets do (auditor/cycle/progress.py). The document properties name
the report and its organisation only; the same document gives the same bytes.
"""
from __future__ import annotations

import io
import zipfile

from ..model import AuditRun
from ..privacy import sanitize
from . import office, reportjson
from .labels import labels

MAX_WIDTH = {"wrap": 60, "text": 40}
DATE_FORMAT = {"ja": "yyyy/mm/dd", "en": "yyyy-mm-dd"}


def _where(locations) -> str:
    return "; ".join(l["file"] + (f":{l['line']}" if l.get("line") else "") for l in locations or [])


def _dept(d, t) -> tuple:
    return ((d or {}).get("code"), (d or {}).get("name") or t["organisation_wide"])


def findings_sheet(doc: dict, lang: str) -> tuple[list, list]:
    """(columns, rows); a column is (heading, kind) with kind 'text', 'wrap', 'date' or 'number'."""
    t, o = labels()[lang], labels()["office"][lang]
    h, oc = t["csv"], o["columns"]
    columns = [(h["finding_id"], "text"), (h["grade"], "text"), (h["status"], "text"), (oc["recurred"], "text"),
               (h["control"], "text"), (h["control_title"], "wrap"), (h["department_code"], "text"),
               (h["department"], "text"), (h["message"], "wrap"), (h["location"], "text"), (h["exception"], "text"),
               (h["exception_state"], "text"), (h["exception_reason"], "wrap"), (h["approver"], "text"),
               (h["exception_to"], "date"), (h["action_id"], "text"), (h["owner_role"], "text"), (h["due_on"], "date")]
    actions = {a["finding_id"]: a for a in doc["act"]["actions"]}
    rows = []
    for f in doc["check"]["findings"]:
        exc, act = f.get("exception") or {}, actions.get(f["id"], {})
        rows.append([f["id"], t["severity"][f["severity"]], t["status"].get(f["status"], f["status"]),
                     oc["mark"] if f.get("recurred") else None, f["control_id"], f["control_title"][lang],
                     *_dept(f.get("department"), t), f["message"][lang], _where(f["locations"]), exc.get("id"),
                     t["exc_state"].get(exc.get("state"), exc.get("state")), exc.get("reason"), exc.get("approver"),
                     exc.get("to"), act.get("action_id"), act.get("owner_role"), act.get("due_on")])
    return columns, rows


def actions_sheet(doc: dict, lang: str) -> tuple[list, list]:
    t = labels()[lang]
    h = t["csv"]
    columns = [(h["action_id"], "text"), (h["cycle"], "text"), (h["finding_id"], "text"), (h["grade"], "text"),
               (h["department_code"], "text"), (h["department"], "text"), (h["owner_role"], "text"),
               (h["due_on"], "date"), (h["extended_to"], "date"), (h["completed_on"], "date"), (h["verified_on"], "date"),
               (h["status"], "text"), (h["register_status"], "text"), (h["location"], "text")]
    rows = []
    for a in doc["act"]["actions"]:
        status = a.get("register_status")
        rows.append([a["action_id"], h["this_cycle"], a["finding_id"], t["severity"][a["severity"]],
                     *_dept(a.get("department"), t), a.get("owner_role"), a.get("due_on"), a.get("extended_to"),
                     None, None, t["status"].get(a["status"], a["status"]),
                     t["register_status"].get(status, status), None])
    for a in doc["act"]["previous"]:
        status, loc = a.get("register_status"), a.get("location") or {}
        severity = a.get("severity")
        rows.append([a["action_id"], h["last_cycle"], a["finding_id"], t["severity"].get(severity) if severity else None,
                     (a.get("department") or {}).get("code"), (a.get("department") or {}).get("name"), None,
                     a.get("due_on"), a.get("extended_to"), a.get("completed_on"), a.get("verified_on"),
                     t["action_state"][a["state"]], t["register_status"].get(status, status),
                     _where([loc]) if loc.get("file") else None])
    return columns, rows


def results_sheet(doc: dict, lang: str) -> tuple[list, list]:
    """The organisation's row of every control, then one row per department it says something about;
    a department's workbook: its own row of every control that concerns it."""
    t, o = labels()[lang], labels()["office"][lang]
    k, oc, areas = t["check"], o["columns"], labels()["areas"]
    columns = [(k["control"], "text"), (k["title"], "wrap"), (oc["area"], "text"), (oc["severity"], "text"),
               (t["csv"]["department_code"], "text"), (k["department"], "text"), (oc["result"], "text"),
               (oc["organisation_status"], "text"), (oc["checked"], "number"), (oc["open"], "number"),
               (oc["waived"], "number"), (oc["reason"], "wrap")]
    dept = doc["scope"]["department"]
    rows = []
    for r in doc["check"]["results"]:
        head = [r["control_id"], r["title"][lang], areas.get(r["area"], {}).get(lang, r["area"]),
                t["severity_short"][r["severity"]]]
        org_status = t["status"][r["organisation_status"]]
        reason = r["reason"][lang] if r.get("reason") else None
        if dept:
            if r["status"] is None:  # the control says nothing about this department
                continue
            rows.append([*head, dept["code"], dept["name"], t["status"][r["status"]], org_status, r.get("checked"),
                         r["open_findings"], r["waived_findings"], reason])
            continue
        rows.append([*head, None, t["organisation_wide"], org_status, org_status, r.get("checked"), r["open_findings"],
                     r["waived_findings"], reason])
        for d in r.get("by_department") or []:
            rows.append([*head, d["code"], d["name"], t["status"][d["status"]], org_status, d.get("checked"),
                         d["open_findings"], d["waived_findings"], None])
    return columns, rows


def workbook(doc: dict, lang: str) -> bytes:
    """The findings list as .xlsx bytes."""
    return office.freed(_workbook, sanitize.document(doc), lang)


def _workbook(doc: dict, lang: str) -> bytes:
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    o = labels()["office"][lang]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, build in (("findings", findings_sheet), ("actions", actions_sheet), ("results", results_sheet)):
        columns, rows = build(doc, lang)
        _sheet(wb.create_sheet(o["sheets"][name]), columns, rows, lang)
    _properties(wb, doc, lang)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return office.repack(buf.getvalue(), office.moment(doc["cover"]["issued_on"]),
                         {"docProps/app.xml": office.app_properties()})


def _sheet(ws, columns: list, rows: list, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([office.text(c[0]) for c in columns])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    widths = [office.width(c[0]) for c in columns]
    for values in rows:
        ws.append([_value(v, kind) for v, (_, kind) in zip(values, columns)])
        for i, (cell, (_, kind)) in enumerate(zip(ws[ws.max_row], columns)):
            if kind == "date" and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = DATE_FORMAT[lang]
                widths[i] = max(widths[i], 10)
            elif isinstance(cell.value, str):
                if office.formula_like(cell.value):
                    cell.data_type = "s"  # stored as text: Excel never evaluates it
                    cell.quotePrefix = True
                widths[i] = max(widths[i], max(office.width(line) for line in cell.value.split("\n")))
            elif cell.value is not None:
                widths[i] = max(widths[i], len(str(cell.value)))
            cell.alignment = wrap if kind == "wrap" else top
    for i, (_, kind) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(widths[i - 1] + 2, MAX_WIDTH.get(kind, 40))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 2)}"
    ws.print_title_rows = "1:1"  # the heading row on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _value(value, kind: str):
    if value is None:
        return None
    if kind == "date":
        return office.date_or_none(value)
    if kind == "number" and isinstance(value, int):
        return value
    return office.text(value)


def _properties(wb, doc: dict, lang: str) -> None:
    """Title, organisation and date of issue; nothing of the machine or user that wrote it."""
    c, o = doc["cover"], labels()["office"][lang]
    when = office.moment_utc(c["issued_on"])
    title = f"{c['organisation'][lang]} {c['fiscal_year_label'][lang]} {o['workbook_title']}"
    dept = doc["scope"]["department"]
    if dept:
        title += f" — {dept['name']}"
    p = wb.properties
    p.creator, p.lastModifiedBy = office.text(c["organisation"][lang]), None
    p.title, p.subject = office.text(title), office.text(o["workbook_title"])
    p.language = "ja-JP" if lang == "ja" else "en-GB"
    p.created = p.modified = when


def files(doc: dict, lang: str, options=None) -> list[tuple[str, bytes]]:
    return [(f"findings.{lang}.xlsx", workbook(doc, lang))]


def render(run: AuditRun, lang: str = "ja") -> bytes:
    """The organisation's findings list as .xlsx bytes, issued on the audit's as-of date."""
    return workbook(reportjson.organisation(run), lang)
