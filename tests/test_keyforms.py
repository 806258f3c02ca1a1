"""Join keys that differ only in form (auditor/catalogue/rules/keyforms.py): what is named a near miss."""
from auditor.catalogue.rules import keyforms


def _pairs(unmatched, inner):
    forms = keyforms.forms(inner)
    return keyforms.near_misses(iter(unmatched), dict.fromkeys(inner), forms) if forms else (0, [])


def test_zeros_separators_and_case_are_a_near_miss():
    inner = ["S0001", "S0002", "S0007", "S0009", "S0010"]
    assert _pairs(["S07", "s-0009", "S0003", "S00010"], inner) == (3, [("S07", "S0007"), ("s-0009", "S0009"),
                                                                        ("S00010", "S0010")])


def test_unpadded_inner_keys_take_the_outer_key_without_its_zeros():
    assert _pairs(["001001", "1003"], ["1001", "1002", "1010"]) == (1, [("001001", "1001")])


def test_other_numbers_other_prefixes_and_keys_of_two_runs_are_not():
    inner = ["S0001", "PC-0041", "2025-001"]
    assert _pairs(["S0002", "T0001", "2025-1", "PC0041x", "S" + "9" * 5000], inner) == (0, [])


def test_keys_of_no_scheme_are_not_compared():
    inner = [f"{p}{i}" for i, p in enumerate("ABCDEFGHIJKLMNOP")]  # 16 forms: more than MAX_FORMS
    assert keyforms.forms(inner) is None
