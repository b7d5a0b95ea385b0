"""The per-school feedback tab (ข้อเสนอแนะจากเขต), rewritten in Thai each night.

What a school clerk reads there: when each report is due and its status, every validation finding with its
sheet, row, column and cell and what to do about it, and when the district last read the sheet successfully.

To keep nights cheap the tab is only rewritten when its substance changed (the hash leaves out the "last read"
time): our own write moves the sheet's Drive modifiedTime, so the next night re-reads the school once, finds the
same content, and the loop stops there instead of costing a read and a write every night.
The write is ONE ``values.update`` with ``RAW`` over the tab's data area, padded with blanks down to the
previous write's length, so stale rows disappear and school-derived text can never become a formula.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from openpyxl.utils import quote_sheetname

from addin.cells import is_blank, safe_text
from addin.ontime import BASIS_CLAIM, BASIS_EVIDENCE, BASIS_OVERRIDE, BASIS_TH
from addin.status import TIMEZONE, Status
from addin.thaidate import format_thai_date
from sync import approvals
from sync.aggregate import format_age_th, read_reason_th
from sync.rows import named
from workbook.reports import REPORTS
from workbook.sheets import FEEDBACK

WIDTH = len(FEEDBACK.columns)
TOPIC_READ = "การอ่านข้อมูลของเขต"
TOPIC_REPORT = "กำหนดส่งและสถานะรายงาน"
TOPIC_ERROR = "ข้อผิดพลาดที่ต้องแก้"
TOPIC_WARNING = "ข้อสังเกต"
TOPIC_LATE_EDIT = "แก้ไขหลังกำหนดส่ง"
TOPIC_KPI = "ตัวชี้วัดของเขต"
REPORT_SHEETS = {r.key: r.sheet for r in REPORTS}

ACTION_BY_STATUS = {
    Status.NOT_YET_DUE: "กรอกให้ครบ แล้วเพิ่มแถวยืนยันในแท็บ ยืนยันการส่ง ก่อนกำหนด",
    Status.DUE_SOON: "ใกล้ครบกำหนด: กรอกให้ครบและยืนยันการส่งในแท็บ ยืนยันการส่ง",
    Status.OVERDUE: "เกินกำหนดแล้ว: กรอกให้ครบ แก้ข้อผิดพลาด และยืนยันการส่งโดยเร็ว",
    Status.MISSING: "ปิดรับแล้ว: ติดต่อกลุ่มนโยบายและแผนของเขต",
    Status.ON_TIME: "",
    Status.LATE: "",
}


def _d(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return format_thai_date(value) if isinstance(value, dt.date) else str(value)


def _when(ts: dt.datetime | None) -> str:
    if ts is None:
        return "ยังไม่เคยอ่านได้"
    local = ts.astimezone(TIMEZONE)
    return f"{format_thai_date(local.date())} เวลา {local:%H:%M} น."


def _sent_when(r) -> str:
    """When the report counts as received, and what that rests on; the school's own date beside it."""
    at = getattr(r, "submitted_at", None)
    text = _d(r.submitted_on)
    if at is not None and at == at and getattr(r, "basis", None) == BASIS_EVIDENCE:
        text += f" เวลา {at:%H:%M} น."
    basis = getattr(r, "basis", None)
    if basis in (BASIS_OVERRIDE, BASIS_CLAIM):
        text += f" ({BASIS_TH[basis]})"
    claimed = getattr(r, "claimed_on", None)
    if basis == BASIS_EVIDENCE and claimed is not None and claimed == claimed and claimed != r.submitted_on:
        text += f"; โรงเรียนแจ้งวันที่ส่ง {_d(claimed)}"
    return text


