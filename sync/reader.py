"""The nightly read: find which school spreadsheets changed, read each with ONE request, validate, never abort.

- `list_spreadsheets` asks Drive once per ≤1,000 files for the folder's spreadsheets (every one, every night).
- `read_school` reads every input tab of one school with a single `values:batchGet` (UNFORMATTED_VALUE +
  SERIAL_NUMBER), maps each returned range to its sheet definition, validates it, and classifies failures:
  not_shared (403), deleted (404 / trashed), tab_missing (a tab renamed or deleted), quota (429 after the
  client's retries), server / timeout / connection, columns_changed (required columns gone), auth (key refused).
- `read_all` puts it together for the registry: reads the schools whose Drive modifiedTime differs from the
  data held (plus schools never read and schools that failed last time), and reports every school's outcome
  in the history's vocabulary (read / unchanged / failed / not_provisioned). A failing school keeps its last
  good data; the run never stops for one school.

Decisions where the issue is silent:
- Each tab is asked for by its title alone (`SheetDef.a1_range`): Sheets answers with the whole used area
  however wide, so a required column pushed past Z by inserted columns is read, and a narrowed grid is never
  asked beyond its limits.
- A tab that cannot be found ("Unable to parse range") costs the school two more requests, never more:
  ONE spreadsheets.get for the tab titles, then ONE batchGet of the tabs present plus any unknown tab. An
  unknown tab whose hidden key row (row 2) carries a missing tab's keys is that tab renamed: it is read and
  used (with a warning), so a school that renamed a tab loses nothing. Truly missing tabs keep their last
  good data. A school with every tab in place costs exactly one read.
- A tab whose header lost a required column or its header rows (header.missing_column / header.not_found),
  reason columns_changed: when the district holds a usable earlier version of the tab, that stays in use
  (tonight's rows are counted in the message, not used: a broken header must not wipe out what was sent);
  when it holds none (a first read, or only broken versions), tonight's grid IS used, every row rejected at
  the header finding — rows are never neither clean nor rejected. Each message names the tab and says which
  of the two happened; a tab missing on a first read says there is no data of it at all (`settle_tabs`).
  Columns merely moved or renamed to an accepted alias read fine (the validator matches headers by name and
  by the hidden key row).
- Discovery lists EVERY spreadsheet of the folder each night (one request per 1,000 files: the same one
  request for a district of 200 schools) and skips files whose modifiedTime equals the one of the data already
  held. Listing only what changed since the last run would make "nothing listed" look like "nothing changed":
  a wrong folder, or a sheet that was unshared, moved or deleted, would pass for a quiet night. A provisioned
  school whose file the list omits is asked about with one `files.get`: in the trash → deleted; visible but
  outside the folder → moved (read anyway, with a warning); not visible at all → not_visible (deleted, or no
  longer shared with the district account: Drive answers 404 to both). Trashed files are listed too (and
  reported as deleted, without a read). `full=True` reads every school whatever its modifiedTime.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError

from sync.gclient import get_file, list_files
from sync.google_template import SPREADSHEET_MIME, drive_literal, input_sheets
from sync.history import iso, parse_iso
from sync.http import RequestFailed
from sync.registry import Registry, School
from workbook.sheets import FEEDBACK, SheetDef

READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
LIST_FIELDS = "id,name,modifiedTime,createdTime,trashed"
# Header findings that make a tab unusable (the rest of a tab's findings are row-level and reported as such).
BLOCKING_HEADER_CODES = ("header.missing_column", "header.not_found")

REASONS: dict[str, tuple[str, str]] = {
    "not_shared": ("ชีตไม่ได้แชร์ให้บัญชีของเขตแล้ว ขอให้โรงเรียนแชร์กลับ (สิทธิ์ผู้แก้ไข)",
                   "the sheet is no longer shared with the district account; ask the school to share it back"),
    "deleted": ("ไม่พบชีต (ถูกลบหรืออยู่ในถังขยะ)", "the spreadsheet was deleted or is in the trash"),
    "tab_missing": ("แท็บถูกเปลี่ยนชื่อหรือลบ: {detail}", "tab renamed or deleted: {detail}"),
    # The two endings of a tab-level problem (settle_tabs): the tab's earlier data in use, or none held.
    "kept": ("ใช้ข้อมูลชุดเดิมของแท็บนี้แทน", "the tab's previous data stays in use"),
    "kept_rows": ("ใช้ข้อมูลชุดเดิมของแท็บนี้แทน ({detail} แถวของคืนนี้ยังไม่ได้นำไปใช้)",
                  "the tab's previous data stays in use ({detail} rows tonight not used)"),
    "no_previous": ("ยังไม่มีข้อมูลชุดเดิมของแท็บนี้ เขตจึงยังไม่มีข้อมูลของแท็บนี้เลย",
                    "there is no previous data of this tab, so the district has none of it"),
    "no_previous_rows": ("ยังไม่มีข้อมูลชุดเดิม ทุกแถวของแท็บนี้ ({detail} แถว) ไม่ผ่านจนกว่าจะแก้หัวตาราง",
                         "there is no previous data: all {detail} rows of the tab are rejected until the header "
                         "is fixed"),
    "tab_renamed": ("แท็บถูกเปลี่ยนชื่อ อ่านได้ แต่ควรเปลี่ยนกลับ: {detail}",
                    "tab renamed; read anyway, please rename it back: {detail}"),
    "not_visible": ("บัญชีของเขตมองไม่เห็นชีตนี้แล้ว (ถูกลบ หรือเลิกแชร์) ขอให้โรงเรียนตรวจในถังขยะและแชร์กลับ (สิทธิ์ผู้แก้ไข)",
                    "the district account can no longer see this sheet (deleted, or no longer shared); ask the "
                    "school to check its trash and share it back (editor)"),
    "moved": ("ชีตถูกย้ายออกจากโฟลเดอร์ของเขต อ่านได้ แต่ขอให้ย้ายกลับ", "the sheet was moved out of the district "
              "folder; read anyway, please move it back"),
    "columns_changed": ("หัวตารางของแท็บ {detail} ใช้ไม่ได้ (คอลัมน์ที่ต้องกรอกหายไป หรือแถวหัวตารางถูกลบ)",
                        "tab {detail}: required columns are gone or the header rows were deleted"),
    "quota": ("เกินโควตาของ Google ลองใหม่คืนถัดไป", "Google quota exceeded; retried next night"),
    "server": ("Google ขัดข้อง ลองใหม่คืนถัดไป", "Google server error; retried next night"),
    "rate_limit": ("Google จำกัดอัตรา ลองใหม่คืนถัดไป", "Google rate limit; retried next night"),
    "timeout": ("Google ไม่ตอบภายในเวลา ลองใหม่คืนถัดไป", "Google did not answer in time; retried next night"),
    "connection": ("การเชื่อมต่อขาด ลองใหม่คืนถัดไป", "connection dropped; retried next night"),
    "auth": ("กุญแจบัญชีบริการถูกปฏิเสธ (ถูกเพิกถอน?) ตรวจด้วย khet config check",
             "the service-account key was refused (revoked?); see khet config check"),
    "error": ("อ่านไม่ได้: {detail}", "cannot read: {detail}"),
}


def reason_text(reason: str, detail: str = "") -> tuple[str, str]:
    th, en = REASONS.get(reason, REASONS["error"])
    return th.format(detail=detail), en.format(detail=detail)


# --- Drive discovery ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DriveFile:
    id: str
    name: str
    modified_time: str  # RFC 3339 exactly as Drive sent it: compared as text with what the state holds
    created_time: str = ""
    trashed: bool = False

    @property
    def modified(self) -> datetime:
        return parse_iso(self.modified_time)


def list_spreadsheets(client, folder_id: str | None, *, since: datetime | None = None,
                      include_trashed: bool = True) -> list[DriveFile]:
    """Spreadsheets directly in the folder (all visible ones when folder_id is None): one request per 1,000."""
    q = [f"mimeType = '{SPREADSHEET_MIME}'"]
    if folder_id:
        q.append(f"{drive_literal(folder_id)} in parents")
    if since is not None:
        q.append(f"modifiedTime > '{iso(since)}'")  # RFC 3339, as Drive wants
    if not include_trashed:
        q.append("trashed = false")
    return [DriveFile(f["id"], f.get("name", ""), f.get("modifiedTime", ""), f.get("createdTime", ""),
                      bool(f.get("trashed", False)))
            for f in list_files(client, " and ".join(q), LIST_FIELDS)]


def check_unlisted(client, schools: Sequence[School], files: dict[str, DriveFile],
                   folder_id: str | None) -> tuple[dict[str, SchoolOutcome], set[str]]:
    """Provisioned schools whose file the folder's list omits, each asked about once (`files.get`): those still
    visible join `files` (trashed ones then read as deleted); returns (code → failed outcome for files no longer
    visible, codes of files moved out of the folder)."""
    unseen: dict[str, SchoolOutcome] = {}
    moved: set[str] = set()
    for s in schools:
        if s.spreadsheet_id in files:
            continue
        try:
            meta = get_file(client, s.spreadsheet_id, "id,name,modifiedTime,createdTime,trashed,parents")
        except APIError as exc:
            if isinstance(exc, RequestFailed) or exc.response.status_code not in (403, 404):
                raise
            th, en = reason_text("not_visible")
            unseen[s.code] = SchoolOutcome(s, "failed", "not_visible", th, en)
            continue
        files[s.spreadsheet_id] = DriveFile(meta["id"], meta.get("name", ""), meta.get("modifiedTime", ""),
                                            meta.get("createdTime", ""), bool(meta.get("trashed", False)))
        if folder_id and folder_id not in (meta.get("parents") or []) and not meta.get("trashed"):
            moved.add(s.code)
    return unseen, moved


# --- one school ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadProblem:
    reason: str
    sheet_key: str | None
    detail: str
    message_th: str
    message_en: str
    title: str = ""            # the tab's title as found ("" when the problem is not one tab's)
    columns: str = ""          # the required columns a broken header lost, as the template names them
    rows: int = 0              # non-blank rows under a broken header tonight
    previous: bool | None = None  # a tab-level problem: the tab's earlier data in use (True) or none (False)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _problem(reason: str, sheet_key: str | None = None, detail: str = "", **extra) -> ReadProblem:
    th, en = reason_text(reason, detail)
    return ReadProblem(reason, sheet_key, detail, th, en, **extra)


# Tab-level problems (a tab tonight's read could not use), and whether settle_tabs gives them an ending.
TAB_PROBLEMS = ("columns_changed", "tab_missing")


def settle_tabs(read: SchoolRead, last_good: dict[str, list[list[Any]]]) -> None:
    """Finish the tab-level problems of one school once its held data is known (see the module doc): a broken
    header with no usable earlier version of the tab → tonight's grid is used (every row rejected at the header
    finding); each problem's message then says whether the tab's earlier data is in use or there is none."""
    usable_before = {k for k, g in last_good.items() if not _blocking(k, g)}
    settled = []
    for p in read.problems:
        if p.reason not in TAB_PROBLEMS or p.previous is not None:
            settled.append(p)
            continue
        previous = p.sheet_key in usable_before
        if p.reason == "columns_changed" and not previous and p.sheet_key in read.blocked:
            grid, title = read.blocked.pop(p.sheet_key)
            read.tabs[p.sheet_key], read.titles[p.sheet_key] = grid, title
        ending = ("kept" if previous else "no_previous") + ("_rows" if p.reason == "columns_changed" else "")
        th, en = reason_text(ending, str(p.rows))
        settled.append(ReadProblem(p.reason, p.sheet_key, p.detail, f"{p.message_th}; {th}",
                                   f"{p.message_en}; {en}", p.title, p.columns, p.rows, previous))
    read.problems = settled


def _blocking(sheet_key: str, grid: list[list[Any]]) -> bool:
    """A held grid that is itself unusable (an earlier broken header kept because nothing better was held)."""
    from addin.validate import validate_table
    from workbook.sheets import SHEETS

    sheet = SHEETS.get(sheet_key)
    if sheet is None:
        return False
    return any(f.code in BLOCKING_HEADER_CODES and f.severity == "error"
               for f in validate_table(sheet, grid[:HEADER_PROBE_ROWS], first_row=1).findings)


FIX_TH = {
    "columns_changed": "คัดลอกแถวหัวตาราง (แถว 1–2) ของแท็บ '{title}' จากแม่แบบกลับมา ให้คอลัมน์ที่ต้องกรอกครบ",
    "tab_missing": "เปลี่ยนชื่อแท็บกลับเป็น '{title}' หรือคัดลอกแท็บนี้จากแม่แบบ แล้วกรอกข้อมูล",
    "tab_renamed": "เปลี่ยนชื่อแท็บกลับเป็น '{title}'",
}


def problem_findings(result: ReadResult) -> list[tuple[str, Any]]:
    """Tonight's tab-level read problems as sheet-level findings, (school code, Finding): in the district's
    findings, the school's feedback and, through the reads, its follow-up list. A broken header whose grid is
    used tonight needs none: its validation's own header finding (naming every rejected row) is there."""
    from addin.validate import Finding
    from workbook.sheets import SHEETS

    out = []
    for o in result.schools:
        for p in o.read.problems if o.read else ():
            if p.reason not in FIX_TH or (p.reason == "columns_changed" and not p.previous):
                continue
            sheet = SHEETS.get(p.sheet_key)
            title = sheet.title_th if sheet else p.title
            out.append((o.school.code, Finding(
                p.title or title, p.sheet_key or "", None, p.columns or None, None, None,
                "warning" if p.reason == "tab_renamed" else "error", f"read.{p.reason}", p.message_th,
                p.message_en, FIX_TH[p.reason].format(title=title), school_code=o.school.code)))
    return out


