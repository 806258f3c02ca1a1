"""`auditor coverage`: what the audit covered, by chapter, section, 省令 measure or item, or through
another framework (ISO/IEC 27001 Annex A, NIST CSF 2.0). Thin: engine/coverage.py does the counting."""
from __future__ import annotations

import sys

import click

from .options import _common, _framework_paths, _input_errors, _limit_options, _paths, lang_option

VIEWS = ("guideline", "shorei", "iso27001", "nist-csf")


@click.command("coverage")
@_common
@click.option("--by", "by", type=click.Choice(["chapter", "section", "measure", "item"]), default="chapter",
              show_default=True, help="Group the audit items by chapter, section, 省令 measure, or list each item.")
@click.option("--framework", "lens", multiple=True, metavar="VIEW|FILE",
              help="A view (guideline, shorei, iso27001, nist-csf), or the town's audit-map file or folder "
                   "(repeatable; read after the shipped map).")
@click.option("--department", metavar="CODE", help="Only this department's items and results.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@lang_option
@_limit_options
@_input_errors
def coverage_command(policy, evidence, controls, by, lens, department, fmt, lang, limits):
    """What the audit assessed (by rules, by auditors) and what it did not, item by item of the audit map."""
    from ..engine import audit, coverage
    from ..errors import InputError

    views = [v for v in lens if v in VIEWS]
    if len(views) > 1:
        raise InputError("--framework", f"choose one view, not {', '.join(views)}",
                         ja=f"見方は 1 つだけ指定してください（{'、'.join(views)} のどれか）")
    view = views[0] if views else "guideline"
    paths = _paths(policy, evidence, controls)
    maps = _framework_paths([p for p in lens if p not in VIEWS], paths[2])
    run = audit.run(*paths, limits=limits, frameworks=maps)
    if department is not None:
        code = run.evidence.unit_code(department)
        if code not in run.evidence.units:
            raise InputError("--department", f"unknown department {department}",
                             hint="known: " + ", ".join(sorted(run.evidence.units)), ja=f"所属 {department} はありません",
                             hint_ja="所属の一覧: " + "、".join(sorted(run.evidence.units)))
        department = code
    doc = coverage.summary(run, department, by="section" if by == "section" else "measure" if by == "measure"
                           else "chapter", view=view)
    doc["organisation"] = dict(run.policy.organisation)
    doc["fiscal_year"] = run.evidence.fiscal_year.year
    if fmt == "json":
        from .options import _dump
        return _dump(doc)
    from ..engine.coverage import required_groups
    from .i18n import catalogue

    t = catalogue()["coverage"][lang]
    shown = "item" if by == "item" else view if view != "guideline" else by if by != "chapter" else "guideline"
    if fmt == "csv":
        return _csv(doc, t, lang, by == "item")
    fy = run.evidence.fiscal_year.label_ja if lang == "ja" else run.evidence.fiscal_year.label_en
    out = [t["head"].format(org=run.policy.organisation[lang], fy=fy, map=run.framework.title[lang],
                            view=t["views"][shown]), ""]
    rows = _item_rows(doc, t, lang) if by == "item" else _group_rows(doc, t, lang)
    out += _table(rows)
    out += ["", t["note"]]
    missing = doc["total"]["required_not_met"]
    grouped = missing and by != "item" and required_groups(doc["groups"], missing)
    sep = "、" if lang == "ja" else ", "
    if grouped:  # by chapter or section: each line one group, so an office sees whose items they are
        out.append(t["required_head"].format(n=len(missing)))
        out += [f"  {_label(g, t, lang, shown)}: {sep.join(ids)}" for g, ids in grouped]
    elif missing:
        out.append(t["required"].format(ids=sep.join(missing)))
    click.echo("\n".join(out))
    sys.exit(0)


def _label(g: dict, t: dict, lang: str, view: str) -> str:
    title = g["title"][lang] if g.get("title") else ""
    extra = t["transition"] if g.get("transition") else t["derived"].get(view, "") if g.get("derived") else ""
    return f"{g['id']} {title}{extra}".strip()


def _rate(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _counts(g: dict) -> list:
    return [g["applicable"], g["not_applicable"], g["assessed"], g["rules"], g["auditor"], g["not_assessed"],
            g["compliant"], g["failed"], _rate(g["rate"])]


def _group_rows(doc: dict, t: dict, lang: str) -> list:
    rows = [list(t["cols"])]
    rows += [[_label(g, t, lang, doc["view"]), *_counts(g)] for g in doc["groups"]]
    rows.append([t["total"], *_counts(doc["total"])])
    return rows


def _item_rows(doc: dict, t: dict, lang: str) -> list:
    from ..model import STATUS_LABELS

    rows = [list(t["item_cols"])]
    for r in doc["items"]:
        rows.append([r["id"], r["section"], "○" if r["required"] else "", t["assessment"][r["assessment"]],
                     STATUS_LABELS[lang].get(r["status"], r["status"]), r["title"][lang]])
    return rows


def _table(rows: list) -> list:
    from ..reporters.text import pad, width

    cols = [max(width(str(r[i])) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join(pad(str(v), cols[i]) if i < len(cols) else str(v) for i, v in enumerate(r)).rstrip() for r in rows]


def _csv(doc: dict, t: dict, lang: str, by_item: bool) -> None:
    from .. import csvwrite
    from .console import machine

    rows = _item_rows(doc, t, lang) if by_item else _group_rows(doc, t, lang)
    data, _ = csvwrite.encode(rows, "utf-8")
    machine(data.decode("utf-8-sig"))
    sys.exit(0)
