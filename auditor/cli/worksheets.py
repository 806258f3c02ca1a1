"""`auditor checklist export` and `auditor selfcheck export`: the worksheets sent out and read back as
evidence (kinds audit_checklist and self_assessments).

Thin like auditor.cli: parse options, call auditor.cycle.worksheet / selfcheck. The manifest entry that
lists the returned file goes to stdout (so it can be appended to manifest.yaml); messages to stderr.
"""
from __future__ import annotations

import click

from . import caches  # click only
from .i18n import both, msg
from .options import (DATE, _common, _db_option, _framework, _framework_option, _framework_paths, _input_errors,
                      _kinds_option, _limit_options, _paths, kind_folders, say)



def _lang_option(fn):
    from .options import lang_option

    return lang_option(help="Language of the sheet and of the messages.")(fn)


def _date_option(fn):
    return click.option("--date", "stamp", type=DATE, help="Date stamped in the workbook (default: today).")(fn)


def _out_option(fn):
    return click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="FILE.xlsx",
                        help="The workbook to write (never inside the evidence folder or onto an input).")(fn)


def _guard(out, inputs):
    """OUT may be written: an .xlsx, not inside the evidence or onto anything read (the map's files too)."""
    from pathlib import Path

    from .. import outputs
    from ..errors import InputError

    if Path(str(out)).suffix.lower() != ".xlsx":
        raise InputError("--out", **both("worksheet_xlsx", out=out), hint="name the file .xlsx",
                         hint_ja=msg("worksheet_xlsx_hint", "ja"))
    outputs.check(out, inputs, "--out")
    return inputs


@click.group("checklist")
def checklist_group():
    """The auditors' worksheet (監査チェックリスト): export it, fill it in, list it in the manifest."""


@checklist_group.command("export")
@_common
@_framework_option
@click.option("--department", "departments", multiple=True, metavar="CODE",
              help="The department audited (unit code or name): its sheet of department items (repeatable).")
@click.option("--organisation", is_flag=True, help="A sheet of the organisation-wide items (全庁).")
@_out_option
@_lang_option
@_date_option
@_db_option
@_limit_options
@_input_errors
def checklist_export(policy, evidence, controls, frameworks, departments, organisation, out, lang, stamp, db, limits):
    """Write the auditors' worksheet for one or more auditees (one sheet each), with the automated results
    of the same audit beside each item; print the manifest entry that lists it once filled in."""
    from .. import outputs
    from ..cycle import worksheet
    from ..engine import audit
    from ..errors import InputError
    from .options import db_path

    if not departments and not organisation:
        raise InputError("--department", **both("worksheet_neither"), hint="e.g. --department 0510, or --organisation",
                         hint_ja=msg("worksheet_neither_hint", "ja"))
    paths = _paths(policy, evidence, controls)
    maps = _framework_paths(frameworks, paths[2])
    inputs = _guard(out, outputs.of_run(*paths, frameworks=maps, kinds=kind_folders()))
    db = db_path(paths[0], db, inputs=inputs)
    outputs.check(out, inputs.with_file("db", db), "--out")
    run = audit.run(*paths, db=db, limits=limits, secret=caches.secret(paths[0], paths[1]), frameworks=maps)
    fw = run.framework  # the map the audit was read against, checked against its controls and policy
    chosen = [worksheet.organisation(run.evidence, run.policy)] if organisation else []
    for d in departments:
        found = worksheet.department(run.evidence, d)
        if found not in chosen:
            chosen.append(found)
    entries = worksheet.export(run, fw, chosen, out, lang, stamp)
    click.echo(worksheet.manifest_text(entries, lang), nl=False)
    items = sum(len(worksheet.items_for(fw, run.policy, a)) for a in chosen)
    t = worksheet.TEXT[lang]
    who = t["and"].join(t["organisation"] if a.organisation else f"{a.code} {a.name}" for a in chosen)
    say(msg("worksheet_checklist", lang, out=out, who=who, items=items))


@click.group("selfcheck")
def selfcheck_group():
    """A division's self-assessment sheet (自己点検票): export it, have it answered, list it in the manifest."""


@selfcheck_group.command("export")
@click.option("--policy", type=click.Path(dir_okay=False), help="Policy YAML (default: the one in policies/).")
@click.option("--evidence", type=click.Path(file_okay=False),
              help="Folder holding manifest.yaml (default: the latest under evidence/): its org_units and year.")
@_framework_option
@click.option("--department", required=True, metavar="CODE",
              help="The division (課) the sheet is for: unit code or name.")
@_out_option
@_lang_option
@_date_option
@_limit_options
@_kinds_option(None)
@_input_errors
def selfcheck_export(policy, evidence, frameworks, department, out, lang, stamp, limits):
    """Write a division's self-assessment sheet: each department item of the audit map as a yes/no question;
    print the manifest entry that lists it (kind self_assessments) once answered."""
    from .. import outputs
    from ..catalogue import policy as pol_mod
    from ..cycle import selfcheck, worksheet
    from ..evidence import loader

    policy, evidence, control_dirs = _paths(policy, evidence, ())
    _guard(out, outputs.of_run(policy, evidence, frameworks=_framework_paths(frameworks, control_dirs), kinds=kind_folders()))
    fw = _framework(frameworks, control_dirs)
    pol, _ = pol_mod.load(policy)
    ev = loader.load(evidence, limits=limits)
    dept = worksheet.department(ev, department)
    entries = selfcheck.export(ev, pol, fw, dept, out, lang, stamp)
    click.echo(worksheet.manifest_text(entries, lang, selfcheck.TEXT[lang]["entry"]), nl=False)
    say(msg("worksheet_selfcheck", lang, out=out, who=f"{dept.code} {dept.name}", items=len(selfcheck.items_for(fw, pol))))


COMMANDS = (checklist_group, selfcheck_group)
