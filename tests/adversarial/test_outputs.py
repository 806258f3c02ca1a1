"""Outputs: they land only where they should, and evidence is only read (issue 12 §3).

Every command that writes (check -o, report --out, actions export --out, --record --db) refuses a
path that resolves inside the evidence folder or a controls folder, or onto a file the run reads, by
any name (symlink, hard link, symlinked folder, '..'); a character device or a FIFO is written in place
and stays what it was; a report set lands whole or the folder stays as it was, even on a full disk.
Device nodes are made by the test in tmp_path: the machine's own /dev/null is never touched.
"""
from __future__ import annotations

import errno
import json
import os
import socket
import stat
import threading

import pytest

from conftest import invoke
from .harness import label_of, local_control, run_cli, snapshot

ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="mknod needs root")


def _common(case) -> list:
    args = ["--policy", case.policy, "--evidence", case.evidence]
    return args + (["--controls", case.controls] if case.controls else [])


def _refused(case, args, request, *, names: str, words=(), keep=()):
    """Exit 2, one message naming `names`, no traceback, the evidence and every file in `keep` unchanged."""
    before, kept = snapshot(case.evidence), {p: snapshot_of(p) for p in keep}
    run = run_cli(args, case.root, label=label_of(request), timeout=30)
    where = f"rc={run.code}\n{run.stderr[-3000:]}"
    assert run.code == 2, where
    assert run.stderr.startswith("error: ") and "Traceback" not in run.stdout + run.stderr, where
    assert str(names) in run.stderr, where
    for w in (words,) if isinstance(words, str) else words:
        assert w in run.stderr, where
    assert snapshot(case.evidence) == before, "the evidence folder changed"
    assert {p: snapshot_of(p) for p in keep} == kept, "an input changed"
    assert not [p for p in case.root.rglob(".*.tmp")], "a temporary file was left"
    return run


def snapshot_of(path):
    st = os.lstat(path)
    return st.st_mode, st.st_ino, path.read_bytes() if stat.S_ISREG(st.st_mode) else None


def _local_control(case):
    local_control(case, "{none: flow_rules, where: {action: allow}}", message="{rule_id}", evidence="flow_rules")
    return case.controls / "local-01.yaml"


# ---- check -o onto or into an input, by any name ----

@pytest.mark.parametrize("target", ["manifest", "evidence-file", "new-in-evidence", "deep-in-evidence", "policy",
                                    "control-file", "new-in-controls", "symlink-to-manifest", "hardlink-to-policy",
                                    "symlinked-folder", "dot-dot", "history-db"])
def test_check_output_onto_an_input_is_refused(case, request, target):
    control = _local_control(case)
    db = case.root / "history.sqlite"
    paths = {"manifest": case.evidence / "manifest.yaml", "evidence-file": case.evidence / "flow_rules.yaml",
             "new-in-evidence": case.evidence / "result.json",
             "deep-in-evidence": case.evidence / "out" / "ci" / "result.json", "policy": case.policy,
             "control-file": control, "new-in-controls": case.controls / "result.yaml",
             "symlink-to-manifest": case.root / "result.json", "hardlink-to-policy": case.root / "result.json",
             "symlinked-folder": case.root / "ci" / "result.json",
             "dot-dot": case.root / "elsewhere" / ".." / case.evidence.name / "result.json", "history-db": db}
    out = paths[target]
    if target == "symlink-to-manifest":
        out.symlink_to(case.evidence / "manifest.yaml")
    elif target == "hardlink-to-policy":
        os.link(case.policy, out)
    elif target == "symlinked-folder":
        out.parent.symlink_to(case.evidence)
    elif target == "dot-dot":
        (case.root / "elsewhere").mkdir()
    extra = ["--db", db] if target == "history-db" else []
    if target == "history-db":
        assert invoke("check", *_common(case), "--record", "--db", db).exit_code in (0, 1)
    keep = [case.evidence / "manifest.yaml", case.policy, control] + ([db] if target == "history-db" else [])
    _refused(case, ["check", *_common(case), "--format", "json", "-o", out, *extra], request, names=out,
             words="--output", keep=keep)


def test_check_output_onto_its_own_baseline_is_refused(case, request):
    baseline = case.root / "baseline.json"
    assert invoke("check", *_common(case), "--format", "json", "-o", baseline).exit_code in (0, 1)
    _refused(case, ["check", *_common(case), "--format", "json", "--baseline", baseline, "-o", baseline], request,
             names=baseline, words="the baseline", keep=[baseline])


# ---- report --out into the evidence folder, by any name ----

@pytest.mark.parametrize("target", ["evidence", "inside-evidence", "departments-symlink", "out-symlink",
                                    "controls-folder"])
