"""Inspectors' recommendations (seed 000, งานติดตามการตรวจราชการ): each one's due date in working days from the
notice, its status from progress and the done date, what is overdue, and the round report — per inspection
round, what each responsible work group has done. Plain functions over records and DataFrames; the Refresh
button and the nightly job call them.

Decisions where the issue is silent:
- Due = the N-th working day after the day the district was notified (the notice day is not counted, as in
  service standards).
- A recommendation is done when it has a done date. "ดำเนินการแล้ว" without a done date, or done without an
  evidence link, is a finding (warning): the inspector's follow-up asks for both.
- Days left are calendar days (the staff tabs' "เหลือ (วัน)" everywhere); negative = overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from addin.thaidate import date_or_none as _date
from addin.workdays import add_workdays, workdays_between
from workbook.sheets import FOLLOWUP_STATUSES

SOON_DAYS = 3  # working days
DONE_TH = FOLLOWUP_STATUSES[-1]  # "ดำเนินการแล้ว"
NOT_STARTED_TH = FOLLOWUP_STATUSES[0]

DONE_ON_TIME, DONE_LATE, OVERDUE, DUE_SOON, NOT_YET_DUE = "done_on_time", "done_late", "overdue", "due_soon", "open"
STATUS_TH = {DONE_ON_TIME: "เสร็จตามกำหนด", DONE_LATE: "เสร็จเกินกำหนด", OVERDUE: "เกินกำหนด",
             DUE_SOON: "ใกล้ครบกำหนด", NOT_YET_DUE: "ยังไม่ถึงกำหนด"}


def _int(value) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Recommendation:
    due: date | None
    done: date | None
    status: str | None            # a code of STATUS_TH (None: no due date to judge by)
    days_left: int | None
    problems: tuple[tuple[str, str, str], ...] = ()  # (column key, Thai, English)


def assess(rec: dict, today: date) -> Recommendation:
    notified, n = _date(rec.get("notified_on")), _int(rec.get("due_workdays"))
    due = add_workdays(notified, n) if notified is not None and n is not None and n >= 0 else None
    done = _date(rec.get("done_date"))
    problems = []
    progress = str(rec.get("progress") or "").strip()
    if progress == DONE_TH and done is None:
        problems.append(("done_date", "สถานะดำเนินการแล้ว แต่ยังไม่ได้กรอกวันที่แล้วเสร็จ",
                         "marked done but no done date"))
    if done is not None and not str(rec.get("evidence_url") or "").strip():
        problems.append(("evidence_url", "ดำเนินการแล้วแต่ยังไม่มีลิงก์หลักฐาน", "done but no evidence link"))
    if due is None:
        return Recommendation(None, done, None, None, tuple(problems))
    if done is not None:
        return Recommendation(due, done, DONE_ON_TIME if done <= due else DONE_LATE, None, tuple(problems))
    if today > due:
        status = OVERDUE
    elif workdays_between(today, due) <= SOON_DAYS:
        status = DUE_SOON
    else:
        status = NOT_YET_DUE
    return Recommendation(due, None, status, (due - today).days, tuple(problems))


def computed_columns(r: Recommendation) -> dict:
    if r.due is None:
        return {}
    return {"due_date": r.due, "status": STATUS_TH[r.status],
            "days_left": "" if r.days_left is None else r.days_left}


FRAME_COLUMNS = ("fiscal_year", "inspection_round", "item_no", "recommendation", "responsible_group", "notified_on",
                 "due_on", "progress", "progress_pct", "done_date", "evidence_url", "status", "status_th",
                 "days_left", "_row")


def frame(records: list[dict], today: date) -> pd.DataFrame:
    """Every recommendation with its due date and status (codes and Thai)."""
    rows = []
    for rec in records:
        r = assess(rec, today)
        rows.append({**{k: rec.get(k) for k in FRAME_COLUMNS}, "notified_on": _date(rec.get("notified_on")),
                     "due_on": r.due, "done_date": r.done, "status": r.status,
                     "status_th": STATUS_TH.get(r.status, ""), "days_left": r.days_left})
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


ROUND_COLUMNS = ("fiscal_year", "inspection_round", "responsible_group", "total", "done", "done_on_time",
                 "in_progress", "not_started", "overdue", "pct_done", "pct_on_time")


def round_report(recs: pd.DataFrame) -> pd.DataFrame:
    """Per fiscal year × inspection round × responsible group, then a "รวมทุกกลุ่ม" row per round."""
    if len(recs) == 0:
        return pd.DataFrame(columns=list(ROUND_COLUMNS))
    rows = []
    for (fy, rnd), g in recs.groupby(["fiscal_year", "inspection_round"], sort=True, dropna=False):
        parts = [(grp, gg) for grp, gg in g.groupby("responsible_group", sort=True, dropna=False)]
        for grp, gg in [*parts, ("รวมทุกกลุ่ม", g)]:
            done = gg["status"].isin([DONE_ON_TIME, DONE_LATE])
            on_time = int((gg["status"] == DONE_ON_TIME).sum())
            started = gg["progress"].astype(str).str.strip() != NOT_STARTED_TH
            rows.append((fy, rnd, grp, len(gg), int(done.sum()), on_time, int((~done & started).sum()),
                         int((~done & ~started).sum()), int((gg["status"] == OVERDUE).sum()),
                         round(100 * done.sum() / len(gg), 2), round(100 * on_time / len(gg), 2)))
    return pd.DataFrame(rows, columns=list(ROUND_COLUMNS))
