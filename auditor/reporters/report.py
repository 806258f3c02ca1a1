"""Writing the PDCA reports: one for the organisation, one per department, in every format asked for.

Nothing here prints or exits. Every document is built and scrubbed by auditor/reporters/redact.py
before a format renders it: My Numbers are masked everywhere, and a department's report withholds
other departments' names, staff and asset IDs.
"""
from __future__ import annotations

import collections
import datetime as dt
import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .. import fsio, outputs
from ..evidence import normalize
from ..privacy import sanitize
from ..errors import InputError, os_reason
from ..model import AuditRun
from ..scoring import departments
from . import REPORTERS, parallel
from .redact import build, identities_of, scrub

# --format name -> REPORTERS key (the check command already uses "json" for its own document).
FORMATS = {"html": "html", "md": "md", "pdf": "pdf", "json": "report-json", "csv": "csv", "docx": "docx", "xlsx": "xlsx"}
DEFAULT_FORMATS = ("html", "md", "json")
LANGS = {"ja": ("ja",), "en": ("en",), "both": ("ja", "en")}
CSV_ENCODINGS = ("utf-8", "cp932")
# and C1 controls and bidi overrides: a unit name cannot make a folder name read differently
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\s' + sanitize.BIDI + ']+')


@dataclass(frozen=True)
class Options:
    formats: tuple = DEFAULT_FORMATS
    langs: tuple = ("ja",)
    csv_encoding: str = "utf-8"
    approval: dict | None = None  # the 決裁欄 the reports carry (auditor/reporters/approval.py), e.g. the drafter


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
                         hint=f"choose from {', '.join(FORMATS)} (comma-separated)",
                         ja=f"形式 {'、'.join(unknown) or '（指定なし）'} はありません",
                         hint_ja=f"{'、'.join(FORMATS)} から選んでください（カンマ区切り）")
    if lang not in LANGS:
        raise InputError("--lang", f"unknown language {lang!r}", hint="choose ja, en or both",
                         ja=f"言語 {lang!r} はありません", hint_ja="ja、en、both のどれかを選んでください")
    if csv_encoding not in CSV_ENCODINGS:
        raise InputError("--csv-encoding", f"unknown encoding {csv_encoding!r}", hint="choose utf-8 or cp932",
                         ja=f"文字コード {csv_encoding!r} はありません", hint_ja="utf-8 か cp932 を選んでください")
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
                             hint="use a unit code or name: " + ", ".join(f"{d['code']} {d['name']}" for d in depts),
                             ja=f"所属 {'、'.join(missing)} はありません",
                             hint_ja="所属コードか所属名を指定してください: " + "、".join(f"{d['code']} {d['name']}" for d in depts))
        chosen = {keys[normalize.nfkc(w)]["code"] for w in wanted}
        depts = [d for d in depts if d["code"] in chosen]
    return [None, *depts]


def folder_name(dept: dict) -> str:
    """Unit code and name, safe on Windows, macOS and Linux file systems."""
    name = unicodedata.normalize("NFC", f"{dept['code']}_{dept['name']}")
    name = _UNSAFE.sub("_", name).strip(" ._")
    return name[:80] or "unit"


def write(run: AuditRun, out, issued: dt.date, target: dict | None, opts: Options,
          identities: dict | None = None, staged: fsio.FolderSet | None = None) -> Written:
    """Every format and language for one audience, each file written atomically (into `staged`, when
    given: the set is swapped into OUT at once by `commit`)."""
    with parallel.Pool(1) as pool:
        return _written(_rendering(pool, run, issued, target, opts, identities), out, opts, staged)


def generate(run: AuditRun, out, issued: dt.date, opts: Options, chosen: list, staged: fsio.FolderSet | None = None,
             jobs: int = 1):
    """Yield a Written per audience, in the order of `chosen`, so the caller can show progress.

    With jobs > 1 the PDFs are typeset by that many worker processes (auditor/reporters/parallel.py)
    while this process builds the next documents and writes the formats that take milliseconds."""
    ids = identities_of(run) if any(chosen) else None
    with parallel.Pool(jobs) as pool:
        waiting = collections.deque()
        for target in chosen:
            waiting.append(_rendering(pool, run, issued, target, opts, ids))
            # write every audience already typeset; stay at most `jobs` audiences ahead of the writing
            while waiting and (len(waiting) > jobs or waiting[0].ready()):
                yield _written(waiting.popleft(), out, opts, staged)
        while waiting:
            yield _written(waiting.popleft(), out, opts, staged)


