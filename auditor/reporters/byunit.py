"""Each control's result for each department (the organisation's report only): the rows of the
spreadsheet's 管理策別結果 sheet, from the same per-department status the rates count."""
from __future__ import annotations

from ..scoring import department_status


def rows(result, audience: list[dict], findings: list[dict], secretariat, checked) -> list[dict]:
    """One row per department the control says something about; checked(result, code, secretariat)
    gives the records checked for it."""
    mine = [f for f in findings if f["control_id"] == result.control_id]
    out = []
    for d in audience:
        status = department_status(result, d["code"], secretariat)
        if status is None:
            continue
        theirs = [f for f in mine if (f["department"] or {}).get("code") == d["code"]]
        out.append({"code": d["code"], "name": d["name"], "status": status,
                    "checked": checked(result, d["code"], secretariat),
                    "open_findings": sum(f["status"] == "open" for f in theirs),
                    "waived_findings": sum(f["status"] == "waived" for f in theirs)})
    return out
