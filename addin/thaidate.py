"""Thai dates as people type them, and back: the one parser every sheet, cell and CLI argument goes through.

Accepted (digits Arabic or Thai, any spacing, NBSP and zero-width characters ignored):
    14 ก.พ. 66 · 14 ก.พ. 2566 · ๑๔ กุมภาพันธ์ ๒๕๖๖ · 14 กุมภา 66 · 14 Feb 2023 · 14/02/2566 · 14-10-2566 ·
    14.02.66 · 1/10/68 · วันที่ 1 ตุลาคม พ.ศ. 2567 · วันอังคารที่ 14 ก.พ. 2566 · 2023-02-14 · 2023-02-14T08:30 ·
    14/02/2023 · 14/02/2566 10.30 น. · Excel/Google serial numbers · date, datetime, pandas Timestamp,
    numpy datetime64.

Rules (from the domain README): the day comes before the month; a two-digit year is BE (66 → 2566, so 00–99
cover BE 2500–2599 = 1957–2056); a four-digit year of 2400 or more is BE, anything smaller is CE (2400 itself
is read as BE so every date of BE 2400–2700 round-trips). A time of day after the date is ignored. Anything
impossible or incomplete raises ThaiDateError with a Thai and an English message quoting the input — the parser
never guesses a missing day, month or year.

Accepted range: BE 2400–2700 (CE 1857–2157). Serial numbers (days since 1899-12-30, the Excel/Google epoch)
are accepted from 1 Jan 1920 (serial 7306) to 31 Dec 2157: smaller numbers in a date cell are almost always a
year (2566) or a count typed in the wrong column, not a date from before 1920. A string of digits only is read
as a serial too (CSV exports of date cells), under the same range.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from addin.calendar import (
    BE_THRESHOLD,
    MONTHS_EN,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    be_to_ce,
    ce_to_be,
    to_arabic_digits,
    to_thai_digits,
)
from addin.cells import INVISIBLE, is_blank
from workbook.errors import KhetError

SERIAL_EPOCH = date(1899, 12, 30)
MIN_DATE = date(be_to_ce(2400), 1, 1)
MAX_DATE = date(be_to_ce(2700), 12, 31)
MIN_SERIAL = (date(1920, 1, 1) - SERIAL_EPOCH).days
MAX_SERIAL = (MAX_DATE - SERIAL_EPOCH).days

WEEKDAYS_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

STYLES = ("short", "long", "numeric", "iso", "official")


class ThaiDateError(KhetError, ValueError):
    """A value that is not one certain date. `code` is a stable English key; both messages quote the input."""

    def __init__(self, raw, code: str, message_th: str, message_en: str):
        super().__init__(code, message_th, message_en)
        self.raw = raw

    def __reduce__(self):  # picklable across processes (xdist, multiprocessing)
        return (type(self), (self.raw, self.code, self.message_th, self.message_en))


def _quote(raw) -> str:
    return '""' if raw is None else f'"{raw}"'


def _error(raw, code: str, th: str, en: str) -> ThaiDateError:
    q = _quote(raw)
    return ThaiDateError(raw, code, f"{th}: {q}", f"{en}: {q}")


# --- month names -------------------------------------------------------------------------------------------

# Colloquial short forms ("14 กุมภา 66") are what people actually type; English names come from CE documents.
_COLLOQUIAL = ("มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา", "กันยา", "ตุลา",
               "พฤศจิกา", "ธันวา")


def _abbr_pattern(abbr: str) -> str:
    # "ก.พ." also typed "ก.พ", "กพ", "ก. พ." — dots optional, spaces allowed after a dot.
    parts = [p for p in abbr.split(".") if p]
    return r"\.?\s*".join(re.escape(p) for p in parts) + r"\.?"


def _month_alternatives() -> list[tuple[str, int]]:
    alts: list[tuple[str, int, int]] = []  # (regex, month, length of the written form)
    for i in range(12):
        m = i + 1
        full = THAI_MONTHS[i]
        alts.append((re.escape(full), m, len(full)))
        if full.endswith("์"):  # "กุมภาพันธ" typed without the thanthakhat
            alts.append((re.escape(full[:-1]), m, len(full) - 1))
        alts.append((re.escape(_COLLOQUIAL[i]), m, len(_COLLOQUIAL[i])))
        alts.append((_abbr_pattern(THAI_MONTHS_ABBR[i]), m, len(THAI_MONTHS_ABBR[i])))
        alts.append((re.escape(MONTHS_EN[i]), m, len(MONTHS_EN[i])))
        alts.append((re.escape(MONTHS_EN[i][:3]) + r"\.?", m, 3))
    alts.append((r"Sept\.?", 9, 4))
    # Longest written form first so "มกราคม" wins over "มกรา" and "June" over "Jun".
    return [(p, m) for p, m, _ in sorted(alts, key=lambda a: -a[2])]


def _word_key(word: str) -> str:
    return re.sub(r"[\s.]", "", word).lower()


_MONTH_WORDS = {
    _word_key(form): i + 1
    for i in range(12)
    for form in (THAI_MONTHS[i], THAI_MONTHS[i].rstrip("\u0e4c"), _COLLOQUIAL[i], THAI_MONTHS_ABBR[i],
                 MONTHS_EN[i], MONTHS_EN[i][:3])
} | {"sept": 9}
_MONTH_ALTS = _month_alternatives()
_MONTH_RE = re.compile("|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(_MONTH_ALTS)), re.IGNORECASE)
_MONTH_OF_GROUP = {f"m{i}": m for i, (_, m) in enumerate(_MONTH_ALTS)}

# --- the shapes of a typed date ----------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_WEEKDAY_NAMES = "อาทิตย์|จันทร์|อังคาร|พุธ|พฤหัสบดี|พฤหัส|ศุกร์|เสาร์"
_WEEKDAY_INDEX = {"จันทร์": 0, "อังคาร": 1, "พุธ": 2, "พฤหัสบดี": 3, "พฤหัส": 3, "ศุกร์": 4, "เสาร์": 5, "อาทิตย์": 6}
_PREFIX = re.compile(rf"^(?:ณ\s*)?(?:วัน\s*(?P<wd>{_WEEKDAY_NAMES})?\s*)?(?:ที่\s*)?")
_TIME_SUFFIX = re.compile(
    r"(?:[T\s]+|\s*,\s*)(?:เวลา\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:น\.?|นาฬิกา|[AaPp]\.?[Mm]\.?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?$"
)
_ISO = re.compile(r"^(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d+)$")
_TWO_PARTS = re.compile(r"^(\d{1,4})\s*[-/.]\s*(\d{1,4})$")
_ERA = r"(?P<era>พ\.?\s*ศ\.?|ค\.?\s*ศ\.?|B\.?E\.?|A\.?D\.?|C\.?E\.?)?"
# Official letters write "วันที่ ๑๔ เดือน กุมภาพันธ์ ปี พ.ศ. ๒๕๖๖"; the words เดือน and ปี are optional.
_BEFORE_MONTH = re.compile(r"^(?P<day>\d{1,2})?\s*(?:เดือน)?\s*[-/.,]?\s*$")
_AFTER_MONTH = re.compile(rf"^[-/.,]?\s*(?:ปี)?\s*{_ERA}\s*(?P<year>\d+)?$", re.IGNORECASE)
_DAY_WORD_YEAR = re.compile(
    rf"^(?P<day>\d{{1,2}})\s*(?:เดือน)?\s*(?P<word>[^\d\s][^\d]*?)\s*[-/.,]?\s*(?:ปี)?\s*{_ERA}\s*(?P<year>\d+)$",
    re.IGNORECASE,
)
_DIGITS_ONLY = re.compile(r"^\d+(?:\.\d+)?$")
_TEXT_DATE = re.compile(r"^(?P<day>\d{1,2})\s*(?P<word>[^\d\s]\S*?)\s*(?P<year>\d{2}|\d{4})?$")


def normalize_text(text: str) -> str:
    """Thai digits to Arabic, invisible characters out, any run of spaces (NBSP included) to one space."""
    return _SPACES.sub(" ", to_arabic_digits(text).translate(INVISIBLE)).strip()


def _year(raw, text_year: str, era: str | None) -> int:
    """The CE year for a typed year: 2 digits = BE 25xx, ≥ 2400 = BE, else CE; an era word must agree."""
    era_kind = None
    if era:
        e = re.sub(r"[\s.]", "", era).upper()
        era_kind = "BE" if e in ("พศ", "BE") else "CE"
    n = int(text_year)
    if len(text_year) == 2:
        if era_kind == "CE":
            raise _error(raw, "unreadable", "ปี ค.ศ. ต้องเขียนครบ 4 หลัก", "a CE year must have 4 digits")
        return be_to_ce(2500 + n)
    if len(text_year) != 4:
        raise _error(raw, "unreadable", "ปีต้องมี 2 หรือ 4 หลัก", "the year must have 2 or 4 digits")
    is_be = n >= BE_THRESHOLD
    if era_kind == "BE" and not is_be:
        raise _error(raw, "era_mismatch", f"ปี พ.ศ. {n} ไม่ถูกต้อง (ปี พ.ศ. ต้องตั้งแต่ {BE_THRESHOLD})",
                     f"{n} is not a Buddhist Era year (BE years start at {BE_THRESHOLD})")
    if era_kind == "CE" and is_be:
        raise _error(raw, "era_mismatch", f"ปี ค.ศ. {n} ไม่ถูกต้อง (ดูเหมือนปี พ.ศ.)",
                     f"{n} is not a CE year (it looks like a Buddhist Era year)")
    return be_to_ce(n) if is_be else n


def _make(raw, year_ce: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise _error(raw, "impossible_date", f"ไม่มีเดือนที่ {month} (วันมาก่อนเดือน)",
                     f"there is no month {month} (the day comes before the month)")
    try:
        d = date(year_ce, month, day)
    except ValueError:
        if 1 <= year_ce <= 9999:
            raise _error(raw, "impossible_date",
                         f"ไม่มีวันที่ {day} {THAI_MONTHS[month - 1]} {ce_to_be(year_ce)}",
                         f"there is no day {day} in {MONTHS_EN[month - 1]} {year_ce}") from None
        raise _out_of_range(raw) from None
    if not MIN_DATE <= d <= MAX_DATE:
        raise _out_of_range(raw)
    return d


def _out_of_range(raw) -> ThaiDateError:
    return _error(raw, "out_of_range", "วันที่อยู่นอกช่วงที่รับได้ (พ.ศ. 2400–2700)",
                  "the date is outside the accepted range (BE 2400–2700, CE 1857–2157)")


def _check_weekday(raw, d: date, wd: str | None) -> date:
    if wd and _WEEKDAY_INDEX[wd] != d.weekday():
        raise _error(raw, "weekday_mismatch",
                     f"วันที่ {format_thai_date(d, 'long')} เป็นวัน{WEEKDAYS_TH[d.weekday()]} ไม่ใช่วัน{wd}",
                     f"{d.isoformat()} is a {WEEKDAYS_EN[d.weekday()]}, not a "
                     f"{WEEKDAYS_EN[_WEEKDAY_INDEX[wd]]}")
    return d


@lru_cache(maxsize=65536)
def _parse_text(raw: str) -> date:
    text = normalize_text(raw)
    if not text:
        raise _blank(raw)
    if _DIGITS_ONLY.match(text):
        return _checked(raw, _from_number(raw, float(text)))
    text = _TIME_SUFFIX.sub("", text)
    m = _PREFIX.match(text)
    wd = m.group("wd")
    body = text[m.end():].strip()

    if m := _ISO.match(body):
        return _check_weekday(raw, _make(raw, _year(raw, m[1], None), int(m[3]), int(m[4])), wd)
    if m := _DMY.match(body):
        return _check_weekday(raw, _make(raw, _year(raw, m[3], None), int(m[2]), int(m[1])), wd)
    if m := _TWO_PARTS.match(body):
        a, b = m[1], m[2]
        if len(b) == 4 or int(b) > 12 or len(a) == 4:
            raise _error(raw, "no_day", "ไม่มีวันที่ (มีแค่เดือนและปี)", "no day of the month (only a month and year)")
        raise _error(raw, "ambiguous_no_year", "ไม่มีปี จึงระบุวันที่ไม่ได้ — กรุณาใส่ปี พ.ศ.",
                     "no year, so the date is ambiguous — please add the BE year")

    # Fast path for the usual "day month year": look the month word up instead of scanning for it.
    if (m := _DAY_WORD_YEAR.match(body)) and (month := _MONTH_WORDS.get(_word_key(m["word"]))):
        d = _make(raw, _year(raw, m["year"], m["era"]), month, int(m["day"]))
        return _check_weekday(raw, d, wd)
    mm = _MONTH_RE.search(body)
    if mm:
        before, after = _BEFORE_MONTH.match(body[: mm.start()].strip()), _AFTER_MONTH.match(body[mm.end():].strip())
        if before and after:
            month = _MONTH_OF_GROUP[mm.lastgroup]
            if not before["day"]:
                raise _error(raw, "no_day", "ไม่มีวันที่ (มีแค่เดือน/ปี)", "no day of the month (only month/year)")
            if not after["year"]:
                raise _error(raw, "ambiguous_no_year", "ไม่มีปี จึงระบุวันที่ไม่ได้ — กรุณาใส่ปี พ.ศ.",
                             "no year, so the date is ambiguous — please add the BE year")
            d = _make(raw, _year(raw, after["year"], after["era"]), month, int(before["day"]))
            return _check_weekday(raw, d, wd)
    if m := _TEXT_DATE.match(body):
        raise _error(raw, "unknown_month", f"ไม่รู้จักชื่อเดือน \"{m['word']}\"", f"unknown month name \"{m['word']}\"")
    if re.fullmatch(r"\d{4}", body):
        raise _error(raw, "no_day", "มีแค่ปี ไม่มีวันและเดือน", "only a year, no day or month")
    raise _error(raw, "unreadable", "อ่านเป็นวันที่ไม่ได้ (ตัวอย่างที่ใช้ได้: 14 ก.พ. 2566, 14/02/2566)",
                 "not a date (examples that work: 14 ก.พ. 2566, 14/02/2566, 2023-02-14)")


def _blank(raw) -> ThaiDateError:
    shown = _quote(raw if isinstance(raw, str) else "")  # NaN, NaT, None: the cell looked empty
    return ThaiDateError(raw, "blank", f"ไม่ได้กรอกวันที่: {shown}", f"no date given: {shown}")


_LAST_SERIAL = (date(9999, 12, 31) - SERIAL_EPOCH).days


def _from_number(raw, n: float) -> date:
    if math.isnan(n):
        raise _blank(raw)
    d = from_serial(n) if 0 < n <= _LAST_SERIAL else None
    if d is None or d < from_serial(MIN_SERIAL) or (MAX_DATE < d and d.year < BE_THRESHOLD):
        hint_th = hint_en = ""
        if float(n).is_integer() and 2400 <= n <= 2700:
            hint_th, hint_en = " (ดูเหมือนเป็นปี พ.ศ. ไม่ใช่วันที่)", " (it looks like a BE year, not a date)"
        raise _error(raw, "out_of_range",
                     f"ตัวเลขนี้ไม่ใช่เลขลำดับวันที่ของ Excel/Google ที่รับได้ "
                     f"({MIN_SERIAL}–{MAX_SERIAL} คือ 1 ม.ค. 2463 – 31 ธ.ค. 2700){hint_th}",
                     f"not a plausible Excel/Google date serial ({MIN_SERIAL}–{MAX_SERIAL}, "
                     f"1920-01-01 – 2157-12-31){hint_en}")
    return d


def _checked(raw, d: date) -> date:
    """A date whose year is ≥ 2400 is a BE date typed into a Gregorian calendar (Excel in an English locale
    turns "14/02/2566" into 14 Feb of CE 2566): take 543 years off, once."""
    if d.year >= BE_THRESHOLD:
        try:
            d = date(be_to_ce(d.year), d.month, d.day)
        except ValueError:
            raise _error(raw, "impossible_date", f"ไม่มีวันที่ {d.day} {THAI_MONTHS[d.month - 1]} {d.year}",
                         f"there is no day {d.day} in {MONTHS_EN[d.month - 1]} {be_to_ce(d.year)}") from None
    if not MIN_DATE <= d <= MAX_DATE:
        raise _out_of_range(raw)
    return d


def parse_date(value) -> date:
    """One certain date from anything a cell, a form or a command line holds; ThaiDateError otherwise."""
    if isinstance(value, str):
        return _parse_text(value)
    if is_blank(value):
        raise _blank(value)
    if isinstance(value, bool | np.bool_):
        raise _error(value, "unreadable", "ค่าจริง/เท็จ ไม่ใช่วันที่", "a true/false value is not a date")
    if isinstance(value, int | float | np.integer | np.floating):
        d = _from_number(value, float(value))
    elif isinstance(value, datetime):  # pandas Timestamp included; a time of day is dropped
        d = value.date()
    elif isinstance(value, date):
        d = value
    elif isinstance(value, np.datetime64):
        d = value.astype("datetime64[D]").astype(object)
        if not isinstance(d, date):  # beyond datetime.date's years 1–9999
            raise _out_of_range(value)
    else:
        raise _error(value, "unreadable", "อ่านเป็นวันที่ไม่ได้", f"not a date ({type(value).__name__})")
    return _checked(value, d)


def parse_date_or_none(value) -> date | None:
    """None for a blank cell (None, "", spaces, NaN, NaT); otherwise exactly parse_date."""
    return None if is_blank(value) else parse_date(value)


def date_or_none(value) -> date | None:
    """A staff tracker's date cell, leniently: a Timestamp's day, a parsed date, or None for a blank or an
    unreadable value (the trackers report unreadable dates as findings of their own)."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    try:
        return parse_date_or_none(value)
    except (ValueError, TypeError):
        return None


