"""Sheets API v4: spreadsheets create/get, the values family and values writes. `:batchUpdate` requests live
in
`batch_update.py`. Every function takes the calling account and answers Google's JSON or raises `ApiError`."""

from __future__ import annotations

import copy
import json
import re

from . import a1
from .a1 import Box
from .errors import bad_request, not_found, permission_denied
from .fields import parse_fields
from .formulas import Evaluator
from .state import ROLE_RANK, SHEETS_MIME, File, Sheet, Spreadsheet, Store
from .values import Cell, effective_value, from_json_value, render, user_entered_value

PROTECTED_MESSAGE = (
    "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to "
    "remove protection if you need to edit."
)
VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATETIME_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")


def one(params: dict, name: str, default: str | None = None) -> str | None:
    vals = params.get(name)
    return vals[-1] if vals else default


def flag(params: dict, name: str) -> bool:
    return (one(params, name, "false") or "").lower() == "true"


def choice(params_or_body: dict, name: str, allowed: tuple, default: str, from_body: bool = False) -> str:
    value = params_or_body.get(name, default) if from_body else one(params_or_body, name, default)
    if value not in allowed:
        raise bad_request(
            f"Invalid value at '{_snake(name)}' (type.googleapis.com/google.apps.sheets.v4."
            f'{name[0].upper() + name[1:]}), "{value}"'
        )
    return value


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def open_spreadsheet(store: Store, email: str, ss_id: str, write: bool = False) -> File:
    f = store.files.get(ss_id)
    if f is None or f.spreadsheet is None:
        raise not_found()
    need = ROLE_RANK["writer"] if write else ROLE_RANK["reader"]
    if f.role_of(email) < need:
        raise permission_denied()
    return f