def feedback_rows(status: pd.DataFrame, findings: pd.DataFrame, *, today: dt.date,
                  last_read_at: dt.datetime | None, read_outcome: str | None = None,
                  read_reason: str | None = None, data_age_hours: float | None = None,
                  kpis: pd.DataFrame | None = None, tab_problems: Iterable[Any] = ()) -> list[list[str]]:
    """The tab's data rows (from row 3) for one school: pure, all text, FEEDBACK column order.
    `tab_problems`: tonight's tab-level read problems (sync.reader.ReadProblem: a broken header, a missing tab)
    — the read line then never says the sheet was read successfully as a whole, and each report of such a tab
    says why its data is old or absent."""
    today_th = format_thai_date(today)
    rows: list[list[str]] = []
    tab_problems = [p for p in tab_problems if p.sheet_key]
    read_msg = f"เขตอ่านข้อมูลจากชีตนี้ได้สำเร็จล่าสุดเมื่อ {_when(last_read_at)}"
    action = ""
    if read_outcome in ("failed", "not_provisioned"):
        why = "; ".join(p.message_th for p in tab_problems) or read_reason_th(read_reason)
        read_msg += f"; คืนนี้อ่านไม่ได้ ({why})"
        if data_age_hours is not None and not tab_problems:
            read_msg += f" เขตใช้ข้อมูลเดิมอายุ {format_age_th(data_age_hours)}"
        action = "ตรวจว่าชีตยังแชร์ให้เขตและชื่อแท็บ/หัวคอลัมน์ไม่ถูกแก้ไข"
    elif tab_problems:
        titles = ", ".join(dict.fromkeys(f"'{p.title}'" for p in tab_problems))
        read_msg = (f"เขตอ่านชีตนี้ล่าสุดเมื่อ {_when(last_read_at)} แต่ใช้ไม่ได้ {len(tab_problems)} แท็บ: "
                    + "; ".join(p.message_th for p in tab_problems))
        action = f"แก้แท็บ {titles} ตามข้อผิดพลาดด้านล่าง (คัดลอกแถวหัวตารางหรือแท็บจากแม่แบบ)"
    rows.append([today_th, TOPIC_READ, "", "", "", "", read_msg, action])
    by_sheet = {p.sheet_key: p for p in tab_problems}

    for r in named(status):
        if r.submitted_on is not None and r.submitted_on == r.submitted_on:
            msg = f"เขตรับรายงานแล้วเมื่อ {_sent_when(r)}"
            if r.errors:
                msg += f" แต่ยังมีข้อผิดพลาด {r.errors} รายการ ต้องแก้ไข"
        elif r.confirmed and r.errors:
            msg = f"ยืนยันการส่งแล้ว แต่ยังมีข้อผิดพลาด {r.errors} รายการ จึงยังไม่นับว่าส่ง"
        elif r.confirmed and not r.rows:
            msg = "ยืนยันการส่งแล้ว แต่ยังไม่มีข้อมูลของรายงานนี้"
        elif r.rows:
            msg = f"มีข้อมูล {r.rows} แถว ยังไม่ได้ยืนยันการส่ง"
        else:
            msg = "ยังไม่มีข้อมูล"
        if (p := by_sheet.get(REPORT_SHEETS.get(getattr(r, "report_key", None)))) is not None:
            msg += (f" (แท็บ '{p.title}' ใช้ไม่ได้คืนนี้ เขตใช้ข้อมูลชุดเดิมของแท็บ)" if p.previous else
                    f" (แท็บ '{p.title}' ใช้ไม่ได้ เขตจึงยังไม่มีข้อมูลของรายงานนี้ที่ใช้ได้)")
        act = ACTION_BY_STATUS[Status(r.status)]
        if r.needs_correction:
            act = f"แก้ข้อผิดพลาด {r.errors} รายการด้านล่าง"
        rows.append([today_th, TOPIC_REPORT, r.report_th, _d(r.due), r.status_th, "", msg, act])
        decided = approvals.feedback_line(r)
        if decided is not None:
            state_th, text, todo = decided
            due = getattr(r, "correction_due", None)
            rows.append([today_th, approvals.TOPIC, r.report_th, _d(due), state_th, "", text, todo])
        if r.edited_after_due:
            rows.append([today_th, TOPIC_LATE_EDIT, r.report_th, _d(r.due), r.status_th, "",
                         "มีการแก้ไขข้อมูลของรายงานนี้หลังวันครบกำหนด เขตบันทึกไว้เป็นหลักฐาน", ""])

    for k in named(kpis) if kpis is not None else ():
        unit = f" {k.unit}" if k.unit else ""
        if k.met is None:
            msg = f"ยังไม่มีผล เป้าหมายของเขตสำหรับโรงเรียน {_num(k.target)}{unit}"
            act = f"กรอกผลการดำเนินงานในแท็บ ประเมินตนเอง KPI (รอบ {k.round}, รหัส {k.indicator_code})"
        else:
            msg = f"ผล {_num(k.result)}{unit} เป้าหมายของเขต {_num(k.target)}{unit}"
            act = ""
        rows.append([today_th, TOPIC_KPI, f"รอบ {k.round} {k.indicator_code} {k.indicator}", "", k.status_th, "",
                     msg, act])

    if len(findings):
        order = findings.assign(_sev=(findings["severity"] != "error").astype(int))
        order = order.sort_values(["_sev", "sheet", "row"], kind="stable", na_position="first")
        for f in named(order):
            where = f"ชีต {f.sheet}"
            if not is_blank(f.row):
                where += f" แถว {int(f.row)}"
            if not is_blank(f.column):  # a sheet-level finding has none (NaN once stacked in a frame)
                where += f" คอลัมน์ {f.column}"
            if not is_blank(f.cell):
                where += f" (เซลล์ {f.cell})"
            msg = f.message_th
            if not is_blank(f.raw) and str(f.raw) not in msg:
                msg += f" — ค่าที่พบ: {f.raw}"
            rows.append([today_th, TOPIC_ERROR if f.severity == "error" else TOPIC_WARNING, str(f.sheet), "", "",
                         where, msg, f.fix_th or ""])
    return [[safe_text(str(c)) if c is not None else "" for c in row] for row in rows]


