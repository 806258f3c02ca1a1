"""What the two OSCAL formats share (oscal_ar.py: assessment-results; oscal_poam.py: plan of action and
milestones): stable UUIDs, metadata, timestamps, the controls' ISO/IEC 27001 references, the evidence as
back-matter resources with their SHA-256, and the privacy pass every OSCAL document goes through.

OSCAL 1.1.3 JSON (docs/oscal.md). Every UUID is a version-5 UUID of what it stands for (a finding's ID, a
control's ID, an evidence file's path, the town and fiscal year), so two runs on the same inputs write the
same document and the same finding keeps its UUID from one run to the next."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from .. import __version__
from ..engine import coverage
from ..model import AuditRun
from ..privacy import mynumber
from . import repo_path

OSCAL_VERSION = "1.1.3"
NS = "https://municipal-auditor.example/ns/oscal"  # the namespace of our own props
# A fixed namespace of our own for uuid5: never change it, or every UUID of every document changes.
ROOT_NS = uuid.UUID("5d0c3f5e-7a59-5d2b-9a51-6a1f3b0e8c21")
TZ = "+09:00"  # Japan: the audit's dates are days in JST
WITHHELD = {"ja": "（氏名非表示）", "en": "(name withheld)"}
STATES = {"pass": "satisfied", "waived": "satisfied"}  # every other evaluated status: not-satisfied
TEXT = {
    "ja": {"ar": "{org} {fy} 情報セキュリティ監査結果", "poam": "{org} {fy} 是正処置計画（POA&M）",
           "ap": "監査計画に当たるのはポリシー（適用する管理策、パラメータ、例外措置）です",
           "evidence": "証跡ファイル {path}（{kind}、{records} 件）"},
    "en": {"ar": "{org} {fy} information-security audit results",
           "poam": "{org} {fy} plan of action and milestones",
           "ap": "The policy (which controls apply, their parameters and exceptions) stands as the assessment plan",
           "evidence": "Evidence file {path} ({kind}, {records} records)"},
}


def uid(*parts) -> str:
    """A version-5 UUID of the parts (stable across runs and machines).

    A UUID whose digits read as a My Number (12 digits with a valid check digit, or 4-4-4 with hyphens,
    as a data-loss scanner would flag it) is drawn again from the parts and a counter: still the same
    UUID on every run, and never a false alarm downstream."""
    name = "\x1f".join(str(p) for p in parts)
    for n in range(100):
        text = str(uuid.uuid5(ROOT_NS, name if n == 0 else f"{name}\x1f{n}"))
        if not mynumber.find(text):
            return text
    raise AssertionError(f"no UUID for {name!r} that reads as no My Number")  # 100 in a row: never happens


def town(run: AuditRun) -> str:
    return run.policy.organisation.get("en") or run.policy.organisation.get("ja") or "town"


def day_start(d) -> str:
    return f"{d.isoformat()}T00:00:00{TZ}"


def day_end(d) -> str:
    return f"{d.isoformat()}T23:59:59{TZ}"


def prop(name: str, value, cls: str | None = None, ours: bool = True) -> dict:
    p = {"name": name, "value": str(value)}
    if ours:
        p["ns"] = NS
    if cls:
        p["class"] = cls
    return p


def metadata(run: AuditRun, kind: str, lang: str) -> dict:
    """Title, a last-modified stamp that is the audit's as-of day (not the clock), and the town as a party."""
    ev, pol = run.evidence, run.policy
    fy = ev.fiscal_year.label_ja if lang == "ja" else ev.fiscal_year.label_en
    return {
        "title": TEXT[lang][kind].format(org=pol.organisation[lang], fy=fy),
        "last-modified": day_start(ev.as_of),
        "version": f"FY{ev.fiscal_year.year}" + (f"-{pol.version}" if pol.version else ""),
        "oscal-version": OSCAL_VERSION,
        "props": [prop("tool", f"auditor {__version__}"), prop("fiscal-year", ev.fiscal_year.year),
                  prop("network-model", pol.network_model), prop("as-of", ev.as_of.isoformat()),
                  prop("catalogue-sha256", run.catalogue_sha256 or "none")],
        "parties": [{"uuid": uid("party", town(run)), "type": "organization", "name": pol.organisation[lang]}],
    }


