"""Terminal output: findings grouped by department, every control's status, a one-line summary."""
from __future__ import annotations

import unicodedata

from ..privacy import mynumber, sanitize
from ..model import MODEL_LABELS, STATUS_LABELS, AuditRun
from ..fiscal import day_text, wareki
from ..engine import coverage
from .jsonout import summary

LABELS = {
    "ja": {"major": "重大", "minor": "軽微", "observation": "観察", "waived": "免除",
           "title": "{org} {fy} 情報セキュリティ監査（基準日 {as_of}、{model}モデル）",
           "findings": "指摘事項（所属別）", "controls": "管理策ごとの結果", "none": "指摘事項はありません。",
           "org_wide": "組織全体", "exceptions": "例外措置", "exception": "例外措置",
           "exc": {"valid": "有効", "expired": "期限切れ（免除しない）", "not_started": "開始前（免除しない）",
                   "invalid": "不備あり（免除しない）"},
           "used": "件を免除", "warning": "【データ品質】", "info": "（注）",
           "dq": "データ品質の警告 {n} 件（該当する管理策の結果の下と「証跡の確認事項」に表示）: 指摘の前提となる証跡の突合・読み取りを確認してください",
           "evidence_notices": "証跡の確認事項（形が他と異なる行、マニフェストの指定で除いた行・補った値）",
           "units": "組織マスタにない所属（表記ゆれ・組織改編を確認してください）",
           "cleaned": "不可視文字（ゼロ幅スペース等）を取り除いて読んだ値（元のファイルを確認してください）",
           "cleaned_row": "{where} {label}（{field}）: {chars} を除去{empty}（{rows} 行: {lines}）", "cleaned_empty": "、空欄として扱う",
           "pii": "証跡に個人番号（特定個人情報）が含まれています（出力ではマスク済み）",
           "summary": "管理策 {n} 件: {statuses} / 未対応の指摘: 重大 {major}・軽微 {minor}・観察 {observation}（免除 {waived}）",
           "baselined": "ベースライン {path}: 未対応の指摘のうち既知 {known} 件は判定（--fail-on）の対象外、新規 {new} 件",
           "new": "・新規", "known": "・既知", "sep": "、",
           "baselined_missing": "証跡のない管理策: 既知 {known} 件は判定の対象外、新規 {new} 件",
           "items": "監査人が判定する監査項目（監査チェックリスト）",
           "coverage": "監査項目の網羅状況（{map}）",
           "coverage_row": "{id:>3} {title}: 監査項目 {applicable} 件、評価済み {assessed}（規則 {rules}・監査人 {auditor}）、未確認 {not_assessed}、適合 {compliant}",
           "coverage_total": "監査項目 {applicable} 件（適用外 {not_applicable}）のうち評価済み {assessed} 件・未確認 {not_assessed} 件、適合 {compliant} 件（{rate}）。未確認の項目は適合に数えません",
           "required_open": "必須項目で適合と確認できないもの: {ids}",
           "required_head": "必須項目で適合と確認できないもの（{n} 項目）:",
           "items_summary": "監査項目（監査人）{n} 件: {statuses}",
           "items_open": "未確認 {n} 件（{reason}）: {ids}（一覧は auditor coverage --by item）",
           "items_open_mixed": "回答なし"},
    "en": {"major": "MAJOR", "minor": "minor", "observation": "obs", "waived": "waived",
           "title": "{org} {fy} information-security audit (as of {as_of}, model {model})",
           "findings": "Findings by department", "controls": "Results by control", "none": "No findings.",
           "org_wide": "Organisation-wide", "exceptions": "Exceptions", "exception": "Exception",
           "exc": {"valid": "valid", "expired": "expired (waives nothing)", "not_started": "not started (waives nothing)",
                   "invalid": "malformed (waives nothing)"},
           "used": "finding(s) waived", "warning": "[data quality]", "info": "(note)",
           "dq": "{n} data-quality warning(s), shown under the controls concerned and under 'Evidence to check': check the evidence the findings rest on",
           "evidence_notices": "Evidence to check (rows that do not look like the others; rows left out or cells filled as the manifest says)",
           "units": "Units not in the organisation master (check spelling or reorganisation)",
           "cleaned": "Values read after removing invisible characters (zero-width spaces etc.; check the files)",
           "cleaned_row": "{where} {label} ({field}): {chars} removed{empty} ({rows} row(s): lines {lines})", "cleaned_empty": ", read as empty",
           "pii": "Evidence holds My Numbers (特定個人情報); masked in every output",
           "summary": "{n} {controls}: {statuses}; open findings: {major} major, {minor} minor, {observation} observation ({waived} waived)",
           "baselined": "Baseline {path}: {known} of the open findings are known and do not fail the run (--fail-on); {new} new",
           "new": ", NEW", "known": ", known", "sep": ", ",
           "baselined_missing": "controls without evidence: {known} known, not failing the run; {new} new",
           "items": "Audit items answered by auditors (worksheet)",
           "coverage": "Coverage of the audit map ({map})",
           "coverage_row": "{id:>3} {title}: {applicable} items, {assessed} assessed ({rules} by rules, {auditor} by auditors), {not_assessed} not assessed, {compliant} compliant",
           "coverage_total": "{applicable} audit items ({not_applicable} not applicable): {assessed} assessed, {not_assessed} not assessed, {compliant} compliant ({rate}). Items not assessed are never counted as compliant",
           "required_open": "Required items not shown to be met: {ids}",
           "required_head": "Required items not shown to be met ({n}):",
           "items_summary": "{n} {items} (auditors): {statuses}",
           "items_open": "{n} not assessed ({reason}): {ids} (listed by auditor coverage --by item)",
           "items_open_mixed": "no answer"},
}


