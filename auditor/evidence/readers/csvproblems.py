"""What Python's csv reader met, in our own words in both languages, for a CSV file that does not read.

The reader (strict mode) has a handful of fixed English messages; a town sees them inside a Japanese line
unless they are said again here. An unknown message keeps the reader's words, better than none.
"""
from __future__ import annotations

import re

_AFTER_QUOTE = re.compile(r"'(.+)' expected after '(.+)'")
_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


def _shown(delimiter: str) -> str:
    return {"\t": "TAB", " ": "SPACE"}.get(delimiter, delimiter)


def describe(problem: str) -> tuple[str, str]:
    """-> (en, ja) for csv.Error's message."""
    m = _AFTER_QUOTE.fullmatch(problem)
    if m:
        sep, quote = _shown(m.group(1)), m.group(2)
        return (f"after the quote {quote} that closes a cell there are other characters before the next delimiter ({sep})",
                f"セルを閉じる引用符 {quote} の後、次の区切り「{sep}」までの間に別の文字があります")
    m = _FIELD_LIMIT.fullmatch(problem)
    if m:
        n = int(m.group(1))
        return (f"a cell is longer than {n:,} characters (often a quote that is never closed)",
                f"{n:,} 文字を超えるセルがあります（閉じられていない引用符のことがよくあります）")
    if problem == "line contains NUL":  # Python 3.10; later versions read NUL as a character
        return ("the line holds a NUL character (U+0000): the file may not be a text file",
                "行に NUL 文字（U+0000）があります。テキストのファイルではないかもしれません")
    if problem.startswith("new-line character seen in unquoted field"):
        return ("a line break (CR) inside a cell that is not quoted",
                "引用符で囲んでいないセルの中に改行（CR）があります")
    return f"malformed CSV: {problem}", f"CSV の形が崩れています（{problem}）"
