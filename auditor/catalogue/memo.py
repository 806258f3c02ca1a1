"""The shipped catalogue and audit map as loaded, remembered (signed) for the next runs.

Reading, schema-checking and compiling the fifteen shipped control files and the map cost a fifth of
a small town's run (48 of 233 ms at x1); the outcome depends only on their bytes, their path and the code. So
what one file loaded to is kept in the signed store (sealed.Store) under a name over exactly those,
and read back with an unpickler that builds only the catalogue's own classes. A town's files are
always read afresh: they change, and their mistakes must be reported every time.
"""
from __future__ import annotations

import hashlib
import io
import pickle

from .. import __version__, sealed

FORMAT = 1
# the only classes an entry may hold: the catalogue's frozen dataclasses and dates
_ALLOWED = {
    "auditor.model": {"Control"},
    "auditor.catalogue.framework": {"Framework", "Chapter", "Section", "Item", "Measure"},
    "datetime": {"date", "datetime", "timedelta", "timezone"},
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not kept in a catalogue entry")


def name_of(label: str, path, raw: bytes, store=None) -> str:
    h = hashlib.sha256()
    for part in (str(FORMAT), __version__, sealed.runtime(), sealed.package_digest(store), label, str(path)):
        h.update(part.encode() + b"\0")
    h.update(raw)
    return "cat-" + h.hexdigest()


def recall(store, label: str, path, raw: bytes, build):
    """build()'s value for this file: from the store when an entry signed there holds it, else built and
    kept. store None: built every time. A damaged or foreign entry is built again, never trusted."""
    if store is None:
        return build()
    name = name_of(label, path, raw, store)
    blob = store.load(name)
    if blob is not None:
        try:
            return _Unpickler(io.BytesIO(blob)).load()
        except Exception:  # noqa: BLE001 - an entry of other code: build it again
            pass
    value = build()
    try:
        store.store(name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):  # a value pickle cannot hold: not kept
        pass
    return value
