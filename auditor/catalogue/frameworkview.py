"""The audit map as `auditor framework list` and `framework show` give it: a plain document (for JSON)
and its text in Japanese or English. `controls`: control ID -> Control, to name the controls' titles."""
from __future__ import annotations

from . import crosswalk
from ..errors import InputError

WORDS = {
    "ja": {"chapter": "第{id}章 {title}", "measure": "措置{id} {title}", "transition": "（経過措置あり）",
           "required": "必須", "rules": "管理策", "auditor": "監査人", "both": "管理策と監査人",
           "organisation": "組織全体", "department": "課ごと", "yes": "はい", "no": "いいえ",
           "counts": "章 {chapters}・節 {sections}・監査項目 {items}（管理策 {rules}・監査人 {auditor}・両方 {both}）",
           "k_chapter": "章", "k_section": "節", "k_measure": "措置", "k_required": "必須", "k_scope": "対象",
           "k_severity": "重要度", "k_assessed": "評価方法", "k_controls": "管理策", "k_manual": "監査資料",
           "k_refs": "参照", "k_file": "ファイル", "k_items": "監査項目", "none": "なし",
           "major": "重大", "minor": "軽微", "observation": "観察"},
    "en": {"chapter": "Chapter {id} {title}", "measure": "measure {id} {title}", "transition": " (transition rules)",
           "required": "required", "rules": "rules", "auditor": "auditor", "both": "rules and auditor",
           "organisation": "organisation", "department": "per division", "yes": "yes", "no": "no",
           "counts": "{chapters} chapters, {sections} sections, {items} audit items ({rules} by rules, "
                     "{auditor} by an auditor, {both} by both)",
           "k_chapter": "chapter", "k_section": "section", "k_measure": "measure", "k_required": "required",
           "k_scope": "scope", "k_severity": "severity", "k_assessed": "assessed by", "k_controls": "controls",
           "k_manual": "documents", "k_refs": "references", "k_file": "file", "k_items": "audit items", "none": "none",
           "major": "major", "minor": "minor", "observation": "observation"},
}


def _measure(fw, number) -> dict | None:
    m = fw.measure(number) if number is not None else None
    return {"id": m.id, "title": m.title, "transition": m.transition} if m else None


def item_doc(item, controls: dict, shown=str) -> dict:
    return {"id": item.id, "title": item.title, "chapter": item.chapter, "section": item.section,
            "measure": item.measure, "required": item.required, "scope": item.scope, "severity": item.severity,
            "assessed_by": item.assessed_by,
            "controls": [{"id": c, "title": controls[c].title if c in controls else None} for c in item.controls],
            "manual": [dict(m) for m in item.manual], "refs": item.refs, "file": shown(item.path), "line": item.line}


def outline(fw, controls: dict, shown=str) -> dict:
    """The whole map: chapters -> sections -> items, with counts of how the items are assessed."""
    by = {k: sum(1 for i in fw.items if i.assessed_by == k) for k in ("rules", "auditor", "both")}
    return {"framework": {"id": fw.id, "title": fw.title, "revision": fw.revision},
            "files": [{"file": shown(p), "sha256": h} for p, h in fw.files],
            "counts": {"chapters": len(fw.chapters), "sections": len(fw.sections), "items": len(fw.items), **by},
            "measures": [_measure(fw, m.id) for m in fw.measures],
            "chapters": [_chapter(fw, c, controls, shown) for c in fw.chapters]}


def _chapter(fw, chapter, controls, shown) -> dict:
    return {"id": chapter.id, "title": chapter.title, "measure": chapter.measure,
            "sections": [_section(fw, s, controls, shown) for s in fw.sections_in(chapter.id)]}


def _section(fw, section, controls, shown) -> dict:
    return {"id": section.id, "title": section.title, "chapter": section.chapter, "measure": section.measure,
            "items": [item_doc(i, controls, shown) for i in fw.items_in(section.id)]}


