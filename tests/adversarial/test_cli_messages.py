"""What the CLI prints about what it was given never holds a My Number (issue 12).

Our own errors were masked; click's usage errors (a bad option value, an unknown option or command),
`warning:` lines and the lines saying where outputs went quote option values and file names as typed.
Each case gives a My Number where a user could: an option value, an output folder or file, a sheet's
file name, an evidence file name. The exit code and the message naming the option stay.
"""
import unicodedata

import pytest

from auditor.privacy import mynumber

from .harness import label_of, run_cli


def _number(seed: int) -> str:
    first = f"{seed:011d}"
    return first + str(mynumber.check_digit(first))


N = _number(27182818284)
FORMS = [N, f"{N[:4]}-{N[4:8]}-{N[8:]}", N.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})]
IDS = ["plain", "grouped", "full-width"]


def _clean(run) -> str:
    text = run.stdout + run.stderr
    flat = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit() or ch.isalpha())
    assert N not in flat and not mynumber.find(text), text[-2000:]
    assert "Traceback" not in text, text[-2000:]
    return text


def _base(case):
    return ["--policy", case.policy, "--evidence", case.evidence]


@pytest.mark.parametrize("form", FORMS, ids=IDS)
@pytest.mark.parametrize("args, option", [
    (["check", "--format", "{n}"], "--format"),
    (["check", "--fail-on", "{n}"], "--fail-on"),
    (["report", "--lang", "{n}"], "--lang"),
    (["check", "--max-rows", "{n}x"], "--max-rows"),
    (["check", "--max-file-size", "{n}Q"], "--max-file-size"),
    (["report", "--date", "{n}"], "--date"),
    (["report", "--date", "R8.4.{n}"], "--date"),
    (["actions", "list", "--date", "2026-13-{n}"], "--date"),
    (["check", "--no-such-{n}"], "--no-such-"),
    (["nosuch{n}"], "nosuch"),
    (["verify", "r.json", "--format", "{n}"], "--format"),
])
def test_a_bad_option_value_is_named_not_echoed(case, request, args, option, form):
    run = run_cli([a.format(n=form) for a in args], case.root, label=label_of(request))
    text = _clean(run)
    assert run.code == 2 and option in text


@pytest.mark.parametrize("form", FORMS, ids=IDS)
def test_where_the_reports_went_is_said_masked(case, request, form):
    out = case.root / f"監査_{form}"
    run = run_cli(["report", *_base(case), "--out", out, "--format", "json", "--date", "2026-04-15", "--sums"],
                  case.root, label=label_of(request))
    text = _clean(run)
    assert run.code == 0 and "wrote" in text and "SHA256SUMS" in text and (out / "report.json").is_file()
    run = run_cli(["verify", out / "report.json", "--evidence", case.evidence, "--lang", "en"], case.root,
                  label=label_of(request))
    assert run.code == 0 and "evidence folder compared" in _clean(run)


@pytest.mark.parametrize("form", FORMS, ids=IDS)
def test_a_progress_sheet_named_with_a_number(case, request, form):
    case.add_file("fw.csv", b"rule_id,src_zone,dst_zone,action\nR2,mynumber,internet,allow\n")  # an action for 0100
    db = case.root / "history.sqlite"
    run = run_cli(["check", *_base(case), "--record", "--db", db], case.root, label=label_of(request))
    assert run.code in (0, 1), run.stderr
    sheet = case.root / f"進捗_{form}.csv"
    for args in (["actions", "export", "--department", "0100", "--out", sheet, "--db", db, "--lang", "en"],
                 ["actions", "import", sheet, "--department", "0100", "--by", "情報政策課", "--db", db, "--dry-run"],
                 ["actions", "import", sheet, "--department", "0100", "--by", "情報政策課", "--db", db]):
        run = run_cli(args, case.root, label=label_of(request))
        assert run.code == 0, run.stderr
        assert "action(s)" in _clean(run) or "change(s)" in run.stderr


@pytest.mark.parametrize("form", FORMS, ids=IDS)
def test_a_warning_naming_an_evidence_file_is_masked(case, request, form):
    rows = "".join(f"R{i:03d},lgwan,internet,deny\n" for i in range(1, 9)) + "合計 8件,lgwan,internet,deny\n"
    case.add_file(f"fw_{form}.csv", ("rule_id,src_zone,dst_zone,action\n" + rows).encode("utf-8"))
    run = run_cli(["validate", *_base(case)], case.root, label=label_of(request))
    text = _clean(run)
    assert run.code == 0 and "warning: fw_" in text and ":10:" in text
