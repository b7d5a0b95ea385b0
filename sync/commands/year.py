"""`khet year status | open FY | close FY | reopen FY --reason … | start FY DATE` — a fiscal year's life.

    khet year status                      # each year: open/closed, its school sheets, tracking start, events
    khet year open 2570 [--notify]        # next year's sheet for every school (idempotent, resumable)
    khet year close 2569 [--force]        # the final run, what is missing, sheets read-only for schools
    khet year reopen 2569 --reason "…"    # a closed year tracked again (a reason is required)
    khet year start 2569 1/3/2569         # the date tracking of the year started (the school's word before it)

What each does: ``sync/year_ops.py``; which years the night tracks: ``sync/years.py``. Exit codes: 0 done,
1 done with schools that failed (each said), 2 refused or cannot start (said in Thai and English).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from sync.commands import KhetArgumentParser, date_arg, fiscal_year_arg
from sync.config import load_config, require_ready


def _history(cfg):
    from sync.safekeeping import open_history

    return open_history(cfg.history_db, data_dir=cfg.data_dir)


def _registry(cfg):
    from sync.registry import load_registry
    from sync.years import YearError

    if cfg.registry is None:
        raise YearError("ยังไม่ได้ระบุทะเบียนโรงเรียน (paths.registry)", "no school registry set (paths.registry)")
    return load_registry(cfg.registry)


def cmd_status(cfg, args) -> int:
    h = _history(cfg)
    try:
        years = sorted({e["fiscal_year"] for e in h.year_events()} | set(h.sheet_years().values()))
        out = []
        for fy in years:
            out.append({"fiscal_year": fy, "state": h.year_state(fy) or "not_opened",
                        "school_sheets": len(h.year_sheets(fy)),
                        "tracking_start": str(h.tracking_start(fy) or ""),
                        "events": [{k: e[k] for k in ("action", "at", "by_whom", "reason")}
                                   for e in h.year_events(fy)]})
    finally:
        h.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    states = {"open": "เปิด / open", "closed": "ปิดแล้ว / closed", "not_opened": "ยังไม่เปิด / not opened"}
    if not out:
        print("ยังไม่มีปีงบประมาณในประวัติ (คืนแรกจะเปิดปีปัจจุบัน) / no fiscal year in the history yet "
              "(the first night opens the current one)")
    for y in out:
        start = f", เริ่มติดตาม / tracking from {y['tracking_start']}" if y["tracking_start"] else ""
        print(f"ปีงบประมาณ {y['fiscal_year']}: {states[y['state']]}, ชีตโรงเรียน / school sheets "
              f"{y['school_sheets']}{start}")
        for e in y["events"]:
            why = f" — {e['reason']}" if e["reason"] else ""
            print(f"  {e['at']} {e['action']} {e['by_whom'] or ''}{why}")
    return 0


def cmd_open(cfg, args) -> int:
    from addin.settings import settings_or_fail
    from sync.commands.schools import GOOGLE_ERRORS, _google_trouble, _template
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google
    from sync.lock import RunLock
    from sync.year_ops import open_year

    registry = _registry(cfg)
    settings = settings_or_fail(cfg.settings)
    h = _history(cfg)
    try:
        with RunLock(Path(cfg.data_dir) / "sync.lock"), open_google(cfg, SCOPES_PROVISION) as client:
            template_id, _ = _template(client, cfg)
            opened = open_year(client, h, registry, args.fy, template_id=template_id,
                               folder_id=cfg.drive_folder_id or None, settings=settings, by=args.by,
                               notify=args.notify)
    except GOOGLE_ERRORS as exc:
        return _google_trouble(exc)
    finally:
        h.close()
    result = opened.result
    for o in result.outcomes:
        if o.status in ("created", "resumed", "failed"):
            print(f"{o.code} {o.name}: {o.status} {o.spreadsheet_id} — {o.message_th} / {o.message_en}")
    counts = ", ".join(f"{s} {result.count(s)}" for s in ("created", "resumed", "already", "inactive", "failed"))
    print(f"เปิดปีงบประมาณ {args.fy} แล้ว / fiscal year {args.fy} opened: {counts}; ข้อมูลโรงเรียนยกมาจากปีก่อน / "
          f"profiles carried over {opened.carried}")
    return 0 if result.ok else 1


def cmd_close(cfg, args) -> int:
    from addin.settings import settings_or_fail
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google
    from sync.job import run_from_config
    from sync.year_ops import close_year

    registry = _registry(cfg)
    settings = settings_or_fail(cfg.settings)
    h = _history(cfg)

    def last_run(fy: int):
        # The year's last run writes its own summary, never the district sheet (that shows the newest year).
        rep = run_from_config(cfg, trigger="close", fiscal_year=fy, district_spreadsheet_id=None)
        print(f"รอบสุดท้ายของปี / the year's last run: {rep.run_id} {rep.message_th} / {rep.message_en}")
        return rep

    try:
        with open_google(cfg, SCOPES_PROVISION) as client:
            closed = close_year(client, h, registry, args.fy, run=last_run, report_dir=Path(cfg.report_dir),
                                settings=settings, by=args.by, reason=args.reason or "", force=args.force)
    finally:
        h.close()
    print(f"ปิดปีงบประมาณ {args.fy} แล้ว / fiscal year {args.fy} closed: สรุปสุดท้าย / final summary "
          f"{closed.final_xlsx}")
    print(f"  ยังไม่ส่ง (ไม่ส่ง) {len(closed.missing)} รายการ / {len(closed.missing)} reports not sent")
    for code, key in closed.missing[:20]:
        print(f"    {code} {key}")
    print(f"  ชีตโรงเรียนเป็นอ่านอย่างเดียว / school sheets made read-only: {closed.read_only}")
    for code, why in closed.failed:
        print(f"  ✗ {code}: ยังแก้ไขได้ / still writable: {why}")
    if closed.still_open:
        print(f"  ปิดก่อนครบกำหนด (--force) / closed before the window of: {', '.join(closed.still_open)}")
    return 1 if closed.failed else 0


def cmd_reopen(cfg, args) -> int:
    from sync.gclient import SCOPES_PROVISION
    from sync.http import open_google
    from sync.year_ops import reopen_year

    registry = _registry(cfg)
    h = _history(cfg)
    try:
        with open_google(cfg, SCOPES_PROVISION) as client:
            changed, failed = reopen_year(client, h, registry, args.fy, reason=args.reason or "", by=args.by)
    finally:
        h.close()
    print(f"เปิดปีงบประมาณ {args.fy} อีกครั้ง / fiscal year {args.fy} reopened: โรงเรียนแก้ไขได้อีก / schools "
          f"can write again {changed}")
    for code, why in failed:
        print(f"  ✗ {code}: {why}")
    return 1 if failed else 0


def cmd_start(cfg, args) -> int:
    from sync.year_ops import set_tracking_start

    h = _history(cfg)
    try:
        set_tracking_start(h, args.fy, args.date, by=args.by, reason=args.reason or "")
    finally:
        h.close()
    print(f"ปีงบประมาณ {args.fy}: เริ่มติดตาม {args.date.isoformat()} (รายงานที่ครบกำหนดก่อนนั้นใช้วันที่โรงเรียนแจ้ง) / "
          f"fiscal year {args.fy}: tracking from {args.date.isoformat()} (reports due before it take the "
          "school's typed date)")
    return 0


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet year", description="เปิด/ปิดปีงบประมาณ / a fiscal year's open and close")
    p.add_argument("--config", help="ไฟล์ตั้งค่า / configuration file")
    sub = p.add_subparsers(dest="action", required=True)
    who = KhetArgumentParser(add_help=False)
    who.add_argument("--by", default=getpass.getuser(), help="ผู้สั่ง (บันทึกในประวัติ) / who (recorded)")
    status = sub.add_parser("status", help="สถานะของแต่ละปี / each year's state")
    status.add_argument("--json", action="store_true", help="พิมพ์เป็น JSON / print JSON")
    op = sub.add_parser("open", parents=[who], help="สร้างชีตของปีให้ทุกโรงเรียน / make the year's school sheets")
    op.add_argument("fy", type=fiscal_year_arg, help="ปีงบประมาณ (พ.ศ.) / fiscal year (BE)")
    op.add_argument("--notify", action="store_true", help="ส่งอีเมลแจ้งโรงเรียน / e-mail the schools")
    cl = sub.add_parser("close", parents=[who], help="ปิดปี: สรุปสุดท้าย ชีตอ่านอย่างเดียว / close the year")
    cl.add_argument("fy", type=fiscal_year_arg, help="ปีงบประมาณ (พ.ศ.) / fiscal year (BE)")
    cl.add_argument("--reason", help="หมายเหตุ / a note")
    cl.add_argument("--force", action="store_true",
                    help="ปิดแม้ยังมีรายงานอยู่ในกำหนดส่ง / close although a report's window is still open")
    re_ = sub.add_parser("reopen", parents=[who], help="เปิดปีที่ปิดแล้วอีกครั้ง (ต้องมีเหตุผล) / reopen (a reason)")
    re_.add_argument("fy", type=fiscal_year_arg, help="ปีงบประมาณ (พ.ศ.) / fiscal year (BE)")
    re_.add_argument("--reason", required=True, help="เหตุผล / why")
    st = sub.add_parser("start", parents=[who], help="วันเริ่มติดตามของปี / the date tracking started")
    st.add_argument("fy", type=fiscal_year_arg, help="ปีงบประมาณ (พ.ศ.) / fiscal year (BE)")
    st.add_argument("date", type=date_arg, help="วันที่ เช่น 1/3/2569 หรือ 2026-03-01 / the date")
    st.add_argument("--reason", help="หมายเหตุ / a note")
    args = p.parse_args(argv)
    cfg = load_config(args.config)
    if args.action not in ("status", "start"):  # those two touch only the history
        for problem in require_ready(cfg):
            if problem in cfg.load_problems:
                print(problem)
    return {"status": cmd_status, "open": cmd_open, "close": cmd_close, "reopen": cmd_reopen,
            "start": cmd_start}[args.action](cfg, args)
