"""PDF: the HTML report typeset by WeasyPrint (the optional extra `pip install .[pdf]`), as PDF/A-3u.

WeasyPrint is imported only here and only when asked for: it is large and needs Pango. Japanese
text needs a CJK font on the system (fonts-noto-cjk or fonts-ipaexfont; see the CSS font stack):
without one the PDF is refused before any work (auditor/reporters/fonts.py), never printed as boxes.

For the archive the file is PDF/A-3u (ISO 19005-3, Unicode text), tagged, with its metadata (title,
the organisation as author, language, date of issue) and the report's integrity block embedded as
the attachment integrity.json (PDF/A-3 allows embedded files): the archived PDF alone says which
evidence it was issued on. `pdfdetach -saveall report.ja.pdf` (poppler) takes the file out, and
`auditor verify integrity.json` checks the evidence against it as against report.json.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import json
import os

from .. import __version__
from ..errors import InputError, import_reason
from ..model import AuditRun
from . import fonts, html, reportjson

INSTALL_HINT = ("install the PDF extra: pip install 'municipal-auditor[pdf]' (and the system packages "
                "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk)")


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: installed, but Pango is missing
        raise InputError("--format pdf", f"PDF output needs WeasyPrint, which cannot be loaded ({exc})",
                         hint=INSTALL_HINT, ja=f"PDF の出力には WeasyPrint が必要ですが、読み込めません（{import_reason(exc, 'ja')}）",
                         hint_ja="PDF の追加機能をインストールしてください: pip install 'municipal-auditor[pdf]'（と OS のパッケージ "
                                 "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk）") from None
    return weasyprint


VARIANT = "pdf/a-3u"
ATTACHMENT = "integrity.json"


def check_available() -> None:
    """Raise InputError (exit 2) before any work when PDF cannot be made here: no WeasyPrint, or no
    Japanese font (which Pango would print as boxes, or crash on when there is no font at all).
    Fonts first: WeasyPrint warns on import when fontconfig has none."""
    fonts.require_japanese()
    _weasyprint()


def pdf(doc: dict, lang: str) -> bytes:
    fonts.require_japanese()  # before Pango is asked to lay out a single line
    weasyprint = _weasyprint()
    issued = dt.date.fromisoformat(doc["cover"]["issued_on"])
    font_config, counters, style, css = _setup()
    text = html.html(doc, lang)
    sheets = []
    if style is not None and css in text:  # the page's own style sheet, parsed once for every document
        text = text.replace(css, "", 1)
        sheets = [style]
    # No base URL: the page is self-contained, so nothing can be fetched while typesetting.
    page = weasyprint.HTML(string=text, base_url=None, url_fetcher=_no_fetch)
    # A fixed identifier keeps the bytes identical for identical input (no random file ID).
    ident = f"{doc['cover']['fiscal_year']}-{(doc['scope']['department'] or {}).get('code', 'org')}-{lang}".encode()
    with _clock_at(issued):
        document = page.render(font_config=font_config, counter_style=counters, stylesheets=sheets)
        _metadata(document.metadata, doc, lang, issued)
        return document.write_pdf(pdf_identifier=ident, pdf_variant=VARIANT, pdf_tags=True, finisher=_one_af,
                                  attachments=_attachments(weasyprint, doc, issued))


@functools.lru_cache(maxsize=1)
def _setup():
    """What every document of a run shares: fontconfig's fonts for WeasyPrint and the report's style
    sheet, parsed once (it is the same text in every page; it is taken out of the page and applied as
    a style sheet of its own, which gives the same styles: nothing else in the page styles it but
    `style` attributes, which win either way)."""
    weasyprint = _weasyprint()
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration

    font_config, counters = FontConfiguration(), CounterStyle()
    css = html.stylesheet()
    style = weasyprint.CSS(string=css, base_url=None, url_fetcher=_no_fetch, font_config=font_config,
                           counter_style=counters) if css.strip() else None
    return font_config, counters, style, css


def _one_af(document, pdf) -> None:
    """The catalogue's /AF names each embedded file once (WeasyPrint 70 lists it twice: from the name
    tree and from the file specification)."""
    refs = pdf.catalog.get("AF")
    if refs:
        unique = list(dict.fromkeys(refs))  # references, as bytes or text
        del refs[:]
        refs.extend(unique)


def _metadata(meta, doc: dict, lang: str, issued: dt.date) -> None:
    """Title (the page's), author (the organisation), language, creator and the date of issue."""
    meta.authors = [doc["cover"]["organisation"][lang]]
    meta.lang = lang
    meta.generator = f"auditor {__version__}"
    meta.created = meta.modified = f"{issued.isoformat()}T09:00:00+09:00"
    meta.description = doc["cover"]["fiscal_year_label"][lang]


def _attachments(weasyprint, doc: dict, issued: dt.date) -> list:
    """The integrity block as integrity.json (AFRelationship Data: what the report was derived from), in
    the shape `auditor verify` reads from report.json."""
    block = doc.get("integrity")
    if not block:
        return []
    data = (json.dumps({"integrity": block}, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    when = dt.datetime.combine(issued, dt.time())
    return [weasyprint.Attachment(file_obj=io.BytesIO(data), name=ATTACHMENT, relationship="Data",
                                  description="auditor integrity block (auditor verify)", created=when, modified=when)]


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
