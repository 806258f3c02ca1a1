"""Evidence kinds: each is a JSON Schema in auditor/schemas/kinds/, compiled here into a normaliser.

The schemas use a small subset of JSON Schema (type, enum, required, format: date) plus `x-`
annotations: `x-type` says how a raw cell is read, `x-enum` names the alias table, `x-key` the
fields that identify a record, `x-unit` the field naming its organisational unit. Checking a
record against that subset while normalising it is the schema check, at a fraction of the cost
of a general validator (a roster of 500,000 staff is read in seconds).
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from importlib import resources

from . import normalize
from ..schema import load

_LIST_SPLIT = re.compile(r"[、,，;；・/／\n]+")


@functools.lru_cache(maxsize=None)
def names() -> tuple:
    folder = resources.files("auditor") / "schemas" / "kinds"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


class KindSpec:
    """How to read and check the records of one kind."""

    def __init__(self, kind: str):
        schema = load(f"kinds/{kind}")
        self.kind = kind
        self.digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
        self.title = schema.get("title", kind)
        self.required = tuple(schema.get("required", ()))
        self.key = tuple(schema.get("x-key", self.required[:1]))
        self.unit_field = schema.get("x-unit")
        self.fields = {name: (spec["x-type"], spec.get("x-enum")) for name, spec in schema["properties"].items()}
        self.personal = frozenset(n for n, s in schema["properties"].items() if s.get("x-personal"))
        self.units = tuple(n for n, (t, _) in self.fields.items() if t in ("unit", "unit_list"))
        # the fields that identify a finding's subject (what policy exceptions match on)
        self.subject = frozenset(n for n, (t, _) in self.fields.items() if t in ("id", "unit", "enum"))
        self._readers = {name: _reader(xtype, enum) for name, (xtype, enum) in self.fields.items()}

    def convert(self, name: str, raw, values: dict | None = None):
        """Normalise one raw cell; ValueError with a user-readable reason when it cannot be read."""
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            return [] if self.fields[name][0] == "unit_list" else None
        if values and not isinstance(raw, (list, dict)):
            if isinstance(raw, str):
                raw = values.get(raw, values.get(normalize.nfkc(raw), raw))
            elif raw in values:
                raw = values[raw]
            elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
                # an Excel number cell (2100, 1.0) matches the key as written in the manifest ('2100', '1')
                raw = values.get(str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw), raw)
            if raw is None:
                return None
        return self._readers[name](raw)

    def convert_column(self, name: str, column, values: dict | None = None, plain: bool | None = None,
                       pristine: bool = False) -> tuple[list, list]:
        """Normalise a whole column -> (values, [(row index, reason)]), each distinct text read once.

        plain: whether the column holds only text and blanks, when the caller already knows.
        pristine: whether every cell is non-empty ASCII text without whitespace (readers.RawTable.pristine).
        """
        xtype = self.fields[name][0]
        if values or not (plain if plain is not None else set(map(type, column)) <= _TEXT):
            return self._cell_by_cell(name, column, values)  # value maps, Excel numbers and dates, lists
        if pristine and xtype in ("id", "unit", "text"):
            return list(column), []  # the normal form of such text is the text itself
        if xtype in ("id", "unit", "text") and "" not in column:
            joined = "\x00".join([v for v in column if v is not None] if None in column else column)
            if not normalize.edge_space(joined) if xtype == "text" else normalize.plain_ascii(joined):
                return list(column), []  # stripped text, plain ASCII IDs: already in their normal form
        if xtype in ("id", "text"):
            return self._cell_by_cell(name, column, None)  # mostly distinct values: nothing to share
        table, problems = {}, []
        for raw in set(column):
            try:
                table[raw] = self.convert(name, raw)
            except ValueError as exc:
                problems.extend((i, str(exc)) for i, v in enumerate(column) if v == raw)
                table[raw] = None
        if xtype == "unit_list":  # lists are mutable: one per row
            return [list(table[v]) for v in column], problems
        return list(map(table.__getitem__, column)), problems

    def _cell_by_cell(self, name, column, values) -> tuple[list, list]:
        out, problems = [], []
        for i, raw in enumerate(column):
            try:
                out.append(self.convert(name, raw, values))
            except ValueError as exc:
                out.append(None)
                problems.append((i, str(exc)))
        return out, problems


_TEXT = {str, type(None)}


def _unit_list(raw) -> list:
    items = raw if isinstance(raw, list) else _LIST_SPLIT.split(str(raw))
    return [v for v in (normalize.normalize_id(i) for i in items if i is not None) if v]


def _reader(xtype: str, enum: str | None):
    """The function that reads one non-empty cell of a field of this x-type."""
    readers = {"id": normalize.normalize_id, "unit": normalize.normalize_id, "text": lambda v: str(v).strip(),
               "date": normalize.parse_date, "bool": normalize.parse_bool, "int": normalize.parse_int,
               "number": normalize.parse_number, "unit_list": _unit_list,
               "enum": lambda v: normalize.canonical(enum, v)}
    if xtype not in readers:
        raise ValueError(f"unknown x-type {xtype}")  # a broken kind schema, not user input
    if xtype in ("id", "text", "unit_list"):
        return readers[xtype]  # mostly distinct values, or mutable results: nothing to reuse
    return _memo(readers[xtype])


def _memo(read, size: int = 4096):
    """Dates, flags, codes and units repeat down a column: read each distinct text once."""
    cache: dict = {}

    def cached(raw):
        if type(raw) is not str:
            return read(raw)
        if raw in cache:
            return cache[raw]
        value = read(raw)  # a ValueError is raised every time, never cached
        if len(cache) < size:
            cache[raw] = value
        return value
    return cached


@functools.lru_cache(maxsize=None)
def spec(kind: str) -> KindSpec:
    return KindSpec(kind)
