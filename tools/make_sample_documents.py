#!/usr/bin/env python3
"""`python tools/make_sample_documents.py`: rewrite evidence/FY2025/文書台帳.xlsx and its manifest entry.

The documents register (文書管理台帳) of さくら台市 as its 情報政策課 keeps it: a title row above the header,
Japanese headers, 和暦 strings in some date cells, 施行状況 as 施行中/廃止, a 備考 column the manifest
does not map. Read by OR-02, OR-03, PR-01 and IR-03; the planted results are in evidence/README.md.
Called by tools/make_sample.py after it writes the manifest (the entry is replaced, never doubled);
byte-identical on every run (fixed xlsx properties and zip timestamps).
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

OUT = Path(__file__).resolve().parent.parent / "evidence" / "FY2025"
NAME, SHEET = "文書台帳.xlsx", "文書台帳"
FIXED_TS = dt.datetime(2026, 3, 5, 9, 0, 0)
D = dt.date

# raw header -> canonical field (empty: not mapped)
COLUMNS = {"文書番号": "doc_id", "文書種別": "doc_type", "文書名": "title", "所管課": "unit", "制定日": "approved_on",
           "決裁者": "approved_by", "最終改定日": "revised_on", "最終見直し日": "reviewed_on",
           "次回見直し予定日": "next_review_on", "開催日": "held_on", "施行状況": "in_force", "備考": ""}
TITLE = "情報セキュリティ関係 文書管理台帳（令和8年3月5日現在）"

# One row per document, in the header's order; a str date is a 和暦 text cell, a date a date cell.
# Excel row = 4 + index (title row 1, blank row 2, header row 3).
ROWS = [
    ("DOC-001", "基本方針", "さくら台市情報セキュリティ基本方針", "情報政策課", "平成16年4月1日", "市長",
     D(2023, 4, 1), "令和8年3月30日", D(2027, 3, 31), None, "施行中",
     "令和8年3月のガイドライン改定に照らし、改定不要と確認（CISO決裁）"),          # PR-01: reviewed after 2026-03-27
    ("DOC-002", "対策基準", "さくら台市情報セキュリティ対策基準", "情報政策課", "平成16年4月1日", "市長",
     "令和7年4月1日", None, D(2026, 9, 30), None, "施行中",
     "令和8年3月のガイドライン改定への対応は令和8年9月の見直しで行う"),           # PR-01: within the grace period
    ("DOC-003", "実施手順", "情報システム運用管理実施手順", "情報政策課", D(2016, 4, 1), "CISO（副市長）",
     D(2025, 4, 1), None, D(2026, 9, 30), None, "施行中", None),
    ("DOC-004", "実施手順", "住民記録システム端末運用手順", "0310", D(2018, 4, 1), "市民部長",
     D(2024, 10, 1), D(2025, 10, 1), D(2026, 9, 30), None, "施行中", None),
    ("DOC-005", "委員会設置要綱", "さくら台市情報セキュリティ委員会設置要綱", "情報政策課", "平成16年4月1日", "市長",
     "R3.4.1", None, None, None, "施行中", None),
    ("DOC-006", "議事録", "令和6年度第1回情報セキュリティ委員会 議事録", "情報政策課", D(2024, 8, 8), "CISO（副市長）",
     None, None, None, D(2024, 7, 25), None, None),
    ("DOC-007", "議事録", "令和6年度第2回情報セキュリティ委員会 議事録", "情報政策課", "R7.4.10", "CISO（副市長）",
     None, None, None, D(2025, 2, 20), None, "議事録の確定は令和7年4月"),          # OR-03: held in FY2024
    ("DOC-008", "議事録", "令和7年度 CSIRT定例会議 議事録", "情報政策課", D(2025, 10, 30), "CSIRT責任者",
     None, None, None, D(2025, 10, 15), None, None),                              # OR-03: not the committee
    ("DOC-009", "CSIRT設置要綱", "さくら台市CSIRT設置要綱", "情報政策課", "R6.4.1", "CISO（副市長）",
     None, D(2025, 4, 1), D(2026, 4, 1), None, "施行中", None),
    ("DOC-010", "連絡体制表", "さくら台市CSIRT連絡体制表", "情報政策課", D(2019, 4, 1), "CSIRT責任者",
     D(2024, 4, 1), None, None, None, "施行中", "令和7年4月の人事異動後の更新は未了"),   # OR-02: stale
    ("DOC-011", "CSIRT設置要綱", "さくら台市CSIRT設置要領（旧）", "情報政策課", D(2019, 4, 1), "CISO（副市長）",
     None, None, None, None, "廃止", "令和6年4月1日 CSIRT設置要綱の施行により廃止"),
    ("DOC-012", "緊急時対応計画", "さくら台市情報セキュリティ緊急時対応計画", "情報政策課", "H30.4.1", "CISO（副市長）",
     D(2023, 4, 1), D(2025, 11, 20), D(2026, 11, 30), None, "施行中", "令和7年11月13日の緊急時対応訓練を受けて見直し"),
    ("DOC-013", "リスク評価", "令和7年度 情報資産リスク評価結果", "情報政策課", D(2025, 12, 19), "CISO（副市長）",
     None, None, None, None, "施行中", None),
]

MANIFEST_ENTRY = f"""- path: {NAME}
  kind: documents
  provided_by: 情報政策課
  collected_on: 令和8年3月5日
  sheet: {SHEET}
  header_row: 3
  columns: {{{', '.join(f'{raw}: {field}' for raw, field in COLUMNS.items() if field)}}}
  values:
    in_force: {{施行中: 'true', 廃止: 'false'}}
"""


class _FixedZip(zipfile.ZipFile):
    """ZipFile stamping every member with one time and mode (openpyxl uses now() and temp files)."""
    def open(self, name, mode="r", *args, **kwargs):
        if mode == "w" and isinstance(name, zipfile.ZipInfo):
            name.date_time, name.external_attr = FIXED_TS.timetuple()[:6], 0o600 << 16
        return super().open(name, mode, *args, **kwargs)


def write_register() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    for row in [[], list(COLUMNS)] + [list(r) for r in ROWS]:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy/m/d"
    wb.properties.creator = "さくら台市"
    wb.properties.created = wb.properties.modified = FIXED_TS
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buf, "w", zipfile.ZIP_DEFLATED)).save()    # bypasses save_workbook's now()
    (OUT / NAME).write_bytes(buf.getvalue())


def write_manifest_entry() -> None:
    """Put the register's entry last in manifest.yaml (files: is its last key), replacing an earlier one."""
    path = OUT / "manifest.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line == f"- path: {NAME}\n"), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("- ")), len(lines))
        del lines[start:end]
    path.write_text("".join(lines) + MANIFEST_ENTRY, encoding="utf-8")


def main() -> None:
    write_register()
    write_manifest_entry()


if __name__ == "__main__":
    main()
