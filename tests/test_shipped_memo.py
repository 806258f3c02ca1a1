"""The shipped catalogue and audit map are checked against their schemas once per user, not once per project:
the check is remembered beside the user's cache key (cli/caches.shipped_memo), signed with it."""
import shutil

from auditor import defaults, schema
from conftest import POLICY, SAMPLE, invoke


def _validated(monkeypatch):
    seen = []
    real = schema._validator

    def counted(name):
        seen.append(name)
        return real(name)
    monkeypatch.setattr(schema, "_validator", counted)
    return seen


def _project(folder):
    shutil.copy(POLICY, folder / "policy.yaml")
    shutil.copytree(SAMPLE, folder / "FY2025")
    return ("check", "--policy", folder / "policy.yaml", "--evidence", folder / "FY2025", "--format", "json",
            "--result-cache", "off")


def test_a_first_run_in_another_project_does_not_check_the_shipped_files_again(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = invoke(*_project(tmp_path / "a"))
    seen = _validated(monkeypatch)
    second = invoke(*_project(tmp_path / "b"))  # its own cache folder is empty
    assert second.stdout.replace(str(tmp_path / "b"), "") == first.stdout.replace(str(tmp_path / "a"), "")
    assert "control" not in seen and "framework" not in seen
    assert "policy" in seen and "manifest" in seen  # the project's own files are checked in it


def test_with_the_key_from_the_environment_nothing_is_kept_beside_a_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITOR_CACHE_KEY", "k" * 32)
    monkeypatch.setenv("AUDITOR_CACHE_KEY_FILE", str(tmp_path / "keys" / "cache.key"))
    (tmp_path / "a").mkdir()
    seen = _validated(monkeypatch)
    assert invoke(*_project(tmp_path / "a")).exit_code == 1
    assert "control" in seen
    assert not (tmp_path / "keys").exists()


def test_only_files_of_the_package_count_as_shipped(tmp_path):
    shipped = sorted(defaults.shipped_controls().glob("*.yaml"))[0]
    copy = tmp_path / shipped.name
    shutil.copy(shipped, copy)
    assert defaults.is_shipped(shipped) and not defaults.is_shipped(copy)
