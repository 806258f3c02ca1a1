"""`auditor test [DIR ...]`: run the test cases of control folders (like `conftest verify`, `opa test`).

Thin: auditor/engine/selftest.py runs the cases, auditor/reporters/selftest.py writes the result."""
from __future__ import annotations

import sys

import click

from ..exitcodes import ExitCode
from .options import _input_errors, _kinds_option, _limit_options, kind_folders, lang_option


@click.command("test")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False), metavar="[DIR ...]")
@click.option("--format", "fmt", type=click.Choice(["text", "junit", "json"]), default="text", show_default=True,
              help="text for people; junit or json for CI.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--case", "only", multiple=True, metavar="NAME",
              help="Run only this case (e.g. NS-01/fail) or the cases of this control (NS-01); repeatable.")
@lang_option
@_limit_options
@_kinds_option("dirs")
@_input_errors
def test_command(dirs, fmt, output, only, lang, limits):
    """Run the test cases of control folders (default: the shipped controls) / 管理策のテストケースを実行します。

    A case is a folder under DIR/tests/ with manifest.yaml, evidence files and expected.yaml (the
    findings the control must give, by ID, file and line, or `pass`). Exit 0 when every case passes,
    1 when one fails, 2 when a case or a control file is malformed (its file and line are named)."""
    from ..engine import selftest
    from ..reporters import selftest as out
    from .. import fsio
    from ..errors import InputError, os_reason

    from .. import defaults, outputs

    if output and output != "-":  # never into a controls folder (its cases are inputs too)
        outputs.check(output, outputs.of_run(control_dirs=[defaults.shipped_controls(), *dirs], kinds=kind_folders()), "--output")
    report = selftest.run(list(dirs) or None, limits=limits, only=only or None)
    if only and not report.outcomes:
        raise InputError("--case", f"no case {', '.join(only)}", hint="cases are named CONTROL/case, e.g. NS-01/fail",
                         ja=f"テストケース {'、'.join(only)} はありません", hint_ja="ケースは 管理策/ケース名 で指定します（例: NS-01/fail）")
    text = out.FORMATS[fmt](report, lang)
    if output and output != "-":
        try:
            fsio.write_atomic(output, text)
        except OSError as exc:
            raise InputError(output, f"cannot write the output: {exc.strerror or exc}",
                             ja=f"出力を書き込めません（{os_reason(exc, 'ja')}）") from None
    elif fmt == "text":
        click.echo(text, nl=False)
    else:
        from . import console
        console.machine(text)
    if report.count("error"):
        sys.exit(ExitCode.INPUT_ERROR)
    sys.exit(ExitCode.FINDINGS if report.count("failed") else ExitCode.OK)
