"""Evaluating a rule for a fiscal year: its occurrences, its deadline, and chained service steps.

Where a phrase names months without a year they are the months of the fiscal year asked for (October–December
in the previous CE year). A month range that crosses 1 October (กันยายน - ตุลาคม) *ends* in the fiscal year
and starts in the September before it: in the manuals' yearly cycle that range opens the year (analyse the
policy, Sep–Oct, then write the monitoring plan, Oct–Nov) — and a step dated Sep–Oct is followed by one dated
November, which only reads in order that way.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from addin.calendar import (
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    academic_year_dates,
    calendar_month,
    fiscal_month,
    fiscal_month_date,
    fiscal_year_bounds,
    month_end,
)
from addin.status import status_series
from addin.thaidate import as_day_array, format_thai_date
from addin.timing.model import (
    DayOfMonth,
    DayRange,
    Duration,
    FiscalYearLong,
    MonthlyDay,
    MonthsOf,
    Occurrence,
    OnDate,
    Periods,
    Relative,
    Rule,
    Semesters,
    Span,
    TimingError,
    Weekday,
    Weekly,
)
from addin.timing.parse import parse_duration, parse_rule
from addin.workdays import add_workdays, workday_on_or_after, workday_on_or_before

ONE_DAY = timedelta(days=1)


def _d(d: date) -> str:
    return format_thai_date(d, "short")


def add_months(d: date, n: int) -> date:
    """Same day n months later (the month's last day when it has no such day)."""
    y, m = divmod(d.month - 1 + n, 12)
    first = date(d.year + y, m + 1, 1)
    return first.replace(day=min(d.day, month_end(first).day))


def step_due(prev: date, dur: Duration) -> date:
    """When a step of `dur` is due when the previous one completed on `prev` (or the process started then).
    Working days follow the workdays module: the day of `prev` is not counted."""
    if dur.unit == "minute":
        return workday_on_or_after(prev)
    if dur.unit == "month":
        return add_months(prev + ONE_DAY, dur.amount) - ONE_DAY
    if dur.working_days:
        return add_workdays(prev, dur.amount)
    return prev + timedelta(days=dur.amount)


def _step_start(due: date, dur: Duration) -> date:
    """The first day of a step of `dur` that must be done by `due` (the inverse of step_due)."""
    if dur.unit == "minute":
        return due
    if dur.unit == "month":
        return add_months(due + ONE_DAY, -dur.amount)
    if dur.working_days:
        return add_workdays(due, -(dur.amount - 1)) if dur.amount > 1 else workday_on_or_before(due)
    return due - timedelta(days=dur.amount - 1)


def _offset_from(d: date, off: Duration) -> date:
    return add_workdays(d, off.amount) if off.working_days else d + timedelta(days=off.amount)


def effort_note(dur: Duration | None) -> str:
    if dur is None:
        return ""
    if dur.unit == "day" and dur.working_days:
        return f"ใช้เวลา {dur.amount} วันทำการ (นับเฉพาะวันทำการ)"
    return f"ใช้เวลา {dur.text_th}"


# --- one part at a time ------------------------------------------------------------------------------------


def _span(p: Span, fy: int, dur: Duration | None) -> list[Occurrence]:
    due = month_end(fiscal_month_date(fy, p.end_month))
    if p.deadline_only:
        start = _step_start(due, dur) if dur else None
        return [Occurrence(f"ภายในเดือน{THAI_MONTHS[p.end_month - 1]}", start, due, effort_note(dur),
                           bool(dur and dur.working_days))]
    wraps = fiscal_month(p.start_month) > fiscal_month(p.end_month)
    start = fiscal_month_date(fy - 1 if wraps else fy, p.start_month)
    if p.start_month == p.end_month:
        label = THAI_MONTHS[p.start_month - 1]
    else:
        label = f"{THAI_MONTHS[p.start_month - 1]} – {THAI_MONTHS[p.end_month - 1]}"
    notes = []
    if wraps:
        notes.append(f"เริ่มก่อนปีงบประมาณ {fy} (เดือน{THAI_MONTHS[p.start_month - 1]}ของปีงบประมาณก่อน)")
    if dur:
        notes.append(effort_note(dur) + " ภายในช่วงนี้")
    return [Occurrence(label, start, due, "; ".join(notes), bool(dur and dur.working_days))]


def _day_of_month(p: DayOfMonth, fy: int) -> list[Occurrence]:
    first = fiscal_month_date(fy, p.month)
    last = month_end(first)
    note = ""
    day = p.day
    if day > last.day:  # 29 February in a common year
        day = last.day
        note = f"ปีนี้{THAI_MONTHS[p.month - 1]}มี {last.day} วัน จึงใช้วันที่ {last.day}"
    due = date(first.year, p.month, day)
    label = f"ภายในวันที่ {p.day} {THAI_MONTHS[p.month - 1]}"
    if p.before:
        due -= ONE_DAY
        label = f"ก่อนวันที่ {p.day} {THAI_MONTHS[p.month - 1]}"
    return [Occurrence(label, None, due, note)]


def _on_date(p: OnDate, fy: int) -> list[Occurrence]:
    due = p.when - ONE_DAY if p.before else p.when
    lo, hi = fiscal_year_bounds(fy)
    note = "" if lo <= p.when <= hi else f"วันที่ระบุอยู่นอกปีงบประมาณ {fy}"
    return [Occurrence(("ก่อน " if p.before else "ภายใน ") + _d(p.when), None, due, note)]


def _day_range(p: DayRange, fy: int) -> list[Occurrence]:
    [end] = _day_of_month(p.last, fy) if isinstance(p.last, DayOfMonth) else _on_date(p.last, fy)
    if isinstance(p.first, OnDate):
        start = p.first.when
    else:
        start = fiscal_month_date(fy, p.first.month)
        start = start.replace(day=min(p.first.day, month_end(start).day))
        if start > end.due:  # '1 ก.ย. - 31 ต.ค.': starts before the fiscal year, like month ranges
            start = add_months(start, -12)
    if start > end.due:
        raise TimingError("", "range.reversed", f"วันเริ่ม {_d(start)} อยู่หลังวันสิ้นสุด {_d(end.due)}",
                          f"the start {start.isoformat()} is after the end {end.due.isoformat()}")
    return [Occurrence(f"{_d(start)} – {_d(end.due)}", start, end.due, end.note_th)]


def _whole_year(p: FiscalYearLong, fy: int) -> list[Occurrence]:
    lo, hi = fiscal_year_bounds(fy)
    return [Occurrence(f"{p.label_th} {fy}", lo, hi, "งานต่อเนื่องทั้งปี กำหนดเสร็จ = สิ้นปีงบประมาณ")]


def _weekly(p: Weekly, fy: int) -> list[Occurrence]:
    lo, hi = fiscal_year_bounds(fy)
    monday = lo - timedelta(days=lo.weekday())
    out = []
    note = f"อย่างน้อย {p.times} ครั้งต่อสัปดาห์ (จันทร์–ศุกร์)"
    while monday <= hi:
        start, due = max(monday, lo), min(monday + timedelta(days=4), hi)
        if start <= due:
            out.append(Occurrence(f"สัปดาห์ที่ {len(out) + 1}", start, due, note))
        monday += timedelta(days=7)
    return out


def _period_label(style: str, k: int, prev: int) -> str:
    if style == "quarter":
        return f"ไตรมาส {k // 3}"
    if style == "round":
        return f"รอบ {k} เดือน"
    if style == "month":
        return THAI_MONTHS[calendar_month(k) - 1]
    first, last = calendar_month(prev + 1), calendar_month(k)
    return f"{THAI_MONTHS_ABBR[first - 1]}–{THAI_MONTHS_ABBR[last - 1]}" if first != last else THAI_MONTHS[last - 1]


def _periods(p: Periods, fy: int) -> list[Occurrence]:
    fy_start, _ = fiscal_year_bounds(fy)
    out = []
    prev = 0
    for k in p.ends:
        end = month_end(fiscal_month_date(fy, calendar_month(k)))
        period_start = fiscal_month_date(fy, calendar_month(prev + 1))
        label = _period_label(p.style, k, prev)
        if p.offset:
            out.append(_offset_occurrence(label, period_start, end, p.offset, p.before))
        else:
            note = f"ผลสะสม {_d(fy_start)} – {_d(end)}" if p.style == "round" else ""
            out.append(Occurrence(label, period_start, end, note))
        prev = k
    return out


def _offset_occurrence(label: str, period_start: date, end: date, off: Duration, before: bool) -> Occurrence:
    """Due `off` after a period's end (the window opens the day after it), or `off` before it (the window is
    the period up to then; like 'at least N days before', a due date on a day off moves earlier)."""
    unit = "วันทำการ" if off.working_days else "วัน"
    if not before:
        note = f"ภายใน {off.amount} {unit}หลังสิ้นงวด ({_d(end)})"
        return Occurrence(label, end + ONE_DAY, _offset_from(end, off), note, off.working_days)
    if off.working_days:
        due = add_workdays(end, -off.amount)
    else:
        due = workday_on_or_before(end - timedelta(days=off.amount))
    return Occurrence(label, period_start, due, f"ก่อนสิ้นงวด ({_d(end)}) {off.amount} {unit}", off.working_days)


def _semesters(p: Semesters, fy: int) -> list[Occurrence]:
    lo, hi = fiscal_year_bounds(fy)
    out = []
    for ay in range(fy - 2, fy + 1):  # semester 1 of the academic year fy-1 ends in October of fiscal year fy
        dates = academic_year_dates(ay)
        for n, (start, end) in ((1, dates.semester1), (2, dates.semester2)):
            if n not in p.numbers or not lo <= end <= hi:
                continue
            label = f"ภาคเรียนที่ {n}/{ay}"
            if p.offset:
                out.append(_offset_occurrence(label, start, end, p.offset, p.before))
            else:
                out.append(Occurrence(label, start, end, f"สิ้นภาคเรียน {_d(end)}"))
    return out


_WEEKDAY_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")


def _weekday(p: Weekday, fy: int) -> list[Occurrence]:
    lo, hi = fiscal_year_bounds(fy)
    day = lo + timedelta(days=(p.weekday - lo.weekday()) % 7)
    out = []
    while day <= hi:
        due = workday_on_or_before(day) if p.weekday < 5 else day
        note = "" if due == day else f"วัน{_WEEKDAY_TH[p.weekday]} {_d(day)} เป็นวันหยุด จึงเป็นวันทำการก่อนหน้า"
        out.append(Occurrence(f"วัน{_WEEKDAY_TH[p.weekday]} {_d(day)}", due, due, note))
        day += timedelta(days=7)
    return out


def _months_of(p: MonthsOf, fy: int) -> list[Occurrence]:
    months = sorted((m for m in range(1, 13) if (m - p.anchor) % p.every == 0), key=fiscal_month)
    out = []
    for m in months:
        start = fiscal_month_date(fy, m)
        out.append(Occurrence(f"ครั้งที่ {len(out) + 1} ({THAI_MONTHS[m - 1]})", start, month_end(start),
                              f"ทุก {p.every} เดือน เริ่ม{THAI_MONTHS[p.anchor - 1]}"))
    return out


def _monthly_day(p: MonthlyDay, fy: int) -> list[Occurrence]:
    out = []
    for k in range(1, 13):
        first = fiscal_month_date(fy, calendar_month(k))
        target = add_months(first, 1) if p.next_month else first
        due = date(target.year, target.month, min(p.day, month_end(target).day))
        note = "ของเดือนถัดไป" if p.next_month else ""
        out.append(Occurrence(THAI_MONTHS[first.month - 1], first, due, note))
    return out


def _relative(p: Relative, ref: date) -> list[Occurrence]:
    out = []
    event = p.event_th if not p.event_th[:1].isascii() else f" {p.event_th} "
    if p.before:
        off = p.before
        if off.working_days:
            due = add_workdays(ref, -off.amount)
        else:
            # 'at least N days before': a due date on a day off moves earlier, never later.
            due = workday_on_or_before(ref - timedelta(days=off.amount))
        unit = "วันทำการ" if off.working_days else "วัน"
        out.append(Occurrence(f"ก่อน{event} {off.amount} {unit}".replace("  ", " "), None, due,
                              f"{p.event_th}: {_d(ref)}", off.working_days))
    if p.within_after:
        off = p.within_after
        unit = "วันทำการ" if off.working_days else "วัน"
        out.append(Occurrence(f"ภายใน {off.amount} {unit}หลัง{event}".strip(), ref, _offset_from(ref, off),
                              f"{p.event_th}: {_d(ref)}", off.working_days))
    if p.after:
        out.append(Occurrence(f"หลัง{event}".strip(), ref + ONE_DAY, None,
                              f"{p.event_th}: {_d(ref)}; ไม่มีกำหนดเสร็จในวลี"))
    return out


# --- public API --------------------------------------------------------------------------------------------


def _as_rule(rule_or_phrase: Rule | str) -> Rule:
    return rule_or_phrase if isinstance(rule_or_phrase, Rule) else parse_rule(rule_or_phrase)


@lru_cache(maxsize=8192)
def _occurrences(rule: Rule, fy: int, ref: date | None) -> tuple[Occurrence, ...]:
    if rule.kind == "duration":
        dur = rule.duration
        if ref is None:
            return (Occurrence(f"ใช้เวลา {dur.text_th}", None, None,
                               effort_note(dur) + " นับจากวันเริ่มงาน/วันรับเรื่อง", dur.working_days),)
        return (Occurrence(f"ใช้เวลา {dur.text_th}", ref, step_due(ref, dur),
                           effort_note(dur) + f" นับจาก {_d(ref)}", dur.working_days),)
    out: list[Occurrence] = []
    for part in rule.parts:
        if isinstance(part, Span):
            out += _span(part, fy, rule.duration)
        elif isinstance(part, DayOfMonth):
            out += _day_of_month(part, fy)
        elif isinstance(part, OnDate):
            out += _on_date(part, fy)
        elif isinstance(part, DayRange):
            try:
                out += _day_range(part, fy)
            except TimingError as e:
                raise TimingError(rule.phrase, e.code, e.message_th, e.message_en) from None
        elif isinstance(part, FiscalYearLong):
            out += _whole_year(part, fy)
        elif isinstance(part, Weekly):
            out += _weekly(part, fy)
        elif isinstance(part, Weekday):
            out += _weekday(part, fy)
        elif isinstance(part, Periods):
            out += _periods(part, fy)
        elif isinstance(part, Semesters):
            out += _semesters(part, fy)
        elif isinstance(part, MonthsOf):
            out += _months_of(part, fy)
        elif isinstance(part, MonthlyDay):
            out += _monthly_day(part, fy)
        elif isinstance(part, Relative):
            if ref is None:
                raise TimingError(
                    rule.phrase, "ref.required",
                    f"'{rule.phrase}' นับจากวันอ้างอิง ({part.event_th}) ต้องระบุวันนั้นด้วย (--ref หรือคอลัมน์ anchor)",
                    f"'{rule.phrase}' counts from a reference date ({part.event_th}); give that date "
                    "(--ref, or the anchor column)")
            out += _relative(part, ref)
        else:  # pragma: no cover - every part type is handled above
            raise TypeError(part)
    if rule.note_th:
        out = [Occurrence(o.label_th, o.start, o.due, "; ".join(x for x in (o.note_th, rule.note_th) if x),
                          o.working_days) for o in out]
    return tuple(out)


def occurrences(rule_or_phrase: Rule | str, fy_be: int, ref: date | None = None) -> list[Occurrence]:
    """The dates a phrase means in fiscal year `fy_be`. `ref`: the reference date of a relative phrase (the
    system's closing date), or the start of a pure duration. Raises TimingError for an unreadable phrase."""
    return list(_occurrences(_as_rule(rule_or_phrase), int(fy_be), ref))


def deadline(rule_or_phrase: Rule | str, fy_be: int, ref: date | None = None) -> date:
    """The final due date of the phrase in the fiscal year (continuous work: the fiscal-year end)."""
    rule = _as_rule(rule_or_phrase)
    dues = [o.due for o in _occurrences(rule, int(fy_be), ref) if o.due is not None]
    if not dues:
        raise TimingError(rule.phrase, "deadline.none",
                          f"'{rule.phrase}' เป็นระยะเวลา ไม่มีวันกำหนดส่ง จนกว่าจะระบุวันเริ่ม",
                          f"'{rule.phrase}' is a duration: it has no due date until a start date is given")
    return max(dues)


def chain_steps(durations: list[Duration | str], start: date) -> list[date]:
    """Due dates of consecutive steps: step 1 is due `durations[0]` after `start` (the day the request
    arrives, not counted, as in the service standards), each next step that long after the previous step's
    due date. Day steps are working days unless written as calendar days."""
    out = []
    prev = start
    for d in durations:
        prev = step_due(prev, parse_duration(d))
        out.append(prev)
    return out


# --- many rows at once -------------------------------------------------------------------------------------


def deadlines(phrases, fiscal_years, errors: str = "raise") -> np.ndarray:
    """deadline() for arrays of phrases and fiscal years (datetime64[D]). Each distinct (phrase, year) is
    evaluated once and mapped back to the rows. errors="coerce" gives NaT for a phrase without a deadline or
    that cannot be read; "raise" raises its TimingError."""
    if not isinstance(phrases, pd.Series | pd.Index | pd.Categorical | np.ndarray):
        phrases = np.asarray(phrases, dtype=object)
    p_codes, p_uniques = pd.factorize(phrases)  # categorical input factorizes without hashing strings
    years = np.asarray(fiscal_years, dtype=np.int64)
    lo = int(years.min()) if years.size else 0
    y_codes, y_uniques = years - lo, range(lo, int(years.max()) + 1 if years.size else lo)  # a few BE years
    lut = np.empty((len(p_uniques), len(y_uniques)), dtype="datetime64[D]")
    for i, phrase in enumerate(p_uniques):
        for j, fy in enumerate(y_uniques):
            try:
                lut[i, j] = np.datetime64(deadline(str(phrase), int(fy)), "D")
            except TimingError:
                if errors == "raise":
                    raise
                lut[i, j] = np.datetime64("NaT")
    out = lut[p_codes, y_codes]
    if (p_codes < 0).any():  # blank phrases
        if errors == "raise":
            parse_rule("")
        out[p_codes < 0] = np.datetime64("NaT")
    return out


def deadline_status(phrases, fiscal_years, submitted, today, *, closes=None, soon_days: int = 3) -> pd.Series:
    """Deadline and status for many rows: addin.status.status_series of deadlines(phrases, fiscal_years),
    computed once per distinct (due date, submitted date) pair — a district's rows share a few dozen due
    dates and a few hundred submission dates — and mapped back. Same values as status_series on every row.
    `today` and `closes` are single dates here (as in the nightly job), not per-row columns."""
    due = deadlines(phrases, fiscal_years)
    sent = as_day_array(submitted)
    due, sent = np.broadcast_arrays(due, sent)
    # One int64 key per (due, submitted): days since 1970 fit in 32 bits; a blank date gets its own value.
    days = [np.where(np.isnat(a), -1, a.astype(np.int64)) & 0xFFFFFFFF for a in (due, sent)]
    codes, uniques = pd.factorize(days[0] << 32 | days[1])
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes] = np.arange(len(codes))
    per_pair = status_series(due[first], sent[first], today, closes, soon_days)
    cat = per_pair.cat
    return pd.Series(pd.Categorical.from_codes(cat.codes.to_numpy()[codes], categories=cat.categories))
