"""The fast reading paths give exactly what the general readers give, and the parse cache is never stale."""
import datetime as dt
import marshal
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.evidence import cache, kinds, readers
from auditor.evidence.readers import fastyaml
from auditor import yamlio
from auditor.errors import InputError
from conftest import ORG, check_json, invoke, write_evidence, write_policy

# ---- YAML: line slicing vs the full loader ----

PLAIN = st.text(alphabet="abcXYZ019-_./:#' \"!&*[]{}|>%@`,?~", min_size=0, max_size=8)
KEYS = st.lists(st.sampled_from(["id", "src_zone", "dst", "port", "action", "note"]), min_size=1, max_size=4,
                unique=True)


def full(text):
    data, located = yamlio.load_data(text, "f.yaml")
    return data, located


def as_columns(records, keys):
    return {k: [None if r.get(k) in ("", None) else r[k] for r in records] for k in keys}


def big(items: list[dict], keys, indent="  ", top="flow_rules") -> str:
    lines = [f"{top}:"]
    for item in items:
        for j, k in enumerate(keys):
            lines.append(f"{indent}{'- ' if j == 0 else '  '}{k}: {item[k]}".rstrip())
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(keys=KEYS, values=st.lists(PLAIN, min_size=1, max_size=6))
def test_fast_yaml_reads_what_libyaml_reads_or_steps_aside(keys, values):
    rng = random.Random(len(values))
    items = [{k: rng.choice(values) for k in keys} for _ in range(fastyaml._MIN_LINES // len(keys) + 2)]
    text = big(items, keys)
    rest, fast = fastyaml.split(text)
    try:
        data, located = full(text)
    except Exception:  # noqa: BLE001 - the full loader refuses it: the fast path must not accept it
        assert not fast
        return
    if fast:
        columns, lines = fast["flow_rules"]
        records = data["flow_rules"]
        assert columns == as_columns(records, keys)
        assert list(lines) == [located.line(r) for r in records]
        assert rest.count("\n") == text.count("\n")


def test_fast_yaml_keeps_text_as_written_and_lines():
    items = [{"id": f"0{i:04d}", "flag": "no", "day": "2025-04-01", "v": "1.10"} for i in range(400)]
    text = "zones: [a, b]\n# comment\n" + big(items, ["id", "flag", "day", "v"], top="rules")[0:] + "other: 1\n"
    rest, fast = fastyaml.split(text)
    columns, lines = fast["rules"]
    assert columns["id"][:2] == ["00000", "00001"] and set(columns["flag"]) == {"no"}
    assert set(columns["v"]) == {"1.10"} and lines[0] == 4 and lines[1] == 8
    data, _ = full(rest)
    assert data["zones"] == ["a", "b"] and data["other"] == "1"


@pytest.mark.parametrize("bad", ["  - id: 1\n    # c\n", "  - id: &a 1\n", "  - id: 'q'\n", "  - id: a #c\n",
                                 "  - id: x\n\n", "  - {id: 1}\n", "  - id: |\n      x\n"])
def test_fast_yaml_steps_aside_for_anything_else(bad):
    text = "rules:\n" + "  - id: 1\n" * 1200 + bad + "  - id: 2\n" * 10
    assert fastyaml.split(text)[1] == {}


# ---- CSV: whole-text split vs the csv module ----

@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet="ab1 ,\t\u3000-", max_size=4), min_size=3, max_size=3),
                     min_size=1, max_size=8)
       | st.lists(st.lists(st.text(alphabet="ab1-", min_size=1, max_size=4), min_size=3, max_size=3), min_size=1,
                  max_size=8))  # the second: pristine exports
def test_plain_csv_split_equals_the_csv_module(rows):
    text = "a,b,c\n" + "".join(",".join(r) + "\n" for r in rows)

    def outcome(read):
        try:
            t = read()
        except InputError as exc:
            return exc.render()
        for label in t.pristine:  # what the normalisers then skip must hold
            assert all(c and c.isascii() and not any(ch.isspace() for ch in c) for c in t.columns[label])
            for name in ("staff_id", "unit", "name"):
                spec = kinds.spec("staff")
                assert spec.convert_column(name, t.columns[label], pristine=True) == spec.convert_column(
                    name, t.columns[label], plain=True)
        return t.headers, t.columns, list(t.lines)

    def slow():
        slow_rows, slow_lines = readers._csv_rows_with_lines(text, "f.csv", ",")
        return readers.build_table(slow_rows, slow_lines, "f.csv", None, "utf-8")

    assert outcome(lambda: readers.read_table(text.encode(), "f.csv", "csv")) == outcome(slow)


# ---- the parse cache ----

TRAINING = [{"staff_id": "S001", "course": "security-basic", "completed_on": "2025-05-01"},
            {"staff_id": "S002", "course": "security-basic", "completed_on": "R7.6.1"}]


