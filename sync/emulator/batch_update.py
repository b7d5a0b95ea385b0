"""`spreadsheets:batchUpdate`: the request kinds Khet's templates and provisioning use, applied atomically
(on a copy of the spreadsheet that replaces the original only when every request succeeded)."""

from __future__ import annotations

import copy

from .a1 import Box
from .errors import ApiError, bad_request, unimplemented
from .fields import parse_fields
from .sheets import (
    apply_cell_data,
    check_protected,
    clipped,
    mask_assign,
    new_sheet_props,
    open_spreadsheet,
    protected_for,
    shift,
    spreadsheet_json,
)
from .state import File, Sheet, Spreadsheet, Store

# Every request kind Google defines; the ones without a handler below answer 501 (not retryable) — an unknown
# name is a 400, exactly like Google's JSON parser.
GOOGLE_REQUESTS = {
    "updateSpreadsheetProperties",
    "updateSheetProperties",
    "updateDimensionProperties",
    "updateNamedRange",
    "repeatCell",
    "addNamedRange",
    "deleteNamedRange",
    "addSheet",
    "deleteSheet",
    "autoFill",
    "cutPaste",
    "copyPaste",
    "mergeCells",
    "unmergeCells",
    "updateBorders",
    "updateCells",
    "addFilterView",
    "appendCells",
    "clearBasicFilter",
    "deleteDimension",
    "deleteEmbeddedObject",
    "deleteFilterView",
    "duplicateFilterView",
    "duplicateSheet",
    "findReplace",
    "insertDimension",
    "insertRange",
    "moveDimension",
    "updateEmbeddedObjectPosition",
    "pasteData",
    "textToColumns",
    "updateFilterView",
    "deleteRange",
    "appendDimension",
    "addConditionalFormatRule",
    "updateConditionalFormatRule",
    "deleteConditionalFormatRule",
    "sortRange",
    "setDataValidation",
    "setBasicFilter",
    "addProtectedRange",
    "updateProtectedRange",
    "deleteProtectedRange",
    "autoResizeDimensions",
    "addChart",
    "updateChartSpec",
    "updateBanding",
    "addBanding",
    "deleteBanding",
    "createDeveloperMetadata",
    "updateDeveloperMetadata",
    "deleteDeveloperMetadata",
    "randomizeRange",
    "addDimensionGroup",
    "deleteDimensionGroup",
    "updateDimensionGroup",
    "trimWhitespace",
    "deleteDuplicates",
    "updateEmbeddedObjectBorder",
    "addSlicer",
    "updateSlicerSpec",
    "addDataSource",
    "updateDataSource",
    "deleteDataSource",
    "refreshDataSource",
    "cancelDataSourceRefresh",
    "addTable",
    "updateTable",
    "deleteTable",
}


class Ctx:
    def __init__(self, store: Store, f: File, ss: Spreadsheet, email: str):
        self.store, self.f, self.ss, self.email = store, f, ss, email
        self.where = ""

    def fail(self, message: str) -> ApiError:
        return bad_request(f"Invalid requests[{self.where}: {message}")

    def sheet(self, sheet_id) -> Sheet:
        sheet = self.ss.sheet_by_id(sheet_id or 0)
        if sheet is None:
            raise self.fail(f"No grid with id: {sheet_id or 0}")
        return sheet

    def grid(self, gr: dict) -> tuple[Sheet, tuple[int, int, int, int]]:
        sheet = self.sheet(gr.get("sheetId", 0))
        box = Box.from_grid_range(gr)
        r0, c0, r1, c1 = clipped(sheet, box)
        if r1 > sheet.row_count or c1 > sheet.col_count or r0 > r1 or c0 > c1:
            raise self.fail(
                f"Range ({gr}) exceeds grid limits. Max rows: {sheet.row_count}, "
                f"max columns: {sheet.col_count}"
            )
        return sheet, (r0, c0, r1, c1)

    def unique_title(self, title: str, ignore: Sheet | None = None) -> None:
        other = self.ss.sheet_by_title(title)
        if other is not None and other is not ignore:
            raise self.fail(f'A sheet with the name "{title}" already exists. Please enter another name.')


