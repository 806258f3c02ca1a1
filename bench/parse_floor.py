#!/usr/bin/env python3
"""The parse-only floor: read every file of an evidence folder with the parsers auditor uses, nothing else.

    python3 bench/parse_floor.py EVIDENCE_DIR

CSV as auditor splits it (the csv module when quoted), YAML with auditor's line-slicing fast path (auditor/evidence/readers/fastyaml.py) or
libyaml, JSON with the json module; no normalising, no rules, no report. Prints the row count.
"""
import csv
import io
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from auditor.evidence.readers import fastyaml
from auditor.evidence import readers  # noqa: E402

rows = 0
for path in sorted(Path(sys.argv[1]).iterdir()):
    if path.name == "manifest.yaml":
        continue
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix == ".csv":  # auditor's whole-text split for plain exports, else the csv module
        plain = readers._split_plain_csv(text, ",")
        rows += plain[2] if plain else sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1
    elif path.suffix == ".yaml":
        rest, fast = fastyaml.split(text)
        rows += sum(len(lines) for _, lines in fast.values())
        yaml.load(rest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    elif path.suffix == ".json":
        rows += len(json.loads(text))
print(rows)
