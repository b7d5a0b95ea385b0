"""Raw cells → typed values, one column at a time.

A column arrives as an object array of whatever Excel, openpyxl or the Sheets API gave (str, int, float, bool,
None, datetime). It is factorized once: each distinct raw value is normalized once in Python, and the results
are spread back over the rows with numpy indexing. Real sheets repeat values heavily (quarters, statuses,
dates, round amounts), so the Python work is proportional to the distinct values, not to the rows.

Each distinct value yields its typed value (None = empty) and, when something is wrong, an `Outcome` with an
error or warning code and the parameters its message needs; plain text and plain numbers in money columns
take vectorised fast paths with the same results. Decisions where the issue is silent:
- A lone dash "-" (also "–", "—") in a MONEY cell is zero: Excel's accounting format shows 0 as "-", and
  Thai budget tables write it for "nothing". In INTEGER/NUMBER/PERCENT cells it means "not filled" (empty).
- PERCENT is 0–100 (the definitions' "0.00" format; 75 means 75 %). "75%" is 75. A bare number strictly
  between 0 and 1 is kept as is (0.75 means 0.75 %) with the warning "percent.fraction_like", because it may
  come from a cell formatted as Excel/Sheets percent (where 75 % is stored as 0.75).
- MONEY is Decimal with exactly 2 places. Floats from Excel are taken to the satang when they are within
  float noise of it (0.1 + 0.2 is 0.30); a real third decimal (333.333) is an error, never rounded silently.
- Booleans are not numbers (a ticked checkbox in a money column is an error, not 1 baht).
- A school code stored as a number keeps its digits; fewer than 10 digits is an error (leading zeros lost).
- A link without "https://" that is clearly a web address gets it added, with a warning.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from addin.calendar import to_arabic_digits
from addin.cells import CELL_LIMIT, INVISIBLE, is_blank
from workbook.schema import NO_TH, YES_TH, ColType, Column

_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ALLSPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

# Excel and Google Sheets error values, as openpyxl (data_only) and the Sheets API return them.
FORMULA_ERRORS = frozenset({
    "#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#LOADING...",
})
# CELL_LIMIT (addin.cells) is Excel's own cell limit: text longer than this cannot round-trip through the staff
# workbook (Google Sheets allows 50,000, so a 50,000-character school cell is reported, not silently cut later).
DASHES = frozenset({"-", "–", "—", "−"})
# What makes Excel or Sheets read typed text as a formula (tab and CR too, for text pasted in from CSV). The
# validator warns on cleaned text (never starting with a tab); writers of school text into Excel use the same
# list to keep such text text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Outcome(NamedTuple):  # a NamedTuple, not a dataclass: one is built per distinct value
    value: object = None
    error: str | None = None
    warning: str | None = None
    params: dict | None = None


EMPTY = Outcome()


# --- cell text ---------------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Invisible characters out, runs of spaces/tabs/NBSP to one space, ends trimmed; line breaks kept."""
    if text.isprintable() and "  " not in text:  # fast path: NBSP, tabs and zero-width are not printable
        return text.strip()
    return _HSPACE.sub(" ", text.translate(INVISIBLE)).strip()


def compact(text: str) -> str:
    """No spaces or invisible characters at all, Arabic digits: how numbers and codes are read."""
    return _ALLSPACE.sub("", to_arabic_digits(text).translate(INVISIBLE))


def squeeze(text: str) -> str:
    """A comparison key: `compact`, case-folded (for headers and dropdown values)."""
    return compact(text).casefold()


