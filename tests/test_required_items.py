"""The required audit items not shown to be met are listed under their chapter (or section, or 省令
measure) in every human-readable output, so that an office sees whose items they are; where the
groups do not hold each item once (an ISO view), the flat list is shown, never a partial one."""
import json

import docx

from auditor.engine.coverage import required_groups
from conftest import invoke


def _coverage(*args) -> dict:
    result = invoke("coverage", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _grouped_lines(text: str, head: str) -> list:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(head))
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("  ") or ":" not in line:
            break
        out.append(line.strip())
    return out


def test_each_required_item_not_met_is_listed_once_under_its_own_chapter():
    doc = _coverage()
    missing = doc["total"]["required_not_met"]
    assert len(missing) > 10  # the sample leaves many unassessed
    chapter = {r["id"]: str(r["chapter"]) for r in doc["items"]}
    result = invoke("coverage", "--lang", "en")
    assert f"Required items not shown to be met ({len(missing)}):" in result.stdout
    lines = _grouped_lines(result.stdout, "Required items not shown to be met (")
    assert len(lines) == len({chapter[i] for i in missing}) > 1
    listed = []
    for line in lines:
        label, ids = line.split(": ", 1)
        ids = ids.split(", ")
        assert {chapter[i] for i in ids} == {label.split(" ", 1)[0]}, line  # under its own chapter
        listed += ids
    assert sorted(listed) == sorted(missing)


def test_in_japanese_the_groups_are_counted_and_joined_with_the_japanese_comma():
    doc = _coverage()
    result = invoke("coverage", "--lang", "ja")
    n = len(doc["total"]["required_not_met"])
    assert f"必須項目で適合と確認できないもの（{n} 項目）:" in result.stdout
    lines = _grouped_lines(result.stdout, "必須項目で適合と確認できないもの（")
    assert lines and all("、" in line or line.count("GL") == 1 for line in lines)
    assert lines[0].startswith("1 組織体制: GL1-")


def test_a_view_that_lists_an_item_under_several_groups_keeps_the_flat_list():
    doc = _coverage("--framework", "iso27001")
    assert required_groups(doc["groups"], doc["total"]["required_not_met"]) is None
    result = invoke("coverage", "--framework", "iso27001", "--lang", "en")
    flat = [line for line in result.stdout.splitlines() if line.startswith("Required items not shown to be met")]
    assert len(flat) == 1 and flat[0].startswith("Required items not shown to be met: GL")


def test_groups_that_miss_or_repeat_an_item_are_not_used():
    groups = [{"id": "1", "required_not_met": ["GL1-10", "GL1-02"]}, {"id": "2", "required_not_met": []},
              {"id": "3", "required_not_met": ["GL3-01"]}]
    assert [(g["id"], ids) for g, ids in required_groups(groups, ["GL1-10", "GL1-02", "GL3-01"])] == [
        ("1", ["GL1-02", "GL1-10"]), ("3", ["GL3-01"])]  # in the order of their numbers, not of the map
    assert required_groups(groups, ["GL1-10", "GL1-02", "GL3-01", "GL9-09"]) is None  # one in no group
    assert required_groups(groups + [{"id": "x", "required_not_met": ["GL3-01"]}],
                           ["GL1-10", "GL1-02", "GL3-01"]) is None  # one in two groups


def test_the_reports_list_them_by_chapter(tmp_path):
    result = invoke("report", "--format", "md,docx", "--lang", "en", "--out", tmp_path / "out")
    assert result.exit_code in (0, 1), result.output
    missing = json.loads(invoke("check", "--format", "json").stdout)["coverage"]["total"]["required_not_met"]
    md = (tmp_path / "out" / "report.en.md").read_text(encoding="utf-8")
    assert f"**Required items not shown to be met** ({len(missing)}):" in md
    after = md.split(f"({len(missing)}):", 1)[1].lstrip("\n").splitlines()
    bullets = after[:next(i for i, line in enumerate(after) if not line.startswith("- "))]  # the list that follows
    assert bullets[0].startswith("- 1 ") and sum(line.count("GL") for line in bullets) == len(missing)
    paragraphs = [p.text for p in docx.Document(tmp_path / "out" / "report.en.docx").paragraphs]
    at = next(i for i, t in enumerate(paragraphs) if t == f"Required items not shown to be met ({len(missing)}):")
    assert paragraphs[at + 1].startswith("1 ") and "GL1-" in paragraphs[at + 1]
