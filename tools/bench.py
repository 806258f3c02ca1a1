#!/usr/bin/env python3
"""Benchmarks: prints figures, asserts nothing (speed is measured here, not in unit tests).

    python3 tools/bench.py                 # --help start-up and `auditor check` on the sample
    python3 tools/bench.py --scale 1 10    # also the peers' synthetic corpus (../shared/peers/gen.py)
    python3 tools/bench.py --scale 1 --peers /tmp/peers/bin/python   # and the peer engines, same run

Each figure is the median of --runs whole-process runs, with the peak RSS of the slowest child.
The corpus checks C1..C3 are written as YAML controls (bench controls below) mirroring the
peers' Rego policy, so both sides do the same work on the same files.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peers"
AUDITOR = [sys.executable, "-m", "auditor.cli"]

CONTROLS = """
- id: C-1
  title: {ja: C1, en: C1}
  requirement: {ja: C1, en: no permitted flow between mynumber and internet}
  area: bench
  severity: major
  source: peers
  evidence: [flow_rules]
  rule:
    none: flow_rules
    where:
      action: allow
      any:
        - {src_zone: mynumber, dst_zone: internet}
        - {src_zone: internet, dst_zone: mynumber}
  message: {ja: "{rule_id}", en: "{rule_id}"}
- id: C-2
  title: {ja: C2, en: C2}
  requirement: {ja: C2, en: every staff member completed security-basic in FY2025}
  area: bench
  severity: major
  source: peers
  evidence: [staff, training_records]
  rule:
    each: staff
    has:
      dataset: training_records
      on: {staff_id: staff_id}
      where: {course: security-basic, completed_on: {in_fy: true}}
  message: {ja: "{staff_id}", en: "{staff_id}"}
- id: C-3
  title: {ja: C3, en: C3}
  requirement: {ja: C3, en: an internal audit for every department in FY2025}
  area: bench
  severity: major
  source: peers
  evidence: [org_units, audits]
  rule:
    each: org_units
    has:
      dataset: audits
      on: {code: auditees}
      where: {kind: internal, ended_on: {in_fy: true}}
  message: {ja: "{code}", en: "{code}"}
"""


def timed(cmd, cwd=None, runs=5) -> tuple[float, float, subprocess.CompletedProcess]:
    """Median wall time (s) and peak RSS (MB) of `runs` runs of a command."""
    times, peak, proc = [], 0.0, None
    for _ in range(runs):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)  # reaps the child and gives its own peak RSS
            times.append(time.perf_counter() - start)
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            proc = subprocess.CompletedProcess(cmd, child.returncode, out.read().decode(), err.read().decode())
        peak = max(peak, usage.ru_maxrss / 1024)
    return statistics.median(times), peak or float("nan"), proc


def corpus(scale: int, base: Path) -> Path:
    """The peers' corpus at `scale`, plus a manifest (and two converted files) for auditor."""
    out = base / f"x{scale}"
    if not (out / "expected.json").exists():
        subprocess.run([sys.executable, str(PEERS / "gen.py"), "--scale", str(scale), "--out", str(out)],
                       check=True, capture_output=True)
    audits = yaml.load((out / "audits.yaml").read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    units = [{"code": d["id"], "name": d["name"], "level": "課"} for d in audits["departments"]]
    rows = [{"audit_id": f"A{i}", "kind": a["kind"], "ended_on": str(a["date"]), "auditees": [a["department"]]}
            for i, a in enumerate(audits["audits"])]
    (out / "units.json").write_text(json.dumps(units))
    (out / "audit_list.json").write_text(json.dumps(rows))
    if not (out / "staff.csv").exists():
        os.symlink("training.csv", out / "staff.csv")  # the same roster, read as a second kind
    files = [
        {"path": "flows.yaml", "kind": "flow_rules", "columns": {"id": "rule_id"}},
        {"path": "training.csv", "kind": "training_records"},
        {"path": "staff.csv", "kind": "staff", "columns": {"department": "unit"}},
        {"path": "units.json", "kind": "org_units"},
        {"path": "audit_list.json", "kind": "audits"},
    ]
    for f in files:
        f.update(provided_by="bench", collected_on="2026-03-31")
    manifest = {"organisation": "Example City", "fiscal_year": 2025, "files": files}
    (out / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[])
    ap.add_argument("--peers", help="python of a venv with the peers' packages (see ../shared/peers/README.md)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "auditor-bench"))
    args = ap.parse_args()
    print(f"{'what':<44} {'median s':>9} {'peak MB':>8}")
    for label, cmd in [("auditor --help", AUDITOR + ["--help"]),
                       ("auditor check (sample, text)", AUDITOR + ["check"]),
                       ("auditor check (sample, json)", AUDITOR + ["check", "--format", "json"])]:
        t, rss, _ = timed(cmd, cwd=ROOT, runs=args.runs)
        print(f"{label:<44} {t:>9.3f} {rss:>8.0f}")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    controls = work / "controls"
    controls.mkdir(exist_ok=True)
    (controls / "bench.yaml").write_text(CONTROLS)
    policy = work / "policy.yaml"
    policy.write_text("organisation: {ja: 例, en: Example}\nnetwork_model: alpha\n")
    for scale in args.scale:
        d = corpus(scale, work)
        expected = json.loads((d / "expected.json").read_text())
        cmd = AUDITOR + ["check", "--policy", str(policy), "--evidence", str(d), "--controls", str(controls),
                         "--format", "json", "--fail-on", "none"] + [f"--control=C-{i}" for i in (1, 2, 3)]
        t, rss, proc = timed(cmd, runs=args.runs)
        found = {r["control_id"].replace("-", ""): len(r["findings"]) for r in json.loads(proc.stdout)["results"]}
        ok = found == {k: len(v) for k, v in expected.items()}
        print(f"{f'auditor check, peers corpus x{scale}':<44} {t:>9.3f} {rss:>8.0f}  {'same findings' if ok else found}")
        if args.peers:
            for engine in ("python_ref", "regorus_engine", "opa_golib"):
                t, rss, proc = timed([args.peers, str(PEERS / "engines" / f"{engine}.py"), str(d)], runs=args.runs)
                note = "" if proc.returncode == 0 else f"failed: {proc.stderr.strip()[-80:]}"
                print(f"{f'  peer {engine} x{scale}':<44} {t:>9.3f} {rss:>8.0f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
