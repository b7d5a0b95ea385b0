"""Cell values like Sheets stores them: RAW vs USER_ENTERED input, and the three value render options.

A cell keeps what the user entered (number, string, bool or formula text) plus its userEnteredFormat; what a
reader sees is derived from that on each read (formula cells through `formulas.Evaluator`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

EPOCH = datetime(1899, 12, 30)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Locales where Sheets reads 1/10/2025 as 1 October (day first); everything else reads it month first (en_US).
_MONTH_FIRST = ("en_US", "en_PH", "en_CA", "es_US")


class Cell:
    """kind: 'n' number, 's' string, 'b' bool, 'f' formula, None (format/validation only)."""

    __slots__ = ("kind", "value", "fmt", "validation", "note")

    def __init__(self, kind=None, value=None, fmt=None, validation=None, note=None):
        self.kind, self.value, self.fmt, self.validation, self.note = kind, value, fmt, validation, note

    def copy(self) -> Cell:
        return Cell(self.kind, self.value, self.fmt, self.validation, self.note)

    def empty(self) -> bool:
        return self.kind is None and not self.fmt and not self.validation and not self.note

    def to_json(self) -> list:
        return [self.kind, self.value, self.fmt, self.validation, self.note]

    @classmethod
    def from_json(cls, data: list) -> Cell:
        return cls(*data)


def serial(dt: datetime) -> float:
    delta = dt - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(value: float) -> datetime:
    return EPOCH + timedelta(days=math.floor(value), seconds=round((value - math.floor(value)) * 86400))


# ASCII only: Sheets keeps Thai digits (๑๒๓) as text, and so does Khet's own parsing downstream.
_NUM = re.compile(r"^([+-]?)(\$?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?(%?)$", re.A)
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$", re.A)
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$", re.A)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$", re.A)


def _date_value(y: int, mo: int, d: int, h, mi, s, pattern_date: str):
    try:
        dt = datetime(y, mo, d, int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    if h is None:
        return "n", serial(dt), {"type": "DATE", "pattern": pattern_date}
    time_pattern = "H:mm:ss" if s is not None else "H:mm"
    return "n", serial(dt), {"type": "DATE_TIME", "pattern": f"{pattern_date} {time_pattern}"}


def parse_user_entered(text: str, locale: str = "en_US") -> tuple[str | None, object, dict | None]:
    """What Sheets makes of typed text: (kind, value, numberFormat or None)."""
    if text == "":
        return None, None, None
    if text.startswith("'"):
        return "s", text[1:], None
    if text.startswith("="):
        return "f", text, None
    stripped = text.strip()
    upper = stripped.upper()
    if upper in ("TRUE", "FALSE"):
        return "b", upper == "TRUE", None
    m = _NUM.match(stripped)
    if m:
        sign, dollar, digits, exp, pct = m.groups()
        number = float(digits.replace(",", "") + (f"e{exp}" if exp else ""))
        if sign == "-":
            number = -number
        if pct:
            number /= 100
        if number == int(number) and abs(number) < 1e15 and not exp:
            number = int(number)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        if pct:
            return "n", number, {"type": "PERCENT", "pattern": "0.00%" if decimals else "0%"}
        if dollar:
            return "n", number, {"type": "CURRENCY", "pattern": '"$"#,##0.00'}
        if exp:
            return "n", number, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
        if "," in digits:
            return (
                "n",
                number,
                {"type": "NUMBER", "pattern": "#,##0" + ("." + "0" * decimals if decimals else "")},
            )
        return "n", number, None
    m = _ISO_DATE.match(stripped)
    if m:
        y, mo, d, h, mi, s = m.groups()
        sep = stripped[4]
        out = _date_value(int(y), int(mo), int(d), h, mi, s, f"yyyy{sep}mm{sep}dd")
        if out:
            return out
    m = _SLASH_DATE.match(stripped)
    if m:
        a, b, y, h, mi, s = m.groups()
        year = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 30 else 1900 + int(y))
        month_first = locale in _MONTH_FIRST
        mo, d = (int(a), int(b)) if month_first else (int(b), int(a))
        out = _date_value(year, mo, d, h, mi, s, "M/d/yyyy" if month_first else "d/M/yyyy")
        if out:
            return out
    m = _TIME.match(stripped)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return (
            "n",
            (h * 3600 + mi * 60 + s) / 86400,
            {"type": "TIME", "pattern": "H:mm:ss" if m.group(3) else "H:mm"},
        )
    return "s", text, None


def from_json_value(value, option: str, locale: str) -> tuple[str | None, object, dict | None]:
    """A value from a request body (`values: [[...]]`) under valueInputOption RAW or USER_ENTERED."""
    if isinstance(value, bool):
        return "b", value, None
    if isinstance(value, int | float):
        return "n", value, None
    text = str(value)
    if option == "RAW":
        return (None, None, None) if text == "" else ("s", text, None)
    return parse_user_entered(text, locale)


# -- rendering ---------------------------------------------------------------------------------------------


def general(number: float) -> str:
    if isinstance(number, int) or (number == int(number) and abs(number) < 1e15):
        return str(int(number))
    return f"{number:.15g}".replace("e", "E")


_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|.', re.I)


def format_datetime(value: float, pattern: str) -> str:
    dt = from_serial(value)
    tokens = _DATE_TOKEN.findall(pattern)
    lower = [t.lower() for t in tokens]
    ampm = any(t in ("am/pm", "a/p") for t in lower)
    out = []
    for i, (tok, low) in enumerate(zip(tokens, lower, strict=True)):
        if low in ("m", "mm"):
            prev = next((x for x in reversed(lower[:i]) if x[0] in "hsdmy"), "")
            nxt = next((x for x in lower[i + 1 :] if x[0] in "hsdmy"), "")
            if prev.startswith("h") or nxt.startswith("s"):
                out.append(f"{dt.minute:02d}" if low == "mm" else str(dt.minute))
            else:
                out.append(f"{dt.month:02d}" if low == "mm" else str(dt.month))
            continue
        hour = dt.hour % 12 or 12 if ampm else dt.hour
        out.append(
            {
                "yyyy": f"{dt.year:04d}",
                "yy": f"{dt.year % 100:02d}",
                "mmmm": MONTHS[dt.month - 1],
                "mmm": MONTHS[dt.month - 1][:3],
                "dddd": DAYS[dt.weekday()],
                "ddd": DAYS[dt.weekday()][:3],
                "dd": f"{dt.day:02d}",
                "d": str(dt.day),
                "hh": f"{hour:02d}",
                "h": str(hour),
                "ss": f"{dt.second:02d}",
                "s": str(dt.second),
                "am/pm": "AM" if dt.hour < 12 else "PM",
                "a/p": "A" if dt.hour < 12 else "P",
            }.get(low, tok[1:-1] if tok.startswith('"') else tok[1:] if tok.startswith("\\") else tok)
        )
    return "".join(out)


def format_number(value: float, pattern: str) -> str:
    section = pattern.split(";")[0]
    if value < 0 and ";" in pattern:
        section, value = pattern.split(";")[1], -value
    literal = re.sub(r'"([^"]*)"', lambda m: "\0" + m.group(1) + "\0", section)
    if "E+" in section.upper():
        decimals = len(section.split(".")[1].upper().split("E")[0]) if "." in section else 0
        mantissa, exp = f"{value:.{decimals}E}".split("E")
        return f"{mantissa}E+{int(exp):02d}" if int(exp) >= 0 else f"{mantissa}E-{abs(int(exp)):02d}"
    if "%" in section:
        value *= 100
    core = re.search(r"[#0,]+(\.[#0]+)?", literal)
    if not core:
        return general(value)
    decimals = len(core.group(1)) - 1 if core.group(1) else 0
    grouping = "," in core.group(0).split(".")[0]
    # Sheets rounds halves away from zero (1234.5 → 1,235), unlike Python's round-half-even.
    rounded = Decimal(repr(abs(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:{',' if grouping else ''}.{decimals}f}"
    if value < 0 and float(text.replace(",", "")) != 0:
        text = "-" + text
    return (literal[: core.start()] + text + literal[core.end() :]).replace("\0", "")


_DEFAULT_PATTERN = {
    "NUMBER": "#,##0.00",
    "PERCENT": "0.00%",
    "CURRENCY": '"$"#,##0.00',
    "SCIENTIFIC": "0.00E+00",
}


def format_value(number: float, number_format: dict | None, locale: str = "en_US") -> str:
    if (
        not number_format
        or number_format.get("type") in (None, "TEXT", "NUMBER_FORMAT_TYPE_UNSPECIFIED")
        and not number_format.get("pattern")
    ):
        return general(number)
    kind = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern") or ""
    if kind in ("DATE", "TIME", "DATE_TIME"):
        if not pattern:
            day_first = locale not in _MONTH_FIRST
            pattern = {
                "DATE": "d/M/yyyy" if day_first else "M/d/yyyy",
                "TIME": "h:mm:ss am/pm",
                "DATE_TIME": ("d/M/yyyy" if day_first else "M/d/yyyy") + " H:mm:ss",
            }[kind]
        return format_datetime(number, pattern)
    return format_number(number, pattern or _DEFAULT_PATTERN.get(kind, "0.##########"))


def number_format_of(cell: Cell) -> dict | None:
    return (cell.fmt or {}).get("numberFormat")


def is_datetime(cell: Cell) -> bool:
    return (number_format_of(cell) or {}).get("type") in ("DATE", "TIME", "DATE_TIME")


def render(cell: Cell, value_option: str, datetime_option: str, locale: str = "en_US", result=None):
    """The JSON value Sheets returns for one cell under values.get's render options; `result` is the evaluated
    value of a formula cell (see formulas.py)."""
    kind, value = cell.kind, cell.value
    if kind == "f":
        if value_option == "FORMULA":
            return value
        kind, value = result_kind(result), result
        if kind == "e":
            return value.code
    if kind is None:
        return ""
    if value_option == "FORMATTED_VALUE":
        if kind == "b":
            return "TRUE" if value else "FALSE"
        if kind == "n":
            return format_value(value, number_format_of(cell), locale)
        return value
    if kind == "n" and datetime_option == "FORMATTED_STRING" and is_datetime(cell):
        return format_value(value, number_format_of(cell), locale)
    return value


def result_kind(result) -> str:
    if isinstance(result, bool):
        return "b"
    if isinstance(result, int | float):
        return "n"
    if isinstance(result, str):
        return "s"
    return "e"


def user_entered_value(cell: Cell) -> dict | None:
    key = {"n": "numberValue", "s": "stringValue", "b": "boolValue", "f": "formulaValue"}.get(cell.kind)
    return {key: cell.value} if key else None


def effective_value(cell: Cell, result=None) -> dict | None:
    if cell.kind == "f":
        kind = result_kind(result)
        if kind == "e":
            return {"errorValue": result.to_json()}
        return {{"n": "numberValue", "s": "stringValue", "b": "boolValue"}[kind]: result}
    return user_entered_value(cell)
