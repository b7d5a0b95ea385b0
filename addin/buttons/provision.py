"""Button "สร้างชีตโรงเรียน": make a Google Sheet for every school of the registry sheet that has none — a
`provision` request (`khet office request provision --payload-file …`) carrying the registry rows — then write
each new spreadsheet ID into the registry sheet.

The registry is taken from the sheet as the user left it (even unsaved), so nobody has to save and close the
workbook first. On the job host (a single-PC district) the sheets are made at once and the IDs land in the row
of their school code, wherever the user moved the column. From a staff PC the rows go to the job host, which
keeps the district's registry; the IDs arrive with "ดึงข้อมูลล่าสุด" once it has answered. At most 100 rows go in
one request (a Sheets cell holds 50,000 characters), so a long registry is sent as several.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import xlwings as xw

from addin.cells import is_blank
from addin.excel import Table, UserError, run_button, run_khet, table, tell
from addin.validation.normalize import as_text

DONE = ("created", "resumed", "already")
CHUNK = 100


def registry_rows(tab: Table) -> list[dict]:
    """The registry table's rows as the request carries them: by key, every value as text as typed."""
    keys = list(tab.columns)
    rows = [r for r in tab.records() if not all(is_blank(r.get(k)) for k in keys)]
    # as_text: a school code Excel turned into a number (1020080005.0) goes back as typed.
    return [{k: "" if r.get(k) is None else as_text(r.get(k)) for k in keys} for r in rows]


def request(book: xw.Book, rows: list[dict]) -> dict:
    handle, name = tempfile.mkstemp(prefix="khet-registry-", suffix=".json")
    os.close(handle)
    try:
        Path(name).write_text(json.dumps({"schools": rows}, ensure_ascii=False), encoding="utf-8")
        out = run_khet(book, ["office", "request", "provision", "--payload-file", name, "--json"])
    finally:
        Path(name).unlink(missing_ok=True)
    return out if isinstance(out, dict) else {}


def apply_outcomes(tab: Table, outcomes: list[dict]) -> int:
    """Write spreadsheet IDs by school code; returns how many cells changed."""
    ids = {str(o.get("code")): o.get("spreadsheet_id") for o in outcomes
           if o.get("status") in DONE and o.get("spreadsheet_id")}
    values, changed = [], 0
    for rec in tab.records():
        code = as_text(rec.get("school_code") or "").strip().zfill(10) if rec.get("school_code") else ""
        new = ids.get(code)
        values.append(new or rec.get("spreadsheet_id"))
        changed += bool(new and new != rec.get("spreadsheet_id"))
    tab.write_column("spreadsheet_id", values)
    return changed


def run(book: xw.Book) -> list[dict]:
    tab = table(book, "school_registry")
    if tab is None:
        raise UserError("ไม่พบชีต “ทะเบียนโรงเรียน” ในสมุดงานนี้", "The school registry sheet is missing.")
    rows = registry_rows(tab)
    if not rows:
        raise UserError("ทะเบียนโรงเรียนยังว่างอยู่", "The school registry is empty.")
    answers = [request(book, rows[i:i + CHUNK]) for i in range(0, len(rows), CHUNK)]
    if any(a.get("mode") != "direct" for a in answers):
        tell(book, "\n".join(a.get("message_th", "") for a in answers), "; ".join(a.get("message_en", "") for a in answers))
        return answers
    outcomes = [o for a in answers for o in (a.get("result") or {}).get("outcomes", [])]
    changed = apply_outcomes(tab, outcomes)
    failed = [o for o in outcomes if o.get("status") == "failed"]
    th = f"สร้าง/พบชีตโรงเรียนแล้ว เติมรหัสสเปรดชีต {changed} โรงเรียน"
    en = f"School sheets provisioned; {changed} spreadsheet IDs filled in."
    if failed:
        th += f"\nไม่สำเร็จ {len(failed)} โรงเรียน: " + "; ".join(
            f"{o.get('code')} {o.get('name')}: {o.get('message_th')}" for o in failed[:10])
        en += f" {len(failed)} failed."
    refused = [a for a in answers if a.get("status") != "done"]
    for a in refused + [a for a in answers if (a.get("result") or {}).get("rejected")]:
        th += f"\n{a.get('message_th')}"
        en += f" {a.get('message_en')}"
    tell(book, th, en)
    return outcomes


def main() -> None:
    run_button("สร้างชีตโรงเรียน", run)
