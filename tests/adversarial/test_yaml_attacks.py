"""YAML attacks: alias bombs (billion laughs), deep nesting, tags that construct objects.

Each is planted in an evidence file, the manifest, the policy and a controls file, and must be
refused within the harness's time and memory limits (1.5 GiB address space, 60 s).
"""
import pytest

from .harness import label_of, refused

# Nine levels of nine aliases: 9**9 (387 million) strings once expanded. The alias that takes the
# document past a million values is on line 7 (`g`), counted from the bomb's first line.
BOMB = "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9 if p else ['lol'] * 9)}]\n"
               for k, p in zip("abcdefghi", [None, *"abcdefgh"]))
BOMB_LINE = 7
DEEP = 100_000


def _prepend(path, text):
    old = path.read_text(encoding="utf-8")
    path.write_text(text + old, encoding="utf-8")
    return old.count("\n")


def _append(path, text):
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1  # the appended line


# ---- alias bombs ----

def test_alias_bomb_in_an_evidence_field(case, request):
    """Evidence aliases are never expanded (the same object is shared): the nested value is refused."""
    case.add_file("bomb.yaml", (BOMB + "records:\n- {rule_id: R2, src_zone: lgwan, dst_zone: internet, action: deny, "
                                "service: *i}\n").encode())
    refused(case, file="bomb.yaml", line=11, words="nested structure", commands=("check", "report"),
            label=label_of(request))


def test_alias_bomb_as_the_records_list(case, request):
    case.add_file("bomb.yaml", (BOMB + "records: *i\n").encode())
    refused(case, file="bomb.yaml", words="a record must be a mapping", label=label_of(request))


def test_alias_bomb_in_the_manifest(case, request):
    _prepend(case.evidence / "manifest.yaml", BOMB)
    refused(case, file="manifest.yaml", line=BOMB_LINE, words="alias bomb", commands=("check", "report"),
            label=label_of(request))


def test_alias_bomb_in_the_policy(case, request):
    _prepend(case.policy, BOMB)
    refused(case, file="policy.yaml", line=BOMB_LINE, words="alias bomb", label=label_of(request))


def test_alias_bomb_inside_a_policy_exception(case, request):
    """Planted where the schema allows free values (an exception's scope), not at the top level."""
    text = "".join("  " + line + "\n" for line in BOMB.splitlines())
    case.policy.write_text(
        "organisation: {ja: テスト市, en: Test City}\nnetwork_model: alpha\nsecretariat: '0100'\n"
        "bombs:\n" + text + "exceptions:\n- {id: EX-1, control: NS-01, scope: {rule_id: *i}, reason: x, approver: y, "
        "from: 2025-04-01, to: 2026-03-31}\n", encoding="utf-8")
    refused(case, file="policy.yaml", line=4 + BOMB_LINE, words="alias bomb", label=label_of(request))


def test_alias_bomb_in_a_controls_file(case, request):
    case.control_file(BOMB)
    refused(case, file="local.yaml", line=BOMB_LINE, words="alias bomb", commands=("check", "report"),
            label=label_of(request))


def test_alias_bomb_in_a_control_parameter(case, request):
    params = "".join("    " + line + "\n" for line in BOMB.splitlines())
    case.control_file("- id: LOCAL-01\n  title: {ja: a, en: a}\n  requirement: {ja: a, en: a}\n  area: local\n"
                      "  severity: major\n  source: x\n  params:\n" + params + "  evidence: [flow_rules]\n"
                      "  rule: {none: flow_rules, where: {action: allow}}\n  message: {ja: a, en: a}\n")
    refused(case, file="local.yaml", line=7 + BOMB_LINE, words="alias bomb", label=label_of(request))


def test_recursive_alias_in_a_controls_file(case, request):
    """`&a [*a]` builds a list that contains itself: every walk over it would recurse forever."""
    case.control_file("- &a [x, *a]\n")
    refused(case, file="local.yaml", line=1, words="refers to a value that contains it", label=label_of(request))


# ---- deep nesting (libyaml's composer recurses in C: 100,000 levels crashed the process) ----

