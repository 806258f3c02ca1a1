"""The files behind the manifest's entries: each read and hashed once, each part of one listed once.

A manifest may list one file several times: under two kinds, one sheet of a workbook per entry, one
list of a YAML/JSON document per entry (records:). Each file's bytes are read and hashed once however
often it is listed (an alias, ./a.csv or a symlink inside the folder, is the same file), kept only
until its last entry has been read, and a document's parse is shared by its entries. An option that
does not apply to a file's format (records: on a CSV, sheet: on a YAML file) is refused: ignored, it
would let one table be read again and again, its rows counted once per entry.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

from ..errors import InputError, os_reason
from ..limits import read_regular
from .. import filenames

FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
MAX_ENTRIES = 10_000  # files one manifest may list: a manifest is written by hand, never this long
# The manifest options each format reads; the part of the file an entry reads is `sheet` or `records`.
_TABLE = {"header_row", "header_rows"}
_OPTIONS = {"csv": {"encoding", "delimiter", *_TABLE}, "tsv": {"encoding", "delimiter", *_TABLE},
            "xlsx": {"sheet", "sheets", *_TABLE}, "yaml": {"encoding", "records"}, "json": {"encoding", "records"},
            "fortigate": {"encoding", "zones", "gateways"}, "panos": {"zones", "gateways"}}
_WHAT = {"records": "names a list of a YAML or JSON file", "sheet": "names a sheet of an .xlsx workbook",
         "sheets": "names sheets of an .xlsx workbook",
         "encoding": "applies to text files (CSV, TSV, YAML, JSON, FortiGate)", "delimiter": "applies to CSV and TSV files",
         "header_row": "applies to tables (CSV, TSV, .xlsx)", "header_rows": "applies to tables (CSV, TSV, .xlsx)",
         "zones": "maps a firewall configuration's interfaces and zones (format: fortigate, panos)",
         "gateways": "names a firewall configuration's gateways (format: fortigate, panos)"}
_WHAT_JA = {"records": "YAML か JSON のファイルの一覧を指定します", "sheet": ".xlsx ブックのシートを指定します",
            "sheets": ".xlsx ブックのシートを指定します",
            "encoding": "テキストファイル（CSV、TSV、YAML、JSON、FortiGate）に使います",
            "delimiter": "CSV と TSV のファイルに使います",
            "header_row": "表（CSV、TSV、.xlsx）に使います", "header_rows": "表（CSV、TSV、.xlsx）に使います",
            "zones": "ファイアウォールの設定のインターフェースとゾーンを対応づけます（format: fortigate、panos）",
            "gateways": "ファイアウォールの設定のゲートウェイを指定します（format: fortigate、panos）"}
CONFIGS = frozenset({"fortigate", "panos"})  # firewall configurations: rules, not rows of a table
_GLOB = frozenset("*?[")


def fmt_of(entry: dict) -> str | None:
    return entry.get("format") or FORMATS.get(Path(entry["path"]).suffix.lower())


def too_many(entries, manifest_path, line) -> None:
    if isinstance(entries, list) and len(entries) > MAX_ENTRIES:
        raise InputError(manifest_path, f"the manifest lists {len(entries):,} files, more than the limit of "
                         f"{MAX_ENTRIES:,}", line=line,
                         hint="list each file once per kind, sheet or list (records:) it is read for",
                         ja=f"マニフェストの files: に {len(entries):,} 件あり、上限の {MAX_ENTRIES:,} 件を超えています",
                         hint_ja="ファイルは、読む種類・シート・一覧（records:）ごとに1回だけ書いてください")


def check_options(entry: dict, manifest_path, line) -> None:
    """Refuse a reading option the file's format does not use (it would be ignored, silently)."""
    fmt = fmt_of(entry)
    if fmt not in _OPTIONS:
        return  # an unknown type is refused when the file is read
    for name in _WHAT:
        if entry.get(name) is not None and name not in _OPTIONS[fmt]:
            raise InputError(manifest_path, f"{name}: {_WHAT[name]}, but '{entry['path']}' is read as {fmt}", line=line,
                             hint=f"remove {name}: from this entry, or set format: if the file is not {fmt}",
                             ja=f"{name}: は{' ' * _WHAT_JA[name][0].isascii()}{_WHAT_JA[name]}が、「{entry['path']}」は"
                                f" {fmt} として読むため使えません",
                             hint_ja=f"この項目から {name}: を消すか、ファイルが {fmt} でなければ format: を書いてください")


