"""The words offices write for each enumeration's values (許可 for allow, 機密性3B for 3B, ...).

SPEC: enumeration -> canonical value -> the other spellings read as it; ALIASES: enumeration -> every
spelling (the canonical value too) -> canonical value. evidence/normalize.py reads cells with them.
"""
from __future__ import annotations

SPEC: dict[str, dict[str, tuple[str, ...]]] = {
    "zone": {"mynumber": ("マイナンバー利用事務系", "個人番号利用事務系", "マイナンバー系"),
             "lgwan": ("LGWAN接続系", "LGWAN系"),
             "internet": ("インターネット接続系", "インターネット系"),
             "external": ("外部", "インターネット")},
    "action": {"allow": ("許可", "permit", "accept"), "deny": ("拒否", "drop", "reject", "遮断")},
    "audit_kind": {"internal": ("内部監査", "内部"), "external": ("外部監査", "外部")},
    "terminal_role": {"main": ("主たる業務端末", "業務端末"), "shared": ("共用端末",),
                      "server": ("サーバ", "サーバー")},
    "employment": {"regular": ("正規", "正規職員", "常勤"),
                   "fiscal_appointee": ("会計年度任用", "会計年度任用職員"),
                   "dispatched": ("派遣", "派遣職員"),
                   "reappointed": ("再任用", "再任用職員", "再任用短時間勤務職員"),
                   "temporary_appointee": ("臨時的任用", "臨時的任用職員"),
                   "fixed_term": ("任期付", "任期付職員", "任期付き職員")},
    "unit_level": {"部": ("局", "department"), "課": ("室", "division")},
    "role": {"ciso": ("CISO", "最高情報セキュリティ責任者"),
             "general_officer": ("統括情報セキュリティ責任者",),
             "security_officer": ("情報セキュリティ責任者",),
             "security_manager": ("情報セキュリティ管理者",),
             "system_manager": ("情報システム管理者",)},
    "drill_kind": {"incident": ("インシデント対応訓練", "緊急時対応訓練"),
                   "phishing": ("標的型メール訓練", "標的型攻撃メール訓練")},
    "gateway_type": {"file_sanitizer": ("ファイル無害化",),
                     "screen_transfer": ("画面転送", "仮想ブラウザ"),
                     "mail_sanitizer": ("メール無害化",),
                     "security_cloud": ("セキュリティクラウド", "自治体情報セキュリティクラウド"),
                     "local_breakout": ("ローカルブレイクアウト", "ローカルブレークアウト", "LBO")},
    "answer": {"yes": ("はい", "○", "実施", "済"), "no": ("いいえ", "×", "未実施", "未"),
               "na": ("該当なし", "対象外", "-")},
    "action_status": {"not_started": ("未着手",), "in_progress": ("対応中", "着手"),
                      "done": ("完了", "完了済", "完了済み", "対応済", "対応済み", "済"), "verified": ("有効性確認済", "確認済"),
                      "resolved_pending_verification": ("解消確認待ち",), "carried_over": ("継続",)},
    "checklist_result": {"conforms": ("適合", "○"), "partial": ("一部適合", "△"),
                         "nonconforming": ("不適合", "×"), "not_applicable": ("該当なし", "対象外"),
                         "unchecked": ("未確認", "未実施")},
    "severity": {"major": ("重大", "重大な不適合", "指摘"), "minor": ("軽微", "軽微な不適合", "要改善"),
                 "observation": ("観察事項", "意見", "助言")},
    "document_type": {"basic_policy": ("基本方針", "情報セキュリティ基本方針"),
                      "standards": ("対策基準", "情報セキュリティ対策基準"),
                      "procedures": ("実施手順",), "committee_charter": ("委員会設置要綱",),
                      "minutes": ("議事録", "委員会議事録"),
                      "csirt_charter": ("CSIRT設置要綱", "CSIRT設置要領", "CSIRT設置規程"),
                      "contact_list": ("連絡体制表", "緊急連絡網", "連絡網"),
                      "contingency_plan": ("緊急時対応計画", "業務継続計画", "BCP"),
                      "contract": ("委託契約", "契約書"), "audit_report": ("監査報告書",),
                      "risk_assessment": ("リスク評価", "リスクアセスメント"), "other": ("その他",)},
}

