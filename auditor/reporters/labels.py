"""The reports' bilingual labels and sentence templates (templates/labels.yaml)."""
from __future__ import annotations

import functools
from importlib import resources

import yaml

from ..fiscal import FiscalYear
from ..model import STATUS_LABELS


@functools.lru_cache(maxsize=None)
def labels() -> dict:
    """Bilingual labels and sentence templates (templates/labels.yaml); status names as in messages."""
    text = (resources.files("auditor.reporters") / "templates" / "labels.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for lang in ("ja", "en"):
        data[lang]["status"].update(STATUS_LABELS[lang])
    return data


def fy_ja(year) -> str:
    """A fiscal year as Japanese prose writes it (令和6年度), as the rest of the report does
    (the labels' {fy_ja})."""
    return FiscalYear(int(year)).label_ja
