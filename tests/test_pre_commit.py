"""docs/ci.md's pre-commit configurations, run by the real pre-commit against a scratch evidence
repository: `pre-commit run --all-files` runs both hooks, and after `pre-commit install` a commit that
adds a major gap is refused."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import POLICY, ROOT, SAMPLE
from test_baseline import NEW_RULE

DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
CONFIGS = [yaml.safe_load(body) for body in re.findall(r"```yaml\n(.*?)```", DOC, re.S) if "\nrepos:" in "\n" + body]
LOCAL, REMOTE = CONFIGS
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent  # the venv running the suite: its auditor is the one under test


def _pre_commit() -> str:
    """pre-commit from PyPI, installed into this venv on first use with the pinned version."""
    found = shutil.which("pre-commit", path=str(BIN))
    if found:
        return found
    if not shutil.which("git"):
        pytest.skip("git is not installed: pre-commit works on git repositories")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "-c", str(ROOT / "constraints.txt"), "pre-commit"],
                             capture_output=True, text=True, timeout=600)
    found = shutil.which("pre-commit", path=str(BIN))
    if install.returncode or not found:
        last = (install.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"pre-commit is not installed and pip could not install it from PyPI ({last})")
    return found


def _env(tmp: Path) -> dict:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PRE_COMMIT_HOME=str(tmp / "pc-home"),
               GIT_AUTHOR_NAME="情報政策課", GIT_AUTHOR_EMAIL="ciso@example.invalid",
               GIT_COMMITTER_NAME="情報政策課", GIT_COMMITTER_EMAIL="ciso@example.invalid")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # never the auditor repository's own git
        env.pop(name, None)
    return env


def _run(args, cwd: Path, env: dict, timeout=600):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _evidence_repo(tmp: Path, config: dict, env: dict) -> Path:
    """A municipality's evidence repository: policy, FY2025 evidence, the baseline, the pre-commit config."""
    root = tmp / "evidence-repo"
    (root / "policies").mkdir(parents=True)
    shutil.copy(POLICY, root / "policies" / POLICY.name)
    shutil.copytree(SAMPLE, root / "evidence" / SAMPLE.name)
    base = _run([str(BIN / "auditor"), "check", "--format", "json", "--fail-on", "none",
                 "--output", "ci/auditor-baseline.json"], root, env)
    assert base.returncode == 0, base.stderr
    (root / ".gitignore").write_text(".auditor/\n", encoding="utf-8")  # the cache beside the policy
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for args in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert _run(args, root, env).returncode == 0
    return root


def _exercise(root: Path, pre_commit: str, env: dict) -> None:
    """run --all-files passes both hooks; install makes `git commit` run them; a new gap is refused."""
    run = _run([pre_commit, "run", "--all-files"], root, env)
    assert run.returncode == 0, run.stdout + run.stderr
    for hook in HOOKS:
        assert re.search(re.escape(hook["name"]) + r"\.+Passed", run.stdout), run.stdout
    assert _run([pre_commit, "install"], root, env).returncode == 0
    assert (root / ".git" / "hooks" / "pre-commit").is_file()
    first = _run(["git", "commit", "-q", "-m", "FY2025 evidence"], root, env)
    assert first.returncode == 0, first.stdout + first.stderr
    with open(root / "evidence" / "FY2025" / "fw_rules.csv", "ab") as fh:
        fh.write(NEW_RULE)
    _run(["git", "add", "-A"], root, env)
    refused = _run(["git", "commit", "-q", "-m", "open the My Number zone"], root, env)
    assert refused.returncode != 0 and "FW-0999" in refused.stdout + refused.stderr
    assert _run(["git", "rev-list", "--count", "HEAD"], root, env).stdout.strip() == "1"  # nothing committed


def test_the_two_configurations_name_the_shipped_hooks():
    for config in CONFIGS:
        hooks = [h for repo in config["repos"] for h in repo["hooks"]]
        assert [h["id"] for h in hooks] == [h["id"] for h in HOOKS]
        assert {h["id"]: h.get("args") for h in hooks}["auditor-check"] == ["--baseline", "ci/auditor-baseline.json"]
    assert LOCAL["repos"][0]["repo"] == "local"
    for local, shipped in zip(LOCAL["repos"][0]["hooks"], HOOKS):  # the same hook, run from the installed auditor
        assert local["language"] == "unsupported"
        assert {k: local[k] for k in ("name", "entry", "files", "pass_filenames")} == \
            {k: shipped[k] for k in ("name", "entry", "files", "pass_filenames")}
    assert not re.match(r"v\d", str(REMOTE["repos"][0]["rev"]))  # no tags exist: a commit SHA, not v0.1.0


def test_local_hooks_run_with_the_installed_auditor(tmp_path):
    pre_commit = _pre_commit()
    env = _env(tmp_path)
    _exercise(_evidence_repo(tmp_path, LOCAL, env), pre_commit, env)


@pytest.mark.slow
def test_hooks_pinned_to_a_commit_install_auditor_themselves(tmp_path):
    """The remote form with `rev:` a commit SHA; pre-commit clones this repository at HEAD and pip-installs it
    into its own environment (from PyPI: slow, hence in the slow group)."""
    pre_commit = _pre_commit()
    env = _env(tmp_path)
    head = _run(["git", "rev-parse", "HEAD"], ROOT, env)
    if head.returncode:
        pytest.skip("not a git checkout: there is no commit to pin")
    config = {"repos": [dict(REMOTE["repos"][0], repo=str(ROOT), rev=head.stdout.strip())]}
    env["PATH"] = os.environ.get("PATH", "")  # the hooks find only the auditor pre-commit installed
    _exercise(_evidence_repo(tmp_path, config, env), pre_commit, env)
