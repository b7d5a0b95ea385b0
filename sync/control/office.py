"""Where a request goes from this PC, and the host built from a configuration.

- **Job host** (this PC holds the service-account key — or runs the embedded emulator): a request from its own
  workbook is applied here and now, through the same kinds, checks and history records as one from the
  channel. A single-PC district is exactly this: no sign-in, no control tab, the buttons as before.
- **Staff PC** (no key): a request is one row appended to this account's requests tab in the district Google
  Sheet, signed in as the staff member (`sync.control.signin`); the host answers it at its next poll.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import secrets
import socket
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sync.control import channel
from sync.control.host import ControlHost, HostContext, OfficeSchedule, finish, handle
from sync.control.kinds import Refused, Request, get_kind, parse_payload
from sync.control.store import RequestStore
from workbook.errors import KhetError

HOST, STAFF = "host", "staff"


def mode(cfg) -> str:
    return HOST if cfg.key_file is not None or cfg.endpoint == "emulator" else STAFF


def channel_enabled(cfg) -> bool:
    """The channel needs a district sheet every PC reaches: real Google or a served emulator (an embedded
    emulator lives inside one process, so nobody else could write to it)."""
    return bool(cfg.district_spreadsheet_id) and cfg.endpoint != "emulator"


def schedule_of(cfg) -> OfficeSchedule:
    return OfficeSchedule(cfg.poll_minutes, cfg.off_hours_poll_minutes, cfg.heartbeat_minutes, cfg.office_hours)


def new_request_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"R{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def local_account(cfg) -> str:
    """Who a request made on the host itself is from: the configured staff account, else the OS user."""
    return (cfg.staff_account or f"{getpass.getuser()}@{socket.gethostname()}").strip().lower()


def host_account(cfg) -> str:
    if cfg.endpoint == "emulator" or cfg.key_file is None:
        from sync.emulator import DEFAULT_ACCOUNT

        return DEFAULT_ACCOUNT
    return json.loads(Path(cfg.key_file).read_text(encoding="utf-8-sig"))["client_email"]


def _run_job(cfg):
    def run(trigger: str, full: bool = False):
        from sync.job import run_from_config

        return run_from_config(cfg, trigger=trigger, full=full)
    return run


def _provision_with(cfg):
    def provision_registry(path: Path):
        from sync.gclient import SCOPES_PROVISION
        from sync.google_template import ensure_template
        from sync.http import open_google
        from sync.provision import provision
        from sync.registry import load_registry

        with open_google(cfg, SCOPES_PROVISION) as client:
            template_id, _ = ensure_template(client, cfg.drive_folder_id or None, cfg.template_spreadsheet_id or None)
            return provision(client, load_registry(path), template_id=template_id,
                             folder_id=cfg.drive_folder_id or None)
    return provision_registry


def host_context(cfg, stack: ExitStack, *, run_job=None, provision_with=None) -> HostContext:
    from sync.history import History

    history = History(cfg.history_db)
    stack.callback(history.close)
    return HostContext(cfg, RequestStore(history), run_job or _run_job(cfg),
                       provision_with or _provision_with(cfg))


def school_accounts(cfg) -> set[str]:
    if cfg.registry is None or not Path(cfg.registry).is_file():
        return set()
    from sync.registry import load_registry

    return {s.contact_email.lower() for s in load_registry(cfg.registry).schools if s.contact_email}


def open_control_host(cfg, stack: ExitStack, *, client=None, run_job=None, clock=None) -> ControlHost:
    """The daemon's channel: the host's own Google client (spreadsheets + Drive metadata), kept open."""
    if client is None:
        from sync.gclient import SCOPES_WRITE
        from sync.http import open_google

        client = stack.enter_context(open_google(cfg, SCOPES_WRITE))
    ctx = host_context(cfg, stack, run_job=run_job)
    history = ctx.store.history

    def last_run() -> dict | None:
        run = history.last_completed_run()
        if not run:
            return None
        report = json.loads(run.get("report_json") or "{}")
        return {"run_id": run["run_id"], "started_at": run["started_at"], "ended_at": run["ended_at"],
                "status": run["status"], "message_th": report.get("message_th", ""),
                "message_en": report.get("message_en", "")}

    return ControlHost(ctx, client, cfg.district_spreadsheet_id, host_account=host_account(cfg),
                       school_accounts=lambda: school_accounts(cfg), schedule=schedule_of(cfg), clock=clock,
                       last_run=last_run)


def check_request(kind: str, payload: Any) -> dict:
    """The payload as the kind's model will take it, or the KhetError saying why not (before anything is sent)."""
    k = get_kind(kind)
    return parse_payload(k, payload).model_dump(mode="json")


