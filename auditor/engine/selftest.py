"""Tests for controls (`auditor test`): each case is a small evidence folder and what the control must give.

A controls folder may hold cases under `tests/`: every folder below it that holds an `expected.yaml` is one
case, with its `manifest.yaml` and evidence files beside it. The case runs the controls of that folder (and
the shipped ones, which its controls may depend on with controls_pass) on its evidence, under a test policy
with the case's overrides, and compares the control's status and findings with what `expected.yaml` says.

Nothing here prints or exits: `run` returns a Report that auditor/reporters/selftest.py renders.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import defaults, schema, yamlio
from ..errors import InputError

CASES = "tests"  # the folder of a controls folder that holds its cases
EXPECTED = "expected.yaml"
# The policy a case runs under; the case's `policy:`, `network_model:` and `params:` are laid over it.
TEST_POLICY = {"organisation": {"ja": "テスト市", "en": "Test City"}, "network_model": "alpha"}
CHECKED = ("file", "line", "status", "severity", "department")  # what an expected finding may pin down


@dataclass(frozen=True)
class Case:
    name: str  # the case folder, relative to tests/ ('NS-01/fail')
    folder: Path
    expected_path: Path
    control: str
    status: str
    findings: tuple  # {id, and any of CHECKED}
    policy: dict
    description: dict | None = None
    line: int | None = None  # of `control:` (or the top of expected.yaml)


@dataclass
class Outcome:
    name: str
    expected_path: str  # as shown to the user
    control: str | None = None
    description: dict | None = None
    expected_status: str | None = None
    status: str | None = None  # what the control gave
    reason: dict | None = None  # of a status other than pass/fail
    missing: list = field(default_factory=list)  # expected findings the run did not give
    unexpected: list = field(default_factory=list)  # findings the run gave that were not expected
    differ: list = field(default_factory=list)  # (expected, actual, [keys that differ])
    matched: int = 0
    error: InputError | None = None  # a malformed case: its file and line
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == self.expected_status and not (
            self.missing or self.unexpected or self.differ)

    @property
    def verdict(self) -> str:
        """passed, failed, or error (the case itself cannot be used)."""
        return "error" if self.error is not None else "passed" if self.ok else "failed"


@dataclass
class Suite:
    folder: str  # the controls folder, as shown
    controls: tuple  # IDs the folder defines
    outcomes: list = field(default_factory=list)


@dataclass
class Report:
    suites: list = field(default_factory=list)

    @property
    def outcomes(self) -> list:
        return [o for s in self.suites for o in s.outcomes]

    def count(self, verdict: str) -> int:
        return sum(o.verdict == verdict for o in self.outcomes)


def shown(path) -> str:
    """A path as the user sees it: relative to the working folder; in the shipped catalogue, controls/…."""
    p = Path(path).resolve()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        pass
    try:
        return "controls/" + p.relative_to(defaults.shipped_controls().resolve()).as_posix()
    except ValueError:
        return str(path)


def run(dirs=None, limits=None, only=None) -> Report:
    """Every case of every folder (default: the shipped catalogue's). only: case names or control IDs.

    A folder that is not a controls folder, or whose control files do not load, raises InputError;
    a malformed case becomes an Outcome with `error` set, and the other cases still run."""
    from ..catalogue import controls as catalogue

    shipped = defaults.shipped_controls()
    report = Report()
    for folder in [Path(d) for d in (dirs or [shipped])]:
        if not folder.is_dir():
            raise InputError(folder, "controls folder not found", hint="`auditor test` takes folders of control files",
                             ja="管理策のフォルダがありません", hint_ja="`auditor test` には管理策ファイルのフォルダを指定します")
        own = folder.resolve() == shipped.resolve()
        control_dirs = [shipped] if own else [shipped, folder]
        mine, _ = catalogue.load([folder])  # its own controls: what its cases test by default
        known = {c.id for c in catalogue.load(control_dirs)[0]}
        suite = Suite(shown(folder), tuple(c.id for c in mine))
        cases = discover(folder) or (discover(_unpacked_cases()) if own else [])
        if not cases:
            raise InputError(folder / CASES, "no test cases here",
                             hint=f"a case is a folder under {CASES}/ with manifest.yaml, evidence files and "
                                  f"{EXPECTED} (docs/rules.md, 'Testing a control')",
                             ja="ここにテストケースがありません",
                             hint_ja=f"ケースは {CASES}/ の下のフォルダで、manifest.yaml、証跡のファイル、{EXPECTED} を置きます"
                                     "（docs/rules.md「Testing a control」）")
        for name, expected_path in cases:
            if only and not _selected(name, only):
                continue
            suite.outcomes.append(run_case(name, expected_path, control_dirs, known, limits))
        report.suites.append(suite)
    return report


def _selected(name: str, only) -> bool:
    top = name.split("/")[0]
    return any(w == name or w.upper() == top.upper() for w in only)


def discover(folder: Path) -> list[tuple[str, Path]]:
    """(name, expected.yaml) of every case under folder/tests/, in name order."""
    root = Path(folder) / CASES
    if not root.is_dir():
        return []
    found = sorted(root.rglob(EXPECTED))
    return [(p.parent.relative_to(root).as_posix(), p) for p in found if p.is_file() and p.parent != root]


_UNPACKED: list = []  # the shipped cases copied out of a zip archive, once per process


def _unpacked_cases() -> Path:
    """The shipped controls' cases when the package is a zip archive (the catalogue's copy holds only the
    control files): copied to a temporary folder, which holds them as tests/."""
    from importlib import resources

    if not _UNPACKED:
        _UNPACKED.append(tempfile.TemporaryDirectory(prefix="auditor-cases-"))

        def copy(ref, target: Path):
            for child in ref.iterdir():
                if child.is_dir():
                    copy(child, target / child.name)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    (target / child.name).write_bytes(child.read_bytes())
        ref = resources.files("auditor") / "controls" / CASES
        if ref.is_dir():
            copy(ref, Path(_UNPACKED[0].name) / CASES)
    return Path(_UNPACKED[0].name)


def load_case(name: str, expected_path: Path, known: set) -> Case:
    """Parse and check one case's expected.yaml; InputError names its file and line."""
    data, located = yamlio.read_config(expected_path)
    schema.validate(data, "expected", expected_path, located,
                    hint="docs/rules.md, 'Testing a control': `pass`, or control, status, findings, params, policy")
    if data == "pass":
        data = {"status": "pass"}
    control = data.get("control") or name.split("/")[0].upper()
    line = located.line_of(data, ["control"]) if "control" in data else None
    if control not in known:
        raise InputError(expected_path, f"no control {control} to test" + ("" if "control" in data else
                         f" (taken from the folder name {name.split('/')[0]})"), line=line,
                         hint="name it with control: ID, or put the case under tests/<CONTROL-ID>/",
                         ja=f"テストする管理策 {control} がありません" + ("" if "control" in data else
                            f"（フォルダ名 {name.split('/')[0]} から取りました）"),
                         hint_ja="control: ID で管理策を指定するか、ケースを tests/<管理策ID>/ の下に置いてください")
    findings = []
    for f in data.get("findings") or []:
        findings.append({"id": f} if isinstance(f, str) else dict(f))
    ids = [f["id"] for f in findings]
    for i, fid in enumerate(ids):
        if ids.index(fid) != i:
            raise InputError(expected_path, f"finding {fid} is listed twice",
                             line=located.line_of(data, ["findings", i]), ja=f"指摘 {fid} が二度書かれています")
    status = data.get("status") or ("fail" if findings else "pass")
    if findings and status in ("pass", "not_applicable", "no_evidence", "stale", "error"):
        raise InputError(expected_path, f"status {status} has no findings, but findings are listed",
                         line=located.line_of(data, ["status"]), hint="a control with findings fails (or is waived)",
                         ja=f"status {status} は指摘なしの判定ですが、findings に指摘が書かれています",
                         hint_ja="指摘のある管理策は fail（または適用除外）になります")
    policy = dict(TEST_POLICY, **(data.get("policy") or {}))
    if "network_model" in data:
        policy["network_model"] = data["network_model"]
    if "params" in data:
        controls = dict(policy.get("controls") or {})
        controls[control] = dict(controls.get(control) or {}, params=data["params"])
        policy["controls"] = controls
    description = data.get("description")
    if isinstance(description, str):
        description = {"ja": description, "en": description}
    return Case(name, expected_path.parent, expected_path, control, status, tuple(findings), policy,
                description, line)


