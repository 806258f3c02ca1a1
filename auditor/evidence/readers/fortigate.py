"""FortiGate configurations (`show firewall policy`, `show full-configuration`, a backup .conf) -> the
policies, address groups, zones and interface aliases that firewall.py turns into flow_rules.

FortiOS writes its configuration as nested blocks: `config <path>` ... `end`, holding `edit <name>` ...
`next` entries and `set <key> <values>` lines (`unset`, `append`, `select`, `unselect` too), in any depth
(`config vdom` / `edit root` / `config firewall policy` ...). A value is a word or a double-quoted string
(`\\"` and `\\\\` escaped) that may span lines (a certificate). This small tokenizer reads exactly that and
refuses anything else with its line. We did not use ciscoconfparse2: it builds its tree from indentation
(IOS style), while FortiOS nests by keywords, and a quoted value over several lines has no indentation
at all; it would also bring a tree of dependencies to parse hostile input that this module reads exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import limits
from ...errors import InputError
from .firewall import Objects, Rule, Side

HINT = "export the configuration again (show full-configuration, or a backup) without editing it"
HINT_JA = "設定を編集せずにもう一度書き出してください（show full-configuration またはバックアップ）"
MAX_DEPTH = 64  # FortiOS nests a few levels; a deeper file is not a configuration
# A CLI prompt above pasted output: 'FGT60F # show firewall policy', 'FGT60F (root) $ show'
_PROMPT = re.compile(r"[\w.\-]+(?: \([\w.\-]+\))? [#$] ")
# FortiOS writes strings in double quotes (\" and \\ escaped); an apostrophe is part of a word. A quoted value
# is matched unrolled ("[^"\\]*(\\.[^"\\]*)*"): the pattern keeps state per escape, not per character.
_TOKEN = re.compile(r'[^\S\n]*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s"]+)|(\n|$)|("))', re.S)
_ESCAPE = re.compile(r"\\(.)", re.S)
_SETTINGS = {"set", "unset", "append", "select", "unselect", "clear"}


@dataclass
class Node:
    """A `config` block (name: its path) or an `edit` entry (name: the entry's name)."""
    kind: str
    name: str
    line: int
    settings: dict = field(default_factory=dict)  # key -> (values, line)
    children: list = field(default_factory=list)

    def get(self, key, default=None):
        found = self.settings.get(key)
        return found[0] if found else default

    def first(self, key):
        values = self.get(key) or [None]
        return values[0]


def statements(text: str, path, max_cell: int | None):
    """(line, words) of every statement; a quoted value may hold line ends (and spaces)."""
    pos, line, n = 0, 1, len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        chunk = text[pos:end]
        if '"' not in chunk:  # most lines: split at C speed
            words = chunk.split()
            if words:
                yield line, words
            pos, line = end + 1, line + 1
            continue
        if "\\" not in chunk and not chunk.count('"') % 2:  # set name "x" "y": cut at the quotes
            pieces = chunk.split('"')
            words = []
            for k, piece in enumerate(pieces):
                if k % 2:
                    if max_cell is not None and len(piece) > max_cell:
                        limits.cell_too_large(path, len(piece), max_cell, line=line, where="a quoted value: ")
                    words.append(piece)
                else:
                    words += piece.split()
            yield line, words
            pos, line = end + 1, line + 1
            continue
        words, start = [], line
        while True:
            m = _TOKEN.match(text, pos)
            pos = m.end()
            value, word, eol, bad = m.groups()
            if bad is not None:
                raise InputError(path, "a quoted value starting on this line is never closed", line=line, hint=HINT,
                                 ja="この行で始まる引用符の値が閉じられていません", hint_ja=HINT_JA)
            if eol is not None:
                line += 1 if eol else 0
                pos = pos if eol or pos < n else n
                break
            if word is not None:
                words.append(word)
                continue
            if max_cell is not None and len(value) > max_cell:
                limits.cell_too_large(path, len(value), max_cell, line=line, where="a quoted value: ")
            if "\n" in value:
                _multiline(value, line, path)
                line += value.count("\n")
            words.append(_ESCAPE.sub(r"\1", value) if "\\" in value else value)
        if words:
            yield start, words
        if not eol and pos >= n:
            return


_STATEMENT = re.compile(r"\n[^\S\n]*(?:config|edit|set|unset|next|end)(?:[^\S\n]|$)", re.M)


def _multiline(value: str, line: int, path) -> None:
    """A value over several lines (a certificate) never holds lines that read as statements: such a value
    is a closing quote left out, which would swallow the statements up to the next quote."""
    m = _STATEMENT.search(value)
    if m:
        below = line + value.count(chr(10), 0, m.start()) + 1
        raise InputError(path, f"a quoted value starting on this line runs on into the statements below (line "
                         f"{below}): its closing quote is missing", line=line, hint=HINT,
                         ja=f"この行で始まる引用符の値が下の文（{below}行目）まで続いています。閉じる引用符がありません",
                         hint_ja=HINT_JA)


def parse(text: str, path, max_cell: int | None = None) -> Node:
    """The configuration's tree; a block left open, a stray `next` or `end`, or an unknown statement is an
    InputError at its line."""
    root = Node("root", "", 0)
    stack = [root]
    for line, words in statements(text, path, max_cell):
        kw, top = words[0], stack[-1]
        if kw.startswith("#"):
            continue  # '#config-version=FGT60F-7.2.5...' and other comment lines
        if kw == "config":
            if len(words) < 2:
                raise InputError(path, "'config' without a path", line=line, hint=HINT,
                                 ja="'config' にパスがありません", hint_ja=HINT_JA)
            node = Node("config", " ".join(words[1:]), line)
        elif kw == "edit":
            if top.kind != "config":
                inside = top.kind == "edit"
                where = f"inside edit {top.name!r} (line {top.line}): its 'next' is missing" if inside \
                    else "outside a config block"
                where_ja = f"が edit {top.name!r}（{top.line}行目）の中にあります。その 'next' がありません" if inside \
                    else "が config ブロックの外にあります"
                raise InputError(path, f"'edit' {where}", line=line, hint=HINT, ja=f"'edit' {where_ja}",
                                 hint_ja=HINT_JA)
            if len(words) != 2:
                raise InputError(path, "'edit' takes one name", line=line, hint=HINT,
                                 ja="'edit' には名前を一つだけ書きます", hint_ja=HINT_JA)
            node = Node("edit", words[1], line)
        elif kw in ("next", "end"):
            want = "edit" if kw == "next" else "config"
            if top.kind != want:
                opened = f" ({top.kind} {top.name!r} opened at line {top.line} is not closed)" if top.line else ""
                opened_ja = f"（{top.line}行目で開いた {top.kind} {top.name!r} が閉じられていません）" if top.line else ""
                raise InputError(path, f"'{kw}' does not close a {want} block here{opened}", line=line,
                                 hint="every 'edit' ends with 'next' and every 'config' with 'end'; " + HINT,
                                 ja=f"ここの '{kw}' が閉じる {want} ブロックがありません{opened_ja}",
                                 hint_ja="'edit' は 'next' で、'config' は 'end' で閉じます。" + HINT_JA)
            stack.pop()
            continue
        elif kw in _SETTINGS:
            if top is root or len(words) < 2 and kw != "clear":
                raise InputError(path, f"'{kw}' outside a config block" if top is root else f"'{kw}' without a key",
                                 line=line, hint=HINT, hint_ja=HINT_JA,
                                 ja=f"'{kw}' が config ブロックの外にあります" if top is root else f"'{kw}' にキーがありません")
            key = words[1] if len(words) > 1 else ""
            if kw == "set":
                top.settings[key] = (words[2:], line)
            elif kw in ("append", "select"):
                top.settings[key] = ((top.get(key) or []) + words[2:], line)
            elif kw == "unselect":
                top.settings[key] = ([v for v in top.get(key) or [] if v not in words[2:]], line)
            else:
                top.settings.pop(key, None)
            continue
        elif top is root and _PROMPT.match(" ".join(words)):
            continue  # the prompt of pasted CLI output
        else:
            raise InputError(path, f"unexpected '{kw[:40]}': a FortiGate configuration line starts with config, "
                             "edit, set, unset, next or end", line=line, hint=HINT, hint_ja=HINT_JA,
                             ja=f"思いがけない '{kw[:40]}' です。FortiGate の設定の行は config、edit、set、unset、"
                             "next、end のどれかで始まります")
        top.children.append(node)
        stack.append(node)
        if len(stack) > MAX_DEPTH:
            raise InputError(path, f"blocks nested deeper than {MAX_DEPTH} levels", line=line, hint=HINT,
                             ja=f"ブロックの入れ子が {MAX_DEPTH} 段を超えています", hint_ja=HINT_JA)
    if len(stack) > 1:
        top = stack[-1]
        closer = "next" if top.kind == "edit" else "end"
        raise InputError(path, f"the file ends inside {top.kind} {top.name!r}, opened at this line (the export is "
                         f"cut short: '{closer}' is missing)", line=top.line, hint=HINT, hint_ja=HINT_JA,
                         ja=f"この行で開いた {top.kind} {top.name!r} の中でファイルが終わっています（書き出しが途中で"
                         f"切れています。'{closer}' がありません）")
    return root


_POLICIES = {"firewall policy": "", "firewall policy6": "policy6/"}
_GROUPS = ("firewall addrgrp", "firewall addrgrp6")


def read(text: str, path, max_cell: int | None = None) -> tuple[list, dict]:
    """-> ([Rule] in the order of the file, {scope: Objects}); a scope is the VDOM (None without VDOMs)."""
    root = parse(text, path, max_cell)
    rules, objects, tables = [], {}, 0
    todo = [(root, None)]
    while todo:  # iterative: a tree as deep as MAX_DEPTH needs no recursion
        node, vdom = todo.pop()
        if node.kind == "config" and node.name == "vdom":  # config vdom / edit root / config firewall policy
            todo.extend((inner, child.name) for child in reversed(node.children) for inner in reversed(child.children))
            continue
        if node.kind == "config" and node.name in _POLICIES:
            rules += [(vdom, _rule(e, _POLICIES[node.name], path)) for e in node.children]
            tables += 1
            continue
        objs = objects.setdefault(vdom, Objects())
        if node.kind == "config" and node.name in _GROUPS:
            for e in node.children:
                objs.groups[e.name] = e.get("member") or []
                objs.group_lines[e.name] = e.line
        elif node.kind == "config" and node.name == "system zone":
            for e in node.children:
                objs.zones[e.name] = e.get("interface") or []
        elif node.kind == "config" and node.name == "system interface":
            for e in node.children:
                if e.first("alias"):
                    objs.aliases[e.name] = e.first("alias")
        elif node.kind == "config" and node.name in ("system sdwan", "system virtual-wan-link"):
            _sdwan(node, objs)
            continue
        todo.extend((child, vdom) for child in reversed(node.children))
    if not tables:  # another part of the configuration (show system interface): no rule would pass as no gap
        raise InputError(path, "no firewall policies: the file holds no 'config firewall policy' block",
                         hint="export the policies (show firewall policy) or the whole configuration (show full-configuration)",
                         ja="ファイアウォールのポリシーがありません。'config firewall policy' のブロックがありません",
                         hint_ja="ポリシー（show firewall policy）か設定全体（show full-configuration）を書き出してください")
    return _scoped(rules), objects


def _sdwan(node: Node, objs: Objects) -> None:
    """SD-WAN zones (virtual-wan-link by default) name the interfaces of their members."""
    for block in node.children:
        if block.kind == "config" and block.name == "members":
            for member in block.children:
                iface = member.first("interface")
                if iface:
                    objs.zones.setdefault(member.first("zone") or "virtual-wan-link", []).append(iface)


def _scoped(rules: list) -> list:
    """Policy IDs are unique within a VDOM: with policies in several, each ID is prefixed with its VDOM."""
    several = len({vdom for vdom, _ in rules}) > 1
    out = []
    for vdom, rule in rules:
        if several:
            rule.rule_id = f"{vdom}/{rule.rule_id}"
        rule.scope = vdom
        out.append(rule)
    return out


_ACTIONS = {"accept": "allow", "ipsec": "allow", "deny": "deny"}


def _rule(entry: Node, prefix: str, path) -> Rule:
    if entry.kind != "edit":
        raise InputError(path, f"config {entry.name!r} inside a policy table: a policy starts with 'edit <id>'",
                         line=entry.line, hint=HINT, hint_ja=HINT_JA,
                         ja=f"ポリシーの表の中に config {entry.name!r} があります。ポリシーは 'edit <id>' で始まります")
    raw = entry.first("action") or "deny"  # `show` leaves out the default action, deny
    action = _ACTIONS.get(raw.lower())
    if action is None:
        raise InputError(path, f"policy {entry.name}: unknown action '{raw}' (accept, deny or ipsec)",
                         line=entry.settings["action"][1], hint=HINT, hint_ja=HINT_JA,
                         ja=f"ポリシー {entry.name}: action「{raw}」は使えません（accept、deny、ipsec のどれか）")
    sides = []
    for end in ("src", "dst"):
        found = entry.settings.get(f"{end}intf")
        if not found or not found[0]:
            raise InputError(path, f"policy {entry.name} has no {end}intf (the interfaces it applies to)",
                             line=entry.line, hint=HINT, hint_ja=HINT_JA,
                             ja=f"ポリシー {entry.name} に {end}intf（適用するインターフェース）がありません")
        addrs = (entry.get(f"{end}addr") or []) + (entry.get(f"{end}addr6") or [])
        negate = (entry.first(f"{end}addr-negate") or "").lower() == "enable"
        if end == "dst" and (entry.first("internet-service") or "").lower() == "enable":
            addrs = addrs or ["all"]  # Internet services: destinations outside any address object
        sides.append(Side([(n, found[1]) for n in found[0]], addrs or ["all"], negate))
    services = entry.get("service") or []
    internet = entry.get("internet-service-name") or entry.get("internet-service-id") or []
    service = ", ".join(services + [f"internet-service: {s}" for s in internet]) or None
    return Rule(rule_id=prefix + entry.name, line=entry.line, name=entry.first("name"), action=action,
                src=sides[0], dst=sides[1], service=service, comment=entry.first("comments"),
                disabled=(entry.first("status") or "").lower() == "disable")
