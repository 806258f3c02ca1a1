"""The JSON Schemas shipped in the package are valid, and the kind schemas stay in the subset
that auditor/evidence/kinds.py checks while normalising (so the fast check and the schema agree)."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from auditor.evidence import kinds

FOLDER = resources.files("auditor") / "schemas"
SCHEMAS = sorted(p.name for p in FOLDER.iterdir() if p.name.endswith(".json"))
KIND_KEYS = {"$schema", "$id", "title", "type", "required", "properties", "x-key", "x-unit"}
FIELD_KEYS = {"type", "enum", "format", "items", "anyOf", "x-type", "x-enum", "x-personal", "x-aliases"}


@pytest.mark.parametrize("name", SCHEMAS)
def test_package_schemas_are_valid(name):
    schema = json.loads((FOLDER / name).read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)


@pytest.mark.parametrize("kind", kinds.names())
def test_kind_schemas_use_the_checked_subset(kind):
    schema = json.loads((FOLDER / "kinds" / f"{kind}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema) <= KIND_KEYS
    assert set(schema["required"]) <= set(schema["properties"])
    assert set(schema["x-key"]) <= set(schema["properties"])
    for name, field in schema["properties"].items():
        assert set(field) <= FIELD_KEYS, name
        assert field["x-type"] in ("id", "text", "unit", "date", "bool", "int", "number", "enum", "unit_list")
        assert (name in schema["required"]) == ("anyOf" not in field), name  # optional fields may be null
    spec = kinds.spec(kind)
    assert spec.required and spec.key


def test_normalised_records_of_the_sample_satisfy_their_kind_schema():
    """The schema itself, run by jsonschema over every normalised record, agrees with the reader."""
    from conftest import SAMPLE
    from auditor.evidence import loader as evidence
    ev = evidence.load(SAMPLE)
    for kind, records in ev.datasets.items():
        validator = jsonschema.Draft202012Validator(json.loads((FOLDER / "kinds" / f"{kind}.json").read_text("utf-8")))
        for r in records:
            doc = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.fields.items()}
            assert not list(validator.iter_errors(doc)), (kind, r.line)


@pytest.mark.parametrize("change, ja, en", [
    ({"header_row": "x"}, "値の型が違います（整数を書くところに \"x\" があります）", "is not of type 'integer'"),
    ({"header_row": 0}, "値が小さすぎます（0。1 以上にします）", "less than the minimum of 1"),
    ({"skip_rows": {"where": {"staff_id": {"in": "合計"}}}}, "一覧（[...]）を書くところに \"合計\" があります",
     "is not of type 'array'"),
])
def test_a_schema_mistake_is_said_in_japanese_words(tmp_path, change, ja, en):
    """jsonschema's English ("'x' is not of type 'array'") is not shown inside the Japanese line."""
    import yaml

    from auditor import schema
    from auditor.errors import InputError
    from conftest import SAMPLE

    doc = json.loads(json.dumps(yaml.safe_load((SAMPLE / "manifest.yaml").read_text(encoding="utf-8")), default=str))
    doc["files"][0].update(change)
    with pytest.raises(InputError) as err:
        schema.validate(doc, "manifest", tmp_path / "manifest.yaml")
    said = err.value.render("ja")
    assert ja in said and "is not" not in said and "is less than" not in said, said
    assert en in err.value.render("en")


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_error_text_of_a_schema_has_its_japanese(name):
    text = (FOLDER / name).read_text(encoding="utf-8")
    assert text.count('"x-error"') == text.count('"x-error-ja"'), name
