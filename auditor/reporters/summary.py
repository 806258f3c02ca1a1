"""The report's first page: what a 課長 must act on, or what the 情報セキュリティ委員会 is asked to note.

Built once from the document's own Check and Act parts (auditor/reporters/document.py), so the summary
cannot disagree with the details behind it. A department's summary: its open findings with their
action, due date and status, what its earlier actions became, and its rate beside the organisation's
with the reason they differ. The organisation's: the rates, coverage, open findings, the departments
and controls with the most open findings, earlier actions and exceptions, and the points for the
committee.
"""
from __future__ import annotations

import datetime as dt

from ..fiscal import day_text
from ..scoring import department_status, rated
from .labels import fy_ja, labels

SEVERITIES = ("major", "minor", "observation")
TOP_DEPARTMENTS, TOP_CONTROLS = 5, 3  # named on the organisation's page (the Word page also holds the 決裁欄)


def _both(key: str, **values) -> dict:
    """The sentence `key` in both languages; a value given as {"ja": ..., "en": ...} fills each its own."""
    return {lang: labels()[lang]["text"][key].format(**{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})
            for lang in ("ja", "en")}


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def section(run, department: dict | None, check: dict, act: dict, left_out: dict | None) -> dict:
    """The summary of one document (department=None: the organisation's executive summary)."""
    if department:
        return _department(run, department, check, act, left_out)
    return _organisation(check, act)


def _open_items(check: dict, act: dict) -> list[dict]:
    """Each open finding with the action that answers it: what to do, by when, in what state."""
    actions = {a["finding_id"]: a for a in act["actions"]}
    out = []
    for f in check["findings"]:
        if f["status"] != "open":
            continue
        a = actions.get(f["id"]) or {}
        out.append({"finding_id": f["id"], "severity": f["severity"], "control_id": f["control_id"],
                    "control_title": dict(f["control_title"]), "message": dict(f["message"]),
                    "recurred": bool(f.get("recurred")), "action_id": a.get("action_id"),
                    "due_on": a.get("due_on"), "extended_to": a.get("extended_to"),
                    "action_status": a.get("status"), "register_status": a.get("register_status"),
                    "raised_in": a.get("fiscal_year")})
    return out


def _previous_rows(act: dict) -> list[dict]:
    return [{"action_id": a["action_id"], "finding_id": a["finding_id"], "state": a["state"],
             "due_on": a.get("due_on"), "extended_to": a.get("extended_to"), "completed_on": a.get("completed_on"),
             "verified_on": a.get("verified_on"), "questioned_by": list(a.get("questioned_by") or [])}
            for a in act["previous"]]


def _last_year(trend: dict) -> dict | None:
    """The latest earlier recorded year's rate (None when no earlier year is recorded)."""
    points = [p for p in trend["overall"][:-1] if p["evaluated"]]
    return dict(points[-1]) if points else None


def _department(run, department: dict, check: dict, act: dict, left_out: dict | None) -> dict:
    code, secretariat = department["code"], run.policy.secretariat
    own, org = check["overall"], check["organisation"]
    # the controls the organisation's rate counts and this department's does not
    elsewhere = [r for r in rated(run) if r.status != "not_applicable"
                 and department_status(r, code, secretariat) in (None, "not_applicable")]
    failed = sum(r.status not in ("pass", "waived") for r in elsewhere)
    values = dict(rate=_pct(own["rate"]), compliant=own["compliant"], evaluated=own["evaluated"],
                  org_rate=_pct(org["rate"]), org_compliant=org["compliant"], org_evaluated=org["evaluated"],
                  elsewhere=len(elsewhere), failed=failed)
    why = _both("summary_why" if elsewhere else "summary_why_same", **values)
    last = _last_year(check["trend"])
    if last:
        fy = last["fiscal_year"]
        last_text = _both("summary_last_year", fy_ja=fy_ja(fy), fy=fy, rate=_pct(last["rate"]),
                          compliant=last["compliant"], evaluated=last["evaluated"])
        why = {lang: why[lang] + ("" if lang == "ja" else " ") + last_text[lang] for lang in why}
    items = _open_items(check, act)
    counts = {s: check["findings_count"][s] for s in SEVERITIES}
    return {
        "kind": "department",
        "open": counts, "waived": check["findings_count"]["waived"],
        "findings": items,
        "request": _both("summary_request" if items else "summary_nothing_open"),
        "previous": _previous_rows(act), "previous_counts": dict(act["previous_counts"]),
        "register_provided": act["register_provided"],
        "rates": {"department": dict(own), "organisation": {k: org[k] for k in ("evaluated", "compliant", "rate")},
                  "last_year": last, "organisation_only": {"controls": len(elsewhere), "failed": failed}},
        "comparison": why,
        "left_out": dict(left_out or {"count": 0, "not_applicable": 0}),
    }


