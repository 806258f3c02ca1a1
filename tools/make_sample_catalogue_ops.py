#!/usr/bin/env python3
"""`python tools/make_sample_catalogue_ops.py`: rewrite the sample city's registers for the asset, physical
and operations controls (auditor/controls/09-*.yaml) in evidence/FY2025/, and their manifest entries.

The forms the offices hand over: 情報資産台帳.xlsx and インシデント管理台帳.xlsx with a title row and a blank
row above the header, 記録媒体管理台帳.xlsx with a title row only, 入室許可者一覧.xlsx, the card system's
入退室記録.csv and the contractor-filled 機器廃棄記録.csv in CP932 with CRLF, リスク評価実施記録.csv in
UTF-8 with a BOM, 例外措置申請台帳.csv in UTF-8. 和暦 strings in some cells, ○/×, full-width class names,
units by name or by code, 備考 columns the manifest does not map. Names are fictitious (staff names come
from the roster, 職員名簿.xlsx); no cell holds a 12-digit number. The planted gaps and the boundary cases
that must pass are listed in evidence/README.md and asserted in tests/test_sample_catalogue_ops.py.

Called by tools/make_sample.py after the roster and the manifest are written (each entry is replaced,
never doubled); byte-identical on every run (fixed xlsx properties and zip timestamps). Prints the line of
every row it was asked to report.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

OUT = Path(__file__).resolve().parent.parent / "evidence" / "FY2025"
D = dt.date
FIXED_TS = dt.datetime(2026, 3, 6, 9, 0, 0)


def roster_names() -> dict:
    ws = openpyxl.load_workbook(OUT / "職員名簿.xlsx", read_only=True)["職員名簿"]
    return {r[0]: r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}


# ---------------------------------------------------------------- 情報資産台帳.xlsx (assets)
ASSET_COLUMNS = {"資産番号": "asset_id", "情報資産名": "name", "所管課": "unit", "管理者": "owner", "保管場所": "location",
                 "接続系": "zone", "機密性": "confidentiality", "完全性": "integrity", "可用性": "availability",
                 "個人情報": "holds_personal_data", "特定個人情報": "holds_my_number", "備考": ""}
MY, LG, NET = "マイナンバー利用事務系", "LGWAN接続系", "インターネット接続系"
# (資産番号, 名称, 所管課, 管理者, 保管場所, 接続系, 機密性, 完全性, 可用性, 個人情報, 特定個人情報, 備考)
ASSETS = [
    ("IA-0110-01", "文書管理システムのデータ", "総務課", "総務課長", "LGWAN系サーバ（庁舎サーバ室）", LG, "3C", 2, 1, "○", "×", None),
    ("IA-0110-02", "公文書（紙・保存期間中）", "総務課", "総務課長", "文書庫（地下1階）", None, "3C", 2, 1, "○", "×", None),
    ("IA-0120-01", "人事給与システムのデータ", "人事課", "人事課長", "LGWAN系サーバ（庁舎サーバ室）", LG, "3B", 2, 2, "○", "○", None),
    ("IA-0120-02", "職員の健康診断記録", "人事課", "人事課長", "人事課 施錠書庫", None, "機密性3B", 2, 1, "○", "×", None),
    ("IA-0130-01", "予算編成資料", "財政課", "財政課長", "ファイルサーバ（財政課フォルダ）", LG, "2", 1, 1, "×", "×", None),
    ("IA-0210-01", "総合計画の策定資料", "企画課", "企画課長", "ファイルサーバ（企画課フォルダ）", LG, "2", 1, 1, "×", "×", None),
    ("IA-0210-02", "市民アンケートの個票", "企画課", "企画課長", "LGWAN系ファイルサーバ", LG, "3C", 1, 1, "○", "×", "集計結果のみ公表"),
    ("IA-0220-01", "ネットワーク構成図・機器設定", "情報政策課", "情報政策課長", "LGWAN系ファイルサーバ", LG, "３Ｂ", 2, 2, "×", "×", None),
    ("IA-0220-02", "ホームページのコンテンツ", "情報政策課", "情報政策課長", "CMS（インターネット接続系）", NET, "1", 2, 2, "×", "×", None),
    ("IA-0220-03", "メールマガジン配信先リスト", "情報政策課", "情報政策課長", "配信サービス（インターネット接続系）", NET, "3C", 1, 1, "○", "×", "登録者のメールアドレス"),
    ("IA-0220-04", "FW・プロキシのログ", "情報政策課", "情報政策課長", "ログサーバ（庁舎サーバ室）", LG, "2", 2, 1, "×", "×", None),
    ("IA-0310-01", "住民基本台帳システムのデータ", "市民課", "市民課長", "住基サーバ（庁舎サーバ室）", MY, "3A", 2, 2, "○", "○", None),
    ("IA-0310-02", "転入・転出届（紙）", "市民課", "市民課長", "市民課 施錠書庫", None, "3A", 2, 1, "○", "○", "個人番号の記載あり"),
    ("IA-0310-03", "窓口の受付記録", "市民課", "市民課長", "窓口受付システム", LG, "機密性3C", 1, 1, "○", "×", None),
    ("IA-0320-01", "課税台帳のデータ", "税務課", "税務課長", "税務サーバ（電算室）", MY, "3A", 2, 2, "○", "○", None),
    ("IA-0320-02", "申告書（紙）", "税務課", "税務課長", "税務課 施錠書庫", None, "3A", 2, 1, "○", "○", None),
    ("IA-0330-01", "国民健康保険の資格・賦課データ", "保険年金課", "保険年金課長", "国保サーバ（庁舎サーバ室）", MY, "3A", 2, 2, "○", "○", None),
    ("IA-0410-01", "生活保護のケース記録", "福祉課", "福祉課長", "福祉システム（庁舎サーバ室）", MY, "3A", 2, 1, "○", "○", None),
    ("IA-0420-01", "児童手当の受給者データ", "子育て支援課", "子育て支援課長", "福祉システム（庁舎サーバ室）", MY, "3A", 2, 1, "○", "○", None),
    ("IA-0430-01", "介護保険の認定データ", "介護保険課", "介護保険課長", "介護保険システム（庁舎サーバ室）", MY, "3A", 2, 1, "○", "○", None),
    ("IA-0510-01", "道路台帳", "0510", "道路課長", "道路台帳システム", LG, "2", 2, 1, "×", "×", None),
    ("IA-0510-02", "道路占用許可の台帳", "道路課", "道路課長", "ファイルサーバ（道路課フォルダ）", LG, "3C", 2, None, "○", "×", None),  # AM-01
    ("IA-0520-01", "都市計画図", "都市計画課", "都市計画課長", "公開GIS（インターネット接続系）", NET, "1", 2, 1, "×", "×", None),
    ("IA-0610-01", "観光パンフレットの原稿", "商工観光課", "商工観光課長", "ファイルサーバ（商工観光課フォルダ）", LG, "1", 1, 1, "×", "×", None),
    ("IA-0610-02", "プレミアム商品券の購入者名簿", "商工観光課", "商工観光課長", "LGWAN系ファイルサーバ", LG, "2", 1, 1, "○", "×", None),  # AM-04
    ("IA-0620-01", "農地台帳", "農林課", "農林課長", "農地台帳システム", LG, "機密性3", 2, 1, "○", "×", "分類の見直し未了"),  # AM-01
    ("IA-0710-01", "支払データ（口座情報を含む）", "会計課", "会計管理者", "財務会計システム", LG, "3B", 2, 2, "○", "×", None),
]
ASSET_REPORT = {"IA-0510-02", "IA-0610-02", "IA-0620-01", "IA-0220-03", "IA-0310-02", "IA-0220-01", "IA-0510-01"}

# ---------------------------------------------------------------- リスク評価実施記録.csv (risk_assessments)
RISK_COLUMNS = {"評価番号": "assessment_id", "所管課": "unit", "評価対象": "scope", "実施日": "assessed_on",
                "承認日": "approved_on", "承認者": "approved_by", "高リスク件数": "high_risks", "対応計画": "treatment_plan",
                "次回予定": "next_on"}
RISKS = [
    ("RA-2024-01", "情報政策課", "全庁の情報資産（令和6年度）", "2024/12/6", "2024/12/20", "CISO（副市長）", "2", "RT-2024-01 リスク対応計画", "2025/12/31"),
    ("RA-2025-01", "情報政策課", "全庁の情報資産（令和7年度）", "2025/12/5", "令和7年12月19日", "CISO（副市長）", "3", "RT-2025-01 リスク対応計画", "2026/12/31"),
    ("RA-2025-02", "市民課", "住民記録システムの更改", "2025/9/10", "2025/9/30", "市民部長", "0", "", "2026/9/30"),
    ("RA-2025-03", "0320", "課税システムのガバメントクラウド移行", "R8.2.20", "R8.3.10", "CISO（副市長）", "2", "", "2026/9/30"),  # RA-01
]

# ---------------------------------------------------------------- 機器廃棄記録.csv (disposals), CP932
DISPOSAL_COLUMNS = {"廃棄番号": "disposal_id", "資産番号": "asset_id", "所管課": "unit", "品名": "item", "媒体種別": "media_type",
                    "機密性": "confidentiality", "消去方法": "method", "作業者": "operator", "立会者": "witness",
                    "廃棄日": "disposed_on", "消去証明書番号": "certificate_no", "備考": ""}
RECYCLE, SHRED = "さくら台リサイクル（株）", "（株）みどり溶解センター"
DISPOSALS = [
    ("DS-2024-11", "PC-0903", "税務課", "業務端末（更新前）", "HDD", "3A", "物理破壊", RECYCLE, "", "2025/2/14", "", "令和6年度分"),
    ("DS-2025-01", "PC-0911", "市民課", "業務端末（更新前）", "HDD", "3A", "物理破壊", RECYCLE, "S00043", "2025/5/20", "ER-25-0101", None),
    ("DS-2025-02", "PC-0912", "市民課", "業務端末（更新前）", "SSD", "３Ａ", "物理破壊", RECYCLE, "S00043", "2025/5/20", "ER-25-0102", None),
    ("DS-2025-03", "PC-0921", "情報政策課", "会議室用端末", "SSD", "3C", "上書き消去", RECYCLE, "S00111", "2025/6/18", "ER-25-0115", None),
    ("DS-2025-04", "SV-0302", "税務課", "旧税務サーバのHDD", "HDD", "3A", "上書き消去", RECYCLE, "S00044", "2025/7/9", "ER-25-0131", "データ消去ソフトで3回上書き"),  # AM-06
    ("DS-2025-05", "SV-0103", "情報政策課", "旧ファイルサーバのHDD", "HDD", "3B", "消磁", RECYCLE, "S00093", "2025/7/9", "ER-25-0132", None),
    ("DS-2025-06", "PC-0931", "福祉課", "ケースワーカー用端末", "HDD", "3A", "物理破壊", RECYCLE, "S00045", "2025/8/27", "", "証明書未着"),  # AM-03
    ("DS-2025-07", "", "保険年金課", "申請書類（保存期間満了）", "紙文書", "3B", "溶解", SHRED, "S00056", "2025/9/12", "YK-0912", None),
    ("DS-2025-08", "USB-0110-03", "総務課", "USBメモリ（故障）", "USBメモリ", "1", "初期化", "総務課", "", "2025/10/3", "", "機密性1の資料のみ記録"),
    ("DS-2025-09", "PC-0941", "財政課", "予算編成用端末", "SSD", "機密性2", "暗号化消去", RECYCLE, "", "2025/11/20", "ER-25-0177", None),  # AM-03
    ("DS-2025-10", "SV-0105", "情報政策課", "旧メールサーバのHDD", "HDD", "2", "上書き消去", RECYCLE, "S00139", "2026/1/15", "ER-26-0003", None),
    ("DS-2025-11", "", "保険年金課", "窓口の受付控え（紙）", "紙", "3B", "一般廃棄", "保険年金課", "S00081", "2026/2/6", "", "可燃ごみとして処分"),  # AM-06
    ("DS-2025-12", "", "総務課", "配布資料の余部", "紙", "1", "一般廃棄", "総務課", "", "2026/3/2", "", None),
]

# ---------------------------------------------------------------- 記録媒体管理台帳.xlsx (removable_media)
MEDIA_COLUMNS = {"媒体番号": "media_id", "所管課": "unit", "種別": "media_type", "登録日": "registered_on", "管理者": "holder",
                 "暗号化": "encrypted", "記録できる情報": "max_confidentiality", "状態": "status",
                 "最終棚卸日": "last_inventory_on", "備考": ""}
COUNT = D(2025, 10, 15)  # the year's count
MEDIA = [
    ("USB-0110-01", "総務課", "USBメモリ", D(2021, 4, 1), "S00018", "○", "機密性2", "使用中", COUNT, None),
    ("USB-0110-03", "総務課", "USBメモリ", D(2021, 4, 1), "S00018", "○", "機密性1", "廃棄", D(2024, 10, 16), "令和7年10月3日廃棄（DS-2025-08）"),
    ("USB-0120-01", "人事課", "USBメモリ", D(2022, 4, 1), "S00012", "○", "機密性3B", "保管中", COUNT, None),
    ("USB-0220-01", "情報政策課", "USBメモリ", D(2020, 4, 1), "S00078", "○", "機密性3B", "使用中", COUNT, None),
    ("HDD-0220-01", "情報政策課", "外付けHDD", D(2022, 10, 1), "S00093", "○", "機密性3B", "保管中", COUNT, "バックアップ用"),
    ("DVD-0220-01", "情報政策課", "DVD-R", D(2023, 4, 1), "S00093", "×", "機密性1", "保管中", COUNT, "配布用ソフトウェア"),
    ("USB-0310-01", "市民課", "USBメモリ", D(2022, 4, 1), "S00031", "○", "機密性3A", "使用中", COUNT, "PC-0041 連携用（EX-2025-01）"),
    ("USB-0310-02", "市民課", "USBメモリ", D(2022, 4, 1), "S00031", "○", "機密性3A", "紛失", D(2024, 10, 16), "令和7年8月19日紛失（IN-2025-03）"),
    ("USB-0320-01", "税務課", "USBメモリ", D(2023, 4, 1), "S00016", "○", "機密性3A", "使用中", COUNT, None),
    ("USB-0420-01", "子育て支援課", "USBメモリ", D(2023, 4, 1), "S00034", "○", "機密性3A", "保管中", COUNT, None),
    ("USB-0420-02", "子育て支援課", "USBメモリ", D(2023, 4, 1), "S00037", "○", "機密性3A", "所在不明", COUNT, "令和8年1月の点検で所在不明"),  # MD-03
    ("USB-0510-01", "0510", "USBメモリ", D(2021, 4, 1), "S00020", "○", "機密性2", "使用中", D(2025, 3, 14), None),  # MD-01
    ("SD-0520-01", "都市計画課", "SDカード", D(2024, 4, 1), "S00046", "○", "機密性1", "使用中", COUNT, "現地調査用カメラ"),
    ("USB-0620-01", "農林課", "USBメモリ", D(2026, 2, 10), "S00017", "○", "機密性2", "使用中", None, "令和8年2月購入"),
    ("USB-0710-01", "会計課", "USBメモリ", D(2022, 4, 1), "S00014", "○", "機密性3B", "保管中", "令和7年10月15日", None),
]

# ---------------------------------------------------------------- 入室許可者一覧.xlsx (authorised_entrants)
PERMIT_COLUMNS = {"室名": "room", "許可者ID": "person_id", "氏名": "name", "区分": "entrant_type", "所属": "unit",
                  "会社名": "affiliation", "許可開始日": "from", "許可終了日": "to", "承認者": "approved_by", "備考": ""}
NET_CO, AIR_CO, CLEAN_CO = "（株）さくらネットワーク保守", "東和空調サービス（株）", "（有）ひかりビルメンテナンス"
STAFF_PERMITS = [("サーバ室", s, "情報政策課") for s in ("S00078", "S00093", "S00111", "S00139", "S00182", "S00187")] + \
    [("電算室", s, "税務課") for s in ("S00016", "S00044")] + [("電算室", "S00093", "情報政策課")]
PERMITS = [(room, pid, None, "職員", unit, None, D(2020, 4, 1), None, "CISO（副市長）", None) for room, pid, unit in STAFF_PERMITS] + [
    ("電算室", "S00002", None, "職員", "税務課", None, D(2019, 4, 1), None, "CISO（副市長）", None),           # PH-03: left 2025-03-31
    ("サーバ室", "V-201", "高木 浩平", "委託業者", None, NET_CO, D(2025, 4, 1), D(2026, 3, 31), "情報政策課長", "ネットワーク保守"),
    ("サーバ室", "V-202", "村田 恭子", "委託業者", None, NET_CO, D(2025, 4, 1), D(2026, 3, 31), "情報政策課長", "ネットワーク保守"),
    ("サーバ室", "V-203", "大野 隼人", "委託業者", None, AIR_CO, D(2025, 4, 1), "令和7年9月30日", "情報政策課長", "空調更新工事"),
    ("サーバ室", "V-204", "小島 里美", "委託業者", None, CLEAN_CO, D(2024, 4, 1), None, "情報政策課長", "清掃"),   # PH-03
    ("電算室", "V-301", "高木 浩平", "委託業者", None, NET_CO, D(2025, 4, 1), D(2026, 3, 31), "税務課長", None),
]

# ---------------------------------------------------------------- 入退室記録.csv (entry_logs), CP932
ENTRY_COLUMNS = {"通番": "entry_id", "日付": "entered_on", "室名": "room", "カード番号": "", "入室者ID": "person_id",
                 "氏名": "name", "所属・会社": "affiliation", "入室時刻": "entered_time", "退室日": "left_on",
                 "退室時刻": "left_time", "同行者ID": "escort_id", "目的": "purpose"}
VISITORS = {"G-01": ("川口 美和", "さくら台市監査委員事務局"), "G-02": ("森田 航", "みなと町 情報担当")}


def entries(names: dict) -> list[tuple]:
    """The server-room and 電算室 log of the year, in time order: (通番, …) rows; planted rows tagged."""
    rows = []

    def add(day, room, pid, t_in, t_out, purpose, escort="", left=None, affiliation=None, name=None):
        staff = pid.startswith("S")
        name = name or (names.get(pid) if staff else VISITORS.get(pid, (None,))[0] if pid.startswith("G") else
                        {"V-201": "高木 浩平", "V-202": "村田 恭子", "V-203": "大野 隼人", "V-204": "小島 里美",
                         "V-301": "高木 浩平"}.get(pid))
        affiliation = affiliation or ("税務課" if pid in ("S00016", "S00044") else "情報政策課" if staff else
                                      VISITORS[pid][1] if pid.startswith("G") else
                                      {"V-203": AIR_CO, "V-204": CLEAN_CO}.get(pid, NET_CO))
        left_on = "" if t_out == "" else f"{(left or day).year}/{(left or day).month}/{(left or day).day}"
        rows.append([f"{day.year}/{day.month}/{day.day}", room, f"C{len(rows) + 301:05d}", pid, name, affiliation,
                     t_in, left_on, t_out, escort, purpose])

    day = D(2025, 4, 7)
    staff = ["S00078", "S00093", "S00111", "S00139", "S00182", "S00187"]
    while day <= D(2026, 3, 27):                        # weekly check of the server room
        add(day, "サーバ室", staff[day.isocalendar()[1] % len(staff)], "9:05", "9:40", "定期点検")
        if day.day <= 7:                                # monthly maintenance by the contractor
            add(day + dt.timedelta(days=1), "サーバ室", "V-201" if day.month % 2 else "V-202", "13:30", "16:10", "ネットワーク機器保守")
            add(day + dt.timedelta(days=2), "電算室", "S00044", "10:00", "10:20", "税務サーバ点検")
        if day == D(2025, 9, 29):
            add(D(2025, 9, 30), "サーバ室", "V-203", "9:00", "17:00", "空調更新工事（最終日）")        # boundary: last day allowed
        if day == D(2025, 10, 13):
            add(D(2025, 10, 14), "サーバ室", "V-203", "10:00", "11:30", "空調の手直し")            # PH-01: permission ended 9/30
        if day == D(2025, 11, 3):
            add(D(2025, 11, 8), "サーバ室", "S00093", "22:30", "1:40", "障害対応（夜間）", left=D(2025, 11, 9))  # boundary: past midnight
            add(D(2025, 11, 6), "サーバ室", "G-01", "14:00", "14:45", "情報セキュリティ監査（現地確認）", escort="S00078")
        if day == D(2025, 12, 1):
            add(D(2025, 12, 4), "サーバ室", "S00040", "15:10", "15:25", "貸出用プロジェクターの返却",
                affiliation="商工観光課")                                                     # PH-01: not allowed, alone
        if day == D(2025, 12, 22):
            add(D(2025, 12, 26), "サーバ室", "V-202", "14:00", "", "年末の機器点検")                # PH-02: no exit
        if day == D(2026, 1, 26):
            add(D(2026, 1, 29), "サーバ室", "G-02", "10:30", "11:00", "視察（他団体）", escort="S00111")
        day += dt.timedelta(days=7)
    add(D(2026, 3, 31), "サーバ室", "S00139", "17:20", "", "年度末のバックアップ確認")                # boundary: open on as_of
    rows.sort(key=lambda r: (D(*map(int, r[0].split("/"))), int(r[6].split(":")[0]), int(r[6].split(":")[1])))
    return [[f"{i + 1:05d}"] + r for i, r in enumerate(rows)]


# ---------------------------------------------------------------- インシデント管理台帳.xlsx (incidents)
INCIDENT_COLUMNS = {"管理番号": "incident_id", "所管課": "unit", "区分": "category", "関連資産番号": "asset_id",
                    "発生日": "occurred_on", "覚知日": "detected_on", "報告日": "reported_on", "報告までの時間": "hours_to_report",
                    "CSIRT対応": "csirt_involved", "個人情報": "personal_data", "特定個人情報": "specific_personal_data",
                    "不正目的": "improper_purpose", "影響人数": "affected", "速報日": "ppc_prelim_on", "確報日": "ppc_final_on",
                    "原因": "cause", "再発防止策": "recurrence_measures", "状況": "status", "完了日": "closed_on"}
INCIDENTS = [
    ("IN-2024-07", "情報政策課", "マルウェア", None, D(2025, 2, 3), D(2025, 2, 3), D(2025, 2, 3), 1, "○", "×", "×", None, None,
     None, None, "不審メールの添付ファイル", "添付ファイルの無害化を徹底", "完了", D(2025, 2, 28)),
    ("IN-2025-01", "子育て支援課", "誤送付", None, D(2025, 5, 14), D(2025, 5, 15), D(2025, 5, 15), 3, "○", "○", "×", None, 1,
     None, None, "宛名の確認漏れ", "封入時の二人確認", "完了", D(2025, 6, 10)),
    ("IN-2025-02", "情報政策課", "マルウェア", "PC-0007", D(2025, 6, 24), D(2025, 6, 24), D(2025, 6, 24), 2, "○", "×", "×", None, None,
     None, None, "標的型メールの添付を開封", "訓練の追加実施・EDR の検知ルール更新", "完了", D(2025, 7, 18)),
    ("IN-2025-03", "市民課", "紛失", "USB-0310-02", D(2025, 8, 18), D(2025, 8, 19), D(2025, 8, 19), 5, "○", "○", "○", None, 35,
     D(2025, 8, 21), D(2025, 9, 17), "持出し後の所在確認の不備", "暗号化USBの持出し簿による管理", "完了", D(2025, 9, 30)),
    ("IN-2025-04", "市民課", "誤交付", None, D(2025, 10, 6), D(2025, 10, 6), D(2025, 10, 6), 2, "○", "○", "○", None, 1,
     D(2025, 10, 8), None, "本人確認の手順の省略", "交付前の読み合わせ", "対応中", None),                   # IR-02: no final report
    ("IN-2025-05", "保険年金課", "誤送信", None, D(2025, 10, 20), D(2025, 10, 21), D(2025, 10, 22), 30, "○", "○", "×", None, 12,
     None, None, "メールの宛先をBCCにしなかった", "一斉送信の手順を改定", "完了", D(2025, 11, 28)),          # IR-01: 30 hours
    ("IN-2025-06", "道路課", "システム障害", None, D(2025, 11, 11), D(2025, 11, 11), D(2025, 11, 11), 4, "×", "×", "×", None, None,
     None, None, "ディスクの故障", "保守契約に予備部品を追加", "完了", D(2025, 11, 14)),                    # IR-04: no CSIRT
    ("IN-2025-07", "福祉課", "紛失", None, D(2025, 12, 2), D(2025, 12, 3), D(2025, 12, 3), 6, "○", "○", "×", None, 1,
     None, None, "訪問先での書類の置き忘れ", None, "完了", D(2026, 1, 15)),                                # IR-04: no measures
    ("IN-2025-08", "情報政策課", "不正アクセス", None, D(2026, 1, 13), D(2026, 1, 13), "令和8年1月14日", None, "○", "×", "×", None, None,
     None, None, "公開サーバへの総当たり攻撃（遮断済み）", "接続元の制限を追加", "完了", D(2026, 2, 2)),       # boundary: next day, no hours
    ("IN-2025-09", "会計課", "誤送付", None, D(2026, 2, 9), D(2026, 2, 9), D(2026, 2, 10), 24, "○", "○", "×", None, 1,
     None, None, "支払通知の封入誤り", "封入機の設定確認", "完了", D(2026, 3, 6)),                         # boundary: exactly 24 hours
    ("IN-2025-10", "介護保険課", "誤送付", None, D(2026, 3, 27), D(2026, 3, 27), D(2026, 3, 27), 1, "○", "○", "○", None, 1,
     None, None, "調査中", None, "対応中", None),                                                       # boundary: reports not yet due
]

# ---------------------------------------------------------------- 例外措置申請台帳.csv (exception_requests)
EXCEPTION_COLUMNS = {"申請番号": "request_id", "申請課": "unit", "対象": "control", "内容": "subject", "理由": "reason",
                     "申請日": "applied_on", "承認日": "approved_on", "承認者": "approver", "判定": "decision",
                     "適用開始日": "valid_from", "適用終了日": "valid_until", "見直し日": "reviewed_on", "終了確認日": "closed_on"}
CISO = "CISO（副市長）"
EXCEPTIONS = [
    ("EX-2024-03", "情報政策課", "6.3", "旧グループウェアの延長利用", "後継システムの調達待ち", "2024/3/1", "2024/3/8", CISO, "承認",
     "2024/4/1", "2025/3/31", "2024/10/1", "2025/4/1"),
    ("EX-2024-07", "税務課", "NS-06", "端末PC-0052の外部記録媒体への書出し", "税務システム更改に伴うデータ移行作業", "2024/6/20", "2024/6/26",
     CISO, "承認", "2024/7/1", "2025/12/31", "2025/6/30", ""),                                           # PR-03: 18 months, not closed
    ("EX-2025-01", "市民課", "NS-06", "端末PC-0041でのUSBメモリ（USB-0310-01）の使用", "住民票写し交付の電子化移行期間",
     "2025/9/16", "2025/9/24", CISO, "承認", "2025/10/1", "2026/9/30", "2026/3/24", ""),                    # boundary: reviewed
    ("EX-2025-02", "情報政策課", "6.1", "旧ファイルサーバ（OSサポート終了）の延長利用", "移行先の構築待ち", "2025/4/3", "2025/4/10", CISO,
     "承認", "2025/4/10", "2026/3/31", "2025/10/15", ""),                                                # boundary: ends on as_of
    ("EX-2025-03", "企画課", "5.1", "Web会議への私物端末の利用", "市民参加のオンライン会議", "2025/5/12", "2025/5/20", CISO, "承認",
     "2025/5/15", "2025/11/30", "", "2025/12/1"),                                                       # PR-03: used before approval
    ("EX-2025-04", "農林課", "2.2", "現地調査用タブレットへの業務データの保存", "山間部の通信環境", "2025/6/2", "2025/6/6", CISO, "承認",
     "2025/6/9", "2026/6/8", "", ""),                                                                   # PR-04: never reviewed
    ("EX-2025-05", "会計課", "NS-06", "端末からの書出し", "決算資料の作成", "2025/7/1", "", "", "却下", "", "", "", ""),
]


# ---------------------------------------------------------------- writers
class _FixedZip(zipfile.ZipFile):
    """ZipFile stamping every member with one time and mode (openpyxl uses now() and temp files)."""

    def open(self, name, mode="r", *args, **kwargs):
        if mode == "w" and isinstance(name, zipfile.ZipInfo):
            name.date_time, name.external_attr = FIXED_TS.timetuple()[:6], 0o600 << 16
        return super().open(name, mode, *args, **kwargs)


def write_xlsx(name: str, sheet: str, title: str, blank_rows: int, header: list, rows: list) -> int:
    """Title row (merged), blank rows, header, data; returns the data's first Excel row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for row in [[]] * blank_rows + [header] + [list(r) for r in rows]:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy/m/d"
    wb.properties.creator = "さくら台市"
    wb.properties.created = wb.properties.modified = FIXED_TS
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buf, "w", zipfile.ZIP_DEFLATED)).save()  # bypasses save_workbook's now()
    (OUT / name).write_bytes(buf.getvalue())
    return blank_rows + 3


