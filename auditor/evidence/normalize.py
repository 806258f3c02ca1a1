"""Normalise evidence cells (IDs, dates, booleans, numbers, enumerations).

Evidence comes from Excel and CSV typed by people: full-width digits, 和暦,
○/×, Japanese labels. Every parser returns None for an empty cell and raises
ValueError with a short English message (shown to users) for anything else it
cannot read. Raw values are masked in messages in case they hold a My Number.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal

from . import blanks
from ..fiscal import parse_wareki
from ..privacy.mynumber import mask

# Hyphen look-alikes that NFKC leaves alone. Katakana ー is deliberately absent:
# it is part of words such as サーバー and must survive in IDs and names.
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_HYPHEN_FOLD = str.maketrans({c: "-" for c in _HYPHENS})
# A cell holding only a dash means "none"; here ー counts, as people type it so.
_LONE_DASHES = frozenset(_HYPHENS + "-ー")
# Older Pythons' NFKC may not know ㋿ (Unicode 12.1); map era ligatures first.
_LIGATURES = str.maketrans({"㋿": "令和", "㍻": "平成", "㍼": "昭和", "㍽": "大正", "㍾": "明治"})


def nfkc(value) -> str:
    text = str(value)
    if text.isascii():  # NFKC leaves ASCII as it is: the common case skips the table look-ups
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def _blank(value) -> bool:
    # NaN is how pandas spells an empty cell.
    return (value is None or (isinstance(value, float) and math.isnan(value))
            or (isinstance(value, str) and not value.strip()))


def _shown(value) -> str:
    text = mask(str(value))
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _integral_text(value):
    # Excel hands integers over as floats (123.0); print them as 123.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


_WHITESPACE = re.compile(r"\s")
_LEADING = re.compile(r"\x00\s")  # led by a literal: scanned at memchr speed


ASCII_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.isspace() calls space in ASCII


def plain_ascii(joined: str) -> bool:
    """ASCII without any whitespace: one memchr-speed scan per space character beats a regex."""
    return joined.isascii() and not any(c in joined for c in ASCII_SPACES)


def edge_space(joined: str) -> bool:
    """Whether any of these NUL-joined texts starts or ends with whitespace (a whole column at once)."""
    return bool(joined) and (joined[0].isspace() or joined[-1].isspace() or _LEADING.search(joined) is not None
                             or _LEADING.search(joined[::-1]) is not None)


def normalize_id(value, nulls: frozenset = blanks.DEFAULT_KEYS) -> str | None:
    """IDs and codes: invisible characters removed, NFKC, hyphen variants -> '-', inner whitespace collapsed;
    a placeholder (one of `nulls`: -, なし, N/A, ...; evidence/blanks.py) is no ID."""
    if type(value) is str and value.isascii():  # fast path: most IDs are plain ASCII
        text = value.strip()
        if _WHITESPACE.search(text) is None:
            return None if not text or blanks.is_null(text, nulls) else text
    if _blank(value):
        return None
    value = _integral_text(value)
    if type(value) is str and not value.isascii():
        value = blanks.strip(value)[0]
    text = " ".join(nfkc(value).translate(_HYPHEN_FOLD).split())
    return text if text and not blanks.is_null(text, nulls) else None


# --- dates -------------------------------------------------------------------

_DATE_FORMS = "2025-04-01, 2025/4/1, 2025.4.1, 2025年4月1日, 20250401, 令和7年4月1日 or R7.4.1"
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_WESTERN = re.compile(r"(?P<y>\d{4})([-/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})" + _TIME, re.ASCII)
_WESTERN_KANJI = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日", re.ASCII)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII)


def _make_date(y: int, m: int, d: int, shown: str) -> _dt.date:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"no such day: {shown}") from None


def parse_date(value) -> _dt.date | None:
    """A calendar day from a date object or any form listed in _DATE_FORMS."""
    if value.__class__ is str and len(value) == 10 and value[4] == "-" == value[7] and value.isascii() \
            and value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit():  # 2025-04-01, the most usual
        try:
            return _dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            raise ValueError(f"no such day: {_shown(value)}") from None
    return _parse_any(value)


def _parse_any(value) -> _dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (bool, float)) and not (isinstance(value, float) and value.is_integer()):
        raise ValueError(f"not a date: {_shown(value)}; use {_DATE_FORMS}")
    # Numbers only pass as 8-digit 20250401; Excel serials (45748) stay rejected.
    text = nfkc(_integral_text(value))
    shown = _shown(text)
    m = _WESTERN.fullmatch(text) or _WESTERN_KANJI.fullmatch(re.sub(r"\s+", "", text)) \
        or _COMPACT.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.group("y", "m", "d"))
        return _make_date(y, mo, d, shown)
    d = parse_wareki(text.translate(_LIGATURES), shown)
    if d is not None:
        return d
    if text.isdigit():  # most likely an Excel serial such as 45748
        raise ValueError(f"not a date: {shown}; format the cell as a date or use {_DATE_FORMS}")
    raise ValueError(f"not a date: {shown}; use {_DATE_FORMS}")


# --- booleans and numbers ----------------------------------------------------

_TRUE = frozenset("○ 〇 ◯ 有 はい あり 済 true yes y 1 on t".split())
_FALSE = frozenset("× ✕ ✗ 無 いいえ なし 未 false no n 0 off f -".split())


def words(xtype: str, enum: str | None = None) -> tuple:
    """The words that a field's reader gives a meaning (a placeholder among them is then a value)."""
    if xtype == "bool":
        return (*_TRUE, *_FALSE, *_LONE_DASHES)
    return tuple(ALIASES.get(enum, ())) if xtype == "enum" else ()