def new_sheet_props(sheet_id: int, title: str, index: int, given: dict | None = None) -> dict:
    props = {
        "sheetId": sheet_id,
        "title": title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    for key, value in (given or {}).items():
        if key == "gridProperties":
            props["gridProperties"].update(value)
        elif key not in ("sheetId", "index", "title"):
            props[key] = value
    return props


def create_spreadsheet_file(
    store: Store,
    owner: str,
    name: str,
    parents: list[str],
    body: dict | None = None,
    file_id: str | None = None,
) -> File:
    """A new spreadsheet (one 'Sheet1' unless `body` lists sheets), owned by `owner` and visible in Drive."""
    body = body or {}
    props = {
        "title": name,
        "locale": "en_US",
        "autoRecalc": "ON_CHANGE",
        "timeZone": "Etc/GMT",
        "defaultFormat": {
            "backgroundColor": {"red": 1, "green": 1, "blue": 1},
            "verticalAlignment": "BOTTOM",
            "wrapStrategy": "OVERFLOW_CELL",
            "textFormat": {"fontFamily": "arial,sans,sans-serif", "fontSize": 10},
        },
        "spreadsheetTheme": {"primaryFontFamily": "Arial"},
    }
    for key, value in (body.get("properties") or {}).items():
        if key != "title":
            props[key] = value
    f = File(file_id or store.new_id(), name, SHEETS_MIME, owner, store.file_now_ms(), parents)
    ss = Spreadsheet(props, [])
    for i, sheet_body in enumerate(body.get("sheets") or [{}]):
        given = sheet_body.get("properties") or {}
        sid = given.get("sheetId", 0 if i == 0 else store.new_sheet_id(ss))
        sheet = Sheet(new_sheet_props(sid, given.get("title") or f"Sheet{i + 1}", i, given))
        ss.sheets.append(sheet)
        for grid in sheet_body.get("data") or []:
            apply_grid_data(
                sheet,
                grid.get("startRow", 0),
                grid.get("startColumn", 0),
                grid.get("rowData") or [],
                "userEnteredValue,userEnteredFormat,note,dataValidation",
                props.get("locale", "en_US"),
            )
    f.spreadsheet = ss
    return f


def apply_grid_data(sheet: Sheet, r0: int, c0: int, rows: list[dict], fields: str, locale: str) -> None:
    mask = None if fields.strip() == "*" else parse_fields(fields)
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            apply_cell_data(sheet, r0 + i, c0 + j, data, mask, locale)


def mask_assign(target: dict, source: dict, mask: dict | None) -> None:
    """Copy the masked fields of `source` into `target`; a masked field absent from source is cleared."""
    if mask is None:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for key, sub in mask.items():
        if key == "*":
            mask_assign(target, source, None)
            return
        if sub is None or not isinstance(source.get(key, {}), dict):
            if key in source:
                target[key] = copy.deepcopy(source[key])
            else:
                target.pop(key, None)
        else:
            node = target.setdefault(key, {})
            mask_assign(node, source.get(key, {}), sub)
            if not node:
                target.pop(key)


def apply_cell_data(sheet: Sheet, r: int, c: int, data: dict, mask: dict | None, locale: str) -> None:
    cell = sheet.cell(r, c, create=True)
    keys = ("userEnteredValue", "userEnteredFormat", "dataValidation", "note") if mask is None else mask
    for key in keys:
        sub = None if mask is None else mask[key]
        if key == "userEnteredValue":
            uev = data.get("userEnteredValue") or {}
            if "formulaValue" in uev:
                cell.kind, cell.value = "f", uev["formulaValue"]
            elif uev:
                ((_, value),) = uev.items()
                cell.kind, cell.value, _ = from_json_value(value, "RAW", locale)
            else:
                cell.kind = cell.value = None
        elif key == "userEnteredFormat":
            fmt = dict(cell.fmt or {})
            mask_assign(fmt, data.get("userEnteredFormat") or {}, sub)
            cell.fmt = fmt or None
        elif key == "dataValidation":
            cell.validation = data.get("dataValidation")
        elif key == "note":
            cell.note = data.get("note")
    sheet.drop_if_empty(r, c)


# -- ranges ---


def resolve(ss: Spreadsheet, text: str) -> tuple[Sheet, Box]:
    """A range string as Sheets reads it: `Sheet!A1:B2`, `A1:B2` (first sheet), `Sheet`, or a named range."""
    title, part = a1.split_sheet(text)
    if title is None:
        named = next((n for n in ss.named_ranges if n["name"] == part), None)
        if named is not None:
            sheet = ss.sheet_by_id(named["range"].get("sheetId", 0))
            if sheet is not None:
                return sheet, Box.from_grid_range(named["range"])
        box = a1.parse_box(part)
        if box is not None and ss.sheets:
            return ss.sheets[0], box
        sheet = ss.sheet_by_title(part)
        if sheet is None:
            raise bad_request(f"Unable to parse range: {text}")
        return sheet, Box()
    sheet = ss.sheet_by_title(title)
    box = Box() if part == "" else a1.parse_box(part)
    if sheet is None or box is None:
        raise bad_request(f"Unable to parse range: {text}")
    return sheet, box


def check_grid(sheet: Sheet, text: str, box: Box) -> None:
    rows, cols = sheet.row_count, sheet.col_count
    over = (box.r0 or 0) >= rows or (box.c0 or 0) >= cols or (box.r1 or 0) > rows or (box.c1 or 0) > cols
    if over:
        raise bad_request(f"Range ({text}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")


def clipped(sheet: Sheet, box: Box) -> tuple[int, int, int, int]:
    return box.clip(sheet.row_count, sheet.col_count)


# -- reading ---


def read_values(
    ss: Spreadsheet,
    sheet: Sheet,
    box: tuple[int, int, int, int],
    value_option: str,
    dt_option: str,
    major: str,
) -> list[list]:
    """Values in the box, trailing empty rows/columns dropped like Sheets does ('' for blanks inside)."""
    r0, c0, r1, c1 = box
    ev = Evaluator(ss)
    found: dict[int, dict[int, object]] = {}
    for r in sorted(r for r in sheet.rows if r0 <= r < r1):
        row = sheet.rows[r]
        vals = {
            c: render(
                cell,
                value_option,
                dt_option,
                ss.locale,
                ev.value_of(sheet, r, c) if cell.kind == "f" and value_option != "FORMULA" else None,
            )
            for c, cell in row.items()
            if c0 <= c < c1 and cell.kind is not None
        }
        if vals:
            found[r] = vals
    if not found:
        return []
    if major == "COLUMNS":
        by_col: dict[int, dict[int, object]] = {}
        for r, vals in found.items():
            for c, v in vals.items():
                by_col.setdefault(c, {})[r] = v
        found = by_col
        first = r0
    else:
        first = c0
    last_key = max(found)
    start_key = c0 if major == "COLUMNS" else r0
    out: list[list] = []
    for k in range(start_key, last_key + 1):
        vals = found.get(k)
        if not vals:
            out.append([])
            continue
        line = [""] * (max(vals) - first + 1)
        for idx, v in vals.items():
            line[idx - first] = v
        out.append(line)
    return out


def value_range(ss: Spreadsheet, text: str, params: dict) -> dict:
    sheet, box = resolve(ss, text)
    check_grid(sheet, text, box)
    r0, c0, r1, c1 = clipped(sheet, box)
    major = choice(params, "majorDimension", ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED"), "ROWS")
    major = "ROWS" if major == "DIMENSION_UNSPECIFIED" else major
    out = {"range": a1.format_box(sheet.title, r0, c0, r1, c1), "majorDimension": major}
    values = read_values(
        ss,
        sheet,
        (r0, c0, r1, c1),
        choice(params, "valueRenderOption", VALUE_RENDER, "FORMATTED_VALUE"),
        choice(params, "dateTimeRenderOption", DATETIME_RENDER, "SERIAL_NUMBER"),
        major,
    )
    if values:
        out["values"] = values
    return out


def values_get(store: Store, email: str, ss_id: str, range_text: str, params: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id)
    return value_range(f.spreadsheet, range_text, params)


def values_batch_get(store: Store, email: str, ss_id: str, params: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id)
    ranges = params.get("ranges") or []
    return {"spreadsheetId": ss_id, "valueRanges": [value_range(f.spreadsheet, r, params) for r in ranges]}


def spreadsheet_json(f: File, ranges: list[str] | None = None, grid: bool = False) -> dict:
    ss = f.spreadsheet
    wanted: dict[int, list[Box]] = {}
    for text in ranges or []:
        sheet, box = resolve(ss, text)
        wanted.setdefault(sheet.id, []).append(box)
    sheets = []
    for sheet in ss.sheets:
        if ranges and sheet.id not in wanted:
            continue
        item: dict = {"properties": json.loads(json.dumps(sheet.props))}
        if grid:
            ev = Evaluator(ss)
            item["data"] = [grid_data(ev, sheet, box) for box in wanted.get(sheet.id, [Box()])]
        if sheet.merges:
            item["merges"] = sheet.merges
        if sheet.conditional:
            item["conditionalFormats"] = sheet.conditional
        if sheet.protected:
            item["protectedRanges"] = sheet.protected
        if sheet.basic_filter:
            item["basicFilter"] = sheet.basic_filter
        item.update(sheet.extra)
        sheets.append(item)
    out = {"spreadsheetId": f.id, "properties": dict(ss.props, title=f.name), "sheets": sheets}
    if ss.named_ranges:
        out["namedRanges"] = ss.named_ranges
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{f.id}/edit"
    return out


def cell_data(ev: Evaluator, sheet: Sheet, r: int, c: int) -> dict:
    cell = sheet.rows[r][c]
    out: dict = {}
    uev = user_entered_value(cell)
    if uev is not None:
        result = ev.value_of(sheet, r, c) if cell.kind == "f" else None
        out["userEnteredValue"] = uev
        out["effectiveValue"] = effective_value(cell, result)
        out["formattedValue"] = render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER", ev.ss.locale, result)
    if cell.fmt:
        out["userEnteredFormat"] = cell.fmt
    if cell.validation:
        out["dataValidation"] = cell.validation
    if cell.note:
        out["note"] = cell.note
    return out


def grid_data(ev: Evaluator, sheet: Sheet, box: Box) -> dict:
    r0, c0, r1, c1 = clipped(sheet, box)
    rows = sorted(r for r in sheet.rows if r0 <= r < r1)
    row_data = []
    if rows:
        for r in range(r0, rows[-1] + 1):
            row = sheet.rows.get(r, {})
            cols = [c for c in row if c0 <= c < c1]
            if not cols:
                row_data.append({})
                continue
            row_data.append(
                {"values": [cell_data(ev, sheet, r, c) if c in row else {} for c in range(c0, max(cols) + 1)]}
            )
    out: dict = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    out["rowData"] = row_data
    out["rowMetadata"] = [sheet.row_meta.get(r, {"pixelSize": 21}) for r in range(r0, r1)]
    out["columnMetadata"] = [sheet.col_meta.get(c, {"pixelSize": 100}) for c in range(c0, c1)]
    return out


def spreadsheets_get(store: Store, email: str, ss_id: str, params: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id)
    fields = one(params, "fields") or ""
    # asking for sheets.data in `fields` includes grid data, as in Sheets
    grid = flag(params, "includeGridData") or re.search(r"(^|[.(/,])data($|[.)/(,])", fields) is not None
    return spreadsheet_json(f, params.get("ranges"), grid)


# -- writing ---


def protected_for(f: File, sheet: Sheet, email: str) -> list[dict]:
    """The protected ranges on `sheet` that `email` may not edit (the owner may edit everything)."""
    if email.lower() == f.owner.lower():
        return []
    out = []
    for p in sheet.protected:
        users = [u.lower() for u in (p.get("editors") or {}).get("users", [])]
        if not p.get("warningOnly") and email.lower() not in users and "range" in p:
            out.append(p)
    return out


def _inside(r: int, c: int, gr: dict) -> bool:
    return gr.get("startRowIndex", 0) <= r < gr.get("endRowIndex", 1 << 30) and gr.get(
        "startColumnIndex", 0
    ) <= c < gr.get("endColumnIndex", 1 << 30)


def check_protected(locked: list[dict], cells) -> None:
    for r, c in cells:
        for p in locked:
            if _inside(r, c, p["range"]) and not any(
                _inside(r, c, u) for u in p.get("unprotectedRanges", [])
            ):
                raise bad_request(PROTECTED_MESSAGE)


def _matrix(vr: dict) -> list[list]:
    values = vr.get("values") or []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise bad_request("Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if isinstance(v, dict | list):
                raise bad_request(
                    f"Invalid values[{i}][{j}]: {'struct_value' if isinstance(v, dict) else 'list_value'}"
                )
    if vr.get("majorDimension") == "COLUMNS":
        height = max((len(col) for col in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(height)]
    return values


class Write:
    """One validated write (range + values); `apply` cannot fail, so a batch is checked first, then
    applied.
    """

    def __init__(
        self,
        f: File,
        text: str,
        vr: dict,
        option: str,
        email: str,
        append: bool = False,
        insert_rows: bool = False,
    ):
        ss = f.spreadsheet
        self.f, self.option, self.locale = f, option, ss.locale
        self.sheet, box = resolve(ss, text)
        self.values = _matrix(vr)
        if "range" in vr and not append:
            other_sheet, other_box = resolve(ss, vr["range"])
            if (other_sheet.id, other_box) != (self.sheet.id, box):
                raise bad_request(
                    f"Requested writing within range [{text}], but tried writing to range [{vr['range']}]"
                )
        self.height = len(self.values)
        self.width = max((len(row) for row in self.values), default=0)
        self.table_range = None
        self.grow_rows = self.grow_cols = 0
        self.insert = append and insert_rows
        if append:
            self._place_append(text, box)
        else:
            self._place_update(text, box)
        locked = protected_for(f, self.sheet, email)
        if locked:
            check_protected(
                locked,
                [
                    (self.r0 + i, self.c0 + j)
                    for i, row in enumerate(self.values)
                    for j, v in enumerate(row)
                    if v is not None
                ],
            )

    def _place_update(self, text: str, box: Box) -> None:
        self.r0, self.c0 = box.r0 or 0, box.c0 or 0
        if box.r1 is not None and box.c1 is not None and box.r1 - self.r0 == 1 and box.c1 - self.c0 == 1:
            box = Box(box.r0, box.c0)  # a single cell is an anchor: the data extends from it, as in Sheets
        if box.r1 is not None and self.height and self.r0 + self.height > box.r1:
            raise bad_request(
                f"Requested writing within range [{text}], but tried writing to row [{box.r1 + 1}]"
            )
        if box.c1 is not None and self.width and self.c0 + self.width > box.c1:
            raise bad_request(
                f"Requested writing within range [{text}], but tried writing to column "
                f"[{a1.col_letters(box.c1)}]"
            )
        if self.height and self.width:
            check_grid(self.sheet, text, Box(self.r0, self.c0, self.r0 + self.height, self.c0 + self.width))

    def _place_append(self, text: str, box: Box) -> None:
        """Below the table found in the range; the grid grows to fit, as Sheets' append does."""
        check_grid(self.sheet, text, box)
        r0, c0, r1, c1 = clipped(self.sheet, box)
        self.r0, self.c0 = self._append_row(r0, c0, r1, c1), c0
        if not self.insert:
            self.grow_rows = max(0, self.r0 + self.height - self.sheet.row_count)
        self.grow_cols = max(0, self.c0 + self.width - self.sheet.col_count)

    def _append_row(self, r0: int, c0: int, r1: int, c1: int) -> int:
        used = [
            r
            for r, row in self.sheet.rows.items()
            if r0 <= r < r1 and any(c0 <= c < c1 and cell.kind is not None for c, cell in row.items())
        ]
        if not used:
            return r0
        first, last = min(used), max(used)
        cols = [
            c
            for r in used
            for c, cell in self.sheet.rows[r].items()
            if c0 <= c < c1 and cell.kind is not None
        ]
        self.table_range = a1.format_box(self.sheet.title, first, c0, last + 1, max(cols) + 1)
        return last + 1

    def apply(self, store: Store) -> dict:
        sheet = self.sheet
        if self.insert:
            shift(self.f.spreadsheet, sheet, True, self.r0, self.height)
        sheet.grid["rowCount"] += self.grow_rows
        sheet.grid["columnCount"] += self.grow_cols
        cells = 0
        for i, row in enumerate(self.values):
            for j, value in enumerate(row):
                if value is None:
                    continue  # null leaves the cell as it is
                set_value(sheet, self.r0 + i, self.c0 + j, value, self.option, self.locale)
                cells += 1
        store.mark_sheet(self.f, sheet)
        out = {"spreadsheetId": self.f.id}
        if self.height and self.width:
            out["updatedRange"] = a1.format_box(
                sheet.title, self.r0, self.c0, self.r0 + self.height, self.c0 + self.width
            )
            out.update(updatedRows=self.height, updatedColumns=self.width, updatedCells=cells)
        return out


def set_value(sheet: Sheet, r: int, c: int, value, option: str, locale: str) -> None:
    kind, parsed, number_format = from_json_value(value, option, locale)
    row = sheet.rows.get(r)
    cell = row.get(c) if row is not None else None
    if kind is None:  # "" clears the value; format and validation stay
        if cell is not None:
            cell.kind = cell.value = None
            sheet.drop_if_empty(r, c)
        return
    if cell is None:
        if row is None:
            row = sheet.rows[r] = {}
        row[c] = Cell(kind, parsed, {"numberFormat": number_format} if number_format else None)
        return
    cell.kind, cell.value = kind, parsed
    if number_format and not (cell.fmt or {}).get("numberFormat"):
        # Typing a date or 12% gives an automatic format, but never overrides one the sheet already set.
        cell.fmt = dict(cell.fmt or {}, numberFormat=number_format)


def shift(ss: Spreadsheet, sheet: Sheet, rows: bool, start: int, count: int) -> None:
    """Insert (`count` > 0) or delete (`count` < 0, the indexes [start, start - count)) rows or columns:
    cells,
    row/column sizes and every range on the sheet (merges, protection, rules, filter, named ranges) follow."""

    def index(i: int) -> int:
        if count > 0:
            return i + count if i >= start else i
        return i + count if i >= start - count else min(i, start)

    moved: dict = {}
    for r, row in sheet.rows.items():
        if rows:
            if count < 0 and start <= r < start - count:
                continue
            moved[index(r)] = row
        else:
            kept = {
                index(c): cell for c, cell in row.items() if not (count < 0 and start <= c < start - count)
            }
            if kept:
                moved[r] = kept
    sheet.rows = moved
    meta = sheet.row_meta if rows else sheet.col_meta
    kept_meta = {index(i): m for i, m in meta.items() if not (count < 0 and start <= i < start - count)}
    meta.clear()
    meta.update(kept_meta)
    lo, hi = ("startRowIndex", "endRowIndex") if rows else ("startColumnIndex", "endColumnIndex")

    def move(gr: dict) -> bool:
        """Shift one GridRange in place; False if it vanished (all of it deleted)."""
        if gr.get("sheetId", 0) != sheet.id:
            return True
        if lo in gr:
            gr[lo] = index(gr[lo])
        if hi in gr:  # a range ending right where rows are inserted does not grow
            gr[hi] = (
                gr[hi] + count if count > 0 and gr[hi] > start else index(gr[hi]) if count < 0 else gr[hi]
            )
        return gr.get(lo, 0) < gr.get(hi, 1 << 30)

    sheet.merges = [m for m in sheet.merges if move(m)]
    kept = []
    for p in sheet.protected:
        if move(p["range"]):
            p["unprotectedRanges"] = [u for u in p.get("unprotectedRanges", []) if move(u)]
            if not p["unprotectedRanges"]:
                del p["unprotectedRanges"]
            kept.append(p)
    sheet.protected = kept
    for rule in sheet.conditional:
        rule["ranges"] = [g for g in rule.get("ranges", []) if move(g)]
    sheet.conditional = [rule for rule in sheet.conditional if rule["ranges"]]
    if sheet.basic_filter and not move(sheet.basic_filter.setdefault("range", {"sheetId": sheet.id})):
        sheet.basic_filter = None
    ss.named_ranges = [n for n in ss.named_ranges if move(n.setdefault("range", {"sheetId": 0}))]
    sheet.grid["rowCount" if rows else "columnCount"] += count


def value_input(params_or_body: dict, from_body: bool = False) -> str:
    option = params_or_body.get("valueInputOption") if from_body else one(params_or_body, "valueInputOption")
    if option is None:
        raise bad_request("'valueInputOption' is required but not specified")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request(
            f"Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4."
            f'ValueInputOption), "{option}"'
        )
    return option


def _with_values(store: Store, f: File, out: dict, params_or_body: dict, from_body: bool = False) -> dict:
    include = (
        params_or_body.get("includeValuesInResponse")
        if from_body
        else flag(params_or_body, "includeValuesInResponse")
    )
    if include and "updatedRange" in out:
        opts = {
            "valueRenderOption": [
                params_or_body.get("responseValueRenderOption")
                if from_body
                else one(params_or_body, "responseValueRenderOption", "FORMATTED_VALUE")
            ],
            "dateTimeRenderOption": [
                params_or_body.get("responseDateTimeRenderOption")
                if from_body
                else one(params_or_body, "responseDateTimeRenderOption", "SERIAL_NUMBER")
            ],
        }
        opts = {
            k: [v[0] or ("FORMATTED_VALUE" if k == "valueRenderOption" else "SERIAL_NUMBER")]
            for k, v in opts.items()
        }
        out["updatedData"] = value_range(f.spreadsheet, out["updatedRange"], opts)
    return out


def values_update(store: Store, email: str, ss_id: str, range_text: str, params: dict, body: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id, write=True)
    write = Write(f, range_text, body, value_input(params), email)
    out = write.apply(store)
    store.touch(f)
    return _with_values(store, f, out, params)


def values_append(store: Store, email: str, ss_id: str, range_text: str, params: dict, body: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id, write=True)
    insert = choice(params, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"), "OVERWRITE") == "INSERT_ROWS"
    write = Write(f, range_text, body, value_input(params), email, append=True, insert_rows=insert)
    updates = _with_values(store, f, write.apply(store), params)
    store.touch(f)
    out = {"spreadsheetId": ss_id}
    if write.table_range:
        out["tableRange"] = write.table_range
    out["updates"] = updates
    return out


def values_batch_update(store: Store, email: str, ss_id: str, body: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id, write=True)
    option = value_input(body, from_body=True)
    writes = []
    for vr in body.get("data") or []:
        if "range" not in vr:
            raise bad_request("Invalid data[0]: Range is required")
        writes.append(Write(f, vr["range"], {k: v for k, v in vr.items() if k != "range"}, option, email))
    responses = [_with_values(store, f, w.apply(store), body, from_body=True) for w in writes]
    if writes:
        store.touch(f)
    updated = [r for r in responses if "updatedRange" in r]
    out = {"spreadsheetId": ss_id}
    if updated:
        out.update(
            totalUpdatedRows=sum(r["updatedRows"] for r in updated),
            totalUpdatedColumns=sum(r["updatedColumns"] for r in updated),
            totalUpdatedCells=sum(r["updatedCells"] for r in updated),
            totalUpdatedSheets=len({w.sheet.id for w in writes if w.height}),
        )
    out["responses"] = responses
    return out


def clear_box(store: Store, f: File, email: str, text: str) -> tuple[Sheet, list, str]:
    sheet, box = resolve(f.spreadsheet, text)
    check_grid(sheet, text, box)
    r0, c0, r1, c1 = clipped(sheet, box)
    targets = [
        (r, c)
        for r, row in sheet.rows.items()
        if r0 <= r < r1
        for c, cell in row.items()
        if c0 <= c < c1 and cell.kind is not None
    ]
    locked = protected_for(f, sheet, email)
    if locked:
        check_protected(locked, targets)
    return sheet, targets, a1.format_box(sheet.title, r0, c0, r1, c1)


def _clear(store: Store, f: File, sheet: Sheet, targets: list) -> None:
    for r, c in targets:
        cell = sheet.rows[r][c]
        cell.kind = cell.value = None  # formats and validation stay, like Sheets' "clear values"
        sheet.drop_if_empty(r, c)
    store.mark_sheet(f, sheet)


def values_clear(store: Store, email: str, ss_id: str, range_text: str) -> dict:
    f = open_spreadsheet(store, email, ss_id, write=True)
    sheet, targets, cleared = clear_box(store, f, email, range_text)
    _clear(store, f, sheet, targets)
    store.touch(f)
    return {"spreadsheetId": ss_id, "clearedRange": cleared}


def values_batch_clear(store: Store, email: str, ss_id: str, body: dict) -> dict:
    f = open_spreadsheet(store, email, ss_id, write=True)
    plans = [clear_box(store, f, email, text) for text in body.get("ranges") or []]
    for sheet, targets, _ in plans:
        _clear(store, f, sheet, targets)
    if plans:
        store.touch(f)
    return {"spreadsheetId": ss_id, "clearedRanges": [p[2] for p in plans]}


def sheets_copy_to(store: Store, email: str, ss_id: str, sheet_id: str, body: dict) -> dict:
    """One sheet into another spreadsheet the caller can edit, as "Copy of <title>" at the end (a new id)."""
    source = open_spreadsheet(store, email, ss_id)
    sheet = source.spreadsheet.sheet_by_id(int(sheet_id)) if sheet_id.lstrip("-").isdigit() else None
    if sheet is None:
        raise not_found()
    target_id = body.get("destinationSpreadsheetId")
    if not target_id:
        raise bad_request("Invalid destinationSpreadsheetId: must not be empty")
    target = open_spreadsheet(store, email, target_id, write=True)
    ss = target.spreadsheet
    title, n = f"Copy of {sheet.title}", 2
    while ss.sheet_by_title(title):
        title, n = f"Copy of {sheet.title} {n}", n + 1
    copy = sheet.copy(store.new_sheet_id(ss), title)
    for p in copy.protected:  # protected ranges belong to a spreadsheet: the copy gets its own ids
        p["protectedRangeId"] = ss.next_protected_id
        ss.next_protected_id += 1
    copy.props["index"] = len(ss.sheets)
    ss.sheets.append(copy)
    store.mark_sheet(target, copy)
    store.touch(target)
    return json.loads(json.dumps(copy.props))


def spreadsheets_create(store: Store, email: str, body: dict, root: str) -> dict:
    title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
    f = create_spreadsheet_file(store, email, title, [root], body)
    store.add_file(f)
    return spreadsheet_json(f, grid=False)
