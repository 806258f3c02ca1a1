"""Sign-off (決裁): `auditor report approve` on the sample — recorded with the report files' hashes, listed by
`history show`, carried by every report of the set (Word 決裁欄, HTML, report.json), and refused when a role
or step signs twice, a step is skipped, one person signs two steps, the evidence or the reports changed."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import docx
import pytest
import yaml

from auditor.cycle import database, history
from conftest import POLICY, copy_sample, invoke

DRAFTER = "山田 太郎"
REVIEWER = "佐藤 花子"
APPROVER = "田中 一郎"
DEPT = "0220"  # the secretariat's department: one department report besides the organisation's


@pytest.fixture
def issued(tmp_path):
    """The sample's reports issued and recorded as run 1, drafted by DRAFTER; (db, out, evidence)."""
    evidence = copy_sample(tmp_path)
    db, out = tmp_path / "h.sqlite", tmp_path / "reports"
    result = invoke("report", "--policy", POLICY, "--evidence", evidence, "--out", out, "--format", "html,json,docx,md",
                    "--department", DEPT, "--record", "--db", db, "--date", "2026-04-15", "--by", DRAFTER)
    assert result.exit_code == 0, result.output
    assert DRAFTER not in result.stderr  # a name is never in a message
    return db, out, evidence


def approve(db, out, *args):
    return invoke("report", "approve", "1", "--db", db, "--out", out, *args)


def digests(out) -> dict:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def signatures(db) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM approvals").fetchone()[0]


def dept_folder(out):
    return next((out / "departments").iterdir())


def test_drafted_reviewed_approved_recorded_and_listed(issued, tmp_path):
    db, out, _ = issued
    first = json.loads((out / "report.json").read_text(encoding="utf-8"))["approval"]
    assert [(s["step"], s["role"], s["name"]) for s in first["steps"]] == [
        ("drafted", "auditor", DRAFTER), ("reviewed", None, None), ("approved", None, None)]
    issued_json = hashlib.sha256((out / "report.json").read_bytes()).hexdigest()
    log = tmp_path / "approve.log"
    review = approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "令和8年4月20日",
                     "--verbose", "--log-file", log)
    assert review.exit_code == 0, review.output
    assert "審査" in review.stderr and REVIEWER not in review.stderr and REVIEWER not in log.read_text(encoding="utf-8")
    final = approve(db, out, "--by", APPROVER, "--role", "ciso", "--date", "2026-04-21", "--lang", "en")
    assert final.exit_code == 0, final.output
    assert "every step" in final.stderr and APPROVER not in final.stderr

    listed = invoke("history", "list", "--db", db)
    assert listed.exit_code == 0 and "署名 起案・審査・決裁" in listed.stdout, listed.output
    assert "signed drafted, reviewed, approved" in invoke("history", "list", "--db", db, "--lang", "en").stdout
    assert json.loads(invoke("history", "list", "--db", db, "--format", "json").stdout)[0]["signed"] == [
        "drafted", "reviewed", "approved"]
    shown = invoke("history", "show", "1", "--db", db)
    assert shown.exit_code == 0, shown.output
    lines = [line for line in shown.stdout.splitlines() if line.lstrip().startswith("署名")]
    assert len(lines) == 3
    assert "起案" in lines[0] and DRAFTER in lines[0] and "2026-04-15" in lines[0]
    assert "審査" in lines[1] and "secretariat" in lines[1] and REVIEWER in lines[1] and "2026-04-20" in lines[1]
    assert "決裁" in lines[2] and "ciso" in lines[2] and APPROVER in lines[2]
    assert issued_json[:12] in lines[1] and issued_json not in shown.stdout  # hashes shortened
    doc = json.loads(invoke("history", "show", "1", "--db", db, "--format", "json").stdout)
    reviewed = next(s for s in doc["approvals"] if s["step"] == "reviewed")
    assert reviewed["recorded_at"] and reviewed["approved_on"] == "2026-04-20"
    files = {f["path"]: f for f in reviewed["files"]}
    assert files["report.json"]["approved_sha256"] == issued_json  # what the reviewer signed: the report as issued
    assert set(files) >= {"report.json", "report.ja.html", "report.ja.docx", "index.html"}

    approval = json.loads((out / "report.json").read_text(encoding="utf-8"))["approval"]
    assert approval["run_id"] == 1 and approval["complete"] is True
    assert [(s["step"], s["role"], s["name"], s["on"]) for s in approval["steps"]] == [
        ("drafted", "auditor", DRAFTER, "2026-04-15"), ("reviewed", "secretariat", REVIEWER, "2026-04-20"),
        ("approved", "ciso", APPROVER, "2026-04-21")]
    assert approval["steps"][1]["report_sha256"] == issued_json
    # the evidence block is untouched: the approved report still verifies
    assert invoke("verify", out / "report.json").exit_code == 0


