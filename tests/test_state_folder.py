"""`.auditor/` (caches, history database) never reaches a commit of the evidence repository."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from auditor import defaults
from conftest import POLICY, SAMPLE, invoke

GIT = shutil.which("git")


def _git(repo, *args) -> str:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")  # no user excludesFile
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_git_add_all_after_check_report_and_record_stages_nothing_of_auditor(tmp_path, monkeypatch):
    """docs/ci.md has towns commit with `git add -A`: a cache entry can hold a roster name."""
    monkeypatch.delenv("AUDITOR_DB", raising=False)  # the default place: .auditor/ beside the policy
    repo = tmp_path / "town"
    (repo / "policies").mkdir(parents=True)
    shutil.copy(POLICY, repo / "policies" / POLICY.name)
    shutil.copytree(SAMPLE, repo / "evidence" / SAMPLE.name)
    _git(repo, "init", "-q")
    for args in (["check"], ["check", "--format", "json", "-o", "result.json"], ["check", "--format", "json"],
                 ["report", "--out", "reports", "--format", "json,md"], ["check", "--record"],
                 ["report", "--record", "--out", "reports", "--format", "json"]):
        assert invoke(*args, cwd=repo).exit_code in (0, 1), args
    state = repo / "policies" / ".auditor"
    assert (state / "history.sqlite").is_file() and any((state / "cache").glob("run-*"))  # the test is not vacuous
    assert (state / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    _git(repo, "add", "-A")
    staged = _git(repo, "diff", "--cached", "--name-only", "-z").split("\0")
    assert "result.json" in staged and "evidence/FY2025/manifest.yaml" in staged
    assert not [p for p in staged if ".auditor/" in p]


def test_an_existing_gitignore_is_left_as_it_is(tmp_path):
    state = tmp_path / ".auditor"
    state.mkdir()
    (state / ".gitignore").write_text("history.sqlite\n", encoding="utf-8")
    defaults.make_folder(state / "cache")
    assert (state / ".gitignore").read_text(encoding="utf-8") == "history.sqlite\n"
    other = tmp_path / "reports"
    defaults.make_folder(other)
    assert not (other / ".gitignore").exists()  # only auditor's own state folders
