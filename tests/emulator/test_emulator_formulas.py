"""Formulas typed USER_ENTERED read back evaluated (a small, documented subset); the rest is #NAME?."""

import pytest
from gspread.utils import ValueRenderOption
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.emulator.formulas import Err, Evaluator
from sync.emulator.sheets import new_sheet_props
from sync.emulator.state import Sheet, Spreadsheet
from sync.emulator.values import Cell

CASES = [
    ("=1+2*3", 7, "7"),
    ("=(1+2)*3", 9, "9"),
    ("=2^3^2", 64, "64"),
    ("=-2^2", 4, "4"),
    ("=10/4", 2.5, "2.5"),
    ("=50%", 0.5, "0.5"),
    ('="ก"&"ข"&1', "กข1", "กข1"),
    ("=A1+A2", 30, "30"),
    ("=SUM(A1:A4)", 30, "30"),
    ("=SUM(A1:A4, 5, TRUE)", 36, "36"),
    ("=AVERAGE(A1:A4)", 15, "15"),
    ("=COUNT(A1:A4)", 2, "2"),
    ("=COUNTA(A1:A4)", 3, "3"),
    ("=MIN(A1:A2)+MAX(A1:A2)", 30, "30"),
    ('=IF(A1>5, "มาก", "น้อย")', "มาก", "มาก"),
    ('=IF(A3="text", 1)', 1, "1"),
    ("=AND(A1>1, A2<100)", True, "TRUE"),
    ("=ROUND(2.345, 2)", 2.35, "2.35"),
    ("=ROUND(2.675, 2)", 2.68, "2.68"),
    ("=ROUND(1234.5, -2)", 1200, "1200"),
    ("=ROUND(-2.5)", -3, "-3"),
    ("=LEN(A3)&UPPER(A3)", "4TEXT", "4TEXT"),
    ("='ข้อมูล'!B2*2", 14, "14"),
    ("=$A$1", 10, "10"),
    ("=A9", 0, "0"),
    ("=total", 30, "30"),
    ("=1/0", "#DIV/0!", "#DIV/0!"),
    ("=A3+1", "#VALUE!", "#VALUE!"),
    ("=AVERAGE(A9:A10)", "#DIV/0!", "#DIV/0!"),
    ("=NOPE!A1", "#REF!", "#REF!"),
    ('=IMPORTXML("http://evil.example","//a")', "#NAME?", "#NAME?"),
    ('=HYPERLINK("http://evil.example","x")', "#NAME?", "#NAME?"),
    ("=1+", "#ERROR!", "#ERROR!"),
    ("=2^100000000", "#NUM!", "#NUM!"),
    ("=(-8)^0.5", "#NUM!", "#NUM!"),
    ("=B1", "#REF!", "#REF!"),
]


@pytest.fixture
def sheet(gc):
    sh = gc.create("สูตร / formulas")
    sh.add_worksheet("ข้อมูล", 5, 5).update([["", ""], ["", 7]], "A1")
    ws = sh.sheet1
    ws.update([[10], [20], ["text"], [None]], "A1", value_input_option="USER_ENTERED")
    ws.update([["=B1"]], "B1", value_input_option="USER_ENTERED")  # refers to itself: circular
    sh.batch_update(
        {
            "requests": [
                {
                    "addNamedRange": {
                        "namedRange": {
                            "name": "total",
                            "range": {
                                "sheetId": 0,
                                "startRowIndex": 0,
                                "endRowIndex": 1,
                                "startColumnIndex": 3,
                                "endColumnIndex": 4,
                            },
                        }
                    }
                }
            ]
        }
    )
    ws.update([["=A1+A2"]], "D1", value_input_option="USER_ENTERED")
    return sh


def test_formula_subset(sheet):
    ws = sheet.sheet1
    ws.update([[f] for f, _, _ in CASES], "C1", value_input_option="USER_ENTERED")
    n = len(CASES)
    raw = [row[0] for row in ws.get(f"C1:C{n}", value_render_option=ValueRenderOption.unformatted)]
    shown = [row[0] for row in ws.get(f"C1:C{n}")]
    assert [(f, v) for (f, _, _), v in zip(CASES, raw, strict=True)] == [(f, v) for f, v, _ in CASES]
    assert shown == [s for _, _, s in CASES]
    assert [row[0] for row in ws.get(f"C1:C{n}", value_render_option=ValueRenderOption.formula)] == [
        f for f, _, _ in CASES
    ]


def test_grid_data_reports_error_values(sheet):
    ws = sheet.sheet1
    ws.update([["=1/0", "=A1*3"]], "E1", value_input_option="USER_ENTERED")
    ws.format("F1", {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"}})
    data = sheet.client.fetch_sheet_metadata(
        sheet.id, params={"includeGridData": "true", "ranges": "Sheet1!E1:F1"}
    )
    e1, f1 = data["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert e1["effectiveValue"] == {
        "errorValue": {"type": "DIVIDE_BY_ZERO", "message": "Function DIVIDE parameter 2 cannot be zero."}
    }
    assert e1["formattedValue"] == "#DIV/0!"
    assert (f1["effectiveValue"], f1["formattedValue"]) == ({"numberValue": 30}, "30.00")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="=+-*/^&%<>(),;:!$\"' .0123456789ABCSUMIFxyzก", max_size=30))
def test_any_typed_text_evaluates_to_a_value_or_a_sheets_error(text):
    ss = Spreadsheet({}, [Sheet(new_sheet_props(0, "S", 0))])
    ss.sheets[0].rows[0] = {0: Cell("n", 3), 1: Cell("f", "=" + text)}
    result = Evaluator(ss).value_of(ss.sheets[0], 0, 1)
    assert isinstance(result, int | float | str | bool | Err)
    if isinstance(result, Err):
        assert result.code in Err.TYPES