def identity(root: Path, rel: str) -> str:
    """One name for every path that reaches the same file (./a.csv, sub/../a.csv, a symlink to it)."""
    try:
        return str((root / rel).resolve())
    except (OSError, RuntimeError, ValueError):  # a loop or a NUL: reading it reports the problem
        return os.path.normpath(rel)


def part(entry: dict):
    """What of the file an entry reads: the sheet(s) of a workbook, the list of a document, else the whole."""
    if fmt_of(entry) == "xlsx":
        return entry.get("sheet") if entry.get("sheets") is None else ("sheets", entry["sheets"])
    return entry.get("records")


def expand(root: Path, entries: list, manifest_path, line_of) -> tuple[list, list]:
    """Entries whose path: is a pattern (課別/*.xlsx), one per file it matches inside the folder, in the
    order of their names; -> (entries, the index in the manifest of each). A path that exists as written
    is a file name, whatever its characters. Names starting with '.' and Excel's lock files (~$名簿.xlsx)
    are not evidence; the manifest is not either."""
    out, origin = [], []
    for i, entry in enumerate(entries):
        rel = entry["path"]
        if not (_GLOB & set(rel)) or "\x00" in rel or _exists(root, rel):
            out.append(entry)
            origin.append(i)
            continue
        if os.path.isabs(rel) or rel.startswith(("/", "\\")) or ".." in Path(rel).parts:
            raise InputError(manifest_path, f"path pattern '{rel}' leaves the evidence folder", line=line_of(i),
                             hint="a pattern names files inside the folder that holds manifest.yaml",
                             ja=f"パスのパターン「{rel}」が証跡のフォルダの外を指しています",
                             hint_ja="パターンには manifest.yaml のあるフォルダの中のファイルを書きます")
        try:
            found = sorted(p for p in root.glob(rel) if p.is_file() and not p.name.startswith((".", "~$"))
                           and p.relative_to(root).as_posix() != "manifest.yaml")
        except (OSError, ValueError) as exc:
            raise InputError(manifest_path, f"path pattern '{rel}': {exc}", line=line_of(i),
                             hint="write ** alone between slashes (課別/**/*.xlsx)" if "**" in str(exc) else None,
                             ja=f"パスのパターン「{rel}」を使えません（{_glob_reason(exc)}）",
                             hint_ja="** は / と / の間に単独で書きます（課別/**/*.xlsx）" if "**" in str(exc) else None
                             ) from None
        if not found:
            raise InputError(manifest_path, f"no file matches path pattern '{rel}'", line=line_of(i),
                             hint="a pattern such as 課別/*.xlsx names files inside the evidence folder",
                             ja=f"パターン「{rel}」に合うファイルがありません",
                             hint_ja="課別/*.xlsx のようなパターンで証跡フォルダの中のファイルを指定します")
        for p in found:
            out.append(dict(entry, path=p.relative_to(root).as_posix()))
            origin.append(i)
    too_many(out, manifest_path, line_of(0) if out else None)
    return out, origin


def _glob_reason(exc: Exception) -> str:
    """Why pathlib refused a pattern, in Japanese (its words are English)."""
    if isinstance(exc, OSError):
        return os_reason(exc, "ja")
    if "**" in str(exc):  # Python before 3.13: '**' can only be an entire path component
        return "** がパスの一部分になっています"
    return "パターンとして読めません"


def _exists(root: Path, rel: str) -> bool:
    try:
        return os.path.lexists(root / rel)
    except (OSError, ValueError):
        return False


