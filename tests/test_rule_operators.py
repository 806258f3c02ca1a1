"""Each operator of the rule language, evaluated directly on in-memory records."""
from __future__ import annotations

import datetime as dt

import pytest

from auditor.catalogue import rules
from auditor.evidence.dataset import Dataset
from auditor.fiscal import FiscalYear
from auditor.evidence.kinds import spec as kind_spec
from auditor.model import Record

D = dt.date
FY = FiscalYear(2025)


def ctx(**params):
    base = {"fiscal_year": 2025, "fy_start": FY.start, "fy_end": FY.end, "as_of": FY.end, "network_model": "beta"}
    return rules.Context(dict(base, **params), FY, FY.end, {"0100": {"name": "市民課"}}, {"市民課": "0100"}, {})


def data(kind, records) -> Dataset:
    return Dataset.from_records(kind, kind_spec(kind).fields, records)


def matches(where, fields, kind="corrective_actions", **params):
    """Keys of the records that a `none` rule flags."""
    records = [Record(kind, f, "x.yaml", i + 1) for i, f in enumerate(fields)]
    out = rules.evaluate({"none": kind, "where": where}, ctx(**params), {kind: data(kind, records)}, {kind: ["x.yaml"]})
    return [h.record.line for h in out.hits]


CA = [
    {"action_id": "A1", "status": "done", "owner": "S1", "verified_by": "S1", "due_on": D(2025, 4, 1),
     "completed_on": D(2025, 5, 1), "verified_on": D(2025, 4, 30), "unit": "0100"},
    {"action_id": "A2", "status": "in_progress", "owner": "S2", "due_on": D(2026, 3, 31), "unit": "0200"},
    {"action_id": "B3", "status": "verified", "owner": "S3", "verified_by": "S4", "due_on": D(2026, 4, 1),
     "completed_on": D(2025, 6, 1), "verified_on": D(2025, 6, 1)},
]


@pytest.mark.parametrize("where, lines", [
    ({"status": "done"}, [1]),
    ({"status": "完了"}, [1]),                                   # aliases in rules
    ({"status": ["done", "verified"]}, [1, 3]),                  # a list means `in`
    ({"status": {"eq": "in_progress"}}, [2]),
    ({"status": {"ne": "done"}}, [2, 3]),
    ({"status": {"in": ["in_progress"]}}, [2]),
    ({"status": {"not_in": ["in_progress"]}}, [1, 3]),
    ({"due_on": {"gt": "2026-03-31"}}, [3]),
    ({"due_on": {"ge": "令和8年3月31日"}}, [2, 3]),
    ({"due_on": {"lt": "$as_of"}}, [1]),
    ({"due_on": {"le": "2026/3/31"}}, [1, 2]),
    ({"due_on": {"between": ["2025-04-01", "2026-03-31"]}}, [1, 2]),   # both ends included
    ({"due_on": {"in_fy": True}}, [1, 2]),
    ({"due_on": {"in_fy": False}}, [3]),
    ({"verified_by": {"exists": True}}, [1, 3]),
    ({"verified_by": {"exists": False}}, [2]),
    ({"action_id": {"regex": "^A"}}, [1, 2]),
    ({"not": {"action_id": {"regex": "^A"}}}, [3]),
    ({"status": {"not": {"in": ["done", "verified"]}}}, [2]),
    ({"verified_on": {"lt": {"field": "completed_on"}}}, [1]),
    ({"verified_by": {"eq": {"field": "owner"}}}, [1]),
    ({"completed_on": {"le": {"date": "$fy_start", "plus": {"days": 60}}}}, [1]),
    ({"due_on": {"ge": {"date": "$as_of", "minus": {"years": 1}}}}, [1, 2, 3]),
    ({"any": [{"status": "done"}, {"action_id": "B3"}]}, [1, 3]),
    ({"all": [{"status": {"ne": "done"}}, {"action_id": {"regex": "A"}}]}, [2]),
    ({"unit": "市民課"}, [1]),                                   # units by name or code
    ({"owner": "Ｓ２"}, [2]),                                     # IDs after NFKC
])
def test_predicates(where, lines):
    assert matches(where, CA) == lines


def test_null_parameter_drops_the_condition():
    assert matches({"status": "$wanted"}, CA, wanted=None) == [1, 2, 3]
    assert matches({"status": "$wanted"}, CA, wanted="done") == [1]


def test_lookup_and_contains_and_intersects():
    audits = [{"audit_id": "X", "auditees": ["0100", "0200"], "auditors": ["0300"]},
              {"audit_id": "Y", "auditees": ["0100"], "auditors": ["0100"]}]
    assert matches({"auditees": {"contains": "市民課"}}, audits, kind="audits") == [1, 2]
    assert matches({"auditees": {"intersects": {"field": "auditors"}}}, audits, kind="audits") == [2]
    assert matches({"audit_id": {"lookup": "$m", "key": "$network_model"}}, audits, kind="audits",
                   m={"beta": "Y"}) == [2]


