"""An unexpected error is not a finding: exit 3 (ExitCode.CRASH), never 1, which CI reads as "findings open".

Each case makes one part of the code raise, as a bug would, in a real `auditor` process: the user sees one
line naming --debug, no traceback and no My Number; with --debug (or AUDITOR_DEBUG=1) the traceback, masked.
"""
import pytest

from .harness import PREVIOUS, label_of, run_cli

MY_NUMBER = "123456789018"  # a valid check digit: the masking must catch it


def _raising(target: str, exc: str) -> str:
    module, _, name = target.rpartition(".")
    return f"import {module} as m\ndef boom(*a, **k):\n    raise {exc}\nm.{name} = boom\n"


CASES = {
    "check": (["check", "--format", "json"], "auditor.engine.audit.run", f"RuntimeError('boom in row {MY_NUMBER}')"),
    "report": (["report", "--out", "reports", "--format", "json"], "auditor.reporters.report.generate",
               f"KeyError('1234 5678 9018')"),
    "validate": (["validate"], "auditor.evidence.loader.load", "AttributeError('no attribute x')"),
    "controls list": (["controls", "list"], "auditor.catalogue.controls.load", "ZeroDivisionError('division by zero')"),
    "exceptions list": (["exceptions", "list"], "auditor.catalogue.policy.load", "TypeError('bad operand')"),
}


def _case_args(case, args):
    if args[0] in ("check", "report", "validate"):
        return [args[0], "--policy", case.policy, "--evidence", case.evidence, *args[1:]]
    if args[0] == "exceptions":
        return [*args, "--policy", case.policy]
    return args


@pytest.mark.parametrize("name", list(CASES))
def test_a_crash_exits_3_with_one_line(case, request, name):
    args, target, exc = CASES[name]
    run = run_cli(_case_args(case, args), case.root, label=label_of(request), prelude=_raising(target, exc))
    assert run.code == 3, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: internal error, not a finding ("), run.stderr
    assert "--debug" in lines[0]
    assert exc.partition("(")[0] in lines[0]  # the exception's type, for a bug report
    assert MY_NUMBER not in run.stderr and "1234 5678 9018" not in run.stderr
    assert run.stdout == ""


def test_a_crash_is_said_in_japanese_by_default(case, request):
    args, target, exc = CASES["check"]
    run = run_cli(_case_args(case, args), case.root, label=label_of(request), prelude=_raising(target, exc),
                  japanese=True)
    assert run.code == 3 and "Traceback" not in run.stderr
    line, = run.stderr.strip().splitlines()
    assert line.startswith("エラー: 内部エラーです（指摘ではありません）（") and "--debug" in line


def test_a_crash_leaves_the_previous_output(case, request):
    out = case.root / "result.json"
    out.write_bytes(PREVIOUS)
    args = ["check", "--policy", case.policy, "--evidence", case.evidence, "--format", "json", "--output", out]
    run = run_cli(args, case.root, label=label_of(request),
                  prelude=_raising("auditor.reporters.jsonout.render", "IndexError('list index out of range')"))
    assert run.code == 3, run.stderr
    assert out.read_bytes() == PREVIOUS


@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_shows_the_traceback_masked(case, request, how):
    args, target, exc = CASES["check"]
    args = _case_args(case, args)
    run = run_cli(["--debug", *args] if how == "option" else args, case.root, label=label_of(request),
                  env={"AUDITOR_DEBUG": "1"} if how == "environment" else None, prelude=_raising(target, exc))
    assert run.code == 3
    assert "Traceback (most recent call last)" in run.stderr and "RuntimeError" in run.stderr
    assert MY_NUMBER not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("error: internal error, not a finding (")


def test_out_of_memory_is_a_crash_not_a_finding(case, request):
    args, target, _ = CASES["check"]
    run = run_cli(_case_args(case, args), case.root, label=label_of(request), prelude=_raising(target, "MemoryError()"))
    assert run.code == 3, run.stderr
    assert run.stderr.startswith("error: out of memory") and "Traceback" not in run.stderr


def test_bad_input_and_findings_keep_their_codes(case, request):
    """The crash code does not swallow the others: bad input is still 2, a clean run 0 or 1."""
    run = run_cli(["check", "--policy", case.root / "missing.yaml", "--evidence", case.evidence], case.root,
                  label=label_of(request))
    assert run.code == 2 and run.stderr.startswith("error: ")
    run = run_cli(["check", "--policy", case.policy, "--evidence", case.evidence], case.root, label=label_of(request))
    assert run.code in (0, 1), run.stderr
