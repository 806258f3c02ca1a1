import datetime as dt

import pytest

from auditor.fiscal import FiscalYear, add_years, label, parse_wareki, wareki, wareki_short

D = dt.date


@pytest.mark.parametrize("day, inside", [
    (D(2025, 4, 1), True),
    (D(2025, 10, 15), True),
    (D(2026, 3, 31), True),
    (dt.datetime(2026, 3, 31, 23, 59), True),
    (D(2025, 3, 31), False),
    (D(2026, 4, 1), False),
])
def test_contains_boundaries(day, inside):
    assert FiscalYear(2025).contains(day) is inside


@pytest.mark.parametrize("day, year", [
    (D(2025, 4, 1), 2025), (D(2026, 3, 31), 2025), (D(2025, 3, 31), 2024),
    (D(2026, 4, 1), 2026), (D(2025, 1, 1), 2024), (D(2025, 12, 31), 2025),
    (dt.datetime(2025, 4, 1, 0, 0), 2025),
])
def test_of(day, year):
    assert FiscalYear.of(day) == FiscalYear(year)


def test_start_end():
    fy = FiscalYear(2025)
    assert (fy.start, fy.end) == (D(2025, 4, 1), D(2026, 3, 31))
    assert FiscalYear(2023).end == D(2024, 3, 31)


@pytest.mark.parametrize("year, ja, en", [
    (2025, "令和7年度", "FY2025"),
    (2024, "令和6年度", "FY2024"),
    (2019, "令和元年度", "FY2019"),   # April 2019 was still 平成, but the 年度 is 令和元年度
    (2020, "令和2年度", "FY2020"),
    (2018, "平成30年度", "FY2018"),
    (1989, "平成元年度", "FY1989"),
    (1988, "昭和63年度", "FY1988"),
    (1926, "昭和元年度", "FY1926"),
    (1912, "大正元年度", "FY1912"),
    (1868, "明治元年度", "FY1868"),
])
def test_labels(year, ja, en):
    assert FiscalYear(year).label_ja == ja
    assert FiscalYear(year).label_en == en
    assert str(FiscalYear(year)) == en


def test_fiscal_year_is_frozen_hashable_and_ordered():
    fy = FiscalYear(2025)
    with pytest.raises(AttributeError):
        fy.year = 2026
    assert {fy, FiscalYear(2025)} == {fy}
    assert FiscalYear(2024) < fy


@pytest.mark.parametrize("day, long, short", [
    (D(2025, 4, 1), "令和7年4月1日", "R7.4.1"),
    (D(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
    (D(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
    (D(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
    (D(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
    (D(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
    (D(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
    (D(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
    (D(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
    (dt.datetime(2025, 12, 15, 9), "令和7年12月15日", "R7.12.15"),
])
def test_wareki(day, long, short):
    assert wareki(day) == long
    assert wareki_short(day) == short
    assert parse_wareki(long) == (day.date() if isinstance(day, dt.datetime) else day)
    assert parse_wareki(short) == (day.date() if isinstance(day, dt.datetime) else day)


def test_wareki_before_meiji():
    with pytest.raises(ValueError):
        wareki(D(1867, 12, 31))


@pytest.mark.parametrize("text", ["2025-04-01", "令和7年4月", "abc", ""])
def test_parse_wareki_not_wareki_shaped(text):
    assert parse_wareki(text) is None


@pytest.mark.parametrize("day, n, expected", [
    (D(2025, 4, 1), 1, D(2026, 4, 1)),
    (D(2025, 4, 1), -3, D(2022, 4, 1)),
    (D(2024, 2, 29), 1, D(2025, 2, 28)),
    (D(2024, 2, 29), 4, D(2028, 2, 29)),
    (D(2024, 2, 29), -1, D(2023, 2, 28)),
    (D(2025, 3, 31), 0, D(2025, 3, 31)),
])
def test_add_years(day, n, expected):
    assert add_years(day, n) == expected


@pytest.mark.parametrize("day, lang, expected", [
    (D(2025, 4, 1), "ja", "2025年4月1日（令和7年4月1日）"),
    (D(2019, 5, 1), "ja", "2019年5月1日（令和元年5月1日）"),
    (D(2025, 4, 1), "en", "1 April 2025"),
    (D(2026, 3, 31), "en", "31 March 2026"),
    (D(1850, 1, 1), "ja", "1850年1月1日"),
])
def test_label(day, lang, expected):
    assert label(day, lang) == expected


def test_label_defaults_to_japanese_and_rejects_other_languages():
    assert label(D(2025, 4, 1)) == "2025年4月1日（令和7年4月1日）"
    with pytest.raises(ValueError):
        label(D(2025, 4, 1), "fr")


@pytest.mark.parametrize("value, year", [
    (2025, 2025), ("2025", 2025), ("2025年度", 2025), ("FY2025", 2025), ("令和7年度", 2025), ("令和７年度", 2025),
    ("R7", 2025), ("令和元年度", 2019), ("平成30年度", 2018), ("H31年度", 2019),
])
def test_parse_fiscal_year(value, year):
    from auditor.fiscal import parse_fiscal_year
    assert parse_fiscal_year(value) == year


def test_manifest_fiscal_year_in_wareki(tmp_path):
    from conftest import ORG, check_json, write_evidence, write_policy
    import yaml
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG})
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["fiscal_year"] = "令和7年度"
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    _, doc = check_json("--policy", write_policy(tmp_path), "--evidence", ev, "--control", "AU-01")
    assert doc["fiscal_year"] == 2025 and doc["as_of"] == "2026-03-31"
