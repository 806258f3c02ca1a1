"""GitHub Actions workflow commands: each open finding becomes an annotation on its evidence line."""
from __future__ import annotations

import os

from ..model import AuditRun

LEVELS = {"major": "error", "minor": "warning", "observation": "notice"}


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(run: AuditRun, lang: str = "ja") -> str:
    lines = []
    for r in run.results:
        for f in r.open_findings():
            loc = f.locations[0] if f.locations else {"file": "manifest.yaml", "line": None}
            props = [f"file={_escape(os.path.join(run.evidence.root, loc['file']), True)}"]
            if loc.get("line"):
                props.append(f"line={loc['line']}")
            title = f"{f.control_id} {f.department}" if f.department else f.control_id
            props.append(f"title={_escape(title, True)}")
            lines.append(f"::{LEVELS[f.severity]} {','.join(props)}::{_escape(f.message[lang])}")
        if r.status in ("no_evidence", "error"):
            reason = r.reason[lang] if r.reason else r.status
            lines.append(f"::warning title={_escape(r.control_id, True)}::{_escape(reason)}")
    return "\n".join(lines) + ("\n" if lines else "")
