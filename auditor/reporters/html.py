"""HTML: one self-contained page per report (inline CSS and SVG charts, no script, A4 print styles).

Its Jinja environment (autoescape on) serves every human-readable template.
"""
from __future__ import annotations

import datetime as dt
import functools

from .. import fiscal
from ..engine.coverage import required_groups
from ..evidence import integrity
from ..privacy import sanitize
from ..model import AuditRun
from . import reportjson
from .labels import fy_ja, labels


def environment(**filters):
    """The Jinja environment of every human-readable format: autoescape on for every template."""
    import jinja2  # imported here: `auditor --help` stays fast

    env = jinja2.Environment(loader=jinja2.PackageLoader("auditor.reporters", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(pct=_pct, day=_day, day_short=_day_short, fy_ja=fy_ja, required_groups=required_groups, **filters)
    return env


def template_context(doc: dict, lang: str) -> dict:
    """What every template sees: the document and the labels of its language."""
    from .approval import view

    return {"doc": doc, "lang": lang, "t": labels()[lang], "areas": labels()["areas"], "ja": lang == "ja",
            "signoff": view(doc, lang)}  # the 決裁欄 once signed (auditor/reporters/approval.py)


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _day(iso, lang: str) -> str:
    """2026年4月15日（令和8年4月15日） or 15 April 2026; — when unknown."""
    if not iso:
        return "—"
    return fiscal.label(dt.date.fromisoformat(iso), lang)


def _day_short(iso, lang: str) -> str:
    """令和8年5月15日 or 2026-05-15, as a sentence writes a day; — when unknown."""
    return fiscal.day_text(dt.date.fromisoformat(iso), lang) if iso else "—"


@functools.lru_cache(maxsize=None)
def _template():
    return environment().get_template("report.html.j2")


@functools.lru_cache(maxsize=None)
def stylesheet() -> str:
    """report.css as the page includes it (the PDF parses it once for every page)."""
    return environment().get_template("report.css").render()


def html(doc: dict, lang: str) -> str:
    page = _template().render(template_context(sanitize.document(doc), lang))  # markup: autoescape
    if doc.get("integrity"):  # inert, hidden: `auditor verify report.ja.html` reads it back
        page = page.replace("</body>", integrity.html_element(doc["integrity"]) + "</body>", 1)
    return page


def files(doc: dict, lang: str, options=None) -> list[tuple[str, bytes]]:
    return [(f"report.{lang}.html", html(doc, lang).encode("utf-8"))]


def render(run: AuditRun, lang: str = "ja") -> str:
    """The organisation's report, issued on the audit's as-of date."""
    return html(reportjson.organisation(run), lang)
