"""Worksheet functions for the staff workbook (xlwings UDFs, Excel on Windows): `=KHET_FY(A3:A5000)` …

Every function takes whole ranges and returns an array of the same shape (arguments of one cell are spread
over the others), so a column of 10,000 dates is one call, not 10,000. None is volatile. Empty cells give
empty cells; a value that cannot be read gives a Thai message in its own cell ("#ผิด: …") instead of failing
the whole range. VBA names cannot hold a dot, so the names are `KHET_…` rather than `KHET.…`.

The help text Excel shows (Insert Function) is each function's docstring and its argument docs; `UDFS`
lists them for the workbook builder, which writes the VBA wrappers and the help registration. On Linux and
macOS `xw.func`/`xw.arg` do nothing and these are plain functions (that is how the tests call them).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import xlwings as xw

from addin.calendar import BE_THRESHOLD, ce_to_be, fiscal_quarter, fiscal_year, to_arabic_digits
from addin.cells import is_blank
from addin.thaidate import format_thai_date, parse_dates
from workbook.errors import KhetError

ERROR_PREFIX = "#ผิด: "
CATEGORY = "Khet (เขต)"


@dataclass(frozen=True)
class UdfInfo:
    name: str  # the Excel name, also the Python name (xlwings calls the function by it)
    help: str  # Thai first, then English
    args: tuple[tuple[str, str, bool], ...]  # (name, help, optional)
    caller: bool = False  # takes the calling cell (xlwings' reserved `caller`) last


UDFS: list[UdfInfo] = []


CALLER = "caller"  # xlwings' reserved argument: the calling cell (a Range), never shown in Excel


def udf(**arg_docs: str) -> Callable:
    """Register a worksheet function: xlwings metadata on Windows, `UDFS` everywhere. A `caller` parameter
    (xlwings passes the calling cell; the VBA wrapper sends Nothing in its place) gives the function its
    workbook, whose settings tabs it follows."""

    def wrap(f: Callable) -> Callable:
        params = [n for n in inspect.signature(f).parameters if n != CALLER]
        sig = inspect.signature(f).parameters
        UDFS.append(UdfInfo(f.__name__, (f.__doc__ or "").strip(), tuple(
            (name, arg_docs[name], sig[name].default is not inspect.Parameter.empty) for name in params),
            CALLER in sig))
        for name in params:
            f = xw.arg(name, ndim=2, doc=arg_docs[name])(f)
        return xw.func(category=CATEGORY)(f)

    return wrap


def _district(caller):
    """The district settings of the calling workbook (addin.excel.book_settings), the shipped defaults when
    called from Python without a cell."""
    if caller is None:
        from workbook.settings import DistrictSettings

        return DistrictSettings.default()
    from addin.excel import book_settings

    return book_settings(caller.sheet.book)


# --- grids -----------------------------------------------------------------------------------------------


class ShapeError(ValueError):
    pass


def _grid(value) -> np.ndarray:
    """Any argument as a 2-D object array (a single cell is 1×1)."""
    arr = np.empty((1, 1), dtype=object)
    if isinstance(value, list | tuple | np.ndarray):
        rows = [list(r) if isinstance(r, list | tuple | np.ndarray) else [r] for r in value]
        if rows and all(len(r) == len(rows[0]) for r in rows) and rows[0]:
            arr = np.empty((len(rows), len(rows[0])), dtype=object)
            arr[:] = rows
            return arr
        if not rows:
            return arr  # an empty range: one blank cell
        raise ShapeError("ช่วงเซลล์ไม่เป็นรูปสี่เหลี่ยม")
    arr[0, 0] = value
    return arr


def _broadcast(*values) -> list[np.ndarray]:
    grids = [_grid(v) for v in values]
    try:
        return [np.array(g, dtype=object) for g in np.broadcast_arrays(*grids)]
    except ValueError:
        shapes = " กับ ".join(f"{g.shape[0]}×{g.shape[1]}" for g in grids)
        raise ShapeError(f"ขนาดช่วงไม่ตรงกัน ({shapes}) ให้ใช้ช่วงขนาดเท่ากัน หรือเซลล์เดียว") from None


def _blank(grid: np.ndarray) -> np.ndarray:
    flat = grid.ravel()
    blank = np.fromiter((is_blank(v) for v in flat), dtype=bool, count=flat.size)
    return blank.reshape(grid.shape)


def _dates(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[D] per cell (NaT for blanks and errors) and the Thai error text per cell (or None)."""
    parsed = parse_dates(pd.Series(grid.ravel(), dtype=object))
    days = parsed["date"].to_numpy().astype("datetime64[D]").reshape(grid.shape)
    errors = np.array([None if e is None else ERROR_PREFIX + e.message_th for e in parsed["error"]], dtype=object)
    return days, errors.reshape(grid.shape)