def test_word_and_html_show_the_filled_block_in_every_report(issued):
    db, out, _ = issued
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    assert approve(db, out, "--by", APPROVER, "--role", "ciso", "--date", "2026-04-21").exit_code == 0
    for folder in (out, dept_folder(out)):
        block = docx.Document(str(folder / "report.ja.docx")).tables[0]
        rows = [[c.text for c in r.cells] for r in block.rows]
        assert rows[0] == ["決裁欄", "起案", "審査", "決裁"]
        assert rows[1] == ["職", "監査担当者", "統括情報セキュリティ責任者", "CISO"]
        assert rows[2] == ["氏名", DRAFTER, REVIEWER, APPROVER]
        assert rows[3] == ["日付", "令和8年4月15日", "令和8年4月20日", "令和8年4月21日"]
        page = (folder / "report.ja.html").read_text(encoding="utf-8")
        table = page[page.index('<table class="approval">'):page.index("</table>", page.index('<table class="approval">'))]
        assert all(name in table for name in (DRAFTER, REVIEWER, APPROVER)) and "令和8年4月21日" in table
        assert "決裁済み" in page
        assert APPROVER in (folder / "report.ja.md").read_text(encoding="utf-8")
        assert json.loads((folder / "report.json").read_text(encoding="utf-8"))["approval"]["complete"] is True


def test_unsigned_reports_keep_a_blank_block(tmp_path):
    out = tmp_path / "reports"
    result = invoke("report", "--out", out, "--format", "html,json,docx", "--department", DEPT,
                    "--date", "2026-04-15")
    assert result.exit_code == 0, result.output
    assert "approval" not in json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert 'class="approval"' not in (out / "report.ja.html").read_text(encoding="utf-8")
    rows = [[c.text for c in r.cells] for r in docx.Document(str(out / "report.ja.docx")).tables[0].rows]
    assert rows[2] == ["氏名", "", "", ""]


def test_a_role_or_a_step_signs_once(issued):
    db, out, _ = issued
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    before = digests(out)
    again = approve(db, out, "--by", "鈴木 次郎", "--role", "secretariat", "--date", "2026-04-21")
    assert again.exit_code == 1 and "既に審査" in again.stderr and "Traceback" not in again.output
    assert signatures(db) == 2 and digests(out) == before
    assert approve(db, out, "--by", APPROVER, "--role", "ciso", "--date", "2026-04-21").exit_code == 0
    acting = approve(db, out, "--by", "鈴木 次郎", "--role", "deputy", "--date", "2026-04-22", "--lang", "en")
    assert acting.exit_code == 1 and "already approved" in acting.stderr  # 代決 fills the same 決裁 step


def test_the_drafter_cannot_review_or_approve(issued, tmp_path):
    db, out, _ = issued
    before = digests(out)
    for role in ("secretariat",):
        # the same person however the name is spaced (full-width space, none)
        for name in ("山田　太郎", "山田太郎"):
            result = approve(db, out, "--by", name, "--role", role, "--date", "2026-04-20")
            assert result.exit_code == 1 and "同じ人は2つの段階に署名できません" in result.stderr, result.output
    assert signatures(db) == 1 and digests(out) == before
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    twice = approve(db, out, "--by", REVIEWER, "--role", "ciso", "--date", "2026-04-21", "--lang", "en")
    assert twice.exit_code == 1 and "forbids one person to sign two steps" in twice.stderr
    # a policy that allows it: the reviewer may approve too
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    policy["approval"] = {"self_approval": "allowed"}
    allowed = tmp_path / "allowed.yaml"
    allowed.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    assert approve(db, out, "--by", REVIEWER, "--role", "ciso", "--date", "2026-04-21",
                   "--policy", allowed).exit_code == 0


