"""Add entries to an evidence manifest (`auditor inspect --append`) without disturbing what is there:
the text is edited, not re-written from its data, so comments, order and quoting stay as they were.

The new entries go after the last entry of `files:` (or replace an empty `files: []`); the result is
parsed and checked against the manifest schema before it replaces the file, atomically. A path that
the manifest already lists is refused, and so is a file outside the manifest's folder.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from . import sources
from .. import fsio, schema, yamlio
from ..errors import InputError, os_reason

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def relative(manifest, file) -> str:
    """The file's path as the manifest writes it: relative to the manifest's folder, with '/'."""
    root = Path(manifest).resolve().parent
    target = Path(file).resolve()
    if root != target.parent and root not in target.parents:
        raise InputError(file, f"the file is outside the manifest's folder {root}",
                         hint=f"copy it into {root} first, then inspect the copy",
                         ja=f"ファイルがマニフェストのフォルダ {root} の外にあります。証跡ファイルはマニフェストと同じフォルダ"
                            "（またはその下）に置いてください",
                         hint_ja=f"先に {root} へコピーし、そのコピーを inspect してください")
    return target.relative_to(root).as_posix()


def append(manifest, block: str, entries: list[dict]) -> None:
    """Insert `block` (the YAML text of `entries`, comments included) into the manifest's files:."""
    path = Path(manifest)
    data, _ = yamlio.read_config(path)  # refuses what every manifest read refuses (tags, bombs, duplicates)
    if not isinstance(data, dict):
        raise InputError(path, "the manifest is not a mapping (organisation:, fiscal_year:, files:)",
                         ja="マニフェストがマッピング（organisation:、fiscal_year:、files:）になっていません")
    listed = data.get("files") or []
    root = path.parent
    seen = {sources.identity(root, e["path"]): e["path"] for e in listed
            if isinstance(e, dict) and isinstance(e.get("path"), str)}
    for e in entries:
        if sources.identity(root, e["path"]) in seen:
            raise InputError(path, f"'{e['path']}' is already listed (as '{seen[sources.identity(root, e['path'])]}')",
                             hint="edit its entry, or remove it first to inspect the file again",
                             ja=f"「{e['path']}」はすでに登録されています（「{seen[sources.identity(root, e['path'])]}」として）",
                             hint_ja="その項目を直すか、先に項目を消してからファイルを inspect し直してください")
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    source = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in source else "\n"
    text = _insert(source.replace("\r\n", "\n"), block, path)
    new, located = yamlio.load_config(text, str(path))
    if not isinstance(new, dict) or len(new.get("files") or []) != len(listed) + len(entries):
        raise InputError(path, "the entry could not be added to files: as the manifest is written",
                         hint="write files: as a list with one '- path:' entry per file, then try again",
                         ja="マニフェストの files: の書き方のため、項目を追加できませんでした",
                         hint_ja="files: を1ファイル1項目（'- path:'）の一覧に書き直してから、もう一度実行してください")
    schema.validate(new, "manifest", path, located,
                    hint="see README.md, 'Evidence manifest', for the keys a manifest may hold")
    out = ("\ufeff" if bom else "") + text.replace("\n", newline)
    try:
        fsio.write_atomic(path, out)
    except OSError as exc:
        raise InputError(path, f"cannot write the manifest: {exc.strerror or exc}",
                         ja=f"マニフェストを書き込めません（{os_reason(exc, 'ja')}）") from None


def _insert(source: str, block: str, path) -> str:
    if source and not source.endswith("\n"):
        source += "\n"
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError as exc:  # read_config has already refused anything worse
        raise yamlio.unreadable(path, exc) from None
    found = next(((k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "files"), None) \
        if isinstance(root, yaml.MappingNode) else None
    if found is None:
        return source + "files:\n" + block
    key, value = found
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        indent = " " * value.start_mark.column
        at = _after_last_line(source, value.value[-1])
        return source[:at] + "".join(indent + line if line.strip() else line
                                     for line in block.splitlines(keepends=True)) + source[at:]
    empty = (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")) or \
        (isinstance(value, yaml.SequenceNode) and not value.value)
    if not empty:
        raise InputError(path, "files: is not a list of entries one per line", line=key.start_mark.line + 1,
                         hint="write files: as '- path: ...' entries, one per file",
                         ja="files: が1行に1項目の一覧になっていません",
                         hint_ja="files: は1ファイルにつき1つの '- path: ...' 項目で書いてください")
    start, end = value.start_mark.index, value.end_mark.index
    if isinstance(value, yaml.ScalarNode) and start == end:  # `files:` with nothing after it
        start = end = key.end_mark.index + 1
    head = source[:start].rstrip(" \t")
    if not head.endswith(":"):
        head = source[:key.end_mark.index] + ":"
    rest = source[end:]
    line_end = rest.find("\n")
    tail_of_line, rest = (rest, "") if line_end < 0 else (rest[:line_end], rest[line_end + 1:])
    comment = tail_of_line.strip()
    return head + (f"  {comment}" if comment else "") + "\n" + block + rest


def _after_last_line(source: str, node) -> int:
    """Where the line after the node's last line of content starts (trailing comments are not its own)."""
    lines = source[:node.end_mark.index].split("\n")
    while len(lines) > 1 and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    return min(len("\n".join(lines)) + 1, len(source)) if lines else len(source)
