"""Excel workbooks (.xlsx): the sheet a clerk sees, as a RawTable with Excel row numbers."""
from __future__ import annotations

import dataclasses
import fnmatch
import io
import itertools
import re

from ... import limits
from ...errors import InputError
from .table import OLD_EXCEL, OLD_EXCEL_HINT, OLD_EXCEL_HINT_JA, OLD_EXCEL_JA, OLE2_MAGIC, build_table, cell_at, where_ja


def read_xlsx(data, path, sheet, header_row, limit=None, *, header_rows=None, sheets=None, cells=()):
    """The sheet named (hidden or not), else the first visible one: what a clerk sees on opening the file.
    -> a RawTable; with `sheets` ('all', or a pattern of names: every visible sheet that matches), a list
    of them, one per sheet in the workbook's order.

    Formulas: the result Excel saved with the file is read; a formula without one (a workbook written
    by a program and never opened in Excel) is an error, not an empty cell. Merged cells carry their
    value down the rows they cover (and across, in the rows above the last header row); a number shown
    with a zero-padded format (00000) is read as the digits the sheet shows. cells: addresses (D2)
    whose values the tables keep (RawTable.cells).
    """
    import openpyxl  # only needed for workbooks

    if data.startswith(OLE2_MAGIC):  # not a zip: an old .xls, or an .xlsx encrypted with a password
        raise InputError(path, f"not a valid Excel workbook: the file is {OLD_EXCEL}, or a password-protected one",
                         hint=OLD_EXCEL_HINT + "; remove the password if it has one",
                         ja=f"Excel のブックとして読めません。{OLD_EXCEL_JA}。またはパスワード付きのブックです",
                         hint_ja=OLD_EXCEL_HINT_JA + "。パスワードがあれば外してください")
    if limit is not None:
        _check_unpacked(data, path, limit)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a usable workbook"
        _refuse_entities(exc, path)
        raise InputError(path, f"not a valid Excel workbook ({type(exc).__name__}: {exc})",
                         hint="save it as .xlsx from Excel (old .xls files are not supported)",
                         ja=f"Excel のブックとして読めません（{_broken_ja(exc)}）",
                         hint_ja="Excel で .xlsx 形式で保存してください（古い .xls には対応していません）") from None
    try:
        names = wb.sheetnames
        if sheet is not None and str(sheet) not in names:
            raise InputError(path, f"no sheet named '{sheet}'; the workbook has: "
                             + ", ".join(f"'{n}'" for n in names), hint="set sheet: in the manifest to one of these",
                             ja=f"シート「{sheet}」がありません。ブックのシート: " + "、".join(f"「{n}」" for n in names),
                             hint_ja="マニフェストの sheet: にこのどれかを指定してください")
        visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] or names
        if sheets is None:
            return _sheet(wb, wb[str(sheet) if sheet is not None else visible[0]], path, header_row, header_rows,
                          cells, limit, [0])
        chosen = [n for n in visible if sheets == "all" or fnmatch.fnmatchcase(n, sheets)]
        chosen = [n for n in chosen if hasattr(wb[n], "iter_rows")]  # chart sheets hold no table
        if not chosen:
            raise InputError(path, f"no sheet matches sheets: '{sheets}'; the workbook has: "
                             + ", ".join(f"'{n}'" for n in names),
                             hint="sheets: all reads every visible sheet; a pattern such as '*課' the sheets it names",
                             ja=f"sheets:「{sheets}」に合うシートがありません。ブックのシート: "
                                + "、".join(f"「{n}」" for n in names),
                             hint_ja="sheets: all は表示されているシートをすべて、'*課' のようなパターンは合うシートを読みます")
        read = [0]  # rows read so far: the row limit holds for the whole workbook
        tables = [_sheet(wb, wb[n], path, header_row, header_rows, cells, limit, read, skip_empty=True)
                  for n in chosen]
        return [t for t in tables if t is not None]
    except InputError:
        raise
    except Exception as exc:  # read-only mode parses lazily, so a damaged sheet fails only here
        _refuse_entities(exc, path)
        raise InputError(path, f"cannot read the workbook ({type(exc).__name__}: {exc})",
                         hint="open and re-save the file in Excel", ja=f"ブックを読めません（{_broken_ja(exc)}）",
                         hint_ja="Excel で開いて保存し直してください") from None
    finally:
        wb.close()


def _broken_ja(exc: Exception) -> str:
    """What is wrong with a damaged workbook, in our Japanese words (zipfile's and the XML parsers' are English)."""
    name = type(exc).__name__
    if name == "BadZipFile":
        return "ZIP 形式の .xlsx ではないか、途中で切れています（拡張子だけ .xlsx のファイルや、コピーの途中のファイル）"
    if isinstance(exc, KeyError):  # zipfile: There is no item named 'xl/workbook.xml' in the archive
        part = re.search(r"named '([^']+)'", str(exc))
        return f"ブックに必要な部分{' ' + part.group(1) + ' ' if part else ''}がありません"
    if "no valid workbook part" in str(exc):  # openpyxl: a ZIP of another kind (a .docx renamed .xlsx)
        return "ZIP ファイルですが、ブックの本体がありません（Word の .docx など、別の種類のファイルではありませんか）"
    if name in ("ParseError", "XMLSyntaxError", "ExpatError"):
        return "ブックの中の XML が壊れています"
    if name in ("error", "EOFError") or "zlib" in type(exc).__module__:
        return "ブックの中の圧縮されたデータが壊れています"
    # another library's English would sit inside the Japanese line: our words, the class name for support
    return f"ブックの中身が壊れているか、読めない形で保存されています（{name}）"


