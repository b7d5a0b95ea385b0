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
    def run(trigger: str, full: bool = False, feedback: bool = True):
        from sync.job import run_from_config

        return run_from_config(cfg, trigger=trigger, full=full, feedback=feedback)
    return run


def _provision_with(cfg):
    def provision_registry(path: Path):
        from addin.settings import settings_or_fail
        from sync.gclient import SCOPES_PROVISION
        from sync.google_template import ensure_template
        from sync.http import open_google
        from sync.provision import provision
        from sync.registry import load_registry
        from sync.update import record_in_history

        settings = settings_or_fail(cfg.settings)  # the host's settings: the same dropdowns and KPIs as the CLI
        with open_google(cfg, SCOPES_PROVISION) as client:
            template_id, _ = ensure_template(client, cfg.drive_folder_id or None, cfg.template_spreadsheet_id or None)
            result = provision(client, load_registry(path), template_id=template_id,
                               folder_id=cfg.drive_folder_id or None, settings=settings)
        record_in_history(cfg.history_db, result.outcomes)
        return result
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
                "status": run["status"], "fiscal_year": run.get("fiscal_year"), "message_th": report.get("message_th", ""),
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
    rid = request_id or new_request_id()
    at = channel.now_iso()
    try:
        clean = check_request(kind, payload)
    except Refused as exc:
        if mode(cfg) == HOST and client is None:  # on the host the refusal is kept in its history, as a row's is
            with ExitStack() as stack:
                host_context(cfg, stack).store.refuse_unreceived(
                    "direct", rid, account or local_account(cfg), kind, {"payload": payload}, exc.code,
                    exc.message_th, exc.message_en)
        raise
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


# --- job -> staff: what the pull button shows ---------------------------------------------------------------

# The summary tabs the staff workbook takes (sync.summary.TABS titles), read in the pull's one batchGet; the
# last four feed the แดชบอร์ด tab (addin/dashboard.py).
PULL_TABS = ("submissions", "overview", "findings", "reads", "completeness", "completeness_by_network",
             "budget_by_category", "projects")


def pull(cfg, *, client=None, account: str | None = None, now: dt.datetime | None = None) -> dict:
    """The district's latest summary for the staff workbook — from the district Google Sheet (one batchGet:
    the summary tabs, the host status and this account's requests), or, without one, from the published
    summary .xlsx. Never from the history database."""
    now = now or dt.datetime.now(dt.UTC)
    if not cfg.district_spreadsheet_id:
        return _pull_xlsx(cfg, now)
    with ExitStack() as stack:
        if client is None:
            if mode(cfg) == HOST:
                from sync.gclient import SCOPES_READ
                from sync.http import open_google

                client = stack.enter_context(open_google(cfg, SCOPES_READ))
                account = account or local_account(cfg)
            else:
                from sync.control.signin import staff_client

                client, account = staff_client(cfg, stack)
        account = (account or cfg.staff_account or "").strip().lower()
        return _pull_google(cfg, client, account, now)


def _summary_titles() -> dict[str, str]:
    from sync.summary import TABS

    return {t.key: t.title_th for t in TABS if t.key in PULL_TABS}


def _pull_google(cfg, client, account: str, now: dt.datetime) -> dict:
    from gspread.exceptions import APIError
    from openpyxl.utils import quote_sheetname

    from workbook.control import HOST_STATUS, requests_title

    titles = {**_summary_titles(), "host_status": HOST_STATUS.title_th}
    if account and "@" in account:
        titles["requests"] = requests_title(account)
    sid = cfg.district_spreadsheet_id
    try:
        grids = channel.read_tabs(client, sid, [quote_sheetname(t) for t in titles.values()])
    except APIError as exc:
        if exc.code != 400:
            raise
        # A tab not there yet (no run so far, no requests tab): read those that are.
        present = set(channel.sheet_titles(client, sid))
        titles = {k: t for k, t in titles.items() if t in present}
        grids = channel.read_tabs(client, sid, [quote_sheetname(t) for t in titles.values()]) \
            if titles else []
    got = dict(zip(titles, grids, strict=True))
    host = channel.parse_status(got.pop("host_status", []))
    mine = _records(got.pop("requests", []))
    tabs = {titles[k]: _records(g) for k, g in got.items()}
    return {"source": "google", "spreadsheet_id": sid, "account": account, "tabs": tabs,
            **_times(host, now), "requests": mine}


def _records(grid: list[list[Any]]) -> list[dict]:
    """Rows 3+ of a tab as dicts by the English keys of row 2 (the layout of every Khet tab)."""
    if len(grid) < 2:
        return []
    keys = [str(k).strip() for k in grid[1]]
    return [dict(zip(keys, r, strict=False)) for r in grid[2:] if any(str(v).strip() for v in r)]


def _times(host: dict[str, str], now: dt.datetime) -> dict:
    """The data's time, the last run's, and whether the host is answering (it promised a status by
    ``next_check_by``; past that, staff are told since when it has been silent)."""
    due = host.get("next_check_by")
    silent = bool(due) and dt.datetime.fromisoformat(due.replace("Z", "+00:00")) < now
    return {"host": host, "data_as_of": host.get("data_as_of") or None,
            "last_run_ended_at": host.get("last_run_ended_at") or None,
            "last_run_id": host.get("last_run_id") or None, "last_run_status": host.get("last_run_status") or None,
            "host_seen_at": host.get("host_seen_at") or None,
            "host_answering": None if not host else not silent}


def _pull_xlsx(cfg, now: dt.datetime) -> dict:
    """No district sheet: the summary .xlsx the job writes to [paths] report_dir (on the host, or a published
    read-only copy in a shared folder), with the run times of runs/last-run.json when it is there."""
    from addin.validation.files import open_workbook, tab_cells

    folder = Path(cfg.report_dir)
    files = sorted(folder.glob("khet-summary-*.xlsx"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    if not files:
        raise KhetError("office.no_summary", f"ยังไม่มีไฟล์สรุปใน {folder} (ยังไม่เคยประมวลผล?) ให้กด “ประมวลผลตอนนี้”",
                        f"no summary workbook in {folder} yet (never run?); press Run sync now", folder=str(folder))
    wanted = set(_summary_titles().values())
    with open_workbook(files[-1]) as wb:
        tabs = {ws.title: _records(tab_cells(ws)) for ws in wb.worksheets if ws.title in wanted}
    last = Path(cfg.data_dir) / "runs" / "last-run.json"
    run = json.loads(last.read_text(encoding="utf-8")) if last.is_file() else {}
    host = {"data_as_of": run.get("started_at") or "", "last_run_ended_at": run.get("ended_at") or "",
            "last_run_id": str(run.get("run_id") or ""), "last_run_status": run.get("status") or "",
            "fiscal_year": str(run.get("fiscal_year") or "")}
    return {"source": "xlsx", "path": str(files[-1]), "tabs": _jsonable_tabs(tabs), **_times(host, now),
            "requests": []}


def _jsonable_tabs(tabs: dict[str, list[dict]]) -> dict[str, list[dict]]:
    def value(v):
        return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
    return {t: [{k: value(v) for k, v in r.items()} for r in rows] for t, rows in tabs.items()}
