#!/usr/bin/env python3
"""Benchmarks, side by side in one run: prints figures, asserts nothing but correctness.

    python3 bench/run.py                          # start-up, the sample, and the three checks at x1
    python3 bench/run.py --scale 1 10 100         # the peers' corpus (bench/peers_corpus.py) at these scales
    python3 bench/run.py --scale 100 --peers /tmp/peers/bin/python   # and the peer engines, same run
    python3 bench/run.py --city 10                # the full shipped catalogue on a generated city

Each figure is the median wall time of --runs whole-process runs and the largest peak memory among
them: the proportional set size of the process and every process it forks, sampled every 10 ms (or
the peak RSS, when larger). The engines of one scale run in turns, one run each per round, so that
a slow spell of the machine weighs on all of them alike. `auditor check` is timed three ways: cold (the whole .auditor/cache deleted before each run, as
the peers have none); with the parse cache only (its result entries deleted before each run, as after
a change elsewhere); and warm (nothing changed: the stored result is served, auditor/engine/runcache.py). The three checks C1..C3 are written as YAML controls
mirroring the peers' Rego policy; every engine's violations are compared with expected.json, and
the script exits 1 when any engine disagrees (CI runs it at x1 as a smoke test).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = ROOT.parent / "shared" / "peers" / "engines"  # the peers' engines, when this checkout sits beside them
AUDITOR = [sys.executable, "-m", "auditor"]
sys.path.insert(0, str(HERE))

import city  # noqa: E402  (bench/city.py)

CONTROLS = """
- id: C-1
  title: {ja: マイナンバー系とインターネット系の通信禁止, en: No flow between mynumber and internet}
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
  title: {ja: 研修受講, en: Training completed}
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
  title: {ja: 内部監査, en: Internal audit}
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

# The peers' files as they are: the manifest says how to read them (one file may serve two kinds).
MANIFEST = """organisation: Example City
fiscal_year: 2025
files:
  - {path: flows.yaml, kind: flow_rules, columns: {id: rule_id}, provided_by: bench, collected_on: "2026-03-31"}
  - {path: training.csv, kind: training_records, provided_by: bench, collected_on: "2026-03-31"}
  - {path: training.csv, kind: staff, columns: {department: unit}, provided_by: bench, collected_on: "2026-03-31"}
  - {path: audits.yaml, kind: org_units, records: departments, columns: {id: code},
     provided_by: bench, collected_on: "2026-03-31"}
  - {path: audits.yaml, kind: audits, records: audits, columns: {department: auditees, date: ended_on},
     provided_by: bench, collected_on: "2026-03-31"}
"""


def timed(cmd, runs: int, before=None, cwd=None):
    """(median wall s, peak memory MB, last CompletedProcess) of `runs` whole-process runs."""
    return rounds([(cmd, before, cwd)], runs)[0]


def rounds(jobs: list, runs: int) -> list:
    """Run each job (cmd, before, cwd) once per round, `runs` rounds, interleaved so that a slow spell of
    the machine weighs on every engine alike; -> [(median wall s, peak memory MB, last run)] per job."""
    times = [[] for _ in jobs]
    peaks = [0.0] * len(jobs)
    last = [None] * len(jobs)
    for _ in range(runs):
        for j, (cmd, before, cwd) in enumerate(jobs):
            if before:
                before()
            t, peak, last[j] = _one(cmd, cwd)
            times[j].append(t)
            peaks[j] = max(peaks[j], peak)
    return [(statistics.median(t), p, proc) for t, p, proc in zip(times, peaks, last)]


def _one(cmd, cwd):
    """One run: wall time, peak memory of the whole process tree (auditor forks helpers), output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        sampler = _TreeMemory(child.pid)
        _, status, usage = os.wait4(child.pid, 0)  # reaps the child and gives its own peak RSS
        elapsed = time.perf_counter() - start
        sampler.stop()
        out.seek(0)
        err.seek(0)
        proc = subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status), out.read().decode(),
                                           err.read().decode())
    return elapsed, max(usage.ru_maxrss / 1024, sampler.peak_mb), proc


class _TreeMemory(threading.Thread):
    """Samples the proportional set size (shared pages split between sharers) summed over a process and
    its descendants every 10 ms: the memory a forked helper adds counts, pages it shares do not twice."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()
        self.start()

    def run(self):
        while not self._done.wait(0.01):
            total = sum(map(_pss_kb, _tree(self.pid)))
            self.peak_mb = max(self.peak_mb, total / 1024)

    def stop(self):
        self._done.set()
        self.join()


def _tree(pid: int) -> list:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:  # gone, or no /proc (then only ru_maxrss counts)
            pass
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Table:
    def __init__(self):
        self.rows = []

    def add(self, what, scale, t, rss, found="", match="", base=None):
        self.rows.append((what, scale, t, rss, found, match, base))
        ratio = f"{t / base:.2f}" if base else ""
        print(f"{what:<48} {scale:>5} {t:>9.3f} {rss:>8.0f} {found:>20} {match:>6} {ratio:>7}", flush=True)


