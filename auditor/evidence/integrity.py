"""Integrity of issued reports: what a report was made from, and whether that still holds.

Every report carries an integrity block: the SHA-256 of the manifest, of each evidence file it
lists, of the other files that sat in the evidence folder, of the policy and of each controls
file. `verify` compares a block with an evidence folder as it is now and lists each file changed,
added or removed since. Nothing here writes; files are only read, and only regular files.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import unicodedata
from pathlib import Path

from ..privacy import mynumber
from ..errors import InputError

ALGORITHM = "sha256"
MANIFEST = "manifest.yaml"
_NOISE = ("Thumbs.db", "desktop.ini")  # written by file browsers, never evidence
_CHUNK = 1 << 20


def _key(path: str) -> str:
    """Paths compare as POSIX, NFC (macOS writes NFD names) and masked (reports mask My Numbers)."""
    return mynumber.mask(posixpath.normpath(unicodedata.normalize("NFC", str(path)).replace("\\", "/")))


path_key = _key  # the form in which blocks and folder_files name a path


def digest(path) -> str | None:
    """SHA-256 of a regular file, read in chunks; None for anything else (device, folder, missing)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None  # a FIFO or device in the folder must not hang or flood us
        h = hashlib.sha256()
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def folder_files(root, known: dict | None = None) -> dict:
    """Relative path -> SHA-256 of every regular file under root (hidden files and symlinks skipped).

    `known`: digests already taken (evidence files hashed while reading), not read again.
    """
    root = Path(root)
    out = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
        for name in sorted(names):
            full = Path(folder) / name
            if name.startswith(".") or name in _NOISE or full.is_symlink():
                continue
            key = _key(full.relative_to(root).as_posix())
            sha = (known or {}).get(key) or digest(full)
            if sha is not None:
                out[key] = sha
    return out


def block(run) -> dict:
    """The integrity block of an audit run (a plain dict for every report format)."""
    ev = run.evidence
    listed = {_key(f.path): f.sha256 for f in ev.files}
    present = folder_files(ev.root, listed)
    controls = sorted({c.path for c in run.controls})
    return {
        "algorithm": ALGORITHM,
        "evidence_root": Path(ev.root).name,
        "manifest": {"path": MANIFEST, "sha256": digest(ev.manifest)},
        "evidence": [{"path": _key(f.path), "sha256": f.sha256} for f in ev.files],
        "unlisted": [{"path": p, "sha256": s} for p, s in sorted(present.items()) if p not in listed and p != MANIFEST],
        "policy": {"path": Path(run.policy.path).name, "sha256": run.policy.sha256},
        "controls": [{"path": f"{Path(p).parent.name}/{Path(p).name}", "sha256": digest(p)} for p in controls],
    }


def load_report(path) -> dict:
    """The integrity block of a report file: report.json, `check --format json` output, or HTML."""
    import json  # here and below: the result cache lists folders on every served run, and needs neither

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the report: {exc.strerror or exc}") from None
    text = raw.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        text = _embedded(text, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not a JSON report: {exc.msg}", line=exc.lineno,
                         hint="give the report.json of `auditor report`, or `auditor check --format json` output") from None
    block = doc.get("integrity") if isinstance(doc, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("evidence"), list):
        raise InputError(path, "the report holds no integrity block",
                         hint="reports made by this version of auditor record one; make the report again")
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
        raise InputError(path, "this HTML page holds no integrity block", hint="give the report.json beside it")
    return html.unescape(text[start + len(_MARK):end])


def verify(block: dict, evidence_dir, policy=None, control_dirs=()) -> dict:
    """Compare a report's integrity block with files as they are now.

    Returns {"matches", "changed", "added", "removed", "unchanged"}; each list holds
    {"path", "what"} with what = manifest, evidence, unlisted, policy or controls.
    """
    root = Path(evidence_dir)
    if not root.is_dir():
        raise InputError(root, "evidence folder not found", hint="give --evidence the folder that holds manifest.yaml")
    then = {MANIFEST: ("manifest", (block.get("manifest") or {}).get("sha256"))}
    for what in ("evidence", "unlisted"):
        for item in block.get(what) or []:
            then[_key(item["path"])] = (what, item.get("sha256"))
    now = folder_files(root)
    out = {"changed": [], "added": [], "removed": [], "unchanged": 0}
    for path, (what, sha) in sorted(then.items()):
        if path not in now:
            out["removed"].append({"path": path, "what": what})
        elif sha != now[path]:
            out["changed"].append({"path": path, "what": what})
        else:
            out["unchanged"] += 1
    out["added"] = [{"path": p, "what": "unlisted"} for p in sorted(now) if p not in then]
    if policy is not None:
        _compare(out, "policy", Path(policy).name, (block.get("policy") or {}).get("sha256"), digest(policy))
    for folder in control_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(folder, "controls folder not found", hint="--controls takes a folder of *.yaml files")
        recorded = {Path(c["path"]).name: c.get("sha256") for c in block.get("controls") or []
                    if Path(c["path"]).parent.name == folder.resolve().name}
        current = {p.name: digest(p) for p in folder.iterdir() if p.suffix in (".yaml", ".yml")}
        for name in sorted(set(recorded) | set(current)):
            _compare(out, "controls", f"{folder.resolve().name}/{name}", recorded.get(name), current.get(name))
    out["matches"] = not (out["changed"] or out["added"] or out["removed"])
    return out


def _compare(out: dict, what: str, path: str, then, now) -> None:
    state = "added" if then is None else "removed" if now is None else "changed" if then != now else None
    if state:
        out[state].append({"path": path, "what": what})
    else:
        out["unchanged"] += 1


TEXT = {
    "ja": {"match": "一致: 証跡は報告書の作成時から変わっていません（{n} ファイル）",
           "mismatch": "不一致: 報告書の作成後に変わったファイルがあります（変更 {changed}・追加 {added}・削除 {removed}）",
           "changed": "変更", "added": "追加", "removed": "削除",
           "what": {"manifest": "マニフェスト", "evidence": "証跡", "unlisted": "マニフェスト外のファイル",
                    "policy": "ポリシー", "controls": "管理策"}},
    "en": {"match": "MATCH: the evidence is unchanged since the report was made ({n} files)",
           "mismatch": "MISMATCH: files changed since the report was made ({changed} changed, {added} added, "
                       "{removed} removed)",
           "changed": "changed", "added": "added", "removed": "removed",
           "what": {"manifest": "manifest", "evidence": "evidence", "unlisted": "not in the manifest",
                    "policy": "policy", "controls": "controls"}},
}


def render(result: dict, lang: str = "ja") -> str:
    """The outcome of `verify` for people: a verdict line, then one line per differing file."""
    t = TEXT[lang]
    if result["matches"]:
        return t["match"].format(n=result["unchanged"]) + "\n"
    counts = {k: len(result[k]) for k in ("changed", "added", "removed")}
    lines = [t["mismatch"].format(**counts)]
    for state in ("changed", "added", "removed"):
        lines += [f"  {t[state]:<8} {item['path']}  ({t['what'][item['what']]})" for item in result[state]]
    return "\n".join(lines) + "\n"
