"""Evidence: read the manifest and every file it lists into normalised, located records."""
from __future__ import annotations

import datetime
import json
from dataclasses import replace
from itertools import repeat
from pathlib import Path

from . import (blanks, cache, chunks, keyshape, kinds, layout, normalize, prefetch, readers, sources, split, tablemask,
               unitcodes)
from ..privacy import mynumber, personal
from .. import schema, yamlio
from ..errors import InputError, reason
from ..fiscal import FiscalYear, parse_fiscal_year
from ..limits import DEFAULT as DEFAULT_LIMITS
from .dataset import Dataset
from ..model import Evidence, EvidenceFile, Location

MANIFEST = "manifest.yaml"
_MAX_REPORTED = 10  # problems listed per file before the message stops counting lines
AS_OF_MARGIN_DAYS = 183  # as_of may fall this long after the fiscal year (an audit held after 31 March)


def load(root, cache_dir=None, limits=None, progress=None, valid_memo=None) -> Evidence:
    """Load `root/manifest.yaml` and its files. Raises InputError on anything unusable.

    cache_dir: the parse cache (auditor/evidence/cache.py), a sealed.Store signed with the user's secret;
    None reads every file afresh. valid_memo: where a manifest found schema-valid is remembered (a
    sealed.Store; default cache_dir).
    limits: the largest file (bytes) and most rows one evidence file may have (auditor/limits.py).
    progress: called as progress(files done, files) after each file is read (the CLI's progress bar), or None.
    """
    limits = limits or DEFAULT_LIMITS
    root = Path(root)
    manifest_path = root / MANIFEST
    if not manifest_path.exists():  # anything else that exists (a pipe, a folder) is refused when read
        hint = "give --evidence the folder that holds manifest.yaml (e.g. evidence/FY2025)"
        hint_ja = "--evidence には manifest.yaml のあるフォルダを指定してください（例: evidence/FY2025）"
        years = sorted(p.parent.name for p in root.glob("*/" + MANIFEST)) if root.is_dir() else []
        if years:
            hint = f"this folder holds fiscal years ({', '.join(years)}): give --evidence {root / years[-1]}"
            hint_ja = f"このフォルダには年度のフォルダ（{'、'.join(years)}）があります: --evidence {root / years[-1]} と指定してください"
        raise InputError(manifest_path, "evidence manifest not found", hint=hint, ja="証跡のマニフェストがありません",
                         hint_ja=hint_ja)
    data, located = yamlio.read_config(manifest_path)
    if isinstance(data, dict):  # before the schema check, which takes a while over so many entries
        sources.too_many(data.get("files"), manifest_path, located.line_of(data, ["files"]))
    schema.validate(data, "manifest", manifest_path, located, cache_dir=cache_dir if valid_memo is None else valid_memo,
                    hint="see README.md, 'Evidence manifest', for the keys a manifest may hold")
    try:
        year = parse_fiscal_year(data["fiscal_year"])
        if not 1990 <= year <= 2100:  # as the schema bounds a number; '9999' and '0' are text
            raise ValueError(f"fiscal_year {data['fiscal_year']!r} is not a year from 1990 to 2100")
        fy = FiscalYear(year)
    except ValueError as exc:
        raise InputError(manifest_path, str(exc), line=located.line_of(data, ["fiscal_year"]),
                         ja=f"fiscal_year「{data['fiscal_year']}」を年度として読めません（1990〜2100 の年度を書きます）",
                         hint_ja="例: fiscal_year: 2025、fiscal_year: 令和7年度") from None
    as_of = _date(data.get("as_of"), manifest_path, located.line_of(data, ["as_of"])) or fy.end
    _check_as_of(as_of, fy, data.get("as_of_margin_days", AS_OF_MARGIN_DAYS), manifest_path, located.line_of(data, ["as_of"]))
    organisation = data["organisation"]
    if isinstance(organisation, str):
        organisation = {"ja": organisation, "en": organisation}
    entries, origin = sources.expand(root, data["files"], manifest_path, lambda i: located.line_of(data, ["files", i]))

    def line_of(i, *keys):
        return located.line_of(data, ["files", origin[i], *keys])
    seen = {}
    for i, entry in enumerate(entries):
        line = line_of(i)
        if entry["kind"] not in kinds.names():
            raise InputError(manifest_path, f"unknown evidence kind '{entry['kind']}'", line=line,
                             hint="known kinds: " + ", ".join(kinds.names()) + "; " + kinds.TOWN_HINT_EN,
                             ja=f"証跡の種類「{entry['kind']}」はありません",
                             hint_ja="証跡の種類: " + "、".join(kinds.names()) + "。" + kinds.TOWN_HINT_JA)
        sources.check_options(entry, manifest_path, line)
        fmt = sources.fmt_of(entry)
        for option, problem, problem_ja in [*layout.check(entry, kinds.spec(entry["kind"]), fmt),
                                            *readers.configs.firewall.check(entry, fmt)]:
            raise InputError(manifest_path, problem, line=line_of(i, option) or line,
                             hint="see README.md, 'Evidence manifest', for the options of a file entry",
                             ja=f"ファイルの項目の {option}: が正しくありません。{problem_ja}",
                             hint_ja="ファイルの項目に書ける設定は README.md の「Evidence manifest」にあります")
        key = (sources.identity(root, entry["path"]), entry["kind"], repr(sources.part(entry)),
               *(json.dumps(cache.canonical(entry.get(k)), ensure_ascii=False) for k in ("constants", "unpivot")))
        if key in seen:  # the same rows read twice into one kind would count twice
            raise InputError(manifest_path, f"'{entry['path']}' is listed twice (first at line {seen[key]})", line=line,
                             hint="one file may be listed again under another kind, or with other constants: or unpivot:",
                             ja=f"「{entry['path']}」が二度書かれています（最初は{seen[key]}行目）",
                             hint_ja="同じファイルを再び書けるのは、別の種類か、別の constants: または unpivot: のときです")
        seen[key] = line
        nulls = _null_values(data.get("null_values"), entry, manifest_path, line_of(i, "null_values"))
        if nulls:  # part of how the file is read, so of its parse-cache key
            entries[i] = dict(entry, null_values=nulls)
    files_read = sources.Files(root, entries, manifest_path, line_of, limits.max_file_size)

    def read(i, found, tables, pending=None):
        raw, digest, documents = files_read.get(i)
        return digest, _cached_records(raw, digest, entries[i], found, tables, cache_dir, limits, pending, documents)

    # about half of the files are read by a second process, into the parse cache, while this one reads the rest
    costs, missing = _costs(root, entries, files_read.ids), set(range(len(entries)))
    if cache_dir is not None:  # a file whose every reading is cached loads here faster than a process starts
        missing = {i for i, e in enumerate(entries) if not cache.present(
            cache_dir, files_read.peek(i), _reading(e), kinds.spec(e["kind"]).digest, limits)}
        costs = {ident: cost for ident, cost in costs.items() if ident in {files_read.ids[i] for i in missing}}
    given = prefetch.share(costs) if cache_dir is not None else set()
    later = [i for i, ident in enumerate(files_read.ids) if ident in given]
    shared, first = split.choose(files_read, {i: _reading(entries[i]) for i in missing}, costs, given,
                                 prefetch.MIN_BYTES, cache_dir, limits) if cache_dir is not None else ([], 0)
    done, tables, worker_tables, pending = {}, {}, {}, []

    def work(job):
        if job in later:
            return read(job, [], worker_tables)
        split.ahead(files_read.get(job)[0], _reading(entries[job]), cache_dir, limits, worker_tables, _records, None,
                    (first, None))  # the tail blocks of the file both processes read
    worker = prefetch.start(later + shared, work)
    try:
        try:
            for i in shared if worker else ():  # this process's part of it, while the worker reads the tail
                split.ahead(files_read.held(i), _reading(entries[i]), cache_dir, limits, tables, _records, pending,
                            (0, first))
            for i in [i for i in range(len(entries)) if i not in later]:
                if i in shared and worker:  # its tail is in the cache once the worker is done
                    worker = prefetch.finish(worker)
                done[i] = read(i, found := [], tables, pending), found
                if progress:
                    progress(len(done), len(entries))
        finally:
            prefetch.finish(worker)
        for i in later:
            done[i] = read(i, found := [], tables, pending), found
            if progress:
                progress(len(done), len(entries))
    finally:  # a forked copy writes what this process read to the cache (even when a later file was bad)
        if pending:
            prefetch.background(lambda: [cache.store(cache_dir, *entry) for entry in pending])
    files, datasets, found, notices, cleaned, readings = [], {}, [], [], [], []
    for i, entry in enumerate(entries):
        collected = _date(entry.get("collected_on"), manifest_path, line_of(i, "collected_on"))
        (digest, (columns, lines, present, encoding, notes, remarks)), occurrences = done[i]
        found += occurrences
        kind = entry["kind"]
        if kind not in datasets:
            datasets[kind] = Dataset(kind, kinds.spec(kind).fields)
        rows: dict = {}
        for row, _, name, removed, emptied in notes:
            rows.setdefault(row, {})[name] = (tuple(removed), emptied)
        datasets[kind].add(entry["path"], columns, lines, present, cleaned=rows)
        config = sources.fmt_of(entry) in sources.CONFIGS  # a firewall configuration has no footer rows
        notices += [n for n in ([] if config else keyshape.footer_rows(entry["path"], columns, lines, kinds.spec(kind)))
                    if (n["file"], n["line"]) not in {(m["file"], m["line"]) for m in notices}]  # a file read twice
        notices += [n for n in map(_remark_notice, repeat(entry["path"]), remarks) if n not in notices]
        cleaned += blanks.summary(entry["path"], lines, notes)
        files.append(EvidenceFile(entry["path"], kind, entry["provided_by"], collected, digest, len(lines), encoding))
        readings.append(cache.key_of(digest, _reading(entry), kinds.spec(kind).digest, limits)
                        if cache_dir is not None else None)
    org = datasets.get("org_units")
    units = {} if org is None else {
        code: {k: org.columns[k][i] for k in ("name", "level", "parent", "mynumber_work")}
        for i, code in enumerate(org.columns["code"])}
    evidence = Evidence(str(root), str(manifest_path), organisation, fy, as_of, tuple(files), datasets, units,
                        tuple(sorted({Location(o.file, o.line) for o in found}, key=lambda l: (l.file, l.line or 0))),
                        personal_data=tuple(found), notices=tuple(notices), cleaned=tuple(cleaned),
                        readings=tuple(readings))
    unitcodes.resolve(evidence)
    return replace(evidence, unknown_units=unitcodes.unknown(datasets, units))


