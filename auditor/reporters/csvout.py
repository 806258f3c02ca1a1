"""CSV for Excel users: findings (with their follow-up action) and actions (this cycle's and last's).

Encoding (UTF-8 with a BOM, or CP932 with look-alikes and a note for what it lacks) is the shared
writer's (auditor/csvwrite.py). Cells that Excel would run as formulas are neutralised.
"""
from __future__ import annotations

import csv
import io

from .. import csvwrite
from ..privacy import sanitize
from ..model import AuditRun
from . import reportjson
from .labels import labels

def _cell(value) -> str:
    # A leading quote makes Excel show evidence text such as =HYPERLINK(...) instead of running it.
    return sanitize.spreadsheet_cell(sanitize.visible(value))


def _findings(doc: dict, lang: str) -> list[list]:
    t = labels()[lang]
    h = t["csv"]
    actions = {a["finding_id"]: a for a in doc["act"]["actions"]}
    rows = [[h["finding_id"], h["grade"], h["status"], h["control"], h["control_title"], h["department_code"],
             h["department"], h["message"], h["location"], h["exception"], h["exception_state"], h["exception_reason"],
             h["approver"], h["exception_to"], h["action_id"], h["owner_role"], h["due_on"]]]
    for f in doc["check"]["findings"]:
        dept, exc, act = f["department"] or {}, f["exception"] or {}, actions.get(f["id"], {})
        where = "; ".join(l["file"] + (f":{l['line']}" if l.get("line") else "") for l in f["locations"])
        rows.append([f["id"], t["severity"][f["severity"]], t["status"][f["status"]], f["control_id"],
                     f["control_title"][lang], dept.get("code"), dept.get("name") or t["organisation_wide"],
                     f["message"][lang], where, exc.get("id"), t["exc_state"].get(exc.get("state"), ""),
                     exc.get("reason"), exc.get("approver"), exc.get("to"), act.get("action_id"),
                     act.get("owner_role"), act.get("due_on")])
    return rows


def _actions(doc: dict, lang: str) -> list[list]:
    t = labels()[lang]
    h = t["csv"]
    rows = [[h["action_id"], h["cycle"], h["finding_id"], h["grade"], h["department_code"], h["department"],
             h["owner_role"], h["due_on"], h["extended_to"], h["completed_on"], h["verified_on"], h["status"],
             h["register_status"], h["location"]]]
    for a in doc["act"]["actions"]:  # new, or carried over with its register status and extension
        dept, status = a["department"] or {}, a.get("register_status")
        rows.append([a["action_id"], h["this_cycle"], a["finding_id"], t["severity"][a["severity"]], dept.get("code"),
                     dept.get("name") or t["organisation_wide"], a["owner_role"], a["due_on"], a.get("extended_to"),
                     None, None, t["status"][a["status"]], t["register_status"].get(status, status), None])
    for a in doc["act"]["previous"]:
        dept, loc = a["department"] or {}, a["location"]
        status = a["register_status"]
        rows.append([a["action_id"], h["last_cycle"], a["finding_id"], None, dept.get("code"), dept.get("name"), None,
                     a["due_on"], a["extended_to"], a["completed_on"], a["verified_on"], t["action_state"][a["state"]],
                     t["register_status"].get(status, status), f"{loc['file']}:{loc['line']}" if loc.get("line") else loc["file"]])
    return rows


def encode(rows: list[list], encoding: str) -> tuple[bytes, list[str]]:
    """CSV bytes (CRLF, as Excel writes) and notes on characters that had to be replaced."""
    return csvwrite.encode(rows, encoding, _cell)


def files(doc: dict, lang: str, options=None) -> list[tuple]:
    encoding = getattr(options, "csv_encoding", "utf-8")
    out = []
    for name, rows in (("findings", _findings(doc, lang)), ("actions", _actions(doc, lang))):
        data, notes = encode(rows, encoding)
        out.append((f"{name}.{lang}.csv", data, notes))
    return out


def render(run: AuditRun, lang: str = "ja") -> str:
    """The organisation's findings CSV, as text."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([[_cell(v) for v in r] for r in _findings(reportjson.organisation(run), lang)])
    return buf.getvalue()
