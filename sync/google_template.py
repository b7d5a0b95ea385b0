"""The school template spreadsheet in Google, built from the sheet definitions, and the per-school setup requests.

`create_template` makes one spreadsheet with every school tab (Thai title, Thai headers on row 1, the English
keys on hidden row 2, frozen header, column widths and number formats from the definitions). Provisioning copies
it for each school and then applies `school_setup_requests` to the copy: header rows protected, the feedback
tab protected whole, and dropdowns for every choice and yes/no column — in ONE atomic batchUpdate.

Decisions:
- Protections name only the service account as editor (the owner can always edit): schools edit data rows,
  never headers or the district's feedback tab. They are tagged `[khet:…]` in their description so a resumed
  provisioning can see they exist and never adds them twice; their one list is `sync.protections`, which the
  nightly job also restores from when a school removed or loosened one.
- Dropdowns are strict (a value outside the list is refused by Sheets) for choice and yes/no columns only.
  Dates and numbers get no Sheets validation: schools legitimately type Thai dates (`14 ก.พ. 66`) and `75%`,
  which Khet's own validation accepts and Sheets would refuse.
- Every tab is at least 26 columns wide (A–Z, `SheetDef.grid_width`): room for columns a school adds. The
  nightly read asks for each tab by its title (its whole used area), so it reads whatever width a tab has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.gclient import drive_url, list_files
from sync.protections import TAG_HEADER, TAG_READONLY, khet_tags, school_protections  # noqa: F401 - re-exported
from workbook.schema import ColType
from workbook.sheets import SCHOOL_SHEETS, SheetDef
from workbook.templates import data_rows

TEMPLATE_NAME = "แม่แบบชีตโรงเรียน (Khet school template)"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
PIXELS_PER_CHAR = 7  # Excel width (characters) → Sheets pixels, close enough for Thai text at 10pt


def input_sheets() -> tuple[SheetDef, ...]:
    """The tabs schools type into (what the nightly read fetches): every school tab except read-only ones."""
    return tuple(s for s in SCHOOL_SHEETS if not s.read_only)


def grid_size(sheet: SheetDef) -> tuple[int, int]:
    return data_rows(sheet) + sheet.first_data_row - 1, sheet.grid_width()


def _grid_range(sheet_id: int, r0: int | None = None, r1: int | None = None, c0: int | None = None,
                c1: int | None = None) -> dict[str, int]:
    out = {"sheetId": sheet_id}
    for name, value in (("startRowIndex", r0), ("endRowIndex", r1), ("startColumnIndex", c0),
                        ("endColumnIndex", c1)):
        if value is not None:
            out[name] = value
    return out


def layout_requests(sheet_ids: dict[str, int]) -> list[dict[str, Any]]:
    """Freeze and format every tab; hide the key row (the machine anchor schools need not see)."""
    reqs: list[dict[str, Any]] = []
    for sheet in SCHOOL_SHEETS:
        sid = sheet_ids[sheet.key]
        reqs.append({"updateSheetProperties": {
            "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": sheet.key_row}},
            "fields": "gridProperties.frozenRowCount"}})
        reqs.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "ROWS", "startIndex": sheet.key_row - 1,
                      "endIndex": sheet.key_row},
            "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})
        reqs.append({"repeatCell": {
            "range": _grid_range(sid, sheet.header_row - 1, sheet.header_row, 0, len(sheet.columns)),
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}, "wrapStrategy": "WRAP"}},
            "fields": "userEnteredFormat(textFormat,wrapStrategy)"}})
        rows, _ = grid_size(sheet)
        for i, col in enumerate(sheet.columns):
            reqs.append({"updateDimensionProperties": {
                "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": i, "endIndex": i + 1},
                "properties": {"pixelSize": int(col.excel_width * PIXELS_PER_CHAR)}, "fields": "pixelSize"}})
            kind = "DATE" if col.type is ColType.DATE else "TEXT" if col.number_format == "@" else "NUMBER"
            pattern = "d mmm yyyy" if kind == "DATE" else col.number_format
            reqs.append({"repeatCell": {
                "range": _grid_range(sid, sheet.first_data_row - 1, rows, i, i + 1),
                "cell": {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}}},
                "fields": "userEnteredFormat.numberFormat"}})
    return reqs


def protection_requests(sheet_ids: dict[str, int], editors: list[str],
                        existing: set[str] = frozenset()) -> list[dict[str, Any]]:
    """Protect each tab's header rows and the whole of every read-only tab (sync.protections: the one list the
    nightly repair restores from too); skip tags already present."""
    return [p.add_request(editors) for p in school_protections(sheet_ids) if p.tag not in existing]


def validation_requests(sheet_ids: dict[str, int], sheets: Sequence[SheetDef] | None = None) -> list[dict[str, Any]]:
    """Strict dropdowns for every choice / yes-no column of the tabs schools type into (`sheets`: as the
    district's settings have them, e.g. its own strategy names)."""
    reqs = []
    for sheet in (s for s in sheets or input_sheets() if not s.read_only):
        rows, _ = grid_size(sheet)
        for i, col in enumerate(sheet.columns):
            values = col.allowed_values()
            if col.computed or col.type not in (ColType.CHOICE, ColType.YESNO) or not values:
                continue
            rule: dict[str, Any] = {
                "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]},
                "strict": True, "showCustomUi": True}
            if col.help_th:
                rule["inputMessage"] = col.help_th
            reqs.append({"setDataValidation": {
                "range": _grid_range(sheet_ids[sheet.key], sheet.first_data_row - 1, rows, i, i + 1),
                "rule": rule}})
    return reqs


def school_setup_requests(sheet_ids: dict[str, int], editors: list[str],
                          existing_tags: set[str] = frozenset(),
                          sheets: Sequence[SheetDef] | None = None) -> list[dict[str, Any]]:
    """Everything provisioning does to one school's copy, for a single batchUpdate.

    Dropdowns are re-set even on a resumed copy: setDataValidation replaces, it never duplicates.
    """
    return protection_requests(sheet_ids, editors, existing_tags) + validation_requests(sheet_ids, sheets)


def sheet_metadata(client, spreadsheet_id: str) -> tuple[dict[str, int], set[str]]:
    """(tab key → sheetId, khet protection tags) of a spreadsheet, in one read.

    Tabs are matched by Thai title; a tab a school renamed is simply absent from the map.
    """
    meta = client.http_client.fetch_sheet_metadata(
        spreadsheet_id, params={"fields": "sheets(properties(sheetId,title),protectedRanges(description))"})
    by_title = {s.title_th: s.key for s in SCHOOL_SHEETS}
    ids: dict[str, int] = {}
    tags: set[str] = set()
    for sh in meta.get("sheets", []):
        props = sh.get("properties", {})
        key = by_title.get(props.get("title"))
        if key is not None:
            ids[key] = props.get("sheetId", 0)
        tags |= khet_tags(sh.get("protectedRanges", []))
    return ids, tags


def drive_literal(text: str) -> str:
    """A Drive query string literal: quotes and backslashes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def find_in_folder(client, folder_id: str | None, name: str) -> list[dict]:
    """Spreadsheets called exactly `name` (not trashed) in the folder, oldest first."""
    q = f"name = {drive_literal(name)} and mimeType = '{SPREADSHEET_MIME}' and trashed = false"
    if folder_id:
        q += f" and {drive_literal(folder_id)} in parents"
    return list(list_files(client, q, "id,name,createdTime", order_by="createdTime"))


def create_template(client, folder_id: str | None = None, name: str = TEMPLATE_NAME) -> str:
    """Create the template spreadsheet in the folder; returns its ID (5 requests whatever the tab count)."""
    r = client.http_client.request("post", drive_url("files"), params={"supportsAllDrives": True},
                                   json={"name": name, "mimeType": SPREADSHEET_MIME,
                                         **({"parents": [folder_id]} if folder_id else {})})
    sid = r.json()["id"]
    first = client.http_client.fetch_sheet_metadata(sid, params={"fields": "sheets.properties.sheetId"})
    default_sheet = first["sheets"][0]["properties"]["sheetId"]
    # Fixed sheet IDs (1001, 1002 …): every copy has the same IDs, which makes logs and support easier.
    ids = {s.key: 1001 + i for i, s in enumerate(SCHOOL_SHEETS)}
    reqs: list[dict[str, Any]] = []
    for i, sheet in enumerate(SCHOOL_SHEETS):
        rows, cols = grid_size(sheet)
        reqs.append({"addSheet": {"properties": {
            "sheetId": ids[sheet.key], "title": sheet.title_th, "index": i,
            "gridProperties": {"rowCount": rows, "columnCount": cols}}}})
    reqs.append({"deleteSheet": {"sheetId": default_sheet}})
    reqs.append({"updateSpreadsheetProperties": {"properties": {"title": name, "locale": "th_TH",
                                                                "timeZone": "Asia/Bangkok"},
                                                 "fields": "title,locale,timeZone"}})
    client.http_client.batch_update(sid, {"requests": reqs + layout_requests(ids)})
    client.http_client.values_batch_update(sid, body={"valueInputOption": "RAW", "data": [
        {"range": f"'{s.title_th}'!A1", "values": s.grid_header()} for s in SCHOOL_SHEETS]})
    return sid


def ensure_template(client, folder_id: str | None, template_id: str | None = None) -> tuple[str, bool]:
    """(template ID, created?) — the configured one, else the one already in the folder, else a new one."""
    if template_id:
        return template_id, False
    found = find_in_folder(client, folder_id, TEMPLATE_NAME)
    if found:
        return found[0]["id"], False
    return create_template(client, folder_id), True
