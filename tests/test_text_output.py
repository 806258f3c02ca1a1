"""`auditor check` text output: columns aligned by display width, departments in organisation-code
order, and with --baseline each open finding marked new or known."""
from __future__ import annotations

import json
import re

import pytest

from auditor.model import STATUS_LABELS
from auditor.reporters.text import width
from conftest import ORG, copy_sample, invoke, write_evidence, write_policy
from test_baseline import NEW_RULE


def _control_lines(text: str) -> list[str]:
    block = text.split("== 管理策ごとの結果 ==\n", 1)[1] if "== 管理策ごとの結果 ==" in text \
        else text.split("== Results by control ==\n", 1)[1]
    return [line for line in block.split("\n\n", 1)[0].splitlines()
            if not line.startswith("   ")]  # a result's notices are indented under it


def test_width_counts_wide_characters_twice():
    assert width("適合") == 4 and width("証跡なし") == 8 and width("NS-01") == 5 and width("ｱ") == 1
    assert width("が") == 2 and width("か\u3099") == 2  # a combining mark takes no column


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_result_columns_line_up_on_screen(tmp_path, lang):
    """適合 / 不適合 / 証跡なし / 適用外 differ in display width: the titles still start in one column."""
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "flow_rules": [
        {"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}]})
    for args in ([], ["--policy", write_policy(tmp_path, network_model="beta"), "--evidence", ev]):
        result = invoke("check", "--lang", lang, "--fail-on", "none", *args)
        lines = _control_lines(result.stdout)
        assert len(lines) >= 10
        labels = sorted(STATUS_LABELS[lang].values(), key=len, reverse=True)
        statuses, starts = set(), set()
        for line in lines:
            cid = re.match(r"  \S+ +", line).end()
            label = next(l for l in labels if line[cid:].startswith(l))
            rest = line[cid + len(label):]
            statuses.add(label)
            starts.add(width(line[:len(line) - len(rest.lstrip(" "))]))  # where the title starts on screen
        assert len(statuses) >= 2 and len(starts) == 1, (statuses, lines)


def test_departments_are_listed_in_organisation_code_order():
    doc = json.loads(invoke("check", "--format", "json", "--fail-on", "none").stdout)
    codes = {f["department"]: f["department_code"] for r in doc["results"] for f in r["findings"] if f["department"]}
    shown = re.findall(r"^■ (\S+) \(\d+\)$", invoke("check").stdout, re.M)
    assert shown == sorted(codes, key=lambda name: int(codes[name]))
    assert shown[0] == "財政課" and shown[-1] == "会計課"  # 0130 ... 0710, not Unicode order


def test_unassessed_audit_items_are_listed_in_natural_order(tmp_path):
    """A town without a checklist: 「未確認 85 件…: GL1-01、GL1-02、…、GL1-10」, not the sections' order."""
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    out = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--fail-on", "none").stdout
    line = next(l for l in out.splitlines() if l.startswith("  未確認 ") and "監査チェックリスト" in l)
    ids = line.split(": ", 1)[1].split("（")[0].split("、")
    key = [[int(p) if p.isdigit() else p for p in re.split(r"(\d+)", i)] for i in ids]
    assert len(ids) > 20 and key == sorted(key), ids


def test_with_a_baseline_each_open_finding_is_marked_new_or_known(tmp_path):
    baseline = tmp_path / "baseline.json"
    assert invoke("check", "--format", "json", "--fail-on", "none", "-o", baseline).exit_code == 0
    grown = copy_sample(tmp_path)
    with open(grown / "fw_rules.csv", "ab") as fh:
        fh.write(NEW_RULE)
    for lang, new, known, waived in (("ja", "[重大・新規] NS-01", "[重大・既知] NS-01", "[免除] NS-06"),
                                     ("en", "[MAJOR, NEW] NS-01", "[MAJOR, known] NS-01", "[waived] NS-06")):
        result = invoke("check", "--evidence", grown, "--baseline", baseline, "--lang", lang)
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        marked = [l for l in lines if "・新規]" in l or ", NEW]" in l]
        assert len(marked) == 1 and marked[0].lstrip().startswith(new) and "FW-0999" in marked[0]
        assert any(l.lstrip().startswith(known) and "FW-0107" in l for l in lines)
        assert any(l.lstrip().startswith(waived) for l in lines)  # waived: neither new nor known
    plain = invoke("check", "--evidence", grown).stdout
    assert "新規]" not in plain and "既知]" not in plain  # no baseline, no marks
