"""Evidence: read the manifest and every file it lists into normalised, located records."""
from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

from . import kinds, mynumber, normalize, readers, schema, yamlio
from .errors import InputError
from .fiscal import FiscalYear, parse_fiscal_year
from .model import Evidence, EvidenceFile, Location, Record

MANIFEST = "manifest.yaml"
_FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_MAX_REPORTED = 10  # problems listed per file before the message stops counting lines


def load(root) -> Evidence:
    """Load `root/manifest.yaml` and its files. Raises InputError on anything unusable."""
    root = Path(root)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        hint = "give --evidence the folder that holds manifest.yaml (e.g. evidence/FY2025)"
        years = sorted(p.parent.name for p in root.glob("*/" + MANIFEST)) if root.is_dir() else []
        if years:
            hint = f"this folder holds fiscal years ({', '.join(years)}): give --evidence {root / years[-1]}"
        raise InputError(manifest_path, "evidence manifest not found", hint=hint)
    data, located = yamlio.read_config(manifest_path)
    schema.validate(data, "manifest", manifest_path, located,
                    hint="see README.md, 'Evidence manifest', for the keys a manifest may hold")
    try:
        fy = FiscalYear(parse_fiscal_year(data["fiscal_year"]))
    except ValueError as exc:
        raise InputError(manifest_path, str(exc), line=located.line_of(data, ["fiscal_year"])) from None
    as_of = _date(data.get("as_of"), manifest_path, located.line_of(data, ["as_of"])) or fy.end
    organisation = data["organisation"]
    if isinstance(organisation, str):
        organisation = {"ja": organisation, "en": organisation}
    entries = data["files"]
    seen = {}
    for i, entry in enumerate(entries):
        line = located.line_of(data, ["files", i])
        if entry["kind"] not in kinds.names():
            raise InputError(manifest_path, f"unknown evidence kind '{entry['kind']}'", line=line,
                             hint="known kinds: " + ", ".join(kinds.names()))
        key = os.path.normpath(entry["path"])
        if key in seen:
            raise InputError(manifest_path, f"'{entry['path']}' is listed twice (first at line {seen[key]})", line=line)
        seen[key] = line
    files, datasets, found = [], {}, []
    for i, entry in enumerate(entries):
        line = located.line_of(data, ["files", i])
        collected = _date(entry.get("collected_on"), manifest_path, located.line_of(data, ["files", i, "collected_on"]))
        raw = _read_bytes(root, entry["path"], manifest_path, line)
        records, encoding = _records(raw, entry, found)
        datasets.setdefault(entry["kind"], []).extend(records)
        files.append(EvidenceFile(entry["path"], entry["kind"], entry["provided_by"], collected,
                                  hashlib.sha256(raw).hexdigest(), len(records), encoding))
    units = {r.fields["code"]: {k: r.fields.get(k) for k in ("name", "level", "parent", "mynumber_work")}
             for r in datasets.get("org_units", [])}
    evidence = Evidence(str(root), str(manifest_path), organisation, fy, as_of, tuple(files), datasets, units,
                        tuple(sorted(set(found), key=lambda l: (l.file, l.line or 0))))
    _resolve_units(evidence)
    return replace(evidence, unknown_units=_unknown_units(datasets, units))


def _date(value, path, line):
    try:
        return normalize.parse_date(value)
    except ValueError as exc:
        raise InputError(path, f"unreadable date '{value}': {exc}", line=line) from None


