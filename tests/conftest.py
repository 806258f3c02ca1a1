"""Shared fixtures: the shipped sample, a CLI runner, and a builder for small evidence folders."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from auditor.cli import main

ROOT = Path(__file__).resolve().parent.parent

# The caches' secret (auditor/cli/caches.py) lives in a temporary folder for the whole session, never in
# the real configuration folder; subprocesses inherit it. The result cache is asked for, as it is on a
# developer's machine, also when the suite runs in CI (CI set): the tests of that default unset this.
_KEYS = tempfile.mkdtemp(prefix="auditor-test-keys-")
atexit.register(shutil.rmtree, _KEYS, True)
os.environ.pop("AUDITOR_CACHE_KEY", None)
os.environ["AUDITOR_CACHE_KEY_FILE"] = os.path.join(_KEYS, "cache.key")
os.environ["AUDITOR_RESULT_CACHE"] = "on"
# No settings file is read (a stray auditor.yaml or [tool.auditor] in the working folder would change what
# every command does): the tests of settings write theirs in tmp and unset this (monkeypatch.delenv).
os.environ["AUDITOR_CONFIG"] = os.devnull
for _name in [n for n in os.environ if n.startswith("AUDITOR_") and n not in (
        "AUDITOR_CACHE_KEY_FILE", "AUDITOR_RESULT_CACHE", "AUDITOR_CONFIG")]:
    os.environ.pop(_name)  # a developer's AUDITOR_FAIL_ON or AUDITOR_LANG must not change the results either
# Nor their locale: the command line's default language follows it (auditor/cli/i18n.py); C.UTF-8 gives the
# product's default, Japanese. tests/test_cli_japanese.py sets the locales it tests.
for _name in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"
# SARIF's invocation times are the clock's; fixed here (reproducible builds' variable) so that two runs of the
# same inputs give the same bytes, as the caches' tests compare. tests/test_ci_settings.py unsets it.
os.environ["SOURCE_DATE_EPOCH"] = "1775001600"  # 2026-04-01T00:00:00Z
SAMPLE = ROOT / "evidence" / "FY2025"
POLICY = ROOT / "policies" / "sample-city.yaml"


@pytest.fixture(autouse=True, scope="session")
def _own_register(tmp_path_factory):
    """No test reads the developer's register: `tools/dev.py audit` keeps the sample's beside its
    policy, where plain commands read it. $AUDITOR_DB (inherited by subprocesses too) names a file
    that cannot be created (its folder is a file), so a test that records must say where (--db);
    a test of the default location removes it (monkeypatch.delenv)."""
    blocker = tmp_path_factory.mktemp("register") / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUDITOR_DB", str(blocker / "history.sqlite"))
        yield


def invoke(*args, cwd: Path | None = None):
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def check_json(*args) -> tuple[int, dict]:
    result = invoke("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def write_policy(folder: Path, **overrides) -> Path:
    data = {"organisation": {"ja": "テスト市", "en": "Test City"}, "network_model": "alpha", "secretariat": "0100"}
    data.update(overrides)
    path = folder / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


ORG = [
    {"code": "0100", "name": "情報政策課", "parent": "0001", "level": "課", "mynumber_work": False},
    {"code": "0200", "name": "市民課", "parent": "0001", "level": "課", "mynumber_work": True},
    {"code": "0001", "name": "総務部", "level": "部", "mynumber_work": False},
]


def write_evidence(folder: Path, datasets: dict, fiscal_year: int = 2025, as_of: str | None = None,
                   collected_on: str = "2026-03-01") -> Path:
    """An evidence folder with one YAML file per kind (canonical field names) and its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for kind, records in datasets.items():
        name = f"{kind}.yaml"
        (folder / name).write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
        files.append({"path": name, "kind": kind, "provided_by": "テスト", "collected_on": collected_on})
    manifest = {"organisation": "テスト市", "fiscal_year": fiscal_year, "files": files}
    if as_of:
        manifest["as_of"] = as_of
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return folder


def copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "FY2025"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture
def sample_copy(tmp_path):
    return copy_sample(tmp_path)


# Slow groups a developer can leave out with `-m "not slow"` (CI runs everything): the browser, PDF
# typesetting, the adversarial subprocess cases and the property-based fuzzing.
SLOW_GROUPS = {"browser": ("test_browser.py",), "pdf": ("test_report_pdf.py",),
               "adversarial": ("adversarial",), "fuzz": ("fuzz",)}


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        for marker, places in SLOW_GROUPS.items():
            if any(p in parts for p in places):
                item.add_marker(marker)
                item.add_marker("slow")
