"""A cache folder is not trusted (issue 12 §2): a CI cache is writable by every job of the project, and a
folder may be copied from anywhere. An entry is used only when the user's secret signed it under its own
name (auditor/sealed.py); anything else, and anything malformed, is ignored: the run gives what a run
without any cache gives, with no traceback.
"""
import hashlib
import json
import marshal
import os
import shutil
import subprocess
import sys

from pathlib import Path

import pytest

from auditor import sealed
from conftest import ROOT
from .harness import label_of, run_cli

FORGED = json.dumps({"results": [], "forged": True})


def _check(case, request, *options):
    out = case.root / "outputs" / "result.json"
    out.parent.mkdir(exist_ok=True)
    out.unlink(missing_ok=True)
    args = ["check", "--policy", case.policy, "--evidence", case.evidence, "--format", "json", "--output", out]
    run = run_cli([*args, *options], case.root, label=label_of(request))
    assert not run.timed_out and "Traceback" not in run.stderr, run.stderr
    return run.code, out.read_bytes() if out.exists() else None, run.stderr


def _folder(case):
    return case.root / ".auditor" / "cache"


def _fresh(case, request):
    saved = case.root / "saved-cache"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.move(_folder(case), saved)
    try:
        return _check(case, request)
    finally:
        shutil.rmtree(_folder(case), ignore_errors=True)
        shutil.move(saved, _folder(case))


def _memo_folder():
    """The user's memo beside the key file (cli/caches.shipped_memo), where `valid-*` verdicts are kept."""
    return Path(os.environ["AUDITOR_CACHE_KEY_FILE"]).parent / "shipped-valid"


def _mine():
    return sealed.Store("/nonexistent", open(os.environ["AUDITOR_CACHE_KEY_FILE"], "rb").read().strip())


def _entries(case, prefix=""):
    kinds = ("run-", "valid-")
    return [p for p in _folder(case).iterdir() if not p.name.startswith(".")
            and (p.name.startswith(prefix) if prefix else not p.name.startswith(kinds))]


def _sha_signed(payload: bytes) -> bytes:
    """What the earlier format accepted: its SHA-256 in front."""
    return hashlib.sha256(payload).digest() + payload


def _other_secret(payload: bytes, name: str) -> bytes:
    store = sealed.Store("/nonexistent", b"another machine's secret, 32 b")
    return store._mac(name, payload) + payload


# ---- forged, copied, or signed with another secret: never trusted ----

