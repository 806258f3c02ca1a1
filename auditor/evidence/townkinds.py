"""A town's own evidence kinds: one JSON (or YAML) schema a file, in the shipped kinds' dialect, read from
each `--kinds DIR` and from the `kinds/` folder beside each `--controls` folder (docs/rules.md).

A file is checked against schemas/kind.schema.json (the dialect: which keys, which x- keywords, which
x-types), then against what a schema cannot say (key and unit fields among the properties, the JSON type
agreeing with the x-type, the enumeration's alias table known). Every error names the file, the line of
the key and the key. A town kind never takes a shipped kind's name, and two town kinds never share one:
the shipped controls, the manifest check and `auditor inspect` rely on a shipped kind's fields meaning
what they mean everywhere (see docs/rules.md for why extending one is refused).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import normalize
from .. import jsonproblems, schema as schemas, yamlio
from ..errors import InputError

SUFFIXES = (".json", ".yaml", ".yml")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
HINT = ("the keys and x- keywords of a kind file are those of the shipped kinds: see docs/rules.md "
        "(独自の証跡種別) / 証跡種別ファイルの書き方は docs/rules.md を参照")
# the JSON Schema type (and format) a field of each x-type has
JSON_TYPE = {"id": ("string", None), "text": ("string", None), "unit": ("string", None),
             "enum": ("string", None), "date": ("string", "date"), "bool": ("boolean", None),
             "int": ("integer", None), "number": ("number", None), "unit_list": ("array", None)}


@dataclass(frozen=True)
class TownKind:
    """One town kind file as read: its name (the file's name without suffix), where, its schema, and the
    SHA-256 of its bytes (part of the caches' keys)."""
    name: str
    path: str
    schema: dict
    sha256: str


def folders(kind_dirs=(), control_dirs=(), shipped_controls=None) -> list[Path]:
    """The folders a command reads town kinds from: `kinds/` beside each controls folder that has one
    (`town/controls` -> `town/kinds`), then each --kinds folder, each once."""
    found: list[Path] = []
    for d in control_dirs:
        if shipped_controls is not None and Path(d).resolve() == Path(shipped_controls).resolve():
            continue
        beside = Path(d).parent / "kinds"
        if beside.is_dir() and beside.resolve() not in [f.resolve() for f in found]:
            found.append(beside)
    for d in kind_dirs:
        if Path(d).resolve() not in [f.resolve() for f in found]:
            found.append(Path(d))
    return found


def load(dirs, shipped: tuple) -> dict[str, TownKind]:
    """name -> TownKind for every kind file in the folders, checked; InputError at the first problem."""
    found: dict[str, TownKind] = {}
    for folder in map(Path, dirs):
        if not folder.is_dir():
            raise InputError(folder, "--kinds: no such folder" if not folder.exists() else "--kinds: not a folder",
                             hint="give the folder holding the town's kind files (*.json)",
                             ja="--kinds: フォルダがありません" if not folder.exists() else "--kinds: フォルダではありません",
                             hint_ja="団体独自の証跡種別のファイル（*.json）を入れたフォルダを指定してください")
        # every *.json, *.yaml, *.yml file is a kind (hidden ones, an editor's back-ups, are not)
        for path in sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".")
                           and p.is_file()):
            if path.stem in shipped:  # said before anything else of the file
                raise InputError(path, f"kind '{path.stem}' is a shipped kind; a town kind needs a name of its own",
                                 hint=f"rename the file (e.g. town_{path.stem}{path.suffix}); a shipped kind cannot be "
                                      "redefined or extended (docs/rules.md)",
                                 ja=f"「{path.stem}」は同梱の証跡種別と同じ名前です。団体独自の種別には別の名前が要ります",
                                 hint_ja=f"ファイルの名前を変えてください（例: town_{path.stem}{path.suffix}）。同梱の種別は"
                                         "定義し直すことも拡張することもできません（docs/rules.md）")
            kind = read(path)
            if kind.name in found:
                raise InputError(path, f"kind '{kind.name}' is defined twice (first in {found[kind.name].path})",
                                 hint="keep one file per kind",
                                 ja=f"証跡種別「{kind.name}」が二つ定義されています（1つ目は {found[kind.name].path}）",
                                 hint_ja="1つの種別につきファイルを1つにしてください")
            found[kind.name] = kind
    return found


def read(path: Path) -> TownKind:
    """One kind file, parsed, located and checked."""
    name = path.stem
    if not NAME.match(name):
        raise InputError(path, f"'{name}' cannot name a kind: the file name is the kind's name",
                         hint="lower-case letters, digits and _, starting with a letter (backups.json)",
                         ja=f"ファイル名「{name}」は種別名に使えません（ファイル名がそのまま種別名になります）",
                         hint_ja="ファイル名は英小文字で始め、英小文字・数字・_ だけにしてください（例: backups.json）")
    raw = yamlio.read_file(path)  # size-checked: a kind file is a small text file
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})", line=raw[:exc.start].count(b"\n") + 1,
                         hint="save the file as UTF-8", ja=f"UTF-8 のテキストではありません（{exc.start} バイト目）",
                         hint_ja="ファイルを UTF-8 で保存してください") from None
    if path.suffix == ".json":
        data, located = _json(text, path)
    else:
        data, located = yamlio.load_config(text, path)
    schemas.validate(data, "kind", path, located, hint=HINT)
    check(data, path, located)
    return TownKind(name, str(path), data, hashlib.sha256(raw).hexdigest())