def write_csv(name: str, header: list, rows: list, encoding: str, newline: str) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in r] for r in rows])
    (OUT / name).write_bytes(buf.getvalue().encode(encoding))
    return 2


# (path, kind, provided_by, collected_on, columns, extra manifest lines)
ENTRIES = [
    ("情報資産台帳.xlsx", "assets", "情報政策課（各課取りまとめ）", "令和8年3月6日", ASSET_COLUMNS,
     ["sheet: 情報資産台帳", "header_row: 3"]),
    ("リスク評価実施記録.csv", "risk_assessments", "情報政策課", "2026/3/6", RISK_COLUMNS, []),
    ("機器廃棄記録.csv", "disposals", "情報政策課（廃棄委託事業者の報告を転記）", "2026/3/6", DISPOSAL_COLUMNS, ["encoding: cp932"]),
    ("記録媒体管理台帳.xlsx", "removable_media", "情報政策課（各課取りまとめ）", "令和8年3月6日", MEDIA_COLUMNS,
     ["sheet: 媒体管理台帳", "header_row: 2"]),
    ("入室許可者一覧.xlsx", "authorised_entrants", "情報政策課", "令和8年3月6日", PERMIT_COLUMNS,
     ["sheet: 入室許可者一覧", "header_row: 3"]),
    ("入退室記録.csv", "entry_logs", "情報政策課（入退室管理システム）", "R8.3.31", ENTRY_COLUMNS, []),
    ("インシデント管理台帳.xlsx", "incidents", "情報政策課（CSIRT事務局）", "令和8年3月30日", INCIDENT_COLUMNS,
     ["sheet: インシデント管理台帳", "header_row: 3"]),
    ("例外措置申請台帳.csv", "exception_requests", "情報政策課", "2026/3/27", EXCEPTION_COLUMNS, []),
]


