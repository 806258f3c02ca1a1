"""The first page of the Word report (auditor/reporters/docx.py), after the 決裁欄 and the title: the
summary of auditor/reporters/summary.py, a department's or the organisation's executive summary."""
from __future__ import annotations

import datetime as dt

from . import docxstyle as ds
from ..fiscal import day_text
from .labels import fy_ja
from .office import pct

SEVERITIES = ("major", "minor", "observation")


def _rate(t: dict, r: dict) -> str:
    return f"{pct(r['rate'])}{t['lp']}{r['compliant']}/{r['evaluated']}{t['rp']}"


def _due(x: dict) -> str:
    return (x.get("due_on") or "—") + (f" → {x['extended_to']}" if x.get("extended_to") else "")


def _table(w, columns: list, rows: list, header_row: bool = True) -> None:
    """A small table with no empty paragraph after it (a heading or a paragraph always follows): the page is full."""
    ds.table(w.d, columns, rows, small=True, header_row=header_row, label_column=not header_row)


def summary(w) -> None:
    s, t = w.doc.get("summary"), w.t
    if not isinstance(s, dict) or s.get("kind") not in ("department", "organisation"):
        return  # a document without a summary, or of a shape this version does not know
    # level 2 and 3: with the 決裁欄 and the title it all fits the first page
    w.heading(t["heads"]["summary"] if s["kind"] == "department" else t["heads"]["summary_org"], 2)
    if s["kind"] == "department":
        _department(w, s)
    else:
        _organisation(w, s)


def _department(w, s: dict) -> None:
    t, lang = w.t, w.lang
    k = t["summary"]
    w.para("", bold_lead=s["request"][lang])
    counts = t["sep"].join(f"{t['severity_short'][sev]} {s['open'][sev]}" for sev in SEVERITIES)
    w.heading(f"{k['findings']}{t['lp']}{counts}{t['rp']}", 3)
    if s["findings"]:
        rows = []
        for x in s["findings"]:
            grade = t["severity_short"][x["severity"]] + (f"{t['lp']}{k['recurred']}{t['rp']}" if x["recurred"] else "")
            status = t["status"].get(x["action_status"], "—") if x["action_status"] else "—"
            if x["action_status"] == "carried_over":
                reg = t["register_status"].get(x["register_status"], x["register_status"] or "—")
                fy = x["raised_in"]
                raised = f"{t['sep']}{t['act']['raised_in'].format(fy=fy, fy_ja=fy_ja(fy))}" if fy else ""
                status += f"{t['lp']}{reg}{raised}{t['rp']}"
            what = [x["message"][lang], f"{k['required']}: {x['control_id']} {x['control_title'][lang]}"]
            rows.append([x["finding_id"], grade, what, _due(x), status])
        _table(w, [(k["finding"], 36, "l"), (t["check"]["grade"], 13, "l"), (k["what"], 70, "l"), (k["due"], 22, "l"),
                 (k["action"], 24, "l")], rows)
    w.heading(k["previous"], 3)
    if not s["register_provided"]:
        w.para(t["act"]["no_register"])
    elif s["previous"]:
        rows = []
        for x in s["previous"]:
            state = t["action_state"][x["state"]]
            if x["questioned_by"]:
                state += f"{t['lp']}{t['act']['questioned_by']}: {', '.join(x['questioned_by'])}{t['rp']}"
            rows.append([x["action_id"] or "—", x["finding_id"] or "—", _due(x), state])
        _table(w, [(t["act"]["action_id"], 50, "l"), (t["act"]["finding"], 45, "l"), (t["act"]["due_on"], 35, "l"),
                 (t["act"]["state"], 35, "l")], rows)
    else:
        w.para(k["previous_none"])
    w.heading(k["rates"], 3)
    r = s["rates"]
    own = _rate(t, r["department"])
    if r["last_year"]:
        own += f"{t['sep']}{k['last_year']} {_rate(t, r['last_year'])}"
    _table(w, [("", 40, "l"), ("", 125, "l")], [[k["this_department"], own], [k["organisation"], _rate(t, r["organisation"])],
                                             [k["why"], s["comparison"][lang]]], header_row=False)
    note = k["details"]
    if s["left_out"]["count"]:
        note += " " + k["left_out"].format(count=s["left_out"]["count"], na=s["left_out"]["not_applicable"])
    w.para(note)


def _organisation(w, s: dict) -> None:
    t, lang = w.t, w.lang
    k = t["summary"]
    w.heading(k["figures"], 3)
    r = s["rates"]
    rate = _rate(t, r["organisation"]) + (f"{t['sep']}{k['last_year']} {_rate(t, r['last_year'])}" if r["last_year"] else "")
    rows = [[t["check"]["rate"], rate]]
    if r["items"]:
        i = r["items"]
        rows.append([k["items"], k["items_value"].format(assessed=i["assessed"], applicable=i["applicable"],
                                                         assessed_rate=pct(i["assessed_rate"]), rate=pct(i["rate"]))])
    parts = []
    for sev in SEVERITIES:
        due = f"{t['lp']}{k['first_due']} {day_text(dt.date.fromisoformat(s['due'][sev]), lang)}{t['rp']}" if s["due"][sev] else ""
        parts.append(f"{t['severity'][sev]} {s['open'][sev]}{due}")
    if s["waived"]:
        parts.append(f"{k['waived']} {s['waived']}")
    rows.append([k["open"], t["sep"].join(parts)])
    if s["previous_total"]:
        prev = " / ".join(f"{t['action_state'][st]} {n}" for st, n in s["previous_counts"].items())
    else:
        prev = k["previous_none"] if s["register_provided"] else t["act"]["no_register"]
    rows.append([t["check"]["previous_summary"], prev])
    e = s["exceptions"]
    rows.append([k["exceptions"], k["exceptions_value"].format(valid=e["valid"], soon=e["ending_soon"], void=e["not_waiving"])])
    _table(w, [("", 40, "l"), ("", 125, "l")], rows, header_row=False)
    w.heading(k["points"], 3)
    for p in s["points"] or []:  # in the small table text: with the 決裁欄, the page holds them all
        w.para(f"• {p[lang]}", style=ds.TABLE_TEXT)
    if not s["points"]:
        w.para(k["points_none"])
    if s["departments"]:
        w.heading(k["departments"], 3)
        _table(w, [(t["check"]["department"], 55, "l"), (t["severity"]["major"], 25, "r"), (t["severity"]["minor"], 25, "r"),
                 (t["severity"]["observation"], 25, "r"), (t["check"]["rate"], 35, "r")],
                [[w.dept_label(d), d["open"]["major"], d["open"]["minor"], d["open"]["observation"], _rate(t, d)]
                 for d in s["departments"]])
        w.para(k["more_departments"].format(n=s["departments_with_findings"], total=s["departments_total"]))
    if s["controls"]:
        w.heading(k["controls"], 3)
        _table(w, [(t["check"]["control"], 20, "l"), (t["check"]["title"], 90, "l"), (t["check"]["severity"], 20, "l"),
                 (k["count"], 17, "r"), (k["units"], 18, "r")],
                [[c["control_id"], c["title"][lang], t["severity_short"][c["severity"]], c["open"], c["departments"]]
                 for c in s["controls"]])
