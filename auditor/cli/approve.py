"""`auditor report approve RUN --by NAME --role ROLE [--date DATE]`: sign a step of an issued report's
決裁欄, record it in the history database and issue the reports again with the filled block; `auditor report
withdraw RUN --role ROLE --by NAME --reason TEXT`: withdraw the last signature, and issue them again without it.

Thin: the rules and the records are auditor/cycle/approval.py, the signing auditor/reporters/signoff.py
(the block: approval.py, the re-issue: reissue.py, the evidence check: auditor/evidence/integrity.py).
The signer's name goes to the database and into the reports' 決裁欄 only: never into a message or a log.
"""
from __future__ import annotations

import datetime as dt
import sys

import click

from ..exitcodes import ExitCode
from .options import DATE, _db_option, _input_errors, _policy_option, _verbosity_options, db_path, note, say


def _signoff_options(command):
    """The options approve and withdraw share: the reports' folder, the policy, the database, the language."""
    for option in reversed((click.option("--out", type=click.Path(file_okay=False),
                                         help="Folder of the run's reports (default: the one `auditor report --record` "
                                              "wrote, else reports)."),
                            _policy_option, _db_option,
                            click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True),
                            _input_errors, _verbosity_options)):
        command = option(command)
    return command


@click.command("approve")
@click.argument("run")
@click.option("--by", "name", required=True, metavar="NAME",
              help="The signer's name (氏名) as the 決裁欄 prints it; stored in the history database, never logged.")
@click.option("--role", required=True, metavar="ROLE",
              help="The signer's role: auditor (起案), secretariat (審査), deputy or ciso (決裁) unless the policy's "
                   "approval.roles says otherwise.")
@click.option("--date", "on", type=DATE, help="Date of the signature, YYYY-MM-DD or 和暦 such as 令和8年4月20日 (default: today).")
@click.option("--evidence", type=click.Path(file_okay=False),
              help="Evidence folder to verify the report against (default: the one the report records, as `auditor verify`).")
@_signoff_options
def approve_command(run, name, role, on, out, evidence, policy, db, lang):
    """Sign a step of a recorded run's report (決裁): refused if the evidence no longer verifies, the step or role
    is signed already, an earlier step is missing, or the signer signed another step (self-approval).

    RUN is a run ID of `auditor history list` or a fiscal year (its latest run)."""
    from .. import defaults, outputs
    from ..catalogue import policy as pol_mod
    from ..cycle import approval, history
    from ..errors import InputError
    from ..evidence import verifytext
    from ..reporters import signoff

    db = db_path(policy, db)
    con = history.connect(db)
    run_id = history.resolve(con, run)
    pol, _ = pol_mod.load(policy or defaults.policy())
    name = _cleaned("--by", approval.clean_name, name)
    inputs = outputs.of_run(pol.path, evidence).with_file("db", db)
    try:
        done = signoff.sign(con, run_id, approval.rules(pol.settings), role, name, on or dt.date.today(),
                            dt.date.today(), out, evidence, inputs)
    except approval.BadInput as exc:
        raise InputError("--date", approval.say(exc.key, "en", **exc.values),
                         ja=approval.say(exc.key, "ja", **exc.values)) from None
    except signoff.NotVerified as exc:
        say(verifytext.render(exc.result, lang), nl=False, always=True)
        _refuse(approval.say("not_verified", lang, run=run_id), ExitCode.FINDINGS, lang)
    except approval.Refused as exc:
        _refuse(approval.say(exc.key, lang, **exc.values),
                ExitCode.INPUT_ERROR if exc.key == "unknown_role" else ExitCode.FINDINGS, lang)
    note(f"run {run_id}: evidence verified ({done['verified']} files); {done['files']} report files")
    say(approval.say("recorded", lang, run=run_id, step=done["step"], role=role, on=done["on"]))
    say(approval.say("reissued", lang, n=done["written"], out=done["out"]))
    if done["complete"]:
        say(approval.say("done", lang, run=run_id))


@click.command("withdraw")
@click.argument("run")
@click.option("--role", required=True, metavar="ROLE",
              help="The role whose signature is withdrawn: the run's last signature, so that no step stands "
                   "without the ones before it.")
@click.option("--by", "name", required=True, metavar="NAME",
              help="Who withdraws it (氏名); stored in the history database with the withdrawal, never logged.")
