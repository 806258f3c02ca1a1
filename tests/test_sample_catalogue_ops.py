"""The sample city's asset, physical and operations registers (tools/make_sample_catalogue_ops.py): exactly
the gaps that evidence/README.md lists for the controls of auditor/controls/09-*.yaml, at file and line, the
boundary cases that must pass, and the coverage of 省令 measures ②, ③ and ⑥ by these controls. Each control's
own pass and fail cases are in auditor/controls/tests/<ID>/ (run by `auditor test`, tests/test_selftest.py)."""
from __future__ import annotations

import json

import openpyxl
import pytest
import yaml

from conftest import POLICY, SAMPLE, check_json, invoke, write_policy

ASSETS, RISKS, DISPOSALS = "情報資産台帳.xlsx", "リスク評価実施記録.csv", "機器廃棄記録.csv"
MEDIA, PERMITS, LOG = "記録媒体管理台帳.xlsx", "入室許可者一覧.xlsx", "入退室記録.csv"
INCIDENTS, EXCEPTIONS = "インシデント管理台帳.xlsx", "例外措置申請台帳.csv"
MINE = ("AM-01", "AM-02", "AM-03", "AM-04", "AM-05", "AM-06", "RA-01", "MD-01", "MD-02", "MD-03",
        "PH-01", "PH-02", "PH-03", "IR-01", "IR-02", "IR-04", "PR-03", "PR-04")
EXPECTED = {  # finding id -> (department, file, line)
    "AM-01:IA-0510-02": ("道路課", ASSETS, 25),
    "AM-01:IA-0620-01": ("農林課", ASSETS, 29),
    "AM-04.personal:IA-0610-02": ("商工観光課", ASSETS, 28),
    "RA-01.treatment:RA-2025-03": ("税務課", RISKS, 5),
    "AM-03.certificate:DS-2025-06": ("福祉課", DISPOSALS, 8),
    "AM-03.witness:DS-2025-09": ("財政課", DISPOSALS, 11),
    "AM-06.level-3a:DS-2025-04": ("税務課", DISPOSALS, 6),
    "AM-06.paper:DS-2025-11": ("保険年金課", DISPOSALS, 13),
    "MD-01.inventory:USB-0510-01": ("道路課", MEDIA, 14),
    "MD-03:USB-0420-02": ("子育て支援課", MEDIA, 13),
    "PH-01.entrant:00044": ("情報政策課", LOG, 45),
    "PH-01.entrant:00058": ("情報政策課", LOG, 59),
    "PH-02.exit:00062": ("情報政策課", LOG, 63),
    "PH-03.staff:電算室/S00002": ("税務課", PERMITS, 13),
    "PH-03.contractor:サーバ室/V-204": ("情報政策課", PERMITS, 17),
    "IR-01.on-time:IN-2025-05": ("保険年金課", INCIDENTS, 9),
    "IR-02.final:IN-2025-04": ("市民課", INCIDENTS, 8),
    "IR-04.csirt:IN-2025-06": ("道路課", INCIDENTS, 10),
    "IR-04.recurrence:IN-2025-07": ("福祉課", INCIDENTS, 11),
    "IR-04.open:IN-2025-04": ("市民課", INCIDENTS, 8),
    "PR-03.approval:EX-2025-03": ("企画課", EXCEPTIONS, 6),
    "PR-03.period:EX-2024-07": ("税務課", EXCEPTIONS, 3),
    "PR-03.expired:EX-2024-07": ("税務課", EXCEPTIONS, 3),
    "PR-04:EX-2025-04": ("農林課", EXCEPTIONS, 7),
}
CLEAN = {"AM-02", "AM-05", "MD-02"}


@pytest.fixture(scope="module")
def sample():
    _, doc = check_json("--policy", POLICY, "--evidence", SAMPLE, *[a for c in MINE for a in ("--control", c)])
    return doc


def test_exactly_the_documented_findings_at_file_and_line(sample):
    found = {f["id"]: (f["department"], *[(l["file"], l["line"]) for l in f["locations"]][0])
             for r in sample["results"] for f in r["findings"]}
    assert found == EXPECTED
    assert all(f["status"] == "open" for r in sample["results"] for f in r["findings"])


def test_statuses(sample):
    status = {r["control_id"]: r["status"] for r in sample["results"]}
    assert set(status) == set(MINE)
    assert {c for c, s in status.items() if s == "pass"} == CLEAN
    assert {c for c, s in status.items() if s == "fail"} == set(MINE) - CLEAN


def test_the_registers_read_cleanly(sample):
    mine = {ASSETS, RISKS, DISPOSALS, MEDIA, PERMITS, LOG, INCIDENTS, EXCEPTIONS}
    assert not [n for n in sample["evidence_notices"] if n.get("file") in mine]
    assert not [n for n in sample["cleaned_values"] if n.get("file") in mine]
    assert sample["unknown_units"] == []
    assert {n["file"] for n in sample["my_number_notices"]} == {"fw_rules.csv", "自己点検票.csv"}  # none of ours
    counts = {r["control_id"]: r["checked"] for r in sample["results"]}
    assert counts["AM-01"] == 27 and counts["PH-02"] == 83 + 82 + 83  # every asset; the log's 83 lines, three rules
    # (the exit rule leaves out the entry of the as-of date)


