"""Output formats: one module per format, each with `render(run, lang) -> str`, picked by name."""
from __future__ import annotations

import importlib

REPORTERS = {
    "text": "auditor.reporters.text",
    "json": "auditor.reporters.jsonout",
    "junit": "auditor.reporters.junit",
    "sarif": "auditor.reporters.sarif",
    "github": "auditor.reporters.github",
}


def get(name: str):
    """The render function of a format (imported only when asked for)."""
    return importlib.import_module(REPORTERS[name]).render
