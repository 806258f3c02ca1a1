"""The parse cache by chunk (auditor/evidence/chunks.py) gives exactly what a whole, uncached reading gives:
rows, line numbers, cleaning notes, My Number occurrences and every error message, after any edit."""
from __future__ import annotations

import codecs
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from auditor import sealed
from auditor.errors import InputError
from auditor.evidence import chunks, loader
from auditor.limits import DEFAULT as LIMITS
from auditor.privacy import mynumber

HEADER = "staff_id,name,unit,course,completed_on,score"
ENTRIES = [{"path": "roster.csv", "kind": "training_records", "format": "csv"},
           {"path": "roster.csv", "kind": "staff", "format": "csv", "columns": {"unit": "unit"}}]


def _number(first: str = "12345678901") -> str:
    return first + str(mynumber.check_digit(first))


def _line(i: int, day: int = 1, name: str = "") -> str:
    return f"S{i:05d},{name or '職員'}{i},U{i % 7:02d},security-basic,2025-{4 + i % 9:02d}-{day:02d},{i % 100}"


def _base(n: int) -> list[str]:
    return [_line(i) for i in range(n)]


# edits a CI push makes, and the ones where reading by block must step aside
EDITS = ["change", "drop", "duplicate", "quoted_newline", "blank", "my_number", "invisible", "bad_date",
         "short_row", "crlf", "lone_cr", "bom", "cp932", "quote_only"]


def _edit(lines: list[str], what: str, at: int, seed: int):
    lines = list(lines)
    at %= len(lines)
    text_end, encoding = "\n", "utf-8"
    if what == "change":
        lines[at] = _line(at, 1 + seed % 28)
    elif what == "drop":
        del lines[at]
    elif what == "duplicate":
        lines.insert(at, lines[at])
    elif what == "quoted_newline":
        lines[at] = f'S{at:05d},"山田\n太郎",U01,security-basic,2025-05-01,1'
    elif what == "blank":
        lines.insert(at, "")
    elif what == "my_number":
        lines[at] = _line(at, name=f"照会 {_number()} 様")
    elif what == "invisible":
        lines[at] = _line(at, name="山\u200b田")
    elif what == "bad_date":
        lines[at] = _line(at).replace("2025-", "2025/13/", 1)
    elif what == "short_row":
        lines[at] = lines[at].rsplit(",", 1)[0]
    elif what == "crlf":
        text_end = "\r\n"
    elif what == "lone_cr":
        lines[at] += "\r"
    elif what == "quote_only":
        lines[at] = lines[at].replace("security-basic", '"security-basic"')
    elif what == "cp932":
        encoding = "cp932"
    data = (text_end.join([HEADER, *lines]) + (text_end if seed % 3 else "")).encode(encoding)
    if what == "bom":
        data = codecs.BOM_UTF8 + data
    return data


def _whole(raw: bytes, entry: dict):
    """An uncached reading of the whole file, as the loader does without a cache."""
    found: list = []
    try:
        out = loader._records(raw, "d", loader._reading(entry), found, {}, LIMITS)
    except InputError as exc:
        return ("error", str(exc), exc.line)
    return _shape(out, found)


def _shape(out, found):
    columns, lines, present, encoding, notes, remarks = out
    return (columns, type(lines), list(lines), tuple(present), encoding, [tuple(n) for n in notes],
            [tuple(r) for r in remarks], [(o.file, o.line, o.column, o.field, o.value) for o in found])


def _cached(raw: bytes, entry: dict, store):
    found: list = []
    try:
        out = loader._cached_records(raw, _sha(raw), entry,
                                     found, {}, store, LIMITS)
    except InputError as exc:
        return ("error", str(exc), exc.line)
    return _shape(out, found)


def _sha(raw: bytes) -> str:
    import hashlib
    return hashlib.sha256(raw).hexdigest()


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(chunks, "MIN_BYTES", 0)
    monkeypatch.setattr(chunks, "CHUNK_LINES", 4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 30), edits=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 10 ** 6),
                                                       st.integers(0, 10 ** 6)), min_size=1, max_size=3))
def test_a_cached_reading_by_block_equals_a_whole_reading_after_any_edit(small_blocks, tmp_path_factory, n, edits):
    store = sealed.Store(tmp_path_factory.mktemp("cache"), b"s" * 32)
    lines = _base(n)
    versions = [_edit(lines, "change", 0, 0)]
    for what, at, seed in edits:
        versions.append(_edit(lines, what, at, seed))
    for raw in versions:  # each run over the cache the previous versions left
        for entry in ENTRIES:
            assert _cached(raw, entry, store) == _whole(raw, entry)