def _fields(req: dict, ctx: Ctx) -> dict | None:
    fields = req.get("fields")
    if not fields:
        raise ctx.fail("At least one field must be updated. Specify fields.")
    return None if fields.strip() == "*" else parse_fields(fields)


def _cells(box: tuple[int, int, int, int]):
    r0, c0, r1, c1 = box
    return ((r, c) for r in range(r0, r1) for c in range(c0, c1))


def _guard(ctx: Ctx, sheet: Sheet, box) -> None:
    locked = protected_for(ctx.f, sheet, ctx.email)
    if locked:
        check_protected(locked, _cells(box))


# -- handlers: each takes (ctx, request body) and returns the reply ({} when Google's reply is empty) ---


def add_sheet(ctx: Ctx, req: dict) -> dict:
    given = req.get("properties") or {}
    ss = ctx.ss
    if "sheetId" in given and ss.sheet_by_id(given["sheetId"]) is not None:
        raise ctx.fail(f"A sheet with the id {given['sheetId']} already exists.")
    title = given.get("title")
    if title is None:
        n = len(ss.sheets) + 1
        while ss.sheet_by_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    ctx.unique_title(title)
    sheet_id = given.get("sheetId", ctx.store.new_sheet_id(ss))
    index = min(given.get("index", len(ss.sheets)), len(ss.sheets))
    sheet = Sheet(new_sheet_props(sheet_id, title, index, given))
    ss.sheets.insert(index, sheet)
    ss.reindex()
    return {"addSheet": {"properties": copy.deepcopy(sheet.props)}}


def delete_sheet(ctx: Ctx, req: dict) -> dict:
    sheet = ctx.sheet(req.get("sheetId"))
    if len([s for s in ctx.ss.sheets if not s.props.get("hidden")]) <= 1 and not sheet.props.get("hidden"):
        raise ctx.fail("You can't remove all the visible sheets in a document.")
    ctx.ss.sheets.remove(sheet)
    ctx.ss.reindex()
    return {}


def update_sheet_properties(ctx: Ctx, req: dict) -> dict:
    given = req.get("properties") or {}
    sheet = ctx.sheet(given.get("sheetId"))
    mask = _fields(req, ctx)
    if "title" in given and (mask is None or "title" in mask):
        ctx.unique_title(given["title"], ignore=sheet)
    before = copy.deepcopy(sheet.props)
    mask_assign(sheet.props, dict(given, sheetId=sheet.id), mask)
    sheet.props["sheetId"] = sheet.id
    sheet.props.setdefault("title", before["title"])
    sheet.props.setdefault("sheetType", "GRID")
    sheet.props.setdefault("gridProperties", before["gridProperties"])
    for key in ("rowCount", "columnCount"):
        sheet.grid.setdefault(key, before["gridProperties"][key])
    if "index" in sheet.props and sheet.props["index"] != before["index"]:
        ctx.ss.sheets.remove(sheet)
        ctx.ss.sheets.insert(min(sheet.props["index"], len(ctx.ss.sheets)), sheet)
    ctx.ss.reindex()
    return {}


