"""What the XML parser (expat) met, in Japanese, for the message of an XML file that does not parse.

Expat's messages are a fixed English list (xml.parsers.expat.errors); the ones a damaged or hand-edited
firewall export can cause get our own Japanese words. An unknown one keeps expat's words, better than none.
The caller gives the line, as for any input error.
"""
from __future__ import annotations

_TOKEN = "XML として読めない文字や記号があります（「<」「&」がそのまま書かれている、文字コードが違う、など）"
_DECLARATION = "XML 宣言（<?xml ...?>）の書き方が正しくないか、ファイルの先頭にありません"

_JA = {
    "syntax error": "XML の書き方が正しくありません",
    "no element found": "要素がないか、閉じられないままファイルが終わっています（ファイルが途中で切れていませんか）",
    "not well-formed (invalid token)": _TOKEN,
    "unclosed token": "タグか属性が閉じられないままファイルが終わっています（ファイルが途中で切れていませんか）",
    "partial character": "文字の途中でファイルが終わっています（ファイルが途中で切れていませんか）",
    "mismatched tag": "閉じタグが開きタグと合いません",
    "duplicate attribute": "同じ属性が一つのタグに二度書かれています",
    "junk after document element": "最上位の要素が閉じた後に、まだ内容があります（二つのファイルがつながっていませんか）",
    "undefined entity": "定義されていない実体参照（&名前;）があります。「&」そのものは &amp; と書きます",
    "reference to invalid character number": "XML で使えない文字の番号を参照しています（&#...;）",
    "XML or text declaration not at start of entity": _DECLARATION,
    "XML declaration not well-formed": _DECLARATION,
    "unknown encoding": "XML 宣言の文字コード（encoding）が分かりません",
    "encoding specified in XML declaration is incorrect": "XML 宣言の文字コード（encoding）がファイルの中身と合いません",
    "unclosed CDATA section": "CDATA セクション（<![CDATA[ ...]]>）が閉じられていません",
    "unbound prefix": "宣言されていない名前空間の接頭辞（xxx: の部分）があります",
}


def japanese(msg: str) -> str:
    """Expat's problem (SAXParseException.getMessage()) in our Japanese words, else as expat wrote it."""
    return _JA.get(msg.strip(), msg)
