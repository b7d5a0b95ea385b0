"""Thai government working days: Monday–Friday minus public and government holidays (the `holidays` package,
categories "public" and "government", Thai names) minus the office's own extra days from
`addin/data/extra_holidays.csv` (path overridable with the env var KHET_EXTRA_HOLIDAYS), which staff edit
without touching code. A row of kind "workday" there makes a date a working day whatever else says (a
Saturday the cabinet turns into a working day, or a holiday that was cancelled).

How days are counted — the rule of พ.ร.บ.วิธีปฏิบัติราชการทางปกครอง ม.64 that service standards follow
("ภายใน 7 วันทำการ"): the day something arrives is not counted, counting starts the next day.
- workdays_between(start, end) = working days in (start, end]: after start, up to and including end.
  A request received on Friday 3 Oct 2568 and answered on Tuesday 7 Oct took 2 working days.
  Negative when end < start. add_workdays(start, workdays_between(start, end)) == end for a working-day end.
- workdays_in_range(first, last) = working days in [first, last], both ends (days in a month, a quarter).
- add_workdays(start, n): the n-th working day after start (n < 0: the n-th before it); n == 0 gives start.
- next_workday(d) is strictly after d; workday_on_or_after(d) is d itself when d is a working day.

Every date argument is anything addin.thaidate.parse_date accepts. The *_array versions take numpy/pandas
arrays and use numpy's busday functions on holiday_array(); their results equal the scalar functions'.
"""

from __future__ import annotations

import bisect
import csv
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays as holidays_pkg
import numpy as np
import pandas as pd

from addin.calendar import as_ce_year
from addin.cells import read_csv_text
from addin.thaidate import ThaiDateError, as_day_array, parse_date
from workbook.errors import KhetError

DEFAULT_EXTRA_PATH = Path(__file__).parent / "data" / "extra_holidays.csv"
ENV_EXTRA_PATH = "KHET_EXTRA_HOLIDAYS"
CATEGORIES = ("public", "government")
WEEKMASK = "1111100"
# About 190 years of working days: anything larger is a typo, and would build holiday tables for millennia.
MAX_SHIFT = 50_000

_KINDS = {"holiday": "holiday", "วันหยุด": "holiday", "หยุด": "holiday",
          "workday": "workday", "วันทำการ": "workday", "ทำงาน": "workday", "ทำการ": "workday"}
_HEADER = {"date": "date", "วันที่": "date", "name": "name", "ชื่อ": "name", "ชื่อวัน": "name",
           "ชื่อวันหยุด": "name", "kind": "kind", "ประเภท": "kind"}


class ExtraHolidaysError(KhetError, ValueError):
    """The extra-days file has rows that cannot be used; `problems` lists each as Thai / English with its line."""

    code = "extra_holidays.invalid"

    def __init__(self, path: Path, problems: list[str]):
        listed = "".join(f"\n  - {p}" for p in problems)
        super().__init__(None, f"ไฟล์วันหยุดเพิ่มเติมมีข้อผิดพลาด: {path}{listed}",
                         f"the extra holidays file has errors: {path}", path=str(path))
        self.path = path
        self.problems = problems

    def __str__(self) -> str:
        return (f"ไฟล์วันหยุดเพิ่มเติมมีข้อผิดพลาด / the extra holidays file has errors: {self.path}\n"
                + "\n".join(f"  - {p}" for p in self.problems))


@dataclass(frozen=True)
class ExtraDays:
    path: Path | None
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)


def extra_days_path() -> Path:
    return Path(os.environ.get(ENV_EXTRA_PATH) or DEFAULT_EXTRA_PATH)


def _read_text(path: Path) -> str:
    try:
        return read_csv_text(path)
    except UnicodeDecodeError:
        problem = ("อ่านไฟล์ไม่ได้: ไม่ใช่ UTF-8 หรือ TIS-620 (บันทึกใหม่เป็น CSV UTF-8) / "
                   "cannot decode the file: neither UTF-8 nor TIS-620 (save it as CSV UTF-8)")
        raise ExtraHolidaysError(path, [problem]) from None


