"""`auditor init` (a new evidence repository) and `auditor inspect` (a manifest entry for a file as it
arrived), and the words `check` says on a first run with no evidence yet. Parses options only: the work
is in catalogue/scaffold.py, evidence/inspect.py and engine/start.py."""
from __future__ import annotations

import datetime as dt

import click

from .i18n import msg
from .options import DATE, _input_errors, _kinds_option, _limit_options, lang_option, say

LANG = lang_option


def _where(start: dict) -> tuple[str, str]:
    import os

    return os.path.relpath(start["folder"]), os.path.relpath(start["manifest"])


def headline(start: dict, lang: str) -> str:
    """One line for a machine format's stderr on a first run."""
    return msg("start_head", lang, manifest=_where(start)[1], n=start["controls"])


def getting_started(start: dict, langs=("ja", "en")) -> str:
    """The text `check` prints on a first run, short: in the command's --lang (both by default)."""
    folder, manifest = _where(start)
    out = []
    for lang in langs:
        out.append(headline(start, lang))
        out.append(msg("start_first", lang))
        width = max([_width(k["title"][lang]) + 2 for k in start["kinds"]] + [28])  # a long title shifts none
        for k in start["kinds"]:
            ids = ("、" if lang == "ja" else ", ").join(k["controls"])
            out.append(f"  {_pad(k['kind'], 19)}{_pad(k['title'][lang], width)}{ids}")
        out.append(msg("start_how", lang, folder=folder, manifest=manifest))
        out.append("")
    return "\n".join(out)


def _width(text: str) -> int:
    """Terminal columns of text (a kanji takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))


def this_fiscal_year() -> int:
    today = dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


@click.command("init")
@click.argument("folder", metavar="[DIR]", default=".", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="The municipality's name (organisation ja), e.g. 湊町.")
@click.option("--name-en", help="Its English name (default: the same as --name).")
@click.option("--model", required=True, type=click.Choice(["alpha", "alpha_prime", "beta", "beta_prime"]),
              help="The three-layer network model the town declares (三層の対策のモデル).")
@click.option("--fiscal-year", type=click.IntRange(1990, 2100), default=None,
              help="The first fiscal year to collect evidence for (default: the current one, April to March).")
@click.option("--secretariat", help="The CISO office's unit (code or name), owner of organisation-wide findings.")
@click.option("--policy-name", help="The policy file's name under policies/ (default: the town's name).")
@click.option("--controls", "extra", multiple=True, type=click.Path(file_okay=False),
              help="The town's own controls (repeatable): in the policy's list, their kinds in the manifest's examples.")
@LANG
@_kinds_option("extra")
@_input_errors
def init_command(folder, name, name_en, model, fiscal_year, secretariat, policy_name, extra, lang):
    """Start an evidence repository: policy, manifest, .gitignore, README section and CI files. Overwrites nothing."""
    import os

    from .. import defaults
    from ..catalogue import controls as catalogue, scaffold

    fiscal_year = fiscal_year or this_fiscal_year()
    loaded, _ = catalogue.load([defaults.shipped_controls(), *extra])
    texts = scaffold.files({"ja": name, "en": name_en or name}, model, fiscal_year, loaded, policy_name, secretariat)
    done = scaffold.write(folder, texts)
    for rel, what in done:
        say(msg("init_" + what, path=os.path.join(folder, rel)))
    evidence = f"evidence/FY{fiscal_year}"
    where = "このフォルダ" if lang == "ja" else "in this folder"
    if os.path.abspath(folder) != os.path.abspath("."):
        where = f"{folder} の中" if lang == "ja" else f"in {folder}"
    for i in range(3):
        say(msg(f"init_next_{i}", lang, n=sum(w != "kept" for _, w in done), root=folder, folder=evidence,
                manifest=f"{evidence}/manifest.yaml", where=where))


@click.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kind", help="The kind of evidence (default: guessed from the headers).")
@click.option("--append", "manifest", type=click.Path(dir_okay=False), metavar="MANIFEST",
              help="Add the entry to this manifest (the file must be in its folder); comments are kept.")
@click.option("--sheet", help="The sheet of a workbook to read (default: the one whose headers fit best).")
@click.option("--provided-by", help="Who provided the file (provided_by:), e.g. 人事課.")
@click.option("--collected-on", type=DATE, help="When it was collected (default: a date in its title, else the "
                                                "file's modification date).")
@LANG
@_limit_options
@_kinds_option(None)
@_input_errors
def inspect_command(file, kind, manifest, sheet, provided_by, collected_on, lang, limits):
    """Read an evidence file as it arrived and print its manifest entry (YAML), with warnings."""
    from ..evidence import inspect, inspect_text, manifest_edit

    rel = manifest_edit.relative(manifest, file) if manifest else None
    proposals = inspect.inspect(file, kind, rel, sheet, limits, provided_by, collected_on)
    text = inspect_text.render(proposals, lang)
    if manifest:
        manifest_edit.append(manifest, inspect_text.render(proposals, lang, brief=True), [p.entry for p in proposals])
    click.echo(text, nl=False)
    if manifest:
        say(msg("inspect_added", lang, n=len(proposals), m=manifest))


COMMANDS = (init_command, inspect_command)