def tab_problems(result: ReadResult) -> dict[str, list[ReadProblem]]:
    """School code → tonight's tab-level problems (what the feedback tab and the reads tab explain)."""
    return {o.school.code: [p for p in o.read.problems if p.sheet_key]
            for o in result.schools if o.read and any(p.sheet_key for p in o.read.problems)}


# Rows enough to find a header (addin.validation.headers scans this many) and a few data rows.
HEADER_PROBE_ROWS = 12


@dataclass
class SchoolRead:
    spreadsheet_id: str
    tabs: dict[str, list[list[Any]]] = field(default_factory=dict)  # usable raw grids, by sheet key
    results: dict[str, Any] = field(default_factory=dict)  # sheet key -> ValidationResult (every tab read)
    problems: list[ReadProblem] = field(default_factory=list)
    requests: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # sheet key -> the tab title actually read
    # Tabs read tonight whose header is unusable, (grid, title) by sheet key, until settle_tabs decides.
    blocked: dict[str, tuple[list[list[Any]], str]] = field(default_factory=dict)
    # The district's feedback tab as the sheet holds it (read in the same request: sync.repair compares it with
    # what was written); None when not read. `feedback_missing`: the spreadsheet has no such tab.
    feedback: list[list[Any]] | None = None
    feedback_missing: bool = False

    @property
    def ok(self) -> bool:
        """Something usable was read (possibly with problems on some tabs)."""
        return bool(self.tabs)

    @property
    def reason(self) -> str | None:
        """The main problem: the first non-warning one."""
        for p in self.problems:
            if p.reason != "tab_renamed":
                return p.reason
        return self.problems[0].reason if self.problems else None


