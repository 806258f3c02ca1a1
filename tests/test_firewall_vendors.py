"""Firewall configurations as vendors export them (issue 16 §3): a FortiGate configuration and a PAN-OS XML
export of one policy (with `any`, address groups, a negated source, a disabled rule and 特定通信 IDs in
comments) give the NS-01/NS-02 findings of the canonical CSV of that policy, from the CLI; every rule keeps
its line; a zone the map lacks, a broken configuration and hostile XML stop the run with exit 2 at a line.

The exports are tests/data/firewall/: fortigate.conf (full configuration: interfaces with aliases, a zone
object, addresses, address groups, a certificate over several lines), panos.xml (running-config.xml of one
vsys, a shared address group, zones by interface) and canonical.csv (one row per rule and pair of zones).
"""
from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from auditor.errors import InputError
from auditor.evidence import loader
from auditor.evidence.readers import fortigate
from auditor.sealed import Store
from conftest import ORG, ROOT, invoke, write_evidence, write_policy


@pytest.fixture(autouse=True)
def _english_cli(monkeypatch):
    """These tests read the command line's English messages (errors, hints, progress lines); the outputs
    keep their own --lang. tests/test_cli_japanese.py holds the Japanese default."""
    from auditor.cli import i18n

    monkeypatch.setattr(i18n, "current", lambda: "en")

DATA = ROOT / "tests" / "data" / "firewall"
GATEWAYS = [{"gateway_id": "GW-01", "type": "file_sanitizer", "name": "ファイル無害化装置", "zone": "internet"},
            {"gateway_id": "GW-02", "type": "screen_transfer", "name": "画面転送サーバ", "zone": "internet"}]
# interfaces by name, by alias (MYNUMBER is port1's) and by zone object; address groups placed in their zones
FORTIGATE = {"format": "fortigate",
             "zones": {"MYNUMBER": "mynumber", "LGWAN-Z": "lgwan", "port3": "internet",
                       "wan1": "外部", "MYNUMBER-NET": "マイナンバー利用事務系", "LGWAN-NET": "lgwan"},
             "gateways": {"MUGAIKA-SV": "GW-01", "SCREEN-SV": "GW-02"}}
# zones by name, and MYNUMBER through its interface
PANOS = {"format": "panos",
         "zones": {"ethernet1/1": "mynumber", "LGWAN": "lgwan", "INTERNET": "internet", "UNTRUST": "external",
                   "MYNUMBER-NET": "mynumber", "LGWAN-NET": "lgwan"},
         "gateways": {"MUGAIKA-SV": "GW-01", "SCREEN-SV": "GW-02"}}
CANONICAL = {"columns": {}, "values": {"src_zone": {"外部": "external"}, "dst_zone": {"外部": "external"}}}
EXPECTED = {"NS-01": {"FW-02", "FW-06", "FW-08", "FW-11"}, "NS-02": {"FW-04", "FW-08", "FW-11", "FW-13"}}
FILES = {"fortigate": "fortigate.conf", "fortigate-names": "fortigate.conf", "fortigate-interfaces": "fortigate.conf",
         "panos": "panos.xml", "csv": "canonical.csv"}
ENTRIES = {"fortigate": FORTIGATE, "fortigate-names": dict(FORTIGATE, columns={"name": "rule_id"}),
           # the zone object LGWAN-Z through its interfaces, port1 by its name
           "fortigate-interfaces": dict(FORTIGATE, zones={**{k: v for k, v in FORTIGATE["zones"].items()
                                                             if k not in ("LGWAN-Z", "MYNUMBER")},
                                                          "port1": "mynumber", "port2": "lgwan", "port4": "lgwan"}),
           "panos": PANOS, "csv": CANONICAL}


def _evidence(tmp_path, which: str, content: bytes | None = None, **entry) -> tuple:
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "gateways": GATEWAYS})
    name = FILES[which]
    if content is None:
        shutil.copy(DATA / name, ev / name)
    else:
        (ev / name).write_bytes(content)
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    options = {k: v for k, v in {**ENTRIES[which], **entry}.items() if v is not None}
    manifest["files"].append({"path": name, "kind": "flow_rules", "provided_by": "情報政策課（保守事業者）",
                              "collected_on": "2026-03-03", **{k: v for k, v in options.items() if v != {}}})
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return ev, name


