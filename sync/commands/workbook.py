"""`khet workbook`: build the staff workbook and the school template from the definitions, or regenerate the
column reference docs/sheets.md."""

from __future__ import annotations

import sys
from pathlib import Path

from addin.xlsm import finish_staff_workbook
from sync.commands import KhetArgumentParser
from workbook.docs import DOCS_PATH, docs_are_current, write_docs
from workbook.templates import (
    SCHOOL_TEMPLATE_FILE,
    STAFF_XLSM_FILE,
    STAFF_XLSX_FILE,
    save_school_template,
    save_staff_workbook,
)


def build(out_dir: Path) -> list[Path]:
    """Write the school template, the staff .xlsx and (with the add-in available) the staff .xlsm."""
    written = [save_school_template(out_dir / SCHOOL_TEMPLATE_FILE)]
    xlsx = save_staff_workbook(out_dir / STAFF_XLSX_FILE)
    written.append(xlsx)
    written.append(finish_staff_workbook(xlsx, out_dir / STAFF_XLSM_FILE))
    return written


def main(argv: list[str]) -> int:
    parser = KhetArgumentParser(prog="khet workbook", description="สร้างสมุดงาน / build the workbooks")
    sub = parser.add_subparsers(dest="action", required=True)
    p_build = sub.add_parser("build", help="สร้างสมุดงานเขตและแม่แบบโรงเรียน / build the staff workbook and school template")
    p_build.add_argument("--out", default="out", help="โฟลเดอร์ปลายทาง / output folder (default ./out)")
    p_docs = sub.add_parser("docs", help="สร้าง docs/sheets.md ใหม่ / regenerate docs/sheets.md")
    p_docs.add_argument("--out", default=str(DOCS_PATH), help="ไฟล์ปลายทาง / output file")
    p_docs.add_argument("--check", action="store_true",
                        help="ตรวจว่าไฟล์เป็นปัจจุบัน ไม่เขียน / only check the file is current (exit 1 if not)")
    args = parser.parse_args(argv)

    if args.action == "build":
        try:
            written = build(Path(args.out))
        except OSError as exc:  # a folder that is a file, no permission, a workbook open in Excel…
            print(f"เขียนไฟล์ไม่ได้: {exc.filename or args.out} / cannot write: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(path)
        return 0
    if args.check:
        if docs_are_current(args.out):
            print(f"{args.out}: เป็นปัจจุบัน / up to date")
            return 0
        print(f"{args.out}: ไม่ตรงกับนิยามชีต ให้รัน khet workbook docs / out of date, run `khet workbook docs`",
              file=sys.stderr)
        return 1
    print(write_docs(args.out))
    return 0
