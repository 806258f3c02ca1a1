"""Writing the PDCA reports: one for the organisation, one per department, in every format asked for.

Nothing here prints or exits. Every string that goes out passes `scrub`: My Numbers are masked
everywhere, and a department's report withholds other departments' names, staff and asset IDs.
"""
from __future__ import annotations

import datetime as dt
import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import fsio
from ..privacy import mynumber
from ..evidence import normalize
from ..errors import InputError
from ..model import AuditRun
from . import REPORTERS
from .reportjson import departments, document

# --format name -> REPORTERS key (the check command already uses "json" for its own document).
FORMATS = {"html": "html", "md": "md", "pdf": "pdf", "json": "report-json", "csv": "csv"}
DEFAULT_FORMATS = ("html", "md", "json")
LANGS = {"ja": ("ja",), "en": ("en",), "both": ("ja", "en")}
CSV_ENCODINGS = ("utf-8", "cp932")
# Fields that identify a person or an asset, and whose record says which unit it belongs to.
IDENTIFYING = ("staff_id", "asset_id", "owner", "verified_by", "action_id")
WITHHELD = {"ja": "（非開示）", "en": "(withheld)", None: "（非開示 / withheld）"}  # None: text both languages share
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-]*[0-9A-Za-z]|[0-9A-Za-z]")
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*\s]+')


@dataclass(frozen=True)
class Options:
    formats: tuple = DEFAULT_FORMATS
    langs: tuple = ("ja",)
    csv_encoding: str = "utf-8"


@dataclass
class Written:
    """What one audience's reports produced: the files, and notes for the user (e.g. CP932)."""
    target: dict | None
    paths: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def get_module(name: str):
    """A report format's module, imported only when asked for."""
    return importlib.import_module(REPORTERS[name])


