"""A generated city with every evidence kind the shipped catalogue reads, at any scale (bench only).

Scale k: 20·k departments, 1,000·k staff (one training record each, plus a second course for a
third of them), 2·k terminals per department, 400·k flow rules, audits, self-assessments, drills,
role assignments and a corrective-action register, with a few per cent of planted gaps. Files are
UTF-8 CSV with canonical headers, and the flow rules YAML, as a machine export would write them.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

FY = (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


def _day(rng, start=FY[0], end=FY[1]) -> str:
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def _csv(path: Path, header: str, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        fh.writelines(",".join("" if v is None else str(v) for v in row) + "\n" for row in rows)


def generate(out: Path, k: int, seed: int = 2025) -> None:
    rng = random.Random(seed * 1000 + k)
    out.mkdir(parents=True, exist_ok=True)
    depts = [f"{1000 + i:04d}" for i in range(20 * k)]
    ciso_office = depts[0]
    _csv(out / "org_units.csv", "code,name,parent,level,mynumber_work",
         [(d, f"第{i}課", None, "課", "true" if i % 5 == 0 else "false") for i, d in enumerate(depts)])
    staff = [(f"S{i:07d}", f"職員{i}", depts[i % len(depts)], "regular" if i % 7 else "fiscal_appointee",
              _day(rng, dt.date(2000, 4, 1), dt.date(2025, 3, 1))) for i in range(1000 * k)]
    _csv(out / "staff.csv", "staff_id,name,unit,employment,joined_on", staff)
    training = []
    for i, (sid, *_rest) in enumerate(staff):
        if rng.random() < 0.97:
            training.append((sid, "security-basic", _day(rng), rng.randrange(60, 101)))
        if i % 3 == 0:
            training.append((sid, "security-advanced", _day(rng), rng.randrange(60, 101)))
    _csv(out / "training.csv", "staff_id,course,completed_on,score", training)
    roles = [("ciso", staff[0][0], ciso_office, "2025-04-01"), ("security_officer", staff[1][0], ciso_office, "2025-04-01")]
    roles += [("security_manager", staff[i][0], d, "2025-04-01") for i, d in enumerate(depts) if i % 50 != 7]
    _csv(out / "role_assignments.csv", "role,staff_id,unit,from", roles)
    zones = ["mynumber", "lgwan", "internet"]
    terminals = []
    for i in range(2 * len(depts)):
        zone = zones[i % 3]
        terminals.append((f"PC-{i:06d}", depts[i % len(depts)], zone, "main" if i % 4 else "shared",
                          "false" if zone == "mynumber" and rng.random() < 0.02 else "true",
                          "true" if rng.random() > 0.01 else "false", "false"))
    _csv(out / "terminals.csv", "asset_id,unit,zone,role,mfa,export_block,wireless", terminals)
    _csv(out / "zones.csv", "zone,cidr,name", [("mynumber", "10.1.0.0/16", "個人番号利用事務系"),
                                              ("lgwan", "10.2.0.0/16", "LGWAN接続系"),
                                              ("internet", "10.3.0.0/16", "インターネット接続系")])
    _csv(out / "gateways.csv", "gateway_id,type,name,zone",
         [("GW-1", "file_sanitizer", "ファイル無害化", "lgwan"), ("GW-2", "screen_transfer", "画面転送", "lgwan"),
          ("GW-3", "mail_sanitizer", "メール無害化", "lgwan")])
    lines = ["flow_rules:"]
    for i in range(400 * k):
        src, dst = rng.choice(zones), rng.choice(zones)
        action = "permit" if rng.random() < 0.7 else "deny"
        if {src, dst} == {"mynumber", "internet"} and rng.random() > 0.01:
            action = "deny"
        via = "GW-1" if src == "internet" and dst == "lgwan" else "direct"
        lines += [f"  - rule_id: FW-{i:07d}", f"    src_zone: {src}", f"    dst_zone: {dst}",
                  f"    action: {action}", f"    service: tcp/{rng.choice([22, 80, 443, 445, 3389])}", f"    via: {via}"]
    (out / "flows.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    audits = [(f"A{i:05d}", "internal", _day(rng), _day(rng), d, ciso_office, f"R-{i}")
              for i, d in enumerate(depts) if i % 40 != 3]
    audits.append(("E0001", "external", "2025-10-01", "2025-11-30", ciso_office, "監査法人", "R-E1"))
    _csv(out / "audits.csv", "audit_id,kind,started_on,ended_on,auditees,auditors,report_ref", audits)
    _csv(out / "self_assessments.csv", "unit,submitted_on,item,answer",
         [(d, _day(rng), f"Q{q:02d}", "yes" if rng.random() > 0.03 else "no")
          for i, d in enumerate(depts) if i % 30 != 11 for q in range(1, 21)])
    _csv(out / "drills.csv", "kind,held_on,participants,click_rate",
         [("incident", "2025-11-10", 40 * k, None), ("phishing", "2025-12-01", 1000 * k, "0.12")])
    _csv(out / "corrective_actions.csv", "action_id,finding_id,unit,owner,due_on,status,completed_on,verified_on,verified_by",
         [(f"CA-{i:05d}", f"TR-01:S{i:07d}", d, staff[i][0], "2025-12-31", "verified" if i % 9 else "in_progress",
           "2025-11-30" if i % 9 else None, "2025-12-15" if i % 9 else None, staff[1][0] if i % 9 else None)
          for i, d in enumerate(depts)])
    files = [("org_units.csv", "org_units"), ("staff.csv", "staff"), ("training.csv", "training_records"),
             ("role_assignments.csv", "role_assignments"), ("terminals.csv", "terminals"), ("zones.csv", "zones"),
             ("gateways.csv", "gateways"), ("flows.yaml", "flow_rules"), ("audits.csv", "audits"),
             ("self_assessments.csv", "self_assessments"), ("drills.csv", "drills"),
             ("corrective_actions.csv", "corrective_actions")]
    manifest = ["organisation: {ja: ベンチ市, en: Bench City}", "fiscal_year: 2025", "as_of: 2026-03-31", "files:"]
    manifest += [f"  - {{path: {p}, kind: {kind}, provided_by: bench, collected_on: 2026-03-02}}" for p, kind in files]
    (out / "manifest.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
