#!/usr/bin/env python3
"""`python tools/nist_csf_crosswalk.py CSF2_EXPORT.xlsx`: rewrite auditor/frameworks/nist-csf-2.0.yaml.

The input is an export of NIST's CSF 2.0 Reference Tool (CPRT), sheet "CSF 2.0": one row per function,
category and subcategory, the informative references in the last column, one a line. The lines
"ISO/IEC 27001:2022: Annex A Controls: N" of each *subcategory* row are the links kept (Mandatory Clause
lines and category-level links are not). Only numbers are written: no text of NIST's or ISO's.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import openpyxl

OUT = Path(__file__).resolve().parent.parent / "auditor" / "frameworks" / "nist-csf-2.0.yaml"
FUNCTIONS = ["GV", "ID", "PR", "DE", "RS", "RC"]
LINE = re.compile(r"^ISO/IEC 27001:2022:\s*Annex A Controls?:\s*([5-8]\.\d{1,2})\s*$")
SUBCATEGORY = re.compile(r"^((GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}):")

HEADER = """\
# ISO/IEC 27001:2022 Annex A -> NIST Cybersecurity Framework (CSF) 2.0 subcategories: numbers only.
#
# Where it comes from: the informative references of NIST's CSF 2.0 Reference Tool (CPRT,
# https://csrc.nist.gov/Projects/Cybersecurity-Framework/Filters#/csf/filters), which list for each CSF 2.0
# subcategory the ISO/IEC 27001:2022 Annex A controls that NIST maps to it (NIST's ISO/IEC 27001:2022
# informative reference). Read by tools/nist_csf_crosswalk.py from the tool's export "csf2.xlsx"
# (sheet "CSF 2.0", generated {generated}, sha256 {sha256}),
# as kept in intuitem/ciso-assistant-community at commit 4ed30a8d342fc81e564ef3abee1ce4ef0d03732c
# (tools/excel/nist/csf2.xlsx).
# Kept: the subcategory-level lines "ISO/IEC 27001:2022: Annex A Controls: N" ({links} links over {controls}
# Annex A controls); left out: the Mandatory Clause lines and the links NIST gives at function or category
# level. Annex A controls absent here have no subcategory-level link in that export.
#
# Every NIST CSF 2.0 reference the auditor shows for an audit item or a control is DERIVED through this
# table (ISO/IEC 27002:2022 number -> the same-numbered ISO/IEC 27001:2022 Annex A control -> the
# subcategories below) and is marked as derived: it is NIST's mapping of the Annex A control, not a
# judgement about the item. The reverse view (subcategory -> Annex A) is the same links read backwards.
"""


def links(path: Path) -> tuple[dict, str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    generated = ""
    for row in wb["Introduction"].iter_rows(values_only=True):
        if row and row[0] == "Generated Date":
            generated = str(row[1])[:10]
    found: dict[str, list[str]] = {}
    for row in wb["CSF 2.0"].iter_rows(min_row=3, values_only=True):
        row = (list(row) + [None] * 5)[:5]
        sub, refs = row[2], row[4]
        match = SUBCATEGORY.match(str(sub or ""))
        if not match or not refs:
            continue
        for line in str(refs).splitlines():
            hit = LINE.match(line.strip())
            if hit and match.group(1) not in found.setdefault(hit.group(1), []):
                found[hit.group(1)].append(match.group(1))
    return found, generated


def _order(sub: str):
    fn, rest = sub.split(".")
    cat, num = rest.split("-")
    return FUNCTIONS.index(fn), cat, int(num)


def main(argv) -> int:
    import hashlib

    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[1])
    found, generated = links(source)
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    keys = sorted(found, key=lambda k: tuple(int(x) for x in k.split(".")))
    total = sum(len(v) for v in found.values())
    out = [HEADER.format(generated=generated, sha256=sha, links=total, controls=len(keys)),
           "crosswalk:\n  from: iso27001-2022-annex-a\n  to: nist-csf-2.0\n",
           f"  source: {{publisher: NIST, tool: CSF 2.0 Reference Tool, generated: \"{generated}\", "
           f"sha256: {sha}}}\n",
           "annex_a:\n"]
    for key in keys:
        out.append(f"  \"A.{key}\": [{', '.join(sorted(found[key], key=_order))}]\n")
    OUT.write_text("".join(out), encoding="utf-8")
    print(f"wrote {OUT}: {total} links over {len(keys)} Annex A controls")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
