"""A new town's own files (issue 11 §4): results that would be silently wrong are right, or say
what they rest on (training courses, joins that match nothing, controls that do not apply)."""
from __future__ import annotations

import json


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
