#!/usr/bin/env python3
"""`python tools/make_sample.py`: rewrite evidence/FY2025/ for the sample city さくら台市, FY2025.

Messy forms on purpose (CP932 CSV with CRLF, UTF-8 BOM, TSV, xlsx title rows, 和暦, full-width IDs,
○/× booleans); planted gaps are listed in evidence/README.md. Fixed seed, xlsx properties and zip
timestamps make every run byte-identical. Prints the IDs given to the planted cases.
"""
import csv
import datetime as dt
import io
import os
import random
import re
import zipfile
from pathlib import Path

# openpyxl writes another XML serialisation when it finds lxml (which python-docx brings): its own
# writer on every machine keeps the workbooks byte-identical, whatever is installed
os.environ["OPENPYXL_LXML"] = "False"
import openpyxl  # noqa: E402
import yaml
from openpyxl.writer.excel import ExcelWriter

OUT = Path(__file__).resolve().parent.parent / "evidence" / "FY2025"
D = dt.date
FY_START, FY_END = D(2025, 4, 1), D(2026, 3, 31)
FIXED_TS = dt.datetime(2026, 3, 2, 9, 0, 0)
rng = random.Random(20250401)

# ---------------------------------------------------------------- organisation
# (部 code, 部 name, [(課 code, 課 name), ...]); 情報政策課 (0220) is the CISO office.
DEPTS = [
    ("0100", "総務部", [("0110", "総務課"), ("0120", "人事課"), ("0130", "財政課")]),
    ("0200", "企画部", [("0210", "企画課"), ("0220", "情報政策課")]),
    ("0300", "市民部", [("0310", "市民課"), ("0320", "税務課"), ("0330", "保険年金課")]),
    ("0400", "福祉部", [("0410", "福祉課"), ("0420", "子育て支援課"), ("0430", "介護保険課")]),
    ("0500", "建設部", [("0510", "道路課"), ("0520", "都市計画課")]),
    ("0600", "経済部", [("0610", "商工観光課"), ("0620", "農林課")]),
    ("0700", "会計管理者", [("0710", "会計課")]),
]
MYNUMBER_UNITS = {"市民課", "税務課", "保険年金課", "福祉課", "子育て支援課", "介護保険課"}
KA = [name for _, _, kas in DEPTS for _, name in kas]                      # every 課, in order
CODE = {name: code for _, _, kas in DEPTS for code, name in kas}
ORDER = {name: i for i, name in enumerate(n for _, b, kas in DEPTS for n in [b] + [k for _, k in kas])}

SURNAMES = ("佐藤 鈴木 髙橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 "
            "山﨑 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本").split()
GIVEN = ("翔太 美咲 大輔 陽子 健一 真由美 直樹 彩 拓也 恵 亮 由美子 和也 香織 誠 智子 隆 沙織 剛 "
         "明美 悠斗 結衣 蓮 陽菜 達也 裕子 浩二 麻衣 修 千尋 聡 愛 正樹 舞 崇 奈々 勇気 優子").split()

# Raw headers of every tabular file -> canonical field (after "=", empty: not mapped, ignored).
COLUMNS = {name: dict(pair.split("=") for pair in spec.split()) for name, spec in {
    "職員名簿.xlsx": "職員番号=staff_id 氏名=name 所属=unit 任用形態=employment 採用日=joined_on 退職日=left_on",
    "lms_export.csv": "職員番号=staff_id 氏名= 所属= コース=course 受講日=completed_on 得点=score",
    "role_assignments.csv": "役割=role 職員番号=staff_id 所属=unit 発令日=from 解任日=to",
    "fw_rules.csv": "ルールID=rule_id 送信元=src_zone 宛先=dst_zone 動作=action サービス=service 経由=via 特定通信ID=specific_comm_id",
    "端末台帳.tsv": "資産番号=asset_id 設置課=unit 接続系=zone 用途=role 二要素認証=mfa 持出し制御=export_block 無線LAN=wireless EDR=edr",
    "自己点検票.csv": "所属=unit 提出日=submitted_on 点検項目=item 回答=answer 備考=",
    "是正処置管理表.xlsx": "処置ID=action_id 指摘ID=finding_id 所管課=unit 点検項目=item 担当=owner 期限=due_on "
                      "状況=status 完了日=completed_on 有効性確認日=verified_on 確認者=verified_by 延長期限=extended_to",
}.items()}


