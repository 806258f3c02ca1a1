"""The PDCA report document in its JSON form (`auditor report --format json`)."""
from __future__ import annotations

import json

from ..model import AuditRun
from .redact import build


def files(doc: dict, lang: str, options=None) -> list[tuple[str, bytes]]:
    """One JSON file for both languages: texts carry ja and en, enums stay codes."""
    return [("report.json", (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))]


def organisation(run: AuditRun) -> dict:
    """The organisation's scrubbed document, issued on the audit's as-of date (for `render`)."""
    return build(run, run.evidence.as_of, None)


def render(run: AuditRun, lang: str = "ja") -> str:
    return files(organisation(run), lang)[0][1].decode("utf-8")
