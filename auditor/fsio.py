"""Writing outputs: a reader never sees half a file, a failure leaves the old one, and only what may be
replaced is replaced.

`write_atomic` replaces a regular file (or creates a new path) by renaming a complete temporary file
over it; a character device (/dev/null, a terminal) or a FIFO is written in place, because renaming
over a device node would turn it into a regular file for every program on the machine; any other
kind of path is refused.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

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