def fmt_date(d: dt.date, style: str = "slash") -> str:
    """2025/6/1 (slash), 令和7年6月1日 (kanji; 元年 for year 1) or R7.6.1 (short)."""
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    era, base, letter = (("令和", 2018, "R") if d >= D(2019, 5, 1) else
                         ("平成", 1988, "H") if d >= D(1989, 1, 8) else ("昭和", 1925, "S"))
    y = d.year - base
    return f"{letter}{y}.{d.month}.{d.day}" if style == "short" else f"{era}{'元' if y == 1 else y}年{d.month}月{d.day}日"


def weekday_between(a: dt.date, b: dt.date) -> dt.date:
    """A random working day in [a, b]; a weekend day moves back to Friday (callers keep a-2 safe)."""
    d = a + dt.timedelta(days=rng.randint(0, (b - a).days))
    return d - dt.timedelta(days=max(0, d.weekday() - 4))


# ---------------------------------------------------------------- staff roster and LMS export
BASIC, ADVANCED = "情報セキュリティ基礎研修", "情報セキュリティ応用研修"
# Planted people: tag, 所属, 任用形態, 採用日, 退職日, LMS records "B|A:date:style" (None: generated).
SPECIALS = [
    ("ciso", "総務課", "正規", "1987-04-01", "", None),                          # 副市長
    ("old_mgr:税務課", "税務課", "正規", "1986-04-01", "2025-03-31", None),         # role never ended
    ("old_mgr:人事課", "人事課", "正規", "1986-04-01", "2025-03-31", None),         # role ended 3/31
    ("left_pre", "福祉課", "会計年度任用", "2021-04-01", "2025-03-31", None),
    ("left_mid", "道路課", "正規", "2015-04-01", "2025-09-30", "B:2025-06-20:slash"),
    ("sec_staff", "情報政策課", "正規", "2008-04-01", "", None),                   # セキュリティ担当
    ("gannen", "情報政策課", "正規", "2019-10-01", "", None),                      # 令和元年 in 和暦
    ("tr01_prefy", "市民課", "正規", "2010-04-01", "", "B:2025-03-31:short"),     # R7.3.31 is FY2024
    ("tr01_adv", "保険年金課", "正規", "2012-04-01", "", "B:2024-10-25:slash A:2025-10-08:slash"),
    ("tr01_none", "子育て支援課", "会計年度任用", "2023-04-01", "", ""),
    ("tr01_late", "道路課", "正規", "2016-04-01", "", "B:2026-04-01:slash"),
    ("tr02_late", "介護保険課", "正規", "2025-06-01", "", "B:2025-11-20:slash"),
    ("b_fy_start", "税務課", "正規", "2011-04-01", "", "B:2025-04-01:kanji"),
    ("b_fy_end", "福祉課", "正規", "2014-04-01", "", "B:2026-03-31:slash"),
    ("b_90", "財政課", "正規", "2025-04-01", "", "B:2025-06-30:slash"),
    ("b_feb", "総務課", "会計年度任用", "2026-02-01", "", "B:2026-03-10:kanji"),
    ("hire_oct", "商工観光課", "派遣", "2025-10-01", "", "B:2025-11-05:short"),
]


