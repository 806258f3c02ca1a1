"""Property-based tests of the loaders: manifest (and the evidence it points at), controls and policy.

Any YAML document, and any random mutation of the shipped files, gives a result or an InputError
(exit 2 at the command line), never another exception. Documents are generated both free-form and
in the shape of the real file, so that they get past the schema into the readers and the rules.
"""
import re
import shutil

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from auditor import defaults
from auditor.catalogue import controls as catalogue, policy
from auditor.evidence import loader as evidence, kinds, readers
from auditor.errors import InputError
from auditor.model import Policy
from conftest import POLICY, SAMPLE, invoke

from .profile import fuzz

SAMPLE_FILES = sorted(p.name for p in SAMPLE.iterdir() if p.name != "manifest.yaml")
CONTROL_FILES = sorted(defaults.shipped_controls().glob("*.yaml"))
DATEISH = st.text(alphabet="0123456789０１年月日元令和平成RH.-/ ", max_size=12)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
                   st.text(max_size=12), DATEISH)
# YAML-ish text: indentation, indicators, quotes, anchors and tags, Japanese
YAMLISH = st.text(alphabet=" \n-:?[]{},#&*!|>'\"%@`abcxyz019日本-_.\t\r", max_size=200)


def _json_like(max_leaves=20):
    return st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                        max_leaves=max_leaves)


# Any YAML text: well-formed documents of any JSON-like shape, or YAML punctuation at random.
ANY_YAML = st.one_of(_json_like().map(lambda d: yaml.safe_dump(d, allow_unicode=True)), YAMLISH)


def _settles(fn):
    """fn() returns, or raises InputError with a message: anything else fails the property.

    The outcome is an `event` (shown by --hypothesis-show-statistics): how far the documents got."""
    try:
        result = fn()
    except InputError as exc:
        assert exc.render().strip()
        event("InputError: " + re.sub(r"'[^']*'|\d+", "…", exc.message)[:40])
        return None
    event("accepted")
    return result