def _remark_notice(path: str, remark) -> dict:
    """A remark of the reading (layout.py, the .xlsx reader) as an evidence notice: what was done to the
    file's rows, with their lines (rows left out, blanks filled, sheets read)."""
    code, line, ja, en = remark
    return {"code": code, "level": "info", "file": path, "line": line, "message": {"ja": ja, "en": en}}


def _check_as_of(as_of, fy: FiscalYear, margin: int, path, line) -> None:
    """A 基準日 outside the year (a manifest copied from another year) would judge the wrong year."""
    latest = fy.end + datetime.timedelta(days=margin)
    if fy.start <= as_of <= latest:
        return
    where = "before the fiscal year begins" if as_of < fy.start else f"more than {margin} days after the fiscal year ends"
    raise InputError(path, f"as_of {as_of.isoformat()} is {where} (fiscal_year {fy.label_en}: "
                     f"{fy.start.isoformat()} .. {fy.end.isoformat()})", line=line,
                     hint=f"set as_of: to a day from {fy.start.isoformat()} to {latest.isoformat()}, or correct "
                          "fiscal_year: (a manifest copied from another year keeps that year's dates); "
                          "as_of_margin_days: sets how long after the year as_of may be",
                     ja=f"as_of {as_of.isoformat()} は" + ("年度の始まりより前です" if as_of < fy.start else
                                                          f"年度の終わりから {margin} 日を超えて後です")
                        + f"（fiscal_year {fy.label_ja}: {fy.start.isoformat()} 〜 {fy.end.isoformat()}）",
                     hint_ja=f"as_of: を {fy.start.isoformat()} から {latest.isoformat()} までの日にするか、fiscal_year: を"
                             "直してください（ほかの年度から写したマニフェストはその年度の日付のままです）。as_of の許容日数は "
                             "as_of_margin_days: で決めます")