def _read_bytes(root: Path, rel: str, manifest_path, line) -> bytes:
    """The file's bytes, refusing any path that leaves the evidence folder."""
    if os.path.isabs(rel) or rel.startswith(("/", "\\")) or (len(rel) > 1 and rel[1] == ":"):
        raise InputError(manifest_path, f"path '{rel}' is absolute", line=line,
                         hint="paths are relative to the folder that holds manifest.yaml")
    base = root.resolve()
    target = (root / rel).resolve()
    if base != target and base not in target.parents:
        raise InputError(manifest_path, f"path '{rel}' leaves the evidence folder", line=line,
                         hint="copy the file into the evidence folder; '../' and symlinks out of it are refused")
    try:
        with open(target, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError(manifest_path, f"evidence file '{rel}' not found", line=line,
                         hint="fix the path or remove the entry from the manifest") from None
    except IsADirectoryError:
        raise InputError(manifest_path, f"'{rel}' is a folder, not a file", line=line) from None
    except OSError as exc:
        raise InputError(manifest_path, f"cannot read '{rel}': {exc.strerror}", line=line) from None


def _records(raw: bytes, entry: dict, found: list) -> tuple[list, str | None]:
    rel, kind = entry["path"], entry["kind"]
    spec = kinds.spec(kind)
    fmt = entry.get("format") or _FORMATS.get(Path(rel).suffix.lower())
    if fmt is None:
        raise InputError(rel, "unknown file type", hint="name it .csv, .tsv, .xlsx, .yaml or .json, or set format:")
    table = readers.read_table(raw, rel, fmt, encoding=entry.get("encoding"), sheet=entry.get("sheet"),
                               header_row=entry.get("header_row"), delimiter=entry.get("delimiter"))
    mapping = _column_map(table, entry, spec)
    values = {k: {normalize.nfkc(rk): rv for rk, rv in v.items()} | v for k, v in (entry.get("values") or {}).items()}
    records, problems = [], []
    for line, row in table.rows:
        fields = {}
        for label, cell in row.items():
            if isinstance(cell, str) and len(cell) >= 12 and mynumber.contains(cell):
                # never copy a My Number further than this function
                row[label] = cell = mynumber.mask(cell)
                found.append(Location(rel, line))
            target = mapping.get(label)
            if target is None:
                continue
            try:
                fields[target] = spec.convert(target, cell, values.get(target))
            except ValueError as exc:
                problems.append((line, f"column '{label}' ({target}): {mynumber.mask(str(exc))}"))
        for name in spec.required:
            if fields.get(name) in (None, []) and name in mapping.values():
                problems.append((line, f"required field '{name}' is empty"))
            elif name not in mapping.values() and name not in fields:
                problems.append((line, f"required field '{name}' is missing"))
        records.append(Record(kind, fields, rel, line))
    if problems:
        line, first = problems[0]
        more = ""
        if len(problems) > 1:
            lines = ", ".join(str(l) for l, _ in problems[1:_MAX_REPORTED])
            more = f" ({len(problems) - 1} more problem(s) in this file, at line {lines}{'…' if len(problems) > _MAX_REPORTED else ''})"
        raise InputError(rel, first + more, line=line,
                         hint=f"correct the cell in the file, or map the value under values: in the manifest ({spec.title})")
    return records, table.encoding


def _column_map(table, entry: dict, spec) -> dict:
    """Raw header label -> canonical field, checking that every mapped column exists."""
    columns = entry.get("columns") or {}
    present = {normalize.nfkc(h): h for h in table.headers}
    mapping = {}
    for raw_label, field in columns.items():
        if field not in spec.fields:
            raise InputError(entry["path"], f"columns: '{raw_label}' maps to unknown field '{field}' of kind {spec.kind}",
                             hint="fields of this kind: " + ", ".join(spec.fields))
        label = present.get(normalize.nfkc(raw_label))
        if table.headers and label is None:
            raise InputError(entry["path"], f"mapped column '{raw_label}' ({field}) is missing", line=table.header_line,
                             hint="columns in the file: " + ", ".join(table.headers))
        mapping[label or raw_label] = field
    mapped_fields = set(mapping.values())
    labels = table.headers or {k for _, row in table.rows for k in row}
    for label in labels:
        name = normalize.nfkc(label)
        if label not in mapping and name in spec.fields and name not in mapped_fields:
            mapping[label] = name
    if table.headers:
        missing = [f for f in spec.required if f not in mapping.values()]
        if missing:
            raise InputError(entry["path"], f"no column for required field(s) {', '.join(missing)} of kind {spec.kind}",
                             line=table.header_line,
                             hint="add them under columns: in the manifest (raw header: field); columns in the file: "
                                  + ", ".join(table.headers))
    return mapping


def _unknown_units(datasets: dict, units: dict) -> tuple:
    """Units that evidence names but the organisation master does not know (typos, renamed units)."""
    if not units:
        return ()
    seen: dict = {}
    for kind, records in datasets.items():
        spec = kinds.spec(kind)
        fields = [n for n in spec.units if spec.fields[n][0] == "unit"]  # lists may name outside firms
        for r in records:
            for name in fields:
                v = r.fields.get(name)
                if v is not None and v not in units:
                    first = seen.setdefault((r.file, v), [Location(r.file, r.line), 0])
                    first[1] += 1
    return tuple((loc, value, n) for (_, value), (loc, n) in sorted(seen.items()))


def _resolve_units(evidence: Evidence) -> None:
    """Units written by name become unit codes (names change between years; codes do not)."""
    for kind, records in evidence.datasets.items():
        if kind == "org_units":
            continue
        for name in kinds.spec(kind).units:
            for r in records:
                value = r.fields.get(name)
                if isinstance(value, list):
                    r.fields[name] = [evidence.unit_code(v) for v in value]
                elif value is not None:
                    r.fields[name] = evidence.unit_code(value)
