#!/usr/bin/env python3
"""`python tools/make_sample_checklist.py`: rewrite evidence/FY2025/監査チェックリスト.xlsx, the sample
city's auditors' worksheet as the auditors returned it, and its entry at the end of manifest.yaml.

The workbook is what `auditor checklist export --organisation --department 0310 --department 0510`
writes (the automated results from the sample's own audit, without any history register), then filled
in here as auditors would: answers typed as text into the text-formatted cells, 確認日 in the forms
people type. The planted answers are listed in evidence/README.md. Fixed dates and zip timestamps make
every run byte-identical; tools/make_sample.py runs this last.

The items are the shipped audit map's: its organisation-wide items under 所属 0220 (情報政策課, the
secretariat), then the department items for 市民課 (0310) and 道路課 (0510).
"""
from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from auditor import defaults  # noqa: E402
from auditor.cycle import sheets, worksheet  # noqa: E402
from auditor.engine import audit  # noqa: E402

OUT = ROOT / "evidence" / "FY2025"
NAME = "監査チェックリスト.xlsx"
EXPORTED = dt.date(2026, 2, 16)    # the export handed to the auditors
RETURNED = dt.datetime(2026, 3, 5, 17, 30)  # saved by the auditors
COLLECTED = "2026-03-06"           # received by the CISO office
MARK = "# 監査チェックリスト (written by tools/make_sample_checklist.py; planted answers in evidence/README.md)"
DEPARTMENTS = ("0310", "0510")

# 所属 -> item -> the auditors' answers by header label (an item not named: left empty)
ANSWERS = {
    "0220": {  # the organisation-wide items, answered for the town by the CISO office (情報政策課)
        "GL1-01": {"判定": "不適合", "監査人": "青山 美里", "確認日": "2026/2/24",
                   "確認した証跡": "体制表（令和7年4月1日）、任命通知、職員名簿",
                   "所見": "企画課に情報セキュリティ管理者が任命されていない。税務課では前任者の解任が記録されておらず、"
                          "体制表が更新されていない。"},
        "GL1-02": {"判定": "適合", "監査人": "青山 美里", "確認日": "2026/2/24",
                   "確認した証跡": "さくら台市情報セキュリティ委員会設置要綱（文書台帳 DOC-005）"},
        "GL1-04": {"判定": "適合", "監査人": "北村 拓真", "確認日": "令和8年2月25日",
                   "確認した証跡": "さくら台市CSIRT設置要綱（文書台帳 DOC-009）"},
        "GL1-05": {"判定": "適合", "監査人": "北村 拓真", "確認日": "令和8年2月25日",
                   "確認した証跡": "任命通知（CISO: 副市長）"},
        # GL1-03 (committee meetings) and the other organisation-wide items: not reached this year, left empty
    },
    "0310": {  # 市民課
        "GL2-03": {"判定": "適合", "監査人": "北村 拓真", "確認日": dt.date(2026, 2, 20), "確認した証跡": "窓口の保管文書の表示"},
        "GL4-07": {"判定": "適合", "監査人": "北村 拓真", "確認日": dt.date(2026, 2, 20), "確認した証跡": "端末台帳と設置場所の照合"},
        "GL4-08": {"判定": "不適合", "重要度": "軽微な不適合", "監査人": "北村 拓真", "確認日": dt.date(2026, 2, 20),
                   "確認した証跡": "執務室巡回（2月20日 14時）",
                   "所見": "窓口後方の共用端末2台が離席中もロックされておらず、住民票の写し請求書が机上に置かれていた。"},
        "GL4-09": {"判定": "適合", "監査人": "北村 拓真", "確認日": dt.date(2026, 2, 20), "確認した証跡": "記録媒体管理簿"},
    },
    "0510": {  # 道路課 (GL2-03 not reached: so GL2-03, answered 適合 by 市民課 only, stays not assessed)
        "GL4-08": {"判定": "適合", "監査人": "青山 美里", "確認日": "2026/3/3", "確認した証跡": "執務室巡回（3月3日 10時）"},
        "GL8-07": {"判定": "該当なし", "監査人": "青山 美里", "確認日": "2026/3/3",
                   "所見": "課として利用している外部サービスがない（全庁の電子申請システムのみ）。"},
    },
}


def exported() -> tuple[bytes, list]:
    """The export, from the sample's audit (no history register: the same results on every machine)."""
    run = audit.run(defaults.policy(), OUT, [defaults.shipped_controls()], frameworks=None)
    fw = run.framework
    auditees = [worksheet.organisation(run.evidence, run.policy)] + \
        [worksheet.department(run.evidence, code) for code in DEPARTMENTS]
    data = worksheet.write(run, fw, auditees, "ja", EXPORTED)
    entries = [worksheet.entry(NAME, worksheet.KIND, "情報政策課（監査人）", dt.date.fromisoformat(COLLECTED),
                               worksheet.TEXT["ja"]["sheet"], worksheet.HEADER_ROW, worksheet.column_map("ja"))]
    return data, entries


def filled(data: bytes) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        labels = {c.value: c.column for c in ws[worksheet.HEADER_ROW]}
        for row in ws.iter_rows(min_row=worksheet.HEADER_ROW + 1):
            unit, item = row[labels["所属"] - 1].value, row[labels["項目ID"] - 1].value
            for label, value in ANSWERS[unit].get(item, {}).items():
                cell = row[labels[label] - 1]
                cell.value = value
                if isinstance(value, dt.date):
                    cell.number_format = sheets.DATE_FORMAT
    wb.properties.modified = RETURNED
    return sheets.save(wb, RETURNED)


def manifest(entries: list = ()) -> None:
    """This tool's block of manifest.yaml (its comment line and its entry) replaced where it stands, or added
    at the end (files: is the last key); none: removed. Entries listed after it are kept."""
    path = OUT / "manifest.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(MARK) if MARK in lines else None
    end = start
    if start is not None:
        end = start + 1
        while end < len(lines) and not lines[end].startswith("- "):
            end += 1
        end += 1  # the entry's own "- path:" line, then its indented keys
        while end < len(lines) and lines[end].startswith("  "):
            end += 1
        del lines[start:end]
    block = worksheet.manifest_text(entries, "ja", MARK).rstrip("\n").split("\n") if entries else []
    if start is None or start >= len(lines) or not "".join(lines[start:]).strip():
        text = "\n".join(lines).rstrip("\n") + "\n" + ("\n".join(block) + "\n" if block else "")
    else:
        text = "\n".join(lines[:start] + block + lines[start:])
    path.write_bytes(text.encode("utf-8"))


def main() -> None:
    manifest()  # the audit below reads the manifest: not the file about to be made again
    data, entries = exported()
    (OUT / NAME).write_bytes(filled(data))
    manifest(entries)
    print(f"wrote {OUT / NAME} and its manifest entry")


if __name__ == "__main__":
    main()
