"""The Check section of the Word report (auditor/reporters/docx.py): conclusion, rates, coverage of the
audit map when the document has it, trend, results by control, findings and exceptions."""
from __future__ import annotations

from ..engine.coverage import required_groups
from .office import pct

SEVERITIES = ("major", "minor", "observation")


def check(w) -> None:
    ch, t, lang = w.doc["check"], w.t, w.lang
    k = t["check"]
    w.heading(t["heads"]["check"], 1, new_page=True)
    w.heading(k["conclusion"], 2)
    w.para(ch["conclusion"][lang])
    w.heading(k["summary"], 2)
    o = ch["overall"]
    rate_cols = [(k["area"], 75, "l"), (k["evaluated"], 30, "r"), (k["compliant"], 35, "r"), (k["rate"], 25, "r")]
    w.table(rate_cols, [[k["overall"], o["evaluated"], o["compliant"], pct(o["rate"])]]
            + [[a["label"][lang], a["evaluated"], a["compliant"], pct(a["rate"])] for a in ch["by_area"]])
    if ch.get("coverage"):
        _coverage(w, ch["coverage"])
    w.heading(k["by_department"], 2)
    items = any(d.get("coverage") for d in ch["by_department"])  # the audit items each department had assessed

    def dept_row(label, d, cov):
        row = [label, d["evaluated"], d["compliant"], pct(d["rate"]), *_open(d.get("open"))]
        return row + ([f"{cov['assessed']}/{cov['applicable']}" if cov else "—"] if items else [])

    rows = [dept_row(w.dept_label(d), d, d.get("coverage")) for d in ch["by_department"]]
    org = ch.get("organisation")
    if org:
        rows.append(dept_row(t["organisation_wide"], org, None))
    cols = [(k["department"], 44, "l"), (k["evaluated"], 20, "r"), (k["compliant"], 23, "r"), (k["rate"], 16, "r"),
            (t["severity_short"]["major"], 14, "r"), (t["severity_short"]["minor"], 14, "r"),
            (t["severity_short"]["observation"], 14, "r")]
    if items:
        cols.append((t["cov"].get("dept_items", ""), 20, "r"))
    w.table(cols, rows)
    if org:
        w.para(k["organisation_totals"])
    _trend(w, ch.get("trend"))
    act = w.doc["act"]
    if act.get("previous"):
        w.heading(k["previous_summary"], 2)
        counts = " / ".join(f"{t['action_state'][s]} {n}" for s, n in act["previous_counts"].items())
        w.para(f"{counts}{t['sep']}{k['previous_see']}")
    w.heading(k["definition"], 3)
    w.para(ch["definition"][lang])
    _results(w, ch["results"])
    left_out = ch.get("results_left_out")
    if left_out:
        w.para(t["summary"]["left_out"].format(count=left_out["count"], na=left_out["not_applicable"]))
    _findings(w, ch["findings"])
    if ch.get("exceptions"):
        _exceptions(w, ch["exceptions"])


def _open(counts) -> list:
    counts = counts or {}
    return [counts.get(s, 0) for s in SEVERITIES]


def _coverage(w, cv: dict) -> None:
    t, lang = w.t, w.lang
    c = t["cov"]
    w.heading(c["heading"], 2)
    w.para(cv["statement"][lang])
    cols = [(c["group"], 59, "l"), (c["applicable"], 14, "r"), (c["rules"], 16, "r"), (c["auditor"], 16, "r"),
            (c["not_assessed"], 15, "r"), (c["compliant"], 15, "r"), (c["failed"], 15, "r"), (c["rate"], 15, "r")]

    def row(label, g):
        return [label, g["applicable"], g["rules"], g["auditor"], g["not_assessed"], g["compliant"], g["failed"],
                pct(g.get("rate"))]

    total = cv["total"]
    for key, caption in (("by_chapter", c["by_chapter"]), ("by_measure", c["by_measure"])):
        w.heading(caption, 3)
        rows = []
        for g in cv.get(key) or []:
            title = g["title"][lang] if g.get("title") else ""
            rows.append(row(f"{g['id']} {title}".strip() + (c["transition"] if g.get("transition") else ""), g))
        w.table(cols, rows + [row(c["total"], total)], small=True)
    if cv.get("transition_note"):
        w.para(cv["transition_note"][lang])
    grouped = cv.get("required_not_met") and required_groups(cv.get("by_chapter") or [], cv["required_not_met"])
    if grouped:  # a paragraph per chapter: whose items they are
        n = len(cv["required_not_met"])
        w.para("", bold_lead=f"{c['required_not_met']}（{n} 項目）:" if lang == "ja" else f"{c['required_not_met']} ({n}):")
        for g, ids in grouped:
            title = g["title"][lang] if g.get("title") else ""
            w.para(", ".join(ids), bold_lead=f"{g['id']} {title}".strip() + ": ")
    elif cv.get("required_not_met"):
        w.para(", ".join(cv["required_not_met"]), bold_lead=f"{c['required_not_met']}: ")


