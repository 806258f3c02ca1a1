"""The PDCA cycle across fiscal years on the shipped sample, from the CLI: FY2024 recorded, progress
sheets imported, actions verified and extended, FY2025 audited against the register."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
import sqlite3

import jsonschema
import pytest
import yaml

from auditor import defaults, schema
from auditor.cycle import history
from conftest import POLICY, ROOT, SAMPLE, invoke

FY2024 = ROOT / "evidence" / "FY2024"


def dev():
    """tools/dev.py as a module."""
    spec = importlib.util.spec_from_file_location("dev", ROOT / "tools" / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_cycle() -> list:
    """The steps of `python3 tools/dev.py audit` (its CYCLE), so the quick start and the test cannot drift."""
    return [list(step) for step in dev().CYCLE]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """The whole cycle once, on a database and report folders of the test's own; returns (db, FY2025 reports)."""
    tmp = tmp_path_factory.mktemp("cycle")
    db = tmp / "history.sqlite"
    for step in dev_cycle():
        if "--out" in step:
            i = step.index("--out")
            step[i + 1] = str(tmp / step[i + 1])
        if step[0] == "report" and "--evidence" not in step:  # FY2025: both languages, one department
            step += ["--lang", "both", "--department", "道路課"]
        result = invoke(*step, "--policy", POLICY, "--db", db, cwd=ROOT)
        assert result.exit_code == 0, (step, result.output)
    return db, tmp / "reports"


def test_fy2025_report_merges_last_years_actions_in_every_state(cycle):
    _, out = cycle
    doc = json.loads((out / "report.json").read_text("utf-8"))
    state = {a["action_id"]: a["state"] for a in doc["act"]["previous"] if a["source"] == "register"}
    assert state["ACT-2024-NS-02:FW-0209"] == "closed"  # done, verified, not found again
    assert state["ACT-2024-NS-04.placement:PC-0017"] == "open"  # past due, but the extension runs
    assert state["ACT-2024-NS-01:FW-0107"] == "overdue"  # in progress, past due
    assert state["ACT-2024-TR-01:S00171"] == "recurred"  # verified, and S00171 is untrained again
    defs = schema.load("report")["$defs"]
    for ref, value in [("trend", doc["check"]["trend"])] + [("previous_action", a) for a in doc["act"]["previous"]] \
            + [("finding", f) for f in doc["check"]["findings"]]:
        jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{ref}"}).validate(value)


def test_a_recurred_finding_is_raised_one_level_and_marked(cycle):
    _, out = cycle
    doc = json.loads((out / "report.json").read_text("utf-8"))
    f = next(f for f in doc["check"]["findings"] if f["id"] == "TR-01:S00171")
    assert f["severity"] == "major" and f["recurred"] == {"action_id": "ACT-2024-TR-01:S00171", "from": "minor",
                                                          "to": "major"}
    assert f["message"]["ja"].startswith("【再発】")
    persisting = next(f for f in doc["check"]["findings"] if f["id"] == "TR-01:S00252")  # never verified
    assert persisting["severity"] == "minor" and persisting["recurred"] is None


def test_report_shows_the_trend_and_last_years_actions(cycle):
    _, out = cycle
    doc = json.loads((out / "report.json").read_text("utf-8"))
    trend = doc["check"]["trend"]
    assert [y["fiscal_year"] for y in trend["years"]] == [2024, 2025]
    assert trend["overall"][0]["rate"] > trend["overall"][1]["rate"]  # the sample got worse
    assert {a["area"] for a in trend["by_area"]} >= {"network", "training", "audit"}
    assert any(d["code"] == "0510" for d in trend["by_department"])
    html = (out / "report.ja.html").read_text("utf-8")
    svg = re.search(r'<svg[^>]*aria-labelledby="chart-trend-area-title".*?</svg>', html, re.S).group(0)
    assert "令和6年度" in svg and "令和7年度" in svg and svg.count("<rect") > 20
    assert 'aria-labelledby="chart-trend-dept-title"' in html
    md = (out / "report.en.md").read_text("utf-8")
    assert re.search(r"\| Area \| FY2024 \| FY2025 \|", md)
    assert "ACT-2024-NS-01" in md and "Recurred" in md
    assert re.search(r"\| \*\*Overall\*\* \| \d+\.\d% \| \d+\.\d% \|", md)