@click.option("--reason", required=True, help="Why it is withdrawn (取消の理由), kept with the record.")
@click.option("--date", "on", type=DATE, help="Date of the withdrawal, YYYY-MM-DD or 和暦 (default: today).")
@_signoff_options
def withdraw_command(run, role, name, reason, on, out, policy, db, lang):
    """Withdraw the last signature of a recorded run's report (決裁の取消): the reports are issued again
    without it; the history database keeps the signature with who withdrew it, when and why.

    RUN is a run ID of `auditor history list` or a fiscal year (its latest run)."""
    from .. import defaults, outputs
    from ..catalogue import policy as pol_mod
    from ..cycle import approval, history
    from ..errors import InputError
    from ..reporters import signoff

    db = db_path(policy, db)
    con = history.connect(db)
    run_id = history.resolve(con, run)
    pol, _ = pol_mod.load(policy or defaults.policy())
    name, reason = _cleaned("--by", approval.clean_name, name), _cleaned("--reason", approval.clean_reason, reason)
    try:
        done = signoff.withdraw(con, run_id, approval.rules(pol.settings), role, name, reason, on or dt.date.today(),
                                dt.date.today(), out, outputs.of_run(pol.path, None).with_file("db", db))
    except approval.BadInput as exc:
        raise InputError("--date", approval.say(exc.key, "en", **exc.values),
                         ja=approval.say(exc.key, "ja", **exc.values)) from None
    except approval.Refused as exc:
        _refuse(approval.say(exc.key, lang, **exc.values), ExitCode.FINDINGS, lang)
    say(approval.say("withdrawn", lang, run=run_id, step=done["step"], role=role, on=done["on"]))
    say(approval.say("reissued_withdrawn", lang, n=done["written"], out=done["out"]))


def _cleaned(option: str, clean, value: str) -> str:
    """clean(value), or the InputError of `option` (exit 2) in both languages."""
    from ..cycle import approval
    from ..errors import InputError

    try:
        return clean(value)
    except approval.BadInput as exc:
        raise InputError(option, approval.say(exc.key, "en", **exc.values),
                         ja=approval.say(exc.key, "ja", **exc.values)) from None


def _refuse(message: str, code: int, lang: str):
    from .i18n import msg
    say(f"{msg('error_prefix', lang)} {message}", always=True)
    sys.exit(code)


# ---- for `auditor report` itself ----

def subcommand_given() -> bool:
    """In `auditor report`'s own body: whether a subcommand (approve) runs instead. Options typed before
    it belong to `report` and would be silently ignored: a usage error says where they go."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:
        return False
    typed = [p.opts[0] for p in ctx.command.params
             if isinstance(p, click.Option) and ctx.get_parameter_source(p.name) == ParameterSource.COMMANDLINE]
    if typed:
        raise click.UsageError(f"{', '.join(typed)}: options of `auditor report` are not read by "
                               f"`auditor report {ctx.invoked_subcommand}`; put its options after it "
                               f"/ サブコマンドのオプションはその後ろに指定してください")
    return True


def drafted(run, name: str, issued: dt.date) -> dict:
    """The drafter (起案者) of `auditor report --record --by NAME`: the 起案 step of the block the reports
    carry from their first issue, and what approval.store_issue records."""
    from ..cycle import approval
    from ..errors import InputError
    from ..reporters import approval as block_mod

    rules = approval.rules(run.policy.settings)
    name = _cleaned("--by", approval.clean_name, name)
    if "drafted" not in rules.order:
        raise InputError(run.policy.path, "approval.order has no drafted (起案) step, so --by has none to fill",
                         hint="leave out --by, or add drafted to approval.order",
                         ja="approval.order に起案（drafted）の段階がないため、--by で記入する欄がありません",
                         hint_ja="--by を外すか、approval.order に drafted を加えてください")
    role = next((r for r, s in rules.roles.items() if s == "drafted"), "auditor")
    sig = {"step": "drafted", "role": role, "name": name, "approved_on": issued.isoformat(), "files": []}
    return {"block": block_mod.block([sig], rules, None), "step": "drafted", "role": role, "name": name,
            "on": issued.isoformat()}


def issue(out, paths, signed: dict | None) -> dict:
    """What the run issued, for the history database: OUT, each file's SHA-256 relative to it, the drafter."""
    from pathlib import Path

    from .. import checksums

    files = {Path(p).relative_to(out).as_posix(): checksums.digest(p) for p in paths}
    drafter = {k: signed[k] for k in ("step", "role", "name", "on")} if signed else None
    return {"out": str(out), "files": {p: s for p, s in files.items() if s}, "drafter": drafter}
