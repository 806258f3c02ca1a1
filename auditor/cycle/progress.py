"""The progress sheet (改善措置 進捗報告票): exported to a department, filled in, imported back.

.xlsx or .csv by the file's extension. The department fills in status, owner, progress note and
completion date; everything else is for reference. Cells that Excel would run as a formula are
neutralised on the way out. An import is checked row by row and applied all or nothing.

A sheet carries the department it was exported for, where a clerk does not take it for data: in the
workbook's document properties (.xlsx), in a marked first row above a blank one and the header (.csv).
auditor/cycle/returned.py checks it on import.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import csvwrite, limits
from ..fiscal import FiscalYear, day_text
from ..errors import InputError, os_reason, reason
from ..evidence import blanks, normalize, readers
from ..privacy import mynumber, sanitize
from . import sheets
from .register import BY_IMPORT, LABELS, OPEN, PENDING

# field, ja header, en header, filled in by the department
COLUMNS = [
    ("action_id", "措置ID", "Action ID", False), ("fiscal_year", "年度", "Fiscal year", False),
    ("finding_id", "指摘ID", "Finding ID", False), ("severity", "区分", "Grade", False),
    ("message", "指摘内容", "Finding", False), ("department", "所属", "Department", False),
    ("due_on", "期限", "Due", False), ("extended_to", "延長期限", "Extended to", False),
    ("status", "状況", "Status", True), ("owner", "担当者", "Owner", True),
    ("progress_note", "進捗メモ", "Progress note", True), ("completed_on", "完了日", "Completed on", True),
]
SEVERITY = {"ja": {"major": "重大な不適合", "minor": "軽微な不適合", "observation": "観察事項"},
            "en": {"major": "major", "minor": "minor", "observation": "observation"}}
_HEADERS = {normalize.nfkc(h).casefold(): f for f, ja, en, _ in COLUMNS for h in (f, ja, en)}
_STATUS_WORDS = {normalize.nfkc(v).casefold(): k for lang in LABELS.values() for k, v in lang.items()}
_FORMULA = sanitize.FORMULA_START  # =, +, -, @, tab, CR, LF and their full-width forms
# The sheet's department: the first cell of a .csv's first row, and the .xlsx document properties.
MARK = "#進捗報告票 / progress sheet"
MARK_NOTE = "この行は取込時に確認します。変更・削除しないでください / checked on import: do not edit or delete this row"
PROPERTIES = ("auditor.department_code", "auditor.department_name")
MAX_BYTES = 64 * 2**20  # a returned sheet is text typed by a clerk: never this large


def neutralise(value):
    """A text cell Excel would evaluate (=, +, -, @, tab, CR... first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def rows_for(actions: list[dict], lang: str) -> list[list]:
    out = []
    for a in actions:
        values = {"action_id": a["action_id"], "fiscal_year": a["fiscal_year"], "finding_id": a["finding_id"],
                  "severity": SEVERITY[lang][a["severity"]], "message": a[f"message_{lang}"],
                  "department": a["department_name"] or a["department_code"], "due_on": a["due_on"],
                  "extended_to": a["extended_to"], "status": LABELS[lang][a["status"]], "owner": a["owner"],
                  "progress_note": a["progress_note"], "completed_on": a["completed_on"]}
        out.append([mynumber.mask(v) if isinstance(v, str) else v for v in (values[c[0]] for c in COLUMNS)])
    return out


def export(actions: list[dict], out, lang: str = "ja", encoding: str = "utf-8", stamp: dt.date | None = None,
           department: tuple[str, str] | None = None) -> list:
    """Write the open actions to OUT (.xlsx or .csv); returns notes for the user.

    department: (code, name) of the department the sheet is for, written into it for the import to check."""
    path = Path(out)
    actions = [a for a in actions if a["status"] in OPEN]
    header = [ja if lang == "ja" else en for _, ja, en, _ in COLUMNS]
    body = rows_for(actions, lang)
    notes = []
    if path.suffix.lower() == ".xlsx":
        data = _xlsx(header, body, lang, stamp or dt.date.today(), department)
    elif path.suffix.lower() == ".csv":  # the report CSVs' writer: the same BOM, CP932 look-alikes and notes
        said = " ".join(str(x) for x in department if x) if department else ""
        marked = [[MARK, said, MARK_NOTE], []] if department else []  # "0510 道路課" stays text in Excel
        data, notes = csvwrite.encode([*marked, header, *body], encoding, lambda v: neutralise(_cell_text(v)))
    else:
        raise InputError(out, "unknown sheet type", hint="name the file .xlsx or .csv", ja="シートの形式が分かりません",
                         hint_ja="ファイル名を .xlsx か .csv にしてください")
    sheets.write(path, data)
    return notes


def _cell_text(v) -> str:
    return "" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v)


