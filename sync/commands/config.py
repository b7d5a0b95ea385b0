"""`khet config`: check the configuration (Thai and English), show it with its origins, print the example file."""

from __future__ import annotations

import json
import sys

from sync.commands import KhetArgumentParser
from sync.config import check_config, example_toml, load_config


def main(argv: list[str]) -> int:
    parser = KhetArgumentParser(prog="khet config", description="ตรวจการตั้งค่า / check the configuration")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, text in (("check", "บอกสิ่งที่ขาดหรือผิด / say what is missing or wrong"),
                       ("show", "แสดงค่าที่ใช้และที่มา / show the values in use and where they came from")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--config", help="ไฟล์ตั้งค่า / configuration file (default: KHET_CONFIG or ./khet.toml)")
        p.add_argument("--json", action="store_true", help="ผลแบบ JSON / JSON output")
    sub.add_parser("example", help="พิมพ์ไฟล์ตัวอย่าง / print an example khet.toml")
    args = parser.parse_args(argv)

    if args.action == "example":
        sys.stdout.write(example_toml())
        return 0
    cfg = load_config(args.config)
    if args.action == "show":
        rows = cfg.describe()
        if args.json:
            print(json.dumps({k: {"value": v, "from": o} for k, v, o in rows}, ensure_ascii=False, indent=2))
        else:
            print(f"ไฟล์ตั้งค่า / file: {cfg.source or '-'}")
            width = max(len(k) for k, _, _ in rows)
            for k, v, o in rows:
                print(f"  {k.ljust(width)}  {v or '-'}  ({o})")
        return 0
    problems = check_config(cfg)
    if args.json:
        print(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        print(f"ไฟล์ตั้งค่า / file: {cfg.source or '- (ไม่มีไฟล์ ใช้ค่าจากตัวแปรแวดล้อม / none, environment only)'}")
        for p in problems:
            print(f"  {p}")
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = len(problems) - errors
        if errors:
            print(f"พบข้อผิดพลาด {errors} รายการ คำเตือน {warnings} รายการ / {errors} errors, {warnings} warnings")
        else:
            print(f"พร้อมใช้งาน (คำเตือน {warnings} รายการ) / ready ({warnings} warnings)")
    return 1 if any(p.severity == "error" for p in problems) else 0
