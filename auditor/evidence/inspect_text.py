"""The words of `auditor inspect`, in Japanese and English, and the entry it proposes written as YAML:
comment lines (what was found, warnings, values to map), then the entry, ready to paste into the
manifest's `files:` or to append (manifest_edit.py). Everything written is masked for My Numbers."""
from __future__ import annotations

import re

import yaml

from . import kinds, profile
from ..privacy import mynumber

MESSAGES = {
    "kind_guessed": {"ja": "種類 {kind}（{title}）: 見出しから推定しました{others}。違う場合は --kind で指定してください",
                     "en": "kind {kind} ({title}): guessed from the headers{others}; give --kind if it is another"},
    "kind_given": {"ja": "種類 {kind}（{title}）", "en": "kind {kind} ({title})"},
    "others": {"ja": "（ほかの候補: {kinds}）", "en": " (also possible: {kinds})"},
    "sheet": {"ja": "シート「{sheet}」を読みます{others}", "en": "reads sheet '{sheet}'{others}"},
    "other_sheets": {"ja": "（ほかのシート: {sheets}。別のシートは --sheet で）", "en": " (other sheets: {sheets}; choose with --sheet)"},
    "title_rows": {"ja": "見出しは {line} 行目です。上の表題行: {title}", "en": "the header is on line {line}; title rows above it: {title}"},
    "columns": {"ja": "列:", "en": "columns:"},
    "mapped": {"ja": "  {header} → {field}（{type}）", "en": "  {header} -> {field} ({type})"},
    "unmapped": {"ja": "  {header}（対応する項目なし: 読みません。{type}）", "en": "  {header} (no field: not read; {type})"},
    "warning": {"ja": "警告: ", "en": "warning: "},
    "unknown_value": {"ja": "「{raw}」（{rows} 行、{line} 行目ほか）", "en": "'{raw}' ({rows} rows; line {line} first)"},
    "unknown_head": {"ja": "次の値は読めません。values: にその意味を書き加えてください（書かなければ check は終了コード 2 で止まります）:",
                     "en": "these values cannot be read: add what they mean under values: (else check stops with exit 2):"},
    "unknown_field": {"ja": "  {field}（{allowed}）: {values}", "en": "  {field} ({allowed}): {values}"},
    "unreadable_dates": {"ja": "{header}（{field}）: {count} 個のセルが日付として読めません（{lines} 行目。例: {examples}）",
                         "en": "{header} ({field}): {count} cells do not read as dates (line {lines}; e.g. {examples})"},
    "unreadable_numbers": {"ja": "{header}（{field}）: {count} 個のセルが数値として読めません（{lines} 行目。例: {examples}）",
                           "en": "{header} ({field}): {count} cells do not read as numbers (line {lines}; e.g. {examples})"},
    "blank_keys": {"ja": "{header}（{field}）が空の行が {count} 行あります（{lines} 行目）{required}",
                   "en": "{header} ({field}) is blank on {count} rows (line {lines}){required}"},
    "blank_required": {"ja": "。必須項目のため check は終了コード 2 で止まります",
                       "en": ": it is required, so check stops with exit 2"},
    "zero_format": {"ja": "{header}（{field}）: {count} 個の数値セルは表示形式で先頭に 0 を付けて「{example[1]}」と表示されていますが、"
                          "「{example[0]}」と読まれます（{lines} 行目）。ほかの証跡の番号と突合しない場合はセルを文字列にしてください",
                    "en": "{header} ({field}): {count} number cells show leading zeros by their format ('{example[1]}') but read "
                          "as '{example[0]}' (line {lines}); if they must match other files' keys, store them as text"},
    "excel_text": {"ja": "{header}（{field}）: =\"{example[1]}\" の形（先頭の 0 を残す Excel の書き方）のセルが {count} 個あり、"
                         "「{example[0]}」と読まれます（{lines} 行目）",
                   "en": "{header} ({field}): {count} cells are written =\"{example[1]}\" (Excel's way to keep leading zeros) "
                         "and read as '{example[0]}' (line {lines})"},
    "short_keys": {"ja": "{header}（{field}）: {count} 個の番号がほかより短く（「{example[0]}」。ほかは {usual} 桁で「{example[1]}」など）、"
                         "先頭の 0 が失われた可能性があります（{lines} 行目。Excel で CSV を開いて保存すると 0 が消えます）",
                   "en": "{header} ({field}): {count} keys are shorter than the others ('{example[0]}' beside {usual}-digit keys "
                         "such as '{example[1]}'): their leading zeros may have been lost (line {lines}; Excel drops them "
                         "when it opens and saves a CSV)"},
    "footer_rows": {"ja": "{lines} 行目は合計行・注記のようです（{text}）。このままでは記録として読まれます。記録でなければ、"
                          "証跡の写しからその行を削除してください",
                    "en": "line {lines} looks like a total or note row ({text}); it would be read as a record. If it is "
                          "not one, remove it from a copy of the file"},
    "renamed_workbook": {"ja": "{name} は名前はテキスト（CSV・TSV）ですが、中身は Excel のブック（.xlsx）です: format: xlsx で読みます",
                         "en": "{name} has a text (CSV, TSV) name but holds an Excel workbook (.xlsx): read with format: xlsx"},
    "merged_down": {"ja": "{header}: {first}〜{last} 行目のセルが結合されています。各行を {first} 行目の値で読みます",
                    "en": "{header}: cells merged over rows {first}-{last}; every row is read with the value of row {first}"},
    "two_row_header": {"ja": "見出しが2行（{rows} 行目）にわたっています: header_rows で読み、見出しは「上/下」とつなげます",
                       "en": "the header spans two rows ({rows}): read with header_rows, labels joined 'upper/lower'"},
    "footer_skipped": {"ja": "{lines} 行目は合計行・注記です（{text}）: skip_rows で記録から除きます（除いた行は check の注記に示されます）",
                       "en": "line {lines} is a total or note row ({text}): skip_rows leaves it out (check's notices "
                             "count what it left out)"},
    "my_numbers": {"ja": "{header}: {count} 個のセルに個人番号（マイナンバー）と思われる 12 桁の番号があります（表示はマスクします）。"
                         "この種類には個人番号の項目がありません: 証跡から削除してください（DP-01 の指摘になります）",
                   "en": "{header}: {count} cells hold what look like 12-digit My Numbers (masked here); this kind has no field "
                         "for them: remove them from the evidence (DP-01 reports them)"},
    "personal_header": {"ja": "{header}: 見出しから個人番号の列のようです。値は読み込み時にマスクされます",
                        "en": "{header}: the header suggests My Numbers; values are masked when read"},
    "missing_required": {"ja": "必須項目 {fields} の列が見つかりません: このままでは check が終了コード 2 で止まります。"
                               "columns: に「見出し: 項目名」を書き加えてください",
                         "en": "no column found for the required field(s) {fields}: check would stop with exit 2; add "
                               "'header: field' under columns:"},
    "missing_key": {"ja": "記録を識別する {fields} の列が見つかりません: 指摘は行の位置（ファイル名:行）で示され、行を足したり"
                          "並べ替えたりすると指摘 ID が変わります（是正処置の管理表では別の指摘になります）。ID の列があれば "
                          "columns: に追加してください",
                    "en": "no column found for the record key {fields}: findings are named by their row "
                          "(file:line), and their IDs change when rows are added or sorted (the corrective-action register "
                          "then sees other findings); map the ID column under columns: if the file has one"},
    "missing_fields": {"ja": "列が見つからない {kind} の項目: {fields}（該当する列があれば columns: に追加します）",
                       "en": "fields of {kind} with no column: {fields} (add 'header: field' under columns: if one holds them)"},
    "values_proposed": {"ja": "values: は、この種類の語では読めない値の意味の案です。確認してください",
                        "en": "values: proposes what the values the kind's words do not read mean; check them"},
    "course": {"ja": "コース: {values}。TR-01・TR-02 は既定で名称に「セキュリティ」か「security」を含むコースを数えます"
                     "（ポリシーの course でコースを指定するときは values: {{course: {{名称: ID}}}} で対応させます）",
               "en": "courses: {values}; TR-01 and TR-02 count courses whose name holds セキュリティ or security by default "
                     "(to name them by ID with course in the policy, map names under values: {{course: {{name: ID}}}})"},
    "provided_by": {"ja": "provided_by: 提供した課を記入してください（--provided-by でも指定できます）",
                    "en": "provided_by: write who provided the file (or give --provided-by)"},
    "collected_mtime": {"ja": "collected_on: ファイルの更新日です。収集した日と違えば直してください（--collected-on でも指定できます）",
                        "en": "collected_on: the file's modification date; correct it if the file was collected on another "
                              "day (or give --collected-on)"},
    "collected_title": {"ja": "collected_on: 表題に書かれた日付です", "en": "collected_on: the date written in the title"},
}
BRIEF_NOTES = ("provided_by", "collected_mtime", "values_proposed", "footer_skipped", "two_row_header")  # what the manifest keeps: what needs a look
_ORDER = ("path", "kind", "provided_by", "collected_on", "format", "encoding", "delimiter", "sheet", "records", "header_row",
          "header_rows", "columns", "skip_rows", "values")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def say(code: str, lang: str, **args) -> str:
    args = {k: _listed(v, lang) if isinstance(v, list) else v for k, v in args.items()}
    return MESSAGES[code][lang].format(**args)