def _xlsx(header, body, lang, stamp: dt.date, department=None) -> bytes:
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "進捗報告" if lang == "ja" else "Progress"
    ws.append(header)
    fill = PatternFill("solid", fgColor=sheets.FILL)  # the columns the department fills in
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(body, 2):
        for c, value in enumerate(row, 1):
            sheets.put(ws.cell(r, c), value)
    for i, (_, _, _, filled) in enumerate(COLUMNS, 1):
        letter = openpyxl.utils.get_column_letter(i)
        ws.column_dimensions[letter].width = 60 if COLUMNS[i - 1][0] == "message" else 16
        if filled:
            for r in range(1, ws.max_row + 1):
                ws.cell(r, i).fill = fill
    status_col = openpyxl.utils.get_column_letter([c[0] for c in COLUMNS].index("status") + 1)
    # a drop-down only: a clerk's own word (完了, 済...) is checked on import
    ws.add_data_validation(sheets.choices([LABELS[lang][s] for s in OPEN], f"{status_col}2:{status_col}{max(ws.max_row, 2)}"))
    ws.freeze_panes = "B2"
    # the department: kept by Excel and LibreOffice when the clerk saves; never shown as a cell
    moment = sheets.set_properties(wb, stamp, custom=dict(zip(PROPERTIES, department)) if department else None)
    return sheets.save(wb, moment)  # same inputs, same bytes


# ---- import ----

@dataclass(frozen=True)
class Sheet:
    rows: list                         # (line, {field: raw value}) of every non-blank row
    department: tuple | None           # (code, name) the sheet was exported for; None: not marked (older sheets)
    marked_at: int | None = None       # line of a .csv's marked row (an .xlsx keeps it in its properties)


def read(path, max_rows: int | None = None, why: str = "", why_ja: str = "") -> Sheet:
    """Every non-blank row and the department the sheet is marked for; the header may use ja or en labels.

    max_rows: refuse a sheet with more rows (a .csv: lines) than this before parsing it; `why` (`why_ja`)
    says whence."""
    path = Path(path)
    fmt = sheet_type(path)
    try:
        data = limits.read_regular(path, MAX_BYTES, path, option="a progress sheet holds text: give the file "
                                   "`auditor actions export` wrote, filled in (pictures removed)")
    except OSError as exc:
        raise InputError(path, f"cannot read the sheet: {exc.strerror or exc}",
                         ja=f"シートを読めません（{os_reason(exc, 'ja')}）") from None
    department, marked_at, header_row, limit = None, None, None, None
    if fmt == "csv":
        lines = data.count(b"\n")  # counted before decoding or parsing
        if max_rows is not None and lines > max_rows:
            raise _too_many(path, (f"{lines:,} lines", f"{lines:,} 行"), max_rows, why, why_ja)
        department, marked_at, header_row = _csv_mark(data, path)
    else:
        department = _xlsx_mark(data)
        limit = None if max_rows is None else limits.Limits(MAX_BYTES, max_rows)
    try:  # the evidence readers: encodings, blank rows, lines
        table = readers.read_table(data, str(path), fmt, header_row=header_row, limit=limit)
    except InputError as exc:  # the sheet's declared (or read) size is over max_rows
        if max_rows is not None and f"more than the limit of {max_rows:,}" in exc.message:
            raise _too_many(path, (f"more than {max_rows:,} rows", f"{max_rows:,} 行を超える行"), max_rows, why,
                            why_ja) from None
        raise
    fields = {h: _HEADERS.get(normalize.nfkc(h).casefold()) for h in table.headers}
    missing = [f for f in ("action_id", "status") if f not in fields.values()]
    if missing:
        raise InputError(path, f"no column for {', '.join(missing)}", line=table.header_line,
                         hint="keep the header row of the exported sheet (措置ID, 状況, 担当者, 進捗メモ, 完了日)",
                         ja=f"{'、'.join(missing)} の列がありません",
                         hint_ja="書き出したシートの見出しの行（措置ID、状況、担当者、進捗メモ、完了日）を残してください")
    rows = [(line, {f: _unneutralise(table.columns[h][i]) for h, f in fields.items() if f})
            for i, line in enumerate(table.lines)]
    return Sheet(rows, department, marked_at)


