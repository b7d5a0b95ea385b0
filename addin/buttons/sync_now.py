"""Button "ประมวลผลตอนนี้": ask the job host for a run now (`khet office request process_now --json`).

On the job host itself (a single-PC district) the run happens at once: its message and counts are shown, failed
schools named, and its results pulled into the workbook. From a staff PC the request goes to the host through
the district sheet; the message says so, and the next "ดึงข้อมูลล่าสุด" shows the answer and the new data."""

from __future__ import annotations

import xlwings as xw

from addin.buttons.pull import counts_th, pull_data
from addin.excel import run_button, run_khet, tell


def summary(report: dict) -> tuple[str, str]:
    """The Thai and English lines of a run (its message, counts and failed schools)."""
    counts = report.get("counts") or {}
    parts = ", ".join(f"{k} {v}" for k, v in counts.items())
    th = report.get("message_th") or f"ประมวลผลเสร็จ ({report.get('status', '')})"
    en = report.get("message_en") or f"Sync finished ({report.get('status', '')})"
    failed = [s for s in report.get("schools") or []
              if isinstance(s, dict) and s.get("outcome") in ("failed", "not_provisioned")]
    if failed:
        th += f"\nโรงเรียนที่อ่านไม่ได้ {len(failed)} แห่ง: " + "; ".join(
            f"{s.get('school_code', '')} {s.get('name', '')} ({s.get('reason') or s.get('outcome')})"
            for s in failed[:10])
    return (f"{th}\n{parts}" if parts else th), (f"{en} ({parts})" if parts else en)


def run(book: xw.Book) -> dict:
    out = run_khet(book, ["office", "request", "process_now", "--json"])
    out = out if isinstance(out, dict) else {}
    if out.get("mode") != "direct" or not out.get("result"):
        tell(book, out.get("message_th") or "ส่งคำขอแล้ว", out.get("message_en") or "request sent")
        return out
    th, en = summary(out["result"])
    if out.get("status") == "done":
        data = run_khet(book, ["office", "pull", "--json"])
        counts = pull_data(book, data if isinstance(data, dict) else {}, announce=False)
        th += "\nนำผลเข้าสมุดงานแล้ว: " + counts_th(counts)
        en += "; pulled into the workbook"
    tell(book, th, en)
    return out


def main() -> None:
    run_button("ประมวลผลตอนนี้", run)
