"""Pass and fail cases of controls, one folder per case: tests/data/controls/<CONTROL>/<case>/.

A case folder holds `case.yaml` and one YAML file per evidence kind, named after the kind, in canonical
field names (values may be written as offices write them: 和暦, ○/×, Japanese enumeration terms). The
manifest is made from those files unless the folder has its own `manifest.yaml`; `org_units.yaml` defaults
to the small organisation of conftest.ORG. `case.yaml`:

    policy: {network_model: alpha_prime, controls: {NS-10: {params: {...}}}}   # optional
    as_of: 2026-03-31                                                          # optional
    status: fail                                                               # the control's status
    findings: [NS-10.line:R1]                                                  # exactly these finding IDs
    locations: {NS-10.line:R1: [[flow_rules.yaml, 1]]}                         # optional

The folder name says what the case is: `pass-…`, `fail-…`, `na-…` (not_applicable) or `noev-…`
(no_evidence); every control with a folder here has at least one pass and one fail case.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ORG, ROOT, check_json, write_policy

CASES_ROOT = ROOT / "tests" / "data" / "controls"
CASES = sorted(p for p in CASES_ROOT.glob("*/*") if (p / "case.yaml").is_file())
PREFIX = {"pass": "pass", "fail": "fail", "na": "not_applicable", "noev": "no_evidence"}


def _evidence(case: Path, target: Path, as_of) -> Path:
    target.mkdir(parents=True)
    files = []
    for path in sorted(case.iterdir()):
        if path.name in ("case.yaml",):
            continue
        shutil.copy(path, target / path.name)
        if path.suffix == ".yaml" and path.name != "manifest.yaml":
            files.append({"path": path.name, "kind": path.stem, "provided_by": "テスト", "collected_on": "2026-03-01"})
    if not (case / "manifest.yaml").exists():
        if not (case / "org_units.yaml").exists():
            (target / "org_units.yaml").write_text(yaml.safe_dump(ORG, allow_unicode=True), encoding="utf-8")
            files.append({"path": "org_units.yaml", "kind": "org_units", "provided_by": "テスト", "collected_on": "2026-03-01"})
        manifest = {"organisation": "テスト市", "fiscal_year": 2025, "files": files}
        if as_of:
            manifest["as_of"] = str(as_of)
        (target / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return target


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_control_case(case, tmp_path):
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    control = case.parent.name
    assert spec["status"] == PREFIX[case.name.split("-")[0]], "the folder name and the expected status disagree"
    evidence = _evidence(case, tmp_path / "ev", spec.get("as_of"))
    policy = write_policy(tmp_path, **(spec.get("policy") or {}))
    _, doc = check_json("--policy", policy, "--evidence", evidence, "--control", control, "--fail-on", "observation")
    (result,) = [r for r in doc["results"] if r["control_id"] == control]
    assert result["status"] == spec["status"], result
    assert sorted(f["id"] for f in result["findings"]) == sorted(spec.get("findings") or [])
    places = {f["id"]: [[l["file"], l["line"]] for l in f["locations"]] for f in result["findings"]}
    for fid, locations in (spec.get("locations") or {}).items():
        assert places[fid] == locations, fid
    for f in result["findings"]:  # every message names its record: no unknown placeholder is left
        assert "?" not in f["message"].replace("？", ""), f["message"]


# the controls of issue 15's technical and outsourcing catalogue, and the three-layer ones it changed
WITH_CASES = {"NS-03", "NS-07", "NS-08", "NS-09", "NS-10", "NS-11", "AC-01", "AC-02", "AC-03", "AC-04", "AC-05",
              "LG-01", "LG-02", "LG-03", "VM-01", "VM-02", "VM-03", "EP-01", "OC-01", "OC-02", "OC-03", "OC-04",
              "OC-05", "AU-04", "AU-06"}


def test_every_control_with_cases_has_a_pass_and_a_fail_case():
    assert WITH_CASES <= {p.name for p in CASES_ROOT.iterdir() if p.is_dir()}
    for folder in sorted(p for p in CASES_ROOT.iterdir() if p.is_dir()):
        kinds = {c.name.split("-")[0] for c in folder.iterdir() if (c / "case.yaml").is_file()}
        assert {"pass", "fail"} <= kinds, folder.name