def test_report_out_inside_the_evidence_is_refused(case, request, target):
    control = _local_control(case)
    out = {"evidence": case.evidence, "inside-evidence": case.evidence / "reports",
           "departments-symlink": case.root / "reports", "out-symlink": case.root / "reports",
           "controls-folder": case.controls}[target]
    if target == "departments-symlink":  # the case: reports/departments -> the evidence folder
        out.mkdir()
        (out / "departments").symlink_to(case.evidence)
    elif target == "out-symlink":
        out.symlink_to(case.evidence)
    run = _refused(case, ["report", *_common(case), "--out", out, "--format", "json,md,csv", "--date", "2026-04-15"],
                   request, names=out, words="--out", keep=[control])
    assert "wrote" not in run.stderr


@pytest.mark.parametrize("command", ["check", "report"])
def test_record_database_inside_the_evidence_is_refused(case, request, command):
    db = case.evidence / "history.sqlite"
    extra = ["--out", case.root / "reports"] if command == "report" else []
    _refused(case, [command, *_common(case), "--record", "--db", db, *extra], request, names=db, words="--db")
    assert not (case.root / "reports").exists()


def _register(case):
    """The sample's FY2025 run recorded: 道路課 (0510) has open actions."""
    db = case.root / "h.sqlite"
    assert invoke("check", *_common(case), "--record", "--db", db).exit_code in (0, 1)
    return db


@pytest.mark.parametrize("target", ["evidence", "evidence-progress-folder", "db", "policy"])
def test_actions_export_onto_an_input_is_refused(sample, request, target):
    db = _register(sample)
    out = {"evidence": sample.evidence / "0510.xlsx", "evidence-progress-folder": sample.evidence / "progress" / "0510.csv",
           "db": db, "policy": sample.policy}[target]
    _refused(sample, ["actions", "export", "--department", "0510", "--db", db, "--policy", sample.policy, "--out", out],
             request, names=out, words="--out", keep=[db, sample.policy])


# ---- what a path is: device and FIFO in place, '-' is stdout, the rest refused ----

@ROOT_ONLY
@pytest.mark.parametrize("how", ["node", "symlink-to-node"])
def test_check_output_to_a_character_device_keeps_it_a_device(case, request, how):
    node = case.root / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null, made here
    target = node if how == "node" else case.root / "out.json"
    if how != "node":
        target.symlink_to(node)
    run = run_cli(["check", *_common(case), "--format", "json", "-o", target], case.root, label=label_of(request))
    assert run.code in (0, 1) and "Traceback" not in run.stderr, run.stderr
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3), "the device node was replaced"
    assert how == "node" or target.is_symlink()


@pytest.mark.parametrize("command", ["check", "actions"])
def test_output_to_a_fifo_is_written_in_place(sample, request, command):
    case = sample
    fifo = case.root / "sheet.csv"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    if command == "check":
        args = ["check", *_common(case), "--format", "json", "-o", fifo]
    else:
        db = _register(case)
        args = ["actions", "export", "--department", "0510", "--db", db, "--policy", case.policy, "--out", fifo]
    run = run_cli(args, case.root, label=label_of(request), timeout=30)
    reader.join(10)
    assert run.code in (0, 1) and "Traceback" not in run.stderr, run.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and got and got[0]
    if command == "check":
        assert json.loads(got[0])["results"]


def test_check_output_dash_is_stdout(case, request):
    file_out = case.root / "result.json"
    to_file = run_cli(["check", *_common(case), "--format", "json", "-o", file_out], case.root, label=label_of(request))
    to_dash = run_cli(["check", *_common(case), "--format", "json", "-o", "-"], case.root, label=label_of(request))
    assert to_dash.code == to_file.code and to_dash.stdout == file_out.read_text(encoding="utf-8")
    assert not (case.root / "-").exists()


@pytest.mark.parametrize("what", ["block-device", "socket", "folder-for-report"])
def test_other_kinds_of_output_path_are_refused(case, request, what):
    target = case.root / "target"
    if what == "block-device":
        if not hasattr(os, "getuid") or os.getuid() != 0:
            pytest.skip("mknod needs root")
        os.mknod(target, 0o600 | stat.S_IFBLK, os.makedev(7, 200))  # a loop device number; never opened
        args = ["check", *_common(case), "-o", target]
    elif what == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        sock.close()
        args = ["check", *_common(case), "-o", target]
    else:
        os.mkfifo(target)
        args = ["report", *_common(case), "--out", target, "--format", "json"]
    before = os.lstat(target)
    _refused(case, args, request, names=target, words=("is a",))
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


# ---- a report set lands whole, or the folder stays as it was ----

