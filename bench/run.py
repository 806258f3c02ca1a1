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

A fourth and fifth way, the case a CI push meets: partial (one line changed after a cached run). Before
each such run one line of the roster (training.csv; staff.csv for the full catalogue) or of the audits
file gets a new value that leaves the violations as they are, so that its digest is new every round.
The last roster row runs on a cache that also holds what a month of CI leaves (HISTORY entries of other
versions), as the other rows' cache is emptied each round and would hide costs that grow with its history.

--peers names the python of the peers' venv; the peers' engines are looked for in --peers-dir (default:
../shared/peers/engines beside the checkout). When they are asked for and cannot be found or run, the
script stops with exit 2 and says what is missing: a table without its peers is never printed as one.
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
ENGINES = [("python_ref", [], "python_ref (PyYAML C loader + csv)"),
           ("python_ref", ["--yaml-rs"], "python_ref (yaml-rs + csv)"),
           ("regorus_engine", [], "regorus 0.13"), ("opa_golib", [], "OPA 1.20.2"),
           ("parse_only", ["--yaml-rs"], "parse only (yaml-rs + csv)")]
AUDITOR = [sys.executable, "-m", "auditor"]
# Every process runs as an installed program does: with its compiled modules (__pycache__) written once and
# read afterwards, even where the shell says PYTHONDONTWRITEBYTECODE (compiling every module costs 0.2 s).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# `-m auditor` finds this checkout from any folder (the checks run in the work folder), after whatever
# PYTHONPATH already names (another version to compare, for one)
ENV["PYTHONPATH"] = os.pathsep.join(p for p in (ENV.get("PYTHONPATH"), str(ROOT)) if p)
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
    """Run each job (cmd, before, cwd[, env]) once per round, `runs` rounds, interleaved so that a slow spell of
    the machine weighs on every engine alike; -> [(median wall s, peak memory MB, last run)] per job.

    The timed rounds run unobserved; one more round samples the memory of each job's process tree: reading
    /proc every 10 ms takes CPU from the run it measures (a tenth of a 2-core machine at x100)."""
    times = [[] for _ in jobs]
    peaks = [0.0] * len(jobs)
    last = [None] * len(jobs)
    for r in range(runs + 1):
        sampled = r == runs
        for j, (cmd, before, cwd, *env) in enumerate(jobs):
            if before:
                before()
            t, peak, proc = _one(cmd, cwd, *env, sampled=sampled)
            if sampled:
                peaks[j] = peak
            else:
                times[j].append(t)
                last[j] = proc
    return [(statistics.median(t), p, proc) for t, p, proc in zip(times, peaks, last)]


