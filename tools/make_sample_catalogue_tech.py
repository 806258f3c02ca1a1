#!/usr/bin/env python3
"""`python tools/make_sample_catalogue_tech.py`: the sample city's technical and outsourcing evidence (FY2025).

Called by tools/make_sample.py after the roster is written (the accounts are made from it); can be run on its
own. Writes, in the forms offices hand them over:

- ad_accounts.csv           accounts            Active Directory export (PowerShell Export-Csv -Encoding Unicode):
                                                UTF-16 LE with BOM, a #TYPE line above English headers, every
                                                field quoted, True/False, LastLogonDate with the time of day
- ログ取得状況一覧.csv        log_sources         UTF-8 with BOM, CRLF, Japanese headers
- vuln_scan_export.csv      vulnerabilities     a scanner's CSV: UTF-8, LF, English headers, ISO 8601 timestamps
- 脆弱性診断実施記録.yaml     vulnerability_scans canonical YAML
- 委託契約台帳.xlsx           contracts           title row, a note row, header on row 3; ○/× clause columns
- 委託先点検記録.csv          contractor_checks   CP932, CRLF
- クラウドサービス利用台帳.csv cloud_services      UTF-8 with BOM
- 無線LAN設定一覧.csv         wireless_lans       UTF-8, LF

and writes their entries into manifest.yaml (in place of an earlier run's, else last). Fixed
seed and fixed xlsx properties: every run gives the same bytes (the workbook: with the same openpyxl and lxml). Planted gaps: evidence/README.md.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path

import openpyxl
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_sample as base  # noqa: E402  (the sample city's writers, units and dates)

OUT, D = base.OUT, dt.date
rng = random.Random(20260327)

# ---------------------------------------------------------------- accounts (AD export)
AD_HEADERS = ["SamAccountName", "DisplayName", "EmployeeID", "Department", "Domain", "Zone", "Enabled",
              "SmartcardLogonRequired", "AdminCount", "whenCreated", "LastLogonDate", "ReviewedOn"]
# Planted: (staff tag or ID) -> what is odd about their accounts.
MOVED = "S00009"          # moved from 福祉課 to 保険年金課 on 2025-04-01: the LGWAN account still says 福祉課 (AC-01)
DORMANT = "S00034"        # 子育て支援課, on leave since October: enabled, last logon 2025-10-03 (AC-05)
NO_SMARTCARD = "S00056"   # 保険年金課: My Number domain account without the smart-card requirement (AC-04)


def roster() -> list[dict]:
    ws = openpyxl.load_workbook(OUT / "職員名簿.xlsx", read_only=True)["職員名簿"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    out = []
    for sid, name, unit, emp, joined, left in rows:
        joined = joined if isinstance(joined, dt.date) else None
        out.append(dict(id=sid, name=name, unit=unit, joined=joined.date() if isinstance(joined, dt.datetime) else joined,
                        left=left.date() if isinstance(left, dt.datetime) else left))
    return out


def stamp(day: dt.date) -> str:
    """AD's LastLogonDate as Export-Csv writes it on a Japanese Windows: 2026/03/02 8:41:12."""
    return f"{day:%Y/%m/%d} {rng.randint(7, 19)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def accounts(people: list[dict]) -> list[list[str]]:
    rows = []
    recent = [D(2026, 3, d) for d in range(2, 28) if D(2026, 3, d).weekday() < 5]
    for p in people:
        sid, unit = p["id"], p["unit"]
        left = p["left"] is not None and p["left"] < D(2025, 4, 1)
        if p["id"] == "S00214":          # 会計年度任用, left 2025-03-31: the account was deleted
            continue
        created = p["joined"] or D(2020, 4, 1)
        last = D(2025, 3, 28) if left else D(2025, 9, 30) if p["left"] else rng.choice(recent)
        if sid == DORMANT:
            last = D(2025, 10, 3)
        enabled = "False" if p["left"] else "True"   # S00162 left on 2025-09-30: disabled that day
        department = "福祉課" if sid == MOVED else unit
        rows.append([sid.lower(), p["name"], sid, department, "SAKURADAI-LG", "LGWAN", enabled, "False", "",
                     stamp(max(created, D(2015, 4, 1))), stamp(last), ""])
        if unit in base.MYNUMBER_UNITS and not left:
            smartcard = "False" if sid == NO_SMARTCARD else "True"
            rows.append([f"mn-{sid.lower()}", p["name"], sid, unit, "SAKURADAI-MN", "MyNumber", enabled, smartcard, "",
                         stamp(max(created, D(2015, 4, 1))), stamp(last), ""])
    sec = "S00113"  # 情報政策課: the systems administrators
    rows += [
        ["Administrator", "", "", "", "SAKURADAI-LG", "LGWAN", "False", "False", "1", "2015/03/20 10:02:11",
         "2019/06/14 9:12:40", "2025/10/15"],
        ["Guest", "", "", "", "SAKURADAI-LG", "LGWAN", "False", "False", "", "2015/03/20 10:02:11", "", ""],
        ["adm-johosei01", "情報政策課 管理者1", sec, "情報政策課", "SAKURADAI-LG", "LGWAN", "True", "True", "1",
         "2018/04/02 9:30:00", stamp(D(2026, 3, 26)), "2025/10/15"],
        ["adm-johosei02", "情報政策課 管理者2", "S00130", "情報政策課", "SAKURADAI-LG", "LGWAN", "True", "True", "1",
         "2019/04/01 9:30:00", stamp(D(2026, 3, 24)), "2024/10/11"],                 # AC-03: last reviewed FY2024
        ["adm-mn01", "個人番号系 管理者", sec, "情報政策課", "SAKURADAI-MN", "MyNumber", "True", "True", "1",
         "2018/04/02 9:40:00", stamp(D(2026, 3, 19)), "2025/10/15"],
        ["svc-backup", "バックアップ サービス", sec, "情報政策課", "SAKURADAI-LG", "LGWAN", "True", "False", "1",
         "2020/07/01 13:00:00", stamp(D(2026, 3, 27)), "2025/10/15"],
        ["kyotsu-hoken01", "保険年金課 窓口共用", "", "保険年金課", "SAKURADAI-MN", "MyNumber", "True", "True", "",
         "2017/04/03 8:50:00", stamp(D(2026, 3, 27)), ""],                            # AC-02: shared counter ID
        ["s90417", "介護認定調査 派遣職員", "S90417", "介護保険課", "SAKURADAI-LG", "LGWAN", "True", "False", "",
         "2024/10/01 8:55:00", stamp(D(2026, 3, 18)), ""],                            # AC-01: not on the roster
    ]
    rows.sort(key=lambda r: (r[4], r[0].lower()))
    return rows


