"""File names that are not UTF-8: a zip made on a Japanese Windows PC holds its names in Shift_JIS (cp932),
and `unzip` without `-O cp932` leaves those bytes as they are. Python reads such a name with lone
surrogates (os.fsdecode), which no output, YAML file or cache key can hold. Here they are shown as %NN
(one per byte), refused where a manifest would have to name them, and recognised when a manifest names the
file as it was meant to be called."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with each byte of a name that is not UTF-8 as %NN (%uNNNN for a surrogate of another origin)."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_escaped, text)


def printable_all(obj):
    """Every string of a nested document (keys too) as printable() writes it; mask My Numbers before: the
    %NN of a byte next to digits would hide a number from the scan."""
    if isinstance(obj, str):
        return printable(obj)
    if isinstance(obj, dict):
        return {printable_all(k): printable_all(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [printable_all(v) for v in obj]
    return obj


def _escaped(m) -> str:
    code = ord(m.group())
    return f"%{code - 0xdc00:02X}" if 0xdc80 <= code <= 0xdcff else f"%u{code:04X}"  # os.fsdecode's bytes


def meant(name: str) -> str | None:
    """What a name that is not UTF-8 says when read as Shift_JIS (cp932), or None."""
    try:
        text = os.fsencode(name).decode("cp932")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    # cp932 maps a few bytes no Shift_JIS text holds (0xFD-0xFF) to private-use characters
    return None if any(unicodedata.category(c) in ("Co", "Cc") for c in text) else text


def refuse(path: Path) -> None:
    """InputError when the path is not UTF-8: a manifest (UTF-8 YAML) could not name the file."""
    if printable(str(path)) == str(path):
        return
    shown, guess = printable(str(path)), meant(path.name)
    read_as = f" (read as Shift_JIS it says {guess})" if guess else ""
    read_as_ja = f"（Shift_JIS として読むと「{guess}」）" if guess else ""
    to, to_ja = (f"rename it to '{guess}'", f"「{guess}」に名前を変えるか") if guess else \
        ("rename it in UTF-8", "UTF-8 の名前に付け直すか")
    raise InputError(shown, f"the file name is not UTF-8{read_as}: a manifest can only name files in UTF-8",
                     hint=f"{to} (`convmv -f cp932 -t utf8 --notest FILE` renames such files), or unpack the zip again "
                          "with `unzip -O cp932`; then run the command again",
                     ja=f"ファイル名が UTF-8 ではありません{read_as_ja}。マニフェストには UTF-8 の名前しか書けません",
                     hint_ja=f"{to_ja}（`convmv -f cp932 -t utf8 --notest ファイル` で変換できます）、zip を "
                             "`unzip -O cp932` で展開し直してから、もう一度実行してください")


def twin(folder: Path, name: str) -> str | None:
    """The printable name of a file in `folder` that is `name` written in Shift_JIS bytes, or None."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return None
    for entry in entries:
        if printable(entry) != entry and meant(entry) == name:
            return printable(entry)
    return None