def build_staff() -> tuple[list[dict], dict[str, str]]:
    people = []
    def add(unit, emp="正規", joined=None, left=None, tag=None, lms=None):
        joined = joined or D(rng.randint(1990, 2024), rng.choice([4, 4, 4, 4, 7, 10]), 1)
        people.append(dict(unit=unit, employment=emp, joined=joined, left=left, tag=tag, lms=lms,
                           name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}", tie=rng.random()))

    for _, bu, kas in DEPTS:
        add(bu, joined=D(rng.randint(1988, 1994), 4, 1), tag=f"head:{bu}")          # 部長
        for _, ka in kas:
            add(ka, joined=D(rng.randint(1990, 2000), 4, 1), tag=f"mgr:{ka}")       # 課長
            add(ka, joined=FY_START, tag="hire")                                   # 新規採用 on 4/1
            for _ in range(rng.randint(17, 22) if ka in MYNUMBER_UNITS else rng.randint(10, 15)):
                emp = rng.choices(["正規", "会計年度任用", "派遣"], [75, 20, 5])[0]
                add(ka, emp, None if emp == "正規" else D(rng.randint(2020, 2024), 4, 1))
    for tag, unit, emp, joined, left, lms in SPECIALS:
        add(unit, emp, D.fromisoformat(joined), D.fromisoformat(left) if left else None, tag, lms)
    for i, p in enumerate(sorted(people, key=lambda p: (p["joined"], p["tie"])), 1):   # IDs in hiring order
        p["id"] = f"S{i:05d}"
    people.sort(key=lambda p: (ORDER[p["unit"]], p["id"]))
    return people, {p["tag"]: p["id"] for p in people if p["tag"] and p["tag"] != "hire"}


def write_roster(people: list[dict]) -> None:
    plain = [p for p in people if not p["tag"]]
    as_text = {id(p) for p in rng.sample(plain, 3)} | {id(p) for p in people if p["tag"] in ("tr02_late", "gannen")}
    rows = [[p["id"], p["name"], p["unit"], p["employment"],
             fmt_date(p["joined"], "kanji") if id(p) in as_text else p["joined"], p["left"]] for p in people]
    write_xlsx("職員名簿.xlsx", "職員名簿", "令和7年度 職員名簿（令和8年3月1日現在）", 1, rows)


def write_lms(people: list[dict]) -> None:
    rows = []
    wide = {id(p) for p in rng.sample([p for p in people if not p["tag"]], 3)}   # IDs typed in full width
    for p in people:
        if p["lms"] is not None:
            recs = [(BASIC if c == "B" else ADVANCED, D.fromisoformat(d), s)
                    for c, d, s in (r.split(":") for r in p["lms"].split())]
        elif p["left"] and p["left"] < FY_START:                                  # left before the FY
            recs = [(BASIC, weekday_between(D(2024, 6, 1), D(2025, 2, 28)), "slash")]
        else:                                    # new hires within 80 days, everyone else in the FY
            start = max(p["joined"] + dt.timedelta(days=10), D(2025, 5, 7))
            end = p["joined"] + dt.timedelta(days=80) if p["joined"] >= FY_START else D(2026, 2, 27)
            style = rng.choices(["slash", "kanji", "short"], [80, 12, 8])[0]
            recs = [(BASIC, weekday_between(start, end), style)]
            if rng.random() < 0.15:
                recs.append((ADVANCED, weekday_between(D(2025, 9, 1), D(2026, 2, 27)), "slash"))
        sid = p["id"].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) if id(p) in wide else p["id"]
        rows += [(day, p["id"], [sid, p["name"], p["unit"], course, fmt_date(day, style), rng.randint(60, 100)])
                 for course, day, style in recs]
    rows.sort(key=lambda r: (r[0], r[1]))
    write_csv("lms_export.csv", [r[2] for r in rows], "cp932", "\r\n")


