"""A fiscal year's open and close (`khet year open|close|reopen|start`), in the history and the schools' sheets.

**open FY** — every active school gets its sheet for FY: a copy of that year's template (the settings of FY),
named `<code> <name> ปีงบประมาณ FY`, shared with the school, protected, its profile carried over from last year's
profile tab (the fiscal year set to FY; the registry's code, name, network and size where nothing is held) and
the KPI rows of FY's settings. Idempotent (a school with a sheet for FY is skipped without a request) and
resumable (a copy left by a run that died is found by its name and finished: ``sync.provision``). Each new sheet
is recorded in the history's ``year_sheets`` every 10 schools; the registry's ``spreadsheet_id`` column then
shows the new sheets (the link staff hand out) — last year's were recorded for last year first. The open is a
``year_events`` row (who, when, counts). The night tracks FY from its first day (1 October).

**close FY** — refused while a report of FY is still inside its window (due date + grace: Q4 progress is due 15
October) unless forced (the reports still open are then named in the close). The year's last run writes its
final summary (``khet-summary-FY.xlsx``, kept as ``khet-summary-FY-final.xlsx``); every report still not sent is
listed in the close (its status in that run is ไม่ส่ง); each school's FY sheet becomes read-only for the school
(its writer permission becomes reader; the district's account keeps writing feedback — nothing is written after
the close); the close is a ``year_events`` row with all of it. The night stops tracking FY.

**reopen FY** — needs a reason; the schools can write again; recorded. **start FY DATE** — the date tracking of FY
started (reports due before it: the school's typed date is taken, ``addin.ontime.check_claim``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from openpyxl.utils import quote_sheetname

from addin.calendar import fiscal_year_bounds
from addin.ontime import window_closed
from addin.settings import grace_days, report_dues
from sync.gclient import drive_url
from sync.history import History, utcnow
from sync.provision import ProvisionResult, _grid_rows, provision
from sync.registry import Registry
from sync.summary import write_final
from sync.years import YearError, year_registry
from workbook.settings import DistrictSettings
from workbook.sheets import get_sheet

PROFILE = get_sheet("school_profile")
SUBMITTED = ("on_time", "late")
# What a school's profile carries into the next year (the rest is the year's or the district's to fill).
CARRIED = ("students", "teachers", "director", "contact_name", "phone", "contact_email", "website")


def year_sheet_name(code: str, name: str, fiscal_year: int) -> str:
    return f"{code} {name} ปีงบประมาณ {fiscal_year}"


class _YearRegistry(Registry):
    """The registry as the year being opened sees it: provisioning's write-backs go to the history's
    ``year_sheets`` first, then to the registry's own column."""

    def __init__(self, schools, *, h: History, fiscal_year: int, base: Registry):
        super().__init__(schools, None, list(base.findings))
        self.h, self.fiscal_year, self.base = h, fiscal_year, base

    def save_spreadsheet_ids(self, updates) -> None:
        self.h.record_year_sheets(self.fiscal_year, dict(updates), source="open")
        super().save_spreadsheet_ids(updates)
        self.base.save_spreadsheet_ids({c: s for c, s in updates.items() if c in self.base.by_code()})


def _carried_profile(h: History, code: str, fiscal_year: int) -> dict:
    """The school's profile as last year's sheet last held it (clean values), for the new year's copy."""
    tab = h.for_year(fiscal_year - 1).school_tabs(code).get("school_profile")
    if tab is None:
        return {}
    rows = h.validated_rows(tab.snapshot_id)
    data = rows[0] if rows else {}
    return {k: data[k] for k in CARRIED if data.get(k) not in (None, "")}


def _write_profile(client, spreadsheet_id: str, school, fiscal_year: int, carried: dict) -> None:
    row = {"school_code": school.code, "school_name": school.name, "network": school.network, "size": school.size,
           "fiscal_year": fiscal_year, **carried}
    client.http_client.values_batch_update(spreadsheet_id, body={"valueInputOption": "RAW", "data": [
        {"range": f"{quote_sheetname(PROFILE.title_th)}!A{PROFILE.first_data_row}",
         "values": _grid_rows(PROFILE, [{k: _plain(v) for k, v in row.items()}])}]})


def _plain(value):
    """A clean value as a cell (Decimal and numpy numbers as plain numbers, dates as ISO text)."""
    if hasattr(value, "as_tuple"):
        return int(value) if value == int(value) else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class Opened:
    fiscal_year: int
    result: ProvisionResult
    carried: int = 0     # profiles carried over from last year's sheet


