"""Button "ดึงข้อมูลล่าสุด": bring the latest consolidation into the workbook — the submissions tracker, the
district summary, the schools' findings and the แดชบอร์ด tab (headline figures and the chart tables its charts
read; addin/dashboard.py) — and say how fresh it is.

The add-in never imports `sync`, and the pull never opens the history database (on a staff PC there is none):
it asks `khet office pull --json`, which reads the district Google Sheet the nightly job writes (one request:
the summary tabs, the job host's status tab and this staff member's requests tab) or, where the district has
no Google summary, the summary .xlsx. Every Khet tab has Thai captions in row 1 and English keys in row 2, so
rows come by key. The staff sheets filled here are Khet's (read-only in the template): their rows are replaced,
the user's column order kept. The message gives the data's time, the last run's, and — when the job host has
not answered by the time it promised — since when it has been silent.
"""

from __future__ import annotations

from pathlib import Path

import xlwings as xw

from addin import dashboard
from addin.excel import UserError, replace_rows, run_button, run_khet, table, tell, workbook_folder
from addin.thaidate import parse_date_or_none
from workbook.schema import ColType
from workbook.sheets import get_sheet

SHEETS = ("submissions", "district_summary", "findings")


def summary_export(tabs: dict[str, list[dict]], fiscal_year: int | None = None) -> dict[str, list[dict]]:
    """The staff sheets' rows from the summary tabs (title -> rows by key), as Google or the .xlsx hold them."""
    export = {key: tabs.get(get_sheet(key).title_th, []) for key in ("district_summary", "findings")}
    export["dashboard"] = dashboard_export(tabs, export["district_summary"])
    last_read = {}
    for rows in tabs.values():
        if rows and {"school_code", "last_good_at"} <= rows[0].keys():
            last_read = {r["school_code"]: r["last_good_at"] for r in rows}
    export["submissions"] = [
        {"school_code": r.get("school_code"), "school_name": r.get("school_name"), "network": r.get("network"),
         "report": r.get("report_th"), "fiscal_year": fiscal_year, "due_date": r.get("due"),
         "submitted_on": r.get("submitted_on"), "status": r.get("status_th"),
         "findings": _int(r.get("errors")) + _int(r.get("warnings")), "errors": _int(r.get("errors")),
         "last_read": last_read.get(r.get("school_code")), "approval_th": r.get("approval_th"),
         "correction_due": r.get("correction_due")}
        for r in tabs.get(get_sheet("submissions").title_th, [])
    ]
    return export


def _tab_with(tabs: dict[str, list[dict]], keys: set[str], without: frozenset[str] = frozenset()) -> list[dict]:
    """The rows of the summary tab whose key row holds `keys` (and none of `without`)."""
    return next((rows for rows in tabs.values()
                 if rows and keys <= rows[0].keys() and not without & rows[0].keys()), [])


def dashboard_export(tabs: dict[str, list[dict]], overview: list[dict]) -> dict:
    """The dashboard's figures and chart tables from the summary's tabs (found by their keys)."""
    return {"figures": dashboard.headline(overview),
            "blocks": dashboard.blocks(_tab_with(tabs, {"report_th", "pct_submitted"}, frozenset({"network"})),
                                       _tab_with(tabs, {"network", "report_th", "pct_submitted"}),
                                       _tab_with(tabs, {"category", "amount"}),
                                       _tab_with(tabs, {"quarter", "projects"}))}


def write_dashboard(book: xw.Book, export: dict, as_of_th: str) -> int:
    """Fill the แดชบอร์ด tab (its charts read these cells); 0 when the workbook has no such tab."""
    sheet = next((s for s in book.sheets if s.name == dashboard.TITLE), None)
    if sheet is None:
        return 0
    for (row, col), values in dashboard.staff_cells(export["figures"], export["blocks"], as_of_th).items():
        sheet.range((row, col)).value = [["" if v is None else v for v in line] for line in values]
    return len(export["figures"]) + sum(len(b.rows) for b in export["blocks"])


def _int(value) -> int:
    try:
        return int(float(value)) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


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


def write_export(book: xw.Book, export: dict, as_of_th: str = "") -> dict[str, int]:
    counts = {}
    for key in SHEETS:
        tab = table(book, key) if key in export else None
        if tab is None:
            continue
        rows = typed_rows(key, export[key] or [])
        replace_rows(tab, rows)
        counts[key] = len(rows)
    if export.get("dashboard") and write_dashboard(book, export["dashboard"], as_of_th):
        counts["dashboard"] = len(export["dashboard"]["figures"])  # last: the message names the sheets first
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