def iso27001(run: AuditRun, control) -> list[tuple[str, bool]]:
    """(ISO/IEC 27001:2022 reference, derived) of a control: its own `refs.iso27001` and those of the audit
    items it assesses; failing those, Annex A read from the items' ISO/IEC 27002:2022 numbers (Annex A lists
    the 27002 controls under the same numbers: 27002 5.15 is A.5.15), marked derived."""
    own = set((getattr(control, "refs", None) or {}).get("iso27001") or ())
    derived = set()
    items = run.framework.items_of(control.id) if run.framework is not None else []
    for item in items:
        own |= set(item.refs.get("iso27001") or ())
        derived |= {f"A.{n}" for n in item.refs.get("iso27002") or ()}
    return [(r, False) for r in sorted(own, key=coverage.natural)] + \
        [(r, True) for r in sorted(derived - own, key=coverage.natural)]


def iso_props(run: AuditRun, control) -> list[dict]:
    out = []
    for ref, derived in iso27001(run, control):
        name = "iso27001-annex-a" if ref.startswith("A.") else "iso27001-clause"
        out.append(prop(name, ref, cls="derived" if derived else None))
    return out


def items_props(run: AuditRun, control) -> list[dict]:
    """The audit items (監査項目) of the town's audit map that the control assesses."""
    items = run.framework.items_of(control.id) if run.framework is not None else []
    return [prop("audit-item", i.id) for i in items]


def evidence_resources(run: AuditRun, lang: str) -> list[dict]:
    """One back-matter resource per evidence file, with its SHA-256 (what `auditor verify` checks), and
    one for the policy file."""
    ev = run.evidence
    out = []
    for f in ev.files:
        out.append({"uuid": evidence_uuid(run, f.path), "title": f.path,
                    "description": TEXT[lang]["evidence"].format(path=f.path, kind=f.kind, records=f.records),
                    "props": [prop("evidence-kind", f.kind), prop("records", f.records)]
                    + ([prop("collected-on", f.collected_on.isoformat())] if f.collected_on else []),
                    "rlinks": [{"href": href_of(Path(ev.root) / f.path),
                                "hashes": [{"algorithm": "SHA-256", "value": f.sha256}]}]})
    pol = run.policy
    if pol.path:
        out.append({"uuid": uid("policy", town(run), ev.fiscal_year.year), "title": Path(pol.path).name,
                    "props": [prop("type", "policy")],
                    "rlinks": [{"href": href_of(pol.path), "hashes": [{"algorithm": "SHA-256", "value": pol.sha256}]}]
                    if pol.sha256 else [{"href": href_of(pol.path)}]})
    return out


def evidence_uuid(run: AuditRun, path: str) -> str:
    return uid("evidence", town(run), run.evidence.fiscal_year.year, path)


def finding_uuid(run: AuditRun, finding_id: str) -> str:
    return uid("finding", town(run), run.evidence.fiscal_year.year, finding_id)


# Ours, never evidence: UUIDs and digests may hold 12 check-digit-valid digits by chance and must stay intact;
# every href is masked where it is built (href_of), as it may name an evidence file.
KEEP = ("hashes", "uuid", "observation-uuid", "finding-uuid", "risk-uuid", "party-uuids", "href")


def href_of(path) -> str:
    return mynumber.mask(repo_path(path))


def dumps(run: AuditRun, model: str, doc: dict, lang: str) -> str:
    """The document as JSON: personal names of the staff roster withheld, My Numbers masked everywhere."""
    names = sorted({str(r.fields["name"]).strip() for r in run.evidence.datasets.get("staff", ())
                    if r.fields.get("name") and len(str(r.fields["name"]).strip()) >= 2}, key=len, reverse=True)
    if names:
        pattern = re.compile("|".join(re.escape(n) for n in names))
        doc = _withhold(doc, pattern, WITHHELD[lang])
    return mynumber.dumps({model: doc}, keep=KEEP)


def _withhold(obj, pattern, mark: str):
    if isinstance(obj, str):
        return pattern.sub(mark, obj)
    if isinstance(obj, dict):
        return {k: (v if k in KEEP else _withhold(v, pattern, mark)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_withhold(v, pattern, mark) for v in obj]
    return obj
