import json
import pickle
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from addin.thaidate import (
    MAX_DATE,
    MIN_DATE,
    ThaiDateError,
    as_day_array,
    format_thai_date,
    from_serial,
    parse_date,
    parse_date_or_none,
    parse_dates,
    to_serial,
)
from sync.commands import date as date_cmd

FEB14 = date(2023, 2, 14)


@pytest.mark.parametrize(
    "text, expected",
    [
        # every form the issue lists
        ("14 ก.พ. 66", FEB14),
        ("14 ก.พ. 2566", FEB14),
        ("๑๔ กุมภาพันธ์ ๒๕๖๖", FEB14),
        ("14/02/2566", FEB14),
        ("14-10-2566", date(2023, 10, 14)),
        ("1/10/68", date(2025, 10, 1)),
        ("วันที่ 1 ตุลาคม พ.ศ. 2567", date(2024, 10, 1)),
        ("2023-02-14", FEB14),
        ("14/02/2023", FEB14),
        # what else arrives in real cells
        ("14 ก.พ 66", FEB14),
        ("14 กพ 66", FEB14),
        ("14 ก. พ. 2566", FEB14),
        ("14ก.พ.66", FEB14),
        ("14 กุมภา 66", FEB14),
        ("14 กุมภาพันธ 2566", FEB14),
        ("14 Feb 2023", FEB14),
        ("14 February 2023", FEB14),
        ("14 june 2023", date(2023, 6, 14)),
        ("14 Sept. 2023", date(2023, 9, 14)),
        ("14.02.66", FEB14),
        ("14 / 02 / 2566", FEB14),
        ("๑๔/๐๒/๒๕๖๖", FEB14),
        ("  14\u00a0ก.\u200bพ.\u00a0 66 ", FEB14),
        ("\ufeff14/02/2566", FEB14),
        ("วันอังคารที่ 14 ก.พ. 2566", FEB14),
        ("ณ วันที่ 30 ก.ย. 2568", date(2025, 9, 30)),
        ("14 ก.พ. พ.ศ. 2566", FEB14),
        ("14 ก.พ. พ.ศ.66", FEB14),
        ("14 Feb ค.ศ. 2023", FEB14),
        ("2023-02-14T08:30:00", FEB14),
        ("2023-02-14 08:30:00+07:00", FEB14),
        ("14/02/2566 10.30 น.", FEB14),
        ("14 ก.พ. 2566 เวลา 09:00", FEB14),
        ("2566-02-14", FEB14),
        ("2023/2/14", FEB14),
        ("45931", date(2025, 10, 1)),
        ("1/1/00", date(1957, 1, 1)),
        ("31/12/99", date(2056, 12, 31)),
        ("1/1/2400", date(1857, 1, 1)),
        ("31/12/2700", date(2157, 12, 31)),
        ("29/02/2567", date(2024, 2, 29)),
        ("วันที่ ๑๔ เดือน กุมภาพันธ์ ปี พ.ศ. ๒๕๖๖", FEB14),
        ("243298", FEB14),  # the serial Gregorian Excel stores for "14/02/2566"
    ],
)
def test_parses_typed_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (45931, date(2025, 10, 1)),
        (45931.0, date(2025, 10, 1)),
        (45931.99, date(2025, 10, 1)),
        (np.int64(44971), FEB14),
        (np.float64(44971.5), FEB14),
        (FEB14, FEB14),
        (datetime(2023, 2, 14, 23, 59), FEB14),
        (pd.Timestamp("2023-02-14 12:00"), FEB14),
        (np.datetime64("2023-02-14"), FEB14),
        (np.datetime64("2023-02-14T10:00:00.000000000"), FEB14),
        (pd.Timestamp("2023-02-14 23:30", tz="Asia/Bangkok"), FEB14),
        # A BE date typed into Excel in a Gregorian locale: year 2566, serial 243298. 543 comes off once.
        (datetime(2566, 2, 14), FEB14),
        (date(2566, 2, 14), FEB14),
        (np.datetime64("2566-02-14"), FEB14),
        (243298, FEB14),
    ],
)
def test_parses_values(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "raw, code, th, en",
    [
        ("31/02/2566", "impossible_date", 'ไม่มีวันที่ 31 กุมภาพันธ์ 2566: "31/02/2566"',
         'there is no day 31 in February 2023: "31/02/2566"'),
        ("14/13/66", "impossible_date", 'ไม่มีเดือนที่ 13 (วันมาก่อนเดือน): "14/13/66"',
         'there is no month 13 (the day comes before the month): "14/13/66"'),
        ("02/14/2023", "impossible_date", 'ไม่มีเดือนที่ 14 (วันมาก่อนเดือน): "02/14/2023"',
         'there is no month 14 (the day comes before the month): "02/14/2023"'),
        ("29/02/2566", "impossible_date", 'ไม่มีวันที่ 29 กุมภาพันธ์ 2566: "29/02/2566"',
         'there is no day 29 in February 2023: "29/02/2566"'),
        ("ก.พ. 66", "no_day", 'ไม่มีวันที่ (มีแค่เดือน/ปี): "ก.พ. 66"',
         'no day of the month (only month/year): "ก.พ. 66"'),
        ("02/2566", "no_day", 'ไม่มีวันที่ (มีแค่เดือนและปี): "02/2566"',
         'no day of the month (only a month and year): "02/2566"'),
        ("2/3", "ambiguous_no_year", 'ไม่มีปี จึงระบุวันที่ไม่ได้ — กรุณาใส่ปี พ.ศ.: "2/3"',
         'no year, so the date is ambiguous — please add the BE year: "2/3"'),
        ("14 ก.พ.", "ambiguous_no_year", 'ไม่มีปี จึงระบุวันที่ไม่ได้ — กรุณาใส่ปี พ.ศ.: "14 ก.พ."',
         'no year, so the date is ambiguous — please add the BE year: "14 ก.พ."'),
        ("14 กพฟ 2566", "unknown_month", 'ไม่รู้จักชื่อเดือน "กพฟ": "14 กพฟ 2566"',
         'unknown month name "กพฟ": "14 กพฟ 2566"'),
        ("hello", "unreadable", 'อ่านเป็นวันที่ไม่ได้ (ตัวอย่างที่ใช้ได้: 14 ก.พ. 2566, 14/02/2566): "hello"',
         'not a date (examples that work: 14 ก.พ. 2566, 14/02/2566, 2023-02-14): "hello"'),
        ("14/02/566", "unreadable", 'ปีต้องมี 2 หรือ 4 หลัก: "14/02/566"', 'the year must have 2 or 4 digits: "14/02/566"'),
        ("14 ก.พ. พ.ศ. 2023", "era_mismatch",
         'ปี พ.ศ. 2023 ไม่ถูกต้อง (ปี พ.ศ. ต้องตั้งแต่ 2400): "14 ก.พ. พ.ศ. 2023"',
         '2023 is not a Buddhist Era year (BE years start at 2400): "14 ก.พ. พ.ศ. 2023"'),
        ("14 Feb ค.ศ. 2566", "era_mismatch", 'ปี ค.ศ. 2566 ไม่ถูกต้อง (ดูเหมือนปี พ.ศ.): "14 Feb ค.ศ. 2566"',
         '2566 is not a CE year (it looks like a Buddhist Era year): "14 Feb ค.ศ. 2566"'),
        ("วันพุธที่ 14 ก.พ. 2566", "weekday_mismatch",
         'วันที่ 14 กุมภาพันธ์ 2566 เป็นวันอังคาร ไม่ใช่วันพุธ: "วันพุธที่ 14 ก.พ. 2566"',
         '2023-02-14 is a Tuesday, not a Wednesday: "วันพุธที่ 14 ก.พ. 2566"'),
        ("1/1/1066", "out_of_range", 'วันที่อยู่นอกช่วงที่รับได้ (พ.ศ. 2400–2700): "1/1/1066"',
         'the date is outside the accepted range (BE 2400–2700, CE 1857–2157): "1/1/1066"'),
        ("1/1/2399", "out_of_range", 'วันที่อยู่นอกช่วงที่รับได้ (พ.ศ. 2400–2700): "1/1/2399"',
         'the date is outside the accepted range (BE 2400–2700, CE 1857–2157): "1/1/2399"'),
        (2566, "out_of_range",
         "ตัวเลขนี้ไม่ใช่เลขลำดับวันที่ของ Excel/Google ที่รับได้ (7306–94234 คือ 1 ม.ค. 2463 – 31 ธ.ค. 2700)"
         ' (ดูเหมือนเป็นปี พ.ศ. ไม่ใช่วันที่): "2566"',
         "not a plausible Excel/Google date serial (7306–94234, 1920-01-01 – 2157-12-31)"
         ' (it looks like a BE year, not a date): "2566"'),
        (True, "unreadable", 'ค่าจริง/เท็จ ไม่ใช่วันที่: "True"', 'a true/false value is not a date: "True"'),
        (date(2564, 2, 29), "impossible_date", 'ไม่มีวันที่ 29 กุมภาพันธ์ 2564: "2564-02-29"',
         'there is no day 29 in February 2021: "2564-02-29"'),
        (7305, "out_of_range",
         "ตัวเลขนี้ไม่ใช่เลขลำดับวันที่ของ Excel/Google ที่รับได้ (7306–94234 คือ 1 ม.ค. 2463 – 31 ธ.ค. 2700)"
         ': "7305"',
         'not a plausible Excel/Google date serial (7306–94234, 1920-01-01 – 2157-12-31): "7305"'),
        ("", "blank", 'ไม่ได้กรอกวันที่: ""', 'no date given: ""'),
        (None, "blank", 'ไม่ได้กรอกวันที่: ""', 'no date given: ""'),
    ],
)
def test_bad_input_exact_errors(raw, code, th, en):
    with pytest.raises(ThaiDateError) as info:
        parse_date(raw)
    e = info.value
    assert (e.code, e.message_th, e.message_en) == (code, th, en)
    assert e.raw == raw
    assert str(e) == f"{th} / {en}"
    assert isinstance(e, ValueError)


