"""Commands of the PDCA cycle across fiscal years: history, actions, exceptions, compare.

Thin like auditor.cli: parse options, call auditor.cycle.history / register / progress / compare.
"""
from __future__ import annotations

import datetime as dt
import json

import click

from . import i18n
from .i18n import day as show_day, fiscal_year, msg, when
from .options import DATE, _connect, _db_option, _dump, _input_errors, _kinds_option, _policy_option, db_path, lang_option  # noqa: F401























# ---- history ----

@click.group("history")
def history_group():
    """Recorded audit runs (auditor check/report --record)."""


@history_group.command("list")
@_policy_option
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_input_errors
def history_list(policy, db, fmt, lang):
    """One line per recorded run: ID, fiscal year, when, open findings, evidence folder."""
    from ..cycle import history

    con = _connect(policy, db)
    runs = history.runs(con)
    if fmt == "json":
        return _dump(runs)
    for r in runs:
        click.echo(msg("history_row", id=f"{r['id']:>4}", fy=fiscal_year(r["fiscal_year"]), as_of=show_day(r["as_of"]),
                       at=when(r["recorded_at"]), command=f"{r['command']:<6}", open=f"{r['open_findings']:>4}",
                       signed=_signed(r), root=r["evidence_root"]))
    if not runs:
        click.echo(msg("history_none"))


def _signed(run: dict) -> str:
    """The sign-off steps signed so far (起案・審査・決裁) of a run that issued reports; nothing for a check."""
    from ..cycle import approval

    if run["signed"]:
        names = approval.TEXT[i18n.current()]["step"]
        return msg("history_signed", steps=("・" if i18n.current() == "ja" else ", ").join(names[s] for s in run["signed"]))
    return msg("history_unsigned") if run.get("reports_dir") else ""


@history_group.command("show")
@click.argument("run")
@_policy_option
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_input_errors
def history_show(run, policy, db, fmt, lang):
    """One recorded run (by ID, or a fiscal year for its latest run): hashes, results, findings."""
    from ..cycle import history

    con = _connect(policy, db)
    doc = history.run_detail(con, history.resolve(con, run))
    if fmt == "json":
        return _dump(doc)
    from ..cycle.compare import SEVERITY
    from ..model import STATUS_LABELS

    click.echo(msg("history_head", id=doc["id"], fy=fiscal_year(doc["fiscal_year"]), as_of=show_day(doc["as_of"]),
                   at=when(doc["recorded_at"]), version=doc["tool_version"]))
    click.echo(msg("history_hashes", policy=doc["policy_file"], sha=doc["policy_sha256"],
                   catalogue=doc["catalogue_sha256"]))
    from ..cycle import approval
    for line in approval.lines(doc["approvals"], lang):  # 決裁: who signed which step, when, which files
        click.echo(line)
    for line in approval.withdrawal_lines(doc["withdrawals"], lang):  # and which signatures were withdrawn, why
        click.echo(line)
    for f in doc["evidence"]:
        click.echo(msg("history_evidence", path=f["path"], kind=f["kind"], records=f["records"], sha=f["sha256"]))
    for r in doc["results"]:
        click.echo(f"  {r['control_id']:<7} {STATUS_LABELS[lang].get(r['status'], r['status'])}")
    for f in doc["findings"]:
        mark = msg("recurred_mark") if f["recurred"] else ""
        click.echo(f"  [{SEVERITY[lang].get(f['severity'], f['severity'])}{mark}] "
                   f"{msg('finding_' + f['status']) if f['status'] in ('open', 'waived') else f['status']:<6} "
                   f"{f['finding_id']}  {f['message_' + lang]}")


# ---- exceptions ----

@click.group("exceptions")
def exceptions_group():
    """The policy's exceptions (例外措置)."""


@exceptions_group.command("list")
@_policy_option
@click.option("--date", "as_of", type=DATE, help="Judge at this date, YYYY-MM-DD or 令和8年4月15日 (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_kinds_option(None)  # the policy's evidence_max_age_days may name a town kind
@lang_option
@_input_errors
def exceptions_list(policy, as_of, fmt, lang):
    """Active exceptions, those ending soon, expired ones and malformed ones."""
    from .. import defaults
    from ..catalogue import policy as pol_mod
    from ..privacy.mynumber import mask

    pol, _ = pol_mod.load(policy or defaults.policy())
    day = as_of or dt.date.today()
    notice = pol.settings["exception_notice_days"]
    rows = []
    for e in pol.exceptions:
        state = e.state(day)
        left = (e.end - day).days if e.end else None
        if state == "valid" and left <= notice:
            state = "ending_soon"
        rows.append({"id": e.id, "control": e.control, "state": state, "from": e.start, "to": e.end,
                     "days_left": left, "approver": mask(e.approver), "reason": mask(e.reason),  # policy text
                     "problem": mask(e.problem)})
    if fmt == "json":
        return _dump(rows)
    states = ("valid", "ending_soon", "expired", "not_started", "invalid")
    for r in sorted(rows, key=lambda r: (states.index(r["state"]), str(r["to"]))):
        left = msg("exception_left", n=r["days_left"]) if r["state"] in ("valid", "ending_soon") else ""
        span = msg("exception_span", start=show_day(r["from"]) if r["from"] else "-", end=show_day(r["to"]) if r["to"] else "-")
        click.echo(f"{r['id']:<12} {r['control']:<7} {msg('exception_' + r['state'], n=notice)}{left}  {span}"
                   f"  {r['reason']}" + (f"  [{r['problem']}]" if r["problem"] else ""))
    if not rows:
        click.echo(msg("exceptions_none"))


# ---- compare ----

@click.command("compare")
@click.argument("run_a")
@click.argument("run_b")
@_policy_option
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_input_errors
def compare_cmd(run_a, run_b, policy, db, fmt, lang):
    """New, resolved, persisting and recurred findings between two runs (IDs, or fiscal years: 2024 2025)."""
    from ..cycle import compare, history

    con = _connect(policy, db)
    doc = compare.compare(con, history.resolve(con, run_a, "RUN_A"), history.resolve(con, run_b, "RUN_B"))
    if fmt == "json":
        from .console import machine
        machine(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        click.echo(compare.render_text(doc, lang), nl=False)


def _commands():
    from .actions import actions_group

    return (history_group, actions_group, exceptions_group, compare_cmd)


COMMANDS = _commands()
