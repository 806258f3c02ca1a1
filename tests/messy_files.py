"""Evidence files as offices send them, for the onboarding tests (issue 16 §1): title rows, footer rows,
CP932 and UTF-16, English headers, merged cells, 和暦, leading zeros kept or lost, a My Number in a note.

The town is fictional (湊町, FY2025). Three staff: 001001 and 001002 trained in the year, 001003 not;
a firewall export with one allow rule from the My Number zone to the Internet without a 特定通信 ID.
"""
from __future__ import annotations

import codecs
import datetime as dt
import io

import openpyxl

MY_NUMBER = "123456789018"  # check digit valid (tests/test_mynumber.py uses the same number)


def lms_cp932() -> bytes:
    """LMS export: CP932, two title rows and a blank line above the header, 和暦 dates, a 合計 footer."""
    rows = [
        "令和7年度 情報セキュリティ研修 受講者一覧,,,,,",
        "出力日: 令和8年3月2日,,,,,",
        ",,,,,",
        "職員コード,氏名,所属課,研修名,修了日,点数",
        "001001,湊 太郎,総務課,情報セキュリティ研修（全職員）,令和7年6月2日,85",
        "001002,浜 花子,住民課,情報セキュリティ研修（全職員）,R7.6.20,90",
        "001002,浜 花子,住民課,個人情報保護研修,R7.7.15,70",
        "合計,3件,,,,",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp932")


def _xlsx(fill) -> bytes:
    wb = openpyxl.Workbook()
    fill(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def roster_xlsx() -> bytes:
    """Staff roster: a merged title row, the header on row 2, 正職員 (not a word auditor knows), real
    Excel dates and 和暦 text."""
    def fill(wb):
        ws = wb.active
        ws.title = "名簿"
        ws.append(["令和7年度 職員名簿（令和8年3月1日現在）"])
        ws.merge_cells("A1:F1")
        ws.append(["職員No", "氏名", "所属", "雇用区分", "入庁日", "退職日"])
        ws.append(["001001", "湊 太郎", "総務課", "正職員", dt.datetime(2010, 4, 1), None])
        ws.append(["001002", "浜 花子", "住民課", "会計年度任用職員", "令和7年4月1日", None])
        ws.append(["001003", "港 次郎", "住民課", "正職員", "令和7年5月1日", None])
        other = wb.create_sheet("集計")
        other.append(["所属", "人数"])
        other.append(["総務課", 1])
    return _xlsx(fill)


def roster_messy_xlsx() -> bytes:
    """A roster with what inspect must warn about: a unit merged down its rows, a staff number stored as a
    number shown zero-padded (000004 reads 4), an employment term nobody can guess (嘱託), an unreadable
    date, and a My Number in the 備考 column."""
    def fill(wb):
        ws = wb.active
        ws.title = "職員名簿"
        ws.append(["職員名簿"])
        ws.append(["職員番号", "氏名", "所属", "任用形態", "採用日", "備考"])
        ws.append(["000001", "一 郎", "総務課", "正規", "令和2年4月1日", None])
        ws.append(["000002", "二 郎", None, "嘱託", "令和3年4月1日", f"番号 {MY_NUMBER}"])
        ws.append(["000003", "三 郎", None, "正規", "令和14年13月1日", None])
        ws.append([4, "四 郎", "住民課", "正規", "2024/4/1", None])
        ws.merge_cells("C3:C5")
        ws["A6"].number_format = "000000"
    return _xlsx(fill)


def two_row_header_xlsx() -> bytes:
    """A training list whose header spans two rows: 研修 merged over 受講日 and 得点, the others merged down."""
    def fill(wb):
        ws = wb.active
        ws.append(["令和7年度 基礎研修 受講状況"])
        ws.append(["職員番号", "氏名", "研修", None])
        ws.append([None, None, "受講日", "得点"])
        ws.append(["S001", "一 郎", "2025/6/1", 80])
        ws.append(["S002", "二 郎", "令和7年6月2日", 75])
        for cells in ("A1:D1", "A2:A3", "B2:B3", "C2:D2"):
            ws.merge_cells(cells)
    return _xlsx(fill)


FW_HEADER = "Rule ID,Source,Destination,Action,Service,Via,Specific Comm ID"
FW_ROWS = [
    "FW-001,マイナンバー利用事務系,LGWAN接続系,permit,住基ネット連携,,TK-01",
    "FW-002,マイナンバー利用事務系,インターネット接続系,permit,Windows Update,,",
    "FW-003,LGWAN接続系,インターネット接続系,deny,any,,",
    "FW-004,インターネット接続系,マイナンバー利用事務系,deny,any,,",
]


def fw_utf16(bom: bool = True) -> bytes:
    """A firewall export in UTF-16 with English headers (Excel's 'Unicode text', saved as .csv)."""
    text = "\r\n".join([FW_HEADER, *FW_ROWS]) + "\r\n"
    return (codecs.BOM_UTF16_LE if bom else b"") + text.encode("utf-16-le")


def org_csv() -> bytes:
    """The organisation master: UTF-8 with BOM, codes with leading zeros, ○/× flags."""
    rows = ["課コード,課名,上位コード,区分,マイナンバー利用事務",
            "0100,総務部,,部,×", "0110,総務課,0100,課,×", "0200,住民部,,部,×", "0210,住民課,0200,課,○"]
    return ("\ufeff" + "\n".join(rows) + "\n").encode("utf-8")


def short_keys_csv() -> bytes:
    """Staff numbers that lost their zeros in Excel (1003 beside 001001), one written =\"001004\", a blank key."""
    rows = ["職員番号,所属,任用形態", "001001,総務課,正規", "001002,総務課,正規", "1003,住民課,正規",
            '="001004",住民課,正規', ",住民課,正規"]
    return ("\n".join(rows) + "\n").encode("utf-8")


TOWN = {"lms.csv": lms_cp932, "職員名簿.xlsx": roster_xlsx, "fw_export.csv": fw_utf16, "組織.csv": org_csv}