@pytest.mark.parametrize("raw", ["", "   ", "\u00a0\u200b", None, float("nan"), pd.NaT, pd.NA, np.datetime64("NaT")])
def test_blank_is_none_or_blank_error(raw):
    assert parse_date_or_none(raw) is None
    with pytest.raises(ThaiDateError) as info:
        parse_date(raw)
    assert info.value.code == "blank"


def test_parse_date_or_none_still_rejects_bad_input():
    with pytest.raises(ThaiDateError) as info:
        parse_date_or_none("31/02/2566")
    assert info.value.code == "impossible_date"


def test_error_survives_pickling():
    with pytest.raises(ThaiDateError) as info:
        parse_date("2/3")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.raw, copy.code, str(copy)) == ("2/3", "ambiguous_no_year", str(info.value))


@pytest.mark.parametrize(
    "style, thai_digits, expected",
    [
        ("short", False, "14 ก.พ. 2566"),
        ("long", False, "14 กุมภาพันธ์ 2566"),
        ("numeric", False, "14/02/2566"),
        ("iso", False, "2023-02-14"),
        ("official", False, "วันที่ 14 กุมภาพันธ์ พ.ศ. 2566"),
        ("short", True, "๑๔ ก.พ. ๒๕๖๖"),
        ("long", True, "๑๔ กุมภาพันธ์ ๒๕๖๖"),
        ("numeric", True, "๑๔/๐๒/๒๕๖๖"),
        ("iso", True, "2023-02-14"),
    ],
)
def test_format_styles(style, thai_digits, expected):
    assert format_thai_date(FEB14, style, thai_digits=thai_digits) == expected