def _tab_range(title: str) -> str:
    """A tab's whole used area by its title (as SheetDef.a1_range, for any title found)."""
    return "'" + title.replace("'", "''") + "'"


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, RefreshError):
        return "auth"
    if isinstance(exc, RequestFailed):
        return exc.reason or "error"
    if isinstance(exc, APIError):
        status = exc.response.status_code
        if status == 403:
            return "not_shared"
        if status == 404:
            return "deleted"
        if status == 401:
            return "auth"
    return "error"


def _is_range_error(exc: Exception) -> bool:
    """A tab renamed/deleted ("Unable to parse range") or narrowed by deleted columns ("exceeds grid limits")."""
    if not isinstance(exc, APIError) or isinstance(exc, RequestFailed) or exc.response.status_code != 400:
        return False
    message = str(exc.error.get("message", ""))
    return "Unable to parse range" in message or "exceeds grid limits" in message


def _batch_get(client, spreadsheet_id: str, ranges: list[str]) -> list[dict]:
    data = client.http_client.values_batch_get(spreadsheet_id, ranges, params=dict(READ_PARAMS))
    return data.get("valueRanges", [])


def _use(read: SchoolRead, sheet: SheetDef, grid: list[list[Any]], title: str) -> None:
    """Validate one tab's grid; keep it as usable unless its header lost required columns."""
    from sync.validated import VALIDATED

    result = VALIDATED.validate(sheet, grid)
    read.results[sheet.key] = result
    blocking = [f for f in result.findings if f.code in BLOCKING_HEADER_CODES and f.severity == "error"]
    if blocking:
        cols = ", ".join(dict.fromkeys(str(f.column) for f in blocking if f.column))
        n = len(result.rows) + len(result.rejected)
        read.problems.append(_problem("columns_changed", sheet.key, f"'{title}'" + (f" ({cols})" if cols else ""),
                                      title=title, columns=cols, rows=n))
        read.blocked[sheet.key] = (grid, title)
        return
    read.tabs[sheet.key] = grid
    read.titles[sheet.key] = title


