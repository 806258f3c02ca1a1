"""Word (.docx): the report document as an editable Word file, through python-docx.

The same sections as the HTML report (cover and summary on the first page, Check, Act, then Plan, Do and
the crosswalks as appendices), with Word's own heading styles (Heading 1-3) and tables in a table style whose heading row
repeats on every page, so that a town applies its own styles and edits the draft before 決裁. The
first page carries the 決裁欄 (approval block); the footer numbers the pages (PAGE / NUMPAGES fields).
Fonts, page and building blocks: auditor/reporters/docxstyle.py; the Check section: docxcheck.py.

Every text is evidence-safe: control characters as visible escapes, table cells that Excel would run
as formulas with a leading apostrophe (auditor/reporters/office.py). The same document gives the same
bytes (document properties and zip members carry the date of issue).
"""
from __future__ import annotations

from ..errors import InputError, import_reason
from ..model import AuditRun
from ..privacy import sanitize
from . import approval, docxcheck, docxstyle as ds, docxsummary, office, reportjson
from .office import day
from .labels import labels

INSTALL_HINT = "pip install python-docx (a dependency of municipal-auditor: reinstall the package)"


def check_available() -> None:
    """Raise InputError (exit 2) before any work when python-docx cannot be imported."""
    try:
        import docx  # noqa: F401
    except ImportError as exc:
        raise InputError("--format docx", f"Word output needs python-docx, which cannot be loaded ({exc})",
                         hint=INSTALL_HINT, ja=f"Word の出力には python-docx が必要ですが、読み込めません（{import_reason(exc, 'ja')}）",
                         hint_ja="pip install python-docx（municipal-auditor が依存するパッケージです。入れ直してください）") from None


class Writer:
    """One Word document being written: the document, its language and labels, and the helpers."""

    def __init__(self, doc: dict, lang: str):
        self.doc, self.lang = doc, lang
        self.t, self.o, self.areas = labels()[lang], labels()["office"][lang], labels()["areas"]
        self.dept = doc["scope"]["department"]
        self.d = ds.new_document(lang)

    def heading(self, text: str, level: int, new_page: bool = False):
        par = self.d.add_paragraph()
        par._p.style = f"Heading{level}"  # Word's built-in "heading N" (by ID: a lookup by name walks every style)
        par.add_run(office.text(text))
        if new_page:
            par.paragraph_format.page_break_before = True
        return par

    def para(self, text: str, bold_lead: str | None = None, style: str | None = None):
        par = self.d.add_paragraph(style=style)
        if bold_lead:
            par.add_run(office.text(bold_lead)).bold = True
        par.add_run(office.text(text))
        return par

    def table(self, columns: list, rows: list, small: bool = False, header_row: bool = True):
        table = ds.table(self.d, columns, rows, small=small, header_row=header_row, label_column=not header_row)
        self.d.add_paragraph()  # a table is followed by a paragraph: two tables never merge when edited
        return table

    def dept_label(self, d: dict | None) -> str:
        if not d:
            return self.t["organisation_wide"]
        return f"{d['name']}{self.t['lp']}{d['code']}{self.t['rp']}" if d.get("code") else d["name"]

    def area(self, key: str) -> str:
        return self.areas[key][self.lang] if key in self.areas else key


def document(doc: dict, lang: str) -> bytes:
    """The report as .docx bytes."""
    return office.freed(_document, sanitize.document(doc), lang)


def _document(doc: dict, lang: str) -> bytes:
    w = Writer(doc, lang)
    c, t = doc["cover"], w.t
    title = t["title_department"] if w.dept else t["title"]
    running = w.o["report_of"].format(org=c["organisation"][lang], fy=c["fiscal_year_label"][lang], title=title)
    if w.dept:
        running += f" — {w.dept['name']}"
    section = w.d.sections[0]
    ds.header(section, running)
    ds.footer(section, lang)
    ds.properties(w.d, running, c["organisation"][lang], c["fiscal_year_label"][lang], lang, c["issued_on"])
    _cover(w, title)
    docxsummary.summary(w)  # the first page: what the reader must act on
    docxcheck.check(w)
    _act(w)
    _plan(w)
    _do(w)
    if doc.get("appendix"):
        _appendix(w)
    return ds.save(w.d, c["issued_on"])