@pytest.mark.parametrize("where, message", [
    ({"colour": "red"}, "unknown field 'colour'"),
    ({"status": "$nope"}, r"unknown parameter \$nope"),
    ({"status": "finished"}, "does not fit"),
    ({"due_on": {"gt": "someday"}}, "does not fit a date field"),
    ({"action_id": {"regex": "("}}, "regex"),
    ({"due_on": {"eq": {"outer": "x"}}}, "only allowed inside has.where"),
])
def test_rule_errors_are_reported(where, message):
    with pytest.raises(rules.RuleError, match=message):
        matches(where, CA)


def test_each_join_with_outer_and_min():
    staff = [Record("staff", {"staff_id": "S1", "joined_on": D(2025, 6, 1)}, "s.csv", 2),
             Record("staff", {"staff_id": "S2", "joined_on": D(2025, 6, 1)}, "s.csv", 3)]
    training = [Record("training_records", {"staff_id": "S1", "completed_on": D(2025, 7, 1)}, "t.csv", 2),
                Record("training_records", {"staff_id": "S2", "completed_on": D(2025, 12, 1)}, "t.csv", 3)]
    rule = {"each": "staff", "has": {"dataset": "training_records", "on": {"staff_id": "staff_id"},
                                     "where": {"completed_on": {"le": {"date": {"outer": "joined_on"},
                                                                       "plus": {"days": 90}}}}}}
    out = rules.evaluate(rule, ctx(), {"staff": data("staff", staff), "training_records": data("training_records", training)}, {})
    assert [h.key for h in out.hits] == ["S2"] and out.hits[0].record.line == 3
    rule["has"]["min"] = 2
    rule["has"].pop("where")
    out = rules.evaluate(rule, ctx(), {"staff": data("staff", staff), "training_records": data("training_records", training)}, {})
    assert [h.key for h in out.hits] == ["S1", "S2"]


def test_some_and_when_and_controls_pass():
    drills = [Record("drills", {"kind": "phishing", "held_on": D(2025, 5, 1)}, "d.yaml", 1)]
    out = rules.evaluate({"some": "drills", "min": 2}, ctx(), {"drills": data("drills", drills)}, {"drills": ["d.yaml"]})
    assert out.hits[0].files == ("d.yaml",) and out.hits[0].fields == {"count": 1, "min": 2}
    out = rules.evaluate({"some": "drills", "when": {"network_model": "alpha"}}, ctx(), {"drills": data("drills", drills)}, {})
    assert not out.applicable
    c = ctx()
    c.statuses.update({"TR-01": "pass", "TR-04": "no_evidence"})
    out = rules.evaluate({"controls_pass": ["TR-01", "TR-04", "OR-02"]}, c, {}, {})
    assert [(h.key, h.fields["status"]) for h in out.hits] == [("TR-04", "no_evidence"), ("OR-02", "not_evaluated")]


@pytest.mark.parametrize("params, lines", [
    ({"wanted": "A1", "pattern": "^B"}, [1]),          # the first condition left on decides
    ({"wanted": None, "pattern": "^B"}, [3]),          # a null parameter: the next one
    ({"wanted": ["A1", "A2"], "pattern": None}, [1, 2]),
    ({"wanted": None, "pattern": None}, [1, 2, 3]),    # every one switched off: dropped
])
def test_first_condition_that_no_null_parameter_switches_off(params, lines):
    assert matches({"action_id": {"first": [{"in": "$wanted"}, {"regex": "$pattern"}]}}, CA, **params) == lines


def test_regex_from_a_parameter_must_be_a_pattern():
    with pytest.raises(rules.RuleError, match="pattern"):
        matches({"action_id": {"regex": "$pattern"}}, CA, pattern=["^A"])


def test_each_reports_a_join_whose_keys_hardly_meet():
    staff = [Record("staff", {"staff_id": f"{1000 + i}"}, "s.xlsx", i + 2) for i in range(4)]
    padded = [Record("training_records", {"staff_id": f"00{1000 + i}"}, "t.csv", i + 2) for i in range(3)]
    rule = {"each": "staff", "has": {"dataset": "training_records", "on": {"staff_id": "staff_id"}}}

    def joins(inner, **has):
        rule["has"].update(has)
        sets = {"staff": data("staff", staff), "training_records": data("training_records", inner)}
        return rules.evaluate(rule, ctx(), sets, {}).joins

    (j,) = joins(padded)
    assert (j.outer_keyed, j.outer_matched, j.inner_keyed, j.inner_matched) == (4, 0, 3, 0)
    assert j.outer_unmatched == ["1000", "1001", "1002"] and j.inner_unmatched == ["001000", "001001", "001002"]
    assert joins([Record("training_records", {"staff_id": "1000"}, "t.csv", 2)]) == []  # its one record matches
    assert joins(padded, min_match=0) == []