def submit(cfg, kind: str, payload: Any, *, client=None, account: str | None = None,
           request_id: str | None = None) -> dict:
    """Make a request from this PC (see the module docstring); returns what the button shows."""
    clean = check_request(kind, payload)
    rid = request_id or new_request_id()
    at = channel.now_iso()
    if mode(cfg) == HOST and client is None:
        req = Request(rid, account or local_account(cfg), at, kind, clean, "", None)
        with ExitStack() as stack:
            ctx = host_context(cfg, stack)
            outcome = finish(ctx, req, handle(ctx, req, "direct"))
        return {"mode": "direct", "request_id": rid, "account": req.account, "kind": kind,
                "status": outcome.status, "message_th": outcome.message_th, "message_en": outcome.message_en,
                "result": outcome.result}
    if not cfg.district_spreadsheet_id:
        raise KhetError("office.no_district_sheet", "ยังไม่ได้ตั้งรหัสสเปรดชีตของเขต (google.district_spreadsheet_id)",
                        "no district spreadsheet set (google.district_spreadsheet_id)")
    with ExitStack() as stack:
        if client is None:
            from sync.control.signin import staff_client

            client, account = staff_client(cfg, stack)
        account = (account or cfg.staff_account).strip().lower()
        try:
            channel.append_request(client, cfg.district_spreadsheet_id, account, {
                "request_id": rid, "requested_by": account, "requested_at": at, "kind": kind,
                "payload": json.dumps(clean, ensure_ascii=False)})
        except Exception as exc:
            raise _append_error(exc, account) from exc
    return {"mode": "sent", "request_id": rid, "account": account, "kind": kind, "status": "sent",
            "message_th": f"ส่งคำขอ “{get_kind(kind).label_th}” แล้ว (รหัส {rid}) เครื่องประมวลผลจะตอบภายใน "
                          f"{cfg.poll_minutes:g} นาทีในเวลาราชการ กด “ดึงข้อมูลล่าสุด” เพื่อดูผล",
            "message_en": f"request sent ({rid}); the job host answers within {cfg.poll_minutes:g} minutes in "
                          "office hours — press Pull latest to see the outcome", "result": None}


def _append_error(exc: Exception, account: str) -> Exception:
    from gspread.exceptions import APIError

    if isinstance(exc, APIError) and exc.code in (400, 403):
        message = str(exc.error.get("message", ""))
        if "protected" in message:
            return Refused(f"บัญชีที่ลงชื่อเข้าใช้ไม่ใช่ {account}: แท็บคำขอนี้เขียนได้เฉพาะบัญชีนั้น ลงชื่อเข้าใช้ใหม่ (khet office signin)",
                           f"the signed-in account is not {account}: only it may write its requests tab; sign in "
                           "again (khet office signin)", code="office.not_your_tab")
        if "Unable to parse range" in message:
            return Refused(f"ยังไม่มีแท็บคำขอของ {account} ในสเปรดชีตของเขต: ให้ผู้ดูแลแชร์สเปรดชีตให้บัญชีนี้เป็นผู้แก้ไข "
                           "แล้วรอเครื่องประมวลผลสร้างแท็บ (ไม่เกิน 1 ชั่วโมง หรือสั่ง khet office setup)",
                           f"no requests tab for {account} yet: share the district sheet with it as an editor and "
                           "let the host make the tab (within the hour, or run khet office setup)",
                           code="office.no_tab")
        if exc.code == 403:
            return Refused(f"บัญชี {account} ไม่มีสิทธิ์แก้ไขสเปรดชีตของเขต", f"{account} may not edit the district sheet",
                           code="office.no_rights")
    return exc