@st.composite
def mutated(draw, text: str) -> str:
    """A few random edits of a shipped file: lines dropped, repeated or swapped, characters changed."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "repeat", "swap", "char", "insert", "truncate", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in ("char", "insert") and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            new = draw(st.sampled_from(list(" -:[]{},#&*!|>'\"%@`0ー年\t")) | st.text(max_size=3))
            lines[i] = lines[i][:k] + new + lines[i][k + (op == "char"):]
        elif op == "truncate":
            lines = lines[:i + 1]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["  ", " ", "    "])) + lines[i]
    return "\n".join(lines)


# ---- manifest and the evidence it reads ----

@pytest.fixture(scope="module")
def evidence_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "FY2025"
    shutil.copytree(SAMPLE, folder)
    return folder


def _load_manifest(folder, text):
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")
    return _settles(lambda: evidence.load(folder))


@st.composite
def manifest_shaped(draw):
    """Documents with the manifest's keys and the sample's files, with random reading options."""
    entry = st.fixed_dictionaries(
        {"path": st.sampled_from(SAMPLE_FILES + ["../x.csv", "nai.csv", "/etc/hostname"]) | st.text(max_size=10),
         "kind": st.sampled_from(kinds.names()) | st.text(alphabet="abcz_", max_size=6),
         "provided_by": st.text(min_size=1, max_size=6), "collected_on": st.just("2026-03-02") | DATEISH},
        optional={"encoding": st.sampled_from(["utf-8", "cp932", "utf-16", "latin-1", "rot13", "x"]),
                  "sheet": st.sampled_from(["職員名簿", "是正処置", "Sheet1"]) | st.text(max_size=4),
                  "header_row": st.integers(1, 6) | st.integers(-1, 0) | st.text(max_size=2),
                  "columns": st.dictionaries(st.text(max_size=6) | st.sampled_from(["職員番号", "所属", "ルールID"]),
                                             st.sampled_from(["staff_id", "unit", "rule_id", "x"]), max_size=3),
                  "values": st.dictionaries(st.sampled_from(["action", "zone", "course", "x"]),
                                            st.dictionaries(st.text(max_size=4), SCALAR, max_size=2), max_size=2),
                  "records": st.text(max_size=6), "delimiter": st.sampled_from([",", "\t", ";;", "", "tab"]),
                  "format": st.sampled_from(["csv", "tsv", "xlsx", "yaml", "json", "pdf"])})
    doc = draw(st.fixed_dictionaries(
        {"organisation": st.just({"ja": "市", "en": "City"}) | st.text(max_size=6),
         "fiscal_year": st.integers(1990, 2100) | DATEISH,
         "files": st.lists(entry, max_size=4)},
        optional={"as_of": DATEISH | st.none()}))
    return yaml.safe_dump(doc, allow_unicode=True)


@fuzz(60)
@given(ANY_YAML)
def test_any_yaml_manifest_gives_evidence_or_an_input_error(evidence_dir, text):
    _load_manifest(evidence_dir, text)


@fuzz(60)
@given(manifest_shaped())
def test_manifest_shaped_documents_give_evidence_or_an_input_error(evidence_dir, text):
    _load_manifest(evidence_dir, text)


@fuzz(40)
@given(mutated((SAMPLE / "manifest.yaml").read_text(encoding="utf-8")))
def test_mutated_sample_manifest_gives_evidence_or_an_input_error(evidence_dir, text):
    _load_manifest(evidence_dir, text)


@fuzz(60)
@given(st.sampled_from(SAMPLE_FILES), st.data())
def test_mutated_evidence_files_read_or_give_an_input_error(name, data):
    """Bytes of a sample file with a few changed: every reader gives a table or an InputError."""
    raw = bytearray((SAMPLE / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    fmt = {"csv": "csv", "tsv": "tsv", "xlsx": "xlsx", "yaml": "yaml"}[name.rsplit(".", 1)[1]]
    encoding = data.draw(st.sampled_from([None, "cp932", "utf-8"]))
    _settles(lambda: readers.read_table(bytes(raw), name, fmt, encoding=encoding if fmt != "xlsx" else None))


# ---- controls ----

FIELDS = sorted({f for k in kinds.names() for f in kinds.spec(k).fields} | {"colour"})
OPERATORS = ["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "between", "in_fy", "exists", "regex", "contains",
             "intersects", "not", "frobnicate"]


def _predicates():
    value = SCALAR | st.sampled_from(["$course", "$as_of", "allow", "lgwan", ".*", "(["])
    condition = value | st.dictionaries(st.sampled_from(OPERATORS), value | st.lists(value, max_size=2), max_size=2)
    return st.recursive(st.dictionaries(st.sampled_from(FIELDS), condition, min_size=1, max_size=3),
                        lambda inner: st.dictionaries(st.sampled_from(["any", "all", "not"]),
                                                      inner | st.lists(inner, max_size=3), min_size=1, max_size=2),
                        max_leaves=6)


@st.composite
def control_shaped(draw):
    kind = draw(st.sampled_from(kinds.names()))
    quantifier = draw(st.sampled_from(["none", "all", "some", "each", "controls_pass", "sometimes"]))
    rule = {quantifier: kind if quantifier != "controls_pass" else draw(st.lists(st.sampled_from(["NS-01", "X"])))}
    for key in draw(st.lists(st.sampled_from(["where", "require", "has", "min", "when", "group_by"]), max_size=3,
                             unique=True)):
        rule[key] = draw(_predicates() if key in ("where", "require", "when") else SCALAR)
    item = {"id": draw(st.sampled_from(["LOCAL-01", "LOCAL-01", "NS-01", "x"])), "title": {"ja": "a", "en": "a"},
            "requirement": {"ja": "a", "en": "a"}, "area": "local",
            "severity": draw(st.sampled_from(["major", "minor", "observation", "major", "fatal"])), "source": "x",
            "params": draw(st.dictionaries(st.sampled_from(["course", "days", "zones"]), SCALAR, max_size=2)),
            "evidence": sorted({kind, *draw(st.lists(st.sampled_from(kinds.names()), max_size=2))}),
            "rule": rule, "message": {"ja": "{staff_id} {x}", "en": "{rule_id}"}}
    return yaml.safe_dump([item], allow_unicode=True)


@pytest.fixture(scope="module")
def controls_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("controls")


def _load_controls(folder, text):
    (folder / "local.yaml").write_text(text, encoding="utf-8")
    return _settles(lambda: catalogue.apply_policy(catalogue.load([folder])[0], _EMPTY_POLICY, {}))


_EMPTY_POLICY = Policy(path="policy.yaml", organisation={"ja": "市", "en": "City"}, version=None,
                       network_model="alpha", secretariat=None, controls={}, exceptions=(), settings={}, sha256="")


@fuzz(60)
@given(ANY_YAML)
def test_any_yaml_controls_file_gives_controls_or_an_input_error(controls_dir, text):
    _load_controls(controls_dir, text)


@fuzz(100)
@given(control_shaped())
def test_control_shaped_documents_give_controls_or_an_input_error(controls_dir, text):
    _load_controls(controls_dir, text)


@fuzz(60)
@given(st.sampled_from(CONTROL_FILES).flatmap(lambda p: mutated(p.read_text(encoding="utf-8"))))
def test_mutated_shipped_controls_give_controls_or_an_input_error(controls_dir, text):
    _load_controls(controls_dir, text)


# ---- policy ----

@pytest.fixture(scope="module")
def shipped_controls():
    return catalogue.load([defaults.shipped_controls()])[0]


@fuzz(60)
@given(st.one_of(mutated(POLICY.read_text(encoding="utf-8")), ANY_YAML))
def test_mutated_or_generated_policy_gives_a_policy_or_an_input_error(tmp_path_factory, shipped_controls, text):
    path = tmp_path_factory.getbasetemp() / "policy-fuzz.yaml"
    path.write_text(text, encoding="utf-8")

    def load():
        pol, lines = policy.load(path)
        return catalogue.apply_policy(shipped_controls, pol, lines)
    _settles(load)


# ---- the command line: exit 2 with one message, never a traceback ----

@fuzz(8)
@given(mutated((SAMPLE / "manifest.yaml").read_text(encoding="utf-8")))
def test_check_on_a_mutated_manifest_exits_cleanly(evidence_dir, text):
    (evidence_dir / "manifest.yaml").write_text(text, encoding="utf-8")
    result = invoke("check", "--policy", POLICY, "--evidence", evidence_dir, "--format", "json")
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("エラー: ") and "Traceback" not in result.stderr