def load_extra_days(path: Path | str | None = None) -> ExtraDays:
    """Read the extra-days file. Lines starting with # are comments; the header names the columns
    (date,name,kind or วันที่,ชื่อ,ประเภท); kind is holiday (default) or workday. Every bad row is reported
    at once (line, column, value) instead of being skipped, so a typo never silently moves a deadline."""
    path = Path(path) if path is not None else extra_days_path()
    if not path.exists():
        if path == DEFAULT_EXTRA_PATH:  # an install without the data file simply has no extra days
            return ExtraDays(None)
        raise ExtraHolidaysError(path, [f"ไม่พบไฟล์ / file not found: {path}"])
    lines = [(n, line) for n, line in enumerate(_read_text(path).splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    problems: list[str] = []
    hol: dict[date, str] = {}
    work: dict[date, str] = {}
    if not lines:
        return ExtraDays(path)
    rows = [next(csv.reader([line])) for _, line in lines]  # one row per line keeps line numbers true
    header = [_HEADER.get(c.strip().lower(), "") for c in rows[0]]
    if "date" not in header:
        raise ExtraHolidaysError(path, [f"บรรทัด {lines[0][0]}: แถวแรกต้องเป็นหัวตาราง date,name,kind / "
                                        f"line {lines[0][0]}: the first row must be the header date,name,kind "
                                        f"(got {','.join(rows[0])})"])
    col = {name: header.index(name) for name in ("date", "name", "kind") if name in header}
    for (lineno, _), row in zip(lines[1:], rows[1:], strict=True):
        if not any(c.strip() for c in row):  # Excel writes an empty row as ",,"
            continue

        def cell(name, row=row):
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        try:
            d = parse_date(cell("date"))
        except ThaiDateError as e:
            problems.append(f"บรรทัด {lineno} คอลัมน์ date: {e.message_th} / line {lineno} column date: {e.message_en}")
            continue
        kind = _KINDS.get(cell("kind").lower() or "holiday")
        if kind is None:
            problems.append(f'บรรทัด {lineno} คอลัมน์ kind: "{cell("kind")}" ต้องเป็น holiday หรือ workday / '
                            f'line {lineno} column kind: "{cell("kind")}" must be holiday or workday')
            continue
        name = cell("name") or ("วันหยุดของสำนักงาน" if kind == "holiday" else "วันทำการพิเศษ")
        mine, other = (hol, work) if kind == "holiday" else (work, hol)
        if d in other:
            problems.append(f"บรรทัด {lineno}: {d.isoformat()} เป็นทั้งวันหยุดและวันทำการ / line {lineno}: "
                            f"{d.isoformat()} is listed both as a holiday and as a workday")
            continue
        mine[d] = f"{mine[d]}; {name}" if d in mine else name
    if problems:
        raise ExtraHolidaysError(path, problems)
    return ExtraDays(path, hol, work)


@lru_cache(maxsize=512)
def _package_holidays(year_ce: int) -> dict[date, str]:
    return dict(holidays_pkg.TH(years=year_ce, categories=CATEGORIES, language="th"))


class _Calendar:
    """Holidays for one state of the extra-days file; per-year tables are built on first use."""

    def __init__(self, extra: ExtraDays):
        self.extra = extra
        self._years: dict[int, tuple[dict[date, str], list[int], list[int]]] = {}
        self._busdaycals: dict[tuple[int, int], np.busdaycalendar] = {}
        self.weekend_workdays = np.array(sorted(d for d in extra.workdays if d.weekday() >= 5),
                                         dtype="datetime64[D]")

    def year(self, y: int) -> tuple[dict[date, str], list[int], list[int]]:
        """(holidays by date, ordinals of weekday holidays, ordinals of weekend working days) in CE year y."""
        if y not in self._years:
            hol = dict(_package_holidays(y))
            for d, name in self.extra.holidays.items():
                if d.year == y:
                    hol[d] = f"{hol[d]}; {name}" if d in hol else name
            for d in self.extra.workdays:
                hol.pop(d, None)
            closed = sorted(d.toordinal() for d in hol if d.weekday() < 5)
            opened = sorted(d.toordinal() for d in self.extra.workdays if d.year == y and d.weekday() >= 5)
            self._years[y] = (dict(sorted(hol.items())), closed, opened)
        return self._years[y]

    def is_workday(self, d: date) -> bool:
        if d.weekday() >= 5:
            return d in self.extra.workdays
        return d not in self.year(d.year)[0]

    def busdaycal(self, y0: int, y1: int) -> np.busdaycalendar:
        if (y0, y1) not in self._busdaycals:
            self._busdaycals[(y0, y1)] = np.busdaycalendar(weekmask=WEEKMASK, holidays=self.holiday_array(y0, y1))
        return self._busdaycals[(y0, y1)]

    def holiday_array(self, y0: int, y1: int) -> np.ndarray:
        days = [d for y in range(y0, y1 + 1) for d in self.year(y)[0]]
        return np.array(days, dtype="datetime64[D]")


@lru_cache(maxsize=4)
def _calendar_for(key: tuple) -> _Calendar:
    return _Calendar(load_extra_days(key[0]))


def _calendar() -> _Calendar:
    """The calendar for the extra-days file as it is now: an edited file is picked up without a restart."""
    path = extra_days_path()
    try:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        key = (str(path), None, None)
    return _calendar_for(key)


# --- scalar ------------------------------------------------------------------------------------------------


def holidays_between(start, end) -> dict[date, str]:
    """Every holiday in [start, end] (weekends included when a holiday falls on one), Thai names, by date."""
    s, e = parse_date(start), parse_date(end)
    cal = _calendar()
    return {d: n for y in range(s.year, e.year + 1) for d, n in cal.year(y)[0].items() if s <= d <= e}


def holiday_name(d) -> str | None:
    d = parse_date(d)
    return _calendar().year(d.year)[0].get(d)


def is_workday(d) -> bool:
    return _calendar().is_workday(parse_date(d))


def _weekdays_upto(ordinal: int) -> int:
    """Mon–Fri days with ordinal in [1, ordinal]; ordinal 1 (0001-01-01) is a Monday."""
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def workdays_between(start, end) -> int:
    """Working days in (start, end]: the start day is not counted (see the module docstring)."""
    s, e = parse_date(start), parse_date(end)
    if e < s:
        return -workdays_between(e, s)
    cal = _calendar()
    lo, hi = s.toordinal(), e.toordinal()
    n = _weekdays_upto(hi) - _weekdays_upto(lo)
    for y in range(s.year, e.year + 1):
        _, closed, opened = cal.year(y)
        n -= bisect.bisect_right(closed, hi) - bisect.bisect_right(closed, lo)
        n += bisect.bisect_right(opened, hi) - bisect.bisect_right(opened, lo)
    return n


def workdays_in_range(first, last) -> int:
    """Working days in [first, last], both ends counted (0 when last < first)."""
    f, la = parse_date(first), parse_date(last)
    return max(0, workdays_between(f - timedelta(days=1), la))


def _check_shift(largest: int) -> None:
    if largest > MAX_SHIFT:
        raise ValueError(f"จำนวนวันทำการมากเกินไป ({largest:,} > {MAX_SHIFT:,}) / "
                         f"too many working days to add ({largest:,} > {MAX_SHIFT:,})")


def add_workdays(start, n: int) -> date:
    """The n-th working day after start (before it when n < 0); start itself when n == 0."""
    d = parse_date(start)
    _check_shift(abs(int(n)))
    cal = _calendar()
    step = timedelta(days=1 if n > 0 else -1)
    left = abs(int(n))
    while left:
        d += step
        if cal.is_workday(d):
            left -= 1
    return d


def next_workday(d) -> date:
    """The first working day strictly after d."""
    return add_workdays(d, 1)


def previous_workday(d) -> date:
    """The last working day strictly before d."""
    return add_workdays(d, -1)


def workday_on_or_after(d) -> date:
    d = parse_date(d)
    return d if is_workday(d) else next_workday(d)


def workday_on_or_before(d) -> date:
    d = parse_date(d)
    return d if is_workday(d) else previous_workday(d)


# --- vectorized --------------------------------------------------------------------------------------------


def holiday_array(start_year: int, end_year: int) -> np.ndarray:
    """Sorted datetime64[D] holidays of years start_year..end_year (CE, or BE when ≥ 2400), package and extra
    file merged, "workday" rows removed — the list numpy's busday functions need."""
    return _calendar().holiday_array(as_ce_year(start_year), as_ce_year(end_year))


def _year_span(days: np.ndarray, margin_days: int = 0) -> tuple[int, int]:
    valid = days[~np.isnat(days)]
    if not valid.size:
        return 2000, 2000
    lo = (valid.min() - np.timedelta64(margin_days, "D")).astype("datetime64[Y]").astype(int) + 1970
    hi = (valid.max() + np.timedelta64(margin_days, "D")).astype("datetime64[Y]").astype(int) + 1970
    return int(lo), int(hi)


def _count(cal: _Calendar, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """workdays_between for NaT-free datetime64[D] arrays."""
    y0, y1 = _year_span(np.concatenate([s.ravel(), e.ravel()]))
    one = np.timedelta64(1, "D")
    # numpy counts a reversed range differently ((end, begin] shifted by a day), so count forwards and sign.
    lo, hi = np.minimum(s, e), np.maximum(s, e)
    n = np.busday_count(lo + one, hi + one, busdaycal=cal.busdaycal(y0, y1))
    ww = cal.weekend_workdays
    if ww.size:  # Saturdays made working days: numpy's weekmask cannot say that
        n = n + np.searchsorted(ww, hi, "right") - np.searchsorted(ww, lo, "right")
    return np.where(e < s, -n, n)


def workdays_between_array(start, end):
    """Vectorized workdays_between. numpy in → int64 ndarray (blank dates raise); pandas in → Series of
    nullable Int64 with <NA> where a date is blank, index of the first Series argument."""
    index = next((x.index for x in (start, end) if isinstance(x, pd.Series)), None)
    s, e = np.broadcast_arrays(as_day_array(start), as_day_array(end))
    missing = np.isnat(s) | np.isnat(e)
    if index is None:
        if missing.any():
            raise ValueError("มีวันที่ว่างหรืออ่านไม่ได้ / a date is blank or unreadable")
        return _count(_calendar(), s, e)
    out = np.zeros(s.shape, dtype=np.int64)
    out[~missing] = _count(_calendar(), s[~missing], e[~missing])
    result = pd.Series(out, index=index, dtype="Int64")
    result[missing] = pd.NA
    return result


def workday_on_or_after_array(days):
    """Vectorized workday_on_or_after on a datetime64[D] array (NaT stays NaT)."""
    d = as_day_array(days)
    cal = _calendar()
    out = np.busday_offset(d, 0, roll="forward", busdaycal=cal.busdaycal(*_year_span(d, 60)))
    ww = cal.weekend_workdays
    if ww.size:  # a Saturday made a working day in [d, out) is the answer: rare, so one by one
        crossing = ~np.isnat(d) & (np.searchsorted(ww, out, "left") > np.searchsorted(ww, d, "left"))
        out = out.copy()
        for i in zip(*np.nonzero(crossing), strict=True):
            out[i] = np.datetime64(workday_on_or_after(d[i]), "D")
    return out


def add_workdays_array(start, n):
    """Vectorized add_workdays. numpy in → datetime64[D] ndarray; pandas in → datetime64 Series (same index).
    Blank dates give NaT."""
    index = next((x.index for x in (start, n) if isinstance(x, pd.Series)), None)
    s, k = np.broadcast_arrays(as_day_array(start), np.asarray(n, dtype=np.int64))
    largest = int(np.abs(k).max(initial=0))
    _check_shift(largest)
    cal = _calendar()
    span = largest * 2 + 60  # calendar days that n working days can need, generously
    bc = cal.busdaycal(*_year_span(s, span))
    fwd = np.busday_offset(s, np.where(k > 0, k, 0), roll="backward", busdaycal=bc)
    back = np.busday_offset(s, np.where(k < 0, k, 0), roll="forward", busdaycal=bc)
    out = np.where(k > 0, fwd, np.where(k < 0, back, s))
    ww = cal.weekend_workdays
    if ww.size:
        # Rows whose path crosses a Saturday made a working day are rare: redo them one by one.
        lo, hi = np.minimum(s, out), np.maximum(s, out)
        crossing = ~np.isnat(s) & (np.searchsorted(ww, hi, "right") > np.searchsorted(ww, lo, "left"))
        out = out.copy()
        for i in zip(*np.nonzero(crossing), strict=True):
            out[i] = np.datetime64(add_workdays(s[i], int(k[i])), "D")
    if index is None:
        return out
    return pd.Series(out.astype("datetime64[ns]"), index=index)
