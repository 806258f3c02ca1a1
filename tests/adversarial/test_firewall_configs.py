"""Hostile firewall configurations (format: fortigate, panos): entity bombs and external entities in a PAN-OS
export, nesting and address groups without end, quotes that never close over a large file, values past the
cell limit. Each is refused with exit 2 at its file (and line), in a bounded process, leaking nothing."""
from __future__ import annotations

import pytest

from .harness import label_of, refused

ZONES = {"port1": "lgwan", "port2": "internet", "L": "lgwan", "I": "internet"}
_LAUGHS = '<!DOCTYPE config [<!ENTITY a0 "laugh">' + "".join(
    f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
RULE = ('<entry name="r1"><from><member>L</member></from><to><member>I</member></to>'
        "<source><member>any</member></source><destination><member>any</member></destination>"
        "<action>allow</action><description>{}</description></entry>")


def _panos(description: str = "x", doctype: str = "") -> bytes:
    return (f'<?xml version="1.0"?>\n{doctype}\n<config><devices><entry name="l"><vsys><entry name="vsys1"><rulebase>'
            f"<security><rules>{RULE.format(description)}</rules></security></rulebase></entry></vsys></entry>"
            "</devices></config>\n").encode()


def _policy(srcaddr: str = '"all"', comments: str = '"x"') -> str:
    return (f'config firewall policy\n    edit 1\n        set srcintf "port1"\n        set dstintf "port2"\n'
            f"        set srcaddr {srcaddr}\n        set dstaddr \"all\"\n        set action accept\n"
            f"        set comments {comments}\n    next\nend\n")


@pytest.mark.parametrize("attack", ["billion_laughs", "external_entity"])
def test_panos_xml_declaring_entities_is_refused(case, request, attack):
    secret = case.root / "secret.txt"
    secret.write_text("SECRET-MARKER", encoding="utf-8")
    doctype, ref = ((_LAUGHS, "&a9;") if attack == "billion_laughs"
                    else (f'<!DOCTYPE config [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;"))
    case.add_file("running-config.xml", _panos(ref, doctype), format="panos", zones=ZONES)
    for run in refused(case, file="running-config.xml", line=2, words="document type declaration",
                       commands=("check", "report"), label=label_of(request)):
        assert "SECRET-MARKER" not in run.stdout + run.stderr and "laughlaugh" not in run.stderr


def test_panos_elements_nested_without_end(case, request):
    deep = b"<a>" * 200_000
    case.add_file("running-config.xml", b'<?xml version="1.0"?>\n<config>\n' + deep, format="panos", zones=ZONES)
    refused(case, file="running-config.xml", words="nested deeper than 100", label=label_of(request))


def test_panos_text_past_the_cell_limit(case, request):
    case.add_file("running-config.xml", _panos("\n".join(["x" * 1000] * 300)), format="panos", zones=ZONES)
    case.extra = ["--max-cell-size", "128K"]
    refused(case, file="running-config.xml", line=3, words="<description>: a cell of 300,299 characters",
            label=label_of(request))


def test_fortigate_quote_that_never_closes_over_a_large_file(case, request):
    body = ('config firewall policy\n    edit 1\n        set comments "never closed\n'
            + "        set service HTTPS\n" * 400_000)
    case.add_file("fgt.conf", body.encode(), format="fortigate", zones=ZONES)
    refused(case, file="fgt.conf", line=3, words="is never closed", label=label_of(request))


def test_fortigate_blocks_nested_without_end(case, request):
    case.add_file("fgt.conf", b"config a\n" * 500_000, format="fortigate", zones=ZONES)
    refused(case, file="fgt.conf", line=64, words="nested deeper than 64", label=label_of(request))


def test_fortigate_address_groups_nested_without_end(case, request):
    groups = "".join(f'    edit "g{i}"\n        set member "g{i + 1}"\n    next\n' for i in range(5000))
    text = f"config firewall addrgrp\n{groups}end\n" + _policy('"g0"')
    case.add_file("fgt.conf", text.encode(), format="fortigate", zones=ZONES)
    refused(case, file="fgt.conf", words="nested more than 50 groups deep", label=label_of(request))


def test_fortigate_value_past_the_cell_limit(case, request):
    case.add_file("fgt.conf", _policy(comments='"' + "y" * 200_000 + '"').encode(), format="fortigate", zones=ZONES)
    refused(case, file="fgt.conf", line=8, words="a quoted value: a cell of 200,000 characters", label=label_of(request))


@pytest.mark.parametrize("change", ["zones", "gateways", "bytes"])
def test_a_changed_configuration_or_map_is_never_served_from_the_caches(case, request, change):
    from .test_cache_keys import _edit_entry, twice

    text = _policy()
    case.add_file("fgt.conf", text.encode(), format="fortigate", zones=ZONES, gateways={"all": "GW-01"})

    def edit():
        if change == "zones":
            _edit_entry(case, "fgt.conf", zones=dict(ZONES, port2="lgwan"))
        elif change == "gateways":
            _edit_entry(case, "fgt.conf", gateways={"other": "GW-01"})
        else:
            (case.evidence / "fgt.conf").write_text(text.replace("accept", "deny"), encoding="utf-8")
    code, out, _ = twice(case, request, edit)
    assert code in (0, 1) and out
