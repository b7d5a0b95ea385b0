"""The control tabs on Google (`workbook/control.py`): set up, read in one request, answered, appended to.

Request counts, by design:
- the host's poll is ONE ``values:batchGet`` over every requests tab (plus, only when a tab went missing, one
  metadata read and the batchUpdate that recreates it);
- the host's answer is ONE ``values:batchUpdate`` (outcome cells of every row answered, and the status tab),
  sent only when there is something to say;
- a staff PC's request is ONE ``values:append``; its pull is ONE ``values:batchGet``.
All values go RAW: text typed by staff (or by a school, quoted in an outcome) never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter, quote_sheetname

from sync.gclient import drive_url
from workbook.control import (
    HOST_STATUS,
    OUTCOME_COLUMNS,
    REQUESTS,
    STAFF_COLUMNS,
    STATUS_ITEMS,
    account_of_title,
    requests_title,
)

FIRST_ROW = REQUESTS.first_data_row
LAST_COL = get_column_letter(len(REQUESTS.columns))
OUTCOME_FIRST_COL = get_column_letter(REQUESTS.keys().index(OUTCOME_COLUMNS[0]) + 1)
TAG = "[khet:control:{}]"  # protected-range description: a second setup never protects twice
WRITER_ROLES = ("owner", "organizer", "fileOrganizer", "writer")


def requests_range(title: str) -> str:
    return f"{quote_sheetname(title)}!A{FIRST_ROW}:{LAST_COL}"


def status_range() -> str:
    return f"{quote_sheetname(HOST_STATUS.title_th)}!A1:C{HOST_STATUS.first_data_row + len(STATUS_ITEMS)}"


@dataclass(frozen=True)
class RequestRow:
    """One row of a requests tab as read: the values by key, where it is."""

    tab: str
    account: str          # whose tab it is
    row: int              # 1-based sheet row
    values: dict[str, Any]

    def get(self, key: str) -> str:
        v = self.values.get(key)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()

    @property
    def blank(self) -> bool:
        return not any(self.get(k) for k in STAFF_COLUMNS)


def rows_of(title: str, grid: list[list[Any]]) -> list[RequestRow]:
    account = account_of_title(title) or ""
    keys = REQUESTS.keys()
    out = []
    for i, raw in enumerate(grid):
        row = RequestRow(title, account, FIRST_ROW + i, dict(zip(keys, list(raw) + [""] * len(keys), strict=False)))
        if not row.blank or any(row.get(k) for k in OUTCOME_COLUMNS):
            out.append(row)
    return out


# --- the host side ---------------------------------------------------------------------------------------------

def sheet_titles(client, spreadsheet_id: str) -> dict[str, dict]:
    """Tab title -> properties and protected ranges (one spreadsheets.get)."""
    meta = client.http_client.fetch_sheet_metadata(
        spreadsheet_id, params={"fields": "sheets(properties(sheetId,title),protectedRanges)"})
    return {s["properties"]["title"]: s for s in meta.get("sheets", [])}


def staff_accounts(client, spreadsheet_id: str, *, exclude: set[str]) -> tuple[list[str], list[str]]:
    """(staff accounts, refused accounts) from the district sheet's sharing: every person it is shared with as
    an editor is staff, except service accounts and the schools' contact accounts (`exclude`) — a school
    given edit rights by mistake still cannot make requests. One Drive permissions.list."""
    perms = client.http_client.request(
        "get", drive_url(f"files/{spreadsheet_id}/permissions"),
        params={"fields": "permissions(id,type,role,emailAddress)", "supportsAllDrives": True}).json()
    staff, refused = [], []
    for p in perms.get("permissions", []):
        email = (p.get("emailAddress") or "").strip().lower()
        if p.get("type") != "user" or p.get("role") not in WRITER_ROLES or not email:
            continue
        if email.endswith(".gserviceaccount.com"):
            continue
        (refused if email in exclude else staff).append(email)
    return sorted(set(staff)), sorted(set(refused))


def ensure_tabs(client, spreadsheet_id: str, accounts: list[str], host_account: str,
                titles: dict[str, dict] | None = None) -> list[str]:
    """Make the status tab and one requests tab per staff account where missing, each protected (requests:
    that account and the host; status: the host only). Returns the titles created. Two requests when
    something is missing (addSheet, then headers + protections), one metadata read when `titles` is None."""
    titles = sheet_titles(client, spreadsheet_id) if titles is None else titles
    http = client.http_client
    wanted = {HOST_STATUS.title_th: [host_account]}
    wanted.update({requests_title(a): [a, host_account] for a in accounts})
    missing = [t for t in wanted if t not in titles]
    if missing:
        replies = http.batch_update(spreadsheet_id, {"requests": [
            {"addSheet": {"properties": {"title": t, "gridProperties": {
                "rowCount": 1000, "columnCount": len(REQUESTS.columns), "frozenRowCount": 2}}}}
            for t in missing]})["replies"]
        for t, r in zip(missing, replies, strict=True):
            titles[t] = {"properties": r["addSheet"]["properties"], "protectedRanges": []}
    protect, data = [], []
    for title, editors in wanted.items():
        sheet = titles[title]
        tag = TAG.format(title)
        if not any((p.get("description") or "").startswith(tag) for p in sheet.get("protectedRanges") or []):
            protect.append({"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": sheet["properties"]["sheetId"]}, "description": f"{tag} Khet",
                "editors": {"users": sorted(set(editors))}}}})
        if title in missing:
            definition = HOST_STATUS if title == HOST_STATUS.title_th else REQUESTS
            data.append({"range": f"{quote_sheetname(title)}!A1", "values": definition.grid_header()})
    if data:
        http.values_batch_update(spreadsheet_id, {"valueInputOption": "RAW", "data": data})
    if protect:
        http.batch_update(spreadsheet_id, {"requests": protect})
    return missing


def read_requests(client, spreadsheet_id: str, titles: list[str]) -> dict[str, list[RequestRow]]:
    """Every row of the given requests tabs: ONE values:batchGet."""
    if not titles:
        return {}
    got = client.http_client.values_batch_get(
        spreadsheet_id, [requests_range(t) for t in titles],
        params={"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS"})
    return {t: rows_of(t, vr.get("values") or []) for t, vr in zip(titles, got.get("valueRanges", []), strict=True)}


def outcome_cells(row: RequestRow, status: str, th: str, en: str, result: Any, handled_at: str,
                  request_id: str) -> dict:
    values = {"status": status, "outcome_th": th, "outcome_en": en,
              "result": "" if result is None else json.dumps(result, ensure_ascii=False, default=str),
              "handled_at": handled_at, "handled_id": request_id}
    last = get_column_letter(len(REQUESTS.columns))
    return {"range": f"{quote_sheetname(row.tab)}!{OUTCOME_FIRST_COL}{row.row}:{last}{row.row}",
            "values": [[values[k] for k in OUTCOME_COLUMNS]]}


def status_cells(status: dict[str, Any]) -> dict:
    rows = HOST_STATUS.grid_header() + [[k, STATUS_ITEMS[k], "" if status.get(k) is None else str(status[k])]
                                        for k in STATUS_ITEMS]
    return {"range": status_range(), "values": rows}


def write_answers(client, spreadsheet_id: str, cells: list[dict]) -> int:
    """ONE values:batchUpdate with every outcome (and the status tab); returns requests sent."""
    if not cells:
        return 0
    client.http_client.values_batch_update(spreadsheet_id, {"valueInputOption": "RAW", "data": cells})
    return 1


# --- the staff side --------------------------------------------------------------------------------------------

def append_request(client, spreadsheet_id: str, account: str, values: dict[str, Any]) -> None:
    """The staff PC's request: ONE values:append below the last row of its own tab (RAW)."""
    title = requests_title(account)
    row = [values.get(k, "") for k in STAFF_COLUMNS]
    client.http_client.values_append(
        spreadsheet_id, f"{quote_sheetname(title)}!A1:{LAST_COL}",
        params={"valueInputOption": "RAW", "insertDataOption": "OVERWRITE"}, body={"values": [row]})


def read_tabs(client, spreadsheet_id: str, ranges: list[str]) -> list[list[list[Any]]]:
    """Several tabs' grids in ONE values:batchGet (a staff PC's pull)."""
    got = client.http_client.values_batch_get(
        spreadsheet_id, ranges, params={"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS"})
    return [vr.get("values") or [] for vr in got.get("valueRanges", [])]


def parse_status(grid: list[list[Any]]) -> dict[str, str]:
    out = {}
    for row in grid[HOST_STATUS.first_data_row - 1:]:
        if row and str(row[0]).strip() in STATUS_ITEMS:
            out[str(row[0]).strip()] = str(row[2]).strip() if len(row) > 2 else ""
    return out


def now_iso(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
