"""A predicate tested once per distinct value gives exactly what testing every row gives: the same
hits in the same order, the same counts per department, the same error for values that cannot be
compared (the row-by-row path, kept behind predicates._PER_ROW, is the reference)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor.catalogue import rules
from auditor.catalogue.rules import predicates, quantifiers
from auditor.evidence.dataset import Dataset
from auditor.evidence.kinds import spec as kind_spec
from auditor.fiscal import FiscalYear
from auditor.model import Record

FY = FiscalYear(2025)
DATES = [dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)]
# mostly few values (the distinct path), sometimes a value of another type (a number in a date column,
# 1, 1.0 and True in one column) so that both the type guard and comparison errors are exercised
DATE = st.one_of(st.sampled_from(DATES + [None]), st.sampled_from(["2025-04-01", 3, dt.datetime(2025, 4, 1)]))
WORD = st.sampled_from(["S1", "S2", "S3", "security-basic", "x", "", None])
SCORE = st.sampled_from([1, 1.0, True, 0, 2.5, None, "1"])
UNIT = st.sampled_from(["0100", "0200", None])

CA_FIELDS = {"action_id": WORD, "unit": UNIT, "status": st.sampled_from(["open", "closed", None]),
             "due_on": DATE, "completed_on": DATE, "owner": WORD}
TR_FIELDS = {"staff_id": WORD, "course": WORD, "completed_on": DATE, "score": SCORE, "unit": UNIT}


def conditions(fields: dict):
    dates = [n for n in fields if n.endswith("_on")]
    words = [n for n in fields if n not in dates and n != "score"]
    cmp = st.sampled_from(["gt", "ge", "lt", "le"])
    date_ops = st.one_of(
        st.builds(lambda n, op, d: {n: {op: d}}, st.sampled_from(dates), cmp, st.sampled_from(DATES)),
        st.builds(lambda n, op, m: {n: {op: {"field": m}}}, st.sampled_from(dates), cmp, st.sampled_from(dates)),
        st.builds(lambda n, b: {n: {"in_fy": b}}, st.sampled_from(dates), st.booleans()),
        st.builds(lambda n, lo, hi: {n: {"between": [lo, hi]}}, st.sampled_from(dates), st.sampled_from(DATES),
                  st.sampled_from(DATES)),
        st.builds(lambda n, m: {n: {"le": {"date": {"field": m}, "plus": {"days": 30}}}}, st.sampled_from(dates),
                  st.sampled_from(dates)))
    word_ops = st.one_of(
        st.builds(lambda n, v: {n: v}, st.sampled_from(words), st.sampled_from(["S1", "x", "security-basic"])),
        st.builds(lambda n, v: {n: {"ne": v}}, st.sampled_from(words), st.sampled_from(["S1", "x"])),
        st.builds(lambda n, v, op: {n: {op: v}}, st.sampled_from(words), st.lists(st.sampled_from(["S1", "S2", "x"]),
                  min_size=1, max_size=3), st.sampled_from(["in", "not_in"])),
        st.builds(lambda n, p: {n: {"regex": p}}, st.sampled_from(words + dates), st.sampled_from(["^S", "1$", "-0", "basic"])),
        st.builds(lambda n, b: {n: {"exists": b}}, st.sampled_from(list(fields)), st.booleans()))
    ops = [date_ops, word_ops]
    if "score" in fields:
        ops.append(st.builds(lambda op, v: {"score": {op: v}}, cmp, st.sampled_from([1, 2])))
        ops.append(st.builds(lambda p: {"score": {"regex": p}}, st.sampled_from(["^1$", "True", r"\."])))
    leaf = st.one_of(*ops)
    return st.recursive(leaf, lambda sub: st.one_of(
        st.builds(lambda a: {"all": a}, st.lists(sub, min_size=1, max_size=3)),
        st.builds(lambda a: {"any": a}, st.lists(sub, min_size=1, max_size=3)),
        st.builds(lambda a: {"not": a}, sub)), max_leaves=4)


def rows(fields: dict):
    return st.lists(st.fixed_dictionaries(fields), min_size=0, max_size=12).map(lambda b: b * 2 if len(b) < 4 else b).flatmap(
        lambda base: st.lists(st.sampled_from(base), min_size=50, max_size=150) if base else st.just([]))


def dataset(kind, fields_list) -> Dataset:
    records = [Record(kind, dict(f), f"{kind}.csv", i + 2) for i, f in enumerate(fields_list)]
    return Dataset.from_records(kind, kind_spec(kind).fields, records)


def ctx():
    params = {"fiscal_year": 2025, "fy_start": FY.start, "fy_end": FY.end, "as_of": FY.end, "network_model": "beta"}
    return rules.Context(params, FY, FY.end, {"0100": {}, "0200": {}}, {}, {})


def outcome(rule, datasets, per_row: bool):
    saved, predicates._PER_ROW = predicates._PER_ROW, per_row
    try:
        out = rules.evaluate(rule, ctx(), datasets, {k: [f"{k}.csv"] for k in datasets})
    except rules.RuleError as exc:
        return ("error", str(exc))
    finally:
        predicates._PER_ROW = saved
    return (out.applicable, out.checked, out.departments, out.joins,
            [(h.key, repr(h.fields), h.record and (h.record.file, h.record.line), h.files, h.unit) for h in out.hits])


RULE = st.one_of(
    st.builds(lambda w: {"none": "corrective_actions", "where": w}, conditions(CA_FIELDS)),
    st.builds(lambda w, r: {"all": "corrective_actions", "where": w, "require": r}, conditions(CA_FIELDS),
              conditions(CA_FIELDS)),
    st.builds(lambda w: {"none": "training_records", "where": w}, conditions(TR_FIELDS)),
    st.builds(lambda w, h: {"each": "corrective_actions", "where": w,
                            "has": {"dataset": "training_records", "on": {"owner": "staff_id"}, "where": h}},
              conditions(CA_FIELDS), conditions(TR_FIELDS)))


@settings(max_examples=400, deadline=None)
@given(rule=RULE, ca=rows(CA_FIELDS), tr=rows(TR_FIELDS))
@example(rule={"none": "training_records", "where": {"score": {"regex": "True"}}}, ca=[],
         tr=[{"staff_id": "S1", "score": 1}, {"staff_id": "S2", "score": True}] * 30)  # equal, printed apart
@example(rule={"none": "corrective_actions", "where": {"completed_on": {"gt": {"field": "due_on"}}}}, tr=[],
         ca=[{"completed_on": dt.date(2025, 4, 1), "due_on": "2025-04-01"},
             {"completed_on": "2025-04-01", "due_on": dt.date(2025, 4, 1)}] * 30)  # the first row's error
def test_once_per_distinct_value_equals_every_row(rule, ca, tr):
    datasets = {"corrective_actions": dataset("corrective_actions", ca),
                "training_records": dataset("training_records", tr)}
    assert outcome(rule, datasets, False) == outcome(rule, datasets, True)


@pytest.mark.parametrize("column, used", [
    (["2025-04-01", "x"] * 50, True),  # few distinct text values: tested once each
    ([dt.date(2025, 4, 1), None] * 50, True),
    ([1, 1.0, True] * 30, False),  # equal but printed differently: every row
    ([f"S{i}" for i in range(100)], False),  # an ID column: every row, the distinct path would not pay
    ([["0100"], ["0200"]] * 50, False),  # lists: unhashable
])
def test_distinct_path_only_where_it_is_exact_and_pays(column, used, monkeypatch):
    pred = predicates.compile_predicate({"owner": {"regex": "1"}}, ctx(), "corrective_actions")
    pred.select({"owner": column}, size=len(column))  # builds the row-by-row function first
    calls = []
    real = pred._select[False]
    pred._select[False] = lambda *a: calls.append(a[1]) or real(*a)
    expected = [i for i, v in enumerate(column) if v is not None and "1" in str(v)]
    assert pred.select({"owner": column}, size=len(column)) == expected
    assert (calls[0] < len(column)) is used


def test_a_plain_comparison_is_tested_row_by_row_and_a_call_once_per_value():
    where = {"completed_on": {"in_fy": True}, "owner": "S1"}
    assert not predicates.compile_predicate(where, ctx(), "corrective_actions").per_value  # hashing costs more
    for where in ({"owner": {"regex": "^S"}}, {"due_on": {"le": {"date": {"field": "completed_on"}, "plus": {"days": 30}}}}):
        assert predicates.compile_predicate(where, ctx(), "corrective_actions").per_value


OUTER = st.one_of(  # has.where conditions that read the outer record (a corrective action)
    st.builds(lambda n, op, m: {n: {op: {"outer": m}}}, st.just("completed_on"), st.sampled_from(["gt", "ge", "lt", "le"]),
              st.sampled_from(["due_on", "completed_on"])),
    st.builds(lambda lo: {"completed_on": {"between": [{"outer": lo}, {"date": {"outer": lo}, "plus": {"days": 30}}]}},
              st.sampled_from(["due_on", "completed_on"])),
    st.builds(lambda w: {"all": [{"staff_id": {"ne": {"outer": "action_id"}}}, w]}, conditions(TR_FIELDS)))
JOINED = st.builds(lambda on, w, h, n: {"each": "corrective_actions", "where": w,
                                        "has": {"dataset": "training_records", "on": on, "where": h, "min": n}},
                   st.sampled_from([{"owner": "staff_id"}, {"owner": "staff_id", "unit": "unit"}, {"unit": "unit"}]),
                   conditions(CA_FIELDS), OUTER, st.sampled_from([1, 2]))


def joined(rule, datasets, one_key: bool):
    saved, quantifiers._ONE_KEY = quantifiers._ONE_KEY, one_key
    try:
        return outcome(rule, datasets, False)
    finally:
        quantifiers._ONE_KEY = saved


CLEAN = st.sampled_from(DATES + [None])  # dates that compare: mixed types would end most examples in one error
CA_CLEAN = {**CA_FIELDS, "due_on": CLEAN, "completed_on": CLEAN}
TR_CLEAN = {**TR_FIELDS, "completed_on": CLEAN}


@settings(max_examples=300, deadline=None)
@given(rule=JOINED, ca=rows(CA_CLEAN), tr=rows(TR_CLEAN))
def test_joined_rows_looked_up_by_one_key_equal_the_general_join(rule, ca, tr):
    """`each ... has` whose where reads the outer record: the index of one key a row (no list fields) finds
    the very rows, in the same order, that the general join's lists of key tuples find."""
    datasets = {"corrective_actions": dataset("corrective_actions", ca),
                "training_records": dataset("training_records", tr)}
    assert joined(rule, datasets, True) == joined(rule, datasets, False)