def _key_row_match(grid: list[list[Any]], sheet: SheetDef) -> float:
    """Share of the sheet's keys found in row 2 of a grid (1.0 = surely this sheet)."""
    if len(grid) < sheet.key_row:
        return 0.0
    row = {str(v).strip() for v in grid[sheet.key_row - 1] if v not in (None, "")}
    keys = sheet.keys()
    return sum(1 for k in keys if k in row) / len(keys)


def read_school(client, spreadsheet_id: str, sheets: Sequence[SheetDef] | None = None) -> SchoolRead:
    """Read and validate one school's input tabs: one request when all tabs are there (see module doc)."""
    sheets = tuple(sheets or input_sheets())
    read = SchoolRead(spreadsheet_id)
    try:
        read.requests += 1
        ranges = _batch_get(client, spreadsheet_id, [s.a1_range() for s in sheets] + [FEEDBACK.a1_range()])
        for sheet, vr in zip(sheets, ranges, strict=False):
            _use(read, sheet, vr.get("values", []), sheet.title_th)
        if len(ranges) > len(sheets):
            read.feedback = ranges[len(sheets)].get("values", [])
        return read
    except Exception as exc:  # noqa: BLE001 — classified; one school must never stop the night
        if not _is_range_error(exc):
            return _failed(read, exc)
    return _read_by_titles(client, read, sheets)


