"""Emulator fidelity: a merged range keeps only its top-left value, as Google does (issue 10)."""


def test_merge_keeps_only_the_top_left_value(gc):
    sh = gc.create("merge")
    ws = sh.sheet1
    ws.update([["a", "b", "c"], ["d", "e", "f"]], "A1:C2")
    sh.batch_update({"requests": [{"mergeCells": {"mergeType": "MERGE_ALL", "range": {
        "sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}}}]})
    assert ws.get("A1:C2") == [["a", "", "c"], ["", "", "f"]]
    meta = sh.fetch_sheet_metadata()
    assert meta["sheets"][0]["merges"][0]["endColumnIndex"] == 2


def test_merge_rows_keeps_each_rows_first_value(gc):
    sh = gc.create("merge rows")
    ws = sh.sheet1
    ws.update([["a", "b"], ["c", "d"]], "A1:B2")
    sh.batch_update({"requests": [{"mergeCells": {"mergeType": "MERGE_ROWS", "range": {
        "sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}}}]})
    assert ws.get("A1:B2") == [["a"], ["c"]]
