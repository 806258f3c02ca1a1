"""Where an output may land: the one rule every command that writes a file checks first.

An output never lands inside the evidence folder or a controls folder, and never onto a file the run
reads (policy, manifest, control files, baseline, history database), judged after every symlink is
resolved, and by file identity so that a hard link or a bind mount is caught too. An existing path
must be something `fsio.write_atomic` may write: a regular file (replaced by rename), a character
device or a FIFO (written in place), or `-` where the command means standard output.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import fsio
from .errors import InputError

STDOUT = "-"
# What an input is, as the messages name it (English, Japanese).
WHAT = {
    "policy": ("the policy", "ポリシー"), "manifest": ("the manifest", "マニフェスト"),
    "control": ("a control file", "管理策ファイル"), "baseline": ("the baseline", "ベースライン"),
    "db": ("the history database", "履歴データベース"),
    "evidence": ("the evidence folder", "証跡フォルダ"), "controls": ("a controls folder", "管理策フォルダ"),
    "framework": ("an audit map file", "監査項目の体系のファイル"),
    "frameworks": ("an audit map folder", "監査項目の体系のフォルダ"),
    "kinds": ("a folder of the town's evidence kinds", "独自の証跡種別のフォルダ"),
    "result": ("a check result", "チェック結果"), "results": ("a folder of check results", "チェック結果のフォルダ"),
}
# What a path is (fsio.kind), in Japanese.
KIND_JA = {"new": "新しいパス", "file": "ファイル", "character device": "キャラクタデバイス", "FIFO": "FIFO",
           "folder": "フォルダ", "block device": "ブロックデバイス", "socket": "ソケット", "special file": "特殊なファイル"}


@dataclass(frozen=True)
class Guarded:
    """One input: what it is, the path as given, its resolved path and its identity (None: absent)."""
    what: str
    shown: str
    real: Path
    identity: tuple | None


@dataclass(frozen=True)
class Inputs:
    """The inputs of one command: folders nothing may be written inside, files nothing may replace."""
    folders: tuple = ()
    files: tuple = ()

    def with_folder(self, what: str, path) -> "Inputs":
        return Inputs((*self.folders, _guarded(what, path)), self.files) if path else self

    def with_file(self, what: str, path) -> "Inputs":
        return Inputs(self.folders, (*self.files, _guarded(what, path))) if path else self


def of_run(policy=None, evidence=None, control_dirs=(), baseline=None, db=None, frameworks=(), kinds=()) -> Inputs:
    """The inputs of `check` and `report`: every folder and file they read (frameworks: the town's audit
    map files and folders, as cli.options._framework_paths lists them; kinds: the folders of the town's
    own evidence kinds in use)."""
    from . import defaults

    found = Inputs().with_file("policy", policy).with_folder("evidence", evidence)
    if evidence:
        found = found.with_file("manifest", Path(evidence) / "manifest.yaml")  # in case it is a symlink out
    for d in control_dirs:
        found = found.with_folder("controls", d)
        if Path(d).is_dir():
            for f in defaults.control_files([d]):
                found = found.with_file("control", f)
    for d in kinds:
        found = found.with_folder("kinds", d)
    for p in frameworks:
        if Path(p).is_dir():
            found = found.with_folder("frameworks", p)
            for f in sorted(Path(p).iterdir()):
                if f.suffix in (".yaml", ".yml") and f.is_file():
                    found = found.with_file("framework", f)
        else:
            found = found.with_file("framework", p)
    return found.with_file("baseline", baseline).with_file("db", db)


def check(path, inputs: Inputs, option: str, stdout: bool = False) -> None:
    """An output file: raise InputError (exit 2, naming the option and the path) unless it may be written."""
    if str(path) == STDOUT:
        if stdout:
            return
        raise InputError(option, "- (standard output) cannot take this output; give a file", hint="name a file",
                         ja="この出力は -（標準出力）には書けません", hint_ja="ファイル名を指定してください")
    _not_onto_inputs(path, inputs, option)
    what = fsio.kind(path)
    if what not in fsio.REPLACED + fsio.IN_PLACE:
        dash = (" or -", "、-") if stdout else ("", "")
        raise InputError(path, f"{option}: is a {what}; only a regular file, a new path, a character device "
                               f"(such as /dev/null), a FIFO{dash[0]} can take the output", hint="choose another path",
                         ja=f"{option} の出力先は{KIND_JA.get(what, what)}です。出力先は通常のファイル、新しいパス、"
                            f"キャラクタデバイス（/dev/null など）、FIFO{dash[1]}のいずれかにしてください",
                         hint_ja="別のパスを指定してください")


def check_folder(path, inputs: Inputs, option: str) -> None:
    """A folder a set of files goes into (report --out)."""
    if str(path) == STDOUT:
        raise InputError(option, "- (standard output) cannot take a set of reports; give a folder",
                         hint="e.g. --out reports", ja="報告書一式は -（標準出力）には書けません",
                         hint_ja="出力フォルダを指定してください（例: --out reports）")
    _not_onto_inputs(path, inputs, option)
    what = fsio.kind(path)
    if what not in ("new", "folder"):
        raise InputError(path, f"{option}: is a {what}, not a folder", hint="choose a folder, e.g. reports",
                         ja=f"{option} の出力先が{KIND_JA.get(what, what)}で、フォルダではありません",
                         hint_ja="出力フォルダを指定してください（例: reports）")


def _not_onto_inputs(path, inputs: Inputs, option: str) -> None:
    real = Path(os.path.realpath(path))
    resolved = "" if Path(os.path.abspath(path)) == real else f" (resolves to {real})"
    resolved_ja = "" if not resolved else f"、実体は {real}"
    chain = [(a, _identity(a)) for a in (real, *real.parents)]
    own = chain[0][1]
    for g in inputs.files:
        if real == g.real or (own is not None and own == g.identity):
            en, ja = WHAT[g.what]
            name = "" if g.shown == str(path) else f" {g.shown}"
            raise InputError(path, f"{option} would overwrite {en}{name}{resolved}, which this run reads",
                             hint="write to another file",
                             ja=f"{option} の出力先がこの実行の入力（{ja}{name}{resolved_ja}）です",
                             hint_ja="別のファイルを指定してください")
    # inside a folder of inputs: the path itself or an ancestor is that folder (by identity, or by name
    # while the folder does not exist yet)
    for g in inputs.folders:
        if any(a == g.real or (ident is not None and ident == g.identity) for a, ident in chain):
            en, ja = WHAT[g.what]
            raise InputError(path, f"{option} lies inside {en} {g.shown}{resolved}, which this run only reads",
                             hint="write outside it, e.g. under reports/",
                             ja=f"{option} の出力先が{ja} {g.shown}{resolved_ja} の中です（入力は読み取るだけで、書き込みません）",
                             hint_ja="入力フォルダの外（例: reports/ の下）を指定してください")


def _guarded(what: str, path) -> Guarded:
    return Guarded(what, str(path), Path(os.path.realpath(path)), _identity(path))


def _identity(path) -> tuple | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if st.st_ino else None  # no inode numbers here: compare paths only
