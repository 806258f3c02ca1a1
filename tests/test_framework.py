"""The audit map (framework): the shipped map, its crosswalks, a town's map that extends or replaces it,
its errors (file and line, exit 2), and `auditor framework list/show`."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, invoke
from auditor import defaults
from auditor.catalogue import controls as catalogue, crosswalk, framework
from auditor.errors import InputError


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

SHIPPED = framework.load()
CONTROLS, _ = catalogue.load([defaults.shipped_controls()])
ISO27002 = {f"5.{n}" for n in range(1, 38)} | {f"6.{n}" for n in range(1, 9)} | \
    {f"7.{n}" for n in range(1, 15)} | {f"8.{n}" for n in range(1, 35)}  # the 93 controls of ISO/IEC 27002:2022
CHAPTERS = {"1": "組織体制", "2": "情報資産の分類と管理", "3": "情報システム全体の強靱性の向上", "4": "物理的セキュリティ",
            "5": "人的セキュリティ", "6": "技術的セキュリティ", "7": "運用", "8": "業務委託と外部サービスの利用",
            "9": "評価・見直し"}
MEASURE = {"1": 1, "2": 2, "3": 5, "4": 3, "5": 4, "6": 5, "7": 6, "8": 7, "9": 8}


# ---- the shipped map ----

def test_the_shipped_map_has_the_nine_chapters_with_their_measures():
    assert [(c.id, c.title["ja"]) for c in SHIPPED.chapters] == list(CHAPTERS.items())
    assert {c.id: c.measure for c in SHIPPED.chapters} == MEASURE
    assert [m.id for m in SHIPPED.measures] == list(range(1, 9))
    assert {m.id for m in SHIPPED.measures if m.transition} == {5, 7}


def test_every_section_has_an_item_and_belongs_to_its_chapter():
    assert len(SHIPPED.sections) >= 41
    for s in SHIPPED.sections:
        assert SHIPPED.items_in(s.id), s.id
        assert s.id.split(".")[0] == s.chapter and s.title["ja"] and s.title["en"]
    assert len({s.id for s in SHIPPED.sections}) == len(SHIPPED.sections)


def test_item_ids_follow_their_chapter_and_are_unique():
    ids = [i.id for i in SHIPPED.items]
    assert len(ids) == len(set(ids))
    for i in SHIPPED.items:
        assert re.fullmatch(rf"GL{i.chapter}-\d\d", i.id), i.id
        assert i.title["ja"] and i.title["en"] and i.controls or i.manual
        assert i.scope in framework.SCOPES and i.severity in ("major", "minor", "observation")
        assert i.measure == MEASURE[i.chapter]


def test_the_four_organisation_items_are_kept():
    gl = {i: SHIPPED.item(i) for i in ("GL1-01", "GL1-02", "GL1-03", "GL1-04")}
    assert all(i.chapter == "1" for i in gl.values())
    assert gl["GL1-01"].required and gl["GL1-01"].controls == ("OR-01",) and gl["GL1-01"].refs["iso27002"] == ["5.2", "5.4"]
    assert gl["GL1-02"].required and not gl["GL1-03"].required
    assert gl["GL1-02"].section == gl["GL1-03"].section == "1.7"  # 情報セキュリティ委員会
    assert gl["GL1-04"].required and gl["GL1-04"].section == "1.9"  # CSIRT
    assert gl["GL1-04"].refs["iso27002"] == ["5.5", "5.6", "5.24", "5.25", "5.26", "6.8"]


def test_every_shipped_control_is_cited_by_an_item():
    assert {c.id for c in CONTROLS} - SHIPPED.controls_cited() == set()
    framework.check_controls(SHIPPED, [c.id for c in CONTROLS])


def test_iso27002_numbers_are_real_and_controls_name_sections_of_the_map():
    for i in SHIPPED.items:
        assert i.refs.get("iso27002") and set(i.refs["iso27002"]) <= ISO27002, i.id
    sections = {s.id for s in SHIPPED.sections}
    for c in CONTROLS:
        assert c.refs["guideline"] and set(c.refs["guideline"]) <= sections, c.id
        assert set(c.refs["iso27002"]) <= ISO27002 and c.refs["measure"], c.id
        # a control's sections are those of the items that cite it
        assert {i.section for i in SHIPPED.items_of(c.id)} <= set(c.refs["guideline"]) | {"1.1", "1.3", "1.4"}, c.id
        assert {i.measure for i in SHIPPED.items_of(c.id)} <= set(c.refs["measure"]), c.id


def test_department_scope_where_each_division_is_audited():
    dept = {i.id for i in SHIPPED.items if i.scope == "department"}
    for wanted in ("GL4-08", "GL5-04", "GL4-09", "GL9-07", "GL1-08"):  # clean desk, training, media, self-check
        assert wanted in dept


# ---- crosswalks ----

def test_iso27001_and_nist_csf_are_derived_and_say_so():
    refs = SHIPPED.item("GL3-01").refs
    assert refs["iso27002"] == ["8.22", "8.20"] and refs["iso27001"] == ["A.8.22", "A.8.20"]
    assert "PR.IR-01" in refs["nist_csf"] and refs["derived"] == ["iso27001", "nist_csf"]
    assert refs["nist_csf"] == sorted(set(refs["nist_csf"]), key=crosswalk._csf_key)
    for i in SHIPPED.items:
        assert i.refs["iso27001"] == [f"A.{n}" for n in i.refs["iso27002"]]
        want = sorted({s for a in i.refs["iso27001"] for s in crosswalk.table().get(a, ())}, key=crosswalk._csf_key)
        assert i.refs.get("nist_csf", []) == want


def test_given_references_are_not_derived():
    refs = crosswalk.complete({"iso27002": ["5.35"], "iso27001": ["9.2", "A.5.35"], "nist_csf": ["ID.IM-01"]})
    assert refs["iso27001"] == ["9.2", "A.5.35"] and refs["nist_csf"] == ["ID.IM-01"] and "derived" not in refs
    only = crosswalk.complete({"iso27001": ["A.6.3"]})
    assert only["derived"] == ["nist_csf"] and "PR.AT-01" in only["nist_csf"]
    assert crosswalk.complete({"iso27002": ["5.23"]})["derived"] == ["iso27001"]  # NIST gives 5.23 no subcategory


def test_the_nist_table_is_numbers_only_and_names_its_source():
    path = defaults.shipped_frameworks() / crosswalk.FILE
    text = path.read_text(encoding="utf-8")
    assert "NIST" in text and "CSF 2.0 Reference Tool" in text and "DERIVED" in text
    data = yaml.safe_load(text)
    assert data["crosswalk"]["source"]["publisher"] == "NIST"
    links = crosswalk.table()
    assert sum(len(v) for v in links.values()) > 200
    for annex, subs in links.items():
        assert re.fullmatch(r"A\.[5-8]\.\d{1,2}", annex) and annex[2:] in ISO27002
        assert all(re.fullmatch(r"(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d\d", s) for s in subs)
    assert "PR.AT-01" in links["A.6.3"] and "PR.IR-01" in links["A.8.22"] and "ID.IM-01" in links["A.5.35"]


def test_controls_carry_refs_and_keep_their_source():
    by = {c.id: c for c in CONTROLS}
    assert by["NS-01"].refs["guideline"] == ["3.1"] and by["NS-01"].refs["iso27001"] == ["A.8.22", "A.8.20"]
    assert "会計検査院" in by["NS-01"].source  # the free text stays
    shown = invoke("controls", "show", "NS-01", "--policy", ROOT / "policies" / "sample-city.yaml")
    doc = yaml.safe_load(shown.stdout)
    assert doc["source"] == by["NS-01"].source and doc["refs"]["derived"] == ["iso27001", "nist_csf"]


def test_a_control_without_source_gets_one_from_its_refs(tmp_path):
    body = (ROOT / "auditor" / "controls" / "02-training.yaml").read_text(encoding="utf-8")
    first = body.split("\n- id: TR-02")[0].replace("TR-01", "LOCAL-01")
    (tmp_path / "local.yaml").write_text(re.sub(r"\n  source: [^\n]*", "", first), encoding="utf-8")
    (local,) = [c for c in catalogue.load([tmp_path])[0]]
    assert local.source == "総務省ガイドライン 5.2 / ISO/IEC 27002:2022 6.3"
    (tmp_path / "local.yaml").write_text(re.sub(r"\n  (source|refs): [^\n]*", "", first), encoding="utf-8")
    with pytest.raises(InputError) as err:
        catalogue.load([tmp_path])
    assert err.value.line == 2 and "neither source nor refs" in str(err.value.render())


# ---- a town's map ----

def _town(folder: Path, doc: dict, name="town.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _item(id_, **extra):
    return {"id": id_, "title": {"ja": f"項目 {id_}", "en": f"Item {id_}"}, **extra}


MANUAL = [{"ja": "記録", "en": "Records"}]


def test_a_town_map_extends_the_shipped_one(tmp_path):
    town = _town(tmp_path / "frameworks", {
        "framework": {"id": "town", "base": "shipped"},
        "chapters": [{"id": "5", "sections": [{"id": "5.2", "items": [
            _item("GL5-04", controls=["TR-01"], manual=MANUAL, refs={"iso27002": ["6.3"]}, severity="major"),
            _item("TOWN-01", manual=MANUAL, required=True)]}]},
            {"id": "10", "title": {"ja": "町独自", "en": "Town's own"}, "measure": 8,
             "sections": [{"id": "10.1", "title": {"ja": "独自", "en": "Own"}, "items": [_item("TOWN-02", manual=MANUAL)]}]}]})
    fw = framework.load([town])
    assert len(fw.items) == len(SHIPPED.items) + 2 and len(fw.chapters) == 10
    replaced = fw.item("GL5-04")
    assert replaced.title["en"] == "Item GL5-04" and replaced.severity == "major" and replaced.assessed_by == "both"
    assert [i.id for i in fw.items].index("GL5-04") == [i.id for i in SHIPPED.items].index("GL5-04")  # in place
    assert fw.item("TOWN-01").section == "5.2" and fw.item("TOWN-01").measure == 4 and fw.item("TOWN-01").required
    assert fw.item("TOWN-02").chapter == "10" and fw.item("TOWN-02").measure == 8
    assert fw.id == "town" and fw.title == SHIPPED.title and [Path(p).name for p, _ in fw.files] == ["guideline.yaml",
                                                                                                       "town.yaml"]


def test_a_town_map_without_base_replaces_the_shipped_one(tmp_path):
    town = _town(tmp_path, {
        "framework": {"id": "town", "title": {"ja": "町の監査項目", "en": "Town audit items"}},
        "chapters": [{"id": "1", "title": {"ja": "体制", "en": "Roles"}, "measure": 1,
                      "sections": [{"id": "1.1", "title": {"ja": "役割", "en": "Roles"},
                                    "items": [_item("T-1", controls=["OR-01"]), _item("T-2", manual=MANUAL)]}]}]})
    fw = framework.load([town])
    assert [i.id for i in fw.items] == ["T-1", "T-2"] and [c.id for c in fw.chapters] == ["1"]
    assert [m.id for m in fw.measures] == list(range(1, 9))  # the 施行規則's measures are kept
    result = invoke("framework", "list", "--framework", town, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == {"chapters": 1, "sections": 1, "items": 2, "rules": 1, "auditor": 1,
                                                   "both": 0}


def test_a_frameworks_folder_beside_the_controls_folder_is_read(tmp_path):
    (tmp_path / "controls").mkdir()
    _town(tmp_path / "frameworks", {"framework": {"id": "town", "base": "shipped"}, "chapters": [
        {"id": "9", "sections": [{"id": "9.2", "items": [_item("TOWN-09", manual=MANUAL)]}]}]})
    shown = invoke("framework", "show", "TOWN-09", "--controls", tmp_path / "controls", "--lang", "en")
    assert shown.exit_code == 0, shown.output
    assert "9.2 Self-assessment" in shown.stdout and "town.yaml:" in shown.stdout
    assert invoke("framework", "show", "TOWN-09").exit_code == 2  # not without that folder


BAD = {
    "duplicate": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.2", "items": [_item("X-1", manual=MANUAL), _item("X-1", manual=MANUAL)]}]}]},
        "defined twice", "- id: X-1"),
    "unknown control": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.2", "items": [_item("X-1", controls=["NS-99"])]}]}]}, "unknown control NS-99", "- id: X-1"),
    "bad measure": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.2", "items": [_item("X-1", manual=MANUAL, measure=9)]}]}]}, "measure", "measure: 9"),
    "measure not listed": ({"framework": {"id": "t"}, "measures": [{"id": 1, "title": {"ja": "体制", "en": "Roles"}}],
                            "chapters": [{"id": "1", "title": {"ja": "体制", "en": "Roles"}, "measure": 2}]},
                           "measure 2 is not among the measures (1)", "- id: '1'"),
    "missing title": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.2", "items": [{"id": "X-1", "manual": MANUAL}]}]}]}, "title", "- id: X-1"),
    "new section without title": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.9", "items": [_item("X-1", manual=MANUAL)]}]}]}, "no title", "- id: '9.9'"),
    "new chapter without title": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "12"}]},
                                  "no title", "- id: '12'"),
    "neither controls nor manual": ({"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.2", "items": [_item("X-1")]}]}]}, "neither", "- id: X-1"),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("command", [("framework", "list"), ("check",), ("report",), ("validate",)])
def test_a_bad_town_map_is_exit_2_naming_file_and_line(tmp_path, case, command):
    doc, words, marker = BAD[case]
    town = _town(tmp_path, doc)
    lines = town.read_text(encoding="utf-8").splitlines()
    line = max(n for n, text in enumerate(lines, 1) if text.strip() == marker)  # the last: a duplicate's second
    extra = ["--out", tmp_path / "reports"] if command == ("report",) else []
    result = invoke(*command, "--framework", town, *extra, cwd=ROOT)
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert "Traceback" not in err and err.startswith("error: ") and words in err, err
    assert f"{town}:{line}:" in err, err
    assert not (tmp_path / "reports").exists()


def test_a_missing_framework_path_is_exit_2(tmp_path):
    result = invoke("framework", "list", "--framework", tmp_path / "nai.yaml")
    assert result.exit_code == 2 and "nai.yaml" in result.stderr and "Traceback" not in result.stderr


def test_check_accepts_a_good_town_map_and_its_output_is_unchanged(tmp_path):
    town = _town(tmp_path, {"framework": {"id": "t", "base": "shipped"}, "chapters": [{"id": "9", "sections": [
        {"id": "9.2", "items": [_item("X-1", controls=["SA-01"])]}]}]})
    plain = invoke("check", "--format", "json", "--result-cache", "off", cwd=ROOT)
    mapped = invoke("check", "--format", "json", "--result-cache", "off", "--framework", town, cwd=ROOT)
    assert plain.exit_code == mapped.exit_code == 1
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k not in ("generated_at", "run")}  # noqa: E731
    assert strip(plain.stdout).keys() == strip(mapped.stdout).keys()
    assert [r["status"] for r in json.loads(plain.stdout)["results"]] == \
        [r["status"] for r in json.loads(mapped.stdout)["results"]]


def test_an_output_never_lands_on_a_map_file(tmp_path):
    town = _town(tmp_path, {"framework": {"id": "t", "base": "shipped"}})
    result = invoke("check", "--framework", town, "-o", town, cwd=ROOT)
    assert result.exit_code == 2 and "audit map file" in result.stderr, result.stderr
    assert "base: shipped" in town.read_text(encoding="utf-8")


# ---- framework list / show ----

def test_framework_list_text_in_both_languages():
    ja = invoke("framework", "list", cwd=ROOT)
    assert ja.exit_code == 0, ja.output
    assert "第3章 情報システム全体の強靱性の向上 [措置5 技術的セキュリティ（経過措置あり）]" in ja.stdout
    assert "GL1-01 必須 [管理策と監査人]" in ja.stdout and f"監査項目 {len(SHIPPED.items)}" in ja.stdout
    en = invoke("framework", "list", "--lang", "en", cwd=ROOT)
    assert "Chapter 9 Evaluation and review [measure 8 Evaluation and review]" in en.stdout
    assert "GL9-07 required [rules] " in en.stdout and "(SA-01)" in en.stdout
    assert f"{len(SHIPPED.items)} audit items" in en.stdout


def test_framework_list_json():
    result = invoke("framework", "list", "--format", "json", cwd=ROOT)
    doc = json.loads(result.stdout)
    assert [c["id"] for c in doc["chapters"]] == list(CHAPTERS)
    assert sum(len(s["items"]) for c in doc["chapters"] for s in c["sections"]) == doc["counts"]["items"]
    (gl101,) = [i for c in doc["chapters"] for s in c["sections"] for i in s["items"] if i["id"] == "GL1-01"]
    assert gl101["assessed_by"] == "both" and gl101["required"] is True
    assert gl101["controls"] == [{"id": "OR-01", "title": {"ja": "情報セキュリティ体制の明確化", "en": "Security roles assigned"}}]
    assert gl101["refs"]["iso27001"] == ["A.5.2", "A.5.4"] and gl101["file"] == "frameworks/guideline.yaml"
    assert doc["files"][0]["file"] == "frameworks/guideline.yaml"


def test_framework_show_an_item_a_section_and_a_chapter():
    item = invoke("framework", "show", "gl3-01", "--lang", "en", cwd=ROOT)
    assert item.exit_code == 0, item.output
    for text in ("section: 3.1 My Number zone", "NS-01 My Number zone isolated from other zones (major)",
                 "ISO/IEC 27001:2022 A.8.22, A.8.20 (derived)", "NIST CSF 2.0 ", "frameworks/guideline.yaml:"):
        assert text in item.stdout, item.stdout
    ja = invoke("framework", "show", "GL3-01", cwd=ROOT).stdout
    assert "節: 3.1 マイナンバー利用事務系" in ja and "（導出）" in ja and "管理策:" in ja
    doc = json.loads(invoke("framework", "show", "GL3-01", "--format", "json", cwd=ROOT).stdout)
    assert doc["kind"] == "item" and doc["controls"][0]["severity"] == "major" and doc["measure"]["id"] == 5
    section = json.loads(invoke("framework", "show", "7.3", "--format", "json", cwd=ROOT).stdout)
    assert section["kind"] == "section" and section["chapter"]["id"] == "7" and section["items"]
    chapter = invoke("framework", "show", "8", "--lang", "en", cwd=ROOT)
    assert chapter.stdout.startswith("Chapter 8 Outsourcing and external services") and "8.4 Social media" in chapter.stdout


def test_framework_show_unknown_id_is_exit_2():
    result = invoke("framework", "show", "GL99-99", cwd=ROOT)
    assert result.exit_code == 2 and "GL99-99" in result.stderr and "no audit item" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_example_town_file_of_the_docs_loads(tmp_path):
    doc = (ROOT / "docs" / "framework.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S) if "base: shipped" in b]
    path = tmp_path / "town.yaml"
    path.write_text(block, encoding="utf-8")
    fw = framework.load([path])
    assert {"SKR-01", "SKR-10"} <= {i.id for i in fw.items} and fw.item("GL5-04").controls == ("TR-01", "LOCAL-01")
    with pytest.raises(InputError) as err:  # LOCAL-01 is the README's example control, not shipped
        framework.check_controls(fw, [c.id for c in CONTROLS])
    assert "LOCAL-01" in err.value.render()
    assert "(docs/framework.md)" in (ROOT / "README.md").read_text(encoding="utf-8")  # linked from the README
