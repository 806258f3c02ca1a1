"""Header aliases: the column labels offices write for each field of a kind (`x-aliases` in the kind
schemas, most preferred first), read by `auditor inspect` to propose a manifest's `columns:` and to
guess a file's kind. The loader never reads them: a manifest names its columns itself.

Labels compare as keys: NFKC, case folded, without spaces and punctuation (`職員Ｎｏ．` = `職員No`,
`Staff ID` = `staff_id`), and a label with a note in brackets (`受講日（修了日）`) also as the part before it.
"""
from __future__ import annotations

import re
import unicodedata

from . import kinds
from ..model import DERIVED_KINDS

_PUNCT = re.compile(r"[\s・･_\-‐－.．/／:：#＃*＊※\"'`「」『』【】\[\]<>＜＞]+")
_NOTE = re.compile(r"[（(［\[【].*?[）)］\]】]")


def label_key(label) -> str:
    """A header label as it is compared with the aliases."""
    text = unicodedata.normalize("NFKC", str(label)).casefold()
    return _PUNCT.sub("", text)


def _keys(label) -> list[str]:
    """The keys a label is looked up by: the whole label, without its bracketed notes, and the lowest
    label of a header joined over two rows (研修/受講日: 受講日)."""
    text = unicodedata.normalize("NFKC", str(label))
    keys = [label_key(text), label_key(_NOTE.sub("", text))]
    if "/" in text:
        keys.append(label_key(text.rsplit("/", 1)[1]))
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def providable() -> tuple:
    """The kinds a manifest may list (derived kinds are built by the auditor, never provided)."""
    return tuple(k for k in kinds.names() if k not in DERIVED_KINDS)


@kinds.cached
def aliases(kind: str) -> dict:
    """key -> (field, rank): every alias of every field of the kind, and the field's own name (rank 0)."""
    table: dict = {}
    for name, spec in kinds.schema(kind)["properties"].items():
        for rank, alias in enumerate([name, *spec.get("x-aliases", ())]):
            table.setdefault(label_key(alias), (name, rank))
    return table


def field_aliases(kind: str, field: str) -> list[str]:
    """The aliases of one field, as the schema lists them (the first is the usual Japanese header)."""
    return list(kinds.schema(kind)["properties"][field].get("x-aliases", ()))


@kinds.cached
def every_key() -> frozenset:
    """Every alias of every kind: what a header row is recognised by when the kind is not known yet."""
    return frozenset(k for kind in providable() for k in aliases(kind))


def is_alias(label, keys=None) -> bool:
    keys = every_key() if keys is None else keys
    return any(k in keys for k in _keys(label))


def match(kind: str, headers) -> dict:
    """header -> field for the headers the kind's aliases name; a field goes to the header whose alias
    ranks first (then the leftmost), so `所属コード` wins over `所属` for unit where both are present."""
    table = aliases(kind)
    offers = []
    for pos, header in enumerate(headers):
        for exact, key in enumerate(_keys(header)):
            if key in table:
                field, rank = table[key]
                offers.append((rank, exact, pos, header, field))
                break
    mapping, taken = {}, set()
    for _, _, _, header, field in sorted(offers):
        if field not in taken and header not in mapping:
            mapping[header] = field
            taken.add(field)
    return {h: mapping[h] for h in headers if h in mapping}


def guess(headers) -> list[tuple[str, float, dict]]:
    """(kind, score, mapping) of every kind whose required fields all have a column, best first.

    The score counts the fields found, and breaks ties by the share of the kind's fields found."""
    found = []
    for kind in providable():
        mapping = match(kind, headers)
        spec = kinds.spec(kind)
        if not mapping or not set(spec.required) <= set(mapping.values()):
            continue
        found.append((kind, len(mapping) + len(mapping) / len(spec.fields), mapping))
    return sorted(found, key=lambda f: (-f[1], f[0]))
