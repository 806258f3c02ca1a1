"""Where outputs land (auditor/outputs.py) and how they are written (auditor/fsio.py): devices and FIFOs
in place, other special files refused, inputs never written over, a set of files whole or not at all."""
from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from auditor import fsio, outputs
from auditor.errors import InputError

ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="mknod needs root")


def _null_node(folder: Path) -> Path:
    """A character device like /dev/null (1, 3), made here: the machine's own is never touched."""
    node = folder / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return node


# ---- fsio.write_atomic: what a path is decides how it is written ----

@ROOT_ONLY
def test_a_character_device_is_written_in_place_and_stays_a_device(tmp_path):
    node = _null_node(tmp_path)
    fsio.write_atomic(node, "result")
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary file beside it


@ROOT_ONLY
def test_a_symlink_to_a_character_device_is_written_through(tmp_path):
    node = _null_node(tmp_path)
    link = tmp_path / "out.json"
    link.symlink_to(node)
    fsio.write_atomic(link, b"x")
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


def test_a_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    fsio.write_atomic(fifo, "一行\n" * 10000)
    reader.join(10)
    assert got == [("一行\n" * 10000).encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("what", ["folder", "socket", "block device"])
def test_other_kinds_of_path_are_refused_and_left_alone(tmp_path, what):
    path = tmp_path / "target"
    if what == "folder":
        path.mkdir()
    elif what == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    else:
        if not hasattr(os, "getuid") or os.getuid() != 0:
            pytest.skip("mknod needs root")
        os.mknod(path, 0o600 | stat.S_IFBLK, os.makedev(7, 200))  # never opened
    before = os.lstat(path)
    assert fsio.kind(path) == what
    with pytest.raises(OSError):
        fsio.write_atomic(path, "x")
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_a_regular_file_and_a_new_path_are_still_replaced_by_rename(tmp_path):
    old = tmp_path / "old.json"
    old.write_text("old", encoding="utf-8")
    ino = old.stat().st_ino
    fsio.write_atomic(old, "new")
    fsio.write_atomic(tmp_path / "sub" / "new.json", "new")
    assert old.read_text(encoding="utf-8") == "new" and old.stat().st_ino != ino
    assert (tmp_path / "sub" / "new.json").read_text(encoding="utf-8") == "new"


# ---- outputs.check: nothing a run reads is written over or into ----

def _inputs(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "manifest.yaml").write_text("files: []\n", encoding="utf-8")
    (ev / "staff.csv").write_text("staff_id\n", encoding="utf-8")
    controls = tmp_path / "local"
    controls.mkdir()
    (controls / "x.yaml").write_text("[]\n", encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("{}\n", encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    baseline.write_text("{}\n", encoding="utf-8")
    return outputs.of_run(policy, ev, [controls], baseline=baseline, db=tmp_path / "h.sqlite"), ev


@pytest.mark.parametrize("target,words", [
    ("ev/manifest.yaml", "the manifest"), ("ev/staff.csv", "inside the evidence folder"),
    ("ev/new.json", "inside the evidence folder"), ("ev", "inside the evidence folder"),
    ("ev/sub/deep/new.json", "inside the evidence folder"), ("policy.yaml", "the policy"),
    ("local/x.yaml", "a control file"), ("local/new.yaml", "inside a controls folder"),
    ("baseline.json", "the baseline"), ("h.sqlite", "the history database"),
])
def test_an_output_onto_or_inside_an_input_is_refused(tmp_path, target, words):
    inputs, _ = _inputs(tmp_path)
    with pytest.raises(InputError) as caught:
        outputs.check(tmp_path / target, inputs, "--output")
    assert str(tmp_path / target) == caught.value.path and "--output" in caught.value.message
    assert words in caught.value.message


@pytest.mark.parametrize("how", ["symlink", "hard link", "symlinked folder", "dot-dot"])
def test_the_same_file_by_another_name_is_refused(tmp_path, how):
    inputs, ev = _inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    if how == "symlink":
        target = out / "result.json"
        target.symlink_to(ev / "manifest.yaml")
    elif how == "hard link":
        target = out / "result.json"
        os.link(tmp_path / "policy.yaml", target)
    elif how == "symlinked folder":
        (out / "departments").symlink_to(ev)
        target = out / "departments" / "0100_x" / "report.json"
    else:
        target = out / ".." / "ev" / "report.json"
    with pytest.raises(InputError):
        outputs.check(target, inputs, "--out")


def test_an_output_beside_the_inputs_is_fine(tmp_path):
    inputs, _ = _inputs(tmp_path)
    for target in ("result.json", "reports/report.json", "ev-copy/manifest.yaml", "policy.yaml.bak"):
        outputs.check(tmp_path / target, inputs, "--output")
    outputs.check_folder(tmp_path, inputs, "--out")  # the folder holding the inputs: only the set is written
    outputs.check("-", inputs, "--output", stdout=True)
    with pytest.raises(InputError):
        outputs.check_folder("-", inputs, "--out")


# ---- fsio.FolderSet: a set of files lands whole, or the folder stays as it was ----

def _old_set(out: Path) -> dict:
    (out / "departments" / "0100_a").mkdir(parents=True)
    for rel in ("report.json", "index.html", "departments/0100_a/report.json"):
        (out / rel).write_text(f"old {rel}", encoding="utf-8")
    (out / "history.sqlite").write_bytes(b"keep")
    (out / "FY2024").mkdir()
    (out / "FY2024" / "report.json").write_text("last year", encoding="utf-8")
    return _state(out)


def _state(folder: Path) -> dict:
    """Every entry; a file's bytes and modification time (a folder's changes as entries come and go)."""
    return {str(p.relative_to(folder)): (p.read_bytes(), os.lstat(p).st_mtime_ns) if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


NEW = ["report.json", "report.ja.md", "departments/0100_a/report.json", "departments/0200_b/report.json", "index.html"]


def test_a_committed_set_replaces_only_its_own_files(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    _old_set(out)
    with fsio.FolderSet(out) as staged:
        for rel in NEW:
            staged.write(rel, f"new {rel}")
        assert (out / "report.json").read_text(encoding="utf-8") == "old report.json"  # nothing moved yet
        staged.commit()
    for rel in NEW:
        assert (out / rel).read_text(encoding="utf-8") == f"new {rel}"
    assert (out / "history.sqlite").read_bytes() == b"keep"
    assert (out / "FY2024" / "report.json").read_text(encoding="utf-8") == "last year"
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


@pytest.mark.parametrize("fail_at", [0, 2, 4])
def test_a_full_disk_while_staging_leaves_the_folder_as_it_was(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "reports"
    out.mkdir()
    before = _old_set(out)
    real, calls = fsio.write_atomic, []

    def writer(path, data, *args):
        calls.append(path)
        if len(calls) > fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, *args)
    monkeypatch.setattr(fsio, "write_atomic", writer)
    with pytest.raises(OSError):
        with fsio.FolderSet(out) as staged:
            for rel in NEW:
                staged.write(rel, f"new {rel}")
            staged.commit()
    assert _state(out) == before


@pytest.mark.parametrize("fail_at", [1, 2, 3, 6, 8])  # of 8 renames
def test_an_error_while_swapping_puts_every_earlier_file_back(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "reports"
    out.mkdir()
    before = _old_set(out)
    staged = fsio.FolderSet(out)
    for rel in NEW:
        staged.write(rel, f"new {rel}")
    real, calls = os.rename, []

    def rename(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        staged.commit()
    assert staged.restored
    assert _state(out) == before


def test_a_new_folder_is_absent_again_after_a_failure(tmp_path, monkeypatch):
    out = tmp_path / "new" / "reports"
    staged = fsio.FolderSet(out)
    staged.write("report.json", "x")
    staged.write("departments/0100_a/report.json", "x")
    monkeypatch.setattr(os, "rename", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(OSError):
        staged.commit()
    assert not (tmp_path / "new").exists()


def test_a_refused_destination_moves_nothing(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    before = _old_set(out)

    def check(path):
        if path.name == "index.html":
            raise InputError(path, "refused")
    with pytest.raises(InputError):
        with fsio.FolderSet(out, check) as staged:
            for rel in NEW:
                staged.write(rel, "new")
            staged.commit()
    assert _state(out) == before


def test_a_folder_where_a_report_goes_is_not_moved_away(tmp_path):
    out = tmp_path / "reports"
    (out / "report.json").mkdir(parents=True)
    (out / "report.json" / "mine.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(IsADirectoryError):
        with fsio.FolderSet(out) as staged:
            staged.write("report.json", "new")
            staged.commit()
    assert (out / "report.json" / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]


def test_earlier_files_that_cannot_be_put_back_are_kept_not_deleted(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    _old_set(out)
    staged = fsio.FolderSet(out)
    for rel in NEW:
        staged.write(rel, f"new {rel}")
    real, calls = os.rename, []

    def rename(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 6:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "replace", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EIO, "stuck")))
    with pytest.raises(OSError) as caught:
        staged.commit()
    assert not staged.restored and ".auditor-old." in str(caught.value)
    (backup,) = [p for p in out.iterdir() if p.name.startswith(".auditor-old.")]
    assert sorted(p.read_text(encoding="utf-8") for p in backup.iterdir()) == \
        ["old departments/0100_a/report.json", "old report.json"]
