"""Evidence kinds: each is a JSON Schema in auditor/schemas/kinds/ (or a town's own, townkinds.py), compiled
here into a normaliser.

The schemas use a small subset of JSON Schema (type, enum, required, format: date) plus `x-`
annotations: `x-type` says how a raw cell is read, `x-enum` names the alias table, `x-key` the
fields that identify a record, `x-unit` the field naming its organisational unit; `x-aliases` lists the
headers offices write for a field (read by `auditor inspect` only, never by the loader). Checking a
record against that subset while normalising it is the schema check, at a fraction of the cost
of a general validator (a roster of 500,000 staff is read in seconds).

The town kinds of the running command are installed by the CLI (`using(folders)`): from then on
`names()`, `schema()` and `spec()` answer for them exactly as for a shipped kind, and every cache made
with `cached` forgets what it held, so no answer about one command's kinds reaches another's.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from importlib import resources

from . import blanks, normalize
from ..errors import reason
from ..schema import load

_LIST_SPLIT = re.compile(r"[、,，;；・/／\n]+")


@functools.lru_cache(maxsize=None)
def shipped() -> tuple:
    """The kinds shipped in the package."""
    folder = resources.files("auditor") / "schemas" / "kinds"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


TOWN_HINT_EN = ("a town's own kind is read from --kinds DIR or the kinds/ folder beside a --controls folder "
                "(docs/rules.md)")
TOWN_HINT_JA = "独自の証跡種別は --kinds DIR か、管理策フォルダと並ぶ kinds/ に置きます（docs/rules.md）"
TOWN_HINT = TOWN_HINT_EN + " / " + TOWN_HINT_JA
_TOWN: dict = {}  # name -> townkinds.TownKind: the running command's own kinds (using())
_CACHES: list = []


def cached(fn):
    """functools.lru_cache over a function of the kinds, emptied whenever the town kinds change."""
    memo = functools.lru_cache(maxsize=None)(fn)
    _CACHES.append(memo)
    return memo


def _install(town: dict) -> None:
    global _TOWN
    _TOWN = dict(town)
    for memo in _CACHES:
        memo.cache_clear()


@contextlib.contextmanager
def using(folders):
    """Read the town kinds of these folders (InputError naming file and line) and answer for them inside
    the block; the kinds before it come back after it."""
    from . import townkinds

    before = _TOWN
    _install(townkinds.load(folders, shipped()))
    try:
        yield town()
    finally:
        _install(before)


def names() -> tuple:
    """Every kind a manifest or a rule may name: the shipped ones and the town's."""
    return tuple(sorted((*shipped(), *_TOWN))) if _TOWN else shipped()


def town() -> tuple:
    """The town kinds in use (townkinds.TownKind), by name."""
    return tuple(_TOWN[k] for k in sorted(_TOWN))


def schema(kind: str) -> dict:
    """A kind's JSON Schema, the town's or the shipped one."""
    return _TOWN[kind].schema if kind in _TOWN else load(f"kinds/{kind}")


