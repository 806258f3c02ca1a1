"""Sign-off (決裁) of an issued report: who signed which step of the 決裁欄, in which role, on which day,
and the SHA-256 of the report files they signed; the rules a signature must follow.

The model. A report is signed in steps, in the policy's order (default 起案 drafted → 審査 reviewed →
決裁 approved). Each role signs one step (policy `approval.roles`; default auditor → drafted,
secretariat 統括情報セキュリティ責任者 → reviewed, deputy 副CISO (代決) and ciso → approved). One
signature per step and per role; a step needs every earlier one signed; with `self_approval: forbidden`
(the default) nobody signs two steps of one report, so the auditor who drafted it cannot approve it.
The drafter is the one of `auditor report --record --by NAME` (or a later `approve --role auditor`).

Names are personal data: stored here and printed in the report's 決裁欄 (that is what they are for),
masked for My Numbers like every text of the database, and never written to logs or messages.
Nothing here prints or renders; auditor/reporters/approval.py builds the block the reports carry.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from .database import _text, now, transaction

STEPS = ("drafted", "reviewed", "approved")  # 起案・審査・決裁
DEFAULT_ROLES = {"auditor": "drafted", "secretariat": "reviewed", "deputy": "approved", "ciso": "approved"}
MAX_NAME = 60
MAX_REASON = 400

# Every message of sign-off, ja and en (one place, so that a CLI catalogue can take them over).
TEXT = {
    "ja": {
        "step": {"drafted": "起案", "reviewed": "審査", "approved": "決裁"},
        "unknown_role": "役職「{role}」は決裁の手順にありません（使える役職: {roles}）",
        "role_done": "実行 {run} は役職「{role}」が既に{step}しています（{on}）。同じ役職は一度しか署名できません",
        "step_done": "実行 {run} の{step}は役職「{role}」が既に署名しています（{on}）",
        "order": "実行 {run} の{step}の前に、{missing}の署名が必要です",
        "self": "実行 {run}: この人は既に{earlier}（役職「{role}」）として署名しています。ポリシーにより同じ人は2つの段階に"
                "署名できません（起案者は自分の報告書を審査・決裁できません）",
        "no_name": "氏名が空です",
        "placeholder_name": "「{value}」は「なし」を表す記号・語で、氏名ではありません。署名する人の氏名を書いてください",
        "long_name": "氏名が長すぎます（{n}文字まで）",
        "before_issue": "{date}は報告書の発行日（{issued}）より前です",
        "before_step": "{date}は先の{step}の日付（{earlier}）より前です",
        "future": "{date}は今日より後の日付です",
        "recorded": "実行 {run} の{step}（役職「{role}」）を記録しました: {on}",
        "done": "実行 {run} の決裁欄はすべて署名されました",
        "changed_reports": "実行 {run} の報告書が発行時（または前回の署名時）から変わっています（{out} の {n} ファイル: {files}）。"
                           "変更された報告書には署名も署名の取消もできません。`auditor report --record` で発行し直してください",
        "not_verified": "実行 {run}: 証跡が報告書の作成時から変わっているため、署名を記録しません（上記の不一致を参照）",
        "reissued": "決裁欄を記入した報告書 {n} ファイルを {out} に書き込みました",
        "line": "  署名 {step}  役職「{role}」 {name}  {on}（記録 {at}）  署名した report.json {signed}、再発行 {issued}、{n} ファイル",
        "withdraw_none": "実行 {run} には取り消せる署名がありません",
        "withdraw_not_last": "実行 {run} で取り消せるのは最後の署名（{step}、役職「{last}」）だけです。後の段階から順に取り消してください",
        "no_reason": "取消の理由が空です（--reason に書いてください）",
        "placeholder_reason": "「{value}」は「なし」を表す記号・語で、理由ではありません。取り消す理由を --reason に書いてください",
        "long_reason": "取消の理由が長すぎます（{n}文字まで）",
        "before_signature": "{date}は取り消す署名の日付（{signed}）より前です",
        "withdrawn": "実行 {run} の{step}（役職「{role}」）の署名を取り消しました: {on}",
        "reissued_withdrawn": "取り消した署名を除いた決裁欄で、報告書 {n} ファイルを {out} に書き込みました",
        "withdrawn_line": "  取消 {step}  役職「{role}」 {name}  {signed_on} の署名  {on} に {by} が取消（記録 {at}）  理由: {reason}",
    },
    "en": {
        "step": {"drafted": "drafted", "reviewed": "reviewed", "approved": "approved"},
        "unknown_role": "role {role} signs no step of the sign-off (roles: {roles})",
        "role_done": "run {run} is already {step} by the {role} ({on}); a role signs once",
        "step_done": "run {run} is already {step}, by the {role} ({on})",
        "order": "run {run} cannot be {step} before it is {missing}",
        "self": "run {run}: this person already signed as the {role} ({earlier}); the policy forbids one person to "
                "sign two steps (whoever drafted a report cannot review or approve it)",
        "no_name": "the name is empty",
        "placeholder_name": "\"{value}\" is a placeholder, not a name: give the signer's name",
        "long_name": "the name is too long (at most {n} characters)",
        "before_issue": "{date} is before the report's date of issue {issued}",
        "before_step": "{date} is before the earlier step ({step}) on {earlier}",
        "future": "{date} is after today",
        "recorded": "run {run}: recorded as {step} by the {role} on {on}",
        "done": "run {run}: every step of the sign-off is signed",
        "changed_reports": "run {run}: the reports changed since they were issued (or last signed): {n} file(s) in "
                           "{out}: {files}; a changed report is neither signed nor has a signature withdrawn: issue it again "
                           "(auditor report --record)",
        "not_verified": "run {run}: the evidence changed since the report was made (see the mismatch above); "
                        "nothing is signed",
        "reissued": "wrote {n} report files with the approval block to {out}",
        "line": "  signed {step}  by the {role} {name}  on {on} (recorded {at})  report.json signed {signed}, "
                "re-issued {issued}, {n} files",
        "withdraw_none": "run {run} has no signature to withdraw",
        "withdraw_not_last": "run {run}: only the last signature ({step}, by the {last}) can be withdrawn; withdraw "
                             "the later steps first",
        "no_reason": "the reason is empty (give it with --reason)",
        "placeholder_reason": "\"{value}\" is a placeholder, not a reason: say why with --reason",
        "long_reason": "the reason is too long (at most {n} characters)",
        "before_signature": "{date} is before the signature it withdraws ({signed})",
        "withdrawn": "run {run}: the {step} signature of the {role} is withdrawn on {on}",
        "reissued_withdrawn": "wrote {n} report files with the approval block without it to {out}",
        "withdrawn_line": "  withdrawn {step}  by the {role} {name}  signed on {signed_on}  withdrawn on {on} by {by} "
                          "(recorded {at})  reason: {reason}",
    },
}


class Refused(Exception):
    """A signature the rules do not allow (exit 1): key of TEXT and its values."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(say(key, "en", **values))


