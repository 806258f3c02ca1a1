"""The approval block (決裁欄) the reports carry, and the reports of a run issued again with it.

The block is one part of the report document, `doc["approval"]`: the steps of the sign-off in the
policy's order, each with its role, name, date and the SHA-256 of the organisation's report.json
that step signed (None for a step not signed yet). Every format renders it from the document: the
Word file fills its 決裁欄, the HTML (and so the PDF) and Markdown reports show it under the cover,
report.json holds it as it is. A report without sign-off has no block (Word leaves its 決裁欄 blank).

After a signature, `reissue` reads each report.json of the set (the document every format was
rendered from, byte for byte), adds the block and renders again the formats found beside it; the
findings lists (CSV, Excel) carry no block and stay as they are. The CLI swaps the files in as one set
(auditor/fsio.FolderSet).
"""
from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from .. import checksums, fiscal
from ..errors import InputError
from ..privacy import mynumber
from .labels import labels

REPORT_JSON = "report.json"
# the files a report set holds (auditor/reporters/report.py writes them), by name
_SET = re.compile(r"^(report\.json|report\.(ja|en)\.(html|md|pdf|docx)|(findings|actions)\.(ja|en)\.(csv|xlsx)|"
                  r"index\.html|SHA256SUMS)$")
_RENDERED = re.compile(r"^report\.(ja|en)\.(html|md|pdf|docx)$")  # the formats that show the block
_FORMAT = {"html": "html", "md": "md", "pdf": "pdf", "docx": "docx"}


def block(sigs: list[dict], rules, run_id: int | None) -> dict:
    """The document's approval part: one entry per step of rules.order, signed or not."""
    by_step = {s["step"]: s for s in sigs}
    steps = []
    for step in rules.order:
        s = by_step.get(step)
        org = next((f for f in (s or {}).get("files") or [] if f["path"] == REPORT_JSON), None)
        steps.append({"step": step, "role": s and s["role"], "name": s and mynumber.mask(s["name"]),
                      "on": s and s["approved_on"], "recorded_at": s and s.get("recorded_at"),
                      "report_sha256": org and org["approved_sha256"]})
    return {"run_id": run_id, "self_approval": rules.self_approval, "steps": steps,
            "complete": all(s["name"] for s in steps)}


def view(doc: dict, lang: str) -> dict | None:
    """What the HTML, Markdown and Word 決裁欄 print: column heads, then 職・氏名・日付 rows."""
    a = doc.get("approval")
    if not a:
        return None
    o = labels()["office"][lang]["approval"]
    roles = o.get("roles", {})
    steps = a["steps"]
    return {"title": o["title"], "columns": [o[s["step"]] for s in steps],
            "rows": [(o["role"], [roles.get(s["role"], s["role"]) if s["role"] else "" for s in steps]),
                     (o["name"], [s["name"] or "" for s in steps]),
                     (o["date"], [_date(s["on"], lang) for s in steps])],
            "complete": a["complete"], "status": o["complete" if a["complete"] else "partial"]}


def _date(iso, lang: str) -> str:
    if not iso:
        return ""
    import datetime as dt

    day = dt.date.fromisoformat(iso)
    return fiscal.wareki(day) if lang == "ja" else fiscal.label(day, "en")


# ---- the report set in a folder ----

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
                              "their report.json, so write it with `auditor report --format ...,json`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a report.json of auditor ({exc})") from None
    if not isinstance(doc, dict) or "cover" not in doc or "integrity" not in doc:
        raise InputError(path, "not a report.json of auditor report (no cover or integrity block)")
    return doc


def reissue(out, approval: dict) -> dict:
    """Relative path -> new bytes of every report of OUT's set that shows the block, rendered again from
    its report.json with `approval`; and SHA256SUMS again when the set has one."""
    from . import report

    out = Path(out)
    files = set_files(out)
    opts = report.Options()
    new = {}
    for rel in sorted(f for f in files if PurePosixPath(f).name == REPORT_JSON):
        folder = PurePosixPath(rel).parent
        doc = json.loads((out / rel).read_text(encoding="utf-8"))
        doc["approval"] = approval
        shown = [PurePosixPath(f).name for f in files if PurePosixPath(f).parent == folder
                 and _RENDERED.match(PurePosixPath(f).name)]
        wanted = [("report-json", "ja")] + [(_FORMAT[n.split(".")[2]], n.split(".")[1]) for n in sorted(shown)]
        for fmt, lang in wanted:
            module = report.get_module(report.FORMATS.get(fmt, fmt))
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
    import hashlib

    digests = {}
    for name in listed:
        data = new.get(name)
        digests[name] = hashlib.sha256(data).hexdigest() if data is not None else files.get(name) or listed[name]
    return "".join(checksums.line(sha, name) + "\n" for name, sha in sorted(digests.items())).encode("utf-8")
