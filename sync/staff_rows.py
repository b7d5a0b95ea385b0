"""Writing rows into a tab of the staff workbook file by column key (openpyxl): what the demo does as a
district officer typing service requests and recommendations, and what tests build their workbooks with.

The tab's layout is the one every Khet tab has (row 1 Thai headers, row 2 English keys, data from row 3);
columns are found by their key row, so a workbook whose columns were moved still gets each value in its
column. The file is saved atomically (sync.registry.atomic_write); VBA is kept for an .xlsm.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sync.registry import atomic_write
from workbook.sheets import SHEETS


def _open(path: Path, sheet_key: str):
    import openpyxl

    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    sheet = SHEETS[sheet_key]
    if sheet.title_th not in wb.sheetnames:
        from workbook.errors import KhetError

        raise KhetError("staff.tab_missing", f"ไม่พบแท็บ '{sheet.title_th}' ใน {path.name} (สร้างสมุดงานใหม่ด้วย khet workbook build)",
                        f"no '{sheet.title_th}' tab in {path.name} (build a current workbook: khet workbook build)")
    ws = wb[sheet.title_th]
    return wb, ws, {str(c.value).strip(): c.column for c in ws[2] if c.value}


def _save(wb, path: Path) -> None:
    buf = io.BytesIO()
    try:
        wb.save(buf)
        atomic_write(path, buf.getvalue())
    except PermissionError as exc:
        from workbook.errors import KhetError

        raise KhetError("staff.locked", f"บันทึก {path.name} ไม่ได้ (เปิดค้างไว้ใน Excel หรือไม่) ปิดไฟล์แล้วสั่งใหม่",
                        f"cannot save {path.name} (open in Excel?); close it and run again") from exc


def _put(cell, value) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # typed text stays text (a leading "=" is not a formula)


def replace_rows(path: str | Path, sheet_key: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace every data row of a Khet-written tab with ``rows``."""
    path = Path(path)
    wb, ws, keys = _open(path, sheet_key)
    first = SHEETS[sheet_key].first_data_row
    for r in range(first, ws.max_row + 1):
        for col in keys.values():
            ws.cell(r, col).value = None
    for offset, row in enumerate(rows):
        for key, value in row.items():
            _put(ws.cell(first + offset, keys[key]), value)
    _save(wb, path)


def append_rows(path: str | Path, sheet_key: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append ``rows`` ({column key: value}) below the last filled row of the tab; returns the first row used."""
    path = Path(path)
    sheet = SHEETS[sheet_key]
    wb, ws, keys = _open(path, sheet_key)
    first = last = max((r for r in range(sheet.first_data_row, ws.max_row + 1)
                        if any(ws.cell(r, col).value not in (None, "") for col in keys.values())),
                       default=sheet.first_data_row - 1) + 1
    for offset, row in enumerate(rows):
        last = first + offset
        for key, value in row.items():
            _put(ws.cell(last, keys[key]), value)
    _save(wb, path)
    return first
