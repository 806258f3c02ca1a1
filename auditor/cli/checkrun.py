"""`auditor check`'s run: evaluate once (or serve the stored result of the same inputs), render every
format asked for, and write them: to stdout, to `-o FILE`, or one file per format in `--output-dir`
under the fixed names of FILE_NAMES, landing together (fsio.FolderSet). The exit code is the gate's,
whatever the number of formats.

Imports click and the standard library only at the top, so that `auditor --help` stays fast.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from ..exitcodes import ExitCode
from .i18n import both, msg

FAIL_ON = {"major": ("major",), "minor": ("major", "minor"),
           "observation": ("major", "minor", "observation"), "none": ()}
# The file each format gets in --output-dir (docs/ci.md lists them).
FILE_NAMES = {
    "text": "auditor.txt", "json": "auditor.json", "junit": "auditor.junit.xml", "sarif": "auditor.sarif",
    "github": "auditor.github.txt", "gitlab": "auditor.gitlab.json",
    "oscal-ar": "auditor.oscal-ar.json", "oscal-poam": "auditor.oscal-poam.json",
}
PROGRESS_FILES = 20  # a progress bar while reading more evidence files than this (on a terminal only)
# Options that change where the outputs go, or whether a stored one is served, but not what they say.
NOT_IN_KEY = ("result_cache", "output", "output_dir", "quiet", "verbose", "log_file")


def file_name(fmt: str) -> str:
    return FILE_NAMES.get(fmt, f"auditor.{fmt}")


def gate(run, fail_on: str, baseline=None) -> bool:
    """True when something at or above the threshold failed; missing evidence never passes.

    Findings already open in the baseline do not count, nor controls already without evidence there;
    a control that newly lacks evidence, or whose rule cannot be evaluated, always does. Items not
    assessed (not_assessed) and controls not applicable never fail the gate.
    """
    severities = FAIL_ON[fail_on]
    for r in run.results:
        if r.control.severity in severities and r.status in ("no_evidence", "error") \
                and not (baseline and baseline.covers_result(r)):
            return True
        if any(f.severity in severities and not (baseline and baseline.covers(f)) for f in r.open_findings()):
            return True
    return False


def now() -> dt.datetime:
    """The time in UTC; SOURCE_DATE_EPOCH (reproducible builds) fixes it, so that two runs give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def run(policy, evidence, controls, fmt, output, output_dir, fail_on, lang, only, baseline, sarif_min_severity,
        frameworks, record, db, result_cache, limits) -> int:
    """The check command's body; returns the exit code."""
    from . import caches
    from .options import (LOG, _framework, _framework_paths, _paths, db_path, given, kind_folders, note,
                          record as record_run, say)
    from .. import outputs
    from ..engine import runcache
    from ..cycle import baseline as baseline_mod
    from ..errors import InputError

    started = now()
    if output and output_dir:  # -o is typed; an --output-dir from the settings gives way to it
        if given("output_dir"):
            raise click.UsageError(msg("output_exclusive"))
        output_dir = None
    if len(fmt) > 1 and not output_dir:
        raise InputError("--format", **both("formats_need_dir", n=len(fmt), formats=",".join(fmt)),
                         hint=msg("formats_need_dir_hint", "en"), hint_ja=msg("formats_need_dir_hint", "ja"))
    _settings_notes()
    known = baseline_mod.load(baseline) if baseline else None
    paths = _paths(policy, evidence, controls)
    if record and only:
        raise InputError("--record", **both("record_limited"), hint=msg("record_limited_hint", "en"),
                         hint_ja=msg("record_limited_hint", "ja"))
    maps = _framework_paths(frameworks, paths[2])
    if maps:  # the town's audit map names only controls that exist (the shipped map is checked by the tests)
        _framework(frameworks, paths[2])
    inputs = outputs.of_run(*paths, baseline=baseline, frameworks=maps, kinds=kind_folders())  # nothing read is written over
    db = db_path(paths[0], db, must_exist=not record, inputs=inputs)
    inputs = inputs.with_file("db", db)
    if output:
        outputs.check(output, inputs, "--output", stdout=True)
    if output_dir:
        outputs.check_folder(output_dir, inputs, "--output-dir")
        for f in fmt:
            outputs.check(Path(output_dir) / file_name(f), inputs, "--output-dir")
    secret = caches.secret(paths[0], paths[1])
    # every option as parsed, so that none can be left out of the key, but those that only say whether to
    # serve and where to write the same texts
    options = {k: v for k, v in click.get_current_context().params.items() if k not in NOT_IN_KEY}
    memo = caches.shipped_memo(secret)
    served = runcache.RunCache(paths, db, options, limits.max_file_size, secret, frameworks=maps, memo=memo) \
        if caches.serve_results(result_cache, record) else None
    done = served.get() if served else None  # the same inputs as a finished run before: its outputs
    if done is not None and set(done[1]) != set(fmt):
        done = None  # an entry holds exactly the formats asked for, or it is not this run's
    if done is None:
        from ..engine import audit
        from .. import reporters  # only now: a served run needs neither

        bar = _Bar(LOG)
        try:
            run = audit.run(*paths, only=set(only) or None, db=db, limits=limits, secret=secret, frameworks=maps,
                            progress=bar if bar.wanted else None, stored_results=served is not None,
                            shipped_memo=memo)
        finally:
            bar.close()
        read_notes(run, paths, db, known)
        if record:
            record_run(run, "check", dt.date.today(), db)
        code = int(ExitCode.FINDINGS if gate(run, fail_on, known) else ExitCode.OK)
        from ..engine import start
        first = start.first_steps(run)  # nothing collected yet: what to collect first, not 証跡なし everywhere
        if first:
            code = int(ExitCode.OK)
        invocation = reporters.Invocation(code, started, now(), sarif_min_severity)
        done = code, {f: reporters.render(f, run, lang, baseline=known, invocation=invocation) for f in fmt}
        if first:
            from . import onboarding
            if "text" in fmt:
                done[1]["text"] = onboarding.getting_started(first, (lang,))
            if fmt != ("text",):
                say(onboarding.headline(first, lang))
        if served and not first:  # a first run rests on more than the run's inputs (other years, the history)
            served.put(*done, run.evidence.files)
            note(msg("cache_stored"))
        else:
            note(msg("cache_unused_first" if first else "cache_unused_record" if record else "cache_unused_off"))
    else:
        note(msg("cache_served"))
    code, texts = done
    _write(texts, fmt, output, output_dir, inputs)
    return code


