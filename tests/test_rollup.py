"""`auditor rollup`: three towns' check results (the sample and two variants) compared; the figures,
the pseudonyms (no real name left in any output) and the refusals of bad input (exit 2, no traceback)."""
from __future__ import annotations

import copy
import csv
import io
import json
import re

import pytest

from conftest import POLICY, SAMPLE, check_json, invoke

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

NAMES = {"sakuradai": ("さくら台市", "Sakuradai City"), "momiji": ("もみじ町", "Momiji Town"),
         "kaede": ("かえで村", "Kaede Village")}


@pytest.fixture(scope="module")
def sample_result():
    _, doc = check_json("--policy", POLICY, "--evidence", SAMPLE)
    assert doc["organisation"]["ja"] == "さくら台市"
    return doc


def _variant(doc: dict, name: tuple, passes: int, met: int) -> dict:
    """The sample renamed, its first `passes` failed controls passed, and `met` required items met."""
    d = copy.deepcopy(doc)
    d["organisation"] = {"ja": name[0], "en": name[1]}
    failed = [r for r in d["results"] if r["kind"] == "control" and r["status"] == "fail"]
    for r in failed[:passes]:
        r["status"], r["findings"] = "pass", []
    d["coverage"]["total"]["required_not_met"] = d["coverage"]["total"]["required_not_met"][met:]
    return d


@pytest.fixture(scope="module")
def results(sample_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    docs = {"sakuradai": sample_result, "momiji": _variant(sample_result, NAMES["momiji"], 3, 10),
            "kaede": _variant(sample_result, NAMES["kaede"], 10, 50)}
    for key, d in docs.items():
        (folder / f"{key}-FY2025.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return folder, docs


def _rate(doc: dict) -> float:
    st = [r["status"] for r in doc["results"] if r["kind"] == "control" and r["status"] != "not_applicable"]
    return round(sum(s in ("pass", "waived") for s in st) / len(st), 4)


def _rollup(tmp_path, *args):
    out = tmp_path / "out"
    result = invoke("rollup", *args, "--out", out)
    return result, out


def test_figures_per_town_most_failed_and_behind(results, tmp_path):
    folder, docs = results
    result, out = _rollup(tmp_path, folder)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "rollup.json").read_text(encoding="utf-8"))
    assert doc["results"] == 3 and doc["towns"] == 3 and doc["fiscal_years"] == [2025] and not doc["anonymised"]
    by_name = {e["name"]["ja"]: e for e in doc["entries"]}
    assert set(by_name) == {n[0] for n in NAMES.values()}
    for key, d in docs.items():
        e = by_name[NAMES[key][0]]
        assert e["rate"]["rate"] == _rate(d)
        assert e["coverage"]["total"]["applicable"] == d["coverage"]["total"]["applicable"]
        assert e["coverage"]["total"]["covered"] == d["coverage"]["total"]["assessed_rate"]
        assert e["coverage"]["required_not_met"] == d["coverage"]["total"]["required_not_met"]
        for g in d["coverage"]["by_chapter"]:
            assert e["coverage"]["by_chapter"][g["id"]]["rate"] == g["rate"]
        for g in d["coverage"]["by_measure"]:
            assert e["coverage"]["by_measure"][str(g["id"])]["compliant"] == g["compliant"]
    assert by_name["かえで村"]["rate"]["compliant"] == by_name["さくら台市"]["rate"]["compliant"] + 10
    # the controls failed in every town come first; one failed only at the sample's is counted once
    sample_failed = [r["control_id"] for r in docs["sakuradai"]["results"]
                     if r["kind"] == "control" and r["status"] == "fail"]
    most = {m["control_id"]: m for m in doc["most_failed"]}
    assert most[sample_failed[0]]["failed"] == 1 and most[sample_failed[5]]["failed"] == 2
    assert most[sample_failed[-1]]["failed"] == 3 and doc["most_failed"][0]["failed"] == 3
    assert [m["failed"] for m in doc["most_failed"]] == sorted((m["failed"] for m in doc["most_failed"]), reverse=True)
    # behind on required items: most not met first
    behind = [(b["name"]["ja"], b["not_met"]) for b in doc["behind"]]
    total = len(docs["sakuradai"]["coverage"]["total"]["required_not_met"])
    expected = [("さくら台市", total), ("もみじ町", total - 10), ("かえで村", total - 50)]
    assert total > 10 and behind == [(n, c) for n, c in expected if c > 0]


def test_csv_and_html_in_both_languages(results, tmp_path):
    folder, docs = results
    result, out = _rollup(tmp_path, *sorted(folder.iterdir()), "--lang", "en")
    assert result.exit_code == 0, result.output
    raw = (out / "rollup.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Town", "FY", "Controls evaluated", "Controls compliant", "Controls rate"]
    assert any(h.startswith("Ch. 1 ") for h in rows[0]) and any(h.startswith("Measure 1 ") for h in rows[0])
    assert {r[0] for r in rows[1:]} == {n[1] for n in NAMES.values()}
    page = (out / "rollup.html").read_text(encoding="utf-8")
    assert "Controls most often failed" in page and "Kaede Village" in page
    result, out = _rollup(tmp_path, folder)
    page = (out / "rollup.html").read_text(encoding="utf-8")
    assert "不適合の多い管理策" in page and "かえで村" in page and "<script" not in page