_AGAIN = 0.3  # what another reading of a file costs against its first: the file is cut once, converted again


def _costs(root: Path, entries: list, ids: list) -> dict:
    """The work per file (by its identity): its bytes, and a share of them for each further reading."""
    costs = {}
    for e, ident in zip(entries, ids):
        try:
            size = (root / e["path"]).stat().st_size
            costs[ident] = costs[ident] + _AGAIN * size if ident in costs else size
        except (OSError, ValueError):
            pass  # reading it reports the problem
    return costs


def _date(value, path, line):
    try:
        return normalize.parse_date(value)
    except ValueError as exc:
        raise InputError(path, f"unreadable date '{value}': {exc}", line=line,
                         ja=f"日付「{value}」を読めません（{reason(exc, 'ja')}）。例: 2026-04-15、令和8年4月15日") from None


def _cached_records(raw: bytes, digest: str, entry: dict, found: list, tables: dict, cache_dir, limits=DEFAULT_LIMITS,
                    pending=None, documents=None):
    """_records, or what it gave for the same bytes read the same way (only files that read cleanly are kept).

    pending: where to leave the new cache entry for a later write; None writes it now.
    documents: where a YAML/JSON document parsed once is kept for the file's other entries (None: not kept)."""
    entry = _reading(entry)
    # found only under the same bytes, read the same way under the same limits
    name = cache.key_of(digest, entry, kinds.spec(entry["kind"]).digest, limits) if cache_dir is not None else None
    hit = cache.load(cache_dir, name) if name is not None else None
    if hit is not None:
        columns, lines, (present, encoding, occurrences, notes, remarks) = hit
        found.extend(personal.Occurrence(entry["path"], *o) for o in occurrences)
        return columns, lines, tuple(present), encoding, notes, remarks
    before = len(found)  # a large plain CSV is read by blocks of lines (chunks.py), the changed ones afresh
    blocks = name and chunks.applies(raw, entry) and chunks.read(raw, entry, found, cache_dir, limits, tables, _records, pending)
    columns, lines, present, encoding, notes, remarks = blocks or _records(raw, digest, entry, found, tables, limits, documents)
    if name is None:
        return columns, lines, present, encoding, notes, remarks
    rest = (list(present), encoding, [(o.line, o.column, o.field, o.value) for o in found[before:]], notes, list(map(tuple, remarks)))
    if pending is None:
        cache.store(cache_dir, name, columns, lines, rest)
    else:
        pending.append((name, columns, lines, rest))
    return columns, lines, present, encoding, notes, remarks