def run_case(name: str, expected_path: Path, control_dirs, known: set, limits=None) -> Outcome:
    """One case: its control on its evidence, compared with what it expects (never raises InputError)."""
    started = time.perf_counter()
    outcome = Outcome(name, shown(expected_path))
    try:
        case = load_case(name, expected_path, known)
        outcome.control, outcome.expected_status, outcome.description = case.control, case.status, case.description
        result, run = _evaluate(case, control_dirs, limits)
    except InputError as exc:
        outcome.error = exc
        outcome.seconds = time.perf_counter() - started
        return outcome
    outcome.status, outcome.reason = result.status, result.reason
    compare(case.findings, [actual(f, run) for f in result.findings], outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _evaluate(case: Case, control_dirs, limits):
    from . import audit

    if not (case.folder / "manifest.yaml").is_file():
        raise InputError(case.folder, "the case has no manifest.yaml",
                         hint="a case folder holds manifest.yaml, its evidence files and expected.yaml",
                         ja="ケースに manifest.yaml がありません",
                         hint_ja="ケースのフォルダには manifest.yaml、証跡のファイル、expected.yaml を置きます")
    with tempfile.TemporaryDirectory(prefix="auditor-test-") as tmp:
        policy = Path(tmp) / "policy.yaml"
        policy.write_text(yamlio.dump_config(case.policy), encoding="utf-8")
        try:
            run = audit.run(policy, case.folder, control_dirs, only={case.control}, limits=limits)
        except InputError as exc:
            if exc.path and Path(exc.path) == policy:  # the case's policy overrides: point at expected.yaml
                raise InputError(case.expected_path, f"policy: {exc.message}", hint=exc.hint,
                                 ja=f"policy: {exc.ja or exc.message}", hint_ja=exc.hint_ja) from None
            raise
    (result,) = [r for r in run.results if r.control_id == case.control]
    return result, run


def actual(f, run) -> dict:
    loc = f.locations[0] if f.locations else {}
    return {"id": f.id, "file": loc.get("file"), "line": loc.get("line"), "status": f.status,
            "severity": f.severity, "department": f.department, "department_code": f.department_code,
            "locations": [dict(l) for l in f.locations], "message": dict(f.message)}


def compare(expected, got: list[dict], outcome: Outcome) -> None:
    """Fill outcome.missing, .unexpected, .differ and .matched (findings compared by ID)."""
    by_id = {g["id"]: g for g in got}
    wanted = {e["id"] for e in expected}
    for e in expected:
        g = by_id.get(e["id"])
        if g is None:
            outcome.missing.append(e)
            continue
        keys = [k for k in CHECKED if k in e and k not in ("file", "line") and not _same(k, e[k], g)]
        if ("file" in e or "line" in e) and not _located(e, g):
            in_file = "file" in e and _located({"file": e["file"]}, g)
            keys = [k for k in ("file", "line") if k in e and not (k == "file" and in_file)] + keys
        if keys:
            outcome.differ.append((e, g, keys))
        else:
            outcome.matched += 1
    outcome.unexpected = [g for g in got if g["id"] not in wanted]


def _located(e: dict, g: dict) -> bool:
    """Some location of the finding has the expected file and line (`line: null`: a file-level finding)."""
    for loc in g["locations"] or [{"file": None, "line": None}]:
        if ("file" not in e or loc.get("file") == e["file"]) and ("line" not in e or loc.get("line") == e["line"]):
            return True
    return False


def _same(key: str, want, g: dict) -> bool:
    if key == "department":
        return want in (g["department"], g["department_code"])
    return g[key] == want