def write_ad(rows) -> None:
    buf = io.StringIO()
    buf.write("#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n")
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(AD_HEADERS)
    w.writerows(rows)
    (OUT / "ad_accounts.csv").write_bytes(buf.getvalue().encode("utf-16"))   # LE with BOM, as Windows writes it


# ---------------------------------------------------------------- other files
LOG_HEADERS = ["システム名", "系", "ログ種別", "取得", "保存期間（日）", "最長欠損日数", "確認日", "所管課"]
LOGS = [
    ("住民記録システム", "マイナンバー利用事務系", "操作ログ", "○", 1825, 0, "2026/3/10", "市民課"),
    ("住民記録システム", "マイナンバー利用事務系", "書出しログ", "○", 1825, 0, "2026/3/10", "市民課"),
    ("福祉総合システム", "マイナンバー利用事務系", "操作ログ", "○", 1825, 1, "2026/3/10", "福祉課"),        # gap 1 = the limit
    ("福祉総合システム", "マイナンバー利用事務系", "書出しログ", "○", 1825, 3, "2026/3/10", "福祉課"),      # NS-07: 3 days
    ("個人番号系AD", "マイナンバー利用事務系", "認証ログ", "○", 400, 0, "2026/3/10", "情報政策課"),
    ("LGWAN系AD", "LGWAN接続系", "認証ログ", "○", 400, 0, "2026/3/10", "情報政策課"),
    ("財務会計システム", "LGWAN接続系", "アクセスログ", "○", 365, 7, "2026/3/11", "財政課"),              # both limits exactly
    ("文書管理システム", "LGWAN接続系", "操作ログ", "○", 180, 0, "2026/3/11", "情報政策課"),              # LG-02: 180 days
    ("ファイルサーバ", "LGWAN接続系", "アクセスログ", "×", "", "", "2026/3/11", "情報政策課"),            # LG-01
    ("グループウェア", "インターネット接続系", "アクセスログ", "○", 730, 12, "2026/3/12", "情報政策課"),    # LG-03: 12 days
    ("プロキシサーバ", "インターネット接続系", "通信ログ", "○", 400, 0, "2026/3/12", "情報政策課"),
    ("メール中継サーバ", "インターネット接続系", "通信ログ", "○", 400, 1, "2026/3/12", "情報政策課"),
]
VULN_HEADERS = ["Finding ID", "Host", "System", "Risk", "Name", "First Discovered", "Fixed On", "Status", "Remediation Plan"]
VULNS = [
    ("VA25-0001", "10.30.1.10", "公開Webサーバ", "High", "TLS 1.0/1.1 protocol enabled", "2025-07-08T10:12:45+09:00",
     "2025-07-30T17:05:00+09:00", "Fixed", ""),
    ("VA25-0002", "10.30.1.10", "公開Webサーバ", "Critical", "Web server remote code execution (vendor advisory)",
     "2025-07-08T10:14:02+09:00", "2025-08-20T16:40:00+09:00", "Fixed", ""),                  # VM-02 late: 43 days
    ("VA25-0003", "10.30.1.25", "メール中継サーバ", "Critical", "Mail transfer agent authentication bypass",
     "2026-01-20T11:02:19+09:00", "", "Open", ""),                                             # VM-02 open, VM-03
    ("VA25-0004", "10.30.1.31", "CMSサーバ", "High", "CMS plugin stored XSS", "2026-03-05T14:20:11+09:00", "", "Open",
     "4月の定期保守でプラグインを更新"),                                                         # not yet due, planned
    ("VA25-0005", "10.30.1.31", "CMSサーバ", "Medium", "Directory listing enabled", "2026-01-20T11:30:00+09:00", "",
     "Open", ""),                                                                                # VM-03: no plan
    ("VA25-0006", "10.30.1.25", "メール中継サーバ", "Medium", "Weak SSH key exchange algorithms",
     "2026-01-20T11:31:40+09:00", "", "Open", "次回更改（令和8年10月）で設定変更"),
    ("VA25-0007", "10.30.1.10", "公開Webサーバ", "Low", "HTTP TRACE method allowed", "2025-07-08T10:20:00+09:00", "",
     "Open", ""),
    ("VA25-0008", "10.30.1.10", "公開Webサーバ", "Info", "Web server version disclosure", "2025-07-08T10:21:00+09:00", "",
     "Open", ""),
    ("VA25-0009", "10.30.1.25", "メール中継サーバ", "High", "OpenSSL out of date", "2025-07-08T10:40:00+09:00",
     "2025-08-07T09:00:00+09:00", "Fixed", ""),                                                # exactly 30 days
    ("VA25-0010", "10.30.1.31", "CMSサーバ", "Critical", "Possible SQL injection (login form)", "2026-01-20T11:40:00+09:00",
     "", "False Positive", ""),
]
SCANS = [
    dict(scan_id="VA-2025-01", kind="プラットフォーム診断", target="インターネット接続系 公開サーバ 3台",
         started_on=D(2025, 7, 7), scanned_on=D(2025, 7, 8), vendor="株式会社みなとセキュリティ診断", report_ref="R7-脆診-01"),
    dict(scan_id="VA-2025-02", kind="Webアプリケーション診断", target="市公式ホームページ・CMS", started_on=D(2026, 1, 19),
         scanned_on=D(2026, 1, 20), vendor="株式会社みなとセキュリティ診断", report_ref="R7-脆診-02"),
]
CONTRACT_HEADERS = ["契約番号", "契約件名", "契約相手方", "所管課", "契約区分", "取扱情報の機密性", "契約日", "契約開始日",
                    "契約終了日", "秘密保持", "再委託制限", "事故報告", "監査・検査", "返還・廃棄", "従事者教育", "再委託",
                    "再委託承認", "製品登録区分"]