def test_department_report_shows_only_its_own_trend_and_actions(cycle):
    _, out = cycle
    dept = json.loads(next((out / "departments").glob("0510_*/report.json")).read_text("utf-8"))
    assert dept["check"]["trend"]["by_department"] == []
    assert [y["fiscal_year"] for y in dept["check"]["trend"]["years"]] == [2024, 2025]
    assert {a["department"]["code"] for a in dept["act"]["previous"]} == {"0510"}


def test_compare_two_fiscal_years_by_department(cycle):
    db, _ = cycle
    result = invoke("compare", "2024", "2025", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    by = {d["code"]: d for d in doc["departments"]}
    ids = {c: {f["id"] for d in doc["departments"] for f in d[c]} for c in doc["totals"]}
    assert "TR-01:S00171" in ids["recurred"] and "TR-01:S00145" in ids["recurred"]
    assert {"NS-01:FW-0107", "TR-01:S00252", "SA-01:0620"} <= ids["persisting"]
    assert {"NS-02:FW-0209", "AU-02:0520"} <= ids["resolved"]
    assert {"NS-01:FW-0131", "NS-04.mynumber-unit:PC-0110"} <= ids["new"]
    assert [f["id"] for f in by["0510"]["recurred"]] == ["TR-01:S00171"]
    assert sum(doc["totals"].values()) == len(set().union(*ids.values()))
    text = invoke("compare", "2024", "2025", "--db", db, "--lang", "en").stdout
    assert "■ 道路課 (0510): new 3, recurred 1" in text  # new: AM-01, IR-04, MD-01 (the FY2025 registers)


def test_history_lists_both_years_and_shows_a_run(cycle):
    db, _ = cycle
    listed = invoke("history", "list", "--db", db)
    assert listed.exit_code == 0 and re.search(r"FY2024.*\n.*FY2025", listed.stdout)
    shown = json.loads(invoke("history", "show", "2025", "--db", db, "--format", "json").stdout)
    assert shown["fiscal_year"] == 2025 and shown["policy_sha256"] and len(shown["results"]) >= 19
    assert any(f["finding_id"] == "TR-01:S00171" and f["recurred"] and f["base_severity"] == "minor"
               for f in shown["findings"])
    assert {e["path"] for e in shown["evidence"]} >= {"fw_rules.csv", "職員名簿.xlsx"}


def test_ca_controls_read_the_register_when_no_register_file_is_given(cycle, tmp_path):
    db, _ = cycle
    ev = tmp_path / "FY2025"
    shutil.copytree(SAMPLE, ev)
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text("utf-8"))
    manifest["files"] = [f for f in manifest["files"] if f["kind"] != "corrective_actions"]
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    result = invoke("check", "--policy", POLICY, "--evidence", ev, "--db", db, "--format", "json", "--control", "CA-02")
    doc = json.loads(result.stdout)
    ca02 = next(r for r in doc["results"] if r["control_id"] == "CA-02")
    ids = {f["id"] for f in ca02["findings"]}
    assert ca02["status"] == "fail" and "CA-02:ACT-2024-NS-01:FW-0107" in ids
    assert "CA-02:ACT-2024-NS-04.placement:PC-0017" not in ids  # extended
    files = {(ev / l["file"]).resolve() for f in ca02["findings"] for l in f["locations"]}
    assert files == {db.resolve()}  # relative to the evidence root, like every location
    without = invoke("check", "--policy", POLICY, "--evidence", ev, "--format", "json", "--control", "CA-02")
    assert next(r for r in json.loads(without.stdout)["results"] if r["control_id"] == "CA-02")["status"] == "no_evidence"


