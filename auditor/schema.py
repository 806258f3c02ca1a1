"""JSON Schemas shipped in the package, and validation that names the file, line and key."""
from __future__ import annotations

import functools
import hashlib
import json
import re
from importlib import resources

from . import __version__
from .errors import InputError
from .sealed import runtime

_VALID = b"valid"


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


def _memo(cache, name: str, data) -> str | None:
    """The name of the entry that remembers this document as valid (the validator's libraries are in it)."""
    if cache is None:
        return None
    try:
        text = json.dumps([__version__, runtime(), _source(), load(name), data], sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # a value JSON cannot hold: checked every time
        return None
    return f"valid-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"


@functools.lru_cache(maxsize=1)
def _source() -> str:
    # through importlib.resources: inside a zip archive (zipapp) there is no file at __file__
    return hashlib.sha256((resources.files("auditor") / "schema.py").read_bytes()).hexdigest()


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


_TYPES_JA = {"array": "一覧（[...]）", "object": "対応表（キー: 値）", "string": "文字列", "integer": "整数",
             "number": "数値", "boolean": "true か false", "null": "空（null）"}


def _describe_ja(error) -> str:
    """The same in Japanese, in our words: jsonschema's English only for a check it has no words for here."""
    path = "/".join(str(p) for p in error.absolute_path)
    where = f"'{path}'" if path else "最上位"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{where}に不明なキー {'、'.join(repr(k) for k in extra)} があります"
    if error.validator == "required":
        return f"{where}に {error.message.replace(' is a required property', '')} が必要です"
    if error.validator in ("oneOf", "anyOf"):
        said = error.schema.get("x-error-ja") or error.schema.get("x-error", "")
        return f"{where}: 正しい値ではありません（{said}。値: {_short(error.instance)}）"
    want, got = error.validator_value, _short(error.instance)
    if error.validator == "type":
        kinds = "か".join(_TYPES_JA.get(t, t) for t in ([want] if isinstance(want, str) else want))
        return f"{where}: 値の型が違います（{kinds}を書くところに {got} があります）"
    if error.validator == "enum":
        return f"{where}: 使える値ではありません（{got}。使えるのは {'、'.join(_short(v) for v in want)}）"
    if error.validator in ("pattern", "format"):
        return f"{where}: 書式が違います（{got} は {want} の形に合いません）"
    if error.validator in ("minimum", "exclusiveMinimum"):
        return f"{where}: 値が小さすぎます（{got}。{want} {'以上' if error.validator == 'minimum' else 'より大きく'}にします）"
    if error.validator in ("maximum", "exclusiveMaximum"):
        return f"{where}: 値が大きすぎます（{got}。{want} {'以下' if error.validator == 'maximum' else '未満'}にします）"
    if error.validator == "minItems":
        return f"{where}: 項目が足りません（{want} 個以上書きます）"
    if error.validator == "maxItems":
        return f"{where}: 項目が多すぎます（{want} 個までです）"
    if error.validator == "minLength":
        return f"{where}: 空にはできません"
    if error.validator == "maxLength":
        return f"{where}: 長すぎます（{want} 文字までです）"
    if error.validator == "const":
        return f"{where}: 値が違います（{got} ではなく {_short(want)} を書きます）"
    if error.validator == "minProperties":
        return f"{where}: 空にはできません（キーを {want} つ以上書きます）"
    if error.validator == "maxProperties":
        return f"{where}: キーが多すぎます（{want} つまでです）"
    if error.validator == "not":
        return f"{where}: ここには書けない値です（{got}）"
    if error.validator == "uniqueItems":
        return f"{where}: 同じ項目が二度あります"
    return f"{where}: 値が正しくありません（{error.message}）"


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def validate(data, name: str, path, located=None, hint: str | None = None, cache_dir=None) -> None:
    """Raise InputError for the first (most relevant) schema violation, at its key's line.

    cache_dir: the cache (a sealed.Store) or None; a document found valid once (same content, same
    schema, same tool and libraries) is not checked again, when the entry that says so is signed:
    validating the catalogue is most of a small run's time.
    """
    memo = _memo(cache_dir, name, data)
    if memo is not None and cache_dir.load(memo) == _VALID:
        return
    from jsonschema.exceptions import best_match

    error = best_match(_validator(name).iter_errors(data))
    if error is None:
        if memo is not None:
            cache_dir.store(memo, _VALID)  # a read-only folder only means no memo
        return
    error = _deepest(error)
    key_path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key_path += extra[:1]
    line = located.line_of(data, key_path) if located else None
    raise InputError(path, f"{name} schema: {_describe(error)}", line=line, hint=hint,
                     ja=f"{name} のスキーマに合いません: {_describe_ja(error)}", hint_ja=_hint_ja(hint))


def _hint_ja(hint: str | None) -> str | None:
    """The callers' hints say where the keys are documented: "see README.md, 'Settings', for the keys"."""
    found = re.fullmatch(r"see (\S+?),?(?: '([^']+)',)? for the keys.*", hint or "")
    if not found:
        return None
    section = f" の「{found.group(2)}」" if found.group(2) else " "
    return f"使えるキーは {found.group(1)}{section}を参照してください"
