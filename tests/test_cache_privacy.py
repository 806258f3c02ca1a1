"""No My Number reaches the parse cache, not even one written in a column's header label."""
from __future__ import annotations

import yaml

from auditor.privacy import mynumber
from conftest import ORG, invoke, write_evidence, write_policy


def _number(first: str = "12345678901") -> str:
    return first + str(mynumber.check_digit(first))


def test_a_number_in_a_header_label_is_not_stored_raw(tmp_path):
    number = _number()
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    (ev / "fw.csv").write_text(f"rule_id,src_zone,dst_zone,action,備考{number}\n"
                               f"R1,lgwan,internet,deny,照会 {number}\nR2,lgwan,internet,deny,なし\n", encoding="utf-8")
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"].append({"path": "fw.csv", "kind": "flow_rules", "provided_by": "情報政策課",
                              "collected_on": "2026-03-01"})
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    policy = write_policy(tmp_path)
    result = invoke("check", "--policy", policy, "--evidence", ev, "--format", "json", "--fail-on", "none")
    assert result.exit_code == 0, result.output
    assert number not in result.stdout and "DP-01" in result.stdout
    cache = tmp_path / ".auditor" / "cache"
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries, "the run wrote no parse cache: nothing was tested"
    assert not [p.name for p in entries if number.encode() in p.read_bytes()]
