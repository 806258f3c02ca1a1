"""The asset, physical and operations controls (auditor/controls/09-*.yaml) on their fixture cases.

One folder per case under tests/data/controls/<CONTROL>/<case>/: manifest.yaml, the evidence files, and
expected.yaml, in the form `auditor test` reads (`pass`, or description, params, policy, status and the
findings by ID with file, line and department). Each case runs its one control under a test policy with
the case's params, and must give exactly the expected status and findings.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import check_json

CASES = Path(__file__).parent / "data" / "controls"
TEST_POLICY = {"organisation": {"ja": "テスト市", "en": "Test City"}, "network_model": "alpha"}
CONTROLS = ("AM-01", "AM-02", "AM-03", "AM-04", "AM-05", "AM-06", "RA-01", "MD-01", "MD-02", "MD-03",
            "PH-01", "PH-02", "PH-03", "IR-01", "IR-02", "IR-04", "PR-03", "PR-04")


def _cases():
    return sorted(p.parent.relative_to(CASES).as_posix() for p in CASES.glob("*/*/expected.yaml"))


def _expected(folder: Path) -> dict:
    data = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    if data == "pass":
        data = {"status": "pass"}
    findings = [{"id": f} if isinstance(f, str) else f for f in data.get("findings") or []]
    return dict(data, findings=findings, status=data.get("status") or ("fail" if findings else "pass"))


@pytest.mark.parametrize("name", _cases())
def test_case(tmp_path, name):
    folder = CASES / name
    control = name.split("/")[0]
    want = _expected(folder)
    policy = dict(TEST_POLICY, **(want.get("policy") or {}))
    if want.get("params"):
        policy["controls"] = {control: {"params": want["params"]}}
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    _, doc = check_json("--policy", path, "--evidence", folder, "--control", control, "--fail-on", "observation")
    (result,) = [r for r in doc["results"] if r["control_id"] == control]
    assert result["status"] == want["status"], result
    got = {f["id"]: f for f in result["findings"]}
    assert set(got) == {f["id"] for f in want["findings"]}, [f["message"] for f in result["findings"]]
    for f in want["findings"]:
        g = got[f["id"]]
        if "file" in f or "line" in f:
            assert {"file": f.get("file"), "line": f.get("line")} in g["locations"], (f, g["locations"])
        if "department" in f:
            assert g["department"] == f["department"], (f, g)
        assert "?" not in g["message"], g["message"]  # every name in the template is known


def test_every_control_has_a_passing_and_a_failing_case():
    names = _cases()
    for control in CONTROLS:
        mine = [n.split("/")[1] for n in names if n.split("/")[0] == control]
        assert any(n.startswith("pass") for n in mine) and any(n.startswith("fail") for n in mine), control


def test_missing_evidence_is_never_a_pass(tmp_path):
    """Each control on a folder without its evidence kinds: no_evidence, not pass."""
    folder = tmp_path / "ev"
    folder.mkdir()
    (folder / "org_units.csv").write_text("code,name,parent,level\n0100,情報政策課,,課\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text(yaml.safe_dump({
        "organisation": "テスト市", "fiscal_year": 2025, "files": [
            {"path": "org_units.csv", "kind": "org_units", "provided_by": "総務課", "collected_on": "2026-03-02"}]},
        allow_unicode=True), encoding="utf-8")
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(TEST_POLICY, allow_unicode=True), encoding="utf-8")
    args = [a for c in CONTROLS for a in ("--control", c)]
    _, doc = check_json("--policy", path, "--evidence", folder, *args)
    assert {r["control_id"]: r["status"] for r in doc["results"]} == {c: "no_evidence" for c in CONTROLS}
