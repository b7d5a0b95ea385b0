"""Fiscal years kept apart: which school spreadsheet belongs to which year, and which years the night tracks.

The decision (README "Fiscal years"): one school spreadsheet per school per fiscal year, made from that year's
template. The data tabs carry no fiscal year, so a sheet belongs to exactly one year and last year's rows can
never be read as this year's. The history's ``year_sheets`` table is the registry of those sheets per year;
the registry's ``spreadsheet_id`` column shows the newest year's (the link staff hand out). A registry ID
recorded for no year yet (the first night ever, a school provisioned mid-year) belongs to the newest year that
has sheets and is recorded for it the first night it is seen.

The nightly job tracks every open year that has begun — the current one, and the previous one until
``khet year close`` — each as its own run with its own summary (``khet-summary-<FY>.xlsx``), feedback (in that
year's sheets) and read state (``History.for_year``). The district Google Sheet shows the newest tracked year.
The year's open and close (``khet year open|close``) are in :mod:`sync.year_ops`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from addin.calendar import fiscal_year as fiscal_year_of
from sync.history import History
from sync.registry import Registry
from workbook.errors import KhetError


class YearError(KhetError):
    """A fiscal year cannot be tracked, opened, closed or reopened as asked; Thai and English."""

    code = "year"

    def __init__(self, message_th: str, message_en: str, **details):
        super().__init__(None, message_th, message_en, **details)


def newest_sheet_year(h: History) -> int | None:
    """The newest fiscal year that has school sheets recorded (the one the registry's column shows)."""
    return max(h.sheet_years().values(), default=None)


def year_registry(registry: Registry, h: History, fy: int, *, at: datetime | None = None) -> Registry:
    """The registry as fiscal year ``fy`` sees it: each school with that year's spreadsheet. For the newest year
    (or the first night ever) registry IDs not yet recorded for any year are recorded for it; a school without a
    sheet for it stays in (not provisioned: the truth). An earlier year keeps only the schools that had a sheet
    in it (a school that joined later was never part of it). Never written back (``path`` None)."""
    known = h.sheet_years()
    newest = max(known.values(), default=None)
    if newest is None or fy >= newest:
        fresh = {s.code: s.spreadsheet_id for s in registry.schools
                 if s.spreadsheet_id and s.spreadsheet_id not in known}
        if fresh:
            h.record_year_sheets(fy, fresh, source="registry", at=at)
        newest = fy
    sheets = h.year_sheets(fy)
    schools = [replace(s, spreadsheet_id=sheets.get(s.code, "")) for s in registry.schools
               if fy >= newest or s.code in sheets]
    return Registry(schools, None, list(registry.findings))


@dataclass
class Tracked:
    years: list[int]                    # oldest first; each is one run tonight
    district_year: int                  # the year the district Google Sheet shows
    notes: list[tuple[str, str]] = field(default_factory=list)  # (Thai, English) for the run report


def first_night(h: History, fy: int, *, at: datetime | None = None) -> None:
    """A history where no year was ever opened (the first night, or one older than the year's open) opens the
    year that night runs."""
    if not any(e["action"] in ("open", "reopen", "close") for e in h.year_events()):
        h.record_year_event(fy, "open", at=at, by="khet", reason="first night / คืนแรก",
                            detail={"source": "first_night"})


def years_to_track(h: History, today: date, *, at: datetime | None = None) -> Tracked:
    """The open years that have begun by ``today`` (Bangkok). The first night ever opens the current year (an
    installation that predates the year's open). A current year not opened yet is said every night: last
    year's sheets are never read as its."""
    current = fiscal_year_of(today)
    first_night(h, current, at=at)
    years = [y for y in h.open_years() if y <= current]
    notes = []
    if current not in years:
        state = "ปิดแล้ว / closed" if h.year_state(current) == "closed" else "ยังไม่เปิด / not opened"
        notes.append((f"ปีงบประมาณ {current} {state.split(' / ')[0]}: ยังไม่ติดตาม สั่ง khet year open {current} "
                      "เพื่อสร้างชีตของปีใหม่ให้ทุกโรงเรียน (ชีตของปีก่อนไม่ถูกอ่านเป็นข้อมูลของปีใหม่)",
                      f"fiscal year {current} is {state.split(' / ')[1]}: not tracked; run khet year open {current} "
                      "to make every school its sheet for the new year (last year's sheets are never read as its)"))
    if not years:
        raise YearError(f"ไม่มีปีงบประมาณที่เปิดอยู่ (ปีปัจจุบัน {current}) สั่ง khet year open {current}",
                        f"no fiscal year is open (the current one is {current}); run khet year open {current}")
    return Tracked(years, max(years), notes)
