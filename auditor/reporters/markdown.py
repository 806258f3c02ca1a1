"""Markdown (GitHub-flavoured), for a wiki page or an issue.

Evidence-derived text cannot add links, images, tables, mentions or HTML: Markdown punctuation is
backslash-escaped and `<`, `>`, `&` become entities (Jinja's autoescape), which GFM shows as text.
"""
from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

from ..privacy import mynumber, sanitize
from ..model import AuditRun
from . import reportjson
from .html import environment, template_context

_BREAK = re.compile(r"[\r\n\t\u2028\u2029]+")


def md(value) -> Markup:
    """Any value as inline Markdown text that renders exactly as written (`<`, `>`, `&` as entities)."""
    return Markup(escape(sanitize.markdown(value)))


def code(value) -> Markup:
    """A code span (IDs, file names): a fence longer than any backtick run inside, pipes escaped for tables."""
    # joining the lines may join a number split over them: masked after, not before
    text = sanitize.visible(mynumber.mask(_BREAK.sub(" ", str(value)))).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


@functools.lru_cache(maxsize=None)
def _template():
    return environment(md=md, code=code).get_template("report.md.j2")


def markdown(doc: dict, lang: str) -> str:
    return _template().render(template_context(doc, lang))


def files(doc: dict, lang: str, options=None) -> list[tuple[str, bytes]]:
    return [(f"report.{lang}.md", markdown(doc, lang).encode("utf-8"))]


def render(run: AuditRun, lang: str = "ja") -> str:
    """The organisation's report, issued on the audit's as-of date."""
    return markdown(reportjson.organisation(run), lang)
