"""The `auditor` command: parses options, calls the core, maps outcomes to exit codes.

Heavy modules are imported inside the commands so that `auditor --help` starts fast.
"""
from __future__ import annotations

import functools
import sys

import click

from .exitcodes import ExitCode

FAIL_ON = {"major": ("major",), "minor": ("major", "minor"),
           "observation": ("major", "minor", "observation"), "none": ()}


def _input_errors(fn):
    """Bad input: one message naming file and line on stderr, exit 2, no traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import InputError
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            click.echo(f"error: {exc.render()}", err=True)
            sys.exit(ExitCode.INPUT_ERROR)
    return wrapper


def _paths(policy, evidence, controls):
    from . import defaults
    return (policy or defaults.policy(), evidence or defaults.evidence(),
            [defaults.shipped_controls(), *controls])


def _common(fn):
    options = [
        click.option("--policy", type=click.Path(dir_okay=False), help="Policy YAML (default: the one in policies/)."),
        click.option("--evidence", type=click.Path(file_okay=False),
                     help="Folder holding manifest.yaml (default: the latest under evidence/)."),
        click.option("--controls", "controls", multiple=True, type=click.Path(file_okay=False),
                     help="Extra folder of control YAML files, checked like the shipped ones (repeatable)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="municipal-auditor", prog_name="auditor")
def main():
    """自治体情報セキュリティ監査ツール / Information-security compliance auditor for Japanese municipalities.

    Run from the repository root with no options to audit the shipped sample municipality.
    """


@main.command()
@_common
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "sarif", "github"]), default="text",
              show_default=True, help="text for people; json, junit, sarif, github for CI.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="major", show_default=True,
              help="Exit 1 when an open finding (or a control without evidence) at or above this severity exists.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("--control", "only", multiple=True, help="Evaluate only this control ID (repeatable).")
@_input_errors
def check(policy, evidence, controls, fmt, output, fail_on, lang, only):
    """Check the evidence against the controls and print the results."""
    from . import audit, fsio, reporters

    run = audit.run(*_paths(policy, evidence, controls), only=set(only) or None)
    text = reporters.get(fmt)(run, lang)
    if output:
        fsio.write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(ExitCode.FINDINGS if gate(run, fail_on) else ExitCode.OK)


def gate(run, fail_on: str) -> bool:
    """True when something at or above the threshold failed; missing evidence never passes."""
    severities = FAIL_ON[fail_on]
    for r in run.results:
        if r.control.severity in severities and r.status in ("no_evidence", "error"):
            return True
        if any(f.severity in severities for f in r.open_findings()):
            return True
    return False


@main.command()
@_common
@_input_errors
def validate(policy, evidence, controls):
    """Check controls, policy, manifest and evidence records against their schemas; evaluate nothing."""
    from . import catalogue
    from . import evidence as ev_mod
    from . import policy as pol_mod

    policy, evidence, dirs = _paths(policy, evidence, controls)
    loaded, _ = catalogue.load(dirs)
    pol, lines = pol_mod.load(policy)
    catalogue.apply_policy(loaded, pol, lines)
    ev = ev_mod.load(evidence)
    records = sum(f.records for f in ev.files)
    click.echo(f"OK: {len(loaded)} controls, policy {policy}, {len(ev.files)} evidence files ({records} records)")


@main.group()
def controls():
    """List or show the controls of the catalogue."""


@controls.command("list")
@click.option("--controls", "extra", multiple=True, type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@_input_errors
def controls_list(extra, lang):
    """One line per control: ID, severity, area, title."""
    from . import catalogue, defaults

    loaded, _ = catalogue.load([defaults.shipped_controls(), *extra])
    for c in loaded:
        click.echo(f"{c.id:<7} {c.severity:<11} {c.area:<18} {c.title[lang]}")


@controls.command("show")
@click.argument("control_id")
@click.option("--controls", "extra", multiple=True, type=click.Path(file_okay=False))
@_input_errors
def controls_show(control_id, extra):
    """Everything about one control: requirement, source, parameters, evidence, rule."""
    import yaml

    from . import catalogue, defaults
    from .errors import InputError

    loaded, _ = catalogue.load([defaults.shipped_controls(), *extra])
    match = [c for c in loaded if c.id == control_id.upper()]
    if not match:
        raise InputError(None, f"no control {control_id}", hint="see `auditor controls list`")
    c = match[0]
    doc = {"id": c.id, "title": c.title, "requirement": c.requirement, "area": c.area, "severity": c.severity,
           "source": c.source, "params": c.params, "evidence": list(c.evidence),
           "rule": list(c.rules) if len(c.rules) > 1 else c.rules[0], "message": c.message, "file": c.path}
    click.echo(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), nl=False)


PROGRESS_MIN = 5  # show a progress bar for more reports than this, on a terminal only


@main.command()
@_common
@click.option("--out", type=click.Path(file_okay=False), default="reports", show_default=True,
              help="Folder for the reports; department reports go under OUT/departments/.")
@click.option("--lang", type=click.Choice(["ja", "en", "both"]), default="ja", show_default=True)
@click.option("--format", "formats", default="html,md,json", show_default=True,
              help="Comma-separated list of html, md, pdf, json, csv (pdf needs the [pdf] extra).")
@click.option("--department", "departments", multiple=True,
              help="Write only this department's report besides the organisation's (unit name or code; repeatable).")
@click.option("--date", "issued", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of issue, YYYY-MM-DD (default: today); due dates count from it.")
@click.option("--csv-encoding", type=click.Choice(["utf-8", "cp932"]), default="utf-8", show_default=True,
              help="utf-8 is written with a BOM so that Excel reads it; cp932 replaces what it cannot encode.")
@_input_errors
def report(policy, evidence, controls, out, lang, formats, departments, issued, csv_encoding):
    """Write the PDCA audit reports: the organisation's and one per department."""
    import datetime as dt

    from . import audit
    from . import report as reports

    opts = reports.options(formats, lang, csv_encoding)
    run = audit.run(*_paths(policy, evidence, controls))
    chosen = reports.targets(run, departments)
    issued = issued.date() if issued else dt.date.today()
    written = reports.generate(run, out, issued, opts, chosen)
    if len(chosen) > PROGRESS_MIN and sys.stderr.isatty():
        with click.progressbar(written, length=len(chosen), label="reports", file=sys.stderr) as bar:
            done = list(bar)
    else:
        done = list(written)
    index = reports.write_index(run, out, issued, opts, done)
    for note in (n for w in done for n in w.notes):
        click.echo(f"warning: {note}", err=True)
    click.echo(f"wrote {sum(len(w.paths) for w in done)} files ({len(done)} reports) to {out}; start at {index}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