def _json(text: str, path: Path):
    """The document, and the lines of its keys (JSON is YAML: the YAML reader finds them)."""
    def pairs(items):
        seen = {}
        for key, value in items:
            if key in seen:
                raise InputError(path, f"key '{key}' appears twice in one object", line=_line_of_key(text, key),
                                 hint="keep one", ja=f"1つのオブジェクトにキー「{key}」が二度あります",
                                 hint_ja="どちらか一方にしてください")
            seen[key] = value
        return seen
    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"JSON syntax error: {exc.msg} (column {exc.colno})", line=exc.lineno,
                         hint="check the commas, quotes and brackets around this line",
                         ja=f"JSON の構文の誤りです（{exc.colno} 桁目: {jsonproblems.japanese(exc.msg)}）",
                         hint_ja="この行の前後のカンマ・引用符・括弧を確かめてください") from None
    try:
        shown, located = yamlio.load_config(text, path)
    except InputError:  # valid JSON that YAML 1.1 reads otherwise (a tab): the errors go without lines
        return data, yamlio.Located()
    return (shown, located) if shown == data else (data, yamlio.Located())  # the lines are of `shown`'s mappings


def _line_of_key(text: str, key: str) -> int | None:
    at = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
    return text[:at[1]].count("\n") + 1 if len(at) > 1 else None


def check(data: dict, path, located) -> None:
    """What the meta-schema cannot say; InputError at the key's line."""
    def fail(keys: list, message: str, hint: str):  # each text is "English / 日本語"
        (en, _, ja), (hint_en, _, hint_ja) = message.partition(" / "), hint.partition(" / ")
        raise InputError(path, f"kind schema: {en}", line=located.line_of(data, keys), hint=hint_en,
                         ja=f"種別ファイル（{'/'.join(map(str, keys))}）: {ja or en}", hint_ja=hint_ja or hint_en)

    props = data["properties"]
    for key in ("required", "x-key"):
        for name in data.get(key, ()):
            if name not in props:
                fail([key], f"'{name}' under {key} is not a field under properties / properties にない項目です",
                     f"add '{name}' to properties, or name one of: {', '.join(props)} / "
                     "properties に追加するか、ある項目の名前を書きます")
    unit = data.get("x-unit")
    if unit is not None and (unit not in props or props[unit]["x-type"] not in ("unit", "id")):
        fail(["x-unit"], f"x-unit '{unit}' must name a field of x-type unit / x-unit の項目が unit 型ではありません",
             "x-unit names the field that says which department a record belongs to (x-type: unit; id in a "
             "kind whose records are the departments, as org_units) / "
             "x-unit には x-type が unit の項目を指定します")
    for name, field in props.items():
        _check_field(name, field, name in data["required"], lambda keys, m, h: fail(["properties", name, *keys], m, h))


def _check_field(name: str, field: dict, required: bool, fail) -> None:
    xtype = field["x-type"]
    if required == ("anyOf" in field):
        fail(["anyOf" if required else "type"],
             f"field '{name}' is {'required' if required else 'optional'}, so it "
             + ("takes type, not anyOf" if required else 'takes anyOf: [{"type": ...}, {"type": "null"}]')
             + (" / 必須項目です" if required else " / 任意項目です"),
             "a required field has its type; an optional one may be empty (null) / "
             "必須項目は type、任意項目は anyOf（null を含む）で書きます")
    alt = field["anyOf"][0] if "anyOf" in field else field
    if "anyOf" in field and (field["anyOf"][1] != {"type": "null"} or alt["type"] == "null"):
        fail(["anyOf"], f"field '{name}': anyOf is [{{\"type\": ...}}, {{\"type\": \"null\"}}] / anyOf の書き方の誤り",
             "the first alternative is the value's type, the second null / 一つ目に型、二つ目に null を書きます")
    want, fmt = JSON_TYPE[xtype]
    if alt["type"] != want or alt.get("format") != fmt or ("items" in alt) != (xtype == "unit_list"):
        shape = json.dumps({"type": want, **({"format": fmt} if fmt else {}),
                            **({"items": {"type": "string"}} if xtype == "unit_list" else {})})
        fail(["anyOf" if "anyOf" in field else "type"], f"field '{name}' of x-type {xtype} needs the type {shape} / x-type と型が合いません",
             "the JSON type says what the x-type reads a cell into / x-type に合う JSON の型を書きます")
    if (xtype == "enum") != ("x-enum" in field) or (xtype == "enum") != ("enum" in alt):
        fail(["x-enum" if "x-enum" in field else "x-type"],
             f"field '{name}': x-enum and enum go with x-type enum, and only with it / x-enum・enum は列挙型だけに書きます",
             "an enumeration names its alias table (x-enum) and lists its values (enum) / "
             "列挙型は x-enum（別名表）と enum（値）を書きます")
    if xtype == "enum":
        table = field["x-enum"]
        if table not in normalize.ALIASES:
            fail(["x-enum"], f"field '{name}': no alias table '{table}' / その別名表はありません",
                 f"tables: {', '.join(sorted(normalize.ALIASES))}; for the town's own codes use x-type id / "
                 "独自のコードは x-type id で読みます")
        values = sorted(set(normalize.ALIASES[table].values()))
        if sorted(alt["enum"]) != values:
            fail(["anyOf" if "anyOf" in field else "enum"], f"field '{name}': enum lists the values of '{table}' / enum には別名表の値を書きます",
                 f"enum: {json.dumps(values, ensure_ascii=False)}")
