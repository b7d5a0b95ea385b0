"""How numbers read in a Thai official document: baht with satang, baht in words, percentages, Thai digits,
and the one way a missing figure is written ("ไม่มีข้อมูล", never 0)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from bahttext import bahttext

from addin.calendar import to_thai_digits

NO_DATA = "ไม่มีข้อมูล"
NO_DATA_EN = "no data"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_missing(value) -> bool:
    """None, NaN, pandas' NA/NaT, a NaN Decimal, or blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


def money(value, *, digits: bool = False) -> str:
    """1234.5 → "1,234.50" (baht, two decimals); missing → ไม่มีข้อมูล."""
    if is_missing(value):
        return NO_DATA
    text = f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    return to_thai_digits(text) if digits else text


def baht_words(value) -> str:
    """The amount in words as official documents write it: "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์",
    "ห้าสิบสตางค์", "หนึ่งร้อยบาทถ้วน". bahttext does the words; two of its readings are not the official ones
    and are fixed here: one satang (it writes "เอ็ดสตางค์") and an amount under one baht (it writes
    "ศูนย์บาท…สตางค์")."""
    if is_missing(value):
        return NO_DATA
    amount = Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = "ลบ" if amount < 0 else ""
    amount = abs(amount)
    whole, satang = int(amount), int((amount - int(amount)) * 100)
    if satang == 0:
        return sign + bahttext(whole)
    satang_words = bahttext(satang).removesuffix("บาทถ้วน") + "สตางค์"
    if whole == 0:
        return sign + satang_words
    return sign + bahttext(whole).removesuffix("ถ้วน") + satang_words


def baht_with_words(value) -> str:
    """"1,234.50 บาท (หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์)"."""
    if is_missing(value):
        return NO_DATA
    return f"{money(value)} บาท ({baht_words(value)})"


def pct(value, decimals: int = 2) -> str:
    if is_missing(value):
        return NO_DATA
    return f"{float(value):,.{decimals}f}"


def number(value) -> str:
    """An integer count or a measured value as written in a table (no trailing .0); missing → ไม่มีข้อมูล."""
    if is_missing(value):
        return NO_DATA
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def plain(text) -> str:
    """School text as plain text for a document: control characters out, nothing else touched (a Word run is
    text, never a field, so "=HYPERLINK(…)" stays the characters the school typed)."""
    if is_missing(text):
        return ""
    return _CONTROL.sub("", str(text))
