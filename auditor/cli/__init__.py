"""The `auditor` command: parses options, calls the core, maps outcomes to exit codes.

Heavy modules are imported inside the commands so that `auditor --help` starts fast.
"""
from __future__ import annotations

import os
import sys

import click

from ..exitcodes import ExitCode
from . import caches, i18n  # click only
from .checkrun import FAIL_ON, gate  # noqa: F401 (click only)
from .i18n import msg
from .options import (DATE, FORMATS, Group, Setting, _common, _framework, _framework_option, _framework_paths,  # click only
                      _input_errors, _kinds_option, _limit_options, _paths, _record_options, _verbosity_options, kind_folders,
                      lang_option, say)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="municipal-auditor", prog_name="auditor")
@click.option("--debug", is_flag=True, envvar="AUDITOR_DEBUG",
              help="On an unexpected error (exit 3), print the whole traceback (also AUDITOR_DEBUG=1).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="AUDITOR_CONFIG", metavar="FILE",
              help="Settings file (default: auditor.yaml, or [tool.auditor] in pyproject.toml, in this folder; "
                   "also AUDITOR_CONFIG; /dev/null reads none). See `auditor config`.")
@click.pass_context
def main(ctx, debug, config_file):
    """自治体情報セキュリティ監査ツール / Information-security compliance auditor for Japanese municipalities.

    Run from the repository root with no options to audit the shipped sample municipality.
    Every option of the shared set can also come from auditor.yaml and AUDITOR_* variables: `auditor config`.
    """
    _debug[0] = debug
    from . import settings  # click only

    settings.apply(ctx, config_file)


_debug = [False]  # set by the group, read by entry() when a command crashed


@main.command()
@_common
@click.option("--format", "fmt", cls=Setting, setting="format", type=FORMATS, default="text", show_default=True,
              help="text for people; json, junit, sarif, github, gitlab (Code Quality) for CI; several, "
                   "comma-separated (sarif,junit,json), with --output-dir.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of stdout; a device or FIFO is written in place, - is stdout.")
@click.option("--output-dir", cls=Setting, setting="output_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each format to its own file here (auditor.sarif, auditor.junit.xml, auditor.json... "
                   "see docs/ci.md), all together; nothing on stdout.")
@click.option("--fail-on", cls=Setting, setting="fail_on", type=click.Choice(list(FAIL_ON)), default="major",
              show_default=True,
              help="Exit 1 when an open finding (or a control without evidence) at or above this severity exists.")
@lang_option(setting="lang")
@click.option("--control", "only", multiple=True, help="Evaluate only this control ID (repeatable).")
@click.option("--baseline", cls=Setting, setting="baseline", type=click.Path(), metavar="FILE",
              help="A previous `check --format json` result: findings open there, and controls without evidence "
                   "there, are shown but do not fail the run.")
@click.option("--sarif-min-severity", cls=Setting, setting="sarif_min_severity",
              type=click.Choice(["major", "minor", "observation"]),
              help="Leave SARIF results below this severity out (GitHub shows 5,000 results of an upload); "
                   "every rule stays, and the gate and the other formats count everything.")
@_framework_option
@_record_options
@caches.result_cache_option
@_limit_options
@_input_errors
@_verbosity_options
def check(policy, evidence, controls, fmt, output, output_dir, fail_on, lang, only, baseline, sarif_min_severity,
          frameworks, record, db, result_cache, limits):
    """Check the evidence against the controls and print the results (or write one file per format)."""
    from . import checkrun

    sys.exit(checkrun.run(policy, evidence, controls, fmt, output, output_dir, fail_on, lang, only, baseline,
                          sarif_min_severity, frameworks, record, db, result_cache, limits))


