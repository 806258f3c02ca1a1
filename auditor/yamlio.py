"""Safe YAML loading that remembers the line of every mapping key.

Config files (controls, policies, manifests) load with the safe resolver, except that dates stay
strings so that our own date parser (和暦 included) reads them. Evidence files load with every
scalar as a string: YAML 1.1 would turn `0123` into 83 and `no` into False before we see them.
Python tags, duplicate keys and syntax errors become InputError with file and line, and so do
documents that nest too deeply (libyaml's composer recurses in C: 100,000 levels would crash the
process) or whose aliases expand beyond MAX_NODES values (billion laughs): see _check_structure.
"""
from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from . import limits, yamlproblems
from .errors import InputError, os_reason

_CSafe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CBase = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

MAX_DEPTH = 50  # nesting levels; evidence needs 4, the deepest shipped rule about a dozen
MAX_NODES = 1_000_000  # values of a config document with its aliases expanded


class Located:
    """Lines of the mappings of one loaded document: id(dict) -> (line, {key: line})."""

    def __init__(self):
        self.marks: dict[int, tuple[int, dict]] = {}
        self.keep: list = []  # keeps the dicts alive so that their ids stay unique

    def line_of(self, data, path) -> int | None:
        """Line of the deepest key on `path` (a sequence of keys and indexes) that exists."""
        line = self.marks.get(id(data), (None, {}))[0]
        node = data
        for step in path:
            if isinstance(node, dict) and step in node:
                mark = self.marks.get(id(node))
                if mark:
                    line = mark[1].get(step, mark[0])
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
                mark = self.marks.get(id(node))
                if mark:
                    line = mark[0]
            else:
                break
        return line

    def line(self, mapping) -> int | None:
        mark = self.marks.get(id(mapping))
        return mark[0] if mark else None

    def export(self, data) -> list:
        """The marks of `data` by where each mapping sits ([path, line, {key: line}]), for JSON."""
        out = []

        def walk(node, path):
            if isinstance(node, dict):
                mark = self.marks.get(id(node))
                if mark:
                    out.append([path, mark[0], mark[1]])
                for key, value in node.items():
                    walk(value, path + [key])
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, path + [i])

        walk(data, [])
        return out

    @classmethod
    def restore(cls, data, marks: list) -> "Located":
        """The Located of `data` (loaded from JSON) from export()'s marks."""
        located = cls()
        for path, line, keys in marks:
            node = data
            for step in path:
                node = node[step]
            located.marks[id(node)] = (line, keys)
        located.keep.append(data)
        return located


def _mapping(self, node):
    data = {}
    yield data
    seen = {}
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode):
            if key_node.value in seen:
                raise InputError(self._path, f"duplicate key '{key_node.value}' (first at line {seen[key_node.value]})",
                                 line=key_node.start_mark.line + 1, hint="remove or rename one of them",
                                 ja=f"キー「{key_node.value}」が重複しています（最初は {seen[key_node.value]} 行目）",
                                 hint_ja="どちらかを削除するか、名前を変えてください")
            seen[key_node.value] = key_node.start_mark.line + 1
    self.flatten_mapping(node)  # merge keys (<<: *defaults) first, as construct_mapping would
    for key_node, value_node in node.value:
        # A key is the text written: `1:` and `true:` stay "1" and "true" (a values: map of cells to
        # meanings), and a map never mixes key types that json.dumps(sort_keys=True) cannot order.
        if not isinstance(key_node, ScalarNode) or key_node.tag == _STD + "null":
            raise InputError(self._path, "a mapping key must be plain text", line=key_node.start_mark.line + 1,
                             hint="quote the key", ja="マッピングのキーは普通の文字列にしてください",
                             hint_ja="キーを引用符で囲んでください")
        if key_node.tag not in _SCALAR_TAGS:
            _reject_tag(self, key_node)
        data[key_node.value] = self.construct_object(value_node)
    self._located.marks[id(data)] = (node.start_mark.line + 1, seen)
    self._located.keep.append(data)


