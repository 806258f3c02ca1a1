"""Integrity of issued reports: what a report was made from, and whether that still holds.

Every report carries an integrity block: the SHA-256 of the manifest, of each evidence file it
lists, of the other files that sat in the evidence folder, of the policy and of each controls
file, and the state of the action register the run read from the history database (a digest of
its rows, not of the database file, which changes with every import). `verify` compares a block
with an evidence folder as it is now and lists each file changed, added or removed since. Nothing
here writes; files are only read, and only regular files.

The block is not authenticated: whoever can edit the evidence can edit the report and its block.
A SHA256SUMS written beside the reports (auditor.checksums) and kept apart makes them checkable.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import unicodedata
from pathlib import Path

from .. import checksums, defaults, jsonproblems
from ..checksums import digest
from ..privacy import mynumber
from . import kinds
from ..errors import InputError, os_reason

ALGORITHM = "sha256"
MANIFEST = "manifest.yaml"
_NOISE = ("Thumbs.db", "desktop.ini")  # written by file browsers, never evidence


def _key(path: str) -> str:
    """Paths compare as POSIX, NFC (macOS writes NFD names) and masked (reports mask My Numbers); a name
    that is not UTF-8 shows those bytes as %NN (auditor/filenames.py), so that a key read back from a report
    stays the same key."""
    return mynumber.mask_name(posixpath.normpath(unicodedata.normalize("NFC", str(path)).replace("\\", "/")))


path_key = _key  # the form in which blocks and folder_files name a path


def folder_files(root, known: dict | None = None, twins: dict | None = None) -> dict:
    """Relative path -> SHA-256 of every regular file under root (hidden files and symlinks skipped).

    `known`: digests already taken (evidence files hashed while reading), not read again.
    `twins`: filled with key -> number of files for every key that several names map to (an NFD twin,
    `a\\b` beside `a/b`, names differing in a masked number): which one a report meant cannot be told.
    """
    root = Path(root)
    out = {}
    twins = {} if twins is None else twins
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
        for name in sorted(names):
            full = Path(folder) / name
            if name.startswith(".") or name in _NOISE or full.is_symlink():
                continue
            key = _key(full.relative_to(root).as_posix())
            sha = (known or {}).get(key) if key not in out else None
            sha = sha or digest(full)
            if sha is None:
                continue
            if key in out:  # a second name for one key: never keep one of them silently
                twins[key] = twins.get(key, 1) + 1
            out[key] = sha
    return out


def _group(files: dict) -> str:
    """One digest over the names and contents of files whose names a report does not show."""
    text = "".join(f"{path}\0{sha}\n" for path, sha in sorted(files.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def block(run) -> dict:
    """The integrity block of an audit run (a plain dict for every report format)."""
    ev = run.evidence
    cycle = getattr(run, "cycle", None)
    fed = cycle.db_file if cycle is not None and cycle.register_fed else None
    files = [f for f in ev.files if fed is None or f.path != fed]  # the register is no file of the folder
    listed = {_key(f.path): f.sha256 for f in files}
    present = folder_files(ev.root, listed)
    controls, shipped = sorted({c.path for c in run.controls}), defaults.shipped_controls().resolve()
    shown = lambda p: mynumber.mask_name(f"{Path(p).parent.name}/{Path(p).name}")  # noqa: E731
    town = [{"path": shown(k.path), "sha256": k.sha256} for k in kinds.town()]
    return {
        "algorithm": ALGORITHM,
        "evidence_root": mynumber.mask_name(Path(ev.root).name),
        "evidence_path": _key(str(ev.root)),  # as given: `verify` without --evidence looks there
        "register": getattr(cycle, "register_state", None),
        "manifest": {"path": MANIFEST, "sha256": digest(ev.manifest)},
        "evidence": [{"path": _key(f.path), "sha256": f.sha256} for f in files],
        "unlisted": [{"path": p, "sha256": s} for p, s in sorted(present.items()) if p not in listed and p != MANIFEST],
        "policy": {"path": mynumber.mask_name(Path(run.policy.path).name), "sha256": run.policy.sha256},
        "controls": [{"path": shown(p), "sha256": digest(p),
                      **({"shipped": True} if Path(p).resolve().parent == shipped else {})} for p in controls],
        **({"kinds": town} if town else {}),  # the town's own kind files the run read its evidence with
    }


def withhold(block: dict, shown) -> dict:
    """The block for a department's report: files whose names it may not see (every unlisted file, and
    evidence files for which shown(path) is false) are recorded as one digest over their names and
    contents, so that the report still verifies and names none of them."""
    hidden = {e["path"]: e["sha256"] for e in block["evidence"] if not shown(e["path"])}
    hidden.update((e["path"], e["sha256"]) for e in block["unlisted"])
    return dict(block, evidence=[e for e in block["evidence"] if e["path"] not in hidden], unlisted=[],
                withheld={"files": len(hidden), "sha256": _group(hidden)})


def load_report(path) -> dict:
    """The integrity block of a report file: report.json, `check --format json` output, or HTML."""
    import json  # here and below: the result cache lists folders on every served run, and needs neither

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the report: {exc.strerror or exc}",
                         ja=f"報告書を読めません（{os_reason(exc, 'ja')}）") from None
    text = raw.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        text = _embedded(text, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not a JSON report: {exc.msg}", line=exc.lineno,
                         hint="give the report.json of `auditor report`, or `auditor check --format json` output",
                         ja=f"JSON の報告書ではありません（{jsonproblems.japanese(exc.msg)}）",
                         hint_ja="`auditor report` の report.json か、`auditor check --format json` の出力を指定してください") from None
    block = doc.get("integrity") if isinstance(doc, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("evidence"), list):
        raise InputError(path, "the report holds no integrity block",
                         hint="reports made by this version of auditor record one; make the report again",
                         ja="報告書に integrity（完全性）のブロックがありません",
                         hint_ja="この版の auditor が作る報告書には記録されます。報告書を作り直してください")
    return block


_MARK = '<pre hidden id="auditor-integrity">'  # no script in our pages: inert, escaped text


def html_element(block: dict) -> str:
    """The block as a hidden element for an HTML page (verify reads it back)."""
    import html
    import json

    return _MARK + html.escape(json.dumps({"integrity": block}, ensure_ascii=False, sort_keys=True)) + "</pre>\n"


def _embedded(text: str, path) -> str:
    import html

    start = text.find(_MARK)
    end = text.find("</pre>", start)
    if start < 0 or end < 0:
        raise InputError(path, "this HTML page holds no integrity block", hint="give the report.json beside it",
                         ja="この HTML ページに integrity（完全性）のブロックがありません",
                         hint_ja="隣にある report.json を指定してください")
    return html.unescape(text[start + len(_MARK):end])


def evidence_folder(block: dict, report) -> Path:
    """The folder the report was made from: as the run was given it, else evidence/<its name> here.

    Never the newest folder: a FY2024 report compared with FY2025 evidence says nothing.
    """
    name = block.get("evidence_root")
    for candidate in (block.get("evidence_path"), name and str(Path("evidence") / name)):
        if candidate and (Path(candidate) / MANIFEST).is_file():
            return Path(candidate)
    raise InputError(report, f"the report was made from the evidence folder {name or '(not recorded)'!r}, "
                     "which is not here", hint="run verify where the report was made, or give the folder: --evidence DIR",
                     ja=f"報告書を作った証跡フォルダ（{name or '記録なし'}）がここに見つかりません",
                     hint_ja="報告書を作った場所で verify を実行するか、--evidence DIR でフォルダを指定してください")


def _outside(path: str) -> bool:
    """A recorded path out of the evidence folder: only the history database was ever recorded so."""
    return path == ".." or path.startswith(("../", "/")) or (len(path) > 2 and path[1:3] == ":/")


def verify(block: dict, evidence_dir, policy=None, control_dirs=(), kind_dirs=()) -> dict:
    """Compare a report's integrity block with files as they are now.

    Returns {"matches", "changed", "added", "removed", "ambiguous", "unchanged", "not_compared",
    "register"}; each list holds {"path", "what"} with what = manifest, evidence, unlisted, policy,
    controls, kinds (a town's own kind files: of kind_dirs and the kinds/ folder beside each controls folder),
    or withheld (the files a department's report names not, as one digest: path None).
    "ambiguous": keys that several files map to, {"path", "what", "files"}: always a mismatch.
    "not_compared": {"policy": not given, "controls"/"kinds": recorded folders not given}. "register": the
    register state the run read (not compared: it changes with every import), or None.
    """
    root = Path(evidence_dir)
    if not root.is_dir():
        raise InputError(root, "evidence folder not found", hint="give --evidence the folder that holds manifest.yaml",
                         ja="証跡のフォルダがありません", hint_ja="--evidence には manifest.yaml のあるフォルダを指定してください")
    then = {MANIFEST: ("manifest", (block.get("manifest") or {}).get("sha256"))}
    register = block.get("register")
    for what in ("evidence", "unlisted"):
        for item in block.get(what) or []:
            path = _key(item["path"])
            if what == "evidence" and _outside(path):  # a report of an earlier version: the database as a file
                register = register or {"source": "history database", "path": path, "sha256": item.get("sha256")}
                continue
            then[path] = (what, item.get("sha256"))
    twins: dict = {}
    now = folder_files(root, twins=twins)
    out = {"changed": [], "added": [], "removed": [], "ambiguous": [], "unchanged": 0}
    for path, (what, sha) in sorted(then.items()):
        if path in twins:
            continue
        if path not in now:
            out["removed"].append({"path": path, "what": what})
        elif sha != now[path]:
            out["changed"].append({"path": path, "what": what})
        else:
            out["unchanged"] += 1
    out["ambiguous"] = [{"path": p, "what": then.get(p, ("unlisted",))[0], "files": n}
                        for p, n in sorted(twins.items())]
    rest = {p: s for p, s in now.items() if p not in then and p not in twins}
    withheld = block.get("withheld")
    if withheld is None:
        out["added"] = [{"path": p, "what": "unlisted"} for p in sorted(rest)]
    elif _group(rest) != withheld.get("sha256"):  # a department's report: only the digest of these is known
        out["changed"].append({"path": None, "what": "withheld", "files_then": withheld.get("files"),
                               "files_now": len(rest)})
    else:
        out["unchanged"] += len(rest)
    if policy is not None:
        _compare(out, "policy", Path(policy).name, (block.get("policy") or {}).get("sha256"), digest(policy))
    town_left, shipped_left = _compare_controls(out, block, control_dirs)
    kinds_given = _compare_kinds(out, block, control_dirs, kind_dirs)
    out["not_compared"] = {"policy": policy is None, "controls": town_left, "shipped_controls": shipped_left,
                           "kinds": sorted({Path(k["path"]).parent.name for k in block.get("kinds") or []} - kinds_given)}
    out["matches"] = not (out["changed"] or out["added"] or out["removed"] or out["ambiguous"])
    out["register"] = register
    return out


def _compare_controls(out: dict, block: dict, control_dirs) -> tuple[list, bool]:
    """Each --controls folder against the recorded files of its folder name: a town's own (a town folder may
    be named controls too) or else the shipped ones (a copy of the shipped folder); -> (the town folders
    not compared, whether the shipped files were not). A block of an earlier version marks none shipped."""
    recorded, compared = block.get("controls") or [], set()
    for folder in map(Path, control_dirs):
        if not folder.is_dir():
            raise InputError(folder, "controls folder not found", hint="--controls takes a folder of *.yaml files",
                             ja="管理策のフォルダがありません", hint_ja="--controls には *.yaml のファイルがあるフォルダを指定します")
        name = folder.resolve().name
        mine = [i for i, c in enumerate(recorded) if Path(c["path"]).parent.name == name]
        mine = [i for i in mine if not recorded[i].get("shipped")] or mine
        compared.update(mine)
        then = {Path(recorded[i]["path"]).name: recorded[i].get("sha256") for i in mine}
        current = {p.name: digest(p) for p in folder.iterdir() if p.suffix in (".yaml", ".yml")}
        for file in sorted(set(then) | set(current)):
            _compare(out, "controls", f"{name}/{file}", then.get(file), current.get(file))
    left = [c for i, c in enumerate(recorded) if i not in compared]
    return (sorted({Path(c["path"]).parent.name for c in left if not c.get("shipped")}),
            any(c.get("shipped") for c in left))


def _compare_kinds(out: dict, block: dict, control_dirs, kind_dirs) -> set:
    """Compare the town kind files recorded with those of kind_dirs and of the kinds/ folder beside each
    controls folder (as a run finds them); -> the names of the folders compared."""
    from .townkinds import SUFFIXES

    folders = [Path(d) for d in kind_dirs] + [Path(d).parent / "kinds" for d in control_dirs
                                              if (Path(d).parent / "kinds").is_dir()]
    compared = set()
    for folder in folders:
        if not folder.is_dir():
            raise InputError(folder, "kinds folder not found", hint="--kinds takes the folder of the town's kind files",
                             ja="証跡種別のフォルダがありません", hint_ja="--kinds には町の種別ファイルのフォルダを指定します")
        name = folder.resolve().name
        if name in compared:
            continue
        compared.add(name)
        recorded = {Path(k["path"]).name: k.get("sha256") for k in block.get("kinds") or []
                    if Path(k["path"]).parent.name == name}
        current = {p.name: digest(p) for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file()}
        for file in sorted(set(recorded) | set(current)):
            _compare(out, "kinds", f"{name}/{file}", recorded.get(file), current.get(file))
    return compared


def _compare(out: dict, what: str, path: str, then, now) -> None:
    state = "added" if then is None else "removed" if now is None else "changed" if then != now else None
    if state:
        out[state].append({"path": path, "what": what})
    else:
        out["unchanged"] += 1


def verify_report(report, evidence_dir=None, policy=None, control_dirs=(), sums=None, kind_dirs=()) -> dict:
    """`auditor verify`: the report's block against the files now, and (sums) the report against a
    SHA256SUMS kept apart. Without evidence_dir, the folder the report records (evidence_folder)."""

    block = load_report(report)
    folder = Path(evidence_dir) if evidence_dir else evidence_folder(block, report)
    result = verify(block, folder, policy, control_dirs, kind_dirs)
    result["evidence_folder"] = str(folder)
    result["recorded_root"] = block.get("evidence_root")
    result["report"] = checksums.check(report, sums) if sums else None
    # only a SHA256SUMS kept apart from the evidence vouches for the block; the block cannot vouch for itself
    result["authenticated"] = bool(result["report"] and result["report"]["matches"])
    if result["report"] and not result["report"]["matches"]:
        result["matches"] = False
    return result