def _sheet(wb, ws, path, header_row, header_rows, cells, limit, read, skip_empty=False):
    if not hasattr(ws, "iter_rows"):
        raise InputError(path, f"sheet '{ws.title}' is a chart, not a table", hint="set sheet: in the manifest",
                         ja=f"シート「{ws.title}」はグラフで、表ではありません", hint_ja="マニフェストで sheet: を指定してください")
    where = f"sheet '{ws.title}': "
    top = header_rows[-1] if header_rows else header_row
    left = None if limit is None else limit.max_rows - read[0]
    cap = None if limit is None else left + (top or 1)
    if cap is not None and (ws.max_row or 0) > cap:  # the size the sheet declares, before reading a row
        limits.too_many_rows(path, ws.max_row - (top or 1) + read[0], limit.max_rows, subject=f"sheet '{ws.title}'")
    merges = _scan_sheet(wb, ws, path, where)
    ws.reset_dimensions()  # some writers record a wrong sheet size; read every row that exists
    padded = _padded_formats(wb)
    if padded:
        rows = [[_shown(c, padded) for c in row] for row in itertools.islice(ws.iter_rows(), cap and cap + 1)]
    else:
        rows = [list(row) for row in itertools.islice(ws.iter_rows(values_only=True), cap and cap + 1)]
    if cap is not None and len(rows) > cap:  # the declared size was wrong: stop reading all the same
        limits.too_many_rows(path, len(rows) - (top or 1) + read[0], limit.max_rows, "rows or more",
                             subject=f"sheet '{ws.title}'")
    if skip_empty and not any(c is not None and c != "" for row in rows for c in row):
        return None  # an unused sheet (Sheet3) of a workbook read sheet by sheet
    if top is None:
        top = next((k + 1 for k, row in enumerate(rows) if any(c is not None and c != "" for c in row)), 1)
    notes = _fill_merged(rows, merges, top, path, where if skip_empty else "") if merges else ()
    table = build_table(rows, range(1, len(rows) + 1), path, header_row, None, where=where, text=False,
                        max_cell=None if limit is None else limit.max_cell_size, header_rows=header_rows)
    read[0] += len(table.lines)
    return dataclasses.replace(table, notes=notes, sheet=ws.title, several=skip_empty,
                               cells={a: cell_at(rows, a) for a in cells})


def _padded_formats(wb) -> dict:
    """The workbook's custom number formats that pad a whole number with zeros (00000): id -> width."""
    try:
        formats = list(wb._number_formats)  # openpyxl's internals: without them, numbers are read as numbers
    except Exception:  # noqa: BLE001
        return {}
    out = {}
    for i, fmt in enumerate(formats):
        first = str(fmt).split(";")[0].replace('"', "").replace("\\", "")
        if len(first) > 1 and set(first) == {"0"}:
            out[i + 164] = len(first)  # custom formats are numbered from 164 (openpyxl's BUILTIN_FORMATS_MAX_SIZE)
    return out


def _shown(cell, padded: dict):
    value = getattr(cell, "value", None)
    if type(value) in (int, float) and (type(value) is int or value.is_integer()) and value >= 0:
        width = padded.get(getattr(getattr(cell, "style_array", None), "numFmtId", None))
        if width:
            return str(int(value)).zfill(width)  # the digits the sheet shows: a code, not a number
    return value


def _fill_merged(rows, merges, top, path, where) -> tuple:
    """Copy each merged range's value (its top-left cell) into the cells it covers, as the sheet shows
    it: down its first column; across as well in the rows above the last header row (a group label).
    -> notes for the reading (code, line, ja, en)."""
    budget = sum(map(len, rows)) + len(rows)  # overlapping ranges (never written by Excel) cannot multiply work
    filled, shown = 0, []
    for c1, r1, c2, r2 in sorted(merges, key=lambda m: (m[1], m[0])):
        if r1 > len(rows):
            continue
        r2 = min(r2, len(rows))
        value = rows[r1 - 1][c1 - 1] if c1 <= len(rows[r1 - 1]) else None
        if value is None:
            continue
        across = r2 < top
        for r in range(r1, r2 + 1):
            row = rows[r - 1]
            for c in range(c1, (c2 if across else c1) + 1):
                if (r, c) == (r1, c1):
                    continue
                if c > len(row):
                    row.extend([None] * (c - len(row)))
                if row[c - 1] is None:
                    row[c - 1] = value
                    filled += 1
                budget -= 1
                if budget < 0:
                    raise InputError(path, f"{where}merged cell ranges overlap", line=r,
                                     hint="open and re-save the file in Excel, or unmerge the cells",
                                     ja=f"{where_ja(where)}結合したセルの範囲が重なっています",
                                     hint_ja="Excel で開いて保存し直すか、セルの結合を解除してください")
        if r2 > r1 and r2 > top:
            shown.append(f"{_letters(c1)}{r1}:{_letters(c2)}{r2}")
    if not shown:
        return ()
    ranges = ", ".join(shown[:10]) + ("…" if len(shown) > 10 else "")
    first = int(re.match(r"[A-Z]+([0-9]+)", shown[0]).group(1))
    return (("merged_cells", first,
             f"{where}結合セル {len(shown)} 範囲（{ranges}）の値を、結合された各行に補いました",
             f"{where}the value of {len(shown)} merged cell range(s) ({ranges}) was filled into every row "
             "they cover"),)