@dataclass
class _Rendering:
    """One audience's document, with its slow formats submitted to the pool."""
    target: dict | None
    doc: dict
    slow: dict  # (format, lang) -> handle

    def ready(self) -> bool:
        return all(h.ready() for h in self.slow.values())


def _rendering(pool, run, issued, target, opts: Options, identities) -> _Rendering:
    doc = build(run, issued, target, identities)
    if opts.approval:
        doc["approval"] = opts.approval
    slow = {(fmt, lang): pool.submit(REPORTERS[FORMATS[fmt]], doc, lang, opts)
            for fmt in opts.formats if fmt in parallel.SLOW for lang in opts.langs}
    return _Rendering(target, doc, slow)


def _written(r: _Rendering, out, opts: Options, staged) -> Written:
    rel = Path() if r.target is None else Path("departments") / folder_name(r.target)
    folder = Path(out) / rel
    done = Written(r.target)
    seen = set()
    for fmt in opts.formats:
        for lang in opts.langs:
            handle = r.slow.get((fmt, lang))
            files = handle.get() if handle else get_module(FORMATS[fmt]).files(r.doc, lang, opts)
            for name, data, *notes in files:
                if name in seen:  # the JSON document is the same in both languages
                    continue
                seen.add(name)
                try:
                    if staged is None:
                        fsio.write_atomic(folder / name, data)
                    else:
                        staged.write(rel / name, data)
                except OSError as exc:
                    raise _unwritten(folder / name, exc, staged) from None
                done.paths.append(folder / name)
                done.notes += [f"{folder / name}: {n}" for n in (notes[0] if notes else [])]
    return done


def staged(out, inputs: outputs.Inputs) -> fsio.FolderSet:
    """The report set for OUT, staged beside its files; every destination is checked against `inputs`."""
    try:
        return fsio.FolderSet(out, lambda path: outputs.check(path, inputs, "--out"))
    except OSError as exc:
        raise InputError(out, f"cannot write the report: {exc.strerror or exc}", hint="choose another --out folder",
                         ja=f"報告書を書き込めません（{os_reason(exc, 'ja')}）", hint_ja=OUT_HINT_JA) from None


def commit(staged: fsio.FolderSet) -> None:
    """Swap the staged set in: every file of it, or (on an error) none, and OUT as it was."""
    try:
        staged.commit()
    except OSError as exc:  # the message of a set not restored names the folder the earlier files wait in
        after, after_ja = ((f"; {staged.out} is as it was", f"。{staged.out} は元のままです") if staged.restored
                           else ("; some earlier files are left in the set-aside folder named above",
                                 "。一部の旧ファイルは上記の退避フォルダに残っています"))
        raise InputError(staged.out, f"cannot write the report: {exc.strerror or exc}{after}",
                         hint="choose another --out folder", ja=f"報告書を書き込めません（{os_reason(exc, 'ja')}）{after_ja}",
                         hint_ja=OUT_HINT_JA) from None


def write_index(run: AuditRun, out, issued: dt.date, opts: Options, done: list,
                staged: fsio.FolderSet | None = None) -> Path:
    """OUT/index.html: relative links to every report just written, in the first language asked for."""
    from urllib.parse import quote

    from . import html
    from .labels import labels

    lang = opts.langs[0]
    t = labels()[lang]
    rows = []
    for w in done:
        label = t["organisation_wide"] if w.target is None else f"{w.target['name']}{t['lp']}{w.target['code']}{t['rp']}"
        files = [{"name": p.name, "href": "/".join(quote(part) for part in p.relative_to(out).parts)} for p in w.paths]
        rows.append({"label": label, "files": files})
    doc = sanitize.document(build(run, issued, None))  # unit and town names, as every report shows them
    page = html.environment().get_template("index.html.j2").render(html.template_context(doc, lang),
                                                                   rows=sanitize.document(rows))
    path = Path(out) / "index.html"
    try:
        if staged is None:
            fsio.write_atomic(path, scrub(page))
        else:
            staged.write("index.html", scrub(page))
    except OSError as exc:
        raise _unwritten(path, exc, staged) from None
    return path


OUT_HINT_JA = "別の --out フォルダを指定してください"


def _unwritten(path, exc: OSError, staged) -> InputError:
    unchanged = f"; {staged.out} is as it was" if staged is not None else ""
    unchanged_ja = f"。{staged.out} は元のままです" if staged is not None else ""
    return InputError(path, f"cannot write the report: {exc.strerror or exc}{unchanged}", hint="choose another --out folder",
                      ja=f"報告書を書き込めません（{os_reason(exc, 'ja')}）{unchanged_ja}", hint_ja=OUT_HINT_JA)
