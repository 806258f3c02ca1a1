"""The report's trend section: earlier recorded fiscal years (latest run of each) and this run."""
from __future__ import annotations

from ..cycle.trend import rates
from .labels import labels


def _point(fy: int, row) -> dict:
    if not row:
        return {"fiscal_year": fy, "evaluated": 0, "compliant": 0, "rate": None}
    evaluated, compliant = row["evaluated"], row["compliant"]
    return {"fiscal_year": fy, "evaluated": evaluated, "compliant": compliant,
            "rate": round(compliant / evaluated, 4) if evaluated else None}


def section(run, department: dict | None) -> dict:
    """The report's trend: earlier recorded fiscal years (latest run of each) and this run."""
    from ..fiscal import FiscalYear

    cycle = getattr(run, "cycle", None)
    fy = run.evidence.fiscal_year.year
    earlier = [t for t in (cycle.trend if cycle else []) if t["fiscal_year"] < fy]
    now = {(s, k): {"label": label, "evaluated": e, "compliant": c} for s, k, label, e, c in rates(run)}
    series = [(t["fiscal_year"], t["rates"]) for t in earlier] + [(fy, now)]
    years = [{"fiscal_year": y, "label": {"ja": FiscalYear(y).label_ja, "en": FiscalYear(y).label_en}} for y, _ in series]
    area_labels = labels()["areas"]
    if department is None:
        overall = [_point(y, r.get(("overall", ""))) for y, r in series]
        area_keys = _keys(series, "area")
        by_area = [{"area": a, "label": dict(area_labels.get(a, {"ja": a, "en": a})),
                    "values": [_point(y, r.get(("area", a))) for y, r in series]} for a in area_keys]
        names = {k: row["label"] for _, r in series for (s, k), row in r.items() if s == "department"}
        by_department = [{"code": c, "name": names.get(c) or c,
                          "values": [_point(y, r.get(("department", c))) for y, r in series]}
                         for c in _keys(series, "department")]
    else:
        code = department["code"]
        overall = [_point(y, r.get(("department", code))) for y, r in series]
        area_keys = [k.split("/", 1)[1] for k in _keys(series, "department_area") if k.startswith(code + "/")]
        by_area = [{"area": a, "label": dict(area_labels.get(a, {"ja": a, "en": a})),
                    "values": [_point(y, r.get(("department_area", f"{code}/{a}"))) for y, r in series]}
                   for a in area_keys]
        by_department = []
    return {"years": years, "overall": overall, "by_area": by_area, "by_department": by_department}


def _keys(series, scope: str) -> list:
    """Keys of a scope in the latest year's order, then those only earlier years had."""
    keys = []
    for _, r in reversed(series):
        keys += [k for (s, k) in r if s == scope and k not in keys]
    latest = [k for (s, k) in series[-1][1] if s == scope]
    return latest + sorted(k for k in keys if k not in latest)
