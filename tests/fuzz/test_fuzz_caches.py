"""Property: the caches make a run faster, never different (issue 12 §2).

Random evidence folders and manifests get random edits (files renamed, reading options changed, columns
and value spellings reordered, cells and encodings changed, files added beside the evidence, limits and
languages changed). After each edit, `check` runs with the caches of every run before it, and again
without any cache; exit code, output and messages must be the same bytes.
"""
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from auditor.evidence import prefetch
from conftest import ORG, invoke, write_policy

from .profile import fuzz

ZONES = ["mynumber", "lgwan", "internet", "マイナンバー利用事務系", "ＬＧＷＡＮ接続系", "any"]
ACTIONS = ["許可", "拒否", "ａｌｌｏｗ", "allow", "deny"]
SUFFIXES = [".csv", ".tsv", ".txt"]


class Town:
    """One evidence folder as data: the manifest's entries, the files' texts, the options of `check`."""

    def __init__(self, root: Path, rows, twin: bool, both_spellings: bool):
        self.root, self.ev = root, root / "FY2025"
        self.ev.mkdir()
        self.policy = write_policy(root)
        self.fw = "FWルール.csv"
        self.header = ["ルールID", "送信元", "送信元(旧)", "宛先", "動作"]
        self.rows = [list(r) for r in rows]
        self.blank_after: set = set()
        self.encoding = "utf-8"
        columns = {"ルールID": "rule_id", "送信元": "src_zone", "宛先": "dst_zone", "動作": "action"}
        if twin:
            columns["送信元(旧)"] = "src_zone"  # two columns for one field: the order decides
        values = {"許可": "allow", "拒否": "deny"}
        if both_spellings:
            values.update({"ａllow": "allow", "allｏw": "deny"})  # two spellings NFKC joins: the order decides
        self.entry = {"path": self.fw, "kind": "flow_rules", "provided_by": "x", "collected_on": "2026-03-01",
                      "columns": columns, "values": {"action": values}}
        self.training = [{"staff_id": f"S{i}", "course": "security-basic", "completed_on": "2025-06-01"}
                         for i in range(3)]
        self.others = {}
        self.options = []

    def write(self) -> None:
        lines = [",".join(self.header)]
        for i, row in enumerate(self.rows):
            lines.append(",".join(row))
            if i in self.blank_after:
                lines.append("")
        (self.ev / self.fw).write_bytes(("\n".join(lines) + "\n").encode(self.encoding))
        for name, records in (("org_units.yaml", ORG), ("training.yaml", self.training)):
            (self.ev / name).write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
        files = [{"path": "org_units.yaml", "kind": "org_units", "provided_by": "x", "collected_on": "2026-03-01"},
                 {"path": "training.yaml", "kind": "training_records", "provided_by": "x",
                  "collected_on": "2026-03-01"}, dict(self.entry, path=self.fw)]
        manifest = {"organisation": "テスト市", "fiscal_year": 2025, "files": files}
        (self.ev / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                               encoding="utf-8")
        for name in [p.name for p in self.ev.iterdir() if p.name.startswith("note")]:
            if name not in self.others:
                (self.ev / name).unlink()
        for name, data in self.others.items():
            (self.ev / name).write_bytes(data)

    def edit(self, what: str, n: int) -> None:
        e = self.entry
        if what == "rename":
            old = self.ev / self.fw
            self.fw = "FWルール" + SUFFIXES[n % 3]
            old.unlink(missing_ok=True)
        elif what == "format":
            e.pop("format", None) if "format" in e else e.update(format=["csv", "tsv"][n % 2])
        elif what == "swap columns":
            e["columns"] = dict(reversed(list(e["columns"].items())))
        elif what == "swap values":
            e["values"]["action"] = dict(reversed(list(e["values"]["action"].items())))
        elif what == "cell":
            row = self.rows[n % len(self.rows)]
            row[1 + n % 4] = (ZONES + ACTIONS)[n % 11] if n % 4 != 3 else ACTIONS[n % 5]
        elif what == "row":
            self.rows.append([f"R{len(self.rows) + 1}", ZONES[n % 6], ZONES[(n + 1) % 6], ZONES[(n + 2) % 6],
                              ACTIONS[n % 5]])
        elif what == "blank line":
            self.blank_after ^= {n % len(self.rows)}
        elif what == "encoding":
            self.encoding = "cp932" if self.encoding == "utf-8" else "utf-8"
        elif what == "declare encoding":
            e.pop("encoding", None) if "encoding" in e else e.update(encoding=["utf-8", "cp932"][n % 2])
        elif what == "delimiter":
            e.pop("delimiter", None) if "delimiter" in e else e.update(delimiter=";")
        elif what == "header_row":
            e.pop("header_row", None) if "header_row" in e else e.update(header_row=1 + n % 2)
        elif what == "note":
            name = f"note{n % 2}.txt"
            if name in self.others and n % 3 == 0:
                del self.others[name]
            else:
                self.others[name] = f"note {n}".encode()
        elif what == "training":
            self.training[n % 3]["completed_on"] = ["2025-06-01", "2024-06-01", "R7.5.1"][n % 3]
        elif what == "max-rows":
            self.options = [o for o in self.options if not o.startswith("--max-rows")]
            if n % 3:
                self.options.append(f"--max-rows={len(self.rows) + n % 3 - 1}")
        elif what == "lang":
            self.options = [o for o in self.options if o != "--lang=en"] if "--lang=en" in self.options \
                else self.options + ["--lang=en"]

    def check(self, fmt: str):
        self.write()
        result = invoke("check", "--policy", self.policy, "--evidence", self.ev, "--format", fmt, *self.options)
        prefetch.join()  # as the command does before it exits: a run that failed may still be writing its cache
        return result.exit_code, result.stdout, result.stderr


EDITS = ["rename", "format", "swap columns", "swap values", "cell", "row", "blank line", "encoding",
         "declare encoding", "delimiter", "header_row", "note", "training", "max-rows", "lang"]
ROW = st.tuples(st.sampled_from(["R1", "R2", "R3"]), st.sampled_from(ZONES), st.sampled_from(ZONES),
                st.sampled_from(ZONES), st.sampled_from(ACTIONS))


@fuzz(20)
@given(rows=st.lists(ROW, min_size=1, max_size=4), twin=st.booleans(), both=st.booleans(),
       fmt=st.sampled_from(["json", "text", "sarif"]),
       edits=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 60)), min_size=1, max_size=4))
def test_a_run_with_the_caches_of_earlier_runs_gives_the_bytes_of_a_run_without(rows, twin, both, fmt, edits):
    with tempfile.TemporaryDirectory(prefix="auditor-fuzz-caches-") as tmp:
        town = Town(Path(tmp), rows, twin, both)
        cache = Path(tmp) / ".auditor" / "cache"
        town.check(fmt)  # fills the caches
        for what, n in edits:
            town.edit(what, n)
            cached = town.check(fmt)
            aside = Path(tmp) / "aside"
            shutil.move(cache, aside)
            fresh = town.check(fmt)
            shutil.rmtree(cache, ignore_errors=True)
            shutil.move(aside, cache)
            event(f"exit {fresh[0]}")
            assert cached == fresh, (what, n)
