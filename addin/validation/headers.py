"""Finding a sheet's header row and which grid column holds which defined column.

Tolerant on purpose: users insert title rows above the table, delete the hidden key row, reorder columns,
rename a header to an alias or to the English key/caption, add "*" or "(บาท)", and paste headers with NBSP
or zero-width characters. Headers are compared without any spaces, underscores or invisible characters,
case-folded, with Thai digits as Arabic; a header that still does not match is tried once more without its
bracketed part ("งบประมาณรวม (บาท)" ~ "งบประมาณรวม").

The hidden key row (English keys, row 2 of the template) is the machine anchor: where it is present it
decides a column's meaning even when the Thai header above it was retyped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from openpyxl.utils import get_column_letter

from addin.validation.normalize import as_text, clean_text, is_blank, squeeze
from workbook.schema import SheetDef

HEADER_SCAN_ROWS = 10
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(text: str) -> str:
    return squeeze(text).replace("_", "").strip("*:")


def _loose(text: str) -> str:
    return header_key(_BRACKETS.sub("", text))


@dataclass(frozen=True)
class Lookup:
    exact: dict[str, str]  # header_key(accepted header) -> column key
    loose: dict[str, str]  # the same without brackets, only where unambiguous
    keys: dict[str, str]  # header_key(column key) -> column key (the key row)

    def match(self, text: str) -> str | None:
        return self.exact.get(header_key(text)) or self.loose.get(_loose(text))


@lru_cache(maxsize=64)
def lookup_for(sheet: SheetDef) -> Lookup:
    exact: dict[str, str] = {}
    loose: dict[str, set[str]] = {}
    for col in sheet.columns:
        for name in col.accepted_headers():
            exact.setdefault(header_key(name), col.key)
            loose.setdefault(_loose(name), set()).add(col.key)
    unambiguous = {k: next(iter(v)) for k, v in loose.items() if len(v) == 1 and k and k not in exact}
    return Lookup(exact, unambiguous, {header_key(c.key): c.key for c in sheet.columns})


@dataclass
class Layout:
    """Where the table is in the grid (0-based grid indices)."""

    header_index: int | None  # the row whose captions findings quote; None = no header found
    key_index: int | None  # the hidden key row, when present
    data_start: int
    columns: dict[str, int] = field(default_factory=dict)  # column key -> grid column
    captions: dict[int, str] = field(default_factory=dict)  # grid column -> header text as found
    unknown: list[int] = field(default_factory=list)  # grid columns with a header that matches nothing
    duplicates: dict[int, str] = field(default_factory=dict)  # grid column -> key already taken on the left
    missing: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.header_index is not None


def _cell_text(row, j: int) -> str:
    if j >= len(row) or is_blank(row[j]):
        return ""
    return clean_text(as_text(row[j]))


def find_layout(sheet: SheetDef, head: list[list], width: int) -> Layout:
    """`head` = the first rows of the grid (at least HEADER_SCAN_ROWS when the grid has them)."""
    lk = lookup_for(sheet)
    threshold = min(2, len(sheet.columns))
    texts = [[_cell_text(row, j) for j in range(min(len(row), width))] for row in head[:HEADER_SCAN_ROWS]]
    matched = [len({k for t in row if t and (k := lk.match(t))}) for row in texts]
    as_keys = [len({k for t in row if t and (k := lk.keys.get(header_key(t)))}) for row in texts]
    filled = [sum(1 for t in row if t) for row in texts]

    def is_key_row(r: int) -> bool:
        return 0 <= r < len(texts) and as_keys[r] >= threshold and as_keys[r] * 5 >= filled[r] * 3

    if not texts or max(matched) < threshold:
        return Layout(None, None, 0, missing=[c.key for c in sheet.columns])
    best = matched.index(max(matched))
    if is_key_row(best + 1):  # the template's layout (a header typed in English keys is still the header)
        header_index, key_index = best, best + 1
    elif is_key_row(best):
        key_index = header_index = best
        # A pure key row under a row about as wide is the template's key row under its Thai header row,
        # even when every caption in that header was retyped (a one-cell title above is not a header).
        if as_keys[best] == filled[best] and best > 0 and filled[best - 1] * 2 >= filled[best]:
            header_index = best - 1
    else:
        header_index, key_index = best, None
    layout = Layout(header_index, key_index, max(header_index, key_index or 0) + 1)

    for j in range(width):
        caption = texts[header_index][j] if j < len(texts[header_index]) else ""
        key_text = texts[key_index][j] if key_index is not None and j < len(texts[key_index]) else ""
        key = lk.keys.get(header_key(key_text)) if key_text else None
        if key is None and caption:
            key = lk.match(caption)
        if caption or key_text:
            layout.captions[j] = caption or key_text
        if key is None:
            if caption or key_text:
                layout.unknown.append(j)
        elif key in layout.columns:
            layout.duplicates[j] = key
        else:
            layout.columns[key] = j
    layout.missing = [c.key for c in sheet.columns if c.key not in layout.columns]
    return layout


def letter(j: int) -> str:
    return get_column_letter(j + 1)