def _organisation(check: dict, act: dict) -> dict:
    counts = check["findings_count"]
    findings = [f for f in check["findings"] if f["status"] == "open"]
    depts = [d for d in check["by_department"] if any(d["open"].values())]
    depts.sort(key=lambda d: tuple(-d["open"][s] for s in SEVERITIES) + (d["code"],))
    by_control: dict = {}
    for f in findings:
        row = by_control.setdefault(f["control_id"], {"control_id": f["control_id"], "title": dict(f["control_title"]),
                                                      "severity": f["severity"], "open": 0, "departments": set()})
        row["open"] += 1
        row["departments"].add((f["department"] or {}).get("code"))
        if SEVERITIES.index(f["severity"]) < SEVERITIES.index(row["severity"]):
            row["severity"] = f["severity"]
    controls = sorted(by_control.values(), key=lambda r: (SEVERITIES.index(r["severity"]), -r["open"], r["control_id"]))
    due = {}
    for s in SEVERITIES:
        dates = sorted(a.get("extended_to") or a["due_on"] for a in act["actions"]
                       if a["severity"] == s and a.get("status") == "new" and a.get("due_on"))
        due[s] = dates[0] if dates else None
    cov = (check.get("coverage") or {}).get("total")
    prev = act["previous_counts"]
    excs = check["exceptions"]
    exc = {"valid": sum(e["state"] == "valid" for e in excs), "ending_soon": sum(bool(e["ending_soon"]) for e in excs),
           "not_waiving": sum(e["state"] != "valid" for e in excs)}
    recurred = sum(bool(f.get("recurred")) for f in findings)
    majors = [d for d in check["by_department"] if d["open"]["major"]]
    points = []
    if counts["major"]:
        first = due["major"]  # a day in prose: 令和8年5月15日 in Japanese, as the findings write days
        day = {lang: day_text(dt.date.fromisoformat(first), lang) if first else "—" for lang in ("ja", "en")}
        points.append(_both("point_major", n=counts["major"], depts=len(majors), due=day))
    if prev.get("overdue"):
        points.append(_both("point_overdue", n=prev["overdue"]))
    if recurred or prev.get("recurred"):
        points.append(_both("point_recurred", n=max(recurred, prev.get("recurred", 0))))
    if prev.get("questioned"):
        points.append(_both("point_questioned", n=prev["questioned"]))
    if cov and cov["not_assessed"]:
        points.append(_both("point_not_assessed", n=cov["not_assessed"], items=cov["applicable"]))
    if check["limited"]:
        points.append(_both("point_limited", n=len(check["limited"]), ids=", ".join(check["limited"])))
    if exc["ending_soon"] or exc["not_waiving"]:
        points.append(_both("point_exceptions", soon=exc["ending_soon"], void=exc["not_waiving"]))
    return {
        "kind": "organisation",
        "rates": {"organisation": dict(check["overall"]), "last_year": _last_year(check["trend"]),
                  "items": {k: cov[k] for k in ("applicable", "assessed", "not_assessed", "rate", "assessed_rate")}
                  if cov else None},
        "open": {s: counts[s] for s in SEVERITIES}, "waived": counts["waived"], "recurred": recurred,
        "due": due,
        "departments": [{"code": d["code"], "name": d["name"], "open": dict(d["open"]), "rate": d["rate"],
                         "evaluated": d["evaluated"], "compliant": d["compliant"]} for d in depts[:TOP_DEPARTMENTS]],
        "departments_with_findings": len(depts), "departments_total": len(check["by_department"]),
        "controls": [{**{k: v for k, v in r.items() if k != "departments"}, "departments": len(r["departments"])}
                     for r in controls[:TOP_CONTROLS]],
        "controls_with_findings": len(controls),
        "previous_counts": dict(prev), "previous_total": len(act["previous"]),
        "register_provided": act["register_provided"],
        "exceptions": exc,
        "points": points,
    }
