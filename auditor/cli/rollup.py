"""`auditor rollup`: many towns' check results compared in one folder (rollup.json, .csv, .html).
Thin: auditor/cycle/rollup.py compares, auditor/reporters/rollup.py writes."""
from __future__ import annotations

import click

from .i18n import msg
from .options import _input_errors, lang_option, say



@click.command("rollup")
@click.argument("results", nargs=-1, required=True, type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Folder for rollup.json, rollup.csv and rollup.html (written together, atomically).")
@click.option("--anonymise", "--anonymize", "anonymise", is_flag=True,
              help="Replace town names with stable pseudonyms (町A, 町B … / Town A, Town B …) in every output.")
@lang_option(help="Language of the CSV headers and the HTML page (the JSON holds both).")
@_input_errors
def rollup_command(results, out, anonymise, lang):
    """Compare towns' `auditor check --format json` results (files, or folders of *.json): compliance and
    coverage by chapter and 省令 measure per town, the controls most often failed, the towns behind on
    required items. Reads results only, never evidence."""
    from pathlib import Path

    from .. import outputs
    from ..cycle import rollup
    from ..reporters import rollup as rollup_out
    from .options import LOG

    inputs = outputs.Inputs()
    for p in results:  # an output never replaces a result, nor lands in a folder of them
        inputs = inputs.with_folder("results", p) if Path(p).is_dir() else inputs.with_file("result", p)
    outputs.check_folder(out, inputs, "--out")
    files = rollup.collect(results)
    bar = LOG.progress(msg("progress_results"), len(files)) if len(files) > 50 else None  # a terminal only
    if bar is not None:
        with bar:
            doc = rollup.build(files, anonymise, progress=lambda: bar.update(1))
    else:
        doc = rollup.build(files, anonymise)
    rollup_out.write(doc, out, inputs, lang)
    say(msg("rollup_done", lang, n=doc["results"], towns=doc["towns"], out=out))
