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


def append_rows(path: str | Path, sheet_key: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Append ``rows`` ({column key: value}) below the last filled row of the tab; returns the first row used."""
    import openpyxl

    path = Path(path)
    sheet = SHEETS[sheet_key]
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    ws = wb[sheet.title_th]
    keys = {str(c.value).strip(): c.column for c in ws[2] if c.value}
    first = last = max((r for r in range(sheet.first_data_row, ws.max_row + 1)
                        if any(ws.cell(r, col).value not in (None, "") for col in keys.values())),
                       default=sheet.first_data_row - 1) + 1
    for offset, row in enumerate(rows):
        last = first + offset
        for key, value in row.items():
            cell = ws.cell(last, keys[key])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed text stays text (a leading "=" is not a formula)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())
    return first
