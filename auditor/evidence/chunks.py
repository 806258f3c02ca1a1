"""Parse cache by chunk: a large plain CSV/TSV read as blocks of lines, each block cached under its own bytes.

After one line of a 500,000-row roster changes, the file's whole entry (cache.py) is missed, but only the
block holding that line is cut and normalised again; the others come from the cache. Each block is read
as its own small file (the header line followed by the block's lines) by the same code as a whole file
(loader._records), then the blocks' rows, line numbers, cleaning notes and My Number occurrences (masked,
as cache.py keeps them) are shifted into place.

Used only where that is provably the same as reading the file whole: a file read with no layout option,
as UTF-8, on which the reader's plain path applies (no quote anywhere, so no cell spans lines; no blank,
short or long line; line ends \\n or \\r\\n only), whose every block reads cleanly with no remark. Anything
else, any error included, returns None and the caller reads the file whole, which gives the message.
"""
from __future__ import annotations

import codecs
import functools
import hashlib
import re
from itertools import repeat

from . import cache, kinds
from ..privacy import personal
from ..errors import InputError

CHUNK_LINES = 8192      # lines per block: a changed line re-reads at most this many
MIN_BYTES = 1 << 20     # smaller files are read whole: a block's overhead would outweigh what it saves
_TAG = "lines-1"        # in each block's key: a block entry never stands for a whole file, nor one cut otherwise
# the options a reading may have here: none of them relates one row to another
_ALLOWED = {"path", "kind", "format", "columns", "values", "null_values", "constants", "delimiter"}


@functools.lru_cache(maxsize=4)
def _pattern(lines: int):
    return re.compile(rb"(?:[^\n]*\n){%d}" % lines)


def applies(raw: bytes, entry: dict) -> bool:
    """Whether a reading (loader._reading) may be read by blocks: a large CSV/TSV without layout options."""
    return (entry.get("format") in ("csv", "tsv") and set(entry) <= _ALLOWED and len(raw) >= MIN_BYTES
            and _delimiter(entry) is not None and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))


def _delimiter(entry: dict) -> bytes | None:
    d = entry.get("delimiter")
    d = {"\\t": "\t", "tab": "\t"}.get(d, d) or ("," if entry["format"] == "csv" else "\t")
    return d.encode() if isinstance(d, str) and len(d) == 1 and d.isascii() and d not in "\r\n\"" else None


def first_cached(raw: bytes, entry: dict, cache_dir, limits) -> bool:
    """Whether the cache holds this reading's first block: the file was read before, so most blocks are
    likely there and a second process would find little to read (split.py)."""
    end = raw.find(b"\n")
    m = _pattern(CHUNK_LINES).match(raw, end + 1)
    data = raw[:end + 1] + raw[end + 1:m.end() if m else len(raw)]
    name = cache.key_of(hashlib.sha256(data).hexdigest(), dict(entry, read_as=_TAG), kinds.spec(entry["kind"]).digest,
                        limits)
    return name is not None and (cache_dir.folder / name).is_file()