class BadInput(Refused):
    """A --by or --date that cannot be signed with (exit 2)."""


def say(key: str, lang: str = "ja", **values) -> str:
    t = TEXT[lang]
    shown = {k: t["step"].get(v, v) if k in ("step", "earlier", "missing") and isinstance(v, str) else v
             for k, v in values.items()}
    if isinstance(values.get("missing"), (list, tuple)):
        shown["missing"] = ("、" if lang == "ja" else ", ").join(t["step"][s] for s in values["missing"])
    return t[key].format(**shown)


@dataclass(frozen=True)
class Rules:
    """The policy's `approval` section with its defaults (auditor/catalogue/policy.py reads it)."""
    order: tuple = STEPS
    roles: dict = field(default_factory=lambda: dict(DEFAULT_ROLES))
    self_approval: str = "forbidden"


def rules(settings: dict | None) -> Rules:
    raw = (settings or {}).get("approval") or {}
    return Rules(order=tuple(raw.get("order") or STEPS), roles=dict(raw.get("roles") or DEFAULT_ROLES),
                 self_approval=raw.get("self_approval", "forbidden"))


def person(name: str) -> str:
    """The form in which two names are the same person: NFKC, no spaces, case folded (山田 太郎 = 山田太郎)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).casefold()


def clean_name(name) -> str:
    return _cleaned(name, "no_name", "placeholder_name", "long_name", MAX_NAME)


def clean_reason(reason) -> str:
    return _cleaned(reason, "no_reason", "placeholder_reason", "long_reason", MAX_REASON)


def _cleaned(value, empty: str, placeholder: str, long: str, most: int) -> str:
    """The text as recorded (NFC, spaces folded, invisible characters removed); BadInput when nothing is
    left or it is a placeholder (「-」「なし」: typed for "none", where a signer or a reason is required)."""
    from ..evidence import blanks

    text, _ = blanks.strip(unicodedata.normalize("NFC", str(value or "")))
    text = re.sub(r"\s+", " ", text).strip()
    if not text or not person(text):
        raise BadInput(empty)
    if blanks.is_null(text):
        raise BadInput(placeholder, value=text)
    if len(text) > most:
        raise BadInput(long, n=most)
    return text


# ---- the database ----

def store_issue(con, run_id: int, issue: dict) -> None:
    """What `auditor report --record` issued, inside the run's transaction: the folder, each file's
    SHA-256 (relative path -> digest) and the drafter (起案者), when --by named one."""
    con.execute("UPDATE runs SET reports_dir = ? WHERE id = ?", (_text(str(issue["out"])), run_id))
    con.executemany("INSERT OR REPLACE INTO report_files VALUES (?,?,?)",
                    [(run_id, _text(p), sha) for p, sha in sorted(issue["files"].items())])
    if issue.get("drafter"):
        step = issue["drafter"]
        cur = con.execute("INSERT INTO approvals (run_id, step, role, name, approved_on, recorded_at) VALUES (?,?,?,?,?,?)",
                          (run_id, step["step"], step["role"], _text(step["name"]), step["on"], now()))
        con.executemany("INSERT INTO approval_files VALUES (?,?,?,?)",
                        [(cur.lastrowid, _text(p), sha, sha) for p, sha in sorted(issue["files"].items())])


def signatures(con, run_id: int) -> list[dict]:
    """The run's signatures in the order they were recorded, each with its files (path, approved, issued)."""
    return _with_files(con, "approvals", "approval_files", "approval_id", run_id)