def sheet_type(path) -> str:
    """'xlsx' or 'csv' by the file's extension; anything else is refused before the register is read."""
    fmt = {".xlsx": "xlsx", ".csv": "csv"}.get(Path(path).suffix.lower())
    if fmt is None and Path(path).suffix.lower() == ".xls":
        raise InputError(path, f"the sheet is {readers.OLD_EXCEL}", hint=readers.OLD_EXCEL_HINT,
                         ja=f"シートは {readers.OLD_EXCEL_JA}", hint_ja=readers.OLD_EXCEL_HINT_JA)
    if fmt is None:
        raise InputError(path, "unknown sheet type", hint="give the .xlsx or .csv file exported by `auditor actions export`",
                         ja="シートの形式が分かりません",
                         hint_ja="`auditor actions export` が書き出した .xlsx か .csv のファイルを指定してください")
    return fmt


def _too_many(path, found: tuple, max_rows: int, why: str, why_ja: str) -> InputError:
    return InputError(path, f"the sheet has {found[0]}; a returned sheet may hold at most {max_rows:,} here ({why}), "
                      "so it was not read",
                      hint="give the sheet `auditor actions export` wrote for this department, filled in",
                      ja=f"シートに {found[1]}があり、行数が多すぎるため読み込みません（ここで受け付けるのは"
                         f" {max_rows:,} 行までです" + (f"。{why_ja}" if why_ja else "") + "）",
                      hint_ja="`auditor actions export` がこの所属に書き出したシートに記入して指定してください")


def _csv_mark(data: bytes, path) -> tuple:
    """(department, line of the marked row, header line) of a .csv; (None, None, None) for an unmarked one."""
    text, _ = readers.decode(data, str(path))
    lines = text.split("\n", 20)
    first = next(csv.reader([lines[0].rstrip("\r")]), [])
    if not first or not normalize.nfkc(first[0]).startswith(MARK.split(" ")[0]):
        return None, None, None
    code, _, name = normalize.nfkc(first[1] if len(first) > 1 else "").partition(" ")
    if not code:
        raise InputError(path, "the marked first row does not name the department the sheet was exported for",
                         line=1, hint=f"restore line 1 as exported ({MARK}, unit code and name), or export the sheet again",
                         ja="1行目に、シートを書き出した所属が読み取れません",
                         hint_ja=f"1行目を書き出したときのとおり（{MARK}、所属コードと所属名）に戻すか、シートを書き出し直してください")
    header = next((n for n, text in enumerate(lines[1:], 2) if text.strip(" ,\t\r")), None)
    return (code, name.strip()), 1, header


