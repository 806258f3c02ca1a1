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
        controls = [c for c in controls if c.id in only or _needed_by(c.id, only, controls)]
    ev = evidence.load(evidence_dir)
    try:
        results, exceptions = engine.evaluate(controls, pol, ev)
    except ValueError as exc:  # a controls_pass cycle among the loaded controls
        raise InputError(control_dirs[0] if control_dirs else None, str(exc)) from None
    if only:
        results = [r for r in results if r.control_id in only]
    return AuditRun(pol, ev, controls, results, exceptions, digest)


def _needed_by(cid: str, only, controls) -> bool:
    """A control that a selected control checks with controls_pass is evaluated too."""
    for c in controls:
        if c.id not in only:
            continue
        for rule in c.rules:
            wanted = rule.get("controls_pass")
            ids = c.params.get(wanted[1:], []) if isinstance(wanted, str) else wanted or []
            if cid in (ids or []):
                return True
    return False