@main.command()
@_common
@_framework_option
@lang_option
@_limit_options
@_input_errors
@_verbosity_options
def validate(policy, evidence, controls, frameworks, lang, limits):
    """Check controls, policy, manifest and evidence records against their schemas; evaluate nothing."""
    from ..catalogue import controls as catalogue
    from ..evidence import loader as ev_mod
    from ..catalogue import policy as pol_mod
    from ..privacy.mynumber import mask

    policy, evidence, dirs = _paths(policy, evidence, controls)
    loaded, _ = catalogue.load(dirs)
    fw = _framework(frameworks, dirs, loaded)
    pol, lines = pol_mod.load(policy)
    catalogue.apply_policy(loaded, pol, lines)
    ev = ev_mod.load(evidence, limits=limits)
    for n in ev.notices:  # read, but worth a look before the run (footer rows read as records, rows left out)
        where = f"{n['file']}:{n['line']}" if n["line"] else n["file"]
        say(f"{msg('warning_prefix' if n['level'] == 'warning' else 'note_prefix')} {where}: {n['message'][lang]}")
    records = sum(f.records for f in ev.files)
    click.echo(mask(msg("validated", controls=len(loaded), items=len(fw.items), policy=policy, files=len(ev.files),
                        records=records)))


@main.group()
def controls():
    """List or show the controls of the catalogue."""


@controls.command("list")
@click.option("--controls", "extra", multiple=True, type=click.Path(file_okay=False))
@lang_option
@_kinds_option("extra")
@_input_errors
def controls_list(extra, lang):
    """One line per control: ID, severity, area, title."""
    from ..catalogue import controls as catalogue
    from .. import defaults

    from ..cycle.compare import SEVERITY
    from ..reporters.labels import labels
    from ..reporters.text import pad

    loaded, _ = catalogue.load([defaults.shipped_controls(), *extra])
    areas = labels()["areas"]
    for c in loaded:
        area = areas[c.area][lang] if c.area in areas else c.area
        click.echo(f"{c.id:<7} {pad(SEVERITY[lang].get(c.severity, c.severity), 12)} {pad(area, 36)} {c.title[lang]}"
                   if lang == "ja" else f"{c.id:<7} {c.severity:<11} {c.area:<18} {c.title[lang]}")


@controls.command("show")
@click.argument("control_id")
@click.option("--policy", type=click.Path(dir_okay=False),
              help="Show the control as this policy sets it (default: the one in policies/; without one, the catalogue's defaults).")
@click.option("--controls", "extra", multiple=True, type=click.Path(file_okay=False))
@_kinds_option("extra")
@lang_option
@_input_errors
def controls_show(control_id, policy, extra, lang):
    """Everything about one control as the policy applies it: parameters, severity, exceptions, rule."""
    from .. import defaults, yamlio
    from ..catalogue import controls as catalogue
    from ..catalogue import policy as pol_mod
    from ..errors import InputError
    from ..privacy.mynumber import mask

    loaded, _ = catalogue.load([defaults.shipped_controls(), *extra])
    match = [c for c in loaded if c.id == control_id.upper()]
    if not match:
        raise InputError("CONTROL_ID", **i18n.both("no_control", id=control_id), hint="see `auditor controls list`",
                         hint_ja=msg("see_controls_list", "ja"))
    pol, effective = None, match[0]
    policy = policy or defaults.policy(optional=True)
    if policy:
        pol, lines = pol_mod.load(policy)
        effective = {c.id: c for c in catalogue.apply_policy(loaded, pol, lines)}[effective.id]
    else:
        say(f"{msg('warning_prefix')} {msg('controls_no_policy')}")
    doc = catalogue.describe(effective, match[0], pol, defaults.shown_path(effective.path))
    click.echo(mask(yamlio.dump_config(doc)), nl=False)  # policy text may quote anything


PROGRESS_MIN = 5  # show a progress bar for more reports than this (or for any PDF), on a terminal only


@main.group(invoke_without_command=True)  # `auditor report` writes the reports; `auditor report approve` signs them
@_common
@click.option("--out", type=click.Path(file_okay=False), default="reports", show_default=True,
              help="Folder for the reports; department reports go under OUT/departments/.")
@lang_option(setting="lang", choices=("ja", "en", "both"),
             help="Language of the reports: ja, en or both (default: AUDITOR_LANG, else the locale; C or POSIX: ja).")
