"""A new town's own files (issue 11 §4): results that would be silently wrong are right, or say
what they rest on (training courses, joins that match nothing, controls that do not apply)."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
import yaml

from conftest import ORG, invoke, write_evidence, write_policy


def check(tmp_path, datasets, *controls, lang="ja", **policy):
    ev = write_evidence(tmp_path / "ev", datasets)
    pol = write_policy(tmp_path, **policy)
    args = ["--policy", pol, "--evidence", ev, "--fail-on", "none", "--lang", lang]
    for c in controls:
        args += ["--control", c]
    result = invoke("check", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    text = invoke("check", *args).output
    return {r["control_id"]: r for r in doc["results"]}, text


def ids(result):
    return sorted(f["id"] for f in result["findings"])


# ---- firewall rules naming every zone ---------------------------------------------------------

ANY_FLOWS = [
    {"rule_id": "R1", "src_zone": "any", "dst_zone": "any", "action": "allow"},
    {"rule_id": "R2", "src_zone": "LGWAN接続系", "dst_zone": "ANY", "action": "許可"},
    {"rule_id": "R3", "src_zone": "any", "dst_zone": "lgwan", "action": "allow", "specific_comm_id": "TK-1",
     "via": "GW-1"},
    {"rule_id": "R4", "src_zone": "any", "dst_zone": "any", "action": "deny"},
    {"rule_id": "R5", "src_zone": "lgwan", "dst_zone": "lgwan", "action": "allow"},
]


def test_allow_rules_from_or_to_any_touch_every_zone(tmp_path):
    gateways = [{"gateway_id": "GW-1", "type": "file_sanitizer"}]
    results, text = check(tmp_path, {"flow_rules": ANY_FLOWS, "gateways": gateways}, "NS-01", "NS-02")
    assert ids(results["NS-01"]) == ["NS-01:R1", "NS-01:R2"]
    assert ids(results["NS-02"]) == ["NS-02:R1", "NS-02:R2"]
    assert "全領域" in text  # the Japanese term for `any` in messages


def test_a_terminal_in_zone_any_is_refused(tmp_path):
    ev = write_evidence(tmp_path / "ev", {"terminals": [{"asset_id": "PC-1", "zone": "any"}]})
    result = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev)
    assert result.exit_code == 2 and "terminals.yaml:1" in result.output and "Traceback" not in result.output


# ---- a control that does not apply under the declared model -------------------------------------

def test_ns09_is_not_applicable_under_alpha_before_any_evidence_is_looked_for(tmp_path):
    results, _ = check(tmp_path, {"org_units": ORG}, "NS-09")  # no audits file at all
    assert results["NS-09"]["status"] == "not_applicable"
    beta, _ = check(tmp_path / "b", {"org_units": ORG}, "NS-09", network_model="beta")
    assert beta["NS-09"]["status"] == "no_evidence"  # under β missing evidence still never passes


# ---- which courses count as security training --------------------------------------------------

STAFF = [{"staff_id": "S001", "unit": "市民課"}, {"staff_id": "S002", "unit": "市民課"}]
TRAINING = [{"staff_id": "S001", "course": "個人情報保護研修", "completed_on": "2025-06-01"},
            {"staff_id": "S002", "course": "情報セキュリティ研修（基礎）", "completed_on": "2025-06-01"}]


def _basis(result, lang):
    return [n["messages"][lang] for n in result["notices"] if n["code"] == "basis"]


def test_an_unrelated_course_never_counts_by_default_and_the_result_says_which_counted(tmp_path):
    results, text = check(tmp_path, {"org_units": ORG, "staff": STAFF, "training_records": TRAINING}, "TR-01")
    assert ids(results["TR-01"]) == ["TR-01:S001"]  # 個人情報保護研修 only: not security training
    (ja,), (en,) = _basis(results["TR-01"], "ja"), _basis(results["TR-01"], "en")
    assert "セキュリティ" in ja and "security" in en and ja in text


@pytest.mark.parametrize("params, expected, word", [
    ({"course": "個人情報保護研修"}, ["TR-01:S002"], "個人情報保護研修"),
    ({"course": ["個人情報保護研修", "情報セキュリティ研修（基礎）"]}, [], "情報セキュリティ研修（基礎）"),
    ({"course_match": None}, [], "null"),  # the policy itself says that any course counts
])
def test_the_policy_names_the_courses_and_the_result_repeats_them(tmp_path, params, expected, word):
    results, _ = check(tmp_path, {"org_units": ORG, "staff": STAFF, "training_records": TRAINING}, "TR-01",
                       controls={"TR-01": {"params": params}})
    assert ids(results["TR-01"]) == expected
    assert all(word in text for lang in ("ja", "en") for text in _basis(results["TR-01"], lang))


def test_tr02_counts_the_same_courses_as_tr01(tmp_path):
    staff = [dict(s, joined_on="2025-06-01") for s in STAFF]
    results, _ = check(tmp_path, {"org_units": ORG, "staff": staff, "training_records": TRAINING}, "TR-02")
    assert ids(results["TR-02"]) == ["TR-02:S001"]


# ---- joins whose keys hardly meet ---------------------------------------------------------------

def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _numbers_against_padded_ids(tmp_path):
    """The roster holds 職員番号 as Excel numbers (1001); the LMS writes them padded (001001)."""
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    (ev / "名簿.xlsx").write_bytes(_xlsx([["職員番号", "所属"]] + [[1000 + i, "市民課"] for i in range(1, 7)]))
    (ev / "lms.csv").write_text("職員番号,コース,受講日\n" + "".join(
        f"00{1000 + i},情報セキュリティ研修,2025-06-01\n" for i in range(1, 7)), encoding="utf-8")
    files = [{"path": "org_units.yaml", "kind": "org_units"},
             {"path": "名簿.xlsx", "kind": "staff", "columns": {"職員番号": "staff_id", "所属": "unit"}},
             {"path": "lms.csv", "kind": "training_records",
              "columns": {"職員番号": "staff_id", "コース": "course", "受講日": "completed_on"}}]
    doc = {"organisation": "テスト市", "fiscal_year": 2025,
           "files": [dict(f, provided_by="テスト", collected_on="2026-03-01") for f in files]}
    (ev / "manifest.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return ev


def test_a_join_that_matches_nothing_says_so_naming_both_files_and_unmatched_keys(tmp_path):
    ev = _numbers_against_padded_ids(tmp_path)
    pol = write_policy(tmp_path)
    args = ["--policy", pol, "--evidence", ev, "--control", "TR-01"]
    doc = json.loads(invoke("check", "--format", "json", *args).stdout)
    (tr01,) = doc["results"]
    assert tr01["status"] == "fail" and len(tr01["findings"]) == 6
    (notice,) = [n for n in tr01["notices"] if n["level"] == "warning"]
    assert notice["code"] == "join_mismatch" and notice["files"] == ["名簿.xlsx", "lms.csv"]
    for lang in ("ja", "en"):
        message = notice["messages"][lang]
        assert all(word in message for word in ("名簿.xlsx", "lms.csv", "1001", "001001", "6"))
        text = invoke("check", *args, "--lang", lang).output
        assert message in text


def test_values_map_repairs_the_join_and_the_notice_goes(tmp_path):
    ev = _numbers_against_padded_ids(tmp_path)
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"][1]["values"] = {"staff_id": {1000 + i: f"00{1000 + i}" for i in range(1, 7)}}
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    doc = json.loads(invoke("check", "--format", "json", "--policy", write_policy(tmp_path), "--evidence", ev,
                            "--control", "TR-01").stdout)
    (tr01,) = doc["results"]
    assert tr01["status"] == "pass" and [n["code"] for n in tr01["notices"]] == ["basis"]


def _a_few_ids_typed_without_their_zeros(tmp_path, missing=(), last_year=()):
    """Most of the roster matches the LMS; two IDs were typed without the LMS's leading zeros (S07 for
    S0007, s-0009 for S0009), the staff in `missing` took no course at all, those in `last_year` one of FY2024."""
    roster = [f"S{i:04d}" for i in range(1, 11)]
    roster[6], roster[8] = "S07", "s-0009"
    trained = [f"S{i:04d}" for i in range(1, 11) if i not in missing]
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG,
                                          "staff": [{"staff_id": k, "unit": "0200"} for k in roster],
                                          "training_records": [{"staff_id": k, "course": "情報セキュリティ研修",
                                                                "completed_on": "2024-06-01" if int(k[1:]) in last_year
                                                                else "2025-06-01"} for k in trained]})
    return ev


def test_ids_that_differ_only_in_zeros_or_separators_are_named_as_a_near_miss(tmp_path):
    ev = _a_few_ids_typed_without_their_zeros(tmp_path, missing={3})
    args = ["--policy", write_policy(tmp_path), "--evidence", ev, "--control", "TR-01"]
    (tr01,) = json.loads(invoke("check", "--format", "json", *args).stdout)["results"]
    assert sorted(f["id"] for f in tr01["findings"]) == ["TR-01:S0003", "TR-01:S07", "TR-01:s-0009"]  # they stand
    (notice,) = [n for n in tr01["notices"] if n["level"] == "warning"]
    assert notice["code"] == "join_near_miss"
    assert "2 件" in notice["messages"]["ja"] and "S07 と S0007、s-0009 と S0009" in notice["messages"]["ja"]
    assert "2 records" in notice["messages"]["en"] and "S07 and S0007, s-0009 and S0009" in notice["messages"]["en"]
    assert "S0003" not in notice["messages"]["en"]  # no course at all: not a near miss
    for lang in ("ja", "en"):
        assert notice["messages"][lang] in invoke("check", *args, "--lang", lang).output


def test_a_near_miss_whose_record_would_not_count_is_not_named(tmp_path):
    """S0007's only record is of another fiscal year: writing S07 as S0007 would not clear the finding."""
    ev = _a_few_ids_typed_without_their_zeros(tmp_path, last_year={7})
    (tr01,) = json.loads(invoke("check", "--format", "json", "--policy", write_policy(tmp_path), "--evidence", ev,
                                "--control", "TR-01").stdout)["results"]
    (notice,) = [n for n in tr01["notices"] if n["level"] == "warning"]
    assert "1 record of" in notice["messages"]["en"] and "S07" not in notice["messages"]["en"]


