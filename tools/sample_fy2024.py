"""evidence/FY2024/ for さくら台市: the year before the shipped FY2025, derived from its files.

Called by tools/make_sample.py after FY2025 is written (it reads those files back, so FY2025 stays
byte-identical). The FY2024 gaps are chosen so that the FY2025 audit, merged with the recorded FY2024
actions, shows every follow-up state; evidence/README.md lists them. Also writes the progress sheets
two departments returned (progress/), made with the tool's own export so that they import cleanly.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from auditor.evidence import normalize  # noqa: E402  (the generator runs from a checkout)

FY25 = ROOT / "evidence" / "FY2025"
OUT = ROOT / "evidence" / "FY2024"
D = dt.date
START, END = D(2024, 4, 1), D(2025, 3, 31)
ISSUED = D(2025, 4, 15)  # date of the FY2024 report: the actions' due dates count from it
UNTRAINED = {"S00171", "S00252"}  # TR-01 in FY2024: 道路課 (recurs in FY2025), 子育て支援課 (persists)
NO_ANSWERS = {("福祉課", "SA-1"), ("税務課", "SA-2")}  # no register row: CA-01 when the register is empty
SEEN_TERMINAL = {"PC-0110": None, "PC-0041": "有"}  # PC-0110 arrives in FY2025; PC-0041's USB use began with EX-2025-01
# FY2024's audit records carry what FY2025's export left out of them: the reports to the CISO and the committee
# (AU-06) and EA-2024-01's submission to J-LIS (AU-04, NS-09). EDR: the two FY2025 gaps (EP-01) are new that year.
AUDIT_EXTRA = {"IA-2024-01": dict(reported_to_ciso_on=D(2024, 12, 20), reported_to_committee_on=D(2025, 2, 18)),
               "EA-2024-01": dict(reported_to_ciso_on=D(2025, 1, 10), reported_to_committee_on=D(2025, 2, 18),
                                  submitted_to_jlis_on=D(2025, 1, 31))}
FW_CHANGES = {"FW-0131": None, "FW-0215": None, "FW-0216": None, "FW-0220": None, "FW-0221": None,  # added in FY2025
              "FW-0209": ["FW-0209", "LGWAN接続系", "インターネット接続系", "許可", "HTTPS(443) 旧Web閲覧", "", ""]}


def _day(value):
    return normalize.parse_date(value)


def _write_csv(name, header, rows, encoding="utf-8-sig", newline="\r\n", delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    (OUT / name).write_bytes(buf.getvalue().encode(encoding))


def _read_csv(path: Path, encoding: str, delimiter=","):
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""), delimiter=delimiter))
    return rows[0], rows[1:]


def _yaml(name, comment, data):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    (OUT / name).write_text(comment + text, encoding="utf-8")


def roster() -> list[dict]:
    """Everyone on the FY2025 roster who was on the staff in FY2024 (hired before 2025-04-01)."""
    ws = openpyxl.load_workbook(FY25 / "職員名簿.xlsx", read_only=True).worksheets[0]
    people = []
    for row in list(ws.iter_rows(values_only=True))[3:]:
        sid, name, unit, employment, joined, left = row[:6]
        joined, left = _day(joined), _day(left)
        if joined <= END and (left is None or left >= START):
            people.append(dict(id=sid, name=name, unit=unit, employment=employment, joined=joined, left=left))
    return people


def write_roster(people):
    _write_csv("職員名簿.csv", ["職員番号", "氏名", "所属", "任用形態", "採用日", "退職日"],
               [[p["id"], p["name"], p["unit"], p["employment"], f"{p['joined']:%Y/%-m/%-d}",
                 f"{p['left']:%Y/%-m/%-d}" if p["left"] else ""] for p in people])


def write_lms(people):
    """FY2024 rows of the FY2025 export, and a basic course for everyone else (new staff within 30 days)."""
    header, old = _read_csv(FY25 / "lms_export.csv", "cp932")
    rows = [r for r in old if START <= _day(r[4]) <= END and r[0] not in UNTRAINED]
    trained = {normalize.normalize_id(r[0]) for r in rows if r[3] == "情報セキュリティ基礎研修"}
    for p in people:
        if p["id"] in trained or p["id"] in UNTRAINED:
            continue
        n = int(p["id"][1:])
        day = p["joined"] + dt.timedelta(days=20 + n % 10) if p["joined"] >= START else \
            D(2024, 5, 7) + dt.timedelta(days=(n * 37) % 270)
        day -= dt.timedelta(days=max(0, day.weekday() - 4))
        rows.append([p["id"], p["name"], p["unit"], "情報セキュリティ基礎研修", f"{day:%Y/%-m/%-d}", str(60 + n % 41)])
    rows.sort(key=lambda r: (_day(r[4]), normalize.normalize_id(r[0])))
    _write_csv("lms_export.csv", header, rows)


def write_roles():
    header, rows = _read_csv(FY25 / "role_assignments.csv", "utf-8-sig")
    _write_csv("role_assignments.csv", header, [r for r in rows if _day(r[3]) <= END])


def write_network():
    header, rules = _read_csv(FY25 / "fw_rules.csv", "cp932")
    out = []
    for r in rules:
        if r[0] in FW_CHANGES:
            if FW_CHANGES[r[0]]:
                out.append(FW_CHANGES[r[0]])
            continue
        out.append(r)
    _write_csv("fw_rules.csv", header, out, encoding="cp932")
    (OUT / "無線LAN設定一覧.csv").write_bytes((FY25 / "無線LAN設定一覧.csv").read_bytes())  # unchanged since FY2024
    header, terminals = _read_csv(FY25 / "端末台帳.tsv", "utf-8", "\t")
    kept = []
    for t in terminals:
        if t[0] in SEEN_TERMINAL:
            if SEEN_TERMINAL[t[0]] is None:
                continue
            t = t[:5] + [SEEN_TERMINAL[t[0]]] + t[6:]
        if t[7:8] in (["×"], [""]):  # EDR: installed in FY2024 (the FY2025 gaps are new)
            t = t[:7] + ["○"] + t[8:]
        kept.append(t)
    _write_csv("端末台帳.tsv", header, kept, encoding="utf-8", newline="\n", delimiter="\t")


def write_yaml_files():
    for name, comment in [("zones.yaml", "# セグメント定義\n"), ("gateways.yaml", "# 無害化装置・画面転送・セキュリティクラウド台帳\n")]:
        _yaml(name, comment, yaml.safe_load((FY25 / name).read_text(encoding="utf-8")))
    units = yaml.safe_load((FY25 / "org_units.yaml").read_text(encoding="utf-8"))
    _yaml("org_units.yaml", "# 組織マスタ（令和6年4月1日現在）。mynumber_work: ○ = マイナンバー利用事務あり\n", units)
    audits = [dict(a, **AUDIT_EXTRA.get(a["audit_id"], {}))
              for a in yaml.safe_load((FY25 / "audits.yaml").read_text(encoding="utf-8")) if _day(a["ended_on"]) <= END]
    _yaml("audits.yaml", "# 情報セキュリティ監査 実施記録（内部監査・外部監査）\n", audits)
    _yaml("drills.yaml", "# 訓練実施報告（緊急時対応訓練・標的型メール訓練）\n", [
        dict(kind="phishing", held_on=D(2024, 7, 10), participants=268, click_rate=0.23),  # TR-04
        dict(kind="incident", held_on=D(2024, 11, 14), participants=36)])


def write_self_assessments():
    header, rows = _read_csv(FY25 / "自己点検票.csv", "utf-8")
    units = list(dict.fromkeys(r[0] for r in rows))  # every 課 but 農林課, which sent nothing again
    out = []
    for i, unit in enumerate(units):
        day = D(2025, 3, 28) if unit == "都市計画課" else D(2024, 9, 16) + dt.timedelta(days=(i * 5) % 70)
        day -= dt.timedelta(days=max(0, day.weekday() - 4))
        for item in ("SA-1", "SA-2", "SA-3", "SA-4", "SA-5"):
            fy25 = next(r[3] for r in rows if r[0] == unit and r[2] == item)
            answer = "いいえ" if (unit, item) in NO_ANSWERS else "該当なし" if fy25 == "該当なし" else "はい"
            out.append([unit, f"{day:%Y/%-m/%-d}", item, answer] + [""] * (len(header) - 4))
    _write_csv("自己点検票.csv", header, out, encoding="utf-8", newline="\n")


MANIFEST = """# さくら台市 令和6年度 証跡一覧 (generated by tools/sample_fy2024.py from the FY2025 files).
# No 是正処置管理表 this year: CA-01..03 read the action register of the history database (--db).
organisation: {ja: さくら台市, en: Sakuradai City}
fiscal_year: 令和6年度
as_of: 2025-03-31
files:
- {path: org_units.yaml, kind: org_units, provided_by: 総務課, collected_on: 2025-03-03}
- path: 職員名簿.csv
  kind: staff
  provided_by: 人事課
  collected_on: 令和7年3月3日
  columns: {職員番号: staff_id, 氏名: name, 所属: unit, 任用形態: employment, 採用日: joined_on, 退職日: left_on}
