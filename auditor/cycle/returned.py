"""Importing a returned progress sheet: whose sheet it is, and what it may change.

A sheet changes only the actions of the department it was exported for. The importer names that
department (`--department`, unit code or name); a sheet marked for another department is refused, and
an unmarked one (exported before sheets carried their department) is taken to be the named
department's. A row about another department's action is an error naming the file and line.

`--by` is free text (a person, or a role such as 道路課長): it belongs to the department the importer
names. A `--by` that names another department (住民課長 sending 税務課's sheet) is refused, unless
the secretariat imports the sheet on the department's behalf (`--secretariat`); every change's event
records which department's sheet it came from, and that option.

The work is bounded by the register: a sheet may hold a few rows more than its department has
actions (a .csv: lines, as a note may span several), counted before it is parsed, and the message
lists the first MAX_LISTED problems only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import progress, register
from ..errors import InputError
from ..evidence import normalize

MAX_LISTED = 30  # problems listed in the message; the rest are counted
LINES_PER_ACTION = 10  # a .csv row spans lines when a progress note does
SPARE_ROWS = 100  # blank rows, a note under the table


@dataclass(frozen=True)
class Plan:
    changes: list       # validated changes, each with the note its event records
    problems: list      # [(line, English, Japanese)]: any one means nothing is applied
    department: tuple   # (code, name) whose sheet it is


def label(department: tuple) -> str:
    return " ".join(str(x) for x in department if x)


def resolve(wanted: str, actions: list[dict]) -> tuple:
    """(code, name) of the department `wanted` names (code or name, as `actions list` shows it)."""
    found = [a for a in actions if register.in_department(a, wanted)]
    codes = sorted({a["department_code"] for a in found}, key=str)
    if not found:
        raise InputError("--department", f"no action of department {wanted} in the register",
                         hint="give a unit code or name as in `auditor actions list`",
                         ja=f"所属 {wanted} の措置は登録簿にありません",
                         hint_ja="`auditor actions list` に出る所属コードか所属名を指定してください")
    if len(codes) > 1:
        raise InputError("--department", f"{wanted} names several departments ({', '.join(map(str, codes))})",
                         hint="give the unit code", ja=f"{wanted} に当たる所属が複数あります（{'、'.join(map(str, codes))}）",
                         hint_ja="所属コードを指定してください")
    return codes[0], found[-1]["department_name"]  # the latest name: rows are oldest fiscal year first


def plan(path, actions: list[dict], department: str, by: str, secretariat: bool, as_of: dt.date) -> Plan:
    """Read the sheet returned by `department` and check every row; raises InputError when the sheet
    is not that department's, or --by names another department (without `secretariat`)."""
    progress.sheet_type(path)  # a wrong file is named before the department is looked for
    dept = resolve(department, actions)
    mine = [a for a in actions if a["department_code"] == dept[0]]
    if not secretariat:
        _check_by(by, dept, actions, mine)
    cap = LINES_PER_ACTION * len(mine) + SPARE_ROWS
    sheet = progress.read(path, cap, f"{label(dept)} has {len(mine)} action(s) in the register",
                          f"登録簿にある {label(dept)} の措置は {len(mine)} 件です")
    if sheet.department is not None and normalize.normalize_id(sheet.department[0]) != normalize.normalize_id(dept[0]):
        raise InputError(path, f"the sheet was exported for {label(sheet.department)}, not for {label(dept)}",
                         line=sheet.marked_at,
                         hint=f"import it with --department {sheet.department[0]}, or ask {label(dept)} for its own sheet",
                         ja=f"このシートは {label(dept)} ではなく {label(sheet.department)} の進捗報告票です",
                         hint_ja=f"--department {sheet.department[0]} で取り込むか、{label(dept)} に自分の所属のシートを"
                                 "求めてください")
    changes, problems = progress.changes(sheet.rows, {a["action_id"]: a for a in actions}, as_of, dept)
    note = f"sheet of {label(dept)}（{label(dept)} の進捗報告票）"
    if sheet.department is None:
        note += "; not marked with its department: taken as the one --department named（所属の記載のない様式）"
    if secretariat:
        note += "; imported by the secretariat on the department's behalf (--secretariat)（事務局による代理取込）"
    return Plan([dict(c, note=note) for c in changes], problems, dept)


def listing(problems: list, lang: str) -> str:
    """The problems [(line, English, Japanese)] as the lines of a message in `lang`, the first MAX_LISTED."""
    ja = lang == "ja"
    shown = "\n".join(f"  {line} 行目: {text_ja}" if ja else f"  line {line}: {text}"
                       for line, text, text_ja in problems[:MAX_LISTED])
    more = len(problems) - MAX_LISTED
    if more <= 0:
        return shown
    return shown + (f"\n  … ほか {more:,} 行" if ja else f"\n  … and {more:,} more row(s)")


def _check_by(by: str, dept: tuple, actions: list[dict], mine: list[dict]) -> None:
    """Refuse a --by that names a department other than the sheet's (道路課長 names 道路課)."""
    text = normalize.nfkc(by)
    names = {normalize.nfkc(a["department_name"]) for a in actions if a["department_name"]}
    hits = [n for n in names if len(n) >= 2 and n in text]
    hits = [n for n in hits if not any(n != m and n in m for m in hits)]  # 市民課 inside 市民課分室
    own = {normalize.nfkc(a["department_name"]) for a in mine if a["department_name"]}  # renamed: its old names
    others = sorted(set(hits) - own)
    if others:
        raise InputError("--by", f"'{by}' names {others[0]}, but the sheet is {label(dept)}'s: a sheet is sent by "
                         "its own department",
                         hint=f"give --department {others[0]} if the sheet is {others[0]}'s; if the secretariat imports "
                              f"{label(dept)}'s sheet on its behalf, add --secretariat (recorded with every change)",
                         ja=f"--by の「{by}」は別の所属 {others[0]} を指していますが、シートは {label(dept)} のものです。"
                            "シートはその所属自身が提出します",
                         hint_ja=f"シートが {others[0]} のものなら --department {others[0]} を指定してください。事務局が"
                                 f" {label(dept)} に代わって取り込むときは --secretariat を付けてください（変更ごとに記録されます）")
