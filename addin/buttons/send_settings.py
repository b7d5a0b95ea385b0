"""Button "ส่งค่าตั้งให้งานประมวลผล": send the settings tabs of this workbook, as they are now (even unsaved), to
the job host — a `settings_change` request (`khet office request settings_change --payload-file …`,
sync/control/settings_change.py) that the host validates again, keeps as its settings file with a version
history, applies from its next run and pushes into every school sheet (`khet schools update`).

The tabs are checked here first with the same reader: settings with errors are not sent; their findings go to
the findings sheet at their cells and the message names the first of them. On a single-PC district the request
is applied at once; from a staff PC the host answers at its next poll ("ดึงข้อมูลล่าสุด" shows the outcome).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

import xlwings as xw

from addin.buttons.validate import finding_rows
from addin.excel import UserError, replace_rows, run_button, run_khet, settings_tabs, table, tell
from addin.settings import pack_tabs, settings_from_tabs
from addin.status import today_in_thailand
from workbook.settings import SETTINGS_SHEETS

SOURCE_TH = "สมุดงานนี้"


def run(book: xw.Book, today: date | None = None, update_schools: bool = True) -> dict:
    today = today or today_in_thailand()
    tabs = settings_tabs(book)
    if not tabs:
        raise UserError("สมุดงานนี้ไม่มีแท็บตั้งค่า (เช่น “ตั้งค่า ข้อมูลเขต”) จึงไม่มีค่าตั้งให้ส่ง",
                        "This workbook has no settings tabs to send.")
    settings, findings = settings_from_tabs(tabs, SOURCE_TH)
    _list_findings(book, findings, today)
    if settings is None:
        errors = [f for f in findings if f.severity == "error"]
        first = "\n".join(f"• {f.sheet}!{f.cell or ''} {f.message_th}" for f in errors[:8])
        raise UserError(f"ค่าตั้งมีข้อผิดพลาด {len(errors)} จุด จึงยังไม่ส่ง (เซลล์ที่ต้องแก้อยู่ในชีต “ข้อค้นพบจากการตรวจสอบ”):\n"
                        f"{first}", f"The settings have {len(errors)} error(s) and were not sent; see the findings "
                        "sheet.")
    handle, name = tempfile.mkstemp(prefix="khet-settings-", suffix=".json")
    os.close(handle)
    try:
        Path(name).write_text(json.dumps({**pack_tabs(tabs), "update_schools": update_schools}), encoding="utf-8")
        out = run_khet(book, ["office", "request", "settings_change", "--payload-file", name, "--json"])
    finally:
        Path(name).unlink(missing_ok=True)
    out = out if isinstance(out, dict) else {}
    tell(book, out.get("message_th") or "ส่งค่าตั้งแล้ว", out.get("message_en") or "Settings sent.")
    return out


def _list_findings(book: xw.Book, findings, today: date) -> None:
    """This check's findings replace the previous settings findings on the findings sheet (others stay)."""
    tab = table(book, "findings")
    if tab is None:
        return
    titles = {s.title_th for s in SETTINGS_SHEETS}
    kept = [r for r in tab.records() if r.get("sheet") not in titles and any(
        str(v or "").strip() for k, v in r.items() if k != "_row")]
    rows = [r for f in findings for r in finding_rows([f], f.sheet or SOURCE_TH, today)]
    replace_rows(tab, kept + rows)


def main() -> None:
    run_button("ส่งค่าตั้งให้งานประมวลผล", run)
