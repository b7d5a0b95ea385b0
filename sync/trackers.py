"""The staff workbook's trackers in the nightly run: service requests against the standards and the inspectors'
recommendations, read from the staff workbook file, validated with their sheet definitions, computed with the
same rules as the Refresh button (addin.services, addin.recommendations) and added to the summary — its
tabs, its overview and its follow-up list.

Decisions:
- The file is ``[paths] staff_workbook``; when unset and the registry is an .xlsx/.xlsm (the staff workbook
  holds the registry tab), that file. No file configured: the trackers are simply not part of the run (said
  in the run report's counts as 0 and ``trackers: off``); a configured file that is missing or lacks a tab
  is a finding in the run report, never a silent empty list.
- A row the validator rejects is left out and named (tab, row, column, cell) in the findings; the rest of
  the run is not affected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from addin import recommendations as recs
from addin import services as svc
from addin.validate import Finding
from workbook.sheets import SHEETS

TRACKED = ("service_requests", "inspection_followup")
STAFF_WORKBOOK_TH = "สมุดงานเขต"
REQUEST_COLUMNS = ("request_id", "school_code", "school_name", "service", "received_on", "handler", "step_no",
                   "step_title", "step_standard", "step_due", "final_due", "status", "completed_on",
                   "workdays_taken", "on_standard")


@dataclass
class Trackers:
    source: Path | None = None
    service_requests: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REQUEST_COLUMNS)))
    service_standards: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(svc.STANDARD_COLUMNS)))
    recommendations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(recs.FRAME_COLUMNS)))
    inspection_rounds: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(recs.ROUND_COLUMNS)))
    findings: list[Finding] = field(default_factory=list)
    overdue_requests: int = 0

    def counts(self) -> dict[str, int]:
        r = self.recommendations
        return {"service_requests": int(len(self.service_requests)),
                "service_requests_overdue": self.overdue_requests,
                "recommendations": int(len(r)),
                "recommendations_overdue": int((r["status"] == recs.OVERDUE).sum()) if len(r) else 0,
                "tracker_findings": len(self.findings)}


def staff_workbook_path(staff_workbook: Path | None, registry: Path | None) -> Path | None:
    if staff_workbook:
        return Path(staff_workbook)
    if registry is not None and Path(registry).suffix.lower() in (".xlsx", ".xlsm"):
        return Path(registry)
    return None


def _finding(sheet_key: str, code: str, th: str, en: str, *, row=None, column: str | None = None,
             letters: dict[str, str] | None = None, severity: str = "error") -> Finding:
    """A finding of ours on a staff tab; ``column`` is a column key, located where the user's tab has it."""
    sheet = SHEETS[sheet_key]
    letter = (letters or {}).get(column) if column else None
    return Finding(sheet=sheet.title_th, sheet_key=sheet_key, row=row,
                   column=sheet.column(column).header_th if column else None,
                   cell=f"{letter}{row}" if letter and row else None, raw=None, severity=severity, code=code,
                   message_th=th, message_en=en, fix_th="")


def _letters(sheet, values: list[list]) -> dict[str, str]:
    """Column key → letter on the user's tab (the validator's own header finder: moved columns are found)."""
    from openpyxl.utils import get_column_letter

    from addin.validation.headers import HEADER_SCAN_ROWS, find_layout

    head = values[:HEADER_SCAN_ROWS]
    layout = find_layout(sheet, head, max((len(r) for r in head), default=0))
    return {k: get_column_letter(i + 1) for k, i in layout.columns.items()} if layout.found else {}


def read_trackers(path: Path | None, today: date, known_schools=None) -> Trackers:
    """``known_schools``: the registry's codes; a request naming another code is a warning on its cell (the
    request still counts: the district served someone)."""
    out = Trackers(source=path)
    if path is None:
        return out
    if not Path(path).is_file():
        out.findings.append(_finding("service_requests", "trackers.file_missing",
                                     f"ไม่พบสมุดงานเขต {path} จึงไม่ได้รวมคำขอรับบริการและข้อเสนอแนะผู้ตรวจคืนนี้",
                                     f"staff workbook {path} not found: service requests and recommendations "
                                     f"are not in tonight's summary"))
        return out
    from addin.validation.files import read_workbook

    tabs = {t.sheet.key: t for t in read_workbook(path, TRACKED) if t.sheet is not None and t.sheet.key in TRACKED}
    records: dict[str, list[dict]] = {}
    letters: dict[str, dict[str, str]] = {}
    for key in TRACKED:
        tab = tabs.get(key)
        if tab is None:
            sheet = SHEETS[key]
            out.findings.append(_finding(key, "trackers.tab_missing",
                                         f"ไม่พบแท็บ '{sheet.title_th}' ในสมุดงานเขต {Path(path).name}",
                                         f"no '{sheet.title_th}' ({key}) tab in {Path(path).name}",
                                         severity="warning"))
            continue
        from addin.validate import validate_table

        res = validate_table(tab.sheet, tab.values, first_row=1)
        out.findings.extend(res.findings)
        records[key] = res.rows.to_dict("records")
        letters[key] = _letters(tab.sheet, tab.values)
    known = None if known_schools is None else set(known_schools)
    for rec in records.get("service_requests", []) if known is not None else []:
        code = str(rec.get("school_code") or "").strip()
        if code and code not in known:
            out.findings.append(_finding("service_requests", "service.unknown_school",
                                         f"ไม่มีรหัสโรงเรียน {code} ในทะเบียนโรงเรียน", f"school code {code} is not in "
                                         f"the registry", row=rec.get("_row"), column="school_code",
                                         letters=letters.get("service_requests"), severity="warning"))
    _requests(out, records.get("service_requests", []), today, letters.get("service_requests"))
    _recommendations(out, records.get("inspection_followup", []), today, letters.get("inspection_followup"))
    return out


