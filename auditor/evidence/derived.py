"""The derived dataset `personal_data_occurrences` (control DP-01): built by the auditor from the My
Number occurrences of every file read, never provided in a manifest.

Each record: file, line, column, the field it maps to, the row's unit, the value with the number masked,
and whether the kind has a field meant for My Numbers (a field whose kind schema says
`"x-personal": "my_number"`).
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import InputError
from ..model import DERIVED_KINDS, Evidence, Record
from ..privacy import mynumber
from ..privacy.personal import MY_NUMBER_FIELD, excerpt
from . import kinds
from .dataset import Dataset

KIND = DERIVED_KINDS[0]


@kinds.cached
def my_number_fields(kind: str) -> frozenset:
    """Fields of a kind that are meant to hold My Numbers."""
    props = kinds.schema(kind)["properties"]
    return frozenset(n for n, p in props.items() if p.get("x-personal") == MY_NUMBER_FIELD)


def _units(evidence: Evidence, kind_of: dict) -> dict:
    """(file, line) -> unit code, for the rows that held a My Number (and only their kinds are scanned)."""
    wanted = {(o.file, o.line) for o in evidence.personal_data}
    out = {}
    for kind in {kind_of[f] for f, _ in wanted if f in kind_of}:
        field, data = kinds.spec(kind).unit_field, evidence.datasets.get(kind)
        if not field or not data:
            continue
        for where in wanted:
            i = data.row_at(*where)
            if i is not None:
                out.setdefault(where, data.columns[field][i])
    return out


def records(evidence: Evidence) -> list[Record]:
    """One record per occurrence, with the unit of the row it was found in (resolved to a code)."""
    kind_of = {f.path: f.kind for f in evidence.files}
    units = _units(evidence, kind_of) if evidence.personal_data else {}
    out = []
    for o in evidence.personal_data:
        kind = kind_of.get(o.file)
        if kind is None:
            continue
        spec = kinds.spec(kind)
        unit = units.get((o.file, o.line))
        fields = {"file": mynumber.mask(o.file), "line": o.line, "kind": kind, "column": mynumber.mask(o.column),
                  "field": o.field, "unit": mynumber.mask(unit) if isinstance(unit, str) else None,
                  "value": excerpt(o.value, o.field in spec.personal),
                  "expected": o.field is not None and o.field in my_number_fields(kind)}
        out.append(Record(KIND, fields, o.file, o.line))
    return out


def attach(evidence: Evidence) -> Evidence:
    """The evidence with the derived dataset added; a manifest may not provide it as a file."""
    provided = [f.path for f in evidence.files if f.kind == KIND]
    if provided:
        raise InputError(evidence.manifest, f"'{provided[0]}': kind {KIND} is derived by the auditor from "
                         "every evidence file and cannot be provided", hint="give the file its own kind",
                         ja=f"「{provided[0]}」: 種類 {KIND} は auditor がすべての証跡ファイルから作るもので、ファイルとして"
                            "渡せません", hint_ja="そのファイルには独自の種類を付けてください")
    data = Dataset.from_records(KIND, kinds.spec(KIND).fields, records(evidence))
    return replace(evidence, datasets={**evidence.datasets, KIND: data})