def _parse_or_error(value):
    try:
        return parse_date(value), None
    except ThaiDateError as e:
        return None, e


def parse_dates(values) -> pd.DataFrame:
    """Parse a column: DataFrame (same index) with `date` (datetime64, NaT for blanks and errors) and `error`
    (None, or the ThaiDateError; blanks are not errors). Each distinct value is parsed once, so a column of
    repeated dates costs as much as its distinct values."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if s.dtype.kind == "M":  # already dates: no parsing, only the range check (and the BE-year fix)
        days = _datetime_days(s)
        bad = ~np.isnat(days) & ((days < np.datetime64(MIN_DATE)) | (days > np.datetime64(MAX_DATE)))
        errors = np.full(len(s), None, dtype=object)
        for i in np.flatnonzero(bad):
            d, errors[i] = _parse_or_error(days[i])
            days[i] = np.datetime64("NaT") if d is None else np.datetime64(d, "D")
        return pd.DataFrame({"date": days.astype("datetime64[ns]"), "error": errors}, index=s.index)
    values = s.astype(object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u_days = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    u_errors = np.full(len(uniques) + 1, None, dtype=object)
    for i, v in enumerate(uniques):
        if is_blank(v):
            continue
        d, e = _parse_or_error(v)
        if e is None:
            u_days[i] = d
        else:
            u_errors[i] = e
    # code -1 (NaN/None) lands on the extra last slot: NaT and no error.
    errors = u_errors[codes]
    # factorize treats 5, 5.0, True (and 0.0, -0.0) as one value; an error must quote (and judge) the cell's
    # own value.
    for i in np.flatnonzero(errors != None):  # noqa: E711 — elementwise on an object array
        own, seen = values.iat[i], uniques[codes[i]]
        if type(own) is not type(seen) or str(own) != str(seen):
            errors[i] = _parse_or_error(values.iat[i])[1]
    return pd.DataFrame({"date": u_days[codes].astype("datetime64[ns]"), "error": errors}, index=s.index)


def _datetime_days(s: pd.Series | pd.Index) -> np.ndarray:
    """datetime64[D] of a datetime column; a timezone-aware one keeps its local calendar day."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None) if isinstance(s, pd.Series) else s.tz_localize(None)
    return s.to_numpy().astype("datetime64[D]")