def corpus(scale: int, work: Path) -> Path:
    out = work / f"x{scale}"
    if not (out / "expected.json").exists():
        subprocess.run([sys.executable, str(HERE / "peers_corpus.py"), "--scale", str(scale), "--out", str(out)],
                       check=True, capture_output=True)
    (out / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    return out


def _counts(doc: dict) -> dict:
    return {r["control_id"].replace("-", ""): sorted(f["subject"].get("rule_id") or f["subject"].get("staff_id")
                                                     or f["subject"].get("code") for f in r["findings"])
            for r in doc["results"]}


def checks(scale: int, work: Path, runs: int, peers: str | None, table: Table) -> bool:
    d = corpus(scale, work)
    expected = json.loads((d / "expected.json").read_text())
    want = {k: sorted(v) for k, v in expected.items()}
    cache = work / ".auditor"
    cmd = AUDITOR + ["check", "--policy", str(work / "policy.yaml"), "--evidence", str(d), "--controls",
                     str(work / "controls"), "--format", "json", "--fail-on", "none"] + [f"--control=C-{i}" for i in (1, 2, 3)]
    engines = [("python_ref", []), ("regorus_engine", []), ("opa_golib", []), ("parse_only", ["--yaml-rs"])]
    engines = [(e, a) for e, a in engines if peers and (PEERS / f"{e}.py").exists()]
    jobs = [(cmd, lambda: shutil.rmtree(cache, ignore_errors=True), None),
            (cmd, lambda: _drop_results(cache / "cache"), None),
            (cmd, None, None)] + [([peers, str(PEERS / f"{e}.py"), str(d), *a], None, None) for e, a in engines]
    measured = rounds(jobs, runs)
    ok = True
    base = measured[0][0]
    for i, what in enumerate(("auditor check (cold)", "auditor check (parse cache only)",
                              "auditor check (warm: unchanged)")):
        t, rss, proc = measured[i]
        found = _counts(json.loads(proc.stdout)) if proc.returncode == 0 else {}
        same = found == want
        ok &= same
        shown = "/".join(str(len(found.get(k, ()))) for k in ("C1", "C2", "C3")) if found else proc.stderr[-60:]
        table.add(what, f"x{scale}", t, rss, shown, "yes" if same else "NO", base if i else None)
    for (engine, _), (t, rss, proc) in zip(engines, measured[3:]):
        if proc.returncode != 0:
            table.add(f"peer {engine}", f"x{scale}", t, rss, "failed: " + proc.stderr.strip()[-40:], "", base)
            continue
        doc = json.loads(proc.stdout.strip().splitlines()[-1])
        if engine == "parse_only":
            table.add("peer parse_only (yaml-rs + csv)", f"x{scale}", t, rss, "", "", base)
            continue
        got = {k: sorted(v) for k, v in doc.items()}
        same = got == want
        ok &= same
        table.add(f"peer {engine}", f"x{scale}", t, rss, "/".join(str(len(got[k])) for k in ("C1", "C2", "C3")),
                  "yes" if same else "NO", base)
    return ok


def _drop_results(folder: Path) -> None:
    """Delete the stored results (run-*), keeping the parse cache: a run as after an unrelated change."""
    for entry in folder.glob("run-*"):
        entry.unlink()


def full_catalogue(scale: int, work: Path, runs: int, table: Table) -> bool:
    d = work / f"city{scale}"
    if not (d / "manifest.yaml").exists():
        city.generate(d, scale)
    cache = ROOT / "policies" / ".auditor" / "cache"
    cmd = AUDITOR + ["check", "--evidence", str(d), "--format", "json", "--fail-on", "none"]
    (t, rss, proc), (tp, rssp, _), (tw, rssw, _), (tf, rssf, floor) = rounds([
        (cmd, lambda: shutil.rmtree(cache, ignore_errors=True), ROOT), (cmd, lambda: _drop_results(cache), ROOT),
        (cmd, None, ROOT), ([sys.executable, str(HERE / "parse_floor.py"), str(d)], None, ROOT)], runs)
    ok = proc.returncode == 0
    doc = json.loads(proc.stdout) if ok else {}
    shown = f"{sum(len(r['findings']) for r in doc.get('results', []))} findings" if ok else proc.stderr[-60:]
    table.add("auditor check, full catalogue (cold)", f"c{scale}", t, rss, shown, "")
    table.add("auditor check, full catalogue (parse cache only)", f"c{scale}", tp, rssp, "", "", t)
    table.add("auditor check, full catalogue (warm: unchanged)", f"c{scale}", tw, rssw, "", "", t)
    table.add("parse-only floor (same parsers)", f"c{scale}", tf, rssf, floor.stdout.strip()[-20:], "", t)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[1], help="peers' corpus scales (default: 1)")
    ap.add_argument("--city", type=int, nargs="*", default=[], help="generated-city scales for the full catalogue")
    ap.add_argument("--peers", help="python of a venv with the peers' packages (see ../shared/peers/README.md)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "auditor-bench"))
    args = ap.parse_args()
    work = Path(args.work)
    (work / "controls").mkdir(parents=True, exist_ok=True)
    (work / "controls" / "bench.yaml").write_text(CONTROLS, encoding="utf-8")
    (work / "policy.yaml").write_text("organisation: {ja: 例, en: Example}\nnetwork_model: alpha\n", encoding="utf-8")
    print(f"{'what':<48} {'scale':>5} {'median s':>9} {'peak MB':>8} {'violations C1/C2/C3':>20} {'match':>6} "
          f"{'÷ first':>7}")
    table = Table()
    bare, rss, _ = timed([sys.executable, "-c", "pass"], args.runs)
    table.add("python3 -c pass", "", bare, rss)
    t, rss, _ = timed(AUDITOR + ["--help"], args.runs, cwd=ROOT)
    table.add("auditor --help", "", t, rss, "", "", bare)
    t, rss, _ = timed(AUDITOR + ["check", "--format", "json"], args.runs, cwd=ROOT)
    table.add("auditor check (the sample)", "", t, rss)
    ok = True
    for scale in args.scale:
        ok &= checks(scale, work, args.runs, args.peers, table)
    for scale in args.city:
        ok &= full_catalogue(scale, work, args.runs, table)
    print("all engines found the expected violations" if ok else "MISMATCH: see the match column")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
