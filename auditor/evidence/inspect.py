"""`auditor inspect`: read one evidence file as it arrived and propose its manifest entry.

The layout (encoding, sheet, title rows, header row, merged cells) comes from sniff.py, the table from
the loader's own readers, the columns from the kinds' header aliases (headers.py), the kind from the
headers when it is not given, the `values:` and the warnings from profile.py. Nothing is printed here:
`render` (inspect_text.py) writes the entry, and manifest_edit.py appends it to a manifest.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .. import filenames
from . import headers, inspect_rows, keyshape, kinds, normalize, profile, readers, sniff
from ..errors import InputError, os_reason
from ..limits import DEFAULT as DEFAULT_LIMITS, read_regular

PLACEHOLDER = "未記入"  # provided_by when the command line does not say who provided the file
# values of an org master's level that are not 部 or 課: rows of other levels, left out ({drop: true})
OTHER_LEVELS = ("係", "班", "担当", "グループ", "チーム", "G")


@dataclass
class Proposal:
    entry: dict                                   # the manifest entry, keys in the manifest's order
    kind: str
    guessed: bool = False                         # the kind was told from the headers (not given)
    others: list = field(default_factory=list)    # other kinds the headers fit, when the kind was guessed
    columns: list = field(default_factory=list)   # (header, field or None, {ja, en} type)
    warnings: list = field(default_factory=list)  # (code, {args})
    notes: list = field(default_factory=list)     # (code, {args})
    unknown: dict = field(default_factory=dict)   # field -> [(raw, rows, first line)]
    title: list = field(default_factory=list)     # text of the title rows above the header
    sheets: list = field(default_factory=list)    # the other sheets of the workbook


def inspect(file, kind: str | None = None, rel: str | None = None, sheet: str | None = None, limits=None,
            provided_by: str | None = None, collected_on: dt.date | None = None) -> list[Proposal]:
    """Proposals for one file (one per list of records of a YAML/JSON document that holds several).

    rel: the path to write into the entry (relative to the manifest's folder); default: the file's name.
    Raises InputError when the file cannot be read, or its kind cannot be told from its headers."""
    limits = limits or DEFAULT_LIMITS
    path = Path(file)
    filenames.refuse(path)  # before reading: its manifest entry could not be written
    if kind is not None and kind not in headers.providable():
        raise InputError("--kind", f"unknown evidence kind '{kind}'", hint="kinds: " + ", ".join(headers.providable()),
                         ja=f"証跡の種類「{kind}」はありません", hint_ja="証跡の種類: " + "、".join(headers.providable()))
    try:
        data = read_regular(path, limits.max_file_size, str(path))
    except FileNotFoundError:
        raise InputError(path, "file not found", ja="ファイルが見つかりません") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}",
                         ja=f"ファイルを読めません（{os_reason(exc, 'ja')}）") from None
    fmt = sniff.fmt_of(path)
    renamed = fmt in ("csv", "tsv") and data.startswith(readers.ZIP_MAGIC)  # a workbook under a text name
    if renamed:
        fmt = "xlsx"
    try:
        lay = sniff.layout(data, path, fmt, limits, sheet)
    except InputError:
        if not renamed:
            raise
        raise InputError(path, "the file has a text (CSV, TSV) name but is a ZIP archive that is not a readable "
                         "Excel workbook", hint="export the data again as CSV or as an Excel workbook (.xlsx)",
                         ja="名前はテキスト（CSV・TSV）ですが、中身は ZIP 形式で、読める Excel のブックでもありません",
                         hint_ja="データを CSV か Excel のブック（.xlsx）として書き出し直してください") from None
    keys = frozenset(headers.aliases(kind)) if kind else None
    tables = []
    for s in lay.sheets:
        if fmt in ("csv", "tsv", "xlsx"):
            try:
                sniff.find_header(s, keys)
            except InputError:
                continue  # an empty sheet, or one without a table
        tables.append(s)
    if not tables:
        raise InputError(path, "no table with a header row found",
                         hint="the file needs a row of column labels above its records",
                         ja="見出し行のある表が見つかりません", hint_ja="記録の上に、列の見出しを並べた行が要ります")
    if fmt == "xlsx":
        tables = [_best_sheet(tables, kind)]
    rel = rel or path.name
    dated = collected_on or _mtime(path)
    out = []
    for s in tables:
        p = _propose(data, rel, fmt, lay, s, kind, limits, provided_by, collected_on, dated)
        if renamed:
            p.entry["format"] = "xlsx"  # written in the manifest's order (inspect_text._ORDER)
            p.warnings.insert(0, ("renamed_workbook", {"name": path.name}))
        if fmt == "xlsx":
            p.sheets = [t.name for t in lay.sheets if t.name != s.name]
        out.append(p)
    return out


def _best_sheet(tables, kind):
    def score(s):
        labels = [c for c in dict(s.rows).get(s.header_row, []) if isinstance(c, str)]
        fits = headers.guess(labels)
        mine = next((sc for k, sc, _ in fits if k == kind), 0) if kind else (fits[0][1] if fits else 0)
        return (mine, not s.hidden, s.hits)
    return max(tables, key=score)


def _mtime(path: Path) -> dt.date:
    return dt.date.fromtimestamp(path.stat().st_mtime)


def _propose(data, rel, fmt, lay, s, kind, limits, provided_by, collected_on, dated) -> Proposal:
    two_rows = inspect_rows.header_rows(s) if fmt == "xlsx" else None
    if two_rows:
        s.header_row = two_rows[-1]  # the data start below the lower row
    header_row = s.header_row if s.header_row and s.header_row > 1 else None
    table = readers.read_table(data, rel, fmt, encoding=lay.encoding, sheet=s.name if fmt == "xlsx" else None,
                               header_row=None if two_rows else header_row, header_rows=two_rows,
                               delimiter=lay.delimiter, records=s.name if fmt in ("yaml", "json") else None,
                               limit=limits)
    masked = profile.mask_table(table)  # before anything reads a cell
    labels = table.headers or list(table.columns)
    fits = headers.guess(labels)
    guessed = kind is None
    if kind is None:
        if not fits:
            raise InputError(rel, "cannot tell the kind of evidence from the headers "
                             f"({', '.join(map(str, labels[:12]))})",
                             hint="give it with --kind: " + ", ".join(headers.providable()),
                             ja=f"見出し（{'、'.join(map(str, labels[:12]))}）から証跡の種類を判別できません",
                             hint_ja="--kind で種類を指定してください: " + "、".join(headers.providable()))
        kind, others = fits[0][0], [k for k, _, _ in fits[1:3]]
    else:
        others = []
    spec = kinds.spec(kind)
    mapping = headers.match(kind, labels)
    p = Proposal({}, kind, guessed, others, title=s.title)
    title_day = inspect_rows.title_date(p.title)
    if provided_by is None:
        p.notes.append(("provided_by", {}))
    if collected_on is None:
        p.notes.append(("collected_title", {}) if title_day else ("collected_mtime", {}))
    entry = {"path": rel, "kind": kind, "provided_by": provided_by or PLACEHOLDER,
             "collected_on": (collected_on or title_day or dated).isoformat()}
    if lay.encoding:
        entry["encoding"] = lay.encoding
    if lay.delimiter:
        entry["delimiter"] = lay.delimiter
    if fmt == "xlsx":
        entry["sheet"] = s.name
    if fmt in ("yaml", "json") and s.name:
        entry["records"] = s.name
    if two_rows:
        entry["header_rows"] = two_rows
        p.notes.append(("two_row_header", {"rows": two_rows}))
    elif header_row:
        entry["header_row"] = header_row
    columns = {h: f for h, f in mapping.items() if normalize.nfkc(h) != f}
    if columns:
        entry["columns"] = columns
    footer = inspect_rows.footer(table, mapping, spec, rel)
    # the rows the proposed skip_rows leaves out are named once, as such: not also as blank keys or odd values
    values = _columns(p, spec, table, mapping, s, set(footer[0]) if footer[1] else set())
    skip = inspect_rows.rows_and_shape(p, spec, table, mapping, s, header_row, masked, footer)
    if skip:
        entry["skip_rows"] = skip
    if values:
        entry["values"] = values
    p.entry = entry
    return p


def _columns(p: Proposal, spec, table, mapping: dict, s, skipped: set) -> dict:
    """Describe every column and check every mapped one -> the proposed values: map.

    skipped: lines of the rows skip_rows will leave out (a 合計 row), left out here too."""
    values = {}
    kept = [i for i, line in enumerate(table.lines) if line not in skipped] if skipped else None
    for label in (table.headers or list(table.columns)):
        column = table.columns.get(label, [])
        if kept is not None:
            column = [column[i] for i in kept]
        name = mapping.get(label)
        p.columns.append((label, name, profile.column_type(column)))
        if name is None:
            continue
        xtype = spec.fields[name][0]
        lines = list(table.lines) if kept is None else [table.lines[i] for i in kept]
        if xtype in ("enum", "bool"):
            found, unknown = profile.propose_values(spec, name, column, lines)
            if spec.fields[name][1] == "unit_level":  # 係 rows beside 課 rows: not units of the audit
                found.update({raw: {"drop": True} for raw, _, _ in unknown if normalize.nfkc(raw) in OTHER_LEVELS})
                unknown = [u for u in unknown if normalize.nfkc(u[0]) not in OTHER_LEVELS]
            if found:
                values[name] = found
            if unknown:
                p.unknown[name] = unknown
        elif xtype in ("date", "number", "int"):
            n, where, examples = profile.unreadable(spec, name, column, lines)
            if n:
                p.warnings.append(("unreadable_" + ("dates" if xtype == "date" else "numbers"),
                                   {"header": label, "field": name, "count": n, "lines": where, "examples": examples}))
        if name in spec.required or name == keyshape.key_field(spec):
            blank = profile.blank_keys(spec, name, column, lines)
            if blank:
                p.warnings.append(("blank_keys", {"header": label, "field": name, "count": len(blank),
                                                  "lines": blank[:profile.SHOWN], "required": name in spec.required}))
        if xtype in ("id", "unit"):
            for found in profile.lost_zeros(spec, name, column, lines, inspect_rows.shown_as(s, label, table)):
                p.warnings.append((found.pop("code"), dict(found, header=label, field=name)))
        if (spec.kind, name) == ("training_records", "course"):
            seen = [v for v in dict.fromkeys(column) if v]
            if seen:
                p.notes.append(("course", {"values": [profile.shown(v) for v in seen[:profile.ENUM_MAX]]}))
    if p.unknown:
        p.warnings.append(("unknown_values", {}))
    if values:
        p.notes.append(("values_proposed", {}))
    missing = [f for f in spec.fields if f not in mapping.values()]
    required = [f for f in spec.required if f in missing]
    if required:
        p.warnings.append(("missing_required", {"fields": required}))
    no_key = [f for f in spec.key if f in missing and f not in required]
    if no_key and len(no_key) == len(spec.key):  # findings would be named by row, and move with the rows
        p.warnings.append(("missing_key", {"fields": no_key}))
    if missing:
        p.notes.append(("missing_fields", {"fields": missing, "kind": spec.kind}))
    return values
