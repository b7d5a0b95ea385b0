"""`khet validate FILE.xlsx [--json]`: check every known sheet of a workbook (the staff workbook, or a school
sheet downloaded from Google) and report each finding with its cell, Thai first, English second.

Exit codes: 0 = no errors (warnings allowed), 1 = at least one error, 2 = the file could not be read or holds
no sheet Khet knows.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException

from addin.validation import Finding, read_workbook, validate_table
from sync.commands import KhetArgumentParser

SEVERITY_TH = {"error": "ข้อผิดพลาด", "warning": "คำเตือน"}
MARK = {"error": "✗", "warning": "!"}


def _where(f: Finding) -> str:
    if f.cell:
        return f.cell
    if f.row is not None:
        return f"แถว/row {f.row}"
    return f"ทั้งชีต/sheet{' · ' + f.column if f.column else ''}"


def _print_sheet(tab_title: str, result, limit: int) -> None:
    s = result.stats
    header = f"หัวตารางแถว {result.header_row} / header row {result.header_row}" if result.header_row else \
        "ไม่พบหัวตาราง / no header row"
    print(f"━━ ชีต \"{tab_title}\" ({result.sheet.key}) — {header}")
    print(f"   แถวข้อมูล {s['input_rows']:,} rows: ผ่าน {s['clean_rows']:,} clean · ไม่ผ่าน {s['rejected_rows']:,} "
          f"rejected · แถวว่าง {s['blank_rows']:,} blank · คอลัมน์เกิน {s['extra_columns']} extra · "
          f"คอลัมน์ขาด {s['missing_columns']} missing")
    if not result.findings:
        print("   ✓ ไม่พบปัญหา / no findings")
    for f in result.findings[:limit]:
        print(f"   {MARK[f.severity]} {SEVERITY_TH[f.severity]}/{f.severity} {_where(f)} [{f.code}] {f.message_th}")
        print(f"       {f.message_en}")
        print(f"       → วิธีแก้: {f.fix_th}")
    if len(result.findings) > limit:
        rest = len(result.findings) - limit
        print(f"   … และอีก {rest:,} รายการ / and {rest:,} more (ดูทั้งหมดด้วย --json / see all with --json)")


def main(argv: list[str]) -> int:
    parser = KhetArgumentParser(
        prog="khet validate",
        description="ตรวจสอบข้อมูลในไฟล์ Excel ทุกชีตที่ระบบรู้จัก / validate every known sheet of an .xlsx/.xlsm",
    )
    parser.add_argument("file", help="ไฟล์ .xlsx หรือ .xlsm / the workbook file")
    parser.add_argument("--json", action="store_true", help="พิมพ์ผลเป็น JSON ทุกข้อค้นพบ / every finding as JSON")
    parser.add_argument("--limit", type=int, default=200, metavar="N",
                        help="แสดงไม่เกิน N ข้อค้นพบต่อชีต (ไม่มีผลกับ --json) / findings shown per sheet (default 200)")
    args = parser.parse_args(argv)

    path = Path(args.file)

    def unreadable(code: str, message_th: str, message_en: str) -> int:
        # --json callers get JSON on stdout even when the file cannot be read; people get the line on stderr.
        if args.json:
            print(json.dumps({"file": str(path), "error": {"code": code, "message_th": message_th,
                                                           "message_en": message_en}, "exit_code": 2},
                             ensure_ascii=False, indent=2))
        else:
            print(f"{message_th} / {message_en}", file=sys.stderr)
        return 2

    try:
        if path.is_dir():  # openpyxl would blame an empty "file format"
            return unreadable("not_a_file", f"{path} เป็นโฟลเดอร์ ไม่ใช่ไฟล์ .xlsx หรือ .xlsm",
                              f"{path} is a folder, not an .xlsx/.xlsm file")
        tabs = read_workbook(path)
    except FileNotFoundError:
        return unreadable("file_not_found", f"ไม่พบไฟล์ {path}", f"file not found: {path}")
    except (zipfile.BadZipFile, InvalidFileException, OSError, ValueError, KeyError) as e:
        return unreadable("unreadable", f"อ่านไฟล์ {path} ไม่ได้ (ต้องเป็น .xlsx หรือ .xlsm)",
                          f"cannot read {path} as .xlsx/.xlsm: {e}")

    results = [(tab, validate_table(tab.sheet, tab.values)) for tab in tabs if tab.sheet]
    skipped = [tab for tab in tabs if not tab.sheet]
    n_errors = sum(len(r.errors) for _, r in results)
    n_warnings = sum(len(r.warnings) for _, r in results)
    code = 2 if not results else 1 if n_errors else 0

    if args.json:
        doc = {
            "file": str(path),
            "sheets": [{"sheet": r.sheet.title_th, "sheet_key": r.sheet.key, "tab": tab.title,
                        "header_row": r.header_row, "stats": r.stats,
                        "findings": [f.as_dict() for f in r.findings]} for tab, r in results],
            "skipped": [{"tab": t.title, "reason_th": t.reason_th, "reason_en": t.reason_en} for t in skipped],
            "errors": n_errors,
            "warnings": n_warnings,
            "exit_code": code,
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        return code

    print(f"ตรวจสอบไฟล์ / validating: {path}")
    for tab, result in results:
        _print_sheet(tab.title, result, args.limit)
    if skipped:
        print("ข้ามแท็บ / skipped tabs:")
        for t in skipped:
            print(f"   - \"{t.title}\": {t.reason_th} / {t.reason_en}")
    if not results:
        print("ไม่พบชีตที่ระบบรู้จักในไฟล์นี้ / no sheet Khet knows in this file")
    verdict = {0: "ผ่าน / PASSED", 1: "ไม่ผ่าน / FAILED", 2: "ไม่ได้ตรวจ / NOTHING VALIDATED"}[code]
    print(f"สรุป / summary: {len(results)} ชีต/sheets · ข้อผิดพลาด {n_errors:,} errors · "
          f"คำเตือน {n_warnings:,} warnings → {verdict}")
    return code
