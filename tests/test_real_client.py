"""The workbooks `khet workbook build` ships, opened by a real third-party client (LibreOffice headless): the
staff .xlsm loads and all its VBA modules are imported; the school template and the staff workbook render to
PDF/PNG with Thai glyphs, Buddhist-Era dates, one page width per tab and nothing broken on paper.
(What only Excel can show — the ribbon, RunPython, UDFs — is the README install guide's first-district checklist.)"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from realclient import BE_DATE, BROKEN, DATE_SERIAL, THAI, THAI_FONTS, LibreOffice, ods_basic_modules, squeeze

from addin import dashboard
from addin.buttons import BUTTONS
from addin.timing.work_calendar import work_calendar
from addin.vba.ovba import read_modules
from sync.cli import main as khet
from workbook.reports import REPORTS
from workbook.sheets import (
    BUDGET_CATEGORY_COLUMNS,
    PROJECT_STATUSES,
    QUARTERS,
    SCHOOL_SHEETS,
    STAFF_SHEETS,
    get_sheet,
)
from workbook.templates import INSTRUCTIONS_TITLE

FY = 2570


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert khet(["workbook", "build", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def lo(tmp_path_factory) -> LibreOffice:
    return LibreOffice(tmp_path_factory.mktemp("lo"))


REPORT_ROWS = [{"report_th": r.title_th, "pct_submitted": 90 - 5 * i, "pct_on_time": 60 - 5 * i}
               for i, r in enumerate(REPORTS)]
NETWORK_ROWS = [{"network": f"เครือข่ายที่ {n}", "expected": 40, "pending": 10, "submitted": 20 + n, "on_time": 10 + n}
                for n in range(1, 4)]
BUDGET_ROWS = [{"category": c.header_th, "amount": 1_250_000 * (i + 1)} for i, c in enumerate(BUDGET_CATEGORY_COLUMNS)]
QUARTER_ROWS = [{"quarter": q, **{s: 10 + i + j for j, s in enumerate(PROJECT_STATUSES)}}
                for i, q in enumerate(QUARTERS)]


@pytest.fixture(scope="module")
def staff_filled(built, tmp_path_factory) -> Path:
    """The staff workbook after ปรับกำหนดส่งและสถานะ filled the work calendar (dates, statuses) and
    ดึงข้อมูลล่าสุด filled the dashboard — values written into the shipped workbook's own cells, so its number
    formats, status colours and charts are what shows."""
    sheet = get_sheet("work_calendar")
    path = tmp_path_factory.mktemp("staff") / "khet-staff.xlsm"
    wb = openpyxl.load_workbook(built / "khet-staff.xlsm", keep_vba=True)
    ws = wb[sheet.title_th]
    keys = sheet.keys()
    frame = work_calendar(FY, dt.date(2027, 1, 15))
    for i, rec in enumerate(frame.to_dict("records")):
        rec = {**rec, "status": rec["status_th"], "days_left": None if rec["days_left"] != rec["days_left"]
               else rec["days_left"]}
        for j, key in enumerate(keys, start=1):
            value = rec.get(key)
            if value is not None and not (isinstance(value, float) and value != value):
                ws.cell(sheet.first_data_row + i, j, value.item() if hasattr(value, "item") else value)
    dash = wb[dashboard.TITLE]
    figures = [[item, 10 * (i + 1), "ฉบับ"] for i, item in enumerate(dashboard.HEADLINE_ITEMS)]
    tables = dashboard.blocks(REPORT_ROWS, NETWORK_ROWS, BUDGET_ROWS, QUARTER_ROWS)
    for (row, col), values in dashboard.staff_cells(figures, tables, "ข้อมูลรอบที่ 2").items():
        for i, line in enumerate(values):
            for j, v in enumerate(line):
                dash.cell(row + i, col + j, v)
    wb.save(path)
    return path


def test_libreoffice_imports_every_vba_module(built, lo):
    xlsm = built / "khet-staff.xlsm"
    ods = lo.convert(xlsm, "ods")
    imported = ods_basic_modules(ods)
    with zipfile.ZipFile(xlsm) as z:
        ours = read_modules(z.read("xl/vbaProject.bin"))
    assert set(imported) == set(ours) and len(imported) == 5 + len(openpyxl.load_workbook(xlsm).worksheets)
    for name, code in imported.items():
        assert code.startswith("Rem Attribute VBA_ModuleType="), name
        assert "Option VBASupport 1" in code, name
    for b in BUTTONS:
        assert f"Public Sub {b.macro}(control As IRibbonControl)" in imported["Khet"]
    assert 'XLWINGS_VERSION As String = "' in imported["xlwings"]
    assert "Function KHET_STATUS(" in imported["xlwings_udfs"]


@pytest.fixture(scope="module")
def school_pages(built, lo):
    return lo.render(built / "khet-school-template.xlsx", png_pages=3)


def test_school_template_prints_one_page_wide_per_tab_in_thai(school_pages):
    r = school_pages
    # Empty: the instructions and one A4 landscape page per tab (it printed as 29 pages before a print setup).
    assert len(r.pages) == 1 + len(SCHOOL_SHEETS), len(r.pages)
    assert THAI_FONTS.search(r.fonts), r.fonts
    for page, raw, sheet in zip(r.pages[1:], r.raw[1:], SCHOOL_SHEETS, strict=True):
        assert sheet.title_th in page  # the header names the tab
        missing = [c.header_th for c in sheet.columns if squeeze(c.header_th) not in squeeze(raw)]
        assert not missing, (sheet.key, missing)  # every column on the one page width
        assert "หน้า" in page and not BROKEN.search(page)
    assert INSTRUCTIONS_TITLE in r.pages[0] and THAI.search(r.pages[0])
    assert r.pngs and all(p.stat().st_size > 5_000 for p in r.pngs)


@pytest.fixture(scope="module")
def staff_pages(staff_filled, lo):
    return lo.render(staff_filled, png_pages=3)


def test_staff_workbook_shows_buddhist_era_dates_and_nothing_broken(staff_pages):
    r = staff_pages
    title = get_sheet("work_calendar").title_th
    calendar = [p for p, raw in zip(r.pages, r.raw, strict=True)
                if squeeze(title) in squeeze(raw.splitlines()[0])]  # the page header names the tab
    assert calendar, "no page of the work calendar"
    text = "\n".join(calendar)
    assert len(BE_DATE.findall(text)) >= 20, text[:2000]  # start and due dates as 1 ต.ค. 2569
    assert not DATE_SERIAL.search(text), DATE_SERIAL.search(text)
    assert "2026" not in text and "2027" not in text  # no Gregorian year anywhere on the calendar
    assert "2,570" not in text and "2570" in text  # a year has no thousands separator
    for page in r.pages:
        assert not BROKEN.search(page), BROKEN.search(page)
    assert THAI_FONTS.search(r.fonts)
    assert len(r.pages) >= len(STAFF_SHEETS)


def test_staff_dashboard_draws_its_charts_with_every_label(staff_pages):
    r = staff_pages
    page = next(squeeze(raw) for raw in r.raw if squeeze(dashboard.TITLE) in squeeze(raw.splitlines()[0]))
    # Each label is in the table and again on its chart: two occurrences (one if the chart skipped it).
    labels = [x["report_th"] for x in REPORT_ROWS] + [x["category"] for x in BUDGET_ROWS]
    labels += [f"ไตรมาส {q}" for q in QUARTERS]
    thin = [x for x in labels if page.count(squeeze(x)) < 2]
    assert not thin, thin
    assert all(squeeze(b.caption) in page for b in dashboard.blocks([], [], [], []))
    assert "5.0" in page and "7.5" in page  # the budget chart's axis in millions
