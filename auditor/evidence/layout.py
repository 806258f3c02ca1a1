"""Office layouts: the manifest options that turn a table as offices keep it into one record per row.

Applied to each table (each sheet) after its columns are mapped and before any cell is normalised, in
this order: `fill_down:` (a unit written once for its block), `skip_rows:` and `key_pattern:` (footer
and note rows, rows of other levels), `values:` mapped to `{drop: true}`, `extract:` (a field inside
another column), `constants:` and `fields_from:` (a field for the whole file or sheet), `unpivot:` (one
record per filled cell of a matrix). Every row left out is counted and named with its lines in a remark
(an evidence notice), never dropped silently; every record keeps the line of the row it comes from.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import normalize, rowfilter
from ..errors import InputError
from ..privacy import mynumber

OPTIONS = ("fill_down", "skip_rows", "key_pattern", "constants", "unpivot", "fields_from", "extract")
_SHOWN = 10  # lines listed in a remark


def active(entry: dict) -> bool:
    return any(entry.get(k) is not None for k in OPTIONS) or bool(drops(entry))


def drops(entry: dict) -> dict:
    """field -> the cells (as text) that values: marks {drop: true}."""
    out = {}
    for name, vmap in (entry.get("values") or {}).items():
        keys = frozenset(rowfilter.text(k) for k, v in vmap.items() if rowfilter.is_drop(v)) - {None}
        if keys:
            out[name] = keys
    return out


def value_maps(entry: dict) -> dict:
    """values: without the drop markers (they are not values)."""
    return {k: {rk: rv for rk, rv in v.items() if not rowfilter.is_drop(rv)}
            for k, v in (entry.get("values") or {}).items()}


def cells(entry: dict) -> tuple:
    """The cell addresses fields_from: reads (cell D2 -> D2)."""
    return tuple(sorted({s.split()[1] for s in (entry.get("fields_from") or {}).values() if s.startswith("cell ")}))


def provided(entry: dict) -> set:
    """The fields that come from the manifest rather than from a column of the same name."""
    out = set(entry.get("constants") or ()) | set(entry.get("fields_from") or ()) | set(entry.get("extract") or ())
    if entry.get("unpivot"):
        out |= {entry["unpivot"]["name"], entry["unpivot"]["value"]}
    return out


def check(entry: dict, spec, fmt) -> list[tuple[str, str, str]]:
    """What the manifest entry gets wrong before any file is read: [(key, English, Japanese)]."""
    problems, fields = [], spec.fields
    mapped = set((entry.get("columns") or {}).values())

    def field(key, name):
        if name not in fields:
            problems.append((key, f"{key}: unknown field '{name}' of kind {spec.kind} (fields: {', '.join(fields)})",
                             f"{key}: 種類 {spec.kind} にフィールド「{name}」はありません（フィールド: {'、'.join(fields)}）"))
            return False
        return True

    if entry.get("header_row") is not None and entry.get("header_rows") is not None:
        problems.append(("header_rows", "header_rows: give header_row or header_rows, not both",
                         "header_rows: header_row と header_rows は、どちらか一方だけを書きます"))
    rows = entry.get("header_rows")
    if rows is not None and rows != list(range(rows[0], rows[0] + len(rows))):
        problems.append(("header_rows", f"header_rows: {rows} must be consecutive lines, e.g. [2, 3]",
                         f"header_rows: {rows} は連続した行にします（例: [2, 3]）"))
    if entry.get("sheets") is not None and entry.get("sheet") is not None:
        problems.append(("sheets", "sheets: reads several sheets, sheet: one; give one of them",
                         "sheets: は複数のシート、sheet: は一つのシートを読みます。どちらか一方だけを書きます"))
    given = []
    for key in ("constants", "fields_from", "extract"):
        for name in entry.get(key) or {}:
            if field(key, name):
                given.append((key, name))
    unpivot = entry.get("unpivot")
    if unpivot:
        for part in ("name", "value"):
            if field("unpivot", unpivot[part]):
                given.append(("unpivot", unpivot[part]))
        if unpivot["name"] == unpivot["value"]:
            problems.append(("unpivot", "unpivot: name and value must be two different fields",
                             "unpivot: の name と value には別々のフィールドを書きます"))
    seen = {}
    for key, name in given:
        if name in mapped:
            problems.append((key, f"{key}: field '{name}' is also mapped from a column under columns:; keep one",
                             f"{key}: フィールド「{name}」は columns: でも列から読んでいます。どちらか一方にします"))
        elif name in seen:
            problems.append((key, f"{key}: field '{name}' is also given by {seen[name]}:; keep one",
                             f"{key}: フィールド「{name}」は {seen[name]}: でも与えています。どちらか一方にします"))
        seen.setdefault(name, key)
    for name, source in (entry.get("fields_from") or {}).items():
        if source == "sheet_name" and fmt != "xlsx":
            problems.append(("fields_from", f"fields_from: {name}: sheet_name reads a workbook's sheet names; "
                             f"'{entry['path']}' is read as {fmt} (file_name gives the file's name)",
                             f"fields_from: {name}: sheet_name はブックのシート名を読みます。「{entry['path']}」は "
                             f"{fmt} として読むファイルです（ファイル名は file_name で読めます）"))
    for name in rowfilter.key_patterns(entry.get("key_pattern"), spec):
        field("key_pattern", name)
    for key, pattern, use in _patterns(entry, spec):
        try:
            use(pattern)
        except rowfilter.FilterError as exc:
            problems.append((key, f"{key}: {exc}", f"{key}: {exc.ja}"))
    for rule in rowfilter.rules(entry.get("skip_rows")):
        try:
            rowfilter.compile_where(rule.get("where"))
        except rowfilter.FilterError as exc:
            problems.append(("skip_rows", f"skip_rows: {exc}", f"skip_rows: {exc.ja}"))
    return problems


def _patterns(entry, spec):
    for name, pattern in rowfilter.key_patterns(entry.get("key_pattern"), spec).items():
        yield "key_pattern", pattern, rowfilter.fullmatcher
    for name, how in (entry.get("extract") or {}).items():
        yield "extract", how["pattern"], rowfilter.extractor


def _column(table, mapping: dict, name: str, key: str, rel: str) -> str:
    """The label of the column a name means: a field the file maps, else a header label (as written,
    after NFKC, or the lowest cell of a header over several rows)."""
    labels = [label for label, f in mapping.items() if f == name and label in table.columns]
    if labels:
        return labels[-1]  # the column the field is read from
    wanted = normalize.nfkc(name)
    for label in table.columns:
        if normalize.nfkc(label) == wanted:
            return label
    lows = [label for label, low in table.lower.items() if normalize.nfkc(low) == wanted]
    if len(lows) == 1:
        return lows[0]
    what = f"'{name}' names {len(lows)} columns ({', '.join(lows)}): use the joined label" if lows \
        else f"no column '{name}' in the header"
    raise InputError(rel, f"{_where(table)}{key}: {what}", line=table.header_line,
                     hint=f"correct {key}: in the manifest; columns in the file: " + ", ".join(table.columns),
                     ja=f"{where_ja(table)}{key}: " + (
                         f"「{name}」に当たる列が {len(lows)} 個あります（{'、'.join(lows)}）。つないだ見出しを使ってください" if lows
                         else f"見出しに列「{name}」がありません"),
                     hint_ja=f"マニフェストの {key}: を直してください。ファイルの列: " + "、".join(table.columns))


def _where(table) -> str:
    """The sheet, in messages about a workbook read sheet by sheet (sheets:)."""
    return f"sheet '{table.sheet}': " if table.sheet and getattr(table, "several", False) else ""


def where_ja(table) -> str:
    """_where in Japanese."""
    return f"シート「{table.sheet}」: " if table.sheet and getattr(table, "several", False) else ""


def _lines(lines: list) -> str:
    return ", ".join(map(str, lines[:_SHOWN])) + ("…" if len(lines) > _SHOWN else "")


def _remark(table, code: str, lines: list, ja: str, en: str) -> tuple:
    w = _where(table)
    at = _lines(lines)
    return (code, lines[0] if lines else None, mynumber.mask(f"{w}{ja}（行 {at}）"), mynumber.mask(f"{w}{en} (line {at})"))


def arrange(table, mapping: dict, entry: dict, plain: set, rel: str, spec):
    """-> ({field: (label, raw column, plain, pristine)}, lines, remarks) of one table; see the module."""
    lines = table.lines
    by_label = dict(table.columns)
    remarks = []
    texts: dict = {}

    def text_of(label):
        if label not in texts:
            texts[label] = [rowfilter.text(v) for v in by_label[label]]
        return texts[label]

    rows = range(len(lines))

    def drop(code, test, ja, en):
        nonlocal rows
        gone = [i for i in rows if test(i)]
        if gone:
            left = set(gone)
            rows = [i for i in rows if i not in left]
            at = [lines[i] for i in gone]
            remarks.append(_remark(table, code, at, f"{ja}: {len(gone)} 行を記録として読まずに除きました",
                                   f"{en}: {len(gone)} row(s) left out, not read as records"))
    for k, rule in enumerate(rowfilter.rules(entry.get("skip_rows"))):
        test = rowfilter.compile_where(rule["where"])
        cols = {n: text_of(_column(table, mapping, n, "skip_rows", rel)) for n in rowfilter.names(rule["where"])}
        what = rule.get("reason") or json.dumps(rule["where"], ensure_ascii=False)
        drop("skip_rows", lambda i: test(lambda n: cols[n][i]), f"skip_rows（{what}）", f"skip_rows ({what})")
    for name, pattern in rowfilter.key_patterns(entry.get("key_pattern"), spec).items():
        column, match = text_of(_column(table, mapping, name, "key_pattern", rel)), rowfilter.fullmatcher(pattern)
        drop("key_pattern", lambda i: column[i] is None or not match(column[i]),
             f"key_pattern（{name} が {pattern} に一致しない）", f"key_pattern ({name} does not match {pattern})")
    unpivot = entry.get("unpivot") or {}
    for name, keys in drops(entry).items():
        if name == unpivot.get("name"):
            continue  # the column labels of the matrix: after unpivot
        labels = [label for label, f in mapping.items() if f == name and label in by_label]
        if labels:
            column = text_of(labels[-1])
            drop("values_drop", lambda i: column[i] in keys, f"values: {name} の drop", f"values: {name} drop")
    for name in entry.get("fill_down") or ():  # among the rows kept: a footer row takes nothing, gives nothing
        label = _column(table, mapping, name, "fill_down", rel)
        column, last, filled = list(by_label[label]), None, []
        for i in rows:
            v = column[i]
            if v is None or (isinstance(v, str) and not v.strip()):
                if last is not None:
                    column[i] = last
                    filled.append(lines[i])
            else:
                last = v
        by_label[label] = column
        if filled:
            remarks.append(_remark(table, "fill_down", filled, f"fill_down: {name} の空欄 {len(filled)} 件に上の行の値を補いました",
                                   f"fill_down: {len(filled)} blank cell(s) of {name} took the value above"))
    picks = rows  # a range while no row is left out: nothing is copied for a plain file
    out = {}
    for label, target in mapping.items():
        if label in by_label and target not in provided(entry):
            column = by_label[label]
            out[target] = (label, column if len(picks) == len(lines) else [column[i] for i in picks],
                           label in plain, label in table.pristine)
    for name, how in (entry.get("extract") or {}).items():
        source, get = by_label[_column(table, mapping, how["from"], "extract", rel)], rowfilter.extractor(how["pattern"])
        out[name] = (f"{how['from']} (extract)", [get(str(source[i])) if source[i] is not None else None for i in picks],
                     None, False)
    for name, value in (entry.get("constants") or {}).items():
        out[name] = (f"constants: {name}", [value] * len(picks), None, False)
    for name, source in (entry.get("fields_from") or {}).items():
        value = table.sheet if source == "sheet_name" else Path(rel).stem if source == "file_name" \
            else mynumber.mask_cell(table.cells.get(source.split()[1]))
        out[name] = (f"fields_from: {name}", [value] * len(picks), None, False)
    lines = lines if len(picks) == len(lines) else [lines[i] for i in picks]
    if unpivot:
        out, lines = _unpivot(table, mapping, by_label, unpivot, out, picks, drops(entry), remarks, rel)
    return out, lines, remarks


def _unpivot(table, mapping, by_label, unpivot, out, picks, drop_keys, remarks, rel):
    spec = unpivot["columns"]
    pairs = list(spec.items()) if isinstance(spec, dict) else [(c, c) for c in spec]
    labels = [_column(table, mapping, c, "unpivot: columns", rel) for c, _ in pairs]
    keys = drop_keys.get(unpivot["name"], frozenset())
    made, dropped = [], []
    for k, i in enumerate(picks):
        for j, label in enumerate(labels):
            v = by_label[label][i]
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            (dropped if rowfilter.text(pairs[j][1]) in keys else made).append((k, j))
    new = {f: (label, [col[k] for k, _ in made], p, pr) for f, (label, col, p, pr) in out.items()
           if label not in labels}
    new[unpivot["name"]] = ("unpivot: name", [pairs[j][1] for _, j in made], None, False)
    new[unpivot["value"]] = ("unpivot: value", [by_label[labels[j]][picks[k]] for k, j in made], None, False)
    lines = [table.lines[picks[k]] for k, _ in made]
    remarks.append(_remark(table, "unpivot", lines[:1] or [table.header_line],
                           f"unpivot: {len(picks)} 行 × {len(labels)} 列から {len(made)} 件の記録を作りました（空欄は記録なし"
                           + (f"、values: drop の {len(dropped)} 件を除外" if dropped else "") + "）",
                           f"unpivot: {len(picks)} row(s) × {len(labels)} column(s) gave {len(made)} record(s) "
                           "(a blank cell gives none" + (f"; {len(dropped)} left out by values: drop" if dropped else "")
                           + ")"))
    return new, lines


def join(parts: list, fields) -> tuple[dict, list, list]:
    """The parts of one file (its sheets) as one table: columns, lines, remarks."""
    if len(parts) == 1:
        return parts[0]
    present = [f for f in fields if any(f in p[0] for p in parts)]
    out, lines, remarks = {}, [], []
    for f in present:
        label = next(p[0][f][0] for p in parts if f in p[0])
        column = []
        for cols, ls, _ in parts:
            column += cols[f][1] if f in cols else [None] * len(ls)
        out[f] = (label, column, all(f in p[0] and p[0][f][2] for p in parts), False)
    for _, ls, rs in parts:
        lines += ls
        remarks += rs
    return out, lines, remarks


def sheets_read(tables: list, rel: str) -> tuple:
    """The remark naming each sheet read and its rows, so that a record's line can be found."""
    shown = [f"{t.sheet} ({t.lines[0]}–{t.lines[-1]})" if len(t.lines) else f"{t.sheet} (—)" for t in tables]
    return ("sheets", None, mynumber.mask(f"{len(tables)} シートを読みました（シート名（行））: " + "、".join(shown)),
            mynumber.mask(f"{len(tables)} sheet(s) read (sheet (rows)): " + ", ".join(shown)))
