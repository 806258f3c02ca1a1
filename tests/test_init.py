"""`auditor init` (issue 16 §1): a working evidence repository that overwrites nothing, and the first
`auditor check` in it: no wall of 証跡なし, but what to collect first, exit 0 — only while nothing at all
has been collected (one file listed, another year's files or a recorded run: audited as always)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from auditor import defaults, schema, yamlio
from auditor.catalogue import controls as catalogue, policy as pol_mod, scaffold
from auditor.evidence import headers
from conftest import ROOT, invoke

CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
SHIPPED = catalogue.load([defaults.shipped_controls()])[0]


def _init(tmp_path, *extra):
    result = invoke("init", tmp_path / "minato", "--name", "湊町", "--name-en", "Minato", "--model", "beta_prime",
                    "--fiscal-year", "2026", *extra)
    assert result.exit_code == 0, result.output
    return tmp_path / "minato"


def test_init_writes_the_repository(tmp_path):
    repo = _init(tmp_path, "--secretariat", "情報政策課")
    written = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    assert written == [".github/workflows/auditor.yml", ".gitignore", ".gitlab-ci.yml", ".pre-commit-config.yaml",
                       "README.md", "evidence/FY2026/manifest.yaml", "policies/湊町.yaml"]
    policy, lines = pol_mod.load(repo / "policies" / "湊町.yaml")
    assert (policy.organisation, policy.network_model, policy.secretariat) == \
        ({"ja": "湊町", "en": "Minato"}, "beta_prime", "情報政策課")
    assert policy.controls == {}  # every control applies as shipped until a line is uncommented
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "auditor inspect evidence/FY2026/" in readme and "policies/湊町.yaml" in readme


def test_the_policy_lists_every_control_with_its_parameters_and_how_to_disable_it(tmp_path):
    text = (_init(tmp_path) / "policies" / "湊町.yaml").read_text(encoding="utf-8")
    for c in SHIPPED:
        settings = [yaml.safe_load(m) for m in re.findall(rf"^  # {c.id}: (.*)$", text, re.M)]
        assert len(settings) == 2, c.id
        assert settings[0] == ({"params": dict(c.params)} if c.params else {}) | {"severity": c.severity}
        assert settings[1]["enabled"] is False and settings[1]["reason"]


@pytest.mark.parametrize("which", [0, 1])
def test_every_commented_line_of_the_policy_works_once_uncommented(tmp_path, which):
    """Uncomment, for every control at once, its settings line (0) or its disabling line (1)."""
    repo = _init(tmp_path)
    path = repo / "policies" / "湊町.yaml"
    lines, seen = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^  # ([A-Z]+-\d+): \{", line)
        if m:
            k = seen[m.group(1)] = seen.get(m.group(1), -1) + 1
            if k == which:
                line = "  " + line[4:]
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    policy, lines_of = pol_mod.load(path)
    applied = catalogue.apply_policy(list(SHIPPED), policy, lines_of)
    assert len(policy.controls) == len(SHIPPED)
    assert all(c.enabled is (which == 0) for c in applied)
    assert invoke("check", cwd=repo).exit_code == 0  # still a first run: nothing collected


def test_disabling_without_a_reason_is_refused(tmp_path):
    repo = _init(tmp_path)
    path = repo / "policies" / "湊町.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  # NS-09: {enabled: false, reason: 適用しない理由 / "
                                                             "why it does not apply}", "  NS-09: {enabled: false}"),
                    encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 2 and "reason" in result.stderr


def test_the_manifest_has_a_commented_entry_for_every_kind_and_they_are_valid(tmp_path):
    path = _init(tmp_path) / "evidence" / "FY2026" / "manifest.yaml"
    text = path.read_text(encoding="utf-8")
    kinds = re.findall(r"^#   kind: (\w+)$", text, re.M)
    assert sorted(kinds) == sorted(headers.providable()) and kinds[0] == "org_units"
    body = text.replace("files: []", "files:")
    body = "\n".join(line[2:] if line.startswith(("# - ", "#   ")) else line for line in body.splitlines())
    data, located = yamlio.load_config(body, str(path))
    schema.validate(data, "manifest", path, located)
    assert [e["kind"] for e in data["files"]] == kinds


def test_the_ci_files_are_those_of_docs_ci(tmp_path):
    repo = _init(tmp_path)
    blocks = re.findall(r"```yaml\n(.*?)```", CI_DOC, re.S)
    for rel in (".github/workflows/auditor.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"):
        assert (repo / rel).read_text(encoding="utf-8") in blocks, rel


def test_gitignore_keeps_caches_history_and_reports_out(tmp_path):
    repo = _init(tmp_path)
    if not shutil.which("git"):
        pytest.skip("no git")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    probes = [".auditor/cache/x", "policies/.auditor/history.sqlite", "reports/report.ja.html"]
    run = subprocess.run(["git", "check-ignore", *probes], cwd=repo, capture_output=True, text=True)
    assert run.stdout.split() == probes
    assert subprocess.run(["git", "check-ignore", "-q", "evidence/FY2026/manifest.yaml"], cwd=repo).returncode == 1


def test_init_refuses_to_overwrite_anything(tmp_path):
    repo = _init(tmp_path)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    (repo / "policies" / "湊町.yaml").unlink()
    (repo / "policies" / "湊町.yaml").write_text("mine\n", encoding="utf-8")
    again = invoke("init", repo, "--name", "湊町", "--model", "beta", "--fiscal-year", "2027")
    assert again.exit_code == 2 and "湊町.yaml" in again.stderr and "overwrite" in again.stderr
    assert not (repo / "evidence" / "FY2027").exists()
    assert (repo / "policies" / "湊町.yaml").read_text(encoding="utf-8") == "mine\n"
    assert {p for p in repo.rglob("*") if p.is_file()} == set(before)


def test_init_adds_its_part_to_an_existing_readme_and_gitignore(tmp_path):
    repo = tmp_path / "minato"
    repo.mkdir()
    (repo / "README.md").write_text("# 湊町 情報政策課\n", encoding="utf-8")
    (repo / ".gitignore").write_text("reports/\n*.tmp\n", encoding="utf-8")
    _init(tmp_path)
    assert (repo / "README.md").read_text(encoding="utf-8").startswith("# 湊町 情報政策課\n\n## ")
    ignore = (repo / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ignore[:2] == ["reports/", "*.tmp"] and ignore.count("reports/") == 1 and ".auditor/" in ignore


def test_check_right_after_init_says_what_to_collect_first(tmp_path):
    repo = _init(tmp_path)
    result = invoke("check", cwd=repo)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "証跡はまだありません" in out and "No evidence yet" not in out and "証跡なし" not in out
    assert "org_units" in out.splitlines()[2] and "auditor inspect evidence/FY2026/" in out
    assert len(out.splitlines()) < 25
    from auditor.cli.onboarding import _width

    starts = [_width(line[:m.start()]) for line in out.splitlines() if (m := re.search(r"[A-Z]{2}-\d\d", line))]
    assert len(starts) >= 5 and len(set(starts)) == 1  # the control IDs start in one column, a long title too
    english = invoke("check", "--lang", "en", cwd=repo).stdout
    assert "No evidence yet" in english and "証跡はまだありません" not in english
    machine = invoke("check", "--format", "json", cwd=repo)
    assert machine.exit_code == 0 and "No evidence yet" not in machine.stdout and "証跡はまだありません" in machine.stderr
    statuses = {r["status"] for r in json.loads(machine.stdout)["results"] if not r["control_id"].startswith("GL")}
    assert "no_evidence" in statuses and statuses <= {"no_evidence", "not_applicable"}  # α′-only ones do not apply


def test_a_manifest_with_files_still_shows_missing_kinds_as_no_evidence(tmp_path):
    repo = _init(tmp_path)
    ev = repo / "evidence" / "FY2026"
    (ev / "org.yaml").write_text("- {code: '0100', name: 総務課, level: 課}\n", encoding="utf-8")
    assert invoke("inspect", ev / "org.yaml", "--append", ev / "manifest.yaml", "--provided-by", "総務課").exit_code == 0
    result = invoke("check", cwd=repo)
    assert result.exit_code == 1 and "証跡なし" in result.stdout and "証跡はまだありません" not in result.stdout


def test_an_empty_new_year_beside_a_year_with_evidence_is_audited_as_always(tmp_path):
    repo = _init(tmp_path)
    ev = repo / "evidence" / "FY2026"
    (ev / "org.yaml").write_text("- {code: '0100', name: 総務課, level: 課}\n", encoding="utf-8")
    invoke("inspect", ev / "org.yaml", "--append", ev / "manifest.yaml", "--provided-by", "総務課")
    (repo / "evidence" / "FY2027").mkdir()
    (repo / "evidence" / "FY2027" / "manifest.yaml").write_text("organisation: 湊町\nfiscal_year: 2027\nfiles: []\n",
                                                                  encoding="utf-8")
    result = invoke("check", cwd=repo)
    assert result.exit_code == 1 and "証跡なし" in result.stdout


def test_a_recorded_history_ends_the_first_run(tmp_path, monkeypatch):
    repo = _init(tmp_path)
    db = tmp_path / "history.sqlite"
    assert invoke("check", "--record", "--db", db, cwd=repo).exit_code == 1  # recorded: no longer a first run
    assert invoke("check", "--db", db, cwd=repo).exit_code == 1


def test_scaffold_names_the_policy_file_safely():
    assert scaffold.slug("湊 町/役場") == "湊-町-役場"
    with pytest.raises(Exception):
        scaffold.slug("///")
