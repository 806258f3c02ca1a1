"""`auditor config`: the settings a command runs with, and where each came from (the command line, an
AUDITOR_* variable, the config file and its line, or the option's default). cli/settings.py reads them."""
from __future__ import annotations

import os

import click

from .options import Setting, _input_errors, lang_option

SOURCES = ("command line", "environment", "file", "default")


@click.command("config", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@click.argument("command", default="check", metavar="[COMMAND]")
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[OPTIONS]...")
@click.pass_context
@_input_errors
def config_command(ctx, fmt, lang, command, args):
    """The settings COMMAND (default: check) runs with, and where each came from.

    Precedence: the command line (OPTIONS given after COMMAND) > the environment (AUDITOR_<KEY>) >
    the config file (auditor.yaml, or [tool.auditor] in pyproject.toml) > the default.
    Example: auditor config check --fail-on minor
    """
    from . import settings
    from ..privacy import mynumber

    found = settings.current()
    rows, path = _rows(ctx.find_root(), command, list(args), found)
    doc = {"command": path, "config_file": found.file, "precedence": list(SOURCES), "settings": rows,
           "environment_only": {name: {"set": bool(os.environ.get(name)), "for": what}
                                for name, what in settings.ENV_ONLY.items()}}
    if fmt == "json":
        from . import console

        console.machine(mynumber.dumps(doc) + "\n")  # paths as given: masked
        return
    click.echo(mynumber.mask(_text(doc)), nl=False)


def _rows(root: click.Context, command: str, args: list, found) -> tuple[list, str]:
    """One row per setting of the command: key, option, value, source, variable."""
    from click.core import ParameterSource

    from ..errors import InputError
    from . import settings

    parent, target, path = root, root.command.get_command(root, command), [command]
    while isinstance(target, click.Group) and (args or not target.invoke_without_command):  # `report` runs alone too
        if not args:
            raise InputError("COMMAND", f"{' '.join(path)} is a group of commands: name one of them",
                             hint=f"e.g. auditor config {' '.join(path)} {next(iter(target.commands), '')}",
                             ja=f"{' '.join(path)} はコマンドのグループです。その中の 1 つを指定してください",
                             hint_ja=f"例: auditor config {' '.join(path)} {next(iter(target.commands), '')}")
        parent = click.Context(target, info_name=path[-1], parent=parent)
        name = args.pop(0)
        target, path = target.get_command(parent, name), path + [name]
    if target is None:
        raise InputError("COMMAND", f"no command {' '.join(path)}", hint="see `auditor --help`",
                         ja=f"コマンド {' '.join(path)} はありません", hint_ja="auditor --help で一覧を表示できます")
    sub = target.make_context(path[-1], args, parent=parent)
    rows = []
    for p in target.params:
        if not isinstance(p, Setting):
            continue
        value, source = sub.params.get(p.name), sub.get_parameter_source(p.name)
        where = {ParameterSource.COMMANDLINE: "command line", ParameterSource.DEFAULT_MAP: found.sources.get(p.setting),
                 ParameterSource.ENVIRONMENT: f"environment {p.envvar}"}.get(source) or "default"
        if value in (None, ()) and where == "default":
            value = _shipped_default(p.setting)
        rows.append({"key": p.setting, "option": p.opts[0], "value": _plain(value), "source": where,
                     "environment": settings.env_name(p.setting)})
    return rows, " ".join(path)


def _shipped_default(key: str):
    """What an empty --policy or --evidence means here (the sample's layout), when it can be told."""
    from .. import defaults
    from ..errors import InputError

    try:
        if key == "policy":
            return str(defaults.policy())
        if key == "evidence":
            return str(defaults.evidence())
        if key == "db":
            from ..cycle import history

            return str(history.default_path(defaults.policy()))
    except InputError:
        return None
    return None


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return value


def _text(doc: dict) -> str:
    from ..reporters.text import pad
    from .i18n import msg

    lines = [msg("config_head", command=doc["command"]),
             msg("config_file", file=doc["config_file"] or msg("config_no_file")), ""]
    width = max((len(r["key"]) for r in doc["settings"]), default=0)
    shown = [(r["key"], _shown(r["value"]), _source(r["source"])) for r in doc["settings"]]
    vwidth = min(max((len(v) for _, v, _ in shown), default=0), 48)
    for key, value, source in shown:
        lines.append(f"  {key:<{width}}  {pad(value, vwidth)}  {source}")
    env = [f"{name} ({msg('config_set' if v['set'] else 'config_not_set')}): {msg('config_env_' + name)}"
           for name, v in doc["environment_only"].items()]
    lines += ["", msg("config_env_only")] + [f"  {e}" for e in env]
    return "\n".join(lines) + "\n"


def _source(source: str) -> str:
    """Where a setting came from, in the command's language (the JSON keeps the English words)."""
    from .i18n import msg

    kind, _, name = (source or "default").partition(" ")
    if source in ("command line", "default"):
        return msg("config_source_" + source)
    return msg("config_source_" + kind, name=name) if kind in ("environment", "file") else source


def _shown(value) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, bool):
        from .i18n import msg

        return msg("yes" if value else "no")
    return str(value)
