"""`khet settings`: check the district's settings tabs, or write the default settings file.

    khet settings check [FILE] [--fy 2569] [--json]   # FILE defaults to [paths] settings; exit 0 ok, 1 errors
    khet settings example OUT.xlsx                   # the shipped defaults (today's behaviour) as a file

Every finding names its tab and cell, in Thai and English, as `khet validate` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from addin.settings import load_settings
from sync.commands import KhetArgumentParser
from workbook.errors import KhetError
from workbook.templates import save_settings_file


def _check(path: Path, fy: int | None, as_json: bool) -> int:
    try:
        settings, findings = load_settings(path, fy)
    except KhetError as exc:
        print(f"{exc.message_th}\n{exc.message_en}", file=sys.stderr)
        return 2
    errors = [f for f in findings if f.severity == "error"]
    if as_json:
        print(json.dumps({"file": str(path), "ok": settings is not None,
                          "findings": [f.as_dict() for f in findings],
                          "settings": settings.model_dump(mode="json") if settings else None},
                         ensure_ascii=False, indent=1))
        return 0 if settings else 1
    for f in findings:
        mark = "✗" if f.severity == "error" else "!"
        where = f"{f.sheet}!{f.cell}" if f.cell else (f"{f.sheet} แถว/row {f.row}" if f.row else f.sheet or path.name)
        print(f"{mark} {where}: {f.message_th}\n    {f.message_en}" + (f"\n    วิธีแก้: {f.fix_th}" if f.fix_th else ""))
    if settings is None:
        print(f"\nไฟล์ตั้งค่ามีข้อผิดพลาด {len(errors)} จุด งานประมวลผลจะไม่ทำงานจนกว่าจะแก้ / "
              f"{len(errors)} errors: the nightly job will not run on these settings", file=sys.stderr)
        return 1
    i = settings.identity
    print(f"✓ {i.name} ({i.office_type}) — เครือข่าย {len(settings.networks)} · กลยุทธ์ {len(settings.strategies)} · "
          f"นโยบาย {len(settings.policies)} · แหล่งงบ {len(settings.budget_sources)} · รายงาน {len(settings.reports)} · "
          f"กรอบเวลา {len(settings.windows)} · ตัวชี้วัด {len(settings.kpis)} · ชื่อคอลัมน์ {len(settings.captions)}")
    print(f"  networks {len(settings.networks)}, strategies {len(settings.strategies)}, reports "
          f"{len(settings.reports)}, windows {len(settings.windows)}, KPIs {len(settings.kpis)}: ok"
          + (f" ({len(findings)} warnings)" if findings else ""))
    return 0


def main(argv: list[str]) -> int:
    parser = KhetArgumentParser(prog="khet settings", description="ค่าตั้งของเขต / district settings")
    sub = parser.add_subparsers(dest="action", required=True)
    p_check = sub.add_parser("check", help="ตรวจแท็บตั้งค่า / check the settings tabs")
    p_check.add_argument("file", nargs="?", help="สมุดงานเขตหรือไฟล์ตั้งค่า / staff workbook or settings file "
                                                 "(default: [paths] settings)")
    p_check.add_argument("--fy", type=int, help="เฉพาะปีงบประมาณนี้ / only the rows of this fiscal year")
    p_check.add_argument("--config", help="ไฟล์ตั้งค่า khet.toml / configuration file")
    p_check.add_argument("--json", action="store_true", help="ผลเป็น JSON / print JSON")
    p_ex = sub.add_parser("example", help="เขียนไฟล์ตั้งค่าเริ่มต้น / write the default settings file")
    p_ex.add_argument("out", help="ไฟล์ปลายทาง .xlsx / output .xlsx")
    args = parser.parse_args(argv)
    if args.action == "example":
        try:
            print(save_settings_file(args.out))
        except OSError as exc:
            print(f"เขียนไฟล์ไม่ได้: {args.out} / cannot write: {exc}", file=sys.stderr)
            return 1
        return 0
    path = args.file
    if path is None:
        from sync.config import config_or_say

        cfg = config_or_say(args.config)
        if cfg is None:
            return 2
        if cfg.settings is None:
            print("ยังไม่ได้ระบุไฟล์ตั้งค่า ([paths] settings) ระบบใช้ค่าเริ่มต้น / no [paths] settings: the defaults "
                  "are used", file=sys.stderr)
            return 2
        path = cfg.settings
    return _check(Path(path), args.fy, args.json)
