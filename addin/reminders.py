"""Who is reminded of what, today: the reminder policy as plain functions over a plain status per school ×
report (columns ``school_code``, ``report_key``, ``due``, ``status`` and optionally ``needs_correction``), the
Thai working-day calendar and the clock. No I/O: `sync.remind` gathers statuses and sends.

The policy (decisions where the issue is silent):
- A school gets a digest on a day when at least one of its reports *triggers*: N working days before the due
  date (``days_before``, default 3 — e.g. the Friday before a Wednesday deadline), on the due day itself, and
  while overdue or needing correction once a week, on the first working day of the week (Monday, or Tuesday
  after a Monday holiday). The digest then lists everything open for that school — due within the largest N,
  due today, overdue, returned, needing correction — so one message says it all.
- Never on a day off (weekends, Thai holidays, the office's own closures): nothing triggers then, and the next
  working day's triggers do not make up for it (a deadline reminder after its day would mislead).
- Quiet hours (default 20:00–07:00 Bangkok): nothing is sent; `khet remind` run then says so and sends later.
- Statuses plug in by code: ``STATUS_KIND`` maps each status code to what the digest says; a code it does not
  know (a new status of issue 11) is listed under "other" rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from addin.calendar import fiscal_year as fiscal_year_of
from addin.thaidate import date_or_none, format_thai_date
from addin.workdays import is_workday, workday_on_or_after, workdays_between

DUE_SOON, DUE_TODAY, OVERDUE, CORRECTION, RETURNED, OTHER = (
    "due_soon", "due_today", "overdue", "correction", "returned", "other")
KIND_TH = {DUE_TODAY: "ครบกำหนดส่งวันนี้", DUE_SOON: "ใกล้ครบกำหนดส่ง", OVERDUE: "เกินกำหนดส่ง ยังไม่ได้รับ",
           RETURNED: "ส่งกลับให้แก้ไข", CORRECTION: "ข้อมูลต้องแก้ไข", OTHER: "ต้องติดตาม"}
KIND_ORDER = (OVERDUE, RETURNED, CORRECTION, DUE_TODAY, DUE_SOON, OTHER)
# Status codes (addin.status and later ones) → None (nothing to remind) or the kind of reminder.
STATUS_KIND: dict[str, str | None] = {
    "not_yet_due": DUE_SOON, "due_soon": DUE_SOON, "overdue": OVERDUE, "on_time": None, "late": None,
    # The window closed without a report: the manuals ask the district to chase it (เร่งรัด), so it is
    # reminded weekly like an overdue one, not dropped from the digest.
    "missing": OVERDUE,
    "returned": RETURNED, "approved": None,
}


@dataclass(frozen=True)
class Policy:
    days_before: tuple[int, ...] = (3,)
    on_due_day: bool = True
    weekly_while_overdue: bool = True
    quiet_start: time = time(20, 0)
    quiet_end: time = time(7, 0)

    @property
    def horizon(self) -> int:
        return max(self.days_before, default=0)


@dataclass(frozen=True)
class Item:
    school_code: str
    report_key: str
    report_th: str
    due: date | None
    kind: str
    triggers: bool            # this item alone would make today a reminder day
    # A report of a fiscal year before today's (October's Q4 progress, a late 12-month KPI report): its line
    # names the year, the title alone would read as this year's; its sheet is that year's. None: today's year.
    earlier_year: int | None = None

    @property
    def line_th(self) -> str:
        when = f" (กำหนดส่ง {format_thai_date(self.due)})" if self.due else ""
        year = f" ปีงบประมาณ {self.earlier_year}" if self.earlier_year else ""
        return f"- {self.report_th}{year}{when}: {KIND_TH[self.kind]}"


def is_quiet(now: datetime, policy: Policy) -> bool:
    """Inside quiet hours (``now`` in Bangkok local time)."""
    t, a, b = now.time(), policy.quiet_start, policy.quiet_end
    return (a <= t or t < b) if a > b else (a <= t < b)


def quiet_until(now: datetime, policy: Policy) -> datetime:
    end = datetime.combine(now.date(), policy.quiet_end, now.tzinfo)
    return end if end > now else end + timedelta(days=1)


def first_workday_of_week(day: date) -> bool:
    monday = day - timedelta(days=day.weekday())
    return is_workday(day) and workday_on_or_after(monday) == day


def items_of(statuses: pd.DataFrame, today: date, policy: Policy, titles: dict[str, str]) -> list[Item]:
    """Every open item (something the school should act on) with whether it triggers a reminder today."""
    out = []
    weekly = policy.weekly_while_overdue and first_workday_of_week(today)
    working = is_workday(today)
    for rec in statuses.to_dict("records"):
        due = date_or_none(rec.get("due"))
        code = str(rec.get("status") or "")
        kind = STATUS_KIND.get(code, OTHER)
        if kind == DUE_SOON:
            if due is None:
                continue
            left = workdays_between(today, workday_on_or_after(due))
            if left == 0:
                kind = DUE_TODAY
            elif left > policy.horizon or left < 0:
                kind = None
        if _flag(rec.get("needs_correction")) and kind in (None, OTHER, DUE_SOON, DUE_TODAY):
            kind = CORRECTION
        if kind is None:
            continue
        if not working:
            fires = False
        elif kind == DUE_TODAY:
            fires = policy.on_due_day
        elif kind == DUE_SOON:
            fires = workdays_between(today, workday_on_or_after(due)) in policy.days_before
        else:
            fires = weekly
        key = str(rec.get("report_key") or "")
        fy = rec.get("fiscal_year")
        earlier = int(fy) if fy is not None and fy == fy and int(fy) < fiscal_year_of(today) else None
        out.append(Item(str(rec["school_code"]), key, titles.get(key, key), due, kind, fires, earlier))
    return out


def digests(statuses: pd.DataFrame, today: date, policy: Policy, titles: dict[str, str]) -> dict[str, list[Item]]:
    """school code → its open items, for each school with at least one trigger today (ordered by urgency)."""
    by_school: dict[str, list[Item]] = {}
    for item in items_of(statuses, today, policy, titles):
        by_school.setdefault(item.school_code, []).append(item)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    return {code: sorted(items, key=lambda i: (order[i.kind], i.due or date.max))
            for code, items in sorted(by_school.items()) if any(i.triggers for i in items)}




def _flag(value) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and bool(value)


def one_line(text) -> str:
    """School-typed text inside a message: one line, no control characters (never markup or headers)."""
    return " ".join(str(text or "").split())
