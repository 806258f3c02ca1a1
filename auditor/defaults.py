"""Where the shipped sample lives, so that every command works from the repository root."""
from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import InputError, os_reason


def shipped_controls() -> Path:
    """The shipped catalogue, package data of `auditor` (auditor/controls/*.yaml), wherever the package
    is installed: a checkout, a venv, `pip install --user`, a system site-packages, a zip archive."""
    return _shipped("controls")


def shipped_frameworks() -> Path:
    """The shipped audit map (auditor/frameworks/*.yaml), found like the controls."""
    return _shipped("frameworks")


def is_shipped(path) -> bool:
    """Whether a file is part of the shipped catalogue or audit map (package data, not the town's own)."""
    where = Path(path).resolve().parent
    return any(where == _shipped(n).resolve() for n in ("controls", "frameworks"))


def _shipped(name: str) -> Path:
    from importlib import resources

    ref = resources.files("auditor") / name
    if isinstance(ref, Path):
        return ref
    return _unpacked(ref, name)


def _unpacked(ref, name: str = "controls") -> Path:
    """A catalogue inside a zip archive, copied to the user's cache folder (readers need real files).

    The copy is compared byte for byte on every use and rewritten when it differs."""
    import hashlib
    import tempfile

    files = {f.name: f.read_bytes() for f in ref.iterdir() if f.name.endswith((".yaml", ".yml"))}
    digest = hashlib.sha256(b"".join(n.encode() + b"\0" + d for n, d in sorted(files.items()))).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "municipal-auditor"
    folder = base / f"{name}-{digest}" / name  # named as in the package: reports name files controls/<name>
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            target = folder / name
            if not target.is_file() or target.read_bytes() != data:
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
    except OSError as exc:
        raise InputError(folder, f"cannot unpack the shipped {name}: {exc.strerror or exc}",
                         hint="set XDG_CACHE_HOME to a writable folder",
                         ja=f"同梱の {name} を展開できません（{os_reason(exc, 'ja')}）",
                         hint_ja="XDG_CACHE_HOME に書き込めるフォルダを指定してください") from None
    return folder


def control_files(dirs) -> list[Path]:
    """The control files of these folders, in the order they are loaded."""
    files = []
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise InputError(d, "controls folder not found", hint="--controls takes a folder of *.yaml files",
                             ja="管理策のフォルダがありません", hint_ja="--controls には *.yaml のあるフォルダを指定します")
        files.extend(sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files


STATE = ".auditor"
# Caches and the history database copy evidence values (names too): keep them out of any commit.
_IGNORE_ALL = b"# written by auditor: caches and the history database hold personal data\n*\n"


def state_dir(policy_path) -> Path:
    """`.auditor/` beside the policy: the history database and the parse cache (git-ignored)."""
    return Path(policy_path).parent / STATE


def make_folder(folder) -> None:
    """mkdir -p; each `.auditor/` folder on the way gets a `.gitignore` of `*` when it has none, so
    that `git add -A` in an evidence repository stages nothing of it. Raises OSError like mkdir."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for d in (folder, *folder.parents):
        if d.name == STATE:
            try:
                fd = os.open(d / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except OSError:  # already there (ours or the user's), or not writable: leave it
                continue
            with os.fdopen(fd, "wb") as fh:
                fh.write(_IGNORE_ALL)


def policy(cwd: Path | None = None, optional: bool = False) -> Path | None:
    """The one policy under policies/; with optional=True, None when there is none (two are still an error)."""
    folder = (cwd or Path()) / "policies"  # relative, so outputs name it as the user sees it
    found = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if len(found) == 1:
        return found[0]
    if not found and optional:
        return None
    if not found:
        raise InputError(folder, "no --policy given and no policy file here", hint="pass --policy FILE",
                         ja="--policy の指定がなく、ここにポリシーファイルもありません",
                         hint_ja="--policy FILE で指定してください")
    raise InputError(folder, f"{len(found)} policy files here", hint="choose one with --policy FILE",
                     ja=f"ここにはポリシーファイルが {len(found)} 個あります", hint_ja="--policy FILE で 1 つ選んでください")


def evidence(cwd: Path | None = None) -> Path:
    """The latest fiscal year's folder under evidence/ (the one with the highest year in its name)."""
    folder = (cwd or Path()) / "evidence"
    years = [d for d in folder.iterdir() if (d / "manifest.yaml").is_file()] if folder.is_dir() else []
    if not years:
        raise InputError(folder, "no --evidence given and no evidence/<FY>/manifest.yaml here",
                         hint="pass --evidence DIR (the folder that holds manifest.yaml)",
                         ja="--evidence の指定がなく、ここに evidence/<年度>/manifest.yaml もありません",
                         hint_ja="--evidence DIR（manifest.yaml のあるフォルダ）を指定してください")
    return max(years, key=lambda d: [int(n) for n in re.findall(r"\d+", d.name)] or [0])


def shown_path(path) -> str:
    """A file as the user sees it: relative to the working folder, a shipped control file as controls/NAME."""
    p = Path(path).resolve()
    if p.parent == shipped_controls().resolve():
        return f"controls/{p.name}"  # as reports and verify name the shipped catalogue, wherever installed
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
