"""Writing the district summary: to the district's Google Sheet (atomically) and to an .xlsx report with charts.

Every tab follows the workbook layout convention (row 1 Thai captions, row 2 English keys — hidden in the .xlsx —,
data from row 3), so the Excel add-in and scripts read it by key.

School text is never a formula downstream:
- Google: every value is sent with ``valueInputOption=RAW`` (text stays text, "=IMPORTXML(…)" included).
- .xlsx: openpyxl turns any string starting with "=" into a formula, so every string cell is forced to a plain
  string (``data_type = "s"``) and text starting with = + - @ tab or CR also gets Excel's quote prefix, which
  keeps it text even when a user edits the cell or saves as CSV.

Atomic Google write (readers never see half a summary): the new tabs are written into hidden staging tabs
(``~new <title>``); only when every value is in, ONE ``spreadsheets.batchUpdate`` — atomic on Google's side —
deletes the old tabs, renames the staging tabs to their final titles and unhides them. A run killed before the
swap leaves only hidden staging tabs, which the next run deletes first. The .xlsx goes through
``sync.registry.atomic_write`` (a temporary file in the same folder, fsync, ``os.replace``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname

from addin.cells import safe_text
from addin.ontime import bangkok, bangkok_wall
from addin.thaidate import format_thai_date
from addin.validation.normalize import FORMULA_PREFIXES
from sync import google_look
from sync.aggregate import Summary
from sync.registry import atomic_write
from sync.rows import tuples
from sync.summary_look import (
    CHARTS_TITLE,
    HEADER_HEIGHT,
    add_dashboard,
    column_widths,
    legend_rows,
    print_setup,
    stamped,
    status_style,
    styled,
)
from workbook.charts import bar_chart
from workbook.schema import DATE_FORMAT_BE, NUMBER_FORMATS, ColType
from workbook.sheets import BUDGET_CATEGORY_COLUMNS, SHEETS

STAGING_PREFIX = "~new "


def _captions() -> dict[str, str]:
    """Thai captions: sheet definitions first (one source), then the summary-only columns."""
    caps: dict[str, str] = {}
    for key in ("district_summary", "submissions", "findings", "school_registry", "action_plan", "kpi",
                "service_requests", "inspection_followup"):
        for c in SHEETS[key].columns:
            caps.setdefault(c.key, c.header_th)
    caps.update({
        "report_th": "รายงาน", "status_th": "สถานะ", "due": "กำหนดส่ง", "confirmed": "ยืนยันการส่ง",
        "submitted_at": "เวลาที่ส่ง (ตามหลักฐาน)", "claimed_on": "วันที่ส่งที่โรงเรียนแจ้ง",
        "valid": "ข้อมูลถูกต้อง", "rows": "จำนวนแถว", "warnings": "ข้อสังเกต", "needs_correction": "ต้องแก้ไข",
        "edited_after_due": "แก้ไขหลังกำหนด", "expected": "ต้องส่ง", "submitted": "ส่งแล้ว",
        "on_time": "ตรงเวลา", "late": "ส่งช้า", "overdue": "เกินกำหนด", "missing": "ไม่ส่ง",
        "pending": "ยังไม่ถึงกำหนด", "pct_submitted": "ร้อยละที่ส่ง", "pct_on_time": "ร้อยละตรงเวลา",
        "category": "หมวดงบรายจ่าย", "amount": "จำนวนเงิน (บาท)", "projects": "จำนวนโครงการ",
        "quarter": "ไตรมาส", "schools": "จำนวนโรงเรียน", "mean_progress_pct": "ความก้าวหน้าเฉลี่ย (ร้อยละ)",
        "budget_total": "งบประมาณรวม (บาท)", "spent": "เบิกจ่ายสะสม (บาท)", "round": "รอบการประเมิน",
        "met": "บรรลุ", "not_met": "ไม่บรรลุ", "no_data": "ไม่มีข้อมูล", "pct_met": "ร้อยละที่บรรลุ",
        "kind_th": "เรื่องที่ต้องติดตาม", "detail_th": "รายละเอียด", "errors": "ข้อผิดพลาด",
        "sheet": "ชีต", "column": "คอลัมน์", "per": "ระดับ", "value": "ค่า", "median": "ค่ามัธยฐานของเขต",
        "ratio": "เท่าของมัธยฐาน", "note_th": "หมายเหตุ", "outcome_th": "ผลการอ่าน", "reason_th": "สาเหตุ",
        "last_good_at": "อ่านข้อมูลได้ล่าสุด", "data_age_hours": "อายุข้อมูล (ชั่วโมง)",
        "template_version": "รุ่นแม่แบบของชีต", "template_state_th": "แม่แบบ",
        "budget_source": "แหล่งงบประมาณ", "district_strategy": "กลยุทธ์ของเขต", "dimension": "จำแนกตาม",
        # service standards and inspection follow-up (sync.trackers)
        "service_th": "งานบริการ", "step_th": "ขั้นตอน", "standard_th": "มาตรฐาน", "requests": "จำนวนคำขอ",
        "done": "เสร็จแล้ว", "judged": "มีมาตรฐานให้วัด", "within": "ภายในมาตรฐาน",
        "pct_within": "ร้อยละที่เสร็จภายในมาตรฐาน", "median_workdays": "มัธยฐาน (วันทำการ)",
        "open_overdue": "ค้างเกินกำหนดขณะนี้", "due_on": "กำหนดเสร็จ", "total": "ทั้งหมด",
        "done_on_time": "เสร็จตามกำหนด", "in_progress": "อยู่ระหว่างดำเนินการ", "not_started": "ยังไม่ดำเนินการ",
        "pct_done": "ร้อยละที่ดำเนินการแล้ว", "step_no": "ขั้นที่",
        # approvals (sync.approvals)
        "approval_th": "ผลการพิจารณา", "approval_by": "ผู้พิจารณา", "approval_at": "วันที่พิจารณา",
        "approval_reason": "เหตุผลการพิจารณา", "correction_due": "ต้องแก้ไขภายใน",
        "changed_after_decision": "แก้ไขหลังการพิจารณา", "sent": "ส่งแล้ว", "approved": "อนุมัติแล้ว",
        "returned": "ส่งกลับแก้ไข", "waiting": "รอพิจารณา", "correction_overdue": "ในนั้น เกินกำหนดแก้ไข",
        "corrected": "ในนั้น แก้ไขแล้ว รอพิจารณา",
        "approved_pct": "ร้อยละที่อนุมัติ", "decided_on": "วันที่พิจารณา", "action_th": "การพิจารณา",
        "decision_reason": "เหตุผล", "decided_by": "ผู้พิจารณา (บัญชี)", "previous_th": "สถานะก่อนการพิจารณา",
        "decision_request": "รหัสคำขอ",
    })
    return caps


CAPTIONS = _captions()
# Long Thai text columns of the tracker tabs (a caption-length width would cut every line).
TEXT_WIDTHS = {"service_th": 44, "step_th": 50, "standard_th": 24, "service": 40, "step_title": 44,
               "recommendation": 50, "responsible_group": 32, "step_standard": 16}
MONEY_KEYS = {*(c.key for c in BUDGET_CATEGORY_COLUMNS), "budget_total", "spent", "amount", "value", "median"}


@dataclass(frozen=True)
class Tab:
    key: str
    title_th: str
    frame: str                 # attribute of Summary (or "overview")
    columns: tuple[str, ...]   # () = every column of the frame


REPORT_STATUS_COLUMNS = ("school_code", "school_name", "network", "report_th", "due", "submitted_on", "submitted_at",
                         "claimed_on", "status_th", "confirmed", "valid", "errors", "warnings", "needs_correction",
                         "edited_after_due", "approval_th", "approval_by", "approval_at", "approval_reason",
                         "correction_due")
COMPLETENESS_COLUMNS = ("report_th", "due", "expected", "submitted", "on_time", "late", "overdue", "missing",
                        "pending", "pct_submitted", "pct_on_time")
TABS: tuple[Tab, ...] = (
    Tab("overview", SHEETS["district_summary"].title_th, "overview", ()),
    Tab("completeness", "ความครบถ้วนของรายงาน", "completeness", COMPLETENESS_COLUMNS),
    Tab("completeness_by_network", "ความครบถ้วนรายเครือข่าย", "completeness_by_network",
        ("network", *COMPLETENESS_COLUMNS)),
    Tab("status_matrix", "สถานะรายโรงเรียน", "matrix", ()),
    Tab("submissions", SHEETS["submissions"].title_th, "status", REPORT_STATUS_COLUMNS),
    Tab("approvals_by_report", "การพิจารณารายงาน", "approvals_by_report", ()),
    Tab("approvals_by_network", "การพิจารณารายเครือข่าย", "approvals_by_network", ()),
    Tab("decisions", "ประวัติการพิจารณา", "decisions", ()),
    Tab("budget_by_school", "งบประมาณรายโรงเรียน", "budget_by_school", ()),
    Tab("budget_by_category", "งบประมาณตามหมวด", "budget_by_category", ()),
    Tab("budget_by_source", "งบประมาณตามแหล่งเงิน", "budget_by_source", ()),
    Tab("budget_by_strategy", "งบประมาณตามกลยุทธ์", "budget_by_strategy", ()),
    Tab("budget_detail", "งบโรงเรียนตามแหล่งเงิน-กลยุทธ์", "budget_detail", ()),
    Tab("projects", "สถานะโครงการรายไตรมาส", "projects", ()),
    Tab("kpi", "การบรรลุตัวชี้วัด", "kpi", ()),
    Tab("kpi_by_school", "ตัวชี้วัดเขตรายโรงเรียน", "kpi_by_school", ()),
    Tab("follow_up", "รายการติดตาม", "follow_up",
        ("network", "school_code", "school_name", "kind_th", "report_th", "due", "detail_th", "contact_email",
         "phone")),
    Tab("service_standards", "มาตรฐานการให้บริการ", "service_standards", ()),
    Tab("service_requests", "สถานะคำขอรับบริการ", "service_requests", ()),
    Tab("recommendations", "ข้อเสนอแนะผู้ตรวจราชการ", "recommendations", ()),
    Tab("inspection_rounds", "ผลการตรวจราชการรายรอบ", "inspection_rounds", ()),
    Tab("outliers", "ค่าผิดปกติ", "outliers",
        ("sheet", "column", "school_code", "school_name", "row", "value", "median", "ratio", "note_th")),
    Tab("findings", SHEETS["findings"].title_th, "findings",
        ("school_code", "school_name", "sheet", "row", "column", "cell", "raw", "severity", "code", "message_th",
         "message_en", "fix_th")),
    Tab("reads", "การอ่านข้อมูลโรงเรียน", "reads",
        ("school_code", "school_name", "network", "outcome_th", "reason_th", "last_good_at", "data_age_hours",
         "template_version", "template_state_th")),
)
TAB_TITLES = tuple(t.title_th for t in TABS)
MATRIX_TITLE = next(t.title_th for t in TABS if t.key == "status_matrix")
SUMMARY_TITLES = (CHARTS_TITLE, *TAB_TITLES)  # every tab, .xlsx and Google alike: the chart page first


def overview(summary: Summary, as_of: dt.datetime) -> pd.DataFrame:
    """The district_summary sheet: one figure per row (section, item, network, value, unit, as_of, note)."""
    rows: list[tuple] = []
    h = summary.headline()
    day = as_of.date()
    for key, th, unit in (("schools", "โรงเรียนทั้งหมด", "โรง"), ("reports_expected", "รายงานที่ต้องส่ง", "ฉบับ"),
                          ("submitted", "ส่งแล้ว", "ฉบับ"), ("on_time", "ส่งตรงเวลา", "ฉบับ"),
                          ("late", "ส่งช้า", "ฉบับ"), ("overdue", "เกินกำหนด ยังไม่ส่ง", "ฉบับ"),
                          ("missing", "ไม่ส่ง", "ฉบับ"), ("needs_correction", "ต้องแก้ไขข้อมูล", "ฉบับ"),
                          ("unreachable", "อ่านชีตไม่ได้คืนนี้", "โรง"), ("outliers", "ค่าผิดปกติ", "รายการ")):
        rows.append(("ภาพรวม", th, "", h[key], unit, day, ""))
    for r in summary.completeness.itertuples():
        rows.append(("ความครบถ้วน", f"{r.report_th} — ร้อยละที่ส่ง", "", r.pct_submitted, "ร้อยละ", day,
                     f"ส่ง {r.submitted}/{r.expected}, ตรงเวลา {r.on_time}"))
    for r in summary.completeness_by_network.itertuples():
        rows.append(("ความครบถ้วนรายเครือข่าย", f"{r.report_th} — ร้อยละที่ส่ง", r.network, r.pct_submitted,
                     "ร้อยละ", day, f"ส่ง {r.submitted}/{r.expected}"))
    for r in summary.budget_by_category.itertuples():
        rows.append(("งบประมาณ", r.category, "", r.amount, "บาท", day, ""))
    for r in summary.projects.itertuples():
        rows.append(("โครงการ", f"ไตรมาส {r.quarter} — โครงการที่รายงาน", "", r.projects, "โครงการ", day,
                     f"ความก้าวหน้าเฉลี่ย {'-' if _blank(r.mean_progress_pct) else r.mean_progress_pct}"))
    for r in summary.kpi.itertuples():
        network = getattr(r, "network", "")
        rows.append(("ตัวชี้วัด", f"{r.round} {r.indicator_code} {r.indicator} — ร้อยละที่บรรลุ", network, r.pct_met,
                     "ร้อยละ", day, f"บรรลุ {r.met}, ไม่บรรลุ {r.not_met}, ไม่มีข้อมูล {r.no_data}"))
    for r in summary.approvals_by_report.itertuples() if len(summary.approvals_by_report) else []:
        rows.append(("การพิจารณารายงาน", f"{r.report_th} — ร้อยละที่อนุมัติ", "", r.approved_pct, "ร้อยละ", day,
                     f"ส่งแล้ว {r.sent}: อนุมัติ {r.approved}, ส่งกลับแก้ไข {r.returned} (เกินกำหนดแก้ไข "
                     f"{r.correction_overdue}), รอพิจารณา {r.waiting}"))
    rows += _tracker_rows(summary, day)
    return pd.DataFrame(rows, columns=SHEETS["district_summary"].keys())


def _tracker_rows(summary: Summary, day: dt.date) -> list[tuple]:
    """Overview rows of the staff trackers: per service the share of requests done within the standard
    ("did we meet our own service standards this year?"), per inspection round the share done."""
    rows: list[tuple] = []
    st = summary.service_standards
    for r in st[st["step_no"].isna()].itertuples() if len(st) else []:
        rows.append(("มาตรฐานการให้บริการ", f"{r.service_th} — ร้อยละที่เสร็จภายในมาตรฐาน", "", r.pct_within,
                     "ร้อยละ", day, f"เสร็จ {r.done}/{r.requests} คำขอ, มัธยฐาน "
                     f"{'-' if r.median_workdays is None or r.median_workdays != r.median_workdays else r.median_workdays}"
                     f" วันทำการ, ค้างเกินกำหนด {r.open_overdue}"))
    ir = summary.inspection_rounds
    for r in ir[ir["responsible_group"] == "รวมทุกกลุ่ม"].itertuples() if len(ir) else []:
        rows.append(("ข้อเสนอแนะผู้ตรวจราชการ", f"ปีงบประมาณ {r.fiscal_year} {r.inspection_round} — ร้อยละที่ดำเนินการแล้ว",
                     "", r.pct_done, "ร้อยละ", day, f"ดำเนินการแล้ว {r.done}/{r.total}, เกินกำหนด {r.overdue}"))
    return rows


READ_OUTCOME_TH = {"read": "อ่านแล้ว (มีการแก้ไข)", "unchanged": "ไม่มีการแก้ไข", "failed": "อ่านไม่ได้",
                   "not_provisioned": "ยังไม่มีชีต"}


def tab_frame(summary: Summary, tab: Tab, as_of: dt.datetime) -> pd.DataFrame:
    if tab.frame == "overview":
        return overview(summary, as_of)
    frame = getattr(summary, tab.frame)
    if tab.key == "reads" and len(frame):
        from sync.aggregate import read_reason_th

        # The read's own words where it has them (the tab a problem concerns, whether earlier data is in use):
        # the bare reason's wording names no tab and cannot know whether earlier data exists.
        generic = frame["reason"].map(read_reason_th)
        own = frame["message_th"] if "message_th" in frame.columns else generic
        frame = frame.assign(outcome_th=frame["outcome"].map(READ_OUTCOME_TH),
                             reason_th=own.where(own.notna() & (generic != ""), generic),
                             last_good_at=bangkok_times(frame["last_good_at"]))
    if tab.columns:
        frame = frame.reindex(columns=list(tab.columns))
    return frame


def bangkok_times(values: pd.Series) -> pd.Series:
    """Instants (ISO text or datetimes; naive ones are UTC, as the history stores them) as Bangkok wall time
    (addin.ontime.bangkok_wall), None where there is none."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    return pd.Series([None if pd.isna(t) else bangkok_wall(t.to_pydatetime()) for t in stamps],
                     index=values.index, dtype=object)


