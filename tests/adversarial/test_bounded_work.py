"""Bounded work: the cost of a run follows the data, not how often a manifest names it.

A file listed many times is read and hashed once, and parsed once per distinct reading (a YAML or JSON
document once for all its lists); an option its format ignores is refused instead of reading the
same table again under another name; a manifest may list at most 10,000 files; and a process the
auditor forks (the second reader, the cache writer) ends when the auditor does, however it ends.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .harness import ROOT, _limit_memory, accepted, entry_line, label_of, refused

LISTS, RECORDS = 1000, 25  # before: each entry parsed the whole document (JSON 38 s, YAML minutes); now ~1 s


def _flows(j):
    return [{"rule_id": f"R{j}-{i}", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}
            for i in range(RECORDS)]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_one_document_listed_once_per_list_is_parsed_once(case, request, fmt):
    document = {f"list{j}": _flows(j) for j in range(LISTS)}
    text = yaml.safe_dump(document) if fmt == "yaml" else json.dumps(document, indent=1)
    (case.evidence / f"fw.{fmt}").write_text(text, encoding="utf-8")
    data = case.manifest()
    data["files"] += [{"path": f"fw.{fmt}", "kind": "flow_rules", "provided_by": "x", "collected_on": "2026-03-01",
                       "records": f"list{j}"} for j in range(LISTS)]
    case.save_manifest(data)
    run, doc = accepted(case, label=label_of(request))
    read = [f["records"] for f in doc["evidence"] if f["path"] == f"fw.{fmt}"]
    assert read == [RECORDS] * LISTS  # each list once, none read in place of another
    assert run.seconds < 15, f"{run.seconds:.1f}s: the document was parsed again for each list"


@pytest.mark.parametrize("fmt, option, value", [
    ("csv", "records", "rules"),   # the 19.9 GB case: one CSV under 1,000 names, its rows counted 1,000 times
    ("tsv", "sheet", "Sheet1"),
    ("xlsx", "records", "rules"),
    ("yaml", "sheet", "Sheet1"),
    ("json", "header_row", 2),
    ("yaml", "delimiter", ";"),
    ("xlsx", "encoding", "cp932"),
])
def test_an_option_the_format_does_not_read_is_refused(case, request, fmt, option, value):
    content = {"csv": b"rule_id,src_zone,dst_zone,action\nR1,lgwan,internet,deny\n",
               "tsv": b"rule_id\tsrc_zone\tdst_zone\taction\nR1\tlgwan\tinternet\tdeny\n",
               "yaml": b"- {rule_id: R1, src_zone: lgwan, dst_zone: internet, action: deny}\n",
               "json": b'[{"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}]',
               "xlsx": b"PK not read: the manifest is refused first"}[fmt]
    case.add_file(f"fw.{fmt}", content)
    for n in range(50):  # the same file again and again under another `option`
        varied = value + n if isinstance(value, int) else value if len(value) == 1 else f"{value}{n}"
        case.add_file(f"fw.{fmt}", None, **{option: varied})
    starts = _entries(case)
    refused(case, file="manifest.yaml", line=starts[starts.index(entry_line(case, f"fw.{fmt}")) + 1],
            words=[f"{option}:", f"'fw.{fmt}' is read as {fmt}"], label=label_of(request))


def _entries(case) -> list:
    """Line of each manifest entry (the '- ' that starts it)."""
    return [n for n, text in enumerate((case.evidence / "manifest.yaml").read_text("utf-8").splitlines(), 1)
            if text.startswith("- ")]


def _alias_symlink(case):
    os.symlink("fw.csv", case.evidence / "alias.csv")
    return "alias.csv", {}


@pytest.mark.parametrize("second", [
    lambda case: ("./fw.csv", {}),
    lambda case: ("sub/../fw.csv", {}),
    _alias_symlink,
    lambda case: ("fw.csv", {"header_row": 1}),  # another way to read the same rows into the same kind
    lambda case: ("fw.csv", {"encoding": "utf-8", "delimiter": ","}),
], ids=["dot", "dotdot", "symlink", "header_row", "encoding"])
def test_the_same_rows_listed_twice_for_one_kind_are_refused(case, request, second):
    (case.evidence / "sub").mkdir()
    case.add_file("fw.csv", b"rule_id,src_zone,dst_zone,action\nR1,lgwan,internet,deny\n")
    name, options = second(case)
    case.add_file(name, None, **options)
    lines = _entries(case)
    refused(case, file="manifest.yaml", line=lines[-1], words=["is listed twice", f"first at line {lines[-2]}"],
            label=label_of(request))


def test_one_file_under_two_kinds_is_still_read(case, request):
    """Not an error: one export read as two kinds (the peers' training.csv is also the roster)."""
    case.add_file("s.csv", b"staff_id,unit,course\nS1,0100,security-basic\n", kind="training_records")
    case.add_file("s.csv", None, kind="staff")
    _, doc = accepted(case, label=label_of(request))
    assert [(f["kind"], f["records"]) for f in doc["evidence"] if f["path"] == "s.csv"] == [
        ("training_records", 1), ("staff", 1)]


def test_a_manifest_of_more_than_ten_thousand_files_is_refused_before_reading_any(case, request):
    (case.evidence / "fw.csv").write_bytes(b"rule_id,src_zone,dst_zone,action\nR1,lgwan,internet,deny\n")
    data = case.manifest()
    data["files"] += [{"path": "fw.csv", "kind": "flow_rules", "provided_by": "x", "collected_on": "2026-03-01",
                       "header_row": 1 + n % 2, "description": str(n)} for n in range(10_001)]
    case.save_manifest(data)
    runs = refused(case, file="manifest.yaml", words=["lists 10,", "more than the limit of 10,000"],
                   label=label_of(request))
    assert runs[0].seconds < 30


# ---- forked children die with their parent ----

CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
from auditor.evidence import prefetch
if {no_prctl}:
    prefetch._death_signal = lambda: False  # as where there is no prctl (macOS, BSD)
marker = {marker!r}

def work(_=None):
    with open(marker + ".tmp", "w") as fh:
        fh.write(str(os.getpid()))
    os.replace(marker + ".tmp", marker)
    time.sleep(60)  # a long cache write, or a large file being read

if {how!r} == "background":
    prefetch.background(work)
else:
    prefetch.start([1], work)
while not os.path.exists(marker):
    time.sleep(0.01)
os.kill(os.getpid(), 9)  # the parent is killed (the OOM killer, kill -9): no atexit, no finally
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # an orphan that ended may wait as a zombie for a parent that does not reap: it is gone all the same
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


@pytest.mark.parametrize("how", ["background", "start"])
@pytest.mark.parametrize("no_prctl", [False, True], ids=["prctl", "watch"])
def test_a_forked_child_ends_when_its_parent_is_killed(tmp_path, how, no_prctl):
    marker = tmp_path / "child.pid"
    script = CHILD.format(root=str(ROOT), no_prctl=no_prctl, marker=str(marker), how=how)
    with open(tmp_path / "stderr.log", "wb") as err:  # a file, not a pipe a surviving child would hold open
        proc = subprocess.run([sys.executable, "-c", script], preexec_fn=_limit_memory, timeout=30,
                              stdout=subprocess.DEVNULL, stderr=err)
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.log").read_text()
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(child):
        os.kill(child, signal.SIGKILL)
        pytest.fail(f"the {how} child outlived its parent ({'watch' if no_prctl else 'prctl'})")
