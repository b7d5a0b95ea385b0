"""`khet emulator`: run the local Google Sheets/Drive emulator, or read/steer a running one.

khet emulator serve [--port N] [--db FILE] [--seed N] [--key-out PATH]
khet emulator counters [--url URL] [--reset]
khet emulator files [--url URL]
khet emulator config [--url URL] [KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from sync.commands import KhetArgumentParser

DEFAULT_URL = "http://127.0.0.1:8765"


def _parser() -> argparse.ArgumentParser:
    p = KhetArgumentParser(
        prog="khet emulator", description="โปรแกรมจำลอง Google Sheets/Drive บนเครื่อง / local Google emulator"
    )
    sub = p.add_subparsers(dest="action", required=True)
    s = sub.add_parser("serve", help="เปิดโปรแกรมจำลอง / run the emulator until Ctrl-C")
    s.add_argument("--port", type=int, default=8765, help="พอร์ต / port (0 = any free port; default 8765)")
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; the admin endpoints have no authentication)",
    )
    s.add_argument("--db", type=Path, help="ไฟล์ SQLite เก็บข้อมูล / SQLite file to keep state between runs")
    s.add_argument("--seed", type=int, default=0, help="seed for ids and injected faults (default 0)")
    s.add_argument(
        "--key-out",
        type=Path,
        default=Path("emulator-key.json"),
        help="where to write the service-account key file (default ./emulator-key.json)",
    )
    s.add_argument("--account", default=None, help="service-account e-mail for the key file")
    s.add_argument("--user-quota", type=int, default=60, help="Sheets requests/minute/user (default 60)")
    s.add_argument(
        "--project-quota", type=int, default=300, help="Sheets requests/minute/project (default 300)"
    )
    s.add_argument("--minute-seconds", type=float, default=60.0, help="length of a quota minute in seconds")
    s.add_argument("--token-ttl", type=int, default=3600, help="access-token lifetime in seconds")
    c = sub.add_parser("counters", help="จำนวนคำขอ / request counters of a running emulator (JSON)")
    c.add_argument("--url", default=DEFAULT_URL)
    c.add_argument("--reset", action="store_true", help="reset the counters after reading them")
    f = sub.add_parser("files", help="ไฟล์ทั้งหมดในโปรแกรมจำลอง / every file in a running emulator (JSON)")
    f.add_argument("--url", default=DEFAULT_URL)
    g = sub.add_parser("config", help="ตั้งค่าโควตา/ข้อผิดพลาด / read or change quotas and faults")
    g.add_argument("--url", default=DEFAULT_URL)
    g.add_argument("settings", nargs="*", metavar="KEY=VALUE", help="e.g. error_503=0.1 user_quota=30")
    return p


def _call(url: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url.rstrip("/") + path,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _value(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def _serve(args) -> int:
    from sync.emulator import DEFAULT_ACCOUNT, Emulator  # noqa: PLC0415 - keep `khet --help` fast

    emu = Emulator(
        port=args.port,
        host=args.host,
        db=args.db,
        seed=args.seed,
        user_quota=args.user_quota,
        project_quota=args.project_quota,
        minute_seconds=args.minute_seconds,
        token_ttl=args.token_ttl,
    )
    try:
        emu.start()
    except OSError as exc:
        print(f"เปิดพอร์ต {args.port} ไม่ได้ / cannot listen on port {args.port}: {exc}")
        return 1
    key = emu.service_account(args.account or DEFAULT_ACCOUNT, args.key_out.resolve())
    print(f"โปรแกรมจำลอง Google ทำงานที่ / Google emulator listening on: {emu.url}")
    print(f"ไฟล์กุญแจบัญชีบริการ / service-account key file: {key}")
    print(f"ข้อมูล / state: {args.db.resolve() if args.db else 'หน่วยความจำ / memory only'}")
    print(f"ตัวนับ / counters: {emu.url}/_emulator/counters", flush=True)
    print("กด Ctrl-C เพื่อหยุด / Ctrl-C to stop", flush=True)
    stop = threading.Event()
    # Ctrl-C, and also SIGTERM from a service manager or script (a background job may have SIGINT ignored).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    print("หยุดแล้ว / stopped", flush=True)
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.action == "serve":
        return _serve(args)
    try:
        if args.action == "counters":
            out = _call(args.url, "/_emulator/counters")
            if args.reset:
                _call(args.url, "/_emulator/reset_counters", {})
        elif args.action == "files":
            out = _call(args.url, "/_emulator/files")
        else:
            if bad := [s for s in args.settings if "=" not in s]:
                print(f"ต้องเขียนเป็น ชื่อ=ค่า เช่น error_503=0.1: {' '.join(bad)} / "
                      f"settings are KEY=VALUE, e.g. error_503=0.1: {' '.join(bad)}", file=sys.stderr)
                return 2
            settings = dict(s.split("=", 1) for s in args.settings)
            out = (
                _call(args.url, "/_emulator/config", {k: _value(v) for k, v in settings.items()})
                if settings
                else _call(args.url, "/_emulator/config")
            )
    except urllib.error.HTTPError as exc:  # it answered, but refused (an unknown setting, a bad value)
        try:
            reason = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError):
            reason = str(exc)
        print(f"โปรแกรมจำลองไม่รับคำสั่ง / the emulator refused: {reason}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"ติดต่อโปรแกรมจำลองที่ {args.url} ไม่ได้ / cannot reach the emulator at {args.url}: {exc}")
        return 1
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0
