"""Repairing what a school may not change: the district's feedback tab and the protections on its sheet.

The nightly read already fetches each changed school's feedback tab in its one `batchGet` (sync.reader), so
comparing it with what the district last wrote costs nothing. The comparison is with the SHEET, never only with
the job's own last hash: a school that removed the tab's protection and overwrote it (or deleted the tab) would
otherwise keep its forged text, since the job's own content had not changed. What is found:
- the feedback tab differs from what was last written (its header rows or any cell under them) → it is
  rewritten tonight whatever the job's own hash says (`Repairs.tampered`), and a finding says so;
- the feedback tab is gone → it is made again (the same tab, its two header rows) and written;
- either, or a tab-level read problem (a broken header, a missing or renamed tab), or a `--full` run → the
  sheet's protections are checked (one `spreadsheets.get`) and any removed or loosened one is put back
  (`sync.protections.restore`, one `batchUpdate`), each a finding at its tab.
Every repair is a warning for the school (its feedback, the district's findings) and counted in the run report;
a repair that fails is reported the same way and tried again next night, never the night's failure.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from addin.validate import Finding
from sync.protections import TAG_HEADER, TAG_READONLY, restore
from workbook.sheets import FEEDBACK, SHEETS

log = logging.getLogger("khet.sync.repair")
# Tab-level read problems that show a school got past a protection (sync.reader).
TAMPER_SIGNS = ("columns_changed", "tab_missing", "tab_renamed")

MESSAGES: dict[str, tuple[str, str, str]] = {
    "feedback.tampered": (
        "ข้อความในแท็บ '{title}' ถูกแก้ไขโดยผู้ที่ไม่ใช่เขต เขตเขียนข้อความที่ถูกต้องกลับแล้ว",
        "the '{title}' tab was changed by someone other than the district; the district's text was written back",
        "อย่าแก้ไขแท็บนี้ เป็นข้อความจากเขตถึงโรงเรียน หากมีข้อสงสัยให้ติดต่อเขต"),
    "feedback.tab_missing": (
        "แท็บ '{title}' ถูกลบ เขตสร้างกลับและเขียนข้อเสนอแนะใหม่แล้ว",
        "the '{title}' tab had been deleted; the district made it again and wrote it",
        "อย่าลบแท็บนี้ เป็นช่องทางที่เขตแจ้งผลการตรวจข้อมูลให้โรงเรียน"),
    "protection.restored": (
        "การป้องกัน{what}ของแท็บ '{title}' ถูกนำออกหรือผ่อนลง เขตตั้งกลับแล้ว",
        "the protection of {what_en} of tab '{title}' had been removed or loosened; the district put it back",
        "อย่านำการป้องกันออก: {what}เป็นส่วนที่ระบบของเขตใช้อ่านและเขียน"),
    "protection.failed": (
        "ตั้งการป้องกันของชีตนี้กลับไม่ได้ ({detail}) เขตจะลองใหม่คืนถัดไป",
        "the sheet's protections could not be put back ({detail}); tried again next night",
        "ตรวจว่าชีตยังแชร์ให้บัญชีของเขตเป็นผู้แก้ไข"),
}


def _text_row(row: Sequence[Any]) -> list[str]:
    out = ["" if v is None else str(v) for v in row]
    while out and out[-1] == "":
        out.pop()
    return out


def sheet_rows_hash(rows: Iterable[Sequence[Any]]) -> str:
    """The exact content of the feedback tab's data area (from row 3): each row as text without its trailing
    blanks, trailing blank rows left out — the same for what was written and for what the read sees (Sheets
    drops trailing blanks; text typed right of the tab's columns counts)."""
    norm = [_text_row(r) for r in rows]
    while norm and not norm[-1]:
        norm.pop()
    return hashlib.sha256(json.dumps(norm, ensure_ascii=False).encode("utf-8")).hexdigest()


def feedback_changed(seen: list[list[Any]], written_hash: str | None) -> bool:
    """Does the feedback tab as read differ from what the district last wrote (None: never written)?"""
    if written_hash is None:
        return False
    head = [_text_row(r) for r in seen[:FEEDBACK.first_data_row - 1]]
    if head != [_text_row(r) for r in FEEDBACK.grid_header()]:
        return True
    return sheet_rows_hash(seen[FEEDBACK.first_data_row - 1:]) != written_hash


@dataclass
class Repairs:
    tampered: set[str] = field(default_factory=set)            # feedback to rewrite tonight, whatever its hash
    remade: set[str] = field(default_factory=set)              # … whose tab was made again first
    seen_height: dict[str, int] = field(default_factory=dict)  # rows a school's feedback tab shows (to blank)
    restored: dict[str, list[str]] = field(default_factory=dict)  # school → protection tags put back
    failed: dict[str, str] = field(default_factory=dict)       # school → why a repair failed
    findings: list[tuple[str, Finding]] = field(default_factory=list)
    requests: int = 0

    def counts(self) -> dict[str, int]:
        return {"feedback_tampered": len(self.tampered), "feedback_tab_remade": len(self.remade),
                "protections_restored": sum(len(v) for v in self.restored.values()),
                "repairs_failed": len(self.failed)}


def _finding(code: str, school: str, sheet_key: str, **params) -> tuple[str, Finding]:
    title = SHEETS[sheet_key].title_th if sheet_key in SHEETS else sheet_key
    th, en, fix = (t.format(title=title, **params) for t in MESSAGES[code])
    return school, Finding(title, sheet_key, None, None, None, None, "warning", code, th, en, fix,
                           school_code=school, params={"title": title, **params})


def _protection_finding(school: str, tag: str) -> tuple[str, Finding]:
    if tag.startswith(TAG_HEADER):
        key, what, what_en = tag[len(TAG_HEADER):], "หัวตาราง (แถว 1–2)", "the header rows"
    else:
        key, what, what_en = tag.removeprefix(TAG_READONLY), "ทั้งแท็บ", "the whole tab"
    return _finding("protection.restored", school, key, what=what, what_en=what_en)


def remake_feedback_tab(client, spreadsheet_id: str) -> int:
    """The feedback tab made again (title, size, its two header rows); returns the requests it cost (2)."""
    from sync.google_template import grid_size

    rows, cols = grid_size(FEEDBACK)
    client.http_client.batch_update(spreadsheet_id, {"requests": [{"addSheet": {"properties": {
        "title": FEEDBACK.title_th, "gridProperties": {"rowCount": rows, "columnCount": cols}}}}]})
    client.http_client.values_update(
        spreadsheet_id, f"'{FEEDBACK.title_th}'!A1", params={"valueInputOption": "RAW"},
        body={"values": FEEDBACK.grid_header()})
    return 2


def repair_phase(result, write_client, editors: Sequence[str], written: Mapping[str, str | None], *,
                 full: bool = False) -> Repairs:
    """Compare what tonight's read saw with what the district wrote and put back what a school may not change
    (module doc). `written`: school → the exact hash of its last feedback write (History.last_feedback_sheets)."""
    out = Repairs()
    if write_client is None:
        return out
    for o in result.schools:
        read = o.read
        if read is None or o.outcome != "read" or not o.school.spreadsheet_id:
            continue
        code, sid = o.school.code, o.school.spreadsheet_id
        missing = read.feedback is None and read.feedback_missing
        changed = read.feedback is not None and feedback_changed(read.feedback, written.get(code))
        signs = missing or changed or full or any(p.reason in TAMPER_SIGNS for p in read.problems)
        if not signs:
            continue
        try:
            if missing:
                out.requests += remake_feedback_tab(write_client, sid)
                out.remade.add(code)
                out.tampered.add(code)
                out.findings.append(_finding("feedback.tab_missing", code, FEEDBACK.key))
            elif changed:
                out.tampered.add(code)
                out.seen_height[code] = max(0, len(read.feedback) - (FEEDBACK.first_data_row - 1))
                out.findings.append(_finding("feedback.tampered", code, FEEDBACK.key))
            done = restore(write_client, sid, editors)
            out.requests += done.requests
            if done.changed:
                out.restored[code] = done.changed
                out.findings += [_protection_finding(code, t) for t in done.changed]
        except Exception as exc:  # noqa: BLE001 - a repair that fails is reported, tried again next night
            log.warning("repair of %s failed: %s", code, exc)
            out.failed[code] = f"{type(exc).__name__}: {exc}"
            out.findings.append(_finding("protection.failed", code, FEEDBACK.key, detail=type(exc).__name__))
    return out