class _ConfigLoader(_CSafe):
    pass


# YAML 1.2 booleans only: under YAML 1.1 the rule key `on:` and a value `no` would become booleans
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _CSafe.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                        [_first])


class _ConfigDumper(yaml.SafeDumper):
    pass


# Written as read: the same YAML 1.2 booleans, so `on:` and `no` are not quoted as 'on' and 'no'
_ConfigDumper.yaml_implicit_resolvers = {k: list(v) for k, v in _ConfigLoader.yaml_implicit_resolvers.items()}


def dump_config(doc) -> str:
    """A document as config YAML (block style, keys in their order) that load_config reads back the same."""
    return yaml.dump(doc, Dumper=_ConfigDumper, allow_unicode=True, sort_keys=False, default_flow_style=False)


class _DataLoader(_CBase):
    pass


def _reject_tag(self, node):
    raise InputError(self._path, f"YAML tag {node.tag} is not allowed", ja=f"YAML のタグ {node.tag} は使えません",
                     line=node.start_mark.line + 1, hint="evidence and config files may hold plain data only",
                     hint_ja="証跡と設定のファイルには値だけを書いてください")


def _sequence(self, node):
    data = []
    yield data
    data.extend(self.construct_sequence(node))


for _cls in (_ConfigLoader, _DataLoader):
    _cls.add_constructor("tag:yaml.org,2002:map", _mapping)
    _cls.add_constructor(None, _reject_tag)
for _tag in ("set", "binary", "omap", "pairs"):  # the safe loader builds sets, bytes and tuples from these
    _ConfigLoader.add_constructor("tag:yaml.org,2002:" + _tag, _reject_tag)


def _float(self, node):
    value = _CSafe.construct_yaml_float(self, node)
    if value != value:  # NaN compares false with everything: a threshold of .nan would pass every record
        raise InputError(self._path, f"'{node.value}' is not a number a rule can compare",
                         line=node.start_mark.line + 1, hint="write a number",
                         ja=f"「{node.value}」はルールが比べられる数ではありません", hint_ja="数を書いてください")
    return value


_ConfigLoader.add_constructor("tag:yaml.org,2002:float", _float)
_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))
_DataLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)

# Evidence documents are composed by libyaml and walked here: every implicit scalar stays a string,
# so the resolver's regular expressions and the constructor machinery (most of PyYAML's time on a
# 20,000-rule firewall export) are skipped.
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_DEFAULT_TAGS = {ScalarNode: _STD + "str", SequenceNode: _STD + "seq", MappingNode: _STD + "map"}
_DataLoader.resolve = lambda self, kind, value, implicit: _DEFAULT_TAGS[kind]


def _walk(node, path, located: "Located", memo: dict):
    if id(node) in memo:  # an alias: the same object, never a copy (no exponential expansion)
        return memo[id(node)]
    if node.tag in _SCALAR_TAGS and isinstance(node, ScalarNode):
        return node.value
    if node.tag == _STD + "seq" and isinstance(node, SequenceNode):
        items = memo[id(node)] = []
        items.extend(_walk(n, path, located, memo) for n in node.value)
        return items
    if node.tag != _STD + "map" or not isinstance(node, MappingNode):
        raise InputError(path, f"YAML tag {node.tag} is not allowed", line=node.start_mark.line + 1,
                         hint="evidence and config files may hold plain data only",
                         ja=f"YAML のタグ {node.tag} は使えません", hint_ja="証跡と設定のファイルには値だけを書いてください")
    data = memo[id(node)] = {}
    seen = {}
    for key_node, value_node in node.value:
        key = _walk(key_node, path, located, memo)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise InputError(path, "a mapping key must be plain text", line=line,
                             ja="マッピングのキーは普通の文字列にしてください")
        if key in seen:
            raise InputError(path, f"duplicate key '{key}' (first at line {seen[key]})", line=line,
                             hint="remove or rename one of them", ja=f"キー「{key}」が重複しています（最初は {seen[key]} 行目）",
                             hint_ja="どちらかを削除するか、名前を変えてください")
        seen[key] = line
        if value_node.tag in _SCALAR_TAGS and type(value_node) is ScalarNode:
            data[key] = value_node.value
        else:
            data[key] = _walk(value_node, path, located, memo)
    located.marks[id(data)] = (node.start_mark.line + 1, seen)
    located.keep.append(data)
    return data


