"""Reading a timing phrase (Thai as the manuals write it, or plain English) into a `Rule`.

The grammar is a short ordered list of whole-phrase patterns; a phrase matches one of them completely or is an
error that says so (TimingError) — a half-read phrase never yields a date. Normalisation first makes the
spelling variants equal: Thai digits, dashes, HTML left over from the PDFs, 'ของทุกปี', 'เดือน' before a
month name, abbreviated months with or without dots.

Conventions (a district officer's reading, written down because the phrases are silent on them):
- A duration counted in วัน (a step of a service standard: '๔ วัน', '15 วัน') is working days; 'วันปฏิทิน'
  makes it calendar days. An offset from a date ('ภายใน 15 วันหลังสิ้นไตรมาส', 'ก่อนระบบปิด 3 วัน') is
  calendar days unless it says วันทำการ.
- 'ตลอดปี' and 'ตลอดเวลา' in a fiscal-year calendar are the whole fiscal year.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from addin.calendar import (
    MONTHS_EN,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    as_be_year,
    as_ce_year,
    be_to_ce,
    month_end,
    to_arabic_digits,
)
from addin.timing.model import (
    DayOfMonth,
    DayRange,
    Duration,
    FiscalYearLong,
    MonthlyDay,
    MonthsOf,
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

# --- months ----------------------------------------------------------------------------------------------

_EN_MONTHS = tuple(m.lower() for m in MONTHS_EN)
_MONTH_KEYS: dict[str, int] = {}
for _i, (_full, _abbr, _en) in enumerate(zip(THAI_MONTHS, THAI_MONTHS_ABBR, _EN_MONTHS, strict=True), 1):
    _MONTH_KEYS[_full] = _i
    _MONTH_KEYS[_abbr.replace(".", "")] = _i
    _MONTH_KEYS[_en] = _i
    _MONTH_KEYS[_en[:3]] = _i
_MONTH_KEYS["sept"] = 9


def _month_pattern() -> str:
    alts = set()
    for full, abbr in zip(THAI_MONTHS, THAI_MONTHS_ABBR, strict=True):
        alts.add(re.escape(full))
        # 'ต.ค.', 'ต.ค', 'ตค.', 'ตค' are all written.
        alts.add(r"\.?".join(re.escape(ch) for ch in abbr.replace(".", "")) + r"\.?")
    for en in _EN_MONTHS:
        alts.add(en + r"\b")
        alts.add(en[:3] + r"\.?(?![a-z])")
    alts.add(r"sept\.?(?![a-z])")
    return "(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")"


M = _month_pattern()


def month_number(token: str) -> int:
    return _MONTH_KEYS[token.replace(".", "").replace(" ", "").lower()]


_NUMBER_WORDS = {"หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "หก": 6, "สิบสอง": 12}

# --- normalisation ---------------------------------------------------------------------------------------

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-", "～": "-", "~": "-"})


def normalize(phrase: str) -> str:
    s = to_arabic_digits(str(phrase)).translate(_DASHES)
    s = re.sub(r"<[^>]+>", " ", s)
    s = s.replace("\u200b", "").replace("\xa0", " ").lower()
    s = re.sub(r"ของ(?:ทุก)?ปี(?:งบประมาณ)?|(?<!ตลอด)ทุกปี|every year|each year", " ", s)
    # 'เดือน' directly before a month name is only a word of politeness; after a number it is a unit.
    s = re.sub(rf"(?<!\d)(?<!\d )เดือน\s*(?={M})", "", s)
    s = re.sub(r"\s+", " ", s)
    # Frequencies: 'ไตรมาสละครั้ง' = 'ไตรมาสละ 1 ครั้ง', 'ปีละสองครั้ง' = 'ปีละ 2 ครั้ง', '2 ครั้ง/ปี' = 'ปีละ 2 ครั้ง'.
    s = re.sub(r"(?<=ละ)\s*(หนึ่ง|สอง|สาม|สี่|หก|สิบสอง)?\s*(?=ครั้ง)",
               lambda m: f" {_NUMBER_WORDS.get(m[1] or '', 1)} ", s)
    s = re.sub(r"(\d+)\s*ครั้ง\s*(?:/|ต่อ)\s*(ปีงบประมาณ|ปี|ไตรมาส|เดือน|สัปดาห์|ภาคเรียน|ภาคการศึกษา)",
               r"\2ละ \1 ครั้ง", s)
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\(\s+", "(", s)
    s = re.sub(r"\s+\)", ")", s)
    return s.strip(" ,;")


# --- pieces of the grammar -------------------------------------------------------------------------------

_CONT = r"(?:ตลอด(?:ทั้ง)?ปีงบประมาณ|ตลอด(?:ทั้ง)?ปี|ตลอดเวลา|ต่อเนื่อง|throughout the (?:fiscal )?year|all year(?: round)?|ongoing|continuous)"
_WEEKLY = (r"(?:(?:อย่างน้อย\s*)?สัปดาห์ละ\s*(?P<times>\d+)\s*ครั้ง|ทุกสัปดาห์|รายสัปดาห์|weekly|every week"
           r"|(?:at least )?(?P<times_en>\d+) times? a week)")
_SPAN = rf"(?P<a>{M})(?:\s*(?:-|ถึง|to|through|until)\s*(?P<b>{M}))?"
_YEAR = r"(?:\s*(?:พ\.?\s?ศ\.?|ค\.?\s?ศ\.?)?\s*(?P<y>\d{4}|\d{2}))?"
_DAY_UNIT = r"(?P<unit>วันทำการ|วันปฏิบัติราชการ|วันปฏิทิน|วัน|working days?|business days?|calendar days?|days?)"
_UNIT = (r"(?P<unit>วันทำการ|วันปฏิบัติราชการ|วันปฏิทิน|วัน|เดือน|นาที|ชั่วโมง|ชม\.?|working days?|business days?"
         r"|calendar days?|days?|months?|minutes?|mins?|hours?|hrs?)")
_DUE_PREFIX = r"(?:ภายใน(?:วันที่)?|ไม่เกิน(?:วันที่)?|ไม่เกินสิ้น|ภายในสิ้น|by(?: the end of)?|no later than|on or before|due)"


def _fm(pattern: str, s: str):
    return re.fullmatch(pattern, s)


def _year_be(y: str | None) -> int | None:
    if y is None:
        return None
    n = int(y)
    if len(y) == 2:
        return 2500 + n  # two-digit years are BE: '68' = 2568
    return as_be_year(n)


def _check_day(phrase: str, day: int, month: int, year_ce: int | None = None) -> None:
    limit = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if year_ce is not None and month == 2 and not _leap(year_ce):
        limit = 28
    if not 1 <= day <= limit:
        raise TimingError(
            phrase, "date.impossible",
            f"ไม่มีวันที่ {day} ใน{THAI_MONTHS[month - 1]}" + (f" ปี {year_ce + 543}" if year_ce else ""),
            f"there is no day {day} in {_EN_MONTHS[month - 1].title()}" + (f" {year_ce}" if year_ce else ""))


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _duration(phrase: str, n: str, unit: str) -> Duration:
    amount = int(n)
    if amount <= 0:
        raise TimingError(phrase, "duration.zero", f"ระยะเวลาต้องมากกว่า 0 ('{phrase}')",
                          f"a duration must be more than 0 ('{phrase}')")
    u = unit.rstrip(".")
    if u in ("นาที",) or u.startswith("min"):
        return Duration(amount, "minute")
    if u in ("ชั่วโมง", "ชม") or u.startswith("h"):
        return Duration(amount * 60, "minute")
    if u == "เดือน" or u.startswith("month"):
        return Duration(amount, "month")
    calendar = u in ("วันปฏิทิน",) or u.startswith("calendar")
    return Duration(amount, "day", working_days=not calendar)


def _offset(phrase: str, n: str, unit: str) -> Duration:
    """An offset from a date: calendar days unless working days are written."""
    if int(n) <= 0:
        raise TimingError(phrase, "duration.zero", f"ระยะเวลาต้องมากกว่า 0 ('{phrase}')",
                          f"a duration must be more than 0 ('{phrase}')")
    u = unit.rstrip(".")
    working = u in ("วันทำการ", "วันปฏิบัติราชการ") or u.startswith(("working", "business"))
    return Duration(int(n), "day", working_days=working)


_ROUND_OK = (3, 6, 9, 12)


def _rounds(phrase: str, numbers: list[int]) -> Periods:
    bad = [n for n in numbers if n not in _ROUND_OK]
    if bad or not numbers:
        raise TimingError(
            phrase, "round.invalid",
            f"รอบรายงานต้องเป็น 3, 6, 9 หรือ 12 เดือนของปีงบประมาณ ได้ {bad or numbers}",
            f"a reporting round must be 3, 6, 9 or 12 months into the fiscal year, got {bad or numbers}")
    return Periods(ends=tuple(sorted(set(numbers))), style="round")


def _every(phrase: str, n: int) -> int:
    if n <= 0 or 12 % n:
        raise TimingError(phrase, "interval.invalid",
                          f"ทุก {n} เดือน ไม่ลงตัวกับ 12 เดือนของปีงบประมาณ (ใช้ 1, 2, 3, 4, 6 หรือ 12)",
                          f"every {n} months does not divide the 12-month fiscal year (use 1, 2, 3, 4, 6 or 12)")
    return n


def _spans(s: str) -> list[Span] | None:
    """'ตุลาคม - กุมภาพันธ์ มีนาคม - กันยายน' -> two spans; None if s is not only month spans."""
    sep = r"(?:\s*(?:,|และ|and|/)\s*|\s+)"
    if not _fm(rf"(?:ช่วง|ระหว่าง|from\s)?\s*{_SPAN}(?:{sep}{_SPAN.replace('?P<a>', '').replace('?P<b>', '')})*", s):
        return None
    out = []
    for m in re.finditer(_SPAN, s):
        a = month_number(m["a"])
        out.append(Span(a, month_number(m["b"]) if m["b"] else a))
    return out


# --- the grammar -----------------------------------------------------------------------------------------


def _parse(phrase: str) -> Rule:
    s = normalize(phrase)
    if not s:
        raise TimingError(phrase, "phrase.empty", "ไม่ได้ระบุกำหนดเวลา (ช่องว่าง)",
                          "no timing given (the cell is empty)")

    # Continuous, possibly with a weekly minimum.
    if _fm(_CONT, s):
        return Rule(phrase, "continuous", (FiscalYearLong(),))
    if m := _fm(rf"(?:{_CONT}\s*)?{_WEEKLY}", s):
        times = int(m["times"] or m["times_en"] or 1)
        return Rule(phrase, "weekly", (Weekly(times),))

    # Month windows.
    if (spans := _spans(s)) is not None:
        return Rule(phrase, "window", tuple(spans))

    # 'ภายในเดือนพฤษภาคม', 'by May', 'ภายในสิ้นเดือนมีนาคม'; with a year ('ภายในเดือนพฤษภาคม 2568') a fixed date.
    if m := _fm(rf"{_DUE_PREFIX}\s*(?:end of\s*)?(?P<m>{M}){_YEAR}", s):
        mo = month_number(m["m"])
        if not m["y"]:
            return Rule(phrase, "deadline", (Span(mo, mo, deadline_only=True),))
        # 'by May 15' is a day, not the year 2515: a two-digit year only after a Thai month name.
        if len(m["y"]) == 4 or not m["m"].isascii():
            return Rule(phrase, "deadline", (OnDate(month_end(date(be_to_ce(_year_be(m["y"])), mo, 1))),))

    # A range of days: 'ระหว่างวันที่ 1-15 พฤษภาคม', '1 ต.ค. 67 - 30 พ.ย. 67', '1 October - 30 November'.
    day = rf"\d{{1,2}}\s*{M}(?:\s*(?:พ\.?\s?ศ\.?)?\s*(?:\d{{4}}|\d{{2}}))?"
    if m := _fm(rf"(?:ระหว่าง|ช่วง|from)?\s*(?:วันที่\s*)?(?P<a>{day})\s*(?:-|ถึง|to|until)\s*(?:วันที่\s*)?(?P<b>{day})", s):
        first, last = _one_day(phrase, m["a"]), _one_day(phrase, m["b"])
        if isinstance(first, OnDate) and isinstance(last, OnDate) and first.when > last.when:
            raise TimingError(phrase, "range.reversed", f"วันเริ่มอยู่หลังวันสิ้นสุดใน '{phrase}'",
                              f"the start is after the end in '{phrase}'")
        return Rule(phrase, "window", (DayRange(first, last),))
    if m := _fm(rf"(?:ระหว่าง|ช่วง|from)?\s*(?:วันที่\s*)?(?P<a>\d{{1,2}})\s*(?:-|ถึง|to)\s*(?P<b>\d{{1,2}}\s*{M}{_YEAR})", s):
        last = _one_day(phrase, m["b"])
        first = _one_day(phrase, f"{m['a']} {THAI_MONTHS[last.month - 1] if isinstance(last, DayOfMonth) else ''}"
                         if isinstance(last, DayOfMonth) else f"{m['a']}/{last.when.month}/{last.when.year}")
        return Rule(phrase, "window", (DayRange(first, last),))

    # A day of a month, with or without a year.
    if m := _fm(rf"(?P<pre>{_DUE_PREFIX}|ก่อน(?:วันที่)?|before)?\s*(?:วันที่\s*)?(?P<d>\d{{1,2}})\s*(?P<m>{M}){_YEAR}",
                s) or _fm(rf"(?P<pre>{_DUE_PREFIX}|before)?\s*(?P<m>{M})\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
                          rf"(?:,?\s*(?P<y>\d{{4}}))?", s):
        return _day_rule(phrase, m)
    if m := _fm(rf"(?P<pre>{_DUE_PREFIX}|ก่อน(?:วันที่)?|before)?\s*(?:วันที่\s*)?"
                r"(?P<num>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})", s):
        return _numeric_date_rule(phrase, m)

    # Day N of every month.
    if m := _fm(r"(?:ภายใน|ทุก|ไม่เกิน)?\s*วันที่\s*(?P<d>\d{1,2})\s*ของ(?:ทุก)?\s*เดือน(?P<next>ถัดไป)?", s) or \
            _fm(r"(?:by )?(?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th)? (?:day )?of (?:each|every|the) (?P<next>following )?month", s):
        d = int(m["d"])
        if not 1 <= d <= 31:
            _check_day(phrase, d, 1)
        return Rule(phrase, "monthly", (MonthlyDay(d, bool(m["next"])),))

    # Frequencies and recurring period ends.
    if rule := _frequency(phrase, s):
        return rule
    if m := _fm(rf"(?P<m>{M})?\s*ทุก\s*(?P<n>\d+)\s*เดือน(?:\s*(?:เริ่ม|นับจาก|ตั้งแต่|จาก)\s*(?P<m2>{M}))?", s) or \
            _fm(rf"every (?P<n>\d+) months?(?: (?:from|starting(?: in)?) (?P<m2>{M}))?", s):
        n = _every(phrase, int(m["n"]))
        anchor = m["m"] if "m" in m.groupdict() and m["m"] else m["m2"]
        if anchor:
            return Rule(phrase, "recurring", (MonthsOf(month_number(anchor), n),))
        return Rule(phrase, "recurring", (Periods(tuple(range(n, 13, n)), "round" if n % 3 == 0 else "range"),))
    rl = r"(?:รอบ\s*)?\d+(?:\s*เดือน)?(?:\s*(?:/|,|และ|and)\s*(?:รอบ\s*)?\d+(?:\s*เดือน)?)*"
    if m := _fm(rf"(?:ทุก|รอบ|at the)\s*(?P<list>{rl})(?:\s*-?\s*month rounds?)?", s):
        return Rule(phrase, "recurring", (_rounds(phrase, [int(x) for x in re.findall(r"\d+", m["list"])]),))
    if m := _fm(r"ตามกรอบ(?:ระยะ)?เวลา.*?กำหนด\s*(?:\((?P<inner>[^)]*)\))?", s):
        if not m["inner"]:
            raise TimingError(phrase, "external.schedule",
                              "วลีนี้อ้างกำหนดการของหน่วยงานอื่นโดยไม่ระบุรอบหรือวันที่ ใส่รอบ (เช่น รอบ 6 เดือน) หรือวันที่แทน",
                              "this phrase defers to another body's schedule without a round or date; "
                              "write the round (e.g. รอบ 6 เดือน) or the date instead")
        inner = _parse(m["inner"])
        return Rule(phrase, inner.kind, inner.parts, inner.duration,
                    note_th="ตามกรอบเวลาที่หน่วยงานต้นสังกัดกำหนด: วันที่แสดงคือสิ้นรอบ ให้ยึดวันปิดระบบตามประกาศจริง")

    # N days after or before the end of a period (quarter, semester, fiscal year, month, round).
    if m := _fm(rf"(?:ภายใน|ไม่เกิน)?\s*(?P<n>\d+)\s*{_DAY_UNIT}\s*(?:หลัง(?:จาก)?|นับ(?:จาก|แต่))\s*{_END_OF}", s) or \
            _fm(rf"(?:within )?(?P<n>\d+) {_DAY_UNIT} (?:after|of|from) {_END_OF_EN}", s):
        return _period_rule(phrase, m.groupdict(), before=False)
    if m := _fm(rf"ก่อน\s*{_END_OF}\s*(?:อย่างน้อย|ไม่น้อยกว่า)?\s*(?P<n>\d+)\s*{_DAY_UNIT}", s) or \
            _fm(rf"(?:อย่างน้อย|ไม่น้อยกว่า)?\s*(?P<n>\d+)\s*{_DAY_UNIT}\s*ก่อน\s*{_END_OF}", s) or \
            _fm(rf"(?:at least )?(?P<n>\d+) {_DAY_UNIT} before {_END_OF_EN}", s):
        return _period_rule(phrase, m.groupdict(), before=True)

    # Relative to a reference date given at evaluation.
    if rule := _relative(phrase, s):
        return rule

    # Durations, alone or with the month they happen in.
    if m := _fm(rf"(?:ไม่เกิน|ภายใน|ใช้เวลา|ประมาณ|within|up to|not more than|no more than|takes)?\s*(?P<n>\d+)\s*{_UNIT}", s):
        return Rule(phrase, "duration", (), _duration(phrase, m["n"], m["unit"]))
    if m := _fm(rf"(?P<n>\d+)\s*{_UNIT}\s*(?:\((?P<inner>[^)]*)\)|(?P<rest>(?:ภายใน|ใน|ช่วง|during|in|by|within).*))", s):
        dur = _duration(phrase, m["n"], m["unit"])
        inner_text = m["inner"] if m["inner"] is not None else re.sub(r"^(?:ใน|during|in)\s*", "", m["rest"])
        try:
            inner = _parse(inner_text)
        except TimingError as e:
            raise _unreadable(phrase) from e
        if inner.kind not in ("window", "deadline"):
            raise _unreadable(phrase)
        return Rule(phrase, inner.kind, inner.parts, dur)

    raise _unreadable(phrase)


def _unreadable(phrase: str) -> TimingError:
    return TimingError(
        phrase, "phrase.unreadable",
        f"อ่านกำหนดเวลา '{phrase}' ไม่ได้ — เขียนเป็นเดือน (ตุลาคม - พฤศจิกายน), กำหนดส่ง (ภายใน 15 พฤษภาคม), "
        "รอบ (ทุกไตรมาส, รอบ 6 เดือน/12 เดือน), ระยะเวลา (15 วัน) หรือ ตลอดปีงบประมาณ",
        f"cannot read the timing '{phrase}' — write months (ตุลาคม - พฤศจิกายน), a deadline "
        "(ภายใน 15 พฤษภาคม / by 15 May), rounds (ทุกไตรมาส, รอบ 6 เดือน/12 เดือน), a duration (15 วัน) "
        "or ตลอดปีงบประมาณ")


def _day_rule(phrase: str, m: re.Match) -> Rule:
    d, mo = int(m["d"]), month_number(m["m"])
    before = bool(m["pre"]) and m["pre"].startswith(("ก่อน", "before"))
    y = _year_be(m["y"])
    if y is None:
        _check_day(phrase, d, mo)
        return Rule(phrase, "deadline", (DayOfMonth(d, mo, before),))
    _check_day(phrase, d, mo, be_to_ce(y))
    return Rule(phrase, "deadline", (OnDate(date(be_to_ce(y), mo, d), before),))


def _one_day(phrase: str, text: str) -> DayOfMonth | OnDate:
    """One end of a day range, read by the deadline grammar."""
    rule = _parse(text)
    part = rule.parts[0] if rule.parts else None
    if not isinstance(part, DayOfMonth | OnDate):
        raise _unreadable(phrase)
    return part


def _numeric_date_rule(phrase: str, m: re.Match) -> Rule:
    a, b, c = (int(x) for x in re.split(r"[/.-]", m["num"]))
    raw = re.split(r"[/.-]", m["num"])
    if len(raw[0]) == 4:  # ISO-like y-m-d
        y, mo, d = a, b, c
    else:  # day first, as Thai dates are written
        d, mo, y = a, b, _year_be(raw[2]) or c
    y_ce = as_ce_year(y)
    if not 1 <= mo <= 12:
        raise TimingError(phrase, "date.impossible", f"ไม่มีเดือนที่ {mo}", f"there is no month {mo}")
    _check_day(phrase, d, mo, y_ce)
    before = bool(m["pre"]) and m["pre"].startswith(("ก่อน", "before"))
    return Rule(phrase, "deadline", (OnDate(date(y_ce, mo, d), before),))


# The end of a period, as an offset counts from it: 'สิ้นไตรมาส', 'สิ้นภาคเรียนที่ 2', 'วันสิ้นปีงบประมาณ',
# 'สิ้นแต่ละไตรมาส', 'the end of each quarter'.
_PERIOD_TH = r"(?P<period>รอบ\s*\d+\s*เดือน|ปีงบประมาณ|ปีการศึกษา|ไตรมาส|ภาคเรียน|ภาคการศึกษา|เทอม|เดือน)"
# The period's number is one digit ('ไตรมาสที่ 2', 'ภาคเรียน 1'), so 'ก่อนสิ้นปีงบประมาณ 30 วัน' is 30 days.
_END_OF = rf"(?:วัน)?สิ้น(?:สุด)?\s*(?:ทุก|แต่ละ)?\s*{_PERIOD_TH}(?:\s*(?:ที่\s*)?(?P<k>\d)(?!\d))?"
_END_OF_EN = (r"(?:the )?(?:end of (?:the |each |every |a )?)?(?P<period>fiscal year|academic year|school year"
              r"|quarter|semester|term|month|\d+-month round)(?: (?P<k>\d))?(?: ends?)?")

_WEEKDAYS_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
_WEEKDAY_PATTERN = "(?P<wd>" + "|".join(("พฤหัส(?:บดี)?", *_WEEKDAYS_TH[:3], *_WEEKDAYS_TH[4:])) + ")"
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(token: str) -> int:
    token = token.lower()
    if token.startswith("พฤหัส"):
        return 3
    return _WEEKDAYS_TH.index(token) if token in _WEEKDAYS_TH else _WEEKDAYS_EN.index(token)


def _first_match(patterns, s: str):
    for pattern in patterns:
        if m := _fm(pattern, s):
            return m
    return None


_WEEKDAY_FORMS = (
    rf"(?:ทุก\s*)?วัน\s*{_WEEKDAY_PATTERN}(?:\s*(?:ของ)?\s*(?:ทุก|แต่ละ)\s*สัปดาห์)?",
    rf"ทุก\s*{_WEEKDAY_PATTERN}",
    r"(?:every|each|on) (?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?",
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s",
)
_PERIOD_END_FORMS = (
    rf"(?:ทุก|ภายใน)\s*{_END_OF}",
    rf"(?:ทุก|ราย)\s*{_PERIOD_TH}",
    rf"{_END_OF}\s*(?:ของ)?\s*ทุก\s*(?P=period)",
    r"(?:every|each) (?P<period>quarter|month|semester|term)(?: end)?",
    r"(?:at |by )?the end of (?:each|every) (?P<period>quarter|month|semester|term)",
    r"(?P<period>quarter|month)ly",
)
_TIMES_FORMS = (
    r"(?P<per>ปีงบประมาณ|ปี|ไตรมาส|เดือน|ภาคเรียน|ภาคการศึกษา|เทอม)ละ\s*(?P<n>\d+)\s*ครั้ง",
    r"(?P<n>once|twice|\d+ times) (?:a|per|each|every) (?P<per>year|quarter|month|semester|term)",
)
_PER_EN = {"year": "ปี", "quarter": "ไตรมาส", "month": "เดือน", "semester": "ภาคเรียน", "term": "ภาคเรียน"}


def _frequency(phrase: str, s: str) -> Rule | None:
    """How often: 'ไตรมาสละ 1 ครั้ง', 'ปีละ 2 ครั้ง', 'ภาคเรียนละ 1 ครั้ง', 'ทุกวันศุกร์', 'ทุกสิ้นเดือน'.
    Each occurrence is due at the end of its period (a weekday: that day)."""
    if m := _first_match(_WEEKDAY_FORMS, s):
        return Rule(phrase, "weekly", (Weekday(_weekday(m["wd"])),))
    if m := _first_match(_PERIOD_END_FORMS, s):
        return _period_rule(phrase, m.groupdict(), before=False, offset=None)
    if not (m := _first_match(_TIMES_FORMS, s)):
        return None
    per = _PER_EN.get(m["per"], m["per"])
    times = {"once": 1, "twice": 2}.get(m["n"]) or int(m["n"].split()[0])
    if per in ("ภาคเรียน", "ภาคการศึกษา", "เทอม"):
        if times != 1:
            raise _frequency_error(phrase, "ภาคเรียนละ 1 ครั้ง", "once a semester")
        return Rule(phrase, "recurring", (Semesters(),))
    if per in ("ไตรมาส", "เดือน"):
        if times != 1:
            raise _frequency_error(phrase, f"{per}ละ 1 ครั้ง", "once a " + ("quarter" if per == "ไตรมาส" else "month"))
        return _period_rule(phrase, {"period": per, "k": None}, before=False, offset=None)
    if times <= 0 or 12 % times:
        raise _frequency_error(phrase, "ปีละ 1, 2, 3, 4, 6 หรือ 12 ครั้ง", "1, 2, 3, 4, 6 or 12 times a year")
    months = 12 // times
    ends = tuple(range(months, 13, months))
    style = {3: "quarter", 1: "month"}.get(months, "round" if months % 3 == 0 else "range")
    return Rule(phrase, "monthly" if months == 1 else "recurring" if len(ends) > 1 else "deadline",
                (Periods(ends, style),))


def _frequency_error(phrase: str, ok_th: str, ok_en: str) -> TimingError:
    return TimingError(phrase, "frequency.invalid",
                       f"ความถี่ '{phrase}' ใช้ไม่ได้ — ใช้ {ok_th}",
                       f"the frequency '{phrase}' cannot be used — use {ok_en}")


_PERIOD_ALIASES = {
    "quarter": "ไตรมาส", "fiscal year": "ปีงบประมาณ", "month": "เดือน", "semester": "ภาคเรียน", "term": "ภาคเรียน",
    "ภาคการศึกษา": "ภาคเรียน", "เทอม": "ภาคเรียน", "academic year": "ปีการศึกษา", "school year": "ปีการศึกษา",
}


def _period_rule(phrase: str, m, *, before: bool, offset: Duration | None | bool = True) -> Rule:
    """A deadline at, after (`offset`) or before (`before`) the end of each period named in `m`
    (groups period, k, and n/unit for the offset)."""
    off = _offset(phrase, m["n"], m["unit"]) if offset is True else offset
    period, k = m["period"], int(m["k"]) if m.get("k") else None
    period = _PERIOD_ALIASES.get(period, period)
    if period == "ไตรมาส":
        if k is not None and not 1 <= k <= 4:
            raise TimingError(phrase, "quarter.invalid", f"ไตรมาสต้องเป็น 1–4 ได้ {k}", f"quarter must be 1–4, got {k}")
        ends = (3 * k,) if k else (3, 6, 9, 12)
        return Rule(phrase, "recurring" if k is None else "deadline", (Periods(ends, "quarter", off, before),))
    if period == "ภาคเรียน":
        if k is not None and k not in (1, 2):
            raise TimingError(phrase, "semester.invalid", f"ภาคเรียนต้องเป็น 1 หรือ 2 ได้ {k}",
                              f"a semester is 1 or 2, got {k}")
        return Rule(phrase, "recurring" if k is None else "deadline", (Semesters((k,) if k else (1, 2), off, before),))
    if period == "ปีการศึกษา":
        return Rule(phrase, "deadline", (Semesters((2,), off, before),))
    if k is not None:  # 'สิ้นเดือนที่ 3', 'สิ้นปีงบประมาณ 2': not a period that is numbered
        raise _unreadable(phrase)
    if period == "ปีงบประมาณ":
        return Rule(phrase, "deadline", (Periods((12,), "round", off, before),))
    if period == "เดือน":
        return Rule(phrase, "monthly", (Periods(tuple(range(1, 13)), "month", off, before),))
    n = int(re.search(r"\d+", period)[0])
    return Rule(phrase, "deadline", (Periods(_rounds(phrase, [n]).ends, "round", off, before),))


_EVENT = r"(?P<event>[^\d]+?)"


def _relative(phrase: str, s: str) -> Rule | None:
    after_tail = r"(?:\s*(?:และ|,)\s*หลัง(?:จาก)?\s*(?P<event2>[^\d]+))?"
    if m := _fm(rf"ก่อน{_EVENT}\s*(?:อย่างน้อย|ไม่น้อยกว่า)?\s*(?P<n>\d+)\s*{_DAY_UNIT}{after_tail}", s) or \
            _fm(rf"(?:อย่างน้อย\s*)?(?P<n>\d+)\s*{_DAY_UNIT}\s*ก่อน{_EVENT}{after_tail}", s):
        return Rule(phrase, "relative", (Relative(m["event"].strip(), before=_offset(phrase, m["n"], m["unit"]),
                                                  after=bool(m["event2"])),))
    if m := _fm(rf"(?:at least )?(?P<n>\d+) {_DAY_UNIT} before (?:the )?{_EVENT}(?P<event2> and after(?: it)?.*)?", s):
        return Rule(phrase, "relative", (Relative(m["event"].strip(), before=_offset(phrase, m["n"], m["unit"]),
                                                  after=bool(m["event2"])),))
    if m := _fm(rf"(?:ภายใน|ไม่เกิน)\s*(?P<n>\d+)\s*{_DAY_UNIT}\s*(?:หลัง(?:จาก)?|นับ(?:จาก|แต่))\s*{_EVENT}", s) or \
            _fm(rf"within (?P<n>\d+) {_DAY_UNIT} (?:after|of|from) (?:the )?{_EVENT}", s):
        return Rule(phrase, "relative",
                    (Relative(m["event"].strip(), within_after=_offset(phrase, m["n"], m["unit"])),))
    if m := _fm(rf"หลัง(?:จาก)?{_EVENT}", s) or _fm(rf"after (?:the )?{_EVENT}", s):
        return Rule(phrase, "relative", (Relative(m["event"].strip(), after=True),))
    return None


@lru_cache(maxsize=4096)
def parse_rule(phrase: str) -> Rule:
    """Read a timing phrase. Cached by phrase: the same phrase in 1,000,000 rows is parsed once."""
    return _parse(phrase)


def parse_duration(text: str | Duration) -> Duration:
    """'๔ วัน' -> Duration(4, 'day', working_days=True). A phrase that is not a plain duration is an error."""
    if isinstance(text, Duration):
        return text
    rule = parse_rule(text)
    if rule.kind != "duration":
        raise TimingError(text, "duration.expected", f"'{text}' ไม่ใช่ระยะเวลา (เช่น 4 วัน, 2 เดือน, 5 นาที)",
                          f"'{text}' is not a duration (e.g. 4 วัน, 2 เดือน, 5 นาที)")
    return rule.duration
