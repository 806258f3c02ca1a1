"""Caches make a run faster, never different (issue 12 §2): after any edit, a run with the caches of the
run before gives, byte for byte, what a run without any cache gives.

Each case runs `check --format json` once to fill the parse and result caches, edits the inputs, then
runs again with those caches and once more without them, and compares exit code, output and messages.
The classes: how a file is read (the key is the reading as the reader uses it), the limits, and the
other files of the evidence folder that the integrity block lists.
"""
import io
import shutil
import zipfile

import pytest
import yaml

from .harness import label_of, run_cli, xlsx

FLOW_HEADER = "rule_id,送信元,送信元(旧),dst_zone,action\n"
# allowed mynumber -> internet traffic: NS-01 fails when 送信元 is the column that counts
FLOW_ROWS = "R10,mynumber,lgwan,internet,allow\nR11,lgwan,lgwan,internet,deny\n"


def twice(case, request, edit, *options):
    """Fill the caches, edit, then compare the run served from them with a run without any cache."""
    first = _check(case, request, *options)
    assert first[0] in (0, 1), first
    more = edit()
    more = more if isinstance(more, list) else []  # an edit may give the options of the runs after it
    cached = _check(case, request, *options, *more)
    shutil.rmtree(case.root / ".auditor" / "cache", ignore_errors=True)
    fresh = _check(case, request, *options, *more)
    assert cached == fresh, f"cached and fresh runs differ:\n{cached[0]} {cached[2][-800:]}\n{fresh[0]} {fresh[2][-800:]}"
    assert "Traceback" not in fresh[2]
    return fresh


def _check(case, request, *options):
    out = case.root / "outputs" / "result.json"
    out.parent.mkdir(exist_ok=True)
    out.unlink(missing_ok=True)
    args = ["check", "--policy", case.policy, "--evidence", case.evidence, "--format", "json", "--output", out]
    run = run_cli([*args, *options], case.root, label=label_of(request))
    assert not run.timed_out
    return run.code, out.read_bytes() if out.exists() else None, run.stderr


def _flows(case, name="FWルール.csv", text=FLOW_HEADER + FLOW_ROWS, **entry):
    columns = entry.pop("columns", {"送信元": "src_zone", "送信元(旧)": "src_zone"})
    case.add_file(name, text.encode(), **entry)
    _edit_entry(case, name, columns=columns, **entry)  # in this order


def _edit_entry(case, name, **changes):
    """Change one manifest entry, keeping the order of every mapping as written here (it may decide)."""
    data = case.manifest()
    for e in data["files"]:
        if e["path"] == name:
            e.update(changes)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (case.evidence / "manifest.yaml").write_text(text, encoding="utf-8")


# ---- how a file is read: every reading option, and the format its name implies ----

def _rename(case, new):
    (case.evidence / "FWルール.csv").rename(case.evidence / new)
    _edit_entry(case, "FWルール.csv", path=new)


READINGS = {
    "renamed to .tsv (same bytes)": lambda case: _rename(case, "FWルール.tsv"),
    "renamed to .txt (same bytes)": lambda case: _rename(case, "FWルール.txt"),
    "format: set to what the name did not imply": lambda case: _edit_entry(case, "FWルール.csv", format="tsv"),
    "two columns mapped to one field, swapped": lambda case: _edit_entry(
        case, "FWルール.csv", columns={"送信元(旧)": "src_zone", "送信元": "src_zone"}),
    "two value spellings that NFKC joins, swapped": lambda case: _edit_entry(
        case, "FWルール.csv", values={"action": {"allｏw": "deny", "ａllow": "allow"}}),
    "delimiter changed": lambda case: _edit_entry(case, "FWルール.csv", delimiter=";"),
    "header_row changed": lambda case: _edit_entry(case, "FWルール.csv", header_row=2),
    "encoding declared": lambda case: _edit_entry(case, "FWルール.csv", encoding="cp932"),
    # the layout options (issue 16 §2): each changes which rows are records, or what they hold
    "skip_rows added": lambda case: _edit_entry(case, "FWルール.csv", skip_rows={"where": {"rule_id": "R10"}}),
    "key_pattern added": lambda case: _edit_entry(case, "FWルール.csv", key_pattern="R1[1-9]"),
    "values drop added": lambda case: _edit_entry(case, "FWルール.csv", values={"rule_id": {"R10": {"drop": True}}}),
    "extract added": lambda case: _edit_entry(
        case, "FWルール.csv", extract={"specific_comm_id": {"from": "action", "pattern": "(allow)"}}),
    "constants added": lambda case: _edit_entry(case, "FWルール.csv", constants={"via": "GW-1"}),
}


