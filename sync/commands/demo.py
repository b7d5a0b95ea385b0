"""`khet demo` — the README's first command: a realistic district on the embedded Google emulator, two nights
of the real nightly job, the district summary in the terminal and as a workbook (see ``sync/demo.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

from sync.commands import KhetArgumentParser


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(
        prog="khet demo",
        description="สาธิตทั้งระบบบนโปรแกรมจำลอง Google (ไม่ต้องมีบัญชี Google ไม่ใช้เครือข่าย) / the whole job on the "
                    "embedded Google emulator: no Google account, no network")
    p.add_argument("--schools", type=int, help="จำนวนโรงเรียน (ค่าเริ่มต้น 60, --year 30) / number of schools")
    p.add_argument("--networks", type=int, help="จำนวนเครือข่าย (ค่าเริ่มต้น 6, --year 3) / number of networks")
    p.add_argument("--seed", type=int, default=0, help="เมล็ดสุ่ม: ผลเหมือนเดิมทุกครั้ง / random seed (deterministic)")
    p.add_argument("--dir", default=".khet/demo", help="โฟลเดอร์สถานะ (เริ่มใหม่ทุกครั้ง) / state folder (fresh each run)")
    p.add_argument("--calendar", action="store_true",
                   help="แสดงปฏิทินการปฏิบัติงานของเขตในคืนสุดท้ายด้วย / also print the district work calendar")
    p.add_argument("--quiet", action="store_true", help="ไม่แสดงแถบความคืบหน้า / no progress bars")
    p.add_argument("--year", action="store_true",
                   help="ทั้งปีงบประมาณ 2569 คืนต่อคืน จนปิดปีและเปิดปี 2570 (30 โรงเรียน) / the whole fiscal year "
                        "night by night, then its close and the next year's open (30 schools)")
    args = p.parse_args(argv)
    args.schools = args.schools if args.schools is not None else 30 if args.year else 60
    args.networks = args.networks if args.networks is not None else 3 if args.year else 6
    if args.year and args.schools >= 1 and args.networks >= 1:
        return _year(args)
    if args.schools < 1 or args.networks < 1:
        p.error("--schools and --networks must be at least 1")

    from sync.demo import FY, NIGHT_2, reminder_lines, run_demo, summary_lines

    print("khet demo — สร้างเขตตัวอย่างบนโปรแกรมจำลอง Google แล้วรันงานประมวลผลรายคืน 2 คืน / a demo district on the "
          "embedded Google emulator, two nights of the nightly job", flush=True)
    try:
        result = run_demo(args.dir, n_schools=args.schools, n_networks=args.networks, seed=args.seed,
                          say=lambda text: print(text, flush=True), progress=False if args.quiet else None)
    except Exception as exc:  # noqa: BLE001 - a demo failure must be readable, not a traceback
        print(f"การสาธิตล้มเหลว / the demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    last = result.reports[-1]
    print()
    print("\n".join(summary_lines(last.summary, xlsx=result.xlsx.resolve())))
    print("\n".join(reminder_lines(result.reminded)))
    labels = {"annual": "รายงานผลการดำเนินงานประจำปี / annual report",
              "emes": "ไฟล์กรอก e-MES รอบ 6 เดือน / e-MES export (6 months)",
              "emenscr": "ไฟล์กรอก eMENSCR / eMENSCR export", "cards": "บัตรรายงานผลรายโรงเรียน / school report cards"}
    print()
    for key, path in result.documents.items():
        print(f"{labels[key]}: {Path(path).resolve()}")
    print(f"\nสถานะการสาธิต (ประวัติ, ทะเบียน, บันทึก, รายงาน JSON, ไฟล์สรุป) / demo state: "
          f"{Path(result.state_dir).resolve()}")
    print(f"ประวัติของโรงเรียน / a school's history: khet history school {result.reports[-1].schools[0].school_code}"
          f" --db {Path(result.state_dir) / 'history.sqlite'}")
    print(f"เวลาที่ใช้ / took {result.seconds:.1f} s")
    if args.calendar:
        from sync.commands.calendar import parser, run

        print("\nปฏิทินการปฏิบัติงานของเขต / the district work calendar\n")
        run(parser().parse_args(["--fy", str(FY), "--today", NIGHT_2.isoformat()]))
    return 0


def _year(args) -> int:
    from sync.demo import summary_lines
    from sync.demo_year import FY, NEXT, run_year

    print(f"khet demo --year — ปีงบประมาณ {FY} ทั้งปี คืนต่อคืน แล้วปิดปีและเปิดปี {NEXT} / fiscal year {FY} night by "
          f"night, its close and the opening of {NEXT}", flush=True)
    try:
        r = run_year(Path(args.dir), n_schools=args.schools, n_networks=args.networks, seed=args.seed,
                     say=lambda text: print(text, flush=True))
    except Exception as exc:  # noqa: BLE001 - a demo failure must be readable, not a traceback
        print(f"การสาธิตล้มเหลว / the demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print()
    print(f"สรุปปีงบประมาณ {FY} เมื่อปิดปี / fiscal year {FY} at its close")
    print("\n".join(summary_lines(r.last_old.summary, xlsx=r.closed.final_xlsx.resolve())))
    print(f"\nปีงบประมาณ {NEXT}: ชีตโรงเรียน {r.opened.result.count('created')} โรง (ยกข้อมูลโรงเรียนมา "
          f"{r.opened.carried}) / {NEXT}: {r.opened.result.count('created')} school sheets")
    print(f"สถานะการสาธิต / demo state: {Path(r.state_dir).resolve()}  (khet year status --config … ดูประวัติของปี)")
    print(f"เวลาที่ใช้ / took {r.seconds:.1f} s")
    return 0
