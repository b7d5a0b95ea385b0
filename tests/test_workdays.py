import json
import os
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.calendar import fiscal_year_bounds, quarter_bounds
from addin.workdays import (
    ENV_EXTRA_PATH,
    ExtraHolidaysError,
    add_workdays,
    add_workdays_array,
    holiday_array,
    holiday_name,
    holidays_between,
    is_workday,
    load_extra_days,
    next_workday,
    previous_workday,
    workday_on_or_after,
    workday_on_or_after_array,
    workday_on_or_before,
    workdays_between,
    workdays_between_array,
    workdays_in_range,
)
from sync.commands import workdays as workdays_cmd

D = date
ONE = np.timedelta64(1, "D")
dates = st.dates(D(1990, 1, 1), D(2100, 12, 31))


@pytest.fixture(autouse=True)
def no_extra_file(monkeypatch, tmp_path):
    """Tests run against an empty extra-days file unless they write their own (the shipped one has examples
    only, commented out, but an office may add rows)."""
    path = tmp_path / "none.csv"
    path.write_text("date,name,kind\n", encoding="utf-8")
    monkeypatch.setenv(ENV_EXTRA_PATH, str(path))


def _write(path, text, encoding="utf-8-sig"):
    path.write_bytes(text.encode(encoding))
    st_ = os.stat(path)
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000_000))  # a visible edit, even within 1 ns
    return path


@pytest.fixture
def office_file(monkeypatch, tmp_path):
    path = _write(tmp_path / "extra.csv", (
        "# วันหยุดของสำนักงาน\n"
        "date,name,kind\n"
        "24 ต.ค. 2568,ปิดสำนักงาน (ย้ายอาคาร),holiday\n"
        "๒๕/๑๐/๒๕๖๘,วันเสาร์ทำงานชดเชย,workday\n"
        "2025-10-13,ยกเลิกวันหยุด,ทำงาน\n"
        "\n"
        '2/1/69,"วันหยุดพิเศษ, ตามมติ ครม.",\n'
    ))
    monkeypatch.setenv(ENV_EXTRA_PATH, str(path))
    return path


# --- the package calendar -------------------------------------------------------------------------------


def test_fiscal_year_2569_counts_match_the_notes():
    assert workdays_in_range(*fiscal_year_bounds(2569)) == 240
    assert [workdays_in_range(*quarter_bounds(2569, q)) for q in (1, 2, 3, 4)] == [61, 61, 56, 62]


def test_songkran_2568():
    assert holidays_between("1 เม.ย. 68", "30 เม.ย. 68") == {
        D(2025, 4, 6): "วันพระบาทสมเด็จพระพุทธยอดฟ้าจุฬาโลกมหาราช และวันที่ระลึกมหาจักรีบรมราชวงศ์",
        D(2025, 4, 7): "ชดเชยวันพระบาทสมเด็จพระพุทธยอดฟ้าจุฬาโลกมหาราช และวันที่ระลึกมหาจักรีบรมราชวงศ์",
        D(2025, 4, 13): "วันสงกรานต์",
        D(2025, 4, 14): "วันสงกรานต์",
        D(2025, 4, 15): "วันสงกรานต์",
        D(2025, 4, 16): "ชดเชยวันสงกรานต์",
    }
    assert add_workdays("11 เม.ย. 2568", 1) == D(2025, 4, 17)
    assert add_workdays("17 เม.ย. 2568", -1) == D(2025, 4, 11)
    assert workdays_between("11/04/2568", "17/04/2568") == 1
    assert workdays_between("17/04/2568", "11/04/2568") == -1
    assert is_workday("16 เม.ย. 68") is False
    assert holiday_name("16 เม.ย. 68") == "ชดเชยวันสงกรานต์"
    assert holiday_name("17 เม.ย. 68") is None


def test_government_category_is_included():
    assert holiday_name(D(2025, 5, 9)) == "วันพืชมงคล"
    assert is_workday(D(2025, 5, 9)) is False


def test_service_standard_counting():
    # Received Friday 3 Oct 2568: "within 2 working days" ends Tuesday 7 Oct; the day received is not counted.
    assert add_workdays("3 ต.ค. 2568", 2) == D(2025, 10, 7)
    assert workdays_between("3 ต.ค. 2568", "7 ต.ค. 2568") == 2
    assert workdays_between("3 ต.ค. 2568", "3 ต.ค. 2568") == 0
    assert workdays_in_range("3 ต.ค. 2568", "3 ต.ค. 2568") == 1
    assert workdays_in_range("4 ต.ค. 2568", "5 ต.ค. 2568") == 0
    assert workdays_in_range("5 ต.ค. 2568", "4 ต.ค. 2568") == 0
    assert add_workdays("4 ต.ค. 2568", 0) == D(2025, 10, 4)