def describe(fw, ident: str, controls: dict, shown=str) -> dict:
    """One item, section or chapter by its ID (an item's ID in any case), with its context."""
    item = fw.item(ident) or fw.item(ident.upper())
    if item is not None:
        doc = item_doc(item, controls, shown)
        doc["chapter"] = {"id": item.chapter, "title": fw.chapter(item.chapter).title}
        doc["section"] = {"id": item.section, "title": fw.section(item.section).title}
        doc["measure"] = _measure(fw, item.measure)
        for c in doc["controls"]:
            c["severity"] = controls[c["id"]].severity if c["id"] in controls else None
        return {"kind": "item", **doc}
    section = fw.section(ident)
    if section is not None:
        doc = _section(fw, section, controls, shown)
        doc["chapter"] = {"id": section.chapter, "title": fw.chapter(section.chapter).title}
        doc["measure"] = _measure(fw, section.measure)
        return {"kind": "section", **doc}
    chapter = fw.chapter(ident) or fw.chapter(ident.removeprefix("第").removesuffix("章"))
    if chapter is not None:
        doc = _chapter(fw, chapter, controls, shown)
        doc["measure"] = _measure(fw, chapter.measure)
        return {"kind": "chapter", **doc}
    raise InputError("ID", f"no audit item, section or chapter {ident} in the audit map",
                     hint="see `auditor framework list`", ja=f"監査項目の体系に監査項目・節・章 {ident} はありません",
                     hint_ja="一覧は `auditor framework list` で確かめられます")


def _brief(item: dict, lang: str, w: dict) -> str:
    flag = f"{w['required']} " if item["required"] else ""
    ids = f" ({', '.join(c['id'] for c in item['controls'])})" if item["controls"] else ""
    return f"{item['id']} {flag}[{w[item['assessed_by']]}] {item['title'][lang]}{ids}"


def _measure_text(m: dict | None, lang: str, w: dict, labelled: bool = False) -> str:
    if m is None:
        return w["none"]
    text = f"{m['id']} {m['title'][lang]}" if labelled else w["measure"].format(id=m["id"], title=m["title"][lang])
    return text + (w["transition"] if m["transition"] else "")


def render_outline(doc: dict, lang: str) -> str:
    w = WORDS[lang]
    head = doc["framework"]
    measures = {m["id"]: m for m in doc["measures"]}
    lines = [f"{head['title'][lang] if head['title'] else head['id']} ({head['id']}"
             + (f", {head['revision']})" if head["revision"] else ")"), w["counts"].format(**doc["counts"])]
    for ch in doc["chapters"]:
        lines += ["", w["chapter"].format(id=ch["id"], title=ch["title"][lang])
                  + f" [{_measure_text(measures.get(ch['measure']), lang, w)}]"]
        for sec in ch["sections"]:
            lines.append(f"  {sec['id']} {sec['title'][lang]}")
            lines += [f"    {_brief(i, lang, w)}" for i in sec["items"]]
    return "\n".join(lines) + "\n"


def render_described(doc: dict, lang: str) -> str:
    w = WORDS[lang]
    lines = [f"{doc['id']} {doc['title'][lang]}"] if doc["kind"] != "chapter" else \
        [w["chapter"].format(id=doc["id"], title=doc["title"][lang])]
    if doc["kind"] != "chapter":
        lines.append(f"  {w['k_chapter']}: {doc['chapter']['id']} {doc['chapter']['title'][lang]}")
    if doc["kind"] == "item":
        lines.append(f"  {w['k_section']}: {doc['section']['id']} {doc['section']['title'][lang]}")
    lines.append(f"  {w['k_measure']}: {_measure_text(doc['measure'], lang, w, labelled=True)}")
    if doc["kind"] == "item":
        lines += [f"  {w['k_required']}: {w['yes'] if doc['required'] else w['no']}",
                  f"  {w['k_scope']}: {w[doc['scope']]}", f"  {w['k_severity']}: {w[doc['severity']]}",
                  f"  {w['k_assessed']}: {w[doc['assessed_by']]}", f"  {w['k_controls']}:"]
        lines += [f"    {c['id']} {c['title'][lang] if c['title'] else ''} ({w.get(c['severity'], c['severity'])})"
                  for c in doc["controls"]] or [f"    {w['none']}"]
        lines.append(f"  {w['k_manual']}:")
        lines += [f"    - {m[lang]}" for m in doc["manual"]] or [f"    {w['none']}"]
        lines.append(f"  {w['k_refs']}:")
        lines += [f"    {r}" for r in crosswalk.render(doc["refs"], lang)] or [f"    {w['none']}"]
        lines.append(f"  {w['k_file']}: {doc['file']}:{doc['line']}")
    elif doc["kind"] == "section":
        lines.append(f"  {w['k_items']}:")
        lines += [f"    {_brief(i, lang, w)}" for i in doc["items"]]
    else:
        for sec in doc["sections"]:
            lines.append(f"  {sec['id']} {sec['title'][lang]}")
            lines += [f"    {_brief(i, lang, w)}" for i in sec["items"]]
    return "\n".join(lines) + "\n"
