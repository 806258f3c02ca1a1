"""Two recorded runs side by side: new, resolved, persisting and recurred findings, by department.

A finding open in A and absent from B is resolved only if B evaluated its control again; when B
had no evidence for it (or did not evaluate it) it is "not rechecked", never a silent success.
"""
from __future__ import annotations

from . import history

CATEGORIES = ("new", "recurred", "persisting", "resolved", "not_rechecked")
LABELS = {"ja": {"new": "新規", "recurred": "再発", "persisting": "継続", "resolved": "解消",
                 "not_rechecked": "未再確認（証跡なし等）"},
          "en": {"new": "new", "recurred": "recurred", "persisting": "persisting", "resolved": "resolved",
                 "not_rechecked": "not rechecked (no evidence etc.)"}}
EVALUATED = ("pass", "fail", "waived", "stale")
SEVERITY = {"ja": {"major": "重大", "minor": "軽微", "observation": "観察"},
            "en": {"major": "major", "minor": "minor", "observation": "observation"}}


def compare(con, run_a: int, run_b: int) -> dict:
    a, b = history.run_detail(con, run_a), history.run_detail(con, run_b)
    open_a = {f["finding_id"]: f for f in a["findings"] if f["status"] == "open"}
    open_b = {f["finding_id"]: f for f in b["findings"] if f["status"] == "open"}
    status_b = {r["control_id"]: r["status"] for r in b["results"]}
    seen_before = {r[0] for r in con.execute(
        "SELECT DISTINCT finding_id FROM findings WHERE status = 'open' AND run_id IN"
        " (SELECT id FROM runs WHERE fiscal_year < ?)", (a["fiscal_year"],))}
    items = []
    for fid, f in open_b.items():
        if f["recurred"] or (fid not in open_a and fid in seen_before):
            items.append(("recurred", f))
        elif fid in open_a:
            items.append(("persisting", f))
        else:
            items.append(("new", f))
    for fid, f in open_a.items():
        if fid not in open_b:
            items.append(("resolved" if status_b.get(f["control_id"]) in EVALUATED else "not_rechecked", f))
    departments: dict = {}
    for category, f in sorted(items, key=lambda i: (CATEGORIES.index(i[0]), i[1]["finding_id"])):
        key = f["department_code"] or ""
        dept = departments.setdefault(key, {"code": f["department_code"], "name": f["department_name"],
                                            **{c: [] for c in CATEGORIES}})
        dept[category].append({"id": f["finding_id"], "control_id": f["control_id"], "severity": f["severity"],
                               "message": {"ja": f["message_ja"], "en": f["message_en"]}})
    totals = {c: sum(len(d[c]) for d in departments.values()) for c in CATEGORIES}
    return {"a": _summary(a), "b": _summary(b), "totals": totals,
            "departments": [departments[k] for k in sorted(departments)]}


def _summary(run: dict) -> dict:
    return {"run_id": run["id"], "fiscal_year": run["fiscal_year"], "as_of": run["as_of"],
            "recorded_at": run["recorded_at"], "open_findings": sum(f["status"] == "open" for f in run["findings"])}


HEAD = {"ja": {"head": "比較: 実行 {a}（{fy_a}、未対応の指摘 {n_a} 件）→ 実行 {b}（{fy_b}、未対応の指摘 {n_b} 件）",
               "whole": "組織全体", "sep": "、"},
        "en": {"head": "Compare: run {a} ({fy_a}, {n_a} open) -> run {b} ({fy_b}, {n_b} open)",
               "whole": "organisation-wide", "sep": ", "}}


def render_text(doc: dict, lang: str = "ja") -> str:
    from ..fiscal import FiscalYear

    t, h = LABELS[lang], HEAD[lang]
    a, b = doc["a"], doc["b"]

    def fy(year):
        return FiscalYear(int(year)).label_ja if lang == "ja" else f"FY{year}"

    lines = [h["head"].format(a=a["run_id"], fy_a=fy(a["fiscal_year"]), n_a=a["open_findings"], b=b["run_id"],
                              fy_b=fy(b["fiscal_year"]), n_b=b["open_findings"]),
             "  " + h["sep"].join(f"{t[c]} {doc['totals'][c]}" for c in CATEGORIES)]
    for d in doc["departments"]:
        name = d["name"] or h["whole"]
        counts = h["sep"].join(f"{t[c]} {len(d[c])}" for c in CATEGORIES if d[c])
        code = (f"（{d['code']}）" if lang == "ja" else f" ({d['code']})") if d["code"] else ""
        lines.append(f"■ {name}{code}: {counts}")
        for c in CATEGORIES:
            for f in d[c]:
                lines.append(f"  [{t[c]}] {SEVERITY[lang][f['severity']]}  {f['id']}  {f['message'][lang]}")
    return "\n".join(lines) + "\n"
