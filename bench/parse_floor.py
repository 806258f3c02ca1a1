#!/usr/bin/env python3
"""Parse-only floors: read every file of an evidence folder and nothing else (no normalising, no rules,
no report). Prints the row count.

    python3 bench/parse_floor.py EVIDENCE_DIR              # the parsers auditor uses
    PYTHON bench/parse_floor.py --records EVIDENCE_DIR     # a parse that builds records

The first cuts CSV as auditor does (its whole-text split for plain exports, else the csv module) and YAML
with auditor's line-slicing fast path (auditor/evidence/readers/fastyaml.py) or libyaml, JSON with the
json module: a floor for the cutting alone. The second builds one dict per row, as a plain Python
checker would: csv.DictReader, and yaml-rs (a Rust YAML loader, PyPI yaml-rs) when the python running it
has it, else PyYAML's C loader; it does not import auditor, so the peers' venv can run it.
"""
import csv
import io
import json
import sys
from pathlib import Path


def cutters(folder: Path) -> int:
    import yaml

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from auditor.evidence import readers
    from auditor.evidence.readers import fastyaml

    rows = 0
    for path in sorted(folder.iterdir()):
        if path.name == "manifest.yaml":
            continue
        text = path.read_bytes().decode("utf-8-sig")
        if path.suffix == ".csv":
            plain = readers._split_plain_csv(text, ",")
            rows += plain[2] if plain else sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1
        elif path.suffix == ".yaml":
            rest, fast = fastyaml.split(text)
            rows += sum(len(lines) for _, lines in fast.values())
            yaml.load(rest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        elif path.suffix == ".json":
            rows += len(json.loads(text))
    return rows


def records(folder: Path) -> int:
    try:
        import yaml_rs
        load_yaml = yaml_rs.loads
    except ImportError:
        import yaml
        def load_yaml(text):
            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    rows = 0
    for path in sorted(folder.iterdir()):
        if path.name == "manifest.yaml":
            continue
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8-sig") as fh:
                rows += len(list(csv.DictReader(fh)))
        elif path.suffix in (".yaml", ".json"):
            text = path.read_text(encoding="utf-8-sig")
            doc = load_yaml(text) if path.suffix == ".yaml" else json.loads(text)
            lists = [v for v in doc.values() if isinstance(v, list)] if isinstance(doc, dict) else [doc]
            rows += sum(len(v) for v in lists)
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    print(records(Path(args[1])) if args[0] == "--records" else cutters(Path(args[0])))
