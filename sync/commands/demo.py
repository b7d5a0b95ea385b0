"""`khet demo` (interim): until the nightly sync exists, show this fiscal year's district work calendar with
statuses — the same output as `khet calendar` for the fiscal year of today (or of `--today`). Issue 6 replaces
this with the whole job on the embedded Google emulator."""

from __future__ import annotations

import argparse
import sys

from sync.commands.calendar import parser, run


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="khet demo",
        description="สาธิต (ชั่วคราว): ปฏิทินการปฏิบัติงานของเขตในปีงบประมาณปัจจุบันพร้อมสถานะ / interim demo: "
                    "this fiscal year's district work calendar with statuses")
    p.add_argument("--today", help="วันนี้ (YYYY-MM-DD) ค่าเริ่มต้นคือวันนี้ตามเวลาประเทศไทย / today (default: today in Thailand)")
    p.add_argument("--all", action="store_true", help="แสดงทุกครั้ง (รายสัปดาห์ด้วย) / show every occurrence")
    p.add_argument("--json", action="store_true", help="ผลแบบ JSON / machine-readable output")
    args = parser().parse_args([])
    vars(args).update(vars(p.parse_args(argv)))
    if not args.json:
        print("khet demo — ปฏิทินการปฏิบัติงานของเขต (งานประมวลผลรายคืนยังไม่พร้อม) / the district work calendar "
              "(the nightly sync is not there yet)\n", file=sys.stderr)
    return run(args)
