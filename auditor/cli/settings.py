"""Settings: the config file at the evidence repository's root and the AUDITOR_* environment variables,
made into click's default_map, so that for every option

    command line > environment (AUDITOR_<KEY>) > config file > the option's default

with one rule for every command. The config file is `auditor.yaml` in the working folder, or the
`[tool.auditor]` table of its `pyproject.toml` (read with tomllib, tomli on Python 3.10); not both.
`--config FILE` (or AUDITOR_CONFIG) names another one; `--config /dev/null` (os.devnull) reads none.
Its keys are the options' names (fail_on: --fail-on), checked against auditor/schemas/config.schema.json
(unknown keys refused) and then as the command line would check the option, so that a bad value names
the file and line, or the variable, and exits 2. Paths in the file are relative to the file's folder.

Only options made with `cls=options.Setting` take settings (the shared --policy, --evidence, --controls,
--kinds, --framework, --db, the limits, --quiet/--verbose/--log-file, and check's and report's own): an option of
the same name with another meaning elsewhere (coverage --framework, verify --format) never does.
"""
from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from .options import SETTINGS_META, Setting, say

CONFIG_ENV = "AUDITOR_CONFIG"
FILE_NAME = "auditor.yaml"
PYPROJECT = "pyproject.toml"
META = SETTINGS_META
# Every key, and how its AUDITOR_<KEY> variable is read: a path, paths (os.pathsep-separated, like PATH),
# a boolean (1/0, true/false, yes/no, on/off), or text that the option itself parses.
KEYS = {
    "policy": "path", "evidence": "path", "controls": "paths", "kinds": "paths", "frameworks": "paths", "db": "path",
    "format": "text", "output_dir": "path", "fail_on": "text", "lang": "text", "baseline": "path",
    "sarif_min_severity": "text", "result_cache": "text",
    "max_file_size": "text", "max_rows": "text", "max_line_length": "text", "max_cell_size": "text",
    "quiet": "bool", "verbose": "bool", "log_file": "path",
}
# Read from the environment only (never a file in the repository): what each is for.
ENV_ONLY = {
    CONFIG_ENV: "the config file (--config)",
    "AUDITOR_DEBUG": "print the traceback of an unexpected error (--debug)",
    "AUDITOR_CACHE_KEY": "the secret that signs the caches (docs/ci.md)",
    "AUDITOR_CACHE_KEY_FILE": "the file holding that secret",
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def env_name(key: str) -> str:
    return "AUDITOR_" + key.upper()


@dataclass
class Settings:
    """What the file and the environment set: values by key, and where each came from."""
    file: str | None = None  # the config file read, as shown
    values: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # key -> "environment AUDITOR_X" or "file auditor.yaml:3"


def apply(ctx: click.Context, config_file) -> None:
    """The group's part: read the settings once, and hand every command's Setting options their defaults.
    Bad settings: one message naming the file and line (or the variable), exit 2."""
    from ..errors import InputError
    from ..exitcodes import ExitCode

    try:
        settings = load(ctx.command, config_file)
    except InputError as exc:
        if ctx.resilient_parsing:  # shell completion: complete as if there were no settings
            return
        from .options import error_text

        say(error_text(exc), always=True)
        sys.exit(ExitCode.INPUT_ERROR)
    ctx.meta[META] = settings
    if settings.values:
        ctx.default_map = _default_map(ctx.command, settings.values)


def current() -> Settings:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(META, Settings()) if ctx is not None else Settings()


def load(root: click.Group, config_file=None) -> Settings:
    settings = Settings()
    params = _params(root)
    path = _find(config_file)
    if path is not None:
        shown, base = str(path), path.parent
        data, lines = _read(path)
        for key, value in data.items():
            line = lines.line_of(data, [key])
            if KEYS[key] in ("path", "paths"):
                value = _rebase(value, base)
            settings.values[key] = _checked(params, key, value, shown, line)
            settings.sources[key] = f"file {shown}:{line}" if line else f"file {shown}"
        settings.file = shown
    for key, how in KEYS.items():
        name = env_name(key)
        raw = os.environ.get(name, "")
        if raw == "":  # empty counts as unset, as a CI passes a variable it may not fill
            continue
        settings.values[key] = _checked(params, key, _from_env(name, how, raw), name, None)
        settings.sources[key] = f"environment {name}"
    return settings


def _find(config_file) -> Path | None:
    from ..errors import InputError

    if config_file:
        if os.path.normcase(str(config_file)) == os.path.normcase(os.devnull):
            return None
        path = Path(config_file)
        if not path.is_file():
            raise InputError(path, "config file not found" if not path.exists() else "the config file is not a file",
                             hint=f"--config or {CONFIG_ENV} names an auditor.yaml or a pyproject.toml",
                             ja="設定ファイルがありません" if not path.exists() else "設定ファイルがファイルではありません",
                             hint_ja=f"--config または {CONFIG_ENV} には auditor.yaml か pyproject.toml を指定します")
        return path
    yaml_file, toml_file = Path(FILE_NAME), Path(PYPROJECT)
    has_yaml = yaml_file.is_file()
    has_toml = toml_file.is_file() and _toml_section(toml_file) is not None
    if has_yaml and has_toml:
        raise InputError(toml_file, f"both {FILE_NAME} and [tool.auditor] here: settings in one place only",
                         hint="keep one of them (--config FILE chooses another)",
                         ja=f"{FILE_NAME} と [tool.auditor] の両方があります。設定は 1 か所にまとめてください",
                         hint_ja="どちらか一方にしてください（--config FILE で別のものを選べます）")
    return yaml_file if has_yaml else toml_file if has_toml else None


def _read(path: Path):
    """(the settings as a dict, an object with line_of(data, [key])); checked against the schema."""
    from .. import schema
    from ..errors import InputError

    if path.suffix == ".toml":
        found = _toml_section(path)
        if found is None:
            raise InputError(path, "no [tool.auditor] table in this file", hint="add one, or name an auditor.yaml",
                             ja="このファイルに [tool.auditor] の表がありません",
                             hint_ja="追加するか、auditor.yaml を指定してください")
        data, lines = found
    else:
        from .. import yamlio

        data, lines = yamlio.read_config(path)
        data = {} if data is None else data
    if not isinstance(data, dict):
        raise InputError(path, "the settings must be a mapping of keys (policy: ..., fail_on: ...)", line=1,
                         ja="設定はキーと値の組で書きます（policy: ...、fail_on: ...）")
    for key in data:
        if key not in KEYS:
            near = difflib.get_close_matches(str(key).replace("-", "_"), KEYS, n=1)
            hint = f"did you mean {near[0]}?" if near else f"the keys: {', '.join(KEYS)}"
            hint_ja = f"{near[0]} のことですか？" if near else f"設定のキー: {'、'.join(KEYS)}"
            raise InputError(path, f"unknown setting {key!r}", line=lines.line_of(data, [key]),
                             hint=hint + " (README.md, 'Settings')", ja=f"設定 {key!r} はありません",
                             hint_ja=hint_ja + "（README.md の「Settings」）")
    schema.validate(data, "config", path, lines, hint="see README.md, 'Settings', for the keys and their values")
    return data, lines


def _toml_section(path: Path):
    """([tool.auditor] as a dict, its lines), or None when the file has none. A pyproject.toml that does
    not mention it is not parsed: another tool's broken table never stops a run."""
    from ..errors import InputError
    from .. import tomlproblems, yamlio

    text = yamlio.read_file(path).decode("utf-8-sig", "replace")
    if "auditor" not in text:
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+)", str(exc))
        raise InputError(path, f"not valid TOML: {exc}", line=int(at.group(1)) if at else None,
                         ja=f"正しい TOML ではありません（{tomlproblems.japanese(str(exc))}）") from None
    tool = doc.get("tool")
    section = tool.get("auditor") if isinstance(tool, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise InputError(path, "tool.auditor must be a table ([tool.auditor])",
                         ja="tool.auditor はテーブル（[tool.auditor]）にしてください")
    return section, _TomlLines(text)


class _TomlLines:
    """Lines of the keys of [tool.auditor] (a flat table), for the messages."""

    def __init__(self, text: str):
        self.header, self.keys, table = None, {}, None
        for n, line in enumerate(text.splitlines(), 1):
            head = re.match(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", line)
            if head:
                table = re.sub(r"\s*\.\s*", ".", head.group(1)).replace('"', "")
                if table == "tool.auditor":
                    self.header = n
                continue
            key = re.match(r"\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=", line)
            if key and table == "tool.auditor":
                self.keys.setdefault(key.group(1), n)

    def line_of(self, data, path) -> int | None:
        return self.keys.get(path[0], self.header) if path else self.header


def _rebase(value, base: Path):
    if isinstance(value, list):
        return [_rebase(v, base) for v in value]
    if base in (Path(), Path(".")) or os.path.isabs(value):
        return value
    return str(base / value)


def _from_env(name: str, how: str, raw: str):
    from ..errors import InputError

    if how == "paths":
        return [p for p in raw.split(os.pathsep) if p]
    if how == "bool":
        if raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
        raise InputError(name, f"{raw!r} is not a yes or no", hint="1 or 0 (true/false, yes/no, on/off)",
                         ja=f"{raw!r} ははい・いいえの値ではありません", hint_ja="1 または 0（true/false、yes/no、on/off）")
    return raw


def _checked(params: dict, key: str, value, where: str, line):
    """The value as the option takes it, checked as the command line would check it."""
    from ..errors import InputError

    if KEYS[key] == "paths" and isinstance(value, str):
        value = [value]
    found = params.get(key)
    if found is None:
        return value
    command, param = found
    ctx = click.Context(command, info_name=command.name)
    try:
        converted = param.type_cast_value(ctx, value)
        if param.callback is not None:
            param.callback(ctx, param, converted)
    except click.BadParameter as exc:
        raise InputError(where, f"{key}: {exc.message}", line=line, hint="see README.md, 'Settings'",
                         ja=f"{key} の値が正しくありません: {exc.message}", hint_ja="README.md の「Settings」を参照") from None
    return value


def _params(group: click.Group, found: dict | None = None) -> dict:
    """setting key -> (a command, its Setting option), the first found."""
    found = {} if found is None else found
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _params(command, found)  # and its own options (auditor report is a group for `report approve`)
        for p in command.params:
            if isinstance(p, Setting):
                found.setdefault(p.setting, (command, p))
    return found


def _default_map(group: click.Group, values: dict) -> dict:
    out = {}
    for name, command in group.commands.items():
        mine = {p.name: values[p.setting] for p in command.params if isinstance(p, Setting) and p.setting in values}
        if isinstance(command, click.Group):
            mine.update(_default_map(command, values))
        if mine:
            out[name] = mine
    return out
