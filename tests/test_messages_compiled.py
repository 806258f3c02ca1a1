"""cli/messages.json: the message catalogue as parsed, used only while it matches messages.yaml's bytes."""
from __future__ import annotations

from importlib import resources

from auditor.cli import i18n


def _shipped():
    folder = resources.files("auditor.cli")
    return (folder / i18n.CATALOGUE).read_bytes(), folder / i18n.COMPILED


def test_the_shipped_json_is_the_yaml_as_parsed():
    raw, ref = _shipped()
    found = i18n.compiled(raw, ref)
    assert found is not None, "messages.yaml changed: run python3 tools/compile_messages.py"
    assert found == i18n.parse(raw)


def test_a_stale_or_damaged_json_is_not_used(tmp_path):
    """An edited messages.yaml (one byte) or a broken messages.json: the YAML is read, never old texts."""
    raw, ref = _shipped()
    assert i18n.compiled(raw + b"\n", ref) is None
    broken = tmp_path / "messages.json"
    broken.write_bytes(ref.read_bytes()[:-20])
    assert i18n.compiled(raw, broken) is None
    assert i18n.compiled(raw, tmp_path / "missing.json") is None
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    assert i18n.compiled(raw, tmp_path / "list.json") is None


def test_the_catalogue_in_use_is_the_yaml(monkeypatch):
    """What the commands print comes from the YAML's texts, whichever file was read."""
    raw, _ = _shipped()
    monkeypatch.setattr(i18n, "_catalogue", {})
    assert i18n.catalogue() == i18n.parse(raw)
