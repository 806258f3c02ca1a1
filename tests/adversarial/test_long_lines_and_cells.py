"""Lines and cells too long for a table: refused early (exit 2, file and line), in bounded memory.

A row costs memory per cell, so a 1 GB file without line ends (binary data, a broken export, a stray
quote that joins the rest of the file into one cell) cost many times its size before any row check
ran: a MemoryError at 7.2 GB. Defaults: --max-line-length 1M (bytes of one CSV/TSV line, probed on the
raw bytes before decoding) and --max-cell-size 128K (characters of one cell of a CSV, TSV or .xlsx,
the same whether the csv module or the fast path cuts the file).
"""
import pytest

from .harness import accepted, label_of, refused, xlsx

HEADER = b"rule_id,src_zone,dst_zone,action\n"
MIB = 2**20


def _add(case, name, content, **entry):
    (case.evidence / name).write_bytes(content)
    case.add_file(name, None, **entry)


def test_gigabyte_file_without_a_line_end(case, request):
    """The issue's case: ~1 GB (under the 1 GiB default), one line. A sparse file: no disk, the same bytes."""
    path = case.evidence / "fw.csv"
    with open(path, "wb") as fh:
        fh.write(HEADER.rstrip(b"\n") + b"," + b"a," * 1000)
        fh.truncate(10**9)
    case.add_file("fw.csv", None)
    runs = refused(case, file="fw.csv", line=1, words=["this line is 953.7 MiB", "more than the limit of 1.0 MiB",
                                                        "--max-line-length"], label=label_of(request))
    assert all(r.seconds < 20 for r in runs)
    assert all(r.peak_rss < 1300 * MIB for r in runs), "more than the file's bytes were held"


@pytest.mark.parametrize("shape", ["cells", "one cell", "quoted", "tsv", "cr only", "utf-16", "cp932"])
def test_one_long_line(case, request, shape):
    """64 MiB on one line, in every form a table reader takes: refused at once, whatever the cells."""
    body = {"cells": b"a," * (32 * MIB), "one cell": b"x" * (64 * MIB), "quoted": b'"' + b"x" * (64 * MIB) + b'"',
            "tsv": b"a\t" * (32 * MIB), "cr only": b"R1,lgwan,internet,deny" + b"a" * (64 * MIB) + b"\r",
            "utf-16": ("a," * (16 * MIB)).encode("utf-16-le"),
            "cp932": "道路課,".encode("cp932") * (8 * MIB)}[shape]
    name = "fw.tsv" if shape == "tsv" else "fw.csv"
    head = HEADER.replace(b",", b"\t") if shape == "tsv" else HEADER
    if shape == "utf-16":
        head = HEADER.decode().encode("utf-16-le")
    extra = {"encoding": "utf-16-le"} if shape == "utf-16" else {}
    _add(case, name, head + body + (b"\n" if shape != "utf-16" else b""), **extra)
    runs = refused(case, file=name, line=2, words=["this line is", "more than the limit of 1.0 MiB"],
                   label=label_of(request))
    assert all(r.peak_rss < 600 * MIB for r in runs), "the line was cut into cells first"


def test_long_line_in_the_middle_is_named(case, request):
    rows = b"R1,lgwan,internet,deny\n" * 1000
    _add(case, "fw.csv", HEADER + rows + b"R2," + b"x" * (2 * MIB) + b",b,c\n" + rows)
    refused(case, file="fw.csv", line=1002, words="this line is 2.0 MiB", label=label_of(request))


@pytest.mark.parametrize("shape", ["plain", "quoted elsewhere", "quoted over lines", "header", "tsv"])
def test_long_cell(case, request, shape):
    """A 200,000-character cell is refused the same way whichever reader cuts the file."""
    long = b"x" * 200_000
    rows = {"plain": HEADER + b"R1," + long + b",internet,deny\n",
            "quoted elsewhere": HEADER + b'"R0",lgwan,internet,deny\nR1,' + long + b",internet,deny\n",
            "quoted over lines": HEADER + b'R1,"' + b"x\n" * 100_000 + b'",internet,deny\n',
            "header": HEADER.rstrip(b"\n") + b"," + long + b"\nR1,lgwan,internet,deny,x\n",
            "tsv": HEADER.replace(b",", b"\t") + b"R1\t" + long + b"\tinternet\tdeny\n"}[shape]
    name = "fw.tsv" if shape == "tsv" else "fw.csv"
    _add(case, name, rows)
    line = {"quoted elsewhere": 3, "header": 1}.get(shape, 2)
    refused(case, file=name, line=line, words=["a cell", "more than the limit of 131,072 characters",
                                               "--max-cell-size"], label=label_of(request))


def test_long_cell_in_a_workbook(case, request):
    _add(case, "fw.xlsx", xlsx([("FW", [["rule_id", "src_zone", "dst_zone", "action"],
                                        ["R1", "lgwan", "internet", "deny"],
                                        ["R2", "x" * 200_000, "internet", "deny"]], "visible")]))
    refused(case, file="fw.xlsx", line=3, words="a cell of 200,000 characters, more than the limit of 131,072",
            label=label_of(request))


def test_limits_can_be_raised(case, request):
    """Not an error once the user raises the limits: the long cell is read as it is."""
    _add(case, "fw.csv", HEADER.rstrip(b"\n") + b",service\nR1,lgwan,internet,deny," + b"x" * (2 * MIB) + b"\n")
    case.extra = ["--max-line-length", "4M", "--max-cell-size", "3M"]
    _, doc = accepted(case, label=label_of(request))
    assert [f["records"] for f in doc["evidence"] if f["path"] == "fw.csv"] == [1]


def test_a_file_read_under_raised_limits_is_refused_again_under_the_defaults(case, request):
    """The parse cache does not serve what the current limits refuse."""
    _add(case, "fw.csv", HEADER.rstrip(b"\n") + b",service\nR1,lgwan,internet,deny," + b"x" * 200_000 + b"\n")
    case.extra = ["--max-cell-size", "1M"]
    accepted(case, label=label_of(request))
    case.extra = []
    refused(case, file="fw.csv", line=2, words="more than the limit of 131,072 characters", label=label_of(request))


def test_lines_at_the_limit_are_read(case, request):
    """Exactly --max-line-length bytes (the line end not counted) is not too long."""
    line = b"R1,lgwan,internet," + b"d" * (1000 - 18)
    assert len(line) == 1000
    _add(case, "fw.csv", HEADER + line + b"\r\n" + b"R2,lgwan,internet,deny\r\n")
    case.extra = ["--max-line-length", "1000", "--max-cell-size", "1000"]
    run, _ = accepted(case, codes=(0, 1, 2), label=label_of(request))
    assert "this line is" not in run.stderr and "a cell" not in run.stderr
