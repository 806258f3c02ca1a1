"""Stored results per control: a control whose inputs are unchanged is not evaluated again.

CI runs the checker on every push, and a push usually changes one evidence file. The result cache
(runcache.py) serves a run only when nothing changed; this store serves each control whose own inputs
did not, so that only the controls reading a changed kind are evaluated again. The key of a control's
entry is a SHA-256 over everything its evaluation (evaluate._evaluate_one) reads:
- this version of the tool (every file of the package), Python and the installed libraries;
- the control as loaded, with the policy applied (its rules, parameters, messages), and the policy;
- the fiscal year, the as-of day and the units (org_units as read: names, parents, levels);
- for every kind it reads, every file of that kind in manifest order: path, kind, provider, collection
  day, SHA-256, rows, encoding, and the parse cache's key of the reading (evidence/cache.py: the bytes,
  every reading option, the limits, the kind's schema, the reader's code); for the derived kind of My
  Number occurrences, every file;
- the status of each control it checks with controls_pass.
An entry holds the result as evaluated, before exceptions are applied (they are applied on every run),
as plain data in marshal format, signed like the parse cache (auditor/sealed.py); anything unsigned,
damaged or of another shape reads as absent. A result holding anything that might be a My Number is
never stored. Without a key for every file (no parse cache, a reading without a canonical form) a
control is simply evaluated. Deleting the folder is always safe.
"""
from __future__ import annotations

import hashlib
import marshal

from .. import cachebounds, sealed
from ..model import DERIVED_KINDS, Finding, Result
from ..privacy import mynumber

FORMAT = 1
PREFIX = "res-"


class ResultStore:
    """The stored results of one run's controls (see the module's docstring).

    where: the cache (a sealed.Store), or None for none; readings: the parse key of each evidence file,
    aligned with evidence.files (None where a file has none)."""

    def __init__(self, where, policy, evidence, readings: tuple):
        self.where, self.evidence = where, evidence
        self._readings = readings if where is not None and evidence is not None \
            and len(readings) == len(evidence.files) else None
        self._base = None
        if self._readings is not None:
            from . import runcache  # the digest of the package's code, computed once per process

            h = hashlib.sha256()
            h.update(repr((FORMAT, runcache.code_digest(where), sealed.runtime(), repr(policy),
                           evidence.fiscal_year.year, evidence.as_of.isoformat(),
                           list(evidence.units.items()))).encode("utf-8", "surrogatepass"))
            self._base = h

    def key(self, control, statuses: dict) -> str | None:
        """The entry's name for this control, or None when a file it reads has no parse key."""
        if self._base is None:
            return None
        kinds = set(control.evidence)
        every = bool(kinds & set(DERIVED_KINDS))
        files = []
        for f, reading in zip(self.evidence.files, self._readings):
            if every or f.kind in kinds:
                if reading is None:
                    return None
                files.append((f.path, f.kind, f.provided_by, f.collected_on and f.collected_on.isoformat(),
                              f.sha256, f.records, f.encoding, reading))
        deps = [(d, statuses.get(d)) for d in control.depends_on()]
        h = self._base.copy()
        h.update(repr((repr(control), files, deps)).encode("utf-8", "surrogatepass"))
        return PREFIX + h.hexdigest()

    def get(self, name: str | None, control) -> Result | None:
        if name is None:
            return None
        payload = self.where.load(name)
        if payload is None:
            return None
        cachebounds.touch(self.where.folder / name)  # used: pruned last
        try:
            return _result(control, marshal.loads(payload))
        except Exception:  # noqa: BLE001 - a signed entry of another shape is not ours to trust
            return None

    def put(self, name: str | None, result: Result) -> None:
        """Store a result as evaluated (before exceptions); never one that might hold a My Number."""
        if name is None:
            return
        value = _plain(result)
        try:
            payload = marshal.dumps(value)
        except ValueError:  # a value marshal cannot hold (a date in a message's values): not stored
            return
        # every string of the entry, as the text its bytes hold (framing bytes read as other characters):
        # a number that might be a My Number anywhere in it, or across two strings, keeps it out
        if mynumber.might_contain([payload.decode("utf-8", "replace")]):
            return
        self.where.store(name, payload)


def _plain(r: Result) -> tuple:
    findings = [(f.id, f.control_id, f.severity, f.department, f.department_code, f.message, f.locations,
                 f.subject, f.status, f.exception) for f in r.findings]
    return (r.status, r.reason, r.checked, r.departments, r.notices, findings)


def _result(control, value) -> Result:
    status, reason, checked, departments, notices, findings = value
    if not (type(status) is str and (reason is None or type(reason) is dict) and type(checked) is int
            and type(departments) is dict and type(notices) is list and type(findings) is list):
        raise ValueError("not a stored result")
    out = []
    for f in findings:
        fid, cid, severity, department, code, message, locations, subject, fstatus, exception = f
        if not (type(fid) is str and cid == control.id and type(message) is dict and type(locations) is list
                and type(subject) is dict and fstatus == "open" and exception is None):
            raise ValueError("not a stored finding")
        out.append(Finding(fid, cid, severity, department, code, message, locations, subject))
    return Result(control, status, findings=out, reason=reason, checked=checked, departments=departments,
                  notices=notices)
