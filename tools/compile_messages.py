"""Write auditor/cli/messages.json: messages.yaml as parsed, with the SHA-256 of its bytes
(auditor/cli/i18n.py reads it instead of parsing the YAML, and only while that digest matches).
Run it after editing messages.yaml:
    python3 tools/compile_messages.py
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.cli import i18n  # noqa: E402


def main() -> int:
    folder = ROOT / "auditor" / "cli"
    raw = (folder / i18n.CATALOGUE).read_bytes()
    parsed = i18n.parse(raw)
    doc = {"source": i18n.CATALOGUE, "source_sha256": hashlib.sha256(raw).hexdigest(), "catalogue": parsed}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    if json.loads(text)["catalogue"] != parsed:  # a value JSON would change (a date, a number as a key)
        print(f"{i18n.CATALOGUE} holds a value JSON cannot keep as it is: keep every key and text a string",
              file=sys.stderr)
        return 1
    target = folder / i18n.COMPILED
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target.relative_to(ROOT)}: {len(parsed['messages'])} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
