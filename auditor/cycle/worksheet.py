"""The auditors' worksheet (監査チェックリスト): the audit map's manual items for each auditee, with the
automated results of the same audit beside them, to be filled in by the auditors and read back as
evidence of kind `audit_checklist` (auditor/schemas/kinds/audit_checklist.json) by the normal loader.

Layout (the manifest entry the export prints names sheet and header row):

  sheet      one: 監査チェックリスト / Audit checklist (a file is one manifest entry: the history
             database and `verify` know an evidence file by its path)
  rows 1-4   title: town, fiscal year, auditees; the auditees again; dates and the audit map; how to fill it in
  row 5      the header (HEADER_ROW)
  rows 6..   one row per item and auditee, the organisation's first, then each department's in the
             order asked: 項目ID, 所属 (pre-filled), 被監査部署, 章/節, 監査項目, 必須, 監査資料の例,
             自動評価の結果 (locked context), then 判定, 重要度, 監査人, 確認日, 確認した証跡, 所見 (filled in)

所属 holds the auditee's unit code on every row (for the organisation: the CISO office's, the
policy's `secretariat`, or blank without one), so the file needs no option to be read. The English
sheet's filled-in columns are headed by the kind's field names, so it needs no `columns:` map.
What the answers mean for the audit's results is the engine's (auditor/engine/), not this module's.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import scoring
from ..errors import InputError
from ..model import STATUS_LABELS
from . import sheets
from .progress import SEVERITY

KIND = "audit_checklist"
HEADER_ROW = 5
RESULTS = ("conforms", "partial", "nonconforming", "not_applicable", "unchecked")
RESULT_LABELS = {"ja": {"conforms": "適合", "partial": "一部適合", "nonconforming": "不適合",
                        "not_applicable": "該当なし", "unchecked": "未確認"},
                 "en": {r: r for r in RESULTS}}  # the kind's own words: read back as they are
SEVERITY_LABELS = {"ja": SEVERITY["ja"], "en": SEVERITY["en"]}

# key, field of the kind (None: context only), ja label, filled in, width; en label: the field, or EN_LABELS
COLUMNS = (
    ("item", "item", "項目ID", False, 10), ("unit", "unit", "所属", False, 8),
    ("auditee", None, "被監査部署", False, 12), ("section", None, "章/節", False, 16), ("title", None, "監査項目", False, 40),
    ("required", None, "必須", False, 6), ("manual", None, "監査資料の例", False, 30),
    ("automated", None, "自動評価の結果", False, 34),
    ("result", "result", "判定", True, 11), ("severity", "severity", "重要度", True, 13),
    ("auditor", "auditor", "監査人", True, 12), ("checked_on", "checked_on", "確認日", True, 12),
    ("evidence_reviewed", "evidence_reviewed", "確認した証跡", True, 30), ("note", "note", "所見", True, 40),
)
EN_LABELS = {"auditee": "Auditee", "section": "Section", "title": "Audit item", "required": "Required",
             "manual": "What to look at",
             "automated": "Automated results"}

TEXT = {
    "ja": {"sheet": "監査チェックリスト", "organisation": "全庁", "title": "{org} {fy} 監査チェックリスト（{who}）",
           "auditees": "被監査部署: {who}", "org_unit": "（全庁の項目は所属欄 {unit}）", "and": "、",
           "dates": "作成日 {stamp}　自動評価の結果は証跡（基準日 {as_of}）による参考です　監査項目: {map}",
           "how": "記入: 色付きの列（判定・重要度・監査人・確認日・確認した証跡・所見）。判定と重要度は一覧から選びます"
                  "（重要度は空欄なら項目の既定）。{row}行目の見出し、項目ID・所属の列、行の並びは変更しないでください。",
           "required": "必須", "no_controls": "（自動評価なし）", "not_run": "結果なし（管理策が評価されていません）",
           "not_concerned": "この部署の評価対象なし", "findings": "（指摘 {n} 件）",
           "result_prompt": "適合・一部適合・不適合・該当なし・未確認 から選んでください",
           "severity_prompt": "空欄のときは項目の既定: {default}", "choose": "一覧から選んでください",
           "provided_by": "監査人（情報セキュリティ監査）", "subject": "監査チェックリスト",
           "entry": "# 記入された監査チェックリストを証跡フォルダに置き、manifest.yaml の files: に追加してください"
                    "（collected_on は受領日に）:"},
    "en": {"sheet": "Audit checklist", "organisation": "Organisation", "title": "{org} {fy} audit checklist ({who})",
           "auditees": "Auditees: {who}", "org_unit": " (organisation-wide items: unit {unit})", "and": ", ",
           "dates": "Made on {stamp}. Automated results are for reference, from the evidence as of {as_of}. "
                    "Audit map: {map}",
           "how": "Fill in the shaded columns (result, severity, auditor, checked_on, evidence_reviewed, note); choose "
                  "result and severity from the list (blank severity: the item's default). Do not change the header "
                  "in row {row}, the item and unit columns, or the order of the rows.",
           "required": "required", "no_controls": "(no automated control)",
           "not_run": "no result (control not evaluated)",
           "not_concerned": "nothing of this auditee checked", "findings": " ({n} finding(s))",
           "result_prompt": "conforms, partial, nonconforming, not_applicable or unchecked",
           "severity_prompt": "blank: the item's default, {default}", "choose": "choose from the list",
           "provided_by": "auditors (information-security audit)", "subject": "Audit checklist",
           "entry": "# Put the filled-in checklist in the evidence folder and add this to manifest.yaml under files: "
                    "(collected_on: the day it came back):"},
}


@dataclass(frozen=True)
class Auditee:
    """Whom a sheet is for: a department (its unit code), or the organisation (code None)."""
    code: str | None
    name: str
    unit: str | None  # the 所属 written on every row: the department's code, or the CISO office's

    @property
    def organisation(self) -> bool:
        return self.code is None


def department(evidence, wanted, option: str = "--department") -> Auditee:
    """The department `wanted` names (unit code or name, as in org_units); InputError listing the known ones."""
    code = evidence.unit_code(str(wanted).strip())
    if code not in evidence.units:
        known = [f"{c} {u.get('name') or ''}".strip() for c, u in sorted(evidence.units.items())]
        shown = ", ".join(known[:40]) + (f", … ({len(known)} in all)" if len(known) > 40 else "")
        shown_ja = "、".join(known[:40]) + (f"、…（全 {len(known)} 件）" if len(known) > 40 else "")
        raise InputError(option, f"unknown department {wanted}",
                         hint=f"give a unit code or name of org_units: {shown}" if known else
                         "the evidence has no org_units file to name departments by",
                         ja=f"所属 {wanted} は組織マスタにありません",
                         hint_ja=f"org_units にある所属コードか所属名を指定してください（{shown_ja}）" if known else
                         "証跡に、所属を引ける org_units のファイルがありません")
    return Auditee(code, evidence.unit_name(code) or code, code)


def organisation(evidence, policy) -> Auditee:
    code = evidence.unit_code(policy.secretariat) if policy.secretariat else None
    return Auditee(None, "", str(code) if code else None)


def _setting(item, policy) -> dict:
    return (policy.settings.get("items") or {}).get(item.id) or {}


def enabled(item, policy) -> bool:
    """False when the policy takes the item out of scope (items: {ID: {enabled: false}})."""
    return _setting(item, policy).get("enabled", True) is not False


def severity(item, policy) -> str:
    """The severity of a finding from an answer with no 重要度: the policy's for the item, else the map's."""
    return _setting(item, policy).get("severity") or item.severity


def items_for(fw, policy, auditee: Auditee) -> list:
    """The manual items that apply to the auditee: organisation-wide ones, or a department's."""
    scope = "organisation" if auditee.organisation else "department"
    return [i for i in fw.items if i.manual and i.scope == scope and enabled(i, policy)]


