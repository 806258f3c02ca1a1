"""GitHub Actions workflow commands: each open finding becomes an annotation on its evidence line.

Findings already open in the baseline (and controls already without evidence there) are shown as
notices titled "known", so that a pull request
annotates only what is new at its severity while still listing the debt.
"""
from __future__ import annotations

from ..privacy import mynumber, sanitize
from ..model import AuditRun
from . import evidence_path

LEVELS = {"major": "error", "minor": "warning", "observation": "notice"}
KNOWN = {"ja": "既知", "en": "known"}


def _escape(text: str, prop: bool = False) -> str:
    text = sanitize.visible(text)  # no escape sequence reaches the log
    # GitHub's own escaping, complete by itself: a CR or LF would end the command and start a forged one
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    lines = []
    for r in run.results:
        for f in r.open_findings():
            loc = f.locations[0] if f.locations else None
            props = [f"file={_escape(evidence_path(run, loc), True)}"]
            if loc and loc.get("line"):
                props.append(f"line={loc['line']}")
            title = f"{f.control_id} {f.department}" if f.department else f.control_id
            level = LEVELS[f.severity]
            if baseline is not None and baseline.covers(f):
                level, title = "notice", f"{title} ({KNOWN[lang]})"
            props.append(f"title={_escape(title, True)}")
            lines.append(f"::{level} {','.join(props)}::{_escape(f.message[lang])}")
        if r.status in ("no_evidence", "error"):  # the gate fails on these at the control's severity
            reason = r.reason[lang] if r.reason else r.status
            level, title = LEVELS[r.control.severity], r.control_id
            if baseline is not None and baseline.covers_result(r):  # no evidence in the baseline either
                level, title = "notice", f"{title} ({KNOWN[lang]})"
            props = f"file={_escape(evidence_path(run, None), True)},title={_escape(title, True)}"
            lines.append(f"::{level} {props}::{_escape(reason)}")
    return mynumber.mask("\n".join(lines) + ("\n" if lines else ""))  # file names and policy text too
