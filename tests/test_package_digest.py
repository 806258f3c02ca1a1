"""The package's digest (the code part of every cache key) is remembered under its files' status, and
never stands for bytes it was not computed from."""
import os
from importlib import resources

import pytest

from auditor import sealed

SECRET = b"s" * 32


@pytest.fixture()
def package(tmp_path, monkeypatch):
    """A package folder of three files standing in for auditor's, and a fresh per-process digest."""
    root = tmp_path / "pkg"
    (root / "sub" / "__pycache__").mkdir(parents=True)
    (root / "a.py").write_text("A = 1\n")
    (root / "sub" / "b.yaml").write_text("b: 2\n")
    (root / "sub" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"compiled")  # never part of it
    for f in (root / "a.py", root / "sub" / "b.yaml"):
        os.utime(f, (1e9, 1e9))  # written long ago: a rewrite now gives another time, whatever the clock's tick
    monkeypatch.setattr(resources, "files", lambda name: root)
    monkeypatch.setattr(sealed, "_DIGEST", [])
    return root


def _fresh(monkeypatch, memo=None) -> str:
    monkeypatch.setattr(sealed, "_DIGEST", [])
    return sealed.package_digest(memo)


def test_the_remembered_digest_is_the_digest_of_the_bytes(package, tmp_path, monkeypatch):
    monkeypatch.setattr(sealed, "_SETTLED", 0.0)
    store = sealed.Store(tmp_path / "cache", SECRET)
    read = _fresh(monkeypatch)
    assert _fresh(monkeypatch, store) == read
    assert [p.name[:4] for p in (tmp_path / "cache").iterdir()] == ["pkg-"]
    monkeypatch.setattr(sealed, "_read_all", lambda: pytest.fail("the files were read again"))
    assert _fresh(monkeypatch, store) == read  # from the entry: the files are not read


def test_a_changed_file_is_read_again(package, tmp_path, monkeypatch):
    monkeypatch.setattr(sealed, "_SETTLED", 0.0)
    store = sealed.Store(tmp_path / "cache", SECRET)
    before = _fresh(monkeypatch, store)
    (package / "sub" / "b.yaml").write_text("b: 3\n")  # same size: the times and the bytes differ
    after = _fresh(monkeypatch, store)
    assert after != before and after == _fresh(monkeypatch)
    (package / "c.py").write_text("")  # a new file
    assert _fresh(monkeypatch, store) == _fresh(monkeypatch) != after
    (package / "sub" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"other")  # compiled files do not count
    assert _fresh(monkeypatch, store) == _fresh(monkeypatch)


def test_files_just_written_are_not_remembered(package, tmp_path, monkeypatch):
    store = sealed.Store(tmp_path / "cache", SECRET)  # the files are seconds old at most
    assert _fresh(monkeypatch, store) == _fresh(monkeypatch)
    assert not (tmp_path / "cache").exists()


def test_a_foreign_or_damaged_entry_is_not_trusted(package, tmp_path, monkeypatch):
    monkeypatch.setattr(sealed, "_SETTLED", 0.0)
    store = sealed.Store(tmp_path / "cache", SECRET)
    read = _fresh(monkeypatch, store)
    (entry,) = (tmp_path / "cache").iterdir()
    sealed.Store(tmp_path / "cache", b"o" * 32).store(entry.name, b"0" * 64)  # signed by another secret
    assert _fresh(monkeypatch, store) == read
    store.store(entry.name, b"not a digest")
    assert _fresh(monkeypatch, store) == read
    assert entry.read_bytes().endswith(read.encode())  # the entry was made again from the bytes


def test_the_real_package_gives_the_same_digest_either_way(tmp_path, monkeypatch):
    monkeypatch.setattr(sealed, "_SETTLED", 0.0)
    store = sealed.Store(tmp_path / "cache", SECRET)
    read = _fresh(monkeypatch)
    assert _fresh(monkeypatch, store) == read == _fresh(monkeypatch, store)
    assert os.listdir(tmp_path / "cache")[0].startswith("pkg-")
