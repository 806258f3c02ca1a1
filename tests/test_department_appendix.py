"""A department's appendices hold only what concerns it (issue 17 §1): Appendix A the controls its Check
shows, Appendix B the evidence those controls read or the department provided, Appendix C the crosswalk
rows with an audit item applicable to it. Each says how many rows it left out; the organisation's report
keeps every row, and the integrity block stays whole."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess

import docx as worddocx
import pytest

from auditor.reporters import deptappendix, docx, markdown, pdf, report
from auditor.reporters.labels import labels
from auditor.scoring import departments
from conftest import SAMPLE, invoke
from test_report_support import DATE, has_weasyprint, require, sample_reports, sample_run, tool  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)
FINANCE = {"code": "0130", "name": "財政課"}
VIEWS = ("iso27001", "nist_csf")


@pytest.fixture(scope="module")
def organisation(sample_run):
    return report.build(sample_run, ISSUED, None)


@pytest.fixture(scope="module")
def every_department(sample_run):
    return {d["code"]: report.build(sample_run, ISSUED, {"code": d["code"], "name": d["name"]})
            for d in departments(sample_run)}


@pytest.fixture(scope="module")
def finance(every_department):
    return every_department[FINANCE["code"]]


def ids(rows, key="id"):
    return [r[key] for r in rows]


def test_appendix_a_lists_exactly_the_controls_its_check_shows(every_department, organisation):
    org_in, org_out = organisation["plan"]["controls_in_scope"], organisation["plan"]["controls_out_of_scope"]
    for code, doc in every_department.items():
        plan, check = doc["plan"], doc["check"]
        assert ids(plan["controls_in_scope"]) == ids(check["results"], "control_id"), code
        assert plan["controls_out_of_scope"] == []
        left = plan["controls_left_out"]
        assert left == check["results_left_out"]  # the same rows as the Check section leaves out
        # what is listed and what is left out add up to the organisation's two lists
        assert len(plan["controls_in_scope"]) + left["count"] == len(org_in) + len(org_out), code
        assert left["not_applicable"] == len(org_out), code


def test_the_organisation_report_keeps_every_row(sample_run, organisation):
    plan, do, ap = organisation["plan"], organisation["do"], organisation["appendix"]
    assert ids(plan["controls_in_scope"]) == [r.control_id for r in sample_run.results if r.status != "not_applicable"]
    assert ids(plan["controls_out_of_scope"]) == [r.control_id for r in sample_run.results
                                                   if r.status == "not_applicable"] != []
    assert ids(do["evidence"], "path") == [f.path for f in sample_run.evidence.files]
    assert "controls_left_out" not in plan and "evidence_left_out" not in do and "rows_left_out" not in ap


def test_the_left_out_controls_are_in_the_organisations_appendix_a(finance, organisation):
    """The sentences point to the organisation's Appendix A: it must list every control left out here."""
    org = set(ids(organisation["plan"]["controls_in_scope"])) | set(ids(organisation["plan"]["controls_out_of_scope"]))
    org_results = ids(organisation["check"]["results"], "control_id")
    shown = set(ids(finance["plan"]["controls_in_scope"]))
    left = [c for c in org_results if c not in shown]
    assert left and set(left) <= org and len(left) == finance["plan"]["controls_left_out"]["count"]


def test_appendix_b_lists_the_evidence_of_its_controls_and_its_own_files(sample_run, every_department, organisation):
    ev = sample_run.evidence
    kinds = {r.control_id: r.control.evidence for r in sample_run.results}
    everything = ids(organisation["do"]["evidence"], "path")
    provided_any = False
    for code, doc in every_department.items():
        dept = doc["scope"]["department"]
        shown = ids(doc["check"]["results"], "control_id")
        read = {p for c in shown for k in kinds[c] for p in ev.files_of(k)}
        own = {f.path for f in ev.files if deptappendix.provided_by(f.provided_by, dept)}
        provided_any |= bool(own)
        listed = ids(doc["do"]["evidence"], "path")
        assert set(listed) == (read | own), code  # each one read for a kept control or provided by it, and all of them
        assert listed == [p for p in everything if p in set(listed)]  # in the organisation's order
        assert len(listed) + doc["do"]["evidence_left_out"]["count"] == len(everything), code
    assert provided_any  # the sample has a department that provided files (情報政策課)
    assert len(every_department[FINANCE["code"]]["do"]["evidence"]) < len(everything)


def test_provided_by_names_the_unit_with_or_without_a_note():
    dept = {"code": "0220", "name": "情報政策課"}
    assert deptappendix.provided_by("情報政策課", dept) and deptappendix.provided_by("情報政策課（CSIRT事務局）", dept)
    assert deptappendix.provided_by("0220", dept) and deptappendix.provided_by("情報政策課 (vendor)", dept)
    assert not deptappendix.provided_by("契約管財課（情報政策課分）", dept) and not deptappendix.provided_by(None, dept)
    assert not deptappendix.provided_by("情報政策課長", dept)


