"""Markdown reporter: GitHub-flavoured, every evidence value escaped, tables intact."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from auditor.reporters import report
from auditor.reporters import markdown
from test_report_support import DATE, hostile_reports, sample_run  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)


@pytest.mark.parametrize("raw, escaped", [
    ("a|b", r"a\|b"),
    ("[x](javascript:alert(1))", r"\[x\]\(javascript\:alert\(1\)\)"),
    ("<script>", "&lt;script&gt;"),
    ("`code` *em* _u_ #1 @here $x$ ~s~ !img", r"\`code\` \*em\* \_u\_ \#1 \@here \$x\$ \~s\~ \!img"),
    ("back\\slash & amp", r"back\\slash &amp; amp"),
    ("two\nlines", "two lines"),
    # a hyphen inside a word or a date reads as typed; one that could start a list, a rule or a dash does not
    ("GL1-01 2025-05-30 総務課-1", "GL1-01 2025-05-30 総務課-1"),
    ("- item", r"\- item"), ("a--b", r"a\-\-b"), ("---", r"\-\-\-"), ("x -1", r"x \-1"), ("a- b", r"a\- b"),
    ("_-x", r"\_\-x"),
])
def test_md_escapes_markdown_and_html(raw, escaped):
    assert str(markdown.md(raw)) == escaped


def test_code_spans_survive_backticks_and_pipes():
    assert str(markdown.code("端末台帳.tsv:53")) == "`端末台帳.tsv:53`"
    assert str(markdown.code("a`b|c")) == r"``a`b\|c``"
    assert str(markdown.code("`x")) == "`` `x ``"


def _table_rows(text):
    rows = [l for l in text.splitlines() if l.startswith("|")]
    return rows


def test_tables_keep_their_columns(sample_run):
    page = markdown.markdown(report.build(sample_run, ISSUED, None), "ja")
    blocks, current = [], []
    for line in page.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    assert len(blocks) >= 8
    for block in blocks:
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in block}
        assert len(widths) == 1, block[:3]
    assert page.startswith("# さくら台市 情報セキュリティ監査報告書")
    for heading in ("## 要旨（情報セキュリティ委員会への報告）", "## 1. 評価（Check）", "## 2. 改善（Act）", "## 付録A 計画（Plan）",
                    "## 付録B 実施（Do）"):
        assert heading in page


def test_evidence_values_cannot_inject(hostile_reports):
    for lang in ("ja", "en"):
        page = (hostile_reports / f"report.{lang}.md").read_text(encoding="utf-8")
        assert "<script" not in page and "<img" not in page and "<b>" not in page
        assert "](javascript:" not in page and "](javascript" not in page
        assert r"\[x\]\(javascript\:alert\(1\)\)" in page
        assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in page
        assert " @here" not in page and r"\@here" in page  # no mention when pasted into an issue
        for row in _table_rows(page):
            assert "=HYPERLINK" not in row or r"\|" in row


def test_department_markdown_has_its_own_findings_only(sample_run):
    page = markdown.markdown(report.build(sample_run, ISSUED, {"code": "0620", "name": "農林課"}), "en")
    assert "`AU-02:0620`" in page and "`SA-01:0620`" in page
    assert "AU-02:0710" not in page
    assert "Organisation-wide totals (numbers only)" in page
