"""`auditor verify`'s outcome for people, in Japanese and English: the verdict, one line per differing
file, then what was compared and how far the verdict can be trusted (the comparison: integrity.py)."""
from __future__ import annotations

from pathlib import Path

from ..privacy import mynumber

TEXT = {
    "ja": {"match": "一致: 証跡は報告書の作成時から変わっていません（{n} ファイル）",
           "mismatch": "不一致: 報告書の作成後に変わったファイルがあります（変更 {changed}・追加 {added}・削除 {removed}{more}）",
           "changed": "変更", "added": "追加", "removed": "削除", "ambiguous": "判別不能",
           "what": {"manifest": "マニフェスト", "evidence": "証跡", "unlisted": "マニフェスト外のファイル",
                    "policy": "ポリシー", "controls": "管理策", "kinds": "独自の証跡種別",
                    "withheld": "名前を記録していないファイル"},
           "ambiguous_n": "・判別不能 {n}",
           "twins": "証跡フォルダの {files} 個のファイルが、報告書の記録する名前（Unicode NFC、\\ は /、"
                    "個人番号はマスク）では同じ名前になります。報告書がどれから作成されたか判別できません",
           "withheld": "名前を記録していないファイル（作成時 {then} 件、現在 {now} 件）: この課の報告書は、"
                       "見せられない名前のファイルを1つのダイジェストでのみ記録しています"
                       "（どのファイルかは全庁の報告書との照合で分かります）",
           "no_policy": "ポリシーは照合していません（--policy ファイル で照合できます）",
           "no_controls": "管理策フォルダ {folders} は照合していません（--controls フォルダ で照合できます）",
           "no_kinds": "独自の証跡種別のフォルダ {folders} は照合していません（--kinds フォルダ で照合できます）",
           "no_shipped": "auditor 同梱の管理策は照合していません（その写しのフォルダを --controls で指定すると照合できます）",
           "folder": "照合した証跡フォルダ: {folder}（報告書に記録されたフォルダ名: {root}）",
           "other_folder": "注意: 報告書は {root} から作成されました。別のフォルダと照合しています",
           "register": "履歴DBの是正処置登録簿: 報告書の作成時に {actions} 件を読み込み（内容の SHA-256 {sha}）。"
                       "取り込みのたびに変わるため照合の対象外です",
           "register_old": "履歴DB {path}: 以前のバージョンがファイルとして記録したもの。照合の対象外です",
           "sums_ok": "報告書ファイルは {sums} の記載と一致します（{sums} を証跡と別に保管・署名している場合に限り、"
                      "この完全性情報は発行時のものと言えます）",
           "sums_bad": "不一致: 報告書ファイルが {sums} の記載と異なります。発行後に報告書が変更されています",
           "unsigned": "注意: 報告書内の完全性情報は認証されていません。証跡を編集できる者は報告書も編集できます。"
                       "発行時に `auditor report --sums` で SHA256SUMS を作成して証跡と別の場所に保管（または署名）し、"
                       "`sha256sum -c SHA256SUMS` か `auditor verify 報告書 --sums ファイル` で確認してください"},
    "en": {"match": "MATCH: the evidence is unchanged since the report was made ({n} files)",
           "mismatch": "MISMATCH: files changed since the report was made ({changed} changed, {added} added, "
                       "{removed} removed{more})",
           "changed": "changed", "added": "added", "removed": "removed", "ambiguous": "ambiguous",
           "what": {"manifest": "manifest", "evidence": "evidence", "unlisted": "not in the manifest",
                    "policy": "policy", "controls": "controls", "kinds": "town kind", "withheld": "files not named"},
           "ambiguous_n": ", {n} ambiguous",
           "twins": "{files} files in the evidence folder have this name as reports record names (Unicode NFC, "
                    "\\ as /, My Numbers masked): which one the report was made from cannot be told",
           "withheld": "files whose names the report withholds ({then} then, {now} now): a department's report "
                       "records the files it may not name only as one digest (verify the organisation's report to see which)",
           "no_policy": "the policy was not compared (give --policy FILE to compare it)",
           "no_controls": "the controls folder(s) {folders} were not compared (give --controls DIR to compare them)",
           "no_kinds": "the town kind folder(s) {folders} were not compared (give --kinds DIR to compare them)",
           "no_shipped": "the controls shipped with auditor were not compared (give a copy of their folder with --controls)",
           "folder": "evidence folder compared: {folder} (the report records the folder {root})",
           "other_folder": "note: the report was made from {root}; this is another folder",
           "register": "action register of the history database: the run read {actions} actions (SHA-256 of "
                       "their content {sha}); it changes with every import and is not compared",
           "register_old": "history database {path}: recorded as a file by an earlier version; not compared",
           "sums_ok": "the report file matches {sums} (so its integrity block is the one issued, as far as {sums} "
                      "is kept or signed apart from the evidence)",
           "sums_bad": "MISMATCH: the report file differs from {sums}: the report was changed after it was issued",
           "unsigned": "note: the report's integrity block is not authenticated: anyone who can edit the evidence "
                       "can edit the report too. Write SHA256SUMS with `auditor report --sums` when issuing, keep "
                       "it (or its signature) apart from the evidence, and check with `sha256sum -c SHA256SUMS` "
                       "or `auditor verify REPORT --sums FILE`"},
}


