"""The municipality's policy: network model, control overrides and exceptions (例外措置)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..evidence import kinds, normalize
from .. import schema, yamlio
from ..errors import InputError
from ..model import Policy, PolicyException

DEFAULT_DUE_DAYS = {"major": 30, "minor": 90, "observation": 180}
# Oldest evidence (days from collected_on to as_of) a control may pass on; kinds not listed: no limit.
# Exports of systems that change often (firewall, rosters) age fastest; yearly records least.
DEFAULT_MAX_AGE_DAYS = {"flow_rules": 90, "staff": 90, "role_assignments": 90, "training_records": 90,
                        "corrective_actions": 90, "terminals": 180, "gateways": 180, "zones": 365, "org_units": 365,
                        "drills": 365, "audits": 365, "self_assessments": 365,
                        "entry_logs": 90, "incidents": 90, "exception_requests": 90, "authorised_entrants": 180,
                        "removable_media": 365, "assets": 365, "disposals": 365, "risk_assessments": 365,
                        # accounts change every transfer round; inventories and registers are kept up yearly
                        "accounts": 90, "vulnerabilities": 180, "log_sources": 180, "wireless_lans": 180,
                        "vulnerability_scans": 365, "contracts": 365, "contractor_checks": 365, "cloud_services": 365}
EXCEPTION_NOTICE_DAYS = 30  # exceptions ending this soon are called out in reports and `exceptions list`


def load(path, cache_dir=None) -> tuple[Policy, dict]:
    """The policy, and the line of each control ID it names (for errors about unknown IDs)."""
    path = Path(path)
    data, located = yamlio.read_config(path)
    schema.validate(data, "policy", path, located, hint="see README.md, 'Writing a policy', for the keys",
                    cache_dir=cache_dir)
    for kind in data.get("evidence_max_age_days") or {}:
        if kind not in kinds.names():
            raise InputError(path, f"evidence_max_age_days: unknown evidence kind '{kind}'",
                             line=located.line_of(data, ["evidence_max_age_days", kind]),
                             hint="known kinds: " + ", ".join(kinds.names()) + "; " + kinds.TOWN_HINT_EN,
                             ja=f"evidence_max_age_days: 証跡の種類「{kind}」はありません",
                             hint_ja="証跡の種類: " + "、".join(kinds.names()) + "。" + kinds.TOWN_HINT_JA)
    exceptions = tuple(_exception(e, located.line(e)) for e in data.get("exceptions") or [])
    lines = {cid: located.line_of(data, ["controls", cid]) for cid in data.get("controls") or {}}
    for e in exceptions:
        lines.setdefault(e.control, e.line)
    settings = {
        "due_days": dict(DEFAULT_DUE_DAYS, **(data.get("actions") or {}).get("due_days", {})),
        "owner_role": (data.get("actions") or {}).get("owner_role", "情報セキュリティ管理者"),
        "show_personal_names": (data.get("report") or {}).get("show_personal_names", False),
        "max_age_days": dict(DEFAULT_MAX_AGE_DAYS, **(data.get("evidence_max_age_days") or {})),
        "exception_notice_days": (data.get("report") or {}).get("exception_notice_days", EXCEPTION_NOTICE_DAYS),
        "items": data.get("items") or {},
        "approval": data.get("approval") or {},  # sign-off rules: auditor/cycle/approval.py
        "item_lines": {i: located.line_of(data, ["items", i]) for i in data.get("items") or {}},
        "audit_type": (data.get("report") or {}).get("audit_type",
                                                      {"ja": "情報セキュリティ内部監査", "en": "Internal information-security audit"}),
    }
    secretariat = data.get("secretariat")
    policy = Policy(path=str(path), organisation=data["organisation"],
                    version=str(data["version"]) if data.get("version") is not None else None,
                    network_model=data["network_model"],
                    secretariat=normalize.normalize_id(secretariat) if secretariat is not None else None,
                    controls=data.get("controls") or {}, exceptions=exceptions, settings=settings,
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    return policy, lines


def _exception(e: dict, line) -> PolicyException:
    """Parse an exception; a missing or unreadable date makes it invalid (it waives nothing)."""
    problems, dates = [], {}
    for key in ("from", "to"):
        raw = e.get(key)
        try:
            dates[key] = normalize.parse_date(raw)
        except ValueError:
            dates[key] = None
            problems.append(f"unreadable '{key}' date {raw!r}")
            continue
        if dates[key] is None:
            problems.append(f"no '{key}' date")
    if not problems and dates["from"] > dates["to"]:
        problems.append("'from' is after 'to'")
    scope = {k: normalize.normalize_id(v) for k, v in e["scope"].items()}
    return PolicyException(id=e["id"], control=e["control"], scope=scope, reason=e["reason"], approver=e["approver"],
                           start=dates["from"], end=dates["to"], problem="; ".join(problems) or None, line=line)