def withdrawals(con, run_id: int) -> list[dict]:
    """The run's withdrawn signatures, oldest first, each with the files as found and as issued again."""
    return _with_files(con, "withdrawals", "withdrawal_files", "withdrawal_id", run_id)


def _with_files(con, table: str, files: str, key: str, run_id: int) -> list[dict]:
    out = []
    for row in con.execute(f"SELECT * FROM {table} WHERE run_id = ? ORDER BY id", (run_id,)):  # our own names
        out.append(dict(row, files=[dict(f) for f in con.execute(
            f"SELECT path, approved_sha256, issued_sha256 FROM {files} WHERE {key} = ? ORDER BY path", (row["id"],))]))
    return out


def expected_files(con, run_id: int) -> dict | None:
    """The report files as last issued for the run (after its latest signature or withdrawal, else as
    `report --record` wrote them): relative path -> SHA-256; None when nothing was recorded (`check --record`)."""
    sigs, gone = signatures(con, run_id), withdrawals(con, run_id)
    last = sigs[-1]["id"] if sigs else None
    if gone and gone[-1]["after_approval_id"] == last and gone[-1]["files"]:  # nothing signed since
        return {f["path"]: f["issued_sha256"] for f in gone[-1]["files"]}
    if sigs and sigs[-1]["files"]:
        return {f["path"]: f["issued_sha256"] for f in sigs[-1]["files"]}
    rows = con.execute("SELECT path, sha256 FROM report_files WHERE run_id = ?", (run_id,)).fetchall()
    return {r[0]: r[1] for r in rows} or None


def check(rules_: Rules, sigs: list[dict], run: dict, role: str, name: str, on: dt.date,
          today: dt.date | None = None) -> str:
    """The step this signature fills; raises Refused (a rule) or BadInput (a --date it cannot have)."""
    run_id = run["id"]
    step = rules_.roles.get(role)
    if step is None or step not in rules_.order:
        raise Refused("unknown_role", role=role, roles=", ".join(r for r, s in rules_.roles.items() if s in rules_.order))
    for s in sigs:
        if s["role"] == role:
            raise Refused("role_done", run=run_id, role=role, step=s["step"], on=s["approved_on"])
        if s["step"] == step:
            raise Refused("step_done", run=run_id, role=s["role"], step=step, on=s["approved_on"])
    signed = {s["step"]: s for s in sigs}
    missing = [s for s in rules_.order[:rules_.order.index(step)] if s not in signed]
    if missing:
        raise Refused("order", run=run_id, step=step, missing=missing)
    if rules_.self_approval != "allowed":
        for s in sigs:
            if person(s["name"]) == person(name):
                raise Refused("self", run=run_id, role=s["role"], earlier=s["step"])
    if today is not None and on > today:
        raise BadInput("future", date=on.isoformat())
    if run.get("issued_on") and on.isoformat() < run["issued_on"]:
        raise BadInput("before_issue", date=on.isoformat(), issued=run["issued_on"])
    for s in sigs:
        if on.isoformat() < s["approved_on"]:
            raise BadInput("before_step", date=on.isoformat(), step=s["step"], earlier=s["approved_on"])
    return step


