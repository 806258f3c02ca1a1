"""`--help` and click's own words in the command's language.

Click fixes a command's help when it is decorated, in English (the source's language): before each
command line the group hands every command and option the help of the chosen language from the
catalogue's `help:` list (English text -> Japanese, gettext-style, so a shared option is translated
once), and click's own words (Usage:, Options:, "No such option") go through its gettext hook `_`.
The English originals are kept, so that a later command line in English (the tests' runner) gets them.
"""
from __future__ import annotations

import functools
import inspect
import re

import click

from . import i18n

_SETTING = re.compile(r"\s*\[setting: (\w+); env: (\w+)\]$")
_ORIGINAL = "_auditor_help_en"
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "shell_completion")


def help_table() -> dict:
    """English help text -> Japanese."""
    found = i18n.catalogue().setdefault("_help_by_en", {})
    if not found:
        found.update({inspect.cleandoc(e["en"]): e["ja"] for e in i18n.catalogue()["help"]})
    return found


def texts(root: click.Command):
    """(object, attribute, English text) of every help text of the command tree."""
    stack = [root]
    while stack:
        cmd = stack.pop()
        for attr in ("help", "short_help"):
            yield cmd, attr
        for p in cmd.params:
            yield p, "help"
        if isinstance(cmd, click.Group):
            stack.extend(cmd.commands.values())


def english(obj, attr) -> str | None:
    """The English original of a help text (kept the first time the tree is translated)."""
    kept = obj.__dict__.setdefault(_ORIGINAL, {})
    if attr not in kept:
        kept[attr] = getattr(obj, attr, None)
    return kept[attr]


def japanese(text: str) -> str | None:
    """The Japanese of an English help text, the settings' suffix included; None when there is none."""
    match = _SETTING.search(text)
    core = inspect.cleandoc(text[:match.start()] if match else text)
    ja = help_table().get(core) if core else ""
    if ja is None:
        return None
    if match:
        ja = ja + i18n.msg("help_setting", "ja", key=match.group(1), env=match.group(2))
    return re.sub(r"(?<=[^\n])\n(?=[^\n])", "", ja)  # click joins a paragraph's lines with a space


_PENDING: list = []  # (root, lang) whose help texts are set when help is first shown


def prepare(root: click.Command, lang: str) -> None:
    """click's own words in `lang` now; the help texts of the tree only when a help page is made
    (click.Context.get_help), since most command lines show none and translating 250 texts costs
    a tenth of a small run."""
    _click_words(lang)
    _PENDING[:] = [(root, lang)]
    if not getattr(click.Context.get_help, "_auditor", False):
        plain = click.Context.get_help

        def get_help(ctx):
            if _PENDING:
                apply(*_PENDING.pop())
            return plain(ctx)

        get_help._auditor = True
        click.Context.get_help = get_help


def apply(root: click.Command, lang: str) -> None:
    """Every help text of the tree in `lang` (an English text without a Japanese one stays English)."""
    _PENDING.clear()
    for obj, attr in texts(root):
        if attr == "help" and isinstance(obj, click.Command):
            obj._help_option = None  # click keeps the --help option it made, with its help in the last language
        text = english(obj, attr)
        if text:
            setattr(obj, attr, (japanese(text) or text) if lang == "ja" else text)
        elif attr == "short_help" and lang == "ja" and getattr(obj, "help", None):
            obj.short_help = _first_sentence(obj.help)  # click cuts at ". " and spaces, which Japanese lacks
        elif attr == "short_help":
            obj.short_help = None
    _click_words(lang)


def _first_sentence(text: str) -> str:
    line = text.strip().split("\n")[0]
    return line.split("。")[0] + "。" if "。" in line else line


def _click_words(lang: str) -> None:
    """click's own words through its gettext hook: each click module imported `_` and `ngettext`."""
    import importlib

    words = i18n.catalogue()["click"] if lang == "ja" else {}

    def gettext(text):
        return words.get(text, text)

    def ngettext(one, many, n):
        return words.get(one if n == 1 else many, one if n == 1 else many)

    for name in _CLICK_MODULES:
        try:
            mod = importlib.import_module(f"click.{name}")
        except ImportError:  # a click without that module
            continue
        if hasattr(mod, "_"):
            mod._ = gettext
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext
    _wrapping(lang == "ja")


_KEPT: dict = {}


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple:
    """(a character two columns wide, a Japanese run): compiled when help is first wrapped, not in every
    run (the two character classes took 9 ms of a small town's check)."""
    wide = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
    return wide, re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef][、。，．）」』】・:：]*")


def _wrapping(japanese: bool) -> None:
    """Help text wrapped by what a terminal shows: a kanji takes two columns, and a Japanese line may
    break between any two characters (not before 、。）) since it has no spaces. Only in Japanese."""
    try:
        from click import _textwrap
    except ImportError:  # another click: its own wrapping
        return
    if not _KEPT:
        _KEPT.update(term_len=_textwrap.term_len, split=_textwrap.TextWrapper._split)
    if not japanese:
        _textwrap.term_len, _textwrap.TextWrapper._split = _KEPT["term_len"], _KEPT["split"]
        return
    plain = _KEPT["term_len"]

    def term_len(text: str) -> int:
        return plain(text) + len(_patterns()[0].findall(text))

    def split(self, text: str) -> list:
        chunks = []
        ja_run = _patterns()[1]
        for chunk in _KEPT["split"](self, text):
            pieces = ja_run.split(chunk)
            runs = ja_run.findall(chunk)
            for i, piece in enumerate(pieces):
                if piece:
                    chunks.append(piece)
                if i < len(runs):
                    chunks.append(runs[i])
        return chunks

    _textwrap.term_len, _textwrap.TextWrapper._split = term_len, split