def _write(texts: dict, fmt: tuple, output, output_dir, inputs) -> None:
    from .options import note, say
    from .. import fsio, outputs
    from ..errors import InputError

    if output_dir:
        def guard(dest):  # every destination again just before the swap: never onto an input
            outputs.check(dest, inputs, "--output-dir")
        names = [file_name(f) for f in fmt]
        try:
            with fsio.FolderSet(output_dir, guard) as staged:
                for f, name in zip(fmt, names):
                    staged.write(name, texts[f])
                staged.commit()
        except OSError as exc:
            raise InputError(output_dir, **both("cannot_write_outputs", error=exc)) from None
        for f, name in zip(fmt, names):
            note(msg("wrote_file", path=Path(output_dir) / name, format=f, size=len(texts[f].encode("utf-8"))))
        say(msg("wrote_files" if len(names) > 1 else "wrote_one_file", n=len(names), out=output_dir, names=", ".join(names)))
        return
    text = texts[fmt[0]]
    if output and output != outputs.STDOUT:
        try:
            fsio.write_atomic(output, text)
        except OSError as exc:
            raise InputError(output, **both("cannot_write_output", error=exc)) from None
        note(msg("wrote_file", path=output, format=fmt[0], size=len(text.encode("utf-8"))))
    elif fmt[0] == "text":
        click.echo(text, nl=False)
    else:  # UTF-8, as JSON, SARIF, JUnit and GitHub require, on a CP932 or ASCII console too
        from . import console
        console.machine(text)


class _Bar:
    """The progress bar of a long read, on a terminal only (options.LOG.progress)."""

    def __init__(self, log):
        self.log, self.bar = log, None
        self.wanted = not log.quiet and _tty()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = self.log.progress("evidence / 証跡", total) if total > PROGRESS_FILES else False
            if self.bar:
                self.bar.__enter__()
        if self.bar:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar:
            self.bar.__exit__(None, None, None)


def _tty() -> bool:
    import sys

    return sys.stderr.isatty()


def _settings_notes() -> None:
    from .options import note
    from . import settings

    found = settings.current()
    note(msg("note_settings", file=found.file or msg("note_no_config"))
         + "".join(msg("note_setting_from", key=k, source=src) for k, src in sorted(found.sources.items())))


def read_notes(run, paths, db, known) -> None:
    """--verbose: what the run read."""
    from .options import LOG, note

    if not (LOG.verbose or LOG.file):
        return
    ev = run.evidence
    from ..model import STATUS_LABELS
    from .i18n import current, day, fiscal_year

    lang, sep = current(), ("、" if current() == "ja" else ", ")
    note(msg("note_policy", policy=paths[0], dirs=", ".join(str(d) for d in paths[2]), n=len(run.controls)))
    note(msg("note_evidence", root=ev.root, fy=fiscal_year(ev.fiscal_year.year), as_of=day(ev.as_of), files=len(ev.files),
             records=sum(f.records for f in ev.files)))
    from ..evidence import kinds

    for kind in kinds.town():
        note(msg("note_town_kind", name=kind.name, path=kind.path, sha=kind.sha256[:12]))
    for f in ev.files:
        note(msg("note_read", path=f.path, kind=f.kind, records=f.records,
                 encoding=(sep + f.encoding) if f.encoding else "", sha=f.sha256[:12]))
    statuses: dict = {}
    for r in run.results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    counts = sep.join(f"{STATUS_LABELS[lang].get(s, s)} {n}" for s, n in sorted(statuses.items()))
    note(msg("note_results", n=len(run.results), counts=counts, open=sum(len(r.open_findings()) for r in run.results)))
    note(msg("note_db_read" if db and Path(db).is_file() else "note_db_none", db=db))
    if known is not None:
        note(msg("note_baseline", path=known.path, n=len(known.known)))