def parse_bool(value) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = nfkc(value).lower()
    if text in _LONE_DASHES:
        return False
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {_shown(value)}; use ○/×, 有/無, はい/いいえ, "
                     "あり/なし, 済/未, true/false, yes/no, 1/0 or - for none")


_NUMERIC = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)


def _numeric(value, whole: bool):
    kind = "whole number" if whole else "number"
    if _blank(value):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and math.isinf(value)):
        raise ValueError(f"not a {kind}: {_shown(value)}")
    if isinstance(value, int):
        return value if whole else float(value)
    if isinstance(value, float):
        if whole and not value.is_integer():
            raise ValueError(f"not a whole number: {_shown(value)}")
        return int(value) if whole else value
    text = nfkc(value).translate(_HYPHEN_FOLD)
    if text[:1] in ("▲", "△"):  # the accounting minus sign in Japanese reports
        text = "-" + text[1:].lstrip()
    percent = not whole and text.endswith("%")
    body = text[:-1].rstrip() if percent else text
    # Decimal keeps long integers exact and makes '12%' exactly 0.12.
    number = Decimal(body.replace(",", "")) if _NUMERIC.fullmatch(body) else None
    if number is None or (whole and number != number.to_integral_value()):
        hint = "1234 or 1,234" if whole else "1234, 1,234, 12.5 or 12%"
        raise ValueError(f"not a {kind}: {_shown(value)}; use e.g. {hint}")
    if whole:
        return int(number)
    return float(number / 100 if percent else number)


def parse_number(value) -> float | None:
    """A number; '1,234' -> 1234.0, '12%' -> 0.12 (percent only as a suffix)."""
    return _numeric(value, whole=False)


def parse_int(value) -> int | None:
    """A whole number; '1,234' -> 1234, 123.0 -> 123; no fractions or percents."""
    return _numeric(value, whole=True)


# --- enumerations --------------------------------------------------------------

_ALIAS_SPEC: dict[str, dict[str, tuple[str, ...]]] = {
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
                      "done": ("完了",), "verified": ("有効性確認済", "確認済"),
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
_ALIAS_SPEC.update({
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
_ALIAS_SPEC.update({  # (data classification: the `confidentiality` table above)
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
_ALIAS_SPEC["flow_zone"] = {**_ALIAS_SPEC["zone"], "any": ("全領域", "すべて", "全て", "任意", "*")}

# Public table raw -> canonical; every canonical value also maps to itself.
ALIASES: dict[str, dict[str, str]] = {
    enum: {raw: canon for canon, raws in spec.items() for raw in (canon, *raws)}
    for enum, spec in _ALIAS_SPEC.items()
}


def _key(text: str) -> str:
    # Match ignoring ASCII case, spaces and the spelling of a lone dash.
    text = "".join(nfkc(text).split()).casefold()
    return "-" if text in _LONE_DASHES else text


_INDEX = {enum: {_key(raw): canon for raw, canon in table.items()}
          for enum, table in ALIASES.items()}


def canonical(enum_name: str, value, extra: dict | None = None) -> str | None:
    """Canonical value of an enumeration; `extra` (a manifest's map) wins over ALIASES."""
    if enum_name not in _INDEX and not extra:
        raise KeyError(f"unknown enumeration {enum_name!r}")
    if _blank(value):
        return None
    index = _INDEX.get(enum_name, {})
    text = nfkc(value)
    if extra:
        for candidate in (value, text):
            if isinstance(candidate, str) and candidate in extra:
                return _resolve(enum_name, index, extra[candidate])
        folded = {_key(str(k)): v for k, v in extra.items()}
        if _key(text) in folded:
            return _resolve(enum_name, index, folded[_key(text)])
    if _key(text) in index:
        return index[_key(text)]
    raise ValueError(f"unknown {enum_name} value {_shown(text)}; use one of: "
                     + _allowed(enum_name, extra))


def _allowed(enum_name: str, extra: dict | None) -> str:
    return ", ".join(_ALIAS_SPEC.get(enum_name) or sorted({str(v) for v in (extra or {}).values()}))


def _resolve(enum_name: str, index: dict, hit) -> str:
    # A manifest may map to an alias (e.g. 許可) rather than the canonical value;
    # mapping to something unknown is the manifest's mistake, so say so.
    if not index:
        return str(hit)
    if _key(str(hit)) in index:
        return index[_key(str(hit))]
    raise ValueError(f"manifest maps to unknown {enum_name} value {_shown(hit)}; "
                     f"use one of: {_allowed(enum_name, None)}")