def test_appendix_c_leaves_out_the_rows_with_nothing_applicable(every_department, organisation):
    for code, doc in every_department.items():
        ap = doc["appendix"]
        for view in VIEWS:
            assert all(g["applicable"] > 0 for g in ap[view]), code
            assert set(ids(ap[view])) <= set(ids(organisation["appendix"][view]))
            # every crosswalk row of the organisation is either listed or counted
            assert len(ap[view]) + ap["rows_left_out"][view] == len(organisation["appendix"][view]), (code, view)
        assert ap["applicability"] == []  # the statement of applicability is the organisation's


def test_the_integrity_block_is_whole(finance, organisation):
    org, dept = organisation["integrity"], finance["integrity"]
    assert {k: dept[k] for k in org} == org  # every evidence file, though Appendix B lists fewer
    assert len(dept["evidence"]) == len(organisation["do"]["evidence"]) > len(finance["do"]["evidence"])
    assert dept["withheld"]["files"] == 0  # no file name of the sample is another department's


def test_a_department_report_still_verifies_every_file(sample_reports):
    org = invoke("verify", sample_reports / "report.json", "--evidence", SAMPLE)
    dept = invoke("verify", sample_reports / "departments" / "0130_財政課" / "report.json", "--evidence", SAMPLE)
    assert org.exit_code == dept.exit_code == 0, dept.output
    files = re.compile(r"(\d+) ファイル")
    assert files.search(dept.stdout).group(1) == files.search(org.stdout).group(1)


def test_the_written_json_is_the_document(sample_reports, finance):
    written = json.loads((sample_reports / "departments" / "0130_財政課" / "report.json").read_text(encoding="utf-8"))
    assert written["schema_version"] == 4
    for key in ("plan", "do", "appendix"):
        assert written[key] == finance[key]


def _md_rows(text: str, heading: str) -> list[str]:
    """The first column of the first Markdown table after the line starting with `heading`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append(line.split("|")[1].strip())
        elif rows:
            break
    return [r.replace("\\", "") for r in rows[2:]]  # past the header and the rule; markdown escapes removed


def _docx_rows(data: bytes, heading: str) -> list[str]:
    """The first column of the first Word table after the paragraph starting with `heading`."""
    body = worddocx.Document(io.BytesIO(data))
    seen = False
    for block in body.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p" and "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")).startswith(heading):
            seen = True
        elif tag == "tbl" and seen:
            table = next(t for t in body.tables if t._tbl is block)
            return [row.cells[0].text for row in table.rows[1:]]
    raise AssertionError(f"no table after {heading}")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_word_and_markdown_carry_the_same_lists(finance, lang):
    t = labels()[lang]
    md = markdown.markdown(finance, lang)
    word = docx.document(finance, lang)
    text = "\n".join(p.text for p in worddocx.Document(io.BytesIO(word)).paragraphs)
    plan, do, ap = finance["plan"], finance["do"], finance["appendix"]
    in_scope = f"{t['plan']['in_scope']}{t['lp']}{len(plan['controls_in_scope'])}{t['rp']}"
    evidence = f"{t['do']['evidence']}{t['lp']}{len(do['evidence'])}{t['rp']}"
    assert _md_rows(md, f"**{in_scope}") == _docx_rows(word, in_scope) == ids(plan["controls_in_scope"])
    assert _md_rows(md, f"### {evidence}") == _docx_rows(word, evidence) == ids(do["evidence"], "path")
    for view, head in zip(VIEWS, ("iso27001", "nist")):
        want = [g["id"] + ("*" if g["derived"] else "") for g in ap[view]]
        assert _md_rows(md, f"### {t['cov'][head]}") == _docx_rows(word, t["cov"][head]) == want
    left = plan["controls_left_out"]
    sentences = [t["plan"]["left_out"].format(count=left["count"] - left["not_applicable"]),
                 t["plan"]["out_of_scope_elsewhere"].format(n=left["not_applicable"]),
                 t["do"]["left_out"].format(n=do["evidence_left_out"]["count"]),
                 *(t["cov"]["left_out"].format(n=ap["rows_left_out"][v]) for v in VIEWS if ap["rows_left_out"][v])]
    for sentence in sentences:
        assert sentence in text, sentence
        assert sentence.replace("'", "&#39;") in md, sentence  # the Markdown escapes what it prints


def test_the_summary_sentence_points_to_the_organisations_appendix_a():
    for lang, words in (("ja", ("組織全体の報告書", "付録A")), ("en", ("organisation's report", "Appendix A"))):
        sentence = labels()[lang]["summary"]["left_out"]
        assert all(w in sentence for w in words)


def _pages(data: bytes, path) -> int:
    path.write_bytes(data)
    info = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_a_department_pdf_is_shorter(sample_run, finance, tmp_path, monkeypatch):
    require(has_weasyprint(), "weasyprint (pip install '.[pdf]')")
    trimmed = _pages(pdf.pdf(finance, "ja"), tmp_path / "trimmed.pdf")
    for name in ("plan", "do", "appendix"):  # the department's report as it was, with every row
        monkeypatch.setattr(deptappendix, name, lambda part, *rest: part)
    whole = _pages(pdf.pdf(report.build(sample_run, ISSUED, FINANCE), "ja"), tmp_path / "whole.pdf")
    print(f"0130_財政課 report.ja.pdf: {whole} pages with the organisation's appendices, {trimmed} with its own")
    assert trimmed < whole
