"""What libyaml met, in Japanese, for the message of a YAML file that does not parse.

The secretariat edits the policy, manifests and town controls by hand, and libyaml describes what it
met in English ("did not find expected key"). The problems people meet most get our own Japanese
wording, with the character met where that tells the fix (a tab, an `@`); any other keeps libyaml's
words, which are still better than none.
"""
from __future__ import annotations

_TAB = "字下げにタブ文字が使われています（字下げは半角の空白で揃えます）"
_COLON = "この位置に「キー: 値」は書けません（値に「: 」を含めるときは値を引用符で囲みます）"

_JA = {
    "did not find expected key": "キーがあるべき位置に別のものがあります（字下げのずれ、または値の後の余分な文字）",
    "mapping values are not allowed in this context": _COLON,
    "mapping values are not allowed here": _COLON,
    "could not find expected ':'": "「キー: 値」の「:」がありません（キーだけの行か、字下げのずれ）",
    "did not find expected ',' or ']'": "「[」で始めた一覧が「]」で閉じられていません",
    "did not find expected ',' or '}'": "「{」で始めた対応表が「}」で閉じられていません",
    "did not find expected '-' indicator": "一覧の項目（「- 」で始まる行）の並びに、字下げの揃わない行があります",
    "did not find expected node content": "値があるべき位置に値がありません",
    "block sequence entries are not allowed in this context": "この位置に一覧の項目（「- 」）は書けません",
    "found unexpected end of stream": "引用符が閉じられないまま、ファイルが終わっています",
    "found unknown escape character": "二重引用符の中で「\\」の後に使えない文字があります"
                                      "（「\\」をそのまま書くときは単一引用符で囲みます）",
    "found undefined alias": "定義されていない別名（*名前）を使っています",
    "second occurrence": "同じアンカー（&名前）が 2 回定義されています",
    "found a tab character that violates indentation": _TAB,
    "found a tab character where an indentation space is expected": _TAB,
    "found unexpected ':'": "予期しない位置に「:」があります（値に含めるときは値を引用符で囲みます）",
    "found unknown directive name": "「%」で始まる行は書けません（値なら引用符で囲みます）",
    "did not find expected comment or line break": "値の後に余分な文字があります",
    "control characters are not allowed": "使えない制御文字が含まれています",
}


def japanese(problem: str | None, char: str | None = None) -> str | None:
    """libyaml's problem in our Japanese words, or None when it is not one we word. `char`: the character
    at the place libyaml stopped, when known."""
    if problem == "found character that cannot start any token":
        if char == "\t":
            return _TAB
        if char and char.isprintable() and not char.isspace():
            return f"値を「{char}」で始めるときは、値を引用符で囲みます"
        return "値の先頭に使えない文字があります（値を引用符で囲みます）"
    return _JA.get(problem or "")


def char_at(text: str, line: int, column: int) -> str | None:
    """The character at a 0-based line and column of the document, or None when out of range."""
    lines = text.split("\n")
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return None
