"""Staff overrides of submission dates: the staff workbook's บันทึกการรับรายงาน tab → what the nightly job applies.

Staff record a report that reached the office another way (paper, e-mail, an e-office letter number) or correct
a wrongly dated one. The job reads the tab each night (until issue 16's control channel carries the same rows,
the tab is read from the staff workbook file), validates it with its definition, and applies each new row once:
the history keeps who, when, why and the value the report showed before (``overrides`` table, ``apply``). A row
removed from the tab, or changed, withdraws the earlier override (``withdraw``, kept too): nothing changes
silently, and every output shows such a date as an override.

An override for a school the registry does not know is a finding at its row (Thai + English) and is not
applied; the report title is a dropdown of the definition, so an unknown report is already a finding.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from addin.validate import Finding, validate_table
from addin.validation.files import read_workbook
from workbook.reports import get_report
from workbook.sheets import SUBMISSION_OVERRIDES as SHEET

UNKNOWN_SCHOOL = "override.unknown_school"


@dataclass(frozen=True)
class OverrideRow:
    school_code: str
    report_key: str
    fiscal_year: int
    received_on: date
    channel: str
    reference: str | None
    reason: str
    recorded_by: str
    recorded_on: date
    row: int

    @property
    def row_hash(self) -> str:
        fields = [self.school_code, self.report_key, self.fiscal_year, self.received_on.isoformat(), self.channel,
                  self.reference or "", self.reason, self.recorded_by, self.recorded_on.isoformat()]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def overrides_from_grid(grid: list[list], known_schools: set[str]) -> tuple[list[OverrideRow], list[Finding]]:
    """The tab's rows (header included, as read) → overrides to apply and findings (validation's, plus one per
    row naming a school the registry does not know)."""
    res = validate_table(SHEET, grid, first_row=1)
    findings = list(res.findings)
    out: list[OverrideRow] = []
    for rec in res.rows.to_dict("records"):
        code = str(rec["school_code"])
        if code not in known_schools:
            findings.append(Finding(
                SHEET.title_th, SHEET.key, int(rec["_row"]), SHEET.column("school_code").header_th,
                f"{SHEET.letter('school_code')}{int(rec['_row'])}", code, "error", UNKNOWN_SCHOOL,
                f"ไม่มีโรงเรียนรหัส {code} ในทะเบียนโรงเรียน จึงไม่ได้นำการบันทึกนี้ไปใช้",
                f"no school {code} in the registry, so this override was not applied",
                "ตรวจรหัสโรงเรียนให้ตรงกับทะเบียนโรงเรียน"))
            continue
        out.append(OverrideRow(code, get_report(str(rec["report"])).key, int(rec["fiscal_year"]),
                               rec["received_on"], str(rec["channel"]), _text(rec.get("reference")),
                               str(rec["reason"]), str(rec["recorded_by"]), rec["recorded_on"], int(rec["_row"])))
    return out, findings


def load_overrides(path: str | Path | None, known_schools: set[str]) -> tuple[list[OverrideRow], list[Finding]]:
    """Overrides from the staff workbook at ``path``: none when there is no file or the file has no such tab (a
    district that never recorded one)."""
    if path is None or Path(path).suffix.lower() not in (".xlsx", ".xlsm") or not Path(path).exists():
        return [], []
    for tab in read_workbook(path, [SHEET.key]):
        if tab.sheet is not None and tab.sheet.key == SHEET.key:
            return overrides_from_grid(tab.values, known_schools)
    return [], []
