"""The shipped catalogue and audit map are checked against their schemas once per user, not once per project:
the check is remembered beside the user's cache key (cli/caches.shipped_memo), signed with it, as is every
file found valid (a verdict on its content): a project's file with other content is checked in it."""
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
    assert "policy" not in seen and "manifest" not in seen  # the same content, found valid in project a


def test_a_project_file_with_other_content_is_checked_and_its_mistake_reported(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert invoke(*_project(tmp_path / "a")).exit_code == 1
    args = _project(tmp_path / "b")
    manifest = tmp_path / "b" / "FY2025" / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "surprise: 1\n", encoding="utf-8")
    seen = _validated(monkeypatch)
    result = invoke(*args)
    assert result.exit_code == 2 and "surprise" in result.output
    assert "manifest" in seen and "policy" not in seen


def test_with_the_key_from_the_environment_nothing_is_kept_beside_a_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITOR_CACHE_KEY", "k" * 32)
    monkeypatch.setenv("AUDITOR_CACHE_KEY_FILE", str(tmp_path / "keys" / "cache.key"))
    (tmp_path / "a").mkdir()
    seen = _validated(monkeypatch)
    assert invoke(*_project(tmp_path / "a")).exit_code == 1
    assert "control" not in seen and "framework" not in seen  # vouched by the suite (catalogue/vouched.py)
    assert "manifest" in seen
    assert not (tmp_path / "keys").exists()


def test_only_files_of_the_package_count_as_shipped(tmp_path):
    shipped = sorted(defaults.shipped_controls().glob("*.yaml"))[0]
    copy = tmp_path / shipped.name
    shutil.copy(shipped, copy)
    assert defaults.is_shipped(shipped) and not defaults.is_shipped(copy)


def _reads(monkeypatch):
    from auditor import yamlio

    seen = []
    real = yamlio.read_config

    def counted(path):
        seen.append(defaults.is_shipped(path))
        return real(path)
    monkeypatch.setattr(yamlio, "read_config", counted)
    return seen


