"""Result cache: a `check` whose every input is unchanged writes what it wrote before, without reading
or evaluating anything.

CI runs the checker on every push to the evidence repository, and most pushes leave the evidence as it
was. The key is a SHA-256 over everything the output and the exit code depend on:
- this version of the tool (every file of the package) and of Python;
- the command's options (and the baseline file's bytes), the working folder and today's date;
- the bytes of the policy, of every control file, of the manifest and of every file it lists;
- the history database (and its write-ahead log) when there is one.

A result is stored under the digests of the evidence bytes the run itself read (EvidenceFile.sha256),
so a file changed while it ran is never served under its new content. Looking a result up hashes the
evidence once more, and is skipped when nothing is stored yet. Whatever cannot be read for the key
(a missing file, a path out of the evidence folder, a device) means no key: the run then goes the
usual way and meets its error there. Only finished runs are stored (exit 0 or 1, never an input
error), in `.auditor/cache/` beside the policy with the parse cache, the newest KEEP of them.
Deleting the folder is always safe.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import os
import sys
from importlib import resources
from pathlib import Path

from .. import __version__, defaults, limits as limits_mod, yamlio
from ..evidence import cache

KEEP = 8  # results kept; each is one output (about 6 MB for 15,800 findings)
_PREFIX = "run-"


class RunCache:
    """The stored result of one exact run, if any (see the module's docstring)."""

    def __init__(self, paths: tuple, db, options: dict, max_file_size: int):
        policy, evidence, _ = paths
        self.folder = defaults.state_dir(policy) / "cache" if Path(policy).is_file() else None
        self.root, self.max_file_size = Path(evidence), max_file_size
        self._head = _head(paths, db, options, max_file_size) if self.folder is not None else None

    def get(self) -> tuple[int, str] | None:
        """(exit code, output text) of the same run before, or None."""
        if self._head is None or not any(Path(self.folder).glob(_PREFIX + "*")):
            return None  # nothing stored: the evidence need not be hashed for a key
        try:
            digests = {rel: hashlib.sha256(_read(self.root / rel, self.max_file_size, inside=self.root)).hexdigest()
                       for rel in self._head[1]}
        except Exception:  # noqa: BLE001 - unreadable evidence: the usual run reports it properly
            return None
        name = _PREFIX + self._key(digests)
        payload = cache.load_blob(self.folder, name)
        try:
            code, text = marshal.loads(payload) if payload is not None else (None, None)
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(code, int) or not isinstance(text, str):
            return None
        try:
            os.utime(Path(self.folder) / name)  # the newest KEEP are kept
        except OSError:
            pass
        return code, text

    def put(self, code: int, text: str, files) -> None:
        """Store a finished run's output; files: its EvidenceFiles, whose digests are of the bytes it read."""
        if self._head is None:
            return
        wanted = set(self._head[1])  # (the history database's register, when merged, is in the head)
        digests = {f.path: f.sha256 for f in files if f.path in wanted}
        if set(digests) != wanted:  # the manifest changed during the run
            return
        cache.store_blob(self.folder, _PREFIX + self._key(digests), marshal.dumps((code, text)))
        _prune(Path(self.folder))

    def _key(self, digests: dict) -> str:
        h = self._head[0].copy()
        for rel in self._head[1]:
            h.update(f"evidence {rel}\0{digests[rel]}\0".encode())
        return h.hexdigest()


def _head(paths: tuple, db, options: dict, max_file_size: int):
    """(SHA-256 state over every input but the evidence files, the evidence paths), or None."""
    policy, evidence, control_dirs = paths
    h = hashlib.sha256()

    def part(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    try:
        part("tool", f"{__version__} {sys.version} marshal {marshal.version} {_code()}".encode())
        part("options", repr(sorted(options.items())).encode())
        part("where", f"{os.getcwd()}\0{policy}\0{evidence}\0{[str(d) for d in control_dirs]}".encode())
        part("today", dt.date.today().isoformat().encode())
        part("policy", _read(policy))
        if options.get("baseline"):
            part("baseline", _read(options["baseline"], max_file_size))
        for path in defaults.control_files(control_dirs):
            part(f"control {path}", _read(path))
        root = Path(evidence)
        part("manifest", _read(root / "manifest.yaml"))
        if db is not None:
            for name in (str(db), str(db) + "-wal"):
                part(f"db {name}", _read(name, max_file_size) if os.path.exists(name) else b"")
        return h, _listed(root)
    except Exception:  # noqa: BLE001 - anything unreadable: the usual run reports it properly
        return None


def _read(path, max_bytes: int = limits_mod.CONFIG_MAX_BYTES, inside: Path | None = None) -> bytes:
    """A regular file's bytes (never a device or a pipe), refused beyond the size the run would refuse."""
    if inside is not None:
        base, target = inside.resolve(), Path(path).resolve()
        if base != target and base not in target.parents:
            raise ValueError(path)
    return limits_mod.read_regular(path, max_bytes, str(path))


def _listed(root: Path) -> list[str]:
    """The paths the manifest lists (order kept; the reader checks them properly)."""
    data, _ = yamlio.read_config(root / "manifest.yaml")
    files = data["files"]
    paths = list(dict.fromkeys(entry["path"] for entry in files))  # a file read as two kinds is hashed once
    if not all(isinstance(p, str) and p and "\0" not in p and not os.path.isabs(p) for p in paths):
        raise ValueError("unusable path")
    return paths


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """A digest of every file of the package: results made by other code are never used."""
    h = hashlib.sha256()
    todo = [("", resources.files("auditor"))]  # a folder, or a zip archive (zipapp): never an empty walk
    files = []
    while todo:
        prefix, folder = todo.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                if entry.name != "__pycache__":
                    todo.append((f"{prefix}{entry.name}/", entry))
            else:
                files.append((f"{prefix}{entry.name}", entry))
    for rel, entry in sorted(files, key=lambda f: f[0]):
        h.update(rel.encode() + b"\0" + entry.read_bytes() + b"\0")
    return h.hexdigest()


def _prune(folder: Path) -> None:
    try:
        entries = sorted(folder.glob(_PREFIX + "*"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink()
    except OSError:  # another run pruned it first
        pass
