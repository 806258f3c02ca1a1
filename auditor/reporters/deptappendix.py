"""A department's appendices: only the rows that concern it.

The organisation's report lists every control (Appendix A), every evidence file (Appendix B) and every
crosswalk row (Appendix C). A department's report keeps the controls its Check section shows (the same
rows as `check.results`), the evidence those controls read or the department provided, and the crosswalk
rows with an audit item applicable to it; each list says how many rows it left out, and the organisation's
report has them. The integrity block is not touched: `auditor verify` still checks every file.
"""
from __future__ import annotations

import re

from ..model import AuditRun
from . import coveragesection

_NOTE = re.compile(r"\s*[（(].*$")  # 「情報政策課（各課取りまとめ）」: the unit, then a note on who compiled it


def plan(plan: dict, shown: set[str]) -> dict:
    """Appendix A with only the controls and items in `shown`; the policy's out-of-scope list is the
    organisation's (a department's Check shows no not-applicable row)."""
    kept = [c for c in plan["controls_in_scope"] if c["id"] in shown]
    out = len(plan["controls_out_of_scope"])
    left = len(plan["controls_in_scope"]) - len(kept) + out
    return dict(plan, controls_in_scope=kept, controls_out_of_scope=[],
                controls_left_out={"count": left, "not_applicable": out})


def do(do: dict, run: AuditRun, shown: set[str], department: dict) -> dict:
    """Appendix B with the files read for the controls in `shown` and the files the department provided."""
    ev = run.evidence
    read = {path for r in run.results if r.control_id in shown for kind in r.control.evidence
            for path in ev.files_of(kind)}
    kept = [f for f in do["evidence"] if f["path"] in read or provided_by(f["provided_by"], department)]
    return dict(do, evidence=kept, evidence_left_out={"count": len(do["evidence"]) - len(kept)})


def provided_by(who, department: dict) -> bool:
    """Whether a manifest's provided_by names the department (by name or code, a note in brackets aside)."""
    unit = _NOTE.sub("", str(who or "")).strip()
    return bool(unit) and unit in (department.get("name"), department.get("code"))


def appendix(appendix: dict | None, run: AuditRun) -> dict | None:
    """Appendix C without the crosswalk rows that hold no audit item applicable to the department: those
    of its view with none applicable, and the organisation's rows its view does not reach at all."""
    if appendix is None:
        return None
    views = ("iso27001", "nist_csf")
    kept = {v: [g for g in appendix[v] if g["applicable"]] for v in views}
    whole = coveragesection.appendix(run, None)  # the organisation's rows, which the count is read against
    return dict(appendix, **kept, rows_left_out={v: len(whole[v]) - len(kept[v]) for v in views})
