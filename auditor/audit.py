"""One audit run: load the catalogue, the policy and the evidence, then evaluate."""
from __future__ import annotations

from . import catalogue, engine, evidence, policy
from .errors import InputError
from .model import AuditRun


def run(policy_path, evidence_dir, control_dirs, only=None) -> AuditRun:
    """Raises InputError for anything unusable; never prints or exits."""
    controls, digest = catalogue.load(control_dirs)
    pol, lines = policy.load(policy_path)
    controls = catalogue.apply_policy(controls, pol, lines)
    if only:
        known = {c.id for c in controls}
        unknown = [c for c in only if c not in known]
        if unknown:
            raise InputError(None, f"unknown control ID {', '.join(unknown)}", hint="see `auditor controls list`")
        needed = _with_dependencies(only, {c.id: c for c in controls})
        controls = [c for c in controls if c.id in needed]
    ev = evidence.load(evidence_dir)
    try:
        results, exceptions = engine.evaluate(controls, pol, ev)
    except ValueError as exc:  # a controls_pass cycle among the loaded controls
        raise InputError(control_dirs[0] if control_dirs else None, str(exc)) from None
    if only:
        results = [r for r in results if r.control_id in only]
    return AuditRun(pol, ev, controls, results, exceptions, digest)


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