def test_anonymise_leaves_no_real_name(results, tmp_path):
    folder, _ = results
    result, out = _rollup(tmp_path, folder, "--anonymise")
    assert result.exit_code == 0, result.output
    texts = [(out / f).read_bytes().decode("utf-8-sig") for f in ("rollup.json", "rollup.csv", "rollup.html")]
    for text in texts:
        for ja, en in NAMES.values():
            assert ja not in text and en not in text
        for key in NAMES:  # the file names name the towns too
            assert key not in text
    doc = json.loads(texts[0])
    assert doc["anonymised"] and sorted(e["name"]["ja"] for e in doc["entries"]) == ["町A", "町B", "町C"]
    # stable: the same pseudonyms whatever the order of the files
    again, out2 = invoke("rollup", *sorted(folder.iterdir(), reverse=True), "--anonymise", "--out", tmp_path / "o2"), \
        tmp_path / "o2"
    assert again.exit_code == 0
    assert (out2 / "rollup.json").read_bytes() == (out / "rollup.json").read_bytes()


def test_hostile_names_are_inert_and_masked(sample_result, tmp_path):
    from auditor.privacy import mynumber

    number = "12345678901" + str(mynumber.check_digit("12345678901"))
    d = copy.deepcopy(sample_result)
    d["organisation"] = {"ja": f"=HYPERLINK(\"http://x\")<script>alert(1)</script> {number}", "en": "=cmd|x"}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    result, out = _rollup(tmp_path, tmp_path / "in")
    assert result.exit_code == 0, result.output
    page = (out / "rollup.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    rows = list(csv.reader(io.StringIO((out / "rollup.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=")
    for f in ("rollup.json", "rollup.csv", "rollup.html"):
        assert number not in (out / f).read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize("content, message, ja", [
    ("{", "not valid JSON", "JSON として読めません"),
    ("[1, 2]", "not an auditor check result", "auditor check の結果ではありません（文書がオブジェクトではありません）"),
    ('{"results": []}', "not an auditor check result", "auditor check の結果ではありません（`organisation` がありません）"),
    (b"\xff\xfe", "not UTF-8", "UTF-8 の JSON ではありません"),
])
def test_bad_input_is_exit_2_naming_the_file(results, tmp_path, content, message, ja):
    folder, _ = results
    bad = tmp_path / "broken.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    result, out = _rollup(tmp_path, folder, bad)  # Japanese by default, in Japanese only
    assert result.exit_code == 2
    assert "broken.json" in result.stderr and ja in result.stderr and "Traceback" not in result.stderr
    assert message not in result.stderr and "ヒント: `auditor check --format json -o FILE`" in result.stderr
    english, _ = _rollup(tmp_path, folder, bad, "--lang", "en")
    assert english.exit_code == 2 and message in english.stderr and "hint: give the output of" in english.stderr
    assert not JAPANESE.search(english.stderr)
    assert not out.exists()


def test_a_second_result_of_the_same_town_and_year_is_refused(results, tmp_path):
    folder, docs = results
    twin = tmp_path / "copy.json"
    twin.write_text(json.dumps(docs["momiji"], ensure_ascii=False), encoding="utf-8")
    result, out = _rollup(tmp_path, folder, twin)
    assert result.exit_code == 2 and "copy.json" in result.stderr and "の令和7年度の結果が2つあります" in result.stderr
    english, _ = _rollup(tmp_path, folder, twin, "--lang", "en")
    assert english.exit_code == 2 and "a second result of" in english.stderr and "for FY2025" in english.stderr
    assert not out.exists()
    other_year = dict(docs["momiji"], fiscal_year=2024)  # another year of the same town is fine
    twin.write_text(json.dumps(other_year, ensure_ascii=False), encoding="utf-8")
    result, out = _rollup(tmp_path, folder, twin)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "rollup.json").read_text(encoding="utf-8"))
    assert doc["results"] == 4 and doc["towns"] == 3 and doc["fiscal_years"] == [2024, 2025]


def test_missing_input_empty_folder_and_output_inside_the_results(results, tmp_path):
    folder, _ = results
    result, _ = _rollup(tmp_path, tmp_path / "nothing.json")
    assert result.exit_code == 2 and "nothing.json" in result.stderr
    (tmp_path / "empty").mkdir()
    result, _ = _rollup(tmp_path, tmp_path / "empty")
    assert result.exit_code == 2 and "フォルダに .json の結果がありません" in result.stderr
    result = invoke("rollup", folder, "--out", folder / "out")
    assert result.exit_code == 2 and "の中です" in result.stderr and not (folder / "out").exists()
    result = invoke("rollup", folder, "--out", folder / "out", "--lang", "en")
    assert result.exit_code == 2 and "lies inside" in result.stderr and not (folder / "out").exists()
