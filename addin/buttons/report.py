"""Button "สร้างรายงานเขต": ask the job host for the district report — the summary workbook with charts, from the
schools' latest data — as a request (`khet office request district_report --json`), like "ประมวลผลตอนนี้": the
staff PC runs no job and holds no key. On the job host itself (a single-PC district) the run happens at once
(without rewriting the schools' feedback tabs): the button says where the file is and opens it (Excel only).
From a staff PC the request goes to the host through the district sheet; the message says so, and the report
is then in the district Google Sheet and in the next "ดึงข้อมูลล่าสุด"."""

from __future__ import annotations

import xlwings as xw

from addin.buttons.pull import report_xlsx
from addin.buttons.sync_now import summary
from addin.excel import run_button, run_khet, tell


def run(book: xw.Book) -> dict:
    out = run_khet(book, ["office", "request", "district_report", "--json"])
    out = out if isinstance(out, dict) else {}
    if out.get("mode") != "direct" or not out.get("result"):
        tell(book, out.get("message_th") or "ส่งคำขอแล้ว", out.get("message_en") or "request sent")
        return out
    if out.get("status") != "done":
        th, en = summary(out["result"])
        tell(book, th, en)
        return out
    path = report_xlsx(book, out["result"])
    tell(book, f"สร้างรายงานเขตแล้ว: {path}", f"District report written: {path}")
    if book.app.engine.name == "excel":
        xw.Book(path)  # open it beside the staff workbook
    return out


def main() -> None:
    run_button("สร้างรายงานเขต", run)
