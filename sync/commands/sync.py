"""`khet sync run | daemon | trigger` — the nightly job once (for cron, Task Scheduler, systemd), as a daemon
at the configured Asia/Bangkok time, or a manual trigger for a running daemon. Exit codes: see
``sync/runreport.py`` (0 success, 1 partial, 2 failure, 3 another run holds the lock)."""

from __future__ import annotations

import argparse
import json
import os

from sync.commands import KhetArgumentParser, clock_time, clock_time_arg, date_arg, fiscal_year_arg
from sync.config import load_config, require_ready


def _print_report(rep, as_json: bool) -> None:
    if as_json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    c = rep.counts
    # A run that could not start has no id: "run None" would read like a bug.
    th, en = (f"รอบที่ {rep.run_id}: ", f"run {rep.run_id}: ") if rep.run_id is not None else ("", "")
    print(f"{th}{rep.message_th} / {en}{rep.message_en} (exit {rep.exit_code})")
    if c:
        print(f"  โรงเรียน {c.get('schools_total', 0)}: อ่าน {c.get('schools_read', 0)}, ไม่เปลี่ยน "
              f"{c.get('schools_unchanged', 0)}, อ่านไม่ได้ {c.get('schools_failed', 0)}; แถวถูกต้อง "
              f"{c.get('rows_clean', 0)}, แถวมีข้อผิดพลาด {c.get('rows_rejected', 0)}")
    for s in rep.failed_schools():
        print(f"  ✗ {s.school_code} {s.name}: {s.reason} {s.detail or ''}")
    for f in rep.registry:
        print(f"  ✗ ทะเบียน/registry {f['cell'] or f['row'] or ''}: {f['message_th']} / {f['message_en']}")
    if rep.outputs and not rep.outputs.get("district_sheet"):
        print("  ยังไม่ได้ตั้ง google.district_spreadsheet_id: สรุปอยู่ในไฟล์ .xlsx เท่านั้น / no district spreadsheet "
              "configured: the summary is in the .xlsx only")
    for key in ("xlsx", "json", "log"):
        if key in rep.outputs:
            print(f"  {key}: {rep.outputs[key]}")


