"""Writing rows into a tab of the staff workbook file by column key: what the demo does as a
district officer typing service requests and recommendations, and what tests build their workbooks with.

The tab's layout is the one every Khet tab has (row 1 Thai headers, row 2 English keys, data from row 3);
columns are found by their key row, so a workbook whose columns were moved still gets each value in its
column. Only the tab's own worksheet part is rewritten (addin.package.set_cells: text stays text, dates keep
the column's BE date format) and the file is replaced atomically (sync.registry.atomic_write), so an .xlsm
keeps its ribbon, VBA and every other part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sync.registry import atomic_write
from workbook.sheets import SHEETS


def _open(path: Path, sheet_key: str):
    """The tab's title, its cell values (read only: nothing is saved through openpyxl) and its columns by key."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = SHEETS[sheet_key]
    if sheet.title_th not in wb.sheetnames:
        from workbook.errors import KhetError

        raise KhetError("staff.tab_missing", f"ไม่พบแท็บ '{sheet.title_th}' ใน {path.name} (สร้างสมุดงานใหม่ด้วย khet workbook build)",
                        f"no '{sheet.title_th}' tab in {path.name} (build a current workbook: khet workbook build)")
    grid = [list(r) for r in wb[sheet.title_th].iter_rows(values_only=True)]
    wb.close()
    key_row = grid[sheet.key_row - 1] if len(grid) >= sheet.key_row else []
    return sheet.title_th, grid, {str(v).strip(): j + 1 for j, v in enumerate(key_row) if v}


def _save(path: Path, title: str, cells: dict[tuple[int, int], Any]) -> None:
    """Write the cells into the file's one worksheet part (addin.package: ribbon, VBA and every other part of
    an .xlsm stay as they were), atomically."""
    from addin.package import set_cells

    try:
        atomic_write(path, set_cells(path.read_bytes(), title, cells))
    except PermissionError as exc:
        from workbook.errors import KhetError

        raise KhetError("staff.locked", f"บันทึก {path.name} ไม่ได้ (เปิดค้างไว้ใน Excel หรือไม่) ปิดไฟล์แล้วสั่งใหม่",
                        f"cannot save {path.name} (open in Excel?); close it and run again") from exc


def _filled(grid: list[list], row: int, cols) -> bool:
    line = grid[row - 1] if row <= len(grid) else []
    return any(c <= len(line) and line[c - 1] not in (None, "") for c in cols)


def replace_rows(path: str | Path, sheet_key: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace every data row of a Khet-written tab with ``rows``."""
    path = Path(path)
    title, grid, keys = _open(path, sheet_key)
    first = SHEETS[sheet_key].first_data_row
    cells: dict[tuple[int, int], Any] = {(r, c): None for r in range(first, len(grid) + 1)
                                         for c in keys.values() if _filled(grid, r, [c])}
    for offset, row in enumerate(rows):
        cells.update({(first + offset, keys[key]): value for key, value in row.items()})
    _save(path, title, cells)


def append_rows(path: str | Path, sheet_key: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append ``rows`` ({column key: value}) below the last filled row of the tab; returns the first row used."""
    path = Path(path)
    sheet = SHEETS[sheet_key]
    title, grid, keys = _open(path, sheet_key)
    first = max((r for r in range(sheet.first_data_row, len(grid) + 1) if _filled(grid, r, keys.values())),
                default=sheet.first_data_row - 1) + 1
    cells = {(first + offset, keys[key]): value for offset, row in enumerate(rows) for key, value in row.items()}
    _save(path, title, cells)
    return first