def _num(value) -> str:
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}".rstrip("0")


def feedback_hash(rows: Iterable[list[str]]) -> str:
    """Content hash without the date column and the last-read line (they change every night by themselves)."""
    core = [row[1:] if row[1] != TOPIC_READ else [TOPIC_READ, row[7]] for row in rows]
    return hashlib.sha256(json.dumps(core, ensure_ascii=False).encode("utf-8")).hexdigest()


def write_feedback(client, spreadsheet_id: str, rows: list[list[Any]], *, previous_rows: int = 0,
                   min_rows: int = 50) -> int:
    """Write the rows under the tab's two header rows in one RAW update; returns the rows covered."""
    height = max(len(rows), previous_rows, min_rows)
    grid = [list(r) + [""] * (WIDTH - len(r)) for r in rows]
    grid += [[""] * WIDTH for _ in range(height - len(rows))]
    last_col = chr(ord("A") + WIDTH - 1)
    rng = f"{quote_sheetname(FEEDBACK.title_th)}!A{FEEDBACK.first_data_row}:{last_col}{FEEDBACK.first_data_row + height - 1}"
    client.http_client.values_update(spreadsheet_id, rng, params={"valueInputOption": "RAW"},
                                     body={"range": rng, "majorDimension": "ROWS", "values": grid})
    return height


def school_frames(status: pd.DataFrame, findings: pd.DataFrame) -> Mapping[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Split the district frames per school once (a groupby, not a filter per school)."""
    by_status = {k: g for k, g in status.groupby("school_code", sort=False)}
    by_find = {k: g for k, g in findings.groupby("school_code", sort=False)} if len(findings) else {}
    empty = findings.iloc[0:0] if len(findings.columns) else pd.DataFrame(
        columns=["sheet", "row", "column", "cell", "raw", "severity", "message_th", "fix_th"])
    return {k: (g, by_find.get(k, empty)) for k, g in by_status.items()}
