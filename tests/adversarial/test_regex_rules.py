"""A user control's regex is bounded work: linear time whatever the pattern and the cell (RE2), and a
pattern that cannot be bounded is refused at the control's file and line (exit 2), never run anyway.

`regex: '(a+)+$'` took 21.7 s on a 28-character cell and over 60 s on 30 with Python's engine.
"""
import json
import re

import pytest

from .harness import accepted, label_of, local_control, messages, refused

RULE_LINE = 8  # the line of `rule:` in a control written by local_control
HEADER = "rule_id,src_zone,dst_zone,action\n"


def _flows(case, ids):
    rows = "".join(f"{i},lgwan,internet,deny\n" for i in ids)
    (case.evidence / "fw.csv").write_text(HEADER + rows, encoding="utf-8")
    case.add_file("fw.csv", None)


def _control(case, pattern: str, message: str = "a") -> None:
    """A control whose rule is `none: flow_rules where rule_id matches PATTERN` (a Python pattern)."""
    local_control(case, f"{{none: flow_rules, where: {{rule_id: {{regex: {json.dumps(pattern)}}}}}}}", message=message,
                  evidence="flow_rules")


@pytest.mark.parametrize("pattern, hostile", [
    (r"(a+)+$", "a" * 30 + "!"), (r"(a|aa)+$", "a" * 60 + "!"), (r"(a|a)*b$", "a" * 60),
    (r"(\w+\s?)+$", "word " * 30 + "!"), (r"(.*a){25}", "a" * 24 + "b" * 2000),
    (r"^(([a-z])+.)+[A-Z]([a-z])+$", "a" * 60 + "!"), (r"(a+)+$", "a" * 100_000 + "!"),
])
def test_catastrophic_pattern_on_a_user_control(case, request, pattern, hostile):
    """Each hostile cell fails to match at once; the short rows match as Python says they do."""
    short = ["R2", "aaaa", "Word word", "aB"]
    _flows(case, [short[0], hostile, *short[1:], hostile])
    _control(case, pattern, message="{rule_id}")
    run, doc = accepted(case, label=label_of(request), timeout=30)
    assert run.seconds < 15, f"{run.seconds:.1f}s"
    assert set(messages(doc, "LOCAL-01")) == {v for v in ["R1", *short] if re.search(pattern, v)}


@pytest.mark.parametrize("pattern, words", [
    (r"(a)\1", "a back-reference"), (r"(?=R)R", "look-ahead"), (r"(?<!x)R", "negative look-around"),
    (r"\bR1", r"\b and \B on Unicode text"), (r"R$1", "'$' followed by more pattern"), (r"a{5000}", "RE2 cannot run it"),
    (r"(R)?(?(1)1|2)", "a conditional group"),
])
def test_pattern_that_cannot_be_bounded_is_refused_at_its_line(case, request, pattern, words):
    _flows(case, ["R1"])
    _control(case, pattern)
    refused(case, file="local-01.yaml", line=RULE_LINE, words=["regex", words], commands=("check", "report"),
            label=label_of(request))


def test_pattern_refused_in_validate_too(case, request):
    """`auditor validate` checks controls: it refuses the pattern before any evidence is evaluated."""
    from .harness import run_cli

    _control(case, r"(a)\1")
    run = run_cli(["validate", "--policy", case.policy, "--evidence", case.evidence, "--controls", case.controls],
                  case.root, label=label_of(request))
    assert run.code == 2 and f"local-01.yaml:{RULE_LINE}:" in run.stderr, run.stderr


def test_missing_engine_is_an_input_error_not_a_fallback(case, request):
    """Without google-re2 a regex rule is refused (exit 2, naming the control), never run by Python's engine."""
    from .harness import run_cli

    _flows(case, ["R1"])
    _control(case, "^R")
    args = ["check", "--policy", case.policy, "--evidence", case.evidence, "--controls", case.controls]
    run = run_cli(args, case.root, label=label_of(request), prelude="import sys\nsys.modules['re2'] = None")
    assert run.code == 2, run.stderr
    # the first regex rule loaded is named: a shipped one (TR-01's course pattern) comes before local-01.yaml
    assert re.search(r"(local-01|02-training)\.yaml:\d+: ", run.stderr), run.stderr
    assert "google-re2 is not installed" in run.stderr


def test_meaning_is_pythons(case, request):
    """Unicode digits and spaces, `$` before a final newline, case-insensitive matching: as documented."""
    _flows(case, ["R١٢", "X 1", "ca-7", "CA-8"])
    local_control(case, '{none: flow_rules, where: {any: [{rule_id: {regex: "^R\\\\d+$"}}, '
                        '{rule_id: {regex: "(?i)^ca-\\\\d$"}}]}}', message="{rule_id}", evidence="flow_rules")
    _, doc = accepted(case, label=label_of(request))
    assert messages(doc, "LOCAL-01") == ["CA-8", "R1", "R١٢", "ca-7"]  # R1: the case's own rule