_INDENT = "[ \t?:-]{20}"  # a deep block level needs indentation or '- '/'? ' markers at its line start
_DEEP_LINES = {sep: re.compile(re.escape(sep) + _INDENT) for sep in "\n\r\x85\u2028\u2029"}  # YAML's line breaks
_INNERMOST = re.compile(r"[\[{][^\[\]{}]*[\]}]")
_FLOW_PASSES = 6


def _shallow(text: str) -> bool:
    """A proof at C speed that `text` nests less than MAX_DEPTH deep; False means "not proven".

    Every block level starts further right or after a '- '/'? ' on its line, so lines indented less
    than 20 hold fewer than 42 block levels; flow levels are peeled innermost first, 6 at most.
    """
    if re.match(_INDENT, text) or any(sep in text and rx.search(text) for sep, rx in _DEEP_LINES.items()):
        return False  # each search is led by a literal: memchr speed
    for _ in range(_FLOW_PASSES):
        if "[" not in text and "{" not in text:
            return True
        text, peeled = _INNERMOST.subn("", text)
        if not peeled:
            return False  # an unbalanced bracket inside a scalar: let the exact check decide
    return "[" not in text and "{" not in text


_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _check_structure(text: str, path, aliases: bool) -> None:
    """Refuse nesting deeper than MAX_DEPTH and, with `aliases`, recursive aliases and documents whose
    aliases expand to more than MAX_NODES values, before anything is composed or built.

    Walks libyaml's events (its parser keeps its own stack: no recursion) and stops at the first
    problem, so a bomb costs as little as its first levels. Syntax errors are left to the loader.
    """
    loader = _CBase(text)
    stack, sizes, total = [], {}, 0  # open collections [expanded size, anchor]; anchor -> size
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, _STARTS):
                stack.append([1, event.anchor])
                total += 1
                if len(stack) > MAX_DEPTH:
                    raise _deep_error(path, event.start_mark.line + 1)
                continue
            if isinstance(event, _ENDS):
                size, anchor = stack.pop()
            elif isinstance(event, yaml.ScalarEvent):
                size, anchor = 1, event.anchor
                total += 1
            elif isinstance(event, yaml.AliasEvent):
                if not aliases:
                    continue
                if any(event.anchor == a for _, a in stack):
                    raise InputError(path, f"alias *{event.anchor} refers to a value that contains it",
                                     line=event.start_mark.line + 1, hint="remove the recursive alias",
                                     ja=f"エイリアス *{event.anchor} が自分を含む値を指しています",
                                     hint_ja="循環するエイリアスを削除してください")
                size, anchor = sizes.get(event.anchor, 1), None
                total += size
                if total > MAX_NODES:
                    raise InputError(path, f"aliases expand the document to more than {MAX_NODES:,} values "
                                     "(an alias bomb?)", line=event.start_mark.line + 1,
                                     hint="write the values out instead of repeating aliases of aliases",
                                     ja=f"エイリアスを展開すると値が {MAX_NODES:,} 個を超えます（エイリアス爆弾の疑い）",
                                     hint_ja="エイリアスのエイリアスを重ねず、値をそのまま書いてください")
            else:
                continue
            if anchor is not None:
                sizes[anchor] = size
            if stack:
                stack[-1][0] += size
    except yaml.YAMLError as exc:
        _refuse_deep(exc, path)  # libyaml (0.2.5+) refuses deep nesting itself: one message either way
        # any other problem is left to the loader, which reports it with its line
    finally:
        loader.dispose()


def _deep_error(path, line) -> InputError:
    return InputError(path, f"the document nests deeper than {MAX_DEPTH} levels", line=line,
                      hint="evidence and config files are flat data", ja=f"文書の入れ子が {MAX_DEPTH} 段を超えています",
                      hint_ja="証跡と設定のファイルは平らなデータです")