def _who(auditee: Auditee, lang: str, named: bool = False) -> str:
    if auditee.organisation:
        return TEXT[lang]["organisation"]
    return auditee.name if named else f"{auditee.code} {auditee.name}"


def section_label(fw, item, lang: str) -> str:
    sec = next((s for s in fw.sections if s.id == item.section), None)
    return f"{item.section} {sec.title[lang]}" if sec and sec.title[lang] != item.section else item.section


def automated(item, results: dict, auditee: Auditee, secretariat, lang: str) -> str:
    """One line per control of the item: its status for the auditee, and how many open findings."""
    t = TEXT[lang]
    lines = []
    for cid in item.controls:
        r = results.get(cid)
        if r is None:
            lines.append(f"{cid}: {t['not_run']}")
            continue
        status = r.status if auditee.organisation else scoring.department_status(r, auditee.code, secretariat)
        label = t["not_concerned"] if status is None else STATUS_LABELS[lang].get(status, status)
        n = len([f for f in r.open_findings() if auditee.organisation or f.department_code == auditee.code])
        lines.append(f"{cid} {r.control.title[lang]}: {label}" + (t["findings"].format(n=n) if n else ""))
    return "\n".join(lines) or t["no_controls"]


def rows_for(run, fw, auditee: Auditee, lang: str) -> list[dict]:
    results = {r.control_id: r for r in run.results}
    secretariat = run.evidence.unit_code(run.policy.secretariat) if run.policy.secretariat else None
    bullet = "・" if lang == "ja" else "• "
    return [{"item": i.id, "unit": auditee.unit, "auditee": _who(auditee, lang, named=True),
             "section": section_label(fw, i, lang), "title": i.title[lang],
             "required": TEXT[lang]["required"] if i.required else None,
             "manual": "\n".join(bullet + m[lang] for m in i.manual),
             "automated": automated(i, results, auditee, secretariat, lang),
             "severity_default": severity(i, run.policy)}
            for i in items_for(fw, run.policy, auditee)]