def _deadline_day(cfg):
    """day → whether it is a due date (or the day after) of any report of its fiscal year or the last (Q4
    progress is due in the next one), by the district's settings (`[paths] settings`)."""
    from addin.calendar import fiscal_year
    from addin.ontime import deadline_days
    from addin.settings import report_dues, settings_or_fail

    settings = settings_or_fail(cfg.settings)

    def tight(day) -> bool:
        years = (fiscal_year(day), fiscal_year(day) - 1)
        dues = [due for fy in years for due in report_dues(settings.for_year(fy), fy).values()]
        return day in deadline_days(dues, settings.identity.grace_days)
    return tight


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet sync", description="งานประมวลผลรายคืน / the nightly consolidation")
    config_help = "ไฟล์ตั้งค่า (ค่าเริ่มต้น khet.toml หรือ $KHET_CONFIG) / configuration file"
    p.add_argument("--config", help=config_help)
    # `khet sync run --config FILE` works too (SUPPRESS: not given after the action = keep the one before it).
    after = KhetArgumentParser(add_help=False)
    after.add_argument("--config", help=config_help, default=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", parents=[after], help="ประมวลผลหนึ่งรอบ / one run (cron, Task Scheduler, systemd)")
    run.add_argument("--full", action="store_true", help="อ่านทุกโรงเรียน ไม่ดูเวลาแก้ไข / read every school")
    run.add_argument("--fy", type=fiscal_year_arg, help="ปีงบประมาณ (ค่าเริ่มต้น: ของวันนี้) / fiscal year (BE)")
    run.add_argument("--today", type=date_arg,
                     help="วันที่ใช้คำนวณสถานะ เช่น 2026-07-20 หรือ 20 ก.ค. 69 / business date for statuses")
    run.add_argument("--no-feedback", action="store_true", help="ไม่เขียนแท็บข้อเสนอแนะ / skip feedback tabs")
    run.add_argument("--json", action="store_true", help="พิมพ์รายงานผลเป็น JSON / print the run report as JSON")
    run.add_argument("--progress", action="store_true", help="แสดงแถบความคืบหน้าเสมอ / force progress bars")
    run.add_argument("--new-history", action="store_true",
                     help="เริ่มประวัติใหม่โดยตั้งใจ (ไฟล์เดิมที่เสียถูกเก็บไว้) / start a new history on purpose")
    daemon = sub.add_parser("daemon", parents=[after], help="ทำงานทุกคืนตามเวลาที่ตั้ง / run nightly at the configured time")
    daemon.add_argument("--at", type=clock_time_arg, help="เวลา HH:MM (เวลาประเทศไทย) แทนค่าในไฟล์ตั้งค่า / time instead of the config's")
    daemon.add_argument("--tight-every", type=int, default=60, metavar="MINUTES",
                        help="ในวันครบกำหนดส่งและวันถัดไป ประมวลผลทุก MINUTES นาที (0 = ปิด) / on due dates and the day "
                             "after, also run every MINUTES minutes (0 = off)")
    sub.add_parser("trigger", parents=[after], help="สั่งให้ daemon ทำงานทันที / ask a running daemon for a run now")
    args = p.parse_args(argv)
    cfg = load_config(args.config)
    if args.action != "trigger":  # what `khet config check` calls an error never runs (exit 2, setting named)
        require_ready(cfg, ignore=() if args.action == "daemon" and not args.at else ("schedule.time",))

    from sync.job import run_from_config

    if args.action == "run":
        overrides = {"full": args.full, "feedback": not args.no_feedback, "fiscal_year": args.fy,
                     "today": args.today,
                     "progress": True if args.progress else None, "new_history": args.new_history}
        rep = run_from_config(cfg, trigger="cron", **overrides)
        _print_report(rep, args.json)
        return int(rep.exit_code)
    if args.action == "trigger":
        from sync.daemon import request_run

        path = request_run(cfg.data_dir)
        print(f"ส่งคำสั่งแล้ว ({path}) daemon จะเริ่มภายในไม่กี่วินาที / requested: the daemon starts within seconds")
        return 0
    from sync.daemon import Daemon

    at = args.at or clock_time(cfg.schedule_time)  # checked above: never None here

    def one_report(trigger: str, **overrides):
        rep = run_from_config(cfg, trigger=trigger, **overrides)
        _print_report(rep, False)
        return rep

    def one(trigger: str) -> int:
        return int(one_report(trigger).exit_code)

    from contextlib import ExitStack

    from sync.control.office import channel_enabled, open_control_host

    stack = ExitStack()
    poll = None
    if channel_enabled(cfg):  # staff requests from the district sheet's control tabs (sync/control)
        host = open_control_host(cfg, stack, run_job=one_report)

        def poll() -> float:
            host.poll()
            return host.schedule.interval(host.clock())

    from sync.remind import remind_from_config, remind_time

    def remind() -> int:
        return int(remind_from_config(cfg).exit_code)

    # Reminders only where a channel is set up (an SMTP server, a LINE token or emulator) and a registry to read.
    reminding = cfg.registry is not None and bool(cfg.smtp_host or cfg.line_endpoint
                                                  or os.environ.get("KHET_LINE_TOKEN"))
    d = Daemon(one, at=at, data_dir=cfg.data_dir, poll=poll, tight_days=_deadline_day(cfg),
               tight_every_minutes=args.tight_every, remind=remind if reminding else None,
               remind_at=remind_time(cfg))
    print(f"khet sync daemon: ทุกวันเวลา {at} น. (Asia/Bangkok); ครั้งถัดไป {d.next_run} (เวลาเครื่อง); "
          f"สั่งทันที: khet sync trigger / next run {d.next_run} machine time; Ctrl-C to stop", flush=True)
    with stack:
        try:
            d.serve()
        except KeyboardInterrupt:
            print("หยุดแล้ว / stopped")
    return 0
