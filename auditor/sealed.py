"""Cache entries sealed with a secret: an entry is used only when the secret of this user (or of this CI)
signed it, under the name it is stored under.

A cache folder may come from anywhere: a CI cache is restored from storage that every job of the project
can write, and a folder can be copied from another machine. So each entry carries an HMAC-SHA256 over its
name and its bytes, made with a secret that lives outside the cache folder (the CLI finds or creates it:
auditor/cli/cachekey.py). An entry that is not signed so (forged, damaged, renamed, made with another
secret) reads as absent. Without a secret there is no cache at all. Nothing here reads the environment.

`runtime()` names the interpreter and the installed distributions, for the keys of entries whose content
depends on them (marshal's format, libyaml, openpyxl, jsonschema, orjson).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import marshal
import os
import sys
import tempfile
from pathlib import Path

from . import cachebounds, defaults

MIN_SECRET = 16  # bytes; shorter secrets could be guessed
_MAC = 32  # bytes of HMAC-SHA256 in front of each entry
_DOMAIN = b"municipal-auditor cache entry v1\0"


class Store:
    """One cache folder and the secret its entries are signed with."""

    __slots__ = ("folder", "_secret")

    def __init__(self, folder, secret: bytes):
        if len(secret) < MIN_SECRET:
            raise ValueError("cache secret too short")
        self.folder, self._secret = Path(folder), bytes(secret)

    def __repr__(self) -> str:  # never shows the secret
        return f"Store({str(self.folder)!r})"

    def _mac(self, name: str, payload: bytes) -> bytes:
        return hmac.digest(self._secret, _DOMAIN + name.encode() + b"\0" + payload, "sha256")

    def load(self, name: str) -> bytes | None:
        """The bytes stored under name, or None when absent or not signed by this secret under this name."""
        try:
            blob = (self.folder / name).read_bytes()
        except (OSError, ValueError):
            return None
        mac, payload = blob[:_MAC], blob[_MAC:]
        return payload if len(mac) == _MAC and hmac.compare_digest(self._mac(name, payload), mac) else None

    def store(self, name: str, payload: bytes) -> None:
        """Write one entry atomically, then prune its kind (cachebounds.py); a folder that cannot be
        written only means no cache."""
        tmp = None
        try:
            defaults.make_folder(self.folder)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._mac(name, payload) + payload)
            os.replace(tmp, self.folder / name)
        except OSError:  # a full disk or a read-only folder only means no cache
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            return
        cachebounds.prune(self.folder, name)  # the entries of this kind stay within their size and age

    def entries(self, prefix: str) -> list[Path]:
        """The files whose names start with prefix (signed or not: for pruning and quick checks)."""
        try:
            return [p for p in self.folder.iterdir() if p.name.startswith(prefix)]
        except OSError:
            return []


def beside(policy_path, secret: bytes | None) -> Store | None:
    """The cache folder beside a real policy file (never beside /dev/zero), signed with secret; None
    without a secret. Deleting the folder is always safe."""
    if not secret or not Path(policy_path).is_file():
        return None
    return Store(defaults.state_dir(policy_path) / "cache", secret)


def runtime() -> str:
    """The interpreter, marshal's format and every distribution installed where Python imports from.

    Derived, not listed: installing, upgrading or removing any package (libyaml, openpyxl, jsonschema...)
    changes it, so an entry made with other libraries is never used.
    """
    text = "\0".join([sys.version, sys.implementation.cache_tag or "", str(marshal.version), *_distributions()])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@functools.lru_cache(maxsize=1)
def _distributions() -> tuple:
    """The *.dist-info and *.egg-info names (name and version) of every import folder: one listing each."""
    dists = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file or a missing folder
            continue
        dists += sorted(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return tuple(dists)


_DIGEST: list = []  # the package's digest, once per process
_SETTLED = 2.0  # seconds a file must have been left alone before its status stands for its bytes


def package_digest(memo: Store | None = None) -> str:
    """A digest of every file of the package (once per process): entries made by other code are never used.

    memo: a store that remembers the digest under the status of every file (path, size, times, inode),
    as git's index does, so that a run need not read the package's 900 files (about 10 ms of each run).
    Only a package whose files have all been left alone for _SETTLED seconds is remembered: a write in
    the clock tick of the last one could leave their times as they were."""
    if not _DIGEST:
        _DIGEST.append(_remembered(memo) if memo is not None else _read_all())
    return _DIGEST[0]


def _read_all() -> str:
    from importlib import resources

    h = hashlib.sha256()
    for rel, entry in walk(resources.files("auditor")):  # a folder, or a zip archive (zipapp)
        h.update(rel.encode() + b"\0" + entry.read_bytes() + b"\0")
    return h.hexdigest()


def _remembered(memo: Store) -> str:
    import time
    from importlib import resources

    root = resources.files("auditor")
    status = _status(root) if isinstance(root, Path) else None  # a zip archive: read every time
    if status is None:
        return _read_all()
    name = "pkg-" + hashlib.sha256(status[0].encode("utf-8", "surrogateescape")).hexdigest()
    found = memo.load(name)
    if found is not None and len(found) == 64 and all(c in b"0123456789abcdef" for c in found):
        return found.decode()
    digest = _read_all()
    if time.time() - status[1] >= _SETTLED:
        memo.store(name, digest.encode())
    return digest


def _status(root: Path) -> tuple[str, float] | None:
    """(The status of every file walk() reads, as text; the latest change among them, in seconds)."""
    rows, latest, todo = [str(root)], 0.0, [("", str(root))]
    try:
        while todo:
            here, folder = todo.pop()
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.is_dir():
                        if entry.name != "__pycache__":
                            todo.append((f"{here}{entry.name}/", entry.path))
                        continue
                    st = entry.stat()
                    rows.append(f"{here}{entry.name}\0{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino} "
                                f"{st.st_dev}")
                    latest = max(latest, st.st_mtime, st.st_ctime)
    except OSError:  # a file gone while listed: read every file
        return None
    rows[1:] = sorted(rows[1:])
    return "\n".join(rows), latest


def walk(folder, prefix: str = "") -> list:
    """(path below `folder`, entry) of every file under a package folder, __pycache__ left out, sorted.

    folder: an importlib.resources Traversable, so that a zip archive (zipapp) is walked like a folder."""
    out, todo = [], [(prefix, folder)]
    while todo:
        here, current = todo.pop()
        for entry in current.iterdir():
            if entry.is_dir():
                if entry.name != "__pycache__":
                    todo.append((f"{here}{entry.name}/", entry))
            else:
                out.append((f"{here}{entry.name}", entry))
    return sorted(out, key=lambda f: f[0])
