"""`khet schools update`: bring every existing school sheet to the current template and district settings.

Per school, in order:
1. one `spreadsheets.get` (tab IDs and protected ranges): the sheet's template version is the tag
   `[khet:template:<version>]` on a one-cell protected range of the feedback tab. A sheet already on the current
   version costs nothing more — a second run of the command only reads.
2. one `values:batchGet` of every tab schools type into, whole (to know which cells are empty);
3. a plan (`plan_school`, a pure function): new KPI rows (the district's indicators and this school's targets)
   below the last row used, the header and key of a column the template gained, written into an empty column
   at the right; the profile's fiscal year when it was left empty; every dropdown list re-set (setDataValidation replaces); the header protections and the
   version tag. **A plan writes only into cells that are empty** — what a school typed is never changed, which
   a property test checks over random typed content. A KPI row the school already has (same round and code)
   is left as it is: when the district changes a target mid-year the nightly job counts the district's target
   anyway (the dry run says so).
4. at most two writes: one RAW `values:batchUpdate` (the new cells), then one `spreadsheets.batchUpdate`
   (dropdowns, protections, version tag last). A run stopped between them leaves the old version tag: the next
   run plans again, finds the KPI rows already there, and only finishes the batchUpdate — resumable and
   idempotent by construction.

Writes go through the paced client (`[quota] writes_per_minute`), so a district of 200 schools stays within
Google's quota; `--dry-run` sends only the reads and prints, per school, what would change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter, quote_sheetname

from sync.google_template import (
    input_sheets,
    khet_tags,
    protection_requests,
    validation_requests,
)
from sync.registry import Registry, School
from workbook.schema import SheetDef
from workbook.settings import DistrictSettings
from workbook.sheets import FEEDBACK, KPI, SCHOOL_SHEETS, get_sheet

PROFILE = get_sheet("school_profile")

TAG_VERSION = "khet:template:"


def template_version(settings: DistrictSettings) -> str:
    """A short hash of what a school sheet holds from the template and settings: every tab's columns, every
    dropdown list and the district's KPIs. Targets are per school and do not change a sheet's cells once
    written, so they are not part of it."""
    sheets = [[s.key, [[c.key, c.header_th, list(c.allowed_values())] for c in s.columns]]
              for s in settings.school_sheets()]
    kpis = [[k.code, k.name, k.unit, k.direction] for k in settings.kpis]
    text = json.dumps([sheets, kpis], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class Cell:
    sheet: str  # tab key
    row: int  # 1-based
    col: int  # 1-based
    value: Any

    @property
    def a1(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


@dataclass
class Plan:
    cells: list[Cell] = field(default_factory=list)
    notes_th: list[str] = field(default_factory=list)  # what the dry run prints
    notes_en: list[str] = field(default_factory=list)

    def note(self, th: str, en: str) -> None:
        self.notes_th.append(th)
        self.notes_en.append(en)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell(grid: list[list], r: int, c: int):
    """grid value at 1-based (r, c), None past the end."""
    if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
        return grid[r - 1][c - 1]
    return None


def plan_school(grids: dict[str, list[list]], settings: DistrictSettings, school: School) -> Plan:
    """The cells an update writes into one school's sheet (`grids`: tab key → grid from A1 as read). Only cells
    that are empty in `grids` are ever planned."""
    plan = Plan()
    for sheet in settings.school_sheets():
        if sheet.read_only or sheet.key not in grids:
            continue
        _plan_columns(plan, sheet, grids[sheet.key])
    if KPI.key in grids and settings.kpis:
        _plan_kpis(plan, settings, school, grids[KPI.key])
    if PROFILE.key in grids and settings.fiscal_year:
        _plan_profile_year(plan, settings.fiscal_year, grids[PROFILE.key])
    return plan


def _plan_profile_year(plan: Plan, fiscal_year: int, grid: list[list]) -> None:
    """A profile left without its fiscal year (sheets provisioned before it was pre-filled: a finding every
    night) gets the year of the settings — only into the empty cell of the first data row."""
    keys_row = _keys(grid, PROFILE)
    if "fiscal_year" not in keys_row:
        return
    col = keys_row.index("fiscal_year") + 1
    row = PROFILE.first_data_row
    typed = grid[row - 1] if len(grid) >= row else []
    if _blank(_cell(grid, row, col)) and any(not _blank(v) for v in typed):
        plan.cells.append(Cell(PROFILE.key, row, col, fiscal_year))
        plan.note(f"{PROFILE.title_th}: เติมปีงบประมาณ {fiscal_year} ที่ {get_column_letter(col)}{row}",
                  f"{PROFILE.key}: fiscal year {fiscal_year} filled in at {get_column_letter(col)}{row}")


def _plan_columns(plan: Plan, sheet: SheetDef, grid: list[list]) -> None:
    """A column of the template that the sheet lacks (by its key in row 2) gets its header and key right of
    every column used (anything typed anywhere in the tab counts as used)."""
    keys_row = _keys(grid, sheet)
    free = max((len(r) for r in grid), default=0) + 1
    for col in sheet.columns:
        if col.key in keys_row:
            continue
        plan.cells += [Cell(sheet.key, sheet.header_row, free, col.header_th),
                       Cell(sheet.key, sheet.key_row, free, col.key)]
        plan.note(f"{sheet.title_th}: เพิ่มคอลัมน์ '{col.header_th}' ที่คอลัมน์ {get_column_letter(free)}",
                  f"{sheet.key}: add column '{col.key}' at {get_column_letter(free)}")
        free += 1


def _plan_kpis(plan: Plan, settings: DistrictSettings, school: School, grid: list[list]) -> None:
    keys_row = _keys(grid, KPI)
    pos = {k: keys_row.index(k) + 1 for k in KPI.keys() if k in keys_row}
    if not {"round", "indicator_code"} <= pos.keys():
        plan.note(f"{KPI.title_th}: ไม่พบคอลัมน์รอบ/รหัสตัวชี้วัด จึงไม่เพิ่มแถวตัวชี้วัด",
                  f"{KPI.key}: no round / indicator code column, KPI rows not added")
        return
    have: dict[tuple[str, str], int] = {}
    last = KPI.first_data_row - 1
    for r in range(KPI.first_data_row, len(grid) + 1):
        row = grid[r - 1]
        if any(not _blank(v) for v in row):
            last = r
        rnd, code = _cell(grid, r, pos["round"]), _cell(grid, r, pos["indicator_code"])
        if not _blank(rnd) and not _blank(code):
            have.setdefault((str(rnd).strip(), str(code).strip()), r)
    next_row = last + 1
    for values in settings.kpi_rows(school.code, school.size):
        key = (values["round"], values["indicator_code"])
        if key in have:
            r = have[key]
            typed = _cell(grid, r, pos["target"]) if "target" in pos else None
            if typed is not None and not _blank(typed) and _num(typed) != _num(values["target"]):
                plan.note(f"{KPI.title_th} แถว {r}: เป้าหมายในชีต {typed} เขตกำหนด {values['target']} "
                          "(ไม่แก้เซลล์ งานรายคืนใช้เป้าหมายของเขต)",
                          f"{KPI.key} row {r}: target in the sheet {typed}, district {values['target']} "
                          "(cell left alone; the nightly job counts the district's)")
            continue
        for k, v in values.items():
            if k in pos:
                plan.cells.append(Cell(KPI.key, next_row, pos[k], v))
        plan.note(f"{KPI.title_th}: เพิ่มแถว {next_row} ตัวชี้วัด {key[1]} รอบ {key[0]}",
                  f"{KPI.key}: add row {next_row}, KPI {key[1]} round {key[0]}")
        next_row += 1


def _keys(grid: list[list], sheet: SheetDef) -> list[str]:
    row = grid[sheet.key_row - 1] if len(grid) >= sheet.key_row else []
    return [str(v).strip() if v is not None else "" for v in row]


def _num(v) -> float | None:
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


# --- Google -----------------------------------------------------------------------------------------------

@dataclass
class UpdateOutcome:
    code: str
    name: str
    status: str  # current | updated | would_update | failed | no_sheet
    version_from: str = ""
    notes_th: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    requests: int = 0
    error: str = ""
    spreadsheet_id: str = ""
    template_version: str = ""  # the version the sheet is on afterwards ("" = unknown: failed)


@dataclass
class _Meta:
    ids: dict[str, int]  # tab key -> sheetId
    tags: set[str]  # khet protection tags
    version: str  # "" = never updated (as provisioned)
    version_ranges: list[int]  # protectedRangeIds of version tags


def _metadata(client, sid: str) -> _Meta:
    meta = client.http_client.fetch_sheet_metadata(
        sid, params={"fields": "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description))"})
    by_title = {s.title_th: s.key for s in SCHOOL_SHEETS}
    out = _Meta({}, set(), "", [])
    for sh in meta.get("sheets", []):
        props = sh.get("properties", {})
        key = by_title.get(props.get("title"))
        if key is not None:
            out.ids[key] = props.get("sheetId", 0)
        for pr in sh.get("protectedRanges", []):
            for tag in khet_tags([pr]):
                out.tags.add(tag)
                if tag.startswith(TAG_VERSION):
                    out.version = tag[len(TAG_VERSION):]
                    out.version_ranges.append(pr.get("protectedRangeId"))
    return out


def version_requests(sheet_ids: dict[str, int], version: str, editor: str, replaces=()) -> list[dict]:
    """The version tag as a one-cell protected range on the feedback tab (A1), replacing the older ones
    (`replaces`: their protectedRangeIds) in the same atomic batch. Provisioning tags a new copy with it too."""
    tag = TAG_VERSION + version
    return [{"deleteProtectedRange": {"protectedRangeId": i}} for i in replaces] + [
        {"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet_ids[FEEDBACK.key], "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0,
                  "endColumnIndex": 1},
        "description": f"รุ่นแม่แบบ Khet / Khet template version [{tag}]", "warningOnly": True,
        "editors": {"users": [editor]}}}}]


def update_school(client, school: School, settings: DistrictSettings, version: str, editor: str, *,
                  dry_run: bool) -> UpdateOutcome:
    sid = school.spreadsheet_id
    out = UpdateOutcome(school.code, school.name, "current", spreadsheet_id=sid)
    meta = _metadata(client, sid)
    current = meta.version
    out.requests, out.version_from, out.template_version = 1, current, current
    if current == version:
        return out
    if FEEDBACK.key not in meta.ids:
        raise ValueError(f"no tab {FEEDBACK.title_th}")
    sheets = [s for s in settings.school_sheets() if s.key in meta.ids]
    wanted = [s for s in input_sheets() if s.key in meta.ids]
    ranges = [f"{quote_sheetname(s.title_th)}!A1:{get_column_letter(s.grid_width())}" for s in wanted]
    data = client.http_client.values_batch_get(sid, ranges, params={"valueRenderOption": "UNFORMATTED_VALUE"})
    out.requests += 1
    grids = {s.key: vr.get("values", []) for s, vr in zip(wanted, data.get("valueRanges", []), strict=False)}
    plan = plan_school(grids, settings, school)
    out.notes_th, out.notes_en = plan.notes_th, plan.notes_en
    out.notes_th.append(f"ตั้งรายการตัวเลือกใหม่ และรุ่นแม่แบบ {current or '(ไม่มี)'} → {version}")
    out.notes_en.append(f"dropdown lists re-set, template version {current or '(none)'} → {version}")
    if dry_run:
        out.status = "would_update"
        return out
    if plan.cells:
        titles = {s.key: s.title_th for s in SCHOOL_SHEETS}
        client.http_client.values_batch_update(sid, body={"valueInputOption": "RAW", "data": [
            {"range": f"{quote_sheetname(titles[c.sheet])}!{c.a1}", "values": [[c.value]]} for c in plan.cells]})
        out.requests += 1
    reqs = protection_requests(meta.ids, [editor], meta.tags) + validation_requests(meta.ids, sheets)
    client.http_client.batch_update(sid, {"requests": reqs + version_requests(meta.ids, version, editor, meta.version_ranges)})
    out.requests += 1
    out.status, out.template_version = "updated", version
    return out


def record_in_history(history_db, outcomes) -> int:
    """record_versions into the history database at `history_db` (a command's own, short connection)."""
    from sync.history import History

    with History(history_db) as h:
        return record_versions(h, outcomes)


def record_versions(history, outcomes) -> int:
    """Record in the history the template version each sheet is now on (provisioning's and update's outcomes),
    where the history does not already say so; returns how many were recorded. The summary lists them."""
    known = history.template_versions()
    actions = {"created": "provision", "resumed": "provision", "updated": "update"}
    n = 0
    for o in outcomes:
        version, sid = getattr(o, "template_version", ""), getattr(o, "spreadsheet_id", "")
        had = known.get(sid)
        if not version or not sid or (had and had["version"] == version):
            continue
        history.record_template_version(o.code, sid, version, previous=getattr(o, "version_from", ""),
                                        action=actions.get(o.status, "seen"))
        n += 1
    return n


def update_schools(client, registry: Registry, settings: DistrictSettings, *, dry_run: bool = False,
                   on_school=None) -> list[UpdateOutcome]:
    """Every active school with a sheet, one at a time; a school that fails is reported and the rest go on."""
    from sync.provision import _error_reason, _service_account

    version = template_version(settings)
    editor = _service_account(client)
    outcomes = []
    for school in registry.active():
        if not school.spreadsheet_id:
            outcomes.append(UpdateOutcome(school.code, school.name, "no_sheet"))
            continue
        try:
            o = update_school(client, school, settings, version, editor, dry_run=dry_run)
        except Exception as exc:  # noqa: BLE001 - one school's sheet never stops the others
            _, th, en = _error_reason(exc)
            o = UpdateOutcome(school.code, school.name, "failed", error=f"{th} / {en}")
        outcomes.append(o)
        if on_school:
            on_school(o)
    return outcomes



TEMPLATE_STATE_TH = {"current": "ปัจจุบัน", "older": "รุ่นเก่า (khet schools update)",
                     "unknown": "ไม่ทราบ (ยังไม่ได้บันทึก: khet schools update)"}


def with_template_versions(reads, registry: Registry, versions: dict[str, dict], current: str):
    """The nightly reads frame with the template version each school's sheet is on (the history's
    template_versions, by spreadsheet: provisioning, `khet schools update` and `khet year open` record it) and
    whether it is the current settings' version — the summary's reads tab lists them, so staff see which
    schools still need `khet schools update`."""
    sid = {s.code: s.spreadsheet_id for s in registry.active()}
    got = [versions.get(sid.get(code) or "", {}).get("version", "") for code in reads["school_code"]]
    state = ["" if not sid.get(code) else "current" if v == current else "older" if v else "unknown"
             for code, v in zip(reads["school_code"], got, strict=True)]
    return reads.assign(template_version=got, template_state_th=[TEMPLATE_STATE_TH.get(x, "") for x in state])