def test_format_accepts_any_date_form_and_rejects_unknown_style():
    assert format_thai_date("1/10/68", "long") == "1 ตุลาคม 2568"
    assert format_thai_date(pd.Timestamp("2025-10-01 08:00"), "short") == "1 ต.ค. 2568"
    with pytest.raises(ValueError, match="unknown date style 'fancy'"):
        format_thai_date(FEB14, "fancy")


def test_serials():
    assert to_serial(date(2025, 10, 1)) == 45931
    assert from_serial(45931) == date(2025, 10, 1)
    assert from_serial(45931.75) == date(2025, 10, 1)
    assert to_serial(datetime(2023, 2, 14, 9)) == 44971
    assert to_serial("14 ก.พ. 66") == 44971


@settings(max_examples=300, deadline=None)
@given(st.dates(MIN_DATE, MAX_DATE))
def test_serial_round_trip(d):
    assert from_serial(to_serial(d)) == d


def _all_dates() -> list[date]:
    return [MIN_DATE + timedelta(days=i) for i in range((MAX_DATE - MIN_DATE).days + 1)]


@pytest.mark.parametrize(
    "style, thai_digits", [("short", False), ("long", False), ("numeric", False), ("official", True), ("iso", False)]
)
def test_round_trip_every_date_be_2400_2700(style, thai_digits):
    days = _all_dates()
    assert (days[0], days[-1]) == (date(1857, 1, 1), date(2157, 12, 31))
    texts = pd.Series([format_thai_date(d, style, thai_digits=thai_digits) for d in days])
    parsed = parse_dates(texts)
    assert parsed["error"].isna().all()
    assert parsed["date"].to_numpy().astype("datetime64[D]").tolist() == days


