"""The staff workbook and the school template, re-read with openpyxl, carry exactly what the definitions say."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from addin.validate import validate_workbook
from sync.cli import main as khet
from workbook.schema import ColType, Column, SheetDef
from workbook.settings import SETTINGS_SHEETS
from workbook.sheets import SCHOOL_SHEETS, STAFF_SHEETS
from workbook.templates import (
    DEFAULT_DATA_ROWS,
    INSTRUCTIONS_TITLE,
    LISTS_SHEET,
    save_school_template,
    save_staff_workbook,
)

EXPECTED_FORMATS = {
    ColType.TEXT: "@", ColType.INTEGER: "#,##0", ColType.NUMBER: "#,##0.##", ColType.MONEY: "#,##0.00",
    ColType.PERCENT: "0.00", ColType.DATE: "[$-107041E]d mmm yyyy", ColType.CHOICE: "@",
    ColType.SCHOOL_CODE: "@", ColType.URL: "@", ColType.EMAIL: "@", ColType.YESNO: "@",
}


@pytest.fixture(scope="module")
def school_path(tmp_path_factory) -> Path:
    return save_school_template(tmp_path_factory.mktemp("tpl") / "school.xlsx")


@pytest.fixture(scope="module")
def school(school_path):
    return load_workbook(school_path)


@pytest.fixture(scope="module")
def staff(tmp_path_factory):
    return load_workbook(save_staff_workbook(tmp_path_factory.mktemp("tpl") / "staff.xlsx"))


def test_tabs_in_order(school, staff):
    assert school.sheetnames == [INSTRUCTIONS_TITLE, *(s.title_th for s in SCHOOL_SHEETS), LISTS_SHEET]
    assert staff.sheetnames == [INSTRUCTIONS_TITLE, *(s.title_th for s in STAFF_SHEETS + SETTINGS_SHEETS),
                                LISTS_SHEET]
    for wb in (school, staff):
        assert wb.active.title == INSTRUCTIONS_TITLE
        assert wb[LISTS_SHEET].sheet_state == "hidden"
        assert [ws.sheet_state for ws in wb.worksheets[:-1]] == ["visible"] * (len(wb.sheetnames) - 1)


def list_values(wb, name: str) -> tuple[str, ...]:
    """The values behind a defined name like 'list_quarter' (a range on the hidden lists tab)."""
    ((title, ref),) = list(wb.defined_names[name].destinations)
    return tuple(c.value for (c,) in wb[title][ref])


def data_validations(ws: Worksheet) -> dict[str, object]:
    """Validations by the range they cover ("C3:C502")."""
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def check_validation(wb, ws: Worksheet, sheet: SheetDef, col: Column, dvs: dict) -> None:
    letter = sheet.letter(col.key)
    last = sheet.first_data_row + (sheet.max_rows or DEFAULT_DATA_ROWS) - 1
    first = f"{letter}{sheet.first_data_row}"
    dv = dvs.pop(first if last == sheet.first_data_row else f"{first}:{letter}{last}", None)
    if col.allowed_values():
        assert dv.type == "list" and dv.formula1.startswith("list_"), col.key
        assert list_values(wb, dv.formula1) == col.allowed_values(), col.key
        assert dv.errorStyle in (None, "stop")
    elif col.type is ColType.INTEGER:
        assert (dv.type, dv.operator) == ("whole", "between")
        if col.min is not None:
            assert dv.formula1 == str(col.min)
        if col.max is not None:
            assert dv.formula2 == str(col.max)
    elif col.type in (ColType.MONEY, ColType.NUMBER, ColType.PERCENT) and (col.min, col.max) != (None, None):
        assert (dv.type, dv.operator) == ("decimal", "between")
        assert float(dv.formula1) == (col.min if col.min is not None else -(10**12))
        assert float(dv.formula2) == (col.max if col.max is not None else 10**12)
    elif col.type is ColType.DATE:
        assert (dv.type, dv.errorStyle, dv.formula1, dv.formula2) == (
            "date", "warning", "DATE(2000,1,1)", "DATE(2700,12,31)")
    elif col.type is ColType.SCHOOL_CODE:
        assert (dv.type, dv.operator, dv.formula1) == ("textLength", "equal", "10")
    elif col.max_length is not None:
        assert (dv.type, dv.operator, dv.formula1) == ("textLength", "lessThanOrEqual", str(col.max_length))
    else:
        assert dv is None, col.key
        return
    assert dv.allow_blank and dv.showErrorMessage and dv.showInputMessage
    assert dv.promptTitle == col.header_th[:32]
    if col.help_th:
        assert col.help_th[:100] in dv.prompt


@pytest.mark.parametrize("sheet", SCHOOL_SHEETS + STAFF_SHEETS, ids=lambda s: s.key)
def test_tab_matches_definition(sheet, school, staff):
    wb = school if sheet.audience == "school" else staff
    ws = wb[sheet.title_th]
    n = len(sheet.columns)
    last = sheet.first_data_row + (sheet.max_rows or DEFAULT_DATA_ROWS) - 1
    assert [c.value for c in ws[1]] == sheet.headers_th()
    assert [c.value for c in ws[2]] == sheet.keys()
    assert ws.max_column == n and ws.max_row == last
    assert ws.row_dimensions[2].hidden is True and ws.row_dimensions[1].hidden is False
    assert ws.freeze_panes == "A3"
    assert ws.protection.sheet is True and ws.protection.password is None
    locked_data = sheet.read_only and sheet.audience == "school"
    dvs = data_validations(ws)
    for idx, col in enumerate(sheet.columns, start=1):
        head, key = ws.cell(1, idx), ws.cell(2, idx)
        assert head.font.bold and head.protection.locked and key.protection.locked
        assert col.header_en in head.comment.text and (col.help_th or "") in head.comment.text
        letter = head.column_letter
        assert ws.column_dimensions[letter].width == col.excel_width
        for row in (3, last):
            cell = ws.cell(row, idx)
            assert cell.number_format == (col.display_format or EXPECTED_FORMATS[col.type]), (col.key, row)
            assert cell.protection.locked is locked_data
        # Rows added below the prepared range inherit the column style: same format, same protection.
        assert ws.column_dimensions[letter].number_format == (col.display_format or EXPECTED_FORMATS[col.type])
        assert ws.column_dimensions[letter].protection.locked is locked_data
        if not sheet.read_only:
            check_validation(wb, ws, sheet, col, dvs)
    assert dvs == {}  # no validation that the definitions do not ask for
    if not sheet.read_only:
        # Staff may insert/delete rows, resize and sort; only the header rows are locked.
        assert (ws.protection.insertRows, ws.protection.deleteRows, ws.protection.formatColumns) == (
            False, False, False)


def test_specific_cells(school, staff):
    plan = school["แผนปฏิบัติการ"]
    assert plan["L1"].value == "งบประมาณรวม (บาท)" and plan["L2"].value == "budget_total"
    assert plan["L3"].number_format == "#,##0.00"
    assert plan["N3"].number_format == "[$-107041E]d mmm yyyy"
    profile = school["ข้อมูลโรงเรียน"]
    assert [str(dv.sqref) for dv in profile.data_validations.dataValidation][:1] == ["A3"]
    feedback = school["ข้อเสนอแนะจากเขต"]
    assert feedback.data_validations.dataValidation == [] and feedback["A3"].protection.locked
    assert feedback.sheet_properties.tabColor.rgb == "00C00000"
    progress = school["ความก้าวหน้าโครงการ"]
    (quarter,) = [dv for dv in progress.data_validations.dataValidation if str(dv.sqref) == "C3:C502"]
    assert list_values(school, quarter.formula1) == ("1", "2", "3", "4")
    calendar = staff["ปฏิทินการปฏิบัติงาน"]
    assert calendar["I1"].value == "กำหนดเสร็จ" and calendar["I1"].fill.fgColor.rgb == "FFE7E6E6"
    assert calendar["B1"].fill.fgColor.rgb == "FFDDEBF7"
    assert staff["การส่งรายงาน"]["A3"].protection.locked is False  # the add-in writes computed tabs


def test_instructions_in_thai(school, staff):
    text = "\n".join(str(c.value) for row in school[INSTRUCTIONS_TITLE].iter_rows() for c in row if c.value)
    assert "14 ก.พ. 2566" in text and "๑๔ ก.พ. ๒๕๖๖" in text and "14/02/2566" in text
    assert "ข้อเสนอแนะจากเขต" in text and "ยืนยันการส่ง" in text
    for sheet in SCHOOL_SHEETS:
        assert sheet.description_th in text
    staff_text = "\n".join(str(c.value) for row in staff[INSTRUCTIONS_TITLE].iter_rows() for c in row if c.value)
    assert "[$-107041E]d mmm yyyy" in staff_text
    assert all(s.title_th in staff_text for s in STAFF_SHEETS)


def test_filled_template_validates_clean_and_bad_cells_are_found(school_path, tmp_path):
    """The template, filled as a school would, is read by the validation engine: a good row is clean, a
    bad cell is reported at its cell."""
    wb = load_workbook(school_path)
    ws = wb["แผนปฏิบัติการ"]
    good = ["P01", "โครงการรักการอ่าน", "ด้านคุณภาพ", "กลยุทธ์ที่ 2", "เงินอุดหนุนรายหัว", None,
            Decimal("12000.50"), 3000, None, None, None, Decimal("15000.50"), "ครูสมศรี",
            date(2025, 11, 1), "31 มี.ค. 69", "ร้อยละนักเรียนอ่านคล่อง", "ร้อยละ", "มากกว่าหรือเท่ากับดีกว่า", 80]
    bad = ["P02", "โครงการกีฬา", None, None, None, None, 500, None, None, None, None, 600, "ครูสมชาย",
           date(2025, 12, 1), date(2025, 11, 1), "จำนวนนักเรียน", "คน", "มากกว่าหรือเท่ากับดีกว่า", 100]
    for j, value in enumerate(good, start=1):
        ws.cell(3, j, value)
    for j, value in enumerate(bad, start=1):
        ws.cell(4, j, value)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    results = validate_workbook(path)
    assert list(results) == [s.key for s in SCHOOL_SHEETS]  # instructions and lists tabs are not data
    result = results["action_plan"]
    assert {k: result.stats[k] for k in ("blank_rows", "clean_rows", "rejected_rows", "missing_columns")} == {
        "blank_rows": DEFAULT_DATA_ROWS - 2, "clean_rows": 1, "rejected_rows": 1, "missing_columns": 0}
    assert [(f.code, f.cell, f.row, f.column, f.severity) for f in result.findings] == [
        ("rule.budget_sum_mismatch", "L4", 4, "งบประมาณรวม (บาท)", "error"),
        ("rule.end_before_start", "O4", 4, "วันสิ้นสุด", "error"),
    ]
    clean = {k: v for k, v in result.rows.iloc[0].to_dict().items() if k != "_row"}
    assert clean["budget_total"] == Decimal("15000.50") and clean["end_date"] == date(2026, 3, 31)
    # The engine's normalised row is exactly what the generated model accepts.
    row = SCHOOL_SHEETS[1].model()(**clean)
    assert (row.budget_equipment, row.target, row.budget_personnel) == (Decimal("3000.00"), 80.0, None)
    assert all(results[k].stats["clean_rows"] == results[k].stats["rejected_rows"] == 0
               for k in results if k != "action_plan")


def test_build_command_writes_both_workbooks(tmp_path, capsys):
    assert khet(["workbook", "build", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    expected = [tmp_path / "khet-school-template.xlsx", tmp_path / "khet-staff.xlsx"]
    if importlib.util.find_spec("addin.xlsm") is not None:
        expected.append(tmp_path / "khet-staff.xlsm")
    assert printed == [str(p) for p in expected]
    assert all(p.stat().st_size > 10_000 for p in expected)
    assert load_workbook(expected[0]).sheetnames[1] == "ข้อมูลโรงเรียน"
    if len(expected) == 3:
        assert "ปฏิทินการปฏิบัติงาน" in load_workbook(expected[2], keep_vba=True).sheetnames


def test_build_command_reports_an_unwritable_folder(tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert khet(["workbook", "build", "--out", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"เขียนไฟล์ไม่ได้: {blocker} / cannot write: ")
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"
