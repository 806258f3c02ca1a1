"""docs/ci.md and .pre-commit-hooks.yaml: the auditor commands they run work on the sample, and
the files they upload validate against the formats' schemas."""
from __future__ import annotations

import json
import re
import shlex
import shutil

import jsonschema
import pytest
import xmlschema
import yaml

from auditor.cli.checkrun import file_name
from auditor.cycle import baseline as baseline_mod
from conftest import POLICY, ROOT, SAMPLE, invoke

DATA = ROOT / "tests" / "data"
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(sh|yaml)\n(.*?)```", DOC, re.DOTALL)
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
# pre-commit's manifest keys (pre-commit.com, "Creating new hooks")
HOOK_KEYS = {"id", "name", "entry", "language", "files", "exclude", "types", "types_or", "exclude_types",
             "always_run", "fail_fast", "verbose", "pass_filenames", "require_serial", "description",
             "language_version", "log_file", "minimum_pre_commit_version", "args", "stages",
             "additional_dependencies"}


def _strings(node):
    """Every string in a YAML document, in document order."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _commands(body: str, lang: str) -> list[str]:
    texts = [body] if lang == "sh" else list(_strings(yaml.safe_load(body)))
    lines = [line.split(" #")[0].strip() for text in texts for line in text.splitlines()]
    return [line for line in lines if line.startswith("auditor ")]


def _block(key: str):
    """The YAML example whose top level has `key` (jobs: GitHub, repos: pre-commit, else GitLab)."""
    docs = [yaml.safe_load(body) for lang, body in BLOCKS if lang == "yaml"]
    return next(d for d in docs if key in d)


def _pre_commit_config(lang: str, body: str) -> bool:
    """A .pre-commit-config.yaml example: its hooks are run by the real pre-commit (test_pre_commit.py)."""
    return lang == "yaml" and "repos" in (yaml.safe_load(body) or {})


ALL = [c for lang, body in BLOCKS if not _pre_commit_config(lang, body) for c in _commands(body, lang)]
GITHUB = _block("jobs")
GITLAB = _block("auditor")["auditor"]


def _option(command: str, name: str) -> str | None:
    args = shlex.split(command)
    return args[args.index(name) + 1] if name in args else None


def _formats(command: str) -> list[str]:
    return (_option(command, "--format") or "text").split(",")


def _written(command: str) -> dict:
    """format -> the file the command writes it to (-o FILE, or its fixed name in --output-dir)."""
    if _option(command, "--output"):
        return {_formats(command)[0]: _option(command, "--output")}
    folder = _option(command, "--output-dir")
    return {f: f"{folder}/{file_name(f)}" for f in _formats(command)} if folder else {}


def _run(command: str, cwd):
    args = shlex.split(command)
    assert args[0] == "auditor"
    return invoke(*args[1:], cwd=cwd)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """An evidence repository like a municipality's: policies/ and evidence/FY2025/, after running every
    command of docs/ci.md in order (each must exit 0 on the sample, given its own baseline)."""
    root = tmp_path_factory.mktemp("evidence-repo")
    (root / "policies").mkdir()
    shutil.copy(POLICY, root / "policies" / POLICY.name)
    shutil.copytree(SAMPLE, root / "evidence" / SAMPLE.name)
    for command in ALL:
        result = _run(command, root)
        assert result.exit_code == 0, (command, result.output)
    return root


def test_the_examples_cover_every_ci_format_and_the_gate():
    formats = {f for c in ALL for f in _formats(c)}
    assert {"json", "sarif", "junit", "github", "gitlab"} <= formats
    assert ALL[0].startswith("auditor check --format json") and _option(ALL[0], "--output")  # the baseline first
    gates = [c for c in ALL if _option(c, "--baseline")]
    assert len(gates) == 2 and all(_option(c, "--fail-on") is None for c in gates)  # GitHub and GitLab, default major


@pytest.mark.parametrize("commands", [
    [c for s in GITHUB["jobs"]["audit"]["steps"] for c in _commands(s.get("run", ""), "sh")],
    [c for c in GITLAB["script"] if c.startswith("auditor ")]], ids=["github", "gitlab"])
def test_each_ci_example_runs_the_audit_once_for_every_format(commands):
    checks = [c for c in commands if c.startswith("auditor check")]
    assert len(checks) == 1 and len(_formats(checks[0])) >= 3 and _option(checks[0], "--output-dir")
    assert _option(checks[0], "--baseline")  # the one run is the gate


def test_the_files_they_write_validate(repo):
    outputs = {f: repo / path for c in ALL[1:] for f, path in _written(c).items()}
    sarif = json.loads(outputs["sarif"].read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))).validate(sarif)
    for result in sarif["runs"][0]["results"]:  # repository-relative: code scanning finds the file
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("evidence/FY2025/") or uri == "policies/sample-city.yaml"
    xmlschema.XMLSchema(str(DATA / "JUnit.xsd")).validate(str(outputs["junit"]))
    gitlab = json.loads(outputs["gitlab"].read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(json.loads((DATA / "gitlab-codequality.schema.json").read_text(encoding="utf-8"))).validate(gitlab)
    assert all((repo / issue["location"]["path"]).is_file() for issue in gitlab)
    assert baseline_mod.load(repo / _option(ALL[0], "--output")).known  # a usable baseline: the sample's open findings
    assert baseline_mod.load(outputs["json"]).known  # the run's own JSON too


def test_the_gates_fail_on_a_new_gap_and_the_report_steps_do_not(repo, tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(repo, work)
    with open(work / "evidence" / "FY2025" / "fw_rules.csv", "ab") as fh:
        fh.write("FW-0999,マイナンバー利用事務系,インターネット接続系,許可,HTTPS(443) 試験,,\r\n".encode("cp932"))
    for command in ALL[1:]:
        expected = 1 if _option(command, "--baseline") else 0
        assert _run(command, work).exit_code == expected, command
    gate = next(c for c in ALL if "github" in _formats(c))
    result = _run(gate, work)
    assert result.stdout == "" and "4 個のファイルを書き出しました" in result.stderr  # stdout empty: one line on stderr
    assert "FW-0999" in (work / _written(gate)["github"]).read_text(encoding="utf-8")


def test_github_workflow_uploads_the_sarif_and_the_junit_it_writes():
    steps = GITHUB["jobs"]["audit"]["steps"]
    runs = [c for s in steps for c in _commands(s.get("run", ""), "sh")]
    written = {f: path for c in runs for f, path in _written(c).items()}
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == written["sarif"]
    assert "category" not in upload["with"]  # it would replace automationDetails.id: one analysis per fiscal year
    artifact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    kept = artifact["with"]["path"]
    assert kept == written["junit"] or (kept.endswith("/") and written["junit"].startswith(kept))
    assert GITHUB["permissions"]["security-events"] == "write"
    assert upload.get("if") == "always()" and artifact.get("if") == "always()"
    annotations = next(s for s in steps if written["github"] in s.get("run", ""))  # printed, so GitHub reads them
    assert annotations.get("if") == "always()" and annotations["run"].startswith("cat ")


def test_gitlab_job_declares_the_codequality_and_junit_reports():
    written = {f: path for c in GITLAB["script"] for f, path in _written(c).items()}
    assert GITLAB["artifacts"]["reports"] == {"codequality": written["gitlab"], "junit": written["junit"]}
    assert GITLAB["artifacts"]["when"] == "always"


def test_pre_commit_hooks_manifest():
    assert [h["id"] for h in HOOKS] == ["auditor-validate", "auditor-check"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook) <= HOOK_KEYS
        assert hook["pass_filenames"] is False  # auditor reads the whole tree, not the staged files
        files = re.compile(hook["files"])
        for path in ("evidence/FY2025/fw_rules.csv", "policies/sample-city.yaml", "controls/01-network.yaml"):
            assert files.search(path), path
        for path in ("README.md", "docs/ci.md", "auditor/cli/__init__.py", "tests/evidence/x.csv"):
            assert not files.search(path), path


def test_pre_commit_config_example_runs(repo):
    config = _block("repos")
    used = {h["id"]: h.get("args", []) for r in config["repos"] for h in r["hooks"]}
    assert set(used) == {h["id"] for h in HOOKS}
    for hook in HOOKS:
        command = " ".join([hook["entry"], *used[hook["id"]]])
        assert _run(command, repo).exit_code == 0, command
    check = next(h for h in HOOKS if h["id"] == "auditor-check")
    assert _run(check["entry"], repo).exit_code == 1  # without the baseline the open major gaps block
