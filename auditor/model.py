"""Plain data passed between the stages: controls, policy, evidence, results."""
from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass, field

from .fiscal import FiscalYear

SEVERITIES = ("major", "minor", "observation")
DERIVED_KINDS = ("personal_data_occurrences",)  # built from every file read (auditor/privacy/personal.py), never provided
MODEL_LABELS = {"alpha": "α", "alpha_prime": "α′", "beta": "β", "beta_prime": "β′"}  # 三層の対策のモデル
# not_assessed: an audit item an auditor has not answered (未確認); never counted as met
STATUSES = ("pass", "fail", "waived", "not_applicable", "no_evidence", "stale", "error", "not_assessed")
STATUS_LABELS = {
    "ja": {"pass": "適合", "fail": "不適合", "waived": "例外承認", "not_applicable": "適用外",
           "no_evidence": "証跡なし", "stale": "証跡が古い", "error": "評価エラー", "not_evaluated": "未評価",
           "not_assessed": "未確認"},
    "en": {"pass": "pass", "fail": "fail", "waived": "waived", "not_applicable": "not applicable",
           "no_evidence": "no evidence", "stale": "stale evidence", "error": "error", "not_evaluated": "not evaluated",
           "not_assessed": "not assessed"},
}


@dataclass(frozen=True)
class Location:
    file: str  # relative to the evidence root
    line: int | None = None

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class Record:
    kind: str
    fields: dict
    file: str
    line: int | None
    cleaned: dict | None = None  # field -> (invisible characters removed, whether that left no value)

    def get(self, name, default=None):
        return self.fields.get(name, default)


@dataclass(frozen=True)
class Control:
    id: str
    title: dict
    requirement: dict
    area: str
    severity: str
    source: str
    params: dict
    evidence: tuple
    rules: tuple  # each a dict of the rule language
    message: dict
    path: str  # the YAML file it came from
    line: int | None = None
    enabled: bool = True
    disabled_reason: str | None = None
    notes: tuple = ()  # {when, ja, en}: what an evaluated result rests on (e.g. which courses count)
    manual: bool = False  # an audit item answered by auditors (engine/manual.py), not a rule over evidence
    refs: dict = field(default_factory=dict)  # guideline, measure, iso27002, iso27001, nist_csf, derived

    def depends_on(self) -> list[str]:
        """IDs of the controls its controls_pass rules check (a `$param` is read from params)."""
        ids = []
        for rule in self.rules:
            wanted = rule.get("controls_pass")
            if isinstance(wanted, str):
                wanted = self.params.get(wanted[1:])
            ids.extend(wanted or [])
        return ids


@dataclass(frozen=True)
class PolicyException:
    id: str
    control: str
    scope: dict
    reason: str
    approver: str
    start: dt.date | None
    end: dt.date | None
    problem: str | None  # why it cannot waive anything (None when well-formed)
    line: int | None = None

    def state(self, as_of: dt.date) -> str:
        """valid, expired, not_started or invalid (malformed: waives nothing)."""
        if self.problem:
            return "invalid"
        if as_of > self.end:
            return "expired"
        if as_of < self.start:
            return "not_started"
        return "valid"


@dataclass(frozen=True)
class Policy:
    path: str
    organisation: dict
    version: str | None
    network_model: str
    secretariat: str | None
    controls: dict  # id -> {enabled, params, severity}
    exceptions: tuple
    settings: dict  # everything else the reports use (due days, names opt-in)
    sha256: str = ""


@dataclass(frozen=True)
class EvidenceFile:
    path: str  # relative to the evidence root, as written in the manifest
    kind: str
    provided_by: str
    collected_on: dt.date | None
    sha256: str
    records: int
    encoding: str | None = None


@dataclass(frozen=True)
class Evidence:
    root: str
    manifest: str
    organisation: dict
    fiscal_year: FiscalYear
    as_of: dt.date
    files: tuple  # EvidenceFile
    datasets: dict  # kind -> list[Record]
    units: dict  # unit code -> {"name": ..., "level": ..., "parent": ...}
    my_numbers: tuple = ()  # Location of every cell that held a My Number (masked on reading)
    unknown_units: tuple = ()  # (Location of the first row, value, rows) of units not in org_units
    personal_data: tuple = ()  # personal.Occurrence of every cell that held a My Number
    notices: tuple = ()  # data that looks off ({"code", "level", "file", "line", "message"}), e.g. footer rows
    cleaned: tuple = ()  # per column: (Location of the first row, label, field, characters removed, emptied, rows, lines)
    readings: tuple = ()  # per file (aligned with files): the parse cache's key of its reading, or None

    def files_of(self, kind: str) -> list[str]:
        if kind in DERIVED_KINDS:
            return [f.path for f in self.files]
        return [f.path for f in self.files if f.kind == kind]

    def unit_name(self, code) -> str | None:
        unit = self.units.get(code)
        return unit["name"] if unit else code

    @functools.cached_property
    def unit_names(self) -> dict:
        """NFKC unit name -> unit code."""
        return {unicodedata.normalize("NFKC", u["name"]).strip(): code
                for code, u in self.units.items() if u.get("name")}

    def unit_code(self, value) -> str | None:
        """A unit written by code or by name -> its code (unknown values are returned as given)."""
        if value is None or value in self.units:
            return value
        return self.unit_names.get(unicodedata.normalize("NFKC", str(value)).strip(), value)


@dataclass
class Finding:
    id: str
    control_id: str
    severity: str
    department: str | None  # unit name
    department_code: str | None
    message: dict  # {"ja": ..., "en": ...}
    locations: list
    subject: dict = field(default_factory=dict)  # identity fields the exceptions match on
    status: str = "open"  # open or waived
    exception: dict | None = None


@dataclass
class Result:
    control: Control
    status: str
    findings: list = field(default_factory=list)
    reason: dict | None = None  # {"ja", "en"} for not_applicable, no_evidence, stale, error
    checked: int = 0  # records in scope
    departments: dict = field(default_factory=dict)  # code -> {"checked": n, "failed": m}
    # what the result rests on and data that looks off: {"code", "level" (info|warning), "message" {ja, en}, "files"}
    notices: list = field(default_factory=list)
    unassessed: list = field(default_factory=list)  # manual items: codes of audited departments not answered

    @property
    def control_id(self) -> str:
        return self.control.id

    def open_findings(self) -> list:
        return [f for f in self.findings if f.status == "open"]


@dataclass
class AuditRun:
    policy: Policy
    evidence: Evidence
    controls: list
    results: list
    exceptions: list  # [{"exception": PolicyException, "state": ..., "used": n}]
    catalogue_sha256: str = ""
    framework: object = None  # catalogue.framework.Framework: the audit map the run was read against
