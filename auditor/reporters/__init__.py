"""Output formats: one module per format, each with `render(run, lang) -> str`, picked by name."""
from __future__ import annotations

import importlib

REPORTERS = {
    "text": "auditor.reporters.text",
    "json": "auditor.reporters.jsonout",
    "junit": "auditor.reporters.junit",
    "sarif": "auditor.reporters.sarif",
    "github": "auditor.reporters.github",
    # PDCA report formats (auditor report): each also has `files(doc, lang, options)`.
    "html": "auditor.reporters.html",
    "md": "auditor.reporters.markdown",
    "pdf": "auditor.reporters.pdf",
    "csv": "auditor.reporters.csvout",
    "report-json": "auditor.reporters.reportjson",
}


def get(name: str):
    """The render function of a format (imported only when asked for)."""
    return importlib.import_module(REPORTERS[name]).render
