"""`khet history runs | school CODE | last | backup [FILE] | restore FILE` — what the history knows: the runs, and
what changed in one school's sheets between runs (cell by cell), with its read outcomes and submission dates;
an online backup of it, and putting a backup back."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from sync.commands import KhetArgumentParser
from sync.history import History


def grid_diff(old: list[list], new: list[list]) -> list[tuple[str, object, object]]:
    """Changed cells between two grids as (A1 cell, old, new); rows/columns added or removed show as blanks."""
    from openpyxl.utils import get_column_letter

    out = []
    for r in range(max(len(old), len(new))):
        a = old[r] if r < len(old) else []
        b = new[r] if r < len(new) else []
        for c in range(max(len(a), len(b))):
            x = a[c] if c < len(a) else None
            y = b[c] if c < len(b) else None
            if (x in ("", None)) and (y in ("", None)):
                continue
            if x != y:
                out.append((f"{get_column_letter(c + 1)}{r + 1}", x, y))
    return out


def school_changes(h: History, code: str) -> list[dict]:
    """Each new version of each tab, with the cells changed since the version before it."""
    previous: dict[str, list[list]] = {}
    changes = []
    for v in h.tab_versions(code):
        old = previous.get(v["sheet_key"])
        # The first version is "what was there", not a change: its size, not every cell.
        cells = [] if old is None else [{"cell": c, "old": x, "new": y} for c, x, y in grid_diff(old, v["grid"])]
        changes.append({"run_id": v["run_id"], "first_seen_at": v["first_seen_at"], "sheet_key": v["sheet_key"],
                        "first": old is None, "rows": max(len(v["grid"]) - 2, 0), "cells": cells})
        previous[v["sheet_key"]] = v["grid"]
    return changes


def _restore(source: Path, db: Path, data_dir: Path) -> int:
    """Under the run lock (no run writes meanwhile); the history it replaces is kept beside it."""
    from sync.lock import RunLock
    from sync.safekeeping import restore

    with RunLock(data_dir / "sync.lock"):
        kept = restore(source, db)
    print(f"กู้คืนประวัติจาก {source} แล้ว / restored the history from {source}"
          + (f"; ไฟล์เดิมเก็บไว้ที่ / the replaced one is kept at {kept}" if kept else ""))
    return 0


def main(argv: list[str]) -> int:
    def options(parser: argparse.ArgumentParser, **kw) -> argparse.ArgumentParser:
        parser.add_argument("--db", help="ฐานข้อมูลประวัติ (ค่าเริ่มต้นจากไฟล์ตั้งค่า) / history database", **kw)
        parser.add_argument("--config", help="ไฟล์ตั้งค่า / configuration file", **kw)
        parser.add_argument("--json", action="store_true", help="ผลแบบ JSON / machine-readable output", **kw)
        return parser

    p = options(KhetArgumentParser(prog="khet history", description="ประวัติข้อมูล / what changed between runs"))
    # The same options after the sub-command too (`khet history school CODE --db … --json`, as people type it);
    # SUPPRESS keeps a sub-command from resetting what was given before it.
    after = options(KhetArgumentParser(add_help=False), default=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="action", required=True)
    runs = sub.add_parser("runs", parents=[after], help="รายการรอบการทำงาน / the runs")
    runs.add_argument("--limit", type=int, default=20)
    school = sub.add_parser("school", parents=[after], help="สิ่งที่เปลี่ยนในชีตของโรงเรียน / what changed in a school's sheet")
    school.add_argument("code", help="รหัสโรงเรียน 10 หลัก / school code")
    school.add_argument("--max-cells", type=int, default=20, help="แสดงเซลล์ต่อรุ่นไม่เกิน / cells shown per version")
    # Used by the staff workbook's "pull latest" button: the last finished run's report (outputs.xlsx = the
    # district summary workbook it reads).
    sub.add_parser("last", parents=[after], help="รายงานผลของรอบล่าสุดที่ทำงานจบ / the last completed run's report")
    backup = sub.add_parser("backup", parents=[after], help="สำรองประวัติ (ขณะงานทำงานอยู่ก็ได้) / back up the history")
    backup.add_argument("file", nargs="?", help="ไฟล์ปลายทาง (ค่าเริ่มต้น data_dir/backups/…) / destination file")
    restore = sub.add_parser("restore", parents=[after], help="กู้คืนประวัติจากสำเนา / restore the history from a backup")
    restore.add_argument("file", help="ไฟล์สำเนา / the backup file")
    args = p.parse_args(argv)
    db, data_dir = args.db, None
    if db is None:
        from sync.config import load_config

        cfg = load_config(args.config)
        db, data_dir = cfg.history_db, cfg.data_dir
    data_dir = Path(data_dir) if data_dir else Path(db).parent
    if args.action == "restore":
        return _restore(Path(args.file), Path(db), data_dir)
    if not Path(db).is_file():
        print(f"ไม่พบฐานข้อมูลประวัติ {db} / no history database at {db}", file=sys.stderr)
        return 2
    try:
        h = History(db)
    except sqlite3.DatabaseError as exc:
        print(f"{db} ไม่ใช่ฐานข้อมูลประวัติของ Khet ({exc}) / {db} is not a Khet history database ({exc})",
              file=sys.stderr)
        return 2
    with h:
        if args.action == "backup":
            from datetime import UTC, datetime

            from sync.safekeeping import BACKUP_PREFIX, backup, backups_dir

            dest = Path(args.file) if args.file else (
                backups_dir(data_dir) / f"{BACKUP_PREFIX}{datetime.now(UTC):%Y%m%d-%H%M%S}-manual.sqlite")
            print(f"สำรองประวัติแล้ว / backed up: {backup(h, dest)}")
            return 0
        if args.action == "last":
            last = h.last_completed_run()
            if last is None:
                print("ยังไม่มีรอบการประมวลผลที่ทำงานจบ / no completed run yet", file=sys.stderr)
                return 1
            report = json.loads(last["report_json"] or "{}")
            if args.json:
                print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
            else:
                print(f"#{last['run_id']} {last['ended_at']} {last['status']}: "
                      f"{(report.get('outputs') or {}).get('xlsx', '')}")
            return 0
        if args.action == "runs":
            rows = h.runs(args.limit)
            if args.json:
                print(json.dumps([{k: v for k, v in r.items() if k != "report_json"} for r in rows],
                                 ensure_ascii=False, indent=2))
                return 0
            for r in rows:
                print(f"#{r['run_id']} {r['started_at']} → {r['ended_at'] or '(ไม่จบ/killed)'} {r['status']}"
                      f" exit={r['exit_code']} อ่าน {r['schools_read']} ไม่เปลี่ยน {r['schools_unchanged']}"
                      f" อ่านไม่ได้ {r['schools_failed']}")
            return 0
        reads = h.school_reads(args.code)
        if not reads:
            print(f"ไม่มีประวัติของโรงเรียน {args.code} / no history for school {args.code}", file=sys.stderr)
            return 1
        changes = school_changes(h, args.code)
        subs = [s for s in h.submissions() if s["school_code"] == args.code]
        if args.json:
            print(json.dumps({"school_code": args.code, "reads": reads, "changes": changes, "submissions": subs},
                             ensure_ascii=False, indent=2, default=str))
            return 0
        print(f"โรงเรียน {args.code}: อ่าน {len(reads)} ครั้ง / {len(reads)} reads")
        for r in reads:
            print(f"  รอบ #{r['run_id']} {r['read_at']}: {r['outcome']}" + (f" ({r['reason']})" if r["reason"] else ""))
        print("การเปลี่ยนแปลง / changes:")
        for ch in changes:
            if ch["first"]:
                print(f"  รอบ #{ch['run_id']} {ch['first_seen_at']} แท็บ {ch['sheet_key']}: ข้อมูลชุดแรก"
                      f" {ch['rows']} แถว / first seen, {ch['rows']} rows")
                continue
            print(f"  รอบ #{ch['run_id']} {ch['first_seen_at']} แท็บ {ch['sheet_key']}: เปลี่ยน {len(ch['cells'])}"
                  f" เซลล์ / {len(ch['cells'])} cells changed")
            for c in ch["cells"][:args.max_cells]:
                print(f"    {c['cell']}: {c['old']!r} → {c['new']!r}")
            if len(ch["cells"]) > args.max_cells:
                print(f"    … อีก {len(ch['cells']) - args.max_cells} เซลล์ / more")
        if subs:
            print("วันที่เขตรับรายงาน / submission dates (first night seen):")
            for s in subs:
                print(f"  {s['report_key']} ปีงบ {s['fiscal_year']}: {s['submitted_on']} (รอบ #{s['run_id']},"
                      f" Drive modifiedTime {s['drive_modified']})")
        return 0