def _earlier_set(case):
    """A folder holding an earlier report set, and what a user keeps beside it."""
    out = case.root / "reports"
    result = invoke("report", *_common(case), "--out", out, "--format", "json,md,csv", "--date", "2025-04-15")
    assert result.exit_code == 0, result.output
    (out / "history.sqlite").write_bytes(b"the register")
    (out / "FY2024").mkdir()
    (out / "FY2024" / "report.json").write_text("last year", encoding="utf-8")
    (out / "progress").mkdir()
    (out / "progress" / "0100.xlsx").write_bytes(b"a sheet")
    return out


def _files(folder):
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fail_at", [1, 4, 9, 13])  # of 13 files: 4 for each of 3 audiences, and index.html
def test_a_full_disk_leaves_the_earlier_report_set_whole(case, monkeypatch, fail_at):
    from auditor import fsio

    out = _earlier_set(case)
    before = _files(out)
    real, calls = fsio.write_atomic, []

    def full_disk(path, data, *args):
        calls.append(path)
        if len(calls) >= fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, *args)
    monkeypatch.setattr(fsio, "write_atomic", full_disk)
    result = invoke("report", *_common(case), "--out", out, "--format", "json,md,csv", "--date", "2026-04-15")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert result.stderr.startswith("エラー: ") and "ディスクの空きがありません" in result.stderr  # in-process: Japanese, the reason too
    assert "は元のままです" in result.stderr
    assert len(calls) == fail_at, "the run went on writing after the disk was full"
    assert _files(out) == before, "the folder holds a mix of old and new reports"
    assert not [p for p in out.rglob(".*")], "a staging folder or temporary file was left"


def test_a_full_disk_leaves_no_new_folder(case, monkeypatch):
    from auditor import fsio

    real, calls = fsio.write_atomic, []

    def full_disk(path, data, *args):
        calls.append(path)
        if len(calls) > 2:  # the organisation's report.json and report.ja.md are written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, *args)
    monkeypatch.setattr(fsio, "write_atomic", full_disk)
    out = case.root / "new" / "reports"
    result = invoke("report", *_common(case), "--out", out, "--format", "json,md", "--date", "2026-04-15")
    assert result.exit_code == 2 and "ディスクの空きがありません" in result.stderr
    assert len(calls) == 3 and not (case.root / "new").exists()


def test_an_error_while_swapping_the_set_in_puts_the_earlier_set_back(case, monkeypatch):
    out = _earlier_set(case)
    before = _files(out)
    real, calls = os.rename, []

    def rename(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 7:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "rename", rename)
    result = invoke("report", *_common(case), "--out", out, "--format", "json,md,csv", "--date", "2026-04-15")
    assert result.exit_code == 2 and "は元のままです" in result.stderr, result.output  # in-process: Japanese
    assert _files(out) == before
    assert not [p for p in out.rglob(".*")]


def test_a_new_set_replaces_its_own_files_and_keeps_the_rest(case):
    out = _earlier_set(case)
    kept = {k: v for k, v in _files(out).items() if not k.endswith((".json", ".md", ".csv", ".html"))
            or k.startswith("FY2024")}
    result = invoke("report", *_common(case), "--out", out, "--format", "json", "--date", "2026-04-15")
    assert result.exit_code == 0, result.output
    files = _files(out)
    assert {k: files[k] for k in kept} == kept  # history.sqlite, FY2024/, progress/
    assert json.loads((out / "report.json").read_text("utf-8"))["cover"]["issued_on"] == "2026-04-15"
    assert "2026" in (out / "index.html").read_text("utf-8")
    assert not [p for p in out.rglob(".*")]


# ---- bidi overrides in a unit name: escaped in every file, index.html and folder names too ----

def test_a_bidi_override_in_a_unit_name_reaches_no_report_file_raw(case, request):
    import yaml

    units = yaml.safe_load((case.evidence / "org_units.yaml").read_text(encoding="utf-8"))
    units[1]["name"] = "市民\u202e課fdp.exe"
    (case.evidence / "org_units.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    out = case.root / "reports"
    run = run_cli(["report", *_common(case), "--out", out, "--format", "html,md,json,csv", "--date", "2026-04-15"],
                  case.root, label=label_of(request))
    assert run.code == 0, run.stderr
    assert "\u202e" not in run.stdout + run.stderr
    written = [p for p in out.rglob("*")]
    assert not [p for p in written if "\u202e" in str(p.relative_to(out))], "a folder name carries the override"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "市民\\u202e課" in index  # shown, as every report shows it
    for p in (p for p in written if p.suffix in (".html", ".md", ".csv")):
        assert "\u202e" not in p.read_text(encoding="utf-8-sig"), p
