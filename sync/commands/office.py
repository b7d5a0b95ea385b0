"""`khet office`: one district office, many staff PCs — requests to the job host and answers from it.

    khet office request KIND [--payload JSON | --payload-file FILE] [--json]   # staff PC or host
    khet office poll [--json]        # host: read the requests tabs once, apply, answer (what the daemon does)
    khet office setup                # host: a requests tab for every staff account the district sheet is shared with
    khet office requests [--json]    # host: every request received, with its outcome (from the history)
    khet office kinds                # the request kinds this installation knows
    khet office signin [--account A]  # staff PC, once per user: sign in with the staff member's Google account
    khet office pull [--json]        # any PC: the latest summary, the data's and last run's time, my requests

Exit codes: 0 done/sent, 1 the request was refused or failed (its reason printed), 2 cannot start.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

from sync.commands import KhetArgumentParser
from sync.config import load_config
from sync.control.kinds import Refused


def _print(data, as_json: bool, text: str) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def cmd_request(cfg, args) -> int:
    from sync.control.office import submit

    payload = args.payload or "{}"
    if args.payload_file:
        payload = Path(args.payload_file).read_text(encoding="utf-8-sig")
    out = submit(cfg, args.kind, payload)
    _print(out, args.json, f"{out['request_id']}: {out['message_th']} / {out['message_en']}")
    return 0 if out["status"] in ("done", "sent", "accepted", "waiting") else 1


def cmd_poll(cfg, args) -> int:
    from sync.control.office import open_control_host

    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        res = host.poll()
    data = {"rows": res.rows, "answered": res.answered, "refused": res.refused, "reads": res.reads,
            "writes": res.writes, "outcomes": res.outcomes}
    _print(data, args.json, f"คำขอ {res.rows} แถว ตอบใหม่ {res.answered} ไม่รับ {res.refused} (อ่าน {res.reads} เขียน "
                            f"{res.writes} ครั้ง) / {res.rows} requests, {res.answered} answered, {res.refused} refused")
    return 0


def cmd_setup(cfg, args) -> int:
    from sync.control.host import PollResult
    from sync.control.office import open_control_host

    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.refresh_staff(PollResult())
    print("เจ้าหน้าที่ที่ส่งคำขอได้ / staff who may make requests: " + (", ".join(sorted(host.staff)) or "-"))
    return 0


def cmd_requests(cfg, args) -> int:
    from sync.control.office import host_context

    with ExitStack() as stack:
        rows = host_context(cfg, stack).store.requests()
    lines = [f"{r['request_id']} {r['requested_at']} {r['account']} {r['kind']}: "
             f"{(r['outcome'] or {}).get('status', '-')} {(r['outcome'] or {}).get('message_th', '')}" for r in rows]
    _print(rows, args.json, "\n".join(lines) or "ยังไม่มีคำขอ / no requests yet")
    return 0


def cmd_pull(cfg, args) -> int:
    from sync.control.office import pull

    data = pull(cfg)
    times = f"ข้อมูล ณ {data['data_as_of'] or '-'} รอบล่าสุดเสร็จ {data['last_run_ended_at'] or '-'}"
    _print(data, args.json, f"{times} ({data['source']}): " + ", ".join(f"{t} {len(r)}" for t, r in data["tabs"].items()))
    return 0


def cmd_signin(cfg, args) -> int:
    from sync.control.signin import sign_in, token_path

    sign_in(cfg, args.account, open_browser=not args.no_browser)
    print(f"ลงชื่อเข้าใช้แล้ว เก็บไว้ที่ {token_path(cfg)} / signed in; kept in {token_path(cfg)}")
    return 0


def cmd_kinds(cfg, args) -> int:
    from sync.control.kinds import load_kinds

    kinds = load_kinds()
    _print({k.name: {"label_th": k.label_th, "help_th": k.help_th, "payload": k.payload.model_json_schema()}
            for k in kinds.values()}, args.json,
           "\n".join(f"{k.name}: {k.label_th} — {k.help_th}" for k in kinds.values()))
    return 0


COMMANDS = {"signin": cmd_signin, "pull": cmd_pull, "request": cmd_request, "poll": cmd_poll, "setup": cmd_setup, "requests": cmd_requests,
            "kinds": cmd_kinds}


def main(argv: list[str]) -> int:
    p = KhetArgumentParser(prog="khet office", description="คำขอถึงเครื่องประมวลผล / requests to the job host")
    p.add_argument("--config", help="ไฟล์ตั้งค่า / configuration file")
    sub = p.add_subparsers(dest="action", required=True)
    r = sub.add_parser("request", help="ส่งคำขอ / make a request")
    r.add_argument("kind", help="ประเภทคำขอ เช่น process_now, provision / request kind")
    r.add_argument("--payload", help="รายละเอียดเป็น JSON / the payload as JSON")
    r.add_argument("--payload-file", help="ไฟล์ JSON ของรายละเอียด / a JSON file with the payload")
    for name, text in (("pull", "ผลล่าสุดจากสเปรดชีตของเขต / the latest summary for the workbook"), ("poll", "ตรวจคำขอหนึ่งครั้ง / one poll"), ("setup", "สร้างแท็บคำขอ / make the requests tabs"),
                       ("requests", "คำขอทั้งหมด / every request"), ("kinds", "ประเภทคำขอ / request kinds")):
        sub.add_parser(name, help=text)
    si = sub.add_parser("signin", help="ลงชื่อเข้าใช้ Google ของเจ้าหน้าที่ / the staff member's Google sign-in")
    si.add_argument("--account", help="บัญชี Google (ค่าเริ่มต้น [office] account) / the account")
    si.add_argument("--no-browser", action="store_true", help="แสดง URL แทนการเปิดเบราว์เซอร์ / print the URL only")
    for action in sub.choices.values():
        action.add_argument("--json", action="store_true", help="พิมพ์เป็น JSON / print JSON")
    args = p.parse_args(argv)
    cfg = load_config(args.config)
    try:
        return COMMANDS[args.action](cfg, args)
    except Refused as exc:  # the request itself was refused (a bad payload, no rights): exit 1, not 2
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, indent=2))
        print(exc, file=sys.stderr)
        return 1