def _failed(read: SchoolRead, exc: Exception) -> SchoolRead:
    reason = _failure_reason(exc)
    read.problems.append(_problem(reason, None, f"{type(exc).__name__}: {exc}" if reason == "error" else ""))
    return read


def _read_by_titles(client, read: SchoolRead, sheets: tuple[SheetDef, ...]) -> SchoolRead:
    """The fallback after a range error: learn the tabs (1 request), read what is there (1 request)."""
    try:
        read.requests += 1
        meta = client.http_client.fetch_sheet_metadata(read.spreadsheet_id,
                                                        params={"fields": "sheets.properties.title"})
        grids = [s["properties"]["title"] for s in meta.get("sheets", [])]
        expected = {s.title_th for s in sheets} | {FEEDBACK.title_th}
        present = [s for s in sheets if s.title_th in grids]
        missing = [s for s in sheets if s.title_th not in grids]
        unknown = [t for t in grids if t not in expected]
        feedback = [FEEDBACK.a1_range()] if FEEDBACK.title_th in grids else []
        read.feedback_missing = not feedback
        ranges = [s.a1_range() for s in present] + [_tab_range(t) for t in unknown] + feedback
        read.requests += 1
        got = _batch_get(client, read.spreadsheet_id, ranges) if ranges else []
    except Exception as exc:  # noqa: BLE001
        return _failed(read, exc)
    if feedback and len(got) == len(ranges):
        read.feedback = got[-1].get("values", [])
    for sheet, vr in zip(present, got, strict=False):
        _use(read, sheet, vr.get("values", []), sheet.title_th)
    extra = {t: vr.get("values", []) for t, vr in zip(unknown, got[len(present):], strict=False)}
    for sheet in missing:
        best = max(extra, key=lambda t: _key_row_match(extra[t], sheet), default=None)
        if best is not None and _key_row_match(extra[best], sheet) >= 0.5:
            read.problems.append(_problem("tab_renamed", sheet.key, f"'{sheet.title_th}' → '{best}'"))
            _use(read, sheet, extra.pop(best), best)
        else:
            read.problems.append(_problem("tab_missing", sheet.key, f"'{sheet.title_th}'", title=sheet.title_th))
    return read


# --- every school ----------------------------------------------------------------------------------------

class ReadState(Protocol):
    """What the reader needs to remember between nights (sync.history.History implements it)."""

    def last_success_time(self) -> datetime | None: ...

    def last_modified_all(self) -> dict[str, str]: ...  # school code -> Drive modifiedTime of the data held

    def last_good(self, school_code: str) -> dict[str, list[list[Any]]]: ...