OK6 = ["○"] * 6
CONTRACTS = [  # id, 件名, 相手方, 所管課, 区分, 機密性, 契約日, 開始, 終了, clauses, 再委託, 承認, 登録
    ("K-2025-001", "住民記録システム運用保守業務", "株式会社さくらシステム開発", "市民課", "保守", "機密性3A",
     D(2025, 3, 25), D(2025, 4, 1), D(2026, 3, 31), OK6, "○", "○", ""),
    ("K-2025-002", "介護保険システム保守業務", "あおば情報サービス株式会社", "介護保険課", "保守", "機密性3A",
     D(2025, 3, 26), D(2025, 4, 1), D(2026, 3, 31), ["○"] * 5 + ["×"], "×", "", ""),           # OC-01: no training clause
    ("K-2025-003", "庁内ネットワーク運用保守業務", "株式会社ひかりネットワークス", "情報政策課", "保守", "機密性2",
     D(2025, 3, 27), D(2025, 4, 1), D(2026, 3, 31), OK6, "○", "", ""),                          # OC-04: not approved
    ("K-2025-004", "市公式ホームページ更新業務", "株式会社みどりデザイン", "企画課", "委託", "機密性1",
     D(2025, 4, 10), D(2025, 4, 15), D(2026, 3, 31), [""] * 6, "×", "", ""),                    # 機密性1: out of scope
    ("K-2025-005", "業務用端末購入", "株式会社やまと商会", "情報政策課", "購入", "",
     D(2025, 6, 2), D(2025, 6, 2), D(2025, 7, 31), [""] * 6, "", "", "JC-STAR"),                 # a purchase: out of scope
    ("K-2025-006", "国民健康保険コールセンター業務", "株式会社つばさテレサービス", "保険年金課", "委託", "機密性3B",
     D(2025, 3, 28), D(2025, 4, 1), D(2026, 3, 31), OK6, "○", "○", ""),                         # OC-02: never checked
    ("K-2025-007", "窓口案内業務", "株式会社つばさテレサービス", "市民課", "委託", "機密性2",
     D(2026, 1, 20), D(2026, 2, 1), D(2027, 3, 31), OK6, "×", "", ""),                          # started 2/1: not yet due
    ("K-2024-011", "統計調査データ入力業務", "株式会社やまと商会", "企画課", "委託", "機密性2",
     D(2024, 6, 3), D(2024, 6, 10), D(2025, 3, 31), [""] * 6, "", "", ""),                       # ended before the FY
    ("K-2025-008", "Web会議サービス利用", "みどりミーティング株式会社", "情報政策課", "クラウド", "機密性2",
     D(2025, 4, 10), D(2025, 4, 15), D(2026, 3, 31), OK6, "×", "", "ISMAP"),
]
CHECK_HEADERS = ["契約番号", "点検日", "点検方法", "結果", "備考"]
CHECKS = [
    ("K-2025-001", "2025/10/20", "立入検査", "適合", "データセンター及び開発拠点を確認"),
    ("K-2025-002", "令和7年11月5日", "報告", "一部適合", "従事者名簿の提出遅れ"),
    ("K-2025-003", "2025/9/30", "書面確認", "適合", ""),
    ("K-2025-006", "2025/3/25", "書面確認", "適合", "前年度契約分（令和6年度）"),                  # FY2024: does not count
    ("K-2025-008", "2026/1/15", "報告", "適合", "ISMAP登録の継続を確認"),
]
CLOUD_HEADERS = ["サービス名", "提供事業者", "所管課", "取扱情報の機密性", "利用承認日", "利用開始日", "ISMAP登録",
                 "テナント制限", "ローカルブレイクアウト"]