def manifest_entry(path, kind, who, when, columns, extra) -> str:
    mapped = ", ".join(f"{raw}: {field}" for raw, field in columns.items() if field)
    lines = [f"- path: {path}", f"  kind: {kind}", f"  provided_by: {who}", f"  collected_on: {when}"]
    lines += [f"  {e}" for e in extra] + [f"  columns: {{{mapped}}}"]
    return "\n".join(lines) + "\n"


def write_manifest_entries() -> None:
    """Put this script's entries last in manifest.yaml (files: is its last key), replacing earlier ones."""
    path = OUT / "manifest.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    mine = {f"- path: {e[0]}\n" for e in ENTRIES}
    out, skipping = [], False
    for line in lines:
        if line.startswith("- "):
            skipping = line in mine
        elif not line.startswith(" "):
            skipping = False
        if not skipping:
            out.append(line)
    path.write_text("".join(out) + "".join(manifest_entry(*e) for e in ENTRIES), encoding="utf-8")


def main() -> None:
    names = roster_names()
    report = []
    first = write_xlsx("情報資産台帳.xlsx", "情報資産台帳", "情報資産台帳（令和8年3月1日現在）", 1, list(ASSET_COLUMNS), ASSETS)
    report += [("情報資産台帳.xlsx", first + i, r[0]) for i, r in enumerate(ASSETS) if r[0] in ASSET_REPORT]
    first = write_csv("リスク評価実施記録.csv", list(RISK_COLUMNS), RISKS, "utf-8-sig", "\r\n")
    report += [("リスク評価実施記録.csv", first + i, r[0]) for i, r in enumerate(RISKS)]
    first = write_csv("機器廃棄記録.csv", list(DISPOSAL_COLUMNS), DISPOSALS, "cp932", "\r\n")
    report += [("機器廃棄記録.csv", first + i, r[0]) for i, r in enumerate(DISPOSALS)]
    first = write_xlsx("記録媒体管理台帳.xlsx", "媒体管理台帳", "電磁的記録媒体 管理台帳（令和7年度）", 0, list(MEDIA_COLUMNS), MEDIA)
    report += [("記録媒体管理台帳.xlsx", first + i, r[0]) for i, r in enumerate(MEDIA)]
    permits = [(room, pid, name or names.get(pid), kind, unit, co, f, t, who, note)
               for room, pid, name, kind, unit, co, f, t, who, note in PERMITS]
    first = write_xlsx("入室許可者一覧.xlsx", "入室許可者一覧", "管理区域 入室許可者一覧（令和7年度）", 1, list(PERMIT_COLUMNS), permits)
    report += [("入室許可者一覧.xlsx", first + i, f"{r[0]}/{r[1]}") for i, r in enumerate(permits)]
    log = entries(names)
    first = write_csv("入退室記録.csv", list(ENTRY_COLUMNS), log, "cp932", "\r\n")
    report += [("入退室記録.csv", first + i, f"{r[0]} {r[1]} {r[4]} {r[11]}") for i, r in enumerate(log)
               if not r[4].startswith(("S00078", "S00093", "S00111", "S00139", "S00182", "S00187", "V-201", "V-202", "S00044"))
               or r[9] == "" or "夜間" in r[11]]
    first = write_xlsx("インシデント管理台帳.xlsx", "インシデント管理台帳", "情報セキュリティインシデント管理台帳（令和7年度）", 1,
                       list(INCIDENT_COLUMNS), INCIDENTS)
    report += [("インシデント管理台帳.xlsx", first + i, r[0]) for i, r in enumerate(INCIDENTS)]
    first = write_csv("例外措置申請台帳.csv", list(EXCEPTION_COLUMNS), EXCEPTIONS, "utf-8", "\n")
    report += [("例外措置申請台帳.csv", first + i, r[0]) for i, r in enumerate(EXCEPTIONS)]
    write_manifest_entries()
    print("\n".join(f"{f:24} {line:4} {what}" for f, line, what in report))


if __name__ == "__main__":
    main()