def _check(tmp_path, ev, *extra) -> tuple[int, dict]:
    result = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _network(doc: dict, rename=lambda rid: rid) -> dict:
    """control -> (status, {rule ID: [lines]}) of NS-01 and NS-02."""
    out = {}
    for r in doc["results"]:
        if r["control_id"] in EXPECTED:
            ids = {rename(f["id"].split(":", 1)[1]): [loc["line"] for loc in f["locations"]] for f in r["findings"]}
            out[r["control_id"]] = (r["status"], ids)
    return out


def _line(name: str, pattern: str, after: int = 0) -> int:
    """The line of the test export that matches `pattern`, the first after line `after`."""
    for n, text in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), 1):
        if n > after and re.search(pattern, text):
            return n
    raise AssertionError(pattern)


def test_the_canonical_csv_has_the_planted_findings(tmp_path):
    ev, _ = _evidence(tmp_path, "csv")
    code, doc = _check(tmp_path, ev)
    got = _network(doc)
    assert code == 1
    assert {c: (status, set(ids)) for c, (status, ids) in got.items()} == {c: ("fail", ids) for c, ids in EXPECTED.items()}


@pytest.mark.parametrize("which", ["fortigate", "fortigate-names", "fortigate-interfaces", "panos"])
def test_a_vendor_export_gives_the_findings_of_the_canonical_csv(tmp_path, which):
    ev, _ = _evidence(tmp_path / "csv", "csv")
    _, canonical = _check(tmp_path / "csv", ev)
    ev, name = _evidence(tmp_path, which)
    code, doc = _check(tmp_path, ev)
    rename = (lambda rid: rid) if which in ("panos", "fortigate-names") else (lambda rid: f"FW-{int(rid):02d}")  # 1..14
    got, want = _network(doc, rename), _network(canonical)
    assert code == 1
    assert {c: (s, set(ids)) for c, (s, ids) in got.items()} == {c: (s, set(ids)) for c, (s, ids) in want.items()}
    assert {c: len(ids) for c, (_, ids) in got.items()} == {"NS-01": 4, "NS-02": 4}
    # each finding points at its rule in the configuration: `edit N` / <entry name="...">
    for control, (_, ids) in got.items():
        for rid, lines in ids.items():
            n = int(rid[3:])
            where = rf'^\s+edit {n}$' if which.startswith("fortigate") else rf'<entry name="{rid}"'
            assert lines == [_line(name, where)], (control, rid)
            assert all(f["locations"][0]["file"] == name for r in doc["results"] for f in r["findings"]
                       if r["control_id"] == control)


@pytest.mark.parametrize("which", ["fortigate", "panos"])
def test_disabled_rules_are_left_out_and_counted_in_a_notice(tmp_path, which):
    ev, name = _evidence(tmp_path, which)
    _, doc = _check(tmp_path, ev)
    notices = {n["code"]: n for n in doc["evidence_notices"] if n["file"] == name}
    line = _line(name, r'^\s+edit 7$' if which == "fortigate" else r'<entry name="FW-07"')
    assert notices["disabled_rules"]["line"] == line and f"line {line}" in notices["disabled_rules"]["messages"]["en"]
    assert "1 disabled rule(s) left out" in notices["disabled_rules"]["messages"]["en"]
    assert "13 " in notices["firewall"]["messages"]["en"] and "14 flow rule(s)" in notices["firewall"]["messages"]["en"]
    assert not [n for n in doc["evidence_notices"] if n["code"] == "footer_row"]


def test_the_records_of_a_fortigate_configuration(tmp_path):
    ev, name = _evidence(tmp_path, "fortigate")
    data = loader.load(ev).datasets["flow_rules"]
    rows = {(r.fields["rule_id"], r.fields["src_zone"], r.fields["dst_zone"]): r.fields for r in data}
    assert rows["1", "mynumber", "lgwan"]["specific_comm_id"] == "TK-001"  # 特定通信:TK-001 in the comment
    assert rows["12", "mynumber", "lgwan"]["specific_comm_id"] == "TK-002"  # full-width colon
    assert rows["3", "internet", "lgwan"]["via"] == "GW-01" and rows["14", "lgwan", "internet"]["via"] == "GW-02"
    assert rows["5", "internet", "lgwan"]["action"] == "deny"  # `show` leaves the default action out
    assert ("6", "any", "mynumber") in rows and ("11", "lgwan", "any") in rows
    assert {k for k in rows if k[0] == "8"} == {("8", "mynumber", "internet"), ("8", "lgwan", "internet")}
    assert {k for k in rows if k[0] == "13"} == {("13", "lgwan", "internet")}  # every source but MYNUMBER-NET
    assert "7" not in {k[0] for k in rows}
    assert rows["9", "internet", "external"]["service"] == "HTTP, HTTPS"


