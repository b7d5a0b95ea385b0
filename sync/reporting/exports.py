"""Copy-ready .xlsx files for the national systems that have no import: e-MES (the district's indicator results
per 6- or 12-month round) and eMENSCR (the district's projects, alignment, quarterly results and an M1–M7
checklist). Columns come from the report settings (:class:`sync.reporting.figures.ReportSettings`) in the
order staff key them in; a missing figure is the text "ไม่มีข้อมูล", never 0; school text is written as text
(never a formula or a hyperlink)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from addin.thaidate import format_thai_date
from addin.validation.normalize import FORMULA_PREFIXES
from sync.reporting.figures import Figures
from sync.reporting.thaitext import NO_DATA, is_missing, plain
from workbook.schema import DATE_FORMAT_BE, NUMBER_FORMATS, ColType

# Columns of long text get room; the rest fit their header.
WIDTHS = {"indicator": 40, "project_name": 36, "evidence": 44, "evidence_url": 44, "note": 36, "missing": 50,
          "national_strategy": 34, "master_plan": 34, "school_name": 26, "title_th": 50}
HEAD_FONT, HEAD_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
MISSING_NOTE = "ไม่มีข้อมูล = ไม่มีตัวเลขนี้ในข้อมูลที่ส่งมา (ยังไม่ส่ง ส่งไม่ครบ หรือมีข้อผิดพลาด) ไม่ใช่ศูนย์"


MONEY_KEYS = {"budget_total", "spent"}


def _put(ws, row: int, col: int, value, key: str = "") -> None:
    cell = ws.cell(row=row, column=col)
    if is_missing(value):
        cell.value = NO_DATA
        return
    if isinstance(value, bool):
        value = "ใช่" if value else "ไม่ใช่"
    if isinstance(value, Decimal) or (key in MONEY_KEYS and isinstance(value, (int, float))):
        cell.value = float(value)
        if key in MONEY_KEYS:
            cell.number_format = NUMBER_FORMATS[ColType.MONEY]
    elif isinstance(value, (int, float)):
        cell.value = value
    elif isinstance(value, dt.date):
        cell.value, cell.number_format = value, DATE_FORMAT_BE
    else:
        text = plain(value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the school typed
        if text.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 30)


def _sheet(wb, title: str, columns: Sequence[tuple[str, str]], records: Iterable[dict]) -> None:
    """A tab: Thai header (row 1), English keys (row 2, hidden), one row per record from row 3."""
    ws = wb.create_sheet(title)
    for j, (key, header) in enumerate(columns, start=1):
        ws.cell(row=1, column=j, value=header).font = HEAD_FONT
        ws.cell(row=1, column=j).fill = HEAD_FILL
        ws.cell(row=1, column=j).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=2, column=j, value=key)
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(key, max(10, min(50, len(header) + 4)))
    ws.row_dimensions[2].hidden = True
    ws.freeze_panes = "A3"
    for i, rec in enumerate(records, start=3):
        lines = 1
        for j, (key, _) in enumerate(columns, start=1):
            _put(ws, i, j, rec.get(key), key)
            value = ws.cell(row=i, column=j).value
            if isinstance(value, str):
                width = ws.column_dimensions[get_column_letter(j)].width
                lines = max(lines, sum(-(-len(part) // int(width)) or 1 for part in value.split("\n")))
        # Wrapped text needs its row height written: LibreOffice and Excel do not grow a row on opening.
        ws.row_dimensions[i].height = 16 * min(lines, 12)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _about(wb, lines: Sequence[tuple[str, object]]) -> None:
    ws = wb.create_sheet("เกี่ยวกับไฟล์นี้")
    for i, (k, v) in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=k).font = HEAD_FONT
        _put(ws, i, 2, v)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 90


def _save(wb, path: Path) -> Path:
    from sync.registry import atomic_write

    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, buf.getvalue())
    return path


# --- e-MES --------------------------------------------------------------------------------------------------

SCHOOL_COLUMNS = (("indicator_code", "รหัสตัวชี้วัด"), ("indicator", "ตัวชี้วัด"), ("school_code", "รหัสโรงเรียน"),
                  ("school_name", "ชื่อโรงเรียน"), ("network", "เครือข่าย"), ("unit", "หน่วยนับ"),
                  ("target", "ค่าเป้าหมายของโรงเรียน"), ("result", "ผลการดำเนินงาน"), ("met", "บรรลุค่าเป้าหมาย"),
                  ("evidence_url", "ลิงก์หลักฐาน"))


TARGET_NOTE = {"schools_mean": "; ค่าเป้าหมายของเขต = ค่าเฉลี่ยของเป้าหมายที่เขตกำหนดให้แต่ละโรงเรียน (ตามขนาดหรือรายโรงเรียน)",
               "typed": "; ค่าเป้าหมาย = ค่าที่โรงเรียนส่วนใหญ่กรอก (ยังไม่ได้ตั้งตัวชี้วัดของเขต)"}


def emes_records(fig: Figures, round_months: int) -> list[dict]:
    kd = fig.kpi_district(round_months)
    out = []
    for i, k in enumerate(kd.itertuples(index=False), start=1):
        out.append({"order": i, "indicator_code": k.indicator_code, "indicator": k.indicator, "unit": k.unit,
                    "target": k.target, "result": k.result, "attainment": k.attainment,
                    "schools_reported": k.schools_reported, "schools_met": k.schools_met,
                    "pct_schools_met": k.pct_schools_met, "evidence": "\n".join(k.evidence) or None,
                    "note": f"ผลของเขต = ค่าเฉลี่ยของผล {k.schools_reported} โรงเรียนที่รายงาน "
                            f"(จากทั้งหมด {k.schools_total} โรง)" + TARGET_NOTE.get(k.target_basis, "")})
    return out


def write_emes(fig: Figures, round_months: int, path: str | Path) -> Path:
    if round_months not in fig.settings.emes_windows:
        raise ValueError(round_months)
    window = fig.settings.emes_windows[round_months]
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, f"ตัวชี้วัด รอบ {round_months} เดือน", fig.settings.emes_columns, emes_records(fig, round_months))
    rows = fig.kpi_rows(round_months)
    school_recs = [{**r, "met": None if r["met"] is None else ("บรรลุ" if r["met"] else "ไม่บรรลุ")}
                   for r in rows.to_dict("records")]
    _sheet(wb, "ผลรายโรงเรียน", SCHOOL_COLUMNS, sorted(school_recs, key=lambda r: (r["indicator_code"],
                                                                                   r["school_code"])))
    _about(wb, [("รายงาน", f"ผลการดำเนินงานตามตัวชี้วัด รอบ {round_months} เดือน ปีงบประมาณ {fig.fiscal_year} "
                           f"สำหรับกรอกในระบบ e-MES"),
                ("หน่วยงาน", fig.district_name or NO_DATA),
                ("ช่วงเวลากรอกในระบบ", f"{format_thai_date(window.opens)} – {format_thai_date(window.closes)}"
                                      f" ({fig.settings.source_th})"),
                ("ข้อมูล ณ วันที่", format_thai_date(fig.as_of, "long")),
                ("หมายเหตุ", MISSING_NOTE), ("แหล่งข้อมูล", "; ".join(fig.sources) or "Khet")])
    return _save(wb, Path(path))


# --- eMENSCR -----------------------------------------------------------------------------------------------

def _filled(p: dict, *keys: str) -> bool:
    return all(not is_missing(p.get(k)) for k in keys)


def stage_checks(fig: Figures, p: dict) -> dict[str, tuple[bool, str]]:
    """Per eMENSCR stage: whether the project's fields Khet holds for it are complete, and what is missing."""
    ended = not is_missing(p.get("end_date")) and p["end_date"] <= fig.as_of
    due_q = [q for q, q_end in enumerate(quarter_ends(fig.fiscal_year), start=1) if fig.as_of > q_end]
    needs = {
        "M1": ("project_name", "responsible", "start_date", "end_date"),
        "M2": ("obec_policy", "district_strategy"),
        "M3": ("indicator", "target"),
        "M4": ("budget_source", "budget_total"),
        "M5": (*(f"q{q}_progress" for q in due_q), "spent"),
        "M6": ("result",) if ended else (),
    }
    out = {}
    for stage, keys in needs.items():
        missing = [k for k in keys if is_missing(p.get(k))]
        out[stage] = (not missing, ", ".join(missing))
    ready = all(ok for ok, _ in out.values())
    out["M7"] = (ready, "" if ready else "ขั้นตอน M1–M6 ยังไม่ครบ")
    return out


