"""JSON Schemas shipped in the package, and validation that names the file, line and key."""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from importlib import resources
from pathlib import Path

from . import __version__, defaults
from .errors import InputError


@functools.lru_cache(maxsize=None)
def load(name: str) -> dict:
    """A schema by name: 'control', 'policy', 'manifest', or 'kinds/<kind>'."""
    ref = resources.files("auditor") / "schemas" / f"{name}.schema.json"
    if name.startswith("kinds/"):
        ref = resources.files("auditor") / "schemas" / f"{name}.json"
    return json.loads(ref.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _validator(name: str):
    import jsonschema  # imported here: it costs a tenth of a second at start-up

    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=None)


def _memo(cache_dir, name: str, data) -> Path | None:
    if cache_dir is None:
        return None
    text = json.dumps([__version__, load(name), data], sort_keys=True, ensure_ascii=False, default=str)
    return Path(cache_dir) / f"valid-{hashlib.sha256(text.encode()).hexdigest()}"


def _deepest(error):
    """For oneOf/anyOf, the alternative's error that got furthest into the document."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) <= len(error.absolute_path):
            break
        error = deepest
    return error


def _describe(error) -> str:
    path = "/".join(str(p) for p in error.absolute_path)
    where = f"at '{path}'" if path else "at the top level"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown key {', '.join(repr(k) for k in extra)} {where}"
    if error.validator == "required":
        return f"{error.message.replace(' is a required property', '')} is required {where}"
    if error.validator in ("oneOf", "anyOf"):
        return f"{where}: {error.schema.get('x-error', 'not a valid value')} (got {_short(error.instance)})"
    return f"{where}: {error.message}"


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def validate(data, name: str, path, located=None, hint: str | None = None, cache_dir=None) -> None:
    """Raise InputError for the first (most relevant) schema violation, at its key's line.

    cache_dir: a document found valid once (same content, same schema, same tool) is not checked
    again: validating the catalogue is most of a small run's time.
    """
    memo = _memo(cache_dir, name, data)
    if memo is not None and memo.exists():
        return
    from jsonschema.exceptions import best_match

    error = best_match(_validator(name).iter_errors(data))
    if error is None:
        if memo is not None:
            with contextlib.suppress(OSError):  # a read-only folder only means no memo
                defaults.make_folder(memo.parent)
                memo.touch()
        return
    error = _deepest(error)
    key_path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key_path += extra[:1]
    line = located.line_of(data, key_path) if located else None
    raise InputError(path, f"{name} schema: {_describe(error)}", line=line, hint=hint)
