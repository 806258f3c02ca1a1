"""Exceptions (例外措置): valid ones waive and stay listed; expired or malformed ones waive nothing."""
from __future__ import annotations

import pytest

from conftest import ORG, check_json, write_evidence, write_policy

TERMINALS = [{"asset_id": "T1", "unit": "市民課", "zone": "mynumber", "export_block": "無"},
             {"asset_id": "T2", "unit": "市民課", "zone": "mynumber", "export_block": "無"}]


def run(tmp_path, exceptions):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "terminals": TERMINALS})
    pol = write_policy(tmp_path, exceptions=exceptions)
    return check_json("--policy", pol, "--evidence", ev, "--control", "NS-06")


def exc(**kw):
    base = {"id": "EX-1", "control": "NS-06", "scope": {"asset_id": "T1"}, "reason": "移行期間",
            "approver": "CISO", "from": "2025-10-01", "to": "2026-09-30"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def test_valid_exception_waives_matching_finding_only(tmp_path):
    code, doc = run(tmp_path, [exc()])
    (result,) = doc["results"]
    assert result["status"] == "fail"
    by_id = {f["id"]: f for f in result["findings"]}
    assert by_id["NS-06:T1"]["status"] == "waived"
    assert by_id["NS-06:T1"]["exception"]["approver"] == "CISO"
    assert by_id["NS-06:T2"]["status"] == "open"
    assert code == 1
    assert doc["exceptions"] == [{"id": "EX-1", "control": "NS-06", "state": "valid", "findings_waived": 1,
                                  "problem": None, "to": "2026-09-30"}]


def test_all_findings_waived_gives_waived_status_and_exit_0(tmp_path):
    code, doc = run(tmp_path, [exc(), exc(id="EX-2", scope={"unit": "市民課"})])
    assert doc["results"][0]["status"] == "waived"
    assert [f["status"] for f in doc["results"][0]["findings"]] == ["waived", "waived"]
    assert code == 0


@pytest.mark.parametrize("changes, state", [
    ({"to": "2025-12-31"}, "expired"),
    ({"to": "令和7年12月31日"}, "expired"),
    ({"from": "2026-04-01", "to": "2026-12-31"}, "not_started"),
    ({"to": "いつか"}, "invalid"),
    ({"to": None}, "invalid"),
    ({"from": "2026-09-30", "to": "2025-10-01"}, "invalid"),
])
def test_expired_or_malformed_exception_waives_nothing_and_is_reported(tmp_path, changes, state):
    code, doc = run(tmp_path, [exc(**changes)])
    (result,) = doc["results"]
    assert result["status"] == "fail" and code == 1
    t1 = [f for f in result["findings"] if f["id"] == "NS-06:T1"][0]
    assert t1["status"] == "open" and t1["exception"]["state"] == state
    assert doc["exceptions"][0]["state"] == state and doc["exceptions"][0]["findings_waived"] == 0


def test_exception_for_unknown_control_is_an_error(tmp_path):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "terminals": TERMINALS})
    pol = write_policy(tmp_path, exceptions=[exc(control="NS-99")])
    from conftest import invoke
    result = invoke("check", "--policy", pol, "--evidence", ev)
    assert result.exit_code == 2 and "管理策 ID NS-99 はありません" in result.stderr


def test_policy_severity_override_and_unknown_param(tmp_path):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "terminals": TERMINALS})
    pol = write_policy(tmp_path, controls={"NS-06": {"severity": "observation"}})
    code, doc = check_json("--policy", pol, "--evidence", ev, "--control", "NS-06")
    assert {f["severity"] for f in doc["results"][0]["findings"]} == {"observation"} and code == 0
    pol = write_policy(tmp_path, controls={"NS-06": {"params": {"nope": 1}}})
    from conftest import invoke
    result = invoke("check", "--policy", pol, "--evidence", ev)
    assert result.exit_code == 2 and "NS-06 にパラメータ「nope」はありません" in result.stderr


def test_personal_names_only_when_the_policy_opts_in(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "names.yaml").write_text(
        "- id: LOCAL-02\n  title: {ja: 名簿, en: Roster}\n  requirement: {ja: 例, en: Example}\n  area: local\n"
        "  severity: observation\n  source: local\n  evidence: [staff]\n"
        "  rule: {none: staff, where: {unit: 市民課}}\n"
        "  message: {ja: '{staff_id} {name}', en: '{staff_id} {name}'}\n", encoding="utf-8")
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "staff": [{"staff_id": "S1", "name": "山田 花子",
                                                                      "unit": "市民課"}]})
    args = ("--evidence", ev, "--controls", tmp_path / "c", "--control", "LOCAL-02")
    _, doc = check_json("--policy", write_policy(tmp_path), *args)
    assert doc["results"][0]["findings"][0]["messages"] == {"ja": "S1 （氏名非表示）", "en": "S1 (name withheld)"}
    _, doc = check_json("--policy", write_policy(tmp_path, report={"show_personal_names": True}), *args)
    assert doc["results"][0]["findings"][0]["message"] == "S1 山田 花子"
