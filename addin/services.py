"""Service requests against the service standards (seed 004): each step's due date, chained from the previous
step's ACTUAL completion, whether each finished step met its standard, and the district's figures per service
and step (the share finished within the standard, the median working days) — the ITA figures a district is
assessed on. Plain functions over values and DataFrames; the Refresh button and the nightly job call them.

Decisions where the issue is silent:
- A step's clock starts when the previous step was done (the request's receipt for step 1). A step not yet
  reached is projected from the previous step's due date, so the final due date is an honest forecast.
- Working days follow `addin.workdays` (the start day is not counted). A "๕ นาที" step is due the day it
  starts (the next working day if that is a day off). A calendar-window step ("ภายในเดือนมกราคม ของทุกปี")
  is due at the end of the first window (of the fiscal year the step starts in, or the next) that has not
  closed when the step starts; a phrase with rounds (e-MES: รอบ ๖ เดือน/๑๒ เดือน) is due at the next round's end. "ตลอดเวลา" and OBEC-set times have no standard of the district's own:
  such a step is counted as done, never as on or off standard.
- A step's "working days taken" are the working days from its start to its done date (0 = the same day).
- A done date before the previous step's done date is a finding, not silently reordered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from addin.calendar import fiscal_year
from addin.thaidate import date_or_none as _date
from addin.timing import TimingError, deadline, occurrences, parse_rule, step_due
from addin.workdays import workdays_between
from workbook.services import SERVICES, SERVICES_BY_TITLE, Service, Step

SOON_DAYS = 1  # working days before a step's due date it shows as due soon

# Request status codes → Thai label.
DONE_ON_STANDARD, DONE_LATE = "done_on_standard", "done_late"
IN_PROGRESS, DUE_SOON, OVERDUE = "in_progress", "due_soon", "overdue"
STATUS_TH = {DONE_ON_STANDARD: "เสร็จตามมาตรฐาน", DONE_LATE: "เสร็จเกินมาตรฐาน", IN_PROGRESS: "อยู่ระหว่างดำเนินการ",
             DUE_SOON: "ใกล้ครบกำหนด", OVERDUE: "เกินกำหนด"}
NO_STANDARD_TH = "ไม่มีมาตรฐานวันทำการ"


@dataclass(frozen=True)
class Standard:
    """A step's standard as the engine reads it: ``kind`` is "duration" (working days, minutes, months),
    "window" (a calendar window of the fiscal year) or "none" (continuous, or set by OBEC)."""

    kind: str
    phrase: str
    duration: object | None = None  # addin.timing Duration for "duration"
    reason_th: str = ""

    @property
    def text_th(self) -> str:
        if self.kind == "duration":
            return self.duration.text_th
        if self.kind == "window":
            return self.phrase
        return f"{NO_STANDARD_TH} ({self.phrase})"

    def due(self, start: date) -> date | None:
        if self.kind == "duration":
            return step_due(start, self.duration)
        if self.kind == "window":
            fy = fiscal_year(start)
            dues = [o.due for y in (fy, fy + 1) for o in occurrences(self.phrase, y) if o.due is not None]
            return next((d for d in sorted(dues) if d >= start), None)
        return None


@cache
def standard_of(step: Step) -> Standard:
    phrase = step.standard_th
    try:
        rule = parse_rule(phrase)
    except TimingError as e:
        return Standard("none", phrase, reason_th=e.message_th)
    if rule.kind == "duration":
        return Standard("duration", phrase, rule.duration)
    if rule.kind == "continuous":
        return Standard("none", phrase, reason_th="ดำเนินการตลอดเวลา")
    try:
        deadline(rule, 2569)
    except TimingError as e:  # a rule without a date of its own (set by OBEC, relative to an unknown event)
        return Standard("none", phrase, reason_th=e.message_th)
    return Standard("window", phrase)


@dataclass
class StepResult:
    step_no: int
    title_th: str
    standard: Standard
    start: date | None          # previous step's completion (actual) or its due date (projected)
    due: date | None
    done: date | None
    projected: bool             # start comes from a forecast, not a completion
    workdays: int | None = None  # working days taken (done steps)
    on_standard: bool | None = None  # None: not done, or no standard


@dataclass
class RequestProgress:
    service: Service
    received: date
    steps: list[StepResult]
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (step no, Thai, English)

    @property
    def current(self) -> StepResult | None:
        """The first step not done (None: every step done)."""
        return next((s for s in self.steps if s.done is None), None)

    @property
    def completed_on(self) -> date | None:
        return None if self.current is not None else self.steps[-1].done

    @property
    def final_due(self) -> date | None:
        return next((s.due for s in reversed(self.steps) if s.due is not None), None)

    @property
    def workdays_taken(self) -> int | None:
        end = self.completed_on
        return None if end is None else workdays_between(self.received, end)

    def on_standard_count(self) -> tuple[int, int]:
        """(done steps within their standard, done steps that have a standard)."""
        judged = [s.on_standard for s in self.steps if s.on_standard is not None]
        return sum(judged), len(judged)

    def status(self, today: date) -> str:
        cur = self.current
        if cur is None:
            met, judged = self.on_standard_count()
            return DONE_ON_STANDARD if met == judged else DONE_LATE
        if cur.due is None:
            return IN_PROGRESS
        if today > cur.due:
            return OVERDUE
        if workdays_between(today, cur.due) <= SOON_DAYS:
            return DUE_SOON
        return IN_PROGRESS


def progress(service: Service, received: date, done: list[date | None]) -> RequestProgress:
    """Each step's due date and outcome. ``done``: each step's done date (shorter lists = not done)."""
    done = list(done) + [None] * (len(service.steps) - len(done))
    out = RequestProgress(service, received, [])
    start, projected = received, False
    for n, (step, finished) in enumerate(zip(service.steps, done, strict=False), start=1):
        std = standard_of(step)
        due = std.due(start) if start is not None else None
        res = StepResult(n, step.title_th, std, start, due, finished, projected)
        if finished is not None:
            if start is not None and not projected and finished < start:
                out.problems.append((n, f"ขั้นที่ {n} เสร็จก่อนขั้นก่อนหน้า/วันรับคำขอ",
                                     f"step {n} is done before the previous step (or the day received)"))
            elif start is not None and not projected:
                res.workdays = workdays_between(start, finished)
                if due is not None:
                    res.on_standard = finished <= due
            start, projected = finished, False
        else:
            # Later steps are a forecast from this step's due date (none: no standard to forecast with).
            start, projected = due, True
        out.steps.append(res)
    return out


def request_from_record(rec: dict) -> RequestProgress | None:
    """A service-requests row (keys of the sheet definition) → its progress; None when it names no known
    service or has no date received."""
    service = SERVICES_BY_TITLE.get(str(rec.get("service") or "").strip())
    received = _date(rec.get("received_on"))
    if service is None or received is None:
        return None
    return progress(service, received, [_date(rec.get(f"step{n}_done")) for n in range(1, len(service.steps) + 1)])


def computed_columns(p: RequestProgress | None, today: date) -> dict:
    """The service-requests tab's computed cells for one request ({} when it cannot be computed)."""
    if p is None:
        return {}
    cur = p.current
    met, judged = p.on_standard_count()
    return {"step_no": cur.step_no if cur else len(p.steps), "step_title": cur.title_th if cur else "เสร็จทุกขั้นตอน",
            "step_standard": cur.standard.text_th if cur else "", "step_due": cur.due if cur else None,
            "final_due": p.final_due, "status": STATUS_TH[p.status(today)], "completed_on": p.completed_on,
            "workdays_taken": p.workdays_taken if p.workdays_taken is not None else "",
            "on_standard": f"{met}/{judged}" if judged else ""}


