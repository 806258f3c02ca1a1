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


README = (ROOT / "README.md").read_text(encoding="utf-8")
WRITES = ("-o", "--output", "--output-dir", "--out", "--db")  # options naming a file or folder that a command writes


def _readme_outputs() -> list[str]:
    """Every file or folder the README's commands write, run from the repository root."""
    import shlex

    found = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            for command in line.split(" #")[0].split(";"):
                args = shlex.split(command)
                if not args or args[0] != "auditor":
                    continue
                found += [args[i + 1] for i, a in enumerate(args[:-1]) if a in WRITES]
                if args[1] == "report" and "--out" not in args:
                    found.append("reports")  # report's default --out
    return found


def test_readme_commands_leave_nothing_untracked_in_the_repository():
    """results.json and auditor.sarif were written to the root and showed up in `git status`."""
    import shutil
    import subprocess

    outputs = _readme_outputs()
    assert len(outputs) >= 5 and any(p.endswith("results.json") for p in outputs)
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True) \
        if shutil.which("git") else None
    if not inside or inside.stdout.strip() != "true":
        pytest.skip("not a git checkout (no git, or an unpacked source archive): nothing can be untracked")
    probes = [p.rstrip("/") + "/x" if not re.search(r"\.\w+$", p) else p for p in outputs]
    run = subprocess.run(["git", "check-ignore", "-z", "--stdin", "--no-index"], input="\0".join(probes), cwd=ROOT,
                         capture_output=True, text=True)
    ignored = set(run.stdout.split("\0")) - {""}
    assert ignored == set(probes), "not git-ignored: " + ", ".join(sorted(set(probes) - ignored))
