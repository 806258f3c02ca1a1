"""Output formats: one module per format, each with `render(run, lang) -> str`, picked by name.

The `auditor check` formats (CHECK_FORMATS) also take `baseline=` (auditor.cycle.baseline.Baseline or None).
A format that describes the tool's run itself (SARIF's `invocations`) says so with `TAKES_INVOCATION = True`
and takes `invocation=` (an Invocation) as well; `render(name, ...)` hands it only to those.
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
from dataclasses import dataclass
from pathlib import Path

REPORTERS = {
    "text": "auditor.reporters.text",
    "json": "auditor.reporters.jsonout",
    "junit": "auditor.reporters.junit",
    "sarif": "auditor.reporters.sarif",
    "github": "auditor.reporters.github",
    "gitlab": "auditor.reporters.gitlab",
    "oscal-ar": "auditor.reporters.oscal_ar",  # OSCAL 1.1.3 assessment-results
    "oscal-poam": "auditor.reporters.oscal_poam",  # OSCAL 1.1.3 plan of action and milestones
    # PDCA report formats (auditor report): each also has `files(doc, lang, options)`.
    "html": "auditor.reporters.html",
    "md": "auditor.reporters.markdown",
    "pdf": "auditor.reporters.pdf",
    "csv": "auditor.reporters.csvout",
    "docx": "auditor.reporters.docx",
    "xlsx": "auditor.reporters.xlsx",
    "report-json": "auditor.reporters.reportjson",
}
CHECK_FORMATS = ("text", "json", "junit", "sarif", "github", "gitlab", "oscal-ar", "oscal-poam")


def get(name: str):
    """The render function of a format (imported only when asked for)."""
    return importlib.import_module(REPORTERS[name]).render


@dataclass(frozen=True)
class Invocation:
    """What a format may say about the tool's run (the CLI knows it; nothing below reads a clock)."""
    exit_code: int
    started: dt.datetime  # UTC
    ended: dt.datetime  # UTC: when the results were complete
    sarif_min_severity: str | None = None  # SARIF leaves results below this severity out


def render(name: str, run, lang: str, baseline=None, invocation: Invocation | None = None) -> str:
    """One check format's text; `invocation` goes only to a format that takes it."""
    module = importlib.import_module(REPORTERS[name])
    if invocation is not None and getattr(module, "TAKES_INVOCATION", False):
        return module.render(run, lang, baseline=baseline, invocation=invocation)
    return module.render(run, lang, baseline=baseline)


def repo_path(path) -> str:
    """A path as CI tools want it: relative to the working directory (the repository root in CI), '/'-separated.

    Outside the working directory it stays absolute (a relative '../' path would name nothing in the repository).
    """
    path = Path(path)
    try:
        rel = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path.absolute().as_posix()
    if rel.parts and rel.parts[0] == "..":
        return path.absolute().as_posix()
    return rel.as_posix()


def evidence_path(run, loc: dict | None) -> str:
    """The repository path of a finding's evidence file; the manifest when the finding has no file."""
    if not loc or not loc.get("file"):
        return repo_path(run.evidence.manifest)
    return repo_path(Path(run.evidence.root) / loc["file"])
