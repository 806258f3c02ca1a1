"""Baselines: a previous `auditor check --format json` result whose open findings are known debt.

A finding still open under the same ID is "baselined": every report shows it, marked, but the
gate does not count it. Only findings that were *open* in the baseline count as known: one that
was waived then is not, so an exception that expires still fails the run (fail closed).
A control that had no evidence in the baseline and still has none is known debt in the same way;
a control that newly lacks evidence, and any control whose rule cannot be evaluated, reach the gate.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import jsonproblems
from ..errors import InputError, os_reason

HINT = "write it with `auditor check --format json --fail-on none -o FILE` (a baseline is check --format json output)"
HINT_JA = "`auditor check --format json --fail-on none -o FILE` で書き出してください（ベースラインは check --format json の出力ファイルです）"


@dataclass(frozen=True)
class Baseline:
    path: str
    known: frozenset  # IDs of the findings open in the baseline
    seen: frozenset  # IDs of every finding in the baseline, open or waived
    missing: frozenset = frozenset()  # IDs of the controls that were no_evidence in the baseline

    def covers(self, finding) -> bool:
        """An open finding that was already open in the baseline."""
        return finding.status == "open" and finding.id in self.known

    def covers_result(self, result) -> bool:
        """A control without evidence that was already without evidence in the baseline."""
        return result.status == "no_evidence" and result.control_id in self.missing

    def state(self, finding) -> str:
        """SARIF baselineState: whether the same finding was in the baseline at all."""
        return "unchanged" if finding.id in self.seen else "new"


def load(path) -> Baseline:
    """Read a baseline file; anything else is an InputError naming the file (exit 2)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "baseline file not found", hint=HINT, ja="ベースラインのファイルがありません",
                         hint_ja=HINT_JA) from None
    except IsADirectoryError:
        raise InputError(p, "baseline is a folder, not a file", hint=HINT, ja="ベースラインがファイルではなくフォルダです",
                         hint_ja=HINT_JA) from None
    except OSError as exc:
        raise InputError(p, f"cannot read the baseline: {exc.strerror or exc}", hint=HINT,
                         ja=f"ベースラインを読めません（{os_reason(exc, 'ja')}）", hint_ja=HINT_JA) from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(p, "baseline is not UTF-8 JSON", hint=HINT, ja="ベースラインが UTF-8 の JSON ではありません",
                         hint_ja=HINT_JA) from None
    except json.JSONDecodeError as exc:
        raise InputError(p, f"baseline is not valid JSON: {exc.msg}", line=exc.lineno, hint=HINT,
                         ja=f"ベースラインが正しい JSON ではありません（{jsonproblems.japanese(exc.msg)}）", hint_ja=HINT_JA) from None
    findings = _findings(doc)
    if findings is None:
        raise InputError(p, "not an auditor check result: expected `results`, each with a `findings` list "
                            "of objects with an `id`", hint=HINT, hint_ja=HINT_JA,
                         ja="auditor check の結果ではありません。`results` と、その各項目に `id` を持つ `findings` のリストが必要です")
    known = frozenset(f["id"] for f in findings if f.get("status", "open") == "open")
    missing = frozenset(r["control_id"] for r in doc["results"] if r.get("status") == "no_evidence")
    return Baseline(str(p), known, frozenset(f["id"] for f in findings), missing)


def _findings(doc) -> list | None:
    """The findings of a check result, or None when the document is not one."""
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        return None
    found = []
    for result in doc["results"]:
        if not isinstance(result, dict) or "control_id" not in result or not isinstance(result.get("findings"), list):
            return None
        for f in result["findings"]:
            if not isinstance(f, dict) or not isinstance(f.get("id"), str):
                return None
            found.append(f)
    return found