def as_day_array(values) -> np.ndarray:
    """datetime64[D] array from dates in any accepted form (scalar or array-like); blanks and errors → NaT."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    if isinstance(values, pd.Series | pd.Index) and values.dtype.kind == "M":
        return _datetime_days(values)
    if np.ndim(values) == 0:
        d = parse_date_or_none(values)
        return np.array(np.datetime64(d, "D") if d else np.datetime64("NaT", "D"))
    return parse_dates(pd.Series(list(values) if not isinstance(values, pd.Series) else values))[
        "date"].to_numpy().astype("datetime64[D]")


# --- serials and formatting --------------------------------------------------------------------------------


def to_serial(d) -> int:
    """Excel/Google serial day number (days since 1899-12-30; 45931 = 2025-10-01)."""
    if not isinstance(d, date) or isinstance(d, datetime):
        d = parse_date(d)
    return (d - SERIAL_EPOCH).days


def from_serial(n: int | float) -> date:
    """Inverse of to_serial (a fraction of a day is dropped). Serials below 61 differ from Excel by one day
    because Excel counts a 29 Feb 1900 that never was; parse_date never accepts them anyway."""
    return SERIAL_EPOCH + timedelta(days=int(math.floor(n)))


def format_thai_date(d, style: str = "short", thai_digits: bool = False) -> str:
    """"14 ก.พ. 2566" (short), "14 กุมภาพันธ์ 2566" (long), "14/02/2566" (numeric), "2023-02-14" (iso),
    "วันที่ 14 กุมภาพันธ์ พ.ศ. 2566" (official). thai_digits applies to every style but iso, which is for
    machines."""
    if not isinstance(d, date) or isinstance(d, datetime):
        d = parse_date(d)
    be = ce_to_be(d.year)
    if style == "short":
        text = f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {be}"
    elif style == "long":
        text = f"{d.day} {THAI_MONTHS[d.month - 1]} {be}"
    elif style == "numeric":
        text = f"{d.day:02d}/{d.month:02d}/{be}"
    elif style == "official":
        text = f"วันที่ {d.day} {THAI_MONTHS[d.month - 1]} พ.ศ. {be}"
    elif style == "iso":
        return d.isoformat()
    else:
        raise ValueError(f"รูปแบบวันที่ไม่รู้จัก {style!r} / unknown date style {style!r}; one of {STYLES}")
    return to_thai_digits(text) if thai_digits else text
