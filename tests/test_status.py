from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.status import LABEL_EN, LABEL_TH, Status, default_closes, status, status_series
from addin.workdays import ENV_EXTRA_PATH

D = date
DUE = D(2023, 2, 14)  # Tuesday 14 ก.พ. 2566, fiscal year 2566 ends 30 Sep 2023


@pytest.fixture(autouse=True)
def no_extra_file(monkeypatch, tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("date,name,kind\n", encoding="utf-8")
    monkeypatch.setenv(ENV_EXTRA_PATH, str(path))


def test_codes_and_labels():
    assert [s.value for s in Status] == ["not_yet_due", "due_soon", "overdue", "on_time", "late", "missing"]
    assert [LABEL_TH[s] for s in Status] == [
        "ยังไม่ถึงกำหนด", "ใกล้ครบกำหนด", "เกินกำหนด", "ส่งแล้ว (ตรงเวลา)", "ส่งช้า", "ไม่ส่ง"]
    assert [LABEL_EN[s] for s in Status] == [
        "not yet due", "due soon", "overdue", "submitted on time", "submitted late", "missing"]
    assert Status.LATE.th == "ส่งช้า" and Status.LATE.en == "submitted late"
    assert Status("overdue") is Status.OVERDUE and Status.OVERDUE == "overdue"


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(today=D(2023, 2, 8)), Status.NOT_YET_DUE),  # 4 working days left: 9, 10, 13, 14 Feb
        (dict(today=D(2023, 2, 9)), Status.DUE_SOON),  # 3 left
        (dict(today=D(2023, 2, 11)), Status.DUE_SOON),
        (dict(today=DUE), Status.DUE_SOON),
        (dict(today=D(2023, 2, 15)), Status.OVERDUE),
        (dict(today=D(2023, 9, 30)), Status.OVERDUE),
        (dict(today=D(2023, 10, 1)), Status.MISSING),  # the fiscal year closed
        (dict(submitted=DUE, today=D(2023, 10, 1)), Status.ON_TIME),
        (dict(submitted=D(2023, 1, 5), today=D(2023, 1, 6)), Status.ON_TIME),
        (dict(submitted=D(2023, 2, 15), today=D(2023, 2, 20)), Status.LATE),
        (dict(submitted=D(2023, 10, 5), today=D(2023, 10, 6)), Status.LATE),  # late, not missing
        (dict(today=D(2023, 2, 28), closes=D(2023, 2, 28)), Status.OVERDUE),
        (dict(today=D(2023, 3, 1), closes=D(2023, 2, 28)), Status.MISSING),
        (dict(today=D(2023, 2, 15), closes=D(2023, 2, 10)), Status.MISSING),  # closes before due = at due
        (dict(today=DUE, closes=D(2023, 2, 10)), Status.DUE_SOON),
        (dict(today=D(2023, 2, 13), soon_days=0), Status.NOT_YET_DUE),
        (dict(today=DUE, soon_days=0), Status.DUE_SOON),
        (dict(today=D(2023, 2, 1), soon_days=10), Status.DUE_SOON),  # 9 left: 2, 3, 6–10, 13, 14 Feb
        (dict(today=D(2023, 1, 31), soon_days=10), Status.DUE_SOON),
        (dict(today=D(2023, 1, 30), soon_days=10), Status.NOT_YET_DUE),
    ],
)
def test_status_rules(kwargs, expected):
    assert status(DUE, **kwargs) is expected


def test_thai_text_inputs():
    assert status("14 ก.พ. 66", "๑๕/๐๒/๒๕๖๖") is Status.LATE
    assert status("14 ก.พ. 66", "", "1 ต.ค. 66") is Status.MISSING
    assert status("14 ก.พ. 66", None, "20 ก.พ. 66", closes="") is Status.OVERDUE


def test_due_on_a_holiday_moves_to_the_next_working_day():
    sat = D(2025, 4, 12)  # Songkran week: 13–16 April are holidays, the next working day is Thu 17 April
    assert status(sat, D(2025, 4, 17)) is Status.ON_TIME
    assert status(sat, D(2025, 4, 18)) is Status.LATE
    assert status(sat, today=D(2025, 4, 16)) is Status.DUE_SOON
    assert status(sat, today=D(2025, 4, 17)) is Status.DUE_SOON
    assert status(sat, today=D(2025, 4, 18)) is Status.OVERDUE


