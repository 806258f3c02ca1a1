"""What an installed package needs besides the code: licence, typing marker, `python -m`, declared Pythons."""
from __future__ import annotations

import configparser
import re
import subprocess
import sys

from conftest import ROOT

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


def test_python_dash_m_runs_the_command():
    run = subprocess.run([sys.executable, "-m", "auditor", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: auditor ")


def test_constraints_pin_every_runtime_dependency():
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    wanted = [re.split(r"[<>=!~ ]", line.strip())[0].lower()
              for line in _setup()["options"]["install_requires"].splitlines()
              if line.strip() and not line.strip().startswith("#")]
    assert wanted and not [w for w in wanted if w not in pinned]
