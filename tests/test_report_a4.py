"""Print layout: every page of a PDF report is A4 and no table cell is clipped or runs into the margin.

Each table cell of the page WeasyPrint typeset (the HTML rendered from the report document) must be found,
whole, in the text poppler reads back from the PDF (content-stream order, whitespace and line breaks
removed: a cell may wrap, never lose text), no word may lie outside the page's text area, and no two words of
a line may overlap (a fixed-layout column too narrow for a word that cannot wrap). The run has
a recorded FY2024 in its history database, so 前回までの指摘の対応状況 holds the long action IDs of the
register (ACT-2024-NS-04.placement:PC-0017).
"""
from __future__ import annotations

import datetime as dt
import html.parser
import re
import subprocess
import unicodedata

import pytest

from auditor import defaults
from auditor.engine import audit
from auditor.reporters import html as html_out
from auditor.reporters import pdf, report
from conftest import POLICY, ROOT, SAMPLE, invoke
from test_report_support import DATE, has_weasyprint, require, tool

ISSUED = dt.date.fromisoformat(DATE)
A4 = (595.276, 841.89)  # points
MM = 72 / 25.4
LEFT, RIGHT = 14 * MM, 14 * MM  # report.css: @page margin 16mm 14mm 18mm
_SPACE = re.compile(r"[\s\u200b\u00ad]+")
_HYPHENATED = re.compile(r"\u2010\n")  # an English word CSS hyphenated at a line's end (report.css: hyphens)


def flat(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


class Cells(html.parser.HTMLParser):
    """The text of every th/td of every table, in document order."""

    def __init__(self):
        super().__init__()
        self.cells, self.depth, self.current = [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
        elif tag in ("td", "th") and self.depth:
            self.current = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.current is not None:
            self.cells.append("".join(self.current))
            self.current = None
        elif tag == "table":
            self.depth -= 1

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def cells_of(page: str) -> list[str]:
    parser = Cells()
    parser.feed(page)
    return [c for c in parser.cells if flat(c)]


@pytest.fixture(scope="module")
def cycled_run(tmp_path_factory):
    """The sample's FY2025 audited against a register that recorded FY2024 (long action IDs)."""
    require(has_weasyprint(), "weasyprint (pip install '.[pdf]')")
    tmp = tmp_path_factory.mktemp("a4")
    db = tmp / "history.sqlite"
    result = invoke("report", "--policy", POLICY, "--evidence", ROOT / "evidence" / "FY2024", "--date", "2025-04-15",
                    "--record", "--db", db, "--out", tmp / "fy2024", "--format", "json")
    assert result.exit_code == 0, result.output
    return audit.run(POLICY, SAMPLE, [defaults.shipped_controls()], db=db)


def _pdf(run, target, lang, tmp_path):
    doc = report.build(run, ISSUED, target)
    path = tmp_path / f"{(target or {}).get('code', 'org')}.{lang}.pdf"
    path.write_bytes(pdf.pdf(doc, lang))
    return doc, path


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("target", [None, {"code": "0130", "name": "財政課"}], ids=["organisation", "0130"])
def test_every_page_is_a4_and_no_table_cell_is_clipped(cycled_run, target, lang, tmp_path):
    doc, path = _pdf(cycled_run, target, lang, tmp_path)
    assert any(len(a["action_id"]) > 25 for a in doc["act"]["previous"])  # the long IDs are there to wrap
    info = subprocess.run([tool("pdfinfo"), "-f", "1", "-l", "9999", str(path)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes and all(abs(float(w) - A4[0]) < 0.5 and abs(float(h) - A4[1]) < 0.5 for w, h in sizes)
    text = flat(_HYPHENATED.sub("", subprocess.run([tool("pdftotext"), "-raw", str(path), "-"], capture_output=True,
                                                   text=True, check=True).stdout))
    cells = cells_of(html_out.html(doc, lang))
    assert len(cells) > 100
    missing = [c for c in cells if flat(c) not in text]
    assert not missing, missing[:10]
    for x in doc["act"]["previous"]:  # every column of 前回までの指摘の対応状況
        for value in (x["action_id"], x["finding_id"], x["due_on"], x["extended_to"], x["completed_on"], x["verified_on"]):
            assert value is None or flat(value) in text
    words = subprocess.run([tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout
    outside = [(m[4], m[0], m[2]) for m in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                                       r'yMax="([\d.]+)">([^<]*)</word>', words)
               if float(m[0]) < LEFT - 1 or float(m[2]) > A4[0] - RIGHT + 1]
    assert not outside, outside[:10]  # nothing runs into the side margins
    assert not overlapping(words)  # no text runs into its neighbour column (a fixed-layout column too narrow)


def overlapping(words: str) -> list:
    """Pairs of words on the same line of a page whose boxes overlap (pdftotext -bbox)."""
    found = []
    for page in words.split("<page ")[1:]:
        lines = {}
        for x0, x1, y1, w in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page):
            lines.setdefault(round(float(y1)), []).append((float(x0), float(x1), w))
        for line in lines.values():
            line.sort()
            found += [(a[2], b[2]) for a, b in zip(line, line[1:]) if b[0] < a[1] - 1]
    return found