def _refuse_deep(exc: yaml.YAMLError, path) -> None:
    """Raise our own refusal when libyaml itself stopped at its nesting limit."""
    if "nesting depth" in str(getattr(exc, "problem", "") or exc):
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise _deep_error(path, mark.line + 1 if mark else None) from None


def unreadable(path, exc: Exception) -> InputError:
    """A YAML problem without a place in the file (PyYAML's words stay in the English message)."""
    return InputError(path, f"YAML error: {exc}", hint="save the file again as YAML text (UTF-8)",
                      ja="YAML として読み込めません", hint_ja="YAML のテキスト（UTF-8）として保存し直してください")


def _load(text: str, path, loader_cls):
    if loader_cls is _ConfigLoader:
        _check_structure(text, path, aliases=True)  # config files are small: always checked
    elif not _shallow(text):
        _check_structure(text, path, aliases=False)  # evidence never expands aliases (_walk shares them)
    located = Located()
    loader = loader_cls(text)
    loader._path = str(path)
    loader._located = located
    try:
        if loader_cls is _DataLoader:
            node = loader.get_single_node()
            data = None if node is None else _walk(node, str(path), located, {})
        else:
            data = loader.get_single_data()
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        _refuse_deep(exc, path)
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "YAML error"
        if "duplicate anchor" in (exc.context or ""):
            problem = "an anchor (&name) is defined twice"
        ja = yamlproblems.japanese(exc.problem, mark and yamlproblems.char_at(text, mark.line, mark.column))
        if "could not determine a constructor" in str(exc):
            problem = f"YAML tag is not allowed ({problem.split('tag')[-1].strip()})"
            ja = f"タグは使えません（{problem.split('(')[-1].rstrip(')')}）"
        raise InputError(path, f"YAML syntax error: {problem}", line=mark.line + 1 if mark else None,
                         hint="check the indentation and quoting around this line",
                         ja=f"YAML の構文エラーです。{ja}" if ja else f"YAML の構文エラーです（{problem}）",
                         hint_ja="この行の前後の字下げと引用符を確かめてください") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a control character)
        # libyaml counts its position in UTF-8 bytes: the first such character is where it stopped
        at = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise InputError(path, f"YAML error: the character {code} is not allowed ({exc.reason})", line=line,
                         hint="remove it, or save the file again from the application that wrote it",
                         ja=f"YAML では使えない文字 {code} が含まれています",
                         hint_ja="その文字を消すか、作成したアプリケーションで保存し直してください") from None
    except yaml.YAMLError as exc:
        raise unreadable(path, exc) from None
    finally:
        loader.dispose()
    return data, located


def load_config(text: str, path) -> tuple[object, Located]:
    """Load a control, policy or manifest document."""
    return _load(text, path, _ConfigLoader)


def load_data(text: str, path) -> tuple[object, Located]:
    """Load an evidence document: every scalar a string (or None for an empty value)."""
    return _load(text, path, _DataLoader)


def read_file(path) -> bytes:
    """A config file's bytes: a regular file of at most limits.CONFIG_MAX_BYTES (checked before reading)."""
    try:
        return limits.read_regular(path, limits.CONFIG_MAX_BYTES, path,
                                   option="controls, policies and manifests are small text files")
    except FileNotFoundError:
        raise InputError(path, "file not found", ja="ファイルがありません") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file", ja="ファイルではなくフォルダです") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {os_reason(exc, 'ja')}", ja=f"読めません（{os_reason(exc, 'ja')}）") from None


def read_config(path) -> tuple[object, Located]:
    """Read and load a config file as UTF-8 (with or without BOM)."""
    raw = read_file(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text (byte {exc.start})", line=line, hint="save the file as UTF-8",
                         ja=f"UTF-8 のテキストではありません（{exc.start} バイト目）",
                         hint_ja="ファイルを UTF-8 で保存してください") from None
    return load_config(text, path)
