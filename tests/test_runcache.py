"""The result cache (auditor/engine/runcache.py): an unchanged run is served as it was, a changed input never is."""
import datetime as dt
import shutil
import types

import pytest

from auditor.engine import audit, runcache
from conftest import POLICY, copy_sample, invoke


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """The shipped sample beside its own policy, and a counter of the runs that really evaluate."""
    monkeypatch.delenv("AUDITOR_DB")  # the register beside that policy, as without the tests' isolation
    shutil.copy(POLICY, tmp_path / "policy.yaml")
    evidence = copy_sample(tmp_path)
    evaluated = []
    real = audit.run

    def counted(*args, **kwargs):
        evaluated.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(audit, "run", counted)
    return tmp_path, evidence, evaluated


LOCAL_CONTROL = """\
- id: LOCAL-01
  title: {ja: 研修, en: Training}
  requirement: {ja: 研修, en: Training}
  area: training
  severity: minor
  source: local
  evidence: [training_records]
  rule: {none: training_records, where: {course: no-such-course}}
  message: {ja: "{staff_id}", en: "{staff_id}"}
"""


def check(tmp_path, evidence, *more):
    return invoke("check", "--policy", tmp_path / "policy.yaml", "--evidence", evidence, *more)


def test_an_unchanged_run_is_served_with_the_same_output_and_exit_code(setup):
    tmp_path, evidence, evaluated = setup
    first = check(tmp_path, evidence, "--format", "json")
    second = check(tmp_path, evidence, "--format", "json")
    assert first.exit_code == second.exit_code == 1  # the sample has major findings
    assert second.stdout == first.stdout
    assert len(evaluated) == 1
    out = tmp_path / "out" / "result.sarif"
    check(tmp_path, evidence, "--format", "sarif", "-o", out)
    check(tmp_path, evidence, "--format", "sarif", "-o", out.with_name("again.sarif"))
    assert out.read_bytes() == out.with_name("again.sarif").read_bytes()
    assert len(evaluated) == 2


@pytest.mark.parametrize("change", ["evidence file", "manifest", "policy", "control file", "option", "format",
                                    "fail-on", "control selection", "history database", "baseline"])
def test_any_changed_input_is_evaluated_afresh(setup, change):
    tmp_path, evidence, evaluated = setup
    args = ["--format", "json"]
    first = check(tmp_path, evidence, *args)
    if change == "evidence file":
        path = evidence / "lms_export.csv"
        path.write_bytes(path.read_bytes() + b"\n")
    elif change == "manifest":
        path = evidence / "manifest.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    elif change == "policy":
        path = tmp_path / "policy.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    elif change == "control file":
        extra = tmp_path / "controls"
        extra.mkdir()
        args += ["--controls", str(extra)]
        check(tmp_path, evidence, *args)
        (extra / "local.yaml").write_text(LOCAL_CONTROL, encoding="utf-8")
    elif change == "option":
        args += ["--lang", "en"]
    elif change == "format":
        args = ["--format", "sarif"]
    elif change == "fail-on":
        args += ["--fail-on", "none"]
    elif change == "control selection":
        args += ["--control", "NS-01"]
    elif change == "history database":
        assert invoke("check", "--policy", tmp_path / "policy.yaml", "--evidence", evidence, "--record").exit_code == 1
    else:
        (tmp_path / "baseline.json").write_text(first.stdout, encoding="utf-8")
        args += ["--baseline", str(tmp_path / "baseline.json")]
    before = len(evaluated)
    again = check(tmp_path, evidence, *args)
    assert again.exit_code in (0, 1), again.output
    assert len(evaluated) == before + 1
    assert check(tmp_path, evidence, *args).stdout == again.stdout  # and that run is served in turn
    assert len(evaluated) == before + 1


def test_a_changed_evidence_file_changes_the_result(setup):
    tmp_path, evidence, _ = setup
    first = check(tmp_path, evidence, "--format", "json", "--control", "TR-01")
    path = evidence / "lms_export.csv"
    header, *rows = path.read_bytes().decode("cp932").splitlines()
    path.write_bytes(("\n".join([header] + rows[:1]) + "\n").encode("cp932"))  # most training records gone
    second = check(tmp_path, evidence, "--format", "json", "--control", "TR-01")
    assert second.stdout != first.stdout


def test_input_errors_and_recorded_runs_are_never_served(setup):
    tmp_path, evidence, evaluated = setup
    manifest = evidence / "manifest.yaml"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text(good.replace("fiscal_year:", "fiscal_year: [", 1), encoding="utf-8")
    for _ in range(2):
        assert check(tmp_path, evidence).exit_code == 2
    manifest.write_text(good, encoding="utf-8")
    assert check(tmp_path, evidence).exit_code == 1
    before = len(evaluated)
    for _ in range(2):
        assert check(tmp_path, evidence, "--record").exit_code == 1
    assert len(evaluated) == before + 2
    runs = invoke("history", "list", "--db", tmp_path / ".auditor" / "history.sqlite")
    assert runs.exit_code == 0 and runs.stdout.count("check") >= 2


