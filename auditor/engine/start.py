"""The first run of a new evidence repository (`auditor init`, then `auditor check`): no evidence yet.

A run is a *first run* when its manifest lists no file at all, no other fiscal year beside it lists
any, and there is no audit history (no history database): a town that has collected nothing yet.
Then `check` says so and what to collect first, and exits 0, instead of reporting every control
without evidence. Anything else is audited as always: one file listed, a previous year's evidence or a
recorded run, and every control still without evidence is `no_evidence` (and fails the gate).
"""
from __future__ import annotations

from pathlib import Path

from .. import yamlio
from ..errors import InputError
from ..evidence import kinds
from ..model import DERIVED_KINDS

FIRST = 6  # kinds listed to collect first
_WEIGHT = {"major": 3, "minor": 2, "observation": 1}


def first_steps(run) -> dict | None:
    """None, or {"manifest", "folder", "controls" (how many wait for evidence), "kinds": [{kind, title
    {ja, en}, controls [ids]}]} for a first run."""
    ev = run.evidence
    if ev.files or getattr(run, "cycle", None) is not None and run.cycle.db:
        return None
    if _other_years_listed(Path(ev.root)):
        return None
    weight, readers = {}, {}
    waiting = [c for c in run.controls if c.enabled]
    for c in waiting:
        for kind in c.evidence:
            if kind in DERIVED_KINDS:
                continue
            weight[kind] = weight.get(kind, 0) + _WEIGHT.get(c.severity, 1)
            readers.setdefault(kind, []).append(c.id)
    # the organisation master first: units are resolved through it, and findings are reported per unit
    order = sorted(weight, key=lambda k: (k != "org_units", -weight[k], k))[:FIRST]
    listed = []
    for kind in order:
        title = kinds.schema(kind).get("title", kind).split(" / ")
        listed.append({"kind": kind, "title": {"ja": title[0], "en": title[-1]}, "controls": readers[kind]})
    return {"manifest": ev.manifest, "folder": ev.root, "controls": len(waiting), "kinds": listed}


def _other_years_listed(root: Path) -> bool:
    """Whether a manifest of another fiscal year beside this one lists a file (unreadable: assume so)."""
    for other in root.parent.glob("*/manifest.yaml"):
        if other.parent.resolve() == root.resolve():
            continue
        try:
            data, _ = yamlio.read_config(other)
        except InputError:
            return True
        if not isinstance(data, dict) or data.get("files"):
            return True
    return False
