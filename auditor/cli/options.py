"""The options and helpers every command shares: bad input as exit 2, the sample's default paths,
policy/evidence/controls, --record/--db, the input limits, dates in any form evidence accepts, the
history database, and --quiet/--verbose/--log-file.

An option made with `cls=Setting, setting=KEY` can also be set by the config file and by AUDITOR_<KEY>
(cli/settings.py builds click's default_map from them, so the command line always comes first)."""
from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
import sys

import click

from ..exitcodes import ExitCode
from ..limits import DEFAULT as DEFAULT_LIMITS, Limits, parse_size
from . import i18n
from .i18n import msg
from .paramtypes import DATE, FORMATS  # noqa: F401 (the commands import them from here)


class Setting(click.Option):
    """An option that auditor.yaml, [tool.auditor] in pyproject.toml and AUDITOR_<KEY> may also set
    (cli/settings.py): `setting` is its key there."""

    def __init__(self, *args, setting: str, **kwargs):
        kwargs["help"] = (kwargs.get("help") or "") + f" [setting: {setting}; env: AUDITOR_{setting.upper()}]"
        super().__init__(*args, **kwargs)
        self.setting = setting


def given(name: str) -> bool:
    """Whether the current command's option `name` was typed on the command line (not a setting's default)."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, None)


class Group(click.Group):
    """The command group: click's own messages (a bad option value, a usage error) quote what was typed,
    and go to stderr masked like every other message (standalone mode only, as the console runs it)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        import io

        from . import localize

        i18n.reset(sys.argv[1:] if args is None else args)
        localize.prepare(self, i18n.current())  # --help and click's own words in the chosen language
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            shown = io.StringIO()
            exc.show(file=shown)
            say(shown.getvalue(), nl=False, always=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            say(msg("aborted"), always=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def say(text: str, nl: bool = True, always: bool = False) -> None:
    """A message for people on stderr. It may quote a path, a file name or a value given on the command
    line, so it is masked: a My Number never reaches the terminal or a CI log. --quiet keeps only the
    errors (always=True)."""
    from ..privacy.mynumber import mask

    if always or not LOG.quiet:
        click.echo(mask(text), err=True, nl=nl)


class _Log:
    """--quiet, --verbose and --log-file of the running command."""

    def __init__(self):
        self.quiet = self.verbose = False
        self.file = None

    def note(self, text: str) -> None:
        """A line of what was read: on stderr with --verbose, appended to --log-file (masked in both)."""
        if not (self.verbose or self.file):
            return
        from ..privacy.mynumber import mask

        text = mask(text)
        if self.verbose and not self.quiet:
            click.echo(f"auditor: {text}", err=True)
        if self.file:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            with open(self.file, "a", encoding="utf-8", newline="\n") as fh:
                fh.write(f"{stamp} {text}\n")

    def progress(self, label: str, length: int):
        """A progress bar on a terminal (never in CI logs, nor with --quiet), else None."""
        if self.quiet or not sys.stderr.isatty():
            return None
        return click.progressbar(length=length, label=label, file=sys.stderr)


LOG = _Log()
note = LOG.note


def _verbosity_options(fn):
    """--quiet, --verbose, --log-file; the log file is checked like any output of the run (outputs.py)."""
    @functools.wraps(fn)
    def wrapper(*args, quiet, verbose, log_file, **kwargs):
        from .. import outputs

        if quiet and verbose:  # one typed on the command line beats the other from a setting
            if given("quiet") == given("verbose"):
                raise click.UsageError(msg("quiet_verbose"))
            quiet, verbose = given("quiet"), given("verbose")
        if log_file:
            from ..errors import InputError

            paths = _paths(kwargs.get("policy"), kwargs.get("evidence"), kwargs.get("controls") or ())
            inputs = outputs.of_run(*paths, baseline=kwargs.get("baseline"), db=kwargs.get("db"), kinds=kind_folders())
            outputs.check(log_file, inputs, "--log-file")
            try:
                open(log_file, "a", encoding="utf-8").close()
            except OSError as exc:
                raise InputError(log_file, **i18n.both("log_file_write", error=exc)) from None
        LOG.quiet, LOG.verbose, LOG.file = quiet, verbose, log_file
        try:
            if log_file:
                note(f"auditor {click.get_current_context().info_name} in {os.getcwd()}")
            return fn(*args, **kwargs)
        finally:
            LOG.quiet = LOG.verbose = False
            LOG.file = None
    for option in (
        click.option("--log-file", cls=Setting, setting="log_file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Append what --verbose shows to this file (masked, with the time)."),
        click.option("--verbose", "-v", cls=Setting, setting="verbose", is_flag=True,
                     help="Say what was read on stderr: the settings, files, records, cache hits."),
        click.option("--quiet", "-q", cls=Setting, setting="quiet", is_flag=True,
                     help="Only errors on stderr (the results still go to stdout or the files)."),
    ):
        wrapper = option(wrapper)
    return wrapper


DB_ENV = "AUDITOR_DB"  # the history database when --db is not given (CI, or the tests' own)
DB_HELP = f"History database (default: ${DB_ENV}, else .auditor/history.sqlite beside the policy)."


def _db_option(fn):
    return click.option("--db", cls=Setting, setting="db", type=click.Path(dir_okay=False), help=DB_HELP)(fn)


def _policy_option(fn):
    return click.option("--policy", cls=Setting, setting="policy", type=click.Path(dir_okay=False),
                        help="Policy YAML (default: the one in policies/); the database sits beside it.")(fn)


def _input_errors(fn):
    """Bad input: one message naming file and line on stderr, exit 2, no traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..errors import InputError
        i18n.choose(kwargs.get("lang"))  # messages and errors in the command's --lang
        collecting = gc.isenabled()
        gc.disable()  # a run builds millions of objects and no cycles: collections would only cost time
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            say(error_text(exc), always=True)  # a message may quote a header, a file name or a policy value
            sys.exit(ExitCode.INPUT_ERROR)
        finally:
            if collecting:
                gc.enable()
    return wrapper


def error_text(exc) -> str:
    """An InputError for people: `error:` (エラー:) and `hint:` (ヒント:) in the command's language."""
    lang = i18n.current()
    text = exc.render(lang)
    if lang == "ja":
        text = text.replace("\n  hint: ", "\n  " + msg("hint_prefix") + " ")
    return f"{msg('error_prefix')} {text}"


def _paths(policy, evidence, controls):
    from .. import defaults
    return (policy or defaults.policy(), evidence or defaults.evidence(),
            [defaults.shipped_controls(), *controls])


FRAMEWORK_HELP = ("Audit map (監査項目の体系): a YAML file or a folder of them, read after the shipped map and after "
                  "the frameworks/ folder beside each --controls folder (repeatable; see docs/framework.md).")


def _framework_option(fn):
    return click.option("--framework", "frameworks", cls=Setting, setting="frameworks", multiple=True,
                        type=click.Path(), metavar="FILE|DIR", help=FRAMEWORK_HELP)(fn)


def _framework_paths(frameworks=(), control_dirs=()) -> list:
    """The town's audit-map files and folders, in the order framework.load reads them after the shipped
    map: the `frameworks/` folder beside each controls folder that has one (`town/controls` ->
    `town/frameworks`; the shipped controls' is the shipped map itself), then each --framework."""
    from pathlib import Path

    from .. import defaults

    shipped = defaults.shipped_frameworks().resolve()
    found = []
    for d in control_dirs:
        beside = Path(d).parent / "frameworks"
        if beside.is_dir() and beside.resolve() != shipped and beside not in found:
            found.append(beside)
    return found + [Path(f) for f in frameworks]


def _framework(frameworks=(), control_dirs=(), controls=None):
    """The audit map a command uses (framework.load over _framework_paths), checked against the controls:
    an item naming an unknown control is an InputError at its file and line (exit 2). control_dirs: every
    controls folder, the shipped one included; controls: the loaded controls, when the caller has them."""
    from ..catalogue import controls as catalogue, framework

    fw = framework.load(_framework_paths(frameworks, control_dirs))
    if controls is None:
        controls, _ = catalogue.load(control_dirs)
    framework.check_controls(fw, [c.id for c in controls])
    return fw


def _record_options(fn):
    """--record and --db for `check` and `report`."""
    fn = _db_option(fn)
    return click.option("--record", is_flag=True, help="Record this run and its actions in the history database.")(fn)


SETTINGS_META = "auditor.settings"  # where cli/settings.py keeps the settings read, in click's context
KINDS_HELP = ("Folder of the town's own evidence kinds (one JSON Schema a file; docs/rules.md), read with the "
              "kinds/ folder beside each --controls folder (repeatable).")


def _kinds_option(controls_param: str | None = "controls"):
    """--kinds DIR (setting `kinds`): the command runs with the town kinds of those folders and of kinds/ beside
    each controls folder (its `controls_param` option, else the `controls` setting); a bad one is exit 2."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, kinds, **kwargs):
            ctx = click.get_current_context(silent=True)  # cli/settings.py keeps the settings read in it
            found = ctx.meta.get(SETTINGS_META) if controls_param is None and ctx is not None else None
            dirs = kwargs.get(controls_param) if controls_param else found.values.get("controls") if found else None
            return _with_kinds(fn, kinds, dirs or (), args, kwargs)
        return click.option("--kinds", "kinds", cls=Setting, setting="kinds", multiple=True,
                            type=click.Path(file_okay=False), metavar="DIR", help=KINDS_HELP)(wrapper)
    return decorate


@_input_errors
def _with_kinds(fn, kind_dirs, control_dirs, args, kwargs):
    from .. import defaults
    from ..evidence import kinds, townkinds

    control_dirs = (control_dirs,) if isinstance(control_dirs, str) else control_dirs
    with kinds.using(townkinds.folders(kind_dirs, control_dirs, defaults.shipped_controls())):
        return fn(*args, **kwargs)


def kind_folders() -> list:
    """The folders of the town kinds the running command reads (inputs: no output goes into them)."""
    from ..evidence import kinds

    return list(dict.fromkeys(os.path.dirname(k.path) or "." for k in kinds.town()))


def _common(fn):
    fn = _kinds_option("controls")(fn)
    options = [
        click.option("--policy", cls=Setting, setting="policy", type=click.Path(dir_okay=False),
                     help="Policy YAML (default: the one in policies/)."),
        click.option("--evidence", cls=Setting, setting="evidence", type=click.Path(file_okay=False),
                     help="Folder holding manifest.yaml (default: the latest under evidence/)."),
        click.option("--controls", "controls", cls=Setting, setting="controls", multiple=True,
                     type=click.Path(file_okay=False),
                     help="Extra folder of control YAML files, checked like the shipped ones (repeatable)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _size(ctx, param, value):
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _limit_options(fn):
    """--max-file-size, --max-rows, --max-line-length and --max-cell-size, handed on as one `limits`
    argument (auditor/limits.py)."""
    @functools.wraps(fn)
    def wrapper(*args, max_file_size, max_rows, max_line_length, max_cell_size, **kwargs):
        return fn(*args, limits=Limits(max_file_size, max_rows, max_line_length, max_cell_size), **kwargs)
    wrapper = click.option("--max-cell-size", cls=Setting, setting="max_cell_size", metavar="N", default=f"{DEFAULT_LIMITS.max_cell_size >> 10}K",
                           show_default=True, callback=_size,
                           help="Refuse a table (CSV/TSV/.xlsx) holding a cell of more characters than this.")(wrapper)
    wrapper = click.option("--max-line-length", cls=Setting, setting="max_line_length", metavar="SIZE", default=f"{DEFAULT_LIMITS.max_line_length >> 20}M",
                           show_default=True, callback=_size,
                           help="Refuse a CSV/TSV file with a line longer than this (bytes), before decoding it.")(wrapper)
    wrapper = click.option("--max-rows", cls=Setting, setting="max_rows", type=click.IntRange(min=1), default=DEFAULT_LIMITS.max_rows, show_default=True,
                           help="Refuse an evidence file with more data rows (lines of a CSV/TSV, rows of a sheet, "
                                "records of a YAML/JSON file).")(wrapper)
    return click.option("--max-file-size", cls=Setting, setting="max_file_size", metavar="SIZE", default=f"{DEFAULT_LIMITS.max_file_size >> 30}G",
                        show_default=True, callback=_size,
                        help="Refuse an evidence file larger than this (bytes, or 512M, 2G), before reading it.")(wrapper)


def db_path(policy, db, must_exist: bool = True, inputs=None):
    """The database to use: --db, else $AUDITOR_DB (or the config file's db:), else the one beside the
    policy; only one typed as --db must exist already. With must_exist=False (a --record run) it is created, so that an empty register stands in for a
    missing corrective_actions file from the first recorded run on. A database to be written is
    first checked against the run's `inputs` (auditor/outputs.py)."""
    import os
    from pathlib import Path

    from .. import defaults, outputs
    from ..cycle import history
    from ..errors import InputError

    path = Path(db) if db else Path(os.environ[DB_ENV]) if os.environ.get(DB_ENV) \
        else history.default_path(policy or defaults.policy())
    if db and given("db") and must_exist and not path.is_file():
        raise InputError(path, **i18n.both("no_db"), hint=history.HINT, hint_ja=i18n.msg("no_db_hint", "ja"))
    if not must_exist:
        if inputs is not None:
            outputs.check(path, inputs, "--db")
        history.connect(path, create=True).close()
    return path


def record(run, command: str, issued: dt.date, db, issue: dict | None = None) -> int:
    """Record a run (check/report --record) and say where, on stderr; issue: the reports written
    (auditor/cycle/approval.store_issue). Returns the run ID."""
    from ..cycle import history

    run_id = history.record_run(db, run, command, issued, issue)
    say(msg("recorded", id=run_id, fy=i18n.fiscal_year(run.evidence.fiscal_year.year), db=db))
    return run_id


def _connect(policy, db):
    from ..cycle import history

    return history.connect(db_path(policy, db))


def _dump(doc) -> None:
    from .console import machine  # UTF-8 whatever the console's encoding: JSON is never altered to fit it

    machine(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")


LANG_HELP = "Language of the output: ja or en (default: AUDITOR_LANG, else the locale; C or POSIX: ja)."


def lang_option(fn=None, *, choices=("ja", "en"), setting=None, help=LANG_HELP):
    """--lang of a command that prints for people; its default is AUDITOR_LANG, else the locale (cli/i18n.py)."""
    def decorate(f):
        extra = {"cls": Setting, "setting": setting} if setting else {}
        return click.option("--lang", type=click.Choice(list(choices)), default=i18n.default, show_default=False,
                            help=help, **extra)(f)
    return decorate(fn) if fn is not None else decorate