def test_next_and_on_or_after():
    sat = D(2025, 10, 11)
    assert next_workday(sat) == D(2025, 10, 14)  # Monday 13 Oct is วันนวมินทรมหาราช
    assert workday_on_or_after(sat) == D(2025, 10, 14)
    assert workday_on_or_after(D(2025, 10, 14)) == D(2025, 10, 14)
    assert next_workday(D(2025, 10, 14)) == D(2025, 10, 15)
    assert previous_workday(D(2025, 10, 14)) == D(2025, 10, 10)
    assert workday_on_or_before(sat) == D(2025, 10, 10)
    assert workday_on_or_before(D(2025, 10, 10)) == D(2025, 10, 10)


def test_holiday_array_takes_be_or_ce_years():
    assert np.array_equal(holiday_array(2568, 2569), holiday_array(2025, 2026))
    days = np.array(["2025-04-12", "2025-04-17", "NaT"], dtype="datetime64[D]")
    assert workday_on_or_after_array(days).astype(str).tolist() == ["2025-04-17", "2025-04-17", "NaT"]
    arr = holiday_array(2025, 2025)
    assert arr.dtype == np.dtype("datetime64[D]")
    assert arr[0] == np.datetime64("2025-01-01") and arr[-1] == np.datetime64("2025-12-31")
    assert np.all(np.diff(arr.astype(np.int64)) > 0)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dates, dates)
def test_count_agrees_with_numpy_busday_count(a, b):
    hol = holiday_array(min(a, b).year, max(a, b).year)
    lo, hi = sorted((a, b))
    expected = np.busday_count(np.datetime64(lo) + ONE, np.datetime64(hi) + ONE, holidays=hol)
    assert workdays_between(a, b) == (expected if a <= b else -expected)
    assert workdays_in_range(a, b) == max(0, np.busday_count(np.datetime64(a), np.datetime64(b) + ONE, holidays=hol))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dates, st.integers(-400, 400))
def test_add_agrees_with_numpy_busday_offset(a, n):
    hol = holiday_array(a.year - 2, a.year + 2)
    result = add_workdays(a, n)
    if n == 0:
        assert result == a
        return
    roll = "backward" if n > 0 else "forward"
    assert np.datetime64(result) == np.busday_offset(np.datetime64(a), n, roll=roll, holidays=hol)
    assert is_workday(result)
    if n > 0:
        assert workdays_between(a, result) == n
    else:  # n working days lie in [result, a)
        assert workdays_between(result - timedelta(days=1), a - timedelta(days=1)) == -n


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(dates, dates, st.integers(-60, 60)), min_size=1, max_size=40))
def test_vectorized_equals_scalar(rows):
    a = np.array([r[0] for r in rows], dtype="datetime64[D]")
    b = np.array([r[1] for r in rows], dtype="datetime64[D]")
    n = np.array([r[2] for r in rows])
    assert workdays_between_array(a, b).tolist() == [workdays_between(x, y) for x, y, _ in rows]
    assert add_workdays_array(a, n).tolist() == [add_workdays(x, k) for x, _, k in rows]


def test_vectorized_on_pandas_with_blanks():
    s = pd.Series(pd.to_datetime(["2025-04-10", "2025-04-12", None]), index=[10, 20, 30])
    counts = workdays_between_array(s, D(2025, 4, 30))
    assert counts.dtype == "Int64" and list(counts.index) == [10, 20, 30]
    assert counts.tolist() == [11, 10, pd.NA]
    added = add_workdays_array(s, 3)
    assert list(added.index) == [10, 20, 30]
    assert added.dt.strftime("%Y-%m-%d").fillna("-").tolist() == ["2025-04-18", "2025-04-21", "-"]
    thai = workdays_between_array(pd.Series(["1 ต.ค. 68", "๑ ต.ค. ๒๕๖๘"]), "31 ต.ค. 68")
    assert thai.tolist() == [20, 20]
    with pytest.raises(ValueError, match="a date is blank or unreadable"):
        workdays_between_array(np.array(["2025-01-01", "NaT"], dtype="datetime64[D]"), np.datetime64("2025-02-01"))