def quarter_ends(fy: int) -> tuple[dt.date, ...]:
    ce = fy - 543
    return dt.date(ce - 1, 12, 31), dt.date(ce, 3, 31), dt.date(ce, 6, 30), dt.date(ce, 9, 30)


def emenscr_records(fig: Figures) -> list[dict]:
    dp = fig.district_projects()
    if dp is None:
        return []
    out = []
    for i, p in enumerate(dp.to_dict("records"), start=1):
        align = fig.settings.alignment.get(plain(p.get("district_strategy")))
        spent, total = p.get("spent"), p.get("budget_total")
        out.append({
            **p, "order": i, "agency": fig.district_name or None,
            "national_strategy": align.national_strategy if align else None,
            "master_plan": align.master_plan if align else None,
            "period": f"{format_thai_date(p['start_date'])} – {format_thai_date(p['end_date'])}"
            if _filled(p, "start_date", "end_date") else None,
            "pct_spent": round(float(spent) * 100 / float(total), 2) if _filled(p, "spent") and total else None,
            **{f"q{q}": p.get(f"q{q}_progress") for q in (1, 2, 3, 4)},
        })
    return out


def write_emenscr(fig: Figures, path: str | Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    records = emenscr_records(fig)
    _sheet(wb, "โครงการ", fig.settings.emenscr_columns, records)
    stages = fig.settings.emenscr_stages
    check_cols = (("project_code", "รหัสโครงการ"), ("project_name", "ชื่อโครงการ"),
                  *((s.key, f"{s.key} {s.title_th}") for s in stages), ("missing", "ข้อมูลที่ยังขาด"))
    checks = []
    dp = fig.district_projects()
    for p in ([] if dp is None else dp.to_dict("records")):
        st = stage_checks(fig, p)
        checks.append({"project_code": p["project_code"], "project_name": p["project_name"],
                       **{k: "พร้อม" if ok else "ยังไม่ครบ" for k, (ok, _) in st.items()},
                       "missing": "; ".join(f"{k}: {why}" for k, (ok, why) in st.items() if not ok) or "-"})
    _sheet(wb, "ตรวจสอบ M1–M7", check_cols, checks)
    _sheet(wb, "กรอบเวลา", (("key", "ขั้นตอน"), ("title_th", "รายละเอียด"), ("opens", "เริ่ม"), ("closes", "สิ้นสุด")),
           [{"key": s.key, "title_th": s.title_th, "opens": s.opens, "closes": s.closes} for s in stages])
    _about(wb, [("รายงาน", f"โครงการของหน่วยงาน ปีงบประมาณ {fig.fiscal_year} สำหรับกรอกในระบบ eMENSCR"),
                ("หน่วยงาน", fig.district_name or NO_DATA),
                ("จำนวนโครงการ", len(records) if dp is not None else NO_DATA),
                ("กรอบเวลา", fig.settings.source_th),
                ("ข้อมูล ณ วันที่", format_thai_date(fig.as_of, "long")),
                ("หมายเหตุ", MISSING_NOTE), ("แหล่งข้อมูล", "; ".join(fig.sources) or "Khet")])
    return _save(wb, Path(path))
