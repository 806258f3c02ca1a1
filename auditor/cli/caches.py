"""What the caches need from the command line and the environment (read here, nowhere below the CLI):
the secret that signs their entries (auditor/sealed.py), and whether `check` may serve a stored result.

The secret comes from, in this order:
- AUDITOR_CACHE_KEY: the secret itself, at least 16 bytes (CI: from the CI service's secret store);
  empty counts as unset, as a CI passes a secret that a job may not see (a fork's pull request);
- the file AUDITOR_CACHE_KEY_FILE names, or by default `cache.key` in the user's configuration folder
  ($XDG_CONFIG_HOME or ~/.config, %APPDATA% on Windows, then `municipal-auditor/`), made on first use.
A key file inside the evidence repository (its git work tree, the evidence folder, `.auditor/`) is
refused: whoever can write there could sign entries with it, and a commit would publish it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

ENV_SECRET = "AUDITOR_CACHE_KEY"
ENV_FILE = "AUDITOR_CACHE_KEY_FILE"
ENV_RESULT_CACHE = "AUDITOR_RESULT_CACHE"
MIN_SECRET = 16  # = sealed.MIN_SECRET (not imported: --help stays fast)


def result_cache_option(fn):
    from .options import Setting  # click only; AUDITOR_RESULT_CACHE is read with every setting (cli/settings.py)

    return click.option(
        "--result-cache", cls=Setting, setting="result_cache", type=click.Choice(["auto", "on", "off"]),
        default="auto", show_default=True,
        help="Serve the output of an earlier run whose every input was the same. auto: on, except in CI "
             "(the CI variable set), where the gate evaluates afresh; never with --record. "
             "/ 入力が同一の前回の結果を再利用するか（auto: CI 以外で有効）")(fn)


def serve_results(choice: str, record: bool) -> bool:
    """Whether a stored result may be served: never for a recorded run (the database gets what this run
    finds), and in CI (GitHub Actions, GitLab CI... set CI) only when asked for."""
    if record or choice == "off":
        return False
    return choice == "on" or os.environ.get("CI", "").strip().lower() in ("", "0", "false", "no")


def secret(policy, evidence) -> bytes | None:
    """The secret for the caches beside this policy, or None (no cache). InputError when the one the
    environment names cannot be used."""
    from ..errors import InputError, os_reason, reason

    value = os.environ.get(ENV_SECRET, "")
    if value:
        data = value.encode("utf-8", "surrogateescape")
        if len(data) < MIN_SECRET:
            raise InputError(ENV_SECRET, f"the cache key is {len(data)} bytes; it must be at least {MIN_SECRET}",
                             hint="use a long random value, e.g. `python3 -c 'import secrets; print(secrets.token_hex(32))'`",
                             ja=f"キャッシュ鍵が {len(data)} バイトです。{MIN_SECRET} バイト以上にしてください",
                             hint_ja=f"{MIN_SECRET} バイト以上のランダムな値を設定してください（例: "
                                     "`python3 -c 'import secrets; print(secrets.token_hex(32))'`）")
        return data
    given = os.environ.get(ENV_FILE, "")
    path = Path(given).expanduser() if given else _default()
    if path is None:
        return None
    path = path.resolve()
    inside = _inside_repository(path, policy, evidence)
    if inside is not None:
        what = f"the cache key file {path} lies inside {inside}"
        if given:
            raise InputError(ENV_FILE, what, hint="keep it outside the evidence repository, e.g. in your configuration "
                             "folder", ja=f"キャッシュ鍵のファイル {path} が {inside} の中にあります",
                             hint_ja="キャッシュ鍵は証跡リポジトリの外（例: 設定フォルダ）に置いてください")
        from .i18n import msg

        click.echo(f"{msg('warning_prefix')} {msg('cache_key_inside', path=path, inside=inside, env=ENV_FILE)}", err=True)
        return None
    try:
        return _read_or_make(path)
    except OSError as exc:
        if given:
            raise InputError(ENV_FILE, f"cannot read or create the cache key file {path}: {exc.strerror or exc}",
                             hint=f"point {ENV_FILE} at a writable place outside the evidence repository",
                             ja=f"キャッシュ鍵のファイル {path} を読むことも作ることもできません（{os_reason(exc, 'ja')}）",
                             hint_ja=f"{ENV_FILE} には証跡リポジトリの外の書き込める場所を指定してください") from None
        return None  # no configuration folder (a read-only home): no cache, the same results
    except ValueError as exc:
        raise InputError(path, str(exc), hint=f"delete the file to make a new key, or set {ENV_SECRET}",
                         ja=f"キャッシュ鍵のファイルを使えません。{reason(exc, 'ja')}",
                         hint_ja=f"ファイルを削除すると新しい鍵を作成します。または {ENV_SECRET} を設定してください") from None


def shipped_memo(secret: bytes | None):
    """The user's memo for every project: the shipped catalogue and audit map as loaded, the files found
    schema-valid (a verdict on their bytes alone) and the package's digest. A folder beside the key file,
    signed with its secret (a sealed.Store), or None (a secret from the environment, as in CI: each run's
    own cache remembers them)."""
    if not secret or os.environ.get(ENV_SECRET, ""):
        return None
    given = os.environ.get(ENV_FILE, "")
    path = Path(given).expanduser() if given else _default()
    if path is None:
        return None
    from ..sealed import Store

    return Store(path.resolve().parent / "shipped-valid", secret)


def _default() -> Path | None:
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    elif os.environ.get("XDG_CONFIG_HOME", "").startswith("/"):
        base = Path(os.environ["XDG_CONFIG_HOME"])
    else:
        try:
            base = Path.home() / ".config"
        except RuntimeError:  # no home folder
            return None
    return base / "municipal-auditor" / "cache.key"


def _inside_repository(key: Path, policy, evidence) -> Path | None:
    """The folder of the evidence repository that holds key, if any."""
    from .. import defaults

    evidence, policy = Path(os.path.realpath(evidence)), Path(os.path.realpath(policy))
    areas = [defaults.state_dir(policy), evidence]
    for start in (evidence, policy.parent):
        for folder in (start, *start.parents):
            if os.path.lexists(os.path.join(folder, ".git")):  # a folder (a clone) or a file (a worktree)
                areas.append(folder)
                break
    for area in areas:
        if key == area or area in key.parents:
            return area
    return None


def _read_or_make(path: Path) -> bytes:
    """The key in path; made (random, readable by the user only) when there is none. ValueError when short."""
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        import secrets  # only to make a key

        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # never replaces a key another process made at the same time
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        data = path.read_bytes().strip()
    if len(data) < MIN_SECRET:
        from ..errors import Unreadable

        raise Unreadable(f"the cache key file holds {len(data)} bytes; a key has at least {MIN_SECRET}",
                         f"ファイルは {len(data)} バイトですが、鍵は {MIN_SECRET} バイト以上要ります")
    return data
