"""Rows at the end of a table whose key does not look like the other keys: a total or footer row
(合計,6件 / 計 45名 / ※以上) that a spreadsheet export carries below the records.

Such a row is kept as a record (dropping a real record would hide its gap) but named in every output.
The shape of a key is its run of character classes: S00123 -> A9, PC-0041 -> A-9, 合計 -> J.
"""
from __future__ import annotations

from ..privacy import mynumber

TAIL = 3  # rows at the end of a file that are looked at
SAMPLE = 300  # other rows whose shapes are compared with them (spread over the file)
MIN_OTHERS = 3  # fewer keyed rows than this: nothing to compare with


def shape(value) -> str:
    out = []
    for c in str(value):
        k = "9" if c.isdigit() and c.isascii() else "A" if c.isascii() and c.isalpha() else \
            " " if c.isspace() else "J" if c.isalnum() else c
        if not out or out[-1] != k:
            out.append(k)
    return "".join(out)


def key_field(spec) -> str | None:
    """The first identifying field of a kind that holds IDs (unit names and codes mix legitimately)."""
    return next((f for f in spec.key if spec.fields[f][0] == "id"), None)


def footer_rows(path: str, columns: dict, lines, spec) -> list[dict]:
    """Notices for the last rows of one file whose key's shape no other row has."""
    name = key_field(spec)
    column = columns.get(name) if name else None
    if not column or len(column) <= TAIL:
        return []
    body = len(column) - TAIL
    step = max(1, body // SAMPLE)
    others = [v for v in column[:body:step] if v is not None]
    if len(others) < MIN_OTHERS:
        return []
    known, example = {shape(v) for v in others}, others[0]
    out = []
    for i in range(body, len(column)):
        value = column[i]
        if value is not None and shape(value) not in known:
            out.append(_notice(path, lines[i], name, mynumber.mask(str(value)), mynumber.mask(str(example))))
    return out


def _notice(path, line, field, value, example) -> dict:
    ja = (f"{field}「{value}」が、ほかの行の値（例: {example}）と違う形をしています。表の末尾の合計行や注記が"
          "記録として読まれていないか確認してください（記録でなければ、証跡の写しからその行を削除します）")
    en = (f"{field} '{value}' does not look like the other rows' values (e.g. {example}): check whether a total "
          "or footer row is being read as a record (if it is not a record, remove it from a copy of the file)")
    return {"code": "footer_row", "level": "warning", "file": path, "line": line, "message": {"ja": ja, "en": en}}
