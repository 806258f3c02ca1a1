"""What the columns of one evidence table hold, for `auditor inspect`: a type for each column, a
`values:` map for the enumerations and flags the kind's aliases do not read, the values nobody can
guess, and warnings (dates that do not read, blank keys, keys that lost their leading zeros).

Every cell is read by the kind's own normalisers (kinds.KindSpec), so a value that inspect calls
readable is one that `check` reads. Cells are masked for My Numbers before anything looks at them.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import Counter

from . import normalize
from ..privacy import mynumber

ENUM_MAX = 12  # distinct values up to which a text column is shown as an enumeration
SHOWN = 5  # lines or values quoted per warning

_WAREKI = re.compile(r"^(明治|大正|昭和|平成|令和|[MTSHR]\.?\s*\d)|元年|㋿|㍻", re.I)
_TRUE_MARKS = ("済", "有", "あり", "設定", "導入", "対応", "実施", "施行", "現行", "可", "○", "〇", "◯", "✓", "✔",
               "レ", "yes", "on", "enabled", "true")
_FALSE_MARKS = ("未", "無", "なし", "不", "非", "×", "✕", "否", "停止", "廃止", "失効", "off", "no", "disabled", "false")
_EXCEL_TEXT = re.compile(r'^="(.*)"$')
ZERO_FORMAT = re.compile(r"^0+$")


def _key(text) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def shown(value) -> str:
    text = mynumber.mask(str(value))
    return text if len(text) <= 30 else text[:27] + "…"


def mask_table(table) -> dict:
    """Mask every My Number in the table's columns, in place -> {header: how many cells held one}."""
    found = {}
    for label, column in table.columns.items():
        n = 0
        for i, cell in enumerate(column):
            masked = mynumber.mask_cell(cell)
            if masked is not cell:
                column[i] = masked
                n += 1
        if n:
            found[label] = n
    return found


# ---- the type of a column ----

def _date_form(value) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return "Excel"
    text = normalize.nfkc(value)
    try:
        if normalize.parse_date(text) is None:
            return None
    except ValueError:
        return None
    if _WAREKI.search(text):
        return "和暦"
    if "年" in text:
        return "YYYY年M月D日"
    if re.fullmatch(r"\d{8}", text):
        return "YYYYMMDD"
    sep = next((c for c in "-/." if c in text), "-")
    return f"YYYY{sep}M{sep}D"


def column_type(column) -> dict:
    """{ja, en} describing what a column holds: empty, dates (and their forms), yes/no, numbers, an
    enumeration of a few values, codes with leading zeros, or text."""
    values = [tuple(v) if isinstance(v, list) else v for v in column if v not in (None, "", [])]
    if not values:
        return {"ja": "空", "en": "empty"}
    if any(isinstance(v, tuple) for v in values):
        return {"ja": "一覧", "en": "lists"}
    distinct = list(dict.fromkeys(values))
    forms = Counter(_date_form(v) for v in distinct[:300])
    if None not in forms or (forms[None] <= len(distinct) * 0.1 and len(forms) > 1):
        forms_seen = ", ".join(f for f, _ in forms.most_common() if f)
        bad = f"; 読めない値 {forms[None]}" if forms[None] else ""
        return {"ja": f"日付（{forms_seen}{bad}）", "en": f"dates ({forms_seen}{'; ' + str(forms[None]) + ' unreadable' if forms[None] else ''})"}
    if all(_reads(normalize.parse_bool, v) for v in distinct):
        return {"ja": "はい/いいえ", "en": "yes/no"}
    if all(isinstance(v, (int, float)) or _reads(normalize.parse_number, v) for v in distinct):
        zeros = [v for v in distinct if isinstance(v, str) and len(v) > 1 and v.isdigit() and v.startswith("0")]
        if zeros:
            return {"ja": f"先頭0のある番号（例: {shown(zeros[0])}）", "en": f"codes with leading zeros (e.g. {shown(zeros[0])})"}
        return {"ja": "数値", "en": "numbers"}
    if len(distinct) <= ENUM_MAX and len(values) >= 2 * len(distinct):
        return {"ja": f"{len(distinct)} 種類の値", "en": f"{len(distinct)} distinct values"}
    return {"ja": "文字列", "en": "text"}


def _reads(parse, value) -> bool:
    try:
        return parse(value) is not None
    except (ValueError, TypeError):
        return False


# ---- values: maps ----

def guess_enum(enum: str, raw) -> str | None:
    """The canonical value a cell the aliases do not read most likely means: an alias it contains (the
    longest), or one it closely resembles (正職員 ~ 正規職員); None when nothing is close or two are."""
    key = _key(raw)
    table = {_key(a): c for a, c in normalize.ALIASES[enum].items()}
    inside = sorted(((len(a), c) for a, c in table.items() if len(a) >= 2 and a in key), reverse=True)
    if inside and (len(inside) == 1 or inside[0][0] > inside[1][0] or inside[0][1] == inside[1][1]):
        return inside[0][1]
    scored = sorted(((difflib.SequenceMatcher(None, key, a).ratio(), c) for a, c in table.items()), reverse=True)
    if scored and scored[0][0] >= 0.75 and (len(scored) == 1 or scored[1][1] == scored[0][1]
                                            or scored[0][0] - scored[1][0] >= 0.1):
        return scored[0][1]
    return None


