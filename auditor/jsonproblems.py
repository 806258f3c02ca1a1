"""What a JSON parser met, in Japanese, for the message of a JSON file that does not parse.

Python's json and orjson describe the problem in English ("Expecting ',' delimiter"). Their few fixed
messages get our own Japanese wording; an unknown one keeps the parser's words, better than none.
The caller gives the line (JSONDecodeError.lineno), as for any input error.
"""
from __future__ import annotations

_VALUE = "値があるべき位置に値がありません（空のファイル、「,」の後の値の抜け、または true・false・null・数値・\"文字列\" 以外の語）"
_KEY = "キーは二重引用符で囲んだ文字列で書きます（単一引用符や引用符なしのキー、最後の項目の後の「,」は使えません）"
_TRAILING = "最後の項目の後に「,」があります（JSON では使えません）"
_ESCAPE = "文字列の中で「\\」の後に使えない文字があります（「\\」そのものは「\\\\」と書きます）"
_CONTROL = "文字列の中に改行やタブなどの制御文字がそのまま含まれています（\\n、\\t と書きます）"
_UNCLOSED = "文字列の引用符または「[」「{」が閉じられないまま、ファイルが終わっています"
_BOM = "先頭に BOM（バイト順マーク）があります"

# Python's json first (matched by their start: some end with a position or a character), then orjson's.
_JA = {
    "Expecting value": _VALUE,
    "Expecting ',' delimiter": "項目の間に「,」がありません（または「]」「}」で閉じられていません）",
    "Expecting ':' delimiter": "キーの後に「:」がありません",
    "Expecting property name enclosed in double quotes": _KEY,
    "Unterminated string starting at": "文字列の引用符が閉じられていません",
    "Invalid control character": _CONTROL,
    "Invalid \\escape": _ESCAPE,
    "Invalid \\uXXXX escape": _ESCAPE,
    "Extra data": "JSON の値の後に余分な文字があります（値は一つだけ書けます）",
    "Illegal trailing comma": _TRAILING,
    "Unexpected UTF-8 BOM": _BOM,
    "Input is a zero-length, empty document": "ファイルが空です",
    "trailing comma is not allowed": _TRAILING,
    "unexpected character, expected ':' after key": "キーの後に「:」がありません",
    "unexpected character, expected a string key": _KEY,
    "unexpected character, expected ',' or ']'": "一覧の項目の間に「,」がありません（または「]」で閉じられていません）",
    "unexpected character, expected ',' or '}'": "対応表の項目の間に「,」がありません（または「}」で閉じられていません）",
    "unexpected character, expected a JSON value": _VALUE,
    "unexpected end of data": _UNCLOSED,
    "unexpected control character in string": _CONTROL,
    "invalid escaped sequence in string": _ESCAPE,
    "unexpected content after document": "JSON の値の後に余分な文字があります（値は一つだけ書けます）",
    "invalid literal": _VALUE,
    "UTF-8 byte order mark (BOM) is not supported": _BOM,
}


def japanese(msg: str) -> str:
    """The parser's problem (JSONDecodeError.msg) in our Japanese words, else as the parser wrote it."""
    for start, ja in _JA.items():
        if msg.startswith(start):
            return ja
    return msg