# ---------------------------------------------------------------- writers
def write_csv(name, rows, encoding, newline, delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(list(COLUMNS[name]))
    w.writerows(rows)
    (OUT / name).write_bytes(buf.getvalue().encode(encoding))


Flow = type("Flow", (dict,), {})          # a mapping that YAML writes on one line: {a: b}
yaml.SafeDumper.add_representer(Flow, lambda dumper, data: dumper.represent_mapping(
    "tag:yaml.org,2002:map", data, flow_style=True))


def write_yaml(name: str, comment: str, data) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    (OUT / name).write_text(comment + text, encoding="utf-8")


class _FixedZip(zipfile.ZipFile):
    """ZipFile stamping every member with one time and mode (openpyxl uses now() and temp files)."""
    def open(self, name, mode="r", *args, **kwargs):
        if mode == "w" and isinstance(name, zipfile.ZipInfo):
            name.date_time, name.external_attr = FIXED_TS.timetuple()[:6], 0o600 << 16
        return super().open(name, mode, *args, **kwargs)


def write_xlsx(name: str, sheet: str, title: str, blank_rows: int, rows: list) -> None:
    """One sheet: a title merged across row 1, blank rows, the header, the data (dates as date cells)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS[name]))
    for row in [[]] * blank_rows + [list(COLUMNS[name])] + rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy/m/d"
    wb.properties.creator = "さくら台市"
    wb.properties.created = wb.properties.modified = FIXED_TS
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buf, "w", zipfile.ZIP_DEFLATED)).save()    # bypasses save_workbook's now()
    (OUT / name).write_bytes(buf.getvalue())


# ---------------------------------------------------------------- roles (体制表)
def write_roles(tags) -> None:
    rows = [["最高情報セキュリティ責任者", tags["ciso"], "総務課", "2023/4/1", ""]]
    for _, bu, _ in DEPTS:
        rows.append(["情報セキュリティ責任者", tags[f"head:{bu}"], bu, rng.choice(["2024/4/1", "令和6年4月1日"]), ""])
    for ka in (k for k in KA if k != "企画課"):                        # OR-01: 企画課 has no 管理者
        if ka in ("税務課", "人事課"):                                 # 4/1 人事異動
            ended = "" if ka == "税務課" else "2025/3/31"              # 税務課: stale, never ended
            rows.append(["情報セキュリティ管理者", tags[f"old_mgr:{ka}"], ka, "2021/4/1", ended])
        since = "令和7年4月1日" if ka in ("税務課", "人事課") else rng.choice(["2023/4/1", "2024/4/1", "令和5年4月1日"])
        rows.append(["情報セキュリティ管理者", tags[f"mgr:{ka}"], ka, since, ""])
    write_csv("role_assignments.csv", rows, "utf-8-sig", "\r\n")


# ---------------------------------------------------------------- network
MN, MN2, LG, NET, EXT = "マイナンバー利用事務系", "個人番号利用事務系", "LGWAN接続系", "インターネット接続系", "外部"
FW_ALLOW = [  # ルールID, 送信元, 宛先, サービス, 経由, 特定通信ID (動作 = 許可)
    ("FW-0102", MN, LG, "eLTAX 申告データ連携", "", "TK-001"),
    ("FW-0103", LG, MN, "ぴったりサービス 申請データ取込", "", "TK-002"),
    ("FW-0104", MN2, LG, "中間サーバー・プラットフォーム連携", "", "TK-003"),
    ("FW-0107", MN, LG, "HTTPS(443) 照会 1234-5678-9018 試験接続", "", ""),          # NS-01
    ("FW-0131", NET, MN2, "OS更新プログラム配信(8530)", "", ""),                      # NS-01
    ("FW-0202", NET, LG, "ファイル無害化転送", "GW-01", ""),
    ("FW-0203", LG, NET, "画面転送(RDP 3389)", "GW-02", ""),
    ("FW-0204", NET, LG, "SMTP(25) メール無害化後配送", "GW-03", ""),
    ("FW-0205", NET, EXT, "HTTP(80),HTTPS(443)", "GW-04", ""),
    ("FW-0206", NET, EXT, "SMTP(25)", "GW-04", ""),
    ("FW-0215", LG, NET, "HTTPS(443) 一時開放（ベンダー保守）", "", ""),             # NS-02
    ("FW-0216", NET, LG, "ファイル転送(SFTP 22)", "GW-99", ""),                       # NS-02
    ("FW-0220", LG, "インターネット", "HTTPS(443) Web会議（直接接続）", "", ""),         # NS-11: a bare インターネット is the outside
    ("FW-0221", NET, EXT, "HTTPS(443) 保守ベンダー直接接続", "", ""),                 # NS-03: bypasses the security cloud
]
FW_INSIDE = {"FW-0101": (MN, "HTTPS(443) 住民記録システム"), "FW-0105": (MN, "DNS(53),NTP(123)"),
             "FW-0109": (MN, "SMB(445) 帳票サーバ"), "FW-0110": (MN2, "バックアップ(TCP 10000)"), "FW-0123": (MN, "印刷(9100)"),
             "FW-0124": (MN2, "Active Directory(88,389)"), "FW-0201": (LG, "HTTPS(443) 財務会計システム"),
             "FW-0207": (NET, "グループウェア(443)"), "FW-0208": (LG, "LGWAN-ASP(443)"), "FW-0213": (LG, "DNS(53)"),
             "FW-0214": (NET, "DNS(53),NTP(123)")}                  # allows inside one zone
FW_DENY = {"FW-0106": (MN, NET), "FW-0108": (NET, MN), "FW-0121": (MN, LG), "FW-0122": (LG, MN),
           "FW-0125": (MN, EXT), "FW-0132": (MN2, NET), "FW-0133": (NET, MN2), "FW-0134": (MN2, LG),
           "FW-0135": (EXT, MN), "FW-0209": (LG, NET), "FW-0210": (NET, LG), "FW-0211": (LG, EXT),
           "FW-0212": (NET, EXT), "FW-0217": (EXT, NET), "FW-0218": (EXT, LG), "FW-0219": (EXT, MN2)}
FW_RULES = sorted([(r, s, d, "許可", svc, via, tk) for r, s, d, svc, via, tk in FW_ALLOW]
                  + [(r, z, z, "許可", svc, "", "") for r, (z, svc) in FW_INSIDE.items()]
                  + [(r, s, d, "拒否", "any", "", "") for r, (s, d) in FW_DENY.items()])
ZONES = [dict(zone=z, cidr=c, name=n) for z, c, n in [
    ("mynumber", "10.10.0.0/16", "個人番号利用事務系"), ("lgwan", "10.20.0.0/16", "LGWAN接続系"),
    ("internet", "10.30.0.0/16", "インターネット接続系"), ("external", "0.0.0.0/0", "外部（セキュリティクラウド経由）")]]
GATEWAYS = [dict(gateway_id=f"GW-0{i}", type=t) for i, t in
            enumerate(["file_sanitizer", "screen_transfer", "mail_sanitizer", "security_cloud"], 1)]
SERVERS = {"市民課": (MN2,), "税務課": (MN2,), "情報政策課": (LG, LG, LG, NET, NET)}
# The second My Number terminal of these units carries one planted defect. NS-05 (MFA) and
# NS-08 (wireless) are left clean on purpose: the sample shows controls passing on messy data too.
MN_DEFECT = {"市民課": ("block", "ns06_waived"), "税務課": ("block", "ns06_expired")}
# EP-01: EDR on every Internet- and LGWAN-zone terminal. 会計課's LGWAN shared terminal has none (×) and
# 情報政策課's first Internet-zone server has a blank cell; My Number-zone terminals are out of scope (－).
NO_EDR = {("会計課", LG, "共用端末"): "×", ("情報政策課", NET, "サーバ"): ""}


def build_terminals() -> tuple[list[list[str]], dict[str, str]]:
    rows, tags, no_edr = [], {}, dict(NO_EDR)
    def add(unit, zone, role, mfa=True, block=True, wifi=False, tag=None):
        aid = f"{'SV' if role == 'サーバ' else 'PC'}-{len(rows) + 1:04d}"
        wifi_text = "○" if wifi else rng.choice(["×", "×", "×", "なし"])
        edr = "－" if zone in (MN, MN2) else no_edr.pop((unit, zone, role), "○")   # no random draw: the rest stays as it was
        rows.append([aid, unit, zone, role, "○" if mfa else "×", "有" if block else "無", wifi_text, edr])
        tags[tag] = aid
        if edr in ("×", ""):
            tags[f"ep01:{unit}"] = aid

    for ka in KA:
        for _ in range(rng.randint(4, 6)):      # β: main terminals in the Internet zone
            add(ka, NET, "主たる業務端末", rng.random() < 0.6, rng.random() < 0.5, rng.random() < 0.4)
        add(ka, LG, "共用端末")
        if ka == "財政課":
            add(ka, LG, "主たる業務端末", tag="ns04_lgwan_main")         # wrong under β
        if ka == "商工観光課":
            add(ka, MN, "共用端末", tag="ns04_mn_unit")                  # unit has no My Number work
        if ka in MYNUMBER_UNITS:
            add(ka, MN, "主たる業務端末", tag=f"mn_ok:{ka}")
            field, tag = MN_DEFECT.get(ka, (None, None))
            add(ka, MN, "共用端末", mfa=field != "mfa", block=field != "block", wifi=field == "wifi", tag=tag)
            add(ka, MN, "共用端末")
        for zone in SERVERS.get(ka, ()):
            add(ka, zone, "サーバ")
    return rows, {k: v for k, v in tags.items() if k}


# ---------------------------------------------------------------- audits, drills, self-checks
AUDIT_FIELDS = ["audit_id", "kind", "started_on", "ended_on", "auditees", "auditors", "report_ref"]
AUDITS = [dict(zip(AUDIT_FIELDS, a[:4] + (a[4].split(), a[5].split(), a[6]))) for a in [
    ("IA-2022-01", "内部監査", D(2022, 10, 3), D(2022, 12, 16), "農林課 会計課 道路課", "情報政策課", "R4-情政-01"),
    ("IA-2023-01", "内部監査", D(2023, 10, 2), D(2023, 11, 30), "総務課 人事課 財政課 市民課 税務課", "情報政策課", "R5-情政-01"),
    ("IA-2024-01", "内部監査", D(2024, 10, 7), D(2024, 12, 6), "0210 0330 0410 0420 0430", "情報政策課 総務課", "R6-情政-01"),
    ("EA-2024-01", "外部監査", D(2024, 11, 5), D(2024, 12, 20), "情報政策課 市民課 税務課", "株式会社みなと情報監査", "R6-外部"),
    ("IA-2025-01", "内部監査", "令和7年10月6日", "令和7年12月12日", "情報政策課 道路課 都市計画課 商工観光課 市民課",
     "情報政策課 企画課", "R7-情政-01"),                                                  # AU-03: 情報政策課 twice
]]  # IA-2022-01 is outside the 3-year window; IA-2024-01 names its auditees by code
AUDITS[-1]["reported_to_ciso_on"] = D(2025, 12, 19)   # AU-06: reported to the CISO, never to the committee
DRILLS = [
    dict(kind="incident", held_on=D(2024, 11, 14), participants=36),
    dict(kind="phishing", held_on=D(2025, 7, 15), participants=281, click_rate=0.12),
    dict(kind="incident", held_on=D(2025, 11, 13), participants=42),
    dict(kind="phishing", held_on=D(2026, 1, 21), participants=286, click_rate=0.25),   # TR-04
]
SA_ITEMS = ["SA-1", "SA-2", "SA-3", "SA-4", "SA-5"]   # SA-5: My Number terminals (該当なし elsewhere)
# DP-01: a remark copies a resident's My Number (full width, spaced) into an unmapped column.
SA_REMARKS = {("保険年金課", "SA-5"): "窓口端末の照会記録（個人番号 ３１４１ ５９２６ ５３５２）を確認済み"}
NO_ANSWERS = {("市民課", "SA-3"), ("税務課", "SA-1"), ("福祉課", "SA-2"), ("道路課", "SA-4"),
              ("商工観光課", "SA-3"), ("財政課", "SA-4")}   # 財政課 SA-4 has no register row (CA-01)


def self_assessments() -> list[list[str]]:
    rows = []
    for ka in (k for k in KA if k != "農林課"):                         # SA-01: 農林課 sent nothing
        day = D(2025, 3, 28) if ka == "都市計画課" else weekday_between(D(2025, 9, 16), D(2025, 11, 28))
        text = fmt_date(day, "kanji" if rng.random() < 0.3 else "slash")
        for item in SA_ITEMS:
            answer = ("いいえ" if (ka, item) in NO_ANSWERS else
                      "該当なし" if item == "SA-5" and ka not in MYNUMBER_UNITS else "はい")
            rows.append([CODE[ka] if ka == "道路課" else ka, text, item, answer, SA_REMARKS.get((ka, item), "")])
    return rows


# 処置ID 指摘ID 所管課 点検項目 担当 期限 状況 完了日 有効性確認日 確認者 延長期限
# "-" is an empty cell, ISO dates become date cells, @tag is the staff/asset ID of a planted case.
ACTIONS = """
CA-2024-01 TR-01:@tr01_adv 保険年金課 - @mgr:保険年金課 2024-12-27 有効性確認済 2024-10-31 2024-11-29 @sec_staff -
CA-2024-02 NS-02:FW-0209 情報政策課 - @sec_staff 2024-09-30 有効性確認済 2024-08-20 2024-09-10 @mgr:情報政策課 -
CA-2024-03 SA-01:0410 福祉課 - @mgr:福祉課 2025-03-31 有効性確認済 2025-02-14 2025-03-10 @sec_staff -
CA-2024-04 AM-01:0130 財政課 - @mgr:財政課 2025-12-31 対応中 - - - -
CA-2024-05 AC-01:0410 福祉課 - @mgr:福祉課 2025-09-30 対応中 - - - 令和8年6月30日
CA-2024-06 NS-05:@mn_ok:市民課 市民課 - @mgr:市民課 2025-03-31 有効性確認済 2025-01-20 2025-02-03 @mgr:市民課 -
CA-2024-07 AC-02:0320 税務課 - @mgr:税務課 2025-03-31 有効性確認済 2025-02-28 2025-02-14 @sec_staff -
CA-2025-01 SA-01:0310:SA-3 市民課 SA-3 @mgr:市民課 2026-05-29 対応中 - - - -
CA-2025-02 SA-01:0320:SA-1 税務課 SA-1 @mgr:税務課 令和8年6月30日 未着手 - - - -
CA-2025-03 SA-01:0410:SA-2 福祉課 SA-2 @mgr:福祉課 2026-01-30 有効性確認済 2025-12-10 2026-01-20 @sec_staff -
CA-2025-04 SA-01:0510:SA-4 0510 SA-4 @mgr:道路課 2026-04-30 対応中 - - - -
CA-2025-05 SA-01:0610:SA-3 商工観光課 SA-3 @mgr:商工観光課 2026-02-27 有効性確認済 2026-01-15 2026-02-09 @sec_staff -
"""


def corrective_actions(ids: dict[str, str]) -> list[list]:
    def cell(token):
        token = re.sub(r"@([\w:]+)", lambda m: ids[m.group(1)], token)
        return None if token == "-" else D.fromisoformat(token) if re.fullmatch(r"\d{4}-\d\d-\d\d", token) else token
    return [[cell(t) for t in line.split()] for line in ACTIONS.strip().splitlines()]


# ---------------------------------------------------------------- manifest
FILES = [  # path, kind, provided_by, collected_on (any accepted date form), extra keys; values: "raw=canonical ..."
    ("org_units.yaml", "org_units", "総務課", D(2026, 3, 2), {}),
    ("職員名簿.xlsx", "staff", "人事課", "令和8年3月2日", {"sheet": "職員名簿", "header_row": 3}),
    ("lms_export.csv", "training_records", "人事課（研修担当）", "2026/4/3", {"values": {
        "course": "情報セキュリティ基礎研修=security-basic 情報セキュリティ応用研修=security-advanced"}}),
    ("role_assignments.csv", "role_assignments", "情報政策課", "R8.3.2", {"values": {"role": "最高情報セキュリティ責任者=ciso "
        "情報セキュリティ責任者=security_officer 情報セキュリティ管理者=security_manager"}}),
    ("drills.yaml", "drills", "情報政策課", D(2026, 3, 2), {}),
    ("zones.yaml", "zones", "情報政策課", D(2026, 3, 2), {}),
    ("gateways.yaml", "gateways", "情報政策課", D(2026, 3, 2), {}),
    ("fw_rules.csv", "flow_rules", "情報政策課（ネットワーク保守事業者）", "2026/3/3", {"encoding": "cp932", "values": {
        "action": "許可=allow 拒否=deny", "src_zone": "外部=external", "dst_zone": "外部=external"}}),
    ("端末台帳.tsv", "terminals", "情報政策課", "令和8年3月3日", {"values": {"role": "主たる業務端末=main 共用端末=shared サーバ=server"}}),
    ("audits.yaml", "audits", "情報政策課", D(2026, 3, 2), {"values": {"kind": "内部監査=internal 外部監査=external"}}),
    ("自己点検票.csv", "self_assessments", "情報政策課（各課取りまとめ）", "2026/3/4", {}),
    ("是正処置管理表.xlsx", "corrective_actions", "情報政策課", "令和8年3月4日", {"sheet": "是正処置管理表", "header_row": 2,
        "values": {"status": "未着手=not_started 対応中=in_progress 完了=done 有効性確認済=verified"}}),
]


def write_manifest() -> None:
    files = []
    for path, kind, who, when, extra in FILES:
        entry = dict(path=path, kind=kind, provided_by=who, collected_on=when)
        entry |= {k: v for k, v in extra.items() if k != "values"}
        if path in COLUMNS:
            entry["columns"] = Flow({raw: field for raw, field in COLUMNS[path].items() if field})
        if "values" in extra:
            entry["values"] = {f: Flow(p.split("=") for p in spec.split()) for f, spec in extra["values"].items()}
        files.append(entry)
    doc = dict(organisation=Flow(ja="さくら台市", en="Sakuradai City"), fiscal_year=2025, as_of=FY_END, files=files)
    write_yaml("manifest.yaml", "# さくら台市 令和7年度 証跡一覧 (generated by tools/make_sample.py). Headers without a\n"
               "# column mapping (氏名/所属 in lms_export.csv, 備考 in 自己点検票.csv) are ignored; encoding is detected unless set.\n", doc)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_manifest()
    units = [dict(code=c, name=n, parent=p, level="課" if p else "部", mynumber_work="○" if n in MYNUMBER_UNITS else "×")
             for code, bu, kas in DEPTS for c, n, p in [(code, bu, "")] + [(k, n, code) for k, n in kas]]
    write_yaml("org_units.yaml", "# 組織マスタ（令和7年4月1日現在）。mynumber_work: ○ = マイナンバー利用事務あり\n", units)
    people, tags = build_staff()
    write_roster(people)
    write_lms(people)
    write_roles(tags)
    write_yaml("drills.yaml", "# 訓練実施報告（緊急時対応訓練・標的型メール訓練）\n", DRILLS)
    write_yaml("zones.yaml", "# セグメント定義\n", ZONES)
    write_yaml("gateways.yaml", "# 無害化装置・画面転送・セキュリティクラウド台帳\n", GATEWAYS)
    write_csv("fw_rules.csv", FW_RULES, "cp932", "\r\n")
    terminals, asset_tags = build_terminals()
    write_csv("端末台帳.tsv", terminals, "utf-8", "\n", delimiter="\t")
    write_yaml("audits.yaml", "# 情報セキュリティ監査 実施記録（内部監査・外部監査）\n", AUDITS)
    write_csv("自己点検票.csv", self_assessments(), "utf-8", "\n")
    write_xlsx("是正処置管理表.xlsx", "是正処置管理表", "是正処置管理表（令和6年度監査指摘の繰越分及び令和7年度自己点検）", 0,
               corrective_actions(tags | asset_tags))
    print("\n".join(f"{key:20} {value}" for key, value in sorted((tags | asset_tags).items())))
    import make_sample_documents  # 文書台帳.xlsx and its manifest entry
    make_sample_documents.main()
    import make_sample_catalogue_ops  # the asset, physical and operations registers and their manifest entries
    make_sample_catalogue_ops.main()
    import make_sample_catalogue_tech  # accounts, logs, vulnerabilities, contracts, cloud, wireless LAN
    make_sample_catalogue_tech.main()
    import sample_fy2024  # FY2024 (and its returned progress sheets), derived from the files just written
    sample_fy2024.main()
    import make_sample_checklist  # the auditors' worksheet, exported from the audit of the files just written
    make_sample_checklist.main()


if __name__ == "__main__":
    main()
