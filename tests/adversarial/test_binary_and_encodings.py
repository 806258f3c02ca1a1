"""Binary garbage, NUL bytes and encodings: refused with the line of the first bad byte, never read as mojibake."""
import codecs
import random

import pytest

from .harness import accepted, label_of, refused

FW_HEADER = "rule_id,src_zone,dst_zone,action\n"


def _garbage(n=4096, seed=6, nul=True) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(0 if nul else 1, 256) for _ in range(n))


@pytest.mark.parametrize("name", ["fw.csv", "fw.yaml", "fw.json", "fw.tsv"])
def test_binary_garbage(case, request, name):
    """Random bytes hold NULs, which no text export has: refused as binary, with the line."""
    case.add_file(name, _garbage())
    refused(case, file=name, words="NUL byte", label=label_of(request))


def test_binary_garbage_without_nul_bytes(case, request):
    case.add_file("fw.csv", _garbage(nul=False))
    refused(case, file="fw.csv", line=1, words="cannot decode the file as UTF-8", label=label_of(request))


def test_an_image_named_csv(case, request):
    case.add_file("fw.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    refused(case, file="fw.csv", line=3, words="NUL byte", commands=("check", "report"), label=label_of(request))


def test_nul_byte_inside_a_csv_cell(case, request):
    case.add_file("fw.csv", (FW_HEADER + "R1,lgwan,internet,deny\nR2\x00,lgwan,internet,allow\n").encode())
    refused(case, file="fw.csv", line=3, words="NUL byte", label=label_of(request))


def test_mixed_encodings_utf8_then_cp932(case, request):
    data = ("staff_id,unit\nS1,市民課\n").encode("utf-8") + "S2,税務課\n".encode("cp932")
    case.add_file("staff.csv", data, kind="staff")
    refused(case, file="staff.csv", line=3, words="cannot decode the file as UTF-8", label=label_of(request))


def test_mixed_encodings_cp932_then_utf8(case, request):
    """CP932 decodes the UTF-8 line too, as mojibake (繧､繝ｳ...): the UTF-8 kana give it away."""
    data = "職員番号,所属\nS1,市民課\n".encode("cp932") + "S2,インターネット接続系\n".encode("utf-8")
    case.add_file("staff.csv", data, kind="staff", columns={"職員番号": "staff_id", "所属": "unit"})
    refused(case, file="staff.csv", line=3, words="UTF-8 text in a file read as CP932 (mixed encodings)",
            label=label_of(request))


def test_characters_outside_cp932_in_a_file_declared_cp932(case, request):
    """Saved as Shift_JIS-2004 (剝 is in JIS X 0213, not in CP932): the byte that CP932 lacks, with its line."""
    data = "職員番号,所属\nS1,市民課\nS2,剝離対策室\n".encode("shift_jis_2004")
    case.add_file("staff.csv", data, kind="staff", encoding="cp932", columns={"職員番号": "staff_id", "所属": "unit"})
    refused(case, file="staff.csv", line=3, words="cannot decode the file as CP932: byte 0x88", label=label_of(request))


def test_utf8_file_declared_cp932(case, request):
    """Every byte of this UTF-8 text happens to decode as CP932 (スズキ -> 繧ｹ繧ｺ繧ｭ): the declaration is wrong."""
    case.add_file("staff.csv", "staff_id,name\nS1,スズキ\nS2,鈴木\n".encode("utf-8"), kind="staff", encoding="cp932")
    refused(case, file="staff.csv", words="the file is UTF-8 text, but the manifest says encoding: cp932",
            label=label_of(request))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(case, request, codec):
    case.add_file("staff.csv", "職員番号,所属\nS1,0100\n".encode(codec), kind="staff",
                  columns={"職員番号": "staff_id", "所属": "unit"})
    refused(case, file="staff.csv", line=1, words="looks like UTF-16 without a byte-order mark",
            label=label_of(request))


def test_utf16_without_a_byte_order_mark_declared(case, request):
    """Not an error: with encoding: utf-16-le the same file is read."""
    case.add_file("staff.csv", "職員番号,所属\nS1,0100\nS2,0200\n".encode("utf-16-le"), kind="staff",
                  encoding="utf-16-le", columns={"職員番号": "staff_id", "所属": "unit"})
    _, doc = accepted(case, label=label_of(request))
    assert [f["records"] for f in doc["evidence"] if f["path"] == "staff.csv"] == [2]


def test_utf16_with_a_byte_order_mark(case, request):
    """Not an error: Excel's "Unicode text" export (UTF-16 with BOM, tab-separated) is detected."""
    data = codecs.BOM_UTF16_LE + "職員番号\t所属\nS1\t0100\n".encode("utf-16-le")
    case.add_file("staff.txt", data, kind="staff", columns={"職員番号": "staff_id", "所属": "unit"})
    _, doc = accepted(case, label=label_of(request))
    assert [f["records"] for f in doc["evidence"] if f["path"] == "staff.txt"] == [1]


def test_unknown_or_non_text_encoding(case, request):
    case.add_file("fw.csv", (FW_HEADER + "R1,lgwan,internet,deny\n").encode(), encoding="rot13")
    refused(case, file="fw.csv", words="unknown encoding 'rot13'", label=label_of(request))