@dataclass
class SchoolOutcome:
    school: School
    outcome: str  # read | unchanged | failed | not_provisioned (the history's vocabulary)
    reason: str | None = None
    message_th: str = ""
    message_en: str = ""
    drive_modified: str | None = None
    read: SchoolRead | None = None
    # Data to use for tabs that could not be read tonight (loaded only for schools with a problem).
    last_good: dict[str, list[list[Any]]] = field(default_factory=dict)

    @property
    def tabs(self) -> dict[str, list[list[Any]]]:
        """Fresh tabs read tonight (empty when unchanged or failed)."""
        return self.read.tabs if self.read else {}

    def as_dict(self) -> dict[str, Any]:
        return {"school_code": self.school.code, "school_name": self.school.name, "outcome": self.outcome,
                "reason": self.reason, "message_th": self.message_th, "message_en": self.message_en,
                "spreadsheet_id": self.school.spreadsheet_id, "drive_modified": self.drive_modified,
                "requests": self.read.requests if self.read else 0,
                "problems": [p.as_dict() for p in self.read.problems] if self.read else []}


@dataclass
class ReadResult:
    started_at: datetime
    since: datetime | None
    listed: int = 0
    schools: list[SchoolOutcome] = field(default_factory=list)
    provisioned: int = 0  # active schools with a spreadsheet
    in_folder: int = 0    # … of which the folder's list showed the file ("nothing listed" is not "unchanged")

    def counts(self) -> dict[str, int]:
        c = Counter(o.outcome for o in self.schools)
        return {k: c.get(k, 0) for k in ("read", "unchanged", "failed", "not_provisioned")}

    @property
    def read_requests(self) -> int:
        return sum(o.read.requests for o in self.schools if o.read)


def plan_reads(schools: Iterable[School], files: dict[str, DriveFile], known: dict[str, str],
               retry: set[str], *, full: bool) -> tuple[list[tuple[School, DriveFile | None]], list[SchoolOutcome]]:
    """Which schools to read tonight, and the outcomes of those decided without a read (pure)."""
    to_read: list[tuple[School, DriveFile | None]] = []
    decided: list[SchoolOutcome] = []
    for s in schools:
        if not s.spreadsheet_id:
            decided.append(SchoolOutcome(s, "not_provisioned", None, "ยังไม่ได้สร้างชีต (khet schools provision)",
                                         "no spreadsheet yet (khet schools provision)"))
            continue
        f = files.get(s.spreadsheet_id)
        if f is not None and f.trashed:
            th, en = reason_text("deleted")
            decided.append(SchoolOutcome(s, "failed", "deleted", th, en, f.modified_time))
        elif full or s.code not in known or s.code in retry or (f is not None and f.modified_time != known[s.code]):
            to_read.append((s, f))
        else:
            decided.append(SchoolOutcome(s, "unchanged", None, "ไม่มีการเปลี่ยนแปลง", "unchanged",
                                         known[s.code]))
    return to_read, decided


def _outcome(school: School, f: DriveFile | None, read: SchoolRead) -> SchoolOutcome:
    modified = f.modified_time if f else None
    if read.ok:
        if read.problems:
            th = "; ".join(p.message_th for p in read.problems)
            en = "; ".join(p.message_en for p in read.problems)
        else:
            th, en = "อ่านข้อมูลแล้ว", "read"
        return SchoolOutcome(school, "read", read.reason, th, en, modified, read)
    reason = read.reason or "error"
    p = read.problems[0] if read.problems else _problem(reason)
    return SchoolOutcome(school, "failed", reason, p.message_th, p.message_en, modified, read)