def setup(tmp_path):
    policy = write_policy(tmp_path, controls={"TR-01": {"params": {"course": "security-basic"}}})
    return policy, write_evidence(tmp_path / "ev", datasets(TRAINING))


def datasets(training):
    return {"org_units": ORG, "training_records": training,
            "staff": [{"staff_id": s, "unit": "0200"} for s in ("S001", "S002", "S003")]}


def test_second_run_is_served_from_the_cache_and_a_changed_file_never_is(tmp_path):
    policy, ev = setup(tmp_path)
    args = ("--policy", policy, "--evidence", ev, "--control", "TR-01")
    _, first = check_json(*args)
    folder = tmp_path / ".auditor" / "cache"
    entries = sorted(folder.iterdir())
    assert entries  # written beside the policy
    _, second = check_json(*args)
    assert second["results"] == first["results"]
    write_evidence(ev, datasets(TRAINING + [{"staff_id": "S003", "course": "security-basic",
                                             "completed_on": "2025-07-01"}]))
    _, third = check_json(*args)
    assert [f["id"] for r in third["results"] for f in r["findings"]] == []  # S003 now trained: not the old result
    assert len(list(folder.iterdir())) > len(entries)


CELLS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, 1.0]),
                  st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 5)), st.text(alphabet="ab\x00", max_size=2),
                  st.lists(st.sampled_from(["0100", "0200"]), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=6), st.integers(1, 300), st.sampled_from(["repeat", "distinct"]))
def test_every_column_encoding_gives_back_the_same_values_and_types(cells, n, shape):
    # long columns take the index and joined-text forms; the cells mix types as badly written files do
    column = [cells[i % len(cells)] for i in range(n)] if cells else []
    if shape == "distinct":
        column = [f"S{i:06d}" for i in range(n)] + column
    try:
        blob = marshal.dumps(cache._encode(column))
    except ValueError:  # dates mixed with other types: such a file is not cached (cache.store)
        assert dt.date in set(map(type, column)) and len(set(map(type, column)) - {type(None)}) > 1
        return
    back = cache._decode(marshal.loads(blob))
    assert back == column and list(map(type, back)) == list(map(type, column))


def test_parse_cache_written_in_the_background_serves_every_file_of_the_next_run(tmp_path, monkeypatch):
    policy, ev = setup(tmp_path)
    args = ("--policy", policy, "--evidence", ev, "--control", "TR-01", "--lang", "en")
    _, first = check_json(*args)
    for entry in (tmp_path / ".auditor" / "cache").glob("run-*"):
        entry.unlink()  # as after a change to something else: the result must be made again

    def no_reading(*a, **k):
        raise AssertionError("a file was parsed again")
    monkeypatch.setattr(readers, "read_table", no_reading)
    _, second = check_json(*args)
    assert second["results"] == first["results"]


def test_damaged_or_foreign_cache_entries_are_ignored(tmp_path):
    policy, ev = setup(tmp_path)
    args = ("--policy", policy, "--evidence", ev, "--control", "TR-01")
    _, first = check_json(*args)
    for entry in (tmp_path / ".auditor" / "cache").iterdir():
        entry.write_bytes(entry.read_bytes()[:-5] + b"xxxxx")  # its digest no longer matches
    _, again = check_json(*args)
    assert again["results"] == first["results"]
    shutil.rmtree(tmp_path / ".auditor")  # always safe to delete
    assert check_json(*args)[1]["results"] == first["results"]


def test_cache_round_trip_keeps_dates_lists_and_lines(tmp_path):
    import datetime as dt
    from auditor.sealed import Store
    columns = {"d": [dt.date(2025, 4, 1), None, dt.date(2025, 4, 1)], "u": [["a", "b"], [], None], "n": [1, 2.5, True]}
    store = Store(tmp_path, b"k" * 32)  # entries are signed (auditor/sealed.py)
    # fields, encoding, occurrences, cleaning, remarks of the reading (rows a layout option left out)
    rest = (["d", "u", "n"], None, [], [(3, "u", "u", ["U+200B"], False)], [("skip_rows", 4, "ja", "en")])
    cache.store(store, "k", columns, range(2, 5), rest)
    got = cache.load(store, "k")
    assert got == (columns, range(2, 5), rest)
    assert cache.load(store, "missing") is None


def _changed(spec: dict):
    """Another value of the type a manifest option's schema gives."""
    if "enum" in spec:
        return spec["enum"][-1]
    if "oneOf" in spec:  # e.g. null_values: a list, or field: list
        return _changed(spec["oneOf"][0])
    kind = spec.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    return {"string": "zz", "integer": 7, "object": {"k": {"v": "w"}}, "array": ["zz"], "boolean": True}[kind]


