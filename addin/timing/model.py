"""The values of the timing engine: a parsed rule, its parts, its occurrences, durations and the error.

A `Rule` is what a timing phrase means, independent of any year; `occurrences()` (evaluate.py) turns it into
dates for one fiscal year. Parts are small frozen dataclasses so a rule is hashable and its evaluation can be
cached per (rule, fiscal year, reference date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workbook.errors import KhetError


class TimingError(KhetError, ValueError):
    """A phrase the engine cannot read (or cannot evaluate without more input). Never a silent wrong date."""

    def __init__(self, phrase: str, code: str, message_th: str, message_en: str):
        super().__init__(code, message_th, message_en, phrase=phrase)
        self.phrase = phrase

    def __reduce__(self):  # picklable across processes (xdist, multiprocessing in the nightly job)
        return (TimingError, (self.phrase, self.code, self.message_th, self.message_en))

    def as_dict(self) -> dict:
        return {"phrase": self.phrase, "code": self.code, "message_th": self.message_th,
                "message_en": self.message_en}


UNITS = ("minute", "day", "month")


@dataclass(frozen=True)
class Duration:
    """How long a step takes. Day counts are working days unless the phrase says calendar days
    (วันปฏิทิน) — the convention of Thai government service standards."""

    amount: int
    unit: str  # "minute" | "day" | "month"
    working_days: bool = False

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        if self.working_days and self.unit != "day":
            raise ValueError("only day counts can be working days")

    @property
    def text_th(self) -> str:
        if self.unit == "minute":
            return f"{self.amount} นาที"
        if self.unit == "month":
            return f"{self.amount} เดือน"
        return f"{self.amount} {'วันทำการ' if self.working_days else 'วัน'}"


@dataclass(frozen=True)
class Occurrence:
    label_th: str
    start: date | None
    due: date | None
    note_th: str = ""
    working_days: bool = False


# --- rule parts (each evaluates on its own; a rule's occurrences are its parts' occurrences in order) -------


@dataclass(frozen=True)
class Span:
    """Calendar months start_month..end_month (a single month when equal). `deadline_only`: 'ภายในเดือน X'
    — only the end matters."""

    start_month: int
    end_month: int
    deadline_only: bool = False


@dataclass(frozen=True)
class DayOfMonth:
    """A day of a month in the fiscal year ('ภายในวันที่ 15 พฤษภาคม'); `before` = 'ก่อนวันที่ …' (the day before)."""

    day: int
    month: int
    before: bool = False


@dataclass(frozen=True)
class OnDate:
    """A date written with its year ('ภายใน 30 ก.ย. 68')."""

    when: date
    before: bool = False


@dataclass(frozen=True)
class DayRange:
    """From one day to another ('1 ต.ค. - 30 พ.ย.', 'ระหว่างวันที่ 1-15 พฤษภาคม'); each end a DayOfMonth or
    OnDate. Without years the range ends in the fiscal year and starts on or before its end."""

    first: DayOfMonth | OnDate
    last: DayOfMonth | OnDate


@dataclass(frozen=True)
class FiscalYearLong:
    """Continuous work: the whole fiscal year."""

    label_th: str = "ตลอดปีงบประมาณ"


@dataclass(frozen=True)
class Weekly:
    times: int = 1


@dataclass(frozen=True)
class Weekday:
    """Every given weekday of the fiscal year ('ทุกวันศุกร์'); 0 = Monday … 6 = Sunday."""

    weekday: int


@dataclass(frozen=True)
class Periods:
    """Consecutive periods of the fiscal year ending at the given fiscal months (1 = October … 12 = September).
    `offset`: due is that long after each period end (the window opens the day after the period ends), or
    that long before it when `before` ('ก่อนสิ้นปีงบประมาณ 30 วัน').
    `style`: how occurrences are labelled ("quarter", "round", "month", "range")."""

    ends: tuple[int, ...]
    style: str = "round"
    offset: Duration | None = None
    before: bool = False


@dataclass(frozen=True)
class Semesters:
    """The semesters (ภาคเรียน 1 and/or 2) that end inside the fiscal year, with the same offset reading as
    Periods. A fiscal year holds the two semesters of the academic year that began the May before it."""

    numbers: tuple[int, ...] = (1, 2)
    offset: Duration | None = None
    before: bool = False


@dataclass(frozen=True)
class MonthsOf:
    """Whole-month windows recurring every `every` months through `anchor` ('พฤศจิกายน ทุก 6 เดือน')."""

    anchor: int
    every: int


@dataclass(frozen=True)
class MonthlyDay:
    """Day `day` of every month (or of the following month: `next_month`)."""

    day: int
    next_month: bool = False


@dataclass(frozen=True)
class Relative:
    """Relative to a reference date given at evaluation: `before` that long before it (None: no 'before'
    part), `within_after` a deadline that long after it, `after` an open 'after the event' step."""

    event_th: str
    before: Duration | None = None
    within_after: Duration | None = None
    after: bool = False


Part = (Span | DayOfMonth | OnDate | DayRange | FiscalYearLong | Weekly | Weekday | Periods | Semesters | MonthsOf
        | MonthlyDay | Relative)

KINDS = ("window", "deadline", "recurring", "weekly", "monthly", "duration", "continuous", "relative")


@dataclass(frozen=True)
class Rule:
    """What a timing phrase means. kind is one of KINDS; `duration` is the stated effort ('2 วัน (พฤษภาคม)')
    or, for kind "duration", the whole rule."""

    phrase: str
    kind: str
    parts: tuple = ()
    duration: Duration | None = None
    note_th: str = ""
