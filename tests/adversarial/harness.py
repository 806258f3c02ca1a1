"""Run the CLI on hostile input in a bounded subprocess and check that nothing was lost.

Every adversarial case goes through `refused` (or `accepted`, for inputs that are not errors by
design): a real `python -m auditor` process, under a time limit and an address-space limit,
so that a hang, a memory blow-up or a segfault fails the test instead of the machine.
"""
from __future__ import annotations

import errno
import hashlib
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conftest import ORG, ROOT, write_evidence, write_policy

MEMORY_LIMIT = 1536 * 2**20  # RLIMIT_AS of each run: a bomb must fail cleanly, not take the machine
TIME_LIMIT = 60  # seconds; the slowest case takes a few
PREVIOUS = b'{"previous": "a complete earlier output"}\n'
MEASURED: list = []  # (case, command, seconds, peak RSS in bytes): summarised after the run (conftest.py)

FLOWS = [{"rule_id": "R1", "src_zone": "lgwan", "dst_zone": "internet", "action": "deny"}]


@dataclass
class Case:
    """One run's inputs, in tmp_path: evidence folder, policy, and optional extra controls folder."""
    root: Path
    evidence: Path
    policy: Path
    controls: Path | None = None
    extra: list = field(default_factory=list)  # extra CLI options (e.g. --max-rows 10)

    # ---- building the inputs ----

    def manifest(self) -> dict:
        return yaml.safe_load((self.evidence / "manifest.yaml").read_text(encoding="utf-8"))

    def save_manifest(self, data: dict) -> None:
        (self.evidence / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def add_file(self, name: str, content: bytes | None, kind: str = "flow_rules", **entry) -> Path:
        """Write an evidence file (None: leave the path as it is) and list it in the manifest."""
        path = self.evidence / name
        if content is not None:
            path.write_bytes(content)
        data = self.manifest()
        data["files"].append({"path": name, "kind": kind, "provided_by": "x", "collected_on": "2026-03-01", **entry})
        self.save_manifest(data)
        return path

    def control_file(self, text: str, name: str = "local.yaml") -> Path:
        self.controls = self.root / "local-controls"
        self.controls.mkdir(exist_ok=True)
        path = self.controls / name
        path.write_text(text, encoding="utf-8")
        return path


def small_case(tmp_path: Path) -> Case:
    """A valid minimal city: org units and one firewall rule (exit 0 or 1 as it stands)."""
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "flow_rules": FLOWS})
    return Case(tmp_path, ev, write_policy(tmp_path))


def sample_case(tmp_path: Path) -> Case:
    """A copy of the shipped sample, FY2025, with its policy."""
    ev = tmp_path / "FY2025"
    shutil.copytree(ROOT / "evidence" / "FY2025", ev)
    policy = tmp_path / "sample-city.yaml"
    shutil.copy(ROOT / "policies" / "sample-city.yaml", policy)
    return Case(tmp_path, ev, policy)


# ---- snapshots: the evidence folder byte for byte, outputs ----

def _file_digest(path: Path) -> str:
    """SHA-256 over a file's data, reading only its data extents (a 2 GB sparse file costs nothing).

    Holes read as zeros, so hashing the size and (offset, bytes) of every extent changes whenever any
    byte changes (and when a hole is filled, which only a write does).
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        fd = fh.fileno()
        size = os.fstat(fd).st_size
        h.update(str(size).encode())
        pos = 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
                end = os.lseek(fd, start, os.SEEK_HOLE)
            except OSError as exc:
                if exc.errno == errno.ENXIO:
                    break  # only a hole is left
                start, end = pos, size  # no SEEK_DATA here: read everything
            fh.seek(start)
            h.update(f"@{start}".encode())
            left = end - start
            while left:
                chunk = fh.read(min(left, 1 << 20))
                if not chunk:
                    break
                h.update(chunk)
                left -= len(chunk)
            pos = end
    return h.hexdigest()


def snapshot(folder: Path) -> dict:
    """Every entry under `folder` (symlinks and device nodes by lstat, never followed or read)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            st = os.lstat(path)
            rel = str(path.relative_to(folder))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", st.st_size, _file_digest(path), stat.S_IMODE(st.st_mode))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode))
            else:
                out[rel] = ("special", st.st_mode, st.st_rdev)
    return out