def duplicate_sheet(ctx: Ctx, req: dict) -> dict:
    source = ctx.sheet(req.get("sourceSheetId"))
    title = req.get("newSheetName") or f"Copy of {source.title}"
    ctx.unique_title(title)
    new_id = req.get("newSheetId", ctx.store.new_sheet_id(ctx.ss))
    if ctx.ss.sheet_by_id(new_id) is not None:
        raise ctx.fail(f"A sheet with the id {new_id} already exists.")
    sheet = source.copy(new_id, title)
    index = min(req.get("insertSheetIndex", len(ctx.ss.sheets)), len(ctx.ss.sheets))
    for p in sheet.protected:
        p["protectedRangeId"] = ctx.ss.next_protected_id
        ctx.ss.next_protected_id += 1
    for chart in sheet.extra.get("charts", []):  # Google copies charts: new ids, reading the copy's own cells
        _rehome(chart, source.id, new_id)
        chart["chartId"] = max((c["chartId"] for _s, c in _charts(ctx.ss)), default=1_000_000_000) + 1
    ctx.ss.sheets.insert(index, sheet)
    ctx.ss.reindex()
    return {"duplicateSheet": {"properties": copy.deepcopy(sheet.props)}}


def update_spreadsheet_properties(ctx: Ctx, req: dict) -> dict:
    mask = _fields(req, ctx)
    props = req.get("properties") or {}
    mask_assign(ctx.ss.props, props, mask)
    if "title" in props and (mask is None or "title" in mask):
        ctx.f.name = props["title"]
    ctx.ss.props.pop("title", None)
    return {}


def _protected(ctx: Ctx, req: dict) -> dict:
    pr = copy.deepcopy(req.get("protectedRange") or {})
    if "namedRangeId" in pr:
        named = next((n for n in ctx.ss.named_ranges if n["namedRangeId"] == pr["namedRangeId"]), None)
        if named is None:
            raise ctx.fail(f"No named range with id {pr['namedRangeId']}")
        pr["range"] = copy.deepcopy(named["range"])
    pr.setdefault("range", {"sheetId": 0})
    pr["range"].setdefault("sheetId", 0)
    ctx.grid(pr["range"])
    return pr


def add_protected_range(ctx: Ctx, req: dict) -> dict:
    pr = _protected(ctx, req)
    pr["protectedRangeId"] = ctx.ss.next_protected_id
    ctx.ss.next_protected_id += 1
    if not pr.get("warningOnly"):
        editors = pr.setdefault("editors", {})
        users = editors.setdefault("users", [])
        for who in (ctx.f.owner, ctx.email):  # Google keeps the owner and the requester as editors
            if who not in users:
                users.append(who)
    pr["requestingUserCanEdit"] = True
    ctx.sheet(pr["range"]["sheetId"]).protected.append(pr)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}


def _find_protected(ctx: Ctx, pid) -> tuple[Sheet, dict]:
    for sheet in ctx.ss.sheets:
        for p in sheet.protected:
            if p["protectedRangeId"] == pid:
                return sheet, p
    raise ctx.fail(f"No protected range with id: {pid}")


def _may_change(ctx: Ctx, sheet: Sheet, p: dict) -> None:
    """Google's rule: only the owner and the editors listed on a protected range may change or delete it (a
    school writer may not take the protection off its header or feedback tab)."""
    if any(q is p for q in protected_for(ctx.f, sheet, ctx.email)):
        raise ctx.fail("You are trying to edit a protected cell or object. Please contact the spreadsheet owner "
                       "to remove protection if you need to edit.")


def update_protected_range(ctx: Ctx, req: dict) -> dict:
    given = req.get("protectedRange") or {}
    sheet, current = _find_protected(ctx, given.get("protectedRangeId"))
    _may_change(ctx, sheet, current)
    mask_assign(current, given, _fields(req, ctx))
    current["protectedRangeId"] = given["protectedRangeId"]
    current.setdefault("range", {"sheetId": sheet.id})
    new_sheet = ctx.sheet(current["range"].get("sheetId", 0))
    if new_sheet is not sheet:
        sheet.protected.remove(current)
        new_sheet.protected.append(current)
    return {}


def delete_protected_range(ctx: Ctx, req: dict) -> dict:
    sheet, current = _find_protected(ctx, req.get("protectedRangeId"))
    _may_change(ctx, sheet, current)
    sheet.protected.remove(current)
    return {}


