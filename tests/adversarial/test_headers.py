"""Headers and keys: duplicate, empty, missing and ambiguous column labels, and record keys in YAML/JSON."""
from .harness import accepted, label_of, local_control, refused

STAFF = {"職員番号": "staff_id", "所属": "unit"}


def test_duplicate_header_labels(case, request):
    case.add_file("staff.csv", "職員番号,所属,職員番号\nS1,0100,S9\n".encode(), kind="staff", columns=STAFF)
    refused(case, file="staff.csv", line=1, words="column 1 (A) and column 3 (C) are both labelled '職員番号'",
            commands=("check", "report"), label=label_of(request))


def test_labels_that_are_duplicates_once_normalised(case, request):
    """Full-width ｓｔａｆｆ＿ｉｄ is staff_id after NFKC: one of the two columns would silently be lost."""
    case.add_file("staff.csv", "staff_id,ｓｔａｆｆ＿ｉｄ,unit\nS1,S2,0100\n".encode(), kind="staff")
    refused(case, file="staff.csv", line=1, words="both labelled 'staff_id' (written 'staff_id' and 'ｓｔａｆｆ＿ｉｄ')",
            label=label_of(request))


def test_empty_header_label_above_values(case, request):
    case.add_file("staff.csv", "職員番号,,所属\nS1,x,0100\nS2,,0100\nS3,y,0100\n".encode(), kind="staff",
                  columns=STAFF)
    refused(case, file="staff.csv", line=2, words="column 2 (B), which has no header label", label=label_of(request))


def test_values_beyond_the_last_header(case, request):
    case.add_file("staff.csv", "職員番号,所属\nS1,0100\nS2,0100,余分\n".encode(), kind="staff", columns=STAFF)
    refused(case, file="staff.csv", line=3, words="column 3 (C), which has no header label", label=label_of(request))


def test_empty_file(case, request):
    case.add_file("staff.csv", b"", kind="staff", columns=STAFF)
    refused(case, file="staff.csv", words="no header row", label=label_of(request))


def test_only_blank_lines(case, request):
    case.add_file("staff.csv", b"\n\n  \n,,\n", kind="staff", columns=STAFF)
    refused(case, file="staff.csv", words="no header row", label=label_of(request))


def test_mapped_column_missing(case, request):
    case.add_file("staff.csv", "職員番号,所属課\nS1,0100\n".encode(), kind="staff", columns=STAFF)
    refused(case, file="staff.csv", line=1, words="mapped column '所属' (unit) is missing", label=label_of(request))


def test_required_field_has_no_column(case, request):
    case.add_file("staff.csv", "氏名,所属\n山田,0100\n".encode(), kind="staff", columns={"所属": "unit"})
    refused(case, file="staff.csv", line=1, words="no column for required field(s) staff_id", label=label_of(request))


def test_header_row_past_the_end(case, request):
    case.add_file("staff.csv", "職員番号,所属\nS1,0100\n".encode(), kind="staff", columns=STAFF, header_row=9)
    refused(case, file="staff.csv", line=9, words="past the end", label=label_of(request))


def test_duplicate_keys_in_a_yaml_record(case, request):
    case.add_file("fw.yaml", b"- rule_id: R2\n  src_zone: lgwan\n  dst_zone: internet\n  action: deny\n"
                             b"  action: allow\n")
    refused(case, file="fw.yaml", line=5, words="duplicate key 'action' (first at line 4)", label=label_of(request))


def test_duplicate_keys_in_a_json_record(case, request):
    case.add_file("fw.json", b'[{"rule_id": "R2", "src_zone": "lgwan", "dst_zone": "internet", '
                             b'"action": "deny", "action": "allow"}]')
    refused(case, file="fw.json", words="duplicate key 'action'", label=label_of(request))


def test_yaml_record_key_that_is_not_text(case, request):
    case.add_file("fw.yaml", b"- rule_id: R2\n  ? [src, zone]\n  : lgwan\n")
    refused(case, file="fw.yaml", line=2, words="a mapping key must be plain text", label=label_of(request))


def test_value_map_with_number_and_text_keys(case, request):
    """Not an error (found by fuzzing: it crashed): `values: {mfa: {1: ..., ○: ...}}` maps the cells as written."""
    case.add_file("pc.csv", "asset_id,zone,mfa\nPC1,lgwan,1\nPC2,lgwan,○\nPC3,lgwan,2\n".encode(), kind="terminals")
    text = (case.evidence / "manifest.yaml").read_text(encoding="utf-8")
    (case.evidence / "manifest.yaml").write_text(
        text.replace("kind: terminals\n", "kind: terminals\n  values: {mfa: {1: はい, ○: はい, 2: いいえ}}\n"),
        encoding="utf-8")
    local_control(case, "{none: terminals, where: {mfa: false}}", message="{asset_id}", evidence="terminals")
    _, doc = accepted(case, codes=(1,), label=label_of(request))
    (result,) = [r for r in doc["results"] if r["control_id"] == "LOCAL-01"]
    assert [f["message"] for f in result["findings"]] == ["PC3"]


def test_manifest_key_that_is_not_text(case, request):
    """Found by fuzzing: `&name:` anchors an empty key (null); a key must be text."""
    text = (case.evidence / "manifest.yaml").read_text(encoding="utf-8")
    (case.evidence / "manifest.yaml").write_text(text.replace("organisation:", "&rganisation:", 1), encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("organisation:"))
    refused(case, file="manifest.yaml", line=line, words="a mapping key must be plain text", label=label_of(request))