def read(raw: bytes, entry: dict, found: list, cache_dir, limits, tables: dict, records, pending=None, part=None):
    """-> (columns, lines, present, encoding, notes, remarks), equal to records() over the whole file, with
    the My Number occurrences (masked) added to found as records() adds them; or None where that is not
    certain (the caller reads it whole; found is then unchanged).

    records: loader._records; pending: where new block entries are left for a later write (None: now).
    part: (first, end or None for the last): only the blocks first <= n < end are read, ahead of the whole reading, and None is
    returned: by a second process into the cache (pending None), or here into `tables` (split.py)."""
    spec_digest = kinds.spec(entry["kind"]).digest
    delim = _delimiter(entry)
    end = raw.find(b"\n")
    if end < 0 or limits is None:
        return None
    header = raw[:end + 1]
    try:
        names = header.decode("utf-8-sig").rstrip("\r\n").split(delim.decode())
    except UnicodeDecodeError:
        return None
    k = len(names)
    if k < 2 or not all(n.strip() for n in names) or b'"' in header or b"\r" in header[:-2]:
        return None
    rows = raw.count(b"\n") + (not raw.endswith(b"\n")) - 1
    if rows > limits.max_rows:  # the whole reading refuses it, with its message
        return None
    reading = dict(entry, read_as=_TAG)
    blocks, pos, first, pattern = [], end + 1, 0, _pattern(CHUNK_LINES)
    while pos < len(raw):
        m = pattern.match(raw, pos)
        stop = m.end() if m else len(raw)
        block = raw[pos:stop]
        if part is not None:  # a read ahead: only the blocks of part, left where the whole reading looks
            if part[1] is not None and len(blocks) >= part[1]:
                return None
            if len(blocks) >= part[0] and _block(header + block, block, delim, k, entry, reading, spec_digest,
                                                 cache_dir, limits, tables, records, pending, keep=True) is None:
                return None
            blocks.append(None)
            pos = stop
            continue
        got = _block(header + block, block, delim, k, entry, reading, spec_digest, cache_dir, limits, tables,
                     records, pending)
        if got is None:
            return None
        n = block.count(b"\n") + (not block.endswith(b"\n"))
        columns, lines, present, encoding, notes, remarks, occ = got
        if lines != range(2, n + 2) or type(lines) is not range or encoding != "utf-8" or remarks:
            return None
        blocks.append((first, columns, present, notes, occ))
        first += n
        pos = stop
    if part is not None:
        return None
    if not blocks or any(b[2] != blocks[0][2] for b in blocks):
        return None
    present = blocks[0][2]
    columns = {name: [] for name in present}
    notes, occurrences = [], []
    for shift, cols, _, ns, occ in blocks:
        for name in present:
            columns[name] += cols[name]
        notes += [(row + shift, *rest) for row, *rest in ns]
        if any(o[0] is None for o in occ):
            return None
        occurrences += [(line + shift, *rest) for line, *rest in occ]
    order = {name: i for i, name in enumerate(present)}
    notes.sort(key=lambda x: order[x[2]])  # the whole reading lists them field by field, rows ascending
    found.extend(personal.Occurrence(entry["path"], *o) for o in occurrences)
    return columns, range(2, first + 2), tuple(present), "utf-8", notes, []


def _block(data, block, delim, k, entry, reading, spec_digest, cache_dir, limits, tables, records, pending,
           keep=False):
    """One block read as header + block: read ahead by this process, from the cache, or read afresh when
    it is plain (then stored). keep: a read ahead (part=), kept in `tables` for the whole reading."""
    digest = hashlib.sha256(data).hexdigest()
    name = cache.key_of(digest, reading, spec_digest, limits)
    if name is None:
        return None
    if keep and pending is None and (cache_dir.folder / name).is_file():
        return True  # the worker's read ahead of a block the cache holds: this process loads it itself
    got = tables.pop(("block", name), None)  # read ahead (split.py): used once
    if got is None:
        got = _cached_or_read(name, digest, data, block, delim, k, entry, cache_dir, limits, tables, records, pending)
    if keep and got is not None and pending is not None:
        tables[("block", name)] = got
    return got


def _cached_or_read(name, digest, data, block, delim, k, entry, cache_dir, limits, tables, records, pending):
    hit = cache.load(cache_dir, name)
    if hit is not None:  # stored only after the checks below passed on exactly these bytes
        columns, lines, (present, encoding, occ, notes, remarks) = hit
        return columns, lines, tuple(present), encoding, notes, remarks, occ
    body = block[:-1] if block.endswith(b"\n") else block
    if (b'"' in block or block.count(b"\r") != block.count(b"\r\n")
            or set(map(bytes.count, body.split(b"\n"), repeat(delim))) != {k - 1}):
        return None  # the reader would not take its plain path: rows may relate (quoted line ends, blanks)
    found: list = []
    try:
        columns, lines, present, encoding, notes, remarks = records(data, digest, entry, found, tables, limits)
    except InputError:
        return None
    occ = [(o.line, o.column, o.field, o.value) for o in found]
    rest = (list(present), encoding, occ, notes, [tuple(r) for r in remarks])
    if pending is None:
        cache.store(cache_dir, name, columns, lines, rest)
    else:
        pending.append((name, columns, lines, rest))
    return columns, lines, present, encoding, notes, remarks, occ
