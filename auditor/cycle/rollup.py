"""The prefecture roll-up: many towns' `auditor check --format json` results compared in one document.

It reads results, never evidence: each file is read, reduced to the figures the comparison needs and
dropped, so 1,741 towns fit on one machine. `read` checks one result, `build` compares them all (and
gives the towns stable pseudonyms with `anonymise`). A file that is not a check result, or a second
result of the same town and year, is an InputError naming the file (exit 2).
"""
from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import orjson

from .. import __version__, jsonproblems
from ..errors import InputError, os_reason
from ..fiscal import FiscalYear
from ..limits import read_regular
from ..model import STATUSES
from ..scoring import COMPLIANT

MAX_BYTES = 256 * 2**20  # one town's check result: the sample's is 0.3 MB
HINT = "give the output of `auditor check --format json -o FILE`"
HINT_JA = "`auditor check --format json -o FILE` が書き出したファイルを指定してください"
COUNTS = ("applicable", "assessed", "not_assessed", "compliant", "failed")


def collect(paths) -> list[Path]:
    """The result files: each file as given, and every *.json of a folder given (not its subfolders), sorted."""
    found, seen = [], set()
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".json" and not f.name.startswith("."))
            if not files:
                raise InputError(p, "the folder holds no .json result", hint=HINT,
                                 ja="フォルダに .json の結果がありません", hint_ja=HINT_JA)
            found += files
        elif p.exists():
            found.append(p)
        else:
            raise InputError(p, "no such file or folder", hint=HINT, ja="ファイルまたはフォルダがありません",
                             hint_ja=HINT_JA)
    unique = []
    for f in found:  # a file given twice (or by two names) is one result
        real = f.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(f)
    return unique


def read(path) -> dict:
    """One town's figures from its check result: name, fiscal year, the controls' statuses and the coverage."""
    p = Path(path)
    try:
        raw = read_regular(p, MAX_BYTES, p, option="a check result is never this large")
    except OSError as exc:
        raise InputError(p, f"cannot read the result: {exc.strerror or exc}",
                         ja=f"結果を読めません（{os_reason(exc, 'ja')}）") from None
    try:
        doc = orjson.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(p, "not UTF-8 JSON", hint=HINT, ja="UTF-8 の JSON ではありません", hint_ja=HINT_JA) from None
    except orjson.JSONDecodeError as exc:
        raise InputError(p, f"not valid JSON: {exc.msg}", line=exc.lineno, hint=HINT,
                         ja=f"JSON として読めません（{jsonproblems.japanese(exc.msg)}）", hint_ja=HINT_JA) from None
    problem = _problem(doc)
    if problem:
        en, ja = problem
        raise InputError(p, f"not an auditor check result: {en}", hint=HINT,
                         ja=f"auditor check の結果ではありません（{ja}）", hint_ja=HINT_JA)
    org = doc["organisation"]
    name = {"ja": org, "en": org} if isinstance(org, str) else {"ja": org.get("ja") or org["en"], "en": org.get("en") or org["ja"]}
    controls = {r["control_id"]: r["status"] for r in doc["results"] if r.get("kind", "control") == "control"}
    titles = {r["control_id"]: r["title"] for r in doc["results"]
              if r["status"] == "fail" and r.get("kind", "control") == "control" and isinstance(r.get("title"), dict)}
    evaluated = [s for s in controls.values() if s != "not_applicable"]
    compliant = sum(s in COMPLIANT for s in evaluated)
    cov = doc.get("coverage")
    return {"file": str(p), "name": name, "key": unicodedata.normalize("NFC", name["ja"].strip()),
            "fiscal_year": doc["fiscal_year"], "controls": controls, "titles": titles,
            "rate": {"evaluated": len(evaluated), "compliant": compliant, "failed": sum(s == "fail" for s in evaluated),
                     "rate": round(compliant / len(evaluated), 4) if evaluated else None},
            "coverage": None if cov is None else {
                "total": _group(cov["total"]), "required": cov["total"].get("required", 0),
                "required_not_met": list(cov["total"].get("required_not_met") or []),
                "by_chapter": {g["id"]: _group(g) for g in cov["by_chapter"]},
                "by_measure": {str(g["id"]): _group(g) for g in cov["by_measure"]},
                "titles": {"chapter": {g["id"]: g.get("title") for g in cov["by_chapter"]},
                           "measure": {str(g["id"]): g.get("title") for g in cov["by_measure"]}}}}


