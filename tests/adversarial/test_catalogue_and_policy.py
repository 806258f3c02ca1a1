"""Controls and policy: duplicate IDs, rules over unknown data, unknown controls, unusable exceptions.

An exception with an unreadable date is not an error by design (README, "Writing a policy"): it is
reported as invalid and waives nothing (fail closed); those cases assert exactly that.
"""
import re

import pytest

from .harness import accepted, label_of, local_control, refused

HEAD = ("- id: {cid}\n  title: {{ja: a, en: a}}\n  requirement: {{ja: a, en: a}}\n  area: local\n"
        "  severity: major\n  source: x\n  evidence: [{evidence}]\n")
RULE_LINE = 8  # the line of `rule:` in a control written by _control


def _control(cid="LOCAL-01", evidence="flow_rules", rule="{none: flow_rules, where: {action: allow}}"):
    return HEAD.format(cid=cid, evidence=evidence) + f"  rule: {rule}\n  message: {{ja: a, en: a}}\n"


def test_duplicate_control_id_in_one_file(case, request):
    case.control_file(_control() + _control())
    refused(case, file="local.yaml", line=10, words="control LOCAL-01 is defined twice (first in",
            commands=("check", "report"), label=label_of(request))


def test_local_control_reusing_a_shipped_id(case, request):
    case.control_file(_control(cid="NS-01"))
    refused(case, file="local.yaml", line=1, words=["control NS-01 is defined twice", "01-network.yaml"],
            label=label_of(request))


def test_rule_over_an_unknown_dataset(case, request):
    case.control_file(_control(evidence="firewall", rule="{none: firewall, where: {action: allow}}"))
    refused(case, file="local.yaml", words="firewall", label=label_of(request))


def test_rule_over_a_dataset_not_listed_under_evidence(case, request):
    case.control_file(_control(rule="{none: terminals, where: {mfa: false}}"))
    refused(case, file="local.yaml", line=RULE_LINE, words="rule reads 'terminals', which is not listed under evidence",
            label=label_of(request))


def test_rule_over_an_unknown_field(case, request):
    case.control_file(_control(rule="{none: flow_rules, where: {colour: red}}"))
    refused(case, file="local.yaml", line=RULE_LINE, words="unknown field 'colour'", commands=("check", "report"),
            label=label_of(request))


def test_rule_with_an_unknown_operator(case, request):
    case.control_file(_control(rule="{none: flow_rules, where: {rule_id: {frobnicate: 1}}}"))
    refused(case, file="local.yaml", line=RULE_LINE, words="frobnicate", label=label_of(request))


def test_rule_with_a_broken_regular_expression(case, request):
    case.control_file(_control(rule="{none: flow_rules, where: {rule_id: {regex: '(['}}}"))
    refused(case, file="local.yaml", line=RULE_LINE, words="regex '(['", label=label_of(request))


def test_controls_that_depend_on_each_other(case, request):
    case.control_file(_control(cid="LOCAL-01", rule="{controls_pass: [LOCAL-02]}")
                      + _control(cid="LOCAL-02", rule="{controls_pass: [LOCAL-01]}"))
    refused(case, file="local.yaml", line=1, words="controls_pass cycle: LOCAL-01 -> LOCAL-02 -> LOCAL-01",
            label=label_of(request))


def test_empty_controls_file(case, request):
    case.control_file("")
    refused(case, file="local.yaml", words="control schema", label=label_of(request))


def _policy(case, text):
    case.policy.write_text("organisation: {ja: テスト市, en: Test City}\nnetwork_model: alpha\nsecretariat: '0100'\n"
                           + text, encoding="utf-8")


def test_policy_naming_an_unknown_control(case, request):
    _policy(case, "controls:\n  NS-01: {severity: minor}\n  XX-99: {enabled: false, reason: test}\n")
    refused(case, file="policy.yaml", line=6, words="unknown control ID XX-99", commands=("check", "report"),
            label=label_of(request))


def test_policy_exception_for_an_unknown_control(case, request):
    _policy(case, "exceptions:\n- {id: EX-1, control: XX-99, scope: {rule_id: R1}, reason: x, approver: y, "
                  "from: 2025-04-01, to: 2026-03-31}\n")
    refused(case, file="policy.yaml", line=5, words="unknown control ID XX-99", label=label_of(request))


def test_policy_setting_an_unknown_parameter(case, request):
    _policy(case, "controls:\n  TR-01: {params: {colour: red}}\n")
    refused(case, file="policy.yaml", line=5, words="TR-01 has no parameter 'colour'", label=label_of(request))


def test_policy_that_is_not_utf8(case, request):
    case.policy.write_bytes("organisation: {ja: テスト市, en: Test City}\nnetwork_model: alpha\n"
                            "version: 令和7年4月1日改定\n".encode("cp932"))
    refused(case, file="policy.yaml", line=1, words="not UTF-8", label=label_of(request))


def test_empty_policy(case, request):
    case.policy.write_text("", encoding="utf-8")
    refused(case, file="policy.yaml", words="policy schema", label=label_of(request))


# ---- exceptions that cannot be read waive nothing ----

def _ns06(doc):
    (result,) = [r for r in doc["results"] if r["control_id"] == "NS-06"]
    return {f["subject"]["asset_id"]: f["status"] for f in result["findings"]}


def _with_exception_dates(sample, start, end):
    text = sample.policy.read_text(encoding="utf-8")
    text, n = re.subn(r"(id: EX-2025-01\n(?:    .*\n)*?    from: )2025-10-01\n    to: 2026-09-30",
                      lambda m: f"{m.group(1)}{start}\n    to: {end}", text)
    assert n == 1
    sample.policy.write_text(text, encoding="utf-8")


def test_exception_in_the_sample_waives_its_finding(sample, request):
    """The control for the cases below: as shipped, EX-2025-01 waives NS-06 for PC-0041."""
    _, doc = accepted(sample, codes=(1,), label=label_of(request))
    assert _ns06(doc)["PC-0041"] == "waived"


@pytest.mark.parametrize("start, end, problem", [
    ("そのうち", "2026-09-30", "unreadable 'from' date"),
    ("2025-10-01", "令和8年2月30日", "unreadable 'to' date"),
    ("2025-10-01", "''", "no 'to' date"),
    ("2026-09-30", "2025-10-01", "'from' is after 'to'"),
], ids=["unreadable-from", "impossible-to", "empty-to", "reversed"])
def test_exception_with_an_unusable_date_waives_nothing(sample, request, start, end, problem):
    """Not an error by design: the run completes, the exception is reported invalid with its problem,
    and the finding it would have covered stays open (exit 1: a major gap is open)."""
    _with_exception_dates(sample, start, end)
    _, doc = accepted(sample, codes=(1,), label=label_of(request))
    assert _ns06(doc)["PC-0041"] == "open"
    (ex,) = [e for e in doc["exceptions"] if e["id"] == "EX-2025-01"]
    assert ex["findings_waived"] == 0 and ex["state"] != "valid" and problem in ex["problem"]


def test_local_control_reports_what_it_reads(case, request):
    """The helper the xlsx cases rely on: a local control lists the records of its kind."""
    case.add_file("staff.csv", "staff_id,unit\nS1,0100\n".encode(), kind="staff")
    local_control(case, "{none: staff, where: {staff_id: {exists: true}}}")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    (result,) = [r for r in doc["results"] if r["control_id"] == "LOCAL-01"]
    assert [f["message"] for f in result["findings"]] == ["S1 情報政策課"]
