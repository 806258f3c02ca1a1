"""The report's first page: a department's summary (what its 課長 must act on) and the organisation's
executive summary, the same in every format; a department's control table holds only its own rows."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata

import pytest

from auditor.reporters import docx, html, markdown, pdf, report
from auditor.reporters.labels import labels
from test_report_a4 import cycled_run  # noqa: F401  (the sample audited against a recorded FY2024)
from test_report_support import DATE, has_weasyprint, require, sample_run, tool  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)
FINANCE = {"code": "0130", "name": "財政課"}
_SPACE = re.compile(r"[\s\u200b\u00ad]+")


def flat(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def pct(rate) -> str:
    return f"{rate * 100:.1f}%"


@pytest.fixture(scope="module")
def finance(sample_run):
    return report.build(sample_run, ISSUED, FINANCE)


@pytest.fixture(scope="module")
def organisation(sample_run):
    return report.build(sample_run, ISSUED, None)


def first_page(doc: dict, lang: str, tmp_path) -> str:
    require(has_weasyprint(), "weasyprint (pip install '.[pdf]')")
    path = tmp_path / f"report.{lang}.pdf"
    path.write_bytes(pdf.pdf(doc, lang))
    out = subprocess.run([tool("pdftotext"), "-raw", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return flat(out)


def test_department_summary_holds_its_open_findings_with_their_actions(finance):
    s = finance["summary"]
    open_ids = [f["id"] for f in finance["check"]["findings"] if f["status"] == "open"]
    assert s["kind"] == "department" and [x["finding_id"] for x in s["findings"]] == open_ids and open_ids
    due = {a["finding_id"]: a["due_on"] for a in finance["act"]["actions"]}
    assert all(x["due_on"] == due[x["finding_id"]] and x["action_status"] for x in s["findings"])
    assert [p["action_id"] for p in s["previous"]] == [p["action_id"] for p in finance["act"]["previous"]]
    assert s["rates"]["department"] == finance["check"]["overall"]
    assert s["rates"]["organisation"]["rate"] == finance["check"]["organisation"]["rate"]
    assert s["rates"]["organisation_only"]["controls"] > 0  # why the organisation's rate differs
    assert str(s["rates"]["organisation_only"]["controls"]) in s["comparison"]["ja"]


def test_department_results_leave_out_rows_that_do_not_concern_it(sample_run, finance):
    rows = finance["check"]["results"]
    assert rows and all(r["status"] not in (None, "not_applicable") for r in rows)
    left_out = finance["check"]["results_left_out"]
    assert left_out["count"] == len(sample_run.results) - len(rows) > 0
    assert finance["summary"]["left_out"] == left_out
    org = report.build(sample_run, ISSUED, None)
    assert len(org["check"]["results"]) == len(sample_run.results)  # the organisation keeps every row
    page = html.html(finance, "ja")
    assert labels()["ja"]["check"]["not_evaluated"] not in page
    assert labels()["ja"]["summary"]["left_out"].format(count=left_out["count"], na=left_out["not_applicable"]) in page


def test_organisation_summary_has_the_committee_figures(organisation):
    s = organisation["summary"]
    counts = organisation["check"]["findings_count"]
    assert s["kind"] == "organisation" and s["open"] == {k: counts[k] for k in ("major", "minor", "observation")}
    assert s["rates"]["organisation"] == organisation["check"]["overall"]
    assert s["departments"][0]["open"]["major"] == max(d["open"]["major"] for d in organisation["check"]["by_department"])
    assert s["points"] and all(set(p) == {"ja", "en"} for p in s["points"])


def test_the_first_major_due_day_reads_as_a_day_in_each_language(organisation):
    """The executive summary's first point names the first due day of the major findings' actions as prose
    writes days (令和8年5月15日; an ISO date in English), not as the register's ISO field."""
    from auditor.fiscal import wareki

    first = min(a.get("extended_to") or a["due_on"] for a in organisation["act"]["actions"]
                if a["severity"] == "major" and a.get("status") == "new" and a.get("due_on"))
    point = organisation["summary"]["points"][0]
    assert wareki(dt.date.fromisoformat(first)) in point["ja"] and first not in point["ja"] and "重大な不適合" in point["ja"]
    assert first in point["en"] and point["en"].startswith("Major nonconformities")


def test_the_figures_write_each_first_due_day_as_the_points_do(organisation):
    """The figures' row of open findings (未対応の指摘: 重大 50（最初の期限 …）) writes its days as the points
    above it do, in Markdown, HTML and Word alike: 令和8年5月15日 in Japanese, 2026-05-15 in English."""
    import docx as python_docx

    from auditor.fiscal import wareki

    due = {sev: d for sev, d in organisation["summary"]["due"].items() if d}
    assert due.get("major")
    for lang in ("ja", "en"):
        d = python_docx.Document(io.BytesIO(docx.document(organisation, lang)))
        word = "\n".join(c.text for tb in d.tables for r in tb.rows for c in r.cells)
        for page in (markdown.markdown(organisation, lang).replace("\\-", "-"), html.html(organisation, lang), word):
            first = labels()[lang]["summary"]["first_due"]
            for day in due.values():
                shown = wareki(dt.date.fromisoformat(day)) if lang == "ja" else day
                assert f"{first} {shown}" in page, (lang, day)
                if lang == "ja":
                    assert f"{first} {day}" not in page


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_department_pdf_first_page_holds_what_the_head_must_act_on(finance, lang, tmp_path):
    page = first_page(finance, lang, tmp_path)
    t = labels()[lang]
    s = finance["summary"]
    assert flat(t["heads"]["summary"]) in page
    for x in s["findings"]:
        assert flat(x["finding_id"]) in page and flat(x["due_on"]) in page
        assert flat(x["message"][lang]) in page
    assert flat(t["severity_short"]["major"]) in page and flat(t["severity_short"]["minor"]) in page
    for x in s["previous"]:  # what last year's actions became
        assert flat(x["action_id"]) in page and flat(t["action_state"][x["state"]]) in page
    assert pct(s["rates"]["department"]["rate"]) in page and pct(s["rates"]["organisation"]["rate"]) in page
    assert flat(s["comparison"][lang]) in page  # and why they differ
    assert flat(t["check"]["conclusion"]) not in page and flat(t["plan"]["objectives"]) not in page  # details follow