@pytest.mark.parametrize("text, words", [
    ("records: " + "[" * DEEP + "]" * DEEP + "\n", "nests deeper than 50 levels"),
    ("records: " + "[" * 60 + "]" * 60 + "\n", "nests deeper than 50 levels"),  # below libyaml's own limit
    ("records: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", "nests deeper than 50 levels"),
    ("- " * DEEP + "x\n", "nests deeper than 50 levels"),
], ids=["flow-sequences", "flow-sequences-60", "flow-mappings", "block-sequences"])
def test_deep_nesting_in_an_evidence_yaml(case, request, text, words):
    case.add_file("deep.yaml", text.encode())
    refused(case, file="deep.yaml", line=1, words=words, label=label_of(request))


def test_deep_block_nesting_with_old_mac_line_breaks(case, request):
    """Lines broken by CR alone are lines to YAML: the quick depth bound must see them too."""
    text = "".join(" " * i + "a:\r" for i in range(2000)) + " " * 2000 + "b: 1\r"
    case.add_file("deep.yaml", text.encode())
    refused(case, file="deep.yaml", words="nests deeper than 50 levels", label=label_of(request))


def test_deep_nesting_in_an_evidence_json(case, request):
    case.add_file("deep.json", ("[" * DEEP + "]" * DEEP).encode())
    refused(case, file="deep.json", words="nests too deeply", commands=("check", "report"), label=label_of(request))


def test_deep_nesting_in_the_manifest(case, request):
    line = _append(case.evidence / "manifest.yaml", "x: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n")
    refused(case, file="manifest.yaml", line=line, words="nests deeper", commands=("check", "report"),
            label=label_of(request))


def test_deep_nesting_in_the_policy(case, request):
    line = _append(case.policy, "x: " + "[" * DEEP + "]" * DEEP + "\n")
    refused(case, file="policy.yaml", line=line, words="nests deeper", label=label_of(request))


def test_deep_nesting_in_a_controls_file(case, request):
    case.control_file("- " * DEEP + "x\n")
    refused(case, file="local.yaml", line=1, words="nests deeper", label=label_of(request))


# ---- tags that construct objects ----

def test_python_object_tag_in_evidence(case, request):
    case.add_file("evil.yaml", b"- rule_id: !!python/object/apply:os.system ['touch pwned']\n"
                               b"  src_zone: lgwan\n  dst_zone: internet\n  action: deny\n")
    refused(case, file="evil.yaml", line=1, words="tag", commands=("check", "report"), label=label_of(request))
    assert not (case.root / "pwned").exists() and not (case.evidence / "pwned").exists()


def test_python_object_new_tag_in_the_manifest(case, request):
    line = _append(case.evidence / "manifest.yaml", "as_of: !!python/object/new:os.system ['touch pwned']\n")
    refused(case, file="manifest.yaml", line=line, words="python/object/new", label=label_of(request))
    assert not (case.root / "pwned").exists()


def test_python_name_tag_in_the_policy(case, request):
    case.policy.write_text("organisation: !!python/name:os.system\nnetwork_model: alpha\n", encoding="utf-8")
    refused(case, file="policy.yaml", line=1, words="python/name", label=label_of(request))


def test_python_object_tag_in_a_controls_file(case, request):
    case.control_file("- !!python/object:collections.OrderedDict {id: LOCAL-01}\n")
    refused(case, file="local.yaml", line=1, words="python/object", label=label_of(request))


@pytest.mark.parametrize("value, tag", [("!!set {NS-01, NS-02}", "set"), ("!!binary aGVsbG8=", "binary"),
                                        ("!!omap [{a: 1}]", "omap")])
def test_safe_loader_object_tags_in_the_policy(case, request, value, tag):
    """The safe loader would build a set, bytes or tuples: configuration holds plain data only."""
    case.policy.write_text(f"organisation: {{ja: テスト市, en: Test City}}\nnetwork_model: alpha\nversion: {value}\n",
                           encoding="utf-8")
    refused(case, file="policy.yaml", line=3, words=f"tag tag:yaml.org,2002:{tag} is not allowed",
            label=label_of(request))


def test_nan_threshold_in_a_policy_parameter(case, request):
    """`.nan` compares false with everything: a rule `click_rate > .nan` would never fail."""
    case.policy.write_text("organisation: {ja: テスト市, en: Test City}\nnetwork_model: alpha\n"
                           "controls:\n  TR-04: {params: {max_click_rate: .nan}}\n", encoding="utf-8")
    refused(case, file="policy.yaml", line=4, words="'.nan' is not a number", label=label_of(request))
