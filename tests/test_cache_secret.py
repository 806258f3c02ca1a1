"""The secret that signs cache entries (auditor/cli/caches.py): where it lives, made on first use, never
inside the evidence repository, and what happens without one. Every test here uses temporary places,
never the real configuration folder."""
import shutil

import pytest

from auditor.engine import audit
from conftest import POLICY, copy_sample, invoke


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")


@pytest.fixture
def town(tmp_path, monkeypatch):
    """A town repository (git work tree) with the sample, and no cache secret configured."""
    repo = tmp_path / "town"
    (repo / "policies").mkdir(parents=True)
    (repo / ".git").mkdir()
    shutil.copy(POLICY, repo / "policies" / "policy.yaml")
    evidence = copy_sample(repo)
    monkeypatch.delenv("AUDITOR_CACHE_KEY_FILE", raising=False)
    monkeypatch.delenv("AUDITOR_CACHE_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    evaluated = []
    real = audit.run
    monkeypatch.setattr(audit, "run", lambda *a, **k: evaluated.append(a) or real(*a, **k))
    return repo, evidence, evaluated


def check(repo, evidence, *more):
    return invoke("check", "--policy", repo / "policies" / "policy.yaml", "--evidence", evidence, "--format", "json",
                  *more)


def entries(repo):
    folder = repo / "policies" / ".auditor" / "cache"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_the_secret_is_made_on_first_use_in_the_configuration_folder(town, tmp_path):
    repo, evidence, evaluated = town
    first = check(repo, evidence)
    key = tmp_path / "config" / "municipal-auditor" / "cache.key"
    assert key.is_file() and key.stat().st_mode & 0o077 == 0 and len(key.read_bytes().strip()) >= 32
    made = key.read_bytes()
    second = check(repo, evidence)
    assert second.stdout == first.stdout and len(evaluated) == 1  # served: the same secret signed it
    assert key.read_bytes() == made  # never replaced


@pytest.mark.parametrize("where", ["evidence folder", "state folder", "git work tree", "policies folder"])
def test_a_key_file_inside_the_evidence_repository_is_refused(town, where):
    repo, evidence, _ = town
    place = {"evidence folder": evidence / "keys" / "k", "state folder": repo / "policies" / ".auditor" / "k",
             "git work tree": repo / "ci" / "cache.key", "policies folder": repo / "policies" / "k"}[where]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUDITOR_CACHE_KEY_FILE", str(place))
        result = check(repo, evidence)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("error: AUDITOR_CACHE_KEY_FILE: ") and str(place.resolve()) in result.stderr
    assert not place.exists() and not entries(repo)


def test_a_default_place_inside_the_repository_means_no_cache_and_says_so(town, monkeypatch):
    repo, evidence, evaluated = town
    monkeypatch.setenv("XDG_CONFIG_HOME", str(repo / "config"))  # a configuration folder inside the work tree
    first = check(repo, evidence)
    assert first.exit_code == 1 and "caches are not used" in first.stderr
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "ja")  # and in Japanese, the command line's default
    again = check(repo, evidence)
    assert again.stdout == first.stdout and "キャッシュを使いません" in again.stderr
    assert len(evaluated) == 2 and not entries(repo) and not (repo / "config").exists()


def test_a_secret_from_the_environment_signs_and_another_one_is_not_trusted(town, monkeypatch):
    repo, evidence, evaluated = town
    monkeypatch.setenv("AUDITOR_CACHE_KEY", "a CI secret of enough length")
    first = check(repo, evidence)
    assert check(repo, evidence).stdout == first.stdout and len(evaluated) == 1
    monkeypatch.setenv("AUDITOR_CACHE_KEY", "another CI secret, as long")
    assert check(repo, evidence).stdout == first.stdout and len(evaluated) == 2
    monkeypatch.setenv("AUDITOR_CACHE_KEY", "")  # a job that may not see the secret: the user's key instead
    assert check(repo, evidence).stdout == first.stdout and len(evaluated) == 3


@pytest.mark.parametrize("bad", ["short", "file too short", "unwritable place"])
def test_an_unusable_configured_secret_is_a_clear_error(town, tmp_path, monkeypatch, bad):
    repo, evidence, _ = town
    if bad == "short":
        monkeypatch.setenv("AUDITOR_CACHE_KEY", "tiny")
        named = "AUDITOR_CACHE_KEY"
    elif bad == "file too short":
        (tmp_path / "k").write_text("abc\n", encoding="utf-8")
        monkeypatch.setenv("AUDITOR_CACHE_KEY_FILE", str(tmp_path / "k"))
        named = str(tmp_path / "k")
    else:
        (tmp_path / "plain").write_text("a file where a folder should be", encoding="utf-8")
        monkeypatch.setenv("AUDITOR_CACHE_KEY_FILE", str(tmp_path / "plain" / "k"))
        named = "AUDITOR_CACHE_KEY_FILE"
    result = check(repo, evidence)
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {named}") and "Traceback" not in result.output
    assert "hint:" in result.stderr
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "ja")
    said = check(repo, evidence).stderr  # the Japanese line holds no English reason
    ja = {"short": "キャッシュ鍵が 4 バイトです", "file too short": "ファイルは 3 バイトですが、鍵は",
          "unwritable place": "途中の名前がフォルダではありません"}[bad]
    assert said.startswith(f"エラー: {named}") and ja in said and "bytes" not in said and "Not a directory" not in said, said


def test_without_a_configuration_folder_there_is_no_cache_and_the_same_result(town, tmp_path, monkeypatch):
    repo, evidence, evaluated = town
    (tmp_path / "config").write_text("not a folder", encoding="utf-8")  # the key cannot be made
    first = check(repo, evidence)
    assert first.exit_code == 1 and first.stderr == ""
    assert check(repo, evidence).stdout == first.stdout and len(evaluated) == 2 and not entries(repo)


def test_the_report_command_reads_through_the_same_signed_cache(town, tmp_path):
    repo, evidence, _ = town
    args = ["report", "--policy", repo / "policies" / "policy.yaml", "--evidence", evidence, "--format", "json",
            "--date", "2026-04-15"]
    assert invoke(*args, "--out", tmp_path / "r1").exit_code == 0
    assert any(n.startswith("valid-") for n in entries(repo))
    assert invoke(*args, "--out", tmp_path / "r2").exit_code == 0
    assert (tmp_path / "r1" / "report.json").read_bytes() == (tmp_path / "r2" / "report.json").read_bytes()
