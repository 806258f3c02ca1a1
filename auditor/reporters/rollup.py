"""The prefecture roll-up's outputs: rollup.json, rollup.csv (UTF-8 with a BOM, formulas neutralised) and
rollup.html (rollup.html.j2, autoescape), written together into one folder. The document is
auditor/cycle/rollup.py's; it is masked for My Numbers once, before any format renders it."""
from __future__ import annotations

import orjson

from .. import csvwrite, fsio, outputs
from ..errors import InputError, os_reason
from ..privacy import mynumber, sanitize
from .html import environment

FILES = ("rollup.json", "rollup.csv", "rollup.html")
TOP_HTML = 20  # the controls most often failed listed in the HTML; rollup.json lists every one
TEXT = {
    "ja": {"title": "団体別の比較（ロールアップ）", "town": "団体", "fy": "年度", "fy_label": "{fy}年度",
           "results": "結果 {n} 件（{towns} 団体）", "median": "管理策の適合率（中央値）",
           "anonymised": "団体名は仮名（町A、町B…）に置き換えています。",
           "controls": "管理策", "evaluated": "評価数", "compliant": "適合", "failed": "不適合", "rate": "適合率",
           "items": "監査項目", "applicable": "適用項目", "assessed": "評価済", "covered": "網羅率",
           "required_not_met": "必須未達成", "required": "必須項目",
           "per_town": "団体別の適合率と網羅率", "by_chapter": "章別（適合率／網羅率）",
           "by_measure": "省令の措置別（適合率／網羅率）", "chapter": "第{id}章", "measure": "措置{id}",
           "most_failed": "不適合の多い管理策", "control": "管理策", "share": "不適合の割合",
           "top": "上位 {n} 件（全件は rollup.json）", "behind": "必須項目が未達成の団体", "none": "該当なし",
           "note": "適合率: 管理策は適合（例外承認を含む）／評価した管理策（適用外を除く）、監査項目は適合／適用項目。"
                   "網羅率: 評価済の項目／適用項目。監査証跡は読まず、各団体の check 結果のみから集計しています。"},
    "en": {"title": "Comparison of towns (roll-up)", "town": "Town", "fy": "FY", "fy_label": "FY{fy}",
           "results": "{n} results ({towns} towns)", "median": "Controls' compliance rate (median)",
           "anonymised": "Town names are replaced with pseudonyms (Town A, Town B…).",
           "controls": "Controls", "evaluated": "evaluated", "compliant": "compliant", "failed": "failed", "rate": "rate",
           "items": "Audit items", "applicable": "applicable", "assessed": "assessed", "covered": "coverage",
           "required_not_met": "required not met", "required": "required",
           "per_town": "Compliance and coverage per town", "by_chapter": "By chapter (rate / coverage)",
           "by_measure": "By 省令 measure (rate / coverage)", "chapter": "Ch. {id}", "measure": "Measure {id}",
           "most_failed": "Controls most often failed", "control": "Control", "share": "share failed",
           "top": "Top {n} (all in rollup.json)", "behind": "Towns behind on required items", "none": "none",
           "note": "Rate: controls compliant (waivers included) / controls evaluated (not applicable left out); audit "
                   "items compliant / applicable. Coverage: items assessed / applicable. Built from each town's check "
                   "result only; no evidence is read."},
}


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _title(g: dict, lang: str) -> str:
    return g["title"][lang] if isinstance(g.get("title"), dict) and g["title"].get(lang) else ""


def csv_rows(doc: dict, lang: str) -> list[list]:
    """One row per town and fiscal year: the controls' rate, the items' coverage and rate, in total,
    by chapter and by measure, and the required items not met."""
    t = TEXT[lang]
    head = [t["town"], t["fy"], f"{t['controls']} {t['evaluated']}", f"{t['controls']} {t['compliant']}",
            f"{t['controls']} {t['rate']}", f"{t['items']} {t['applicable']}", f"{t['items']} {t['assessed']}",
            f"{t['items']} {t['covered']}", f"{t['items']} {t['compliant']}", f"{t['items']} {t['rate']}",
            t["required"], t["required_not_met"]]
    groups = [("by_chapter", t["chapter"], g) for g in doc["chapters"]] + \
             [("by_measure", t["measure"], g) for g in doc["measures"]]
    for _, label, g in groups:
        name = f"{label.format(id=g['id'])} {_title(g, lang)}".strip()
        head += [f"{name} {t['rate']}", f"{name} {t['covered']}"]
    rows = [head]
    for e in doc["entries"]:
        r, cov = e["rate"], e["coverage"]
        row = [e["name"][lang], e["fiscal_year"], r["evaluated"], r["compliant"], _pct(r["rate"])]
        if cov is None:
            row += [None] * 7 + [None, None] * len(groups)
        else:
            tot = cov["total"]
            row += [tot["applicable"], tot["assessed"], _pct(tot["covered"]), tot["compliant"], _pct(tot["rate"]),
                    cov["required"], len(cov["required_not_met"])]
            for by, _, g in groups:
                x = cov[by].get(g["id"])
                row += [_pct(x["rate"]), _pct(x["covered"])] if x else [None, None]
        rows.append(row)
    return rows


def _cell(value) -> str:
    return sanitize.spreadsheet_cell(sanitize.visible(value))  # =, +, -, @ … shown as text by Excel


def html(doc: dict, lang: str) -> str:
    env = environment()
    return env.get_template("rollup.html.j2").render(doc=sanitize.document(doc), lang=lang, t=TEXT[lang], top=TOP_HTML)


def files(doc: dict, lang: str) -> list[tuple[str, bytes]]:
    """The three files, from the document masked once (town names and titles come from other people's files)."""
    text = mynumber.dumps(doc)  # masked as a whole (every string, when the text holds a number)
    doc = orjson.loads(text)  # the masked document the other two formats render
    data, _ = csvwrite.encode(csv_rows(doc, lang), "utf-8", cell=_cell)
    return [("rollup.json", text.encode("utf-8")), ("rollup.csv", data),
            ("rollup.html", mynumber.mask(html(doc, lang)).encode("utf-8"))]


def write(doc: dict, out, inputs: outputs.Inputs, lang: str) -> list:
    """Write the set into `out` atomically: all three files land, or `out` stays as it was."""
    try:
        staged = fsio.FolderSet(out, lambda path: outputs.check(path, inputs, "--out"))
    except OSError as exc:
        raise InputError(out, f"cannot write the roll-up: {exc.strerror or exc}", hint="choose another --out folder",
                         ja=f"取りまとめを書き込めません（{os_reason(exc, 'ja')}）",
                         hint_ja="別の --out フォルダを指定してください") from None
    with staged:
        for name, data in files(doc, lang):
            staged.write(name, data)
        try:
            staged.commit()
        except OSError as exc:
            raise InputError(out, f"cannot write the roll-up: {exc.strerror or exc}", hint="choose another --out folder",
                             ja=f"取りまとめを書き込めません（{os_reason(exc, 'ja')}）",
                             hint_ja="別の --out フォルダを指定してください") from None
    return [staged.out / name for name in FILES]