def open_year(client, h: History, registry: Registry, fiscal_year: int, *, template_id: str,
              folder_id: str | None, settings: DistrictSettings | None = None, by: str = "",
              at: datetime | None = None, notify: bool = False) -> Opened:
    """See the module docstring. Raises YearError for a closed year (reopen it instead)."""
    if h.year_state(fiscal_year) == "closed":
        raise YearError(f"ปีงบประมาณ {fiscal_year} ปิดแล้ว เปิดใหม่ด้วย khet year reopen {fiscal_year} --reason …",
                        f"fiscal year {fiscal_year} is closed; reopen it with khet year reopen {fiscal_year} --reason …")
    at = at or utcnow()
    year_registry(registry, h, fiscal_year - 1, at=at)  # last year's sheets recorded before the column moves on
    held = h.year_sheets(fiscal_year)
    view = _YearRegistry([replace(s, spreadsheet_id=held.get(s.code, ""),
                                  sheet_name=year_sheet_name(s.code, s.name, fiscal_year)) for s in registry.schools],
                         h=h, fiscal_year=fiscal_year, base=registry)
    result = provision(client, view, template_id=template_id, folder_id=folder_id, notify=notify,
                       settings=settings, fiscal_year=fiscal_year)
    by_code = view.by_code()
    carried = 0
    for o in result.outcomes:
        if o.status in ("created", "resumed") and (prev := _carried_profile(h, o.code, fiscal_year)):
            _write_profile(client, o.spreadsheet_id, by_code[o.code], fiscal_year, prev)
            carried += 1
    from sync.update import record_versions

    record_versions(h, result.outcomes)  # the new year's sheets and their template version (the summary lists it)
    counts = {s: result.count(s) for s in ("created", "resumed", "already", "inactive", "failed")}
    h.record_year_event(fiscal_year, "open", at=at, by=by or None,
                        detail={**counts, "profiles_carried": carried, "template_id": template_id})
    return Opened(fiscal_year, result, carried)


def open_windows(settings: DistrictSettings, fiscal_year: int, now: datetime) -> list[tuple[str, date]]:
    """(report key, due) of the year's reports still inside their window at ``now``."""
    year = settings.for_year(fiscal_year)
    grace = grace_days(year)
    return [(key, due) for key, due in report_dues(year, fiscal_year).items()
            if not window_closed(due, now, grace.get(key, year.identity.grace_days))]


@dataclass
class Closed:
    fiscal_year: int
    run_id: int | None
    final_xlsx: Path | None
    missing: list[tuple[str, str]] = field(default_factory=list)   # (school, report) not sent at close
    read_only: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)    # (school, why) still writable
    still_open: list[str] = field(default_factory=list)            # reports closed early (forced)


def check_closable(h: History, settings: DistrictSettings, fiscal_year: int, now: datetime,
                   force: bool) -> list[str]:
    """The reports still open at ``now`` (forced), or a YearError naming them and when the year can close."""
    state = h.year_state(fiscal_year)
    if state != "open":
        raise YearError(f"ปีงบประมาณ {fiscal_year} {'ปิดไปแล้ว' if state == 'closed' else 'ยังไม่เคยเปิด'}",
                        f"fiscal year {fiscal_year} is {'already closed' if state == 'closed' else 'not open'}")
    still = open_windows(settings, fiscal_year, now)
    if still and not force:
        last = max(d for _, d in still)
        names = ", ".join(k for k, _ in still)
        raise YearError(f"ยังปิดปีงบประมาณ {fiscal_year} ไม่ได้: รายงาน {names} ยังอยู่ในกำหนดส่ง (ครบกำหนดล่าสุด "
                        f"{last:%d/%m/%Y} บวกวันผ่อนผัน) ปิดหลังจากนั้น หรือสั่ง --force เพื่อปิดก่อน",
                        f"fiscal year {fiscal_year} cannot close yet: {names} still inside the window (last due "
                        f"{last.isoformat()} plus grace); close after that, or --force to close early",
                        reports=[k for k, _ in still])
    return [k for k, _ in still]


