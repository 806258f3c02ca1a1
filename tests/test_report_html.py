"""HTML reporter: self-contained, printable, accessible, and evidence cannot inject markup."""
from __future__ import annotations

import datetime as dt
import re

from auditor.reporters import report
from auditor.reporters import html
from test_report_support import DATE, JS_LINK, SCRIPT, hostile_reports, sample_run  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)


def test_html_is_self_contained_and_printable(sample_run):
    page = html.html(report.build(sample_run, ISSUED, None), "ja")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ja">' in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@page" in page and "size: A4" in page and "break-before: page" in page
    assert '"Noto Sans CJK JP"' in page and "IPAexGothic" in page
    for heading in ("計画（Plan）", "実施（Do）", "評価（Check）", "改善（Act）", "令和7年度", "FY2025"):
        assert heading in page


def test_tables_have_scoped_headers_and_charts_label_values(sample_run):
    page = html.html(report.build(sample_run, ISSUED, None), "en")
    assert '<html lang="en">' in page
    assert page.count('<th scope="col"') > 40 and '<th scope="row"' in page
    assert "<th>" not in page  # every header says what it heads
    charts = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    assert len(charts) == 4  # by area, by department, and their trend across recorded fiscal years
    assert all('role="img"' in c and "<title" in c for c in charts)
    assert "(19/19)" not in charts[0] and re.search(r"\d+\.\d% \(\d+/\d+\)", charts[0])  # values are written
    fills = re.findall(r'fill="#([0-9a-f]{3}|[0-9a-f]{6})"', "".join(charts))
    channels = [[f[i:i + len(f) // 3] for i in range(0, len(f), len(f) // 3)] for f in fills]
    assert fills and all(len(set(c)) == 1 for c in channels)  # grey-scale only (r = g = b)


def test_cover_holds_what_a_cover_must(sample_run):
    page = html.html(report.build(sample_run, ISSUED, {"code": "0310", "name": "市民課"}), "ja")
    cover = page.split('<section id="plan"')[0]
    for text in ("さくら台市", "令和7年度", "FY2025", "情報セキュリティ内部監査", "2026年4月15日（令和8年4月15日）",
                 "令和7年4月1日改定", "β", "市民課（0310）", "助言型"):
        assert text in cover, text


def test_evidence_values_render_as_text(hostile_reports):
    for lang in ("ja", "en"):
        page = (hostile_reports / f"report.{lang}.html").read_text(encoding="utf-8")
        assert SCRIPT not in page and "<script" not in page and "<img" not in page and "<b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert JS_LINK in page  # plain text in HTML: no Markdown is interpreted there
        assert 'href="javascript' not in page


def test_render_for_the_registry(sample_run):
    from auditor import reporters
    page = reporters.get("html")(sample_run, "ja")
    assert "2026年3月31日" in page and "ACT-2025-NS-01:FW-0107" in page
