"""`auditor actions`: the follow-up register from the CLI (list, show, export, import, verify, extend).

Thin like auditor.cli: parse options, call auditor.cycle.register and auditor.cycle.progress.
"""
from __future__ import annotations

import datetime as dt

import click

from .i18n import day, msg, value, when
from .options import DATE, _connect, _db_option, _dump, _input_errors, _policy_option, lang_option, say


@click.group("actions")
def actions_group():
    """The follow-up action register: list, export to and import from departments, verify, extend."""


@actions_group.command("list")
@_policy_option
@_db_option
@click.option("--department", help="Unit code or name.")
@click.option("--status", type=click.Choice(["not_started", "in_progress", "done", "resolved_pending_verification",
                                              "verified"]))
@click.option("--overdue", is_flag=True, help="Only open actions past their (extended) due date.")
@click.option("--date", "as_of", type=DATE, help="Date overdue is judged at, YYYY-MM-DD or 和暦 (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_input_errors
def actions_list(policy, db, department, status, overdue, as_of, fmt, lang):
    """Actions with their status, due date and department."""
    from ..cycle import register

    con = _connect(policy, db)
    found = register.listing(con, department, status, overdue, as_of)
    if fmt == "json":
        return _dump(found)
    from ..cycle.compare import SEVERITY

    for a in found:
        flag = msg("overdue_mark") if a["overdue"] else ""
        click.echo(f"{a['action_id']}  {register.LABELS[lang][a['status']]}{flag}  "
                   f"{msg('due', day=day(a['extended_to'] or a['due_on']))}  {a['department_name'] or '-'}  "
                   f"{SEVERITY[lang].get(a['severity'], a['severity'])}  {a['message_' + lang]}")
    say(msg("actions_count", n=len(found)))


@actions_group.command("show")
@click.argument("action_id")
@_policy_option
@_db_option
@lang_option
@_input_errors
def actions_show(action_id, policy, db, lang):
    """One action and every change made to it: who, when, from where."""
    from ..cycle import register

    con = _connect(policy, db)
    a = register.get(con, action_id)
    from ..reporters.text import pad

    keys = (*FIELDS, "message_" + lang)
    labels = [_field(k, lang) for k in keys]
    width = max(len(x) for x in labels) * (2 if lang == "ja" else 1) + 2
    for key, label in zip(keys, labels):
        click.echo(f"{pad(label, width)}{_shown(key, a[key], lang)}")
    sep = "、" if lang == "ja" else ", "
    for e in register.events(con, action_id):
        changes = sep.join(msg("action_change", field=_field(k, lang), old=_shown(k, old, lang), new=_shown(k, new, lang))
                           for k, (old, new) in e["changes"].items())
        event = msg("event_" + e["event"]) if e["event"] in EVENTS else e["event"]
        click.echo(msg("action_event", at=when(e["at"]), event=event, by=value(e["by"]), source=_source(e["source"]),
                       changes=changes) + (f"  [{e['note']}]" if e["note"] else ""))


FIELDS = ("action_id", "finding_id", "department_name", "severity", "status", "owner", "due_on", "extended_to",
          "completed_on", "verified_on", "verified_by", "previous_action_id", "progress_note")
EVENTS = ("created", "resolved", "reopened", "import", "verify", "ineffective", "extend")
_DAYS = ("due_on", "extended_to", "completed_on", "verified_on")


def _field(key: str, lang: str) -> str:
    """A field of the register by its label (status: 状況)."""
    from .i18n import catalogue

    return msg("field_" + key, lang) if "field_" + key in catalogue()["messages"] else key


def _shown(key: str, v, lang: str) -> str:
    """A register value for people: statuses and severities by their label, days in 和暦, None as 未設定."""
    from ..cycle import register
    from ..cycle.compare import SEVERITY

    if v is None or v == "":
        return value(None, lang)
    if key == "status":
        return register.LABELS[lang].get(v, v)
    if key == "severity":
        return SEVERITY[lang].get(v, v)
    if key in _DAYS:
        return day(v, lang)
    return str(v)


def _source(source) -> str:
    """Where a change came from: run 3 as 実行 3, a command, a file."""
    if not source:
        return value(None)
    if source.startswith("run ") and source[4:].isdigit():
        return msg("source_run", id=source[4:])
    return source


@actions_group.command("export")
@_policy_option
@_db_option
@click.option("--department", required=True, help="Unit code or name.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932"]), default="utf-8", show_default=True,
              help="CSV only: utf-8 is written with a BOM for Excel.")
