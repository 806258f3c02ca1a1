"""Palo Alto PAN-OS configurations (the XML of `Device > Setup > Operations > Export named configuration
snapshot`, running-config.xml, or `show config running` through the API) -> the security rules, address
groups and zones that firewall.py turns into flow_rules.

Read with the standard library's expat SAX parser through defusedxml, which refuses entity declarations
(billion laughs), external entities and references (XXE) and, here, any document type declaration: a
PAN-OS export has none. SAX gives every element its line, so a rule keeps the line of its
`<entry name="...">`. Only the parts a rule needs are kept in memory: the rulebases (`rulebase`, and
Panorama's `pre-rulebase`/`post-rulebase`), `address-group` and `zone`, of each vsys, device group and of
`shared`, wherever the document puts the `config` element (a `<response><result>` wrapper of the API).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler

from ... import limits
from ...errors import InputError
from . import xmlproblems
from .firewall import Objects, Rule, Side

HINT = "export the configuration again from the firewall (or Panorama) without editing it"
HINT_JA = "ファイアウォール（または Panorama）から設定を編集せずにもう一度書き出してください"
MAX_DEPTH = 100  # PAN-OS nests about 12 levels
KEEP = {"rulebase", "pre-rulebase", "post-rulebase", "address-group", "zone"}
_SCOPES = {"vsys", "device-group"}
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DENY = {"deny", "drop", "reset-client", "reset-server", "reset-both"}
_FORBIDDEN = {"EntitiesForbidden": "declares an XML entity (an entity bomb or an external entity)",
              "DTDForbidden": "holds a document type declaration",
              "ExternalReferenceForbidden": "refers to an external resource"}
_FORBIDDEN_JA = {"EntitiesForbidden": "XML のエンティティを宣言しています（エンティティ爆弾または外部エンティティ）",
                 "DTDForbidden": "文書型宣言（DTD）を含んでいます", "ExternalReferenceForbidden": "外部の資源を参照しています"}


@dataclass
class Node:
    tag: str
    name: str | None
    line: int
    children: list = field(default_factory=list)
    text: list = field(default_factory=list)

    def find(self, tag):
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, tag):
        node = self.find(tag)
        return "".join(node.text).strip() or None if node is not None else None

    def members(self, tag):
        node = self.find(tag)
        if node is None:
            return []
        return [(("".join(m.text).strip()), m.line) for m in node.children if m.tag == "member" and "".join(m.text).strip()]


def read(data: bytes, path, max_cell: int | None = None, max_rules: int | None = None) -> tuple[list, dict, str]:
    """-> ([Rule] in document order, {scope: Objects}, the encoding); scope 'shared' holds the shared objects."""
    from defusedxml import DefusedXmlException
    from defusedxml.sax import parseString
    from xml.sax import SAXParseException

    m = _DECLARED.match(data[:200])
    encoding = m.group(1).decode("ascii").lower() if m else "utf-8"
    handler = _Handler(path, max_cell, max_rules)
    try:
        parseString(data, handler, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except SAXParseException as exc:
        raise InputError(path, f"malformed XML: {exc.getMessage()}", line=exc.getLineNumber(), hint=HINT,
                         ja=f"XML の形が崩れています（{xmlproblems.japanese(exc.getMessage())}）", hint_ja=HINT_JA) from None
    except DefusedXmlException as exc:
        what = _FORBIDDEN.get(type(exc).__name__, "holds XML that is refused")
        what_ja = _FORBIDDEN_JA.get(type(exc).__name__, "受け付けない XML を含んでいます")
        raise InputError(path, f"the configuration {what}; such a file is refused", line=handler.line(),
                         hint="PAN-OS never writes these: ask for the configuration as the firewall exported it",
                         ja=f"この設定ファイルは、{what_ja}。XML のエンティティ宣言・外部参照・DTD を含むファイルは読み込みません",
                         hint_ja="PAN-OS はこうしたものを書きません。ファイアウォールが書き出したままの設定を求めてください"
                         ) from None
    except LookupError as exc:  # an encoding expat does not know
        raise InputError(path, f"cannot read the XML: {exc}", line=1, hint=HINT, hint_ja=HINT_JA,
                         ja=f"XML を読めません（XML 宣言の文字コード「{encoding}」は読めません）") from None
    if not handler.rulebases:
        raise InputError(path, "no security rules found: the file holds no rulebase of a vsys, device group or "
                         "shared (/config/devices/entry/vsys/entry/rulebase/security/rules)", line=1,
                         hint="export the whole configuration (running-config.xml), not a part of it",
                         ja="セキュリティルールがありません。vsys、デバイスグループ、shared のどの rulebase もありません"
                            "（/config/devices/entry/vsys/entry/rulebase/security/rules）",
                         hint_ja="設定の一部ではなく全体（running-config.xml）を書き出してください")
    return _rules(handler, path), handler.objects, encoding


class _Handler(ContentHandler):
    """A SAX content handler that keeps only the subtrees in KEEP, below a scope, with their lines."""

    def __init__(self, path, max_cell, max_rules):
        super().__init__()
        self.path, self.max_cell, self.max_rules = path, max_cell, max_rules
        self.stack: list = []  # (tag, name, Node or None)
        self.locator = None
        self.rulebases: list = []  # (scope, Node)
        self.objects: dict = {}
        self.count = 0

    def line(self):
        return self.locator.getLineNumber() if self.locator is not None else None

    def setDocumentLocator(self, locator):
        self.locator = locator

    def startElement(self, tag, attrs):
        line = self.line()
        name = attrs.get("name")
        parent = self.stack[-1][2] if self.stack else None
        node = None
        if parent is not None:
            node = Node(tag, name, line)
            parent.children.append(node)
            if tag == "entry" and self.stack[-1][0] == "rules" and self.stack[-2][0] == "security":
                self.count += 1
                if self.max_rules is not None and self.count > self.max_rules:
                    limits.too_many_rows(self.path, self.count, self.max_rules, "security rules or more")
        elif tag in KEEP:
            scope = self._scope()
            if scope is not None:
                node = Node(tag, name, line)
                if tag.endswith("rulebase"):  # address groups and zones are read when they end
                    self.rulebases.append((scope, node))
        self.stack.append((tag, name, node))
        if len(self.stack) > MAX_DEPTH:
            raise InputError(self.path, f"elements nested deeper than {MAX_DEPTH} levels", line=line, hint=HINT,
                             ja=f"要素の入れ子が {MAX_DEPTH} 段を超えています", hint_ja=HINT_JA)

    def endElement(self, tag):
        _, _, node = self.stack.pop()
        if node is None:
            return
        if self.max_cell is not None and node.text and sum(map(len, node.text)) > self.max_cell:
            limits.cell_too_large(self.path, sum(map(len, node.text)), self.max_cell, line=node.line,
                                  where=f"<{tag}>: ")
        if self.stack and self.stack[-1][2] is None:  # the top of a kept subtree
            scope = self._scope()
            objs = self.objects.setdefault(scope, Objects())
            if tag == "address-group":
                for entry in (e for e in node.children if e.tag == "entry" and e.name):
                    static = entry.find("static")
                    objs.groups[entry.name] = [n for n, _ in entry.members("static")] if static is not None else None
                    objs.group_lines[entry.name] = entry.line
            elif tag == "zone":
                for entry in (e for e in node.children if e.tag == "entry" and e.name):
                    network = entry.find("network")
                    kinds = network.children if network is not None else []
                    objs.zones[entry.name] = [m for k in kinds for m, _ in network.members(k.tag)]

    def characters(self, content):
        node = self.stack[-1][2] if self.stack else None
        if node is not None:
            node.text.append(content)

    def _scope(self):
        """'shared', or the vsys or device group (dg:NAME) the current element is directly in."""
        if self.stack and self.stack[-1][0] == "shared":
            return "shared"
        if len(self.stack) >= 2 and self.stack[-1][0] == "entry" and self.stack[-2][0] in _SCOPES:
            name = self.stack[-1][1] or ""
            return name if self.stack[-2][0] == "vsys" else f"dg:{name}"
        return None


def _rules(handler: _Handler, path) -> list:
    found = []
    for scope, base in handler.rulebases:
        security = base.find("security")
        rules = security.find("rules") if security is not None else None
        for entry in (rules.children if rules is not None else ()):
            if entry.tag == "entry":
                found.append(_rule(entry, scope, path))
    several = len({r.scope for r in found}) > 1
    for rule in found:
        if several:
            rule.rule_id = f"{rule.scope.removeprefix('dg:')}/{rule.rule_id}"
    return found


def _rule(entry: Node, scope: str, path) -> Rule:
    if not entry.name:
        raise InputError(path, "a security rule <entry> without a name", line=entry.line, hint=HINT,
                         ja="名前のないセキュリティルールの <entry> があります", hint_ja=HINT_JA)
    raw = entry.value("action")
    if raw is None:
        raise InputError(path, f"security rule '{entry.name}' has no <action>", line=entry.line, hint=HINT,
                         ja=f"セキュリティルール「{entry.name}」に <action> がありません", hint_ja=HINT_JA)
    action = "allow" if raw == "allow" else "deny" if raw in _DENY else None
    if action is None:
        raise InputError(path, f"security rule '{entry.name}': unknown action '{raw}' (allow, deny, drop, reset-...)",
                         line=entry.find("action").line, hint=HINT, hint_ja=HINT_JA,
                         ja=f"セキュリティルール「{entry.name}」: action「{raw}」は使えません（allow、deny、drop、reset-…）")
    sides = []
    for zone_tag, addr_tag in (("from", "source"), ("to", "destination")):
        points = entry.members(zone_tag)
        if not points:
            raise InputError(path, f"security rule '{entry.name}' has no <{zone_tag}> zone", line=entry.line, hint=HINT,
                             ja=f"セキュリティルール「{entry.name}」に <{zone_tag}> のゾーンがありません", hint_ja=HINT_JA)
        addresses = [n for n, _ in entry.members(addr_tag)] or ["any"]
        negate = entry.value(f"negate-{addr_tag}") == "yes"
        sides.append(Side(points, addresses, negate))
    apps = [n for n, _ in entry.members("application")]
    services = [n for n, _ in entry.members("service")]
    service = ", ".join(services) or None
    if apps and apps != ["any"]:
        service = ", ".join(apps) + (f" ({service})" if service else "")
    return Rule(rule_id=entry.name, line=entry.line, name=entry.name, action=action, src=sides[0], dst=sides[1],
                service=service, comment=entry.value("description"), disabled=entry.value("disabled") == "yes",
                pairing=entry.value("rule-type") or "universal", scope=scope)