def test_every_planted_gap_is_listed_in_the_evidence_readme():
    import re
    table = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    for fid, (dept, file, line) in EXPECTED.items():
        control = fid.split(":")[0].split(".")[0]
        assert re.search(rf"\| {control} \| {re.escape(file)} \| {line} \| [^|]+ \| {dept} \|", table), fid


def _policy(tmp_path, controls):
    sample = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    return write_policy(tmp_path, **dict(sample, controls=dict(sample.get("controls") or {}, **controls)))


@pytest.mark.parametrize("control, params, expected", [
    # the payroll data's My Numbers in the LGWAN zone (row 6): a finding only when the town says so
    ("AM-05", {"mynumber_zones": ["mynumber"]}, {"AM-05.my-number:IA-0120-01": (ASSETS, 6)}),
    # a town on the former scheme: 農地台帳's 機密性3 is fine, the blank 可用性 is not
    ("AM-01", {"confidentiality_levels": ["3", "2", "1"]},
     {f"AM-01:{a}": (ASSETS, r) for a, r in [("IA-0510-02", 25), ("IA-0120-01", 6), ("IA-0120-02", 7),
                                             ("IA-0220-01", 11), ("IA-0310-01", 15), ("IA-0310-02", 16)]}),
    # every division assesses its own risks: only 情報政策課, 市民課 and 税務課 did
    ("RA-01", {"every_division": True}, None),
    # a 12-hour reporting rule: IN-2025-05 (30 h) and IN-2025-09 (24 h, line 13) are late; IN-2025-08 (next day,
    # no hours) is judged by report_days
    ("IR-01", {"report_hours": 12}, {"IR-01.on-time:IN-2025-05": (INCIDENTS, 9), "IR-01.on-time:IN-2025-09": (INCIDENTS, 13)}),
])
def test_parameters_move_the_boundaries(tmp_path, control, params, expected):
    _, doc = check_json("--policy", _policy(tmp_path, {control: {"params": params}}), "--evidence", SAMPLE,
                        "--control", control)
    (result,) = doc["results"]
    found = {f["id"]: (f["locations"][0]["file"], f["locations"][0]["line"]) for f in result["findings"]}
    if control == "AM-01":  # the 3A/3B/3C classes are not in the former scheme: every such asset is a finding
        assert expected.items() <= found.items() and "AM-01:IA-0620-01" not in found
    elif control == "RA-01":
        divisions = {fid for fid in found if fid.startswith("RA-01.division:")}
        assert len(divisions) == 13 and not {f"RA-01.division:{u}" for u in ("0220", "0310", "0320")} & divisions
        assert "RA-01.treatment:RA-2025-03" in found
    else:
        assert found == expected


def test_coverage_by_measure_has_two_items_each_for_measures_2_3_and_6():
    result = invoke("coverage", "--by", "measure", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    by_rules = {}
    for item in doc["items"]:
        if item["assessment"] in ("rules", "both"):
            ours = [c["id"] for c in item["controls"] if c["id"] in MINE and c["status"] in ("pass", "fail", "waived")]
            if ours:
                by_rules.setdefault(item["measure"], set()).add(item["id"])
    assert len(by_rules[2]) >= 2 and len(by_rules[3]) >= 2 and len(by_rules[6]) >= 2, by_rules
    assert {"GL2-01", "GL2-02", "GL2-06", "GL2-07"} <= by_rules[2]
    assert {"GL4-03", "GL4-04", "GL4-09"} <= by_rules[3]
    assert {"GL7-05", "GL7-06", "GL7-08"} <= by_rules[6]
    groups = {g["id"]: g for g in doc["groups"]}
    assert all(groups[m]["rules"] >= 2 for m in ("2", "3", "6"))


def test_personal_names_of_the_registers_are_not_printed():
    text = invoke("check").output + invoke("check", "--format", "json", "--lang", "en").output
    ws = openpyxl.load_workbook(SAMPLE / PERMITS, read_only=True)["入室許可者一覧"]
    names = {row[2] for row in ws.iter_rows(min_row=4, values_only=True) if row[2]}
    with open(SAMPLE / LOG, encoding="cp932") as log:
        names |= {line.split(",")[5] for line in log.readlines()[1:]}
    assert len(names) > 10 and not [n for n in names if n in text]


def test_without_the_registers_every_control_is_no_evidence(tmp_path):
    """Missing evidence is never a pass: a folder with only the organisation master."""
    folder = tmp_path / "ev"
    folder.mkdir()
    (folder / "org_units.csv").write_text("code,name,parent,level\n0100,情報政策課,,課\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text(yaml.safe_dump({
        "organisation": "テスト市", "fiscal_year": 2025, "files": [
            {"path": "org_units.csv", "kind": "org_units", "provided_by": "総務課", "collected_on": "2026-03-02"}]},
        allow_unicode=True), encoding="utf-8")
    code, doc = check_json("--policy", write_policy(tmp_path), "--evidence", folder, *[a for c in MINE for a in ("--control", c)])
    assert {r["control_id"]: r["status"] for r in doc["results"]} == {c: "no_evidence" for c in MINE} and code == 1