# 情報資産・物理・運用 (assets, disposals, media, secure areas, incidents, exceptions): new tables only.
# 自治体機密性 3A/3B/3C (R6.10); a town still on the former scheme writes 3.
SPEC.update({
    "confidentiality": {"3A": ("機密性3A",), "3B": ("機密性3B",), "3C": ("機密性3C",), "3": ("機密性3",),
                        "2": ("機密性2",), "1": ("機密性1",)},
    "integrity": {"2": ("完全性2",), "1": ("完全性1",)},
    "availability": {"2": ("可用性2",), "1": ("可用性1",)},
    "media_type": {"pc": ("パソコン", "端末", "PC"), "server": ("サーバ機器", "サーバー機器"),
                   "hdd": ("ハードディスク", "HDD", "内蔵HDD"), "ssd": ("SSD", "内蔵SSD"),
                   "usb_memory": ("USBメモリ", "USBメモリー", "USB"),
                   "external_hdd": ("外付けHDD", "外付けハードディスク", "ポータブルHDD"),
                   "sd_card": ("SDカード", "メモリーカード"),
                   "optical": ("光ディスク", "CD-R", "DVD-R", "BD-R", "CD", "DVD"),
                   "tape": ("磁気テープ", "LTO"), "paper": ("紙", "紙文書", "文書"), "other": ("その他",)},
    "media_status": {"in_use": ("使用中", "貸出中"), "stored": ("保管中", "未使用"),
                     "lost": ("紛失", "所在不明"), "disposed": ("廃棄", "廃棄済")},
    "disposal_method": {"physical_destruction": ("物理破壊", "物理的破壊", "破砕", "穿孔"),
                        "degaussing": ("磁気消去", "消磁", "磁気破壊"),
                        "overwrite": ("上書き消去", "上書き", "データ消去ソフト"),
                        "crypto_erase": ("暗号化消去", "暗号消去"),
                        "shredding": ("裁断", "シュレッダー"), "dissolution": ("溶解", "溶解処理"),
                        "incineration": ("焼却",), "factory_reset": ("初期化", "工場出荷時設定"),
                        "other": ("その他", "一般廃棄")},
    "entrant_type": {"staff": ("職員",), "contractor": ("委託業者", "業者", "委託先"),
                     "visitor": ("来訪者", "見学者")},
    "incident_category": {"malware": ("マルウェア", "ウイルス感染"), "unauthorised_access": ("不正アクセス",),
                          "leak": ("情報漏えい", "漏えい", "漏洩"), "misdelivery": ("誤送付", "誤送信", "誤交付"),
                          "loss_theft": ("紛失・盗難", "紛失", "盗難"), "system_failure": ("システム障害", "障害"),
                          "other": ("その他",)},
    "incident_status": {"open": ("対応中", "調査中", "未完了"), "closed": ("完了", "対応完了", "終了")},
    "exception_decision": {"approved": ("承認", "許可"), "rejected": ("却下", "不承認"),
                           "pending": ("審査中", "申請中", "保留")},
})

# Technical and outsourcing evidence (accounts, logs, vulnerabilities, contracts, cloud, wireless LAN).
SPEC.update({  # (data classification: the `confidentiality` table above)
    "log_type": {"access": ("アクセスログ",), "authentication": ("認証ログ", "ログオンログ", "ログインログ"),
                 "operation": ("操作ログ",), "export": ("書出しログ", "持出しログ", "外部媒体ログ", "デバイス制御ログ"),
                 "communication": ("通信ログ", "ファイアウォールログ", "プロキシログ"),
                 "system": ("システムログ", "イベントログ")},
    "vulnerability_severity": {"critical": ("緊急", "致命的"), "high": ("重要", "高"), "medium": ("警告", "中", "moderate"),
                               "low": ("注意", "低"), "info": ("情報", "informational")},
    "vulnerability_status": {"open": ("未対応", "対応中", "未修正", "active", "reopened"),
                             "fixed": ("対応済", "対応済み", "修正済", "修正済み", "resolved", "closed"),
                             "risk_accepted": ("リスク受容", "accepted", "risk accepted"),
                             "false_positive": ("誤検知", "過検知", "false positive")},
    "scan_kind": {"platform": ("プラットフォーム診断", "ネットワーク診断", "サーバ診断"),
                  "web": ("Webアプリケーション診断", "Webアプリ診断", "Web診断"),
                  "penetration": ("ペネトレーションテスト", "侵入テスト"), "asm": ("攻撃対象領域管理", "地方版ASM")},
    "contract_type": {"outsourcing": ("委託", "業務委託"), "maintenance": ("保守", "運用保守", "保守委託"),
                      "cloud": ("クラウド", "クラウドサービス", "クラウドサービス利用"),
                      "procurement": ("購入", "物品購入", "調達"), "lease": ("リース", "賃貸借")},
    "product_registry": {"jc_star": ("JC-STAR", "JCSTAR"), "ismap": ("ISMAP",), "ismap_liu": ("ISMAP-LIU", "ISMAPLIU"),
                         "dmp": ("DMP", "デジタルマーケットプレイス"), "unregistered": ("未登録", "登録なし", "非登録")},
    "check_method": {"report": ("報告", "報告書", "書面報告", "自己点検報告"), "onsite": ("立入検査", "実地確認", "実地検査", "訪問"),
                     "document": ("書面確認", "書面審査", "認証確認"), "remote": ("リモート確認", "オンライン確認")},
    "wlan_security": {"wpa3_enterprise": ("WPA3-Enterprise", "WPA3 Enterprise", "WPA3エンタープライズ"),
                      "wpa2_enterprise": ("WPA2-Enterprise", "WPA2 Enterprise", "WPA2エンタープライズ"),
                      "wpa3_personal": ("WPA3-Personal", "WPA3 Personal", "WPA3-SAE"),
                      "wpa2_personal": ("WPA2-Personal", "WPA2 Personal", "WPA2-PSK"),
                      "wpa": ("WPA-PSK",), "wep": ("WEP",), "open": ("暗号化なし", "オープン")},
    "wlan_authentication": {"certificate": ("EAP-TLS", "電子証明書", "証明書認証", "クライアント証明書"),
                            "ieee8021x": ("IEEE 802.1X", "802.1X", "PEAP", "EAP-PEAP"),
                            "psk": ("事前共有鍵", "共有キー", "パスフレーズ"), "mac": ("MACアドレス認証", "MAC認証"),
                            "web": ("Web認証",), "open": ("認証なし",)},
})

# Firewall objects may name every zone at once ("any"); terminals and segments never do.
SPEC["flow_zone"] = {**SPEC["zone"], "any": ("全領域", "すべて", "全て", "任意", "*")}

# Public table raw -> canonical; every canonical value also maps to itself.
ALIASES: dict[str, dict[str, str]] = {
    enum: {raw: canon for canon, raws in spec.items() for raw in (canon, *raws)}
    for enum, spec in SPEC.items()
}