def set_data_validation(ctx: Ctx, req: dict) -> dict:
    sheet, box = ctx.grid(req.get("range") or {})
    _guard(ctx, sheet, box)
    rule = req.get("rule")
    # One copy shared by every cell of the range (cells share it on copy too): a deep copy per cell made
    # provisioning a school template with 500-row dropdowns take half a second.
    shared = copy.deepcopy(rule)
    for r, c in _cells(box):
        cell = sheet.cell(r, c, create=rule is not None)
        if cell is not None:
            cell.validation = shared
            sheet.drop_if_empty(r, c)
    return {}


def repeat_cell(ctx: Ctx, req: dict) -> dict:
    sheet, box = ctx.grid(req.get("range") or {})
    mask = _fields(req, ctx)
    _guard(ctx, sheet, box)  # protection covers formats too, not only values
    data = req.get("cell") or {}
    for r, c in _cells(box):
        apply_cell_data(sheet, r, c, data, mask, ctx.ss.locale)
    return {}


def update_cells(ctx: Ctx, req: dict) -> dict:
    mask = _fields(req, ctx)
    rows = req.get("rows") or []
    if "start" in req:
        start = req["start"]
        sheet = ctx.sheet(start.get("sheetId", 0))
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        width = max((len(r.get("values") or []) for r in rows), default=0)
        box = (r0, c0, r0 + len(rows), c0 + width)
        if box[2] > sheet.row_count or box[3] > sheet.col_count:
            raise ctx.fail(
                f"Attempting to write row: {box[2]}, beyond the last requested row of: {sheet.row_count}"
            )
    elif "range" in req:
        sheet, box = ctx.grid(req["range"])
        r0, c0 = box[0], box[1]
    else:
        raise ctx.fail("Either start or range must be set.")
    _guard(ctx, sheet, box)
    if "range" in req:  # with a range, cells not mentioned are cleared of the masked fields
        for r, c in _cells(box):
            if sheet.cell(r, c) is not None:
                apply_cell_data(sheet, r, c, {}, mask, ctx.ss.locale)
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            if r0 + i < box[2] and c0 + j < box[3]:
                apply_cell_data(sheet, r0 + i, c0 + j, data, mask, ctx.ss.locale)
    return {}


def append_cells(ctx: Ctx, req: dict) -> dict:
    sheet = ctx.sheet(req.get("sheetId"))
    rows = req.get("rows") or []
    start = (
        max((r for r, row in sheet.rows.items() if any(c.kind is not None for c in row.values())), default=-1)
        + 1
    )
    width = max((len(r.get("values") or []) for r in rows), default=0)
    sheet.grid["rowCount"] = max(sheet.row_count, start + len(rows))
    sheet.grid["columnCount"] = max(sheet.col_count, width)
    return update_cells(
        ctx,
        {
            "start": {"sheetId": sheet.id, "rowIndex": start, "columnIndex": 0},
            "rows": rows,
            "fields": req.get("fields"),
        },
    )


def update_borders(ctx: Ctx, req: dict) -> dict:
    sheet, (r0, c0, r1, c1) = ctx.grid(req.get("range") or {})
    for r, c in _cells((r0, c0, r1, c1)):
        edges = {
            "top": req.get("top") if r == r0 else req.get("innerHorizontal"),
            "bottom": req.get("bottom") if r == r1 - 1 else req.get("innerHorizontal"),
            "left": req.get("left") if c == c0 else req.get("innerVertical"),
            "right": req.get("right") if c == c1 - 1 else req.get("innerVertical"),
        }
        edges = {k: v for k, v in edges.items() if v is not None}
        if edges:
            cell = sheet.cell(r, c, create=True)
            fmt = dict(cell.fmt or {})
            fmt["borders"] = dict(fmt.get("borders") or {}, **edges)
            cell.fmt = fmt
    return {}


