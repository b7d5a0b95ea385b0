"""When a report counts as sent and whether it was on time: the district's on-time rule as plain functions.

A report is judged by the earliest time Khet can *prove*, not by the night it happened to look:
- evidence (a) "with data": the school confirmed the report, its rows are there and its tab has no sheet-level
  error (a missing column, a lost header); row errors may remain;
- evidence (b) "valid": confirmed and every row of the report validates.
The proof is the Drive ``modifiedTime`` of the version Khet read (that content existed then); the history keeps
the earliest of each. Which one decides timeliness is a district setting (``policy``): ``"data"`` (a, the
default: a report sent on time with one wrong cell is on time and *needs correction*) or ``"valid"`` (b: only a
report without errors counts as sent).

On time = the decisive time is on or before the **end of the due date** (23:59:59 Asia/Bangkok; a due date on a
weekend or holiday moves to the next working day, as ``addin.status`` has it) **plus the grace days** (calendar
days). After that moment an unsent report is *missing* (ไม่ส่ง) at once; between the due date and the end of the
grace days it is *overdue* (still on time if it comes now). A report that comes after it was missing is *late*.

Two other sources of a submission time, each marked wherever it is shown:
- a staff **override** (paper, e-mail, an e-office letter, or a correction of a wrongly dated one) wins over
  everything and is shown as such;
- the school's own **claim** (its typed ``วันที่ส่ง``) is accepted only for a report due before tracking started
  (or before the school's sheet existed), when it is not in the future and not later than the first evidence;
  it is then marked "ตามที่โรงเรียนแจ้ง". After tracking started a claim is only shown beside the evidence; one
  more than ``CLAIM_TOLERANCE_DAYS`` earlier than the evidence is flagged in the school's feedback, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from addin.calendar import fiscal_year_bounds
from addin.status import DEFAULT_SOON_DAYS, TIMEZONE, Status
from addin.workdays import workday_on_or_after, workdays_between

POLICY_DATA = "data"      # (a) confirmed with data and no sheet-level error
POLICY_VALID = "valid"    # (b) confirmed and valid
POLICIES = (POLICY_DATA, POLICY_VALID)
DEFAULT_POLICY = POLICY_DATA
DEFAULT_GRACE_DAYS = 0
CLAIM_TOLERANCE_DAYS = 3  # a typed date more than this many days before the evidence is flagged

BASIS_EVIDENCE = "evidence"
BASIS_OVERRIDE = "override"
BASIS_CLAIM = "claim"
BASIS_TH = {BASIS_EVIDENCE: "ตามหลักฐานในระบบ", BASIS_OVERRIDE: "บันทึกโดยเขต", BASIS_CLAIM: "ตามที่โรงเรียนแจ้ง"}
BASIS_EN = {BASIS_EVIDENCE: "from Khet's evidence", BASIS_OVERRIDE: "recorded by the district",
            BASIS_CLAIM: "as the school reports"}

# What a typed submission date can be, besides usable.
CLAIM_FUTURE = "claim.future"
CLAIM_BEFORE_YEAR = "claim.before_year"
CLAIM_MUCH_EARLIER = "claim.much_earlier"


def bangkok(ts: datetime) -> datetime:
    """An aware time in Asia/Bangkok (a naive one is taken as UTC, the history's convention). The one
    conversion: the summary's read times, the pull's message and the status rules all go through it."""
    if ts.tzinfo is None:
        from datetime import UTC

        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(TIMEZONE)


def bangkok_wall(ts: datetime) -> datetime:
    """The Bangkok wall time of an instant, naive (what a spreadsheet cell holds: it has no time zone)."""
    return bangkok(ts).replace(tzinfo=None)


def end_of_day(day: date) -> datetime:
    """23:59:59.999999 of a Bangkok day, aware."""
    return datetime.combine(day, time.max, TIMEZONE)


def effective_due(due: date) -> date:
    return workday_on_or_after(due)


def deadline_end(due: date, grace_days: int = DEFAULT_GRACE_DAYS) -> datetime:
    """The last moment a report due on ``due`` is on time: the end of its (working-day) due date plus the grace
    days, in Bangkok."""
    if grace_days < 0:
        raise ValueError(f"วันผ่อนผันติดลบไม่ได้ ({grace_days}) / grace days cannot be negative ({grace_days})")
    return end_of_day(effective_due(due) + timedelta(days=grace_days))


def on_time(submitted_at: datetime, due: date, grace_days: int = DEFAULT_GRACE_DAYS) -> bool:
    return bangkok(submitted_at) <= deadline_end(due, grace_days)


def window_closed(due: date, now: datetime, grace_days: int = DEFAULT_GRACE_DAYS) -> bool:
    """True once an unsent report is missing (ไม่ส่ง): the due date plus grace days is over."""
    return bangkok(now) > deadline_end(due, grace_days)


def deadline_days(dues, grace_days: int = DEFAULT_GRACE_DAYS) -> set[date]:
    """The days the nightly job should look more often (the daemon's tight schedule): each (working-day) due
    date, the last day of its grace, and the day after each — when a confirmation's evidence and a "missing"
    are decided."""
    days: set[date] = set()
    for due in dues:
        for day in {effective_due(due), deadline_end(due, grace_days).date()}:
            days |= {day, day + timedelta(days=1)}
    return days


@dataclass(frozen=True)
class Evidence:
    """The earliest provable times of one school × report × fiscal year (None: never seen so)."""

    with_data: datetime | None = None   # (a)
    valid: datetime | None = None       # (b)

    def decisive(self, policy: str = DEFAULT_POLICY) -> datetime | None:
        if policy not in POLICIES:
            raise ValueError(f"ไม่รู้จักเกณฑ์การส่ง '{policy}' / unknown timeliness policy '{policy}' "
                             f"(one of {', '.join(POLICIES)})")
        return self.with_data if policy == POLICY_DATA else self.valid

    @property
    def first(self) -> datetime | None:
        times = [t for t in (self.with_data, self.valid) if t is not None]
        return min(times) if times else None


@dataclass(frozen=True)
class Decision:
    """Where one report stands tonight."""

    status: Status
    submitted_at: datetime | None      # the decisive time (aware), None when not sent
    basis: str | None                  # evidence | override | claim
    needs_correction: bool             # sent (or confirmed with data) but its rows have errors now
    deadline: datetime                 # end of due date + grace days

    @property
    def submitted_on(self) -> date | None:
        return None if self.submitted_at is None else bangkok(self.submitted_at).date()


def decide(due: date, now: datetime, *, evidence: Evidence = Evidence(), policy: str = DEFAULT_POLICY,
           grace_days: int = DEFAULT_GRACE_DAYS, has_errors: bool = False, override: datetime | None = None,
           claim: datetime | None = None, soon_days: int = DEFAULT_SOON_DAYS) -> Decision:
    """One report's status from its due date, the evidence, an override (wins) and an accepted claim (see
    :func:`accepted_claim`; used only when there is no evidence time, or an earlier one)."""
    end = deadline_end(due, grace_days)
    at, basis = evidence.decisive(policy), BASIS_EVIDENCE
    if claim is not None and (at is None or claim < at):
        at, basis = claim, BASIS_CLAIM
    if override is not None:
        at, basis = override, BASIS_OVERRIDE
    if at is None:
        basis = None
    correction = has_errors and (at is not None or evidence.with_data is not None)
    if at is not None:
        st = Status.ON_TIME if bangkok(at) <= end else Status.LATE
    else:
        here = bangkok(now)
        today, shown_due = here.date(), effective_due(due)
        if here > end:
            st = Status.MISSING
        elif today > shown_due:
            st = Status.OVERDUE
        elif workdays_between(today, shown_due) <= soon_days:
            st = Status.DUE_SOON
        else:
            st = Status.NOT_YET_DUE
    return Decision(st, at, basis, correction, end)


@dataclass(frozen=True)
class ClaimCheck:
    """What a typed submission date is worth: ``accepted`` (a time to use), or a ``problem`` code (a finding at
    its cell or a flag in the feedback), or neither (shown beside the evidence only)."""

    accepted: datetime | None = None
    problem: str | None = None


def check_claim(typed: date | None, *, fiscal_year: int, due: date, today: date, tracking_start: date,
                first_evidence: datetime | None, sheet_since: date | None = None) -> ClaimCheck:
    """The claim rule (module docstring). ``sheet_since``: the Bangkok date the school's sheet was first read
    (a school that joined mid-year). Unreadable dates never get here: validation rejects them at their cell."""
    if typed is None:
        return ClaimCheck()
    if typed > today:
        return ClaimCheck(problem=CLAIM_FUTURE)
    if typed < fiscal_year_bounds(fiscal_year)[0]:
        return ClaimCheck(problem=CLAIM_BEFORE_YEAR)
    evidence_day = None if first_evidence is None else bangkok(first_evidence).date()
    started = max(tracking_start, sheet_since or tracking_start)
    if due < started:
        if evidence_day is None or typed <= evidence_day:
            return ClaimCheck(accepted=end_of_day(typed))
        return ClaimCheck()
    if evidence_day is not None and (evidence_day - typed).days > CLAIM_TOLERANCE_DAYS:
        return ClaimCheck(problem=CLAIM_MUCH_EARLIER)
    return ClaimCheck()
