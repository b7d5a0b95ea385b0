"""The Thai fiscal and academic calendar: fiscal years, quarters, reporting rounds, semesters, BE/CE, Thai
month names and Thai digits.

Every year a user sees is Buddhist Era (BE = CE + 543). A fiscal year is named by the BE year in which it
ends: FY 2568 = 2024-10-01 … 2025-09-30. Functions take and return `datetime.date` and BE ints.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

BE_OFFSET = 543
BE_THRESHOLD = 2400  # a four-digit year from 2400 up is BE (CE 1857); anything smaller is CE
DATA_DIR = Path(__file__).parent / "data"

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
# English names: English messages, and the dates and phrases of CE documents.
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)


def to_arabic_digits(text: str) -> str:
    """'๑๔ ก.พ. ๒๕๖๖' -> '14 ก.พ. 2566'."""
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    """'14 ก.พ. 2566' -> '๑๔ ก.พ. ๒๕๖๖'."""
    return str(text).translate(_TO_THAI)


def be_to_ce(year_be: int) -> int:
    return year_be - BE_OFFSET


def ce_to_be(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def as_be_year(year: int) -> int:
    """A four-digit year as typed, in BE: from BE_THRESHOLD up it already is; a smaller one is CE typed by
    habit (2025 -> 2568)."""
    return year if year >= BE_THRESHOLD else ce_to_be(year)


def as_ce_year(year: int) -> int:
    """A four-digit year as typed, in CE (2568 -> 2025, 2025 -> 2025)."""
    return be_to_ce(as_be_year(year))


def month_name(month: int, abbr: bool = False) -> str:
    return (THAI_MONTHS_ABBR if abbr else THAI_MONTHS)[month - 1]


# --- fiscal year ---------------------------------------------------------------------------------------


def fiscal_year(d: date) -> int:
    """The BE fiscal year that contains `d`."""
    return ce_to_be(d.year + (1 if d.month >= 10 else 0))


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """(1 Oct of the previous CE year, 30 Sep) of fiscal year `fy_be`."""
    end_ce = be_to_ce(fy_be)
    return date(end_ce - 1, 10, 1), date(end_ce, 9, 30)


def fiscal_month(month: int) -> int:
    """Calendar month -> its place in the fiscal year (October = 1 … September = 12)."""
    return (month - 10) % 12 + 1


def calendar_month(fiscal_month_no: int) -> int:
    """Place in the fiscal year (1 = October … 12 = September) -> calendar month."""
    return (fiscal_month_no + 8) % 12 + 1


def fiscal_quarter(d: date) -> int:
    """1 = Oct–Dec, 2 = Jan–Mar, 3 = Apr–Jun, 4 = Jul–Sep."""
    return (fiscal_month(d.month) - 1) // 3 + 1


def fiscal_month_date(fy_be: int, month: int, day: int = 1) -> date:
    """The date of `day`/`month` that falls inside fiscal year `fy_be` (Oct–Dec belong to the previous CE year)."""
    end_ce = be_to_ce(fy_be)
    return date(end_ce - 1 if month >= 10 else end_ce, month, day)


def quarter_bounds(fy_be: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"ไตรมาสต้องเป็น 1–4 / quarter must be 1–4, got {quarter!r}")
    start = fiscal_month_date(fy_be, calendar_month(3 * quarter - 2))
    end = month_end(fiscal_month_date(fy_be, calendar_month(3 * quarter)))
    return start, end


def reporting_round_bounds(fy_be: int, months: int) -> tuple[date, date]:
    """รอบ 6 เดือน = 1 Oct – 31 Mar; รอบ 12 เดือน = the whole fiscal year. (3 and 9 months for the
    quarterly e-MES rounds.)"""
    if months not in (3, 6, 9, 12):
        raise ValueError(f"รอบรายงานต้องเป็น 3/6/9/12 เดือน / round must be 3, 6, 9 or 12 months, got {months!r}")
    start, _ = fiscal_year_bounds(fy_be)
    return start, quarter_bounds(fy_be, months // 3)[1]


def month_end(d: date) -> date:
    """The last day of `d`'s month."""
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


# --- academic year ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcademicYear:
    year_be: int
    start: date
    semester1: tuple[date, date]
    semester2: tuple[date, date]
    end: date


@lru_cache(maxsize=1)
def _academic_overrides() -> dict[int, dict]:
    """Per-year dates from data/academic_years.toml, which staff edit when the ministry moves a term."""
    path = DATA_DIR / "academic_years.toml"
    if not path.exists():
        return {}
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {int(k): v for k, v in raw.get("year", {}).items()}


def academic_year_dates(year_be: int) -> AcademicYear:
    """Defaults from the domain README (16 May – 11 Oct, 1 Nov – 1 Apr), overridable per year."""
    ce = be_to_ce(year_be)
    s1 = (date(ce, 5, 16), date(ce, 10, 11))
    s2 = (date(ce, 11, 1), date(ce + 1, 4, 1))
    over = _academic_overrides().get(year_be, {})
    s1 = (over.get("semester1_start", s1[0]), over.get("semester1_end", s1[1]))
    s2 = (over.get("semester2_start", s2[0]), over.get("semester2_end", s2[1]))
    next_start = _academic_overrides().get(year_be + 1, {}).get("semester1_start", date(ce + 1, 5, 16))
    return AcademicYear(year_be, s1[0], s1, s2, date.fromordinal(next_start.toordinal() - 1))


def academic_year(d: date) -> int:
    """The BE academic year containing `d` (a year starts on its semester-1 start date)."""
    this_be = ce_to_be(d.year)
    return this_be if d >= academic_year_dates(this_be).start else this_be - 1


def semester(d: date) -> int | None:
    """1 or 2, or None in a break between semesters."""
    ay = academic_year_dates(academic_year(d))
    if ay.semester1[0] <= d <= ay.semester1[1]:
        return 1
    if ay.semester2[0] <= d <= ay.semester2[1]:
        return 2
    return None
