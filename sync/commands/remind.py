"""`khet remind [--dry-run] [--at TIME]` — send today's reminder digests by e-mail and LINE (see sync/remind.py);
`khet remind log` — every message and its state from the history."""

from __future__ import annotations

import argparse
from datetime import datetime

from sync.commands import KhetArgumentParser
from sync.config import load_config


def _at(text: str) -> datetime:
    from addin.status import TIMEZONE

    try:
        return datetime.fromisoformat(text).replace(tzinfo=TIMEZONE)
    except ValueError:
        raise argparse.ArgumentTypeError(f"เวลา '{text}' ไม่ถูกต้อง ใช้ 2026-07-20T09:00 / invalid time, use "
                                         f"2026-07-20T09:00") from None


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet remind", description="แจ้งเตือนโรงเรียน / remind schools")
    p.add_argument("action", nargs="?", choices=("send", "log"), default="send",
                   help="send (ค่าเริ่มต้น) หรือ log: ประวัติข้อความ / send (default) or log: the message history")
    p.add_argument("--config", help="ไฟล์ตั้งค่า / configuration file")
    p.add_argument("--dry-run", action="store_true",
                   help="พิมพ์สิ่งที่จะส่งถึงใคร โดยไม่ส่งและไม่บันทึก / print exactly what would be sent to whom")
    p.add_argument("--at", type=_at, help="เวลาที่ใช้ตัดสิน (เวลาประเทศไทย) เช่น 2026-07-20T09:00 / the clock to decide by")
    args = p.parse_args(argv)
    cfg = load_config(args.config)  # a ConfigError is a KhetError: told by the CLI, exit 2
    if args.action == "log":
        return _log(cfg)
    from sync.remind import remind_from_config

    return remind_from_config(cfg, dry_run=args.dry_run, now=args.at).exit_code


def _log(cfg) -> int:
    from sync.history import History
    from sync.outbox import Outbox

    with History(cfg.history_db) as h:
        rows = Outbox(h).messages()
    for r in rows:
        print(f"{r['day']} {r['channel']:5} {r['target']} ({r['target_name'] or ''}) {r['state'] or 'pending'}"
              f" ×{r['attempts']} {r['reason'] or ''}")
    print(f"ข้อความทั้งหมด {len(rows)} ฉบับ / {len(rows)} messages")
    return 0