@pytest.mark.parametrize("edit", list(READINGS))
def test_a_changed_reading_is_never_served_from_the_cache(case, request, edit):
    text = FLOW_HEADER + FLOW_ROWS
    entry = {}
    if edit.startswith("two value"):  # the cell is neither spelling as written: the first NFKC match wins
        text = FLOW_HEADER + FLOW_ROWS.replace("allow", "ａｌｌｏｗ")
        entry.update(values={"action": {"ａllow": "allow", "allｏw": "deny"}}, columns={"送信元": "src_zone"})
    _flows(case, text=text, **entry)
    fresh = twice(case, request, lambda: READINGS[edit](case))
    if edit.startswith(("renamed", "format", "delimiter", "header_row")):
        assert fresh[0] == 2  # the same bytes read another way are unusable: the cache must not hide that


def test_the_swapped_columns_change_the_result_and_the_cache_follows(case, request):
    """The example of the issue: the major finding of NS-01 comes and goes with the column order."""
    import json

    _flows(case)
    before = json.loads(_check(case, request)[1])
    fresh = twice(case, request, lambda: READINGS["two columns mapped to one field, swapped"](case))
    after = json.loads(fresh[1])

    def ns01(doc):
        return [r["status"] for r in doc["results"] if r["control_id"] == "NS-01"]
    assert ns01(before) != ns01(after)


# ---- limits: a run under other limits is judged as a fresh run would judge it ----

def _blank_lines(case):
    case.add_file("lms.csv", b"staff_id,course\nS1,security-basic\n\n\n\nS2,security-basic\n", kind="training_records")


def _bomb(case):
    buf = io.BytesIO(xlsx([("名簿", [["staff_id", "unit"], ["S1", "0100"]], "visible")]))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (2 * 2**20))
    case.add_file("名簿.xlsx", buf.getvalue(), kind="staff")


def _declared(case):
    rows = [["staff_id", "unit"], ["S1", "0100"]]
    case.add_file("名簿.xlsx", xlsx([("名簿", rows, "visible")], dimension="A1:B40"), kind="staff")


def _records(case):
    case.add_file("lms.yaml", "".join(f"- {{staff_id: S{i}, course: c}}\n" for i in range(8)).encode(),
                  kind="training_records")


LIMITS = {  # (how the file is made, the options of the second run)
    "CSV lines beyond --max-rows, records within": (_blank_lines, ["--max-rows", "3"]),
    "workbook unpacking beyond --max-file-size": (_bomb, ["--max-file-size", "1M"]),
    "sheet declaring rows beyond --max-rows": (_declared, ["--max-rows", "10"]),
    "YAML records beyond --max-rows": (_records, ["--max-rows", "5"]),
    "file beyond --max-file-size": (_records, ["--max-file-size", "100"]),
}


@pytest.mark.parametrize("limit", list(LIMITS))
def test_a_smaller_limit_is_applied_to_what_the_cache_holds(case, request, limit):
    make, options = LIMITS[limit]
    make(case)
    fresh = twice(case, request, lambda: options)
    assert fresh[0] == 2 and "more than the limit" in fresh[2]


def test_the_same_limits_again_are_served(case, request):
    _blank_lines(case)
    fresh = twice(case, request, lambda: None, "--max-rows", "100")
    assert fresh[0] in (0, 1)


# ---- the other files of the evidence folder, which the integrity block lists ----

OTHERS = {
    "file added": lambda ev: (ev / "追加資料.pdf").write_bytes(b"%PDF-1.4 added after the run"),
    "file added in a subfolder": lambda ev: (ev / "scans").mkdir() or (ev / "scans" / "a.png").write_bytes(b"png"),
    "unlisted file changed": lambda ev: (ev / "memo.txt").write_bytes(b"changed"),
    "unlisted file removed": lambda ev: (ev / "memo.txt").unlink(),
    "unlisted file renamed": lambda ev: (ev / "memo.txt").rename(ev / "memo2.txt"),
}


@pytest.mark.parametrize("change", list(OTHERS))
def test_the_integrity_block_lists_the_folder_as_it_is(case, request, change):
    (case.evidence / "memo.txt").write_bytes(b"a note that is not evidence")
    fresh = twice(case, request, lambda: OTHERS[change](case.evidence))
    report = case.root / "outputs" / "result.json"
    verified = run_cli(["verify", report, "--evidence", case.evidence], case.root, label=label_of(request))
    assert verified.code == 0, verified.stdout + verified.stderr  # what CI archives is accepted
    assert fresh[0] in (0, 1)
