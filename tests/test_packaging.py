"""What an installed package needs besides the code: licence, typing marker, `python -m`, declared Pythons."""
from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from auditor.evidence import integrity
from conftest import POLICY, ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "tools"))
import dev  # noqa: E402


def _setup() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    return cfg


def test_licence_file_is_shipped_and_named():
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    meta = _setup()["metadata"]
    assert meta["license_files"].strip() == "LICENSE"
    assert meta["license"].strip() == "Apache-2.0"  # an SPDX expression (setuptools refuses licence classifiers beside it)


def test_declared_pythons_agree_with_the_matrix():
    """python_requires, the classifiers and `tools/dev.py matrix` name the same versions."""
    cfg = _setup()
    low = re.fullmatch(r">=\s*3\.(\d+)", cfg["options"]["python_requires"].strip())
    assert low, cfg["options"]["python_requires"]
    classified = re.findall(r"Programming Language :: Python :: (3\.\d+)", cfg["metadata"]["classifiers"])
    assert tuple(classified) == dev.PYTHONS
    assert dev.PYTHONS[0] == f"3.{low.group(1)}"


def test_typing_marker_is_package_data():
    assert (ROOT / "auditor" / "py.typed").is_file()
    assert "py.typed" in _setup()["options.package_data"]["auditor"]


def test_shipped_controls_are_package_data():
    assert "controls/*.yaml" in _setup()["options.package_data"]["auditor"]
    assert not _setup().has_section("options.data_files")  # nothing outside the package to lose


def test_python_dash_m_runs_the_command():
    run = subprocess.run([sys.executable, "-m", "auditor", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("使い方: auditor ")  # Japanese unless AUDITOR_LANG or the locale says otherwise


def test_constraints_pin_every_runtime_dependency():
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    wanted = [re.split(r"[<>=!~ ]", line.strip())[0].lower()
              for line in _setup()["options"]["install_requires"].splitlines()
              if line.strip() and not line.strip().startswith("#")]
    assert wanted and not [w for w in wanted if w not in pinned]


def _base_python() -> str:
    """The interpreter this venv was made from: `pip install --user` is refused inside a venv."""
    if sys.prefix == sys.base_prefix:
        return sys.executable
    base = getattr(sys, "_base_executable", None)
    if not base or Path(base).is_relative_to(sys.prefix):  # Python 3.10 names the venv's own python here
        base = str(Path(sys.base_prefix) / "bin" / "python3")
    return base


@pytest.mark.slow
def test_a_user_install_of_the_wheel_finds_the_shipped_controls(tmp_path):
    """`pip install --user` put the catalogue where only sys.prefix was looked in; as package data it is found."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "auditor", src / "auditor", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                    "-w", str(dist), str(src)], check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("municipal_auditor-*.whl")
    with zipfile.ZipFile(wheel) as archive:  # the compiled message catalogue ships, or each run parses the YAML
        assert {"auditor/cli/messages.yaml", "auditor/cli/messages.json"} <= set(archive.namelist())
        # and the vouched catalogue as loaded, or a first run parses every shipped YAML file
        assert {"auditor/schemas/vouched.json", "auditor/schemas/vouched-loaded.jsonl"} <= set(archive.namelist())
    base = _base_python()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONNOUSERSITE", "PYTHONHOME")}
    env["PYTHONUSERBASE"] = str(tmp_path / "userbase")
    if subprocess.run([base, "-m", "pip", "--version"], env=env, capture_output=True).returncode:
        pytest.skip(f"{base} has no pip")
    subprocess.run([base, "-m", "pip", "install", "--user", "--no-deps", "--no-index", "--quiet",
                    "--disable-pip-version-check", "--no-warn-script-location", str(wheel)],
                   env=env, check=True, capture_output=True, timeout=300)
    # the dependencies from this venv (PYTHONPATH runs no .pth file: this checkout's editable finder stays out)
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    empty = tmp_path / "empty"
    empty.mkdir()

    def run(*args):
        return subprocess.run([base, *args], cwd=empty, env=env, capture_output=True, text=True, timeout=300)

    where = run("-c", "import auditor, auditor.defaults as d; print(auditor.__file__); print(d.shipped_controls())")
    module, controls = where.stdout.split()
    assert module.startswith(env["PYTHONUSERBASE"]) and controls.startswith(env["PYTHONUSERBASE"]), where.stdout
    check = run("-m", "auditor", "check", "--policy", str(POLICY), "--evidence", str(SAMPLE), "--format", "json")
    assert check.returncode == 1, check.stderr  # the sample's open major gaps; not 2 (controls folder not found)
    doc = json.loads(check.stdout)
    assert len([r for r in doc["results"] if r["kind"] == "control"]) == len(_shipped()) and len(doc["results"]) > len(_shipped())  # and the map's items
    shipped = sorted((ROOT / "auditor" / "controls").glob("*.yaml"))
    assert doc["integrity"]["controls"] == [{"path": f"controls/{p.name}", "sha256": integrity.digest(p), "shipped": True}
                                            for p in shipped]  # installed, still known as shipped; verify agrees
    listing = run("-m", "auditor", "controls", "list", "--lang", "en")
    assert listing.returncode == 0 and "NS-01" in listing.stdout
    shown = run("-m", "auditor", "framework", "show", "GL3-01", "--lang", "en")  # the map and the NIST crosswalk
    assert shown.returncode == 0 and "frameworks/guideline.yaml:" in shown.stdout and "NIST CSF 2.0" in shown.stdout, \
        shown.stderr


@pytest.mark.slow
def test_a_zipapp_finds_the_shipped_controls(tmp_path):
    """In a zip archive the catalogue is no folder: it is unpacked to the user's cache and checked there."""
    import zipapp

    src = tmp_path / "src"
    shutil.copytree(ROOT / "auditor", src / "auditor", ignore=shutil.ignore_patterns("__pycache__"))
    app = tmp_path / "auditor.pyz"
    zipapp.create_archive(src, app, main="auditor.cli:entry")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONNOUSERSITE")}
    env.update(PYTHONPATH=sysconfig.get_paths()["purelib"], XDG_CACHE_HOME=str(tmp_path / "cache"))
    run = subprocess.run([_base_python(), str(app), "check", "--policy", str(POLICY), "--evidence", str(SAMPLE),
                          "--format", "json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    results = json.loads(run.stdout)["results"]
    assert len([r for r in results if r["kind"] == "control"]) == len(_shipped()) < len(results)  # the map was found
    (unpacked,) = (tmp_path / "cache" / "municipal-auditor").glob("controls-*/controls")
    # the copy holds the control files; the controls' test cases (controls/tests/) are copied by `auditor test`
    assert sorted(p.name for p in unpacked.iterdir()) == sorted(p.name for p in (ROOT / "auditor" / "controls").iterdir()
                                                                if p.suffix in (".yaml", ".yml"))
    listing = subprocess.run([_base_python(), str(app), "framework", "list", "--format", "json"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout)["counts"]["sections"] >= 41
    (maps,) = (tmp_path / "cache" / "municipal-auditor").glob("frameworks-*/frameworks")
    assert sorted(p.name for p in maps.iterdir()) == sorted(p.name for p in (ROOT / "auditor" / "frameworks").iterdir())


def _shipped():
    from auditor import defaults
    from auditor.catalogue import controls as catalogue

    return catalogue.load([defaults.shipped_controls()])[0]