def as_text(value) -> str:
    """How a non-text cell reads as text (what the user saw in the cell)."""
    if type(value) is str:
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if math.isfinite(value) and float(value).is_integer() else repr(float(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def display(value) -> str:
    """A typed value as a message shows it."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, date):
        from addin.thaidate import format_thai_date

        return format_thai_date(value)
    return str(value)


def _num_param(value) -> str:
    return "?" if value is None else display(value)


# --- numbers -----------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?$|^[+-]?\.\d+$")
_CURRENCY = re.compile(r"^(?:฿|THB|บาท)|(?:฿|THB|บาท|บ\.)$", re.IGNORECASE)


def parse_number_text(text: str, *, money: bool = False) -> tuple[Decimal | None, bool]:
    """(the number, whether it ended with %) from typed text; (None, _) when it is not a number.
    Accepts Thai digits, thousands commas in groups of three, "(1,234.00)" as negative and, for money,
    "฿", "บาท", "THB" and the Thai "500.-" ending. "1,5" and "1.234,50" are not numbers (no guessing)."""
    t = compact(text)
    negative = False
    if len(t) > 2 and t[0] == "(" and t[-1] == ")":
        negative, t = True, t[1:-1]
    if money:
        t = _CURRENCY.sub("", _CURRENCY.sub("", t))
        if t.endswith(".-"):
            t = t[:-2]
        elif t.endswith("-") and len(t) > 1:
            t = t[:-1]
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    if not _NUMBER.match(t):
        return None, percent
    try:
        number = Decimal(t.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None, percent
    return (-number if negative else number), percent


def _range(col: Column, x, code_low: str = "number.below_min", code_high: str = "number.above_max"):
    if col.min is not None and x < col.min:
        return code_low
    if col.max is not None and x > col.max:
        return code_high
    return None


def _limits(col: Column, x) -> dict:
    return {"min": _num_param(col.min), "max": _num_param(col.max), "value": display(x)}


def _number_like(value, invalid: str, *, money: bool = False):
    """(Decimal | float | None, error code | None, percent sign) for any numeric column."""
    kind = type(value)
    if kind is bool or isinstance(value, np.bool_):
        return None, invalid, False
    if kind is int or isinstance(value, np.integer):
        return Decimal(int(value)), None, False
    if kind is float or isinstance(value, np.floating):
        return (float(value), None, False) if math.isfinite(value) else (None, invalid, False)
    if kind is str:
        text = clean_text(value)
        if text in DASHES:
            return (Decimal(0) if money else None), None, False
        number, percent = parse_number_text(text, money=money)
        return number, (None if number is not None else invalid), percent
    return None, invalid, False


def norm_integer(value, col: Column) -> Outcome:
    x, err, percent = _number_like(value, "integer.invalid")
    if err or percent:
        return Outcome(error="integer.invalid")
    if x is None:
        return EMPTY
    if x != int(x):
        return Outcome(error="integer.not_whole")
    x = int(x)
    if err := _range(col, x):
        return Outcome(error=err, params=_limits(col, x))
    return Outcome(x)


def norm_number(value, col: Column) -> Outcome:
    x, err, _ = _number_like(value, "number.invalid")
    if err:
        return Outcome(error=err)
    if x is None:
        return EMPTY
    x = float(x)
    if not math.isfinite(x):  # a typed number beyond float range
        return Outcome(error="number.invalid")
    if err := _range(col, x):
        return Outcome(error=err, params=_limits(col, x))
    return Outcome(x)


_CENT = Decimal("0.01")


MONEY_LIMIT = 1e12  # a trillion baht: more than any school or district amount, and exact in float satang


def norm_money(value, col: Column) -> Outcome:
    x, err, percent = _number_like(value, "money.invalid", money=True)
    if err or percent:
        return Outcome(error="money.invalid")
    if abs(x) >= MONEY_LIMIT:
        return Outcome(error="money.too_large")
    if isinstance(x, float):
        satang = round(x * 100)
        if abs(x * 100 - satang) > 1e-6:
            return Outcome(error="money.too_many_decimals")
        amount = Decimal(satang).scaleb(-2)
    else:
        amount = x.quantize(_CENT)
        if amount != x:
            return Outcome(error="money.too_many_decimals")
    if amount < 0 and (col.min is None or col.min >= 0):
        return Outcome(error="money.negative", params={"value": display(amount)})
    if err := _range(col, amount):
        return Outcome(error=err, params=_limits(col, amount))
    return Outcome(amount)


def money_numbers(numbers: list, col: Column) -> tuple[list, dict[int, Outcome]]:
    """norm_money for many plain int/float cells at once (the common case: Excel and Sheets give numbers):
    (values, {index: Outcome} for the ones with a finding). Same results as norm_money, value by value;
    numpy does the checks, Python only builds the Decimals."""
    x = np.asarray(numbers, dtype=float)
    finite = np.isfinite(x)
    cents = np.round(np.where(finite, x, 0) * 100)
    wrong = ~finite | (np.abs(x * 100 - cents) > 1e-6)
    floor = -np.inf if col.min is not None and col.min < 0 else 0.0
    low = max(floor, -np.inf if col.min is None else float(col.min))
    high = np.inf if col.max is None else float(col.max)
    values = [Decimal(c).scaleb(-2) for c in cents.astype(np.int64).tolist()]
    problems = {}
    for i in np.flatnonzero(wrong | (cents < low * 100) | (cents > high * 100)).tolist():
        problems[i] = outcome = norm_money(numbers[i], col)
        values[i] = outcome.value
    return values, problems


def norm_percent(value, col: Column) -> Outcome:
    x, err, percent = _number_like(value, "percent.invalid")
    if err:
        return Outcome(error=err)
    if x is None:
        return EMPTY
    x = float(x)
    low = 0 if col.min is None else col.min
    high = 100 if col.max is None else col.max
    if not low <= x <= high:
        return Outcome(error="percent.out_of_range",
                       params={"min": _num_param(low), "max": _num_param(high), "value": display(x)})
    if not percent and 0 < x < 1:
        return Outcome(x, warning="percent.fraction_like", params={"as_percent": display(x * 100)})
    return Outcome(x)


# --- text-like -------------------------------------------------------------------------------------------


def norm_text(value, col: Column) -> Outcome:
    text = clean_text(as_text(value))
    if col.max_length is not None and len(text) > col.max_length:
        return Outcome(error="text.too_long", params={"length": len(text), "max_length": col.max_length})
    if len(text) > 1 and text.startswith(FORMULA_PREFIXES):
        return Outcome(text, warning="text.formula_like", params={"first": text[0]})
    return Outcome(text)


def _choice_lookup(col: Column) -> dict[str, str]:
    return {squeeze(c): c for c in col.allowed_values()}


def _choices_param(col: Column) -> str:
    values = col.allowed_values()
    shown = ", ".join(values[:8])
    return shown + (f", … (ทั้งหมด {len(values)})" if len(values) > 8 else "")


def norm_choice(value, col: Column, lookup: dict[str, str]) -> Outcome:
    found = lookup.get(squeeze(as_text(value)))
    if found is None:
        return Outcome(error="choice.invalid", params={"choices": _choices_param(col)})
    return Outcome(found)


_YES = frozenset({"ใช่", "yes", "y", "true", "1", "มี", "✓", "✔", "☑"})
_NO = frozenset({"ไม่ใช่", "no", "n", "false", "0", "ไม่มี", "✗", "✘", "☐"})


def norm_yesno(value, col: Column) -> Outcome:
    if isinstance(value, bool | np.bool_):
        return Outcome(YES_TH if value else NO_TH)
    key = squeeze(as_text(value))
    if key in _YES:
        return Outcome(YES_TH)
    if key in _NO:
        return Outcome(NO_TH)
    return Outcome(error="yesno.invalid")


_DIGITS = re.compile(r"^[0-9]+$")


def norm_school_code(value, col: Column) -> Outcome:
    if isinstance(value, bool | np.bool_) or (isinstance(value, float) and not float(value).is_integer()):
        return Outcome(error="school_code.invalid")
    text = compact(as_text(value)).lstrip("'")
    if not _DIGITS.match(text):
        return Outcome(error="school_code.invalid")
    if len(text) != 10:
        return Outcome(error="school_code.length", params={"digits": len(text)})
    return Outcome(text)


_URL = re.compile(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?"
                  r"(?:[/?#][!-~]*)?$", re.IGNORECASE)
_BARE_URL = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:[/?#][!-~]*)?$")


def norm_url(value, col: Column) -> Outcome:
    if type(value) is not str:
        return Outcome(error="url.invalid")
    text = clean_text(value)
    if _URL.match(text):
        return Outcome(text)
    if _BARE_URL.match(text):
        fixed = "https://" + text
        return Outcome(fixed, warning="url.scheme_added", params={"value": fixed})
    return Outcome(error="url.invalid")


_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")


def norm_email(value, col: Column) -> Outcome:
    if type(value) is not str:
        return Outcome(error="email.invalid")
    text = clean_text(value)
    if text[:7].casefold() == "mailto:":
        text = text[7:].strip()
    if not _EMAIL.match(text):
        return Outcome(error="email.invalid")
    # Google accounts are case-insensitive; one spelling keeps sharing and look-ups simple.
    return Outcome(text.lower())


# --- dates -------------------------------------------------------------------------------------------------

# The Thai date parser's codes, as finding codes.
_DATE_CODES = {"impossible_date": "date.impossible"}


def norm_dates(values: list, col: Column) -> list[Outcome]:
    """All distinct values of a date column at once, through the Thai date parser."""
    from addin.thaidate import parse_dates

    if not values:
        return []
    parsed = parse_dates(pd.Series(values, dtype=object))
    days = parsed["date"].dt.date.to_numpy(dtype=object)
    out = []
    for day, error in zip(days, parsed["error"].to_numpy(dtype=object), strict=True):
        if error is not None:
            code = _DATE_CODES.get(error.code, f"date.{error.code}")
            out.append(Outcome(error=code, params={"detail_th": error.message_th, "detail_en": error.message_en}))
        elif day is None or day is pd.NaT or (isinstance(day, float) and math.isnan(day)):
            out.append(EMPTY)
        else:
            out.append(Outcome(day))
    return out


SCALAR_NORMALIZERS = {
    ColType.TEXT: norm_text,
    ColType.INTEGER: norm_integer,
    ColType.NUMBER: norm_number,
    ColType.MONEY: norm_money,
    ColType.PERCENT: norm_percent,
    ColType.YESNO: norm_yesno,
    ColType.SCHOOL_CODE: norm_school_code,
    ColType.URL: norm_url,
    ColType.EMAIL: norm_email,
}


# --- whole columns -----------------------------------------------------------------------------------------

# Stand-ins for True/False while factorizing: True == 1 == 1.0 to a hash table, and a ticked checkbox
# must not become the number 1.
_TRUE, _FALSE = object(), object()
_NO_BOOLS = {"string", "floating", "integer", "mixed-integer-float", "empty", "datetime", "date", "decimal"}


@dataclass
class Factorized:
    """One raw column as codes into its distinct values (-1 = None/NaN)."""

    codes: np.ndarray
    uniques: list
    blank_u: np.ndarray  # per distinct value, plus a last True slot for code -1

    def blank(self) -> np.ndarray:
        return self.blank_u[self.codes]


def factorize(raw: np.ndarray) -> Factorized:
    flags: list[int] = []
    if infer_dtype(raw, skipna=True) not in _NO_BOOLS:
        # Only cells equal to 1 or 0 can be booleans: compare in C, then look at those few in Python.
        suspects = np.flatnonzero(np.equal(raw, True) | np.equal(raw, False))
        flags = [i for i in suspects if isinstance(raw[i], bool | np.bool_)]
        if flags:
            raw = raw.copy()
            for i in flags:
                raw[i] = _TRUE if raw[i] else _FALSE
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    values = uniques.tolist()
    if flags:
        values = [True if v is _TRUE else False if v is _FALSE else v for v in values]
    # None, NaN and NaT are code -1 already: only text can still be blank.
    blank_u = np.fromiter((type(v) is str and is_blank(v) for v in values), bool, len(values))
    return Factorized(codes, values, np.append(blank_u, True))


@dataclass
class ColumnResult:
    """Per row of one column: the typed value (None = empty), whether it is empty, whether it has an error,
    and the Outcome of every cell with an error or a warning (by row position)."""

    values: np.ndarray
    empty: np.ndarray
    error: np.ndarray
    problems: dict[int, Outcome]


def _precheck(value) -> Outcome | None:
    """What is wrong with a cell whatever its column: a formula error or an impossibly long text."""
    if type(value) is str:
        if len(value) < 20 and "#" in value and value.strip().upper() in FORMULA_ERRORS:
            return Outcome(error="cell.formula_error")
        if len(value) > CELL_LIMIT:
            return Outcome(error="cell.too_long", params={"length": len(value), "limit": CELL_LIMIT})
    return None


def _text_fast(values: list, pending: list[int], col: Column, record) -> list[int]:
    """Plain single-line text within limits goes straight through; returns the indices left for norm_text."""
    limit = col.max_length
    rest = []
    for i in pending:
        v = values[i]
        if type(v) is str and v.isprintable() and "  " not in v:
            t = v.strip()
            if (limit is None or len(t) <= limit) and not (len(t) > 1 and t.startswith(FORMULA_PREFIXES)):
                record(i, t)
                continue
        rest.append(i)
    return rest


def normalize_uniques(values: list, blank_u: np.ndarray, col: Column) -> tuple[list, dict[int, Outcome]]:
    """For each distinct raw value of a column: its typed value (None for blanks), and the Outcome of every
    distinct value that has an error or a warning."""
    out: list = [None] * len(values)
    problems: dict[int, Outcome] = {}

    def record(i: int, value) -> None:
        out[i] = value

    def record_outcome(i: int, outcome: Outcome) -> None:
        out[i] = outcome.value
        if outcome.error or outcome.warning:
            problems[i] = outcome

    pending: list[int] = []
    for i, v in enumerate(values):
        if blank_u[i]:
            continue
        pre = _precheck(v) if type(v) is str else None
        if pre is not None:
            problems[i] = pre
        else:
            pending.append(i)
    if col.type is ColType.DATE:
        for i, outcome in zip(pending, norm_dates([values[i] for i in pending], col), strict=True):
            record_outcome(i, outcome)
        return out, problems
    if col.type is ColType.CHOICE:
        lookup = _choice_lookup(col)
        for i in pending:
            record_outcome(i, norm_choice(values[i], col, lookup))
        return out, problems
    if col.type is ColType.TEXT:
        pending = _text_fast(values, pending, col, record)
    elif col.type is ColType.MONEY:
        plain = [i for i in pending if type(values[i]) in (int, float) and abs(values[i]) < MONEY_LIMIT]
        amounts, bad = money_numbers([values[i] for i in plain], col)
        for k, i in enumerate(plain):
            out[i] = amounts[k]
        for k, outcome in bad.items():
            problems[plain[k]] = outcome
        taken = set(plain)
        pending = [i for i in pending if i not in taken]
    fn = SCALAR_NORMALIZERS[col.type]
    for i in pending:
        record_outcome(i, fn(values[i], col))
    return out, problems


def normalize_column(fz: Factorized, rows: np.ndarray, col: Column) -> ColumnResult:
    """Typed values and findings for the rows `rows` (indices into the raw column) of one column."""
    u_values, u_problems = normalize_uniques(fz.uniques, fz.blank_u, col)
    n_u = len(u_values)
    codes = fz.codes[rows]  # -1 (None/NaN) lands on the extra last slot: empty, no problem
    values = np.fromiter(u_values + [None], dtype=object, count=n_u + 1)[codes]
    u_error = np.zeros(n_u + 1, dtype=bool)
    u_empty = np.fromiter((v is None for v in u_values), dtype=bool, count=n_u)
    u_empty = np.append(u_empty, True)
    for i, o in u_problems.items():
        u_error[i] = bool(o.error)
    u_empty &= ~u_error
    problems: dict[int, Outcome] = {}
    if u_problems:
        # Outcomes are spread only over the rows of the (few) distinct values that have them.
        for p in np.flatnonzero(np.isin(codes, list(u_problems))).tolist():
            problems[p] = u_problems[codes[p]]
    return ColumnResult(values, u_empty[codes], u_error[codes], problems)