def test_record_refuses_a_partial_run(cycle):
    db, _ = cycle
    result = invoke("check", "--policy", POLICY, "--evidence", SAMPLE, "--db", db, "--record", "--control", "TR-01")
    assert result.exit_code == 2 and "--control" in result.stderr


def _register(db) -> dict:
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        return {r["action_id"]: dict(r) for r in con.execute("SELECT * FROM actions")}


def _fy2025_open_findings(db) -> set:
    shown = json.loads(invoke("history", "show", "2025", "--db", db, "--format", "json").stdout)
    return {f["finding_id"] for f in shown["findings"] if f["status"] == "open"}


def test_a_finding_has_one_open_action_that_carries_over(cycle):
    db, out = cycle
    register, open_ids = _register(db), _fy2025_open_findings(db)
    working = [a for a in register.values() if a["status"] in ("not_started", "in_progress", "done")]
    assert sorted(a["finding_id"] for a in working) == sorted(open_ids)  # one each, none twice
    pc17 = [a for a in register.values() if a["finding_id"] == "NS-04.placement:PC-0017"]
    assert [(a["action_id"], a["due_on"], a["extended_to"]) for a in pc17] == [
        ("ACT-2024-NS-04.placement:PC-0017", "2025-05-15", "2026-06-30")]  # no FY2025 action due 2026-05-15
    assert register["ACT-2024-NS-01:FW-0107"]["status"] == "in_progress"  # kept as the department reported it
    doc = json.loads((out / "report.json").read_text("utf-8"))
    actions = {a["finding_id"]: a for a in doc["act"]["actions"]}
    assert set(actions) == open_ids
    carried = actions["NS-04.placement:PC-0017"]
    assert (carried["action_id"], carried["status"], carried["extended_to"]) == (
        "ACT-2024-NS-04.placement:PC-0017", "carried_over", "2026-06-30")
    sheet = out.parent / "0130.csv"
    assert invoke("actions", "export", "--department", "財政課", "--out", sheet, "--db", db).exit_code == 0
    rows = list(csv.reader(io.StringIO(sheet.read_bytes().decode("utf-8-sig"))))[2:]  # below the marked row
    assert [r[0] for r in rows[1:] if r[2] == "NS-04.placement:PC-0017"] == ["ACT-2024-NS-04.placement:PC-0017"]


def test_a_recurred_finding_gets_a_new_action_linked_to_the_verified_one(cycle):
    db, out = cycle
    register = _register(db)
    assert register["ACT-2024-TR-01:S00171"]["status"] == "verified"
    assert register["ACT-2025-TR-01:S00171"]["previous_action_id"] == "ACT-2024-TR-01:S00171"
    assert register["ACT-2025-TR-01:S00145"]["previous_action_id"] == "CA-2024-01"  # verified in the evidence register
    doc = json.loads((out / "report.json").read_text("utf-8"))
    new = next(a for a in doc["act"]["actions"] if a["finding_id"] == "TR-01:S00171")
    assert (new["status"], new["previous_action_id"]) == ("new", "ACT-2024-TR-01:S00171")
    assert "ACT-2024-TR-01:S00171" in invoke("actions", "show", "ACT-2025-TR-01:S00171", "--db", db).stdout


