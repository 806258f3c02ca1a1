"""A division's self-assessment sheet (自己点検票, guideline 9.2), made from the audit map: every item
that applies to a 課 (scope department) as a plain yes/no question, read back as evidence of kind
`self_assessments` (unit, submitted_on, item, answer, note) by the normal loader.

Layout (the manifest entry the export prints names sheet and header row):

  sheet      自己点検票 / Self-assessment
  rows 1-4   title: town, fiscal year, division; the division; dates; how to answer
  row 5      the header (HEADER_ROW): 所属 (pre-filled), 提出日, 点検項目, 章/節, 質問 (locked), 回答, 備考
  rows 6..   one row per item

The question is the item's `selfcheck:` text when the map gives one, else made from its title
(「…されている」 becomes 「…されていますか」). An answer is chosen from はい/いいえ/該当なし (yes/no/na).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError
from . import sheets, worksheet

KIND = "self_assessments"
HEADER_ROW = 5
ANSWERS = {"ja": ("はい", "いいえ", "該当なし"), "en": ("yes", "no", "na")}

# key, field of the kind (None: context only), ja label, filled in, width; en label: the field, or EN_LABELS
COLUMNS = (
    ("unit", "unit", "所属", False, 8), ("submitted_on", "submitted_on", "提出日", True, 12),
    ("item", "item", "点検項目", False, 10), ("section", None, "章/節", False, 16),
    ("question", None, "質問", False, 60), ("answer", "answer", "回答", True, 10), ("note", "note", "備考", True, 40),
)
EN_LABELS = {"section": "Section", "question": "Question"}

TEXT = {
    "ja": {"sheet": "自己点検票", "title": "{org} {fy} 情報セキュリティ自己点検票（{who}）", "unit": "所属: {who}",
           "dates": "作成日 {stamp}　監査項目: {map}",
           "how": "記入: 色付きの列。各行の回答を はい・いいえ・該当なし から選び、いいえ・該当なしは備考に理由を、"
                  "提出日には提出する日（各行）を書いてください。{row}行目の見出しと所属・点検項目の列は変更しないでください。",
           "prompt": "はい・いいえ・該当なし から選んでください", "choose": "一覧から選んでください",
           "subject": "自己点検票", "provided_by": "{who}（自己点検）",
           "entry": "# 提出された自己点検票を証跡フォルダに置き、manifest.yaml の files: に追加してください"
                    "（collected_on は受領日に）:"},
    "en": {"sheet": "Self-assessment", "title": "{org} {fy} information-security self-assessment ({who})",
           "unit": "Division: {who}", "dates": "Made on {stamp}. Audit map: {map}",
           "how": "Fill in the shaded columns: answer each row yes, no or na (give the reason for no and na in note) "
                  "and write the day you submit in submitted_on on every row. Do not change the header in row {row} "
                  "or the unit and item columns.",
           "prompt": "yes, no or na", "choose": "choose from the list", "subject": "Self-assessment",
           "provided_by": "{who} (self-assessment)",
           "entry": "# Put the returned self-assessment in the evidence folder and add this to manifest.yaml under "
                    "files: (collected_on: the day it came back):"},
}

# title endings and their question form, the first that matches
_ENDINGS = (("ていない", "ていないことを確認していますか"), ("ている", "ていますか"), ("てある", "てありますか"),
            ("できる", "できますか"), ("する", "していますか"), ("いる", "いますか"), ("ある", "ありますか"),
            ("れる", "れていますか"))


def question(item, lang: str) -> str:
    """The item as a yes/no question: its own `selfcheck:` text, else made from its title."""
    if item.selfcheck:
        return item.selfcheck[lang]
    title = item.title[lang].strip().rstrip("。．.")
    if lang == "en":
        return f"Does this hold for your division? {title}."
    for ending, asked in _ENDINGS:
        if title.endswith(ending):
            return title[: -len(ending)] + asked
    return f"次のとおりですか: {title}"


def items_for(fw, policy) -> list:
    """Every item that applies to a 課 (scope department), answered by rules or by auditors."""
    return [i for i in fw.items if i.scope == "department" and worksheet.enabled(i, policy)]


def write(evidence, policy, fw, dept: worksheet.Auditee, lang: str = "ja", stamp: dt.date | None = None) -> bytes:
    import openpyxl

    stamp = stamp or dt.date.today()
    t = TEXT[lang]
    items = items_for(fw, policy)
    if not items:
        raise InputError("--department", f"no audit item of the map ({worksheet.map_label(fw)}) applies to a "
                         "division (scope: department)",
                         hint="add items with scope: department to the town's audit map (--framework FILE)",
                         ja=f"監査項目の体系（{worksheet.map_label(fw)}）に、課が対象の点検項目（scope: department）がありません",
                         hint_ja="団体の監査項目の体系（--framework FILE）に scope: department の項目を加えてください")
    who = f"{dept.code} {dept.name}"
    org = policy.organisation[lang]
    fy = evidence.fiscal_year.label_ja if lang == "ja" else evidence.fiscal_year.label_en
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t["sheet"]
    rows = [{"unit": dept.code, "item": i.id, "section": worksheet.section_label(fw, i, lang),
             "question": question(i, lang)} for i in items]
    cols = sheets.columns(COLUMNS, EN_LABELS, lang)
    titles = [t["title"].format(org=org, fy=fy, who=who), t["unit"].format(who=who),
              t["dates"].format(stamp=stamp.isoformat(), map=worksheet.map_label(fw)), t["how"].format(row=HEADER_ROW)]
    sheets.table(ws, titles, cols, rows, HEADER_ROW, freeze_at=1)
    from openpyxl.utils import get_column_letter

    col = get_column_letter([c.key for c in cols].index("answer") + 1)
    label = cols[[c.key for c in cols].index("answer")].label
    ws.add_data_validation(sheets.choices(ANSWERS[lang], f"{col}{HEADER_ROW + 1}:{col}{HEADER_ROW + len(rows)}",
                                          label, t["prompt"], t["choose"]))
    moment = sheets.set_properties(wb, stamp, title=t["title"].format(org=org, fy=fy, who=who), subject=t["subject"],
                                   custom={"auditor.worksheet": KIND, "auditor.fiscal_year": evidence.fiscal_year.year,
                                           "auditor.department_code": dept.code, "auditor.department_name": dept.name,
                                           "auditor.framework": worksheet.map_label(fw),
                                           "auditor.header_row": HEADER_ROW})
    return sheets.save(wb, moment)


def export(evidence, policy, fw, dept: worksheet.Auditee, out, lang: str = "ja",
           stamp: dt.date | None = None) -> list[dict]:
    """Write the sheet to OUT (.xlsx) atomically; returns its manifest entry (a list of one)."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise InputError(out, "the self-assessment sheet is an Excel workbook", hint="name the file .xlsx",
                         ja="自己点検シートは Excel のブックです", hint_ja="ファイル名を .xlsx にしてください")
    stamp = stamp or dt.date.today()
    sheets.write(path, write(evidence, policy, fw, dept, lang, stamp))
    return [worksheet.entry(path.name, KIND, TEXT[lang]["provided_by"].format(who=dept.name), stamp,
                            TEXT[lang]["sheet"], HEADER_ROW, sheets.column_map(COLUMNS, lang))]
