"""Safe YAML loading that remembers the line of every mapping key.

Config files (controls, policies, manifests) load with the safe resolver, except that dates stay
strings so that our own date parser (和暦 included) reads them. Evidence files load with every
scalar as a string: YAML 1.1 would turn `0123` into 83 and `no` into False before we see them.
Python tags, duplicate keys and syntax errors become InputError with file and line.
"""
from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import InputError

_CSafe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CBase = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


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


def _mapping(self, node):
    data = {}
    yield data
    seen = {}
    for key_node, _ in node.value:
        if isinstance(key_node, ScalarNode):
            if key_node.value in seen:
                raise InputError(self._path, f"duplicate key '{key_node.value}' (first at line {seen[key_node.value]})",
                                 line=key_node.start_mark.line + 1, hint="remove or rename one of them")
            seen[key_node.value] = key_node.start_mark.line + 1
    data.update(self.construct_mapping(node))
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


class _DataLoader(_CBase):
    pass


def _reject_tag(self, node):
    raise InputError(self._path, f"YAML tag {node.tag} is not allowed",
                     line=node.start_mark.line + 1, hint="evidence and config files may hold plain data only")


def _sequence(self, node):
    data = []
    yield data
    data.extend(self.construct_sequence(node))


for _cls in (_ConfigLoader, _DataLoader):
    _cls.add_constructor("tag:yaml.org,2002:map", _mapping)
    _cls.add_constructor(None, _reject_tag)
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
                         hint="evidence and config files may hold plain data only")
    data = memo[id(node)] = {}
    seen = {}
    for key_node, value_node in node.value:
        key = _walk(key_node, path, located, memo)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise InputError(path, "a mapping key must be plain text", line=line)
        if key in seen:
            raise InputError(path, f"duplicate key '{key}' (first at line {seen[key]})", line=line,
                             hint="remove or rename one of them")
        seen[key] = line
        if value_node.tag in _SCALAR_TAGS and type(value_node) is ScalarNode:
            data[key] = value_node.value
        else:
            data[key] = _walk(value_node, path, located, memo)
    located.marks[id(data)] = (node.start_mark.line + 1, seen)
    located.keep.append(data)
    return data


def _load(text: str, path, loader_cls):
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
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "YAML error"
        if "could not determine a constructor" in str(exc):
            problem = f"YAML tag is not allowed ({problem.split('tag')[-1].strip()})"
        raise InputError(path, f"YAML syntax error: {problem}", line=mark.line + 1 if mark else None,
                         hint="check the indentation and quoting around this line") from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    return data, located


def load_config(text: str, path) -> tuple[object, Located]:
    """Load a control, policy or manifest document."""
    return _load(text, path, _ConfigLoader)


def load_data(text: str, path) -> tuple[object, Located]:
    """Load an evidence document: every scalar a string (or None for an empty value)."""
    return _load(text, path, _DataLoader)


def read_config(path) -> tuple[object, Located]:
    """Read and load a config file as UTF-8 (with or without BOM)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    return load_config(text, path)
