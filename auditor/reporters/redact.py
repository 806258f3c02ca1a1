"""Building a report's document for one audience, scrubbed: My Numbers masked in every string and,
in a department's report, other departments' names and staff/asset IDs withheld."""
from __future__ import annotations

import datetime as dt
import re

from ..evidence import integrity
from ..model import AuditRun
from ..privacy import mynumber
from .document import document

# Fields that identify a person or an asset, and whose record says which unit it belongs to.
IDENTIFYING = ("staff_id", "asset_id", "owner", "verified_by", "action_id")
WITHHELD = {"ja": "（非開示）", "en": "(withheld)", None: "（非開示 / withheld）"}  # None: text both languages share
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-]*[0-9A-Za-z]|[0-9A-Za-z]")


def build(run: AuditRun, issued: dt.date, target: dict | None, identities: dict | None = None) -> dict:
    """The scrubbed document for one audience (identities: from `identities_of(run)`, to reuse it)."""
    doc = document(run, issued, target)
    if target is None:
        return scrub(doc)
    redact = _redactor(run, target["code"], target["name"], identities or identities_of(run))
    # a file name the department may not see is withheld from the block, not rewritten (that would not verify)
    doc["integrity"] = integrity.withhold(doc["integrity"], lambda path: redact(path, None) == path)
    return scrub(doc, redact)


def scrub(obj, redact=None, lang: str | None = None):
    """Mask My Numbers in every string; in a department's report also withhold others' identities.

    A {"ja", "en"} pair is scrubbed in its own language. Digests are ours, not evidence: a hex
    digest that happens to hold 12 check-digit-valid digits must stay intact.
    """
    if isinstance(obj, str):
        text = mynumber.mask(obj)
        return redact(text, lang) if redact else text
    if isinstance(obj, dict):
        if set(obj) == {"ja", "en"}:
            return {k: scrub(v, redact, k) for k, v in obj.items()}
        return {k: (v if k == "sha256" else scrub(v, redact, lang)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v, redact, lang) for v in obj]
    return obj


def identities_of(run: AuditRun) -> dict:
    """Each staff/asset ID -> the units it goes with (its records' units, the findings that name it)."""
    units: dict = {}
    for records in run.evidence.datasets.values():
        for rec in records:
            unit = rec.fields.get("unit")
            if unit is None:
                continue
            for k in IDENTIFYING:
                if rec.fields.get(k):
                    units.setdefault(str(rec.fields[k]), set()).add(unit)
    for r in run.results:
        for f in r.findings:
            for k, v in f.subject.items():
                if k in IDENTIFYING and v:
                    units.setdefault(str(v), set()).add(f.department_code)
    return units


def _redactor(run: AuditRun, code: str, own_name: str, identities: dict):
    """Replace other units' names and other departments' staff/asset IDs by a neutral mark."""
    names = {u["name"] for c, u in run.evidence.units.items() if c != code and u.get("name")}
    names |= {f.department for r in run.results for f in r.findings if f.department and f.department_code != code}
    names.discard(own_name)
    # an ID that goes with this department too (its own finding names it) stays
    foreign = {i for i, units in identities.items() if code not in units}
    pattern = None
    if names:
        alternatives = sorted(names | {own_name}, key=len, reverse=True)  # own name guards its substrings
        pattern = re.compile("|".join(re.escape(n) for n in alternatives))
    odd = sorted((i for i in foreign if not _TOKEN.fullmatch(i)), key=len, reverse=True)
    odd_pattern = re.compile("|".join(re.escape(i) for i in odd)) if odd else None

    def redact(text: str, lang: str | None) -> str:
        mark = WITHHELD[lang]
        if pattern is not None:
            text = pattern.sub(lambda m: m.group(0) if m.group(0) == own_name else mark, text)
        text = _TOKEN.sub(lambda m: mark if m.group(0) in foreign else m.group(0), text)
        if odd_pattern is not None:
            text = odd_pattern.sub(mark, text)
        return text

    return redact
