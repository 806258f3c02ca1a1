"""What `auditor inspect` says about the rows and the shape of a table: total and note rows (and the
`skip_rows:` that leaves them out), merged cells, a header over two rows, My Numbers, the date in the
title rows, and what an Excel number cell shows. Part of inspect.py, kept apart to stay readable."""
from __future__ import annotations

import datetime as dt
import re

from . import keyshape, kinds, normalize, profile, rowfilter

# total and note rows at the end of a table; RE2 and Python read this pattern alike (a proposed skip_rows)
FOOTER = r"^\s*(合計|小計|総計|計([\s0-9]|$)|※|以上|注[):：]|[Tt]otal|TOTAL)"
_FOOTER = re.compile(FOOTER)
FOOTER_REASON = "合計・注記行"
_TITLE_DATE = re.compile(r"((?:令和|平成|昭和|[RHS])\s*(?:\d{1,2}|元)\s*[年.]\s*\d{1,2}\s*[月.]\s*\d{1,2}\s*日?"
                         r"|\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?)")


def title_date(title: list) -> dt.date | None:
    """A date written in the title rows (令和8年3月2日現在, 2026/3/2 作成): the day the list was made."""
    for text in title:
        m = _TITLE_DATE.search(normalize.nfkc(text))
        if m:
            try:
                return normalize.parse_date(re.sub(r"\s+", "", m.group(1)))
            except ValueError:
                continue
    return None


def header_rows(s) -> list | None:
    """The two rows of a header written over two (a group label merged across the labels below it, the
    other labels merged down over both rows), or None for a header of one row."""
    h = s.header_row
    if not h or s.ws is None:
        return None
    rows = dict(s.rows)

    def filled(line):
        return sum(c not in (None, "") for c in rows.get(line) or [])

    def across(line):
        return any(r1 == line and c2 > c1 for r1, r2, c1, c2 in s.merged)

    if h > 1 and filled(h - 1) >= 2 and across(h - 1):
        return [h - 1, h]  # group labels above the header row found
    down = any(r1 == h and r2 == h + 1 for r1, r2, _, _ in s.merged)
    if across(h) and (down or filled(h + 1)) and h + 1 in rows:
        below = rows[h + 1]
        if all(isinstance(c, str) for c in below if c not in (None, "")):
            return [h, h + 1]  # the header row found holds the group labels; its labels go on below
    return None


def shown_as(s, label, table) -> dict | None:
    """i -> the text an Excel number cell of this column shows (zero-padded by its number format)."""
    ws = s.ws
    if ws is None or not table.headers:
        return None
    header = dict(s.rows).get(s.header_row) or []
    col = next((j + 1 for j, c in enumerate(header) if c is not None and str(c).strip() == label.split("/")[-1]), None)
    if col is None:
        return None
    shown = {}
    for i, line in enumerate(table.lines):
        cell = ws.cell(row=line, column=col)
        fmt = cell.number_format or ""
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) and profile.ZERO_FORMAT.match(fmt) \
                and float(cell.value).is_integer():
            shown[i] = str(int(cell.value)).zfill(len(fmt))
    return shown


def footer(table, mapping: dict, spec, rel) -> tuple[list, dict | None]:
    """(lines of the rows that look like totals or notes, the skip_rows: that leaves exactly those out, or
    None when no one pattern does)."""
    key = keyshape.key_field(spec)
    label = next((h for h, f in mapping.items() if f == key), None)
    flagged = []
    if label is not None:
        converted = spec.convert_column(key, list(table.columns[label]))[0]
        flagged = [n["line"] for n in keyshape.footer_rows(rel, {key: converted}, list(table.lines), spec)]
    lines = list(table.lines)
    tail = range(max(0, len(lines) - keyshape.TAIL), len(lines))
    worded = {}  # line -> the first column whose cell reads like a total
    for i in tail:
        for name, column in table.columns.items():
            if isinstance(column[i], str) and _FOOTER.match(normalize.nfkc(column[i])):
                worded[lines[i]] = name
                break
    flagged += [line for line in worded if line not in flagged]
    flagged.sort()
    if not flagged or set(flagged) != set(worded):
        return flagged, None
    label = max(set(worded.values()), key=list(worded.values()).count)
    name = mapping.get(label, label)
    rule = {"where": {name: {"regex": FOOTER}}, "reason": FOOTER_REASON}
    test = rowfilter.compile_where(rule["where"])
    cells = [rowfilter.text(v) for v in table.columns[label]]
    left_out = [lines[i] for i in range(len(lines)) if test(lambda n: cells[i])]
    return flagged, (rule if left_out == flagged else None)


def rows_and_shape(p, spec, table, mapping: dict, s, header_row, masked: dict, found: tuple) -> dict | None:
    """Warnings and notes about rows, merged cells and My Numbers -> the skip_rows: to propose, or None.

    found: footer()'s answer."""
    flagged, rule = found
    if flagged:
        at = {line: i for i, line in enumerate(table.lines)}
        text = [profile.shown(" ".join(str(c[at[line]]) for c in table.columns.values() if c[at[line]] not in (None, "")))
                for line in flagged]
        if rule:
            p.notes.append(("footer_skipped", {"lines": flagged, "text": text}))
        else:
            p.warnings.append(("footer_rows", {"lines": flagged, "text": text}))
    by_col = {j + 1: str(c).strip() for j, c in enumerate(dict(s.rows).get(s.header_row) or []) if c not in (None, "")}
    for r1, r2, c1, c2 in sorted(s.merged):
        if header_row and r1 > header_row and r2 > r1 and c1 in by_col:
            p.notes.append(("merged_down", {"header": by_col[c1], "first": r1, "last": r2}))
    fields = kinds.schema(spec.kind)["properties"]
    personal = {n for n, f in fields.items() if f.get("x-personal") == "my_number"}  # meant to hold them
    for label, n in masked.items():
        if mapping.get(label) not in personal:
            p.warnings.append(("my_numbers", {"header": label, "count": n, "field": mapping.get(label)}))
    for label in (table.headers or list(table.columns)):
        if label not in masked and mapping.get(label) is None and profile.personal_header(label):
            p.warnings.append(("personal_header", {"header": label}))
    return rule
