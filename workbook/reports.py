"""The reports the district expects from every school, and when each is due.

Due rules are data here and nowhere else: `due` is a Thai timing phrase (as the manuals write it) evaluated by
`addin.timing` for a fiscal year. When the phrase yields several occurrences in a year (one per quarter, one
per e-MES round), `occurrence` says which one is this report's (1-based); None means the phrase's only (or
final) deadline.

A report's rows live in one school sheet; `row_filter` (column key, stored value) selects them when several
reports share a sheet (the four quarterly progress reports share the progress tab).
"""

from __future__ import annotations

from dataclasses import dataclass

PROGRESS_DUE = "ภายใน 15 วันหลังสิ้นไตรมาส"
# The e-MES rounds, in the words of the monitoring manual (seed 004, งานติดตามและรายงานผล step 5).
KPI_DUE = "ตามกรอบระยะเวลาการรายงานที่ สพฐ.กำหนด (รอบ ๖ เดือน/๑๒ เดือน)"


@dataclass(frozen=True)
class Report:
    key: str
    title_th: str
    title_en: str
    sheet: str  # a SheetDef key of a school sheet
    due: str  # Thai timing phrase
    row_filter: tuple[str, str] | None = None
    occurrence: int | None = None


REPORTS: tuple[Report, ...] = (
    # Seed 004 (แผนปฏิบัติการ step 4): schools send the annual action plan by May.
    Report("action_plan", "แผนปฏิบัติการประจำปี", "Annual action plan", "action_plan",
           "ภายในเดือนพฤษภาคม ของทุกปี"),
    *(
        Report(f"progress_q{q}", f"ความก้าวหน้าโครงการ ไตรมาส {q}", f"Project progress, quarter {q}",
               "progress", PROGRESS_DUE, ("quarter", str(q)), q)
        for q in (1, 2, 3, 4)
    ),
    Report("kpi_6m", "ประเมินตนเอง KPI รอบ 6 เดือน", "KPI self-assessment, 6-month round", "kpi",
           KPI_DUE, ("round", "6 เดือน"), 1),
    Report("kpi_12m", "ประเมินตนเอง KPI รอบ 12 เดือน", "KPI self-assessment, 12-month round", "kpi",
           KPI_DUE, ("round", "12 เดือน"), 2),
    # Seed 002 (งานจัดตั้งและเสนอของบประมาณ): schools prepare requests throughout the fiscal year; the
    # deadline that matters for tracking is the end of the year.
    Report("requests", "คำขอรับงบประมาณและระดมทรัพยากร", "Budget and resource-mobilisation requests",
           "requests", "ตลอดปีงบประมาณ"),
)

REPORTS_BY_KEY: dict[str, Report] = {r.key: r for r in REPORTS}
REPORT_TITLES_TH: tuple[str, ...] = tuple(r.title_th for r in REPORTS)


def get_report(key_or_title: str) -> Report:
    """A report by key ("progress_q1") or Thai title ("ความก้าวหน้าโครงการ ไตรมาส 1")."""
    text = key_or_title.strip()
    for report in REPORTS:
        if text in (report.key, report.title_th):
            return report
    raise KeyError(f"ไม่รู้จักรายงาน '{key_or_title}' / unknown report '{key_or_title}'")
