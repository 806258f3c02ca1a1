"""PDF: the HTML report typeset by WeasyPrint (the optional extra `pip install .[pdf]`).

WeasyPrint is imported only here and only when asked for: it is large and needs Pango. Japanese
text needs a CJK font on the system (fonts-noto-cjk or fonts-ipaexfont); see the CSS font stack.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os

from ..errors import InputError
from ..model import AuditRun
from . import html, reportjson

INSTALL_HINT = ("install the PDF extra: pip install 'municipal-auditor[pdf]' (and the system packages "
                "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk)")


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: installed, but Pango is missing
        raise InputError("--format pdf", f"PDF output needs WeasyPrint, which cannot be loaded ({exc})",
                         hint=INSTALL_HINT) from None
    return weasyprint


def check_available() -> None:
    """Raise InputError (exit 2) before any work when PDF cannot be made here."""
    _weasyprint()


def pdf(doc: dict, lang: str) -> bytes:
    weasyprint = _weasyprint()
    # No base URL: the page is self-contained, so nothing can be fetched while typesetting.
    document = weasyprint.HTML(string=html.html(doc, lang), base_url=None, url_fetcher=_no_fetch)
    # A fixed identifier keeps the bytes identical for identical input (no random file ID).
    ident = f"{doc['cover']['fiscal_year']}-{(doc['scope']['department'] or {}).get('code', 'org')}-{lang}".encode()
    with _clock_at(dt.date.fromisoformat(doc["cover"]["issued_on"])):
        return document.write_pdf(pdf_identifier=ident)


@contextlib.contextmanager
def _clock_at(day: dt.date):
    """fontTools stamps each embedded font subset with the time it was made (the `head` table's
    modified date) unless SOURCE_DATE_EPOCH is set: pin it to the date of issue while typesetting."""
    epoch = str(int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp()))
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"reports fetch nothing: {url}")


def files(doc: dict, lang: str, options=None) -> list[tuple[str, bytes]]:
    return [(f"report.{lang}.pdf", pdf(doc, lang))]


def render(run: AuditRun, lang: str = "ja") -> bytes:
    """The organisation's report as PDF bytes, issued on the audit's as-of date."""
    return pdf(reportjson.organisation(run), lang)