def read_all(client, registry: Registry, state: ReadState, *, folder_id: str | None, full: bool = False,
             workers: int = 1, now: datetime | None = None,
             progress=None, sheets: Sequence[SheetDef] | None = None) -> ReadResult:
    """Discover, read changed schools, report all (see module docstring). Never raises for one school.
    `progress(done, total, outcome)`, if given, is called after each school read (the nightly job's bar).
    `sheets`: the input tabs as the district's settings have them (default: the shipped definitions)."""
    started = now or datetime.now(UTC)
    result = ReadResult(started, None)
    schools = registry.active()
    try:
        files = {f.id: f for f in list_spreadsheets(client, folder_id)}
        result.listed = len(files)
        result.provisioned = sum(1 for s in schools if s.spreadsheet_id)
        result.in_folder = sum(1 for s in schools if s.spreadsheet_id in files)
        unseen, moved = check_unlisted(client, [s for s in schools if s.spreadsheet_id], files, folder_id)
    except Exception as exc:  # noqa: BLE001 — without discovery nothing is read, but every school is reported
        reason = _failure_reason(exc)
        th, en = reason_text(reason, f"{type(exc).__name__}: {exc}")
        th, en = f"ค้นหาไฟล์ใน Drive ไม่ได้: {th}", f"Drive discovery failed: {en}"
        result.schools = [SchoolOutcome(s, "failed", reason, th, en, last_good=state.last_good(s.code))
                          if s.spreadsheet_id else plan_reads([s], {}, {}, set(), full=False)[1][0]
                          for s in schools]
        return result
    retry = set(getattr(state, "failed_codes", lambda: set())())
    to_read, decided = plan_reads([s for s in schools if s.code not in unseen], files, state.last_modified_all(),
                                  retry, full=full)
    for o in unseen.values():
        o.last_good = state.last_good(o.school.code)
    decided += unseen.values()

    auth_broken = threading.Event()
    done = [0]
    done_lock = threading.Lock()

    def one(item: tuple[School, DriveFile | None]) -> SchoolOutcome:
        school, f = item
        if auth_broken.is_set():  # a refused key fails every school the same way: stop asking Google
            read = SchoolRead(school.spreadsheet_id, problems=[_problem("auth")])
        else:
            read = read_school(client, school.spreadsheet_id, sheets)
            if read.reason == "auth":
                auth_broken.set()
        if school.code in moved:
            read.problems.append(_problem("moved"))
        outcome = _outcome(school, f, read)
        if progress is not None:
            with done_lock:
                done[0] += 1
                progress(done[0], len(to_read), outcome)
        return outcome

    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            outcomes = list(pool.map(one, to_read))
    else:
        outcomes = [one(item) for item in to_read]
    for i, o in enumerate(outcomes):
        if o.outcome == "failed" or (o.read and o.read.problems):
            o.last_good = state.last_good(o.school.code)
        if o.read and any(p.reason in TAB_PROBLEMS for p in o.read.problems):
            settle_tabs(o.read, o.last_good)
            outcomes[i] = _outcome(o.school, files.get(o.school.spreadsheet_id), o.read)
            outcomes[i].last_good = o.last_good
    order = {s.code: i for i, s in enumerate(schools)}
    result.schools = sorted(decided + outcomes, key=lambda o: order.get(o.school.code, -1))
    return result


class MemoryReadState:
    """A ReadState kept in memory (tests, benchmarks); `JsonReadState` persists it to a file."""

    def __init__(self) -> None:
        self.success_time: datetime | None = None
        self.modified: dict[str, str] = {}
        self.tabs: dict[str, dict[str, list[list[Any]]]] = {}
        self.failed: set[str] = set()

    def last_success_time(self) -> datetime | None:
        return self.success_time

    def last_modified_all(self) -> dict[str, str]:
        return dict(self.modified)

    def last_good(self, school_code: str) -> dict[str, list[list[Any]]]:
        return dict(self.tabs.get(school_code, {}))

    def failed_codes(self) -> set[str]:
        return set(self.failed)

    def commit(self, result: ReadResult) -> None:
        """Remember tonight: fresh tabs replace old ones tab by tab; failures are retried next time."""
        for o in result.schools:
            code = o.school.code
            if o.outcome == "read":
                self.tabs.setdefault(code, {}).update(o.tabs)
                if o.drive_modified:
                    self.modified[code] = o.drive_modified
                self.failed.discard(code)
            elif o.outcome == "failed":
                self.failed.add(code)
        self.success_time = result.started_at


class JsonReadState(MemoryReadState):
    """MemoryReadState saved as one JSON file (written atomically on commit)."""

    def __init__(self, path) -> None:
        import json
        from pathlib import Path

        super().__init__()
        self.path = Path(path)
        if self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.success_time = parse_iso(data.get("success_time"))
            self.modified = data.get("modified", {})
            self.tabs = data.get("tabs", {})
            self.failed = set(data.get("failed", []))

    def commit(self, result: ReadResult) -> None:
        import json

        from sync.registry import atomic_write

        super().commit(result)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"success_time": iso(self.success_time),
                "modified": self.modified, "failed": sorted(self.failed), "tabs": self.tabs}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