def _listed(values, lang) -> str:
    return ("、" if lang == "ja" else ", ").join(str(v) for v in values)


def _flow(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10 ** 6)
    return text[:-5] if text.endswith("\n...\n") else text.rstrip("\n")


def entry_yaml(entry: dict, indent: str = "") -> str:
    """One entry of `files:` as the sample manifest writes them: scalars, maps in flow style."""
    lines = []
    for key in [k for k in _ORDER if k in entry] + [k for k in entry if k not in _ORDER]:
        value = entry[key]
        if key == "values":
            lines.append("values:")
            lines += [f"  {_flow(name)}: {_flow(table)}" for name, table in value.items()]
        elif key == "collected_on" and isinstance(value, str) and _ISO.fullmatch(value):
            lines.append(f"collected_on: {value}")
        else:
            lines.append(f"{key}: {_flow(value)}")
    first, *rest = lines
    return "".join([f"{indent}- {first}\n"] + [f"{indent}  {line}\n" for line in rest])


def render(proposals, lang: str = "ja", indent: str = "", brief: bool = False) -> str:
    """The proposals as YAML: comments, then each entry. brief: for the manifest (--append), only the
    kind and what needs a look (warnings), not the description of every column."""
    out = []
    for p in proposals:
        comments = _comments(p, lang, brief)
        out += [f"{indent}# {line}\n" if line else f"{indent}#\n" for line in comments]
        out.append(entry_yaml(p.entry, indent))
    return mynumber.mask("".join(out))


