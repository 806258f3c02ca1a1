"""Commands of the PDCA cycle across fiscal years: history, actions, exceptions, compare.

Thin like auditor.cli: parse options, call auditor.cycle.history / register / progress / compare.
"""
from __future__ import annotations

import datetime as dt
import json

import click

from .options import DATE, _connect, _db_option, _dump, _input_errors, _kinds_option, _policy_option, db_path  # noqa: F401























# ---- history ----

@click.group("history")
def history_group():
    """Recorded audit runs (auditor check/report --record)."""


@history_group.command("list")
@_policy_option
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_input_errors
def history_list(policy, db, fmt):
    """One line per recorded run: ID, fiscal year, when, open findings, evidence folder."""
    from ..cycle import history

    con = _connect(policy, db)
    runs = history.runs(con)
    if fmt == "json":
        return _dump(runs)
    for r in runs:
        click.echo(f"{r['id']:>4}  FY{r['fiscal_year']}  as of {r['as_of']}  recorded {r['recorded_at']}  "
                   f"{r['command']:<6} open findings {r['open_findings']:>4}  {r['evidence_root']}")
    if not runs:
        click.echo("no recorded runs yet")


@history_group.command("show")
@click.argument("run")
@_policy_option
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@_input_errors
def history_show(run, policy, db, fmt, lang):
    """One recorded run (by ID, or a fiscal year for its latest run): hashes, results, findings."""
    from ..cycle import history

    con = _connect(policy, db)
    doc = history.run_detail(con, history.resolve(con, run))
    if fmt == "json":
        return _dump(doc)
    click.echo(f"run {doc['id']}  FY{doc['fiscal_year']}  as of {doc['as_of']}  recorded {doc['recorded_at']}  "
               f"auditor {doc['tool_version']}")
    click.echo(f"policy {doc['policy_file']} sha256 {doc['policy_sha256']}\ncatalogue sha256 {doc['catalogue_sha256']}")
    from ..cycle import approval
    for line in approval.lines(doc["approvals"], lang):  # 決裁: who signed which step, when, which files
        click.echo(line)
    for f in doc["evidence"]:
        click.echo(f"  evidence {f['path']} ({f['kind']}, {f['records']} records) sha256 {f['sha256']}")
    for r in doc["results"]:
        click.echo(f"  {r['control_id']:<7} {r['status']}")
    for f in doc["findings"]:
        mark = " recurred" if f["recurred"] else ""
        click.echo(f"  [{f['severity']}{mark}] {f['status']:<6} {f['finding_id']}  {f['message_' + lang]}")


# ---- exceptions ----

@click.group("exceptions")
def exceptions_group():
    """The policy's exceptions (例外措置)."""


@exceptions_group.command("list")
@_policy_option
@click.option("--date", "as_of", type=DATE, help="Judge at this date, YYYY-MM-DD or 令和8年4月15日 (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_kinds_option(None)  # the policy's evidence_max_age_days may name a town kind
@_input_errors
def exceptions_list(policy, as_of, fmt):
    """Active exceptions, those ending soon, expired ones and malformed ones."""
    from .. import defaults
    from ..catalogue import policy as pol_mod
    from ..privacy.mynumber import mask

    pol, _ = pol_mod.load(policy or defaults.policy())
    day = as_of or dt.date.today()
    notice = pol.settings["exception_notice_days"]
    rows = []
    for e in pol.exceptions:
        state = e.state(day)
        left = (e.end - day).days if e.end else None
        if state == "valid" and left <= notice:
            state = "ending_soon"
        rows.append({"id": e.id, "control": e.control, "state": state, "from": e.start, "to": e.end,
                     "days_left": left, "approver": mask(e.approver), "reason": mask(e.reason),  # policy text
                     "problem": mask(e.problem)})
    if fmt == "json":
        return _dump(rows)
    words = {"valid": "有効 active", "ending_soon": f"{notice}日以内に終了 ending within {notice} days",
             "expired": "期限切れ expired", "not_started": "開始前 not started", "invalid": "不備 malformed"}
    for r in sorted(rows, key=lambda r: (list(words).index(r["state"]), str(r["to"]))):
        left = f" ({r['days_left']} days left)" if r["state"] in ("valid", "ending_soon") else ""
        click.echo(f"{r['id']:<12} {r['control']:<7} {words[r['state']]}{left}  {r['from'] or '-'} .. {r['to'] or '-'}"
                   f"  {r['reason']}" + (f"  [{r['problem']}]" if r["problem"] else ""))


# ---- compare ----

@click.command("compare")
@click.argument("run_a")
@click.argument("run_b")
@_policy_option
@_db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@_input_errors
def compare_cmd(run_a, run_b, policy, db, fmt, lang):
    """New, resolved, persisting and recurred findings between two runs (IDs, or fiscal years: 2024 2025)."""
    from ..cycle import compare, history

    con = _connect(policy, db)
    doc = compare.compare(con, history.resolve(con, run_a, "RUN_A"), history.resolve(con, run_b, "RUN_B"))
    if fmt == "json":
        from .console import machine
        machine(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        click.echo(compare.render_text(doc, lang), nl=False)


def _commands():
    from .actions import actions_group

    return (history_group, actions_group, exceptions_group, compare_cmd)


COMMANDS = _commands()
