"""My Numbers in a table just read: masked in place before any other code sees the cells."""
from __future__ import annotations

from ..privacy import mynumber


def mask(table) -> tuple[list, set]:
    """Mask every cell holding a My Number, in place; -> (the (row, column label) of each one, the labels
    of the columns that hold only text and blanks, which the normalisers then need not check again).

    One scan per column finds nothing in most files; only then are the cells looked at one by one.
    """
    rows, plain = set(), set()
    for label, column in table.columns.items():
        types = {str} if label in table.pristine else set(map(type, column))
        if types <= {str, type(None)}:
            plain.add(label)
            texts = column if type(None) not in types else [v for v in column if v is not None]
        else:
            texts = [v if isinstance(v, str) else "\x00".join(map(str, v)) if isinstance(v, list) else str(v)
                     for v in column]
        if not mynumber.might_contain(texts):
            continue
        for i, cell in enumerate(column):
            masked = mynumber.mask_cell(cell)  # text, lists, and Excel number cells
            if masked is not cell:
                column[i] = masked  # never copy a My Number further than this function
                rows.add((i, label))
    return sorted(rows), plain