FORGERIES = {
    "result with its SHA-256 in front": ("run-", lambda p, name: _sha_signed(marshal.dumps((0, FORGED)))),
    "result signed with another secret": ("run-", lambda p, name: _other_secret(marshal.dumps((0, FORGED)), name)),
    "parse entry hiding the flow rules, SHA-256 in front": (
        "", lambda p, name: _sha_signed(marshal.dumps(({}, [], ([], "utf-8", []))))),
    "parse entry hiding the flow rules, another secret": (
        "", lambda p, name: _other_secret(marshal.dumps(({}, [], ([], "utf-8", []))), name)),
    "entry truncated": ("", lambda p, name: p.read_bytes()[:40]),
    "entry emptied": ("", lambda p, name: b""),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_entry_is_never_trusted(sample, request, forgery):
    prefix, forge = FORGERIES[forgery]
    first = _check(sample, request)
    assert first[0] == 1  # the sample fails NS-01 and others
    for path in _entries(sample, prefix):
        path.write_bytes(forge(path, path.name))
    if not prefix:  # the parse entries only: the result must be made again from them
        for path in _entries(sample, "run-"):
            path.unlink()
    assert _check(sample, request) == first


def _memo_name(case, document: str, schema: str) -> str:
    """The name the tool gives the memo of this document, computed by the tool's own code in a process
    like the CLI's (the same import folders, so the same runtime in the name)."""
    code = ("import sys; from auditor import schema, sealed, yamlio; "
            "data, _ = yamlio.read_config(sys.argv[1]); "
            "print(schema._memo(sealed.Store('.', b'x' * 32), sys.argv[2], data))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, document, schema], cwd=case.root, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("memo", ["empty", "the word, unsigned", "SHA-256 in front", "another secret"])
def test_a_schema_memo_is_never_trusted_unsigned(case, request, memo):
    """`valid-*` says a document passed its schema: a forged one must not let a broken manifest in."""
    _check(case, request)
    assert list(_memo_folder().glob("valid-*"))  # the test is not vacuous: memos are written
    manifest = case.evidence / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    name = _memo_name(case, manifest, "manifest")
    payload = {"empty": b"", "the word, unsigned": b"valid", "SHA-256 in front": _sha_signed(b"valid"),
               "another secret": _other_secret(b"valid", name)}[memo]
    for folder in (_folder(case), _memo_folder()):  # the project's cache or the user's memo: never trusted
        (folder / name).write_bytes(payload)
    refused = _check(case, request)
    assert refused[0] == 2 and "colour" in refused[2]


def test_an_entry_copied_under_another_name_is_never_served(case, request):
    """A genuine result of one run, put where another run's result would be, is not that run's result."""
    one = _check(case, request, "--lang", "en")
    (old,) = _entries(case, "run-")
    genuine = old.read_bytes()
    two = _check(case, request)
    (new,) = [p for p in _entries(case, "run-") if p.name != old.name]
    new.write_bytes(genuine)  # the first run's output, signed, under the second run's name
    assert _check(case, request) == two != one


# ---- signed by our secret but malformed (an earlier version, a bug): ignored ----

MALFORMED_PARSE = {
    "not a triple": 5,
    "a column that is an empty tuple": ({"rule_id": ()}, [1], (["rule_id"], None, [])),
    "an index beyond its values": ({"rule_id": ("index", ["R1"], False, b"\x05\x00" * 300)}, ("range", 0, 300, 1),
                                   (["rule_id"], None, [])),
    "a column longer than the lines": ({"rule_id": ["R1", "R2"]}, [2], (["rule_id"], None, [])),
    "lines that are text": ({"rule_id": ["R1"]}, ["two"], (["rule_id"], None, [])),
    "the rest of another shape": ({"rule_id": ["R1"]}, [2], ("utf-8",)),
    "an occurrence of another shape": ({"rule_id": ["R1"]}, [2], (["rule_id"], None, [("x",)])),
    "a range of the wrong form": ({"rule_id": ["R1"]}, ("range", "a"), (["rule_id"], None, [])),
}
MALFORMED_RUN = {"exit code 5": (5, "{}"), "bytes for text": (1, b"{}"), "a list": [0, "{}"], "not marshal": None}


@pytest.mark.parametrize("shape", list(MALFORMED_PARSE) + list(MALFORMED_RUN))
def test_a_signed_but_malformed_entry_is_ignored(sample, request, shape):
    first = _check(sample, request)
    prefix = "run-" if shape in MALFORMED_RUN else ""
    value = MALFORMED_RUN.get(shape) if prefix else MALFORMED_PARSE[shape]
    for path in _entries(sample, prefix):
        payload = b"\x00not marshal" if value is None else marshal.dumps(value)
        path.write_bytes(_mine()._mac(path.name, payload) + payload)
    if not prefix:
        for path in _entries(sample, "run-"):
            path.unlink()
    assert _check(sample, request) == first


# ---- no usable secret: no cache, the same results ----

def test_entries_made_with_another_secret_are_not_used_and_the_output_is_the_same(sample, request, monkeypatch,
                                                                                 tmp_path):
    first = _check(sample, request)
    monkeypatch.setenv("AUDITOR_CACHE_KEY_FILE", str(tmp_path / "keys" / "another.key"))
    assert _check(sample, request) == first
    assert (tmp_path / "keys" / "another.key").stat().st_mode & 0o077 == 0  # made on first use, the user's only
