"""`auditor init`: the files of a new evidence repository, and writing them without overwriting any.

The policy lists every control of the catalogue, commented out, with its parameters and their defaults
and the line that disables it (which needs a `reason:`); the manifest has no file yet and one commented
entry per kind of evidence, its columns named by the kinds' usual headers; the CI files are those of
docs/ci.md (auditor/templates/init/, checked against the document by the tests).
"""
from __future__ import annotations

import os
import re
import string
import unicodedata
from importlib import resources
from pathlib import Path

import yaml

from ..errors import InputError
from ..evidence import headers
from ..evidence.kinds import schema as kind_schema
from ..fiscal import FiscalYear
from ..model import Control

CI_FILES = {".github/workflows/auditor.yml": "github-workflow.yml", ".gitlab-ci.yml": "gitlab-ci.yml",
            ".pre-commit-config.yaml": "pre-commit-config.yaml"}
APPENDED = ("README.md", ".gitignore")  # a repository may have these already: init adds its part at the end
IGNORED = ("# auditor: caches and the history database hold personal data; reports are outputs",
           ".auditor/", "reports/", "auditor-out/")  # auditor-out/: the CI files' --output-dir (docs/ci.md)
MODELS = ("alpha", "alpha_prime", "beta", "beta_prime")
_PROVIDERS = {"org_units": "総務課", "staff": "人事課", "training_records": "人事課", "role_assignments": "総務課"}
# the manifest's examples in the order a town usually collects them (DESIGN.md); other kinds follow
ORDER = ("org_units", "staff", "training_records", "role_assignments", "flow_rules", "zones", "gateways", "terminals",
         "drills", "audits", "self_assessments", "corrective_actions", "audit_checklist", "documents")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def slug(name: str) -> str:
    """The policy's file name for a town: its name, without what a file name cannot hold."""
    text = _UNSAFE.sub("-", unicodedata.normalize("NFKC", name)).strip("-.")
    if not text:
        raise InputError("--name", f"'{name}' cannot name a policy file", hint="give --policy-name NAME",
                         ja=f"「{name}」はポリシーのファイル名に使えません", hint_ja="--policy-name NAME を指定してください")
    return text


def _flow(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10 ** 6)
    return text[:-5] if text.endswith("\n...\n") else text.rstrip("\n")


def policy_text(name: dict, model: str, controls: list[Control], secretariat: str | None = None,
                version: str | None = None) -> str:
    org = _flow({"ja": name["ja"], "en": name["en"]})
    lines = [
        f"# {name['ja']} 情報セキュリティポリシー（対策基準）のうち、auditor が証跡で確認する部分（auditor init で作成）。",
        f"# {name['en']}'s security policy as auditor checks it (written by `auditor init`); README.md of auditor,",
        "# 'Writing a policy', says what each key means.",
        f"organisation: {org}",
        f"version: {_flow(version)}" if version else '# version: "令和8年4月1日改定"         # the policy\'s revision / 改定',
        f"network_model: {model}               # alpha | alpha_prime | beta | beta_prime（三層の対策のモデル）",
        f"secretariat: {_flow(secretariat)}   # the CISO office: owns organisation-wide findings / 情報政策課など"
        if secretariat else
        '# secretariat: "情報政策課"        # the CISO office (unit code or name): owns organisation-wide findings',
        "controls:   # every control applies unless set here / ここに書かない管理策はすべて既定のとおり適用します",
        "  # To set one, remove the # of one of its lines. A control disabled with enabled: false needs a reason:.",
        "  # 設定するには、その行の # を外します。適用しない管理策（enabled: false）には理由（reason:）が必要です。",
    ]
    for c in controls:
        kinds = ", ".join(c.evidence)
        lines += ["  #", f"  # {c.id} {c.title['ja']} / {c.title['en']} — {c.severity}; evidence: {kinds}"]
        setting = ({"params": dict(c.params)} if c.params else {}) | {"severity": c.severity}
        lines.append(f"  # {c.id}: {_flow(setting)}")
        lines.append(f"  # {c.id}: {{enabled: false, reason: 適用しない理由 / why it does not apply}}")
    lines += [
        "# exceptions:                       # 例外措置 (an expired or malformed one waives nothing)",
        "#   - id: EX-2026-01",
        "#     control: NS-06",
        "#     scope: {asset_id: PC-0001}     # fields a finding must match (asset_id, staff_id, unit, rule_id…)",
        "#     reason: 例外とする理由",
        "#     approver: CISO",
        "#     from: 2026-04-01",
        "#     to: 2027-03-31",
        "# actions: {due_days: {major: 30, minor: 90, observation: 180}, owner_role: 情報セキュリティ管理者}",
        "# evidence_max_age_days: {flow_rules: 90}   # older at as_of: stale",
        "# report: {show_personal_names: false, exception_notice_days: 30}",
    ]
    return "\n".join(lines) + "\n"