def test_extract_replaces_the_reading_of_the_comment(tmp_path):
    ev, _ = _evidence(tmp_path, "panos", extract={"specific_comm_id": {"from": "comment", "pattern": r"承認番号(\S+)"}})
    _, doc = _check(tmp_path, ev)
    assert set(_network(doc)["NS-01"][1]) == EXPECTED["NS-01"] | {"FW-01", "FW-12"}


def test_the_parse_cache_keys_on_the_zone_map(tmp_path):
    ev, name = _evidence(tmp_path, "fortigate")
    store = Store(tmp_path / "cache", b"k" * 32)

    def zones(evidence):
        return sorted({(r.fields["rule_id"], r.fields["src_zone"], r.fields["dst_zone"]) for r in evidence.datasets["flow_rules"]})
    fresh, cached = loader.load(ev, cache_dir=store), loader.load(ev, cache_dir=store)
    assert zones(fresh) == zones(cached) and fresh.notices == cached.notices
    _evidence(tmp_path, "fortigate", zones=dict(FORTIGATE["zones"], port3="external"))  # another reading
    again = zones(loader.load(ev, cache_dir=store))
    assert ("2", "mynumber", "external") in again and ("2", "mynumber", "internet") not in again


def test_a_configuration_listed_twice_is_parsed_once(tmp_path, monkeypatch):
    ev, name = _evidence(tmp_path, "fortigate", constants={"service": "a"})
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"].append(dict(manifest["files"][-1], constants={"service": "b"}))
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    calls = []
    real = fortigate.parse
    monkeypatch.setattr(fortigate, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    data = loader.load(ev).datasets["flow_rules"]
    assert len(calls) == 1 and sorted({r.fields["service"] for r in data}) == ["a", "b"]


# ---- input errors: exit 2, the file and the line ----

def _error(tmp_path, ev, *extra) -> str:
    result = invoke("check", "--policy", write_policy(tmp_path), "--evidence", ev, "--format", "json", *extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    return result.stderr


def test_an_interface_the_map_lacks_is_named_with_its_line(tmp_path):
    zones = {k: v for k, v in FORTIGATE["zones"].items() if k != "wan1"}
    ev, name = _evidence(tmp_path, "fortigate", zones=zones)
    err = _error(tmp_path, ev)
    line = _line(name, r'set dstintf "wan1"', after=_line(name, r"^\s+edit 9$"))  # 7 names it too, but is disabled
    assert f"{name}:{line}: interface 'wan1' of rule 9 is not in zones:" in err, err
    assert 'zones: {"wan1": lgwan}' in err


def test_a_zone_the_map_lacks_is_named_with_its_line(tmp_path):
    zones = {k: v for k, v in PANOS["zones"].items() if k != "UNTRUST"}
    ev, name = _evidence(tmp_path, "panos", zones=zones)
    err = _error(tmp_path, ev)
    line = _line(name, r"<member>UNTRUST</member>", after=_line(name, r'<entry name="FW-09"'))
    assert f"{name}:{line}: zone 'UNTRUST' of rule FW-09 is not in zones:" in err, err
    assert "add it (or its interfaces) to zones:" in err


def _at(text: str, marker: str) -> int:
    return text[:text.index(marker)].count("\n") + 1


@pytest.mark.parametrize("cut, words, marker", [
    (lambda t: t[:t.index('        set srcintf "port3"\n        set dstintf "LGWAN-Z"')], "the file ends inside edit '3'",
     "edit 3\n"),
    (lambda t: t.replace("    next\n    edit 4", "    edit 4", 1), "'edit' inside edit '3' (line ", "edit 4\n"),
    (lambda t: t.replace('set service "SMB"', 'set service "SMB', 1), "its closing quote is missing", 'set service "SMB'),
    (lambda t: t + 'config firewall policy\n    edit 99\n        set comments "open\n', "never closed", '"open'),
    (lambda t: t.replace("config firewall policy\n", "config firewall policy-old\n"), "no 'config firewall policy' block",
     None),
    (lambda t: t.replace("    next\nend\nconfig firewall shaping-policy", "end\nconfig firewall shaping-policy"),
     "'end' does not close a config block here (edit '14' opened at line", "end\nconfig firewall shaping-policy"),
])
def test_a_broken_fortigate_configuration(tmp_path, cut, words, marker):
    text = cut((DATA / "fortigate.conf").read_text(encoding="utf-8"))
    ev, name = _evidence(tmp_path, "fortigate", content=text.encode())
    err = _error(tmp_path, ev)
    assert words in err and (f"{name}:{_at(text, marker)}:" if marker else f"error: {name}: ") in err, err


@pytest.mark.parametrize("doc, words, line", [
    ('<?xml version="1.0"?>\n<!DOCTYPE config [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
     "<config><devices>&xxe;</devices></config>\n", "document type declaration", 2),
    ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n'
     "<config>&lol2;</config>\n", "document type declaration", 2),
    ('<?xml version="1.0"?>\n<config>\n  <devices>\n    <entry name="x">\n  </devices>\n</config>\n', "malformed XML", 5),
    ('<?xml version="1.0"?>\n<config>\n  <devices/>\n</config>\n', "no security rules found", 1),
])
def test_hostile_or_broken_xml_is_refused(tmp_path, doc, words, line):
    ev, name = _evidence(tmp_path, "panos", content=doc.encode())
    err = _error(tmp_path, ev)
    assert words in err and f"{name}:{line}:" in err, err


@pytest.mark.parametrize("doc, line, ja", [
    ('<?xml version="1.0"?>\n<config>\n  <devices>\n    <entry name="x">\n  </devices>\n</config>\n', 5,
     "閉じタグが開きタグと合いません"),
    ('<?xml version="1.0"?>\n<config>\n  <devices>\n', 4, "閉じられないままファイルが終わっています"),
    ('<?xml version="1.0"?>\n<config>\n  <description>A & B</description>\n</config>\n', 3, "「<」「&」がそのまま"),
    ('<?xml version="1.0"?>\n<config/>\n<config/>\n', 3, "最上位の要素が閉じた後に"),
    ('<?xml version="1.0"?>\n<config><x a="1" a="2"/></config>\n', 2, "同じ属性が一つのタグに二度"),
    ('<?xml version="1.0" encoding="x-nosuch"?>\n<config/>\n', 1, "文字コード「x-nosuch」は読めません"),
])
def test_broken_xml_is_explained_in_japanese(doc, line, ja):
    """expat's English (mismatched tag) is said in our Japanese words in a Japanese line."""
    from auditor.evidence.readers import panos

    with pytest.raises(InputError) as err:
        panos.read(doc.encode(), "running-config.xml")
    said = err.value.render("ja")
    assert err.value.line == line and ja in said and "not well-formed" not in said and "mismatched" not in said, said


def test_the_limits_apply_to_configurations(tmp_path):
    text = (DATA / "fortigate.conf").read_text(encoding="utf-8")
    ev, name = _evidence(tmp_path, "fortigate", content=text.replace("ファイル無害化サーバ", "x" * 3000).encode())
    err = _error(tmp_path, ev, "--max-line-length", "2K")
    assert f"{name}:{_line('fortigate.conf', 'ファイル無害化サーバ')}:" in err and "--max-line-length" in err
    ev, name = _evidence(tmp_path / "rows", "panos")
    assert "more than the limit of 10" in _error(tmp_path, ev, "--max-rows", "10")


@pytest.mark.parametrize("entry, words, key", [
    ({"zones": None}, "format: fortigate needs zones:", "format:"),
    ({"zones": {"port1": "dmz"}}, "zones: port1: unknown flow_zone value 'dmz'", "zones:"),
    ({"extract": {"via": {"from": "comment", "pattern": "(GW-\\d+)"}}}, "gateways: and extract: via", "gateways:"),
])
def test_a_firewall_entry_of_the_manifest_is_checked_at_its_line(tmp_path, entry, words, key):
    ev, _ = _evidence(tmp_path, "fortigate", **entry)
    with pytest.raises(InputError) as err:
        loader.load(ev)
    lines = (ev / "manifest.yaml").read_text(encoding="utf-8").splitlines()
    assert words in err.value.message and key in lines[err.value.line - 1], (err.value, lines[err.value.line - 1])


def test_firewall_options_are_refused_elsewhere(tmp_path):
    ev, _ = _evidence(tmp_path, "csv", zones={"port1": "lgwan"})
    with pytest.raises(InputError, match="zones: maps a firewall configuration"):
        loader.load(ev)
    ev, _ = _evidence(tmp_path / "k", "fortigate")
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"][-1]["kind"] = "gateways"
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="reads firewall rules as kind flow_rules, not gateways"):
        loader.load(ev)