# --- the office's own file ------------------------------------------------------------------------------


def test_extra_file_holidays_workdays_and_cancellations(office_file):
    # October 2568 has 21 working days by the package; the file closes Fri 24, opens Sat 25, cancels Mon 13.
    assert workdays_in_range("1 ต.ค. 68", "31 ต.ค. 68") == 21 - 1 + 1 + 1
    assert is_workday(D(2025, 10, 24)) is False
    assert is_workday(D(2025, 10, 25)) is True
    assert is_workday(D(2025, 10, 13)) is True
    assert holiday_name(D(2025, 10, 24)) == "ปิดสำนักงาน (ย้ายอาคาร)"
    assert holiday_name(D(2025, 10, 13)) is None
    assert holiday_name(D(2026, 1, 2)) == "วันหยุดพิเศษ (เพิ่มเติม); วันหยุดพิเศษ, ตามมติ ครม."
    assert add_workdays(D(2025, 10, 23), 1) == D(2025, 10, 25)
    assert add_workdays(D(2025, 10, 27), -1) == D(2025, 10, 25)
    assert np.datetime64("2025-10-24") in holiday_array(2025, 2025)
    assert np.datetime64("2025-10-13") not in holiday_array(2025, 2025)


def test_extra_file_vectorized_equals_scalar_across_a_weekend_workday(office_file):
    starts = np.arange(np.datetime64("2025-10-01"), np.datetime64("2025-11-05"))
    for n in (-7, -1, 0, 1, 2, 7):
        got = add_workdays_array(starts, np.full(starts.shape, n))
        assert got.tolist() == [add_workdays(s, n) for s in starts.tolist()]
    assert workday_on_or_after_array(starts).tolist() == [workday_on_or_after(s) for s in starts.tolist()]
    assert workday_on_or_after_array(starts)[23] == np.datetime64("2025-10-25")  # Friday 24 closed, Sat 25 open
    ends = starts[::-1]
    assert workdays_between_array(starts, ends).tolist() == [
        workdays_between(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def test_extra_file_edit_is_picked_up_without_restart(office_file):
    assert is_workday(D(2025, 11, 3)) is True
    _write(office_file, "date,name,kind\n3 พ.ย. 2568,ปิดสำนักงาน,holiday\n")
    assert is_workday(D(2025, 11, 3)) is False
    assert is_workday(D(2025, 10, 24)) is True


def test_extra_file_in_thai_windows_encoding(monkeypatch, tmp_path):
    path = _write(tmp_path / "excel.csv", "วันที่,ชื่อวันหยุด,ประเภท\n3/11/2568,ปิดสำนักงาน,วันหยุด\n,,\n", encoding="cp874")
    monkeypatch.setenv(ENV_EXTRA_PATH, str(path))
    assert holiday_name(D(2025, 11, 3)) == "ปิดสำนักงาน"


def test_extra_file_errors_name_line_and_column(tmp_path):
    path = _write(tmp_path / "bad.csv", (
        "# comment\n"
        "date,name,kind\n"
        "31/02/2568,ผิด,holiday\n"
        "3/11/2568,ปิด,sometimes\n"
        "4/11/2568,ปิด,holiday\n"
        "4/11/2568,เปิด,workday\n"
    ))
    with pytest.raises(ExtraHolidaysError) as info:
        load_extra_days(path)
    assert info.value.problems == [
        'บรรทัด 3 คอลัมน์ date: ไม่มีวันที่ 31 กุมภาพันธ์ 2568: "31/02/2568" / '
        'line 3 column date: there is no day 31 in February 2025: "31/02/2568"',
        'บรรทัด 4 คอลัมน์ kind: "sometimes" ต้องเป็น holiday หรือ workday / '
        'line 4 column kind: "sometimes" must be holiday or workday',
        "บรรทัด 6: 2025-11-04 เป็นทั้งวันหยุดและวันทำการ / line 6: 2025-11-04 is listed both as a holiday and as a workday",
    ]
    assert str(path) in str(info.value)


def test_extra_file_missing_header_or_file(monkeypatch, tmp_path):
    with pytest.raises(ExtraHolidaysError) as info:
        load_extra_days(_write(tmp_path / "noheader.csv", "3/11/2568,ปิด,holiday\n"))
    assert info.value.problems == [
        "บรรทัด 1: แถวแรกต้องเป็นหัวตาราง date,name,kind / line 1: the first row must be the header "
        "date,name,kind (got 3/11/2568,ปิด,holiday)"]
    monkeypatch.setenv(ENV_EXTRA_PATH, str(tmp_path / "nope.csv"))
    with pytest.raises(ExtraHolidaysError, match="file not found"):
        is_workday(D(2025, 11, 3))


def test_shipped_file_reads_and_has_only_examples(monkeypatch):
    monkeypatch.delenv(ENV_EXTRA_PATH)
    extra = load_extra_days()
    assert extra.path is not None and extra.path.name == "extra_holidays.csv"
    text = extra.path.read_text(encoding="utf-8-sig")
    assert "# 15 พ.ค. 2569,ปิดสำนักงานเพื่อย้ายอาคาร (ตัวอย่าง),holiday" in text
    assert (extra.holidays, extra.workdays) == ({}, {})


# --- khet workdays ---------------------------------------------------------------------------------------


def test_khet_workdays_between_json(capsys):
    assert workdays_cmd.main(["1 ต.ค. 68", "31 ต.ค. 68", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "mode": "between",
        "start": "2025-10-01", "start_thai": "1 ต.ค. 2568",
        "end": "2025-10-31", "end_thai": "31 ต.ค. 2568",
        "workdays": 20, "workdays_inclusive": 21, "calendar_days": 30,
        "holidays": [
            {"date": "2025-10-13", "thai": "13 ต.ค. 2568", "name": "วันนวมินทรมหาราช"},
            {"date": "2025-10-23", "thai": "23 ต.ค. 2568", "name": "วันปิยมหาราช"},
        ],
    }


def test_khet_workdays_add_json_unquoted_words(capsys):
    assert workdays_cmd.main(["11", "เม.ย.", "2568", "+1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "mode": "add",
        "start": "2025-04-11", "start_thai": "11 เม.ย. 2568",
        "n": 1, "result": "2025-04-17", "result_thai": "17 เม.ย. 2568", "calendar_days": 6,
        "holidays": [
            {"date": "2025-04-13", "thai": "13 เม.ย. 2568", "name": "วันสงกรานต์"},
            {"date": "2025-04-14", "thai": "14 เม.ย. 2568", "name": "วันสงกรานต์"},
            {"date": "2025-04-15", "thai": "15 เม.ย. 2568", "name": "วันสงกรานต์"},
            {"date": "2025-04-16", "thai": "16 เม.ย. 2568", "name": "ชดเชยวันสงกรานต์"},
        ],
    }
    assert workdays_cmd.main(["17/04/2568", "-1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "วันทำการที่ 1 ก่อน / before 17 เม.ย. 2568: 11 เม.ย. 2568  (2025-04-11)")


def test_khet_workdays_unquoted_two_dates(capsys):
    assert workdays_cmd.main(["1", "ต.ค.", "68", "31", "ต.ค.", "68"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["1 ต.ค. 2568 → 31 ต.ค. 2568", "วันทำการ (ไม่นับวันเริ่ม) / working days after the start day: 20"]


def test_khet_workdays_errors(capsys):
    assert workdays_cmd.main(["31/02/2566", "1/3/2566", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == {
        "code": "impossible_date",
        "message_th": 'ไม่มีวันที่ 31 กุมภาพันธ์ 2566: "31/02/2566"',
        "message_en": 'there is no day 31 in February 2023: "31/02/2566"',
    }
    assert workdays_cmd.main(["1/10/68"]) == 1
    assert capsys.readouterr().err.strip() == (
        "ต้องมีวันเริ่มและวันสิ้นสุด หรือ +N / give START and END, or START and +N")
    assert workdays_cmd.main(["+7"]) == 1
    assert capsys.readouterr().err.strip() == 'ไม่ได้กรอกวันที่: "" / no date given: ""'
    assert workdays_cmd.main(["+7", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "blank"
    assert workdays_cmd.main(["1/10/68", "+999999", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == {
        "code": "too_many_days", "message_th": "จำนวนวันทำการมากเกินไป (ไม่เกิน 50,000)",
        "message_en": "too many working days (at most 50,000)"}


def test_absurd_shifts_are_refused():
    with pytest.raises(ValueError, match=r"too many working days to add \(60,000 > 50,000\)"):
        add_workdays("1/10/68", -60_000)
    with pytest.raises(ValueError, match="too many working days to add"):
        add_workdays_array(np.array(["2025-10-01"], dtype="datetime64[D]"), np.array([60_000]))
