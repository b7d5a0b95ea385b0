"""Button "ดึงข้อมูลล่าสุด": bring the latest consolidation into the workbook — the submissions tracker, the
district summary and the schools' findings.

The add-in never imports `sync`. It asks `khet history --json last` for the last finished run's report, whose
`outputs.xlsx` is the district summary workbook the nightly job writes (every tab: Thai captions in row 1,
English keys in row 2, data from row 3 — written for readers like this one), and copies its tabs into the
staff sheets by key. Those sheets are written by Khet only (read-only in the template), so their rows are
replaced; the user's column order is kept.
"""

from __future__ import annotations

from pathlib import Path

import xlwings as xw

from addin.cells import is_blank
from addin.excel import UserError, replace_rows, run_button, run_khet, table, tell, workbook_folder
from addin.thaidate import parse_date_or_none
from addin.validation.files import open_workbook, tab_cells
from workbook.schema import ColType
from workbook.sheets import get_sheet

SHEETS = ("submissions", "district_summary", "findings")


def _tabs(path: Path) -> dict[str, list[dict]]:
    """Every tab of a Khet summary workbook as rows {key: value}, by tab title."""
    out = {}
    with open_workbook(path) as wb:
        for ws in wb.worksheets:
            rows = tab_cells(ws)
            if len(rows) < 2:
                continue
            keys = [str(k).strip() if k is not None else "" for k in rows[1]]
            out[ws.title] = [dict(zip(keys, r, strict=False)) for r in rows[2:] if not all(map(is_blank, r))]
    return out


def summary_export(path: Path, fiscal_year: int | None = None) -> dict[str, list[dict]]:
    """The staff sheets' rows from the nightly summary workbook at `path`."""
    tabs = _tabs(path)
    export = {key: tabs.get(get_sheet(key).title_th, []) for key in ("district_summary", "findings")}
    last_read = {}
    for rows in tabs.values():
        if rows and {"school_code", "last_good_at"} <= rows[0].keys():
            last_read = {r["school_code"]: r["last_good_at"] for r in rows}
    export["submissions"] = [
        {"school_code": r.get("school_code"), "school_name": r.get("school_name"), "network": r.get("network"),
         "report": r.get("report_th"), "fiscal_year": fiscal_year, "due_date": r.get("due"),
         "submitted_on": r.get("submitted_on"), "status": r.get("status_th"),
         "findings": (r.get("errors") or 0) + (r.get("warnings") or 0), "errors": r.get("errors") or 0,
         "last_read": last_read.get(r.get("school_code"))}
        for r in tabs.get(get_sheet("submissions").title_th, [])
    ]
    return export


def typed_rows(sheet_key: str, rows: list[dict]) -> list[dict]:
    """Rows with only the sheet's keys, dates as dates (so Excel shows them in the BE date format)."""
    definition = get_sheet(sheet_key)
    dates = {c.key for c in definition.columns if c.type is ColType.DATE}
    out = []
    for row in rows:
        rec = {k: v for k, v in row.items() if k in definition.keys()}
        for key in dates & rec.keys():
            try:
                rec[key] = parse_date_or_none(rec[key])
            except ValueError:
                pass  # shown as it came: text in a date column is still information
        out.append(rec)
    return out


def write_export(book: xw.Book, export: dict) -> dict[str, int]:
    counts = {}
    for key in SHEETS:
        tab = table(book, key) if key in export else None
        if tab is None:
            continue
        rows = typed_rows(key, export[key] or [])
        replace_rows(tab, rows)
        counts[key] = len(rows)
    return counts


def report_xlsx(book: xw.Book, report: dict) -> Path:
    """The summary workbook a run report names (relative paths are the workbook folder's, where khet ran)."""
    name = (report.get("outputs") or {}).get("xlsx")
    if not name:
        raise UserError("รอบการประมวลผลล่าสุดไม่ได้สร้างไฟล์สรุป", "The last run wrote no summary workbook.")
    path = Path(name)
    if not path.is_absolute():
        path = (workbook_folder(book) or Path.cwd()) / path
    if not path.is_file():
        raise UserError(f"ไม่พบไฟล์สรุป {path} (ถูกย้ายหรือลบ?) ให้กด “ประมวลผลตอนนี้”",
                        f"Summary workbook {path} not found; run the sync again.")
    return path


def pull_report(book: xw.Book, report: dict, *, announce: bool = True) -> dict[str, int]:
    """Copy the summary of a run report into the workbook (and say so)."""
    counts = write_export(book, summary_export(report_xlsx(book, report), report.get("fiscal_year")))
    if not announce:
        return counts
    ended = str(report.get("ended_at") or "")[:16].replace("T", " ")
    tell(book, f"ดึงข้อมูลล่าสุดแล้ว (รอบที่ {report.get('run_id', '-')} เสร็จเมื่อ {ended} UTC): {counts_th(counts)}",
         f"Latest consolidation (run {report.get('run_id', '-')}): "
         + ", ".join(f"{k} {n}" for k, n in counts.items()))
    return counts


def counts_th(counts: dict[str, int]) -> str:
    """Rows written per sheet, by Thai tab title: "การส่งรายงาน 12 แถว, …"."""
    return ", ".join(f"{get_sheet(k).title_th} {n} แถว" for k, n in counts.items())


def run(book: xw.Book) -> dict[str, int]:
    report = run_khet(book, ["history", "--json", "last"])
    return pull_report(book, report if isinstance(report, dict) else {})


def main() -> None:
    run_button("ดึงข้อมูลล่าสุด", run)