def column_map(lang: str) -> dict:
    return sheets.column_map(COLUMNS, lang)


def map_label(fw) -> str:
    return f"{fw.id}" + (f" ({fw.revision})" if fw.revision else "")


def write(run, fw, auditees: list, lang: str = "ja", stamp: dt.date | None = None) -> bytes:
    """The workbook: one sheet, the auditees' rows one after the other; InputError when an auditee has no item."""
    import openpyxl

    stamp = stamp or dt.date.today()
    t = TEXT[lang]
    org = run.policy.organisation[lang]
    fy = run.evidence.fiscal_year.label_ja if lang == "ja" else run.evidence.fiscal_year.label_en
    rows = []
    for auditee in auditees:
        mine = rows_for(run, fw, auditee, lang)
        if not mine:
            scope = "organisation" if auditee.organisation else "department"
            raise InputError("--organisation" if auditee.organisation else "--department",
                             f"no audit item of the map ({map_label(fw)}) applies to {_who(auditee, 'en')}: none is "
                             f"answered by auditors with scope {scope}",
                             hint="add items with manual: and scope: to the town's audit map (--framework FILE)",
                             ja=f"監査項目の体系（{map_label(fw)}）に、{_who(auditee, 'ja')}に当たる監査項目がありません"
                                f"（scope: {scope} で監査人が答える項目がありません）",
                             hint_ja="団体の監査項目の体系（--framework FILE）に manual: と scope: を書いた項目を加えてください")
        rows += mine
    who = t["and"].join(_who(a, lang) for a in auditees)
    org_unit = next((a.unit for a in auditees if a.organisation and a.unit), None)
    head = t["auditees"].format(who=who) + (t["org_unit"].format(
        unit=f"{org_unit} {run.evidence.unit_name(org_unit) or ''}".strip()) if org_unit else "")
    titles = [t["title"].format(org=org, fy=fy, who=who), head,
              t["dates"].format(stamp=stamp.isoformat(), as_of=run.evidence.as_of.isoformat(), map=map_label(fw)),
              t["how"].format(row=HEADER_ROW)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t["sheet"]
    cols = sheets.columns(COLUMNS, EN_LABELS, lang)
    sheets.table(ws, titles, cols, rows, HEADER_ROW, freeze_at=3)
    _drop_downs(ws, cols, rows, lang)
    moment = sheets.set_properties(
        wb, stamp, title=titles[0], subject=t["subject"],
        custom={"auditor.worksheet": KIND, "auditor.fiscal_year": run.evidence.fiscal_year.year,
                "auditor.auditees": ",".join(a.code or "organisation" for a in auditees),
                "auditor.framework": map_label(fw), "auditor.header_row": HEADER_ROW})
    return sheets.save(wb, moment)


def _drop_downs(ws, cols: list, rows: list, lang: str) -> None:
    from openpyxl.utils import get_column_letter

    t = TEXT[lang]
    letter = {c.key: get_column_letter(i) for i, c in enumerate(cols, 1)}
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    col = letter["result"]
    ws.add_data_validation(sheets.choices(RESULT_LABELS[lang].values(), f"{col}{first}:{col}{last}",
                                          cols[[c.key for c in cols].index("result")].label, t["result_prompt"],
                                          t["choose"]))
    col = letter["severity"]
    for default in dict.fromkeys(r["severity_default"] for r in rows):  # one prompt per default severity
        cells = [f"{col}{n}" for n, r in enumerate(rows, first) if r["severity_default"] == default]
        ws.add_data_validation(sheets.choices(SEVERITY_LABELS[lang].values(), cells,
                                              cols[[c.key for c in cols].index("severity")].label,
                                              t["severity_prompt"].format(default=SEVERITY_LABELS[lang][default]),
                                              t["choose"]))


def export(run, fw, auditees: list, out, lang: str = "ja", stamp: dt.date | None = None) -> list[dict]:
    """Write the worksheet to OUT (.xlsx) atomically; returns the manifest entry (a list of one) that lists
    it as evidence once filled in."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise InputError(out, "the worksheet is an Excel workbook", hint="name the file .xlsx",
                         ja="監査ワークシートは Excel のブックです", hint_ja="ファイル名を .xlsx にしてください")
    stamp = stamp or dt.date.today()
    sheets.write(path, write(run, fw, auditees, lang, stamp))
    return [entry(path.name, KIND, TEXT[lang]["provided_by"], stamp, TEXT[lang]["sheet"], HEADER_ROW, column_map(lang))]


def entry(path: str, kind: str, provided_by: str, stamp: dt.date, sheet: str, header_row: int, cols: dict) -> dict:
    found = {"path": path, "kind": kind, "provided_by": provided_by, "collected_on": stamp.isoformat(),
             "sheet": sheet, "header_row": header_row}
    return dict(found, columns=cols) if cols else found


def manifest_text(entries: list[dict], lang: str, note: str | None = None) -> str:
    """The entries as YAML lines for manifest.yaml's files: list (strings JSON-quoted: valid YAML)."""
    out = [note or TEXT[lang]["entry"]]
    for e in entries:
        lines = []
        for key, value in e.items():
            if isinstance(value, dict):
                value = "{" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in value.items()) + "}"
            else:
                value = _q(value)
            lines.append(f"{key}: {value}")
        out += ["- " + lines[0], *("  " + line for line in lines[1:])]
    return "\n".join(out) + "\n"


_PLAIN = re.compile(r"[^\s:#{}\[\],&*!|>'\"%@`?-][^:#{}\[\],]*")
_NOT_TEXT = re.compile(r"[-+.\d_:eExXoO]*|true|false|yes|no|on|off|null|~", re.I)  # YAML would read a number or boolean


def _q(value) -> str:
    """A YAML scalar: plain where that reads back as the same text, else JSON-quoted (valid YAML)."""
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):  # a date: YAML reads it as one, as the manifest expects
        return text
    if _PLAIN.fullmatch(text) and text == text.strip() and not _NOT_TEXT.fullmatch(text) and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)
