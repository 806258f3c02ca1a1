"""Placeholders and invisible characters never count as a value (issue 12 §1).

Spreadsheets write "none" as -, －, なし, N/A, （なし）… and cells carry zero-width and other invisible
characters. Each shipped control that tests a field with `exists`, compares two fields, or joins two
datasets on an ID is run with every such form in the field it reads: the finding stays. A value that
only *contains* invisible characters is read without them, and the finding and the output say so.
"""
import pytest

from .harness import accepted, label_of, refused, xlsx

# The forms, other spellings of them, and the same with invisible characters around them.
PLACEHOLDERS = ["-", "－", "―", "ー", "なし", "無", "N/A", "null", "（なし）", "該当なし",
                "n/a", "NULL", "Ｎ／Ａ", "ｎｕｌｌ", "( なし )", "--", "ｰ", "─", "無し", "#N/A", "None",
                "\u200bなし", "-\ufeff"]
INVISIBLES = ["\u200b", "\u2060", "\ufeff", "\u3164", "\u200d", "\u00ad", "\u180e", "\u115f",
              "\u200b\u200b", " \u2060 ", "\u3000\ufeff"]
VARIANTS = PLACEHOLDERS + INVISIBLES
ASCII = ["-", "--", "N/A", "n/a", "null", "NULL", "none", "#N/A"]  # a column of these alone takes the fast path


