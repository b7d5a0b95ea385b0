"""`khet line capture` — the one-time setup of a LINE group: run the webhook, invite the district's Official
Account into the group, and the group ID arrives in the join event (LINE gives it no other way); it is printed
and, with --write, added to the staff workbook's กลุ่มไลน์ tab.
`khet line announce` — copy-ready announcement texts per network (and group), for districts without an
Official Account or for a person to paste; --write puts them on the staff workbook's ข้อความประกาศ tab."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sync.commands import KhetArgumentParser
from sync.config import load_config


def capture(secret: str, *, host: str = "127.0.0.1", port: int = 0, count: int = 1, timeout: float = 600,
            ready=None, on_group=None) -> list[str]:
    """Serve LINE's webhook until ``count`` groups joined (or ``timeout`` seconds); each request's signature is
    checked with the channel secret by the SDK's WebhookParser (a forged call is refused with 400)."""
    from linebot.v3 import WebhookParser
    from linebot.v3.exceptions import InvalidSignatureError
    from linebot.v3.webhooks import GroupSource, JoinEvent

    parser = WebhookParser(secret)
    found: list[str] = []
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            try:
                events = parser.parse(body, self.headers.get("X-Line-Signature", ""))
            except InvalidSignatureError:
                self.send_response(400)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            for ev in events:
                if isinstance(ev, JoinEvent) and isinstance(ev.source, GroupSource) and ev.source.group_id not in found:
                    found.append(ev.source.group_id)
                    if on_group:
                        on_group(ev.source.group_id)
            if len(found) >= count:
                done.set()

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        if ready:
            ready(f"http://{host}:{server.server_address[1]}/callback")
        done.wait(timeout)
    finally:
        server.shutdown()
        server.server_close()
    return found


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet line", description="กลุ่ม LINE และข้อความประกาศ / LINE groups and announcements")
    config_help = "ไฟล์ตั้งค่า / configuration file"
    p.add_argument("--config", help=config_help)
    after = KhetArgumentParser(add_help=False)  # `khet line announce --config FILE` works too
    after.add_argument("--config", help=config_help, default=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="action", required=True)
    c = sub.add_parser("capture", parents=[after], help="รับรหัสกลุ่มจาก join event / capture group IDs from the join event")
    c.add_argument("--host", default="127.0.0.1", help="ที่อยู่ที่รับ webhook (ผ่าน tunnel HTTPS) / listen address")
    c.add_argument("--port", type=int, default=8080, help="พอร์ต / port (default 8080)")
    c.add_argument("--count", type=int, default=1, help="จำนวนกลุ่มที่รอ / groups to wait for")
    c.add_argument("--timeout", type=float, default=600, help="รอสูงสุด (วินาที) / seconds to wait")
    c.add_argument("--network", default="", help="เครือข่ายของกลุ่มนี้ (บันทึกลงแท็บ) / the group's network")
    c.add_argument("--write", action="store_true", help="เพิ่มลงแท็บกลุ่มไลน์ในสมุดงานเขต / add to the staff workbook")
    a = sub.add_parser("announce", parents=[after], help="ข้อความประกาศรายเครือข่าย / announcement texts per network")
    a.add_argument("--network", help="เฉพาะเครือข่ายนี้ / only this network")
    a.add_argument("--write", action="store_true", help="เขียนลงแท็บข้อความประกาศ / write the staff workbook tab")
    a.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    cfg = load_config(args.config)  # a ConfigError is a KhetError: told by the CLI, exit 2
    from sync.trackers import staff_workbook_path

    staff = staff_workbook_path(cfg.staff_workbook, cfg.registry)
    if args.action == "capture":
        return _capture(args, cfg, staff)
    return _announce(args, cfg, staff)


def _capture(args, cfg, staff) -> int:
    secret = os.environ.get("KHET_LINE_SECRET", "")
    if not secret:
        print("ไม่มี channel secret ในตัวแปร KHET_LINE_SECRET / KHET_LINE_SECRET is empty", file=sys.stderr)
        return 2
    if args.write and staff is None:
        print("ยังไม่ได้ตั้ง paths.staff_workbook / no staff workbook configured", file=sys.stderr)
        return 2
    from addin.status import today_in_thailand
    from sync.senders import LineSender, line_token
    from sync.staff_rows import append_rows

    names = LineSender(endpoint=cfg.line_endpoint or None) if line_token() else None

    def got(gid: str) -> None:
        name = (names.group_name(gid) if names else None) or ""
        print(f"กลุ่ม / group: {gid} {name}", flush=True)
        if args.write:
            append_rows(staff, "line_groups", [{"group_id": gid, "group_name": name, "network": args.network,
                                               "captured_on": today_in_thailand()}])
            print(f"  บันทึกลง {staff} แท็บ กลุ่มไลน์ / added to {staff}", flush=True)

    found = capture(secret, host=args.host, port=args.port, count=args.count, timeout=args.timeout,
                    ready=lambda url: print(f"ตั้ง Webhook URL ของช่องทาง Messaging API เป็น {url} (ผ่าน HTTPS tunnel) "
                                            f"แล้วเชิญบัญชีเข้ากลุ่ม / set the channel's webhook URL to {url} (through "
                                            f"an HTTPS tunnel) and invite the account into the group", flush=True),
                    on_group=got)
    if not found:
        print("ไม่มีกลุ่มเข้ามาภายในเวลาที่รอ / no group joined before the timeout", file=sys.stderr)
        return 1
    return 0


def _announce(args, cfg, staff) -> int:
    from addin.status import TIMEZONE
    from sync.history import History
    from sync.registry import load_registry
    from sync.remind import (
        RemindError,
        announcements,
        last_statuses,
        line_groups,
        policy_from_config,
        report_titles,
    )

    if cfg.registry is None:
        raise RemindError("remind.no_registry", "ยังไม่ได้ระบุทะเบียนโรงเรียน (paths.registry)",
                          "no school registry set (paths.registry)")
    with History(cfg.history_db) as h:
        statuses = last_statuses(h)
    texts = announcements(statuses, load_registry(cfg.registry), line_groups(staff),
                          day=datetime.now(TIMEZONE).date(), policy=policy_from_config(cfg),
                          titles=report_titles(cfg))
    if args.network:
        texts = [t for t in texts if t["network"] == args.network]
    if args.write:
        if staff is None:
            print("ยังไม่ได้ตั้ง paths.staff_workbook / no staff workbook configured", file=sys.stderr)
            return 2
        from sync.staff_rows import replace_rows

        replace_rows(staff, "announcements", [{k: t[k] for k in ("network", "group_name", "text", "made_on")}
                                              for t in texts])
    if args.json:
        print(json.dumps(texts, ensure_ascii=False, indent=2, default=str))
    else:
        for t in texts:
            print(f"===== {t['network'] or '-'} {t['group_name']} ({t['schools']} โรง) =====\n{t['text']}\n")
    return 0
