"""`khet doctor`: is this staff PC ready for the staff workbook (addin/doctor.py does the checking)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from addin.doctor import OK, PROBLEM, diagnose

MARK = {OK: "✓", PROBLEM: "✗", "skipped": "–"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="khet doctor", description="ตรวจความพร้อมของเครื่อง / check this staff PC")
    parser.add_argument("--workbook", default="khet-staff.xlsm",
                        help="สมุดงานของเจ้าหน้าที่ / the staff workbook (default ./khet-staff.xlsm)")
    parser.add_argument("--json", action="store_true", help="ผลเป็น JSON / print the checks as JSON")
    args = parser.parse_args(argv)
    checks = diagnose(Path(args.workbook))
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
    else:
        for c in checks:
            print(f"{MARK[c.status]} {c.th} / {c.en}")
            if c.status == PROBLEM:
                print(f"    ทำอย่างไร: {c.fix_th}\n    what to do: {c.fix_en}")
        problems = sum(c.status == PROBLEM for c in checks)
        print(f"\nพบปัญหา {problems} เรื่อง / {problems} problem(s)" if problems
              else "\nพร้อมใช้งาน / ready")
    return 1 if any(c.status == PROBLEM for c in checks) else 0
