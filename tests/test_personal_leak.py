"""No output ever holds an unmasked My Number (issue 6, 'Personal data').

A copy of the sample gets valid My Numbers in every evidence kind and every field that can hold
text (plain, full width, hyphenated, spaced, irregularly grouped, as an Excel number cell), in an
extra unmapped column whose header holds one too, in a file name, the manifest and the policy.
Then every command and format runs, and every byte written (stdout, stderr, files, the history
database, PDF text) is scanned after NFKC and with hyphens and spaces removed. Typed fields (dates,
flags, enumerations, numbers) cannot hold one without being unreadable: each is planted alone and
the error message is scanned.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
import sqlite3
import subprocess
import unicodedata

import openpyxl
import pytest
import yaml

from auditor.evidence import kinds
from auditor.privacy import mynumber
from auditor.cli import main as cli_main
from conftest import POLICY, copy_sample, invoke
from test_report_support import has_weasyprint, tool


def _valid(seed: int) -> str:
    first = f"{seed:011d}"
    return first + str(mynumber.check_digit(first))


_pool = (_valid(31415926535 + 7919 * i) for i in itertools.count())  # a different number every time
PLANTED: set = set()
_SEP = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff0d\u00a0]+")
_DIGEST = re.compile(r"[0-9a-f]{64}")
# a digest that a PDF table cell wrapped over lines: pieces of hex with a letter in them (a My Number has none)
_DIGEST_PIECE = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{16,63}(?![0-9A-Za-z])")
TEXT_TYPES = ("id", "text", "unit", "unit_list")
ENCODINGS = {"fw_rules.csv": "cp932", "lms_export.csv": "cp932", "role_assignments.csv": "utf-8-sig",
             "機器廃棄記録.csv": "cp932", "入退室記録.csv": "cp932", "リスク評価実施記録.csv": "utf-8-sig",
             "ad_accounts.csv": "utf-16", "委託先点検記録.csv": "cp932", "ログ取得状況一覧.csv": "utf-8-sig",
             "クラウドサービス利用台帳.csv": "utf-8-sig"}


def _form(n: str, i: int) -> str:
    wide = n.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    return [n, wide, f"{n[:4]}-{n[4:8]}-{n[8:]}", f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:3]}-{n[3:7]}-{n[7:]}",
            f"{wide[:4]}－{wide[4:8]}－{wide[8:]}", f"{n[:4]}\u3000{n[4:8]}\u3000{n[8:]}"][i % 7]


def _next(i: int = 0) -> str:
    n = next(_pool)
    PLANTED.add(n)
    return _form(n, i)


def _fields(entry: dict) -> dict:
    """Raw label -> field of one manifest entry (YAML files use the field names)."""
    return {raw: field for raw, field in (entry.get("columns") or {}).items()}


def _plantable(kind: str, field: str | None) -> bool:
    return field is None or kinds.spec(kind).fields[field][0] in TEXT_TYPES


def _plant_table(path, entry, delimiter=","):
    enc = ENCODINGS.get(path.name, "utf-8")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(enc), newline=""), delimiter=delimiter))
    labels = _fields(entry)
    header, body = rows[0], rows[1:]
    for c, label in enumerate(header):
        if _plantable(entry["kind"], labels.get(label)):
            body[(3 * c + 1) % len(body)][c] = _next(c)
    header.append(f"個人番号 {_next(2)}")  # an unmapped column: its header and cells hold them too
    for i, row in enumerate(body):
        row.append(_next(i) if i % 9 == 0 else "")
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows([header] + body)
    path.write_bytes(buf.getvalue().encode(enc, errors="replace"))


def _plant_xlsx(path, entry):
    wb = openpyxl.load_workbook(path)
    ws = wb[entry["sheet"]]
    top = entry.get("header_row", 1)
    labels = _fields(entry)
    header = [c.value for c in ws[top]]
    last = ws.max_row
    for c, label in enumerate(header, 1):
        if label and _plantable(entry["kind"], labels.get(label)):
            ws.cell(top + 1 + (5 * c) % (last - top), c).value = _next(c)
    ws.cell(top + 2, 1).value = int(_next(0))  # the first (ID) column: a My Number typed as a number
    extra = len(header) + 1
    ws.cell(top, extra).value = "マイナンバー"
    for r in range(top + 1, last + 1, 7):
        ws.cell(r, extra).value = int(_next(0)) if r % 2 else _next(r)
    wb.save(path)


def _plant_yaml(path, entry):
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = kinds.spec(entry["kind"])
    for i, rec in enumerate(records[:3]):
        for field, (xtype, _) in spec.fields.items():
            if xtype in TEXT_TYPES and (i == 0 or field not in spec.key):
                rec[field] = [_next(i)] if xtype == "unit_list" else _next(i)
        rec["memo"] = f"備考 {_next(i)}"  # a key the kind does not have
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leak")
    ev = copy_sample(tmp)
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = ev / entry["path"]
        suffix = path.suffix
        if suffix == ".csv":
            _plant_table(path, entry)
        elif suffix == ".tsv":
            _plant_table(path, entry, "\t")
        elif suffix == ".xlsx":
            _plant_xlsx(path, entry)
        else:
            _plant_yaml(path, entry)
        entry["provided_by"] += f"（担当 {_next(3)}）"
    # a file named after a person's number
    renamed = f"drills_{_next(2)}.yaml"
    (ev / "drills.yaml").rename(ev / renamed)
    next(e for e in manifest["files"] if e["path"] == "drills.yaml")["path"] = renamed
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy["exceptions"][0]["reason"] += f"（申請者 {_next(1)}）"
    policy["exceptions"][1]["approver"] = f"副市長 {_next(4)}"
    (tmp / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return tmp, ev, tmp / "policy.yaml"


_LOG_RECORD = re.compile(r"\n(?=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ )")


def _leaks(data: bytes, laid_out: bool = False) -> list[str]:
    """The planted numbers anywhere (separators and line breaks removed) and, beyond them, any number the
    product's detector finds; in a PDF's text (laid_out) that detector reads line by line, since separate
    cells (a page number, a date, a count) run together across the blank lines pdftotext puts between them.
    A --log-file is read record by record (each note is masked whole): a count ending one record and the
    next record's time stamp are not one number."""
    for enc in ("utf-8", "cp932"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("latin-1")
    text = _DIGEST_PIECE.sub("", _DIGEST.sub("", _unwrap(unicodedata.normalize("NFKC", text))))  # our own digests
    flat = _SEP.sub("", text)
    found = [n for n in PLANTED if n in flat]
    for piece in text.split("\n") if laid_out else _LOG_RECORD.split(text):
        found += [piece[a:b] for a, b in mynumber.find(piece)]
    return found


def _unwrap(text: str) -> str:
    """A digest a PDF table cell wrapped: a line ending in a hex run (with a letter, as a digest piece has)
    and the next line's leading hex run are one piece; joined, the digest filters above see it whole."""
    for _ in range(8):
        joined = re.sub(r"((?=[0-9a-f]*[a-f])[0-9a-f]{16,63})[ \t]*\n[\s]*([0-9a-f]{1,48})(?![0-9A-Za-z])",
                        lambda m: m.group(1) + m.group(2) if len(m.group(1)) + len(m.group(2)) <= 64 else m.group(0),
                        text)
        if joined == text:
            return text
        text = joined
    return text


def _scan(label, data, laid_out: bool = False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert not _leaks(data, laid_out), (label, _leaks(data, laid_out)[:3])


def _files(folder):
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            text = subprocess.run([tool("pdftotext"), str(path), "-"], capture_output=True, check=True).stdout
            yield path, text
        else:
            yield path, path.read_bytes()


def test_the_planted_copy_is_read_and_every_number_is_found(planted):
    tmp, ev, policy = planted
    result = invoke("validate", "--policy", policy, "--evidence", ev)
    assert result.exit_code == 0, result.output
    assert len(PLANTED) > 100


def test_every_command_and_format_writes_no_my_number(planted):
    tmp, ev, policy = planted
    out = tmp / "out"
    common = ("--policy", policy, "--evidence", ev)
    db = ("--db", tmp / "history.sqlite")
    runs = [("validate", *common), ("controls", "list"), ("controls", "show", "DP-01")]
    formats = [p for p in cli_main.commands["check"].params if p.name == "fmt"][0].type.choices
    for fmt in formats:
        for lang in ("ja", "en"):
            runs.append(("check", *common, "--format", fmt, "--lang", lang))
    runs.append(("check", *common, "--format", "json", "-o", out / "check.json", "--record", *db))
    runs.append(("check", *common, "--format", ",".join(formats), "--output-dir", out / "many", "--verbose",
                 "--log-file", out / "check.log", "--result-cache", "off"))  # every format in one run, what it read
    runs.append(("report", *common, "--out", out / "reports", "--format", "html,md,json,csv", "--lang", "both",
                 "--date", "2026-04-15", "--record", *db))
    if has_weasyprint():  # slow: the organisation's and one department's
        runs.append(("report", *common, "--out", out / "pdf", "--format", "pdf", "--lang", "en",
                     "--department", "0320", "--date", "2026-04-15"))
    runs.append(("report", *common, "--out", out / "cp932", "--format", "csv", "--csv-encoding", "cp932",
                 "--department", "0330", "--date", "2026-04-15"))
    runs += [("verify", out / "check.json", "--evidence", ev), ("verify", out / "reports" / "report.ja.html",
             "--evidence", ev, "--format", "json"), ("history", "list", *db, "--format", "json"),
             ("exceptions", "list", "--policy", policy, "--date", "2026-03-31")]
    for args in runs:
        result = invoke(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        _scan(args, result.stdout)
        _scan(args, result.stderr)
    with sqlite3.connect(tmp / "history.sqlite") as con:  # every value of every table, as SQL text
        dump = "\n".join(con.iterdump())
    written = list(_files(tmp / "out")) + [(tmp / "history.sqlite", dump.encode("utf-8"))]
    assert len(written) > 40
    for path, data in written:
        _scan(path, data, laid_out=path.suffix == ".pdf")
    doc = json.loads((out / "check.json").read_text(encoding="utf-8"))  # the numbers were there, masked
    (dp01,) = [r for r in doc["results"] if r["control_id"] == "DP-01"]
    assert len(doc["my_number_notices"]) > 100 and len(dp01["findings"]) > 50
    assert {n["file"] for n in doc["my_number_notices"]} == {e["path"] for e in doc["integrity"]["evidence"]}


@pytest.mark.parametrize("kind, field", [
    ("drills", "held_on"), ("org_units", "mynumber_work"), ("drills", "participants"), ("drills", "click_rate"),
    ("flow_rules", "action"), ("gateways", "type"),
])
def test_error_messages_mask_the_number(tmp_path, kind, field):
    """A typed field that holds a My Number is unreadable: the error names file and line, masked."""
    ev = copy_sample(tmp_path)
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["kind"] == kind)
    path = ev / entry["path"]
    number = _next(1)
    if path.suffix == ".csv":
        raw = path.read_bytes().decode("cp932")
        label = next(k for k, v in entry["columns"].items() if v == field)
        rows = list(csv.reader(io.StringIO(raw, newline="")))
        rows[2][rows[0].index(label)] = number
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        path.write_bytes(buf.getvalue().encode("cp932"))
    else:
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
        records[1][field] = number
        path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    for command in ("validate", "check"):
        result = invoke(command, "--policy", POLICY, "--evidence", ev)
        assert result.exit_code == 2, result.output
        assert entry["path"] in result.stderr and "Traceback" not in result.stderr
        _scan(command, result.stderr + result.stdout)


def test_errors_naming_headers_and_paths_mask_the_number(tmp_path):
    ev = copy_sample(tmp_path)
    number = _next(2)
    raw = (ev / "自己点検票.csv").read_text(encoding="utf-8").split("\n", 1)
    (ev / "自己点検票.csv").write_text(f"{raw[0]},{number},{number}\n{raw[1]}", encoding="utf-8")  # same label twice
    result = invoke("validate", "--policy", POLICY, "--evidence", ev)
    assert result.exit_code == 2 and "自己点検票.csv" in result.stderr
    _scan("duplicate header", result.stderr)
    shutil.move(ev / "zones.yaml", ev / f"zones_{number}.yaml")
    result = invoke("check", "--policy", POLICY, "--evidence", ev)
    assert result.exit_code == 2
    _scan("missing file", result.stderr)
