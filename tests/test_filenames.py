"""Names that are not UTF-8 (filenames.py): shown byte by byte, read as Shift_JIS where that is what they are."""
import os

import pytest

from auditor.errors import InputError
from auditor import filenames


def test_printable_names():
    odd = os.fsdecode("監査.csv".encode("cp932"))
    assert filenames.printable("監査.csv") == "監査.csv" and filenames.printable("a.csv") == "a.csv"
    assert filenames.printable(odd) == "%8A\u010d%B8.csv"  # C4 8D happens to be UTF-8 (č): only the others
    assert filenames.printable("x\ud800y") == "x%uD800y"  # a lone surrogate of another origin
    assert filenames.printable(filenames.printable(odd)) == filenames.printable(odd)  # read back, the same
    assert filenames.meant(odd) == "監査.csv" and filenames.meant(os.fsdecode(b"\xff\xfe")) is None


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="names there are always Unicode")
def test_a_twin_in_shift_jis_is_found_and_a_name_refused(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), "名簿.xlsx".encode("cp932"))
    open(raw, "wb").close()
    assert filenames.twin(tmp_path, "名簿.xlsx") == "%96%BC%95%EB.xlsx"
    assert filenames.twin(tmp_path, "研修.xlsx") is None
    with pytest.raises(InputError) as err:
        filenames.refuse(tmp_path / os.fsdecode("名簿.xlsx".encode("cp932")))
    assert "名簿.xlsx" in str(err.value.hint) and "名簿.xlsx" in err.value.ja
    filenames.refuse(tmp_path / "名簿.xlsx")  # UTF-8: nothing to say


def test_a_my_number_beside_a_byte_that_is_not_utf8_is_masked_first():
    """%NN beside digits would make the number a longer run the scan passes over: masked before, and a run
    that the %NN makes is masked after."""
    from auditor.privacy import mynumber

    valid = "123456789018"
    assert mynumber.is_valid(valid)
    name = os.fsdecode(b"\x83" + valid.encode() + b".csv")
    shown = mynumber.mask_name(name)
    assert valid not in shown and shown.startswith("%83") and mynumber.MASK in shown
    assert valid not in mynumber.dumps({"path": name, "pad": "y" * 70000})
    assert valid not in mynumber.dumps({"path": name})