@click.option("--format", "formats", default="html,md,json", show_default=True,
              help="Comma-separated list of html, md, pdf, json, csv, docx (Word), xlsx (Excel findings list); "
                   "pdf needs the [pdf] extra.")
@click.option("--department", "departments", multiple=True,
              help="Write only this department's report besides the organisation's (unit name or code; repeatable).")
@click.option("--date", "issued", type=DATE,
              help="Date of issue, YYYY-MM-DD or 和暦 such as 令和8年4月15日 (default: today); due dates count from it.")
@click.option("--csv-encoding", type=click.Choice(["utf-8", "cp932"]), default="utf-8", show_default=True,
              help="utf-8 is written with a BOM so that Excel reads it; cp932 replaces what it cannot encode.")
@click.option("--sums", is_flag=True, help="Also write OUT/SHA256SUMS of every file written (`sha256sum -c` checks "
                                           "it); keep it, or its signature, apart from the evidence.")
@click.option("--by", "drafter", metavar="NAME",
              help="With --record: the drafter (起案者), printed in the 起案 column of the 決裁欄 and recorded, so that "
                   "they cannot approve the report (`auditor report approve`). Never logged.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Typeset the PDFs in N worker processes (default: 2, or 1 on one core; never more than the "
                   "cores).")
@_framework_option
@_record_options
@_limit_options
@_input_errors
@_verbosity_options
def report(policy, evidence, controls, out, lang, formats, departments, issued, csv_encoding, sums, drafter, jobs,
           frameworks, record, db, limits):
    """Write the PDCA audit reports: the organisation's and one per department.

    `auditor report approve RUN --by NAME --role ROLE` signs a recorded run's reports (決裁): see its --help."""
    import dataclasses
    import datetime as dt

    from . import approve

    if approve.subcommand_given():
        return
    if drafter and not record:
        raise click.UsageError("--by needs --record: the drafter is recorded with the run / --by は --record と併用してください")

    from pathlib import Path

    from .. import outputs
    from ..engine import audit
    from .checkrun import read_notes
    from .options import LOG, db_path, record as record_run
    from ..reporters import parallel, report as reports

    opts = reports.options(formats, lang, csv_encoding)
    paths = _paths(policy, evidence, controls)
    _framework(frameworks, paths[2])  # the audit map, checked against the controls before the run
    maps = _framework_paths(frameworks, paths[2])
    inputs = outputs.of_run(*paths, frameworks=maps, kinds=kind_folders())  # never written over or into
    db = db_path(paths[0], db, must_exist=not record, inputs=inputs)
    inputs = inputs.with_file("db", db)
    for folder in (out, Path(out) / "departments"):
        outputs.check_folder(folder, inputs, "--out")
    run = audit.run(*paths, db=db, limits=limits, secret=caches.secret(paths[0], paths[1]), frameworks=maps)
    read_notes(run, paths, db, None)  # --verbose, --log-file: what was read
    chosen = reports.targets(run, departments)
    issued = issued or dt.date.today()
    signed = approve.drafted(run, drafter, issued) if drafter else None
    if signed:
        opts = dataclasses.replace(opts, approval=signed["block"])

    with reports.staged(out, inputs) as staged:  # the set lands whole, or OUT stays as it was
        written = reports.generate(run, out, issued, opts, chosen, staged, jobs=parallel.jobs_for(jobs))
        long = len(chosen) > PROGRESS_MIN or "pdf" in opts.formats
        bar = LOG.progress(msg("progress_reports"), len(chosen)) if long else None  # a terminal only
        if bar is not None:
            with bar:
                done = [bar.update(1) or w for w in written]
        else:
            done = list(written)
        index = reports.write_index(run, out, issued, opts, done, staged)
        reports.commit(staged)
    if sums:  # the reports' block is not authenticated; a detached list kept apart makes them checkable
        from .. import checksums

        listed, digest = checksums.write(out, [p for w in done for p in w.paths] + [index])
        for text_lang in opts.langs:
            say(checksums.TEXT[text_lang].format(path=listed, sha=digest, name=checksums.NAME))
    if record:  # once the reports are written: the run recorded is the audit whose report was issued
        issued_files = [p for w in done for p in w.paths] + [index] + ([listed] if sums else [])
        record_run(run, "report", issued, db, approve.issue(out, issued_files, signed))
    for note in (n for w in done for n in w.notes):
        say(f"{msg('warning_prefix')} {note}")
    say(msg("report_written", files=sum(len(w.paths) for w in done), reports=len(done), out=out, index=index))


