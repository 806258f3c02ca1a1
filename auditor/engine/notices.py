"""Result notices: what a result rests on (a control's notes) and joins whose keys hardly meet.

A notice never changes a status; it says, in both languages and in every output, why a result
may not mean what it seems to (0 of 6 training records matched the roster) or what it counted.
"""
from __future__ import annotations

import datetime as dt

from ..catalogue import rules
from ..privacy import mynumber


def _notice(code: str, level: str, ja: str, en: str, files=()) -> dict:
    return {"code": code, "level": level, "message": {"ja": mynumber.mask(ja), "en": mynumber.mask(en)},
            "files": list(files)}


def join(j, files: dict) -> dict:
    """A data-quality warning for a rules.Join: both files, the shares matched and a few unmatched keys."""
    outer_files, inner_files = files.get(j.outer) or [j.outer], files.get(j.inner) or [j.inner]
    of, inf = "、".join(outer_files), "、".join(inner_files)
    of_en, inf_en = ", ".join(outer_files), ", ".join(inner_files)
    ofields, ifields = "+".join(o for o, _ in j.on), "+".join(i for _, i in j.on)
    os_, is_ = ", ".join(j.outer_unmatched) or "—", ", ".join(j.inner_unmatched) or "—"
    ja = (f"{of}（{ofields}）と {inf}（{ifields}）の突合がほとんど一致しません。相手側に見つかった記録は、{of} の対象 "
          f"{j.outer_keyed} 件中 {j.outer_matched} 件、{inf} の {j.inner_keyed} 件中 {j.inner_matched} 件です。"
          f"一致しない値の例: {of} {os_}／{inf} {is_}。両方の ID の書き方（桁数・先頭のゼロ・接頭辞）をそろえるか、"
          "マニフェストの values: で対応付けてください。この結果の指摘はこの突合に基づいています。")
    en = (f"{of_en} ({ofields}) and {inf_en} ({ifields}) hardly match: {j.outer_matched} of {j.outer_keyed} "
          f"records in scope in {of_en} and {j.inner_matched} of {j.inner_keyed} records in {inf_en} found a "
          f"counterpart. Unmatched values, e.g. {of_en}: {os_}; {inf_en}: {is_}. Write the IDs alike in both files "
          "(digits, leading zeros, prefixes) or map them under values: in the manifest; this result's findings "
          "rest on this join.")
    return _notice("join_mismatch", "warning", ja, en, [*outer_files, *inner_files])


def near_miss(m, files: dict) -> dict:
    """A data-quality warning for a keyforms.NearMiss: keys that would match, written alike."""
    outer_files, inner_files = files.get(m.outer) or [m.outer], files.get(m.inner) or [m.inner]
    of, inf = "、".join(outer_files), "、".join(inner_files)
    of_en, inf_en = ", ".join(outer_files), ", ".join(inner_files)
    ofields, ifields = "+".join(o for o, _ in m.on), "+".join(i for _, i in m.on)
    pairs_ja = "、".join(f"{a} と {b}" for a, b in m.examples)
    pairs_en = ", ".join(f"{a} and {b}" for a, b in m.examples)
    ja = (f"{of}（{ofields}）の {m.count} 件は、{inf}（{ifields}）の値と先頭のゼロ・区切り記号・大文字小文字の違い"
          f"だけで一致しません（例: {pairs_ja}）。同じ ID であれば、両方のファイルで書き方をそろえるか、マニフェストの "
          f"values: で対応付けてください。この {m.count} 件の指摘は、ID の書き方の違いによるものかもしれません。")
    records, these = ("1 record", "this finding") if m.count == 1 else (f"{m.count} records", f"these {m.count} findings")
    en = (f"{records} of {of_en} ({ofields}) miss a value of {inf_en} ({ifields}) only by leading zeros, "
          f"a separator or letter case (e.g. {pairs_en}). If they are the same IDs, write them alike in both files "
          f"or map them under values: in the manifest; {these} may come from how the IDs are written.")
    return _notice("join_near_miss", "warning", ja, en, [*outer_files, *inner_files])


def notes(control, ctx, base: dict) -> list[dict]:
    """The control's notes whose `when` holds, with parameters filled in (base: lang -> values)."""
    out = []
    for note in control.notes:
        if rules.applies(note, ctx):
            text = {lang: _fill(note[lang], base[lang], lang) for lang in ("ja", "en")}
            out.append(_notice("basis", "info", text["ja"], text["en"]))
    return out


class _Values(dict):
    def __missing__(self, key):
        return "?"


def _shown(value, lang: str):
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "ja" else ", ").join(str(v) for v in value)
    return value.isoformat() if isinstance(value, dt.date) else value


def _fill(template: str, values: dict, lang: str) -> str:
    try:
        return template.format_map(_Values({k: _shown(v, lang) for k, v in values.items()}))
    except (IndexError, ValueError, AttributeError, KeyError, TypeError):
        return template
