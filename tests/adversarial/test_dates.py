"""Dates: days outside their era, days that do not exist, two-digit years and Excel serials.

Each is refused with the file and the line of the cell (or of the manifest key), never guessed.
"""
import pytest

from .harness import label_of, refused


@pytest.mark.parametrize("value, words", [
    ("平成31年5月1日", "outside the 平成 era (1989-01-08 to 2019-04-30)"),
    ("令和元年4月30日", "outside the 令和 era (from 2019-05-01)"),
    ("H31.5.1", "outside the 平成 era"),
    ("2025-02-30", "no such day"),
    ("令和7年2月30日", "no such day"),
    ("R7.2.29", "no such day"),  # 2025 is not a leap year
    ("２０２５／４／３１", "no such day"),  # full-width: NFKC first, then April has 30 days
    ("25/4/1", "not a date"),  # two-digit year: 1925 or 2025? never guessed
    ("7.4.1", "not a date"),  # an era year without its era
    ("45748", "format the cell as a date"),  # an Excel serial that lost its date format
], ids=["heisei-after-its-end", "reiwa-before-its-start", "H31.5.1", "feb-30-iso", "feb-30-wareki", "R7.2.29",
        "full-width-apr-31", "two-digit-year", "era-year-without-era", "excel-serial"])
def test_unreadable_date_in_evidence(case, request, value, words):
    case.add_file("staff.csv", f"職員番号,所属,採用日\nS1,0100,2025-04-01\nS2,0100,{value}\n".encode(), kind="staff",
                  columns={"職員番号": "staff_id", "所属": "unit", "採用日": "joined_on"})
    refused(case, file="staff.csv", line=3, words=["joined_on", words], label=label_of(request))


def _manifest_line(case, key):
    lines = (case.evidence / "manifest.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.lstrip("- ").startswith(key + ":"))


@pytest.mark.parametrize("key, value, words", [
    ("collected_on", "平成31年5月1日", "outside the 平成 era"),
    ("as_of", "2026-02-30", "no such day"),
    ("fiscal_year", "平成32年度", "平成 runs 元年 to 31年"),
    ("fiscal_year", "令和0年度", "令和 runs 元年 on"),
])
def test_unreadable_date_in_the_manifest(case, request, key, value, words):
    data = case.manifest()
    if key == "collected_on":
        data["files"][0][key] = value
    else:
        data[key] = value
    case.save_manifest(data)
    refused(case, file="manifest.yaml", line=_manifest_line(case, key), words=words,
            commands=("check", "report"), label=label_of(request))
