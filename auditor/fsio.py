"""Writing outputs: a reader never sees half a file, a failure leaves the old one, and only what may be
replaced is replaced.

`write_atomic` replaces a regular file (or creates a new path) by renaming a complete temporary file
over it; a character device (/dev/null, a terminal) or a FIFO is written in place, because renaming
over a device node would turn it into a regular file for every program on the machine; any other
kind of path is refused. `FolderSet` writes a set of files (the reports) that land together.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePath
from typing import Callable

# What an existing output path may be, by what os.stat (symlinks followed) says about it.
REPLACED = ("new", "file")  # renamed over
IN_PLACE = ("character device", "FIFO")  # opened and written, never created, truncated or renamed over


def kind(path) -> str:
    """'new', 'file', 'character device', 'FIFO', or what else the path is ('folder', 'block device'...)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # a dangling symlink too: it is replaced, not followed
        return "new"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISBLK(mode):
        return "block device"
    return "socket" if stat.S_ISSOCK(mode) else "special file"


def write_atomic(path, data: str | bytes, encoding: str = "utf-8") -> None:
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    what = kind(path)
    if what in IN_PLACE:
        _write_in_place(path, raw)
        return
    if what not in REPLACED:
        raise OSError(errno.EISDIR if what == "folder" else errno.EINVAL,
                      f"is a {what}: only a regular file, a new path, a character device or a FIFO can take output",
                      str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # a symlink at `path` is replaced, never written through
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _write_in_place(path: Path, raw: bytes) -> None:
    """Open without creating or truncating (a FIFO waits for its reader, as with a shell's `>`)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # replaced since kind() looked: write nothing
            raise OSError(errno.EINVAL, "changed while it was being opened", str(path))
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class FolderSet:
    """Files written into a hidden staging folder inside `out`, then swapped in together by `commit`.

    After `commit` every file of the set is in place; after a failure (a full disk while staging,
    an error while swapping) `out` is exactly as it was, and a folder `out` that did not exist is
    gone again. Only the paths of the set are replaced: whatever else `out` holds (a history
    database, progress sheets, last year's folder, reports in other formats) is never touched.
    `check(path)` is called on every destination before anything is moved, and may raise.
    """

    def __init__(self, out, check: Callable | None = None):
        self.out = Path(out)
        self.check = check or (lambda path: None)
        self.files: list[PurePath] = []
        self.restored = True  # False after a failed commit that could not put every earlier file back
        self._made = _make_folders(self.out)  # removed again when the set is discarded
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=".auditor-new.", suffix=".tmp", dir=self.out))
        except BaseException:
            _remove_empty(self._made)
            raise

    def write(self, rel, data: str | bytes) -> None:
        """Stage one file of the set (relative to `out`); nothing in `out` changes yet."""
        rel = PurePath(rel)
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"not a path inside the set: {rel}")
        write_atomic(self.staging / rel, data)
        if rel not in self.files:  # written again: the later bytes count
            self.files.append(rel)

    def commit(self) -> None:
        """Move every staged file to its place; on any error put back what was there, then raise."""
        for rel in self.files:  # every destination is checked before the first one is replaced
            dest = self.out / rel
            self.check(dest)
            if dest.is_dir() and not dest.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "a folder is where a report goes", str(dest))
        backup = Path(tempfile.mkdtemp(prefix=".auditor-old.", suffix=".tmp", dir=self.out))
        placed, made = [], []  # (rel, where the file it replaced waits, or None)
        try:
            for i, rel in enumerate(self.files):
                dest = self.out / rel
                made += _make_folders(dest.parent)
                old = None
                if os.path.lexists(dest):
                    old = backup / str(i)
                    os.rename(dest, old)
                placed.append((rel, old))
                os.rename(self.staging / rel, dest)
        except BaseException as exc:
            kept = self._undo(placed, backup)
            self.restored = not kept
            if not kept:
                shutil.rmtree(backup, ignore_errors=True)
            _remove_empty(made)
            self.discard()
            if kept:  # never deleted: the earlier files are still there, only elsewhere
                raise OSError(getattr(exc, "errno", None) or errno.EIO,
                              f"{exc}; some earlier files could not be put back and are kept in {backup}") from exc
            raise
        for folder in {(self.out / rel).parent for rel in self.files}:
            _sync_folder(folder)
        shutil.rmtree(backup, ignore_errors=True)
        shutil.rmtree(self.staging, ignore_errors=True)

    def _undo(self, placed: list, backup: Path) -> bool:
        """Put the replaced files back; True when one could not be (it is then left in the backup)."""
        for rel, old in reversed(placed):
            dest = self.out / rel
            try:
                if old is not None:
                    os.replace(old, dest)  # over the new file, if it had arrived
                elif not os.path.lexists(self.staging / rel):
                    os.unlink(dest)  # a new path: it did not exist before
            except OSError:
                pass
        return any(backup.iterdir())

    def discard(self) -> None:
        """Forget the staged files; `out` is left as it was before the set was begun."""
        shutil.rmtree(self.staging, ignore_errors=True)
        _remove_empty(self._made)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.discard()
        return False


def _make_folders(folder: Path) -> list[Path]:
    """mkdir -p, returning the folders it created, outermost first."""
    missing = []
    for f in (folder, *folder.parents):
        if os.path.lexists(f):
            break
        missing.append(f)
    made = []
    try:
        for f in reversed(missing):
            f.mkdir()
            made.append(f)
    except BaseException:
        _remove_empty(made)
        raise
    return made


def _remove_empty(folders: list[Path]) -> None:
    for f in reversed(folders):
        try:
            f.rmdir()
        except OSError:  # not empty (someone else wrote there meanwhile) or already gone
            pass


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