@main.command()
@click.argument("report_file", metavar="REPORT", type=click.Path(dir_okay=False))
@click.option("--evidence", type=click.Path(file_okay=False),
              help="Evidence folder to compare (default: the one the report records, as given then or under evidence/).")
@click.option("--policy", type=click.Path(dir_okay=False), help="Also compare this policy file.")
@click.option("--controls", "control_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Also compare the control files in this folder, and the town kinds in kinds/ beside it (repeatable).")
@click.option("--kinds", "kind_dirs", multiple=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Also compare the town's own kind files in this folder (repeatable).")
@click.option("--sums", type=click.Path(dir_okay=False), metavar="FILE",
              help="A SHA256SUMS kept apart from the evidence (auditor report --sums): check the report file against it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@_input_errors
def verify(report_file, evidence, policy, control_dirs, kind_dirs, sums, fmt, lang):
    """Check that the evidence still matches a report (report.json, report.*.html or check JSON).

    Lists every file changed, added or removed since; exit 0 when all match, 1 when not.
    The report's own integrity block is not authenticated: --sums checks the report itself.
    """
    from ..evidence import integrity, verifytext
    from ..privacy import mynumber

    result = integrity.verify_report(report_file, evidence, policy, control_dirs, sums, kind_dirs)
    if fmt == "json":
        from . import console
        console.machine(mynumber.dumps(result))  # folder and file names as given: masked
    else:
        click.echo(verifytext.render(result, lang), nl=False)
    sys.exit(ExitCode.OK if result["matches"] else ExitCode.FINDINGS)


def _register_cycle_commands():
    from .cycle import COMMANDS  # history, actions, exceptions, compare (imports click only)
    from .framework import framework_group  # framework list / show (imports click only)

    for command in (*COMMANDS, framework_group):
        main.add_command(command)
    from .coverage import coverage_command
    main.add_command(coverage_command)
    from .selftest import test_command  # auditor test: the controls' own test cases
    main.add_command(test_command)
    from .onboarding import COMMANDS as ONBOARDING  # init, inspect (imports click only)
    for command in ONBOARDING:
        main.add_command(command)
    from .config import config_command  # auditor config: the settings and where each came from
    main.add_command(config_command)
    from .rollup import rollup_command  # auditor rollup: many towns' results compared (imports click only)
    main.add_command(rollup_command)


_register_cycle_commands()


def _register_report_commands():
    from .approve import approve_command, withdraw_command  # auditor report approve/withdraw: sign-off (click only)

    report.add_command(approve_command)
    report.add_command(withdraw_command)


_register_report_commands()


def _register_worksheet_commands():
    from .worksheets import COMMANDS  # checklist, selfcheck (imports click only)

    for command in COMMANDS:
        main.add_command(command)


_register_worksheet_commands()

def entry(prog_name: str | None = None):
    """The console command: main(), then leave without freeing a large run's millions of objects one by
    one (about a tenth of a second at prefecture scale); the outputs are complete and flushed first.

    An unexpected exception is one line and exit 3 (ExitCode.CRASH), never 1, which CI reads as findings."""
    from . import console

    console.setup_streams()
    try:
        main(prog_name=prog_name)
        code = 0
    except SystemExit as exc:
        held = exc  # noqa: F841 - its traceback holds check()'s frames and so the run: os._exit frees them at once
        code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    except Exception as exc:  # noqa: BLE001 (a bug: its own exit code, the traceback with --debug)
        code = console.crashed(exc, _debug[0])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be written anyway
            code = code or 1
    from ..evidence import prefetch
    prefetch.join()  # a parse cache still being written in the background (os._exit runs no atexit)
    os._exit(code or 0)
