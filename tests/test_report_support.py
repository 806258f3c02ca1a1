"""Shared helpers and fixtures for the report tests (imported by test_report_*.py; holds no tests)."""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from conftest import POLICY, ROOT, SAMPLE, invoke

DATE = "2026-04-15"
PLANTED = "123456789018"  # the check-digit-valid My Number on line 8 of the sample's fw_rules.csv
ARTIFACTS = ROOT / "artifacts"
_SEPARATORS = re.compile(r"(?<=\d)[\s\-\u2010-\u2015\u2212\u30fc\uff0d]+(?=\d)")


def require(available: bool, what: str):
    """Skip when a tool is missing, unless CI is set: there it must be installed, so fail."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required when CI is set")
    pytest.skip(f"{what} is not installed")


def tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, name)
    return path


def has_weasyprint() -> bool:
    if importlib.util.find_spec("weasyprint") is None:
        return False
    try:
        import weasyprint  # noqa: F401  (needs Pango at import time)
    except OSError:
        return False
    return True


def decode(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".csv":
        return data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("cp932")
    return data.decode("utf-8")


def holds_planted_number(text: str) -> bool:
    """The planted My Number in any form: full-width, grouped by spaces or hyphens."""
    flat = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    return PLANTED in flat


def text_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".md", ".json", ".csv"))


_SESSION: dict = {}  # fixtures imported into several modules are set up per module: compute once


@pytest.fixture(scope="session")
def sample_run():
    from auditor.engine import audit
    from auditor import defaults
    if "run" not in _SESSION:
        _SESSION["run"] = audit.run(POLICY, SAMPLE, [defaults.shipped_controls()])
    return _SESSION["run"]


def pdf_expected() -> bool:
    return has_weasyprint() or bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory):
    """`auditor report` on the shipped sample: every format in both languages, PDF (when WeasyPrint is
    here) in Japanese only, to keep the suite quick."""
    if "reports" not in _SESSION:
        out = tmp_path_factory.mktemp("reports")
        runs = [("html,md,json,csv", "both")] + ([("pdf", "ja")] if pdf_expected() else [])
        for formats, lang in runs:
            result = invoke("report", "--policy", POLICY, "--evidence", SAMPLE, "--out", out, "--date", DATE,
                            "--format", formats, "--lang", lang)
            assert result.exit_code == 0, result.output
        _SESSION["reports"] = out
    return _SESSION["reports"]

SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[x](javascript:alert(1))"
HOSTILE = "=HYPERLINK(\"http://x\")|`tick` <img src=x onerror=alert(1)> @here #1 $x$ 🙂"


def hostile_evidence(tmp_path: Path) -> tuple[Path, Path]:
    """A small audit whose evidence values try to inject markup: a flow_rules CSV with hostile services."""
    from conftest import ORG, write_evidence, write_policy

    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    rows = ["ルールID,送信元,宛先,動作,サービス,経由,特定通信ID",
            f'FW-1,マイナンバー利用事務系,LGWAN接続系,許可,"{SCRIPT}",,',
            f'FW-2,LGWAN接続系,マイナンバー利用事務系,許可,"{JS_LINK}",,',
            'FW-3,マイナンバー利用事務系,インターネット接続系,許可,"' + HOSTILE.replace('"', '""') + '",,']
    (ev / "fw.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    manifest = (ev / "manifest.yaml").read_text(encoding="utf-8")
    manifest = manifest.replace("files:\n", "files:\n- {path: fw.csv, kind: flow_rules, provided_by: '<b>保守</b> [y](javascript:x)', "
                                "collected_on: '2026-03-01', columns: {ルールID: rule_id, 送信元: src_zone, 宛先: dst_zone, "
                                "動作: action, サービス: service, 経由: via, 特定通信ID: specific_comm_id}, "
                                "values: {action: {許可: allow}}}\n", 1)
    (ev / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return write_policy(tmp_path), ev


@pytest.fixture
def hostile_reports(tmp_path):
    policy, ev = hostile_evidence(tmp_path)
    out = tmp_path / "out"
    result = invoke("report", "--policy", policy, "--evidence", ev, "--out", out, "--date", DATE,
                    "--format", "html,md,json,csv", "--lang", "both")
    assert result.exit_code == 0, result.output
    return out
