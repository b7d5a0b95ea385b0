"""Button "ปรับกำหนดส่งและสถานะ": recompute start, due, status and days left on the work calendar and the
trackers (inspection follow-up: addin.recommendations; service requests: addin.services; submissions), on the
sheets as the user left them.

Only computed columns are written, in place, wherever the user moved them; the user's own cells and extra
columns are never touched. On the work calendar a phrase with several occurrences (ทุกไตรมาส …) gets one row
per occurrence: the first stays on the user's row, the others are added below the table. An empty calendar
is filled from the manuals' calendar (addin/data/work_calendar.csv) for the current fiscal year. A phrase
the engine cannot read puts the reason in the status cell; the row stays as typed.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import xlwings as xw

from addin import recommendations, services
from addin.calendar import as_be_year, fiscal_year
from addin.excel import Table, book_settings, run_button, table, tell
from addin.status import DEFAULT_SOON_DAYS, LABEL_TH, status_series, today_in_thailand
from addin.thaidate import format_thai_date, parse_date_or_none
from addin.timing import TimingError, occurrences, report_occurrence
from addin.timing.work_calendar import ERROR, EXTRA_STATUS_TH, work_calendar
from workbook.settings import DistrictSettings

UNREADABLE_TH = EXTRA_STATUS_TH[ERROR]  # the work calendar's own status for a phrase it cannot read


def _date(value) -> date | None:
    try:
        return parse_date_or_none(value)
    except ValueError:
        return None


def _fy(value, today: date) -> int:
    try:
        year = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return fiscal_year(today)
    return as_be_year(year)


def statuses(due: list, done: list, today: date, soon_days: int = DEFAULT_SOON_DAYS) -> tuple[list[str], list]:
    """Thai status labels and days left (calendar days, negative when past) for rows of due/done dates."""
    due_s = pd.to_datetime(pd.Series([_date(d) for d in due], dtype=object))
    done_s = pd.to_datetime(pd.Series([_date(d) for d in done], dtype=object))
    codes = status_series(due_s, done_s, today, soon_days=soon_days) if len(due_s) else pd.Series([], dtype=object)
    labels = ["" if pd.isna(c) else LABEL_TH[c] for c in codes.astype(object)]
    left = ["" if pd.isna(d) or not pd.isna(s) else (d.date() - today).days for d, s in zip(due_s, done_s, strict=True)]
    return labels, left


def calendar_rows(records: list[dict], today: date, settings=None) -> tuple[list[dict], list[dict]]:
    """(updates for the user's rows, new rows for further occurrences) of the work calendar. A school-report
    row (its report key one of the district's reports) is due when the settings say — its phrase, or its
    e-MES window's internal deadline — whatever its timing cell holds."""
    settings = settings or DistrictSettings.default()
    reports = {r.key for r in settings.reports}
    updates, extra = [], []
    for rec in records:
        key = str(rec.get("report_key") or "").strip()
        if not str(rec.get("timing") or "").strip() and key not in reports:
            updates.append({})
            continue
        fy = _fy(rec.get("fiscal_year"), today)
        year = settings.for_year(fy)
        try:
            occs = ([report_occurrence(key, fy, year)] if key in {r.key for r in year.reports}
                    else occurrences(str(rec.get("timing") or "").strip(), fy))
        except TimingError as e:
            updates.append({"fiscal_year": fy, "status": f"{UNREADABLE_TH}: {e.message_th}", "days_left": "",
                            "start_date": "", "due_date": ""})
            continue
        label = str(rec.get("occurrence") or "").strip()
        mine = next((o for o in occs if o.label_th == label), None) if label else None
        others = []
        if mine is None:
            mine = occs[0] if occs else None
            # A new task row: its other occurrences become rows of their own, unless already on the sheet.
            taken = {str(r.get("occurrence") or "").strip() for r in records
                     if r.get("task_id") == rec.get("task_id") and rec.get("task_id")}
            others = [o for o in occs[1:] if o.label_th not in taken]
        for occ, target in [(mine, updates), *[(o, extra) for o in others]]:
            row = {"fiscal_year": fy, "occurrence": occ.label_th if occ else "",
                   "start_date": occ.start if occ else None, "due_date": occ.due if occ else None}
            if target is extra:
                row = {**{k: rec.get(k) for k in ("task_id", "task", "group", "timing", "responsible",
                                                  "report_key", "source")}, **row}
            target.append(row)
    dues = [u.get("due_date") for u in updates] + [x["due_date"] for x in extra]
    done = [r.get("done_date") for r in records] + [None] * len(extra)
    labels, left = statuses(dues, done, today, settings.identity.soon_days)
    for row, label, days in zip(updates + extra, labels, left, strict=True):
        if "status" not in row and row:
            row["status"], row["days_left"] = label, days
    return updates, extra


def service_rows(records: list[dict], today: date) -> list[dict]:
    """Current step, its standard and due date (chained from the previous step's actual completion), the
    final due date, the status and the on-standard count of each service request (addin.services)."""
    return [services.computed_columns(services.request_from_record(rec), today) for rec in records]


def followup_rows(records: list[dict], today: date) -> list[dict]:
    """Due date (working days from the notice), status and days left of each recommendation."""
    return [recommendations.computed_columns(recommendations.assess(rec, today)) for rec in records]


def _write(tab: Table, rows: list[dict]) -> None:
    """Write the columns the rows carry (the computed ones the functions above fill), nothing else; a row
    without a result ({}) keeps its cells."""
    for key in dict.fromkeys(k for r in rows for k in r):
        tab.write_column(key, [r.get(key, "") if r else None for r in rows])


def run(book: xw.Book, today: date | None = None) -> dict[str, int]:
    today = today or today_in_thailand()
    counts: dict[str, int] = {}
    settings = book_settings(book)  # the district's reports, due dates and due-soon days (its settings tabs)

    cal = table(book, "work_calendar")
    if cal is not None:
        records = cal.records()
        if not any(str(r.get("task_id") or r.get("task") or "").strip() for r in records):
            frame = work_calendar(fiscal_year(today), today, settings=settings)
            rows = [{**r, "status": r["status_th"], "days_left": "" if pd.isna(r["days_left"]) else r["days_left"]}
                    for r in frame.to_dict("records")]
            _append(cal, rows, cal.first_data_row)
            counts["work_calendar"] = len(rows)
        else:
            updates, extra = calendar_rows(records, today, settings)
            _write(cal, updates)
            _append(cal, extra, cal.last_row() + 1)
            counts["work_calendar"] = sum(1 for u in updates if u) + len(extra)

    follow = table(book, "inspection_followup")
    if follow is not None:
        rows = followup_rows(follow.records(), today)
        _write(follow, rows)
        counts["inspection_followup"] = sum(1 for r in rows if r)

    requests = table(book, "service_requests")
    if requests is not None:
        rows = service_rows(requests.records(), today)
        _write(requests, rows)
        counts["service_requests"] = sum(1 for r in rows if r)

    subs = table(book, "submissions")
    if subs is not None:
        records = subs.records()
        labels, _ = statuses([r.get("due_date") for r in records], [r.get("submitted_on") for r in records], today,
                             settings.identity.soon_days)
        _write(subs, [{"status": s} for s in labels])
        counts["submissions"] = sum(1 for s in labels if s)

    done = ", ".join(f"{k} {v}" for k, v in counts.items()) or "-"
    tell(book, f"ปรับกำหนดส่งและสถานะแล้ว ณ วันที่ {format_thai_date(today, 'numeric')} ({done} แถว)",
         f"Deadlines and statuses refreshed ({done} rows).")
    return counts


def _append(tab: Table, rows: list[dict], first_row: int) -> None:
    if not rows:
        return
    for key in tab.columns:
        tab.write_column(key, [r.get(key) for r in rows], first_row=first_row)


def main() -> None:
    run_button("ปรับกำหนดส่งและสถานะ", run)
