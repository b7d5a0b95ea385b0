"""The staff workbook's buttons follow the district's settings tabs of the same workbook (issue 12): the check
uses the district's dropdowns and, on a settings tab, the whole settings check; the deadline refresh uses the
district's reports, due dates and due-soon days; "ส่งค่าตั้ง" checks the tabs, then sends them to the job host
(issue 16's settings_change request). Books are real xlwings remote-engine Books built from the shipped .xlsm."""

from __future__ import annotations

import datetime as dt

import pytest
import test_buttons as tb
from test_buttons import FINDINGS, actions, alerts, book_of, cells, fill

from addin.buttons import refresh, send_settings, validate
from addin.excel import UserError
from addin.settings import load_settings
from workbook import settings as W
from workbook.sheets import DISTRICT_STRATEGIES, get_sheet
from workbook.templates import save_settings_file

shipped, wb = tb.shipped, tb.wb  # the buttons tests' fixtures: the shipped .xlsm, opened afresh per test
TODAY = dt.date(2026, 3, 30)
PROJECTS = get_sheet("district_projects")
DEFAULT_S1 = DISTRICT_STRATEGIES[0]
STRATEGIES, REPORTS, DISTRICT = W.STRATEGIES.title_th, W.REPORTS_TAB.title_th, W.DISTRICT.title_th


def _column(ws, key: str) -> int:
    return [c.value for c in ws[2]].index(key) + 1


def test_validate_uses_the_districts_dropdowns_and_checks_settings_across_tabs(wb):
    ws = wb[STRATEGIES]
    ws.cell(3, _column(ws, "name")).value = "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"  # the district renames S1
    plan = wb[PROJECTS.title_th]
    fill(plan, 3, {PROJECTS.letter("project_code"): "P01", PROJECTS.letter("project_name"): "โครงการ",
                   PROJECTS.letter("district_strategy"): "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"})
    fill(plan, 4, {PROJECTS.letter("project_code"): "P02", PROJECTS.letter("project_name"): "โครงการ 2",
                   PROJECTS.letter("district_strategy"): DEFAULT_S1})  # the name before the change
    book = book_of(wb, PROJECTS.title_th)
    result = validate.run(book, today=TODAY)
    strategy = [f for f in result.findings if f.column == PROJECTS.column("district_strategy").header_th]
    assert [f.cell for f in strategy] == [f"{PROJECTS.letter('district_strategy')}4"]

    # A report naming a window the windows tab does not have: only the whole settings check sees it.
    rep = wb[REPORTS]
    rep.cell(3, _column(rep, "due")).value = None
    rep.cell(3, _column(rep, "window")).value = "emes_x"
    book = book_of(wb, REPORTS)
    result = validate.run(book, today=TODAY)
    unknown = [f for f in result.findings if f.code == "settings.unknown_window"]
    letter = chr(ord("A") + _column(rep, "window") - 1)
    assert [f.cell for f in unknown] == [f"{letter}3"]
    colours = [a for a in actions(book) if a["func"] == "setRangeColor"]
    assert any(a["start_row"] + 1 == 3 and a["start_column"] + 1 == _column(rep, "window") for a in colours)


def test_refresh_takes_due_soon_days_and_report_due_dates_from_the_settings(wb):
    ws = wb[DISTRICT]
    ws.cell(3, _column(ws, "soon_days")).value = 10
    cal = wb["ปฏิทินการปฏิบัติงาน"]
    # A school-report row of the calendar: its due date is the settings' (ภายในเดือนพฤษภาคม -> 31 May 2569)
    # whatever the row's own timing cell says.
    fill(cal, 3, {"A": "r1", "B": "แผนปฏิบัติการ", "D": "ภายในเดือนมีนาคม", "F": 2569, "M": "action_plan"})
    keys = [c.value for c in cal[2]]
    assert keys[12] == "report_key"
    book = book_of(wb, "ปฏิทินการปฏิบัติงาน")
    refresh.run(book, today=dt.date(2026, 5, 20))
    w = cells(actions(book), wb.sheetnames.index("ปฏิทินการปฏิบัติงาน"))
    # 31 May 2569 is 7 working days after 20 May: due soon with the district's 10 (not with the default 3).
    assert w["I3"] == "2026-05-31" and w["J3"] == "ใกล้ครบกำหนด"


def test_send_settings_checks_the_tabs_then_the_host_keeps_them(wb, tmp_path, monkeypatch):
    target = save_settings_file(tmp_path / "district-settings.xlsx")
    config = tmp_path / "khet.toml"
    config.write_text(f'[google]\nendpoint = "emulator"\n[paths]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                      f'history_db = "{(tmp_path / "data" / "history.sqlite").as_posix()}"\n'
                      f'settings = "{target.as_posix()}"\n', encoding="utf-8")
    monkeypatch.setenv("KHET_CONFIG", str(config))
    ws = wb[STRATEGIES]
    ws.cell(3, _column(ws, "name")).value = "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"

    # With an error the tabs are not sent: the findings go to the findings sheet, the message names the cell.
    rep = wb[REPORTS]
    rep.cell(4, _column(rep, "due")).value = "เมื่อไหร่ก็ได้"
    book = book_of(wb, STRATEGIES)
    with pytest.raises(UserError) as err:
        send_settings.run(book, TODAY, update_schools=False)
    letter = chr(ord("A") + _column(rep, "due") - 1)
    assert f"{REPORTS}!{letter}4" in err.value.message_th
    written = cells(actions(book), wb.sheetnames.index(FINDINGS))
    assert written["C3"] == REPORTS and written["F3"] == f"{letter}4"
    assert load_settings(target)[0].strategies[0].name != "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"

    rep.cell(4, _column(rep, "due")).value = "ภายใน 15 วันหลังสิ้นไตรมาส"
    book = book_of(wb, STRATEGIES)
    out = send_settings.run(book, TODAY, update_schools=False)
    assert out["mode"] == "direct" and out["status"] == "done", out
    assert alerts(actions(book))[0].startswith("รับค่าตั้งใหม่แล้ว (รุ่นที่ 1")
    settings, _ = load_settings(target)
    assert settings.strategies[0].name == "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"
    assert settings.reports[1].due == "ภายใน 15 วันหลังสิ้นไตรมาส"
