"""The command line's language: which one (--lang, then AUDITOR_LANG, then the locale), its messages
(cli/messages.yaml: key -> {ja, en} with {placeholders}), and times and days as people read them.

The locale: LC_ALL, LC_MESSAGES, then LANG (the first one set); one starting with `ja` gives Japanese,
another named language (en_US.UTF-8, de_DE...) English; C, POSIX or none at all gives Japanese, the
product's language. The config file's `lang:` sets the --lang of check and report like any setting.

Imports the standard library only (and PyYAML when a message is first looked up and messages.json is
stale): `--help` stays fast.
"""
from __future__ import annotations

import datetime as dt
import os

from ..errors import os_reason
from ..jatext import tighten  # noqa: F401 (i18n.tighten)

LANGS = ("ja", "en")
ENV = "AUDITOR_LANG"
CATALOGUE = "messages.yaml"  # package data of auditor.cli (read through importlib.resources: a zipapp too)
# messages.yaml as parsed, with the SHA-256 of the bytes it came from (tools/compile_messages.py): parsing
# the YAML took 10 to 30 ms of every run, json.loads takes 1 ms. A stale one is never used.
COMPILED = "messages.json"
# Japan has kept +09:00 all year since 1951: a fixed offset is exact and needs no tz database (Windows).
JST = dt.timezone(dt.timedelta(hours=9), "JST")

ARGV: list = []  # the command line of the running command (set by the group), read for --lang
_chosen: list = []  # the running command's --lang, once parsed (set by options._input_errors)
_catalogue: dict = {}


def from_locale(environ=None) -> str:
    """ja or en from the locale variables; C/POSIX or unset is ja (the product's default)."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(name) or "").strip()
        if value:
            if value.lower().startswith("ja"):
                return "ja"
            return "ja" if value.split(".")[0].upper() in ("C", "POSIX") else "en"
    return "ja"


def default(environ=None) -> str:
    """The language when --lang is not given: AUDITOR_LANG (ja or en), else the locale."""
    environ = os.environ if environ is None else environ
    value = (environ.get(ENV) or "").strip().lower()
    return value if value in LANGS else from_locale(environ)


def _from_argv(argv) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        return "ja" if value == "both" else value if value in LANGS else None
    return None


def current() -> str:
    """The language of the running command: its --lang, else AUDITOR_LANG, else the locale."""
    if _chosen:
        return _chosen[-1]
    return _from_argv(ARGV) or default()


def choose(lang) -> None:
    """The running command's --lang is known (both: the messages in Japanese)."""
    _chosen[:] = ["ja" if lang == "both" else lang] if lang in (*LANGS, "both") else []


def reset(argv) -> None:
    """A new command line (the group's main): forget the previous command's choice."""
    ARGV[:] = list(argv or [])
    _chosen.clear()


def catalogue() -> dict:
    """messages.yaml, read once: {"messages": {key: {ja, en}}, "help": [{en, ja}], "click": {en: ja}}."""
    if not _catalogue:
        from importlib import resources

        raw = (resources.files(__package__) / CATALOGUE).read_bytes()
        found = compiled(raw, (resources.files(__package__) / COMPILED))
        _catalogue.update(found if found is not None else parse(raw))
    return _catalogue


def parse(raw: bytes) -> dict:
    """messages.yaml's bytes as the catalogue (the source of truth, and the way when messages.json is stale)."""
    import yaml

    return yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def compiled(raw: bytes, ref) -> dict | None:
    """The catalogue from messages.json (ref) when it was written from exactly these bytes, else None."""
    import hashlib
    import json

    try:
        doc = json.loads(ref.read_bytes())
    except (OSError, ValueError):  # missing (a partial install) or damaged: the YAML is read
        return None
    if isinstance(doc, dict) and doc.get("source_sha256") == hashlib.sha256(raw).hexdigest() \
            and isinstance(doc.get("catalogue"), dict):
        return doc["catalogue"]
    return None


def msg(key: str, lang: str | None = None, /, **values) -> str:
    """The message `key` in `lang` (default: the running command's), its {placeholders} filled."""
    entry = catalogue()["messages"][key]
    lang = lang if lang in LANGS else current()
    text = entry[lang].format(**values) if values else entry[lang]
    return tighten(text) if lang == "ja" and values else text


def both(key: str, /, **values) -> dict:
    """The message in both languages, {ja, en}; an OSError among the values is said in each language."""
    return {lang: msg(key, lang, **{k: os_reason(v, lang) if isinstance(v, OSError) else v for k, v in values.items()})
            for lang in LANGS}


def day(value, lang: str | None = None) -> str:
    """A calendar day as the reports write it: 令和8年3月31日 in Japanese, 2026-03-31 in English."""
    if value in (None, ""):
        return msg("none", lang)
    lang = lang if lang in LANGS else current()
    try:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    from ..fiscal import day_text

    return day_text(d, lang)


def when(value, lang: str | None = None) -> str:
    """A recorded time (ISO 8601, UTC or with an offset) in Japan time: 令和8年12月2日 02:41 / 2026-12-02 02:41 JST."""
    if value in (None, ""):
        return msg("none", lang)
    lang = lang if lang in LANGS else current()
    try:
        t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if t.tzinfo is None:  # the history records UTC
        t = t.replace(tzinfo=dt.timezone.utc)
    t = t.astimezone(JST)
    return f"{day(t.date(), lang)} {t:%H:%M}" + (" JST" if lang == "en" else "")


def fiscal_year(year: int, lang: str | None = None) -> str:
    """令和7年度 / FY2025."""
    from ..fiscal import FiscalYear

    fy = FiscalYear(int(year))
    return fy.label_ja if (lang if lang in LANGS else current()) == "ja" else fy.label_en


def value(v, lang: str | None = None) -> str:
    """A stored value for people: None as 未設定 / not set, booleans as はい/いいえ, yes/no."""
    if v is None or v == "":
        return msg("none", lang)
    if isinstance(v, bool):
        return msg("yes" if v else "no", lang)
    return str(v)