def _cover(w: Writer, title: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc, t, lang = w.doc, w.t, w.lang
    c = doc["cover"]
    ds.approval(w.d, w.o, approval.view(doc, lang))
    w.d.add_paragraph(office.text(title), style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    fy = f"{c['fiscal_year_label']['ja']}{t['lp']}{c['fiscal_year_label']['en']}{t['rp']}"
    if w.dept:
        fy += f" — {w.dept['name']}"
    w.para(fy).alignment = WD_ALIGN_PARAGRAPH.CENTER
    k = t["cover"]
    org_dept = c["organisation"][lang] + (f" — {w.dept_label(w.dept)}" if w.dept else "")
    rows = [[k["organisation"], org_dept, k["audit_type"], c["audit_type"][lang]],
            [k["issued_on"], day(c["issued_on"], lang), k["as_of"], day(c["as_of"], lang)],
            [k["policy_version"], c["policy_version"] or "—", k["network_model"],
             f"{c['network_model_label']}{k['model_suffix']} ({c['network_model']})"]]
    w.table([("", 26, "l"), ("", 56, "l"), ("", 26, "l"), ("", 57, "l")], rows, small=True, header_row=False)
    w.para(k["advisory"])


def _plan(w: Writer) -> None:
    plan, t, lang = w.doc["plan"], w.t, w.lang
    p, ck = t["plan"], t["check"]
    w.heading(t["heads"]["plan"], 1, new_page=True)
    w.heading(p["objectives"], 2)
    w.para(plan["objectives"][lang])
    w.heading(p["scope"], 2)
    w.para(t["sep"].join(w.dept_label(d) for d in plan["departments"]), bold_lead=f"{p['departments']}: ")
    w.heading(p["systems"], 3)
    if plan["systems"]:
        w.table([(p["zone"], 40, "l"), (p["name"], 85, "l"), (p["cidr"], 40, "l")],
                [[s["label"] if lang == "ja" else s["zone"], s["name"] or "—", s["cidr"] or "—"]
                 for s in plan["systems"]])
    else:
        w.para(p["no_systems"])
    inside = plan["controls_in_scope"]
    w.heading(f"{p['in_scope']}{t['lp']}{len(inside)}{t['rp']}", 3)
    w.table([(ck["control"], 22, "l"), (ck["title"], 85, "l"), (ck["area"], 38, "l"), (ck["severity"], 20, "l")],
            [[k["id"], k["title"][lang], w.area(k["area"]), t["severity_short"][k["severity"]]] for k in inside])
    outside, left = plan["controls_out_of_scope"], plan.get("controls_left_out")  # left: a department's report
    if left:
        w.para(p["left_out"].format(count=left["count"] - left["not_applicable"]))
    w.heading(f"{p['out_of_scope']}{t['lp']}{left['not_applicable'] if left else len(outside)}{t['rp']}", 3)
    if left:
        w.para(p["out_of_scope_elsewhere"].format(n=left["not_applicable"]) if left["not_applicable"] else p["none"])
    elif outside:
        w.table([(ck["control"], 22, "l"), (ck["title"], 70, "l"), (p["reason"], 73, "l")],
                [[k["id"], k["title"][lang], k["reason"][lang] if k.get("reason") else "—"] for k in outside])
    else:
        w.para(p["none"])
    coverage = plan.get("coverage")
    if coverage:
        w.heading(t["cov"]["plan"], 3)
        w.para(coverage["statement"][lang])
    w.heading(p["criteria"], 2)
    cr = plan["criteria"]
    rows = [[p["policy"], [f"{cr['policy']['file']}{t['lp']}{p['version']}: {cr['policy']['version'] or '—'}{t['rp']}",
                           f"SHA-256 {cr['policy']['sha256']}"]],
            [p["catalogue"], [f"{p['controls']}: {cr['catalogue']['controls']}", f"SHA-256 {cr['catalogue']['sha256']}"]]]
    fw = cr.get("framework")
    if fw:
        rev = f"{t['lp']}{fw['revision']}{t['rp']}" if fw.get("revision") else ""
        rows.append([t["cov"]["map"], [f"{fw['id']}{rev}: {t['cov']['item_list']} {fw['items']}",
                                       *(f"{f['file']} SHA-256 {f['sha256']}" for f in fw.get("files", []))]])
    _kv(w, rows)
    w.heading(p["period"], 2)
    per = plan["period"]
    w.para(f"{day(per['start'], lang)} – {day(per['end'], lang)}{t['lp']}{p['as_of']}: {day(per['as_of'], lang)}{t['rp']}")


def _kv(w: Writer, rows: list) -> None:
    """A two-column table of labels and values (a value may be a list of lines)."""
    w.table([("", 40, "l"), ("", 125, "l")], rows, header_row=False)


def _do(w: Writer) -> None:
    do, t, lang = w.doc["do"], w.t, w.lang
    k, ck = t["do"], t["check"]
    w.heading(t["heads"]["do"], 1, new_page=True)
    w.heading(f"{k['evidence']}{t['lp']}{len(do['evidence'])}{t['rp']}", 2)
    w.table([(k["path"], 40, "l"), (k["kind"], 24, "l"), (k["provided_by"], 24, "l"), (k["collected_on"], 19, "l"),
             (k["records"], 12, "r"), ("SHA-256", 46, "l")],
            [[f["path"], f["kind"], f["provided_by"], f["collected_on"] or "—", f["records"], f["sha256"]]
             for f in do["evidence"]], small=True)
    if do.get("evidence_left_out"):
        w.para(k["left_out"].format(n=do["evidence_left_out"]["count"]))
    w.heading(k["missing"], 2)
    if do["missing"]:
        w.table([(ck["control"], 22, "l"), (ck["title"], 83, "l"), (k["missing_kinds"], 60, "l")],
                [[m["control_id"], m["title"][lang], ", ".join(m["kinds"])] for m in do["missing"]])
    else:
        w.para(k["missing_none"])
    w.heading(k["sampling"], 2)
    w.para(do["sampling"][lang])


def _register(t: dict, status) -> str:
    return t["register_status"].get(status, status or "—") if status else "—"


def _act(w: Writer) -> None:
    a, t = w.doc["act"], w.t
    k = t["act"]
    w.heading(t["heads"]["act"], 1, new_page=True)
    w.heading(f"{k['actions']}{t['lp']}{len(a['actions'])}{t['rp']}", 2)
    if a["actions"]:
        rows = []
        for x in a["actions"]:
            due = (x.get("due_on") or "—") + (f" → {x['extended_to']}" if x.get("extended_to") else "")
            status = t["status"].get(x["status"], x["status"])
            if x["status"] == "carried_over":
                status += f"{t['lp']}{_register(t, x.get('register_status'))}{t['rp']}"
            if x.get("previous_action_id"):
                status += f"{t['lp']}{k['follows']}: {x['previous_action_id']}{t['rp']}"
            rows.append([x["action_id"], t["severity"][x["severity"]], w.dept_label(x.get("department")),
                         x.get("owner_role") or "—", due, status])
        w.table([(k["action_id"], 40, "l"), (t["check"]["grade"], 24, "l"), (k["department"], 28, "l"),
                 (k["owner_role"], 25, "l"), (k["due_on"], 22, "l"), (k["status"], 26, "l")], rows)
    else:
        w.para(k["actions_none"])
    w.para(f"{k['due_rule'].format(**a['due_days'])} {k['carried_rule']}")
    w.heading(k["previous"], 2)
    if not a["register_provided"]:
        w.para(k["no_register"])
    elif a["previous"]:
        w.para(" / ".join(f"{t['action_state'][s]} {n}" for s, n in a["previous_counts"].items()))
        rows = []
        for x in a["previous"]:
            state = t["action_state"][x["state"]]
            if x.get("questioned_by"):
                state += f"{t['lp']}{k['questioned_by']}: {', '.join(x['questioned_by'])}{t['rp']}"
            rows.append([x["action_id"], x.get("fiscal_year") or "—", x["finding_id"],
                         (x.get("department") or {}).get("name") or "—", _register(t, x.get("register_status")),
                         x.get("due_on") or "—", x.get("extended_to") or "—", x.get("completed_on") or "—",
                         x.get("verified_on") or "—", state])
        w.table([(k["action_id"], 22, "l"), (k["fiscal_year"], 8, "l"), (k["finding"], 23, "l"),
                 (k["department"], 14, "l"), (k["register_status"], 14, "l"), (k["due_on"], 17, "l"),
                 (k["extended_to"], 17, "l"), (k["completed_on"], 17, "l"), (k["verified_on"], 17, "l"),
                 (k["state"], 16, "l")], rows, small=True)
    else:
        w.para(k["previous_none"])


def _appendix(w: Writer) -> None:
    ap, t, lang = w.doc["appendix"], w.t, w.lang
    cv = t["cov"]
    w.heading(cv["appendix"], 1, new_page=True)
    for key, heading in (("iso27001", cv["iso27001"]), ("nist_csf", cv["nist"])):
        w.heading(heading, 2)
        rows, left = ap.get(key) or [], (ap.get("rows_left_out") or {}).get(key)  # left: a department's report
        if rows:
            w.table([(cv["ref"], 22, "l"), (cv["item_list"], 71, "l"), (cv["applicable"], 18, "r"),
                     (cv["assessed"], 18, "r"), (cv["not_assessed"], 18, "r"), (cv["failed"], 18, "r")],
                    [[g["id"] + ("*" if g.get("derived") else ""), ", ".join(g["items"]), g["applicable"],
                      g["assessed"], g["not_assessed"], g["failed"]] for g in rows], small=True)
            if key == "nist_csf":
                w.para(cv["derived_note"])
        else:
            w.para(cv["none"])
        if left:
            w.para(cv["left_out"].format(n=left))
    if not w.dept:
        w.heading(cv["soa"], 2)
        soa = ap.get("applicability") or []
        if soa:
            w.table([(cv["ref"], 25, "l"), (t["check"]["title"], 70, "l"), (t["plan"]["reason"], 70, "l")],
                    [[a["id"], a["title"][lang], a.get("reason") or "—"] for a in soa])
        else:
            w.para(cv["soa_none"])


def files(doc: dict, lang: str, options=None) -> list[tuple[str, bytes]]:
    return [(f"report.{lang}.docx", document(doc, lang))]


def render(run: AuditRun, lang: str = "ja") -> bytes:
    """The organisation's report as .docx bytes, issued on the audit's as-of date."""
    return document(reportjson.organisation(run), lang)
