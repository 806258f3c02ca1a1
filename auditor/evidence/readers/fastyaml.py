"""A fast path for the large YAML files that machines export, with a fall-back to the full loader.

A firewall export of 200,000 rules is a top-level list of flat mappings in block style, every item
with the same keys in the same order and plain one-line values. Such a list is read here by
slicing lines (each item spans k lines, so field j of item i is line i*k + j), about a hundred
times faster than composing YAML nodes. Anything outside that narrow shape (quotes, comments,
anchors, flow style, blank lines, optional keys, multi-line values, ...) is left to the full loader,
which yields the same values: every scalar as the text written, an empty value as None.
"""
from __future__ import annotations

import re

_MIN_LINES = 1000  # below this the full loader is fast enough
_COLUMN0 = re.compile(r"\n[^\s#]")
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*):[ \t]*$", re.M)  # a top-level key opening a block
_KEY = re.compile(r"([A-Za-z_][\w-]*):(?: |$)")
# Values (one per line) that the full loader would read differently from their text: empty, or not
# a plain scalar, or holding a comment, a tab, a nested "key: " or a trailing space.
_FIRST = r"(?:[\s\[\]{}#&*!|>'\"%@`,?:]|-(?:\s|\Z))"
_BAD_FIRST = re.compile(_FIRST + r"|\n|\Z")  # matched at the start only
_BAD = re.compile(r"\n" + _FIRST + r"|\n\Z| #|\t|: |:\n|:\Z| \n| \Z|\r")


def split(text: str) -> tuple[str, dict]:
    """-> (text with the fast-read lists blanked out, {top-level key: (columns, lines)}).

    A document that is itself such a list comes back under the key None. Line numbers in the
    returned text are unchanged, so the full loader still reports the right lines for the rest.
    """
    if text.count("\n") < _MIN_LINES or "\r" in text:
        return text, {}
    if text.startswith("- "):
        got = _block(text, 1)
        return (text, {}) if got is None else ("", {None: got})
    starts = _column0(text)  # (line, offset, top-level key opening a block or None)
    fast, pieces, done = {}, [], 0
    for n, (line, pos, key) in enumerate(starts):
        if key is None or key in fast:
            continue
        body_pos = text.find("\n", pos) + 1
        end = starts[n + 1][1] if n + 1 < len(starts) else len(text)
        body = text[body_pos:end]
        if not body_pos or body.count("\n") < _MIN_LINES:
            continue
        got = _block(body, line + 1)
        if got is not None:
            fast[key] = got
            pieces += [text[done:body_pos], "\n" * body.count("\n")]
            done = end
    return ("".join(pieces) + text[done:], fast) if fast else (text, {})


def _column0(text: str) -> list:
    """Every line that starts in column 0 (a section ends at the next one), with its key if it opens a block."""
    out, line, pos = [], 1, 0
    found = [0] if text[:1] not in ("", " ", "\t", "\n", "#") else []
    for start in found + [m.start() + 1 for m in _COLUMN0.finditer(text)]:
        line += text.count("\n", pos, start)
        pos = start
        key = _TOP_KEY.match(text, pos)
        out.append((line, pos, key.group(1) if key else None))
    return out


def _block(body: str, first_line: int):
    """Columns and lines of a uniform list of flat mappings (the text of a block, from line first_line), or None."""
    lines = body.rstrip("\n").split("\n")  # blank lines at the end of the file do not count
    first = lines[0]
    indent = len(first) - len(first.lstrip(" "))
    if not first.startswith("- ", indent):
        return None
    item, field = " " * indent + "- ", " " * (indent + 2)
    keys = []
    for n, line in enumerate(lines):
        prefix = item if n == 0 else field
        if n and line.startswith(item):
            break
        m = _KEY.match(line, len(prefix)) if line.startswith(prefix) else None
        if m is None:
            return None
        keys.append(m.group(1))
    k = len(keys)
    if len(set(keys)) != k or len(lines) % k:
        return None
    rows, columns = len(lines) // k, {}
    for j, key in enumerate(keys):
        prefix = (item if j == 0 else field) + key + ": "
        joined = "\n".join(lines[j::k])
        # every line of the column starts with the prefix and a value (no line holds a newline)
        if not joined.startswith(prefix) or joined.count("\n" + prefix) != rows - 1:
            return None
        values = joined[len(prefix):].replace("\n" + prefix, "\n")
        if _BAD.search(values) or _BAD_FIRST.match(values):
            return None
        columns[key] = values.split("\n")
    return columns, range(first_line, first_line + len(lines), k)
