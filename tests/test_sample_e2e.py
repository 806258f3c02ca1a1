"""The shipped sample: exactly the gaps documented in evidence/README.md, at the right file and line."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import yaml

from auditor import defaults
from auditor.catalogue import controls as catalogue
from conftest import POLICY, ROOT, SAMPLE, check_json, invoke, write_policy
from test_sample_catalogue_tech import TECH_EXPECTED

SHIPPED = catalogue.load([defaults.shipped_controls()])[0]  # the shipped controls, as the catalogue grows

R, T, X = "fw_rules.csv", "端末台帳.tsv", "職員名簿.xlsx"
EXPECTED = {  # finding id -> (status, department, [(file, line)])
    "NS-01:FW-0107": ("open", "情報政策課", [(R, 8)]),
    "NS-01:FW-0131": ("open", "情報政策課", [(R, 17)]),
    "NS-02:FW-0215": ("open", "情報政策課", [(R, 36)]),
    "NS-02:FW-0216": ("open", "情報政策課", [(R, 37)]),
    "NS-04.placement:PC-0017": ("open", "財政課", [(T, 18)]),
    "NS-04.mynumber-unit:PC-0110": ("open", "商工観光課", [(T, 111)]),
    "NS-06:PC-0041": ("waived", "市民課", [(T, 42)]),
    "NS-06:PC-0052": ("open", "税務課", [(T, 53)]),
    "NS-09.external-audit:missing": ("open", "情報政策課", [("audits.yaml", None)]),
    "NS-09.prerequisites:TR-01": ("open", "情報政策課", []),
    "NS-09.prerequisites:TR-04": ("open", "情報政策課", []),
    "TR-01:S00129": ("open", "市民課", [(X, 88)]),
    "TR-01:S00145": ("open", "保険年金課", [(X, 139)]),
    "TR-01:S00252": ("open", "子育て支援課", [(X, 193)]),
    "TR-01:S00171": ("open", "道路課", [(X, 229)]),
    "TR-02:S00282": ("open", "介護保険課", [(X, 215)]),
    "TR-04.click-rate:phishing/2026-01-21": ("open", "情報政策課", [("drills.yaml", 12)]),
    "AU-02:0620": ("open", "農林課", [("audits.yaml", None)]),
    "AU-02:0710": ("open", "会計課", [("audits.yaml", None)]),
    "AU-03:IA-2025-01": ("open", "情報政策課", [("audits.yaml", 51)]),
    "AU-04.annual:missing": ("open", "情報政策課", [("audits.yaml", None)]),
    "SA-01:0520": ("open", "都市計画課", [("自己点検票.csv", None)]),
    "SA-01:0620": ("open", "農林課", [("自己点検票.csv", None)]),
    "CA-01.self-check:0130/SA-4": ("open", "財政課", [("自己点検票.csv", 15)]),
    "CA-02:CA-2024-04": ("open", "財政課", [("是正処置管理表.xlsx", 6)]),
    "CA-03:CA-2024-06": ("open", "市民課", [("是正処置管理表.xlsx", 8)]),
    "CA-03:CA-2024-07": ("open", "税務課", [("是正処置管理表.xlsx", 9)]),
    "OR-01.manager:0210": ("open", "企画課", [("role_assignments.csv", None)]),
    "OR-01.holder:security_manager/S00002": ("open", "税務課", [("role_assignments.csv", 16)]),
    "OR-02.contacts:DOC-010": ("open", "情報政策課", [("文書台帳.xlsx", 13)]),
    "OR-03.meetings:missing": ("open", "情報政策課", [("文書台帳.xlsx", None)]),
    "DP-01:fw_rules.csv/サービス/-": ("open", "情報政策課", [(R, 8)]),
    "DP-01:自己点検票.csv/備考/0330": ("open", "保険年金課", [("自己点検票.csv", 41)]),
    # the auditors' answers (監査チェックリスト.xlsx): the two 不適合 planted there
    "GL1-01:0220": ("open", "情報政策課", [("監査チェックリスト.xlsx", 6)]),
    "GL4-08:0310": ("open", "市民課", [("監査チェックリスト.xlsx", 82)]),
    # assets, physical security, operations (09-*.yaml; tests/test_sample_catalogue_ops.py)
    "AM-01:IA-0510-02": ("open", "道路課", [("情報資産台帳.xlsx", 25)]),
    "AM-01:IA-0620-01": ("open", "農林課", [("情報資産台帳.xlsx", 29)]),
    "AM-04.personal:IA-0610-02": ("open", "商工観光課", [("情報資産台帳.xlsx", 28)]),
    "RA-01.treatment:RA-2025-03": ("open", "税務課", [("リスク評価実施記録.csv", 5)]),
    "AM-03.certificate:DS-2025-06": ("open", "福祉課", [("機器廃棄記録.csv", 8)]),
    "AM-03.witness:DS-2025-09": ("open", "財政課", [("機器廃棄記録.csv", 11)]),
    "AM-06.level-3a:DS-2025-04": ("open", "税務課", [("機器廃棄記録.csv", 6)]),
    "AM-06.paper:DS-2025-11": ("open", "保険年金課", [("機器廃棄記録.csv", 13)]),
    "MD-01.inventory:USB-0510-01": ("open", "道路課", [("記録媒体管理台帳.xlsx", 14)]),
    "MD-03:USB-0420-02": ("open", "子育て支援課", [("記録媒体管理台帳.xlsx", 13)]),
    "PH-01.entrant:00044": ("open", "情報政策課", [("入退室記録.csv", 45)]),
    "PH-01.entrant:00058": ("open", "情報政策課", [("入退室記録.csv", 59)]),
    "PH-02.exit:00062": ("open", "情報政策課", [("入退室記録.csv", 63)]),
    "PH-03.staff:電算室/S00002": ("open", "税務課", [("入室許可者一覧.xlsx", 13)]),
    "PH-03.contractor:サーバ室/V-204": ("open", "情報政策課", [("入室許可者一覧.xlsx", 17)]),
    "IR-01.on-time:IN-2025-05": ("open", "保険年金課", [("インシデント管理台帳.xlsx", 9)]),
    "IR-02.final:IN-2025-04": ("open", "市民課", [("インシデント管理台帳.xlsx", 8)]),
    "IR-04.csirt:IN-2025-06": ("open", "道路課", [("インシデント管理台帳.xlsx", 10)]),
    "IR-04.recurrence:IN-2025-07": ("open", "福祉課", [("インシデント管理台帳.xlsx", 11)]),
    "IR-04.open:IN-2025-04": ("open", "市民課", [("インシデント管理台帳.xlsx", 8)]),
    "PR-03.approval:EX-2025-03": ("open", "企画課", [("例外措置申請台帳.csv", 6)]),
    "PR-03.period:EX-2024-07": ("open", "税務課", [("例外措置申請台帳.csv", 3)]),
    "PR-03.expired:EX-2024-07": ("open", "税務課", [("例外措置申請台帳.csv", 3)]),
    "PR-04:EX-2025-04": ("open", "農林課", [("例外措置申請台帳.csv", 7)]),
}
EXPECTED.update(TECH_EXPECTED)  # accounts, logs, vulnerabilities, EDR, contracts, cloud, NS-03/07/11, AU-06
CLEAN = {"NS-05", "NS-08", "AU-01", "PR-01", "IR-03",  # PR-01: 対策基準 within the grace period
         "AM-02", "AM-05", "MD-02", "VM-01",
         "GL1-02", "GL1-04", "GL1-05"}  # organisation-wide audit items the worksheet answers 適合


def test_exactly_the_documented_gaps_at_the_right_place():
    code, doc = check_json("--policy", POLICY, "--evidence", SAMPLE)
    assert code == 1
    found = {f["id"]: (f["status"], f["department"], [(l["file"], l["line"]) for l in f["locations"]])
             for r in doc["results"] for f in r["findings"]}
    assert found == EXPECTED


def test_statuses_of_every_control():
    _, doc = check_json("--policy", POLICY, "--evidence", SAMPLE)
    status = {r["control_id"]: r["status"] for r in doc["results"]}
    assert {c for c, s in status.items() if s == "pass"} == CLEAN
    assert {c for c, s in status.items() if s == "fail"} == {k.split(":")[0].split(".")[0] for k in EXPECTED}
    assert len([r for r in doc["results"] if r["kind"] == "control"]) == len(SHIPPED)


def test_every_planted_gap_is_listed_in_the_evidence_readme():
    table = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    for fid, (_, dept, locations) in EXPECTED.items():
        control = fid.split(":")[0].split(".")[0]
        if control == "NS-09" or fid == "NS-06:PC-0041":
            continue
        line = str(locations[0][1]) if locations and locations[0][1] else "—"
        assert re.search(rf"\| {control} \| [^|]+ \| {line} \| [^|]+ \| {dept} \|", table), fid


def test_json_interface_fields():
    _, doc = check_json("--policy", POLICY, "--evidence", SAMPLE, "--lang", "en")
    for r in doc["results"]:
        assert {"control_id", "status", "findings"} <= set(r)
        for f in r["findings"]:
            assert {"id", "control_id", "severity", "department", "message", "locations"} <= set(f)
            assert f["severity"] in ("major", "minor", "observation")
            assert all(set(l) == {"file", "line"} for l in f["locations"])
    assert doc["exceptions"][1]["state"] == "expired"
    assert doc["my_number_notices"] == [{"file": "fw_rules.csv", "line": 8}, {"file": "自己点検票.csv", "line": 41}]


def test_my_number_never_in_any_output(tmp_path):
    for fmt in ("text", "json"):
        for lang in ("ja", "en"):
            result = invoke("check", "--format", fmt, "--lang", lang)
            text = re.sub(r"[\s\-－]", "", result.output)
            assert "123456789018" not in text and "9018" not in result.output
            assert "314159265352" not in unicodedata.normalize("NFKC", text) and "５３５２" not in result.output
    assert "************" in invoke("check").output


def test_names_are_not_printed():
    text = invoke("check").output + invoke("check", "--format", "json").output
    import openpyxl
    ws = openpyxl.load_workbook(SAMPLE / "職員名簿.xlsx", read_only=True)["職員名簿"]
    names = [row[1] for row in ws.iter_rows(min_row=4, values_only=True) if row[1]]
    assert names and not [n for n in names if n in text]


def test_defaults_from_repository_root_and_exit_codes():
    # subprocess: the installed console script, run where a CISO office would run it
    run = lambda *a: subprocess.run([sys.executable, "-m", "auditor", *a], cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True, encoding="utf-8")
    default = run("check")
    assert default.returncode == 1 and "情報政策課" in default.stdout and "Traceback" not in default.stderr
    assert default.stdout.rstrip().splitlines()[-2].startswith(f"管理策 {len(SHIPPED)} 件")
    assert run("check", "--fail-on", "none").returncode == 0
    assert run("check", "--lang", "en").stdout.rstrip().splitlines()[-2].startswith(f"{len(SHIPPED)} controls")


def test_output_file_and_text_grouping(tmp_path):
    out = tmp_path / "r" / "results.json"
    result = invoke("check", "--format", "json", "--output", out)
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8"))["fiscal_year"] == 2025
    text = invoke("check").output
    assert text.index("■ 財政課") < text.index("■ 会計課")  # grouped by department, in code order (0130, 0710)
    assert "[免除] NS-06" in text


def test_validate_and_controls_commands(tmp_path):
    result = invoke("validate")
    assert result.exit_code == 0 and f"管理策 {len(SHIPPED)} 件" in result.output and "証跡ファイル 30 件" in result.output
    listing = invoke("controls", "list").output.splitlines()
    assert len(listing) == len(SHIPPED) and listing[0].startswith("NS-01")
    # a policy that leaves TR-01 as the catalogue has it (the sample's own sets its course)
    shown = invoke("controls", "show", "TR-01", "--policy", write_policy(tmp_path)).output
    assert "course: null" in shown and "each: staff" in shown


def test_controls_show_gives_the_control_as_the_policy_sets_it(tmp_path):
    from auditor import yamlio

    result = invoke("controls", "show", "TR-01")  # the sample's policy: course security-basic
    assert result.exit_code == 0, result.output
    doc, _ = yamlio.load_config(result.stdout, "shown")
    assert doc["params"]["course"] == "security-basic" and doc["severity"] == "minor" and doc["enabled"] is True
    assert doc["policy"]["file"] == "policies/sample-city.yaml"
    assert doc["policy"]["changed"] == [{"setting": "params.course", "default": None, "policy": "security-basic"}]
    assert doc["file"] == "controls/02-training.yaml" and isinstance(doc["line"], int)  # not an absolute path
    assert "'on':" not in result.stdout and doc["rule"]["has"]["on"] == {"staff_id": "staff_id"}  # no YAML 1.1 quoting
    policy = write_policy(tmp_path, controls={"TR-01": {"severity": "major", "enabled": False, "reason": "委託先で実施"}})
    doc, _ = yamlio.load_config(invoke("controls", "show", "tr-01", "--policy", policy).stdout, "shown")
    assert doc["severity"] == "major" and doc["enabled"] is False and doc["disabled_reason"] == "委託先で実施"
    assert {c["setting"] for c in doc["policy"]["changed"]} == {"severity", "enabled"}
    ns06, _ = yamlio.load_config(invoke("controls", "show", "NS-06").stdout, "shown")
    assert [e["id"] for e in ns06["policy"]["exceptions"]] == ["EX-2025-01", "EX-2024-07"]
    missing = invoke("controls", "show", "TR-01", "--policy", tmp_path / "nai.yaml")
    assert missing.exit_code == 2 and "nai.yaml" in missing.stderr
    elsewhere = invoke("controls", "show", "TR-01", cwd=tmp_path)  # no policies/ here: defaults, and said so
    assert elsewhere.exit_code == 0 and elsewhere.stderr.startswith("警告: ポリシーがないため")
    assert yamlio.load_config(elsewhere.stdout, "shown")[0]["policy"] is None


def test_user_control_directory(tmp_path):
    (tmp_path / "local.yaml").write_text(
        "- id: LOCAL-01\n  title: {ja: 共用端末の二要素認証, en: Shared terminals use MFA}\n"
        "  requirement: {ja: 例, en: Example}\n  area: network\n  severity: minor\n  source: local\n"
        "  params: {zones: [lgwan]}\n  evidence: [terminals]\n"
        "  rule: {all: terminals, where: {role: shared, zone: {in: $zones}}, require: {mfa: true}}\n"
        "  message: {ja: '共用端末 {asset_id}', en: 'shared terminal {asset_id}'}\n", encoding="utf-8")
    code, doc = check_json("--controls", tmp_path, "--control", "LOCAL-01")
    (result,) = doc["results"]
    assert result["status"] == "pass" and result["checked"] > 10
    dup = tmp_path / "dup.yaml"
    dup.write_text((tmp_path / "local.yaml").read_text(encoding="utf-8").replace("LOCAL-01", "NS-01"), encoding="utf-8")
    result = invoke("check", "--controls", tmp_path)
    assert result.exit_code == 2 and "管理策 NS-01 が 2 回定義されています" in result.stderr


def test_documents_register_pr01_passes_only_within_the_grace_period(tmp_path):
    # 対策基準 DOC-002 (row 5) was last revised 令和7年4月1日, before the guideline's 2026-03-27 revision: the
    # sample passes inside the 365-day grace period; without one it is a finding at its row
    sample = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    sample.pop("exceptions")
    for grace, expected in ((365, {}), (None, {"PR-01.guideline:DOC-002": [("文書台帳.xlsx", 5)]})):
        policy = write_policy(tmp_path, **dict(sample, controls={"PR-01": {"params": {"grace_days": grace}}}))
        _, doc = check_json("--policy", policy, "--evidence", SAMPLE, "--control", "PR-01")
        (result,) = doc["results"]
        assert {f["id"]: [(l["file"], l["line"]) for l in f["locations"]] for f in result["findings"]} == expected


def test_make_sample_rewrites_exactly_the_shipped_sample(tmp_path):
    """tools/make_sample.py (with the FY2024 year and the auditors' worksheet it derives) run on a copy of
    the checkout writes the same bytes as the shipped sample, whether or not openpyxl finds lxml: the sample
    the tests and the README rely on is what the generator and this code make."""
    import shutil

    copy = tmp_path / "repo"
    skip = shutil.ignore_patterns("__pycache__", ".auditor")
    for name in ("auditor", "tools", "evidence", "policies"):
        shutil.copytree(ROOT / name, copy / name, ignore=skip)
    done = subprocess.run([sys.executable, str(copy / "tools" / "make_sample.py")], cwd=copy, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    shipped = sorted(p.relative_to(ROOT) for p in (ROOT / "evidence").rglob("*") if p.is_file()
                     and "__pycache__" not in p.parts and ".auditor" not in p.parts)
    written = sorted(p.relative_to(copy) for p in (copy / "evidence").rglob("*") if p.is_file()
                     and ".auditor" not in p.parts)
    assert written == shipped
    changed = [str(p) for p in shipped if (copy / p).read_bytes() != (ROOT / p).read_bytes()]
    assert not changed, f"run python3 tools/make_sample.py and commit: {changed}"