- path: lms_export.csv
  kind: training_records
  provided_by: 人事課（研修担当）
  collected_on: 2025/3/31
  columns: {職員番号: staff_id, コース: course, 受講日: completed_on, 得点: score}
  values:
    course: {情報セキュリティ基礎研修: security-basic, 情報セキュリティ応用研修: security-advanced}
- path: role_assignments.csv
  kind: role_assignments
  provided_by: 情報政策課
  collected_on: R7.3.3
  columns: {役割: role, 職員番号: staff_id, 所属: unit, 発令日: from, 解任日: to}
  values:
    role: {最高情報セキュリティ責任者: ciso, 情報セキュリティ責任者: security_officer, 情報セキュリティ管理者: security_manager}
- {path: drills.yaml, kind: drills, provided_by: 情報政策課, collected_on: 2025-03-03}
- {path: zones.yaml, kind: zones, provided_by: 情報政策課, collected_on: 2025-03-03}
- {path: gateways.yaml, kind: gateways, provided_by: 情報政策課, collected_on: 2025-03-03}
- path: fw_rules.csv
  kind: flow_rules
  provided_by: 情報政策課（ネットワーク保守事業者）
  collected_on: 2025/3/4
  encoding: cp932
  columns: {ルールID: rule_id, 送信元: src_zone, 宛先: dst_zone, 動作: action, サービス: service, 経由: via, 特定通信ID: specific_comm_id}
  values:
    action: {許可: allow, 拒否: deny}
    src_zone: {外部: external}
    dst_zone: {外部: external}
