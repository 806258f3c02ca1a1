"""CSV reporter: findings and actions for Excel, UTF-8 with BOM or CP932, never a crash, no formulas."""
from __future__ import annotations

import csv
import datetime as dt
import io

from auditor.reporters import report
from auditor.reporters import csvout
from conftest import POLICY, SAMPLE, invoke
from test_report_support import DATE, hostile_evidence, sample_run  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)


def rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_utf8_with_bom_findings_and_actions(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    out = {name: (data, notes) for name, data, notes in csvout.files(doc, "ja", report.Options())}
    assert set(out) == {"findings.ja.csv", "actions.ja.csv"}
    data, notes = out["findings.ja.csv"]
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and notes == []
    table = rows(data, "utf-8-sig")
    assert table[0][:3] == ["指摘ID", "区分", "状況"]
    assert [r[0] for r in table[1:]] == [f["id"] for f in doc["check"]["findings"]]
    row = next(r for r in table if r[0] == "NS-06:PC-0052")
    assert row[1] == "重大な不適合" and row[6] == "税務課" and row[8] == "端末台帳.tsv:53"
    assert row[14] == "ACT-2025-NS-06:PC-0052" and row[16] == "2026-05-15"
    waived = next(r for r in table if r[0] == "NS-06:PC-0041")
    assert waived[9] == "EX-2025-01" and waived[12] == "CISO（副市長）" and waived[14] == ""
    actions = rows(out["actions.ja.csv"][0], "utf-8-sig")
    cycles = {r[1] for r in actions[1:]}
    assert cycles == {"今回", "前回まで"}
    previous = {r[0]: r for r in actions if r[1] == "前回まで"}
    assert previous["CA-2024-01"][11] == "再発" and previous["CA-2024-04"][11] == "期限超過"


def test_cp932_on_request(sample_run):
    doc = report.build(sample_run, ISSUED, None)
    out = csvout.files(doc, "ja", report.Options(csv_encoding="cp932"))
    for name, data, notes in out:
        assert not data.startswith(b"\xef\xbb\xbf")
        assert rows(data, "cp932")[0][0] in ("指摘ID", "措置ID")
        assert notes == []  # the sample's text is all in CP932 (em dashes are folded to ―)


def test_cp932_replaces_what_it_cannot_encode_and_says_so():
    data, notes = csvout.encode([["ok 髙 ①", "smile 🙂", "dash — and 𠮷"]], "cp932")
    text = data.decode("cp932")
    assert "髙 ①" in text and "smile ?" in text and "dash ― and ?" in text
    assert len(notes) == 1 and "2 character(s)" in notes[0] and "U+1F642" in notes[0] and "U+20BB7" in notes[0]


def test_cells_excel_would_run_are_neutralised():
    data, _ = csvout.encode([["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "plain"]], "utf-8")
    assert rows(data, "utf-8-sig")[0] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "plain"]


def test_cli_cp932_warns_about_replaced_characters(tmp_path):
    policy, ev = hostile_evidence(tmp_path)
    result = invoke("report", "--policy", policy, "--evidence", ev, "--out", tmp_path / "out", "--date", DATE,
                    "--format", "csv", "--csv-encoding", "cp932")
    assert result.exit_code == 0, result.output
    assert "警告:" in result.stderr and "CP932" in result.stderr and "U+1F642" in result.stderr
    text = (tmp_path / "out" / "findings.ja.csv").read_bytes().decode("cp932")
    assert "'=" not in text.split("\r\n")[0] and "?" in text


def test_department_csv_only_has_its_rows(tmp_path):
    result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", tmp_path, "--date", DATE,
                    "--format", "csv", "--department", "0130")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "departments" / "0130_財政課"
    table = rows((folder / "findings.ja.csv").read_bytes(), "utf-8-sig")
    assert {r[5] for r in table[1:]} == {"0130"} and len(table) == 5  # CA-01, CA-02, AM-03 (財政課)
    actions = rows((folder / "actions.ja.csv").read_bytes(), "utf-8-sig")
    assert {r[4] for r in actions[1:]} == {"0130"}
