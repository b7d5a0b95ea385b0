"""Reading an .xlsx/.xlsm file (staff workbook, or a school sheet downloaded from Google) for validation.

A tab is recognised by its title (Thai title or English key, spacing ignored) or, when a user renamed the
tab, by its hidden key row. Tabs that match no definition are listed as skipped, never silently dropped;
a second tab matching a definition already taken is skipped too (and says which tab took it).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from addin.validation.engine import ValidationResult, validate_table
from addin.validation.headers import HEADER_SCAN_ROWS, header_key
from addin.validation.normalize import as_text, is_blank, squeeze
from workbook.schema import SheetDef


@dataclass
class WorkbookTab:
    title: str
    sheet: SheetDef | None  # None = skipped
    values: list = field(default_factory=list, repr=False)
    reason_th: str = ""  # why it was skipped
    reason_en: str = ""


def _all_sheets() -> list[SheetDef]:
    from workbook.settings import SETTINGS_SHEETS
    from workbook.sheets import SHEETS

    return [*SHEETS.values(), *SETTINGS_SHEETS]


def sheet_for_title(title: str) -> SheetDef | None:
    wanted = squeeze(title)
    for sheet in _all_sheets():
        if wanted in (squeeze(sheet.title_th), squeeze(sheet.key)):
            return sheet
    return None


def sheet_for_key_row(values: list) -> SheetDef | None:
    """The definition whose English keys fill a row near the top (≥ 2 keys and ≥ 60 % of the row)."""
    best, best_score = None, (0, 0.0)
    for row in values[:HEADER_SCAN_ROWS]:
        cells = {header_key(as_text(v)) for v in row if not is_blank(v)}
        if not cells:
            continue
        for sheet in _all_sheets():
            hits = len(cells & {header_key(k) for k in sheet.keys()})
            score = (hits, hits / len(sheet.columns))
            if hits >= 2 and hits * 5 >= len(cells) * 3 and score > best_score:
                best, best_score = sheet, score
    return best


@contextmanager
def open_workbook(path: str | Path):
    """An .xlsx/.xlsm opened read-only with cached values (as Excel last computed them), closed afterwards."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        yield wb
    finally:
        wb.close()


def tab_cells(ws) -> list[list]:
    """A read-only worksheet's cells from A1, row by row."""
    # Some generators write a wrong <dimension> (e.g. "A1"), which would hide every other cell in
    # read-only mode; without it openpyxl reads every row present (gaps still come as empty rows).
    ws.reset_dimensions()
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _may_be(ws, wanted: set[str]) -> bool:
    """Whether a read-only worksheet can be one of the ``wanted`` sheets: by its title, else by its key row."""
    titled = sheet_for_title(ws.title)
    if titled is not None:
        return titled.key in wanted
    ws.reset_dimensions()
    head = [list(r) for r in ws.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
    found = sheet_for_key_row(head)
    return found is not None and found.key in wanted


@lru_cache(maxsize=8)
def _grids(path: str, version: tuple, wanted: frozenset[str] | None) -> tuple[tuple[str, list], ...]:
    """The file's (title, cells) per tab read, once per version of the file: the nightly daemon and the demo's year
    read the same unchanged staff workbook every night (a second each). The file's inode, times and size are the
    key (`version`), so a saved change is read again. Callers must not mutate the cells."""
    with open_workbook(path) as wb:
        return tuple((ws.title, tab_cells(ws)) for ws in wb.worksheets if wanted is None or _may_be(ws, wanted))


def read_workbook(path: str | Path, keys: Iterable[str] | None = None) -> list[WorkbookTab]:
    """Every tab of the file with the definition it matches (cached values, as Excel last computed them).
    ``keys``: only the tabs of these sheets are read whole (a tab titled as another sheet is not read at all; an
    untitled one only as far as its key row) — the nightly job reads two tabs of a 20-tab staff workbook whose
    formatted rows would cost seconds each night."""
    st = Path(path).stat()
    grids = _grids(str(Path(path).resolve()), (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size),
                   None if keys is None else frozenset(keys))
    by_title = [sheet_for_title(title) for title, _ in grids]
    # A tab titled exactly like a sheet keeps it, even when a renamed copy with the same key row comes first.
    taken: dict[str, str] = {}
    for (title, _), sheet in zip(grids, by_title, strict=True):
        if sheet:
            taken.setdefault(sheet.key, title)
    tabs: list[WorkbookTab] = []
    for (title, values), titled in zip(grids, by_title, strict=True):
        sheet = titled or sheet_for_key_row(values)
        if sheet is None:
            tabs.append(WorkbookTab(title, None, [], "ไม่ใช่ชีตที่ระบบรู้จัก", "not a sheet Khet knows"))
        elif taken.setdefault(sheet.key, title) != title:
            first = taken[sheet.key]
            tabs.append(WorkbookTab(title, None, [], f"ซ้ำกับแท็บ \"{first}\" ({sheet.title_th})",
                                    f"same sheet as tab \"{first}\" ({sheet.key})"))
        else:
            tabs.append(WorkbookTab(title, sheet, values))
    return tabs


def validate_workbook(path: str | Path) -> dict[str, ValidationResult]:
    """Every known sheet of an .xlsx/.xlsm, validated, by sheet key."""
    return {tab.sheet.key: validate_table(tab.sheet, tab.values) for tab in read_workbook(path) if tab.sheet}
