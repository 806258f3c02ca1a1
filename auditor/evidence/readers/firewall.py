"""Firewall configurations as vendors export them (format: fortigate, panos) -> one flow_rules table.

The vendor modules (fortigate.py, panos.py) read a configuration into Rules (each with the line of its
`edit N` or `<entry name=...>`) and the objects they name: address groups, zones, interface aliases.
This module turns them into records through the manifest's `zones:` map (an interface, a zone or an
address group -> mynumber, lgwan, internet, external or any) and its `gateways:` map (an address object
-> the gateway_id of a registered gateway, the rule's `via`):

- a rule's side takes the zones of its addresses where the map places them (an address, a group it is
  in, or the members of a group), and the zones of its interfaces (FortiGate srcintf/dstintf, zone
  objects and SD-WAN zones through their interfaces, aliases) or PAN-OS zones for `all`/`any`, negated
  and unplaced addresses; interface or zone `any` is the zone `any` (every zone);
- a rule between several zones gives one record per pair of zones, all with its rule_id and line, so a
  finding names the rule once;
- disabled rules are not records: a notice counts them with their lines, never silently;
- a 特定通信 ID written in the comment (`特定通信:TK-001`, `特定通信ID：TK-001`) fills specific_comm_id;
  `extract:` in the manifest replaces that reading;
- an interface or zone the map does not name is an InputError at its line, with the hint to add it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ... import limits
from ...errors import InputError, reason
from .. import normalize
from .table import RawTable

FORMATS = ("fortigate", "panos")
VENDOR = {"fortigate": "FortiGate", "panos": "PAN-OS"}
POINT = {"fortigate": "interface", "panos": "zone"}
EVERYTHING = {"all", "any", "all6"}  # addresses that stand for the whole of an interface's network
SPECIFIC = re.compile(r"特定通信(?:ID)?\s*[:：]\s*([^\s,、，;；)）」\]]+)")
MAX_NESTING = 50  # address groups inside groups: FortiOS and PAN-OS allow a few levels
ORDER = ("mynumber", "lgwan", "internet", "external", "any")
MAP_HINT = "zones: maps each interface, zone or address group to mynumber, lgwan, internet, external or any"
MAP_HINT_JA = "zones: はインターフェース、ゾーン、アドレスグループのそれぞれを mynumber、lgwan、internet、external、any のどれかに対応づけます"
POINT_JA = {"fortigate": "インターフェース", "panos": "ゾーン"}


@dataclass
class Side:
    points: list          # [(interface or zone as written, line)]
    addresses: list       # address objects, groups or literals as written
    negate: bool = False  # every address but these: the side is the whole of its interfaces


@dataclass
class Rule:
    rule_id: str
    line: int
    name: str | None
    action: str           # allow or deny
    src: Side
    dst: Side
    service: str | None
    comment: str | None
    disabled: bool = False
    pairing: str = "universal"  # PAN-OS rule-type: intrazone (within one zone), interzone (between two)
    scope: str | None = None    # FortiGate VDOM, PAN-OS vsys or device group


@dataclass
class Objects:
    groups: dict = field(default_factory=dict)       # address group -> members (None: dynamic, unknown)
    group_lines: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)        # zone object -> its interfaces
    aliases: dict = field(default_factory=dict)      # interface -> its alias

    def merged(self, other: "Objects | None") -> "Objects":
        """These objects over the shared ones (FortiGate global, PAN-OS shared)."""
        if other is None or other is self:
            return self
        return Objects({**other.groups, **self.groups}, {**other.group_lines, **self.group_lines},
                       {**other.zones, **self.zones}, {**other.aliases, **self.aliases})


def check(entry: dict, fmt) -> list[tuple[str, str, str]]:
    """What a firewall entry of the manifest gets wrong before its file is read: [(key, English, Japanese)]."""
    if fmt not in FORMATS:
        return []
    problems = []
    if entry["kind"] != "flow_rules":
        problems.append(("format", f"format: {fmt} reads firewall rules as kind flow_rules, not {entry['kind']}",
                         f"format: {fmt} はファイアウォールのルールを種類 flow_rules として読みます（{entry['kind']} ではありません）"))
    zones = entry.get("zones")
    if not zones:
        problems.append(("format", f"format: {fmt} needs zones: ({MAP_HINT}), e.g. zones: {{port1: lgwan, wan1: external}}",
                         f"format: {fmt} には zones: が要ります。{MAP_HINT_JA}（例: zones: {{port1: lgwan, wan1: external}}）"))
    for name, zone in (zones or {}).items():
        try:
            normalize.canonical("flow_zone", zone)
        except ValueError as exc:
            problems.append(("zones", f"zones: {name}: {exc}", f"zones: {name}: {reason(exc, 'ja')}"))
    if entry.get("gateways") and "via" in (entry.get("extract") or {}):
        problems.append(("gateways", "gateways: and extract: via both give the field via; keep one",
                         "gateways: と extract: via の両方がフィールド via を与えています。どちらか一方にします"))
    return problems


def table(rules: list, objects: dict, fmt: str, path, *, zones, gateways=None, encoding=None, limit=None) -> RawTable:
    """The flow_rules table of a configuration's rules (in the order of the file) and objects by scope."""
    if limit is not None:
        limits.too_many_rows(path, len(rules), limit.max_rows, "firewall rules")
    zmap = {str(k): normalize.canonical("flow_zone", v) for k, v in (zones or {}).items()}
    gmap = {str(k): str(v) for k, v in (gateways or {}).items()}
    columns, lines, notes = _records(rules, objects, zmap, gmap, path, fmt)
    if limit is not None:
        limits.too_many_rows(path, len(lines), limit.max_rows, "flow rules (one per rule and pair of zones)")
    return RawTable([], None, columns, lines, encoding, notes=tuple(notes))


