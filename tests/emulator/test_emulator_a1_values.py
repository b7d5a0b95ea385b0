"""Pure rules of the emulator: A1 notation, USER_ENTERED parsing, number/date formatting, render options."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.emulator import a1
from sync.emulator.a1 import Box
from sync.emulator.errors import ApiError
from sync.emulator.fields import select
from sync.emulator.formulas import Err
from sync.emulator.values import Cell, format_value, from_json_value, parse_user_entered, render

VALUE_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")


@pytest.mark.parametrize(
    "text, box",
    [
        ("A1", Box(0, 0, 1, 1)),
        ("B2:C5", Box(1, 1, 5, 3)),
        ("c5:b2", Box(1, 1, 5, 3)),
        ("A:C", Box(None, 0, None, 3)),
        ("2:4", Box(1, None, 4, None)),
        ("A3:D", Box(2, 0, None, 4)),
        ("AA10", Box(9, 26, 10, 27)),
    ],
)
def test_parse_box(text, box):
    assert a1.parse_box(text) == box


@pytest.mark.parametrize("text", ["Data", "A0", "A:B5", "ข้อมูล", "A1:B2:C3", ""])
def test_not_a_box(text):
    assert a1.parse_box(text) is None


def test_split_sheet_and_quoting():
    assert a1.split_sheet("'It''s here'!A1:B2") == ("It's here", "A1:B2")
    assert a1.split_sheet("'ข้อมูล'") == ("ข้อมูล", "")
    assert a1.split_sheet("Sheet1!A1") == ("Sheet1", "A1")
    assert a1.split_sheet("A1:B2") == (None, "A1:B2")
    with pytest.raises(ApiError) as e:
        a1.split_sheet("'open!A1")
    assert e.value.body["error"]["message"] == "Unable to parse range: 'open!A1"
    assert a1.format_box("Sheet1", 0, 0, 1, 1) == "Sheet1!A1"
    assert a1.format_box("My Sheet", 1, 0, 10, 3) == "'My Sheet'!A2:C10"
    assert a1.format_box("A1", 0, 0, 2, 2) == "'A1'!A1:B2"
    assert a1.format_box("ข้อมูล", 0, 26, 1, 28) == "'ข้อมูล'!AA1:AB1"
    assert [a1.col_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("42", ("n", 42, None)),
        ("-3.25", ("n", -3.25, None)),
        ("007", ("n", 7, None)),
        ("1,234.50", ("n", 1234.5, {"type": "NUMBER", "pattern": "#,##0.00"})),
        ("12%", ("n", 0.12, {"type": "PERCENT", "pattern": "0%"})),
        ("$5", ("n", 5, {"type": "CURRENCY", "pattern": '"$"#,##0.00'})),
        ("true", ("b", True, None)),
        ("FALSE", ("b", False, None)),
        ("=SUM(A1:A3)", ("f", "=SUM(A1:A3)", None)),
        ("'=not a formula", ("s", "=not a formula", None)),
        ("'0123", ("s", "0123", None)),
        ("2025-10-01", ("n", 45931, {"type": "DATE", "pattern": "yyyy-mm-dd"})),
        ("1/10/2025", ("n", 45667, {"type": "DATE", "pattern": "M/d/yyyy"})),
        ("2025-10-01 13:30", ("n", 45931 + 13.5 / 24, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm"})),
        ("14:15", ("n", (14 * 60 + 15) / 1440, {"type": "TIME", "pattern": "H:mm"})),
        ("2025-02-30", ("s", "2025-02-30", None)),
        ("1/10/2568", ("n", 243993, {"type": "DATE", "pattern": "M/d/yyyy"})),  # a BE year is not converted
        ("๑๒๓", ("s", "๑๒๓", None)),
        ("โรงเรียนบ้านหนองบัว", ("s", "โรงเรียนบ้านหนองบัว", None)),
    ],
)
def test_user_entered(text, expected):
    kind, value, fmt = parse_user_entered(text)
    assert (kind, fmt) == (expected[0], expected[2])
    assert value == pytest.approx(expected[1]) if kind == "n" else value == expected[1]


def test_day_first_locale_reads_dates_day_month():
    assert parse_user_entered("1/10/2025", "th_TH") == ("n", 45931, {"type": "DATE", "pattern": "d/M/yyyy"})


def test_raw_keeps_text_as_typed():
    assert from_json_value('=IMPORTXML("http://x")', "RAW", "en_US") == ("s", '=IMPORTXML("http://x")', None)
    assert from_json_value("42", "RAW", "en_US") == ("s", "42", None)
    assert from_json_value(42, "RAW", "en_US") == ("n", 42, None)
    assert from_json_value(True, "USER_ENTERED", "en_US") == ("b", True, None)
    assert from_json_value("", "RAW", "en_US") == (None, None, None)


@pytest.mark.parametrize(
    "number, fmt, text",
    [
        (1234.5, None, "1234.5"),
        (3.0, None, "3"),
        (0.1 + 0.2, None, "0.3"),
        (1e20, None, "1E+20"),
        (1234.5, {"type": "NUMBER", "pattern": "#,##0.00"}, "1,234.50"),
        (-1234.5, {"type": "NUMBER", "pattern": "#,##0"}, "-1,235"),
        (0.125, {"type": "PERCENT", "pattern": "0.0%"}, "12.5%"),
        (5, {"type": "CURRENCY", "pattern": '"฿"#,##0.00'}, "฿5.00"),
        (45931, {"type": "DATE", "pattern": "yyyy-mm-dd"}, "2025-10-01"),
        (45931, {"type": "DATE", "pattern": "d mmm yyyy"}, "1 Oct 2025"),
        (45931, {"type": "DATE", "pattern": "dddd d mmmm yy"}, "Wednesday 1 October 25"),
        (45931 + 0.5625, {"type": "DATE_TIME", "pattern": "M/d/yyyy h:mm am/pm"}, "10/1/2025 1:30 PM"),
        (45931, {"type": "DATE"}, "10/1/2025"),
        (1234567.891, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}, "1.23E+06"),
    ],
)
def test_format_value(number, fmt, text):
    assert format_value(number, fmt) == text


def test_render_options():
    date = Cell("n", 45931, {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}})
    assert render(date, "FORMATTED_VALUE", "SERIAL_NUMBER") == "2025-10-01"
    assert render(date, "UNFORMATTED_VALUE", "SERIAL_NUMBER") == 45931
    assert render(date, "UNFORMATTED_VALUE", "FORMATTED_STRING") == "2025-10-01"
    assert render(date, "FORMULA", "SERIAL_NUMBER") == 45931
    formula = Cell("f", "=A1/0", {"numberFormat": {"type": "NUMBER", "pattern": "0.0"}})
    error = Err("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.")
    assert [render(formula, o, "SERIAL_NUMBER", result=error) for o in VALUE_OPTIONS] == [
        "#DIV/0!",
        "#DIV/0!",
        "=A1/0",
    ]
    assert [render(formula, o, "SERIAL_NUMBER", result=2) for o in VALUE_OPTIONS] == ["2.0", 2, "=A1/0"]
    flag = Cell("b", False)
    assert (
        render(flag, "FORMATTED_VALUE", "SERIAL_NUMBER"),
        render(flag, "UNFORMATTED_VALUE", "SERIAL_NUMBER"),
    ) == ("FALSE", False)


def test_fields_mask():
    data = {
        "kind": "k",
        "nextPageToken": "t",
        "files": [{"id": 1, "name": "a", "x": 0}, {"id": 2, "name": "b"}],
        "sheets": [{"properties": {"title": "S", "sheetId": 0, "index": 0}, "data": []}],
    }
    assert select(data, "nextPageToken,files(id,name)") == {
        "nextPageToken": "t",
        "files": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
    }
    assert select(data, "sheets.properties.title") == {"sheets": [{"properties": {"title": "S"}}]}
    assert select(data, "sheets(properties(sheetId,index))") == {
        "sheets": [{"properties": {"sheetId": 0, "index": 0}}]
    }
    assert select(data, "files/id") == {"files": [{"id": 1}, {"id": 2}]}
    assert select(data, "*") == data


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=25))
def test_any_text_parses_as_sheets_would_store_it(text):
    kind, value, fmt = parse_user_entered(text)
    assert kind in (None, "s", "n", "b", "f")
    assert (kind is None) == (text == "")
    if kind == "n":
        assert isinstance(value, int | float) and (fmt is None or "type" in fmt)
    if kind in ("s", "f"):
        assert value in (text, text[1:])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="'!:$AaBZz019 ก", max_size=15))
def test_any_range_text_parses_or_is_a_400(text):
    try:
        title, part = a1.split_sheet(text)
    except ApiError as e:
        assert e.code == 400
        return
    box = a1.parse_box(part)
    assert box is None or all(v is None or v >= 0 for v in (box.r0, box.c0, box.r1, box.c1))