def test_changed_evidence_is_refused(issued):
    db, out, evidence = issued
    before = digests(out)
    changed = next(p for p in sorted(evidence.iterdir()) if p.suffix == ".csv")
    changed.write_bytes(changed.read_bytes() + b"\n")
    result = approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20")
    assert result.exit_code == 1, result.output
    assert "不一致" in result.stderr and changed.name in result.stderr and "署名を記録しません" in result.stderr
    assert signatures(db) == 1 and digests(out) == before


def test_changed_or_foreign_reports_are_refused(issued, tmp_path):
    db, out, _ = issued
    page = out / "report.ja.html"
    page.write_text(page.read_text(encoding="utf-8").replace("さくら台市", "さくら台町", 1), encoding="utf-8")
    result = approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20")
    assert result.exit_code == 1 and "report.ja.html" in result.stderr and "変わっています" in result.stderr
    assert signatures(db) == 1
    # the reports of another audit (FY2024) are not the run's
    other = tmp_path / "fy2024"
    made = invoke("report", "--evidence", "evidence/FY2024", "--out", other, "--format", "json", "--department", DEPT,
                  "--date", "2025-04-15")
    assert made.exit_code == 0, made.output
    foreign = approve(db, other, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20")
    assert foreign.exit_code == 2 and "この報告書は実行 1（令和7年度）のものではありません" in foreign.stderr


def test_order_unknown_run_role_and_bad_dates(issued):
    db, out, _ = issued
    early = approve(db, out, "--by", APPROVER, "--role", "ciso", "--date", "2026-04-21")
    assert early.exit_code == 1 and "審査の署名が必要です" in early.stderr
    unknown = invoke("report", "approve", "99", "--db", db, "--out", out, "--by", APPROVER, "--role", "ciso")
    assert unknown.exit_code == 2 and "記録された実行 99 はありません" in unknown.stderr
    role = approve(db, out, "--by", APPROVER, "--role", "mayor")
    assert role.exit_code == 2 and "mayor" in role.stderr and "ciso" in role.stderr
    before_issue = approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-01")
    assert before_issue.exit_code == 2 and "発行日" in before_issue.stderr
    empty = approve(db, out, "--by", "　", "--role", "secretariat")
    assert empty.exit_code == 2 and "氏名が空です" in empty.stderr
    by_year = invoke("report", "approve", "令和7年度", "--db", db, "--out", out, "--by", REVIEWER, "--role",
                     "secretariat", "--date", "R8.4.20")
    assert by_year.exit_code == 0, by_year.output  # a fiscal year names its latest run


def test_without_a_drafter_the_auditor_signs_first(tmp_path):
    db, out = tmp_path / "h.sqlite", tmp_path / "reports"
    assert invoke("report", "--out", out, "--format", "json,docx", "--department", DEPT, "--record", "--db", db,
                  "--date", "2026-04-15").exit_code == 0
    refused = approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20")
    assert refused.exit_code == 1 and "起案の署名が必要です" in refused.stderr
    assert approve(db, out, "--by", DRAFTER, "--role", "auditor", "--date", "2026-04-16").exit_code == 0
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    steps = json.loads((out / "report.json").read_text(encoding="utf-8"))["approval"]["steps"]
    assert [s["name"] for s in steps] == [DRAFTER, REVIEWER, None]


def test_report_options_stay_with_report(tmp_path):
    db, out = tmp_path / "h.sqlite", tmp_path / "reports"
    lonely = invoke("report", "--out", out, "--by", DRAFTER)
    assert lonely.exit_code == 2 and "--record" in lonely.stderr
    misplaced = invoke("report", "--out", out, "approve", "1", "--by", REVIEWER, "--role", "ciso", "--db", db)
    assert misplaced.exit_code == 2 and "--out" in misplaced.stderr
    assert "approve" in invoke("report", "--help").stdout


def test_an_older_database_is_migrated(tmp_path):
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    for script in database.MIGRATIONS[:2]:  # the schema before sign-off
        for statement in (s for s in script.split(";") if s.strip()):
            con.execute(statement)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (2)")
    con.commit()
    con.close()
    con = history.connect(db)
    assert con.execute("SELECT version FROM schema_version").fetchone()[0] == len(database.MIGRATIONS)
    assert {"approvals", "approval_files", "report_files", "withdrawals", "withdrawal_files"} <= {
        r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "reports_dir" in {r[1] for r in con.execute("PRAGMA table_info(runs)")}


def test_a_department_folder_left_from_another_issue_is_not_signed(tmp_path):
    db, out = tmp_path / "h.sqlite", tmp_path / "reports"
    assert invoke("report", "--out", out, "--format", "json,html", "--department", "0110",
                  "--date", "2026-04-10").exit_code == 0
    left = next(p for p in (out / "departments").iterdir() if p.name.startswith("0110"))
    before = digests(left)
    assert invoke("report", "--out", out, "--format", "json,html", "--department", DEPT, "--record", "--db", db,
                  "--date", "2026-04-15", "--by", DRAFTER).exit_code == 0
    assert digests(left) == before  # (the second issue did not write it either)
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    assert digests(left) == before
    mine = next(p for p in (out / "departments").iterdir() if p.name.startswith(DEPT))
    assert REVIEWER in (mine / "report.ja.html").read_text(encoding="utf-8")


def test_a_run_recorded_by_check_signs_the_reports_found(tmp_path):
    """No report files recorded (check --record): the set is what OUT holds of that issue, the drafter signs first."""
    db, out = tmp_path / "h.sqlite", tmp_path / "reports"
    assert invoke("report", "--out", out, "--format", "json,html", "--department", "0110",
                  "--date", "2026-04-10").exit_code == 0
    left = next(p for p in (out / "departments").iterdir() if p.name.startswith("0110"))
    before = digests(left)
    assert invoke("check", "--record", "--db", db, "--fail-on", "none").exit_code == 0
    assert invoke("report", "--out", out, "--format", "json,html", "--department", DEPT,
                  "--date", "2026-04-15").exit_code == 0
    assert approve(db, out, "--by", DRAFTER, "--role", "auditor", "--date", "2026-04-15").exit_code == 0
    assert digests(left) == before  # another issue's department report stays as it was
    assert DRAFTER in (out / "report.ja.html").read_text(encoding="utf-8")


def withdraw(db, out, *args):
    return invoke("report", "withdraw", "1", "--db", db, "--out", out, *args)


def test_the_last_signature_is_withdrawn_kept_in_the_record_and_can_be_signed_again(issued, tmp_path):
    db, out, _ = issued
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    assert approve(db, out, "--by", APPROVER, "--role", "ciso", "--date", "2026-04-21").exit_code == 0
    log = tmp_path / "withdraw.log"
    done = withdraw(db, out, "--role", "ciso", "--by", APPROVER, "--reason", "別の版に決裁したため",
                    "--date", "2026-04-22", "--verbose", "--log-file", log)
    assert done.exit_code == 0, done.output
    assert "決裁（役職「ciso」）の署名を取り消しました" in done.stderr
    assert APPROVER not in done.stderr and APPROVER not in log.read_text(encoding="utf-8")  # names never in messages
    for folder in (out, dept_folder(out)):  # every report of the set issued again without it
        block = json.loads((folder / "report.json").read_text(encoding="utf-8"))["approval"]
        assert [(s["step"], s["name"]) for s in block["steps"]] == [
            ("drafted", DRAFTER), ("reviewed", REVIEWER), ("approved", None)] and block["complete"] is False
        assert APPROVER not in (folder / "report.ja.html").read_text(encoding="utf-8")
        rows = [[c.text for c in r.cells] for r in docx.Document(str(folder / "report.ja.docx")).tables[0].rows]
        assert rows[2] == ["氏名", DRAFTER, REVIEWER, ""]
    assert invoke("verify", out / "report.json").exit_code == 0
    listed = invoke("history", "list", "--db", db)
    assert "署名 起案・審査" in listed.stdout and "起案・審査・決裁" not in listed.stdout
    shown = invoke("history", "show", "1", "--db", db).stdout
    gone = [line for line in shown.splitlines() if line.lstrip().startswith("取消")]
    assert len(gone) == 1 and APPROVER in gone[0] and "2026-04-21" in gone[0] and "2026-04-22" in gone[0]
    assert "別の版に決裁したため" in gone[0]
    doc = json.loads(invoke("history", "show", "1", "--db", db, "--format", "json").stdout)
    assert [s["step"] for s in doc["approvals"]] == ["drafted", "reviewed"]
    (w,) = doc["withdrawals"]
    assert (w["step"], w["role"], w["withdrawn_on"], w["reason"]) == ("approved", "ciso", "2026-04-22", "別の版に決裁したため")
    issued_now = hashlib.sha256((out / "report.json").read_bytes()).hexdigest()
    assert {f["path"]: f["issued_sha256"] for f in w["files"]}["report.json"] == issued_now

    again = approve(db, out, "--by", "鈴木 次郎", "--role", "deputy", "--date", "2026-04-23")  # 代決, as re-issued
    assert again.exit_code == 0, again.output
    block = json.loads((out / "report.json").read_text(encoding="utf-8"))["approval"]
    assert block["complete"] is True and block["steps"][2]["name"] == "鈴木 次郎"
    assert block["steps"][2]["report_sha256"] == issued_now  # what the deputy signed: the report without the CISO


def test_only_the_last_signature_is_withdrawn_and_nothing_changes_on_a_refusal(issued):
    db, out, _ = issued
    assert approve(db, out, "--by", REVIEWER, "--role", "secretariat", "--date", "2026-04-20").exit_code == 0
    before = digests(out)
    middle = withdraw(db, out, "--role", "auditor", "--by", DRAFTER, "--reason", "誤り")
    assert middle.exit_code == 1 and "最後の署名（審査、役職「secretariat」）だけ" in middle.stderr
    for nothing in ("  ", "\u200b"):  # blank, only an invisible character
        empty = withdraw(db, out, "--role", "secretariat", "--by", REVIEWER, "--reason", nothing)
        assert empty.exit_code == 2 and "取消の理由が空です" in empty.stderr, nothing
    for typed in ("-", "なし"):  # a placeholder typed for "none"
        empty = withdraw(db, out, "--role", "secretariat", "--by", REVIEWER, "--reason", typed)
        assert empty.exit_code == 2 and f"「{typed}」は「なし」を表す記号・語で、理由ではありません" in empty.stderr, typed
    placeholder = withdraw(db, out, "--role", "secretariat", "--by", "－", "--reason", "誤り")
    assert placeholder.exit_code == 2 and "「－」は「なし」を表す記号・語で、氏名ではありません" in placeholder.stderr
    english = withdraw(db, out, "--role", "secretariat", "--by", "なし", "--reason", "誤り", "--lang", "en")
    assert english.exit_code == 2 and '"なし" is a placeholder, not a name' in english.stderr
    early = withdraw(db, out, "--role", "secretariat", "--by", REVIEWER, "--reason", "誤り", "--date", "2026-04-19",
                     "--lang", "en")
    assert early.exit_code == 2 and "before the signature it withdraws" in early.stderr
    (out / "report.ja.html").write_text("edited after the signature", encoding="utf-8")
    edited = withdraw(db, out, "--role", "secretariat", "--by", REVIEWER, "--reason", "誤り")
    assert edited.exit_code == 1 and "report.ja.html" in edited.stderr and "署名の取消もできません" in edited.stderr and "Traceback" not in edited.output
    assert signatures(db) == 2 and digests(out) == dict(before, **{"report.ja.html": digests(out)["report.ja.html"]})
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM withdrawals").fetchone()[0] == 0


def test_every_signature_can_be_withdrawn_in_turn(issued):
    db, out, _ = issued
    assert withdraw(db, out, "--role", "auditor", "--by", DRAFTER, "--reason", "起案者の誤記").exit_code == 0
    block = json.loads((out / "report.json").read_text(encoding="utf-8"))["approval"]
    assert all(s["name"] is None for s in block["steps"])
    nothing = withdraw(db, out, "--role", "auditor", "--by", DRAFTER, "--reason", "誤り", "--lang", "en")
    assert nothing.exit_code == 1 and "no signature to withdraw" in nothing.stderr
    signed = approve(db, out, "--by", DRAFTER, "--role", "auditor", "--date", "2026-04-16")
    assert signed.exit_code == 0, signed.output  # signed again over the reports as issued by the withdrawal
