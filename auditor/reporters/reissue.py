"""A signed run's reports issued again with their approval block (auditor/reporters/approval.py).

`reissue` reads each report.json of the set in OUT (the document every format was rendered from: rendering
it again gives the same bytes), adds the block and renders again the formats found beside it; the findings
lists (CSV, Excel) carry no block and stay as they are. The CLI swaps the files in as one set
(auditor/fsio.FolderSet). Nothing here writes.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath

from .. import checksums, jsonproblems
from ..errors import InputError, os_reason
from . import report
from .approval import REPORT_JSON

# the files a report set holds (auditor/reporters/report.py writes them), by name
_SET = re.compile(r"^(report\.json|report\.(ja|en)\.(html|md|pdf|docx)|(findings|actions)\.(ja|en)\.(csv|xlsx)|"
                  r"index\.html|SHA256SUMS)$")
_RENDERED = re.compile(r"^report\.(ja|en)\.(html|md|pdf|docx)$")  # the formats that show the block


def set_files(out) -> dict:
    """Relative path -> SHA-256 of each file of the report set in OUT (and OUT/departments/*)."""
    out = Path(out)
    found = {}
    folders = [out] + sorted(p for p in (out / "departments").glob("*") if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if _SET.match(path.name) and path.is_file() and not path.is_symlink():
                found[path.relative_to(out).as_posix()] = checksums.digest(path)
    return found


def hashes(out, names) -> dict:
    """Relative path -> SHA-256 (None: missing) of the named files of OUT."""
    return {n: checksums.digest(Path(out) / n) for n in names}


def organisation_document(out) -> dict:
    path = Path(out) / REPORT_JSON
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(path, f"cannot read the report: {exc.strerror or exc}",
                         hint="give the folder of the reports with --out; approval issues them again from "
                              "their report.json, so write it with `auditor report --format ...,json`",
                         ja=f"報告書を読めません（{os_reason(exc, 'ja')}）",
                         hint_ja="--out に報告書のフォルダを指定してください。決裁では report.json から報告書を発行し直すため、"
                                 "auditor report --format ...,json で書き出しておきます") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not a report.json of auditor ({exc.msg})", line=exc.lineno,
                         ja=f"auditor の report.json ではありません（{jsonproblems.japanese(exc.msg)}）") from None
    except UnicodeDecodeError:
        raise InputError(path, "not a report.json of auditor (not UTF-8)",
                         ja="auditor の report.json ではありません（UTF-8 の文字として読めません）") from None
    if not isinstance(doc, dict) or "cover" not in doc or "integrity" not in doc:
        raise InputError(path, "not a report.json of auditor report (no cover or integrity block)",
                         ja="auditor report の report.json ではありません（表紙または完全性の情報がありません）")
    return doc


def same_issue(out, files: dict) -> dict:
    """The files of `files` (set_files) in folders whose report.json is of the same issue as OUT's own (fiscal
    year, date of issue, policy): a department folder left from another issue is not the run's."""
    out = Path(out)

    def key(rel):
        doc = json.loads((out / rel).read_text(encoding="utf-8"))
        return (doc["cover"].get("fiscal_year"), doc["cover"].get("issued_on"),
                ((doc.get("integrity") or {}).get("policy") or {}).get("sha256"))

    mine = key(REPORT_JSON)
    foreign = set()
    for rel in files:
        path = PurePosixPath(rel)
        if path.name == REPORT_JSON and str(path.parent) != ".":
            try:
                if key(rel) != mine:
                    foreign.add(path.parent)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                foreign.add(path.parent)
    return {rel: sha for rel, sha in files.items() if PurePosixPath(rel).parent not in foreign}


def reissue(out, approval: dict, files: dict) -> dict:
    """Relative path -> new bytes of every report of the set (`files`: relative path -> SHA-256) that shows
    the block, rendered again from its report.json with `approval`; and SHA256SUMS again when the set has one."""
    out = Path(out)
    opts = report.Options()
    new = {}
    for rel in sorted(f for f in files if PurePosixPath(f).name == REPORT_JSON):
        folder = PurePosixPath(rel).parent
        doc = json.loads((out / rel).read_text(encoding="utf-8"))
        doc["approval"] = approval
        shown = [PurePosixPath(f).name for f in files if PurePosixPath(f).parent == folder
                 and _RENDERED.match(PurePosixPath(f).name)]
        wanted = [("json", "ja")] + [(n.split(".")[2], n.split(".")[1]) for n in sorted(shown)]
        for fmt, lang in wanted:
            module = report.get_module(report.FORMATS[fmt])
            check = getattr(module, "check_available", None)
            if check:
                check()
            for name, data, *_ in module.files(doc, lang, opts):
                new[(folder / name).as_posix()] = data
    if "SHA256SUMS" in files:
        new["SHA256SUMS"] = _sums(out, files, new)
    return new


def _sums(out, files: dict, new: dict) -> bytes:
    listed = checksums.read(Path(out) / "SHA256SUMS")
    digests = {}
    for name in listed:
        data = new.get(name)
        digests[name] = hashlib.sha256(data).hexdigest() if data is not None else files.get(name) or listed[name]
    return "".join(checksums.line(sha, name) + "\n" for name, sha in sorted(digests.items())).encode("utf-8")
