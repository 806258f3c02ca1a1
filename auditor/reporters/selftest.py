"""The output of `auditor test` (the controls' own tests, auditor/engine/selftest.py): text like a test
runner, with what was expected next to what the control gave, JUnit XML and JSON."""
from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

from ..model import STATUS_LABELS
from ..privacy import mynumber, sanitize

TEXT = {
    "ja": {
        "suite": "{folder}: 管理策 {controls} 件、テストケース {cases} 件",
        "status": "結果の状態: 期待 {want}、実際 {got}",
        "reason": "理由: {reason}",
        "missing": "期待した指摘が出ていません",
        "unexpected": "期待していない指摘が出ました",
        "differ": "{keys} が異なります（期待 {want}、実際 {got}）",
        "legend": "（- 期待したが出なかった指摘、+ 期待していない指摘、~ 内容の異なる指摘）",
        "malformed": "テストケースが不正です",
        "summary": "テストケース {total} 件: 成功 {passed}、失敗 {failed}、不正 {errors}（{secs:.1f} 秒）",
        "none": "該当するテストケースがありません",
        "org_wide": "組織全体",
    },
    "en": {
        "suite": "{folder}: controls {controls}, cases {cases}",
        "status": "status: expected {want}, got {got}",
        "reason": "reason: {reason}",
        "missing": "expected, not given",
        "unexpected": "given, not expected",
        "differ": "{keys} differ (expected {want}, got {got})",
        "legend": "(- expected but not given, + given but not expected, ~ given with other details)",
        "malformed": "malformed test case",
        "summary": "{total} cases: {passed} passed, {failed} failed, {errors} errors ({secs:.1f}s)",
        "none": "no test case matched",
        "org_wide": "organisation-wide",
    },
}
MARK = {"passed": "✓", "failed": "✗", "error": "!"}


def _status(status, lang: str) -> str:
    if status is None:
        return "—"
    return status if lang == "en" else f"{STATUS_LABELS['ja'].get(status, status)}（{status}）"


def _where(f: dict) -> str:
    if "locations" in f:  # a finding the run gave
        locs = f["locations"]
        return ", ".join(f"{l['file']}:{l['line']}" if l.get("line") else str(l.get("file")) for l in locs) or "—"
    if "file" in f or "line" in f:  # as expected.yaml wrote it
        file = f.get("file", "*")
        return f"{file}:{f['line']}" if f.get("line") else file
    return ""


def _value(f: dict, key: str):
    if key == "file":
        return f["locations"][0]["file"] if f.get("locations") else None
    if key == "line":
        return f["locations"][0].get("line") if f.get("locations") else None
    return f.get(key)


def details(o, lang: str) -> list[str]:
    """The lines that say how a failed case differs from what it expects (the diff)."""
    t = TEXT[lang]
    if o.error is not None:
        return [f"{t['malformed']}: {o.error.render()}"]
    lines = []
    if o.status != o.expected_status:
        lines.append(t["status"].format(want=_status(o.expected_status, lang), got=_status(o.status, lang)))
        if o.reason:
            lines.append(t["reason"].format(reason=o.reason[lang]))
    for e in o.missing:
        lines.append(f"- {e['id']}  {_where(e)}  {t['missing']}".replace("    ", "  "))
    for g in o.unexpected:
        lines.append(f"+ {g['id']}  {_where(g)}  {t['unexpected']}: {g['message'][lang]}")
    for e, g, keys in o.differ:
        want = ", ".join(f"{k}={e[k]}" for k in keys)
        got = ", ".join(f"{k}={_value(g, k)}" for k in keys)
        lines.append(f"~ {e['id']}  {_where(g)}  " + t["differ"].format(keys=", ".join(keys), want=want, got=got))
    if o.missing or o.unexpected or o.differ:
        lines.append(t["legend"])
    return lines


def text(report, lang: str = "ja") -> str:
    t = TEXT[lang]
    out = []
    for suite in report.suites:
        out.append(t["suite"].format(folder=suite.folder, controls=len(suite.controls), cases=len(suite.outcomes)))
        for o in suite.outcomes:
            title = f" — {o.description[lang]}" if o.description else ""
            out.append(f"  {MARK[o.verdict]} {o.name}{title}")
            if o.verdict != "passed":
                out.append(f"      {o.expected_path}")
                out += [f"      {line}" for line in details(o, lang)]
        if not suite.outcomes:
            out.append(f"  {t['none']}")
    out.append("")
    out.append(summary(report, lang))
    return mynumber.mask("\n".join(out) + "\n")


def summary(report, lang: str) -> str:
    return TEXT[lang]["summary"].format(total=len(report.outcomes), passed=report.count("passed"),
                                        failed=report.count("failed"), errors=report.count("error"),
                                        secs=sum(o.seconds for o in report.outcomes))


def junit(report, lang: str = "ja") -> str:
    """One test suite per controls folder, one test case per case: a failure carries the diff, a
    malformed case an error naming its file and line."""
    root = ET.Element("testsuites")
    stamp = dt.datetime.now().replace(microsecond=0).isoformat()
    for i, suite in enumerate(report.suites):
        failures = sum(o.verdict == "failed" for o in suite.outcomes)
        errors = sum(o.verdict == "error" for o in suite.outcomes)
        node = ET.SubElement(root, "testsuite", name=suite.folder, package="auditor", id=str(i), timestamp=stamp,
                             hostname="auditor", tests=str(len(suite.outcomes)), failures=str(failures),
                             errors=str(errors), skipped="0", time=f"{sum(o.seconds for o in suite.outcomes):.3f}")
        ET.SubElement(node, "properties")
        for o in suite.outcomes:
            case = ET.SubElement(node, "testcase", name=o.name, classname=f"auditor.controls.{o.control or 'case'}",
                                 time=f"{o.seconds:.3f}")
            lines = details(o, lang)
            if o.verdict == "error":
                err = ET.SubElement(case, "error", type="malformed", message=o.error.render())
                err.text = o.expected_path
            elif o.verdict == "failed":
                failure = ET.SubElement(case, "failure", type="expectation", message=lines[0] if lines else "")
                failure.text = "\n".join([o.expected_path, *lines])
        ET.SubElement(node, "system-out").text = ""
        ET.SubElement(node, "system-err").text = ""
    ET.indent(root)
    sanitize.xml_tree(root)
    return mynumber.mask('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def as_json(report, lang: str = "ja") -> str:
    def finding(f):
        return {k: v for k, v in f.items() if k != "message"} | ({"message": f["message"][lang]} if "message" in f else {})

    doc = {"summary": {"cases": len(report.outcomes), "passed": report.count("passed"),
                       "failed": report.count("failed"), "errors": report.count("error")},
           "suites": [{"folder": s.folder, "controls": list(s.controls), "cases": [
               {"name": o.name, "file": o.expected_path, "control": o.control, "verdict": o.verdict,
                "expected_status": o.expected_status, "status": o.status, "matched": o.matched,
                "missing": o.missing, "unexpected": [finding(g) for g in o.unexpected],
                "differ": [{"expected": e, "actual": finding(g), "keys": keys} for e, g, keys in o.differ],
                "error": ({"file": o.error.path, "line": o.error.line, "message": o.error.message}
                          if o.error is not None else None)}
               for o in s.outcomes]} for s in report.suites]}
    return mynumber.mask(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


FORMATS = {"text": text, "junit": junit, "json": as_json}