def _output(values: np.ndarray, errors: np.ndarray, blank: np.ndarray) -> list[list]:
    out = np.where(blank, "", np.where(pd.isna(errors), values, errors))
    return out.tolist()


def _guard(f: Callable) -> Callable:
    """A whole-call problem (ranges of different sizes, or a bug) becomes one Thai message in the cell, never
    a Python traceback; unexpected ones are logged for IT."""

    @functools.wraps(f)
    def inner(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except ShapeError as e:
            return [[ERROR_PREFIX + str(e)]]
        except KhetError as e:  # the workbook's settings have errors: say so in the cell
            return [[ERROR_PREFIX + e.message_th]]
        except Exception as e:  # noqa: BLE001 - a worksheet cell must get a message, whatever broke
            logging.getLogger("khet.addin").exception("%s failed", f.__name__)
            return [[f"{ERROR_PREFIX}คำนวณไม่ได้ ({type(e).__name__}: {e}) แจ้งผู้ดูแลระบบ"]]

    return inner


def _date_objects(days: np.ndarray) -> np.ndarray:
    out = np.empty(days.shape, dtype=object)
    ok = ~np.isnat(days)
    out[ok] = days[ok].astype(object)  # datetime64[D] -> datetime.date
    return out


def _per_month(dates, rule: Callable[[date], int]) -> list[list]:
    """`rule` (a calendar function of the month alone) for each date, evaluated once per distinct month, so
    the calendar module stays the one definition of fiscal years and quarters."""
    grid = _grid(dates)
    days, errors = _dates(grid)
    months = days.astype("datetime64[M]")
    ok = ~np.isnat(months)
    out = np.full(grid.shape, "", dtype=object)
    if ok.any():
        distinct, where = np.unique(months[ok], return_inverse=True)
        out[ok] = np.array([rule(m.astype(date)) for m in distinct], dtype=object)[where]
    return _output(out, errors, _blank(grid))


# --- the functions ----------------------------------------------------------------------------------------


@udf(dates="วันที่ (ช่วงเซลล์) — วันที่ของ Excel หรือข้อความวันที่แบบไทย / dates, Excel or Thai text")
@_guard
def KHET_FY(dates):
    """ปีงบประมาณ (พ.ศ.) ของแต่ละวันที่ เช่น 1 ต.ค. 2567 → 2568 / Thai fiscal year (BE) of each date."""
    return _per_month(dates, fiscal_year)


@udf(dates="วันที่ (ช่วงเซลล์) / dates")
@_guard
def KHET_QUARTER(dates):
    """ไตรมาสของปีงบประมาณ 1–4 (ต.ค.–ธ.ค. = 1) / fiscal quarter 1–4 (Oct–Dec = 1)."""
    return _per_month(dates, fiscal_quarter)


_STYLES = {"": "short", "short": "short", "ย่อ": "short", "long": "long", "เต็ม": "long",
           "numeric": "numeric", "ตัวเลข": "numeric", "iso": "iso", "official": "official", "ทางการ": "official"}


@udf(dates="วันที่ (ช่วงเซลล์) / dates",
     style="รูปแบบ: ย่อ (14 ก.พ. 2566), เต็ม, ตัวเลข (14/02/2566), ทางการ, iso — เว้นว่าง = ย่อ / style",
     thai_digits="TRUE = ใช้เลขไทย (๑๔) / TRUE for Thai digits")
@_guard
def KHET_THAIDATE(dates, style="short", thai_digits=False):
    """วันที่เป็นข้อความไทย เช่น 14 ก.พ. 2566 / a date as Thai text, e.g. 14 ก.พ. 2566."""
    grid, styles, digits = _broadcast(dates, style, thai_digits)
    days, errors = _dates(grid)
    out = np.full(grid.shape, "", dtype=object)
    ok = ~np.isnat(days)
    if ok.any():
        # Format each distinct (date, style, digits) once; a column usually shares one style.
        keys = pd.DataFrame({"day": days[ok], "style": styles[ok].astype(str), "digits": digits[ok].astype(str)})
        codes, uniques = pd.MultiIndex.from_frame(keys).factorize()
        texts = np.array([_format(day, raw_style, raw_digits) for day, raw_style, raw_digits in uniques],
                         dtype=object)
        out[ok] = texts[codes]
    return _output(out, errors, _blank(grid))


def _format(day, raw_style: str, raw_digits: str) -> str:
    key_style = _STYLES.get(("" if raw_style == "None" else raw_style).strip().lower())
    if key_style is None:
        return f"{ERROR_PREFIX}ไม่รู้จักรูปแบบ '{raw_style}'"
    thai = raw_digits.strip().upper() not in ("", "NONE", "FALSE", "0", "0.0")
    return format_thai_date(pd.Timestamp(day).date(), key_style, thai_digits=thai)


@udf(texts="ข้อความวันที่ เช่น 14 ก.พ. 66, ๑๔/๐๒/๒๕๖๖, 2023-02-14 / Thai date text")
@_guard
def KHET_PARSEDATE(texts):
    """อ่านวันที่ที่พิมพ์แบบไทยเป็นวันที่ของ Excel / read a Thai date text into an Excel date."""
    grid = _grid(texts)
    days, errors = _dates(grid)
    return _output(_date_objects(days), errors, _blank(grid))


def _int_grid(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers per cell (Thai digits accepted) and a Thai error text where a cell is not one."""
    values = np.zeros(grid.shape, dtype=np.int64)
    errors = np.full(grid.shape, None, dtype=object)
    for idx, v in np.ndenumerate(grid):
        text = to_arabic_digits(v.strip()) if isinstance(v, str) else v
        try:
            number = float(text)
            if not number.is_integer():
                raise ValueError
            values[idx] = int(number)
        except (TypeError, ValueError):
            if text not in (None, ""):
                errors[idx] = f"{ERROR_PREFIX}'{v}' ไม่ใช่จำนวนวันเต็ม"
    return values, errors


def _first_error(*errors: np.ndarray) -> np.ndarray:
    out = errors[0].copy()
    for e in errors[1:]:
        out = np.where(pd.isna(out), e, out)
    return out


@udf(starts="วันเริ่ม (ไม่นับวันนี้) / start dates (not counted)",
     ends="วันสิ้นสุด (นับวันนี้) / end dates (counted)")
@_guard
def KHET_WORKDAYS(starts, ends):
    """จำนวนวันทำการหลังวันเริ่มถึงวันสิ้นสุด (ไม่นับวันเริ่ม นับวันสิ้นสุด ตามการนับระยะเวลาราชการ) ไม่นับ
    เสาร์–อาทิตย์และวันหยุดราชการ / working days after start up to and including end (Thai holidays)."""
    a, b = _broadcast(starts, ends)
    (da, ea), (db, eb) = _dates(a), _dates(b)
    ok = ~np.isnat(da) & ~np.isnat(db)
    out = np.full(a.shape, "", dtype=object)
    if ok.any():
        from addin.workdays import workdays_between_array

        out[ok] = workdays_between_array(da[ok], db[ok]).astype(object)
    return _output(out, _first_error(ea, eb), _blank(a) | _blank(b))


@udf(starts="วันเริ่ม / start dates", days="จำนวนวันทำการที่บวก (ติดลบได้) / working days to add (may be negative)")
@_guard
def KHET_ADDWORKDAYS(starts, days):
    """วันทำการที่ n ถัดจากวันเริ่ม (n ติดลบ = ย้อนหลัง) / the n-th Thai working day after each start date."""
    a, n = _broadcast(starts, days)
    (da, ea), (counts, en) = _dates(a), _int_grid(n)
    ok = ~np.isnat(da) & pd.isna(en) & ~_blank(n)
    out = np.full(a.shape, "", dtype=object)
    if ok.any():
        from addin.workdays import add_workdays_array

        out[ok] = _date_objects(add_workdays_array(da[ok], counts[ok]))
    return _output(out, _first_error(ea, en), _blank(a) | _blank(n))


@udf(phrases="ระยะเวลาตามคู่มือ เช่น ภายในเดือนพฤษภาคม ของทุกปี / timing phrases as the manuals write them",
     fiscal_years="ปีงบประมาณ พ.ศ. เช่น 2568 / fiscal years (BE)",
     ref="วันอ้างอิงสำหรับระยะเวลาแบบสัมพัทธ์ เช่น วันปิดระบบ (ไม่บังคับ) / reference date for relative phrases")
@_guard
def KHET_DEADLINE(phrases, fiscal_years, ref=None):
    """กำหนดเสร็จ (วันสุดท้าย) ของระยะเวลาตามคู่มือในปีงบประมาณที่ระบุ / the due date of a timing phrase in a
    fiscal year."""
    from addin.timing import TimingError, deadline

    p, fy, r = _broadcast(phrases, fiscal_years, ref)
    years, fy_errors = _int_grid(fy)
    years = np.where(years < BE_THRESHOLD, ce_to_be(years), years)  # a CE year typed by habit (as_be_year)
    ref_days, ref_errors = _dates(r)
    out = np.full(p.shape, "", dtype=object)
    blank = _blank(p) | _blank(fy)
    ok = ~blank & pd.isna(fy_errors) & pd.isna(ref_errors)
    if ok.any():
        # Each distinct (phrase, year, reference) is evaluated once.
        keys = pd.DataFrame({"phrase": [str(v).strip() for v in p[ok]], "year": years[ok],
                             "ref": ref_days[ok].astype("int64")})
        codes, uniques = pd.MultiIndex.from_frame(keys).factorize()
        due = np.empty(len(uniques), dtype=object)
        for i, (phrase, year, ref_day) in enumerate(uniques):
            when = None if ref_day == np.datetime64("NaT").astype("int64") else date.fromordinal(
                date(1970, 1, 1).toordinal() + int(ref_day))
            try:
                due[i] = deadline(phrase, int(year), when)
            except TimingError as e:
                due[i] = ERROR_PREFIX + e.message_th
        out[ok] = due[codes]
    return _output(out, _first_error(fy_errors, ref_errors), blank)


@udf(due="กำหนดส่ง / due dates", submitted="วันที่ส่ง (ว่าง = ยังไม่ส่ง) / submission dates (blank = not yet)",
     today="วันนี้ เช่น TODAY() (เว้นว่าง = วันนี้ตอนคำนวณ) / today, e.g. TODAY()",
     soon_days="ใกล้ครบกำหนดเมื่อเหลือไม่เกินกี่วันทำการ (เว้นว่าง = ตามแท็บ 'ตั้งค่า ข้อมูลเขต') / due-soon "
               "threshold in working days (blank: the settings)")
@_guard
def KHET_STATUS(due, submitted=None, today=None, soon_days=None, caller=None):
    """สถานะการส่ง: ยังไม่ถึงกำหนด ใกล้ครบกำหนด เกินกำหนด ส่งแล้ว (ตรงเวลา) ส่งช้า ไม่ส่ง
    / submission status from the due date, submission date and today."""
    from addin.status import LABEL_TH, Status, status_series, today_in_thailand

    d, s, t, k = _broadcast(due, submitted, today, soon_days)
    (dd, ed), (ds, es), (dt_, et) = _dates(d), _dates(s), _dates(t)
    dt_ = np.where(_blank(t), np.datetime64(today_in_thailand(), "D"), dt_)
    thresholds, ek = _int_grid(k)
    if _blank(k).any():
        thresholds = np.where(_blank(k), _district(caller).identity.soon_days, thresholds)
    ok = ~np.isnat(dd) & pd.isna(_first_error(es, et, ek))
    out = np.full(d.shape, "", dtype=object)
    for soon in np.unique(thresholds[ok]):
        rows = ok & (thresholds == soon)
        codes = status_series(dd[rows], ds[rows], dt_[rows], soon_days=int(soon))
        out[rows] = [LABEL_TH[Status(c)] for c in codes.astype(str)]
    return _output(out, _first_error(ed, es, et, ek), _blank(d))


@udf(sheet="ชื่อชีตหรือรหัสชีต เช่น แผนปฏิบัติการ หรือ action_plan / sheet title or key",
     rows="แถวข้อมูล (หลายแถวได้) / data rows",
     headers="แถวหัวคอลัมน์ของแถวข้อมูล (เว้นว่าง = เรียงตามแบบฟอร์ม) / the header row of those rows (optional)")
@_guard
def KHET_VALIDATEROW(sheet, rows, headers=None, caller=None):
    """ตรวจแต่ละแถวตามแบบฟอร์มของชีต: "ถูกต้อง" หรือรายการปัญหา / check each row against its sheet definition:
    "ถูกต้อง" (OK) or the problems found."""
    grid = _grid(rows)
    head = None if headers is None or _blank(_grid(headers)).all() else _grid(headers)[0].tolist()
    name = str(_grid(sheet)[0, 0] or "").strip()
    try:
        texts = check_rows(name, grid.tolist(), head, _district(caller))
    except KeyError:
        return [[f"{ERROR_PREFIX}ไม่รู้จักชีต '{name}'"]] * grid.shape[0]
    return [[t] for t in texts]


OK_TH = "ถูกต้อง"


def check_rows(sheet_name: str, rows: list[list], headers: list | None = None, settings=None) -> list[str]:
    """One text per row: "" for a blank row, OK_TH, or the row's problems ("column: message; …"), against the
    sheet as the district's settings have it (its dropdowns, its captions). Problems of the whole table (a
    required column missing) are repeated on every row they affect."""
    from addin.excel import validate_table
    from workbook.sheets import get_sheet

    sheet = get_sheet(sheet_name)
    if settings is not None:
        sheet = settings.sheet(sheet)
    header = list(headers) if headers else sheet.headers_th()
    result = validate_table(sheet, [header, *rows], first_row=1)
    general = [f.message_th for f in result.findings if f.row is None and f.severity == "error"]
    by_row: dict[int, list[str]] = {}
    for f in result.findings:
        if f.row is not None:
            by_row.setdefault(f.row, []).append(f"{f.column}: {f.message_th}" if f.column else f.message_th)
    out = []
    for i, row in enumerate(rows):
        if all(is_blank(v) for v in row):
            out.append("")
            continue
        problems = general + by_row.get(i + 2, [])
        out.append("; ".join(problems) if problems else OK_TH)
    return out


@udf(reports="รายงาน: รหัส (เช่น action_plan) หรือชื่อรายงานตามแท็บ 'ตั้งค่า รายงาน' / report keys or Thai titles",
     fiscal_years="ปีงบประมาณ พ.ศ. เช่น 2569 / fiscal years (BE)")
@_guard
def KHET_REPORTDUE(reports, fiscal_years, caller=None):
    """กำหนดส่งรายงานของโรงเรียนตามค่าตั้งของเขต (กำหนดส่ง หรือกำหนดภายในของกรอบเวลา e-MES) / the due date of a
    school report in a fiscal year, as the district's settings set it."""
    from addin.timing import TimingError, report_occurrence

    r, fy = _broadcast(reports, fiscal_years)
    years, fy_errors = _int_grid(fy)
    years = np.where(years < BE_THRESHOLD, ce_to_be(years), years)
    blank = _blank(r) | _blank(fy)
    out = np.full(r.shape, "", dtype=object)
    ok = ~blank & pd.isna(fy_errors)
    if ok.any():
        district = _district(caller)
        by_name = {**{x.title_th: x.key for x in district.reports}, **{x.key: x.key for x in district.reports}}
        cache: dict[tuple[str, int], object] = {}
        for idx in zip(*np.nonzero(ok), strict=True):
            name, year = str(r[idx]).strip(), int(years[idx])
            if (name, year) not in cache:
                key = by_name.get(name)
                if key is None:
                    cache[(name, year)] = f"{ERROR_PREFIX}ไม่มีรายงาน '{name}' ในแท็บ 'ตั้งค่า รายงาน'"
                else:
                    try:
                        cache[(name, year)] = report_occurrence(key, year, district.for_year(year)).due
                    except (TimingError, KeyError) as e:
                        cache[(name, year)] = ERROR_PREFIX + getattr(e, "message_th", f"ไม่มีรายงาน '{name}' ในปี {year}")
            out[idx] = cache[(name, year)]
    return _output(out, fy_errors, blank)


@udf(kpis="รหัสตัวชี้วัดของเขต เช่น K01 / district KPI codes",
     schools="รหัสโรงเรียน 10 หลัก / school codes",
     sizes="ขนาดโรงเรียน (ไม่บังคับ) เช่น ขนาดเล็ก / school sizes (optional)")
@_guard
def KHET_KPITARGET(kpis, schools, sizes=None, caller=None):
    """ค่าเป้าหมายของตัวชี้วัดเขตสำหรับโรงเรียน (รายโรงเรียน ตามขนาด หรือทั้งเขต ตามแท็บ 'ตั้งค่า ตัวชี้วัดเขต') / the
    district's target of a KPI for a school (its own, its size's, or the district's)."""
    k, sc, sz = _broadcast(kpis, schools, sizes)
    blank = _blank(k)
    out = np.full(k.shape, "", dtype=object)
    if (~blank).any():
        by_code = {x.code: x for x in _district(caller).kpis}
        for idx in zip(*np.nonzero(~blank), strict=True):
            code = str(k[idx]).strip()
            kpi = by_code.get(code)
            school = to_arabic_digits(str(sc[idx] if sc[idx] is not None else "").strip())
            if school.endswith(".0"):
                school = school[:-2]  # a code Excel stored as a number
            target = kpi.target_for(school.zfill(10) if school else "", str(sz[idx] or "").strip() or None) \
                if kpi is not None else None
            out[idx] = (f"{ERROR_PREFIX}ไม่มีตัวชี้วัด '{code}' ในแท็บ 'ตั้งค่า ตัวชี้วัดเขต'" if kpi is None
                        else f"{ERROR_PREFIX}ตัวชี้วัด {code} ไม่มีเป้าหมายสำหรับโรงเรียนนี้" if target is None else target)
    return _output(out, np.full(k.shape, None, dtype=object), blank)