LABELS = ("rule_id", "name", "src_zone", "dst_zone", "action", "service", "via", "specific_comm_id", "comment",
          "from", "to", "source", "destination")


def _records(rules: list, objects: dict, zmap: dict, gmap: dict, path, fmt):
    columns = {label: [] for label in LABELS}
    lines, disabled, read_lines = [], [], []
    resolvers: dict = {}
    for rule in rules:
        if rule.disabled:
            disabled.append(rule.line)
            continue
        read_lines.append(rule.line)
        res = resolvers.get(rule.scope)
        if res is None:
            own = objects.get(rule.scope) or Objects()
            shared = objects.get(None if fmt == "fortigate" else "shared")  # FortiGate's global, PAN-OS shared
            res = resolvers[rule.scope] = _Resolver(own.merged(shared), zmap, path, fmt)
        via = res.via([a for side in (rule.src, rule.dst) if not side.negate for a in side.addresses], gmap)
        specific = SPECIFIC.search(rule.comment) if rule.comment else None
        for (src, dst), (froms, tos) in _pairs(rule, res).items():
            row = {"rule_id": rule.rule_id, "name": rule.name, "src_zone": src, "dst_zone": dst, "action": rule.action,
                   "service": rule.service, "via": via, "specific_comm_id": specific and specific.group(1),
                   "comment": rule.comment, "from": ", ".join(froms), "to": ", ".join(tos),
                   "source": _listed(rule.src), "destination": _listed(rule.dst)}
            for label in LABELS:
                columns[label].append(row[label] if row[label] not in ("", None) else None)
            lines.append(rule.line)
    vendor = VENDOR[fmt]
    notes = [("firewall", read_lines[0] if read_lines else None,
              f"{vendor} の設定から {len(read_lines)} 件のルールを読み、{len(lines)} 件の通信ルール"
              "（ルールと領域の組ごとに 1 件）にしました",
              f"{len(read_lines)} {vendor} rule(s) read as {len(lines)} flow rule(s) (one per rule and pair of zones)")]
    if disabled:
        at = ", ".join(map(str, disabled[:10])) + ("…" if len(disabled) > 10 else "")
        notes.append(("disabled_rules", disabled[0],
                      f"無効なルール {len(disabled)} 件は通信ルールとして読みませんでした（行 {at}）",
                      f"{len(disabled)} disabled rule(s) left out, not read as flow rules (line {at})"))
    return columns, lines, notes


def _listed(side: Side) -> str:
    return ("not " if side.negate else "") + ", ".join(side.addresses)


def _pairs(rule: Rule, res: "_Resolver") -> dict:
    """(src zone, dst zone) -> (the interfaces or zones of each end that give it), in a stable order."""
    out: dict = {}
    for s_name, s_line in rule.src.points:
        for d_name, d_line in rule.dst.points:
            if rule.pairing == "intrazone" and s_name != d_name or rule.pairing == "interzone" and s_name == d_name:
                continue
            for src in res.side(rule.src, s_name, s_line, rule):
                for dst in res.side(rule.dst, d_name, d_line, rule):
                    froms, tos = out.setdefault((src, dst), ({}, {}))
                    froms[s_name] = tos[d_name] = None  # an ordered set
    return dict(sorted(out.items(), key=lambda kv: (ORDER.index(kv[0][0]), ORDER.index(kv[0][1]))))


