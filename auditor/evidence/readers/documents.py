"""YAML and JSON evidence: the list of records a file holds, as columns with the line of each record."""
from __future__ import annotations

import json
import re

from . import fastyaml
from ... import jsonproblems, yamlio
from ...errors import InputError


SHAPE_HINT = "expected a list of records, or a mapping with one list of records (e.g. records:)"
SHAPE_HINT_JA = "レコードのリストか、レコードのリストを一つ持つマッピング（例: records:）にしてください"


def _pick(data, path, line_of, wanted=None):
    """-> (key or None, list of records) from the accepted shapes; `wanted` names the list to read."""
    if wanted is not None:
        if not isinstance(data, dict) or wanted not in data:
            raise InputError(path, f"no list '{wanted}' at the top of the file", line=line_of(data),
                             hint="records: in the manifest must name a top-level list of the file",
                             ja=f"ファイルの最上位にリスト「{wanted}」がありません",
                             hint_ja="マニフェストの records: にはファイルの最上位にあるリストの名前を書きます")
        key = wanted
    elif isinstance(data, list):
        return None, data
    elif isinstance(data, dict):
        if "records" in data:
            key = "records"
        else:
            keys = [k for k, v in data.items() if isinstance(v, list) and all(isinstance(x, dict) for x in v)]
            if len(keys) != 1:
                found = "lists " + ", ".join(f"'{k}'" for k in keys) if keys else "no list of records"
                found_ja = "リスト " + "、".join(f"「{k}」" for k in keys) if keys else "レコードのリストがありません"
                raise InputError(path, f"cannot tell which list holds the records: found {found}",
                                 line=line_of(data), hint=SHAPE_HINT + "; or name it with records: in the manifest",
                                 ja=f"どのリストがレコードか分かりません（{found_ja}）",
                                 hint_ja=SHAPE_HINT_JA + "。またはマニフェストの records: で指定してください")
            key = keys[0]
    else:
        raise InputError(path, "the file holds no records", hint=SHAPE_HINT, ja="ファイルにレコードがありません",
                         hint_ja=SHAPE_HINT_JA)
    records = data[key]
    if not isinstance(records, list):
        raise InputError(path, f"'{key}' must be a list of records", line=line_of(data), hint=SHAPE_HINT,
                         ja=f"「{key}」はレコードのリストにしてください", hint_ja=SHAPE_HINT_JA)
    return key, records


class Yaml:
    """A YAML document parsed once; table(wanted) reads one of its lists (records:) as columns."""

    def __init__(self, text, path):
        self.path = path
        self.skeleton, self.fast = fastyaml.split(text)
        self.data = self.located = None
        self.loaded = False

    def table(self, wanted) -> tuple[dict, list]:
        if None in self.fast and wanted is None:
            return self.fast[None]
        if not self.loaded:
            self.data, self.located = yamlio.load_data(self.skeleton, self.path)
            if isinstance(self.data, dict):
                self.data.update((key, []) for key in self.fast if key in self.data)
            self.loaded = True
        key, records = _pick(self.data, self.path, self.located.line, wanted)
        if key in self.fast:
            return self.fast[key]
        return columns(records, [self.located.line(r) if isinstance(r, dict) else None for r in records], self.path)


def columns(records, lines, path) -> tuple[dict, list]:
    """Records (mappings) -> columns; a field a record lacks is None in it."""
    uniform = _uniform(records)
    if uniform is not None:
        return uniform, lines
    columns: dict = {}
    n = len(records)
    for i, (rec, line) in enumerate(zip(records, lines)):
        for k, v in _record(rec, path, line).items():
            column = columns.get(k)
            if column is None:
                column = columns[k] = [None] * n
            column[i] = v
    return columns, lines


def _uniform(records) -> dict | None:
    """Columns at C speed when every record is a mapping with the same keys holding text or null."""
    if not records or type(records[0]) is not dict:
        return None
    keys = list(records[0])
    if not all(type(r) is dict and list(r) == keys for r in records):
        return None
    columns = {}
    for k in keys:
        column = [r[k] for r in records]
        if not set(map(type, column)) <= _TEXT or not isinstance(k, str):
            return None  # lists, booleans, nested values: record by record, with their checks
        columns[k] = [v or None for v in column] if "" in column else column
    return columns