def test_default_closes():
    assert default_closes(DUE) == D(2023, 9, 30)
    assert default_closes("25 ก.ย. 68") == D(2025, 10, 25)  # at least 30 days
    assert default_closes("1 ต.ค. 68") == D(2026, 9, 30)
    assert status("25 ก.ย. 68", today="20 ต.ค. 68") is Status.OVERDUE
    assert status("25 ก.ย. 68", today="26 ต.ค. 68") is Status.MISSING


def test_today_defaults_to_thailand_today_and_due_is_required():
    assert status("1/1/2500") is Status.MISSING
    assert status("1/1/2650") is Status.NOT_YET_DUE
    with pytest.raises(ValueError, match="no due date"):
        status(None, today=DUE)


def test_series_basic_shape():
    due = pd.Series(pd.to_datetime(["2023-02-14", "2023-02-14", None, "2023-02-14"]), index=list("wxyz"))
    sent = pd.Series([None, "15/02/2566", "1/1/66", None], index=list("wxyz"), dtype=object)
    out = status_series(due, sent, D(2023, 2, 10))
    assert list(out.index) == list("wxyz")
    assert isinstance(out.dtype, pd.CategoricalDtype)
    assert list(out.cat.categories) == [s.value for s in Status]
    assert out.astype(object).where(out.notna(), None).tolist() == ["due_soon", "late", None, "due_soon"]
    assert out.cat.rename_categories(LABEL_TH).astype(object).tolist()[:2] == ["ใกล้ครบกำหนด", "ส่งช้า"]


def test_series_per_row_today_and_closes():
    due = np.array(["2023-02-14"] * 4, dtype="datetime64[D]")
    today = np.array(["2023-02-01", "2023-02-20", "2023-03-05", "2023-03-05"], dtype="datetime64[D]")
    closes = pd.Series(pd.to_datetime(["2023-02-28", "2023-02-28", "2023-02-28", None]))
    assert status_series(due, None, today, closes).tolist() == ["not_yet_due", "overdue", "missing", "overdue"]


def test_series_equals_scalar_with_office_days(monkeypatch, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("date,name,kind\n24/10/2568,ปิดสำนักงาน,holiday\n25/10/2568,เสาร์ทำงาน,workday\n", encoding="utf-8")
    monkeypatch.setenv(ENV_EXTRA_PATH, str(path))
    days = pd.date_range("2025-10-15", "2025-11-05")
    due = pd.Series(days)
    for today in ("20 ต.ค. 68", "23 ต.ค. 68", "26 ต.ค. 68"):
        got = status_series(due, None, today, soon_days=2).tolist()
        assert got == [status(d, None, today, soon_days=2).value for d in days]
    assert status("24 ต.ค. 68", "25 ต.ค. 68") is Status.ON_TIME  # closed Friday: due moves to the open Saturday
    assert status("24 ต.ค. 68", "27 ต.ค. 68") is Status.LATE


_when = st.dates(D(2020, 1, 1), D(2031, 12, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(_when, st.none() | _when, _when, st.none() | _when), min_size=1, max_size=60),
    st.integers(0, 10),
)
def test_series_equals_scalar(rows, soon_days):
    due, sent, today, closes = (pd.Series([r[i] for r in rows], dtype=object) for i in range(4))
    got = status_series(due, sent, today, closes, soon_days=soon_days).tolist()
    want = [status(d, s, t, closes=c, soon_days=soon_days).value for d, s, t, c in rows]
    assert got == want


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_when, st.none() | _when), min_size=1, max_size=60), _when)
def test_series_scalar_today_equals_scalar(rows, today):
    due = np.array([r[0] for r in rows], dtype="datetime64[D]")
    sent = np.array([r[1] or "NaT" for r in rows], dtype="datetime64[D]")
    got = status_series(pd.Series(due), pd.Series(sent), today).tolist()
    assert got == [status(d, s, today).value for d, s in rows]
