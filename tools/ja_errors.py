"""Count the `InputError(...)` sites whose message has no Japanese (no ja=, no **both(...), no Japanese
in the message text): what the Japanese command line still shows in English. Usage:

    python3 tools/ja_errors.py [--list]

tests/test_cli_japanese.py holds the count to a ceiling that may only go down."""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def sites() -> list:
    """(file, line, has_japanese) of every InputError(...) call in auditor/."""
    found = []
    for path in sorted((ROOT / "auditor").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "InputError":
                keywords = {k.arg for k in node.keywords}
                text = ast.get_source_segment(path.read_text(encoding="utf-8"), node.args[1]) if len(node.args) > 1 else ""
                ja = "ja" in keywords or None in keywords or bool(JAPANESE.search(text or ""))
                found.append((str(path.relative_to(ROOT)), node.lineno, ja))
    return found


def english_only() -> list:
    return [(f, n) for f, n, ja in sites() if not ja]


if __name__ == "__main__":
    every, left = sites(), english_only()
    if "--list" in sys.argv:
        for f, n in left:
            print(f"{f}:{n}")
    print(f"{len(every)} InputError sites; {len(every) - len(left)} with Japanese; {len(left)} English only")