CLOUDS = [
    ("あおば電子申請", "あおば情報サービス株式会社", "市民課", "機密性3B", "2024/3/1", "2024/4/1", "○", "○", "×"),
    ("みどりミーティング", "みどりミーティング株式会社", "情報政策課", "機密性2", "2025/5/1", "2025/4/15", "○", "○", "×"),  # OC-03: used first
    ("そらストレージ", "株式会社そらクラウド", "企画課", "機密性2", "2025/6/1", "2025/6/10", "×", "○", "×"),       # OC-03: not ISMAP
    ("うみの観光CMS", "株式会社うみのウェブ", "商工観光課", "機密性1", "", "2023/7/1", "×", "×", "×"),            # 機密性1
    ("ひばり文書要約AI", "ひばりAI株式会社", "企画課", "機密性2", "2025/11/4", "2025/11/10", "○", "○", "×"),     # ISMAP-LIU
]
WLAN_HEADERS = ["SSID", "接続系", "暗号化方式", "認証方式", "専用SSID", "設置場所"]
WLANS = [
    ("SKR-LGWAN", "LGWAN接続系", "WPA3-Enterprise", "EAP-TLS", "○", "本庁舎2〜4階 会議室"),         # R7.3 conditions met
    ("SKR-OFFICE", "インターネット接続系", "WPA2-Enterprise", "PEAP", "○", "本庁舎全フロア"),
    ("SKR-GUEST", "インターネット接続系", "WPA2-Personal", "事前共有鍵", "○", "本庁舎1階 市民ロビー"),  # Internet zone: no conditions
]

