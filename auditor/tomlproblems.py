"""What the TOML parser (tomllib, tomli on 3.10) met, in Japanese, for a pyproject.toml that does not parse.

Its messages are a fixed English list followed by where ("(at line 2, column 10)"); the ones a hand-edited
[tool.auditor] table can cause get our own Japanese words. An unknown one keeps the parser's words.
"""
from __future__ import annotations

import re

_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")
_JA = {
    "Invalid value": "値として読めません（文字列は引用符で囲みます。例: format = \"sarif\"）",
    "Expected '=' after a key in a key/value pair": "キーの後に「=」がありません",
    "Cannot overwrite a value": "同じキーが二度書かれています",
    "Cannot declare": "同じ表（[...]）が二度書かれています",
    "Illegal character": "使えない文字があります（文字列の引用符が閉じられていないことがよくあります）",
    "Expected ']' at the end of a table declaration": "表の見出し（[tool.auditor] など）の「]」がありません",
    "Expected newline or end of document after a statement": "値の後に余分な文字があります（一行に書けるのは「キー = 値」一つです）",
    "Unescaped '\\' in a string": "文字列の中の「\\」は「\\\\」と書くか、文字列を単一引用符 '...' で囲みます",
    "Unclosed inline table": "「{」が閉じられていません",
    "Unclosed array": "「[」が閉じられていません",
    "Unterminated string": "文字列の引用符が閉じられていません",
    "Invalid initial character for a key part": "キーの書き方が正しくありません",
}


def japanese(problem: str) -> str:
    """The parser's message (str(TOMLDecodeError)) in our Japanese words, with the column where known."""
    m = _WHERE.search(problem)
    text = problem[:m.start()] if m else problem
    ja = next((j for start, j in _JA.items() if text.startswith(start)), text)
    if m and m.group(2):
        return f"{m.group(2)} 文字目: {ja}"
    return f"ファイルの終わり: {ja}" if m else ja