def check_withdrawal(rules_: Rules, sigs: list[dict], run_id: int, role: str, on: dt.date,
                     today: dt.date | None = None) -> dict:
    """The signature `role` may withdraw: the run's last, so that no step stands without the ones before
    it; raises Refused or BadInput (a --date before that signature, or after today)."""
    if not sigs:
        raise Refused("withdraw_none", run=run_id)
    last = sigs[-1]  # in the order recorded, which check() holds to the order of the steps
    if last["role"] != role:
        raise Refused("withdraw_not_last", run=run_id, step=last["step"], last=last["role"])
    if today is not None and on > today:
        raise BadInput("future", date=on.isoformat())
    if on.isoformat() < last["approved_on"]:
        raise BadInput("before_signature", date=on.isoformat(), signed=last["approved_on"])
    return last


def record_withdrawal(con, sig: dict, by: str, reason: str, on: dt.date, found: dict, issued: dict, then=None,
                      at: str | None = None) -> dict:
    """Move `sig` out of the standing signatures into withdrawals, with who withdrew it, when and why, and
    the files as found and as issued again without it; `then()` runs inside the transaction (the swap)."""
    stamp = at or now()
    org = next((f for f in sig["files"] if f["path"] == "report.json"), {})
    with transaction(con):
        after = con.execute("SELECT MAX(id) FROM approvals WHERE run_id = ? AND id != ?",
                            (sig["run_id"], sig["id"])).fetchone()[0]
        cur = con.execute("INSERT INTO withdrawals (run_id, step, role, name, approved_on, recorded_at, "
                          "signed_report_sha256, withdrawn_by, withdrawn_on, reason, withdrawn_at, after_approval_id) "
                          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                          (sig["run_id"], sig["step"], sig["role"], _text(sig["name"]), sig["approved_on"],
                           sig["recorded_at"], org.get("approved_sha256"), _text(by), on.isoformat(), _text(reason),
                           stamp, after))
        con.executemany("INSERT INTO withdrawal_files VALUES (?,?,?,?)",
                        [(cur.lastrowid, _text(p), found.get(p), issued.get(p)) for p in sorted(set(found) | set(issued))])
        con.execute("DELETE FROM approval_files WHERE approval_id = ?", (sig["id"],))
        con.execute("DELETE FROM approvals WHERE id = ?", (sig["id"],))
        if then is not None:
            then()
    return withdrawals(con, sig["run_id"])[-1]


def record(con, run_id: int, step: str, role: str, name: str, on: dt.date, approved: dict, issued: dict,
           then=None, at: str | None = None) -> dict:
    """Store one signature with the files it signed (approved: path -> SHA-256 as found) and the files
    re-issued with it (issued); `then()` runs inside the transaction (the report set's swap), so the
    signature is recorded only if the reports carrying it are in place. Returns the signature."""
    stamp = at or now()
    with transaction(con):
        cur = con.execute("INSERT INTO approvals (run_id, step, role, name, approved_on, recorded_at) VALUES (?,?,?,?,?,?)",
                          (run_id, step, role, _text(name), on.isoformat(), stamp))
        con.executemany("INSERT INTO approval_files VALUES (?,?,?,?)",
                        [(cur.lastrowid, _text(p), approved.get(p), issued.get(p))
                         for p in sorted(set(approved) | set(issued))])
        if then is not None:
            then()
    return signatures(con, run_id)[-1]


def withdrawal_lines(gone: list[dict], lang: str = "ja") -> list[str]:
    """`history show`: one line per withdrawn signature (whose, signed when, withdrawn when, by whom, why)."""
    t = TEXT[lang]
    return [t["withdrawn_line"].format(step=t["step"].get(w["step"], w["step"]), role=w["role"], name=w["name"],
                                       signed_on=w["approved_on"], on=w["withdrawn_on"], by=w["withdrawn_by"],
                                       at=w["withdrawn_at"], reason=w["reason"]) for w in gone]


def lines(sigs: list[dict], lang: str = "ja") -> list[str]:
    """`history show`: one line per signature (step, role, name, date, when recorded, hashes shortened)."""
    t = TEXT[lang]
    out = []
    for s in sigs:
        files = {f["path"]: f for f in s["files"]}
        org = files.get("report.json") or {}
        signed, issued = (org.get("approved_sha256") or "-")[:12], (org.get("issued_sha256") or "-")[:12]
        out.append(t["line"].format(step=t["step"].get(s["step"], s["step"]), role=s["role"], name=s["name"],
                                    on=s["approved_on"], at=s["recorded_at"], signed=signed, issued=issued,
                                    n=len(files)))
    return out
