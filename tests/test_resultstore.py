"""Stored results per control (auditor/engine/resultstore.py): after one file changes, only the controls
reading its kind are evaluated again, and the output is byte for byte that of a cold run."""
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.catalogue import controls as catalogue
from auditor.engine import evaluate, resultstore
from auditor.model import DERIVED_KINDS, Finding, Result
from auditor.privacy import mynumber
from auditor import defaults, sealed
from conftest import POLICY, ROOT, SAMPLE, invoke


@pytest.fixture
def counted(monkeypatch):
    """The IDs of the controls really evaluated (not taken from the store)."""
    seen = []
    real = evaluate._evaluate_one

    def one(control, *args):
        seen.append(control.id)
        return real(control, *args)
    monkeypatch.setattr(evaluate, "_evaluate_one", one)
    return seen


def _check(folder, *more):
    # --result-cache on serves a whole unchanged run: after a change, the stored results per control answer
    return invoke("check", "--policy", folder / "policy.yaml", "--evidence", folder / "FY2025", "--format", "json",
                  *more)


def _setup(folder):
    shutil.copy(POLICY, folder / "policy.yaml")
    shutil.copytree(SAMPLE, folder / "FY2025")


def _kinds_of(evidence, name: str) -> set:
    manifest = yaml.safe_load((evidence / "manifest.yaml").read_text(encoding="utf-8"))
    return {e["kind"] for e in manifest["files"] if e["path"] == name}


def test_after_one_file_changes_only_the_controls_reading_its_kind_are_evaluated(tmp_path, counted):
    _setup(tmp_path)
    first = _check(tmp_path)
    assert first.exit_code == 1, first.output
    everything = set(counted)
    roster = tmp_path / "FY2025" / "lms_export.csv"
    roster.write_bytes(roster.read_bytes() + b"\r\n")  # a new digest, the same rows
    counted.clear()
    again = _check(tmp_path)
    kinds = _kinds_of(tmp_path / "FY2025", "lms_export.csv") | set(DERIVED_KINDS)
    controls, _ = catalogue.load([defaults.shipped_controls()])
    reading = {c.id for c in controls if set(c.evidence) & kinds}
    assert set(counted) == reading & everything  # and no other control
    assert set(counted) < everything
    shutil.rmtree(tmp_path / ".auditor")
    cold = _check(tmp_path)
    assert again.stdout == cold.stdout and again.exit_code == cold.exit_code


def test_without_the_result_cache_every_control_is_evaluated_and_nothing_is_stored(tmp_path, counted):
    _setup(tmp_path)
    _check(tmp_path, "--result-cache", "off")
    first = len(counted)
    _check(tmp_path, "--result-cache", "off")
    assert len(counted) == 2 * first
    assert not list((tmp_path / ".auditor" / "cache").glob(resultstore.PREFIX + "*"))


def _edit(data: bytes, op: str, at: int) -> bytes:
    lines = data.split(b"\n")
    i = at % len(lines)
    if op == "drop":
        del lines[i]
    elif op == "double":
        lines.insert(i, lines[i])
    elif op == "swap" and i + 1 < len(lines):
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    else:  # one byte of the line changed (a digit up, or a letter)
        line = bytearray(lines[i] or b"x")
        j = at % len(line)
        line[j] = ord("7") if line[j] != ord("7") else ord("3")
        lines[i] = bytes(line)
    return b"\n".join(lines)


NAMES = sorted(p.name for p in SAMPLE.iterdir() if p.suffix in (".csv", ".yaml", ".tsv"))


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), op=st.sampled_from(["drop", "double", "swap", "byte"]),
       at=st.integers(0, 10_000))
def test_a_random_edit_of_one_file_gives_the_output_of_a_cold_run(tmp_path_factory, name, op, at):
    folder = tmp_path_factory.mktemp("edit")
    _setup(folder)
    warm = _check(folder)  # the stores filled from the unchanged sample
    path = folder / "FY2025" / name
    path.write_bytes(_edit(path.read_bytes(), op, at))
    after = _check(folder)
    shutil.rmtree(folder / ".auditor")
    cold = _check(folder)
    assert (after.exit_code, after.stdout, after.stderr) == (cold.exit_code, cold.stdout, cold.stderr)
    assert warm.exit_code in (0, 1)


def test_a_result_that_might_hold_a_my_number_is_never_stored(tmp_path):
    first = "12345678901"
    number = first + str(mynumber.check_digit(first))
    store = sealed.Store(tmp_path, b"k" * 32)
    controls, _ = catalogue.load([defaults.shipped_controls()])
    finding = Finding("X:1", controls[0].id, "major", None, None, {"ja": number, "en": "x"}, [], {})
    rs = resultstore.ResultStore(store, None, None, ())
    rs.put("res-a", Result(controls[0], "pass", findings=[finding]))
    rs.put("res-b", Result(controls[0], "pass"))
    assert [p.name for p in tmp_path.iterdir()] == ["res-b"]
    assert rs.get("res-b", controls[0]).status == "pass"


def test_in_ci_results_per_control_are_used_only_when_asked_for(tmp_path, counted, monkeypatch):
    _setup(tmp_path)
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("AUDITOR_RESULT_CACHE")
    _check(tmp_path)
    assert not list((tmp_path / ".auditor" / "cache").glob(resultstore.PREFIX + "*"))  # the gate evaluates afresh
    _check(tmp_path, "--result-cache", "on")
    assert list((tmp_path / ".auditor" / "cache").glob(resultstore.PREFIX + "*"))
