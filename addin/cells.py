"""What every reader of a cell agrees on: which characters are invisible, when a cell counts as blank, and how
a CSV file saved by Excel is decoded.

The date parser, the validation engine, the Excel layer and the worksheet functions all ask `is_blank`, so a
cell holding only spaces, NBSP or a zero-width character pasted from a web page or PDF is empty everywhere
alike — never a date error in one place and an empty row in another.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

# Zero-width and soft-hyphen characters: pasted from web pages and PDFs, they show nothing in a cell.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def is_blank(value) -> bool:
    """An empty cell however it arrives: None, NaN, NaT, pd.NA, or text of only spaces and invisible characters."""
    if value is None:
        return True
    if isinstance(value, str):
        if not value:
            return True
        # Text starting with a visible character is not blank: no need to clean it (the common case).
        return not (value[0].isprintable() and value[0] != " ") and not value.translate(INVISIBLE).strip()
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return value is pd.NaT or value is pd.NA


def read_csv_text(path: Path) -> str:
    """A CSV file staff edit, as text: UTF-8 (with or without BOM), else TIS-620/cp874 — what Excel on a Thai
    Windows saves as "CSV (Comma delimited)". UnicodeDecodeError when it is neither."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp874")