FILES = [  # path, kind, provided_by, collected_on, extra manifest keys
    ("ad_accounts.csv", "accounts", "情報政策課（ディレクトリ管理）", D(2026, 3, 27), {
        "header_row": 2,
        "columns": {"SamAccountName": "account_id", "DisplayName": "name", "EmployeeID": "staff_id", "Department": "unit",
                    "Domain": "system", "Zone": "zone", "Enabled": "enabled", "SmartcardLogonRequired": "mfa",
                    "AdminCount": "privileged", "whenCreated": "created_on", "LastLogonDate": "last_login_on",
                    "ReviewedOn": "reviewed_on"}}),
    ("ログ取得状況一覧.csv", "log_sources", "情報政策課", "令和8年3月12日", {
        "columns": {"システム名": "system", "系": "zone", "ログ種別": "log_type", "取得": "logging",
                    "保存期間（日）": "retention_days", "最長欠損日数": "longest_gap_days", "確認日": "checked_on",
                    "所管課": "unit"}}),
    ("vuln_scan_export.csv", "vulnerabilities", "情報政策課（診断事業者）", "2026/3/16", {
        "columns": {"Finding ID": "finding_id", "Host": "host", "System": "system", "Risk": "severity", "Name": "title",
                    "First Discovered": "found_on", "Fixed On": "fixed_on", "Status": "status",
                    "Remediation Plan": "plan"}}),
    ("脆弱性診断実施記録.yaml", "vulnerability_scans", "情報政策課", D(2026, 3, 16), {}),
    ("委託契約台帳.xlsx", "contracts", "契約管財課（各課取りまとめ）", "R8.3.13", {
        "sheet": "委託契約台帳", "header_row": 3,
        "columns": dict(zip(CONTRACT_HEADERS, ["contract_id", "subject", "vendor", "unit", "contract_type",
                                               "data_confidentiality", "signed_on", "starts_on", "ends_on",
                                               "clause_confidentiality", "clause_subcontracting", "clause_incident_report",
                                               "clause_audit", "clause_return", "clause_training", "subcontracting",
                                               "subcontract_approved", "product_registry"]))}),
    ("委託先点検記録.csv", "contractor_checks", "情報政策課", "2026/3/13", {
        "encoding": "cp932",
        "columns": {"契約番号": "contract_id", "点検日": "checked_on", "点検方法": "method", "結果": "result", "備考": "note"}}),
    ("クラウドサービス利用台帳.csv", "cloud_services", "情報政策課", D(2026, 3, 13), {
        "columns": dict(zip(CLOUD_HEADERS, ["service", "vendor", "unit", "data_confidentiality", "approved_on", "started_on",
                                            "ismap_listed", "tenant_restriction", "local_breakout"]))}),
    ("無線LAN設定一覧.csv", "wireless_lans", "情報政策課（ネットワーク保守事業者）", "2026/3/3", {
        "columns": {"SSID": "ssid", "接続系": "zone", "暗号化方式": "security", "認証方式": "authentication",
                    "専用SSID": "dedicated", "設置場所": "location"}}),
]


