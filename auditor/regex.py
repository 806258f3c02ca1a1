"""User regular expressions (the rule operator `regex`, the manifest's key_pattern:, extract: and
skip_rows: patterns): a Python regular expression, run in time linear in the text.

Python's engine backtracks: `(a+)+$` took 21.7 s on a 28-character cell, and each added character
doubles it. RE2 (google-re2) never backtracks. The pattern is parsed by Python's own parser and written
out in RE2 syntax with Python's meaning, which RE2's own reading would change: \\d, \\w and \\s are
Unicode (RE2's are ASCII), `$` also holds before a final newline, (?i) and (?s) apply where Python
applies them. What has no linear-time equivalent (back-references, look-around, atomic groups,
possessive repeats, conditionals), or no faithful one (\\b on Unicode text, `$` with more pattern after
it), is a RuleError, which the catalogue reports at the control's file and line: never a silent
fallback to the backtracking engine. The errors are PatternError here; the rule language reports them
as RuleError (catalogue/rules/regex.py), the manifest as an InputError at the entry's line.
"""
from __future__ import annotations

import functools

try:  # Python 3.11+; sre_parse (3.10) warns from 3.11 on
    from re import _constants as _sre, _parser as _parse
except ImportError:  # pragma: no cover (3.10)
    import sre_constants as _sre
    import sre_parse as _parse


_I, _M, _S, _A = _sre.SRE_FLAG_IGNORECASE, _sre.SRE_FLAG_MULTILINE, _sre.SRE_FLAG_DOTALL, _sre.SRE_FLAG_ASCII
_MAXREPEAT = _sre.MAXREPEAT
# Python's \s for str patterns (str.isspace), and its \w: letters, digits and other numbers, and "_".
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_CLASSES = {  # category -> (Unicode class body, ASCII class body)
    "CATEGORY_DIGIT": (r"\p{Nd}", "0-9"),
    "CATEGORY_SPACE": (_SPACE, r"\t-\r\x20"),
    "CATEGORY_WORD": (r"\p{L}\p{N}_", "0-9A-Za-z_"),
}
_NEGATED = {"CATEGORY_NOT_DIGIT": "CATEGORY_DIGIT", "CATEGORY_NOT_SPACE": "CATEGORY_SPACE",
            "CATEGORY_NOT_WORD": "CATEGORY_WORD"}
_REFUSED = {
    "GROUPREF": ("a back-reference (\\1, (?P=name))", "後方参照（\\1、(?P=name)）"),
    "GROUPREF_EXISTS": ("a conditional group (?(1)...)", "条件付きのグループ（(?(1)...)）"),
    "ASSERT": ("a look-ahead or look-behind ((?=...), (?<=...))", "先読み・後読み（(?=...)、(?<=...)）"),
    "ASSERT_NOT": ("a negative look-around ((?!...), (?<!...))", "否定の先読み・後読み（(?!...)、(?<!...)）"),
    "ATOMIC_GROUP": ("an atomic group (?>...)", "アトミックグループ（(?>...)）"),
    "POSSESSIVE_REPEAT": ("a possessive repeat (*+, ++, ?+)", "強欲な繰り返し（*+、++、?+）"),
}
HINT = "rules run regular expressions in linear time (RE2): write the pattern without it"
HINT_JA = "正規表現は線形時間（RE2）で実行します。この書き方を使わずに書き直してください"
# re's fixed messages (re.error.msg, matched by their start), in our words
_RE_JA = {
    "missing ), unterminated subpattern": "「(」に対応する「)」がありません",
    "unbalanced parenthesis": "対応する「(」のない「)」があります",
    "unterminated character set": "「[」が閉じられていません",
    "nothing to repeat": "繰り返す対象のない *・+・?・{} があります",
    "multiple repeat": "繰り返しの記号が重なっています（a** など）",
    "bad escape": "使えない「\\」の書き方があります（記号そのものは「\\.」のように書きます）",
    "bad character range": "文字の範囲が逆順か正しくありません（[z-a] など）",
    "unknown extension": "「(?」の後に使えない書き方があります",
    "missing group name": "グループの名前がありません",
    "bad character in group name": "グループの名前に使えない文字があります",
    "redefinition of group name": "同じ名前のグループが二つあります",
    "unknown group name": "定義されていないグループの名前を参照しています",
    "look-behind requires fixed-width pattern": "後読みの中は固定長にします",
    "unknown flag": "使えないフラグがあります（(?i) などの部分）",
    "global flags not at the start of the expression": "フラグ（(?i) など）はパターンの先頭に置きます",
    "maximum recursion depth exceeded": "括弧の入れ子が深すぎます",
}


class PatternError(Exception):
    """A pattern that cannot be used as written: str() in English, `ja` in Japanese."""

    def __init__(self, message: str, ja: str | None = None):
        super().__init__(message)
        self.ja = ja


class Unbounded(PatternError):
    """A pattern that cannot run in linear time with Python's meaning."""