def test_every_reading_option_of_the_manifest_is_in_the_parse_cache_key():
    """The key is the reading as the reader uses it (loader._reading), so an option the manifest gains
    (any key its schema allows) is in the key without anyone listing it; only what an entry says about
    its file (who gave it, when, a description) is not."""
    from auditor import schema
    from auditor.evidence import loader
    from auditor.limits import DEFAULT, Limits

    options = schema.load("manifest")["properties"]["files"]["items"]["properties"]
    base = {"path": "a.csv", "kind": "staff", "provided_by": "x", "collected_on": "2026-03-01",
            "columns": {"職員番号": "staff_id", "ID": "staff_id"}}

    def key(entry, limits=DEFAULT):
        return cache.key("ab" * 32, loader._reading(entry), "schema", limits)
    before = key(base)
    for name, spec in options.items():
        changed = key(dict(base, **{name: _changed(spec)}))
        assert (changed == before) == (name in loader._ABOUT), name
    assert key(dict(base, path="a.tsv")) != before  # the format the name implies
    assert key(dict(base, format="csv")) == before  # ...is the format, written or not
    assert key(dict(base, columns={"ID": "staff_id", "職員番号": "staff_id"})) != before  # the first one wins
    assert key(dict(base, values={"mfa": {"1": True}})) != key(dict(base, values={"mfa": {"1": "true"}}))
    assert key(base, Limits(max_rows=10)) != before and key(base, Limits(max_file_size=10)) != before


def test_the_parse_cache_code_digest_covers_every_module_the_reading_imports():
    """Derived from the stage folders, not listed: a new reader module can never be left out."""
    from test_architecture import PACKAGE, _graph

    graph = _graph()
    seen, todo = set(), ["auditor.evidence.loader", "auditor.evidence.readers.xlsx"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    files = {p.resolve() for p in cache.code_files()}
    for module in seen:
        path = PACKAGE.parent.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        assert path.resolve() in files, module


# ---- manifest: records:, and one file under two kinds ----

def test_one_yaml_file_with_two_lists_read_as_two_kinds(tmp_path):
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "audits.yaml").write_text(
        "departments:\n  - {id: '0110', name: 総務課}\n  - {id: '0220', name: 情報政策課}\n"
        "audits:\n  - {kind: internal, department: '0110', date: 2025-06-01}\n", encoding="utf-8")
    (ev / "manifest.yaml").write_text(
        "organisation: 例\nfiscal_year: 2025\nfiles:\n"
        "  - {path: audits.yaml, kind: org_units, records: departments, columns: {id: code}, provided_by: x, collected_on: 2026-03-01}\n"
        "  - {path: audits.yaml, kind: audits, records: audits, columns: {department: auditees, date: ended_on},"
        " provided_by: x, collected_on: 2026-03-01}\n", encoding="utf-8")
    code, doc = check_json("--policy", write_policy(tmp_path), "--evidence", ev, "--control", "AU-01")
    assert code in (0, 1) and {f["path"] for f in doc["evidence"]} == {"audits.yaml"}
    assert [(f["kind"], f["records"]) for f in doc["evidence"]] == [("org_units", 2), ("audits", 1)]
    (ev / "manifest.yaml").write_text((ev / "manifest.yaml").read_text(encoding="utf-8").replace(
        "records: audits", "records: audit_list"), encoding="utf-8")
    result = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--control", "AU-01")
    assert result.exit_code == 2 and "audit_list" in result.stderr


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_file_listed_many_times_is_read_hashed_and_parsed_once(tmp_path, monkeypatch, fmt):
    """Bytes read and hashed once per file (aliases included), the document parsed once for all its lists."""
    import hashlib
    import json

    from auditor.evidence import loader, sources
    from auditor.evidence.readers import documents

    calls = {"read": 0, "hash": 0, "parse": 0}
    read, sha, parser = sources.read_regular, hashlib.sha256, getattr(documents, fmt.capitalize())

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    def hashing(data=b"", *args, **kwargs):
        calls["hash"] += data == content  # the file's bytes, not the cache keys
        return sha(data, *args, **kwargs)

    monkeypatch.setattr(sources, "read_regular", counting("read", read))
    monkeypatch.setattr(sources.hashlib, "sha256", hashing)
    monkeypatch.setattr(documents, fmt.capitalize(), counting("parse", parser))
    ev = write_evidence(tmp_path / "ev", {})
    lists = {f"l{j}": [{"code": f"{j}{i:03}", "name": f"課{j}-{i}"} for i in range(3)] for j in range(5)}
    content = json.dumps(lists).encode()
    (ev / f"org.{fmt}").write_bytes(content)
    (ev / "manifest.yaml").write_text("organisation: 例\nfiscal_year: 2025\nfiles:\n" + "".join(
        f"  - {{path: {'./' if j % 2 else ''}org.{fmt}, kind: org_units, records: l{j}, provided_by: x,"
        " collected_on: 2026-03-01}\n" for j in range(5)), encoding="utf-8")
    evidence = loader.load(ev)
    assert len(evidence.datasets["org_units"].columns["code"]) == 15
    assert calls == {"read": 1, "hash": 1, "parse": 1}