def test_an_action_whose_finding_is_gone_awaits_verification_in_register_and_report(cycle, tmp_path):
    db, out = cycle
    register = _register(db)
    doc = json.loads((out / "report.json").read_text("utf-8"))
    ours = {a["action_id"]: a for a in doc["act"]["previous"] if a["source"] == "register"}
    assert ours["ACT-2024-AU-02:0520"]["state"] == "resolved"
    assert register["ACT-2024-AU-02:0520"]["status"] == "resolved_pending_verification"
    status_for = {"resolved": {"resolved_pending_verification"}, "closed": {"verified"}, "recurred": {"verified"},
                  "open": {"not_started", "in_progress", "done"}, "overdue": {"not_started", "in_progress", "done"}}
    for aid, a in ours.items():  # what the report judged is what the register now says
        assert register[aid]["status"] in status_for[a["state"]], (aid, a["state"], register[aid]["status"])
    assert doc["act"]["previous_counts"]["resolved"] == 6
    html = (out / "report.ja.html").read_text("utf-8")
    assert "解消確認待ち" in html
    en = (out / "report.en.md").read_text("utf-8")
    assert "Resolved, awaiting verification" in en
    listed = invoke("actions", "list", "--status", "resolved_pending_verification", "--db", db, "--lang", "en")
    assert "ACT-2024-AU-02:0520" in listed.stdout and "resolved, awaiting verification" in listed.stdout
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    done = invoke("actions", "verify", "ACT-2024-AU-02:0520", "--by", "情報政策課 監査担当", "--on", "2026-04-20",
                  "--db", copy)
    assert done.exit_code == 0, done.output
    assert _register(copy)["ACT-2024-AU-02:0520"]["status"] == "verified"


def test_an_improperly_verified_action_is_not_reported_closed(cycle):
    _, out = cycle
    doc = json.loads((out / "report.json").read_text("utf-8"))
    improper = {f["id"].split(":", 1)[1] for f in doc["check"]["findings"]
                if f["control_id"] == "CA-03" and f["status"] == "open"}
    assert improper == {"CA-2024-06", "CA-2024-07"}
    previous = {a["action_id"]: a for a in doc["act"]["previous"]}
    for aid in improper:  # CA-03 says the check was improper: the register table must not call it 完了
        assert previous[aid]["state"] == "questioned" and previous[aid]["questioned_by"] == [f"CA-03:{aid}"]
    md = (out / "report.ja.md").read_text("utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| `CA-2024-06`"))
    assert "完了に疑義" in row and "**完了**" not in row


def test_csv_actions_show_a_carried_over_action_with_its_extension(cycle):
    from auditor.reporters import csvout

    _, out = cycle
    doc = json.loads((out / "report.json").read_text("utf-8"))
    header, *rows = csvout._actions(doc, "ja")
    row = next(r for r in rows if r[0] == "ACT-2024-NS-04.placement:PC-0017" and r[1] == "今回")
    cells = dict(zip(header, row))
    assert (cells["状況"], cells["管理表上の状況"], cells["延長期限"]) == ("継続", "未着手", "2026-06-30")


def test_plain_commands_read_the_register_the_quick_start_keeps(tmp_path, monkeypatch):
    """One sample, one register: after `tools/dev.py audit`, a plain `auditor check` shows what the report shows."""
    monkeypatch.delenv("AUDITOR_DB")  # conftest's isolation: here the default location is the point
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")  # the repository's layout, in a folder of our own
    (tmp_path / "policies").mkdir()
    shutil.copy(POLICY, tmp_path / "policies")
    tool = dev()
    for step in tool.CYCLE:  # as `tools/dev.py audit` runs them
        result = invoke(*step, "--db", tool.DB, cwd=tmp_path)
        assert result.exit_code in (0, 1), (step, result.output)
    assert (tmp_path / tool.DB).resolve() == history.default_path(defaults.policy(tmp_path)).resolve()
    plain = invoke("check", "--format", "json", cwd=tmp_path)
    severity = {f["id"]: f["severity"] for r in json.loads(plain.stdout)["results"] for f in r["findings"]}
    reported = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    assert severity == {f["id"]: f["severity"] for f in reported["check"]["findings"]}
    assert severity["TR-01:S00171"] == "major"  # recurred: the register was read
    actions = invoke("actions", "list", "--format", "json", cwd=tmp_path)
    assert actions.exit_code == 0 and "ACT-2025-TR-01:S00171" in actions.stdout
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "--db reports/" not in readme  # the README's commands use the same register as the quick start