@functools.lru_cache(maxsize=256)
def translate(pattern: str, capture: bool = False) -> str:
    """Python pattern -> RE2 pattern matching the same texts (re.search finds a match iff RE2 does);
    capture: keep the pattern's groups (else every group is written non-capturing)."""
    try:
        parsed = _parse.parse(pattern, 0)
    except Exception as exc:  # re.error, and RecursionError for absurd nesting
        raise PatternError(f"regex {pattern!r}: {exc}", f"正規表現 {pattern!r} を読めません{_re_ja(exc)}") from None
    flags = parsed.state.flags
    if flags & _A and flags & _I:
        raise _unbounded(pattern, "(?a) together with (?i)", "(?a) と (?i) の組み合わせ")
    body = _Writer(pattern, capture).seq(parsed.data if hasattr(parsed, "data") else list(parsed), flags, tail=True)
    return f"(?i:{body})" if flags & _I else body


def _re_ja(exc: Exception) -> str:
    msg = getattr(exc, "msg", None) or str(exc)
    ja = next((j for start, j in _RE_JA.items() if msg.startswith(start)), msg)
    pos = getattr(exc, "pos", None)
    return f"。{ja}" if pos is None else f"。{pos + 1} 文字目: {ja}"


def _unbounded(pattern: str, what: str, what_ja: str, hint: str = HINT, hint_ja: str = HINT_JA) -> Unbounded:
    return Unbounded(f"regex {pattern!r}: {what} is not supported; {hint}", f"正規表現 {pattern!r}: {what_ja}は使えません。{hint_ja}")


class _Writer:
    def __init__(self, pattern: str, capture: bool = False):
        self.pattern, self.capture = pattern, capture

    def refuse(self, what: str, what_ja: str | None = None):
        raise _unbounded(self.pattern, what, what_ja or what)

    def seq(self, items, flags: int, tail: bool) -> str:
        items = list(items)
        out = []
        for i, (op, av) in enumerate(items):
            rest_empty = all(o.name == "AT" for o, _ in items[i + 1:])  # only anchors after this one
            out.append(self.item(op.name, av, flags, tail and rest_empty))
        return "".join(out)

    def item(self, op: str, av, flags: int, tail: bool) -> str:
        if op == "LITERAL":
            return _char(av)
        if op == "NOT_LITERAL":
            return f"[^{_char(av)}]"
        if op == "ANY":
            return r"(?s:.)" if flags & _S else r"[^\n]"
        if op == "IN":
            return self.klass(av, flags)
        if op == "BRANCH":
            return "(?:" + "|".join(self.seq(alt, flags, tail) for alt in av[1]) + ")"
        if op == "SUBPATTERN":
            group, add, remove, sub = av
            inner = (flags | add) & ~remove
            if inner & _A and inner & _I:
                raise _unbounded(self.pattern, "(?a) together with (?i)", "(?a) と (?i) の組み合わせ")
            body = self.seq(sub, inner, tail)
            if (inner ^ flags) & _I:
                body = f"(?{'' if inner & _I else '-'}i:{body})"
            elif not (self.capture and group):
                return f"(?:{body})"
            return f"({body})" if self.capture and group else body
        if op in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            body = self.seq(sub, flags, tail and hi <= 1)
            count = {(0, _MAXREPEAT): "*", (1, _MAXREPEAT): "+", (0, 1): "?"}.get((lo, hi))
            if count is None:
                count = f"{{{lo},}}" if hi == _MAXREPEAT else f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
            return f"(?:{body}){count}" + ("?" if op == "MIN_REPEAT" else "")
        if op == "AT":
            return self.anchor(av.name, flags, tail)
        if op in _REFUSED:
            self.refuse(*_REFUSED[op])
        self.refuse(f"'{op.lower()}'")  # pragma: no cover (an opcode of a newer Python)

    def anchor(self, at: str, flags: int, tail: bool) -> str:
        if at == "AT_BEGINNING":
            return "(?m:^)" if flags & _M else r"\A"
        if at == "AT_BEGINNING_STRING":
            return r"\A"
        if at == "AT_END_STRING":
            return r"\z"
        if at == "AT_END":
            if flags & _M:
                return "(?m:$)"
            if not tail:  # Python's $ also holds before a final newline that more pattern may consume
                raise _unbounded(self.pattern, "'$' followed by more pattern", "$ の後にパターンが続く書き方",
                                 "put $ at the end (or use \\Z)", "$ はパターンの末尾に置いてください（または \\Z）")
            return r"(?:\n?\z)"  # nothing follows: consuming that newline changes nothing
        if at in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
            if flags & _A:  # RE2's \b is ASCII's
                return r"\b" if at == "AT_BOUNDARY" else r"\B"
            raise _unbounded(self.pattern, "\\b and \\B on Unicode text", "\\b・\\B（Unicode の文字列での単語境界）",
                             "write (?a) for an ASCII word boundary, or spell the boundary out",
                             "\\b は (?a) を付けた ASCII の単語境界としてのみ使えます")
        self.refuse(f"'{at.lower()}'")  # pragma: no cover

    def klass(self, items, flags: int) -> str:
        """[...] in RE2 syntax; \\D, \\W, \\S inside become alternatives (one character either way)."""
        negate, positive, complements = False, [], []
        ascii_only = bool(flags & _A)
        for op, av in items:
            name = op.name
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                positive.append(_char(av))
            elif name == "RANGE":
                positive.append(f"{_char(av[0])}-{_char(av[1])}")
            elif name == "CATEGORY":
                cat = av.name
                if cat in _CLASSES:
                    positive.append(_CLASSES[cat][ascii_only])
                elif cat in _NEGATED:
                    complements.append(_CLASSES[_NEGATED[cat]][ascii_only])
                else:  # pragma: no cover (locale categories exist only for bytes patterns)
                    self.refuse(f"the class '{cat.lower()}'")
            else:  # pragma: no cover
                self.refuse(f"'{name.lower()}' in a character class")
        if not complements:
            return f"[{'^' if negate else ''}{''.join(positive)}]"
        if negate:  # not (x or not \d): an intersection, which RE2's classes cannot write
            raise _unbounded(self.pattern, "a negated class holding \\D, \\W or \\S ([^...\\W])",
                             "\\D・\\W・\\S を含む否定の文字クラス（[^...\\W]）", "write the class without the negation",
                             "否定を使わずに文字クラスを書き直してください")
        alternatives = ([f"[{''.join(positive)}]"] if positive else []) + [f"[^{c}]" for c in complements]
        return "(?:" + "|".join(alternatives) + ")"