def test_the_shipped_sample_has_no_join_notice():
    doc = json.loads(invoke("check", "--format", "json").stdout)
    assert [n for r in doc["results"] for n in r["notices"] if n["level"] == "warning"] == []



def test_the_organisation_report_carries_the_join_warning_and_a_department_report_the_notes(tmp_path):
    ev = _numbers_against_padded_ids(tmp_path)
    out = tmp_path / "reports"
    result = invoke("report", "--policy", write_policy(tmp_path), "--evidence", ev, "--out", out,
                    "--format", "json,html,md", "--date", "2026-04-15")
    assert result.exit_code == 0, result.output
    org = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (tr01,) = [r for r in org["check"]["results"] if r["control_id"] == "TR-01"]
    assert [n["level"] for n in tr01["notices"]] == ["warning", "info"]
    for name in ("report.ja.html", "report.ja.md"):
        assert "【データ品質】" in (out / name).read_text(encoding="utf-8")
    (dept,) = [p for p in (out / "departments").iterdir() if p.name.startswith("0200")]
    mine = json.loads((dept / "report.json").read_text(encoding="utf-8"))
    (tr01,) = [r for r in mine["check"]["results"] if r["control_id"] == "TR-01"]
    assert [n["code"] for n in tr01["notices"]] == ["basis"]  # keys of other departments stay out