def _problem(doc) -> tuple | None:
    """What makes `doc` not a check result (English, Japanese), or None."""
    if not isinstance(doc, dict):
        return "the document is not an object", "文書がオブジェクトではありません"
    org = doc.get("organisation")
    if not (isinstance(org, str) and org.strip() or isinstance(org, dict) and any(
            isinstance(org.get(k), str) and org[k].strip() for k in ("ja", "en"))):
        return "no `organisation`", "`organisation` がありません"
    if not isinstance(org, str) and not all(isinstance(org.get(k), (str, type(None))) for k in ("ja", "en")):
        return "`organisation` is not {ja, en} text", "`organisation` が {ja, en} の文字列ではありません"
    if not isinstance(doc.get("fiscal_year"), int) or isinstance(doc["fiscal_year"], bool):
        return "no `fiscal_year`", "`fiscal_year` がありません"
    if not isinstance(doc.get("summary"), dict) or not isinstance(doc.get("results"), list):
        return "no `summary` and `results`", "`summary` と `results` がありません"
    for r in doc["results"]:
        if not isinstance(r, dict) or not isinstance(r.get("control_id"), str) or not isinstance(r.get("findings"), list):
            return "a result without `control_id` or `findings`", "`control_id` か `findings` のない結果があります"
        if r.get("status") not in STATUSES:
            return (f"{r['control_id']}: unknown status {r.get('status')!r}",
                    f"{r['control_id']}: 状態 {r.get('status')!r} は不明です")
    cov = doc.get("coverage")
    if cov is not None:
        groups = (cov.get("by_chapter"), cov.get("by_measure")) if isinstance(cov, dict) else (None, None)
        if not isinstance(cov, dict) or not isinstance(cov.get("total"), dict) or not all(
                isinstance(g, list) and all(isinstance(x, dict) and "id" in x for x in g) for g in groups):
            return ("`coverage` without `total`, `by_chapter` and `by_measure`",
                    "`coverage` に `total`、`by_chapter`、`by_measure` がありません")
        if not all(isinstance(x.get(k, 0), int) for x in (cov["total"], *groups[0], *groups[1]) for k in COUNTS):
            return "`coverage` counts that are not numbers", "`coverage` に数でない件数があります"
    return None


def _group(g: dict) -> dict:
    """The counts of one coverage group, with the rate (compliant / applicable) and the coverage (assessed / applicable)."""
    out = {k: g.get(k, 0) for k in COUNTS}
    n = out["applicable"]
    out["rate"] = round(out["compliant"] / n, 4) if n else None
    out["covered"] = round(out["assessed"] / n, 4) if n else None
    return out


def pseudonyms(keys) -> dict[str, dict]:
    """Town name -> {ja: 町A, en: Town A}, lettered in the order of the names' SHA-256 (A..Z, AA.., as
    spreadsheet columns), so a town keeps its letter for the same set of towns whatever the file order."""
    order = sorted(set(keys), key=lambda k: (hashlib.sha256(k.encode("utf-8")).hexdigest(), k))
    return {k: {"ja": f"町{_letters(i)}", "en": f"Town {_letters(i)}"} for i, k in enumerate(order)}


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def build(paths, anonymise: bool = False, progress=None) -> dict:
    """The roll-up document of the results at `paths` (files, or folders of them)."""
    towns, seen, titles = [], {}, {}
    chapters, measures = {}, {}
    failed, evaluated = {}, {}
    for path in collect(paths):
        t = read(path)
        ident = (t["key"], t["fiscal_year"])
        if ident in seen:
            raise InputError(path, f"a second result of {t['name']['en']} for FY{t['fiscal_year']} (the first is "
                                   f"{seen[ident]})", hint="give one result per town and year",
                             ja=f"{t['name']['ja']}の{FiscalYear(t['fiscal_year']).label_ja}の結果が2つあります（1つ目は {seen[ident]}）",
                             hint_ja="1つの団体・年度につき結果を1つだけ指定してください")
        seen[ident] = t["file"]
        for cid, status in t.pop("controls").items():
            if status != "not_applicable":
                evaluated[cid] = evaluated.get(cid, 0) + 1
            if status == "fail":
                failed[cid] = failed.get(cid, 0) + 1
        for cid, title in t.pop("titles").items():
            titles.setdefault(cid, title)
        if t["coverage"] is not None:
            for cid, title in t["coverage"]["titles"]["chapter"].items():
                chapters.setdefault(cid, title)
            for mid, title in t["coverage"].pop("titles")["measure"].items():
                measures.setdefault(mid, title)
        towns.append(t)
        if progress is not None:
            progress()
    names = pseudonyms(t["key"] for t in towns) if anonymise else {}
    for t in towns:
        del t["file"]  # a file name may name the town
        if anonymise:
            t["name"] = names[t["key"]]
    towns.sort(key=lambda t: (t["name"]["ja"] if not anonymise else _order(t["name"]["en"]), t["fiscal_year"]))
    for t in towns:
        del t["key"]
    most = sorted(failed, key=lambda c: (-failed[c], c))
    behind = sorted((t for t in towns if t["coverage"] and t["coverage"]["required_not_met"]),
                    key=lambda t: -len(t["coverage"]["required_not_met"]))
    rates = sorted(t["rate"]["rate"] for t in towns if t["rate"]["rate"] is not None)
    return {"tool": {"name": "auditor", "version": __version__}, "kind": "rollup", "anonymised": anonymise,
            "results": len(towns), "towns": len({ident[0] for ident in seen}),
            "fiscal_years": sorted({t["fiscal_year"] for t in towns}),
            "median_rate": _median(rates),
            "chapters": [{"id": k, "title": v} for k, v in sorted(chapters.items(), key=lambda kv: _num(kv[0]))],
            "measures": [{"id": k, "title": v} for k, v in sorted(measures.items(), key=lambda kv: _num(kv[0]))],
            "entries": towns,
            "most_failed": [{"control_id": c, "title": titles.get(c), "failed": failed[c], "evaluated": evaluated[c],
                             "share": round(failed[c] / evaluated[c], 4)} for c in most],
            "behind": [{"name": t["name"], "fiscal_year": t["fiscal_year"],
                        "required": t["coverage"]["required"], "not_met": len(t["coverage"]["required_not_met"])}
                       for t in behind]}


def _order(pseudonym: str) -> tuple:
    letters = pseudonym.rpartition(" ")[2]
    return len(letters), letters


def _num(key: str) -> tuple:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _median(values: list) -> float | None:
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else round((values[mid - 1] + values[mid]) / 2, 4)