def caption(key: str) -> str:
    return CAPTIONS.get(key, key)


# --- cell conversion ------------------------------------------------------------------------------------------

def _blank(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def google_value(v: Any) -> Any:
    """A summary value as a Sheets RAW value (numbers as numbers, dates as Thai text, booleans as ใช่)."""
    if _blank(v):
        return ""
    if isinstance(v, bool):
        return "ใช่" if v else ""
    if isinstance(v, Decimal):
        return float(v)
    if hasattr(v, "item") and not isinstance(v, str):
        return google_value(v.item())
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        v = bangkok(v) if v.tzinfo else v
        return f"{format_thai_date(v.date())} {v:%H:%M}"
    if isinstance(v, dt.date):
        return format_thai_date(v)
    return safe_text(v) if isinstance(v, str) else v


def tab_grid(summary: Summary, tab: Tab, as_of: dt.datetime) -> list[list[Any]]:
    return frame_grid(tab_frame(summary, tab, as_of))


def frame_grid(frame: pd.DataFrame) -> list[list[Any]]:
    """A tab's cells for Sheets: captions, keys, then the values (google_value)."""
    keys = [str(c) for c in frame.columns]
    grid = [[caption(k) for k in keys], keys]
    grid.extend([google_value(v) for v in row] for row in tuples(frame))
    return grid


# --- .xlsx ----------------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


def _xlsx_cell(ws, v: Any) -> Any:
    """A summary value for a write-only sheet: plain where openpyxl gets it right, a styled cell otherwise."""
    if _blank(v):
        return None
    if isinstance(v, bool):
        return "ใช่" if v else ""
    if hasattr(v, "item") and not isinstance(v, (str, Decimal)):
        v = v.item()
    if isinstance(v, str):
        v = safe_text(v)
        if not v.startswith(FORMULA_PREFIXES):
            return v
        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula; Excel re-reads "+…", "-…", "@…" on edit
        cell.quotePrefix = True
        return cell
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    fmt = None
    if isinstance(v, Decimal):
        fmt = NUMBER_FORMATS[ColType.MONEY]
    elif isinstance(v, dt.datetime):
        v = bangkok_wall(v) if v.tzinfo else v
        fmt = DATE_FORMAT_BE + " hh:mm"
    elif isinstance(v, dt.date):
        fmt = DATE_FORMAT_BE
    if fmt is None:
        return v
    return stamped(ws, v, fmt, number_format=fmt)


def _add_table_sheet(wb: Workbook, title: str, frame: pd.DataFrame, *, coloured: frozenset[str] = frozenset(),
                     legend: bool = False, freeze: str = "A3", district: str = "", as_of: dt.datetime):
    """One tab in a write-only workbook (streams rows: the nightly summary has ~500,000 cells for 1,000
    schools). Status cells of the `coloured` columns get their status colours; `legend` adds the colour legend
    right of the table."""
    ws = wb.create_sheet(title)
    print_setup(ws, title=title, district=district, as_of=as_of)
    keys = [str(c) for c in frame.columns]
    caps = [caption(k) for k in keys]
    for j, (k, w) in enumerate(zip(keys, column_widths(frame, caps), strict=True), start=1):
        ws.column_dimensions[get_column_letter(j)].width = TEXT_WIDTHS.get(k) or w
    ws.row_dimensions[1].height = HEADER_HEIGHT
    ws.row_dimensions[2].hidden = True
    ws.freeze_panes = freeze
    extra = dict(legend_rows(ws, len(keys) + 2)) if legend else {}
    if legend:
        ws.column_dimensions[get_column_letter(len(keys) + 2)].width = 24
    head = []
    for cap in caps:
        head.append(stamped(ws, cap, "header", font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT))
    ws.append(head + extra.get(1, [])[len(head):])
    ws.append(keys)
    paint = [k in coloured for k in keys]
    for i, row in enumerate(tuples(frame), start=3):
        cells = [styled(ws, _xlsx_cell(ws, v), status_style(v) if p else None) for v, p in zip(row, paint, strict=True)]
        ws.append(cells + extra.get(i, [])[len(cells):])
    for i in sorted(r for r in extra if r > len(frame) + 2):
        ws.append(extra[i])
    return ws


def _bar(title: str, ws, data_cols: tuple[int, int], n_rows: int, *, cats_col: int, stacked: bool = False,
         y_title: str = "", horizontal: bool = True) -> BarChart:
    """A bar chart over columns ``data_cols`` of a summary tab: series named by the row-1 captions, values and
    categories from row 3 on (row 2 holds the hidden English keys)."""
    return bar_chart(title, ws, cats=(cats_col, 3, n_rows + 2), series_cols=list(range(data_cols[0], data_cols[1] + 1)),
                     header_row=1, horizontal=horizontal, stacked=stacked, value_title=y_title)


COLOURED: dict[str, frozenset[str]] = {"submissions": frozenset({"status_th"})}


def _coloured(tab: Tab, frame: pd.DataFrame) -> frozenset[str]:
    """The columns holding statuses: every report column of the matrix, the submissions' status."""
    if tab.key == "status_matrix":
        return frozenset(map(str, frame.columns[3:]))
    return COLOURED.get(tab.key, frozenset())


def _coloured_columns(tab: Tab, frame: pd.DataFrame) -> list[int]:
    names = _coloured(tab, frame)
    return [j for j, c in enumerate(map(str, frame.columns)) if c in names]


def write_xlsx(summary: Summary, path: str | Path, *, as_of: dt.datetime, district_name: str = "") -> Path:
    """The summary report workbook: the chart page first, then every tab; written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    add_dashboard(wb, summary, district=district_name, as_of=as_of)
    sheets = {}
    for tab in TABS:
        frame = tab_frame(summary, tab, as_of)
        matrix = tab.key == "status_matrix"
        coloured = _coloured(tab, frame)
        ws = _add_table_sheet(wb, tab.title_th, frame, coloured=coloured, legend=matrix,
                              freeze="D3" if matrix else "A3", district=district_name, as_of=as_of)
        sheets[tab.key] = (ws, frame)
    wb.properties.title = f"สรุปภาพรวมเขต {district_name} ปีงบประมาณ {summary.fiscal_year}".strip()
    wb.properties.creator = "Khet"

    ws, f = sheets["kpi"]
    if len(f):
        cols = list(f.columns)
        first = cols.index("met") + 1
        ws.add_chart(_bar("การบรรลุตัวชี้วัด (จำนวนโรงเรียน)", ws, (first, first + 2), len(f), cats_col=2,
                          stacked=True, y_title="โรงเรียน"), f"{get_column_letter(len(cols) + 2)}3")

    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())
    return path


def write_final(summary_xlsx: str | Path, path: str | Path, *, fiscal_year: int, closed_at: dt.datetime) -> Path:
    """A closed year's summary kept at `path`, marked final where a reader sees it: a red line above the
    charts, the printed header of every tab, the document title. Loaded and saved with openpyxl, which keeps the
    charts it wrote."""
    path = Path(path)
    when = bangkok(closed_at)
    mark = f"ปิดปีงบประมาณ {fiscal_year} แล้ว เมื่อ {format_thai_date(when.date())} {when:%H:%M} น."
    wb = load_workbook(summary_xlsx)
    charts = wb.worksheets[0]
    charts["A3"] = f"{mark} — สรุปฉบับสุดท้ายของปี ไม่ปรับปรุงอีก (fiscal year closed: final summary)"
    charts["A3"].font = Font(bold=True, color="C00000")
    for ws in wb.worksheets:
        ws.oddHeader.center.text = "ฉบับสุดท้าย ปิดปีแล้ว (final)"
    wb.properties.title = f"{wb.properties.title or ''} (ฉบับสุดท้าย {mark})".strip()
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())
    return path


# --- Google ---------------------------------------------------------------------------------------------------

def write_google(client, spreadsheet_id: str, summary: Summary, *, as_of: dt.datetime,
                 tabs: Iterable[Tab] = TABS, chunk_cells: int = 200_000, charts: bool = True,
                 district_name: str = "") -> dict:
    """Replace the summary tabs of the district spreadsheet (the chart page first, unless `charts` is False)
    in one atomic swap, formatting included (sync/google_look.py). Returns request counts."""
    http = client.http_client
    tabs = tuple(tabs)
    frames = {t.title_th: tab_frame(summary, t, as_of) for t in tabs}
    grids = {t.title_th: frame_grid(frames[t.title_th]) for t in tabs}
    placed: list = []
    if charts:
        chart_cells, placed = google_look.chart_grid(summary, district=district_name, as_of=as_of)
        grids = {CHARTS_TITLE: chart_cells, **grids}
    meta = http.fetch_sheet_metadata(spreadsheet_id, params={"fields": "sheets.properties"})
    existing = {s["properties"]["title"]: s["properties"]["sheetId"] for s in meta.get("sheets", [])}
    requests = 1

    # 1. Fresh hidden staging tabs, sized to fit (leftovers of a killed run are removed first).
    prep = [{"deleteSheet": {"sheetId": sid}} for title, sid in existing.items() if title.startswith(STAGING_PREFIX)]
    for title, grid in grids.items():
        prep.append({"addSheet": {"properties": {
            "title": STAGING_PREFIX + title, "hidden": True,
            "gridProperties": {"rowCount": max(len(grid), 3), "columnCount": max(max(map(len, grid)), 1),
                               "frozenRowCount": 0 if title == CHARTS_TITLE else 2,
                               "frozenColumnCount": 3 if title == MATRIX_TITLE else 0}}}})
    replies = http.batch_update(spreadsheet_id, {"requests": prep})["replies"]
    new_ids = [r["addSheet"]["properties"]["sheetId"] for r in replies if "addSheet" in r]
    requests += 1

    # 2. All values, RAW, in as few values:batchUpdate calls as the payload size allows.
    data, cells = [], 0
    for title, grid in grids.items():
        data.append({"range": f"{quote_sheetname(STAGING_PREFIX + title)}!A1", "majorDimension": "ROWS", "values": grid})
        cells += sum(map(len, grid))
        if cells >= chunk_cells:
            http.values_batch_update(spreadsheet_id, {"valueInputOption": "RAW", "data": data})
            requests += 1
            data, cells = [], 0
    if data:
        http.values_batch_update(spreadsheet_id, {"valueInputOption": "RAW", "data": data})
        requests += 1

    # 3. The swap: one batchUpdate, atomic — old tabs out, staging tabs renamed, shown and ordered.
    swap: list[dict] = [{"deleteSheet": {"sheetId": sid}} for title, sid in existing.items() if title in grids]
    for i, (title, sid) in enumerate(zip(grids, new_ids, strict=True)):
        swap.append({"updateSheetProperties": {
            "properties": {"sheetId": sid, "title": title, "hidden": False, "index": i},
            "fields": "title,hidden,index"}})
    by_title = {t.title_th: t for t in tabs}
    for title, sid in zip(grids, new_ids, strict=True):
        if title == CHARTS_TITLE:
            swap += google_look.chart_requests(sid, placed)
            continue
        frame = frames[title]
        swap += google_look.table_requests(sid, grids[title], coloured_columns=_coloured_columns(
            by_title[title], frame), frame=frame)
    http.batch_update(spreadsheet_id, {"requests": swap})
    requests += 1
    return {"requests": requests, "tabs": len(grids), "cells": sum(sum(map(len, g)) for g in grids.values())}
