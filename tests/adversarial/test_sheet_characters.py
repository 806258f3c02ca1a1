"""Evidence text holding characters a worksheet cannot (XML 1.0 forbids most control characters) still
exports as a progress sheet that opens, shows what was written, and imports back.

Word's line break (U+000B) pasted into a department name was an IllegalCharacterError, a crash.
"""
import pytest
import yaml

from .harness import label_of, run_cli

NAMES = {  # what the department is called in org_units -> how its sheet cell reads
    "vertical tab (Word's line break)": ("道路\x0b課", "道路\n課"),
    "form feed": ("道路\x0c課", "道路\\x0c課"),
    "unit separator": ("道路\x1f課", "道路\\x1f課"),
    "backspace": ("\x08道路課", "\\x08道路課"),
}


def _rename(case, name):
    path = case.evidence / "org_units.yaml"
    units = yaml.safe_load(path.read_text(encoding="utf-8"))
    (unit,) = [u for u in units if u["code"] == "0510"]
    unit["name"] = name
    path.write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("variant", list(NAMES))
def test_progress_sheet_with_control_characters(sample, request, variant):
    import openpyxl

    name, shown = NAMES[variant]
    _rename(sample, name)
    db = sample.root / "history.sqlite"
    common = ["--policy", sample.policy, "--db", db]
    run = run_cli(["check", "--policy", sample.policy, "--evidence", sample.evidence, "--record", "--db", db,
                   "--format", "json"], sample.root, label=label_of(request))
    assert run.code in (0, 1), run.stderr
    sheet = sample.root / "道路課.xlsx"
    run = run_cli(["actions", "export", *common, "--department", "0510", "--out", sheet, "--date", "2026-04-15"],
                  sample.root, label=label_of(request))
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    rows = list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))
    assert len(rows) > 1 and all(r[5] == shown for r in rows[1:]), rows[1]
    run = run_cli(["actions", "import", sheet, "--department", "0510", "--by", "担当 山田", *common, "--date", "2026-04-20",
                   "--dry-run"],
                  sample.root, label=label_of(request))
    assert run.code == 0, run.stderr  # the sheet goes back in: action IDs and statuses untouched


def test_progress_csv_keeps_the_characters(sample, request):
    """CSV can hold them: the department's sheet shows the name exactly as the evidence has it."""
    import csv
    import io

    _rename(sample, "道路\x0b課")
    db = sample.root / "history.sqlite"
    run = run_cli(["check", "--policy", sample.policy, "--evidence", sample.evidence, "--record", "--db", db,
                   "--format", "json"], sample.root, label=label_of(request))
    assert run.code in (0, 1), run.stderr
    sheet = sample.root / "道路課.csv"
    run = run_cli(["actions", "export", "--policy", sample.policy, "--db", db, "--department", "0510", "--out", sheet],
                  sample.root, label=label_of(request))
    assert run.code == 0, run.stderr
    rows = list(csv.reader(io.StringIO(sheet.read_bytes().decode("utf-8-sig"), newline="")))
    rows = rows[2:]  # below the marked first row (whose sheet it is) and the blank row after it
    assert rows[1][5] == "道路\x0b課"
