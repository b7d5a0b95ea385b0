"""Button "สร้างรายงานเขต": build the district report — the summary workbook with charts — from the schools'
latest data (`khet sync run --no-feedback --json`: it reads only schools that changed, and a report request
must not rewrite the schools' feedback tabs), then say where the file is and open it (Excel only)."""

from __future__ import annotations

import xlwings as xw

from addin.buttons.pull import report_xlsx
from addin.excel import run_button, run_khet, tell


def run(book: xw.Book) -> dict:
    report = run_khet(book, ["sync", "run", "--no-feedback", "--json"])
    report = report if isinstance(report, dict) else {}
    path = report_xlsx(book, report)
    tell(book, f"สร้างรายงานเขตแล้ว: {path}", f"District report written: {path}")
    if book.app.engine.name == "excel":
        xw.Book(path)  # open it beside the staff workbook
    return report


def main() -> None:
    run_button("สร้างรายงานเขต", run)