def render(result: dict, lang: str = "ja") -> str:
    """The outcome of `verify` for people: a verdict line, one line per differing file, then what was
    compared and how far the verdict can be trusted."""
    t = TEXT[lang]
    report = result.get("report")
    lines = []
    if report and not report["matches"]:  # first: a changed report's block vouches for nothing
        lines.append(t["sums_bad"].format(sums=report["sums_file"]))
    counts = {k: len(result[k]) for k in ("changed", "added", "removed")}
    twins = result.get("ambiguous") or []
    more = t["ambiguous_n"].format(n=len(twins)) if twins else ""
    lines.append(t["mismatch"].format(**counts, more=more) if any(counts.values()) or twins
                 else t["match"].format(n=result["unchanged"]))
    for state in ("changed", "added", "removed"):
        for item in result[state]:
            if item["what"] == "withheld":
                lines.append(f"  {t[state]:<8} {t['withheld'].format(then=item['files_then'], now=item['files_now'])}")
            else:
                lines.append(f"  {t[state]:<8} {mynumber.mask(item['path'])}  ({t['what'][item['what']]})")
    for item in twins:
        lines.append(f"  {t['ambiguous']:<8} {item['path']}  ({t['what'][item['what']]}): {t['twins'].format(**item)}")
    folder, root = result.get("evidence_folder"), result.get("recorded_root")
    if folder:
        lines.append(t["folder"].format(folder=mynumber.mask(folder), root=mynumber.mask(root or "?")))
        if root and Path(folder).name != root:
            lines.append(t["other_folder"].format(root=mynumber.mask(root)))
    skipped = result.get("not_compared") or {}
    if skipped.get("policy"):
        lines.append(t["no_policy"])
    if skipped.get("controls"):
        lines.append(t["no_controls"].format(folders=", ".join(mynumber.mask(f) for f in skipped["controls"])))
    if skipped.get("shipped_controls"):
        lines.append(t["no_shipped"])
    if skipped.get("kinds"):
        lines.append(t["no_kinds"].format(folders=", ".join(mynumber.mask(f) for f in skipped["kinds"])))
    register = result.get("register")
    if register and "actions" in register:
        lines.append(t["register"].format(actions=register["actions"], sha=register["sha256"]))
    elif register:
        lines.append(t["register_old"].format(path=register.get("path")))
    if report and report["matches"]:
        lines.append(t["sums_ok"].format(sums=report["sums_file"]))
    elif not report:
        lines.append(t["unsigned"])
    return "\n".join(lines) + "\n"