def set_school_access(client, sheets: dict[str, str], emails: dict[str, str], role: str) -> tuple[int, list]:
    """Each school's permission on its sheet set to ``role`` (reader at close, writer at reopen): (changed,
    [(school, why)] of those that could not be)."""
    changed, failed = 0, []
    for code, sid in sorted(sheets.items()):
        email = emails.get(code, "").lower()
        try:
            perms = client.list_permissions(sid)
            perm = next((p for p in perms if str(p.get("emailAddress", "")).lower() == email), None)
            if perm is None:
                failed.append((code, "not shared with the school's account"))
                continue
            if perm.get("role") == "owner" or perm.get("role") == role:
                continue
            client.http_client.request("patch", drive_url(f"files/{sid}/permissions/{perm['id']}"),
                                       params={"supportsAllDrives": True}, json={"role": role})
            changed += 1
        except Exception as exc:  # noqa: BLE001 - one school's sheet never stops the close
            failed.append((code, f"{type(exc).__name__}: {exc}"))
    return changed, failed


def close_year(client, h: History, registry: Registry, fiscal_year: int, *, run, report_dir: Path,
               settings: DistrictSettings | None = None, by: str = "", reason: str = "", force: bool = False,
               now: datetime | None = None) -> Closed:
    """See the module docstring. ``run(fiscal_year)`` is the year's last run (a RunReport; the caller holds
    the configuration); a run that failed (exit 2) stops the close before anything changes."""
    now = now or utcnow()
    settings = settings or DistrictSettings.default()
    still = check_closable(h, settings, fiscal_year, now, force)
    rep = run(fiscal_year)
    if rep.exit_code == 2 or rep.run_id is None:
        raise YearError(f"ปิดปีงบประมาณ {fiscal_year} ไม่ได้: รอบสุดท้ายไม่สำเร็จ ({rep.message_th})",
                        f"fiscal year {fiscal_year} not closed: its last run failed ({rep.message_en})")
    final = None
    if xlsx := rep.outputs.get("xlsx"):
        final = write_final(xlsx, Path(report_dir) / f"khet-summary-{fiscal_year}-final.xlsx",
                            fiscal_year=fiscal_year, closed_at=now)
    missing = sorted((r["school_code"], r["report_key"]) for r in h.statuses(rep.run_id)
                     if r["status"] not in SUBMITTED)
    sheets = h.year_sheets(fiscal_year)
    emails = {s.code: s.contact_email for s in registry.schools}
    read_only, failed = set_school_access(client, sheets, emails, "reader")
    h.record_year_event(fiscal_year, "close", at=now, by=by or None, reason=reason or None, detail={
        "run_id": rep.run_id, "final_summary": str(final) if final else None, "missing": missing,
        "counts": {k: rep.counts.get(k) for k in ("reports_expected", "submitted", "on_time", "late", "missing")},
        "read_only": read_only, "still_writable": failed, "closed_early": still})
    return Closed(fiscal_year, rep.run_id, final, missing, read_only, failed, still)


def reopen_year(client, h: History, registry: Registry, fiscal_year: int, *, reason: str, by: str = "",
                at: datetime | None = None) -> tuple[int, list]:
    """A closed year tracked again (reason required); the schools can write their sheets again."""
    if not reason.strip():
        raise YearError("การเปิดปีที่ปิดแล้วต้องระบุเหตุผล (--reason)", "reopening a closed year needs a reason (--reason)")
    if h.year_state(fiscal_year) != "closed":
        raise YearError(f"ปีงบประมาณ {fiscal_year} ไม่ได้ปิดอยู่", f"fiscal year {fiscal_year} is not closed")
    emails = {s.code: s.contact_email for s in registry.schools}
    changed, failed = set_school_access(client, h.year_sheets(fiscal_year), emails, "writer")
    h.record_year_event(fiscal_year, "reopen", at=at, by=by or None, reason=reason.strip(),
                        detail={"writable_again": changed, "failed": failed})
    return changed, failed


def set_tracking_start(h: History, fiscal_year: int, day: date, *, by: str = "", reason: str = "",
                       at: datetime | None = None) -> None:
    """The date tracking of the year started (inside the fiscal year, not in the future of the year's end)."""
    start, end = fiscal_year_bounds(fiscal_year)
    if not start <= day <= end:
        raise YearError(f"วันเริ่มติดตาม {day:%d/%m/%Y} อยู่นอกปีงบประมาณ {fiscal_year} ({start:%d/%m/%Y}–{end:%d/%m/%Y})",
                        f"tracking start {day.isoformat()} is outside fiscal year {fiscal_year} "
                        f"({start.isoformat()}–{end.isoformat()})")
    h.record_year_event(fiscal_year, "tracking_start", at=at, by=by or None, reason=reason or None,
                        detail={"date": day.isoformat()})