def _letters(col: int) -> str:
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


_FORBIDDEN = {"EntitiesForbidden": "declares an XML entity", "DTDForbidden": "holds a document type declaration",
              "ExternalReferenceForbidden": "refers to an external resource"}
_FORBIDDEN_JA = {"EntitiesForbidden": "XML のエンティティを宣言しています", "DTDForbidden": "文書型宣言（DTD）を含んでいます",
                 "ExternalReferenceForbidden": "外部の資源を参照しています"}


def _refuse_entities(exc: BaseException, path) -> None:
    """defusedxml (which openpyxl parses with) stopped an entity bomb or an external entity, perhaps
    wrapped in openpyxl's own error: refuse the file as hostile, not as damaged."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a declared dependency
        return
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DefusedXmlException):
            what = _FORBIDDEN.get(type(exc).__name__, "holds XML that is refused")
            what_ja = _FORBIDDEN_JA.get(type(exc).__name__, "受け付けない XML を含んでいます")
            name = getattr(exc, "name", None)
            raise InputError(path, f"the workbook {what}{f' ({name!r})' if name else ''}; such a file is refused",
                             hint="Excel never writes these: ask the sender for the file as Excel saved it",
                             ja=f"このブックは、{what_ja}{f'（{name!r}）' if name else ''}。XML のエンティティ宣言・外部参照を"
                                "含むブックは読み込みません",
                             hint_ja="Excel はこうしたものを書きません。Excel で保存し直したファイルを提出してもらってください"
                             ) from None
        exc = exc.__cause__ or exc.__context__


def _check_unpacked(data, path, limit) -> None:
    """A workbook is a zip: refuse one whose parts unpack to more than the file size limit (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            size = sum(i.file_size for i in z.infolist())  # zipfile never reads past these sizes
    except Exception:  # not a zip: openpyxl's message says so
        return
    if size > limit.max_file_size:
        limits.too_large(path, size, limit.max_file_size, what="the workbook unpacks to",
                          what_ja="ブックを展開した大きさ")


# A cell that holds a formula and no saved result (<v> missing or empty); only looked for when '<f' occurs.
_UNSAVED_FORMULA = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
MAX_MERGES = 100_000  # merged ranges one sheet may declare


def _scan_sheet(wb, ws, path, where) -> set:
    """Scan the sheet's XML in chunks (a large sheet is never held twice in memory) at memchr speed:
    refuse a formula without its saved result; -> the merged ranges (col1, row1, col2, row2)."""
    try:
        source = wb._archive.open(ws._worksheet_path)  # openpyxl's read-only internals: skip if they move
    except Exception:  # noqa: BLE001
        return set()
    merges = set()
    with source:
        tail = b""
        while True:
            chunk = source.read(1 << 22)
            if not chunk:
                return merges
            text, tail = tail + chunk, (tail + chunk)[-(1 << 16):]  # a cell split between chunks is seen whole
            m = _UNSAVED_FORMULA.search(text) if b"<f" in text else None
            if m:
                raise InputError(path, f"{where}cell {m.group(1).decode()}{m.group(2).decode()} holds a formula "
                                 "with no saved result", line=int(m.group(2)),
                                 hint="open the workbook in Excel and save it (Excel saves each formula's result), "
                                      "or paste the values in place of the formulas",
                                 ja=f"{where_ja(where)}セル {m.group(1).decode()}{m.group(2).decode()} の数式に保存された"
                                    "計算結果がありません",
                                 hint_ja="ブックを Excel で開いて保存する（Excel が数式の結果を保存します）か、数式を値として"
                                         "貼り付けてください")
            if b"<mergeCell " in text:
                for g in _MERGE.finditer(text):
                    c1, r1 = _column(g.group(1)), int(g.group(2))
                    c2, r2 = (_column(g.group(3)), int(g.group(4))) if g.group(3) else (c1, r1)
                    merges.add((min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)))
                if len(merges) > MAX_MERGES:
                    raise InputError(path, f"{where}the sheet declares more than {MAX_MERGES:,} merged cell ranges",
                                     hint="unmerge the cells in Excel and save the file again",
                                     ja=f"{where_ja(where)}結合したセルの範囲が {MAX_MERGES:,} を超えています",
                                     hint_ja="Excel でセルの結合を解除して保存し直してください")


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col
