"""The process edge: standard streams that never fail on a character, machine output as UTF-8, and
one line (exit 3) for an unexpected error instead of a traceback that CI would read as findings.

Imports the standard library only, so that `auditor --help` stays fast.
"""
from __future__ import annotations

import codecs
import sys
import traceback
import unicodedata
from pathlib import Path

from ..exitcodes import ExitCode

ERRORS = "auditor.lookalike"  # the codec error handler set on stdout and stderr
_PACKAGE = str(Path(__file__).resolve().parent.parent)  # auditor/
_SHOWN = 300  # characters of an exception's text in the crash line


def _substitute(ch: str, encoding: str) -> str:
    from ..csvwrite import CP932_FOLD  # the report CSVs' look-alikes: "—" as CP932's "―"

    for candidate in (ch.translate(CP932_FOLD), unicodedata.normalize("NFKC", ch)):
        if candidate != ch:
            try:
                candidate.encode(encoding)
                return candidate
            except UnicodeEncodeError:
                pass
    return ch.encode("ascii", "backslashreplace").decode("ascii")  # visible, never lost silently


def _lookalike(exc: UnicodeError):
    """A character the stream's encoding lacks: a look-alike it has, else a visible \\uXXXX escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    return "".join(_substitute(ch, exc.encoding) for ch in text), exc.end


codecs.register_error(ERRORS, _lookalike)


def setup_streams() -> None:
    """stdout/stderr in whatever encoding they have (CP932 on a Japanese Windows redirect, ASCII under
    LANG=C) write every character: lone surrogates from undecodable file names included."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ERRORS)
            except (ValueError, OSError):  # a closed or detached stream: nothing will be written to it
                pass


def machine(text: str) -> None:
    """A machine-read document (JSON, SARIF, JUnit, GitHub workflow commands) on stdout: always the
    UTF-8 its format requires, whatever the console's encoding; never altered to fit it."""
    import click

    click.echo(text.encode("utf-8", "backslashreplace"), nl=False)


def crashed(exc: BaseException, debug: bool) -> int:
    """One line on stderr for an unexpected error (the traceback with --debug); the crash exit code."""
    from ..privacy.mynumber import mask  # the exception text may quote a cell...
    from ..privacy.sanitize import terminal  # ...which must not move the cursor either

    if debug:
        _write(mask("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
    what = terminal(" ".join(f"{type(exc).__name__}: {exc}".split()))
    what = what if len(what) <= _SHOWN else what[:_SHOWN] + "…"
    where = _where(exc)
    key = "crash_memory" if isinstance(exc, MemoryError) else "crash_debug" if debug else "crash"
    try:
        from .i18n import msg

        line = f"{msg('error_prefix')} {msg(key, what=what, where=where)}"
    except Exception:  # noqa: BLE001 (the catalogue itself unreadable: the line still gets out, in English)
        line = f"error: internal error, not a finding ({what}){where}; run again with --debug and report it"
    _write(mask(line) + "\n")
    return int(ExitCode.CRASH)


def _where(exc: BaseException) -> str:
    """' at auditor/x.py:12': the innermost frame of this package, for a bug report."""
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = str(Path(frame.filename).resolve()) if frame.filename else ""
        if path.startswith(_PACKAGE):
            found = f" at auditor{path[len(_PACKAGE):]}:{frame.lineno}".replace("\\", "/")
    return found


def _write(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: the exit code still tells
        pass