# ---- a rule that picks its records by a column the town's file lacks ------------------------------

def test_an_org_master_without_levels_leaves_every_division_check_unproven_not_passed(tmp_path):
    """SA-01 checks the 課 (level: 課). An org master without a 階層 column selected none, and 0 checked
    read as a pass although a division never submitted: the result now says what is missing."""
    org = [{k: v for k, v in u.items() if k != "level"} for u in ORG]
    results, text = check(tmp_path, {"org_units": org, "self_assessments": []}, "SA-01")
    sa = results["SA-01"]
    assert sa["status"] == "no_evidence" and sa["findings"] == []
    assert "org_units.yaml に level（階層）の値がないため" in sa["reason"] and "columns:" in sa["reason"]
    assert "証跡なし" in text and "level（階層）の値がない" in text
    results, text = check(tmp_path / "en", {"org_units": org, "self_assessments": []}, "SA-01", lang="en")
    assert "holds no value of level" in results["SA-01"]["reason"] and "nothing was checked" in text


def test_a_levels_column_left_empty_is_no_more_a_pass_than_none(tmp_path):
    org = [dict(u, level=None) for u in ORG]
    results, _ = check(tmp_path, {"org_units": org, "self_assessments": []}, "SA-01")
    assert results["SA-01"]["status"] == "no_evidence" and "level（階層）の値がない" in results["SA-01"]["reason"]


def test_the_same_org_master_with_its_levels_is_checked(tmp_path):
    results, _ = check(tmp_path / "b", {"org_units": ORG, "self_assessments": []}, "SA-01")
    assert results["SA-01"]["status"] == "fail" and results["SA-01"]["checked"] == 2


def test_records_without_their_ids_are_one_finding_each_not_merged_into_one(tmp_path):
    """An audit log with no 監査ID column: each audit that was not reported is its own finding, named by
    its row (it was one finding at the first row's date, listing the three rows, since every key was '-')."""
    audits = [{"kind": "internal", "ended_on": day, "auditees": ["0100"], "auditors": ["0200"]}
              for day in ("2025-11-10", "2025-11-12", "2025-12-01")]
    results, text = check(tmp_path, {"org_units": ORG, "audits": audits}, "AU-06")
    ciso = sorted(f["id"] for f in results["AU-06"]["findings"] if f["id"].startswith("AU-06.ciso:"))
    assert ciso == ["AU-06.ciso:audits.yaml:1", "AU-06.ciso:audits.yaml:13", "AU-06.ciso:audits.yaml:7"], ciso
    assert all(day in text for day in ("令和7年11月10日", "令和7年11月12日", "令和7年12月1日"))
