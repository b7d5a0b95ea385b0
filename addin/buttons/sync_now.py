"""Button "ประมวลผลตอนนี้": run the nightly job now (`khet sync run --json`), then pull its results into the
workbook. The run report's counts are shown in Thai; schools that failed are named."""

from __future__ import annotations

import xlwings as xw

from addin.buttons.pull import write_export
from addin.excel import run_button, run_khet, tell


def summary(report: dict) -> tuple[str, str]:
    """The Thai and English lines of a run report."""
    counts = report.get("counts") or {}
    status = report.get("status") or report.get("outcome") or ""
    parts = ", ".join(f"{k} {v}" for k, v in counts.items())
    failed = [s for s in report.get("schools", []) if isinstance(s, dict) and s.get("outcome") == "failed"]
    th = f"ประมวลผลเสร็จ ({status}) {parts}".strip()
    if failed:
        th += "\nโรงเรียนที่อ่านไม่ได้: " + ", ".join(
            f"{s.get('code', '')} {s.get('name', '')} ({s.get('message_th', '')})" for s in failed[:10])
    return th, f"Sync finished ({status}) {parts}".strip()


def run(book: xw.Book) -> dict:
    report = run_khet(book, ["sync", "run"])
    report = report if isinstance(report, dict) else {}
    export = run_khet(book, ["history", "export"])
    write_export(book, export if isinstance(export, dict) else {})
    th, en = summary(report)
    tell(book, th, en)
    return report


def main() -> None:
    run_button("ประมวลผลตอนนี้", run)
