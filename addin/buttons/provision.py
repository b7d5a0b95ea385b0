"""Button "สร้างชีตโรงเรียน": make a Google Sheet for every school of the registry sheet that has none
(`khet schools provision`), then write each new spreadsheet ID into the registry sheet.

The registry is taken from the sheet as the user left it (even unsaved), written to a temporary CSV for the
command, so nobody has to save and close the workbook first. IDs land in the row of their school code,
wherever the user moved the column.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import xlwings as xw

from addin.cells import is_blank
from addin.excel import Table, UserError, run_button, run_khet, table, tell
from addin.validation.normalize import as_text

DONE = ("created", "resumed", "already")


def registry_csv(tab: Table, path: Path) -> None:
    """The registry table as the command reads it: Thai headers, English keys, then the data rows."""
    keys = list(tab.columns)
    rows = [r for r in tab.records() if not all(is_blank(r.get(k)) for k in keys)]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([tab.definition.column(k).header_th for k in keys])
        w.writerow(keys)
        for r in rows:
            # as_text: a school code Excel turned into a number (1020080005.0) goes back as typed.
            w.writerow(["" if r.get(k) is None else as_text(r.get(k)) for k in keys])


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
    handle, name = tempfile.mkstemp(prefix="khet-registry-", suffix=".csv")
    os.close(handle)
    try:
        registry_csv(tab, Path(name))
        outcomes = run_khet(book, ["schools", "provision", "--registry", name], json_file=True)
    finally:
        Path(name).unlink(missing_ok=True)
    outcomes = outcomes if isinstance(outcomes, list) else []
    changed = apply_outcomes(tab, outcomes)
    failed = [o for o in outcomes if o.get("status") == "failed"]
    th = f"สร้าง/พบชีตโรงเรียนแล้ว เติมรหัสสเปรดชีต {changed} โรงเรียน"
    en = f"School sheets provisioned; {changed} spreadsheet IDs filled in."
    if failed:
        th += f"\nไม่สำเร็จ {len(failed)} โรงเรียน: " + "; ".join(
            f"{o.get('code')} {o.get('name')}: {o.get('message_th')}" for o in failed[:10])
        en += f" {len(failed)} failed."
    tell(book, th, en)
    return outcomes


def main() -> None:
    run_button("สร้างชีตโรงเรียน", run)
