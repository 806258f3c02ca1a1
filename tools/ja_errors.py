"""Count the `InputError(...)` sites by the languages of their message: English only (no ja=, no
**both(...), no Japanese in the message text), what the Japanese command line still shows in English;
mixed (Japanese in the message text but no ja=), where a Japanese reader gets English with a
Japanese fragment and an English reader gets Japanese; and hints without hint_ja=. Usage:

    python3 tools/ja_errors.py [--list]

tests/test_cli_japanese.py holds the counts to ceilings that may only go down (mixed and hints: 0)."""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def sites() -> list:
    """(file, line, has_ja, message_has_japanese, hint_without_ja) of every InputError(...) call in auditor/:
    has_ja is a ja= keyword (or **kwargs that may carry it)."""
    found = []
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "InputError":
                keywords = {k.arg: k.value for k in node.keywords}
                message = node.args[1] if len(node.args) > 1 else keywords.get("message", keywords.get("en"))
                text = ast.get_source_segment(source, message) if message is not None else ""
                has_ja = "ja" in keywords or None in keywords
                bare_hint = ("hint" in keywords or len(node.args) > 3) and "hint_ja" not in keywords and None not in keywords
                found.append((str(path.relative_to(ROOT)), node.lineno, has_ja, bool(JAPANESE.search(text or "")),
                              bare_hint))
    return found


def english_only() -> list:
    return [(f, n) for f, n, has_ja, japanese, _ in sites() if not has_ja and not japanese]


def mixed() -> list:
    """Sites whose English message holds Japanese instead of giving it as ja=."""
    return [(f, n) for f, n, has_ja, japanese, _ in sites() if not has_ja and japanese]


def english_hints() -> list:
    """Sites with a hint= and no hint_ja=: the Japanese line would end with an English hint."""
    return [(f, n) for f, n, _, _, bare_hint in sites() if bare_hint]


if __name__ == "__main__":
    every, left, both, hints = sites(), english_only(), mixed(), english_hints()
    if "--list" in sys.argv:
        for f, n in left:
            print(f"{f}:{n}: English only")
        for f, n in both:
            print(f"{f}:{n}: both languages in the message, no ja=")
        for f, n in hints:
            print(f"{f}:{n}: a hint without hint_ja=")
    print(f"{len(every)} InputError sites; {len(every) - len(left) - len(both)} with ja=; {len(left)} English only; "
          f"{len(both)} mixed (Japanese in the message, no ja=); {len(hints)} hints without hint_ja=")
