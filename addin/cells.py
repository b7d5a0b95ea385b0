"""What every reader of a cell agrees on: which characters are invisible, when a cell counts as blank, how
a CSV file saved by Excel is decoded — and the one output-safety step every text passes before it reaches an
output (`safe_text`).

The date parser, the validation engine, the Excel layer and the worksheet functions all ask `is_blank`, so a
cell holding only spaces, NBSP or a zero-width character pasted from a web page or PDF is empty everywhere
alike — never a date error in one place and an empty row in another.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

# Zero-width and soft-hyphen characters: pasted from web pages and PDFs, they show nothing in a cell.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


# What an output refuses: openpyxl (XML 1.0) raises IllegalCharacterError on C0 controls, lxml on lone surrogates
# and U+FFFE/U+FFFF; C1 controls and DEL are invisible garbage from Word or a PDF. Tab, newline and carriage return
# are ordinary text in a cell and stay.
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"  # "�": visibly not what was typed, so the school sees where its text was changed
CELL_LIMIT = 32_767  # characters in one cell: Excel's limit (Sheets holds 50,000)


def unsafe_characters(text: str) -> list[str]:
    """The characters of `text` an output would refuse, as U+XXXX, in order, each once."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in UNSAFE_CHARACTERS.findall(text)))


def safe_text(text: str) -> str:
    """The output-safety step: refused characters replaced by "�", text beyond a cell's limit cut with a visible
    note. Every text bound for the .xlsx, the district sheet, feedback or the staff workbook passes here."""
    if UNSAFE_CHARACTERS.search(text):
        text = UNSAFE_CHARACTERS.sub(REPLACEMENT, text)
    if len(text) > CELL_LIMIT:
        note = f"… [ตัดเหลือ {CELL_LIMIT:,} ตัวอักษร / cut to {CELL_LIMIT:,} characters]"
        text = text[:CELL_LIMIT - len(note)] + note
    return text


def safe_value(value):
    """`safe_text` for text, anything else unchanged."""
    return safe_text(value) if isinstance(value, str) else value


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
