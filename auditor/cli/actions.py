"""`auditor actions`: the follow-up register from the CLI (list, show, export, import, verify, extend).

Thin like auditor.cli: parse options, call auditor.cycle.register and auditor.cycle.progress.
"""
from __future__ import annotations

import datetime as dt

import click

from .options import DATE, _connect, _db_option, _dump, _input_errors, _policy_option, say


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
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@_input_errors
def actions_list(policy, db, department, status, overdue, as_of, fmt, lang):
    """Actions with their status, due date and department."""
    from ..cycle import register

    con = _connect(policy, db)
    found = register.listing(con, department, status, overdue, as_of)
    if fmt == "json":
        return _dump(found)
    for a in found:
        due = a["extended_to"] or a["due_on"]
        flag = (" 期限超過" if lang == "ja" else " OVERDUE") if a["overdue"] else ""
        click.echo(f"{a['action_id']}  {register.LABELS[lang][a['status']]}{flag}  due {due}  "
                   f"{a['department_name'] or '-'}  {a['severity']}  {a['message_' + lang]}")
    say(f"{len(found)} action(s)")


@actions_group.command("show")
@click.argument("action_id")
@_policy_option
@_db_option
@_input_errors
def actions_show(action_id, policy, db):
    """One action and every change made to it: who, when, from where."""
    from ..cycle import register

    con = _connect(policy, db)
    a = register.get(con, action_id)
    for key in ("action_id", "finding_id", "department_name", "severity", "status", "owner", "due_on", "extended_to",
                "completed_on", "verified_on", "verified_by", "previous_action_id", "progress_note", "message_ja"):
        click.echo(f"{key:<15} {a[key] if a[key] is not None else '-'}")
    for e in register.events(con, action_id):
        changes = ", ".join(f"{k}: {old} -> {new}" for k, (old, new) in e["changes"].items())
        click.echo(f"  {e['at']}  {e['event']:<11} by {e['by'] or '-'} ({e['source'] or '-'}): {changes}"
                   + (f"  [{e['note']}]" if e["note"] else ""))


@actions_group.command("export")
@_policy_option
@_db_option
@click.option("--department", required=True, help="Unit code or name.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
@click.option("--encoding", type=click.Choice(["utf-8", "cp932"]), default="utf-8", show_default=True,
              help="CSV only: utf-8 is written with a BOM for Excel.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
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
        say(f"warning: {out}: {n}")
    say(f"wrote {sum(a['status'] in register.OPEN for a in actions)} open action(s) to {out}")


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
@_input_errors
def actions_import(file, department, by, secretariat, policy, db, as_of, dry_run):
    """Read a returned progress sheet; every row is checked and nothing is applied if one is wrong."""
    from ..cycle import register, returned
    from ..errors import InputError

    con = _connect(policy, db)
    plan = returned.plan(file, register.rows(con), department, by, secretariat, as_of or dt.date.today())
    changes, problems = plan.changes, plan.problems
    if problems:
        raise InputError(file, f"{len(problems):,} row(s) cannot be applied; nothing was imported\n"
                         + returned.listing(problems), line=problems[0][0],
                         hint="correct these rows (or remove them) and import the sheet again")
    for c in changes:
        click.echo(f"line {c['line']}: {c['action_id']}: " + ", ".join(f"{k} -> {v}" for k, v in c["set"].items()))
    if dry_run:
        say(f"{len(changes)} change(s) found; nothing applied (--dry-run)")
        return
    register.apply(con, changes, by, str(file))
    say(f"applied {len(changes)} change(s) from {file}")


@actions_group.command("verify")
@click.argument("action_id")
@click.option("--by", required=True, help="Who checked the effectiveness (not the action's owner).")
@click.option("--on", "on", type=DATE, help="Date of the check, YYYY-MM-DD or 和暦 (default: today).")
@click.option("--note", help="What was checked.")
@click.option("--ineffective", is_flag=True, help="The check failed: send the action back to in progress.")
@_policy_option
@_db_option
@_input_errors
def actions_verify(action_id, by, on, note, ineffective, policy, db):
    """Close a done action after its effectiveness check (ISO/IEC 27001 10.2 d)."""
    from ..cycle import register

    con = _connect(policy, db)
    a = register.verify(con, action_id, by, on or dt.date.today(), note, not ineffective)
    click.echo(f"{a['action_id']}: {register.LABELS['en'][a['status']]}")


@actions_group.command("extend")
@click.argument("action_id")
@click.option("--to", "to", required=True, type=DATE, help="New due date, YYYY-MM-DD or 和暦.")
@click.option("--by", required=True, help="Who approved the extension (延長承認).")
@click.option("--reason", required=True)
@_policy_option
@_db_option
@_input_errors
def actions_extend(action_id, to, by, reason, policy, db):
    """Record an approved extension of an open action's due date."""
    from ..cycle import register

    con = _connect(policy, db)
    a = register.extend(con, action_id, to, by, reason)
    click.echo(f"{a['action_id']}: due {a['due_on']}, extended to {a['extended_to']}")