def merge_cells(ctx: Ctx, req: dict) -> dict:
    gr = req.get("range") or {}
    sheet, (r0, c0, r1, c1) = ctx.grid(gr)
    kind = req.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ROWS":
        boxes = [(r, c0, r + 1, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        boxes = [(r0, c, r1, c + 1) for c in range(c0, c1)]
    else:
        boxes = [(r0, c0, r1, c1)]
    for a, b, c, d in boxes:
        for m in sheet.merges:
            if (
                a < m["endRowIndex"]
                and m["startRowIndex"] < c
                and b < m["endColumnIndex"]
                and m["startColumnIndex"] < d
            ):
                raise ctx.fail("You can't merge cells that are already merged.")
        sheet.merges.append(
            {
                "sheetId": sheet.id,
                "startRowIndex": a,
                "endRowIndex": c,
                "startColumnIndex": b,
                "endColumnIndex": d,
            }
        )
        # As Google: a merged range keeps only its top-left value; the others' contents are gone.
        for r in [r for r in sheet.rows if a <= r < c]:
            for col in [col for col in sheet.rows[r] if b <= col < d and (r, col) != (a, b)]:
                cell = sheet.rows[r][col]
                cell.kind = cell.value = None
                sheet.drop_if_empty(r, col)
    return {}


def unmerge_cells(ctx: Ctx, req: dict) -> dict:
    sheet, (r0, c0, r1, c1) = ctx.grid(req.get("range") or {})
    sheet.merges = [
        m
        for m in sheet.merges
        if not (
            r0 <= m["startRowIndex"]
            and m["endRowIndex"] <= r1
            and c0 <= m["startColumnIndex"]
            and m["endColumnIndex"] <= c1
        )
    ]
    return {}


def _dimension(ctx: Ctx, dr: dict) -> tuple[Sheet, bool, int, int]:
    sheet = ctx.sheet(dr.get("sheetId"))
    rows = dr.get("dimension") == "ROWS"
    if dr.get("dimension") not in ("ROWS", "COLUMNS"):
        raise ctx.fail("dimension must be ROWS or COLUMNS")
    size = sheet.row_count if rows else sheet.col_count
    start, end = dr.get("startIndex", 0), dr.get("endIndex", size)
    if not 0 <= start <= end <= size:
        raise ctx.fail(f"Invalid dimension range {start}:{end} (size {size})")
    return sheet, rows, start, end


def update_dimension_properties(ctx: Ctx, req: dict) -> dict:
    sheet, rows, start, end = _dimension(ctx, req.get("range") or {})
    mask = _fields(req, ctx)
    meta = sheet.row_meta if rows else sheet.col_meta
    for i in range(start, end):
        current = dict(meta.get(i, {"pixelSize": 21 if rows else 100}))
        mask_assign(current, req.get("properties") or {}, mask)
        meta[i] = current
    return {}


def auto_resize_dimensions(ctx: Ctx, req: dict) -> dict:
    _dimension(ctx, req.get("dimensions") or {})  # nothing is drawn, so sizes stay as they are
    return {}


def append_dimension(ctx: Ctx, req: dict) -> dict:
    sheet = ctx.sheet(req.get("sheetId"))
    key = "rowCount" if req.get("dimension") == "ROWS" else "columnCount"
    if req.get("length", 0) <= 0:
        raise ctx.fail("length must be positive")
    sheet.grid[key] += req["length"]
    return {}


def insert_dimension(ctx: Ctx, req: dict) -> dict:
    sheet, rows, start, end = _dimension(ctx, req.get("range") or {})
    shift(ctx.ss, sheet, rows, start, end - start)
    return {}


def delete_dimension(ctx: Ctx, req: dict) -> dict:
    sheet, rows, start, end = _dimension(ctx, req.get("range") or {})
    if rows:
        _guard(ctx, sheet, (start, 0, end, sheet.col_count))
    else:
        _guard(ctx, sheet, (0, start, sheet.row_count, end))
    shift(ctx.ss, sheet, rows, start, start - end)
    return {}


def add_named_range(ctx: Ctx, req: dict) -> dict:
    nr = copy.deepcopy(req.get("namedRange") or {})
    if not nr.get("name") or any(n["name"] == nr["name"] for n in ctx.ss.named_ranges):
        raise ctx.fail(f"Named range '{nr.get('name')}' already exists or is empty.")
    nr.setdefault("range", {"sheetId": 0})
    ctx.grid(nr["range"])
    nr.setdefault("namedRangeId", ctx.store.new_id()[:12])
    ctx.ss.named_ranges.append(nr)
    return {"addNamedRange": {"namedRange": copy.deepcopy(nr)}}


def delete_named_range(ctx: Ctx, req: dict) -> dict:
    before = len(ctx.ss.named_ranges)
    ctx.ss.named_ranges = [n for n in ctx.ss.named_ranges if n["namedRangeId"] != req.get("namedRangeId")]
    if len(ctx.ss.named_ranges) == before:
        raise ctx.fail(f"No named range with id {req.get('namedRangeId')}")
    return {}


def add_conditional_format_rule(ctx: Ctx, req: dict) -> dict:
    rule = copy.deepcopy(req.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise ctx.fail("ConditionalFormatRule.ranges must not be empty")
    sheet = ctx.sheet(ranges[0].get("sheetId", 0))
    sheet.conditional.insert(min(req.get("index", 0), len(sheet.conditional)), rule)
    return {}


def delete_conditional_format_rule(ctx: Ctx, req: dict) -> dict:
    sheet = ctx.sheet(req.get("sheetId"))
    index = req.get("index", 0)
    if not 0 <= index < len(sheet.conditional):
        raise ctx.fail(f"No conditional format on sheet {sheet.id} at index {index}")
    return {"deleteConditionalFormatRule": {"rule": sheet.conditional.pop(index)}}


def set_basic_filter(ctx: Ctx, req: dict) -> dict:
    flt = copy.deepcopy(req.get("filter") or {})
    flt.setdefault("range", {"sheetId": 0})
    sheet, _ = ctx.grid(flt["range"])
    sheet.basic_filter = flt
    return {}


def clear_basic_filter(ctx: Ctx, req: dict) -> dict:
    ctx.sheet(req.get("sheetId")).basic_filter = None
    return {}


CHART_TYPES = ("basicChart", "pieChart", "bubbleChart", "candlestickChart", "orgChart", "histogramChart",
               "waterfallChart", "treemapChart", "scorecardChart")
BASIC_CHART_TYPES = ("BAR", "LINE", "AREA", "COLUMN", "SCATTER", "COMBO", "STEPPED_AREA")


def _source_ranges(node):
    """Every GridRange a chart spec reads (ChartData.sourceRange.sources), wherever it sits in the spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sourceRange":
                yield from value.get("sources") or []
            else:
                yield from _source_ranges(value)
    elif isinstance(node, list):
        for item in node:
            yield from _source_ranges(item)


def _rehome(node, old: int, new: int) -> None:
    if isinstance(node, dict):
        if node.get("sheetId") == old:
            node["sheetId"] = new
        for value in node.values():
            _rehome(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _rehome(item, old, new)


def _charts(ss: Spreadsheet):
    return [(sheet, chart) for sheet in ss.sheets for chart in sheet.extra.get("charts", [])]


def add_chart(ctx: Ctx, req: dict) -> dict:
    """addChart: an EmbeddedChart (spec + position) kept on the sheet it is placed on and returned by
    spreadsheets.get as sheets[].charts, as Google does; the reply carries the chart with its chartId."""
    chart = copy.deepcopy(req.get("chart") or {})
    spec = chart.get("spec") or {}
    kinds = [k for k in CHART_TYPES if k in spec]
    if len(kinds) != 1:
        raise ctx.fail("EmbeddedChart.spec must set exactly one chart type")
    if kinds == ["basicChart"]:
        basic = spec["basicChart"]
        if basic.get("chartType") not in BASIC_CHART_TYPES:
            raise ctx.fail(f"Invalid value at 'chart.spec.basic_chart.chart_type' ({basic.get('chartType')})")
        if not basic.get("series"):
            raise ctx.fail("A basic chart needs at least one series")
    sources = list(_source_ranges(spec))
    if not sources:
        raise ctx.fail("The chart has no data (ChartData.sourceRange)")
    for source in sources:
        ctx.grid(source)  # an existing grid, inside its limits
    position = chart.get("position") or {}
    if "overlayPosition" in position:
        anchor = position["overlayPosition"].get("anchorCell") or {}
        host, _ = ctx.grid({"sheetId": anchor.get("sheetId", 0), "startRowIndex": anchor.get("rowIndex", 0),
                            "endRowIndex": anchor.get("rowIndex", 0) + 1,
                            "startColumnIndex": anchor.get("columnIndex", 0),
                            "endColumnIndex": anchor.get("columnIndex", 0) + 1})
    elif "sheetId" in position:
        host = ctx.sheet(position["sheetId"])
    elif position.get("newSheet"):
        raise unimplemented("addChart with position.newSheet")
    else:
        raise ctx.fail("EmbeddedChart.position must be set")
    taken = {c["chartId"] for _s, c in _charts(ctx.ss)}
    if "chartId" in chart and chart["chartId"] in taken:
        raise ctx.fail(f"An object with id {chart['chartId']} already exists.")
    chart.setdefault("chartId", max(taken, default=1_000_000_000) + 1)
    host.extra.setdefault("charts", []).append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def delete_embedded_object(ctx: Ctx, req: dict) -> dict:
    for sheet, chart in _charts(ctx.ss):
        if chart["chartId"] == req.get("objectId"):
            sheet.extra["charts"].remove(chart)
            if not sheet.extra["charts"]:
                del sheet.extra["charts"]
            return {}
    raise ctx.fail(f"No object with id {req.get('objectId')}")


HANDLERS = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "duplicateSheet": duplicate_sheet,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "addProtectedRange": add_protected_range,
    "updateProtectedRange": update_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "setDataValidation": set_data_validation,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
    "appendCells": append_cells,
    "updateBorders": update_borders,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addChart": add_chart,
    "deleteEmbeddedObject": delete_embedded_object,
}


def copy_spreadsheet(ss: Spreadsheet) -> Spreadsheet:
    out = Spreadsheet(copy.deepcopy(ss.props), [s.copy() for s in ss.sheets])
    out.named_ranges = copy.deepcopy(ss.named_ranges)
    out.next_protected_id = ss.next_protected_id
    return out


def batch_update(store: Store, email: str, ss_id: str, body: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id, write=True)
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise bad_request("Must specify at least one request.")
    work = copy_spreadsheet(f.spreadsheet)
    title_before = f.name
    ctx = Ctx(store, f, work, email)
    replies = []
    try:
        for i, req in enumerate(requests):
            if not isinstance(req, dict) or len(req) != 1:
                raise bad_request(f"Invalid requests[{i}]: exactly one request kind must be set")
            ((kind, payload),) = req.items()
            if kind not in GOOGLE_REQUESTS:
                raise bad_request(
                    f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': "
                    "Cannot find field."
                )
            handler = HANDLERS.get(kind)
            if handler is None:
                raise unimplemented(f"batchUpdate request '{kind}'")
            ctx.where = f"{i}].{kind}"
            replies.append(handler(ctx, payload or {}))
    except ApiError:
        f.name = title_before
        raise
    removed = {s.id for s in f.spreadsheet.sheets} - {s.id for s in work.sheets}
    f.spreadsheet = work
    store.mark_all_sheets(f, also=removed)
    store.touch(f)
    out = {"spreadsheetId": ss_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = spreadsheet_json(
            f, body.get("responseRanges"), bool(body.get("responseIncludeGridData"))
        )
    return out