def csv(header: str, rows) -> bytes:
    return (header + "\n" + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8")


def ids(doc: dict, control_id: str) -> set:
    (result,) = [r for r in doc["results"] if r["control_id"] == control_id]
    return {f["id"] for f in result["findings"]}


def findings(doc: dict, control_id: str) -> dict:
    (result,) = [r for r in doc["results"] if r["control_id"] == control_id]
    return {f["id"]: f for f in result["findings"]}


def test_ns01_an_allowed_my_number_flow_without_an_id_stays_a_finding(case, request):
    header = "rule_id,src_zone,dst_zone,action,specific_comm_id"
    case.add_file("fw.csv", csv(header, [("R00", "mynumber", "lgwan", "allow", "TK-1")]
                              + [(f"R{i:02d}", "mynumber", "lgwan", "allow", v) for i, v in enumerate(VARIANTS, 1)]))
    case.add_file("fw2.csv", csv(header, [(f"A{i:02d}", "lgwan", "mynumber", "allow", v) for i, v in enumerate(ASCII)]))
    sheet = [header.split(",")] + [[f"X{i:02d}", "mynumber", "internet", "allow", v] for i, v in enumerate(VARIANTS)]
    case.add_file("fw.xlsx", xlsx([("fw", sheet, "visible")]))
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    want = {f"NS-01:{p}{i:02d}" for p, n, start in (("R", len(VARIANTS), 1), ("A", len(ASCII), 0),
                                                   ("X", len(VARIANTS), 0)) for i in range(start, start + n)}
    assert ids(doc, "NS-01") == want  # R00, with its ID, is the only allowed flow that passes


def test_ns02_a_gateway_id_that_is_a_placeholder_joins_nothing(case, request):
    case.add_file("gw.csv", csv("gateway_id,type", [("GW-01", "file_sanitizer")]), kind="gateways")
    rows = [("G00", "GW-01"), ("GC", "GW-01\u200b"), ("GX", "GW-99\u2060")]
    rows += [(f"G{i:02d}", v) for i, v in enumerate(VARIANTS, 1)]
    case.add_file("fw.csv", csv("rule_id,src_zone,dst_zone,action,via",
                                [(r, "lgwan", "internet", "allow", v) for r, v in rows]))
    run, doc = accepted(case, codes=(1,), label=label_of(request))
    found = findings(doc, "NS-02")
    assert set(found) == {"NS-02:GX"} | {f"NS-02:G{i:02d}" for i in range(1, len(VARIANTS) + 1)}
    # GC's gateway is GW-01 once the zero-width space is gone; GX names the character it lost
    assert "U+2060" in found["NS-02:GX"]["message"] and "via" in found["NS-02:GX"]["message"]
    cleaned = {(c["file"], c["line"], c["field"], c["empty"]) for c in doc["cleaned_values"]}
    assert ("fw.csv", 3, "via", False) in cleaned  # the first cleaned row: GC, line 3


def test_ns04_a_my_number_terminal_without_a_unit_stays_a_finding(case, request):
    rows = [("P00", "0200"), ("PC", "0200\ufeff")] + [(f"P{i:02d}", v) for i, v in enumerate(VARIANTS, 1)]
    case.add_file("pc.csv", csv("asset_id,unit,zone,role", [(a, u, "mynumber", "shared") for a, u in rows]),
                  kind="terminals")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert ids(doc, "NS-04") == {f"NS-04.mynumber-unit:P{i:02d}" for i in range(1, len(VARIANTS) + 1)}


def test_tr01_tr02_staff_without_a_usable_training_record_stay_findings(case, request):
    staff = [("S00", "0100", "正規", "2020-04-01")]
    staff += [(f"E{i:02d}", "0100", v, "2020-04-01") for i, v in enumerate(VARIANTS, 1)]  # employment unknown
    staff += [(f"D{i:02d}", "0100", "正規", "2025-05-01") for i in range(1, len(VARIANTS) + 1)]
    case.add_file("staff.csv", csv("staff_id,unit,employment,joined_on", staff), kind="staff")
    training = [("S00", "security-basic", "2025-06-01")]  # a security course: TR-01 counts it by default
    training += [(f"D{i:02d}", "security-basic", v) for i, v in enumerate(VARIANTS, 1)]
    case.add_file("lms.csv", csv("staff_id,course,completed_on", training), kind="training_records")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    n = range(1, len(VARIANTS) + 1)
    assert ids(doc, "TR-01") == {f"TR-01:{p}{i:02d}" for p in "ED" for i in n}
    assert ids(doc, "TR-02") == {f"TR-02:D{i:02d}" for i in n}


def test_a_placeholder_as_a_required_join_key_is_refused(case, request):
    """A training record for staff '-' would join a roster row '-': neither is a record of anyone."""
    case.add_file("lms.csv", csv("staff_id,completed_on", [("S1", "2025-06-01")] + [(v, "2025-06-01") for v in VARIANTS]),
                  kind="training_records")
    refused(case, file="lms.csv", line=3, words=["required field 'staff_id' is empty", "counts as no value",
                                                f"{len(VARIANTS) - 1} more problem(s)"], label=label_of(request))


def test_refused_row_names_the_invisible_characters(case, request):
    case.add_file("fw.csv", csv("rule_id,src_zone,dst_zone,action", [("R1", "lgwan", "internet", "deny"),
                                                                      ("\u200b\ufeff", "lgwan", "internet", "deny")]))
    refused(case, file="fw.csv", line=3, words=["required field 'rule_id' is empty", "U+200B, U+FEFF"],
            label=label_of(request))


def test_au02_au03_placeholders_in_unit_lists_name_no_unit(case, request):
    rows = [(f"A{i:02d}", "internal", "2025-06-01", "2025-06-30", v, v) for i, v in enumerate(VARIANTS, 1)]
    rows.append(("AR", "internal", "2025-06-01", "2025-06-30", "0001", "0001"))
    case.add_file("audits.csv", csv("audit_id,kind,started_on,ended_on,auditees,auditors", rows), kind="audits")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert ids(doc, "AU-02") == {"AU-02:0100", "AU-02:0200"}  # no audit covers a division
    assert ids(doc, "AU-03") == {"AU-03:AR"}  # '-' audited by '-' is no unit auditing itself


def test_sa01_a_self_assessment_without_a_date_stays_a_finding(case, request):
    rows = [("0200", "2025-10-01", "Q1", "はい")] + [("0100", v, "Q1", "はい") for v in VARIANTS]
    case.add_file("sa.csv", csv("unit,submitted_on,item,answer", rows), kind="self_assessments")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert ids(doc, "SA-01") == {"SA-01:0100"}


def test_corrective_action_controls_keep_their_findings(case, request):
    n = range(1, len(VARIANTS) + 1)
    sa = [("0100", "2025-10-01", "Q9", "いいえ")] + [("0100", "2025-10-01", v, "いいえ") for v in VARIANTS]
    case.add_file("sa.csv", csv("unit,submitted_on,item,answer", sa), kind="self_assessments")
    rows = [("C00", "0100", "Q9", "山田", "2026-06-01", "対応中", "", "", "")]
    rows += [(f"I{i:02d}", "0100", v, "山田", "2026-06-01", "対応中", "", "", "") for i, v in enumerate(VARIANTS, 1)]
    rows += [(f"O{i:02d}", "0100", "Q9", v, "2026-06-01", "対応中", "", "", "") for i, v in enumerate(VARIANTS, 1)]
    rows += [(f"U{i:02d}", "0100", "Q9", "山田", v, "対応中", "", "", "") for i, v in enumerate(VARIANTS, 1)]
    done = ("完了", "2026-01-10", "2026-01-20")
    rows += [("V00", "0100", "Q9", "山田", "2026-02-01", *done, "佐藤")]
    rows += [(f"V{i:02d}", "0100", "Q9", "山田", "2026-02-01", *done, v) for i, v in enumerate(VARIANTS, 1)]
    rows += [(f"W{i}", "0100", "Q9", "山田", "2026-02-01", *done, f"山田{c}") for i, c in enumerate(INVISIBLES)]
    case.add_file("ca.csv", csv("action_id,unit,item,owner,due_on,status,completed_on,verified_on,verified_by", rows),
                  kind="corrective_actions")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    ca01 = findings(doc, "CA-01")
    # a 'no' answer on item '-' is not covered by an action on item '-': one finding, every row located
    assert len(ca01["CA-01.self-check:0100/-"]["locations"]) == len(VARIANTS)
    assert "CA-01.self-check:0100/Q9" not in ca01
    assert {k for k in ca01 if ".owner-due:" in k} == {f"CA-01.owner-due:{p}{i:02d}" for p in "OU" for i in n}
    assert ids(doc, "CA-03") == {f"CA-03:V{i:02d}" for i in n} | {f"CA-03:W{i}" for i in range(len(INVISIBLES))}


def test_or01_a_role_without_a_unit_covers_no_department(case, request):
    roles = [("ciso", "P1", "0001", "2025-04-01", ""), ("security_manager", "P1", "0100", "2025-04-01", "")]
    roles += [("security_officer", "P1", v, "2025-04-01", "") for v in VARIANTS]
    case.add_file("roles.csv", csv("role,staff_id,unit,from,to", roles), kind="role_assignments")
    case.add_file("staff.csv", csv("staff_id,unit", [("P1", "0100")]), kind="staff")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert ids(doc, "OR-01") == {"OR-01.officer:0001", "OR-01.manager:0200"}


def test_manifest_null_values_extend_the_list_and_the_parse_cache_follows(case, request):
    header = "rule_id,src_zone,dst_zone,action,specific_comm_id"
    case.add_file("fw.csv", csv(header, [("RT", "mynumber", "lgwan", "allow", "TBD"),
                                         ("RU", "mynumber", "lgwan", "allow", "未設定"),
                                         ("RK", "mynumber", "lgwan", "allow", "TK-1")]))
    case.add_file("fw.xlsx", xlsx([("fw", [header.split(","), ["RZ", "mynumber", "lgwan", "allow", 0]], "visible")]))
    _, doc = accepted(case, label=label_of(request))
    assert ids(doc, "NS-01") == set()  # TBD, 未設定 and 0 are IDs until the manifest says otherwise
    data = case.manifest()
    data["null_values"] = ["未設定"]
    for entry in data["files"]:
        if entry["path"] in ("fw.csv", "fw.xlsx"):
            entry["null_values"] = {"specific_comm_id": ["TBD", 0]}
    case.save_manifest(data)
    _, doc = accepted(case, codes=(1,), label=label_of(request))  # the same files, read from the parse cache
    assert ids(doc, "NS-01") == {"NS-01:RT", "NS-01:RU", "NS-01:RZ"}
    data["files"][-1]["null_values"] = ["TBD"]
    case.save_manifest(data)
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    assert ids(doc, "NS-01") == {"NS-01:RT", "NS-01:RU"}  # the Excel 0 is an ID again


@pytest.mark.parametrize("value, words", [("{vai: [x]}", "null_values: unknown field 'vai' of kind flow_rules"),
                                          ("[~]", "null_values"), ("yes", "null_values")])
def test_unusable_null_values_are_refused(case, request, value, words):
    path = case.evidence / "manifest.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  kind: flow_rules\n",
                                                             f"  kind: flow_rules\n  null_values: {value}\n"),
                    encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index(f"  null_values: {value}") + 1
    refused(case, file="manifest.yaml", line=line, words=words, label=label_of(request))