def _comments(p, lang: str, brief: bool = False) -> list[str]:
    spec = kinds.spec(p.kind)
    title = spec.title.split(" / ")[0 if lang == "ja" else -1]
    if brief:
        return [f"auditor inspect: {p.entry['path']} ({p.kind}: {title})"] + _warnings(p, spec, lang) + \
            [say(code, lang, **args) for code, args in p.notes if code in BRIEF_NOTES]
    lines = [f"auditor inspect: {p.entry['path']}"]
    others = say("others", lang, kinds=p.others) if p.others else ""
    lines.append(say("kind_guessed" if p.guessed else "kind_given", lang, kind=p.kind, title=title, others=others))
    if "sheet" in p.entry:
        more = say("other_sheets", lang, sheets=p.sheets) if p.sheets else ""
        lines.append(say("sheet", lang, sheet=p.entry["sheet"], others=more))
    if p.title and ("header_row" in p.entry or "header_rows" in p.entry):
        line = p.entry.get("header_row") or p.entry["header_rows"][0]
        lines.append(say("title_rows", lang, line=line, title=[profile.shown(t) for t in p.title]))
    lines.append(say("columns", lang))
    for header, name, kind_of in p.columns:
        lines.append(say("mapped" if name else "unmapped", lang, header=header, field=name, type=kind_of[lang]))
    lines += _warnings(p, spec, lang)
    for code, args in p.notes:
        lines.append(say(code, lang, **args))
    return lines


def _warnings(p, spec, lang: str) -> list[str]:
    lines = []
    for code, args in p.warnings:
        if code == "unknown_values":
            lines.append(say("warning", lang) + say("unknown_head", lang))
            for name, found in p.unknown.items():
                shown = [say("unknown_value", lang, raw=profile.shown(raw), rows=n, line=line)
                         for raw, n, line in found[:profile.ENUM_MAX]]
                lines.append(say("unknown_field", lang, field=name, allowed=_listed(profile.allowed(spec, name), lang),
                                 values=_listed(shown, lang)))
            continue
        if code == "blank_keys":
            args = dict(args, required=say("blank_required", lang) if args["required"] else "")
        lines.append(say("warning", lang) + say(code, lang, **args))
    return lines