def test_a_damaged_entry_is_ignored_and_only_the_newest_are_kept(setup):
    tmp_path, evidence, evaluated = setup
    first = check(tmp_path, evidence, "--format", "json")
    folder = tmp_path / ".auditor" / "cache"
    for entry in folder.glob("run-*"):
        entry.write_bytes(entry.read_bytes()[:-3] + b"xyz")
    again = check(tmp_path, evidence, "--format", "json")
    assert again.stdout == first.stdout and len(evaluated) == 2
    for fmt in ("text", "junit", "sarif", "github", "gitlab"):
        for lang in ("ja", "en"):
            check(tmp_path, evidence, "--format", fmt, "--lang", lang)
    assert len(list(folder.glob("run-*"))) == runcache.KEEP


def test_evidence_outside_the_folder_is_refused_as_before(setup, tmp_path):
    _, evidence, _ = setup
    manifest = evidence / "manifest.yaml"
    (tmp_path / "outside.csv").write_text("staff_id\nS1\n", encoding="utf-8")
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("path: lms_export.csv", "path: ../outside.csv", 1), encoding="utf-8")
    for _ in range(2):
        result = check(tmp_path, evidence)
        assert result.exit_code == 2 and "証跡フォルダの外を指しています" in result.stderr


def test_a_run_on_another_day_is_evaluated_afresh(setup, monkeypatch):
    tmp_path, evidence, evaluated = setup
    check(tmp_path, evidence)

    class Tomorrow(dt.date):
        @classmethod
        def today(cls):
            return dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(runcache, "dt", types.SimpleNamespace(date=Tomorrow))
    check(tmp_path, evidence)
    assert len(evaluated) == 2


@pytest.mark.parametrize("ci, choice, served", [
    ("true", None, False),       # the CI gate is evaluated afresh by default
    ("true", "on", True),        # unless asked for
    ("true", "auto", False),
    (None, None, True),          # a developer's machine: on
    (None, "off", False),
    ("false", None, True),
])
def test_in_ci_a_stored_result_is_served_only_when_asked_for(setup, monkeypatch, ci, choice, served):
    tmp_path, evidence, evaluated = setup
    monkeypatch.delenv("AUDITOR_RESULT_CACHE", raising=False)  # conftest asks for it: here the default is tested
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    more = ["--result-cache", choice] if choice else []
    first = check(tmp_path, evidence, "--format", "json", *more)
    second = check(tmp_path, evidence, "--format", "json", *more)
    assert first.exit_code == second.exit_code == 1 and second.stdout == first.stdout
    assert len(evaluated) == (1 if served else 2)


def test_the_result_cache_can_be_asked_for_in_the_environment(setup, monkeypatch):
    tmp_path, evidence, evaluated = setup
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("AUDITOR_RESULT_CACHE", "off")
    check(tmp_path, evidence)
    check(tmp_path, evidence)
    assert len(evaluated) == 2
    monkeypatch.setenv("AUDITOR_RESULT_CACHE", "on")
    check(tmp_path, evidence)
    check(tmp_path, evidence)
    assert len(evaluated) == 3
    assert check(tmp_path, evidence, "--result-cache", "off").exit_code == 1 and len(evaluated) == 4


def test_every_option_of_check_is_in_the_key(setup):
    """The key takes every option as parsed (a new option can never be left out); only those that do not
    change the texts are not: --output, --output-dir, --result-cache, --quiet, --verbose, --log-file."""
    tmp_path, evidence, evaluated = setup
    check(tmp_path, evidence, "--max-rows", "100000")
    check(tmp_path, evidence, "--max-rows", "100001")
    check(tmp_path, evidence, "--max-file-size", "512M")
    assert len(evaluated) == 3
    check(tmp_path, evidence, "--max-rows", "100000", "--output", tmp_path / "a.txt")
    assert len(evaluated) == 3


def test_a_run_of_several_formats_is_served_whole_and_never_for_another_set(setup):
    tmp_path, evidence, evaluated = setup
    out = tmp_path / "out"
    first = check(tmp_path, evidence, "--format", "sarif,junit,json", "--output-dir", out)
    written = {p.name: p.read_bytes() for p in out.iterdir()}
    again = check(tmp_path, evidence, "--format", "sarif,junit,json", "--output-dir", tmp_path / "elsewhere")
    assert first.exit_code == again.exit_code == 1 and len(evaluated) == 1  # served: the folder is not in the key
    assert {p.name: p.read_bytes() for p in (tmp_path / "elsewhere").iterdir()} == written
    alone = check(tmp_path, evidence, "--format", "json")  # one of the set alone: its own entry, evaluated
    assert len(evaluated) == 2 and alone.stdout.encode() == written["auditor.json"]
    other = check(tmp_path, evidence, "--format", "sarif,json", "--output-dir", tmp_path / "two")
    assert len(evaluated) == 3 and other.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["auditor.json", "auditor.sarif"]


def test_an_entry_that_does_not_hold_the_formats_asked_for_is_not_served(setup, monkeypatch):
    """An entry is taken only when it holds exactly the formats of the run (and of the new shape)."""
    import marshal

    from auditor import sealed

    tmp_path, evidence, evaluated = setup
    first = check(tmp_path, evidence, "--format", "json")
    real = sealed.Store.load
    for stored in [(1, "an output of the earlier shape"), (1, {"sarif": "another format"}), (1, {})]:
        monkeypatch.setattr(sealed.Store, "load", lambda self, name, v=stored: marshal.dumps(v))
        again = check(tmp_path, evidence, "--format", "json")
        assert again.stdout == first.stdout
    assert len(evaluated) == 4
    monkeypatch.setattr(sealed.Store, "load", real)
    assert check(tmp_path, evidence, "--format", "json").stdout == first.stdout and len(evaluated) == 4
