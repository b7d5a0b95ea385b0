"""Where a school stands on one reporting item: not yet due, due soon, overdue, submitted on time or late,
or missing — from its due date, the submission date (if any), today and a "due soon" threshold in working
days. One scalar rule (`status`) and its vectorized twin over pandas columns (`status_series`); a property
test keeps them identical.

Decisions where the issue is silent:
- A due date on a holiday or weekend moves to the next working day (พ.ร.บ.วิธีปฏิบัติราชการทางปกครอง ม.64:
  a period whose last day is a day off ends on the next working day). Due Saturday, sent Monday = on time.
- Submitted on or before the (effective) due date = on time, after = late — whenever it came, even after the
  window closed: a late report is still a report, and it must not look missing.
- "Due soon": not submitted and at most `soon_days` working days left, counted like service standards
  (addin.workdays.workdays_between: today not counted, the due day counted). On the due day itself 0 are
  left, so it is due soon; with the default 3, a Friday with a due date the next Wednesday is due soon.
- `closes` is when the window shuts for good: after the due date and up to `closes` an unsent item is
  overdue (still chased), after `closes` it is missing. When closes is not given: the end of the fiscal year
  of the due date (the year's data is summarised and the e-MES round closes with it), but never less than
  30 days after the due date, so an item due in late September is not written off days later.
- A row without a due date has no status (<NA> in the vectorized version; the scalar raises).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from addin.calendar import fiscal_year, fiscal_year_bounds
from addin.thaidate import as_day_array, parse_date, parse_date_or_none
from addin.workdays import (
    workday_on_or_after,
    workday_on_or_after_array,
    workdays_between,
    workdays_between_array,
)

MIN_GRACE_DAYS = 30
DEFAULT_SOON_DAYS = 3
TIMEZONE = ZoneInfo("Asia/Bangkok")


class Status(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"

    @property
    def th(self) -> str:
        return LABEL_TH[self]

    @property
    def en(self) -> str:
        return LABEL_EN[self]


LABEL_TH: dict[Status, str] = {
    Status.NOT_YET_DUE: "ยังไม่ถึงกำหนด",
    Status.DUE_SOON: "ใกล้ครบกำหนด",
    Status.OVERDUE: "เกินกำหนด",
    Status.ON_TIME: "ส่งแล้ว (ตรงเวลา)",
    Status.LATE: "ส่งช้า",
    Status.MISSING: "ไม่ส่ง",
}
LABEL_EN: dict[Status, str] = {
    Status.NOT_YET_DUE: "not yet due",
    Status.DUE_SOON: "due soon",
    Status.OVERDUE: "overdue",
    Status.ON_TIME: "submitted on time",
    Status.LATE: "submitted late",
    Status.MISSING: "missing",
}
# Status colours (fill, text) wherever a status is shown: the summary workbook, the district Google Sheet and the
# staff workbook. Light fills with dark text of the same hue read in print and for colour-blind readers alike;
# "correction" (submitted, but the rows now have errors) is not a Status of its own, it overrides one.
CORRECTION = "correction"
CORRECTION_TH = "ต้องแก้ไข"
COLOURS: dict[str, tuple[str, str]] = {
    Status.ON_TIME: ("C6EFCE", "006100"),
    Status.LATE: ("FFEB9C", "7F5F00"),
    Status.OVERDUE: ("FFC7CE", "9C0006"),
    Status.MISSING: ("C00000", "FFFFFF"),
    CORRECTION: ("E4D7F5", "5B2C83"),
    Status.DUE_SOON: ("DDEBF7", "1F4E78"),
    Status.NOT_YET_DUE: ("F2F2F2", "595959"),
}
COLOUR_LABELS_TH: dict[str, str] = {k: "ต้องแก้ไขข้อมูล" if k == CORRECTION else LABEL_TH[Status(k)] for k in COLOURS}


def colour_of(label: str) -> tuple[str, str] | None:
    """The (fill, text) colours of a shown status: a Thai label, a status code, or a label marked as needing
    correction (" · ต้องแก้ไข")."""
    text = str(label or "").strip()
    if text.endswith(CORRECTION_TH):
        return COLOURS[CORRECTION]
    # A label may carry what its date rests on after it ("ส่งแล้ว (ตรงเวลา) (ตามที่โรงเรียนแจ้ง)", "ไม่ส่ง (ปิดรับแล้ว)"):
    # coloured as the status itself. Longest label first, so a label that begins another is not taken for it.
    for s in sorted(Status, key=lambda s: -len(LABEL_TH[s])):
        if text in (s.value, LABEL_TH[s]) or text.startswith(LABEL_TH[s] + " ("):
            return COLOURS[s]
    return None


_ORDER = list(Status)
_CODE = {s: i for i, s in enumerate(_ORDER)}


def today_in_thailand() -> date:
    """Today in Bangkok: the nightly job runs on servers set to UTC, where 'today' starts 7 hours late."""
    return datetime.now(TIMEZONE).date()


def default_closes(due) -> date:
    """End of the fiscal year of `due`, but at least MIN_GRACE_DAYS after it."""
    due = parse_date(due)
    return max(fiscal_year_bounds(fiscal_year(due))[1], due + timedelta(days=MIN_GRACE_DAYS))


def status(due, submitted=None, today=None, *, closes=None, soon_days: int = DEFAULT_SOON_DAYS) -> Status:
    """The status of one item; dates in any form addin.thaidate.parse_date accepts (submitted/closes may be
    blank). today defaults to today in Thailand."""
    if parse_date_or_none(due) is None:
        raise ValueError("ไม่มีวันครบกำหนด จึงบอกสถานะไม่ได้ / no due date, so there is no status")
    due = workday_on_or_after(due)
    sent = parse_date_or_none(submitted)
    if sent is not None:
        return Status.ON_TIME if sent <= due else Status.LATE
    today = today_in_thailand() if today is None else parse_date(today)
    shut = parse_date_or_none(closes) or default_closes(due)
    if today > max(shut, due):
        return Status.MISSING
    if today > due:
        return Status.OVERDUE
    if workdays_between(today, due) <= soon_days:
        return Status.DUE_SOON
    return Status.NOT_YET_DUE


def _default_closes_array(due: np.ndarray) -> np.ndarray:
    months = due.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    fy_end_year = months // 12 + (months % 12 >= 9)  # Oct–Dec belong to the next fiscal year
    fy_end = (fy_end_year * 12 + 8).astype("datetime64[M]").astype("datetime64[D]") + np.timedelta64(29, "D")
    return np.maximum(fy_end, due + np.timedelta64(MIN_GRACE_DAYS, "D"))


def status_series(due, submitted=None, today=None, closes=None, soon_days: int = DEFAULT_SOON_DAYS) -> pd.Series:
    """Vectorized `status` over columns (Series/arrays of dates in any accepted form; today and closes may be
    scalars). Returns a categorical Series of the English codes (categories in Status order, <NA> where the
    due date is blank); `.cat.rename_categories(LABEL_TH)` gives the Thai labels."""
    index = next((x.index for x in (due, submitted, today, closes) if isinstance(x, pd.Series)), None)
    d = as_day_array(due)
    if today is None:
        today = today_in_thailand()
    parts = [d, as_day_array(today), as_day_array(submitted), as_day_array(closes)]
    d, t, sent, shut = np.broadcast_arrays(*parts)
    d, t, sent, shut = (np.ravel(x) for x in (d, t, sent, shut))
    has_due = ~np.isnat(d)
    # Rows without a due date get a stand-in (their status is blanked at the end) so the arithmetic stays
    # vectorized and the holiday table does not stretch back to 1970.
    d = np.where(has_due, d, d[has_due].min() if has_due.any() else np.datetime64("2000-01-03", "D"))
    d = workday_on_or_after_array(d)
    no_shut = np.isnat(shut)
    if no_shut.any():
        shut = np.where(no_shut, _default_closes_array(d), shut)
    shut = np.maximum(shut, d)
    has_sent, has_today = ~np.isnat(sent), ~np.isnat(t)

    codes = np.full(d.shape, _CODE[Status.NOT_YET_DUE], dtype=np.int8)
    codes[t > d] = _CODE[Status.OVERDUE]  # NaT compares False everywhere
    codes[t > shut] = _CODE[Status.MISSING]
    upcoming = has_today & (t <= d) & ~has_sent
    if upcoming.any():  # working days left only where they matter
        soon = workdays_between_array(t[upcoming], d[upcoming]) <= soon_days
        codes[np.flatnonzero(upcoming)[soon]] = _CODE[Status.DUE_SOON]
    codes[~has_today] = -1
    codes[has_sent] = np.where(sent[has_sent] <= d[has_sent], _CODE[Status.ON_TIME], _CODE[Status.LATE])
    codes[~has_due] = -1
    cat = pd.Categorical.from_codes(codes, categories=[s.value for s in _ORDER])
    return pd.Series(cat, index=index if index is not None and len(index) == len(codes) else None)