def _temp_files(folder: Path) -> list:
    return [p for p in folder.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")] \
        if folder.exists() else []


# ---- running ----

@dataclass
class Run:
    command: str
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int  # bytes
    timed_out: bool = False
    raw: bytes = b""  # stdout as written, for tests of its encoding


def _limit_memory():  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# A forked child's peak RSS starts at its parent's RSS (the pages fork copies), and Linux keeps that
# peak across exec: forked from pytest late in a run (150 MB and more), every run would be measured at
# pytest's size. So a small launcher (python -S, a few MB) sets the limits, forks the command, reaps
# it with wait4 and writes its status and own peak RSS to a file.
LAUNCHER = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{status} {usage.ru_maxrss}")
"""


# The cases read the command line's English messages (the outputs keep their own --lang, Japanese by
# default); tests/test_cli_japanese.py holds the Japanese messages, japanese=True runs a case with them.
ENGLISH = "import auditor.cli.i18n as _i18n\n_i18n.current = lambda: 'en'\n"


def run_cli(args, cwd: Path, timeout: float = TIME_LIMIT, label: str = "", env: dict | None = None,
            prelude: str | None = None, japanese: bool = False) -> Run:
    """`python -m auditor ARGS` with the limits, through LAUNCHER for the command's own peak RSS.

    env: variables to add; prelude: Python run before the command's entry point (e.g. to make a part
    of the code raise, as a bug would); japanese: the messages in Japanese, the command line's default."""
    out_path, err_path = cwd / ".stdout.log", cwd / ".stderr.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200", **(env or {}))
    prelude = (prelude or "") if japanese else ENGLISH + (prelude or "")
    command = [sys.executable, "-m", "auditor"] if not prelude else \
        [sys.executable, "-c", prelude + "\nfrom auditor.cli import entry\nentry(prog_name='auditor')\n"]
    status_path = cwd / ".status.log"
    status_path.unlink(missing_ok=True)
    launch = [sys.executable, "-S", "-c", LAUNCHER, str(status_path), str(MEMORY_LIMIT)]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen([*launch, *command, *map(str, args)], cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command with it
            proc.wait()
            timed_out = True
        seconds = time.monotonic() - start
    status, peak = (None, 0) if timed_out else map(int, status_path.read_text().split())
    run = Run(args[0], None if timed_out else os.waitstatus_to_exitcode(status), out_path.read_text("utf-8", "replace"),
              err_path.read_text("utf-8", "replace"), seconds, peak * 1024, timed_out, out_path.read_bytes())
    MEASURED.append((label, run.command, run.seconds, run.peak_rss))
    return run


def _args(case: Case, command: str, out: Path) -> list:
    args = [command, "--policy", case.policy, "--evidence", case.evidence]
    if case.controls:
        args += ["--controls", case.controls]
    if command == "check":
        args += ["--format", "json", "--output", out]
    elif command == "report":
        args += ["--out", out, "--format", "json,md", "--date", "2026-04-15"]
    return args + case.extra


def _prepare_output(case: Case, command: str) -> tuple[Path, Path]:
    """The output location, holding a complete earlier output that a failed run must leave alone."""
    outputs = case.root / "outputs"
    outputs.mkdir(exist_ok=True)
    if command == "check":
        target = outputs / "result.json"
        target.write_bytes(PREVIOUS)
        return target, target
    folder = outputs / "reports"
    folder.mkdir(exist_ok=True)
    (folder / "report.json").write_bytes(PREVIOUS)
    return folder, folder / "report.json"


def refused(case: Case, *, file: str, line: int | None = None, words=(), commands=("check",),
            label: str = "", timeout: float = TIME_LIMIT) -> list[Run]:
    """Each command exits 2 with one message naming `file` (and `line`), no traceback, nothing lost."""
    runs = []
    for command in commands:
        before = snapshot(case.evidence)
        out, previous = _prepare_output(case, command)
        run = run_cli(_args(case, command, out), case.root, timeout, label)
        where = f"{command}: rc={run.code} after {run.seconds:.1f}s\n{run.stderr[-3000:]}"
        assert not run.timed_out, f"{command} did not finish within {timeout}s (a hang)"
        assert run.code == 2, where
        assert "Traceback" not in run.stdout + run.stderr, where
        assert run.stderr.startswith("error: "), where
        assert f"{file}:{line}:" in run.stderr if line else f"{file}:" in run.stderr, where
        for w in (words,) if isinstance(words, str) else words:
            assert w in run.stderr, where
        assert previous.read_bytes() == PREVIOUS, f"{command} replaced the earlier output"
        assert not _temp_files(case.root / "outputs"), f"{command} left a temporary file"
        if command == "report":
            assert sorted(p.name for p in out.iterdir()) == ["report.json"], "a failed report run wrote files"
        assert snapshot(case.evidence) == before, "the evidence folder changed"
        runs.append(run)
    return runs


def accepted(case: Case, *, codes=(0, 1), command: str = "check", label: str = "",
             timeout: float = TIME_LIMIT) -> tuple[Run, dict | None]:
    """For inputs that are not errors by design: the run completes, and the parsed JSON result."""
    import json

    before = snapshot(case.evidence)
    out, _ = _prepare_output(case, command)
    run = run_cli(_args(case, command, out), case.root, timeout, label)
    assert not run.timed_out, f"{command} did not finish within {timeout}s"
    assert run.code in codes, f"rc={run.code}\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert not _temp_files(case.root / "outputs")
    assert snapshot(case.evidence) == before, "the evidence folder changed"
    doc = json.loads(out.read_text(encoding="utf-8")) if command == "check" else None
    return run, doc


def label_of(request) -> str:
    return f"{Path(str(request.node.fspath)).name}::{request.node.name}"


def entry_line(case: Case, name: str) -> int:
    """Line of the manifest entry (the '- ' that starts it) listing `name`, as yaml.safe_dump wrote it."""
    start = None
    for n, text in enumerate((case.evidence / "manifest.yaml").read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith("- "):
            start = n
        if text.lstrip("- ").startswith("path: ") and yaml.safe_load(text.lstrip("- "))["path"] == name:
            return start
    raise AssertionError(f"{name} not in the manifest")


# ---- .xlsx written from raw parts: hidden sheets, merged cells, formulas with or without results ----

def xlsx(sheets, merged=(), dimension: str | None = None) -> bytes:
    """sheets: [(name, rows, state)]; a cell is text, a number, None, or ('=FORMULA', saved result or None)."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    def ref(c, r):
        letters = ""
        c += 1
        while c:
            c, rem = divmod(c - 1, 26)
            letters = chr(65 + rem) + letters
        return f"{letters}{r}"

    def cell(c, r, v):
        if v is None:
            return ""
        if isinstance(v, tuple):
            formula, saved = v
            f = f"<f>{escape(formula.lstrip('='))}</f>"
            if saved is None:
                return f'<c r="{ref(c, r)}">{f}</c>'
            if isinstance(saved, str):
                return f'<c r="{ref(c, r)}" t="str">{f}<v>{escape(saved)}</v></c>'
            return f'<c r="{ref(c, r)}">{f}<v>{saved}</v></c>'
        if isinstance(v, (int, float)):
            return f'<c r="{ref(c, r)}"><v>{v}</v></c>'
        return f'<c r="{ref(c, r)}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                             for i in range(1, len(sheets) + 1)) + "</Types>")
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
                   + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
                             for i, (name, _, state) in enumerate(sheets, 1)) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                             for i in range(1, len(sheets) + 1)) + "</Relationships>")
        for i, (_, rows, _) in enumerate(sheets, 1):
            body = "".join(f'<row r="{r}">' + "".join(cell(c, r, v) for c, v in enumerate(row)) + "</row>"
                           for r, row in enumerate(rows, 1))
            dim = f'<dimension ref="{dimension}"/>' if dimension and i == 1 else ""
            merge = (f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged)
                     + "</mergeCells>") if merged and i == 1 else ""
            z.writestr(f"xl/worksheets/sheet{i}.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>{dim}'
                       f"<sheetData>{body}</sheetData>{merge}</worksheet>")
    return buf.getvalue()


def local_control(case: Case, rule: str, message: str = "{staff_id} {unit}", evidence: str = "staff",
                  cid: str = "LOCAL-01") -> None:
    """A control that reports the records it sees, so that a test can tell what was read."""
    case.control_file(
        f"- id: {cid}\n  title: {{ja: 確認, en: Check}}\n  requirement: {{ja: 確認, en: Check}}\n  area: local\n"
        f"  severity: major\n  source: test\n  evidence: [{evidence}]\n  rule: {rule}\n"
        f"  message: {{ja: '{message}', en: '{message}'}}\n", name=f"{cid.lower()}.yaml")


def messages(doc: dict, control_id: str) -> list[str]:
    (result,) = [r for r in doc["results"] if r["control_id"] == control_id]
    return sorted(f["message"] for f in result["findings"])