# ---- shapes of real exports: pasted `show` output, VDOMs, Panorama, rule types, groups that loop ----

def _table(text: str, fmt: str, zones: dict, **kw):
    from auditor.evidence.readers import read_table

    table = read_table(text.encode(), "fw.conf", fmt, zones=zones, **kw)
    return [(line, row["rule_id"], row["src_zone"], row["dst_zone"], row["action"]) for line, row in table.rows]


def test_pasted_show_output_with_vdoms_and_looping_groups():
    text = """FGT-HQ # show firewall policy
config vdom
edit root
config system zone
    edit "INSIDE"
        set interface "port1" "port2"
    next
end
config firewall addrgrp
    edit "LOOP-A"
        set member "LOOP-B"
    next
    edit "LOOP-B"
        set member "LOOP-A"
    next
end
config firewall policy
    edit 1
        set srcintf "INSIDE"
        set dstintf "wan1"
        set srcaddr "LOOP-A"
        set dstaddr "all"
        set action accept
    next
end
next
edit LGWAN-VDOM
config firewall policy
    edit 1
        set srcintf "port5"
        set dstintf "port6"
        set srcaddr "all"
        set dstaddr "all"
        set action deny
    next
end
next
end
"""
    rows = _table(text, "fortigate", {"port1": "mynumber", "port2": "lgwan", "wan1": "external", "port5": "lgwan",
                                      "port6": "internet"})
    assert rows == [(18, "root/1", "mynumber", "external", "allow"), (18, "root/1", "lgwan", "external", "allow"),
                    (29, "LGWAN-VDOM/1", "lgwan", "internet", "deny")]