def write_csv(name: str, header: list, rows, encoding: str, newline: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    (OUT / name).write_bytes(buf.getvalue().encode(encoding))


def write_contracts() -> None:
    """Title on row 1 (merged), a note on row 2, the header on row 3; dates as date cells, blanks as empty cells."""
    rows = [[c[0], c[1], c[2], c[3], c[4], c[5] or None, c[6], c[7], c[8], *[v or None for v in c[9]],
             c[10] or None, c[11] or None, c[12] or None] for c in CONTRACTS]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "委託契約台帳"
    ws.append(["令和7年度 委託契約台帳（情報セキュリティ条項点検欄付き）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CONTRACT_HEADERS))
    ws.append(["○ = 条項あり、× = 条項なし。機密性1のみを扱う契約と物品購入は条項点検の対象外。"])
    for row in [CONTRACT_HEADERS] + rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy/m/d"
    wb.properties.creator = "さくら台市"
    wb.properties.created = wb.properties.modified = base.FIXED_TS
    out = io.BytesIO()
    base.ExcelWriter(wb, base._FixedZip(out, "w", base.zipfile.ZIP_DEFLATED)).save()
    (OUT / "委託契約台帳.xlsx").write_bytes(out.getvalue())


def write_manifest() -> None:
    """Write these files' entries into manifest.yaml where an earlier run put them (else last), replacing them."""
    path = OUT / "manifest.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    ours = {f"- path: {name}\n" for name, *_ in FILES}
    kept, at, skipping = [], None, False
    for line in lines:
        if line.startswith("- ") or line.startswith("#"):
            skipping = line in ours
            if skipping and at is None:
                at = len(kept)
        if not skipping:
            kept.append(line)
    entries = []
    for name, kind, who, when, extra in FILES:
        entry = dict(path=name, kind=kind, provided_by=who, collected_on=when)
        entry |= {k: (base.Flow(v) if isinstance(v, dict) else v) for k, v in extra.items()}
        entries.append(entry)
    block = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    at = len(kept) if at is None else at
    path.write_text("".join(kept[:at]) + block + "".join(kept[at:]), encoding="utf-8")


def main() -> None:
    write_ad(accounts(roster()))
    write_csv("ログ取得状況一覧.csv", LOG_HEADERS, LOGS, "utf-8-sig", "\r\n")
    write_csv("vuln_scan_export.csv", VULN_HEADERS, VULNS, "utf-8", "\n")
    text = yaml.safe_dump(SCANS, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    (OUT / "脆弱性診断実施記録.yaml").write_text("# 脆弱性診断 実施記録（令和7年度）\n" + text, encoding="utf-8")
    write_contracts()
    write_csv("委託先点検記録.csv", CHECK_HEADERS, CHECKS, "cp932", "\r\n")
    write_csv("クラウドサービス利用台帳.csv", CLOUD_HEADERS, CLOUDS, "utf-8-sig", "\r\n")
    write_csv("無線LAN設定一覧.csv", WLAN_HEADERS, WLANS, "utf-8", "\n")
    write_manifest()


if __name__ == "__main__":
    main()