@settings(max_examples=300, deadline=None)
@given(st.dates(MIN_DATE, MAX_DATE), st.sampled_from(["short", "long", "numeric", "official"]), st.booleans())
def test_scalar_round_trip(d, style, thai_digits):
    assert parse_date(format_thai_date(d, style, thai_digits=thai_digits)) == d


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789๐๑๒/-. กพมคยธตสเมษาย", max_size=14))
def test_any_text_is_a_date_in_range_or_an_error_quoting_it(text):
    try:
        d = parse_date(text)
    except ThaiDateError as e:
        assert e.raw == text
        assert f'"{text}"' in e.message_th and f'"{text}"' in e.message_en
    else:
        assert MIN_DATE <= d <= MAX_DATE


_cell = st.one_of(
    st.none(),
    st.just(""),
    st.just(float("nan")),
    st.floats(min_value=-10, max_value=100_000),
    st.integers(0, 300_000),
    st.dates(MIN_DATE, MAX_DATE),
    st.builds(lambda d, style, td: format_thai_date(d, style, thai_digits=td),
              st.dates(MIN_DATE, MAX_DATE), st.sampled_from(["short", "long", "numeric", "iso"]), st.booleans()),
    st.sampled_from(["31/02/2566", "2/3", "ก.พ. 66", "14 กพฟ 2566", "ยังไม่ส่ง"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_cell, max_size=30))
@example([0.0, -0.0])  # equal to factorize, yet each error must quote its own cell
def test_parse_dates_equals_parse_date_per_cell(cells):
    out = parse_dates(pd.Series(cells, dtype=object))
    for value, got, error in zip(cells, out["date"], out["error"], strict=True):
        try:
            want = parse_date_or_none(value)
        except ThaiDateError as e:
            assert pd.isna(got) and (error.code, str(error)) == (e.code, str(e))
        else:
            assert error is None
            assert (pd.isna(got) and want is None) or got.date() == want


def test_parse_dates_keeps_index_blanks_and_errors():
    s = pd.Series(["14 ก.พ. 66", None, "", "31/02/2566", 45931, FEB14, float("nan"), "14 ก.พ. 66"],
                  index=list("abcdefgh"), dtype=object)
    out = parse_dates(s)
    assert list(out.index) == list("abcdefgh")
    assert out["date"].dtype == "datetime64[ns]"
    assert out["date"].dt.strftime("%Y-%m-%d").fillna("-").tolist() == [
        "2023-02-14", "-", "-", "-", "2025-10-01", "2023-02-14", "-", "2023-02-14"]
    errors = out["error"].tolist()
    assert [e.code if e else None for e in errors] == [None, None, None, "impossible_date", None, None, None, None]
    assert errors[3].raw == "31/02/2566"


def test_parse_dates_on_datetime_column_checks_range():
    s = pd.Series(pd.to_datetime(["2023-02-14", None, "1800-01-01"]))
    out = parse_dates(s)
    assert out["date"].dt.strftime("%Y-%m-%d").fillna("-").tolist() == ["2023-02-14", "-", "-"]
    assert [e.code if e else None for e in out["error"]] == [None, None, "out_of_range"]


def test_parse_dates_errors_quote_each_cells_own_value():
    out = parse_dates(pd.Series([5, 5.0, True, 1, "5"], dtype=object))
    assert [(e.code, e.raw) for e in out["error"]] == [
        ("out_of_range", 5), ("out_of_range", 5.0), ("unreadable", True), ("out_of_range", 1),
        ("out_of_range", "5")]
    assert out["error"][1].message_en.endswith(': "5.0"')


def test_parse_dates_on_second_resolution_and_tz_columns():
    s = pd.Series(np.array(["2566-02-14", "2023-01-01", "NaT"], dtype="datetime64[s]"))
    assert parse_dates(s)["date"].dt.strftime("%Y-%m-%d").fillna("-").tolist() == ["2023-02-14", "2023-01-01", "-"]
    tz = pd.Series(pd.to_datetime(["2023-02-14 23:30"]).tz_localize("Asia/Bangkok"))
    assert parse_dates(tz)["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-02-14"]


def test_as_day_array():
    assert as_day_array(["14 ก.พ. 66", None]).astype(str).tolist() == ["2023-02-14", "NaT"]
    assert str(as_day_array("1/10/68")) == "2025-10-01"


# --- khet date ---------------------------------------------------------------------------------------------


def test_khet_date_json(capsys):
    assert date_cmd.main(["--json", "๑๔ กุมภาพันธ์ ๒๕๖๖"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "input": "๑๔ กุมภาพันธ์ ๒๕๖๖",
        "iso": "2023-02-14",
        "serial": 44971,
        "thai": {
            "short": "14 ก.พ. 2566",
            "long": "14 กุมภาพันธ์ 2566",
            "numeric": "14/02/2566",
            "official": "วันที่ 14 กุมภาพันธ์ พ.ศ. 2566",
            "long_thai_digits": "๑๔ กุมภาพันธ์ ๒๕๖๖",
        },
        "weekday": {"th": "อังคาร", "en": "Tuesday"},
        "year_be": 2566,
        "fiscal_year": 2566,
        "fiscal_quarter": 2,
        "academic_year": 2565,
        "semester": 2,
        "workday": True,
        "holiday": None,
    }


def test_khet_date_words_without_quotes_and_holiday(capsys):
    assert date_cmd.main(["13", "ต.ค.", "68", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["iso"], out["fiscal_year"], out["workday"], out["holiday"]) == (
        "2025-10-13", 2569, False, "วันนวมินทรมหาราช")


def test_khet_date_text_output(capsys):
    assert date_cmd.main(["1/10/68"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "วันที่ 1 ตุลาคม พ.ศ. 2568  (วันพุธ / Wednesday)"
    assert "ISO            2025-10-01" in lines
    assert "ปีงบประมาณ      2569 ไตรมาส 1 / fiscal year, quarter" in lines


def test_khet_date_error_exit_1(capsys):
    assert date_cmd.main(["31/02/2566"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == 'ไม่มีวันที่ 31 กุมภาพันธ์ 2566: "31/02/2566" / there is no day 31 in February 2023: "31/02/2566"'
    assert date_cmd.main(["--json", "2/3"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False,
        "input": "2/3",
        "error": {"code": "ambiguous_no_year",
                  "message_th": 'ไม่มีปี จึงระบุวันที่ไม่ได้ — กรุณาใส่ปี พ.ศ.: "2/3"',
                  "message_en": 'no year, so the date is ambiguous — please add the BE year: "2/3"'},
    }
