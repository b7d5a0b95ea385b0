"""Button "ประมวลผลตอนนี้": run the nightly job now (`khet sync run --json`, which prints its run report),
then pull its results into the workbook. The report's message and counts are shown; failed schools are named."""

from __future__ import annotations

import xlwings as xw

from addin.buttons.pull import counts_th, pull_report
from addin.excel import run_button, run_khet, tell


def summary(report: dict) -> tuple[str, str]:
    """The Thai and English lines of a run report (sync.runreport.RunReport as JSON)."""
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
    report = run_khet(book, ["sync", "run", "--json"])
    report = report if isinstance(report, dict) else {}
    th, en = summary(report)
    if (report.get("outputs") or {}).get("xlsx"):
        counts = pull_report(book, report, announce=False)
        th += "\nนำผลเข้าสมุดงานแล้ว: " + counts_th(counts)
        en += "; pulled into the workbook"
    tell(book, th, en)
    return report


def main() -> None:
    run_button("ประมวลผลตอนนี้", run)
