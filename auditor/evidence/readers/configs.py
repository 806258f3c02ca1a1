"""Firewall configurations (format: fortigate, panos) as one flow_rules table: the file parsed once by its
vendor's module (fortigate.py, panos.py; a file listed under several entries shares the parse), then read
through the entry's zones: and gateways: maps (firewall.py). Both vendors' modules load only when a
configuration is read."""
from __future__ import annotations

from ... import limits
from . import firewall
from .table import RawTable

FORMATS = firewall.FORMATS


def read(data: bytes, path, fmt: str, *, zones, gateways=None, encoding=None, limit=None, parsed=None,
         decode=None) -> RawTable:
    """parsed: where the parse of these bytes is kept for the file's other entries (None: not kept);
    decode: bytes -> (text, encoding), for the text of a FortiGate configuration."""
    found = None if parsed is None else parsed.get((fmt, encoding))
    if found is None:
        max_cell = limit.max_cell_size if limit is not None else None
        if limit is not None:  # before decoding or parsing: a file without line ends is refused at once
            limits.too_long_line(path, data, limit.max_line_length)
        if fmt == "fortigate":
            from . import fortigate

            text, used = decode(data, path, encoding)
            rules, objects = fortigate.read(text, path, max_cell)
        else:
            from . import panos

            rules, objects, used = panos.read(data, path, max_cell, limit.max_rows if limit is not None else None)
        found = (rules, objects, used)
        if parsed is not None:
            parsed[fmt, encoding] = found
    rules, objects, used = found
    return firewall.table(rules, objects, fmt, path, zones=zones, gateways=gateways, encoding=used, limit=limit)
