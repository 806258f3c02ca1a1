"""Sizes and limits: files too large to read and files with too many rows, stopped with a message.

Defaults: --max-file-size 1G (checked with stat, before reading) and --max-rows 5000000 (line ends
counted before parsing; rows a sheet declares; records of a YAML/JSON file). Configuration files
(controls, policy, manifest) are refused above 16 MiB.
"""
import io
import json
import zipfile

import pytest

from .harness import accepted, label_of, refused, run_cli, snapshot, xlsx

TWO_GB = 2 * 2**30


def _sparse(path, size=TWO_GB, head: bytes = b""):
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)  # a hole: the test costs no disk space, the auditor sees 2 GiB
    return path


def test_two_gigabyte_evidence_file_is_refused_before_reading(case, request):
    _sparse(case.evidence / "fw.csv", head=b"rule_id,src_zone,dst_zone,action\n")
    case.add_file("fw.csv", None)
    runs = refused(case, file="fw.csv", words=["2.0 GiB", "more than the limit of 1.0 GiB", "--max-file-size"],
                   commands=("check", "report"), label=label_of(request))
    assert all(r.peak_rss < 300 * 2**20 for r in runs), "the file was read: the size is checked from stat"


def test_ten_million_row_csv_is_refused_at_the_default_row_limit(case, request):
    (case.evidence / "lms.csv").write_bytes(b"staff_id\n" + b"S1\n" * 10_000_000)
    case.add_file("lms.csv", None, kind="training_records")
    runs = refused(case, file="lms.csv", words=["10,000,000 rows", "more than the limit of 5,000,000", "--max-rows"],
                   commands=("check", "report"), label=label_of(request))
    assert all(r.peak_rss < 600 * 2**20 for r in runs), "the rows were parsed before being counted"


def _rows(case, n, name="lms.csv"):
    (case.evidence / name).write_bytes(b"staff_id,course\n" + b"S1,security-basic\n" * n)
    case.add_file(name, None, kind="training_records")


def test_row_limit_is_configurable(case, request):
    _rows(case, 101)
    case.extra = ["--max-rows", "100"]
    refused(case, file="lms.csv", words="101 rows (lines after the header), more than the limit of 100",
            commands=("check", "report"), label=label_of(request))


def test_row_limit_admits_a_file_at_the_limit(case, request):
    """Not an error: exactly --max-rows data rows are read."""
    _rows(case, 100)
    case.extra = ["--max-rows", "100"]
    _, doc = accepted(case, label=label_of(request))
    assert [f["records"] for f in doc["evidence"] if f["path"] == "lms.csv"] == [100]


def test_row_limit_applies_on_a_parse_cache_hit(case, request):
    """A file read once under a larger limit (and cached) is still refused under a smaller one."""
    _rows(case, 101)
    accepted(case, label=label_of(request))
    case.extra = ["--max-rows", "100"]
    refused(case, file="lms.csv", words="more than the limit of 100", label=label_of(request))


def test_row_limit_counts_yaml_records(case, request):
    records = "".join(f"- {{staff_id: S{i}, course: security-basic}}\n" for i in range(60))
    case.add_file("lms.yaml", records.encode(), kind="training_records")
    case.extra = ["--max-rows", "50"]
    refused(case, file="lms.yaml", words="60 records, more than the limit of 50", label=label_of(request))


def test_row_limit_counts_json_records_on_one_line(case, request):
    """Minified JSON holds every record on one line: the records are counted, not the lines."""
    case.add_file("lms.json", json.dumps([{"staff_id": f"S{i}"} for i in range(60)]).encode(), kind="training_records")
    case.extra = ["--max-rows", "50"]
    refused(case, file="lms.json", words="60 records", label=label_of(request))


def test_sheet_declaring_ten_million_rows_is_refused_before_reading_them(case, request):
    rows = [["職員番号", "所属"], ["S1", "0100"]]
    case.add_file("名簿.xlsx", xlsx([("名簿", rows, "visible")], dimension="A1:B10000001"), kind="staff",
                  columns={"職員番号": "staff_id", "所属": "unit"})
    refused(case, file="名簿.xlsx", words="sheet '名簿' has 10,000,000 rows, more than the limit of 5,000,000",
            commands=("check", "report"), label=label_of(request))


def test_sheet_with_more_rows_than_it_declares_stops_at_the_limit(case, request):
    rows = [["職員番号", "所属"]] + [[f"S{i}", "0100"] for i in range(80)]
    case.add_file("名簿.xlsx", xlsx([("名簿", rows, "visible")], dimension="A1:B2"), kind="staff",
                  columns={"職員番号": "staff_id", "所属": "unit"})
    case.extra = ["--max-rows", "50"]
    refused(case, file="名簿.xlsx", words="rows or more, more than the limit of 50", label=label_of(request))


def test_file_size_limit_is_configurable(case, request):
    _rows(case, 200)  # about 3.6 KB
    case.extra = ["--max-file-size", "1K"]
    refused(case, file="lms.csv", words="more than the limit of 1.0 KiB", label=label_of(request))


def test_workbook_that_unpacks_beyond_the_size_limit(case, request):
    """A zip bomb: 2 MiB of zeros compress to a few KB; the parts' sizes are checked before unpacking."""
    buf = io.BytesIO(xlsx([("名簿", [["staff_id"], ["S1"]], "visible")]))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (2 * 2**20))
    case.add_file("名簿.xlsx", buf.getvalue(), kind="staff")
    assert (case.evidence / "名簿.xlsx").stat().st_size < 64 * 2**10
    case.extra = ["--max-file-size", "1M"]
    refused(case, file="名簿.xlsx", words="the workbook unpacks to 2.0 MiB", label=label_of(request))


@pytest.mark.parametrize("which", ["manifest", "policy", "controls"])
def test_two_gigabyte_configuration_file(case, request, which):
    if which == "manifest":
        target, name = case.evidence / "manifest.yaml", "manifest.yaml"
    elif which == "policy":
        target, name = case.policy, "policy.yaml"
    else:
        target, name = case.control_file(""), "local.yaml"
    _sparse(target, head=b"# padding\n")
    runs = refused(case, file=name, words="more than the limit of 16.0 MiB", label=label_of(request))
    assert runs[0].peak_rss < 300 * 2**20


def test_limit_options_reject_nonsense(case, request):
    """A usage error (exit 2) naming the option, before anything is read."""
    before = snapshot(case.evidence)
    for option, value in (("--max-file-size", "lots"), ("--max-rows", "0"), ("--max-rows", "-5")):
        run = run_cli(["check", "--policy", case.policy, "--evidence", case.evidence, option, value], case.root,
                      label=label_of(request))
        assert run.code == 2 and option in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert snapshot(case.evidence) == before
