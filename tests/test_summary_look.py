"""The district summary workbook of a real `khet demo` run (60 schools, two nights), as a person sees it: the
chart page it opens on, the colour-coded school × report matrix with its legend, widths, Bangkok times, print
setup — read back with openpyxl, then rendered by LibreOffice (once for the module) and read off the PDF."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from realclient import BE_DATE, BROKEN, DATE_SERIAL, THAI_FONTS, LibreOffice, squeeze

from addin.dashboard import NOT_YET_DUE
from addin.settings import load_settings
from addin.status import COLOUR_LABELS_TH, COLOURS, LABEL_TH, Status
from sync.cli import main as khet
from sync.demo import FY, SETTINGS_FILE
from sync.summary import SUMMARY_TITLES
from sync.summary_look import CHARTS_TITLE, LEGEND_CAPTION, shown_width
from workbook.sheets import BUDGET_CATEGORY_COLUMNS, PROJECT_STATUSES, SHEETS

OVERVIEW, MATRIX, READS = SHEETS["district_summary"].title_th, "สถานะรายโรงเรียน", "การอ่านข้อมูลโรงเรียน"
SUBMISSIONS = SHEETS["submissions"].title_th


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert khet(["demo", "--dir", str(out), "--quiet"]) == 0
    return next((out / "out").glob("khet-summary-*.xlsx"))


@pytest.fixture(scope="module")
def wb(demo) -> openpyxl.Workbook:
    return openpyxl.load_workbook(demo)


@pytest.fixture(scope="module")
def district(demo):
    """The settings the run used: the job host's settings file the demo keeps beside its outputs."""
    settings, findings = load_settings(demo.parent.parent / SETTINGS_FILE, FY)
    assert settings is not None and not findings
    return settings.for_year(FY)


def _rows(ws) -> list[dict]:
    keys = [c.value for c in ws[2]]
    return [dict(zip(keys, (c for c in row), strict=False)) for row in ws.iter_rows(min_row=3) if row[0].value]


def test_the_workbook_opens_on_four_charts_with_visible_axes_and_every_label(wb, district):
    assert wb.sheetnames == list(SUMMARY_TITLES) and wb.active.title == CHARTS_TITLE
    ws = wb[CHARTS_TITLE]
    charts = ws._charts
    assert len(charts) == 4
    for chart in charts:
        assert chart.x_axis.delete is False and chart.y_axis.delete is False  # Excel hides axes otherwise
        assert chart.x_axis.tickLblSkip == 1  # every category label, not every other one
        assert chart.y_axis.numFmt is not None and chart.y_axis.numFmt.sourceLinked is False

    def categories(chart) -> list:
        ref = chart.series[0].cat.numRef or chart.series[0].cat.strRef
        m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", ref.f)
        return [ws[f"{m.group(2)}{r}"].value for r in range(int(m.group(3)), int(m.group(4)) + 1)]

    by_report, by_network, budget, quarters = charts
    # A report no school owes yet says so: its 0 % is not 0 % of reports due (the demo's July: Q4, KPI round 2).
    owed = {r["report_th"].value: r["pending"].value < r["expected"].value for r in _rows(wb["ความครบถ้วนของรายงาน"])}
    labels = [r.title_th if owed[r.title_th] else f"{r.title_th} ({NOT_YET_DUE})" for r in district.reports]
    # The district's own extra report (sent by some networks only) is a category of its own.
    assert "รายงานผลการคัดกรองการอ่าน ป.1" in labels
    assert categories(by_report) == labels and not all(owed.values())
    assert len(categories(by_network)) == 6 and all(c.startswith("เครือข่าย") for c in categories(by_network))
    assert categories(budget) == [c.header_th for c in BUDGET_CATEGORY_COLUMNS]
    assert categories(quarters) == ["ไตรมาส 1", "ไตรมาส 2", "ไตรมาส 3", "ไตรมาส 4"]
    assert len(quarters.series) == len(PROJECT_STATUSES) and quarters.grouping == "stacked"
    # Budget in millions of baht: the chart's values are the category totals / 1,000,000.
    totals = {r["category"].value: r["amount"].value for r in _rows(wb["งบประมาณตามหมวด"])}
    ref = budget.series[0].val.numRef.f
    col, first, last = re.fullmatch(r"'?.+?'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", ref).groups()
    shown = [ws[f"{col}{r}"].value for r in range(int(first), int(last) + 1)]
    assert shown == [round(float(totals[c]) / 1_000_000, 2) for c in categories(budget)]
    assert max(shown) < 1000  # millions, not baht


def test_every_tab_prints_a4_landscape_one_page_wide_with_header_footer(wb):
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert int(ws.page_setup.fitToHeight) == 0, ws.title
        assert "สพป.ตัวอย่าง" in ws.oddHeader.left.text and ws.oddHeader.right.text == ws.title
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        assert ws.oddFooter.left.text == "ข้อมูล ณ 20 ก.ค. 2569 02:00 น."  # the data's date, Bangkok
        if ws.title != CHARTS_TITLE:
            assert ws.print_title_rows in ("1:1", "$1:$1"), ws.title  # the caption row on every page
    assert wb[CHARTS_TITLE].print_area