def guess_bool(raw) -> bool | None:
    """True or False for a flag the kind's words do not read (設定済, 未導入, 施行中); None when unclear.
    Japanese marks count anywhere in the cell, English words only as the whole cell."""
    key = _key(raw)

    def has(marks):
        return any((m == key) if m.isascii() else (m in key) for m in marks)
    if has(_FALSE_MARKS):
        return False
    if has(_TRUE_MARKS):
        return True
    return None


def propose_values(spec, name: str, column, lines) -> tuple[dict, list]:
    """-> ({raw: meaning} for the cells of an enumeration or flag field that the kind does not read,
    [(raw, rows, first line)] of those nobody can guess)."""
    xtype, enum = spec.fields[name]
    _, problems, _ = spec.convert_column(name, list(column))
    counts: Counter = Counter()
    first: dict = {}
    for i, *_ in problems:
        raw = column[i]
        counts[raw] += 1
        first.setdefault(raw, lines[i])
    values, unknown = {}, []
    for raw, n in counts.most_common():
        meaning = guess_bool(raw) if xtype == "bool" else guess_enum(enum, raw) if xtype == "enum" else None
        if meaning is None:
            unknown.append((raw, n, first[raw]))
        else:
            values[_raw_key(raw)] = meaning
    return values, unknown


def _raw_key(raw):
    """A cell as a values: key: text as written (stripped); a whole Excel number as the number."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw.strip() if isinstance(raw, str) else raw


def allowed(spec, name: str) -> list[str]:
    xtype, enum = spec.fields[name]
    if xtype == "bool":
        return ["true", "false"]
    return sorted(set(normalize.ALIASES[enum].values())) if xtype == "enum" else []


# ---- warnings about one column ----

def unreadable(spec, name: str, column, lines) -> tuple[int, list, list]:
    """Cells of a date or number field that do not read -> (how many, first lines, example values)."""
    _, problems, _ = spec.convert_column(name, list(column))
    return len(problems), [lines[i] for i, *_ in problems[:SHOWN]], \
        list(dict.fromkeys(shown(column[i]) for i, *_ in problems))[:3]


def blank_keys(spec, name: str, column, lines) -> list:
    """Lines of the rows whose key field reads as no value."""
    values, _, _ = spec.convert_column(name, list(column))
    return [lines[i] for i, v in enumerate(values) if v in (None, [])]


def lost_zeros(spec, name: str, column, lines, shown_as=None) -> list[dict]:
    """Keys that lost, or may have lost, the leading zeros the office wrote:

    - number cells that the sheet shows zero-padded (format 00000) but that read without the zeros;
    - cells written ="01200" (Excel's trick to keep them) that read with the quotes;
    - digit-only keys shorter than the others where the others start with 0 (0012 beside 123).
    shown_as: i -> the text the sheet shows for cell i (xlsx number formats), when known."""
    values, _, _ = spec.convert_column(name, list(column))
    found = []
    padded = [i for i, text in (shown_as or {}).items() if values[i] is not None and values[i] != text]
    if padded:
        found.append({"code": "zero_format", "lines": [lines[i] for i in padded[:SHOWN]], "count": len(padded),
                      "example": (shown(values[padded[0]]), shown(shown_as[padded[0]]))})
    quoted = [i for i, raw in enumerate(column) if isinstance(raw, str) and _EXCEL_TEXT.match(raw.strip())
              and values[i] != _EXCEL_TEXT.match(raw.strip()).group(1)]
    if quoted:
        inner = _EXCEL_TEXT.match(column[quoted[0]].strip()).group(1)
        found.append({"code": "excel_text", "lines": [lines[i] for i in quoted[:SHOWN]], "count": len(quoted),
                      "example": (shown(values[quoted[0]]), shown(inner))})
    digits = [(i, v) for i, v in enumerate(values) if isinstance(v, str) and v.isdigit()]
    if len(digits) >= 3:
        lengths = Counter(len(v) for _, v in digits)
        usual, n = lengths.most_common(1)[0]
        zeros = [v for _, v in digits if len(v) == usual and v.startswith("0")]
        short = [i for i, v in digits if len(v) < usual and i not in padded]
        if zeros and short and n >= len(digits) / 2:
            found.append({"code": "short_keys", "lines": [lines[i] for i in short[:SHOWN]], "count": len(short),
                          "example": (shown(values[short[0]]), shown(zeros[0])), "usual": usual})
    return found


_FOOTER_WORDS = re.compile(r"^\s*(合計|小計|総計|計\b|計\s|以上|※|注[）)：:]|total|sum)", re.I)


def footer_lines(table, tail: int = 3) -> list:
    """Lines of the last rows with a cell that reads like a total or a note (合計, 計 45名, ※以上)."""
    lines = list(table.lines)
    out = []
    for i in range(max(0, len(lines) - tail), len(lines)):
        cells = [c[i] for c in table.columns.values()]
        if any(isinstance(c, str) and _FOOTER_WORDS.match(unicodedata.normalize("NFKC", c)) for c in cells):
            out.append(lines[i])
    return out


def personal_header(label) -> bool:
    """A header that names My Numbers (個人番号, マイナンバー), not a flag about My Number work."""
    key = _key(label)
    return any(w in key for w in ("個人番号", "マイナンバー", "mynumber")) and not any(
        w in key for w in ("事務", "work", "系", "zone", "利用"))
