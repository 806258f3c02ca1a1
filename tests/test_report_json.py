"""JSON reporter: the report document, valid against auditor/schemas/report.schema.json."""
from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

from auditor.reporters import report
from auditor import schema
from auditor.reporters import reportjson
from test_report_support import DATE, sample_reports, sample_run  # noqa: F401

ISSUED = dt.date.fromisoformat(DATE)


@pytest.fixture(scope="module")
def validator():
    spec = schema.load("report")
    jsonschema.Draft202012Validator.check_schema(spec)
    return jsonschema.Draft202012Validator(spec)


def test_every_written_document_is_valid(sample_reports, validator):
    paths = sorted(sample_reports.rglob("report.json"))
    assert len(paths) == 17
    for path in paths:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(json.loads(path.read_text("utf-8")))]
        assert not errors, (path, errors[:3])


def test_schema_rejects_a_broken_document(sample_run, validator):
    doc = report.build(sample_run, ISSUED, None)
    doc["check"]["findings"][0]["severity"] = "critical"
    del doc["act"]["actions"][0]["due_on"]
    assert len(list(validator.iter_errors(doc))) == 2


def test_json_is_the_same_content_as_the_human_formats(sample_run, sample_reports):
    doc = json.loads((sample_reports / "report.json").read_text("utf-8"))
    html = (sample_reports / "report.ja.html").read_text("utf-8")
    assert doc["scope"] == {"kind": "organisation", "department": None}
    assert all(f["id"] in html for f in doc["check"]["findings"])
    assert all(a["action_id"] in html for a in doc["act"]["actions"])
    assert doc["cover"]["issued_on"] == DATE and doc["cover"]["fiscal_year_label"] == {"ja": "令和7年度", "en": "FY2025"}
    assert doc["plan"]["criteria"]["policy"]["sha256"] == sample_run.policy.sha256
    assert doc["plan"]["criteria"]["catalogue"]["sha256"] == sample_run.catalogue_sha256
    assert len(doc["do"]["evidence"]) == len(sample_run.evidence.files)


def test_render_for_the_registry(sample_run):
    doc = json.loads(reportjson.render(sample_run))
    assert doc["cover"]["issued_on"] == sample_run.evidence.as_of.isoformat()
