"""Button "ตรวจชีตนี้": validate the active sheet against its definition as the district's settings have it (its
dropdowns, its captions), colour the cells with findings, list the findings on the findings sheet and say how it
went. On a settings tab it also runs the whole settings check, so cross-tab problems show at their cells.

The sheet is recognised by its tab title, its English key or its hidden key row, so a renamed tab, moved
columns and added rows all work. Cells flagged by the previous check of the same sheet are uncoloured first
(they are listed on the findings sheet), so fixed cells lose their colour. Findings of other sheets and of
schools (the nightly job's) stay on the findings sheet.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import xlwings as xw

from addin.cells import is_blank
from addin.excel import (
    UserError,
    book_settings,
    definition_of,
    read_grid,
    replace_rows,
    run_button,
    settings_tabs,
    table,
    tell,
    validate_table,
)
from addin.status import today_in_thailand

ERROR_FILL = "#FFC7CE"  # Excel's own "bad" red
WARNING_FILL = "#FFEB9C"  # Excel's own "neutral" yellow


def finding_rows(findings, title: str, today: date) -> list[dict]:
    """Findings as rows of the findings sheet."""
    return [{"sheet": title, "row": f.row, "column": f.column, "cell": f.cell, "raw": _text(f.raw),
             "severity": f.severity, "code": f.code, "message_th": f.message_th, "message_en": f.message_en,
             "fix_th": f.fix_th, "found_on": today} for f in findings]


def _text(raw) -> str:
    # A raw value goes back into a cell as text (replace_rows keeps formula-like text text).
    return "" if raw is None else str(raw)[:1000]


@contextmanager
def unprotected(sheet: xw.Sheet):
    """Colouring cells needs the template's (password-less) protection lifted for a moment (Excel only)."""
    api = None
    if sheet.book.app.engine.name == "excel":
        api = sheet.api
        if not api.ProtectContents:
            api = None
        else:
            api.Unprotect()
    try:
        yield
    finally:
        if api is not None:
            api.Protect(DrawingObjects=True, Contents=True, AllowFormattingColumns=True,
                        AllowFormattingRows=True, AllowInsertingRows=True, AllowDeletingRows=True,
                        AllowSorting=True, AllowFiltering=True)


def check_sheet(book: xw.Book, definition, grid: list[list]):
    """The sheet checked as the district has it: a data sheet with the district's dropdowns and captions (the
    workbook's settings tabs); a settings tab with the whole settings read too, so what only shows across tabs
    (a report naming an unknown window, a target for an unknown KPI, a duplicate code) lands at its cell here."""
    from addin.settings import settings_from_tabs
    from workbook.settings import settings_sheet

    if settings_sheet(definition.key) is None:
        return validate_table(book_settings(book).sheet(definition), grid, first_row=1)
    result = validate_table(definition, grid, first_row=1)
    _, findings = settings_from_tabs(settings_tabs(book), "สมุดงานนี้")
    seen = {(f.cell, f.code) for f in result.findings}
    result.findings += [f for f in findings if f.sheet_key == definition.key and (f.cell, f.code) not in seen]
    return result


def run(book: xw.Book, today: date | None = None):
    today = today or today_in_thailand()
    sheet = book.sheets.active
    definition = definition_of(sheet)
    if definition is None:
        raise UserError(f"ชีต “{sheet.name}” ไม่ใช่ชีตที่ Khet รู้จัก ให้เปิดชีตข้อมูล (เช่น ปฏิทินการปฏิบัติงาน) "
                        "แล้วกดปุ่มอีกครั้ง",
                        f"Sheet '{sheet.name}' is not one Khet knows; open a data sheet and press the button again.")
    result = check_sheet(book, definition, read_grid(sheet))
    title = sheet.name

    findings_tab = table(book, "findings")
    previous = []
    kept = []
    if findings_tab is not None:
        for rec in findings_tab.records():
            mine = rec.get("sheet") == title and not str(rec.get("school_code") or "").strip()
            if mine and rec.get("cell"):
                previous.append(str(rec["cell"]))
            elif not mine and not all(is_blank(v) for k, v in rec.items() if k != "_row"):
                kept.append(rec)

    with unprotected(sheet):
        for cell in previous:
            sheet.range(cell).color = None
        for f in result.findings:
            if f.cell:
                sheet.range(f.cell).color = ERROR_FILL if f.severity == "error" else WARNING_FILL

    if findings_tab is not None and findings_tab.sheet != sheet:
        replace_rows(findings_tab, kept + finding_rows(result.findings, title, today))

    errors = sum(f.severity == "error" for f in result.findings)
    warnings = len(result.findings) - errors
    stats = result.stats
    if not result.findings:
        th = f"ชีต “{title}” ถูกต้องทั้งหมด ({stats['clean_rows']} แถว)"
        en = f"Sheet '{title}': no problems ({stats['clean_rows']} rows)."
    else:
        th = (f"ชีต “{title}”: ข้อผิดพลาด {errors} รายการ คำเตือน {warnings} รายการ "
              f"(แถวที่ต้องแก้ {stats['rejected_rows']} จาก {stats['clean_rows'] + stats['rejected_rows']} แถว)\n"
              "เซลล์สีแดง = ผิด สีเหลือง = ควรตรวจ รายละเอียดอยู่ในชีต “ข้อค้นพบจากการตรวจสอบ”")
        en = (f"Sheet '{title}': {errors} errors, {warnings} warnings in {stats['rejected_rows']} rows; "
              "see the findings sheet.")
    tell(book, th, en)
    return result


def main() -> None:
    run_button("ตรวจชีตนี้", run)
