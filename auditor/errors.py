"""The one exception type for unusable input: it names the file, the line and what to do."""
from __future__ import annotations

import errno
import re

# "English text / 日本語の文" in one message: the English part, for an English line.
_BILINGUAL = re.compile(r"\s+/\s+(?=[^/]*[\u3040-\u30ff\u4e00-\u9fff])[^/]*$")


class InputError(Exception):
    """Bad user input. The CLI prints it without a traceback and exits 2.

    `message` and `hint` are English; `ja` and `hint_ja` their Japanese (the command line shows the
    language it speaks). A message without `ja` is shown as it is in Japanese, and an "English / 日本語"
    one without its Japanese tail in English (none is written so: tools/ja_errors.py counts them, held at 0)."""

    def __init__(self, path, message: str = "", line: int | None = None, hint: str | None = None, *,
                 ja: str | None = None, hint_ja: str | None = None, en: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = en if en is not None else message
        self.hint = hint
        self.ja, self.hint_ja = ja, hint_ja
        super().__init__(self.render())

    def render(self, lang: str | None = None) -> str:
        """FILE:LINE: message, and the hint on its own line; in `lang` when given (ja or en)."""
        where = self.path or "<input>"
        if self.line:
            where += f":{self.line}"
        message, hint = self.message, self.hint
        if lang == "ja":
            message, hint = self.ja or message, self.hint_ja or hint
        elif lang == "en":
            message, hint = _english(message), _english(hint)
        text = f"{where}: {message}"
        if hint:
            text += f"\n  hint: {hint}"
        return text


def _english(text):
    """The English part of an "English / 日本語" text (each line of it)."""
    if not text:
        return text
    return "\n".join(_BILINGUAL.sub("", line) for line in text.split("\n"))


class Unreadable(ValueError):
    """A cell or value that cannot be read, said in both languages: str() is the English (as a plain
    ValueError's), `ja` the Japanese. Raised by the normalisers (evidence/normalize.py, fiscal.py)."""

    def __init__(self, en: str, ja: str):
        super().__init__(en)
        self.ja = ja


def reason(exc: Exception, lang: str) -> str:
    """A ValueError's text in `lang`: an Unreadable's Japanese, otherwise its only text."""
    return getattr(exc, "ja", None) or str(exc) if lang == "ja" else str(exc)


# The system's reasons a town meets when a file cannot be read or written, in our Japanese words.
_OS_JA = {
    errno.EACCES: "アクセスする権限がありません", errno.EPERM: "その操作は許可されていません",
    errno.ENOENT: "ファイルまたはフォルダがありません", errno.ENOTDIR: "途中の名前がフォルダではありません",
    errno.EISDIR: "ファイルではなくフォルダです", errno.EEXIST: "同じ名前のものがすでにあります",
    errno.ENOSPC: "ディスクの空きがありません", errno.EDQUOT: "ディスクの使用量の上限を超えています",
    errno.EROFS: "読み取り専用の場所です", errno.EBUSY: "ほかのプログラムが使用中です",
    errno.ENAMETOOLONG: "名前が長すぎます", errno.ELOOP: "シンボリックリンクが循環しています",
    errno.EMFILE: "開いているファイルが多すぎます", errno.EIO: "入出力のエラーです（ディスクやネットワークを確かめてください）",
    errno.EXDEV: "別のドライブへは移せません", errno.ETXTBSY: "実行中のファイルです", errno.EFBIG: "ファイルが大きすぎます",
    errno.EINVAL: "この名前や操作は使えません", errno.ENXIO: "装置が見つかりません",
}


def os_reason(exc: OSError, lang: str) -> str:
    """Why an OSError happened, in `lang`: the system's words in English, ours in Japanese."""
    en = exc.strerror or str(exc)
    return _OS_JA.get(exc.errno, en) if lang == "ja" else en


def import_reason(exc: Exception, lang: str) -> str:
    """Why an optional library could not be loaded, in `lang`: Python's words in English; in Japanese,
    ours: the module not installed, or the system library (Pango for WeasyPrint) it could not open."""
    if lang != "ja":
        return str(exc)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return f"モジュール {exc.name} がインストールされていません"
    if isinstance(exc, ImportError):
        what = f"{exc.name} の読み込み" if exc.name else "読み込み"
        return f"{what}に失敗しました（版が合っていないおそれがあります）"
    library = re.search(r"library '([^']+)'", str(exc))  # cffi's dlopen: cannot load library 'libpango-1.0-0'
    if library:
        return f"OS のライブラリ {library.group(1)} を読み込めません"
    return os_reason(exc, lang) if isinstance(exc, OSError) and exc.errno in _OS_JA else "読み込みに失敗しました"
