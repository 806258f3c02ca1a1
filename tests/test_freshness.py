"""Evidence freshness (maximum age per kind at as_of) and the exceptions list (active, ending soon, expired)."""
from __future__ import annotations

import datetime as dt
import json

from auditor.reporters import report
from auditor.engine.audit import run as audit_run
from auditor.defaults import shipped_controls
from conftest import ORG, check_json, invoke, write_evidence, write_policy

RULES = [{"rule_id": "R1", "src_zone": "mynumber", "dst_zone": "mynumber", "action": "allow"}]
BAD_RULES = RULES + [{"rule_id": "R2", "src_zone": "mynumber", "dst_zone": "internet", "action": "allow"}]


def ns01(tmp_path, collected_on, rules=RULES, **policy):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "flow_rules": rules}, collected_on=collected_on)
    _, doc = check_json("--policy", write_policy(tmp_path, **policy), "--evidence", ev, "--control", "NS-01")
    return doc["results"][0]


def test_a_firewall_export_older_than_90_days_at_as_of_is_stale_never_pass(tmp_path):
    result = ns01(tmp_path, "2025-12-30")  # 91 days before 2026-03-31
    assert result["status"] == "stale"
    assert "flow_rules.yaml" in result["reason"] and "91" in result["reason"] and "90" in result["reason"]


def test_within_the_maximum_age_it_passes(tmp_path):
    assert ns01(tmp_path, "2025-12-31")["status"] == "pass"  # exactly 90 days


def test_the_policy_sets_the_maximum_age_per_kind(tmp_path):
    assert ns01(tmp_path, "2025-10-01", evidence_max_age_days={"flow_rules": 200})["status"] == "pass"
    assert ns01(tmp_path, "2026-03-01", evidence_max_age_days={"flow_rules": 7})["status"] == "stale"


def test_a_gap_found_in_old_evidence_is_still_a_failure(tmp_path):
    result = ns01(tmp_path, "2025-06-01", rules=BAD_RULES)
    assert result["status"] == "fail" and result["findings"][0]["id"] == "NS-01:R2"


def test_an_unknown_kind_in_the_policy_is_an_input_error_naming_the_line(tmp_path):
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "flow_rules": RULES})
    pol = write_policy(tmp_path, evidence_max_age_days={"firewall": 90})
    result = invoke("check", "--policy", pol, "--evidence", ev)
    assert result.exit_code == 2 and "firewall" in result.stderr and "policy.yaml:" in result.stderr


EXCEPTIONS = [
    {"id": "EX-ACTIVE", "control": "NS-06", "scope": {"asset_id": "T1"}, "reason": "移行", "approver": "CISO",
     "from": "2025-04-01", "to": "2026-12-31"},
    {"id": "EX-SOON", "control": "NS-06", "scope": {"asset_id": "T2"}, "reason": "保守", "approver": "CISO",
     "from": "2025-04-01", "to": "2026-04-20"},
    {"id": "EX-OLD", "control": "NS-06", "scope": {"asset_id": "T3"}, "reason": "旧", "approver": "CISO",
     "from": "2024-04-01", "to": "2025-12-31"},
    {"id": "EX-BAD", "control": "NS-06", "scope": {"asset_id": "T4"}, "reason": "日付なし", "approver": "CISO"},
]


def test_exceptions_list_groups_active_ending_soon_and_expired(tmp_path):
    pol = write_policy(tmp_path, exceptions=EXCEPTIONS)
    result = invoke("exceptions", "list", "--policy", pol, "--date", "2026-03-31", "--format", "json")
    assert result.exit_code == 0, result.output
    state = {e["id"]: (e["state"], e["days_left"]) for e in json.loads(result.stdout)}
    assert state == {"EX-ACTIVE": ("valid", 275), "EX-SOON": ("ending_soon", 20), "EX-OLD": ("expired", -90),
                     "EX-BAD": ("invalid", None)}
    text = invoke("exceptions", "list", "--policy", pol, "--date", "2026-03-31").stdout.splitlines()
    assert [line.split()[0] for line in text] == ["EX-ACTIVE", "EX-SOON", "EX-OLD", "EX-BAD"]
    assert "30日以内に終了（残り 20 日）" in text[1]
    english = invoke("exceptions", "list", "--policy", pol, "--date", "2026-03-31", "--lang", "en").stdout.splitlines()
    assert "ending within 30 days (20 days left)" in english[1]


def test_the_report_calls_out_an_exception_ending_soon(tmp_path):
    terminals = [{"asset_id": f"T{i}", "unit": "市民課", "zone": "mynumber", "export_block": "無"} for i in (1, 2, 3)]
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "terminals": terminals})
    pol = write_policy(tmp_path, exceptions=EXCEPTIONS)
    doc = report.build(audit_run(pol, ev, [shipped_controls()]), dt.date(2026, 4, 1), None)
    soon = {e["id"]: e["ending_soon"] for e in doc["check"]["exceptions"]}
    assert soon == {"EX-ACTIVE": False, "EX-SOON": True, "EX-OLD": False, "EX-BAD": False}
    out = tmp_path / "out"
    assert invoke("report", "--policy", pol, "--evidence", ev, "--out", out, "--format", "html,md",
                  "--date", "2026-04-01").exit_code == 0
    assert "20日以内に終了" in (out / "report.ja.html").read_text("utf-8")
    assert "20日以内に終了" in (out / "report.ja.md").read_text("utf-8")