def options(formats: str | None, lang: str = "ja", csv_encoding: str = "utf-8") -> Options:
    """Check the options before any work; a missing optional dependency is an input error."""
    names = [f.strip().lower() for f in (formats or ",".join(DEFAULT_FORMATS)).split(",") if f.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise InputError("--format", f"unknown format {', '.join(unknown) or '(none)'}",
                         hint=f"choose from {', '.join(FORMATS)} (comma-separated)")
    if lang not in LANGS:
        raise InputError("--lang", f"unknown language {lang!r}", hint="choose ja, en or both")
    if csv_encoding not in CSV_ENCODINGS:
        raise InputError("--csv-encoding", f"unknown encoding {csv_encoding!r}", hint="choose utf-8 or cp932")
    names = list(dict.fromkeys(names))
    for name in names:
        check = getattr(get_module(FORMATS[name]), "check_available", None)
        if check:
            check()
    return Options(tuple(names), LANGS[lang], csv_encoding)


def targets(run: AuditRun, wanted=()) -> list[dict | None]:
    """None (the organisation) first, then the departments; `wanted` (names or codes) limits them."""
    depts = departments(run)
    if wanted:
        keys = {}
        for d in depts:
            keys[normalize.nfkc(d["code"])] = d
            keys[normalize.nfkc(d["name"])] = d
        missing = [w for w in wanted if normalize.nfkc(w) not in keys]
        if missing:
            raise InputError("--department", f"no department {', '.join(missing)}",
                             hint="use a unit code or name: " + ", ".join(f"{d['code']} {d['name']}" for d in depts))
        chosen = {keys[normalize.nfkc(w)]["code"] for w in wanted}
        depts = [d for d in depts if d["code"] in chosen]
    return [None, *depts]


def folder_name(dept: dict) -> str:
    """Unit code and name, safe on Windows, macOS and Linux file systems."""
    name = unicodedata.normalize("NFC", f"{dept['code']}_{dept['name']}")
    name = _UNSAFE.sub("_", name).strip(" ._")
    return name[:80] or "unit"


def build(run: AuditRun, issued: dt.date, target: dict | None, identities: dict | None = None) -> dict:
    """The scrubbed document for one audience (identities: from `identities(run)`, to reuse it)."""
    doc = document(run, issued, target)
    if target is None:
        return scrub(doc)
    return scrub(doc, _redactor(run, target["code"], target["name"], identities or _identities(run)))


def write(run: AuditRun, out, issued: dt.date, target: dict | None, opts: Options,
          identities: dict | None = None) -> Written:
    """Every format and language for one audience, each file written atomically."""
    doc = build(run, issued, target, identities)
    folder = Path(out) if target is None else Path(out) / "departments" / folder_name(target)
    done = Written(target)
    seen = set()
    for fmt in opts.formats:
        module = get_module(FORMATS[fmt])
        for lang in opts.langs:
            for name, data, *notes in module.files(doc, lang, opts):
                if name in seen:  # the JSON document is the same in both languages
                    continue
                seen.add(name)
                try:
                    fsio.write_atomic(folder / name, data)
                except OSError as exc:
                    raise InputError(folder / name, f"cannot write the report: {exc.strerror or exc}",
                                     hint="choose another --out folder") from None
                done.paths.append(folder / name)
                done.notes += [f"{folder / name}: {n}" for n in (notes[0] if notes else [])]
    return done


def generate(run: AuditRun, out, issued: dt.date, opts: Options, chosen: list):
    """Yield a Written per audience, so the caller can show progress."""
    ids = _identities(run) if any(chosen) else None
    for target in chosen:
        yield write(run, out, issued, target, opts, ids)


def write_index(run: AuditRun, out, issued: dt.date, opts: Options, done: list) -> Path:
    """OUT/index.html: relative links to every report just written, in the first language asked for."""
    from urllib.parse import quote

    from . import html, reportjson

    lang = opts.langs[0]
    t = reportjson.labels()[lang]
    rows = []
    for w in done:
        label = t["organisation_wide"] if w.target is None else f"{w.target['name']}{t['lp']}{w.target['code']}{t['rp']}"
        files = [{"name": p.name, "href": "/".join(quote(part) for part in p.relative_to(out).parts)} for p in w.paths]
        rows.append({"label": label, "files": files})
    doc = build(run, issued, None)
    page = html.environment().get_template("index.html.j2").render(html.template_context(doc, lang), rows=rows)
    path = Path(out) / "index.html"
    fsio.write_atomic(path, scrub(page))
    return path


# ---- scrubbing ----

def scrub(obj, redact=None, lang: str | None = None):
    """Mask My Numbers in every string; in a department's report also withhold others' identities.

    A {"ja", "en"} pair is scrubbed in its own language. Digests are ours, not evidence: a hex
    digest that happens to hold 12 check-digit-valid digits must stay intact.
    """
    if isinstance(obj, str):
        text = mynumber.mask(obj)
        return redact(text, lang) if redact else text
    if isinstance(obj, dict):
        if set(obj) == {"ja", "en"}:
            return {k: scrub(v, redact, k) for k, v in obj.items()}
        return {k: (v if k == "sha256" else scrub(v, redact, lang)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v, redact, lang) for v in obj]
    return obj


def _identities(run: AuditRun) -> dict:
    """Each staff/asset ID -> the units it goes with (its records' units, the findings that name it)."""
    units: dict = {}
    for records in run.evidence.datasets.values():
        for rec in records:
            unit = rec.fields.get("unit")
            if unit is None:
                continue
            for k in IDENTIFYING:
                if rec.fields.get(k):
                    units.setdefault(str(rec.fields[k]), set()).add(unit)
    for r in run.results:
        for f in r.findings:
            for k, v in f.subject.items():
                if k in IDENTIFYING and v:
                    units.setdefault(str(v), set()).add(f.department_code)
    return units


def _redactor(run: AuditRun, code: str, own_name: str, identities: dict):
    """Replace other units' names and other departments' staff/asset IDs by a neutral mark."""
    names = {u["name"] for c, u in run.evidence.units.items() if c != code and u.get("name")}
    names |= {f.department for r in run.results for f in r.findings if f.department and f.department_code != code}
    names.discard(own_name)
    # an ID that goes with this department too (its own finding names it) stays
    foreign = {i for i, units in identities.items() if code not in units}
    pattern = None
    if names:
        alternatives = sorted(names | {own_name}, key=len, reverse=True)  # own name guards its substrings
        pattern = re.compile("|".join(re.escape(n) for n in alternatives))
    odd = sorted((i for i in foreign if not _TOKEN.fullmatch(i)), key=len, reverse=True)
    odd_pattern = re.compile("|".join(re.escape(i) for i in odd)) if odd else None

    def redact(text: str, lang: str | None) -> str:
        mark = WITHHELD[lang]
        if pattern is not None:
            text = pattern.sub(lambda m: m.group(0) if m.group(0) == own_name else mark, text)
        text = _TOKEN.sub(lambda m: mark if m.group(0) in foreign else m.group(0), text)
        if odd_pattern is not None:
            text = odd_pattern.sub(mark, text)
        return text

    return redact