def test_the_shipped_files_are_kept_as_loaded_and_the_results_stay_the_same(tmp_path, monkeypatch):
    """A second project's first run reads no shipped YAML at all (catalogue/memo.py), and says the same."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = invoke(*_project(tmp_path / "a"))
    reads = _reads(monkeypatch)
    second = invoke(*_project(tmp_path / "b"))
    assert second.stdout.replace(str(tmp_path / "b"), "") == first.stdout.replace(str(tmp_path / "a"), "")
    assert reads and not any(reads)  # the policy and the manifest are read; no shipped file


def test_a_damaged_or_foreign_entry_is_never_trusted(tmp_path):
    """An entry signed by the key but holding another class (or garbage) is built again from the file."""
    import pickle

    from auditor import sealed
    from auditor.catalogue import controls as catalogue, memo

    store = sealed.Store(tmp_path / "memo", b"s" * 32)
    plain, _ = catalogue.load([defaults.shipped_controls()])
    first = sorted(defaults.shipped_controls().glob("*.yaml"))[0]
    name = memo.name_of("controls", first, first.read_bytes())
    for payload in (b"not a pickle", pickle.dumps(shutil.copy), pickle.dumps([object.__class__])):
        store.store(name, payload)
        again, _ = catalogue.load([defaults.shipped_controls()], None, store)
        assert again == plain
    kept, _ = catalogue.load([defaults.shipped_controls()], None, store)  # now from the rebuilt entry
    assert kept == plain and store.load(name) is not None


def test_an_entry_is_named_by_the_file_its_path_and_the_code(tmp_path):
    from auditor.catalogue import memo

    first = sorted(defaults.shipped_controls().glob("*.yaml"))[0]
    raw = first.read_bytes()
    names = {memo.name_of("controls", first, raw), memo.name_of("controls", first, raw + b"\n"),
             memo.name_of("controls", tmp_path / first.name, raw), memo.name_of("framework", first, raw)}
    assert len(names) == 4 and all(n.startswith("cat-") for n in names)


def test_the_suite_vouches_for_exactly_the_shipped_files_it_checked():
    """schemas/vouched.json names the bytes of every shipped control file and of the map, checked here
    against the schemas it names; `python3 tools/vouch.py` writes it after a shipped file changes."""
    from auditor import yamlio
    from auditor.catalogue import vouched

    for path, name in vouched.shipped():
        data, located = yamlio.read_config(path)
        schema.validate(data, name, path, located)
        assert vouched.vouched(path, path.read_bytes()), f"{path.name} changed: run python3 tools/vouch.py"
    assert vouched._table() == vouched.current(), "run python3 tools/vouch.py"


def _marks(data, located, path=()):
    """Every mapping's (path, line, key lines), as a lookup by line_of() sees them."""
    out = []
    if isinstance(data, dict):
        out.append((path, located.marks.get(id(data))))
        for key, value in data.items():
            out += _marks(value, located, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _marks(value, located, path + (i,))
    return out


def test_the_shipped_files_as_loaded_are_their_yaml_with_every_line():
    """A first run reads the vouched files from schemas/vouched-loaded.jsonl instead of their YAML: the
    same data and the same line for every mapping and key, so every message points where it did."""
    from auditor import yamlio
    from auditor.catalogue import vouched

    vouched._loaded.cache_clear()
    assert (defaults.shipped_controls().parent / "schemas" / vouched.LOADED).read_text(encoding="utf-8") \
        == vouched.loaded_lines(), "run python3 tools/vouch.py"
    for path, _ in vouched.shipped():
        parsed, parsed_at = yamlio.read_config(path)
        data, located = vouched.read_config(path, path.read_bytes())
        assert located is not parsed_at and located.marks, path.name  # from the JSON line, not parsed
        assert data == parsed, path.name
        assert _marks(data, located) == _marks(parsed, parsed_at), path.name
        again, _ = vouched.read_config(path, path.read_bytes())
        assert again == data and again is not data  # fresh objects for every caller


def test_other_bytes_of_a_shipped_file_are_parsed_not_taken_as_loaded(monkeypatch):
    from auditor import yamlio
    from auditor.catalogue import vouched

    path = sorted(defaults.shipped_controls().glob("*.yaml"))[0]
    seen = []
    real = yamlio.read_config
    monkeypatch.setattr(yamlio, "read_config", lambda p: seen.append(p) or real(p))
    vouched.read_config(path, path.read_bytes())
    assert seen == []
    vouched.read_config(path, path.read_bytes() + b"\n")  # not the vouched bytes
    assert seen == [path]


def test_vouched_control_files_compile_under_this_code():
    """A vouched control file's kinds and rules are not checked at load (catalogue/controls._file): here
    every one of them is, so a change of the rule code that breaks a shipped rule fails the suite, and
    the vouched load builds the same controls as the checked one."""
    from auditor.catalogue import controls as catalogue, vouched

    for path, name in vouched.shipped():
        if name == "control":
            checked = catalogue._file(path, None, checked=False)  # kinds known, every rule compiles
            assert checked == catalogue._file(path, None, checked=True), path.name
            assert checked == catalogue._file(path, None, checked=True, raw=path.read_bytes()), path.name
            assert checked, path.name


def test_other_bytes_are_checked_against_the_schema(tmp_path, monkeypatch):
    """A shipped file edited in place (one byte) is not vouched for: its mistake is reported at its line."""
    from auditor.catalogue import controls as catalogue, vouched
    from auditor.errors import InputError

    shipped = sorted(defaults.shipped_controls().glob("*.yaml"))[0]
    raw = shipped.read_bytes()
    assert vouched.vouched(shipped, raw) and not vouched.vouched(shipped, raw + b"\n")
    folder = tmp_path / "controls"
    folder.mkdir()
    (folder / shipped.name).write_bytes(raw.replace(b"severity: major", b"severity: grave", 1))
    monkeypatch.setattr(catalogue, "is_shipped", lambda path: True)  # as if the install itself were edited
    try:
        catalogue.load([folder])
    except InputError as exc:
        assert "control schema" in str(exc) and exc.line
    else:
        raise AssertionError("an edited shipped file was not checked")