@lang_option
@click.option("--date", "stamp", type=DATE, help="Date stamped in the workbook (default: today).")
@_input_errors
def actions_export(policy, db, department, out, encoding, lang, stamp):
    """Write a department's open actions as a progress sheet for it to fill in."""
    from .. import outputs
    from ..cycle import progress, register

    from ..cycle import returned

    con = _connect(policy, db)
    outputs.check(out, _inputs(con, policy, db), "--out")
    actions = register.listing(con, department)
    mark = returned.resolve(department, actions)  # the sheet says whose it is, for the import to check
    notes = progress.export(actions, out, lang, encoding, stamp, mark if mark[0] else None)
    for n in notes:
        say(f"{msg('warning_prefix')} {out}: {n}")
    say(msg("actions_exported", n=sum(a["status"] in register.OPEN for a in actions), out=out))


def _inputs(con, policy, db):
    """What a sheet must not land on: the policy, the database, and the evidence folders (the ones
    its runs recorded, and evidence/ here)."""
    from pathlib import Path

    from .. import defaults, outputs
    from ..cycle import history
    from .options import db_path

    from ..errors import InputError

    try:
        policy = policy or defaults.policy(optional=True)
    except InputError:  # two policies here and --db given: the sheet needs none of them
        policy = None
    found = outputs.Inputs().with_file("policy", policy)
    found = found.with_file("db", db_path(policy, db))
    for root in sorted({r["evidence_root"] for r in history.runs(con)} | ({"evidence"} if Path("evidence").is_dir() else set())):
        found = found.with_folder("evidence", root)
    return found


@actions_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--department", required=True,
              help="Unit code or name of the department whose sheet this is; it changes only that department's "
                   "actions, and a sheet marked for another department is refused.")
@click.option("--by", required=True, help="Who sent the sheet, of that department (recorded with every change).")
@click.option("--secretariat", is_flag=True,
              help="The secretariat (CISO office) imports the sheet on the department's behalf: --by need not be "
                   "of the department; recorded with every change.")
@_policy_option
@_db_option
@click.option("--date", "as_of", type=DATE, help="Import date; completion dates after it are refused (default: today).")
@click.option("--dry-run", is_flag=True, help="Check the sheet and show the changes, apply nothing.")
@lang_option
@_input_errors
def actions_import(file, department, by, secretariat, policy, db, as_of, dry_run, lang):
    """Read a returned progress sheet; every row is checked and nothing is applied if one is wrong."""
    from ..cycle import register, returned
    from ..errors import InputError

    con = _connect(policy, db)
    plan = returned.plan(file, register.rows(con), department, by, secretariat, as_of or dt.date.today())
    changes, problems = plan.changes, plan.problems
    if problems:
        raise InputError(file, msg("import_refused", "en", n=f"{len(problems):,}") + "\n" + returned.listing(problems, "en"),
                         line=problems[0][0],
                         ja=msg("import_refused", "ja", n=f"{len(problems):,}") + "\n" + returned.listing(problems, "ja"),
                         hint=msg("import_hint", "en"), hint_ja=msg("import_hint", "ja"))
    sep = "、" if lang == "ja" else ", "
    for c in changes:
        click.echo(msg("import_line", line=c["line"], id=c["action_id"],
                       changes=sep.join(f"{_field(k, lang)} → {_shown(k, v, lang)}" for k, v in c["set"].items())))
    if dry_run:
        say(msg("import_dry", n=len(changes)))
        return
    register.apply(con, changes, by, str(file))
    say(msg("import_done", n=len(changes), file=file))


@actions_group.command("verify")
@click.argument("action_id")
@click.option("--by", required=True, help="Who checked the effectiveness (not the action's owner).")
@click.option("--on", "on", type=DATE, help="Date of the check, YYYY-MM-DD or 和暦 (default: today).")
@click.option("--note", help="What was checked.")
@click.option("--ineffective", is_flag=True, help="The check failed: send the action back to in progress.")
@_policy_option
@_db_option
@lang_option
@_input_errors
def actions_verify(action_id, by, on, note, ineffective, policy, db, lang):
    """Close a done action after its effectiveness check (ISO/IEC 27001 10.2 d)."""
    from ..cycle import register

    con = _connect(policy, db)
    a = register.verify(con, action_id, by, on or dt.date.today(), note, not ineffective)
    click.echo(f"{a['action_id']}: {register.LABELS[lang][a['status']]}")


@actions_group.command("extend")
@click.argument("action_id")
@click.option("--to", "to", required=True, type=DATE, help="New due date, YYYY-MM-DD or 和暦.")
@click.option("--by", required=True, help="Who approved the extension (延長承認).")
@click.option("--reason", required=True)
@_policy_option
@_db_option
@lang_option
@_input_errors
def actions_extend(action_id, to, by, reason, policy, db, lang):
    """Record an approved extension of an open action's due date."""
    from ..cycle import register

    con = _connect(policy, db)
    a = register.extend(con, action_id, to, by, reason)
    click.echo(msg("extended", id=a["action_id"], due=day(a["due_on"]), to=day(a["extended_to"])))
