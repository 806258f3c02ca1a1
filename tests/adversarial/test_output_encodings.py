"""stdout and stderr in an encoding that lacks characters of the output never crash the run.

A redirect on Japanese Windows writes CP932 (PYTHONIOENCODING=cp932 here), an English one CP1252; the
sample's text holds "—" and "–", which CP932 lacks. Machine formats are written in the UTF-8 their
readers require, byte for byte as on a UTF-8 console; text is written in the console's encoding, with a
look-alike (or a visible \\uXXXX) for what it cannot hold.
"""
import json

import pytest

from .harness import label_of, run_cli

MACHINE = ("json", "github", "junit", "sarif", "gitlab")


def _check(case, fmt, request, encoding):
    args = ["check", "--policy", case.policy, "--evidence", case.evidence, "--format", fmt, "--lang", "ja"]
    return run_cli(args, case.root, label=label_of(request), env={"PYTHONIOENCODING": encoding})


@pytest.mark.parametrize("fmt", MACHINE)
@pytest.mark.parametrize("encoding", ["cp932", "cp1252"])
def test_machine_formats_are_utf8_whatever_the_console(sample, request, fmt, encoding):
    plain = _check(sample, fmt, request, "utf-8")
    run = _check(sample, fmt, request, encoding)
    assert plain.code in (0, 1)
    assert fmt != "json" or {"—", "–"} <= set(plain.raw.decode("utf-8"))  # what CP932 lacks is there
    assert run.code == plain.code, run.stderr
    assert "Traceback" not in run.stderr
    assert run.raw == plain.raw  # the same document, not one altered to fit the console
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(run.raw.decode("utf-8"))


@pytest.mark.parametrize("encoding, lookalike", [("cp932", "―"), ("cp1252", "—"), ("ascii", None)])
def test_text_is_written_in_the_console_encoding(sample, request, encoding, lookalike):
    plain = _check(sample, "text", request, "utf-8")
    run = _check(sample, "text", request, encoding)
    assert run.code == plain.code, run.stderr
    assert "Traceback" not in run.stderr
    if encoding == "ascii":  # click writes UTF-8 to an ASCII stream rather than lose the Japanese
        text = run.raw.decode("utf-8")
    else:
        text = run.raw.decode(encoding)  # strictly: every byte is valid in the console's encoding
    assert text.count("\n") == plain.stdout.count("\n")
    if lookalike and "—" in plain.stdout:
        assert lookalike in text


@pytest.mark.parametrize("encoding", ["cp932", "cp1252"])
def test_cycle_commands_in_json_stay_utf8(sample, request, encoding):
    args = ["exceptions", "list", "--policy", sample.policy, "--date", "2026-03-31", "--format", "json"]
    plain = run_cli(args, sample.root, label=label_of(request))
    run = run_cli(args, sample.root, label=label_of(request), env={"PYTHONIOENCODING": encoding})
    assert run.code == plain.code == 0, run.stderr
    assert run.raw == plain.raw and json.loads(run.raw.decode("utf-8"))


@pytest.mark.parametrize("name", ["証跡—2025", "ev\u2013x", "ev\U00020bb7"])
@pytest.mark.parametrize("encoding", ["cp932", "ascii", "latin-1"])
def test_error_messages_with_characters_the_console_lacks(case, request, name, encoding):
    """An error naming a path the console cannot spell is still the error (exit 2), not a crash."""
    missing = case.root / name
    run = run_cli(["check", "--policy", case.policy, "--evidence", missing], case.root, label=label_of(request),
                  env={"PYTHONIOENCODING": encoding})
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("error: ") and "manifest" in run.stderr
    assert "Traceback" not in run.stderr


def test_error_message_with_an_undecodable_file_name(case, request):
    """A name that is not UTF-8 reaches Python as lone surrogates, which even UTF-8 cannot write."""
    import os

    folder = os.fsencode(str(case.root)) + b"/ev\xff\xfe"
    os.mkdir(folder)
    run = run_cli(["check", "--policy", case.policy, "--evidence", os.fsdecode(folder)], case.root,
                  label=label_of(request))
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("error: ") and "\\udcff" in run.stderr
