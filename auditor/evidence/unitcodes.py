"""The departments evidence names: written by name, they become unit codes; unknown ones are said."""
from __future__ import annotations

from . import kinds
from ..model import Evidence, Location


def unknown(datasets: dict, units: dict) -> tuple:
    """Units that evidence names but the organisation master does not know (typos, renamed units)."""
    if not units:
        return ()
    seen: dict = {}
    for kind, data in datasets.items():
        spec = kinds.spec(kind)
        for name in (n for n in spec.units if spec.fields[n][0] == "unit"):  # lists may name outside firms
            column = data.columns[name]
            unknown = set(column) - units.keys() - {None}
            if not unknown:
                continue
            for i, v in enumerate(column):
                if v in unknown:
                    file, line = data.location(i)
                    first = seen.setdefault((file, v), [Location(file, line), 0])
                    first[1] += 1
    return tuple((loc, value, n) for (_, value), (loc, n) in sorted(seen.items()))


def resolve(evidence: Evidence) -> None:
    """Units written by name become unit codes (names change between years; codes do not)."""
    for kind, data in evidence.datasets.items():
        if kind == "org_units":
            continue
        for name in kinds.spec(kind).units:
            column = data.columns[name]
            if kinds.spec(kind).fields[name][0] == "unit_list":
                data.columns[name] = [[evidence.unit_code(v) for v in vs] if vs else vs for vs in column]
            else:
                codes = {v: evidence.unit_code(v) for v in set(column)}
                if any(code != v for v, code in codes.items()):  # most exports write codes already
                    data.columns[name] = list(map(codes.__getitem__, column))