class _Resolver:
    """Zones of the interfaces, zones and addresses of one scope's rules, each worked out once."""

    def __init__(self, objects: Objects, zmap: dict, path, fmt: str):
        self.objs, self.map, self.path, self.fmt = objects, zmap, path, fmt
        self.parents: dict = {}
        for group, members in objects.groups.items():
            for m in members or ():
                self.parents.setdefault(m, []).append(group)
        self._addresses: dict = {}

    def side(self, side: Side, point: str, line: int, rule: Rule) -> list:
        if side.negate:  # every address but these: the whole of the interface's network
            zones = set(self.point(point, line, rule))
        else:
            zones, whole = set(), False
            for address in side.addresses:
                found, needs = self.address(address)
                zones |= found
                whole = whole or needs
            if whole:
                zones |= self.point(point, line, rule)
        return ["any"] if "any" in zones else sorted(zones, key=ORDER.index)

    def point(self, name: str, line: int, rule: Rule) -> set:
        """The zones of an interface (FortiGate) or zone (PAN-OS)."""
        own = self._placed(name)
        if own is not None:
            return own
        if name.lower() == "any":
            return {"any"}
        members = self.objs.zones.get(name)
        what = POINT[self.fmt]
        if members:  # a zone object (FortiGate zone, SD-WAN zone; PAN-OS zone by its interfaces)
            missing = [m for m in members if self._placed(m) is None]
            if not missing:
                return set().union(*(self._placed(m) for m in members))
            raise InputError(self.path, f"{what} '{name}' of rule {rule.rule_id} is not in zones: of the manifest, nor "
                             f"are its interfaces {', '.join(missing)}", line=line,
                             hint=f"add it (or its interfaces) to zones: in the manifest, e.g. zones: {{{json.dumps(name)}: "
                                  f"lgwan}}; {MAP_HINT}",
                             ja=f"ルール {rule.rule_id} の{POINT_JA[self.fmt]}「{name}」はマニフェストの zones: になく、その"
                                f"インターフェース {', '.join(missing)} もありません",
                             hint_ja=f"マニフェストの zones: に加えてください（またはそのインターフェースを）。例: zones: "
                                     f"{{{json.dumps(name)}: lgwan}}。{MAP_HINT_JA}")
        alias = self.objs.aliases.get(name)
        named = f" (alias {alias})" if alias else ""
        raise InputError(self.path, f"{what} '{name}'{named} of rule {rule.rule_id} is not in zones: of the manifest",
                         line=line, hint=f"add it to zones: in the manifest, e.g. zones: {{{json.dumps(name)}: lgwan}}; "
                                         f"{MAP_HINT}" + self._known(),
                         ja=f"ルール {rule.rule_id} の{POINT_JA[self.fmt]}「{name}」{f'（別名 {alias}）' if alias else ''}が"
                            "マニフェストの zones: にありません",
                         hint_ja=f"マニフェストの zones: に加えてください。例: zones: {{{json.dumps(name)}: lgwan}}。"
                                 f"{MAP_HINT_JA}" + self._known_ja())

    def _placed(self, name: str):
        if name in self.map:
            return {self.map[name]}
        alias = self.objs.aliases.get(name)
        return {self.map[alias]} if alias in self.map else None

    def _known(self) -> str:
        names = sorted(self.map)
        return f" (the map names {', '.join(names[:12])}{'…' if len(names) > 12 else ''})" if names else ""

    def _known_ja(self) -> str:
        names = sorted(self.map)
        return f"（zones: にあるもの: {'、'.join(names[:12])}{'…' if len(names) > 12 else ''}）" if names else ""

    def address(self, name: str, depth: int = 0) -> tuple[set, bool]:
        """(zones the map places this address in, whether part of it is only known by its interface)."""
        if name in self._addresses:
            return self._addresses[name]
        if depth > MAX_NESTING:
            raise InputError(self.path, f"address group '{name}' is nested more than {MAX_NESTING} groups deep",
                             line=self.objs.group_lines.get(name), hint="the configuration's address groups loop or are damaged",
                             ja=f"アドレスグループ「{name}」の入れ子が {MAX_NESTING} 段を超えています",
                             hint_ja="設定のアドレスグループが循環しているか、壊れています")
        if name in self.map:
            found = ({self.map[name]}, False)
        elif name.lower() in EVERYTHING:
            found = (set(), True)
        elif self.objs.groups.get(name):
            self._addresses[name] = (set(), True)  # a group that holds itself: its own zones are unknown
            zones, whole = set(), False
            for member in self.objs.groups[name]:
                z, w = self.address(member, depth + 1)
                zones, whole = zones | z, whole or w
            found = (zones, whole)
        else:  # an address object, a literal, an empty or dynamic group: the mapped groups it is in
            zones = self._above(name)
            found = (zones, not zones)
        self._addresses[name] = found
        return found

    def _above(self, name: str) -> set:
        zones, seen, todo = set(), {name}, list(self.parents.get(name, ()))
        while todo:
            group = todo.pop()
            if group in seen:
                continue
            seen.add(group)
            if group in self.map:
                zones.add(self.map[group])
            else:
                todo.extend(self.parents.get(group, ()))
        return zones

    def via(self, names: list, gmap: dict):
        """The first gateway the rule's addresses name, directly or as members of their groups."""
        if not gmap:
            return None
        todo, seen = list(reversed(names)), set()
        while todo:
            name = todo.pop()
            if name in gmap:
                return gmap[name]
            if name in seen:
                continue
            seen.add(name)
            todo.extend(reversed(self.objs.groups.get(name) or ()))
        return None
