"""Result cache: a `check` whose every input is unchanged writes what it wrote before, without reading
or evaluating anything.

CI runs the checker on every push to the evidence repository, and most pushes leave the evidence as it
was. The key is a SHA-256 over everything the output and the exit code depend on:
- this version of the tool (every file of the package), of Python and of the installed libraries;
- every option of the command as parsed (the CLI hands them all over), the baseline file's bytes, the
  working folder and today's date;
- the bytes of the policy, of every control file, of every town kind file in use (as it was read), of the
  manifest and of every file it lists;
- every other file in the evidence folder, as the report's integrity block lists them (integrity.py);
- the history database (and its journals) when there is one.

A result is stored under the digests of the evidence bytes the run itself read (EvidenceFile.sha256),
and only when the other files of the folder are the same after the run as before it, so a file changed
while it ran is never served under its new content. Whatever cannot be read for the key (a missing
file, a path out of the evidence folder, a device, a file over the size limit) means no key: the run
then goes the usual way and meets its error there. Only finished runs are stored (exit 0 or 1, never an
input error), signed with the user's secret (auditor/sealed.py), in `.auditor/cache/` beside the policy
with the parse cache, the newest KEEP of them. Deleting the folder is always safe.

One entry holds every output of the run: {format: text}, one or several (`check --format sarif,junit`),
so a run is served whole or not at all; the formats asked for are in the key (the options), and the
caller takes an entry only when it holds exactly those.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
from pathlib import Path

from .. import __version__, defaults, limits as limits_mod, sealed, yamlio
from ..evidence import integrity, kinds

KEEP = 8  # results kept; each is one run's outputs (about 6 MB a format for 15,800 findings)
_PREFIX = "run-"


class RunCache:
    """The stored result of one exact run, if any (see the module's docstring).

    options: every option of the command, as parsed; secret: the key that signs entries (None: no cache).
    memo: the user's memo across projects (cli/caches.shipped_memo), which remembers the package's digest
    so that a run whose project cache was deleted need not read the package's files; None: this cache does.
    """

    def __init__(self, paths: tuple, db, options: dict, max_file_size: int, secret: bytes | None = None,
                 frameworks=(), memo=None):
        policy, evidence, _ = paths
        self.store = sealed.beside(policy, secret)
        self.root, self.max_file_size = Path(evidence), max_file_size
        self._head = _head(paths, db, options, max_file_size, frameworks, memo if memo is not None else self.store) \
            if self.store is not None else None
        self._others = self._unlisted() if self._head is not None else None

    def get(self) -> tuple[int, dict] | None:
        """(exit code, {format: output text}) of the same run before, or None."""
        if self._head is None or self._others is None or not self.store.entries(_PREFIX):
            return None  # nothing stored: the evidence need not be hashed for a key
        try:
            digests = {rel: hashlib.sha256(_read(self.root / rel, self.max_file_size, inside=self.root)).hexdigest()
                       for rel in self._head[1]}
        except Exception:  # noqa: BLE001 - unreadable evidence: the usual run reports it properly
            return None
        name = _PREFIX + self._key(digests)
        payload = self.store.load(name)
        try:
            value = marshal.loads(payload) if payload is not None else None
        except Exception:  # noqa: BLE001 - a signed entry of another shape is not ours to trust
            return None
        if type(value) is not tuple or len(value) != 2 or type(value[0]) is not int or value[0] not in (0, 1) \
                or type(value[1]) is not dict or not value[1] \
                or not all(type(k) is str and type(v) is str for k, v in value[1].items()):
            return None  # (an entry of the earlier (code, text) shape too)
        code, texts = value
        try:
            os.utime(self.store.folder / name)  # the newest KEEP are kept
        except OSError:
            pass
        return code, texts

    def put(self, code: int, texts: dict, files) -> None:
        """Store a finished run's outputs ({format: text}); files: its EvidenceFiles, whose digests are of
        the bytes it read."""
        if self._head is None or self._others is None:
            return
        wanted = set(self._head[1])  # (the history database's register, when merged, is in the head)
        digests = {f.path: f.sha256 for f in files if f.path in wanted}
        if set(digests) != wanted:  # the manifest changed during the run
            return
        if self._unlisted() != self._others:  # another file of the folder changed during the run
            return
        self.store.store(_PREFIX + self._key(digests), marshal.dumps((code, dict(texts))))
        _prune(self.store.entries(_PREFIX))

    def _unlisted(self) -> dict | None:
        """The other files of the evidence folder, by SHA-256, as the integrity block lists them."""
        listed = {integrity.path_key(rel): "listed" for rel in self._head[1]}  # hashed from what the run reads
        try:
            return {p: s for p, s in integrity.folder_files(self.root, listed).items() if p not in listed}
        except Exception:  # noqa: BLE001 - a folder that cannot be listed: no key, the usual run reports it
            return None

    def _key(self, digests: dict) -> str:
        h = self._head[0].copy()
        for rel in self._head[1]:
            h.update(f"evidence {rel}\0{digests[rel]}\0".encode("utf-8", "surrogatepass"))
        for rel, sha in sorted(self._others.items()):
            h.update(f"other {rel}\0{sha}\0".encode("utf-8", "surrogatepass"))  # an undecodable file name
        return h.hexdigest()


def _head(paths: tuple, db, options: dict, max_file_size: int, frameworks=(), store=None):
    """(SHA-256 state over every input but the evidence files, the evidence paths), or None.

    frameworks: the town's audit-map files and folders the run reads (the shipped map is package code).
    store: where the package's digest is remembered (sealed.package_digest)."""
    policy, evidence, control_dirs = paths
    h = hashlib.sha256()

    def part(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
        h.update(data)

    try:
        part("tool", f"{__version__} {sealed.runtime()} {code_digest(store)}".encode())
        part("options", repr(sorted(options.items())).encode("utf-8", "surrogatepass"))
        part("where", f"{os.getcwd()}\0{policy}\0{evidence}\0{[str(d) for d in control_dirs]}".encode(
            "utf-8", "surrogatepass"))
        part("today", dt.date.today().isoformat().encode())
        part("policy", _read(policy))
        if options.get("baseline"):
            part("baseline", _read(options["baseline"], max_file_size))
        for path in defaults.control_files(control_dirs):
            part(f"control {path}", _read(path))
        for kind in kinds.town():  # the digest of the bytes the run's kinds were read from
            part(f"kind {kind.name} {kind.path}", kind.sha256.encode())
        for path in _framework_files(frameworks):
            part(f"framework {path}", _read(path))
        root = Path(evidence)
        part("manifest", _read(root / "manifest.yaml"))
        if db is not None:
            for name in (str(db), str(db) + "-wal", str(db) + "-journal"):
                part(f"db {name}", _read(name, max_file_size) if os.path.exists(name) else b"")
        return h, _listed(root)
    except Exception:  # noqa: BLE001 - anything unreadable: the usual run reports it properly
        return None


def _framework_files(paths) -> list[Path]:
    files = []
    for p in map(Path, paths or ()):
        files.extend(sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml")) if p.is_dir() else [p])
    return files


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


def code_digest(store=None) -> str:
    """A digest of every file of the package (computed once per process): results made by other code are
    never used. store: where it may be remembered (sealed.package_digest)."""
    return sealed.package_digest(store)


def _prune(entries: list) -> None:
    try:
        entries = sorted(entries, key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink()
    except OSError:  # another run pruned it first
        pass