def _trend(w, tr) -> None:
    if not tr:
        return
    t, lang = w.t, w.lang
    k = t["check"]
    w.heading(k["trend"], 2)
    years = tr.get("years") or []
    if len(years) < 2:
        w.para(k["trend_single"])

    def table(head, series):
        width = max(18, 110 // max(len(years), 1))
        cols = [(head, 55, "l")] + [(y["label"][lang], width, "r") for y in years]
        rows = []
        for label, values in series:
            rows.append([label] + [pct(v["rate"]) + (f" ({v['compliant']}/{v['evaluated']})" if v.get("evaluated") else "")
                                   for v in values])
        w.table(cols, rows, small=len(years) > 3)

    table(k["area"], [(k["overall"], tr["overall"])] + [(a["label"][lang], a["values"]) for a in tr.get("by_area", [])])
    if tr.get("by_department"):
        table(k["department"], [(d["name"], d["values"]) for d in tr["by_department"]])


def _results(w, results: list) -> None:
    t, lang = w.t, w.lang
    k = t["check"]
    w.heading(k["results"], 2)
    cols = [(k["control"], 16, "l"), (k["title"], 42, "l"), (k["severity"], 13, "l"),
            (k["this_department"] if w.dept else k["status"], 22, "l")]
    if w.dept:
        cols.append((k["organisation_status"], 18, "l"))
    cols += [(k["checked"], 14, "r"), (k["reason"], 40 if w.dept else 58, "l")]
    rows = []
    for r in results:
        status = t["status"][r["status"]] if r["status"] else k["not_evaluated"]
        if r.get("open_findings"):
            status += f"{t['lp']}{r['open_findings']}{t['rp']}"
        notes = [r["reason"][lang]] if r.get("reason") else []
        for e in r.get("exceptions") or []:
            notes.append(f"{k['exception']} {e['id']}: {t['exc_state'][e['state']]} — {e['reason']}{t['lp']}"
                         f"{k['approver']}: {e['approver']}{t['sep']}{k['until']}: {e.get('to') or '—'}{t['rp']}")
        for n in r.get("notices") or []:
            notes.append(f"{k['notice'][n['level']]} {n['message'][lang]}")
        row = [r["control_id"], r["title"][lang], t["severity_short"][r["severity"]], status]
        if w.dept:
            row.append(t["status"][r["organisation_status"]])
        row += ["—" if r.get("checked") is None else r["checked"], notes or ""]
        rows.append(row)
    w.table(cols, rows, small=True)


def _findings(w, findings: list) -> None:
    t, lang = w.t, w.lang
    k = t["check"]
    w.heading(f"{k['findings']}{t['lp']}{len(findings)}{t['rp']}", 2)
    if not findings:
        w.para(k["findings_none"])
        return
    cols = [(k["id"], 30, "l"), (k["control"], 28, "l"), (k["department"], 22, "l"), (k["message"], 58, "l"),
            (k["location"], 27, "l")]
    for sev in SEVERITIES:
        group = [f for f in findings if f["severity"] == sev]
        if not group:
            continue
        waived = sum(f["status"] == "waived" for f in group)
        head = f"{t['severity'][sev]}{t['lp']}{t['status']['open']} {len(group) - waived}"
        if waived:
            head += f"{t['sep']}{t['status']['waived']} {waived}"
        w.heading(head + t["rp"], 3)
        rows = []
        for f in group:
            ident = [f["id"]]
            if f["status"] == "waived":
                ident.append(f"[{t['status']['waived']}]")
            if f.get("recurred"):
                ident.append(f"[{k['recurred']}]")
            message = [f["message"][lang]]
            e = f.get("exception")
            if e:
                message.append(f"{k['exception']} {e['id']}: {t['exc_state'][e['state']]} — {e['reason']}{t['lp']}"
                            f"{k['approver']}: {e['approver']}{t['sep']}{k['until']}: {e.get('to') or '—'}{t['rp']}")
            where = ", ".join(l["file"] + (f":{l['line']}" if l.get("line") else "") for l in f["locations"]) or "—"
            rows.append([ident, f"{f['control_id']} {f['control_title'][lang]}", w.dept_label(f.get("department")),
                         message, where])
        w.table(cols, rows, small=True)


def _exceptions(w, exceptions: list) -> None:
    t = w.t
    k = t["check"]
    w.heading(k["exceptions"], 2)
    rows = []
    for e in exceptions:
        state = t["exc_state"][e["state"]]
        if e.get("ending_soon"):
            state += f"{t['lp']}{k['ending_soon'].format(days=e['ends_in_days'])}{t['rp']}"
        if e.get("problem"):
            state += f"{t['lp']}{e['problem']}{t['rp']}"
        rows.append([e["id"], e["control"], state, e["reason"], e["approver"],
                     f"{e.get('from') or '—'} – {e.get('to') or '—'}", e["findings_waived"]])
    w.table([("ID", 20, "l"), (k["control"], 16, "l"), (k["exc_state"], 27, "l"), (t["plan"]["reason"], 40, "l"),
             (k["approver"], 22, "l"), (k["until"], 25, "l"), (k["waived_count"], 15, "r")], rows, small=True)