# --- the district's figures -----------------------------------------------------------------------------------

STEP_COLUMNS = ("request_id", "school_code", "service_key", "service_th", "step_no", "step_th", "standard_th",
                "start", "due", "done", "workdays", "on_standard")


def step_frame(requests: list[tuple[dict, RequestProgress]]) -> pd.DataFrame:
    """One row per (request, step) with a start: the raw material of the standards figures."""
    rows = []
    for rec, p in requests:
        for s in p.steps:
            rows.append((rec.get("request_id"), rec.get("school_code"), p.service.key, p.service.title_th,
                         s.step_no, s.title_th, s.standard.text_th, None if s.projected else s.start, s.due, s.done,
                         s.workdays, s.on_standard))
    return pd.DataFrame(rows, columns=list(STEP_COLUMNS))


STANDARD_COLUMNS = ("service_th", "step_no", "step_th", "standard_th", "requests", "done", "judged", "within",
                    "pct_within", "median_workdays", "open_overdue")


def standards_table(steps: pd.DataFrame, requests: list[tuple[dict, RequestProgress]], today: date,
                    services: tuple[Service, ...] = SERVICES) -> pd.DataFrame:
    """Per service and step: requests that reached the step, done, judged (done with a standard), within the
    standard, the share within (%), the median working days taken, and requests overdue on that step now; then
    one "whole process" row per service (completed requests within every judged step, median working days
    from receipt to completion). Every service is listed, with zeros where no request used it yet."""
    rows = []
    overdue: dict[tuple[str, int], int] = {}
    for _, p in requests:
        if p.current is not None and p.status(today) == OVERDUE:
            key = (p.service.key, p.current.step_no)
            overdue[key] = overdue.get(key, 0) + 1
    for svc in services:
        mine = steps[steps["service_key"] == svc.key] if len(steps) else steps
        for n, step in enumerate(svc.steps, start=1):
            s = mine[mine["step_no"] == n] if len(mine) else mine
            reached = int(s["start"].notna().sum()) if len(s) else 0
            done = s[s["done"].notna()] if len(s) else s
            judged = done[done["on_standard"].notna()] if len(done) else done
            within = int(judged["on_standard"].astype(bool).sum()) if len(judged) else 0
            days = pd.to_numeric(done["workdays"], errors="coerce").dropna() if len(done) else pd.Series([], dtype=float)
            rows.append((svc.title_th, n, step.title_th, standard_of(step).text_th, reached, len(done), len(judged),
                         within, _pct(within, len(judged)), _median(days), overdue.get((svc.key, n), 0)))
        procs = [p for _, p in requests if p.service.key == svc.key]
        finished = [p for p in procs if p.completed_on is not None]
        whole_ok = sum(1 for p in finished if p.status(today) == DONE_ON_STANDARD)
        days = pd.Series([p.workdays_taken for p in finished], dtype=float)
        rows.append((svc.title_th, None, "ทั้งกระบวนการ", "", len(procs), len(finished), len(finished), whole_ok,
                     _pct(whole_ok, len(finished)), _median(days),
                     sum(1 for p in procs if p.current is not None and p.status(today) == OVERDUE)))
    return pd.DataFrame(rows, columns=list(STANDARD_COLUMNS))


def _pct(n: int, d: int) -> float | None:
    return round(100 * n / d, 2) if d else None


def _median(values: pd.Series) -> float | None:
    return None if len(values) == 0 else float(np.median(values.to_numpy(dtype=float)))
