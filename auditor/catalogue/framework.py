"""The audit map (framework): the guideline's chapters, sections and audit items (監査項目), how each
item is assessed (by controls, by an auditor's answer, or both), and its references to other frameworks.

A town may extend the shipped map (`base: shipped`: its sections and items are added, an item with a
shipped ID replaces it) or replace it (no `base`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import crosswalk, memo, vouched
from .. import schema, yamlio
from ..errors import InputError

SCOPES = ("organisation", "department")


@dataclass(frozen=True)
class Measure:
    """One of the eight measures of 施行規則 第16条の3 (binding from 令和9年7月1日)."""
    id: int
    title: dict
    transition: bool = False  # systems and contracts existing on the start date follow the former rules


@dataclass(frozen=True)
class Item:
    id: str
    title: dict
    chapter: str
    section: str
    measure: int | None
    required: bool = False
    scope: str = "organisation"  # organisation: one answer for the town; department: one per audited 課
    severity: str = "minor"  # of a finding from an auditor's answer (the auditor may override it)
    controls: tuple = ()  # automated: the controls whose results assess the item
    manual: tuple = ()  # {ja, en} each: what an auditor looks at (監査資料の例, in our own words)
    refs: dict = field(default_factory=dict)  # iso27002, iso27001, nist_csf (+ derived flags)
    selfcheck: dict | None = None  # {ja, en}: the item as a self-assessment question (None: made from the title)
    path: str = ""
    line: int | None = None

    @property
    def assessed_by(self) -> str:
        """rules, auditor, or both."""
        if self.controls and self.manual:
            return "both"
        return "rules" if self.controls else "auditor"


@dataclass(frozen=True)
class Section:
    id: str
    title: dict
    chapter: str
    measure: int | None


@dataclass(frozen=True)
class Chapter:
    id: str
    title: dict
    measure: int | None


@dataclass(frozen=True)
class Framework:
    id: str
    title: dict
    revision: str | None
    measures: tuple  # Measure
    chapters: tuple  # Chapter
    sections: tuple  # Section
    items: tuple  # Item, in map order
    files: tuple = ()  # (path, sha256) of the files read

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def measure(self, number) -> Measure | None:
        return next((m for m in self.measures if m.id == number), None)

    def items_of(self, control_id: str) -> list[Item]:
        return [i for i in self.items if control_id in i.controls]

    def chapter(self, chapter_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.id == chapter_id), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def sections_in(self, chapter_id: str) -> list[Section]:
        return [s for s in self.sections if s.chapter == chapter_id]

    def items_in(self, section_id: str) -> list[Item]:
        return [i for i in self.items if i.section == section_id]

    def controls_cited(self) -> set:
        """The IDs of every control some item names."""
        return {c for i in self.items for c in i.controls}


def shipped() -> Path:
    from ..defaults import shipped_frameworks

    return shipped_frameworks() / "guideline.yaml"


def files_of(paths=None) -> list[tuple[Path, bool]]:
    """The map files to read, in order: the shipped map, then each path (a folder: its *.yaml files,
    sorted). With each, whether it came from a folder listing (where a crosswalk data file is skipped).
    The shipped map and its folder, if named again, are not read twice."""
    home = shipped()
    files = [(home, False)]
    for p in paths or ():
        p = Path(p)
        if p.is_dir():
            if p.resolve() == home.parent.resolve():
                continue
            files.extend((f, True) for f in sorted(p.iterdir()) if f.suffix in (".yaml", ".yml") and f.is_file())
        elif p.is_file():
            if p.resolve() != home.resolve():
                files.append((p, False))
        else:
            raise InputError(p, "framework file not found", hint="--framework takes a YAML file or a folder of them",
                             ja="監査項目の体系のファイルが見つかりません",
                             hint_ja="--framework には YAML ファイルか、それを入れたフォルダを指定してください")
    return files


def load(paths=None, cache_dir=None, shipped_memo=None) -> Framework:
    """The map: the shipped one, then each file in order (a folder: its *.yaml files, sorted).

    cache_dir: the signed cache (sealed.Store) that remembers a file found valid (schema.validate);
    shipped_memo: the one for the shipped map, when given, which also keeps it as loaded (memo.py)."""
    import hashlib

    from ..defaults import is_shipped

    fw = None
    read = []
    for path, listed in files_of(paths):
        raw = yamlio.read_file(path)
        if fw is None and not listed and is_shipped(path):  # the shipped map: loaded once, then from the memo
            store = shipped_memo if shipped_memo is not None else cache_dir
            fw = memo.recall(store, "framework", path, raw, lambda p=path, b=raw: _first(
                p, *vouched.read_config(p, b), store, checked=vouched.vouched(p, b)))
            read.append((str(path), hashlib.sha256(raw).hexdigest()))
            continue
        data, located = yamlio.read_config(path)
        if listed and isinstance(data, dict) and "crosswalk" in data:
            continue  # a crosswalk table beside the maps (nist-csf-2.0.yaml), not a map
        read.append((str(path), hashlib.sha256(raw).hexdigest()))
        fw = _first(path, data, located, cache_dir, fw)
    return Framework(**{**fw.__dict__, "files": tuple(read)})


def _first(path, data, located, cache_dir, base=None, checked: bool = False) -> Framework:
    """A map file merged onto `base`, schema-checked unless the suite checked these bytes (vouched.py)."""
    if not checked:
        schema.validate(data, "framework", path, located, hint="see docs/framework.md for the keys of an audit map",
                        cache_dir=cache_dir)
    return _merge(base, data, path, located)


def _text(value) -> dict:
    return {"ja": value["ja"], "en": value["en"]}


def _merge(base: Framework | None, data: dict, path: Path, located) -> Framework:
    head = data["framework"]
    extend = head.get("base") == "shipped"
    if base is None or not extend:
        measures = {m["id"]: Measure(m["id"], _text(m["title"]), bool(m.get("transition")))
                    for m in data.get("measures") or []}
        chapters, sections, items = {}, {}, {}
        if base is not None and not data.get("measures"):
            measures = {m.id: m for m in base.measures}  # a replacing map keeps the 省令's measures
    else:
        measures = {m.id: m for m in base.measures}
        chapters = {c.id: c for c in base.chapters}
        sections = {s.id: s for s in base.sections}
        items = {i.id: i for i in base.items}
    here: dict = {}  # the items of this file: an ID twice in one file is an error, extending or not
    for ch in data.get("chapters") or []:
        old_ch = chapters.get(ch["id"])
        if old_ch is None and "title" not in ch:
            raise InputError(path, f"chapter {ch['id']} is new and has no title", line=located.line(ch),
                             hint="give title: {ja: ..., en: ...}; only a chapter of the base map may leave it out",
                             ja=f"新しい章 {ch['id']} に title: がありません",
                             hint_ja="title: {ja: ..., en: ...} を書いてください（省けるのは元の体系にある章だけです）")
        chapter = Chapter(ch["id"], _text(ch["title"]) if "title" in ch else old_ch.title,
                          ch.get("measure", old_ch.measure if old_ch else None))
        _known_measure(chapter.measure, measures, path, located.line(ch))
        chapters[chapter.id] = chapter
        for sec in ch.get("sections") or []:
            old = sections.get(sec["id"])
            if old is not None and old.chapter != chapter.id:
                raise InputError(path, f"section {sec['id']} is in chapter {old.chapter}, not {chapter.id}",
                                 line=located.line(sec), ja=f"節 {sec['id']} は章 {chapter.id} ではなく章 {old.chapter} にあります")
            if old is None and "title" not in sec:
                raise InputError(path, f"section {sec['id']} is new and has no title", line=located.line(sec),
                                 hint="give title: {ja: ..., en: ...}; only a section of the base map may leave it out",
                                 ja=f"新しい節 {sec['id']} に title: がありません",
                                 hint_ja="title: {ja: ..., en: ...} を書いてください（省けるのは元の体系にある節だけです）")
            section = Section(sec["id"], _text(sec["title"]) if "title" in sec else old.title, chapter.id,
                              sec.get("measure", old.measure if old else chapter.measure))
            _known_measure(section.measure, measures, path, located.line(sec))
            sections[section.id] = section
            for it in sec.get("items") or []:
                first = here.get(it["id"])  # a shipped ID in an extending file replaces the shipped item
                if first is not None:
                    raise InputError(path, f"audit item {it['id']} is defined twice (first at line {first.line})",
                                     line=located.line(it), hint="item IDs never change and never repeat",
                                     ja=f"監査項目 {it['id']} が二度定義されています（最初は{first.line}行目）",
                                     hint_ja="監査項目の ID は変えず、重ねて使わないでください")
                item = _item(it, section, path, located)
                _known_measure(item.measure, measures, path, item.line)
                items[it["id"]] = here[it["id"]] = item
    for item in items.values():  # a replacing map's own measures may leave out one the kept items use
        _known_measure(item.measure, measures, item.path, item.line)
    return Framework(id=head["id"], title=_text(head["title"]) if "title" in head else base.title,
                     revision=str(head.get("revision")) if head.get("revision") else (base.revision if base else None),
                     measures=tuple(measures[k] for k in sorted(measures)), chapters=tuple(chapters.values()),
                     sections=tuple(sections.values()), items=tuple(items.values()))


def _known_measure(number, measures: dict, path, line) -> None:
    if number is not None and number not in measures:
        raise InputError(path, f"measure {number} is not among the measures ({', '.join(map(str, sorted(measures)))})",
                         line=line, hint="measures are the regulation's, numbered 1 to 8; a map that lists its own "
                                         "measures must list every one it uses",
                         ja=f"措置 {number} は定義されていません（定義済みの措置: {'、'.join(map(str, sorted(measures)))}）",
                         hint_ja="措置は施行規則の1〜8です。独自の measures: を書く体系は、使う措置をすべて書いてください")


def _item(it: dict, section: Section, path: Path, located) -> Item:
    if not it.get("controls") and not it.get("manual"):
        raise InputError(path, f"audit item {it['id']} says neither which controls assess it nor what an auditor "
                         "looks at", line=located.line(it), hint="give controls: [ID, ...] or manual: [...]",
                         ja=f"監査項目 {it['id']} には、評価する管理策も監査人が見る点も書かれていません",
                         hint_ja="controls: [ID, ...] か manual: [...] を書いてください")
    return Item(id=it["id"], title=_text(it["title"]), chapter=section.chapter, section=section.id,
                measure=it.get("measure", section.measure), required=bool(it.get("required")),
                scope=it.get("scope", "organisation"), severity=it.get("severity", "minor"),
                controls=tuple(it.get("controls") or ()), manual=tuple(_text(m) for m in it.get("manual") or ()),
                refs=crosswalk.complete(it.get("refs")),
                selfcheck=_text(it["selfcheck"]) if it.get("selfcheck") else None, path=str(path), line=located.line(it))


def check_controls(fw: Framework, control_ids) -> None:
    """Every control an item names exists (a typo would leave the item silently unassessed)."""
    known = set(control_ids)
    for item in fw.items:
        for cid in item.controls:
            if cid not in known:
                raise InputError(item.path, f"audit item {item.id} names unknown control {cid}", line=item.line,
                                 hint="see `auditor controls list`", ja=f"監査項目 {item.id} の管理策 {cid} はありません",
                                 hint_ja="管理策の一覧は `auditor controls list` で確かめられます")


def check_policy(fw: Framework, policy) -> None:
    """The policy's `items:` name items of the map (a typo would leave an item in scope unnoticed)."""
    lines = policy.settings.get("item_lines") or {}
    for item_id in policy.settings.get("items") or {}:
        if fw.item(item_id) is None:
            raise InputError(policy.path, f"unknown audit item {item_id}", line=lines.get(item_id),
                             hint="see `auditor framework list`", ja=f"監査項目 {item_id} はありません",
                             hint_ja="`auditor framework list` で確かめてください")