_ABOUT = ("provided_by", "collected_on", "description")  # what an entry says about its file, not how to read it


def _reading(entry: dict) -> dict:
    """The manifest entry as the reader uses it: every key but those only about the file, and the format
    that the file's name implies. _records reads nothing else, and the parse cache's key is this object,
    so any reading option of the manifest is in the key (cache.canonical keeps its order and types)."""
    reading = {k: v for k, v in entry.items() if k not in _ABOUT}
    reading["format"] = sources.fmt_of(entry)
    return reading


def _records(raw: bytes, digest: str, entry: dict, found: list, tables: dict, limits=DEFAULT_LIMITS, documents=None):
    """-> (columns of canonical fields, line of each row, the fields the file maps, encoding,
    [(row, column label, field, invisible characters removed, whether that left no value)], and the
    remarks of the reading: [(code, line, ja, en)], e.g. the rows a layout option left out (layout.py)).

    entry: the reading (_reading), whose format is already resolved."""
    rel, kind = entry["path"], entry["kind"]
    spec = kinds.spec(kind)
    fmt = entry["format"]
    if fmt is None and Path(rel).suffix.lower() == ".xls":
        raise InputError(rel, f"the file is {readers.OLD_EXCEL}",
                         hint=f"{readers.OLD_EXCEL_HINT}; then give the .xlsx file as path: in the manifest",
                         ja=f"ファイルは {readers.OLD_EXCEL_JA}",
                         hint_ja=f"{readers.OLD_EXCEL_HINT_JA}。そのうえでマニフェストの path: に .xlsx のファイルを指定してください")
    if fmt is None:
        raise InputError(rel, "unknown file type", hint="name it .csv, .tsv, .xlsx, .yaml or .json, or set format: "
                         "(fortigate or panos for a firewall configuration)", ja="読めない種類のファイルです", hint_ja=(
                             "拡張子を .csv、.tsv、.xlsx、.yaml、.json にするか format: を指定してください（設定は fortigate・panos）"))
    options = dict(encoding=entry.get("encoding"), sheet=entry.get("sheet"), header_row=entry.get("header_row"),
                   delimiter=entry.get("delimiter"), records=entry.get("records"), header_rows=entry.get("header_rows"),
                   cells=layout.cells(entry), zones=entry.get("zones"), gateways=entry.get("gateways"))
    key = (digest, fmt, repr(options), entry.get("sheets"))
    if key not in tables:  # a file listed under two kinds (or a copy of one) is read once
        read = readers.read_tables(raw, rel, fmt, sheets=entry.get("sheets"), **options, limit=limits, parsed=documents)
        tables[key] = [(table, *tablemask.mask(table)) for table in read]
    parts = []
    for table, masked, plain in tables[key]:
        mapping = _column_map(table, entry, spec)
        # a header label may hold a number too: masked before it reaches an occurrence, an output or the cache
        found.extend(personal.Occurrence(rel, table.lines[i], mynumber.mask(label), mapping.get(label),
                                         table.columns[label][i]) for i, label in masked)
        parts.append(layout.arrange(table, mapping, entry, plain, rel, spec))
        parts[-1][2][:0] = [tuple(n) for n in table.notes]
    fields, lines, remarks = layout.join(parts, spec.fields)
    if entry.get("sheets") is not None:
        remarks.append(layout.sheets_read([t for t, _, _ in tables[key]], rel))
    values = {k: {normalize.nfkc(rk): rv for rk, rv in v.items()} | v for k, v in layout.value_maps(entry).items()}
    nulls = entry.get("null_values") or {}
    columns, problems, notes, raws, n = {}, [], [], {}, len(lines)
    for target, (label, column, is_plain, pristine) in fields.items():
        extra = [*nulls.get("*", ()), *nulls.get(target, ())]
        columns[target], bad, cleaned = spec.convert_column(
            target, column, values.get(target), plain=is_plain, pristine=pristine,
            nulls=spec.nulls_for(target, extra) if extra else None)
        raws[target] = column
        problems.extend((i, f"column '{label}' ({target}): {mynumber.mask(reason)}",
                         f"列「{label}」（{target}）: {mynumber.mask(reason_ja)}") for i, reason, reason_ja in bad)
        notes.extend((i, label, target, list(removed), emptied) for i, (removed, emptied) in cleaned)
    for name in spec.required:
        column = columns.get(name)
        if column is None:
            problems.extend((i, f"required field '{name}' is missing", f"必須のフィールド「{name}」がありません")
                            for i in range(min(n, _MAX_REPORTED)))
        elif None in column or [] in column:
            raw = raws[name]
            problems.extend((i, f"required field '{name}' is empty{blanks.why_empty(raw[i])}",
                             f"必須のフィールド「{name}」が空です{blanks.why_empty_ja(raw[i])}")
                            for i, v in enumerate(column) if v in (None, []))
    if problems:
        problems.sort(key=lambda p: p[0])
        lines = [lines[i] for i, _, _ in problems]
        more = more_ja = ""
        if len(problems) > 1:
            shown, cut = ", ".join(str(l) for l in lines[1:_MAX_REPORTED]), "…" if len(problems) > _MAX_REPORTED else ""
            more = f" ({len(problems) - 1} more problem(s) in this file, at line {shown}{cut})"
            more_ja = f"（このファイルにはほかに {len(problems) - 1} 件の問題があります。{shown.replace(', ', '、')}{cut}行目）"
        raise InputError(rel, problems[0][1] + more, line=lines[0],
                         hint=f"correct the cell in the file, or map the value under values: in the manifest ({spec.title})",
                         ja=problems[0][2] + more_ja,
                         hint_ja=f"ファイルのセルを直すか、マニフェストの values: で値を対応づけてください（{spec.title}）")
    return columns, lines, tuple(columns), tables[key][0][0].encoding, notes, remarks