@pytest.mark.slow
def test_organisation_pdf_first_page_holds_the_executive_summary(organisation, tmp_path):
    page = first_page(organisation, "ja", tmp_path)
    s = organisation["summary"]
    t = labels()["ja"]
    assert flat(t["heads"]["summary_org"]) in page
    assert pct(s["rates"]["organisation"]["rate"]) in page
    for sev in ("major", "minor"):
        assert flat(f"{t['severity'][sev]} {s['open'][sev]}") in page
    for p in s["points"]:
        assert flat(p["ja"]) in page
    for d in s["departments"]:
        assert flat(d["name"]) in page
    for c in s["controls"]:
        assert c["control_id"] in page


def test_summary_comes_first_in_html_and_markdown(finance, organisation):
    for doc in (finance, organisation):
        for lang in ("ja", "en"):
            t = labels()[lang]["heads"]
            head = t["summary"] if doc["summary"]["kind"] == "department" else t["summary_org"]
            for page in (html.html(doc, lang), markdown.markdown(doc, lang)):
                order = [page.index(h) for h in (head, t["check"], t["act"], t["plan"], t["do"])]
                assert order == sorted(order)


def test_docx_has_the_summary_first_after_the_approval_block(finance, organisation):
    import docx as python_docx

    for doc, lang in ((finance, "ja"), (organisation, "en")):
        d = python_docx.Document(io.BytesIO(docx.document(doc, lang)))
        t = labels()[lang]
        heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
        first = t["heads"]["summary"] if doc["summary"]["kind"] == "department" else t["heads"]["summary_org"]
        assert heads[0] == first
        level1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
        assert level1[:4] == [t["heads"]["check"], t["heads"]["act"], t["heads"]["plan"], t["heads"]["do"]]
        approval = labels()["office"][lang]["approval"]["title"]
        assert d.tables[0].cell(0, 0).text == approval  # the 決裁欄 stays on the first page
        body = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for tb in d.tables for r in tb.rows
                                                                   for c in r.cells)
        if doc["summary"]["kind"] == "department":
            for x in doc["summary"]["findings"]:
                assert x["finding_id"] in body


@pytest.mark.slow
def test_first_page_shows_carried_over_actions_and_last_year(cycled_run, tmp_path):
    """With FY2024 recorded: a carried-over action's state, the earlier action's outcome, last year's rate."""
    doc = report.build(cycled_run, ISSUED, FINANCE)
    s = doc["summary"]
    carried = [x for x in s["findings"] if x["action_status"] == "carried_over"]
    assert carried and s["previous"] and s["rates"]["last_year"]
    page = first_page(doc, "ja", tmp_path)
    t = labels()["ja"]
    for x in carried:
        state = f"{t['status']['carried_over']}{t['lp']}{t['register_status'][x['register_status']]}"
        assert flat(x["finding_id"]) in page and flat(state) in page and flat(x["action_id"]) in page
    for x in s["previous"]:
        assert flat(x["action_id"]) in page and flat(t["action_state"][x["state"]]) in page
    assert flat(f"{t['summary']['last_year']} {pct(s['rates']['last_year']['rate'])}") in page


@pytest.mark.slow
def test_a_carried_over_action_names_its_fiscal_year_as_the_report_does(cycled_run):
    """「令和6年度の措置」 in Japanese, as every other 年度 of the report (not 2024年度); FY2024 in English."""
    doc = report.build(cycled_run, ISSUED, None)
    carried = [a for a in doc["act"]["actions"] if a.get("status") == "carried_over" and a.get("fiscal_year")]
    assert carried and {a["fiscal_year"] for a in carried} == {2024}
    for text in (markdown.markdown(doc, "ja"), html.html(doc, "ja")):
        assert "令和6年度の措置" in text and "2024年度" not in text
    assert "raised in FY2024" in markdown.markdown(doc, "en")


@pytest.mark.slow
@pytest.mark.libreoffice
def test_word_first_page_holds_the_summary_beside_the_approval_block(finance, organisation, tmp_path):
    """Typeset by LibreOffice (other fonts than Word's 游明朝, so only a guide): page 2 starts with 1. Check."""
    from office_support import soffice

    files = []
    for name, doc in (("finance", finance), ("organisation", organisation)):
        for lang in ("ja", "en"):
            path = tmp_path / f"{name}.{lang}.docx"
            path.write_bytes(docx.document(doc, lang))
            files.append((path, lang))
    run = subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                          "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *(str(p) for p, _ in files)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    for path, lang in files:
        pdf_path = tmp_path / "pdf" / path.with_suffix(".pdf").name
        second = subprocess.run([tool("pdftotext"), "-f", "2", "-l", "2", str(pdf_path), "-"], capture_output=True,
                                text=True, check=True).stdout
        body = [line for line in second.splitlines() if line.strip()][1:]  # below the running header
        assert body[0] == labels()[lang]["heads"]["check"], (path.name, body[:3])
