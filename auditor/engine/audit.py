"""One audit run: load the catalogue, the policy and the evidence, then evaluate."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import controls as catalogue, framework as audit_map, policy
from .. import sealed
from . import evaluate as engine, manual, resultstore
from ..evidence import loader as evidence, prefetch
from ..cycle import pdca
from ..evidence import derived
from ..errors import InputError
from ..model import AuditRun


@dataclass
class CycleRun(AuditRun):
    """A run with what it merged from the history database (pdca.Cycle)."""
    cycle: pdca.Cycle = field(default_factory=pdca.Cycle)


def run(policy_path, evidence_dir, control_dirs, only=None, db=None, limits=None, secret=None,
        frameworks=None, progress=None, stored_results=True, shipped_memo=None) -> CycleRun:
    """Raises InputError for anything unusable; never prints or exits.

    db: the history database; when it exists, its register is merged in (previous actions,
    recurrence, and CA-01..03 read it when no corrective_actions evidence file is given).
    limits: the largest evidence file and most rows one may have (auditor/limits.py; None: the defaults).
    secret: the key that signs the parse cache's entries (auditor/sealed.py); None: no cache.
    frameworks: the town's audit-map files or folders, read after the shipped map (catalogue/framework.py).
    progress: progress(files read, files) while the evidence is read (evidence/loader.py), or None.
    stored_results: whether a control whose inputs are unchanged is taken from the stored results
    (resultstore.py; only with a cache); False evaluates every control.
    shipped_memo: the user's memo across projects (a sealed.Store beside the user's key), where the shipped
    catalogue and map are kept as loaded and every file found schema-valid is remembered, or None: this
    policy's cache does both.
    """
    cache = sealed.beside(policy_path, secret)
    valid = shipped_memo if shipped_memo is not None else cache  # a verdict on bytes, the same in every project
    controls, digest = catalogue.load(control_dirs, valid, shipped_memo)
    pol, lines = policy.load(policy_path, valid)
    controls = catalogue.apply_policy(controls, pol, lines)
    fw = audit_map.load(frameworks, valid, shipped_memo)
    audit_map.check_controls(fw, [c.id for c in controls])
    audit_map.check_policy(fw, pol)
    if only:
        known = {c.id for c in controls} | {i.id for i in fw.items if i.manual}
        unknown = [c for c in only if c not in known]
        if unknown:
            raise InputError("--control", f"unknown control ID {', '.join(unknown)}", hint="see `auditor controls list`",
                             ja=f"管理策 ID {'、'.join(unknown)} はありません", hint_ja="`auditor controls list` で確かめてください")
        needed = _with_dependencies(only, {c.id: c for c in controls})
        controls = [c for c in controls if c.id in needed]
    ev = derived.attach(evidence.load(evidence_dir, cache_dir=cache, limits=limits, progress=progress,
                                     valid_memo=valid))
    cycle = pdca.Cycle()
    if db is not None and Path(db).is_file():
        ev = _merge_register(ev, db, cycle)
    try:
        store = resultstore.ResultStore(cache, pol, ev, ev.readings) if cache is not None and stored_results else None
        results, exceptions = engine.evaluate(controls, pol, ev, store)
    except engine.CycleError as exc:  # only this: another ValueError is a bug, not the town's mistake
        raise InputError(control_dirs[0] if control_dirs else None, str(exc),
                         ja=f"読み込んだ管理策の controls_pass が循環しています（{' -> '.join(exc.trail)}）") from None
    fy = ev.fiscal_year.year
    filed = [dict(r.fields) for r in ev.datasets.get("corrective_actions", []) if r.file != cycle.db_file]
    cycle.recurred = pdca.recur(results, filed + cycle.register_rows, fy)
    items = [i for i in fw.items if not only or i.id in only]
    results += manual.results(items, pol, ev)
    if only:
        results = [r for r in results if r.control_id in only]
    prefetch.join()  # the parse cache written in the background (evidence.load) is complete from here
    return CycleRun(pol, ev, controls, results, exceptions, digest, framework=fw, cycle=cycle)


def _merge_register(ev, db, cycle: pdca.Cycle):
    from ..cycle import history, register

    con = history.connect(db)
    try:
        actions = register.rows(con, upto_fy=ev.fiscal_year.year)
        cycle.trend = history.trend(con, exclude_fy=ev.fiscal_year.year)
    finally:
        con.close()
    cycle.db = str(db)
    cycle.register_state = register.state(actions, cycle.trend)
    try:
        cycle.db_file = os.path.relpath(db, ev.root)  # locations are relative to the evidence root
    except ValueError:  # another drive (Windows)
        cycle.db_file = os.path.abspath(db)
    cycle.register_rows = [dict(a, unit=a["department_code"], source="register")
                           for a in actions if a["fiscal_year"] < ev.fiscal_year.year]
    if ev.files_of("corrective_actions"):
        return ev
    cycle.register_fed = True
    return register.as_evidence(ev, actions, cycle.db_file)


def _with_dependencies(only, by_id: dict) -> set:
    """The selected controls and, transitively, the controls they check with controls_pass."""
    needed, todo = set(), list(only)
    while todo:
        cid = todo.pop()
        if cid in needed or cid not in by_id:
            continue
        needed.add(cid)
        todo.extend(by_id[cid].depends_on())
    return needed