- path: 端末台帳.tsv
  kind: terminals
  provided_by: 情報政策課
  collected_on: 令和7年3月4日
  columns: {資産番号: asset_id, 設置課: unit, 接続系: zone, 用途: role, 二要素認証: mfa, 持出し制御: export_block, 無線LAN: wireless, EDR: edr}
  values:
    role: {主たる業務端末: main, 共用端末: shared, サーバ: server}
- path: 無線LAN設定一覧.csv
  kind: wireless_lans
  provided_by: 情報政策課（ネットワーク保守事業者）
  collected_on: 2025/3/4
  columns: {SSID: ssid, 接続系: zone, 暗号化方式: security, 認証方式: authentication, 専用SSID: dedicated, 設置場所: location}
- path: audits.yaml
  kind: audits
  provided_by: 情報政策課
  collected_on: 2025-03-03
  values:
    kind: {内部監査: internal, 外部監査: external}
- path: 自己点検票.csv
  kind: self_assessments
  provided_by: 情報政策課（各課取りまとめ）
  collected_on: 2025/3/31
  columns: {所属: unit, 提出日: submitted_on, 点検項目: item, 回答: answer}
"""

# What two departments wrote on their returned sheets: action's finding -> status, owner, note, completed on.
RETURNED = {
    ("0510_道路課", "csv"): {
        "TR-01:S00171": ("完了", "道路課長", "令和7年5月の補講で受講済み（受講記録を添付）", "2025/5/30")},
    ("0220_情報政策課", "xlsx"): {
        "NS-01:FW-0107": ("対応中", "情報政策課 ネットワーク担当", "特定通信として申請中。保守事業者と調整", None),
        "NS-02:FW-0209": ("完了", "情報政策課 ネットワーク担当", "旧Web閲覧ルールを拒否に変更（変更票 R7-NW-012）", "2025/5/9"),
        "TR-04.click-rate:phishing/2024-07-10": ("対応中", "情報政策課 研修担当", "全職員向け注意喚起を実施、7月に再訓練予定", None)},
}


def write_progress_sheets():
    """Export each department's FY2024 actions with the tool, as the department filled them in."""
    from auditor.engine import audit
    from auditor import defaults
    from auditor.cycle import progress, register

    run = audit.run(ROOT / "policies" / "sample-city.yaml", OUT, [defaults.shipped_controls()])
    actions = register.for_run(run, ISSUED)
    (OUT / "progress").mkdir(exist_ok=True)
    for (name, ext), filled in RETURNED.items():
        rows = []
        for a in actions:
            if (a["department"] or {}).get("code") != name.split("_")[0]:
                continue
            status, owner, note, done = filled.get(a["finding_id"], ("未着手", None, None, None))
            rows.append(dict(a, fiscal_year=2024, message_ja=a["message"]["ja"], message_en=a["message"]["en"],
                             department_name=a["department"]["name"], department_code=a["department"]["code"],
                             due_on=D.fromisoformat(a["due_on"]), extended_to=None, owner=owner, progress_note=note,
                             status=progress._status(status), completed_on=_day(done)))
        missing = set(filled) - {r["finding_id"] for r in rows}
        assert not missing, f"{name}: FY2024 findings changed ({missing}); update RETURNED"
        progress.export(rows, OUT / "progress" / f"{name}.{ext}", "ja", stamp=D(2025, 12, 1))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    people = roster()
    write_roster(people)
    write_lms(people)
    write_roles()
    write_network()
    write_yaml_files()
    write_self_assessments()
    write_progress_sheets()


if __name__ == "__main__":
    main()
