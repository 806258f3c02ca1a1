"""`auditor verify` against decoys (issue 12 §4): names that read as one name once compared.

A report records each file under a key: NFC (macOS writes NFD), `\\` read as `/`, My Numbers masked.
A decoy that maps to the same key as an evidence file and holds its old bytes must not make the
altered file verify as unchanged: two files that map to one key are a mismatch, whichever is read
first. A department's report names no file it may not see, and still verifies.
"""
import json
import unicodedata

import pytest

from auditor.privacy import mynumber

from .harness import label_of, run_cli

RULES = b"rule_id,src_zone,dst_zone,action\r\nR1,lgwan,internet,deny\r\n"
ALTERED = b"rule_id,src_zone,dst_zone,action\r\nR1,lgwan,internet,allow\r\n"


def _number(seed: int) -> str:
    first = f"{seed:011d}"
    return first + str(mynumber.check_digit(first))


NFC = "ゲートウェイ規則.csv"
NFD = unicodedata.normalize("NFD", NFC)
LOW, HIGH = sorted([_number(31415926535), _number(27182818284)])

# (name listed in the manifest, decoy name, the key both map to); each pair in both orders, so that
# the decoy is once read before and once after the evidence file
TWINS = [
    (NFC, NFD, NFC),
    (NFD, NFC, NFC),
    ("fw\\rules.csv", "fw/rules.csv", "fw/rules.csv"),
    ("fw/rules.csv", "fw\\rules.csv", "fw/rules.csv"),
    ("rules.csv", "x\\..\\rules.csv", "rules.csv"),
    ("rules.csv", "fw\\.\\..\\rules.csv", "rules.csv"),
    (f"staff_{LOW}.csv", f"staff_{HIGH}.csv", f"staff_{mynumber.MASK}.csv"),
    (f"staff_{HIGH}.csv", f"staff_{LOW}.csv", f"staff_{mynumber.MASK}.csv"),
]


def _write(case, name: str, data: bytes):
    path = case.evidence / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _issue(case, request, *extra):
    out = case.root / "reports"
    run = run_cli(["report", "--policy", case.policy, "--evidence", case.evidence, "--out", out, "--format", "json",
                   "--date", "2026-04-15", *extra], case.root, label=label_of(request))
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return out


def _verify(case, request, report, fmt="json"):
    run = run_cli(["verify", report, "--evidence", case.evidence, "--format", fmt, "--lang", "en"], case.root,
                  label=label_of(request))
    assert not run.timed_out and "Traceback" not in run.stdout + run.stderr, run.stderr[-2000:]
    return run


@pytest.mark.parametrize("listed, decoy, key", TWINS, ids=[f"{i}" for i in range(len(TWINS))])
def test_a_decoy_holding_the_old_bytes_is_a_mismatch(case, request, listed, decoy, key):
    _write(case, listed, RULES)
    case.add_file(listed, None)
    report = _issue(case, request) / "report.json"
    assert _verify(case, request, report).code == 0
    _write(case, listed, ALTERED)  # the evidence changes, the decoy keeps what the report was made from
    _write(case, decoy, RULES)
    run = _verify(case, request, report)
    assert run.code == 1, run.stdout
    doc = json.loads(run.stdout)
    assert doc["matches"] is False
    assert doc["ambiguous"] == [{"path": key, "what": "evidence", "files": 2}]
    text = _verify(case, request, report, "text").stdout
    assert text.startswith("MISMATCH") and f"ambiguous {key}" in text and "1 ambiguous" in text
    assert LOW not in text + run.stdout and HIGH not in text + run.stdout


@pytest.mark.parametrize("same", [True, False], ids=["same bytes", "other bytes"])
def test_a_twin_of_an_unlisted_file_is_a_mismatch_whatever_it_holds(case, request, same):
    _write(case, NFC, b"note")
    report = _issue(case, request) / "report.json"
    _write(case, NFD, b"note" if same else b"other")
    doc = json.loads(_verify(case, request, report).stdout)
    assert doc["matches"] is False and doc["ambiguous"] == [{"path": NFC, "what": "unlisted", "files": 2}]


def test_three_names_for_one_key_are_counted(case, request):
    _write(case, "fw/rules.csv", RULES)
    case.add_file("fw/rules.csv", None)
    report = _issue(case, request) / "report.json"
    _write(case, "fw\\rules.csv", RULES)
    _write(case, "fw\\.\\rules.csv", RULES)
    doc = json.loads(_verify(case, request, report).stdout)
    assert doc["ambiguous"] == [{"path": "fw/rules.csv", "what": "evidence", "files": 3}]


# ---- a department's report: the files it may not name ----

def _departments(out):
    return sorted((out / "departments").glob("*/report.json"))


@pytest.mark.parametrize("name", ["山田太郎_メモ.txt", "情報政策課_連絡.txt", f"申請書_{LOW}.pdf", "sub/市民課/一覧.csv"],
                         ids=["person", "unit", "my number", "unit folder"])
def test_a_department_report_with_an_unlisted_file_verifies_and_does_not_name_it(case, request, name):
    _write(case, name, "氏名 山田太郎".encode("utf-8"))
    out = _issue(case, request)
    reports = _departments(out)
    assert reports
    base = name.rsplit("/", 1)[-1]
    for report in reports:
        raw = json.loads(report.read_text(encoding="utf-8"))
        shown = json.dumps(raw, ensure_ascii=False)
        assert base not in shown and "山田太郎" not in shown and LOW not in shown, report
        assert raw["integrity"]["unlisted"] == [] and raw["integrity"]["withheld"]["files"] == 1
        run = _verify(case, request, report)
        assert run.code == 0, run.stdout
        assert json.loads(run.stdout)["unchanged"] == 4  # manifest, two evidence files, the unlisted one
    _write(case, name, "氏名 山田花子".encode("utf-8"))  # changed: still noticed, by its digest
    for report in reports:
        run = _verify(case, request, report)
        doc = json.loads(run.stdout)
        assert run.code == 1 and doc["changed"] == [{"path": None, "what": "withheld", "files_then": 1,
                                                     "files_now": 1}]
        assert "files whose names the report withholds (1 then, 1 now)" in _verify(case, request, report, "text").stdout


def test_a_department_report_notices_a_file_added_or_removed(case, request):
    _write(case, "メモ.txt", b"x")
    out = _issue(case, request)
    report = _departments(out)[0]
    _write(case, "追加.txt", b"y")
    doc = json.loads(_verify(case, request, report).stdout)
    assert doc["matches"] is False and doc["changed"][0]["files_now"] == 2
    (case.evidence / "追加.txt").unlink()
    (case.evidence / "メモ.txt").unlink()
    doc = json.loads(_verify(case, request, report).stdout)
    assert doc["matches"] is False and doc["changed"][0]["files_now"] == 0