def _null_values(common, entry: dict, manifest_path, line) -> dict:
    """The manifest's placeholders for one file: {'*': for every field, field: for that field only}."""
    own = entry.get("null_values")
    nulls = {"*": list(common or ())}
    if isinstance(own, list):
        nulls["*"] += own
    elif isinstance(own, dict):
        fields = kinds.spec(entry["kind"]).fields
        for name, values in own.items():
            if name not in fields:
                raise InputError(manifest_path, f"null_values: unknown field '{name}' of kind {entry['kind']}",
                                 line=line, hint="fields of this kind: " + ", ".join(fields),
                                 ja=f"null_values: 種類 {entry['kind']} にフィールド「{name}」はありません",
                                 hint_ja="この種類のフィールド: " + "、".join(fields))
            nulls[name] = list(values)
    return {k: v for k, v in nulls.items() if v}


def _column_map(table, entry: dict, spec) -> dict:
    """Raw header label -> canonical field, checking that every mapped column exists. A header over
    several rows (header_rows:) is mapped by its joined label (研修/受講日) or by its lowest cell."""
    columns = entry.get("columns") or {}
    present = {normalize.nfkc(h): h for h in table.headers}
    lows: dict = {}
    for label, low in table.lower.items():
        lows.setdefault(normalize.nfkc(low), []).append(label)
    mapping = {}
    for raw_label, field in columns.items():
        if field not in spec.fields:
            raise InputError(entry["path"], f"columns: '{raw_label}' maps to unknown field '{field}' of kind {spec.kind}",
                             hint="fields of this kind: " + ", ".join(spec.fields),
                             ja=f"columns: の「{raw_label}」が対応づけるフィールド「{field}」は種類 {spec.kind} にありません",
                             hint_ja="この種類のフィールド: " + "、".join(spec.fields))
        label = present.get(normalize.nfkc(raw_label))
        if label is None and len(lows.get(normalize.nfkc(raw_label), ())) > 1:
            raise InputError(entry["path"], f"mapped column '{raw_label}' ({field}) names several columns: "
                             + ", ".join(lows[normalize.nfkc(raw_label)]), line=table.header_line,
                             hint="map the joined label (group/label) under columns:",
                             ja=f"対応づけた列「{raw_label}」（{field}）に当たる列が複数あります: "
                                + "、".join(lows[normalize.nfkc(raw_label)]),
                             hint_ja="columns: ではつないだ見出し（グループ/見出し）で対応づけてください")
        label = label or (lows.get(normalize.nfkc(raw_label)) or [None])[0]
        if table.headers and label is None:
            raise InputError(entry["path"], f"mapped column '{raw_label}' ({field}) is missing", line=table.header_line,
                             hint="columns in the file: " + ", ".join(table.headers), hint_ja="ファイルの列: "
                             + "、".join(table.headers), ja=f"columns: の列「{raw_label}」（{field}）がファイルにありません")
        mapping[label or raw_label] = field
    given = layout.provided(entry)  # constants:, fields_from:, extract:, unpivot: give these fields
    mapped_fields = set(mapping.values()) | given
    labels = table.headers or list(table.columns)
    for label in labels:
        name = normalize.nfkc(table.lower.get(label, label))
        if label not in mapping and name in spec.fields and name not in mapped_fields:
            mapping[label] = name
            mapped_fields.add(name)
    if table.headers:
        missing = [f for f in spec.required if f not in mapping.values() and f not in given]
        if missing:
            raise InputError(entry["path"], f"{layout._where(table)}no column for required field(s) "
                             f"{', '.join(missing)} of kind {spec.kind}", line=table.header_line,
                             hint="add them under columns: in the manifest (raw header: field); columns in the file: "
                                  + ", ".join(table.headers),
                             ja=f"{layout.where_ja(table)}種類 {spec.kind} の必須のフィールド "
                                f"{'、'.join(missing)} の列がありません",
                             hint_ja="マニフェストの columns: に加えてください（ファイルの見出し: フィールド）。ファイルの列: "
                                     + "、".join(table.headers))
    return mapping
