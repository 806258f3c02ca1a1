"""Paths: the manifest may only name ordinary files inside the evidence folder.

'..', absolute paths and symlinks out of the folder are refused before anything is opened; devices
(/dev/zero never ends), named pipes (a read would wait forever) and folders are refused without
reading. The harness's 60 s limit turns a hang into a failure.
"""
import os
import sys

import pytest

from .harness import entry_line, label_of, refused, run_cli


def _outside(case):
    secret = case.root / "secret.csv"
    secret.write_text("rule_id,src_zone,dst_zone,action\nSECRET-1,lgwan,internet,allow\n", encoding="utf-8")
    return secret


def _assert_not_quoted(runs):
    assert all("SECRET" not in r.stdout + r.stderr for r in runs)


def test_dot_dot_path(case, request):
    _outside(case)
    case.add_file("../secret.csv", None)
    runs = refused(case, file="manifest.yaml", line=entry_line(case, "../secret.csv"), words="leaves the evidence folder",
                   commands=("check", "report"), label=label_of(request))
    _assert_not_quoted(runs)


def test_dot_dot_inside_a_longer_path(case, request):
    _outside(case)
    (case.evidence / "sub").mkdir()
    case.add_file("sub/../../secret.csv", None)
    refused(case, file="manifest.yaml", line=entry_line(case, "sub/../../secret.csv"),
            words="leaves the evidence folder", label=label_of(request))


@pytest.mark.parametrize("path", ["/etc/passwd", "C:\\evidence\\fw.csv", "\\\\server\\share\\fw.csv"])
def test_absolute_path(case, request, path):
    case.add_file(path, None)
    refused(case, file="manifest.yaml", line=entry_line(case, path), words="is absolute", label=label_of(request))


def test_symlink_to_a_file_outside(case, request):
    os.symlink(_outside(case), case.evidence / "fw.csv")
    case.add_file("fw.csv", None)
    runs = refused(case, file="manifest.yaml", line=entry_line(case, "fw.csv"), words="leaves the evidence folder",
                   label=label_of(request))
    _assert_not_quoted(runs)


def test_symlinked_folder_pointing_outside(case, request):
    _outside(case)
    os.symlink(case.root, case.evidence / "shared")
    case.add_file("shared/secret.csv", None)
    refused(case, file="manifest.yaml", line=entry_line(case, "shared/secret.csv"), words="leaves the evidence folder",
            label=label_of(request))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_symlink_to_a_device(case, request, device):
    os.symlink(device, case.evidence / "fw.csv")
    case.add_file("fw.csv", None)
    refused(case, file="manifest.yaml", line=entry_line(case, "fw.csv"), words="leaves the evidence folder",
            commands=("check", "report"), label=label_of(request), timeout=30)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="mknod needs root")
def test_device_node_inside_the_folder(case, request):
    """A copy of /dev/zero (char 1,5) inside the folder: not a regular file, never read."""
    os.mknod(case.evidence / "fw.csv", 0o644 | 0o020000, os.makedev(1, 5))
    case.add_file("fw.csv", None)
    refused(case, file="fw.csv", words="not a regular file", label=label_of(request), timeout=30)


def test_named_pipe_inside_the_folder(case, request):
    os.mkfifo(case.evidence / "fw.csv")
    case.add_file("fw.csv", None)
    refused(case, file="fw.csv", words="not a regular file", commands=("check", "report"), label=label_of(request),
            timeout=30)


def test_folder_instead_of_a_file(case, request):
    (case.evidence / "fw.csv").mkdir()
    case.add_file("fw.csv", None)
    refused(case, file="manifest.yaml", line=entry_line(case, "fw.csv"), words="is a folder", label=label_of(request))


def test_nul_character_in_a_path(case, request):
    case.add_file("fw\0.csv", None)
    refused(case, file="manifest.yaml", line=entry_line(case, "fw\0.csv"), words="holds a NUL character",
            label=label_of(request))


def test_backslash_traversal_stays_a_file_name(case, request):
    """On POSIX '..\\secret.csv' is one file name: not found, and nothing outside is read."""
    _outside(case)
    case.add_file("..\\secret.csv", None)
    runs = refused(case, file="manifest.yaml", line=entry_line(case, "..\\secret.csv"), words="not found",
                   label=label_of(request))
    _assert_not_quoted(runs)


@pytest.mark.parametrize("which", ["policy-device", "policy-pipe", "manifest-pipe"])
def test_configuration_that_is_a_device_or_a_pipe(case, request, which):
    if which == "policy-device":  # a link, so that the parse cache beside the policy stays in tmp_path
        case.policy.unlink()
        os.symlink("/dev/zero", case.policy)
        name = "policy.yaml"
    elif which == "policy-pipe":
        case.policy.unlink()
        os.mkfifo(case.policy)
        name = "policy.yaml"
    else:
        (case.evidence / "manifest.yaml").unlink()
        os.mkfifo(case.evidence / "manifest.yaml")
        name = "manifest.yaml"
    refused(case, file=name, words="not a regular file", label=label_of(request), timeout=30)
    if which.startswith("policy"):  # nothing is cached beside something that is not a policy file
        assert not (case.policy.parent / ".auditor").exists()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names there are always Unicode")