def _when(text: str | None) -> str:
    """An ISO UTC time as Bangkok "dd/mm/BE HH:MM" for the message ("-" when unknown)."""
    import datetime as dt

    from addin.ontime import bangkok
    from addin.thaidate import format_thai_date

    if not text:
        return "-"
    try:
        t = bangkok(dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return str(text)
    return f"{format_thai_date(t.date())} {t:%H:%M} น."


def freshness(data: dict) -> tuple[str, str]:
    """The lines saying how fresh the pulled data is, and whether the job host is answering."""
    th = (f"ข้อมูลโรงเรียน ณ {_when(data.get('data_as_of'))} · รอบประมวลผลล่าสุด"
          f" {data.get('last_run_id') or '-'} เสร็จเมื่อ {_when(data.get('last_run_ended_at'))}")
    en = (f"data as of {data.get('data_as_of') or '-'}; last run {data.get('last_run_id') or '-'} ended "
          f"{data.get('last_run_ended_at') or '-'}")
    if data.get("host_answering") is False:
        th += (f"\n⚠ เครื่องประมวลผลไม่ตอบตั้งแต่ {_when(data.get('host_seen_at'))} คำขอที่ส่งไปจะรอจนกว่าเครื่องกลับมา"
               " แจ้งผู้ดูแลระบบ")
        en += f"; the job host has not answered since {data.get('host_seen_at')}: requests wait until it is back"
    return th, en


def requests_lines(data: dict) -> list[str]:
    """This staff member's latest requests and their answers (newest last), for the message."""
    from_status = {"": "ยังไม่ได้ตอบ"}
    out = []
    for r in (data.get("requests") or [])[-5:]:
        status = r.get("status") or from_status[""]
        out.append(f"{r.get('request_id')} {r.get('kind')}: {status} {r.get('outcome_th') or ''}".rstrip())
    return out


def apply_provisioned(book: xw.Book, data: dict) -> int:
    """Spreadsheet IDs from this account's answered provision requests, into the registry sheet."""
    import json

    from addin.buttons.provision import apply_outcomes

    ids: dict[str, str] = {}
    for r in data.get("requests") or []:
        if r.get("kind") == "provision" and r.get("result"):
            try:
                ids.update(json.loads(r["result"]).get("spreadsheet_ids") or {})
            except (ValueError, AttributeError):
                continue
    tab = table(book, "school_registry") if ids else None
    if tab is None:
        return 0
    return apply_outcomes(tab, [{"code": c, "status": "already", "spreadsheet_id": i} for c, i in ids.items()])


def pull_data(book: xw.Book, data: dict, *, announce: bool = True) -> dict[str, int]:
    """Write what `khet office pull --json` gave into the workbook (and say so, with its times)."""
    fy = (data.get("host") or {}).get("fiscal_year")
    counts = write_export(book, summary_export(data.get("tabs") or {}, int(fy) if str(fy or "").isdigit() else None),
                          f"ข้อมูลโรงเรียน ณ {_when(data.get('data_as_of'))}")
    ids = apply_provisioned(book, data)
    if announce:
        th, en = freshness(data)
        th = f"ดึงข้อมูลล่าสุดแล้ว: {counts_th(counts)}\n{th}"
        if ids:
            th += f"\nเติมรหัสสเปรดชีตในทะเบียน {ids} โรงเรียน"
        if lines := requests_lines(data):
            th += "\nคำขอล่าสุดของท่าน:\n" + "\n".join(lines)
        tell(book, th, "Latest consolidation: " + ", ".join(f"{k} {n}" for k, n in counts.items()) + f"; {en}")
    return counts


def counts_th(counts: dict[str, int]) -> str:
    """Rows written per sheet, by Thai tab title: "การส่งรายงาน 12 แถว, …"."""
    return ", ".join(f"{dashboard.TITLE if k == 'dashboard' else get_sheet(k).title_th} {n} แถว"
                     for k, n in counts.items())


def run(book: xw.Book) -> dict[str, int]:
    data = run_khet(book, ["office", "pull", "--json"])
    return pull_data(book, data if isinstance(data, dict) else {})


def main() -> None:
    run_button("ดึงข้อมูลล่าสุด", run)