def _requests(out: Trackers, records: list[dict], today: date, letters: dict[str, str] | None) -> None:
    pairs, rows = [], []
    for rec in records:
        p = svc.request_from_record(rec)
        if p is None:
            continue
        for n, th, en in p.problems:
            out.findings.append(_finding("service_requests", "service.step_order", th, en, row=rec.get("_row"),
                                         column=f"step{n}_done", letters=letters, severity="warning"))
        pairs.append((rec, p))
        rows.append({**{k: rec.get(k) for k in REQUEST_COLUMNS}, **svc.computed_columns(p, today),
                     "status_code": p.status(today)})
    if rows:
        out.service_requests = pd.DataFrame(rows).reindex(columns=[*REQUEST_COLUMNS, "status_code"])
        out.overdue_requests = int((out.service_requests["status_code"] == svc.OVERDUE).sum())
    out.service_standards = svc.standards_table(svc.step_frame(pairs), pairs, today)


def _recommendations(out: Trackers, records: list[dict], today: date, letters: dict[str, str] | None) -> None:
    for rec in records:
        for key, th, en in recs.assess(rec, today).problems:
            out.findings.append(_finding("inspection_followup", f"recommendation.{key}", th, en,
                                         row=rec.get("_row"), column=key, letters=letters, severity="warning"))
    out.recommendations = recs.frame(records, today)
    out.inspection_rounds = recs.round_report(out.recommendations)


def follow_up_rows(t: Trackers, columns: list[str]) -> pd.DataFrame:
    """Overdue recommendations and service requests as rows of the summary's follow-up list."""
    rows = []
    r = t.recommendations
    for rec in r[r["status"] == recs.OVERDUE].itertuples() if len(r) else []:
        rows.append({"network": "", "school_code": "", "school_name": rec.responsible_group,
                     "kind": "recommendation_overdue", "kind_th": "ข้อเสนอแนะผู้ตรวจราชการเกินกำหนด",
                     "report_th": f"{rec.inspection_round} ข้อ {rec.item_no} (ปีงบประมาณ {rec.fiscal_year})",
                     "due": rec.due_on, "errors": 0,
                     "detail_th": f"{_cut(rec.recommendation)} — เกินกำหนด {-int(rec.days_left)} วัน"})
    q = t.service_requests
    for rec in q[q["status_code"] == svc.OVERDUE].itertuples() if len(q) else []:
        rows.append({"network": "", "school_code": rec.school_code or "", "school_name": rec.school_name or "",
                     "kind": "service_overdue", "kind_th": "คำขอรับบริการเกินมาตรฐาน",
                     "report_th": f"{rec.service} คำขอ {rec.request_id}", "due": rec.step_due, "errors": 0,
                     "detail_th": f"ขั้นที่ {rec.step_no}: {_cut(rec.step_title)} ({rec.step_standard})"})
    return pd.DataFrame(rows).reindex(columns=columns)


def _cut(text, n: int = 80) -> str:
    text = str(text or "")
    return text if len(text) <= n else text[: n - 1] + "…"


def attach(summary, t: Trackers) -> None:
    """Put the trackers into the summary: its tabs, and overdue items at the end of the follow-up list."""
    summary.service_requests = t.service_requests.drop(columns=["status_code"], errors="ignore")
    summary.service_standards = t.service_standards
    summary.recommendations = t.recommendations.drop(columns=["status", "_row"], errors="ignore")
    summary.inspection_rounds = t.inspection_rounds
    summary.follow_up = _append(summary.follow_up, follow_up_rows(t, list(summary.follow_up.columns)))
    if t.findings:  # named in the summary's findings tab like a school's, as the staff workbook's
        rows = pd.DataFrame([{**f.as_dict(), "school_code": "", "school_name": STAFF_WORKBOOK_TH} for f in t.findings])
        summary.findings = _append(summary.findings, rows.reindex(columns=list(summary.findings.columns)))


def _append(frame: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    if not len(extra):
        return frame
    return pd.concat([frame, extra], ignore_index=True) if len(frame) else extra