def _char(code: int) -> str:
    c = chr(code)
    return c if c.isascii() and c.isalnum() else f"\\x{{{code:x}}}"


@functools.lru_cache(maxsize=256)
def searcher(pattern):
    """`search(text) -> bool` for a rule's pattern; PatternError when it cannot run (bounded) here."""
    return _searcher(_compiled(pattern, capture=False))


@functools.lru_cache(maxsize=256)
def fullmatcher(pattern):
    """`match(text) -> bool`: whether the whole text matches (the manifest's key_pattern:)."""
    compiled = _compiled(pattern, capture=False, whole=True)
    return lambda text: compiled.search(text) is not None


@functools.lru_cache(maxsize=256)
def extractor(pattern):
    """`extract(text) -> str | None`: the first group of the first match (the whole match when the
    pattern has no group), None when nothing matches (the manifest's extract:)."""
    compiled = _compiled(pattern, capture=True)

    def extract(text: str):
        m = compiled.search(text)
        if m is None:
            return None
        return m.group(1) if compiled.groups else m.group(0)
    return extract


def _compiled(pattern, capture: bool, whole: bool = False):
    if not isinstance(pattern, str):
        raise PatternError(f"regex must be text, not {pattern!r}", f"正規表現は文字列で書きます（{pattern!r} は使えません）")
    translated = translate(pattern, capture)
    if whole:
        translated = rf"\A(?:{translated})\z"
    try:
        import re2
    except ImportError:
        raise PatternError(f"regex {pattern!r}: the linear-time engine google-re2 is not installed (a dependency "
                           "of auditor: pip install google-re2)",
                           f"正規表現 {pattern!r}: 線形時間の正規表現エンジン google-re2 がインストールされていません"
                           "（auditor が使うパッケージです: pip install google-re2）") from None
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    options.never_capture = not capture
    try:
        return re2.compile(translated, options)
    except re2.error as exc:
        raise PatternError(f"regex {pattern!r}: RE2 cannot run it ({exc})",
                           f"正規表現 {pattern!r} は RE2 で実行できません。{_re2_ja(str(exc))}") from None


def _re2_ja(problem: str) -> str:
    # RE2's words (as bytes' repr) for the limits a town meets
    if "invalid repetition size" in problem:
        return "繰り返しの回数が大きすぎます（RE2 では 1000 まで。入れ子の繰り返しは掛け合わせた回数です）"
    if "pattern too large" in problem:
        return "パターンが大きすぎます（繰り返しの入れ子を減らしてください）"
    return f"RE2 の理由: {problem}"


def _searcher(compiled):
    """The fastest way google-re2 offers to ask "is there a match": its C++ Match on UTF-8 bytes, which
    skips building a match object and mapping offsets back (a third of the cost); the public search
    where that is not there."""
    low = getattr(compiled, "_regexp", None)
    anchor = getattr(getattr(getattr(low, "__class__", None), "Anchor", None), "UNANCHORED", None)
    if low is None or anchor is None or not hasattr(low, "Match"):
        return lambda text: compiled.search(text) is not None
    match = low.Match

    def search(text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")
        return match(anchor, data, 0, len(data))[0][0] >= 0
    return search