def manifest_text(name: dict, fiscal_year: int, kinds: list[str]) -> str:
    fy = FiscalYear(fiscal_year)
    folder = f"evidence/FY{fiscal_year}"
    lines = [
        f"# {name['ja']} {fy.label_ja} 証跡一覧 / evidence of {fy.label_en} (written by `auditor init`).",
        f"# Put each file into {folder}/ as received, then `auditor inspect {folder}/FILE --append {folder}/manifest.yaml`",
        "# writes its entry under files:. / 証跡ファイルをこのフォルダに置き、auditor inspect ... --append で登録します。",
        f"organisation: {_flow({'ja': name['ja'], 'en': name['en']})}",
        f"fiscal_year: {fiscal_year}                  # {fy.start.isoformat()} .. {fy.end.isoformat()}",
        f"# as_of: {fy.end.isoformat()}             # 基準日 (default: the fiscal year's last day)",
        "files: []",
        "# One entry per file; an example for each kind. To write one by hand, remove its # (and make `files: []`",
        "# read `files:` while it is empty). / 種類ごとの記入例。手で書くときは行頭の # を外します（files: [] は files: に）。",
    ]
    for kind in kinds:
        schema = kind_schema(kind)
        title = schema.get("title", kind)
        columns = {}
        for field in schema["properties"]:
            aliases = headers.field_aliases(kind, field)
            if aliases:
                columns[aliases[0]] = field
        lines += ["#", f"# - path: {title.split(' / ')[0]}.csv        # {kind}: {title}",
                  f"#   kind: {kind}",
                  f"#   provided_by: {_PROVIDERS.get(kind, '情報政策課')}",
                  f"#   collected_on: {fy.end.replace(day=1).isoformat()}",
                  f"#   columns: {_flow(columns)}"]
    return "\n".join(lines) + "\n"


def _ordered(kinds) -> list[str]:
    return sorted(kinds, key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), k))


def _template(name: str) -> str:
    return (resources.files("auditor") / "templates" / "init" / name).read_text(encoding="utf-8")


def files(name: dict, model: str, fiscal_year: int, controls: list[Control], policy_name: str | None = None,
          secretariat: str | None = None) -> dict[str, str]:
    """Path (relative to the repository) -> text, for every file init writes."""
    if model not in MODELS:
        raise InputError("--model", f"unknown network model '{model}'", hint="one of " + ", ".join(MODELS),
                         ja=f"ネットワークのモデル「{model}」はありません", hint_ja="次のどれかです: " + "、".join(MODELS))
    policy = f"policies/{slug(policy_name or name['ja'])}.yaml"
    out = {policy: policy_text(name, model, controls, secretariat),
           f"evidence/FY{fiscal_year}/manifest.yaml": manifest_text(name, fiscal_year, _ordered(headers.providable()))}
    out.update({path: _template(template) for path, template in CI_FILES.items()})
    out["README.md"] = string.Template(_template("README.md")).substitute(name=name["ja"], policy=policy,
                                                                          year=fiscal_year)
    out[".gitignore"] = "\n".join(IGNORED) + "\n"
    return out


def write(root, texts: dict[str, str]) -> list[tuple[str, str]]:
    """Write every file under root -> [(path, "created" | "appended")]. Nothing is overwritten: if one
    of the files to create exists, nothing is written (InputError naming it). README.md and .gitignore
    that exist get init's part added at their end (.gitignore: only the lines it lacks)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise InputError(root, "not a folder", ja="フォルダではありません")
    for rel in texts:
        target = root / rel
        if rel not in APPENDED and (target.exists() or target.is_symlink()):
            raise InputError(target, "already exists: init never overwrites a file",
                             hint="run init in a new folder, or move the file away first",
                             ja="このファイルはすでにあります。init は既存のファイルを上書きしません",
                             hint_ja="新しいフォルダで init を実行するか、先にこのファイルを別の場所に移してください")
    done = []
    for rel, text in texts.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in APPENDED and target.is_file():
            old = target.read_text(encoding="utf-8-sig")
            if rel == ".gitignore":
                have = {line.strip() for line in old.splitlines()}
                text = "\n".join(line for line in text.splitlines() if line.strip() not in have)
                text = text + "\n" if text else ""
            if text:
                with open(target, "a", encoding="utf-8") as fh:
                    fh.write(("" if old.endswith("\n") or not old else "\n") + ("\n" if rel == "README.md" else "") + text)
            done.append((rel, "appended" if text else "kept"))
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        done.append((rel, "created"))
    return done