def _one(cmd, cwd, env=None, sampled: bool = True):
    """One run: wall time, peak memory of the whole process tree (auditor forks helpers; without `sampled`,
    only the peak RSS of the process itself), output. env: variables set for this run only."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env={**ENV, **(env or {})})
        sampler = _TreeMemory(child.pid) if sampled else None
        _, status, usage = os.wait4(child.pid, 0)  # reaps the child and gives its own peak RSS
        elapsed = time.perf_counter() - start
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        proc = subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status), out.read().decode(),
                                           err.read().decode())
    return elapsed, max(usage.ru_maxrss / 1024, sampler.peak_mb if sampler else 0), proc


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

    def targets(self) -> list:
        """The ratios issue 19 sets targets for, from the rows measured in this run."""
        t = {(what, scale): sec for what, scale, sec, *_ in self.rows}
        out = []

        def ratio(label, num, den, goal):
            if num in t and den in t:
                r = t[num] / t[den]
                out.append(f"target: {label} {num[1]}: {r:.2f} (goal <= {goal}) {'met' if r <= goal else 'NOT met'}")
        for scale in dict.fromkeys(s for _, s in t if s.startswith("x")):
            goal = 1.0 if scale == "x1" else 0.3
            ratio("cold / regorus", ("auditor check (cold)", scale), ("peer regorus 0.13", scale), goal)
            ratio("first run, nothing remembered / regorus", ("auditor check (first run: nothing remembered)", scale),
                  ("peer regorus 0.13", scale), goal)
            ratio("one roster line / cold", ("auditor check (partial: one roster line)", scale),
                  ("auditor check (cold)", scale), 0.3)
        for scale in dict.fromkeys(s for _, s in t if s.startswith("c")):
            ratio("one staff line / cold", ("auditor check, full catalogue (partial: one staff line)", scale),
                  ("auditor check, full catalogue (cold)", scale), 0.3)
            rec = next((w for w, s in t if s == scale and w.startswith("record-building")), None)
            if rec:
                ratio("full catalogue / record-building parse", ("auditor check, full catalogue (cold)", scale),
                      (rec, scale), 1.5)
        return out

    def add(self, what, scale, t, rss, found="", match="", base=None):
        self.rows.append((what, scale, t, rss, found, match, base))
        ratio = f"{t / base:.2f}" if base else ""
        print(f"{what:<56} {scale:>5} {t:>9.3f} {rss:>8.0f} {found:>20} {match:>6} {ratio:>7}", flush=True)


class LineEdit:
    """One line of a file, rewritten before each run with a fresh value that leaves every result as it is
    (a new digest each time: no cache holds it yet); restore() puts the original bytes back."""

    def __init__(self, path: Path, pick, vary):
        self.path, self.vary, self.count = path, vary, 0
        self.original = path.read_bytes()
        self.lines = self.original.decode("utf-8").split("\n")
        self.at = next(i for i, line in enumerate(self.lines) if pick(line, i, len(self.lines)))

    def __call__(self) -> None:
        self.count += 1
        lines = list(self.lines)
        lines[self.at] = self.vary(lines[self.at], self.count)
        self.path.write_bytes("\n".join(lines).encode("utf-8"))

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def _fy_day(n: int) -> str:
    """A day inside FY2025 that differs for n = 1..300."""
    import datetime as dt
    return (dt.date(2025, 5, 1) + dt.timedelta(days=n % 300)).isoformat()


def _roster_edit(d: Path, passing: set) -> LineEdit:
    """training.csv: a staff member past the middle who passes C2 gets another day inside FY2025."""
    def pick(line, i, n):
        cells = line.split(",")
        return i > n // 2 and len(cells) == 4 and cells[0] in passing and cells[2] == "security-basic"
    return LineEdit(d / "training.csv", pick, lambda line, n: ",".join(line.split(",")[:3] + [_fy_day(n)]))


def _audits_edit(d: Path) -> LineEdit:
    """audits.yaml: the day of an audit of FY2023 (which no check reads) moves inside FY2023."""
    def pick(line, i, n):
        return i > n // 2 and line.startswith("    date: 2023-")
    return LineEdit(d / "audits.yaml", pick, lambda line, n: f"    date: 2023-{4 + n % 9:02d}-{1 + n % 28:02d}")


def _staff_edit(d: Path) -> LineEdit:
    """staff.csv of the city: a name past the middle changes (names are withheld in every output)."""
    return LineEdit(d / "staff.csv", lambda line, i, n: i > n // 2 and line.count(",") == 4,
                    lambda line, n: ",".join([line.split(",")[0], f"職員変更{n}"] + line.split(",")[2:]))


def peer_engines(peers: str | None, where: Path) -> list:
    """[(script, args, label)] of the peers to run; exits 2 with a message when they are asked for and
    cannot be found or started."""
    if not peers:
        print("peers: not run (no --peers; see docs/performance.md)", flush=True)
        return []
    missing = list(dict.fromkeys(str(where / f"{e}.py") for e, _, _ in ENGINES if not (where / f"{e}.py").is_file()))
    if missing:
        _stop(f"bench: the peers' engines are not where --peers-dir says ({where}): missing "
                 f"{', '.join(missing)}. Pass --peers-dir DIR (the engines/ folder of the peers), or drop --peers.")
    probe = subprocess.run([peers, "-c", "import yaml, yaml_rs, regorus, orjson"], capture_output=True, text=True) \
        if os.access(peers, os.X_OK) else None
    if probe is None or probe.returncode != 0:
        _stop(f"bench: --peers {peers} cannot run the peers (it needs pyyaml, yaml-rs, gordon-to-regorus, orjson; "
                 f"see docs/performance.md): {probe.stderr.strip()[-200:] if probe else 'not an executable'}")
    return [(str(where / f"{e}.py"), a, label) for e, a, label in ENGINES]


def auditor_ready() -> None:
    """Stop (exit 2) before any timing when this Python lacks a package auditor declares: its first run
    would crash on a lazy import (google-re2 for a long My Number scan, for one) and every row would read
    as a mismatch, where the cause is the interpreter the bench was started with."""
    import configparser
    import importlib.metadata as md
    import re
    spec = configparser.ConfigParser()
    spec.read(ROOT / "setup.cfg", encoding="utf-8")
    missing = []
    for line in spec["options"]["install_requires"].splitlines():
        req = line.split("#", 1)[0].strip()
        name = re.match(r"[A-Za-z0-9._-]+", req)
        if not name or (";" in req and "python_version < \"3.11\"" in req and sys.version_info >= (3, 11)):
            continue
        try:
            md.version(name.group(0))
        except md.PackageNotFoundError:
            missing.append(name.group(0))
    if missing:
        _stop(f"bench: {sys.executable} lacks what auditor needs ({', '.join(missing)}): run the bench with the "
              f"Python auditor is installed in, for example .venv/bin/python bench/run.py (see docs/performance.md)")


def _stop(message: str):
    print(message, file=sys.stderr, flush=True)
    sys.exit(2)


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


AUDITOR_RUNS = ("auditor check (cold)", "auditor check (first run: nothing remembered)",
                "auditor check (parse cache only)", "auditor check (warm: unchanged)",
                "auditor check (partial: one roster line)", "auditor check (partial: one audits line)",
                "auditor check (partial: roster, a month of CI cached)")
HISTORY = (1500, 500)  # result and parse entries a month of CI pushes leaves in a cache (within its bounds)


def _history(folder: Path) -> None:
    """Fill the cache folder as a month of CI would (entries of other versions, last used over 30 days), so that
    costs that grow with a cache's history show (listing and pruning): the other rows start from an empty one.
    The entries are never looked up (their names are no key of this run), only listed, sized and pruned."""
    import hashlib
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for i in range(sum(HISTORY)):
        name = hashlib.sha256(f"history {i}".encode()).hexdigest()
        path = folder / (f"res-{name}" if i < HISTORY[0] else name)
        if not path.exists():
            path.write_bytes(os.urandom(10_000 if i < HISTORY[0] else 60_000))
            os.utime(path, (now - 86400 * 30 * i / sum(HISTORY),) * 2)


def checks(scale: int, work: Path, runs: int, peers: list, peers_python: str | None, table: Table) -> bool:
    d = corpus(scale, work)
    expected = json.loads((d / "expected.json").read_text())
    want = {k: sorted(v) for k, v in expected.items()}
    cache = work / ".auditor"
    cmd = AUDITOR + ["check", "--policy", str(work / "policy.yaml"), "--evidence", str(d), "--controls",
                     str(work / "controls"), "--format", "json", "--fail-on", "none"] + [f"--control=C-{i}" for i in (1, 2, 3)]
    roster, audits = _roster_edit(d, set(_all_staff(d)) - set(want["C2"])), _audits_edit(d)
    # a first run on the machine: a policy folder and a key file of its own, made afresh, so that neither a
    # cache beside the policy nor anything beside the key is there, and the other runs' cache is left alone
    first = work / "first-run"
    at_first = [first / "policy.yaml" if a == str(work / "policy.yaml") else a for a in cmd]

    def nothing_remembered():
        shutil.rmtree(first, ignore_errors=True)
        first.mkdir()
        shutil.copy(work / "policy.yaml", first / "policy.yaml")

    # run in the work folder, as in a town's repository: not in this checkout, whose pyproject.toml every
    # run would parse for a [tool.auditor] table (about 15 ms of a run at x1)
    jobs = [(cmd, lambda: shutil.rmtree(cache, ignore_errors=True), work),
            (at_first, nothing_remembered, first, {"AUDITOR_CACHE_KEY_FILE": str(first / "key" / "cache.key")}),
            (cmd, lambda: _drop_results(cache / "cache"), work),
            (cmd, None, work), (cmd, roster, work), (cmd, audits, work),
            (cmd, lambda: (_history(cache / "cache"), roster()), work)]
    jobs += [([peers_python, script, str(d), *a], None, None) for script, a, _ in peers]
    try:
        measured = rounds(jobs, runs)
    finally:
        roster.restore()
        audits.restore()
    ok = True
    base = measured[0][0]
    for i, what in enumerate(AUDITOR_RUNS):
        t, rss, proc = measured[i]
        found = _counts(json.loads(proc.stdout)) if proc.returncode == 0 else {}
        same = found == want
        ok &= same
        shown = "/".join(str(len(found.get(k, ()))) for k in ("C1", "C2", "C3")) if found else proc.stderr[-60:]
        table.add(what, f"x{scale}", t, rss, shown, "yes" if same else "NO", base if i else None)
    for (script, _, label), (t, rss, proc) in zip(peers, measured[len(AUDITOR_RUNS):]):
        if proc.returncode != 0:
            ok = False
            table.add(f"peer {label}", f"x{scale}", t, rss, "failed: " + proc.stderr.strip()[-40:], "NO", base)
            continue
        doc = json.loads(proc.stdout.strip().splitlines()[-1])
        if label.startswith("parse only"):
            table.add(f"peer {label}", f"x{scale}", t, rss, "", "", base)
            continue
        got = {k: sorted(v) for k, v in doc.items()}
        same = got == want
        ok &= same
        table.add(f"peer {label}", f"x{scale}", t, rss, "/".join(str(len(got[k])) for k in ("C1", "C2", "C3")),
                  "yes" if same else "NO", base)
    return ok


def _all_staff(d: Path) -> list:
    with open(d / "training.csv", encoding="utf-8") as fh:
        return [line.split(",", 1)[0] for line in fh][1:]


def _drop_results(folder: Path) -> None:
    """Delete the stored results (run-*), keeping the parse cache: a run as after an unrelated change."""
    for entry in folder.glob("run-*"):
        entry.unlink()


def full_catalogue(scale: int, work: Path, runs: int, peers_python: str | None, table: Table) -> bool:
    d = work / f"city{scale}"
    if not (d / "manifest.yaml").exists():
        city.generate(d, scale)
    cache = ROOT / "policies" / ".auditor" / "cache"
    cmd = AUDITOR + ["check", "--evidence", str(d), "--format", "json", "--fail-on", "none"]
    floor = [sys.executable, str(HERE / "parse_floor.py"), str(d)]
    records = [peers_python or sys.executable, str(HERE / "parse_floor.py"), "--records", str(d)]
    staff = _staff_edit(d)
    try:
        measured = rounds([
            (cmd, lambda: shutil.rmtree(cache, ignore_errors=True), ROOT), (cmd, lambda: _drop_results(cache), ROOT),
            (cmd, None, ROOT), (cmd, staff, ROOT), (floor, None, ROOT), (records, None, ROOT)], runs)
    finally:
        staff.restore()
    (t, rss, proc), (tp, rssp, _), (tw, rssw, warm), (tr, rssr, partial), (tf, rssf, fl), (tb, rssb, rec) = measured
    ok = proc.returncode == 0
    count = (lambda p: sum(len(r["findings"]) for r in json.loads(p.stdout)["results"]) if p.returncode == 0 else None)
    n = count(proc) if ok else None
    same = ok and count(warm) == n and count(partial) == n
    ok &= same and rec.returncode == 0
    shown = f"{n} findings" if n is not None else proc.stderr[-60:]
    table.add("auditor check, full catalogue (cold)", f"c{scale}", t, rss, shown, "")
    table.add("auditor check, full catalogue (parse cache only)", f"c{scale}", tp, rssp, "", "", t)
    table.add("auditor check, full catalogue (warm: unchanged)", f"c{scale}", tw, rssw, "", "" if same else "NO", t)
    table.add("auditor check, full catalogue (partial: one staff line)", f"c{scale}", tr, rssr,
              f"{count(partial)} findings", "yes" if same else "NO", t)
    table.add("parse-only floor (auditor's cutters)", f"c{scale}", tf, rssf, fl.stdout.strip()[-20:], "", t)
    table.add("record-building parse (DictReader + " + ("yaml-rs)" if peers_python else "libyaml)"), f"c{scale}", tb,
              rssb, rec.stdout.strip()[-20:] if rec.returncode == 0 else rec.stderr.strip()[-40:], "", t)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[1], help="peers' corpus scales (default: 1)")
    ap.add_argument("--city", type=int, nargs="*", default=[], help="generated-city scales for the full catalogue")
    ap.add_argument("--peers", help="python of a venv with the peers' packages (see docs/performance.md)")
    ap.add_argument("--peers-dir", type=Path, default=PEERS, help=f"the peers' engines/ folder (default: {PEERS})")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "auditor-bench"))
    args = ap.parse_args()
    work = Path(args.work).resolve()  # absolute: the checks run in it
    auditor_ready()  # before any timing, as the peers
    peers = peer_engines(args.peers, args.peers_dir.resolve()) if args.scale else []
    (work / "controls").mkdir(parents=True, exist_ok=True)
    (work / "controls" / "bench.yaml").write_text(CONTROLS, encoding="utf-8")
    (work / "policy.yaml").write_text("organisation: {ja: 例, en: Example}\nnetwork_model: alpha\n", encoding="utf-8")
    print(f"{'what':<56} {'scale':>5} {'median s':>9} {'peak MB':>8} {'violations C1/C2/C3':>20} {'match':>6} "
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
        ok &= checks(scale, work, args.runs, peers, args.peers, table)
    for scale in args.city:
        ok &= full_catalogue(scale, work, args.runs, args.peers, table)
    for line in table.targets():
        print(line)
    print("all engines found the expected violations" if ok else "MISMATCH: see the match column")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
