"""The cache folder stays within its bounds (auditor/cachebounds.py), and a pruned cache changes no output."""
import os
import shutil
import time

from auditor import cachebounds, sealed
from conftest import POLICY, SAMPLE, invoke

PARSE = ["%064x" % i for i in range(6)]  # parse entries are named by a bare SHA-256


def test_a_kind_over_its_size_keeps_its_newest_entries_and_the_one_just_written(tmp_path, monkeypatch):
    monkeypatch.setitem(cachebounds.BOUNDS, "parse", (3100, 30 * cachebounds.DAY))
    store = sealed.Store(tmp_path, b"s" * 32)
    store.store("res-keep", b"r" * 5000)  # another kind: its own bound
    for i, name in enumerate(PARSE):
        store.store(name, b"x" * 1000)
        os.utime(tmp_path / name, (time.time() - 100 + i, time.time() - 100 + i))
    store.store(PARSE[0], b"y" * 1000)  # written again: the newest
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([PARSE[0], PARSE[4], PARSE[5], "res-keep"])
    assert sum(p.stat().st_size for p in tmp_path.iterdir() if cachebounds.kind_of(p.name) == "parse") <= 3100


def test_entries_unused_for_longer_than_their_age_go_and_used_ones_stay(tmp_path):
    store = sealed.Store(tmp_path, b"s" * 32)
    old = time.time() - 31 * cachebounds.DAY
    for name in PARSE[:3]:
        store.store(name, b"x")
    for name in PARSE[:3]:
        os.utime(tmp_path / name, (old, old))
    cachebounds.forget()  # a month later: a new process lists the folder
    cachebounds.touch(tmp_path / PARSE[1])  # used today (a parse-cache hit renews its time)
    store.store(PARSE[3], b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == [PARSE[1], PARSE[3]]
    store.store("run-a", b"x")  # a write of one kind never prunes another
    assert len(list(tmp_path.iterdir())) == 3


def test_a_pruned_cache_gives_the_same_output(tmp_path, monkeypatch):
    shutil.copy(POLICY, tmp_path / "policy.yaml")
    shutil.copytree(SAMPLE, tmp_path / "FY2025")

    def check():
        return invoke("check", "--policy", tmp_path / "policy.yaml", "--evidence", tmp_path / "FY2025",
                      "--format", "json")
    cold = check()
    cache = tmp_path / ".auditor" / "cache"
    full = len(list(cache.iterdir()))
    for kind in cachebounds.BOUNDS:  # every kind keeps only the entry just written
        monkeypatch.setitem(cachebounds.BOUNDS, kind, (1, cachebounds.DAY))
    path = tmp_path / "FY2025" / "fw_rules.csv"
    path.write_bytes(path.read_bytes() + b"\r\n")
    after = check()
    assert len(list(cache.iterdir())) < full
    again = check()
    shutil.rmtree(tmp_path / ".auditor")
    fresh = check()
    assert after.stdout == again.stdout == fresh.stdout != ""
    assert after.exit_code == fresh.exit_code == cold.exit_code


def test_a_run_lists_the_folder_once_per_kind_and_keeps_the_bound_and_what_it_used(tmp_path, monkeypatch):
    """Many writes in one process: the folder is listed once (not at every write, which cost O(entries)
    each time), the kind stays within its size, and an entry this run used outlives older unused ones."""
    monkeypatch.setitem(cachebounds.BOUNDS, "res", (10_500, 30 * cachebounds.DAY))
    store = sealed.Store(tmp_path, b"s" * 32)
    for i in range(8):  # a month of earlier runs' results, oldest first
        store.store(f"res-old{i}", b"x" * 1000)
        os.utime(tmp_path / f"res-old{i}", (time.time() - 1000 + i, time.time() - 1000 + i))
    cachebounds.forget()  # this run
    listings = []
    real = os.scandir
    monkeypatch.setattr(cachebounds.os, "scandir", lambda path: listings.append(path) or real(path))
    cachebounds.touch(tmp_path / "res-old0")  # a result this run took from the cache
    for i in range(5):
        store.store(f"res-new{i}", b"y" * 1000)
    (tmp_path / "res-old7").unlink()  # another run pruned it meanwhile: no error, no miscount
    for i in range(5, 40):
        store.store(f"res-new{i}", b"y" * 1000)
    assert len(listings) == 1
    left = {p.name for p in tmp_path.iterdir()}
    assert sum((tmp_path / n).stat().st_size for n in left) <= 10_500
    assert "res-new39" in left and not any(n.startswith("res-old") for n in left)
    cachebounds.forget()
    store.store("res-last", b"z" * 1000)  # the next process lists the folder and finds the same bound held
    assert {p.name for p in tmp_path.iterdir()} <= left | {"res-last"}
    kept_used = sealed.Store(tmp_path / "b", b"s" * 32)
    for i in range(3):  # three fit, four do not
        kept_used.store(f"res-{i}", b"x" * 3000)
    cachebounds.touch(tmp_path / "b" / "res-0")  # used after res-1 and res-2 were written
    kept_used.store("res-3", b"x" * 3000)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["res-0", "res-2", "res-3"]


def test_entries_are_told_apart_by_name():
    sha = "0123456789abcdef" * 4
    named = {f"res-{sha}": "res", "run-a": "run", "valid-x": "valid", "cat-1": "cat", "pkg-": "pkg", sha: "parse",
             ".tmp-abc": None, "-" + sha[1:]: None, sha.upper(): None, sha[:-1]: None, sha + "0": None,
             "res": None, "x-y": None, "g" * 64: None, f"{sha}-res": None}
    assert {name: cachebounds.kind_of(name) for name in named} == named
