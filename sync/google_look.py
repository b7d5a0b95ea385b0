"""How the district Google Sheet looks: the same chart page, status colours and header style as the .xlsx,
sent as `spreadsheets.batchUpdate` requests in the real Sheets API shapes (addChart, addConditionalFormatRule,
setBasicFilter, repeatCell, updateDimensionProperties) — appended to the summary's one atomic swap, so readers
never see a tab without its formatting.

- Captions (row 1) bold on the header colour and wrapped; the English keys (row 2) stay visible in small grey:
  the filter sits on them (a filter header on the captions would sort the key row in with the data).
- Status cells (the school × report matrix, the submissions' status) coloured by conditional formatting with
  addin.status.COLOURS — rules, not painted cells, so a value Google users filter or sort keeps its colour.
- The chart page: the chart tables in columns A–D, four basic charts beside them, categories as text
  ("ไตรมาส 1"), money in millions of baht.
"""

from __future__ import annotations

import datetime as dt

from addin.dashboard import CHART_STYLE
from addin.status import COLOURS, CORRECTION, CORRECTION_TH, LABEL_TH, Status
from addin.thaidate import format_thai_date
from sync.summary_look import column_widths, dashboard_blocks

HEADER_RGB, KEY_RGB = "DDEBF7", "808080"
CHART_ANCHORS = ((1, 6), (1, 16), (23, 6), (23, 16))  # (row, column) of each chart's top-left cell
CHART_PX = (620, 400)


def rgb(hex_colour: str) -> dict:
    return {k: int(hex_colour[i:i + 2], 16) / 255 for k, i in (("red", 0), ("green", 2), ("blue", 4))}


def _range(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0,
            "endColumnIndex": c1}


def status_rules(sheet_id: int, ranges: list[dict]) -> list[dict]:
    """One conditional format rule per status (the needs-correction marker first: it wins over the status); a
    label may carry its basis after it ("… (ตามที่โรงเรียนแจ้ง)"), so a rule matches the label's start."""
    rules = [("TEXT_ENDS_WITH", CORRECTION_TH, CORRECTION)] + [("TEXT_STARTS_WITH", LABEL_TH[s], s) for s in Status]
    out = []
    for i, (kind, value, key) in enumerate(rules):
        fill, text = COLOURS[key]
        out.append({"addConditionalFormatRule": {"index": i, "rule": {
            "ranges": ranges,
            "booleanRule": {"condition": {"type": kind, "values": [{"userEnteredValue": value}]},
                            "format": {"backgroundColor": rgb(fill), "textFormat": {
                                "foregroundColor": rgb(text), "bold": key is Status.MISSING}}}}}})
    return out


def table_requests(sheet_id: int, grid: list[list], *, coloured_columns: list[int], frame=None) -> list[dict]:
    """Header style, column widths, the filter and the status colours of one data tab."""
    n_rows, n_cols = max(len(grid), 3), max(map(len, grid))
    reqs: list[dict] = [
        {"repeatCell": {"range": _range(sheet_id, 0, 1, 0, n_cols), "cell": {"userEnteredFormat": {
            "backgroundColor": rgb(HEADER_RGB), "textFormat": {"bold": True}, "wrapStrategy": "WRAP",
            "verticalAlignment": "TOP"}},
            "fields": "userEnteredFormat(backgroundColor,textFormat,wrapStrategy,verticalAlignment)"}},
        {"repeatCell": {"range": _range(sheet_id, 1, 2, 0, n_cols), "cell": {"userEnteredFormat": {
            "textFormat": {"foregroundColor": rgb(KEY_RGB), "fontSize": 8}}},
            "fields": "userEnteredFormat.textFormat"}},
        {"setBasicFilter": {"filter": {"range": _range(sheet_id, 1, n_rows, 0, n_cols)}}},
    ]
    if frame is not None:
        for j, width in enumerate(column_widths(frame, [str(c) for c in grid[0]])):
            reqs.append({"updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": j, "endIndex": j + 1},
                "properties": {"pixelSize": int(width * 7 + 12)}, "fields": "pixelSize"}})
    if coloured_columns and len(grid) > 2:
        ranges = [_range(sheet_id, 2, len(grid), c, c + 1) for c in coloured_columns]
        reqs += status_rules(sheet_id, ranges)
    return reqs


def chart_grid(summary, *, district: str, as_of: dt.datetime) -> tuple[list[list], list[tuple]]:
    """The chart page's cells (title, date, the chart tables in A–D) and where each table sits:
    (block key, caption, header row index, last data row index + 1, number of columns)."""
    grid: list[list] = [[f"สรุปภาพรวมเขต {district}".strip() + f" ปีงบประมาณ {summary.fiscal_year}"],
                        [f"ข้อมูล ณ {format_thai_date(as_of.date())} {as_of:%H:%M} น."]]
    placed = []
    for block in dashboard_blocks(summary):
        caption, heads, rows = block.caption, block.heads, block.rows
        grid.append([caption])
        header = len(grid)
        grid.append(list(heads))
        grid.extend(list(r) for r in rows)
        if rows:
            placed.append((block.key, caption, header, len(grid), len(heads)))
        grid.append([])
    grid[0] += [""] * (CHART_ANCHORS[-1][1] + 10 - len(grid[0]))  # wide enough for the charts' anchor cells
    return grid, placed


def chart_requests(sheet_id: int, placed: list[tuple]) -> list[dict]:
    """addChart for each chart table: % by report (bars), % by network (columns), budget in millions (bars),
    projects per quarter (stacked columns)."""
    out = []
    for (key, caption, header, end, n_cols), (row, col) in zip(placed, CHART_ANCHORS, strict=False):
        style = CHART_STYLE[key]
        chart_type, value_title = ("BAR" if style["horizontal"] else "COLUMN"), style["value_title"]
        stacked = "STACKED" if style.get("stacked") else None
        value_axis = "BOTTOM_AXIS" if chart_type == "BAR" else "LEFT_AXIS"
        basic = {
            "chartType": chart_type, "legendPosition": "BOTTOM_LEGEND" if n_cols > 2 else "NO_LEGEND",
            "headerCount": 1,
            "axis": [{"position": value_axis, "title": value_title}],
            "domains": [{"domain": {"sourceRange": {"sources": [_range(sheet_id, header, end, 0, 1)]}}}],
            "series": [{"series": {"sourceRange": {"sources": [_range(sheet_id, header, end, c, c + 1)]}},
                        "targetAxis": value_axis} for c in range(1, n_cols)],
        }
        if stacked:
            basic["stackedType"] = stacked
        out.append({"addChart": {"chart": {
            "spec": {"title": caption, "basicChart": basic, "fontName": "Sarabun"},
            "position": {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                                             "widthPixels": CHART_PX[0], "heightPixels": CHART_PX[1]}}}}})
    return out
