"""`auditor framework list` and `auditor framework show ID`: the audit map (監査項目の体系).

Thin like auditor.cli: parse options, load the map with the controls (auditor.catalogue.framework),
and print what auditor.catalogue.frameworkview builds.
"""
from __future__ import annotations

import click

from .options import _framework_option, _input_errors, _kinds_option, lang_option

_CONTROLS = click.option("--controls", "extra", multiple=True, type=click.Path(file_okay=False),
                         help="Extra folder of control YAML files (repeatable); the frameworks/ folder beside it is "
                              "read too.")
_LANG = lang_option
_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                       help="text for people (in --lang); json holds both languages.")


def _loaded(frameworks, extra):
    """The map checked against the controls, and the controls by ID."""
    from .options import _framework
    from .. import defaults
    from ..catalogue import controls as catalogue

    dirs = [defaults.shipped_controls(), *extra]
    controls, _ = catalogue.load(dirs)
    fw = _framework(frameworks, dirs, controls)
    return fw, {c.id: c for c in controls}


def _shown(path) -> str:
    """A map file as the user sees it; the shipped one as frameworks/NAME, wherever it is installed."""
    from pathlib import Path

    from .. import defaults

    p = Path(path).resolve()
    if p.parent == defaults.shipped_frameworks().resolve():
        return f"frameworks/{p.name}"
    return defaults.shown_path(path)


def _print(doc, fmt: str, text) -> None:
    from ..privacy import mynumber

    if fmt == "json":
        from . import console
        console.machine(mynumber.dumps(doc))  # a town's map may quote anything: masked like every output
    else:
        click.echo(mynumber.mask(text), nl=False)


@click.group("framework")
def framework_group():
    """The audit map: chapters, sections and audit items, and how each item is assessed.
    監査項目の体系（章・節・監査項目と、その評価方法）。"""


@framework_group.command("list")
@_framework_option
@_CONTROLS
@_FORMAT
@_LANG
@_kinds_option("extra")
@_input_errors
def framework_list(frameworks, extra, fmt, lang):
    """Chapters -> sections -> items: required or not, assessed by rules, an auditor or both.
    章・節ごとの監査項目の一覧（必須、評価方法、管理策）。"""
    from ..catalogue import frameworkview

    fw, controls = _loaded(frameworks, extra)
    doc = frameworkview.outline(fw, controls, _shown)
    _print(doc, fmt, frameworkview.render_outline(doc, lang) if fmt == "text" else None)


@framework_group.command("show")
@click.argument("ident", metavar="ID")
@_framework_option
@_CONTROLS
@_FORMAT
@_LANG
@_kinds_option("extra")
@_input_errors
def framework_show(ident, frameworks, extra, fmt, lang):
    """One audit item (GL3-01), section (3.1) or chapter (3): its references and the controls that assess it.
    監査項目・節・章の詳細（参照する規格の番号、評価する管理策）。"""
    from ..catalogue import frameworkview

    fw, controls = _loaded(frameworks, extra)
    doc = frameworkview.describe(fw, ident.strip(), controls, _shown)
    _print(doc, fmt, frameworkview.render_described(doc, lang) if fmt == "text" else None)