class Files:
    """The bytes and SHA-256 of each file, read once for all the entries that list it."""

    def __init__(self, root: Path, entries: list, manifest_path, line_of, max_bytes: int):
        self.root, self.entries, self.manifest_path, self.line_of = root, entries, manifest_path, line_of
        self.max_bytes = max_bytes
        self.ids = [identity(root, e["path"]) for e in entries]
        self._left = Counter(self.ids)
        self._held: dict = {}  # identity -> (bytes, digest, parsed documents) until its last entry is read

    def peek(self, i: int) -> str | None:
        """The SHA-256 of entry i's file, read now and held for get(); None when it cannot be read (get() says why)."""
        ident = self.ids[i]
        if ident not in self._held:
            try:
                raw = read_bytes(self.root, self.entries[i]["path"], self.manifest_path, self.line_of(i), self.max_bytes)
            except InputError:
                return None
            self._held[ident] = (raw, hashlib.sha256(raw).hexdigest(), {} if self._left[ident] > 1 else None)
        return self._held[ident][1]

    def held(self, i: int) -> bytes | None:
        """Entry i's bytes when peek() read them (still held for get()), else None."""
        held = self._held.get(self.ids[i])
        return held[0] if held is not None else None

    def get(self, i: int) -> tuple[bytes, str, dict | None]:
        """(bytes, SHA-256, the parsed documents this file's other entries share, or None if it has none)."""
        ident = self.ids[i]
        held = self._held.get(ident)
        if held is None:
            raw = read_bytes(self.root, self.entries[i]["path"], self.manifest_path, self.line_of(i), self.max_bytes)
            held = (raw, hashlib.sha256(raw).hexdigest(), {} if self._left[ident] > 1 else None)
        self._left[ident] -= 1
        if self._left[ident] > 0:
            self._held[ident] = held
        else:
            self._held.pop(ident, None)  # the last entry of this file: nothing keeps its bytes any longer
        return held


def read_bytes(root: Path, rel: str, manifest_path, line, max_bytes: int) -> bytes:
    """The file's bytes, refusing any path that leaves the evidence folder, and devices, pipes and files
    larger than max_bytes before reading them."""
    if "\x00" in rel:
        raise InputError(manifest_path, f"path {rel!r} holds a NUL character", line=line, hint="fix the path",
                         ja=f"パス {rel!r} に NUL 文字があります", hint_ja="パスを直してください")
    if os.path.isabs(rel) or rel.startswith(("/", "\\")) or (len(rel) > 1 and rel[1] == ":"):
        raise InputError(manifest_path, f"path '{rel}' is absolute", line=line,
                         hint="paths are relative to the folder that holds manifest.yaml",
                         ja=f"パス「{rel}」が絶対パスです", hint_ja="パスは manifest.yaml のあるフォルダからの相対パスで書きます")
    base = root.resolve()
    target = (root / rel).resolve()
    if base != target and base not in target.parents:
        raise InputError(manifest_path, f"path '{rel}' leaves the evidence folder", line=line,
                         hint="copy the file into the evidence folder; '../' and symlinks out of it are refused",
                         ja=f"パス「{rel}」が証跡フォルダの外を指しています",
                         hint_ja="ファイルを証跡フォルダにコピーしてください（'../' やフォルダの外へのリンクは使えません）")
    try:
        return read_regular(target, max_bytes, rel)
    except FileNotFoundError:
        shift_jis = filenames.twin(target.parent, target.name)
        if shift_jis:  # unpacked from a Windows zip without -O cp932
            raise InputError(manifest_path, f"evidence file '{rel}' not found; '{shift_jis}' beside it is that name in "
                             "Shift_JIS bytes", line=line, hint=f"rename '{shift_jis}' to '{target.name}' (or unpack the "
                             "zip again with `unzip -O cp932`)",
                             ja=f"証跡ファイル「{rel}」がありません。同じフォルダの「{shift_jis}」は、この名前を Shift_JIS で"
                                "書いたものです",
                             hint_ja=f"「{shift_jis}」を「{target.name}」に名前を変えてください（または zip を "
                                     "`unzip -O cp932` で展開し直してください）") from None
        raise InputError(manifest_path, f"evidence file '{rel}' not found", line=line,
                         hint="fix the path or remove the entry from the manifest", ja=f"証跡ファイル「{rel}」がありません",
                         hint_ja="パスを直すか、マニフェストからこの記載を削除してください") from None
    except IsADirectoryError:
        raise InputError(manifest_path, f"'{rel}' is a folder, not a file", line=line,
                         ja=f"「{rel}」はファイルではなくフォルダです") from None
    except OSError as exc:
        raise InputError(manifest_path, f"cannot read '{rel}': {exc.strerror}", line=line,
                         ja=f"「{rel}」を読めません（{os_reason(exc, 'ja')}）") from None
