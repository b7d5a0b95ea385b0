"""What every reader of a cell agrees on: which characters are invisible, and when a cell counts as blank.

The date parser, the validation engine, the Excel layer and the worksheet functions all ask `is_blank`, so a
cell holding only spaces, NBSP or a zero-width character pasted from a web page or PDF is empty everywhere
alike — never a date error in one place and an empty row in another.
"""

from __future__ import annotations

import math

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