def _where(loc: dict) -> str:
    return f"{loc['file']}:{loc['line']}" if loc.get("line") else loc["file"]


def width(text: str) -> int:
    """Columns a terminal gives the text: wide and full-width characters (適合, 証跡なし) take two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def pad(text: str, columns: int) -> str:
    """Left-aligned in `columns` display columns (str.ljust counts characters, not columns)."""
    return text + " " * max(columns - width(text), 0)


def _unit_order(item):
    """Departments by organisation code (numerically when it is digits); findings without one last."""
    code, name = item[0]
    if code is None:
        return (2, "", name or "")
    return (0, int(code), name or "") if str(code).isdigit() else (1, str(code), name or "")


def render(run: AuditRun, lang: str = "ja", baseline=None) -> str:
    t = dict(STATUS_LABELS[lang], **LABELS[lang])
    ev, pol = run.evidence, run.policy
    fy = ev.fiscal_year.label_ja if lang == "ja" else ev.fiscal_year.label_en
    model = MODEL_LABELS[pol.network_model] if lang == "ja" else pol.network_model
    out = [t["title"].format(org=pol.organisation[lang], fy=fy, as_of=day_text(ev.as_of, lang), model=model), ""]
    groups: dict = {}
    for r in run.results:
        for f in r.findings:
            groups.setdefault((f.department_code, f.department), []).append(f)
    out.append(f"== {t['findings']} ==")
    if not groups:
        out.append(t["none"])
    for (_, dept), found in sorted(groups.items(), key=_unit_order):
        out.append(f"■ {dept or t['org_wide']} ({len(found)})")
        for f in sorted(found, key=lambda f: (f.control_id, f.id)):
            tag = t["waived"] if f.status == "waived" else t[f.severity]
            if baseline is not None and f.status == "open":  # what fails the run, told apart from known debt
                tag += t["known"] if baseline.covers(f) else t["new"]
            out.append(f"  [{tag}] {f.control_id} {f.message[lang]}")
            where = ", ".join(_where(l) for l in f.locations) or "—"
            out.append(f"        {where}  ({f.id})")
            if f.exception:
                out.append(f"        {t['exception']} {f.exception['id']}: {t['exc'][f.exception['state']]}")
    ids = max((width(r.control_id) for r in run.results), default=0)
    statuses = max((width(t[r.status]) for r in run.results), default=0)
    for heading, manual in ((t["controls"], False), (t["items"], True)):
        mine = [r for r in run.results if r.control.manual == manual]
        if not mine:
            continue
        out += ["", f"== {heading} =="]
        if manual:  # answered items one by one; the unanswered ones as one line (they can be many)
            open_items = [r for r in mine if r.status == "not_assessed"]
            mine = [r for r in mine if r.status != "not_assessed"]
            if open_items:
                reasons = {r.reason[lang] for r in open_items if r.reason}
                out.append("  " + t["items_open"].format(n=len(open_items), reason=t["sep"].join(sorted(reasons))
                                                         if len(reasons) == 1 else t["items_open_mixed"],
                                                         ids=t["sep"].join(sorted((r.control_id for r in open_items),
                                                                                key=coverage.natural))))
        for r in mine:
            extra = f" ({len(r.open_findings())})" if r.open_findings() else ""
            reason = f" — {r.reason[lang]}" if r.reason else ""
            out.append(f"  {pad(r.control_id, ids)} {pad(t[r.status], statuses)} {r.control.title[lang]}{extra}{reason}")
            out += [f"          {t[n['level']]} {n['message'][lang]}" for n in _ordered(r.notices)]
    out += _coverage(run, t, lang)
    if run.exceptions:
        out += ["", f"== {t['exceptions']} =="]
        for e in run.exceptions:
            exc = e["exception"]
            detail = f" ({exc.problem})" if exc.problem else ""
            end = (wareki(exc.end) if lang == "ja" else exc.end) if exc.end else "?"
            out.append(f"  {exc.id} {exc.control} ～{end}: {t['exc'][e['state']]}{detail}"
                       f"{t['sep'] if lang == 'ja' else '; '}{e['used']} {t['used']}")
    if ev.unknown_units:
        out += ["", f"== {t['units']} =="]
        out += [f"  {_where(loc.as_dict())}: {value} ({n})" for loc, value, n in ev.unknown_units]
    if ev.notices:
        out += ["", f"== {t['evidence_notices']} =="]
        out += [f"  {_where(n)}: {n['message'][lang]}" for n in ev.notices]
    if ev.cleaned:
        out += ["", f"== {t['cleaned']} =="]
        out += ["  " + t["cleaned_row"].format(where=_where(loc.as_dict()), label=label, field=field, chars=", ".join(chars),
                                               empty=t["cleaned_empty"] if emptied else "", rows=n,
                                               lines=", ".join(map(str, at)) + ("…" if n > len(at) else ""))
                for loc, label, field, chars, emptied, n, at in ev.cleaned]
    if ev.my_numbers:
        out += ["", f"== {t['pii']} =="]
        out += [f"  {_where(l.as_dict())}" for l in ev.my_numbers]
    s = summary(run, baseline)
    statuses = t["sep"].join(f"{t[k]} {v}" for k, v in sorted(s["statuses"].items(), key=lambda kv: _ORDER.index(kv[0])))
    out += ["", t["summary"].format(n=s["controls"], statuses=statuses, waived=s["waived_findings"],
                                    controls="control" if s["controls"] == 1 else "controls", **s["open_findings"])]
    if s["items"]:
        statuses = t["sep"].join(f"{t[k]} {v}" for k, v in sorted(s["item_statuses"].items(),
                                                                 key=lambda kv: _ORDER.index(kv[0])))
        out.append(t["items_summary"].format(n=s["items"], statuses=statuses,
                                             items="audit item" if s["items"] == 1 else "audit items"))
    warnings = sum(n["level"] == "warning" for n in [*(n for r in run.results for n in r.notices), *ev.notices])
    if warnings:
        out.append(t["dq"].format(n=warnings))
    if baseline is not None:
        known = s["baselined_findings"]
        line = t["baselined"].format(path=baseline.path, known=known, new=sum(s["open_findings"].values()) - known)
        missing = s["statuses"].get("no_evidence", 0)
        if missing:
            known = s["baselined_no_evidence"]
            line += ("、" if lang == "ja" else "; ") + t["baselined_missing"].format(known=known, new=missing - known)
        out.append(line)
    # one line each (evidence cannot add one, nor colour the terminal); masked again as a whole
    return mynumber.mask("\n".join(sanitize.terminal(line) for line in out) + "\n")


def _coverage(run: AuditRun, t: dict, lang: str) -> list:
    if run.framework is None:
        return []
    cov = coverage.summary(run, by="chapter")
    out = ["", f"== {t['coverage'].format(map=run.framework.title[lang])} =="]
    for g in cov["groups"]:
        out.append("  " + t["coverage_row"].format(**{**g, "title": g["title"][lang]}))
    total = cov["total"]
    rate = "—" if total["rate"] is None else f"{total['rate'] * 100:.1f}%"
    out.append("  " + t["coverage_total"].format(**{**total, "rate": rate}))
    grouped = total["required_not_met"] and coverage.required_groups(cov["groups"], total["required_not_met"])
    if grouped:  # a line per chapter: whose items they are
        out.append("  " + t["required_head"].format(n=len(total["required_not_met"])))
        out += [f"    {g['id']} {g['title'][lang]}: {t['sep'].join(ids)}" for g, ids in grouped]
    elif total["required_not_met"]:
        out.append("  " + t["required_open"].format(ids=t["sep"].join(total["required_not_met"])))
    return out


_ORDER = ["pass", "fail", "waived", "not_applicable", "no_evidence", "stale", "error", "not_assessed"]


def _ordered(notices: list) -> list:
    return sorted(notices, key=lambda n: n["level"] != "warning")  # data-quality warnings first