def test_columns_are_wide_enough_for_their_values(wb):
    for title in (OVERVIEW, "งบประมาณรายโรงเรียน", "งบประมาณตามหมวด", SUBMISSIONS, READS):
        ws = wb[title]
        for col in ws.iter_cols(min_row=3):
            letter = col[0].column_letter
            # Numbers and dates show ### when too narrow (text only runs on into the next cell).
            if not any(c.value is not None and not isinstance(c.value, str) for c in col):
                continue
            cells = [c for c in col if c.value is not None and not isinstance(c.value, str)]
            need = max(shown_width(Decimal(str(c.value)) if c.number_format == "#,##0.00" else
                                   c.value.date() if isinstance(c.value, dt.datetime) and "hh" not in c.number_format
                                   else c.value) for c in cells)
            assert ws.column_dimensions[letter].width >= need + 1, (title, letter, need)
    money = [r["value"].value for r in _rows(wb[OVERVIEW]) if r["unit"].value == "บาท"]
    assert max(money) > 10_000_000  # the district total, 8 digits and satang: it showed ### in a 10-wide column


def _status_of(label: str) -> Status:
    """A shown status: its label, with the basis after it when the date was taken at the school's word
    ("ส่งแล้ว (ตรงเวลา) (ตามที่โรงเรียนแจ้ง)", coloured as the status itself)."""
    return max((s for s in Status if label.startswith(LABEL_TH[s])), key=lambda s: len(LABEL_TH[s]))


def test_matrix_is_colour_coded_with_a_legend(wb, district):
    ws = wb[MATRIX]
    fills = {}
    for row in ws.iter_rows(min_row=3, min_col=4, max_col=3 + len(district.reports)):
        for c in row:
            if c.value:
                fills.setdefault(c.value, set()).add(c.fill.fgColor.rgb[-6:])
    for label, colours in fills.items():
        key = "correction" if label.endswith("ต้องแก้ไข") else _status_of(label)
        assert colours == {COLOURS[key][0]}, label
    assert {LABEL_TH[Status.ON_TIME], LABEL_TH[Status.LATE]} <= fills.keys() and len(fills) >= 4, fills.keys()
    assert any(k.endswith("ต้องแก้ไข") for k in fills)  # needs correction shows apart
    legend = {c.value: c.fill.fgColor.rgb[-6:] for col in ws.iter_cols(min_col=5 + len(district.reports)) for c in col
              if c.value}
    assert legend.pop(LEGEND_CAPTION) and legend == {COLOUR_LABELS_TH[k]: COLOURS[k][0] for k in COLOURS}
    subs = wb[SUBMISSIONS]
    status_col = [c.value for c in subs[2]].index("status_th") + 1
    cell = subs.cell(3, status_col)
    assert cell.fill.fgColor.rgb[-6:] == COLOURS[_status_of(cell.value)][0], cell.value


def test_reads_say_why_only_when_a_read_failed_in_bangkok_time(wb):
    rows = _rows(wb[READS])
    good = [r for r in rows if r["outcome_th"].value != "อ่านไม่ได้"]
    # Was "อ่านไม่ได้" (could not read) for every school read well; a reason now only where there is one
    # (the renamed tab, read but worth renaming back).
    assert len(good) >= 58 and all(r["reason_th"].value != "อ่านไม่ได้" for r in good)
    assert sum(r["reason_th"].value is None for r in good) >= 55
    bad = [r for r in rows if r["outcome_th"].value == "อ่านไม่ได้"]
    assert bad and all(r["reason_th"].value for r in bad)
    times = {r["last_good_at"].value for r in good}
    assert dt.datetime(2026, 7, 20, 2, 0) in times  # the second night, 02:00 Bangkok (was 19 Jul 19:00 UTC)
    assert all(not str(r["note"].value or "").count("nan") for r in _rows(wb[OVERVIEW]))


# --- as LibreOffice renders it ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(demo, tmp_path_factory):
    return LibreOffice(tmp_path_factory.mktemp("lo")).render(demo, png_pages=4, dpi=80)


def test_rendered_summary_has_nothing_broken_and_thai_glyphs(rendered):
    assert THAI_FONTS.search(rendered.fonts), rendered.fonts
    for i, page in enumerate(rendered.pages):
        assert not BROKEN.search(page), (i, BROKEN.search(page), page[:500])
        assert "สพป.ตัวอย่าง" in page and "หน้า" in squeeze(page), i  # header and footer on every page
    assert all(p.stat().st_size > 10_000 for p in rendered.pngs)


def test_rendered_dates_are_buddhist_era(rendered):
    pages = [p for p, raw in zip(rendered.pages, rendered.raw, strict=True)
             if squeeze(SUBMISSIONS) in squeeze(raw.splitlines()[0])]
    text = "\n".join(pages)
    assert len(BE_DATE.findall(text)) > 100  # due and submission dates, e.g. 31 พ.ค. 2569
    assert not DATE_SERIAL.search(text), DATE_SERIAL.search(text)
    assert not re.search(r"\b20[23]\d\b", text)  # no Gregorian year


def test_rendered_chart_page_draws_every_chart_with_its_labels(rendered, district):
    """The chart page prints only the charts (their tables sit outside the print area), so every label found
    on it was drawn by a chart."""
    page = squeeze(rendered.raw[0])
    assert squeeze(CHARTS_TITLE) in page
    expected = [r.title_th for r in district.reports] + [c.header_th for c in BUDGET_CATEGORY_COLUMNS]
    expected += [f"ไตรมาส {q}" for q in range(1, 5)] + [f"เครือข่ายที่ {n}" for n in range(1, 7)]
    expected += ["ร้อยละโรงเรียนที่ส่งรายงาน", "ความครบถ้วนรายเครือข่าย", "งบประมาณตามหมวดงบรายจ่าย(ล้านบาท)",
                 "สถานะโครงการรายไตรมาส", "ล้านบาท", *PROJECT_STATUSES]
    missing = [e for e in expected if squeeze(e) not in page]
    assert not missing, missing
    assert "0.0" in rendered.raw[0] and "2,000,000.00" not in rendered.raw[0]  # axis in millions