def test_nesting_deeper_than_any_configuration_is_refused():
    with pytest.raises(InputError, match="nested deeper than 64"):
        _table("config a\n" * 100, "fortigate", {"x": "lgwan"})


PANORAMA = """<?xml version="1.0" encoding="UTF-8"?>
<response status="success"><result><config>
 <shared><address-group><entry name="DYN"><dynamic><filter>'lgwan'</filter></dynamic></entry></address-group></shared>
 <devices><entry name="localhost.localdomain"><device-group><entry name="TOWN-HALL">
  <pre-rulebase><security><rules>
   <entry name="intra"><from><member>L</member><member>I</member></from><to><member>L</member><member>I</member></to>
    <source><member>any</member></source><destination><member>any</member></destination>
    <action>allow</action><rule-type>intrazone</rule-type></entry>
   <entry name="inter"><from><member>L</member><member>I</member></from><to><member>L</member><member>I</member></to>
    <source><member>DYN</member></source><destination><member>any</member></destination>
    <action>reset-both</action><rule-type>interzone</rule-type></entry>
  </rules></security></pre-rulebase>
 </entry></device-group></entry></devices>
 <devices><entry name="fw2"><vsys><entry name="vsys2"><rulebase><security><rules>
   <entry name="intra"><from><member>L</member></from><to><member>any</member></to>
    <source><member>any</member></source><destination><member>any</member></destination><action>allow</action></entry>
 </rules></security></rulebase></entry></vsys></entry></devices>
</config></result></response>
"""


def test_panorama_device_groups_rule_types_and_dynamic_groups():
    rows = _table(PANORAMA, "panos", {"L": "lgwan", "I": "internet"})
    assert rows == [(6, "TOWN-HALL/intra", "lgwan", "lgwan", "allow"), (6, "TOWN-HALL/intra", "internet", "internet", "allow"),
                    (9, "TOWN-HALL/inter", "lgwan", "internet", "deny"), (9, "TOWN-HALL/inter", "internet", "lgwan", "deny"),
                    (15, "vsys2/intra", "lgwan", "any", "allow")]


def test_the_readme_examples_read_the_test_exports(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Firewall configurations", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    entries = yaml.safe_load(block)["files"]
    ev = write_evidence(tmp_path / "ev", {"org_units": ORG, "gateways": GATEWAYS})
    manifest = yaml.safe_load((ev / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"] += entries
    (ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    for entry, source in zip(entries, ("fortigate.conf", "panos.xml")):
        shutil.copy(DATA / source, ev / entry["path"])
    evidence = loader.load(ev)
    counts = {}
    for r in evidence.datasets["flow_rules"]:
        counts[r.file] = counts.get(r.file, 0) + 1
    assert counts == {entries[0]["path"]: 14, entries[1]["path"]: 14}
