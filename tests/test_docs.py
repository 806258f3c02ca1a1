"""Every example control in docs/rules.md loads and gives the result written above it."""
from __future__ import annotations

import re

import pytest

from conftest import POLICY, ROOT, SAMPLE, check_json

DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```yaml\n(# expect: (\w+)(?: (\d+))?\n(- id: ([A-Z-]+)\n.*?))```", DOC, re.S)


def test_every_operator_has_an_example():
    text = "".join(e[0] for e in EXAMPLES)
    for op in ("none:", "all:", "some:", "each:", "controls_pass:", "when:", "any:", "not:", "eq", "ne:", "in:",
               "between:", "in_fy:", "exists:", "regex:", "contains:", "intersects:", "ge:", "outer:", "lookup:",
               "plus:", "minus:", "locate:", "min:"):
        assert op in text, op
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("block, status, count, body, cid", EXAMPLES, ids=[e[4] for e in EXAMPLES])
def test_example_runs_on_the_sample(tmp_path, block, status, count, body, cid):
    (tmp_path / "doc.yaml").write_text(body, encoding="utf-8")
    _, doc = check_json("--policy", POLICY, "--evidence", SAMPLE, "--controls", tmp_path, "--control", cid)
    (result,) = [r for r in doc["results"] if r["control_id"] == cid]
    assert result["status"] == status, result
    if count:
        assert len(result["findings"]) == int(count), [f["message"] for f in result["findings"]]
