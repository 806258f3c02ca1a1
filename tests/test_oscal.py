"""OSCAL outputs (`check --format oscal-ar` / `oscal-poam`): parsed by compliance-trestle's models and
accepted by `trestle validate` in a trestle workspace; stable, and free of My Numbers and staff names."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conftest import POLICY, SAMPLE, check_json, invoke

trestle = pytest.importorskip("trestle", reason="compliance-trestle (the [test] extra) is not installed on this Python")

FORMATS = {"oscal-ar": "assessment-results", "oscal-poam": "plan-of-action-and-milestones"}


def _render(fmt, *args, lang="en"):
    result = invoke("check", "--format", fmt, "--lang", lang, *args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(scope="module")
def docs():
    return {fmt: _render(fmt, "--policy", POLICY, "--evidence", SAMPLE) for fmt in FORMATS}


def test_the_models_of_trestle_parse_both(docs):
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.poam import PlanOfActionAndMilestones

    ar = AssessmentResults.parse_obj(json.loads(docs["oscal-ar"])["assessment-results"])
    poam = PlanOfActionAndMilestones.parse_obj(json.loads(docs["oscal-poam"])["plan-of-action-and-milestones"])
    assert ar.metadata.oscal_version.__root__ == "1.1.3" and ar.results[0].findings
    assert poam.poam_items and poam.risks


def _trestle_bin() -> str:
    found = Path(sys.executable).with_name("trestle")
    return str(found) if found.exists() else shutil.which("trestle")


def test_trestle_validate_accepts_both_in_a_workspace(tmp_path, docs):
    trestle_cmd = _trestle_bin()
    assert trestle_cmd, "the trestle command is not installed beside this Python"
    init = subprocess.run([trestle_cmd, "init"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stdout + init.stderr
    for fmt, model in FORMATS.items():
        folder = tmp_path / model / "sample-city"
        folder.mkdir(parents=True)
        (folder / f"{model}.json").write_text(docs[fmt], encoding="utf-8")
    run = subprocess.run([trestle_cmd, "validate", "-a"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert out.count("VALID: Model") == 2 and "INVALID" not in out, out


def test_two_runs_give_the_same_documents_with_unique_version_5_uuids(docs):
    from auditor import defaults, reporters
    from auditor.engine import audit

    for fmt in FORMATS:  # two runs rendered here (the CLI's result cache would serve the first one's text)
        texts = {reporters.get(fmt)(audit.run(POLICY, SAMPLE, [defaults.shipped_controls()]), "en") for _ in range(2)}
        assert len(texts) == 1, fmt
        found = []

        def walk(obj):
            if isinstance(obj, dict):
                if "uuid" in obj:
                    found.append(obj["uuid"])
                for v in obj.values():
                    walk(v)
            elif isinstance(obj, list):
                for v in obj:
                    walk(v)
        walk(json.loads(docs[fmt]))
        assert found and len(found) == len(set(found)), fmt
        assert all(uuid.UUID(u).version == 5 for u in found)


def test_assessment_results_carry_every_finding_and_the_evidence_hashes(docs):
    _, check = check_json("--policy", POLICY, "--evidence", SAMPLE)
    ar = json.loads(docs["oscal-ar"])["assessment-results"]
    (result,) = ar["results"]
    ids = {p["value"] for f in result["findings"] for p in f["props"] if p["name"] == "finding-id"}
    assert ids == {f["id"] for r in check["results"] for f in r["findings"]}
    hashes = {e["path"]: e["sha256"] for e in check["integrity"]["evidence"]}
    resources = {r["title"]: r for r in ar["back-matter"]["resources"]}
    for path, sha in hashes.items():
        (rlink,) = resources[path]["rlinks"]
        assert rlink["hashes"] == [{"algorithm": "SHA-256", "value": sha}]
    evidence = [e for o in result["observations"] for e in o.get("relevant-evidence", [])]
    assert evidence and all(e["links"][0]["href"].lstrip("#") in {r["uuid"] for r in resources.values()} for e in evidence)
    assert {p["value"] for e in evidence for p in e["props"] if p["name"] == "sha256"} == set(hashes.values())
    included = {c["control-id"] for c in result["reviewed-controls"]["control-selections"][0]["include-controls"]}
    assert {"NS-01", "TR-01", "DP-01"} <= included
    states = {f["target"]["status"]["state"] for f in result["findings"]}
    assert states == {"satisfied", "not-satisfied"}
    assert ar["import-ap"]["href"].endswith("sample-city.yaml")


def test_the_plan_has_an_item_per_open_finding_with_due_dates(docs):
    _, check = check_json("--policy", POLICY, "--evidence", SAMPLE)
    open_ids = {f["id"] for r in check["results"] for f in r["findings"] if f["status"] == "open"}
    poam = json.loads(docs["oscal-poam"])["plan-of-action-and-milestones"]
    items = poam["poam-items"]
    assert {p["value"] for i in items for p in i["props"] if p["name"] == "finding-id"} == open_ids
    risks = {r["uuid"]: r for r in poam["risks"]}
    findings = {f["uuid"] for f in poam["findings"]}
    for item in items:
        (risk,) = [risks[r["risk-uuid"]] for r in item["related-risks"]]
        assert item["related-findings"][0]["finding-uuid"] in findings
        assert risk["deadline"].endswith("T23:59:59+09:00") and risk["status"] in ("open", "remediating")
        assert risk["remediations"][0]["tasks"][0]["timing"]["on-date"]["date"] == risk["deadline"]
    # the same finding has the same UUID in both documents
    ar_uuids = {f["uuid"] for f in json.loads(docs["oscal-ar"])["assessment-results"]["results"][0]["findings"]}
    assert findings <= ar_uuids


def test_no_my_number_and_no_staff_name_even_when_the_policy_shows_names(tmp_path):
    from auditor.engine import audit
    from auditor import defaults
    from auditor.privacy import mynumber

    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy.setdefault("report", {})["show_personal_names"] = True
    shown = tmp_path / "policy.yaml"
    shown.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    run = audit.run(shown, SAMPLE, [defaults.shipped_controls()])
    names = {str(r.fields["name"]) for r in run.evidence.datasets["staff"] if len(str(r.fields.get("name") or "")) >= 2}
    assert names and run.evidence.my_numbers
    for fmt in FORMATS:
        for lang in ("ja", "en"):
            text = _render(fmt, "--policy", shown, "--evidence", SAMPLE, lang=lang)
            assert not mynumber.find(text), fmt
            assert not [n for n in names if n in text], fmt


def test_iso_27001_references_become_props(docs):
    """A control's own refs.iso27001, else Annex A read from its audit items' ISO/IEC 27002 numbers."""
    from auditor.reporters import oscal

    fw = SimpleNamespace(items_of=lambda cid: [SimpleNamespace(id="GL1-01", refs={"iso27002": ["5.2", "5.4"]})])
    run = SimpleNamespace(framework=fw)
    own = SimpleNamespace(id="LOCAL-01", refs={"iso27001": ["A.5.4", "9.2"]})
    assert oscal.iso27001(run, own) == [("9.2", False), ("A.5.4", False), ("A.5.2", True)]
    props = oscal.iso_props(run, own)
    assert {"name": "iso27001-annex-a", "value": "A.5.2", "ns": oscal.NS, "class": "derived"} in props
    assert {"name": "iso27001-clause", "value": "9.2", "ns": oscal.NS} in props
    plain = SimpleNamespace(id="NS-01")  # no refs attribute at all
    assert oscal.iso27001(SimpleNamespace(framework=None), plain) == []
    ar = json.loads(docs["oscal-ar"])["assessment-results"]
    mapped = {p["value"] for f in ar["results"][0]["findings"] for p in f["props"] if p["name"] == "iso27001-annex-a"}
    assert mapped, "the shipped audit map maps some controls to ISO/IEC 27002 numbers"
    selections = ar["results"][0]["reviewed-controls"]["control-selections"]
    assert any(s["description"].startswith("The ISO/IEC 27001") for s in selections)


def test_japanese_by_default():
    text = _render("oscal-ar", "--policy", POLICY, "--evidence", SAMPLE, lang="ja")
    assert "情報セキュリティ監査結果" in json.loads(text)["assessment-results"]["metadata"]["title"]
