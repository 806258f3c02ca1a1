"""A new town's own files (issue 11 §4): value maps on Excel numbers, the 基準日, footer rows,
employment terms and `any` zones are read truthfully or refused with file and line."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
import yaml

from conftest import ORG, invoke, write_evidence, write_policy


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _manifest(folder, files, **top):
    doc = {"organisation": "テスト市", "fiscal_year": 2025, **top,
           "files": [dict(f, provided_by="テスト", collected_on="2026-03-01") for f in files]}
    (folder / "manifest.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder / "manifest.yaml"


def _roster_with_number_cells(tmp_path, values):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "training_records": []})
    (ev / "名簿.xlsx").write_bytes(_xlsx([["職員番号", "所属", "任用形態"], ["S001", 2100, 1], ["S002", 2200, 9]]))
    _manifest(ev, [{"path": "org_units.yaml", "kind": "org_units"},
                   {"path": "training_records.yaml", "kind": "training_records"},
                   {"path": "名簿.xlsx", "kind": "staff", "values": values,
                    "columns": {"職員番号": "staff_id", "所属": "unit", "任用形態": "employment"}}])
    return ev


def _staff(ev, policy):
    result = invoke("check", "--format", "json", "--policy", policy, "--evidence", ev, "--control", "TR-01")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_values_map_applies_to_number_cells_of_a_workbook(tmp_path):
    # keys written as text ('2100') and as numbers (1) both match Excel number cells
    values = {"unit": {"2100": "0200", 2200: "0100"}, "employment": {1: "正規", "9": "派遣"}}
    ev = _roster_with_number_cells(tmp_path, values)
    assert invoke("validate", "--evidence", ev, "--policy", write_policy(tmp_path)).exit_code == 0
    doc = _staff(ev, write_policy(tmp_path))
    (tr01,) = doc["results"]
    assert {f["department_code"] for f in tr01["findings"]} == {"0200", "0100"}
    assert doc["unknown_units"] == []


def test_employment_code_without_a_map_names_file_line_and_the_values_hint(tmp_path):
    ev = _roster_with_number_cells(tmp_path, {"unit": {2100: "0200", 2200: "0100"}})
    result = invoke("validate", "--evidence", ev, "--policy", write_policy(tmp_path))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "名簿.xlsx:2" in result.output and "values:" in result.output


def test_new_employment_terms_are_known_and_in_tr01_scope(tmp_path):
    staff = [{"staff_id": f"S00{i}", "unit": "市民課", "employment": term}
             for i, term in enumerate(["再任用職員", "臨時的任用職員", "任期付職員"], 1)]
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "staff": staff, "training_records": []})
    (tr01,) = _staff(ev, write_policy(tmp_path))["results"]
    assert sorted(f["id"] for f in tr01["findings"]) == ["TR-01:S001", "TR-01:S002", "TR-01:S003"]


def _as_of_error(tmp_path, fiscal_year, as_of):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG}, fiscal_year=fiscal_year, as_of=as_of)
    line = next(i for i, text in enumerate((ev / "manifest.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("as_of:"))
    return invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev), line


def test_as_of_before_the_fiscal_year_is_an_input_error_at_its_line(tmp_path):
    result, line = _as_of_error(tmp_path, 2026, "2026-03-31")  # a manifest copied from last year
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"manifest.yaml:{line}" in result.output and "2026-04-01" in result.output


def test_as_of_far_after_the_fiscal_year_is_an_input_error(tmp_path):
    result, line = _as_of_error(tmp_path, 2024, "2026-03-31")
    assert result.exit_code == 2 and f"manifest.yaml:{line}" in result.output


def test_as_of_shortly_after_the_fiscal_year_is_accepted(tmp_path):
    result, _ = _as_of_error(tmp_path, 2025, "2026-05-31")  # the audit held in May after the year
    assert result.exit_code in (0, 1), result.output


def _footer_case(tmp_path, text):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    (ev / "lms.csv").write_text(text, encoding="utf-8")
    _manifest(ev, [{"path": "org_units.yaml", "kind": "org_units"}, {"path": "lms.csv", "kind": "training_records"}])
    return ev


@pytest.mark.parametrize("footer, word", [("合計,6件,", "合計"), ("計 45名,,", "計 45名"), ("※以上,,", "※以上")])
def test_footer_row_whose_key_does_not_look_like_the_others_is_named_in_every_output(tmp_path, footer, word):
    rows = "".join(f"S00{i},情報セキュリティ研修,2025-06-0{i}\n" for i in range(1, 7))
    ev = _footer_case(tmp_path, "staff_id,course,completed_on\n" + rows + footer + "\n")
    policy = write_policy(tmp_path)
    result = invoke("check", "--format", "json", "--policy", policy, "--evidence", ev, "--control", "TR-01")
    notices = json.loads(result.stdout)["evidence_notices"]
    assert [(n["file"], n["line"]) for n in notices] == [("lms.csv", 8)]
    assert word in notices[0]["messages"]["ja"] and word in notices[0]["messages"]["en"]
    for lang in ("ja", "en"):
        text = invoke("check", "--policy", policy, "--evidence", ev, "--lang", lang).output
        assert "lms.csv:8" in text and word in text
    validated = invoke("validate", "--policy", policy, "--evidence", ev)
    assert validated.exit_code == 0 and "lms.csv:8" in validated.stderr


def test_keys_of_one_shape_give_no_footer_notice(tmp_path):
    rows = "".join(f"S00{i},情報セキュリティ研修,2025-06-0{i}\n" for i in range(1, 7))
    ev = _footer_case(tmp_path, "staff_id,course,completed_on\n" + rows)
    result = invoke("check", "--format", "json", "--policy", write_policy(tmp_path), "--evidence", ev)
    assert json.loads(result.stdout)["evidence_notices"] == []


def test_any_zone_is_read_and_a_deny_rule_with_any_does_not_stop_the_run(tmp_path):
    flows = [{"rule_id": "R1", "src_zone": "any", "dst_zone": "any", "action": "deny"},
             {"rule_id": "R2", "src_zone": "lgwan", "dst_zone": "internet", "action": "allow", "via": "GW-1"}]
    gateways = [{"gateway_id": "GW-1", "type": "file_sanitizer"}]
    ev = write_evidence(tmp_path / "ev", {"flow_rules": flows, "gateways": gateways})
    result = invoke("check", "--format", "json", "--policy", write_policy(tmp_path), "--evidence", ev,
                    "--control", "NS-01", "--control", "NS-02")
    assert result.exit_code == 0, result.output
    assert {r["control_id"]: r["status"] for r in json.loads(result.stdout)["results"]} == {"NS-01": "pass",
                                                                                           "NS-02": "pass"}
