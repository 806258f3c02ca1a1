"""One CSV writer for every CSV handed to Excel users: the report's findings and actions, and the
progress sheets sent to departments.

UTF-8 with a BOM by default, so Excel detects it; CP932 on request for older Excel. Characters CP932
lacks are first folded to a look-alike it has, the rest replaced with '?' and reported, never a crash.
"""
from __future__ import annotations

import csv
import io
from typing import Callable, Iterable

# Look-alikes CP932 has, for characters it lacks (the usual Unicode/JIS mapping gaps): the em dash
# "—" (U+2014) is written as CP932's "―" (U+2015), not as '?'.
CP932_FOLD = str.maketrans({"\u2014": "\u2015", "\u2013": "-", "\u00a0": " ", "\u2011": "-", "\u2010": "-"})


def encode(rows: Iterable[list], encoding: str, cell: Callable = str) -> tuple[bytes, list[str]]:
    """CSV bytes (CRLF, as Excel writes) of rows, each value passed through `cell` first, and notes
    on characters that had to be replaced."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([[cell(v) for v in row] for row in rows])
    return encode_text(buf.getvalue(), encoding)


def encode_text(text: str, encoding: str) -> tuple[bytes, list[str]]:
    if encoding != "cp932":
        return text.encode("utf-8-sig"), []
    text = text.translate(CP932_FOLD)
    lost = sorted({ch for ch in set(text) if not _encodable(ch)})
    notes = []
    if lost:
        count = sum(text.count(ch) for ch in lost)
        shown = " ".join(f"U+{ord(ch):04X}" for ch in lost[:10]) + (" …" if len(lost) > 10 else "")
        notes.append(f"{count} character(s) cannot be written in CP932 and were replaced with '?': {shown}"
                     f" / CP932 にない文字 {count} 字を '?' に置き換えました")
    return text.encode("cp932", errors="replace"), notes


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True