def test_one_changed_line_reads_one_block_again(small_blocks, tmp_path, monkeypatch):
    store = sealed.Store(tmp_path, b"s" * 32)
    lines = _base(40)
    _cached(_edit(lines, "change", 0, 0), ENTRIES[0], store)
    read = []
    original = loader._records
    monkeypatch.setattr(loader, "_records", lambda raw, *a, **k: read.append(raw) or original(raw, *a, **k))
    edited = _edit(lines, "change", 21, 3)  # as the first version, no line end after the last line
    got = _cached(edited, ENTRIES[0], store)
    assert len(read) == 1 and read[0].count(b"\n") == 4 + 1  # the header and the one block of 4 lines
    assert _line(21, 4).encode() in read[0]
    assert got == _whole(edited, ENTRIES[0])


def test_blocks_keep_no_my_number(small_blocks, tmp_path):
    store = sealed.Store(tmp_path, b"s" * 32)
    raw = _edit(_base(20), "my_number", 9, 1)
    assert _cached(raw, ENTRIES[1], store) == _whole(raw, ENTRIES[1])
    entries = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(entries) > 2, "no block entries were written: nothing was tested"
    assert not [p.name for p in entries if _number().encode() in p.read_bytes()]


def test_a_layout_option_or_a_small_file_is_read_whole(tmp_path):
    raw = _edit(_base(20), "change", 0, 0)
    assert not chunks.applies(raw, loader._reading(ENTRIES[0]))  # below MIN_BYTES
    big = raw * (chunks.MIN_BYTES // len(raw) + 1)
    assert chunks.applies(big, loader._reading(ENTRIES[0]))
    assert not chunks.applies(big, loader._reading(dict(ENTRIES[0], header_row=2)))
    assert not chunks.applies(big, loader._reading(dict(ENTRIES[0], encoding="cp932")))


def test_the_row_limit_is_the_whole_files(small_blocks, tmp_path):
    store = sealed.Store(tmp_path, b"s" * 32)
    raw = _edit(_base(12), "change", 0, 0)
    limits = dataclasses.replace(LIMITS, max_rows=10)
    found: list = []
    with pytest.raises(InputError) as cached:
        loader._cached_records(raw, _sha(raw), ENTRIES[0], found, {}, store, limits)
    with pytest.raises(InputError) as whole:
        loader._records(raw, "d", loader._reading(ENTRIES[0]), [], {}, limits)
    assert str(cached.value) == str(whole.value)


def test_the_sample_municipality_loads_the_same_by_blocks(small_blocks, tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    from auditor.evidence import prefetch

    ev = tmp_path / "FY2025"
    shutil.copytree(Path(__file__).resolve().parent.parent / "evidence" / "FY2025", ev)
    used = []
    original = chunks.read
    def spy(raw, entry, *a, **k):
        got = original(raw, entry, *a, **k)
        used.extend([entry["path"]] if got else [])
        return got
    monkeypatch.setattr(chunks, "read", spy)
    store = sealed.Store(tmp_path / "cache", b"s" * 32)
    for _ in range(2):  # read by blocks afresh, then from the blocks and whole entries stored
        by_blocks = loader.load(ev, cache_dir=store)
        prefetch.join()
        whole = loader.load(ev, cache_dir=None)
        assert {k: d.columns for k, d in by_blocks.datasets.items()} == {k: d.columns for k, d in whole.datasets.items()}
        for k, d in whole.datasets.items():
            n = len(next(iter(d.columns.values()), []))
            assert [by_blocks.datasets[k].location(i) for i in range(n)] == [d.location(i) for i in range(n)]
        assert (by_blocks.personal_data, by_blocks.notices, by_blocks.cleaned, by_blocks.files) == \
               (whole.personal_data, whole.notices, whole.cleaned, whole.files)
    assert used, "no file of the sample was read by blocks: nothing was tested"


def _folder(root, raw: bytes, other: bytes | None = None):
    """An evidence folder reading roster.csv as two kinds (and a second CSV for the worker, when given)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "roster.csv").write_bytes(raw)
    about = "provided_by: 総務課, collected_on: 2026-03-31"
    files = "".join(f"  - {{path: roster.csv, kind: {e['kind']}, {about}{', columns: {unit: unit}' if 'columns' in e else ''}}}\n"
                    for e in ENTRIES)
    if other is not None:
        (root / "more.csv").write_bytes(other)
        files += f"  - {{path: more.csv, kind: training_records, {about}}}\n"
    (root / "manifest.yaml").write_text(f"organisation: Test\nfiscal_year: 2025\nfiles:\n{files}", encoding="utf-8")
    return root


def _same_evidence(a, b):
    assert {k: d.columns for k, d in a.datasets.items()} == {k: d.columns for k, d in b.datasets.items()}
    for k, d in b.datasets.items():
        n = len(next(iter(d.columns.values()), []))
        assert [a.datasets[k].location(i) for i in range(n)] == [d.location(i) for i in range(n)]
    assert (a.personal_data, a.notices, a.cleaned, a.files) == (b.personal_data, b.notices, b.cleaned, b.files)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(9, 40), edit=st.tuples(st.sampled_from(EDITS), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
       other=st.booleans())
def test_a_file_read_by_both_processes_gives_the_whole_reading(small_blocks, tmp_path_factory, monkeypatch, n, edit,
                                                               other):
    """The worker reads the tail blocks of the large CSV while this process reads the head (split.py): the
    evidence is what an uncached reading gives, cold, then after one more edit over the cache it left."""
    from auditor.evidence import prefetch, split

    monkeypatch.setattr(prefetch, "MIN_BYTES", 0)
    shared = []
    original = split.choose
    monkeypatch.setattr(split, "choose", lambda *a, **k: shared.append(original(*a, **k)) or shared[-1])
    store = sealed.Store(tmp_path_factory.mktemp("cache"), b"s" * 32)
    root = tmp_path_factory.mktemp("ev") / "FY2025"
    more = _edit(_base(3), "change", 0, 1) if other else None
    for raw in (_edit(_base(n), "change", 0, 0), _edit(_base(n), *edit)):
        _folder(root, raw, more)
        loader.load(root, cache_dir=None) if raw.startswith(HEADER.encode()) and b"2025/13" not in raw else None
        try:
            whole = loader.load(root, cache_dir=None)
        except InputError as exc:
            with pytest.raises(InputError) as split_error:
                loader.load(root, cache_dir=store)
            assert str(split_error.value) == str(exc)
            continue
        both = loader.load(root, cache_dir=store)
        prefetch.join()
        _same_evidence(both, whole)
    assert shared[0][0], "the roster was not shared between the processes: nothing was tested"


def test_the_worker_takes_the_tail_and_this_process_the_head(small_blocks, tmp_path, monkeypatch):
    """Cold, each block is read once: the worker's into the cache, this process's ahead, none twice."""
    from auditor.evidence import prefetch

    monkeypatch.setattr(prefetch, "MIN_BYTES", 0)
    read = []
    original = loader._records
    monkeypatch.setattr(loader, "_records", lambda raw, *a, **k: read.append(raw) or original(raw, *a, **k))
    root = _folder(tmp_path / "FY2025", _edit(_base(40), "change", 0, 0))
    store = sealed.Store(tmp_path / "cache", b"s" * 32)
    both = loader.load(root, cache_dir=store)
    prefetch.join()
    here = list(read)  # this process's reads (the worker's happen in its own memory)
    _same_evidence(both, loader.load(root, cache_dir=None))
    assert here and all(here.count(b) == len(ENTRIES) for b in here)  # each block once per reading, no more
    assert len(set(here)) < 10  # of the 10 blocks, some were left to the worker


def test_after_a_change_in_the_first_block_the_worker_leaves_cached_blocks_alone(small_blocks, tmp_path, monkeypatch):
    """A new first block makes the file look unread: shared again, the worker skips the blocks the cache holds
    (it only looks whether they are there) and the result is still the whole reading's."""
    from auditor.evidence import prefetch, split

    monkeypatch.setattr(prefetch, "MIN_BYTES", 0)
    store = sealed.Store(tmp_path / "cache", b"s" * 32)
    root = tmp_path / "FY2025"
    _folder(root, _edit(_base(40), "change", 0, 0))
    loader.load(root, cache_dir=store)
    prefetch.join()
    chosen = []
    original = split.choose
    monkeypatch.setattr(split, "choose", lambda *a, **k: chosen.append(original(*a, **k)) or chosen[-1])
    _folder(root, _edit(_base(40), "change", 0, 5))  # line 1 gets another day
    both = loader.load(root, cache_dir=store)
    prefetch.join()
    _same_evidence(both, loader.load(root, cache_dir=None))
    assert chosen[0][0], "not shared: the skipping worker was not tested"
    _folder(root, _edit(_base(40), "change", 30, 6))  # a line of a later block: the first block is cached
    loader.load(root, cache_dir=store)
    assert not chosen[-1][0]  # read here alone, as before the split existed
