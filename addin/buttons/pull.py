"""Button "ดึงข้อมูลล่าสุด": bring the latest consolidation from the history store into the workbook — the
submissions tracker, the district summary and the schools' findings — via `khet history export --json`.

The JSON is one list of rows per staff sheet, keyed by sheet key ({"submissions": [...], "district_summary":
[...], "findings": [...]}), each row {column key: value}; dates as ISO text. These sheets are written by
Khet only (read-only in the template), so their rows are replaced; the user's column order is kept.
"""

from __future__ import annotations

import xlwings as xw

from addin.excel import replace_rows, run_button, run_khet, table, tell
from addin.thaidate import parse_date_or_none
from workbook.schema import ColType
from workbook.sheets import get_sheet

SHEETS = ("submissions", "district_summary", "findings")


def typed_rows(sheet_key: str, rows: list[dict]) -> list[dict]:
    """Rows from JSON with dates turned back into dates (so Excel shows them in the BE date format)."""
    definition = get_sheet(sheet_key)
    dates = {c.key for c in definition.columns if c.type is ColType.DATE}
    out = []
    for row in rows:
        rec = {k: v for k, v in row.items() if k in definition.keys()}
        for key in dates & rec.keys():
            try:
                rec[key] = parse_date_or_none(rec[key])
            except ValueError:
                pass  # shown as it came: text in a date column is still information
        out.append(rec)
    return out


def write_export(book: xw.Book, export: dict) -> dict[str, int]:
    counts = {}
    for key in SHEETS:
        if key not in export:
            continue
        tab = table(book, key)
        if tab is None:
            continue
        rows = typed_rows(key, export[key] or [])
        replace_rows(tab, rows)
        counts[key] = len(rows)
    return counts


def run(book: xw.Book) -> dict[str, int]:
    export = run_khet(book, ["history", "export"])
    counts = write_export(book, export if isinstance(export, dict) else {})
    as_of = export.get("as_of", "") if isinstance(export, dict) else ""
    done = ", ".join(f"{get_sheet(k).title_th} {n} แถว" for k, n in counts.items()) or "ไม่มีข้อมูล"
    tell(book, f"ดึงข้อมูลล่าสุดแล้ว{(' (ข้อมูล ณ ' + as_of + ')') if as_of else ''}: {done}",
         "Latest consolidation pulled: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    return counts


def main() -> None:
    run_button("ดึงข้อมูลล่าสุด", run)
