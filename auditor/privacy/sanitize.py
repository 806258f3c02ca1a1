"""Neutralise evidence text before it reaches an output: each format has one function here.

Evidence comes from dozens of departments and vendors; any cell may hold markup, a spreadsheet
formula, a terminal escape sequence or bytes that break a file format. Outputs show such text as
written, visibly, and never act on it:

- `visible`: control characters (C0, DEL, C1) and bidirectional overrides become `\\xNN`/`\\uNNNN`
  escapes; a newline inside a value cannot start a fake line, ESC cannot colour or move the cursor.
- `terminal`: `visible` for one line of text output.
- `xml`: characters XML 1.0 forbids (NUL and most C0, lone surrogates, U+FFFE/U+FFFF) and bidi
  overrides as escapes.
- `markdown`: Markdown punctuation backslash-escaped and `www.` autolinks broken, so no link,
  image, emphasis, table cell or mention comes from evidence (HTML escaping is the template's).
- `spreadsheet_cell`: a leading apostrophe for cells Excel would run as a formula (CSV and .xlsx).
- `document`: `visible` on every string of a report document (HTML, Markdown and PDF render it).
JSON and SARIF need nothing beyond json.dumps, which escapes every control character.
"""
from __future__ import annotations

import re

from . import mynumber

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # Trojan Source: text that reads differently
BIDI = _BIDI  # for a character class elsewhere (report folder names)
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_XML_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff{_BIDI}]")  # and bidi tricks
# `<`, `>` and `&` are left to HTML escaping: a backslash before an entity would print it raw.
# quotes: entities after autoescape. A hyphen between two letters or digits (GL1-01, 2025-05-30) means
# nothing to any Markdown renderer and stays as typed; elsewhere (a list, a rule, "--") it is escaped.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+.!|~$@:=^]|(?<![^\W_])-|-(?![^\W_]))")
_MD_BREAK = re.compile(r"[\r\n\t\u2028\u2029]+")
# Excel runs a cell starting with these as a formula (full-width forms: Japanese IME input).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b"}


def _escape(m: re.Match) -> str:
    ch = m.group(0)
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def visible(text):
    """Control and bidi-override characters as visible escapes; other values pass through."""
    if not isinstance(text, str):
        return text
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def terminal(line: str) -> str:
    """One line of terminal output: nothing in it can move the cursor, recolour or add a line."""
    return visible(line)


def xml(text):
    """Text an XML 1.0 document may hold; tabs and newlines stay (ElementTree escapes markup)."""
    if not isinstance(text, str):
        return text
    return _XML_ILLEGAL.sub(_escape, text) if _XML_ILLEGAL.search(text) else text


def xml_tree(root) -> None:
    """`xml` on every text, tail and attribute of an ElementTree, in place, before serialising."""
    for el in root.iter():
        el.text, el.tail = xml(el.text), xml(el.tail)
        for key, value in el.attrib.items():
            el.attrib[key] = xml(value)


def markdown(text) -> str:
    """Inline Markdown text that renders exactly as written: no link, autolink, markup or new line.

    Lines joined may join a number split over them: it is masked once joined."""
    return _MD_SPECIAL.sub(r"\\\1", visible(mynumber.mask(_MD_BREAK.sub(" ", str(text)))))


def spreadsheet_cell(value) -> str:
    """A CSV/.xlsx cell Excel shows as text: formulas (=, +, -, @, tab, CR…) get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def document(obj):
    """`visible` on every string of a nested document (dicts, lists), keys included."""
    if isinstance(obj, str):
        return visible(obj)
    if isinstance(obj, dict):
        return {visible(k): document(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [document(v) for v in obj]
    return obj
