"""SHA256SUMS: a detached list of the reports' digests, in the format `sha256sum -c` checks.

A report's integrity block is not authenticated: whoever can edit the evidence can edit the report
too. Written when the reports are issued (`auditor report --sums`) and kept, or signed, where the
evidence editors cannot change it, this file makes the reports and their blocks checkable: with
`sha256sum -c SHA256SUMS` in the reports folder, or `auditor verify REPORT --sums FILE`.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import time
import unicodedata
from pathlib import Path

from . import fsio
from .errors import InputError, os_reason

NAME = "SHA256SUMS"
# GNU coreutils: "<hex>  <name>" (or " *" for binary mode); a leading backslash marks an escaped name
_LINE = re.compile(r"(\\?)([0-9a-fA-F]{64}) [ *](.+)")
_CHUNK = 1 << 20
HINT = "give the SHA256SUMS written with the reports (auditor report --sums)"
HINT_JA = "報告書と一緒に書き出した SHA256SUMS を指定してください（auditor report --sums）"

TEXT = {
    "ja": "{path} を作成しました（SHA-256 {sha}）。証跡を編集できる者が変更できない場所に保管するか署名し、"
          "`sha256sum -c {name}` または `auditor verify 報告書 --sums {name}` で確認してください",
    "en": "wrote {path} (SHA-256 {sha}); keep it, or its signature, where those who can edit the evidence "
          "cannot change it, and check with `sha256sum -c {name}` or `auditor verify REPORT --sums {name}`",
}


_SEEN: dict = {}  # (device, inode, size, mtime, ctime) -> SHA-256, within this process only
_SETTLED_NS = 2_000_000_000  # a file changed less than 2 s before it was hashed is hashed again next time


def digest(path) -> str | None:
    """SHA-256 of a regular file, read in chunks; None for anything else (device, folder, missing).

    One run hashes some files up to three times (the stored-result key, the integrity block, the check
    that nothing changed during the run): a file whose status is as it was is not read again, unless it
    had changed just before (a write within the file system's time stamp step would not show)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None  # a FIFO or device in the folder must not hang or flood us
        seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if seen in _SEEN:
            return _SEEN[seen]
        h = hashlib.sha256()
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > _SETTLED_NS:
        _SEEN[seen] = h.hexdigest()
    return h.hexdigest()


def _line(sha: str, name: str) -> str:
    if "\\" in name or "\n" in name or "\r" in name:  # escaped as sha256sum escapes them
        return "\\" + sha + "  " + name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return f"{sha}  {name}"


line = _line  # one line of SHA256SUMS as sha256sum writes it (a report set issued again writes its own)


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), name)


def write(out, paths) -> tuple[Path, str]:
    """OUT/SHA256SUMS over these files (as written: read back), names relative to OUT; (path, its SHA-256)."""
    out = Path(out)
    entries = {}
    for p in paths:
        entries[Path(p).relative_to(out).as_posix()] = digest(p)  # the name as on disk, for sha256sum
    text = "".join(_line(sha, name) + "\n" for name, sha in sorted(entries.items()) if sha)
    target = out / NAME
    try:
        fsio.write_atomic(target, text)
    except OSError as exc:
        raise InputError(target, f"cannot write the checksums: {exc.strerror or exc}",
                         ja=f"チェックサムを書き込めません（{os_reason(exc, 'ja')}）") from None
    return target, hashlib.sha256(text.encode("utf-8")).hexdigest()


def read(path) -> dict:
    """name -> SHA-256 of a SHA256SUMS file; a line that is not one is an InputError naming it."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(path, f"cannot read the checksums: {exc.strerror or exc}", hint=HINT,
                         ja=f"チェックサムを読めません（{os_reason(exc, 'ja')}）", hint_ja=HINT_JA) from None
    except UnicodeDecodeError:
        raise InputError(path, "the checksums file is not UTF-8 text", hint=HINT,
                         ja="チェックサムのファイルが UTF-8 のテキストではありません", hint_ja=HINT_JA) from None
    listed = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.fullmatch(line)
        if not m:
            raise InputError(path, "not a SHA256SUMS line (expected: 64 hex digits, two spaces, a file name)",
                             line=n, hint=HINT, hint_ja=HINT_JA,
                             ja="SHA256SUMS の行ではありません（16進数64桁、空白二つ、ファイル名の順に書きます）")
        name = _unescape(m.group(3)) if m.group(1) else m.group(3)
        listed[unicodedata.normalize("NFC", name.removeprefix("./"))] = m.group(2).lower()
    return listed


def check(report, sums) -> dict:
    """Whether the report file is, byte for byte, the one SHA256SUMS lists."""
    report, sums = Path(report), Path(sums)
    listed = read(sums)
    rel = unicodedata.normalize("NFC", Path(os.path.relpath(report.resolve(), sums.resolve().parent)).as_posix())
    if rel not in listed:
        raise InputError(sums, f"{rel} is not listed in it", hint=HINT, ja=f"{rel} が載っていません", hint_ja=HINT_JA)
    return {"sums_file": str(sums), "listed_as": rel, "matches": digest(report) == listed[rel]}
