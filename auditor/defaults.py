"""Where the shipped sample lives, so that every command works from the repository root."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .errors import InputError


def shipped_controls() -> Path:
    """The catalogue beside the package (a checkout) or in share/ (an installed wheel)."""
    here = Path(__file__).resolve().parent.parent / "controls"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "municipal-auditor" / "controls"


def control_files(dirs) -> list[Path]:
    """The control files of these folders, in the order they are loaded."""
    files = []
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise InputError(d, "controls folder not found", hint="--controls takes a folder of *.yaml files")
        files.extend(sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files


def state_dir(policy_path) -> Path:
    """`.auditor/` beside the policy: the history database and the parse cache (git-ignored)."""
    return Path(policy_path).parent / ".auditor"


def policy(cwd: Path | None = None, optional: bool = False) -> Path | None:
    """The one policy under policies/; with optional=True, None when there is none (two are still an error)."""
    folder = (cwd or Path()) / "policies"  # relative, so outputs name it as the user sees it
    found = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if len(found) == 1:
        return found[0]
    if not found and optional:
        return None
    if not found:
        raise InputError(folder, "no --policy given and no policy file here", hint="pass --policy FILE")
    raise InputError(folder, f"{len(found)} policy files here", hint="choose one with --policy FILE")


def evidence(cwd: Path | None = None) -> Path:
    """The latest fiscal year's folder under evidence/ (the one with the highest year in its name)."""
    folder = (cwd or Path()) / "evidence"
    years = [d for d in folder.iterdir() if (d / "manifest.yaml").is_file()] if folder.is_dir() else []
    if not years:
        raise InputError(folder, "no --evidence given and no evidence/<FY>/manifest.yaml here",
                         hint="pass --evidence DIR (the folder that holds manifest.yaml)")
    return max(years, key=lambda d: [int(n) for n in re.findall(r"\d+", d.name)] or [0])


def shown_path(path) -> str:
    """A file as the user sees it: relative to the working folder, a shipped control file as controls/NAME."""
    p = Path(path).resolve()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return f"controls/{p.name}" if p.parent == shipped_controls().resolve() else str(path)