_TEXT = {str, type(None)}
_WS = re.compile(r"[ \t\n\r]*")


class Json:
    """A JSON document parsed once; table(wanted) reads one of its lists (records:) as columns."""

    def __init__(self, text, path):
        def no_duplicates(pairs):  # json would silently keep the last one; YAML rejects them too
            obj = dict(pairs)
            if len(obj) != len(pairs):
                seen = set()
                for k, _ in pairs:
                    if k in seen:
                        raise InputError(path, f"duplicate key '{k}' in a JSON object", hint="remove or rename one of them",
                                                 ja=f"JSON のオブジェクトでキー「{k}」が重複しています",
                                                 hint_ja="どちらかを削除するか、名前を変えてください")
                    seen.add(k)
            return obj

        try:  # numbers keep their text as written ('1.50' stays '1.50'), like YAML and CSV
            self.data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str,
                                   object_pairs_hook=no_duplicates)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"JSON syntax error: {exc.msg}", line=exc.lineno,
                             hint="check the commas, brackets and quotes around this line",
                             ja=f"JSON の構文エラーです（{jsonproblems.japanese(exc.msg)}）",
                             hint_ja="この行のあたりのカンマ、括弧、引用符を確かめてください") from None
        except RecursionError:  # the C decoder stops at Python's recursion limit: a nesting bomb
            raise InputError(path, "the document nests too deeply", hint="evidence files are flat data",
                             ja="文書の入れ子が深すぎます", hint_ja="証跡のファイルは平らなデータです") from None
        self.text, self.path, self.starts = text, path, None

    def table(self, wanted) -> tuple[dict, list]:
        return columns(*self.records(wanted), self.path)

    def records(self, wanted=None):
        text = self.text
        start = _WS.match(text).end()
        key, records = _pick(self.data, self.path, lambda _: text.count("\n", 0, start) + 1, wanted)
        if "\n" not in text[start:].rstrip():  # one line (most machine exports): every record is on it
            return records, [text.count("\n", 0, start) + 1] * len(records)
        # json keeps no positions: re-scan the top level to find where each record starts.
        dec, skip = json.JSONDecoder(), lambda i: _WS.match(text, i).end()
        i = skip(0) if key is None else self._starts()[key]
        lines, line, pos = [], 1, 0
        i = skip(i + 1)
        while text[i] != "]":
            line += text.count("\n", pos, i)
            lines.append(line)
            pos = i
            i = skip(dec.raw_decode(text, i)[1])
            i = skip(i + 1) if text[i] == "," else i
        return records, lines

    def _starts(self) -> dict:
        """Where the value of each top-level key starts, found in one scan for all the lists read."""
        if self.starts is None:
            text, dec = self.text, json.JSONDecoder()
            skip = lambda i: _WS.match(text, i).end()  # noqa: E731
            self.starts, i = {}, skip(skip(0) + 1)
            while text[i] != "}":
                k, i = dec.raw_decode(text, i)
                i = skip(skip(i) + 1)  # past ':'
                self.starts[k] = i
                i = skip(dec.raw_decode(text, i)[1])
                i = skip(i + 1) if text[i] == "," else i
        return self.starts


def _value(v, path, line, field):
    if v is None or isinstance(v, str):
        return v or None  # an empty value is a missing value, as in CSV
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list) and not any(isinstance(x, (list, dict)) for x in v):
        return [_value(x, path, line, field) for x in v]
    raise InputError(path, f"field '{field}' holds a nested structure; expected text or a list of text",
                     line=line, hint="flatten the value, e.g. into several fields",
                     ja=f"フィールド「{field}」が入れ子の構造を持っています。文字列か文字列のリストにしてください",
                     hint_ja="値を平らにしてください（例: いくつかのフィールドに分ける）")


def _record(rec, path, line):
    if not isinstance(rec, dict):
        raise InputError(path, f"a record must be a mapping of field: value, not {type(rec).__name__}",
                         line=line, hint=SHAPE_HINT, hint_ja=SHAPE_HINT_JA,
                         ja=f"レコードは「フィールド: 値」のマッピングにしてください（{type(rec).__name__} は使えません）")
    return {str(k): _value(v, path, line, k) for k, v in rec.items()}
