#!/usr/bin/env python3
"""A rule predicate over 500,000 rows: tested on every row (the reference) and once per distinct value.

    .venv/bin/python bench/predicates.py

Prints the median of 5 runs of each way for a few predicate shapes over two columns shaped like the
peers' training roster at x100 (2 courses; 365 dates and blanks). Asserts only that both ways agree.
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from auditor.catalogue import rules
from auditor.catalogue.rules import predicates
from auditor.fiscal import FiscalYear

N = 500_000
SHAPES = [{"course": "security-basic", "completed_on": {"in_fy": True}},
          {"completed_on": {"in_fy": True}},
          {"course": {"regex": "basic$"}},
          {"completed_on": {"le": {"date": {"field": "completed_on"}, "plus": {"days": 30}}}}]


def main() -> None:
    fy = FiscalYear(2025)
    ctx = rules.Context({"fiscal_year": 2025, "fy_start": fy.start, "fy_end": fy.end, "as_of": fy.end},
                        fy, fy.end, {}, {}, {})
    rng = random.Random(1)
    days = [fy.start + dt.timedelta(days=i) for i in range(365)]
    columns = {"course": [rng.choice(["security-basic", "security-advanced"]) for _ in range(N)],
               "completed_on": [rng.choice(days + [None]) for _ in range(N)]}
    for where in SHAPES:
        pred = predicates.compile_predicate(where, ctx, "training_records")
        times, picked = {}, {}
        for per_row in (True, False):
            predicates._PER_ROW = per_row
            runs = []
            for _ in range(5):
                t0 = time.perf_counter()
                picked[per_row] = pred.select(columns, size=N)
                runs.append(time.perf_counter() - t0)
            times[per_row] = statistics.median(runs)
        assert picked[True] == picked[False]
        print(f"{times[True]:7.3f} s every row  {times[False]:7.3f} s as run  "
              f"({'once per value' if pred.per_value else 'row by row'})  {where}")


if __name__ == "__main__":
    main()