def _xlsx_mark(data: bytes):
    """(code, name) from a workbook's document properties, or None when it has none (or is no zip)."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return None
            root = ElementTree.fromstring(z.read(info))
    except Exception:  # noqa: BLE001 - not a zip, no properties, bad XML: the reader says what is wrong
        return None
    found = {p.get("name"): "".join(p.itertext()).strip() for p in root}
    code = normalize.nfkc(found.get(PROPERTIES[0]) or "")
    return (code, normalize.nfkc(found.get(PROPERTIES[1]) or "")) if code else None


def _unneutralise(value):
    if isinstance(value, str):
        if value.startswith("'") and value[1:].startswith(_FORMULA):
            value = value[1:]  # our own neutralising apostrophe
        return value.strip() or None
    return value


def _status(value) -> str:
    key = normalize.nfkc(str(value)).casefold()
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    canonical = normalize.canonical("action_status", value)  # 未着手, 対応中, 完了, 有効性確認済...
    if canonical not in BY_IMPORT:
        raise ValueError(f"unknown status {value!r}")
    return canonical


def changes(sheet: list, register: dict, as_of: dt.date, department: tuple | None = None) -> tuple[list, list]:
    """Validated changes and the problems [(line, English, Japanese)]; any problem means nothing is applied.

    department: (code, name) of the sheet; a row about another department's action is a problem."""
    problems, out, seen = [], [], {}
    for line, row in sheet:
        aid = str(row.get("action_id") or "").strip()
        if not aid:
            problems.append((line, "no action ID", "措置IDがありません"))
            continue
        if aid in seen:
            problems.append((line, f"action {aid} is also on line {seen[aid]}", f"措置 {aid} は {seen[aid]} 行目にもあります"))
            continue
        seen[aid] = line
        a = register.get(aid)
        if a is None:
            problems.append((line, f"unknown action ID {aid}", f"措置ID {aid} は登録簿にありません"))
            continue
        if department is not None and a["department_code"] != department[0]:
            owner = a["department_name"] or a["department_code"]
            problems.append((line, f"{aid} is an action of {owner or 'no department'}, not of {' '.join(department)} "
                                   "whose sheet this is",
                             f"{aid} は {owner or '所属なし'} の措置で、このシートの所属 {' '.join(department)} の措置では"
                             "ありません"))
            continue
        try:
            status = _status(row["status"]) if row.get("status") else a["status"]
        except ValueError:
            allowed = "/".join(LABELS["ja"][s] for s in OPEN)
            problems.append((line, f"unknown status {row['status']!r}: use {allowed}",
                             f"状況「{row['status']}」は使えません。{allowed} のどれかを書いてください"))
            continue
        raw, hidden = blanks.strip(row["completed_on"]) if isinstance(row.get("completed_on"), str) else (None, ())
        if hidden and not raw.strip():  # pasted from a web page or a chat: it would read as "not a date"
            problems.append((line, f"completed on holds only invisible characters ({', '.join(hidden)}): "
                                   "leave it empty or write the day",
                             f"完了日には目に見えない文字（{'、'.join(hidden)}）しかありません。空欄にするか日付を書いてください"))
            continue
        if raw and blanks.is_null(raw):  # 「-」「なし」: typed for "not yet", which an empty cell says
            problems.append((line, f"completed on is {raw.strip()!r}, which is not a day: leave it empty while the "
                                   "action is open, or write the day it was completed",
                             f"完了日の「{raw.strip()}」は日付ではありません。未完了なら空欄のままにし、完了したなら"
                             "完了した日を書いてください"))
            continue
        try:
            done_on = normalize.parse_date(raw if hidden else row.get("completed_on"))
        except ValueError as exc:
            problems.append((line, f"completed on: {exc}", f"完了日: {reason(exc, 'ja')}"))
            continue
        problem = _check(a, status, done_on, as_of)
        if problem:
            problems.append((line, f"{aid}: {problem[0]}", f"{aid}: {problem[1]}"))
            continue
        new = {"status": status, "owner": _text(row.get("owner"), a["owner"]),
               "progress_note": _text(row.get("progress_note"), a["progress_note"]),
               "completed_on": done_on or (a["completed_on"] if status == "done" else None)}
        diff = {k: v for k, v in new.items() if v != a[k]}
        if diff and a["status"] == "verified":
            problems.append((line, f"{aid}: " + _VERIFIED[0], f"{aid}: " + _VERIFIED[1]))
        elif diff:
            out.append({"action_id": aid, "set": diff, "old": a, "line": line})
    return out, problems


def _text(value, current):
    if value is None:
        return current
    return mynumber.mask(unicodedata.normalize("NFC", str(value)))


_VERIFIED = ("already verified (closed): it can no longer be changed", "有効性確認済（完結）のため、もう変更できません")


def _check(a: dict, status: str, done_on, as_of: dt.date) -> tuple[str, str] | None:
    """Why this row cannot be applied (English, Japanese), or None."""
    current = a["status"]
    if current == "verified":
        return None if status == "verified" else _VERIFIED
    if status == "verified":
        return ("a sheet cannot mark an action verified: that skips the effectiveness check (use `auditor actions verify`)",
                "シートでは有効性確認済にできません。有効性の確認を飛ばすことになります（`auditor actions verify` を使います）")
    if status == PENDING and current != PENDING:
        return ("only a recorded audit that no longer finds the finding sets resolved, awaiting verification",
                "解消確認待ちにするのは、指摘が見つからなくなった監査の記録だけです")
    if status not in BY_IMPORT[current]:
        return (f"cannot go from {LABELS['en'][current]} back to {LABELS['en'][status]}",
                f"{LABELS['ja'][current]} から {LABELS['ja'][status]} には戻せません")
    if status == "done" and not (done_on or a["completed_on"]):
        return "status done needs a completion date (完了日)", "完了にするには完了日が必要です"
    if done_on and status != "done":
        return (f"a completion date is given but the status is {LABELS['en'][status]}",
                f"完了日がありますが、状況は {LABELS['ja'][status]} です")
    if done_on and done_on > as_of:
        return f"completion date {done_on} is in the future", f"完了日 {day_text(done_on, 'ja')} は未来の日付です"
    if done_on and done_on < dt.date(a["fiscal_year"], 4, 1):
        return (f"completion date {done_on} is before fiscal year {a['fiscal_year']} in which the finding was raised",
                f"完了日 {day_text(done_on, 'ja')} は、指摘のあった{FiscalYear(a['fiscal_year']).label_ja}より前です")
    return None