class KindSpec:
    """How to read and check the records of one kind."""

    def __init__(self, kind: str):
        doc = schema(kind)
        self.kind = kind
        # the parse cache's key: what reading depends on (header aliases only serve `auditor inspect`)
        reading = dict(doc, properties={n: {k: v for k, v in s.items() if k != "x-aliases"}
                                        for n, s in doc["properties"].items()})
        self.digest = hashlib.sha256(json.dumps(reading, sort_keys=True).encode()).hexdigest()
        self.title = doc.get("title", kind)
        self.required = tuple(doc.get("required", ()))
        self.key = tuple(doc.get("x-key", self.required[:1]))
        self.unit_field = doc.get("x-unit")
        self.fields = {name: (spec["x-type"], spec.get("x-enum")) for name, spec in doc["properties"].items()}
        self.personal = frozenset(n for n, s in doc["properties"].items() if s.get("x-personal"))
        self.units = tuple(n for n, (t, _) in self.fields.items() if t in ("unit", "unit_list"))
        # the fields that identify a finding's subject (what policy exceptions match on)
        self.subject = frozenset(n for n, (t, _) in self.fields.items() if t in ("id", "unit", "enum"))
        self._readers = {name: _reader(xtype, enum) for name, (xtype, enum) in self.fields.items()}
        # the placeholders each field reads as no value; its reader's own words stay values (なし: "no")
        self._nulls = {name: blanks.DEFAULT_KEYS - blanks.keys(normalize.words(xtype, enum))
                       for name, (xtype, enum) in self.fields.items()}

    def nulls_for(self, name: str, extra=()) -> frozenset:
        """The placeholders a field reads as no value, with the manifest's own (`null_values:`), which win
        over the words of the field's reader."""
        return self._nulls[name] | blanks.keys(extra) if extra else self._nulls[name]

    def convert(self, name: str, raw, values: dict | None = None, nulls: frozenset | None = None):
        """Normalise one raw cell; ValueError with a user-readable reason when it cannot be read."""
        return self.read(name, raw, values, nulls)[0]

    def read(self, name: str, raw, values: dict | None = None, nulls: frozenset | None = None) -> tuple:
        """(normalised value, note): note is None, or (the invisible characters removed, whether that left
        no value). Every field kind decides emptiness the same way (evidence/blanks.py)."""
        xtype = self.fields[name][0]
        removed = ()
        if isinstance(raw, str):
            raw = raw.strip()
            if not raw.isascii():
                clean, removed = blanks.strip(raw)
                if removed and xtype == "text" and clean.strip():
                    clean, removed = raw, ()  # free text is shown as written, not compared
                raw = clean.strip() if removed else raw
        if raw is None or raw == "":
            return ([] if xtype == "unit_list" else None), _note(removed, True)
        if values and not isinstance(raw, (list, dict)):
            raw = _mapped(raw, values)
            if raw is None:
                return None, _note(removed, True)
        if xtype == "unit_list":
            return _unit_list(raw, self._nulls[name] if nulls is None else nulls, removed)
        if type(raw) is str:
            if blanks.is_null(raw, self._nulls[name] if nulls is None else nulls):
                return None, _note(removed, True)
        elif nulls is not None and nulls is not self._nulls[name] and blanks.is_null_value(raw, nulls):
            # only the manifest lists numbers (0)
            return None, None
        return self._readers[name](raw), ((removed, False) if removed else None)

    def convert_column(self, name: str, column, values: dict | None = None, plain: bool | None = None,
                       pristine: bool = False, nulls: frozenset | None = None) -> tuple[list, list, list]:
        """Normalise a whole column -> (values, [(row index, reason, reason in Japanese)], [(row index, note)]),
        each distinct text read once (note: see read()).

        plain: whether the column holds only text and blanks, when the caller already knows.
        pristine: whether every cell is non-empty ASCII text without whitespace (readers.RawTable.pristine).
        nulls: the field's placeholders (nulls_for) when the manifest adds some.
        """
        xtype = self.fields[name][0]
        nulls = self._nulls[name] if nulls is None else nulls
        if values or not (plain if plain is not None else set(map(type, column)) <= _TEXT):
            return self._cell_by_cell(name, column, values, nulls)  # value maps, Excel numbers and dates, lists
        if xtype in ("id", "unit", "text") and (pristine or "" not in column):
            joined = "\x00".join(column if pristine or None not in column else [v for v in column if v is not None])
            normal = pristine or (not normalize.edge_space(joined) if xtype == "text" else normalize.plain_ascii(joined))
            if normal and blanks.column_is_clean(joined, nulls):
                return list(column), [], []  # stripped text, plain ASCII IDs: already in their normal form
        if xtype in ("id", "text"):
            return self._cell_by_cell(name, column, None, nulls)  # mostly distinct values: nothing to share
        table, problems, notes = {}, [], []
        for raw in set(column):
            try:
                table[raw], note = self.read(name, raw, None, nulls)
            except ValueError as exc:
                why = (str(exc), reason(exc, "ja"))
                problems.extend((i, *why) for i, v in enumerate(column) if v == raw)
                table[raw], note = None, None
            if note:
                notes.extend((i, note) for i, v in enumerate(column) if v == raw)
        if xtype == "unit_list":  # lists are mutable: one per row
            return [list(table[v]) for v in column], problems, sorted(notes)
        return list(map(table.__getitem__, column)), problems, sorted(notes)

    def _cell_by_cell(self, name, column, values, nulls) -> tuple[list, list, list]:
        out, problems, notes = [], [], []
        for i, raw in enumerate(column):
            try:
                value, note = self.read(name, raw, values, nulls)
            except ValueError as exc:
                value, note = None, None
                problems.append((i, str(exc), reason(exc, "ja")))
            out.append(value)
            if note:
                notes.append((i, note))
        return out, problems, notes


def _note(removed: tuple, emptied: bool):
    return (removed, emptied) if removed else None


def _mapped(raw, values: dict):
    """The cell as the manifest's `values:` map reads it (the cell itself when the map does not name it)."""
    if isinstance(raw, str):
        return values.get(raw, values.get(normalize.nfkc(raw), raw))
    if raw in values:
        return values[raw]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # an Excel number cell (2100, 1.0) matches the key as written in the manifest ('2100', '1')
        return values.get(str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw), raw)
    return raw


_TEXT = {str, type(None)}
_CHECKED = frozenset()


def _unit_list(raw, nulls: frozenset = blanks.DEFAULT_KEYS, removed: tuple = ()) -> tuple:
    """(the IDs of a list cell, note): a placeholder item, or the whole cell as one, names nothing."""
    if isinstance(raw, str) and blanks.is_null(raw, nulls):
        return [], _note(removed, True)
    items = raw if isinstance(raw, list) else _LIST_SPLIT.split(str(raw))
    out, gone = [], list(removed)
    for item in items:
        if type(item) is str:
            item, cut = blanks.strip(item)
            gone += cut
            if item.strip() and blanks.is_null(item.strip(), nulls):
                continue
        elif item is None or blanks.is_null_value(item, nulls):
            continue
        value = normalize.normalize_id(item)
        if value:
            out.append(value)
    return out, _note(tuple(dict.fromkeys(gone)), not out)


def _reader(xtype: str, enum: str | None):
    """The function that reads one non-empty cell of a field of this x-type."""
    code = functools.partial(normalize.normalize_id, nulls=_CHECKED)  # read() has told placeholders apart
    readers = {"id": code, "unit": code, "text": lambda v: str(v).strip(),
               "date": normalize.parse_date, "bool": normalize.parse_bool, "int": normalize.parse_int,
               "number": normalize.parse_number, "unit_list": lambda v: _unit_list(v)[0],
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


@cached
def spec(kind: str) -> KindSpec:
    return KindSpec(kind)