def test_a_document_found_valid_once_is_still_checked_when_it_changes(tmp_path):
    policy, ev = setup(tmp_path)
    check_json("--policy", policy, "--evidence", ev, "--control", "TR-01")
    memo = Path(os.environ["AUDITOR_CACHE_KEY_FILE"]).parent / "shipped-valid"  # the user's (caches.shipped_memo)
    assert list(memo.glob("valid-*"))  # policy, manifest, controls remembered
    policy.write_text(policy.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    result = invoke("check", "--policy", policy, "--evidence", ev, "--control", "TR-01")
    assert result.exit_code == 2 and "colour" in result.stderr


def test_reading_the_largest_file_in_a_second_process_changes_nothing(tmp_path, monkeypatch, sample_copy):
    from auditor.evidence import prefetch
    policy = tmp_path / "policy.yaml"
    shutil.copy(Path(__file__).parent.parent / "policies" / "sample-city.yaml", policy)
    _, alone = check_json("--policy", policy, "--evidence", sample_copy)
    shutil.rmtree(tmp_path / ".auditor")
    monkeypatch.setattr(prefetch, "MIN_BYTES", 0)
    _, shared = check_json("--policy", policy, "--evidence", sample_copy)
    assert shared["results"] == alone["results"]
    assert shared["my_number_notices"] == alone["my_number_notices"]
    # a file the worker cannot read is read again here, with the usual message
    shutil.rmtree(tmp_path / ".auditor")
    big = max(sample_copy.iterdir(), key=lambda p: p.stat().st_size if p.name != "manifest.yaml" else 0)
    big.write_bytes(b"\xff\xfe\x00garbage" * 2000)
    result = invoke("check", "--policy", policy, "--evidence", sample_copy)
    assert result.exit_code == 2 and big.name in result.stderr and "Traceback" not in result.output


def test_one_line_json_export_reads_as_columns_on_line_one():
    text = '{"records":[{"id":"a","n":"1"},{"id":"b","n":""},{"id":"c","n":null}]}'
    t = readers.read_table(text.encode(), "f.json", "json")
    assert t.columns == {"id": ["a", "b", "c"], "n": ["1", None, None]} and list(t.lines) == [1, 1, 1]
    pretty = '{\n "records": [\n  {"id": "a", "n": true},\n  {"id": "b", "n": "x"}\n ]\n}\n'
    t = readers.read_table(pretty.encode(), "f.json", "json")  # mixed types: record by record
    assert t.columns == {"id": ["a", "b"], "n": ["true", "x"]} and list(t.lines) == [3, 4]
    with pytest.raises(InputError, match="duplicate key 'id'"):
        readers.read_table(b'[{"id":"a","id":"b"}]', "f.json", "json")


def test_parse_cache_key_names_the_python_and_the_marshal_format(monkeypatch):
    """An entry written by another Python (another marshal format) is never read back."""
    entry = {"kind": "staff", "format": "csv"}
    before = cache.key("ab" * 32, entry, "schema")
    monkeypatch.setattr(cache.marshal, "version", cache.marshal.version + 1)
    assert cache.key("ab" * 32, entry, "schema") != before
    monkeypatch.undo()
    monkeypatch.setattr(cache.sys, "version", "3.99.0 (another build)")
    assert cache.key("ab" * 32, entry, "schema") != before


def test_a_process_running_other_threads_reads_everything_itself(tmp_path, monkeypatch, sample_copy):
    """auditor called from a threaded program does not fork (the copy would hold the other threads' locks):
    the same results, every file read in this process."""
    import threading

    from auditor.evidence import prefetch
    policy = tmp_path / "policy.yaml"
    shutil.copy(Path(__file__).parent.parent / "policies" / "sample-city.yaml", policy)
    monkeypatch.setattr(prefetch, "MIN_BYTES", 0)
    _, alone = check_json("--policy", policy, "--evidence", sample_copy)
    shutil.rmtree(tmp_path / ".auditor")
    forks = []
    monkeypatch.setattr(prefetch.os, "fork", lambda: forks.append(1) or pytest.fail("forked beside a thread"))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        _, threaded = check_json("--policy", policy, "--evidence", sample_copy)
    finally:
        stop.set()
        other.join()
    assert threaded["results"] == alone["results"] and not forks
