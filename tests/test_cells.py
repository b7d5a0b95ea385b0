"""One definition of a blank cell, shared by the date parser, validation, the Excel layer and the UDFs."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from addin import udfs
from addin.cells import is_blank
from addin.thaidate import parse_date_or_none


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", "\u200b", " \ufeff\u3000 ", float("nan"),
                                   np.float64("nan"), pd.NaT, pd.NA, np.datetime64("NaT")])
def test_blank(value):
    assert is_blank(value) is True


@pytest.mark.parametrize("value", ["x", " x", "\u200bก", "0", 0, 0.0, False, date(2025, 1, 1),
                                   np.datetime64("2025-01-01")])
def test_not_blank(value):
    assert is_blank(value) is False


def test_every_reader_agrees_on_invisible_text():
    cells = [["\u200b"], ["\u00a0 "], [date(2024, 10, 1)]]
    assert parse_date_or_none("\u200b") is None
    assert udfs.KHET_FY(cells) == [[""], [""], [2568]]
    assert udfs.check_rows("submission", [["\u200b", None, " ", None, None, None, None]]) == [""]


def test_csv_files_staff_edit_decode_as_utf8_or_thai_windows(tmp_path):
    from addin.cells import read_csv_text
    from addin.timing.work_calendar import WorkCalendarFileError, load_tasks
    from addin.workdays import ExtraHolidaysError, load_extra_days

    utf8, thai, neither = tmp_path / "u.csv", tmp_path / "t.csv", tmp_path / "x.csv"
    utf8.write_bytes("\ufeffวันที่,ชื่อ\n".encode())
    thai.write_bytes("วันที่,ชื่อ\n".encode("cp874"))
    neither.write_bytes(b"date,name\n\xdb\xff,x\n")
    assert read_csv_text(utf8) == read_csv_text(thai) == "วันที่,ชื่อ\n"
    with pytest.raises(ExtraHolidaysError) as e:
        load_extra_days(neither)
    assert e.value.problems == ["อ่านไฟล์ไม่ได้: ไม่ใช่ UTF-8 หรือ TIS-620 (บันทึกใหม่เป็น CSV UTF-8) / "
                                "cannot decode the file: neither UTF-8 nor TIS-620 (save it as CSV UTF-8)"]
    with pytest.raises(WorkCalendarFileError) as e:
        load_tasks(neither)
    assert e.value.message_en == f"cannot decode {neither}: neither UTF-8 nor TIS-620"
