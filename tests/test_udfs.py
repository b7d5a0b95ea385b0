"""The KHET_ worksheet functions as plain functions on arrays (on Linux xw.func/xw.arg are no-ops): whole
ranges in, same-shape arrays out, empties stay empty, bad cells get a Thai message in their own cell."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin import udfs
from addin.udfs import (
    ERROR_PREFIX,
    KHET_ADDWORKDAYS,
    KHET_DEADLINE,
    KHET_FY,
    KHET_PARSEDATE,
    KHET_QUARTER,
    KHET_STATUS,
    KHET_THAIDATE,
    KHET_VALIDATEROW,
    KHET_WORKDAYS,
)


def test_fiscal_year_over_a_column_of_mixed_cells():
    out = KHET_FY([[date(2024, 10, 1)], ["30 ก.ย. 68"], [None], ["31/02/2566"], [""], [45931],
                   [datetime(2025, 9, 30, 23, 59)], ["๑ ต.ค. ๒๕๖๗"], ["  "]])
    assert out[:3] == [[2568], [2568], [""]]
    assert out[3][0].startswith(ERROR_PREFIX) and '"31/02/2566"' in out[3][0]
    assert out[4:] == [[""], [2569], [2568], [2568], [""]]


def test_single_cell_gives_a_one_by_one_array():
    assert KHET_FY(date(2026, 11, 21)) == [[2570]]
    assert KHET_FY(None) == [[""]]


def test_quarter_of_a_row_range():
    dates = [[date(2024, 10, 1), date(2024, 12, 31), date(2025, 1, 1), date(2025, 4, 30), date(2025, 7, 1),
              date(2025, 9, 30), "14 ก.พ. 66"]]
    assert KHET_QUARTER(dates) == [[1, 1, 2, 3, 4, 4, 2]]


def test_thai_date_styles_broadcast_over_the_range():
    assert KHET_THAIDATE([["14/02/2566"], [date(2023, 2, 14)], [None]]) == [["14 ก.พ. 2566"], ["14 ก.พ. 2566"], [""]]
    assert KHET_THAIDATE([["14/02/2566"]], [["short", "long", "numeric", "iso", "ทางการ", "เต็ม", "", "xx"]]) == [[
        "14 ก.พ. 2566", "14 กุมภาพันธ์ 2566", "14/02/2566", "2023-02-14", "วันที่ 14 กุมภาพันธ์ พ.ศ. 2566",
        "14 กุมภาพันธ์ 2566", "14 ก.พ. 2566", "#ผิด: ไม่รู้จักรูปแบบ 'xx'"]]
    assert KHET_THAIDATE([[date(2023, 2, 14)]], "long", True) == [["๑๔ กุมภาพันธ์ ๒๕๖๖"]]
    assert KHET_THAIDATE([[date(2023, 2, 14)]], "short", "FALSE") == [["14 ก.พ. 2566"]]


def test_parse_date_returns_dates_and_messages():
    out = KHET_PARSEDATE([["๑๔ กุมภาพันธ์ ๒๕๖๖"], [45931], ["2/3"], [None], ["1/10/68"]])
    assert out[0] == [date(2023, 2, 14)] and out[1] == [date(2025, 10, 1)] and out[3] == [""]
    assert out[2][0].startswith(ERROR_PREFIX) and '"2/3"' in out[2][0]
    assert out[4] == [date(2025, 10, 1)]


def test_working_days_between_and_added():
    # Friday 3 Oct 2568 to Tuesday 7 Oct: Monday and Tuesday (the start day is not counted).
    assert KHET_WORKDAYS([[date(2025, 10, 3)], [date(2025, 9, 30)], [None]],
                         [[date(2025, 10, 7)], [date(2026, 9, 30)], [date(2025, 1, 1)]]) == [[2], [240], [""]]
    assert KHET_WORKDAYS("7 ต.ค. 68", "3 ต.ค. 68") == [[-2]]
    assert KHET_ADDWORKDAYS([[date(2025, 10, 3)]], [[2], [-1], ["๕"], ["x"], [None], [1.5]]) == [
        [date(2025, 10, 7)], [date(2025, 10, 2)], [date(2025, 10, 10)], ["#ผิด: 'x' ไม่ใช่จำนวนวันเต็ม"], [""],
        ["#ผิด: '1.5' ไม่ใช่จำนวนวันเต็ม"]]


def test_ranges_of_different_shapes_give_one_message():
    assert KHET_WORKDAYS([[1, 2]], [[1, 2, 3]]) == [[
        "#ผิด: ขนาดช่วงไม่ตรงกัน (1×2 กับ 1×3) ให้ใช้ช่วงขนาดเท่ากัน หรือเซลล์เดียว"]]


def test_deadline_of_timing_phrases():
    out = KHET_DEADLINE([["ภายในเดือนพฤษภาคม ของทุกปี"], ["ตลอดปีงบประมาณ"], ["เมื่อไหร่ก็ได้"], [None]], 2568)
    assert out[0] == [date(2025, 5, 31)] and out[1] == [date(2025, 9, 30)] and out[3] == [""]
    assert out[2][0].startswith(ERROR_PREFIX + "อ่านกำหนดเวลา 'เมื่อไหร่ก็ได้' ไม่ได้")
    assert KHET_DEADLINE("ภายในเดือนพฤษภาคม ของทุกปี", [[2568, 2025, "๒๕๖๙", None]]) == [[
        date(2025, 5, 31), date(2025, 5, 31), date(2026, 5, 31), ""]]
    assert KHET_DEADLINE("ก่อนระบบปิดอย่างน้อย ๓ วัน", 2568, date(2025, 4, 10)) == [[date(2025, 4, 4)]]
    needs_ref = KHET_DEADLINE("ก่อนระบบปิดอย่างน้อย ๓ วัน", 2568)[0][0]
    assert needs_ref.startswith(ERROR_PREFIX) and "ระบบปิด" in needs_ref


def test_status_labels():
    # Due Saturday 31 May 2568; Mon 2 and Tue 3 June 2568 were holidays, so the due day is Wed 4 June.
    submitted = [[date(2025, 6, 4)], [date(2025, 6, 5)], [None], [None], [None], [None], [None]]
    today = [[date(2025, 6, 10)], [date(2025, 6, 10)], [date(2025, 6, 10)], [date(2025, 5, 29)],
             [date(2025, 5, 1)], [date(2025, 10, 15)], [None]]
    out = KHET_STATUS(date(2025, 5, 31), submitted, today)
    assert out[:6] == [["ส่งแล้ว (ตรงเวลา)"], ["ส่งช้า"], ["เกินกำหนด"], ["ใกล้ครบกำหนด"], ["ยังไม่ถึงกำหนด"],
                       ["ไม่ส่ง"]]
    assert out[6] == ["ไม่ส่ง"]  # blank today = today (2026 or later): long closed
    assert KHET_STATUS([[None], ["31/02/2566"]], None, date(2025, 1, 1)) == [
        [""], [ERROR_PREFIX + 'ไม่มีวันที่ 31 กุมภาพันธ์ 2566: "31/02/2566"']]
    # soon_days: 1 working day left is "due soon" with 1, not with 0.
    assert KHET_STATUS(date(2025, 10, 7), None, date(2025, 10, 6), [[1, 0]]) == [["ใกล้ครบกำหนด", "ยังไม่ถึงกำหนด"]]


def test_validate_rows_against_the_definition():
    rows = [
        ["1", 2568, "รอบที่ 1", "ข้อเสนอ", None, "31/02/2566", 20, None, None, None, None, None, None, None, None],
        [None] * 15,
        ["2", "2568", "รอบที่ 2", "ข้อเสนอ", "กลุ่มอำนวยการ", "1 ต.ค. 68", 20, None, None, "ดำเนินการแล้ว", None,
         None, None, None, None],
    ]
    out = KHET_VALIDATEROW("ติดตามข้อเสนอแนะผู้ตรวจ", rows)
    assert out[1:] == [[""], ["ถูกต้อง"]]
    problems = out[0][0].split("; ")
    assert [p.split(":")[0] for p in problems] == ["กลุ่มที่รับผิดชอบ", "วันที่รับแจ้ง", "สถานะการดำเนินการ"]
    assert '"31/02/2566"' in problems[1]
    # Columns in another order, named by their headers (the English key works too).
    moved = KHET_VALIDATEROW("inspection_followup", [["ดำเนินการแล้ว", "1 ต.ค. 68", 20, "กลุ่มอำนวยการ", "ข้อเสนอ",
                                                      "รอบที่ 2", "2568", "2"]],
                             [["progress", "วันที่รับแจ้ง", "due_workdays", "กลุ่มที่รับผิดชอบ",
                               "ข้อเสนอแนะของผู้ตรวจราชการ", "รอบการตรวจราชการ", "ปีงบประมาณ", "ลำดับ"]])
    assert moved == [["ถูกต้อง"]]
    assert KHET_VALIDATEROW("nosuch", [["x"], ["y"]]) == [["#ผิด: ไม่รู้จักชีต 'nosuch'"]] * 2


def test_every_function_is_registered_with_thai_help():
    names = [info.name for info in udfs.UDFS]
    assert all(callable(getattr(udfs, n)) for n in names)
    assert len(names) == len(set(names)) == 11


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(date(1900, 3, 1), date(2150, 12, 31)), st.text(max_size=12),
                          st.integers(-10, 100000), st.floats(allow_nan=True)), min_size=1, max_size=30))
def test_any_column_gives_one_cell_per_cell_and_no_exception(cells):
    column = [[c] for c in cells]
    for f in (KHET_FY, KHET_QUARTER, KHET_THAIDATE, KHET_PARSEDATE):
        out = f(column)
        assert len(out) == len(cells) and all(len(r) == 1 for r in out)
    out = KHET_FY(column)
    for cell, (value,) in zip(cells, out, strict=True):
        if isinstance(cell, date):
            assert value == cell.year + 543 + (cell.month >= 10)
        assert value == "" or isinstance(value, int) or value.startswith(ERROR_PREFIX)


@pytest.mark.parametrize("f", [KHET_FY, KHET_QUARTER, KHET_PARSEDATE])
def test_empty_range(f):
    assert f([]) == [[""]]


def test_an_unexpected_failure_is_a_thai_message_not_a_traceback():
    # A year far outside any holiday table or date range: whatever the rules raise, the cell gets a message.
    out = KHET_ADDWORKDAYS(date(2025, 1, 1), 10**9)
    assert len(out) == 1 and len(out[0]) == 1 and out[0][0].startswith(ERROR_PREFIX)
    assert KHET_FY([[1, 2], [3]]) == [[ERROR_PREFIX + "ช่วงเซลล์ไม่เป็นรูปสี่เหลี่ยม"]]


def test_functions_follow_the_settings_of_the_calling_workbook(tmp_path):
    """With the calling cell (xlwings' `caller`), the functions read the workbook's settings tabs — a district
    that is not the default (test_settings.district): its due-soon days, its reports' due dates (an e-MES
    window's internal deadline), its KPI targets per school / by size / district-wide, its strategy names."""
    import openpyxl
    from test_buttons import book_of
    from test_settings import district

    from addin.udfs import KHET_KPITARGET, KHET_REPORTDUE
    from workbook.sheets import ACTION_PLAN
    from workbook.templates import save_staff_workbook

    ours = district()
    wb = openpyxl.load_workbook(save_staff_workbook(tmp_path / "staff.xlsx", ours))
    caller = book_of(wb, wb.sheetnames[0]).sheets[0].range("A1")

    # 4 working days left: "due soon" with the district's 5, not with the default 3.
    assert KHET_STATUS(date(2025, 10, 10), None, date(2025, 10, 3), caller=caller) == [["ใกล้ครบกำหนด"]]
    assert KHET_STATUS(date(2025, 10, 10), None, date(2025, 10, 3)) == [["ยังไม่ถึงกำหนด"]]

    due = KHET_REPORTDUE([["kpi_6m"], ["รายงานการอ่านออกเขียนได้"], ["action_plan"], ["ไม่มีรายงานนี้"], [None]],
                         2569, caller=caller)
    # The e-MES window closes 10 Apr 2569; the district's own deadline is "at least 3 days before".
    assert due[:3] == [[date(2026, 4, 7)], [date(2026, 4, 16)], [date(2026, 5, 31)]]  # the last: ภายในเดือนพฤษภาคม
    assert due[3][0].startswith(ERROR_PREFIX) and "ตั้งค่า รายงาน" in due[3][0] and due[4] == [""]
    assert KHET_REPORTDUE("reading", 2569)[0][0].startswith(ERROR_PREFIX)  # the defaults have no such report

    targets = KHET_KPITARGET([["K01"], ["K01"], ["K02"], ["K02"], ["K99"]],
                             [["1048000009"], ["1048000009"], [1048000001], ["1048000002"], ["1048000001"]],
                             [["ขนาดเล็ก"], [None], [None], [None], [None]], caller=caller)
    assert targets[:4] == [[80.0], [90.0], [0.5], [1.0]]  # by size, district-wide, per school, district-wide
    assert targets[4][0].startswith(ERROR_PREFIX) and "K99" in targets[4][0]

    header = [c.header_th for c in ACTION_PLAN.columns]
    row = {c.key: "" for c in ACTION_PLAN.columns}
    row.update(project_code="P01", project_name="โครงการ", obec_policy="ด้านความปลอดภัย",
               district_strategy="โรงเรียนปลอดภัย ผู้เรียนมีความสุข", budget_source="เงินงบประมาณ",
               budget_total=1000, budget_operating=1000, responsible="นายทดสอบ", fiscal_year=2569)
    values = [[row[c.key] for c in ACTION_PLAN.columns]]
    ours_ok = KHET_VALIDATEROW("action_plan", values, [header], caller=caller)
    default_says = KHET_VALIDATEROW("action_plan", values, [header])
    assert "district_strategy" not in ours_ok[0][0] and "กลยุทธ์" not in ours_ok[0][0]
    assert "กลยุทธ์" in default_says[0][0]  # not one of the default strategy names

    # Settings with an error: each function says so in its cell, never the defaults in disguise.
    ws = wb["ตั้งค่า ข้อมูลเขต"]
    ws.cell(3, [c.value for c in ws[2]].index("office_type") + 1).value = "สพฐ."
    broken = book_of(wb, wb.sheetnames[0]).sheets[0].range("A1")
    out = KHET_REPORTDUE("action_plan", 2569, caller=broken)
    assert out[0][0].startswith(ERROR_PREFIX + "ค่าตั้งของเขตในสมุดงานนี้มีข้อผิดพลาด 1 จุด: ตั้งค่า ข้อมูลเขต!")
