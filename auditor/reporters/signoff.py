"""Signing a recorded run's reports (`auditor report approve`): check the signature against the rules, the
reports in OUT against the run and against what was issued, the evidence against the report (as
`auditor verify`), then record it and swap in the reports issued again with the filled 決裁欄, together.
Withdrawing the last signature (`auditor report withdraw`) issues them again without it, the same way.

The rules and the records are auditor/cycle/approval.py; the block auditor/reporters/approval.py; the
re-rendering reissue.py. Nothing here prints: a refusal is an exception (approval.Refused, NotVerified,
InputError) that the CLI turns into a message and an exit code.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ..cycle import approval
from ..cycle.database import now
from ..errors import InputError
from ..evidence import integrity
from ..fiscal import FiscalYear
from . import approval as block_mod, reissue, report as reports


class NotVerified(Exception):
    """The evidence changed since the report was made: `result` is integrity.verify_report's."""

    def __init__(self, result: dict):
        self.result = result
        super().__init__("the evidence no longer verifies against the report")


def sign(con, run_id: int, rules: approval.Rules, role: str, name: str, on: dt.date, today: dt.date, out,
         evidence, inputs) -> dict:
    """Sign one step of run_id's reports in OUT (default: the folder the run recorded, else reports).

    inputs: the files and folders no report may be written over or into (auditor/outputs.py); the
    evidence folder compared is added. Returns what happened: step, on, out, files, written, verified, complete."""
    row = dict(con.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
    out = Path(out or row.get("reports_dir") or "reports")
    doc = reissue.organisation_document(out)
    _belongs(con, row, doc, out / block_mod.REPORT_JSON)
    sigs = approval.signatures(con, run_id)
    # the date of issue is the report's (a run recorded by `check` was recorded on another day)
    step = approval.check(rules, sigs, dict(row, issued_on=doc["cover"].get("issued_on")), role, name, on, today)
    found = _as_issued(con, run_id, out)
    result = integrity.verify_report(out / block_mod.REPORT_JSON, evidence)
    if not result["matches"]:
        raise NotVerified(result)
    stamp = now()
    signed = sigs + [{"step": step, "role": role, "name": name, "approved_on": on.isoformat(), "recorded_at": stamp,
                      "files": [{"path": block_mod.REPORT_JSON, "approved_sha256": found.get(block_mod.REPORT_JSON)}]}]
    block = block_mod.block(signed, rules, run_id)
    new = reissue.reissue(out, block, found)
    issued = dict(found, **{p: hashlib.sha256(data).hexdigest() for p, data in new.items()})
    with reports.staged(out, inputs.with_folder("evidence", result["evidence_folder"])) as staged:
        for rel, data in new.items():
            staged.write(rel, data)
        # the set lands whole, and only with its record (a failed swap rolls the signature back)
        approval.record(con, run_id, step, role, name, on, found, issued, then=lambda: reports.commit(staged), at=stamp)
    return {"step": step, "on": on.isoformat(), "out": out, "files": len(found), "written": len(new),
            "verified": result["unchanged"], "complete": block["complete"]}


def withdraw(con, run_id: int, rules: approval.Rules, role: str, by: str, reason: str, on: dt.date, today: dt.date,
             out, inputs) -> dict:
    """Withdraw the last signature of run_id (`auditor report withdraw`): the reports in OUT, as last issued,
    are issued again without it and swapped in together with the record, which keeps the signature, who
    withdrew it, when and why. The evidence is not compared: nothing is signed. Returns step, on, out, written."""
    row = dict(con.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
    out = Path(out or row.get("reports_dir") or "reports")
    doc = reissue.organisation_document(out)
    _belongs(con, row, doc, out / block_mod.REPORT_JSON)
    sigs = approval.signatures(con, run_id)
    sig = approval.check_withdrawal(rules, sigs, run_id, role, on, today)
    found = _as_issued(con, run_id, out)
    block = block_mod.block([s for s in sigs if s is not sig], rules, run_id)
    new = reissue.reissue(out, block, found)
    issued = dict(found, **{p: hashlib.sha256(data).hexdigest() for p, data in new.items()})
    try:  # never written into the evidence, when it is here (a withdrawal does not need it)
        inputs = inputs.with_folder("evidence", integrity.evidence_folder(doc.get("integrity") or {}, out))
    except InputError:
        pass
    with reports.staged(out, inputs) as staged:
        for rel, data in new.items():
            staged.write(rel, data)
        approval.record_withdrawal(con, sig, by, reason, on, found, issued, then=lambda: reports.commit(staged))
    return {"step": sig["step"], "on": on.isoformat(), "out": out, "written": len(new)}


def _as_issued(con, run_id: int, out: Path) -> dict:
    """The report files in OUT (relative path -> SHA-256), refused (changed_reports) where they differ from
    what was last issued for the run: a report edited since is never signed over, nor issued again."""
    found = reissue.same_issue(out, reissue.set_files(out))  # as found, when the run recorded none
    expected = approval.expected_files(con, run_id)
    if expected is None:
        return found
    current = reissue.hashes(out, expected)
    differ = sorted(p for p, sha in expected.items() if current.get(p) != sha)
    if differ:
        raise approval.Refused("changed_reports", run=run_id, out=out, n=len(differ),
                               files=", ".join(differ[:5]) + (" …" if len(differ) > 5 else ""))
    return current


def _belongs(con, row: dict, doc: dict, path) -> None:
    """report.json is the report of this run: its fiscal year, policy and evidence files are the run's."""
    block = doc.get("integrity") or {}
    recorded = {integrity.path_key(r[0]): r[1] for r in con.execute(
        "SELECT path, sha256 FROM evidence_files WHERE run_id = ?", (row["id"],))}
    same = (doc["cover"].get("fiscal_year") == row["fiscal_year"]
            and (block.get("policy") or {}).get("sha256") == row["policy_sha256"]
            and all(recorded.get(integrity.path_key(e["path"])) == e["sha256"] for e in block.get("evidence") or []))
    if not same:
        raise InputError(path, f"this is not the report of run {row['id']} (FY{row['fiscal_year']}): its fiscal year, "
                         "policy or evidence differ from the run's",
                         hint="give --out the folder the run's reports were written to, or the run that made them "
                              "(auditor history list)",
                         ja=f"この報告書は実行 {row['id']}（{FiscalYear(row['fiscal_year']).label_ja}）のものではありません。"
                            "年度、ポリシーまたは証跡が実行と異なります",
                         hint_ja="--out にその実行の報告書を書き出したフォルダを指定するか、報告書を作った実行を指定してください"
                                 "（auditor history list）")