def test_a_file_name_that_is_not_utf8_is_listed_by_its_bytes(sample, request, tmp_path):
    """A file whose name is Shift_JIS (unpacked from a zip as it was) beside the evidence: every command and
    format lists it by its bytes as %NN, from the cache too, and verify finds the folder unchanged."""
    name = "点検メモ.txt".encode("cp932")
    with open(os.path.join(os.fsencode(sample.evidence), name), "wb") as fh:
        fh.write(b"memo")
    shown = "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in name)  # %93_%8C... (cp932's 点 is 93 5F)
    label = label_of(request)
    out = tmp_path / "out"
    check = ["check", "--policy", sample.policy, "--evidence", sample.evidence, "--format", "json,sarif,junit,text",
             "--output-dir", out, "--fail-on", "none"]
    for _ in range(2):  # the second from the stored result
        run = run_cli(check, tmp_path, label=label)
        assert run.code == 0, run.stderr
        assert shown in (out / "auditor.json").read_text(encoding="utf-8")
    reports = tmp_path / "reports"
    run = run_cli(["report", "--policy", sample.policy, "--evidence", sample.evidence, "--out", reports, "--format",
                   "json,md,html,csv", "--lang", "ja", "--date", "2026-04-15"], tmp_path, label=label)
    assert run.code == 0, run.stderr
    assert shown in (reports / "report.json").read_text(encoding="utf-8")
    run = run_cli(["verify", reports / "report.json", "--evidence", sample.evidence], tmp_path, label=label)
    assert run.code == 0, run.stdout + run.stderr


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names there are always Unicode")
def test_a_shift_jis_name_is_refused_by_inspect_and_recognised_by_check(sample, request, tmp_path):
    """inspect cannot write a manifest entry for a name that is not UTF-8: it says so and what the name means
    (exit 2, the manifest untouched); check, whose manifest names the file as meant, says the file is there
    in Shift_JIS bytes and how to rename it."""
    raw = os.path.join(os.fsencode(sample.evidence), "研修記録.csv".encode("cp932"))
    with open(raw, "wb") as fh:
        fh.write((sample.evidence / "lms_export.csv").read_bytes())
    manifest = sample.evidence / "manifest.yaml"
    before = manifest.read_bytes()
    label = label_of(request)
    run = run_cli(["inspect", os.fsdecode(raw), "--append", manifest], tmp_path, label=label)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "not UTF-8" in run.stderr and "研修記録.csv" in run.stderr and "%8C%A4" in run.stderr
    assert manifest.read_bytes() == before
    manifest.write_text(before.decode("utf-8").replace("path: lms_export.csv", "path: 研修記録.csv"), encoding="utf-8")
    run = run_cli(["check", "--policy", sample.policy, "--evidence", sample.evidence], tmp_path, label=label)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "Shift_JIS" in run.stderr and "rename '%8C%A4%8FC%8BL%98^.csv' to '研修記録.csv'" in run.stderr
    run = run_cli(["check", "--policy", sample.policy, "--evidence", sample.evidence], tmp_path, label=label, japanese=True)
    assert run.code == 2 and "Shift_JIS で書いたもの" in run.stderr


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names there are always Unicode")
def test_an_evidence_folder_named_in_shift_jis_is_audited_reported_and_recorded(sample, request, tmp_path):
    """The folder itself unpacked with a Shift_JIS name: check --record, report in every quick format and
    verify work (they crashed on the name), the name shown with its bytes as %NN."""
    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), "証跡".encode("cp932")))
    os.rename(sample.evidence, folder)
    label, db = label_of(request), tmp_path / "h.sqlite"
    run = run_cli(["check", "--policy", sample.policy, "--evidence", folder, "--format", "json", "--fail-on", "none",
                   "--record", "--db", db], tmp_path, label=label)
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    reports = tmp_path / "reports"
    run = run_cli(["report", "--policy", sample.policy, "--evidence", folder, "--out", reports, "--format",
                   "json,md,html,csv,xlsx,docx", "--lang", "both", "--date", "2026-04-15"], tmp_path, label=label)
    assert run.code == 0, run.stderr
    assert '"evidence_root": "%8F' in (reports / "report.json").read_text(encoding="utf-8")
    run = run_cli(["verify", reports / "report.json", "--evidence", folder], tmp_path, label=label)
    assert run.code == 0, run.stdout + run.stderr
    run = run_cli(["history", "list", "--db", db], tmp_path, label=label)
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names there are always Unicode")
def test_a_policy_named_in_shift_jis_gives_every_format(sample, request, tmp_path):
    """The policy file itself with a Shift_JIS name: every check format and the report's formats are written
    (OSCAL and the report crashed on the name), the name with its bytes as %NN."""
    policy = os.fsdecode(os.path.join(os.fsencode(tmp_path), "ポリシー.yaml".encode("cp932")))
    os.rename(sample.policy, policy)
    label, out = label_of(request), tmp_path / "out"
    run = run_cli(["check", "--policy", policy, "--evidence", sample.evidence, "--fail-on", "none", "--format",
                   "json,sarif,junit,github,gitlab,oscal-ar,oscal-poam,text", "--output-dir", out], tmp_path, label=label)
    assert run.code == 0, run.stderr
    assert "%83" in (out / "auditor.json").read_text(encoding="utf-8")
    for f in out.iterdir():
        f.read_bytes().decode("utf-8")  # every output UTF-8
    run = run_cli(["report", "--policy", policy, "--evidence", sample.evidence, "--out", tmp_path / "reports",
                   "--format", "json,md,html,csv,xlsx,docx", "--lang", "both", "--date", "2026-04-15"], tmp_path, label=label)
    assert run.code == 0, run.stderr
