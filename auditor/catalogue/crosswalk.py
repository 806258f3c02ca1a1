"""References across frameworks, for audit items and controls alike.

ISO/IEC 27001:2022 Annex A numbers are those of ISO/IEC 27002:2022 (8.22 -> A.8.22); NIST CSF 2.0
subcategories follow from the Annex A numbers through NIST's own mapping, kept as numbers in
auditor/frameworks/nist-csf-2.0.yaml. Whatever is filled in that way is listed under `derived`, so that
a report never presents a derived link as the map's own."""
from __future__ import annotations

import functools

from .. import yamlio
from ..errors import InputError

FILE = "nist-csf-2.0.yaml"
ORDER = ("guideline", "measure", "iso27002", "iso27001", "nist_csf")  # how refs are listed
FUNCTIONS = ("GV", "ID", "PR", "DE", "RS", "RC")
LABELS = {"guideline": ("総務省ガイドライン", "MIC guideline"), "measure": ("施行規則第16条の3 措置", "Ordinance measure"),
          "iso27002": ("ISO/IEC 27002:2022", "ISO/IEC 27002:2022"),
          "iso27001": ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022"), "nist_csf": ("NIST CSF 2.0", "NIST CSF 2.0")}


@functools.lru_cache(maxsize=1)
def table() -> dict:
    """Annex A control ("A.8.22") -> the CSF 2.0 subcategories NIST maps it to."""
    from ..defaults import shipped_frameworks

    path = shipped_frameworks() / FILE
    data, located = yamlio.read_config(path)
    links = data.get("annex_a") if isinstance(data, dict) else None
    if not isinstance(links, dict) or not all(isinstance(v, list) for v in links.values()):
        raise InputError(path, "not a crosswalk: annex_a must map Annex A numbers to lists of subcategories",
                         ja="対応表ではありません。annex_a は附属書 A の番号からサブカテゴリのリストへの対応にしてください")
    return {str(k): tuple(v) for k, v in links.items()}


def _csf_key(sub: str):
    fn, _, rest = sub.partition(".")
    cat, _, num = rest.partition("-")
    return (FUNCTIONS.index(fn) if fn in FUNCTIONS else len(FUNCTIONS), cat, int(num) if num.isdigit() else 0)


def complete(refs) -> dict:
    """The refs as given, with iso27001 (from iso27002) and nist_csf (from the Annex A numbers) derived
    where they are not given, and `derived` naming what was. Keys in a fixed order."""
    refs = {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in dict(refs or {}).items()}
    derived = []
    if "iso27001" not in refs and refs.get("iso27002"):
        refs["iso27001"] = [f"A.{n}" for n in refs["iso27002"]]
        derived.append("iso27001")
    if "nist_csf" not in refs and refs.get("iso27001"):
        links = table()
        found = {s for a in refs["iso27001"] for s in links.get(a, ())}
        if found:
            refs["nist_csf"] = sorted(found, key=_csf_key)
            derived.append("nist_csf")
    out = {k: refs[k] for k in ORDER if k in refs}
    out.update({k: v for k, v in refs.items() if k not in out and k != "derived"})
    if derived:
        out["derived"] = derived
    return out


def source_of(refs: dict) -> str:
    """A readable one-line source from the refs, e.g. "総務省ガイドライン 3.1 / ISO/IEC 27002:2022 8.22"."""
    parts = []
    for key in ("guideline", "iso27002") if refs.get("guideline") or refs.get("iso27002") else ORDER:
        if refs.get(key) and key not in refs.get("derived", ()):
            parts.append(f"{LABELS[key][0]} {', '.join(str(v) for v in refs[key])}")
    return " / ".join(parts)


def render(refs: dict, lang: str) -> list[str]:
    """One line per framework: label, numbers, and (derived) where the link was derived."""
    mark = {"ja": "（導出）", "en": " (derived)"}[lang]
    index = 0 if lang == "ja" else 1
    return [f"{LABELS[k][index]} {', '.join(str(v) for v in refs[k])}" + (mark if k in refs.get("derived", ()) else "")
            for k in ORDER if refs.get(k)]
