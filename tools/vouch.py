"""Write auditor/schemas/vouched.json: the digests of the shipped control files and audit map, after
checking each against its schema (auditor/catalogue/vouched.py), and vouched-loaded.jsonl: the same files
as loaded, which a first run reads instead of their YAML. Run it after changing a shipped file:
    python3 tools/vouch.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor import schema, yamlio  # noqa: E402
from auditor.catalogue import vouched  # noqa: E402


def main() -> int:
    for path, name in vouched.shipped():
        data, located = yamlio.read_config(path)
        schema.validate(data, name, path, located)  # raises on a file that is not valid
    table = vouched.current()
    target = ROOT / "auditor" / "schemas" / vouched.NAME
    target.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    loaded = ROOT / "auditor" / "schemas" / vouched.LOADED
    loaded.write_text(vouched.loaded_lines(), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)} and {loaded.relative_to(ROOT)}: {len(table['files'])} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
