"""The job host's side of the control channel: poll the requests tabs, apply each request once, answer it.

One poll (:meth:`ControlHost.poll`):
1. every ``staff_refresh_seconds`` (and at the first poll): who is staff — the district sheet's sharing — and
   a requests tab for each (one Drive read, one metadata read; creating tabs only when someone is new);
2. ONE ``values:batchGet`` of every requests tab;
3. each row, oldest request first (then tab, then row): checked (fields, rights), its kind's payload
   validated, applied once (idempotent by request ID), its outcome recorded in the history — a row that
   fails any of this gets its reason and the next row goes on;
4. ONE ``values:batchUpdate`` with every answer and, when due, the host status (heartbeat);
5. follow-up work (the run "process now" asked for, one run however many asked), then its answers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gspread.exceptions import APIError

from addin.status import TIMEZONE
from addin.workdays import is_workday
from sync.control import channel
from sync.control.kinds import (
    FAILED,
    REFUSED,
    STATUS_TH,
    Outcome,
    Refused,
    Request,
    get_kind,
    parse_payload,
)
from sync.control.store import RequestStore
from sync.lock import LockHeld, RunLock
from workbook.control import requests_title

log = logging.getLogger("khet.sync.control")


# --- when to poll ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfficeSchedule:
    """Poll every `poll_minutes` in office hours (Thai working days, `hours` Bangkok time), every
    `off_minutes` otherwise; the host status is rewritten at least every `heartbeat_minutes`."""

    poll_minutes: float = 2.0
    off_minutes: float = 30.0
    heartbeat_minutes: float = 10.0
    hours: str = "08:00-17:00"

    def office_hours(self, now: dt.datetime) -> bool:
        local = now.astimezone(TIMEZONE)
        start, end = (dt.time.fromisoformat(t.strip()) for t in self.hours.split("-"))
        return is_workday(local.date()) and start <= local.time() < end

    def interval(self, now: dt.datetime) -> float:
        """Seconds until the next poll."""
        return 60 * (self.poll_minutes if self.office_hours(now) else self.off_minutes)

    def heartbeat_seconds(self, now: dt.datetime) -> float:
        return max(60 * self.heartbeat_minutes, self.interval(now))

    def next_check_by(self, now: dt.datetime) -> dt.datetime:
        """The time by which the host promises its next status: past it, staff PCs say it has not answered."""
        return now + dt.timedelta(seconds=self.heartbeat_seconds(now) + self.interval(now))


# --- what a handler can use -------------------------------------------------------------------------------------

@dataclass
class HostContext:
    """What request handlers get: the host's configuration, its request store, and the job."""

    cfg: Any
    store: RequestStore
    run_job: Callable[..., Any]                       # (trigger, full=, feedback=) -> RunReport; takes the lock
    provision_with: Callable[[Path], Any] | None = None  # registry path -> ProvisionResult
    _runs: dict[bool, Any] = field(default_factory=dict)

    def run_in_progress(self) -> bool:
        """Another process (a cron run, a second daemon) holds the run lock right now."""
        try:
            lock = RunLock(Path(self.cfg.data_dir) / "sync.lock").acquire()
        except LockHeld:
            return True
        lock.release()
        return False

    def run_once(self, *, full: bool = False, feedback: bool = True):
        """The run this poll's requests asked for: one run however many asked — a full run answers a run of the
        changed schools, a run writing feedback answers one that need not (the district report)."""
        answers = [k for k in self._runs if (k[0] or not full) and (k[1] or not feedback)]
        if answers:
            return self._runs[max(answers)]
        self._runs[(full, feedback)] = run = self.run_job("request", full=full, feedback=feedback)
        return run

    def provision(self, registry_path: Path):
        if self.provision_with is None:
            raise Refused("เครื่องนี้สร้างชีตโรงเรียนไม่ได้ (ไม่มีกุญแจสำหรับสร้างชีต)",
                          "this host cannot provision school sheets (no provisioning client)")
        return self.provision_with(registry_path)


# --- one request ------------------------------------------------------------------------------------------------

def request_from_row(row: channel.RequestRow, staff: set[str]) -> Request:
    """A row as a request, or Refused saying which field is wrong or why the account may not ask."""
    missing = [REQUEST_FIELD_TH[k] for k in ("request_id", "requested_by", "requested_at", "kind") if not row.get(k)]
    if missing:
        raise Refused(f"แถวที่ {row.row} ขาดข้อมูล: {', '.join(missing)}",
                      f"row {row.row} lacks: {', '.join(REQUEST_FIELD_EN[k] for k in REQUEST_FIELD_TH if REQUEST_FIELD_TH[k] in missing)}",
                      code="request.missing_field")
    who = row.get("requested_by").lower()
    if who != row.account:
        raise Refused(f"แถวนี้อยู่ในแท็บของ {row.account} แต่ระบุผู้ขอเป็น {who}: ส่งคำขอได้เฉพาะในแท็บของตนเอง",
                      f"this row is in {row.account}'s tab but names {who}: requests go in one's own tab",
                      code="request.account_mismatch")
    if row.account not in staff:
        raise Refused(f"บัญชี {row.account} ไม่มีสิทธิ์ส่งคำขอ (ไม่ได้รับแชร์สเปรดชีตของเขตเป็นผู้แก้ไข "
                      "หรือเป็นบัญชีของโรงเรียน)",
                      f"account {row.account} may not make requests (not an editor of the district sheet, or a "
                      "school's account)", code="request.no_rights")
    return Request(row.get("request_id"), row.account, row.get("requested_at"), row.get("kind"),
                   _payload_dict(row.get("payload")), row.tab, row.row)


REQUEST_FIELD_TH = {"request_id": "รหัสคำขอ", "requested_by": "ผู้ขอ", "requested_at": "เวลาที่ขอ", "kind": "ประเภทคำขอ"}
REQUEST_FIELD_EN = {"request_id": "request ID", "requested_by": "requested by", "requested_at": "requested at",
                    "kind": "kind"}


def _payload_dict(text: str) -> Any:
    """The payload cell: JSON text (parsed later against the kind's model, so a bad one is refused there)."""
    return text


def apply_request(ctx: HostContext, req: Request) -> Outcome:
    """Validate and apply one request (never raises): the outcome to record and write back."""
    try:
        kind = get_kind(req.kind)
        payload = parse_payload(kind, req.payload)
        return kind.handler(ctx, req, payload)
    except Refused as exc:
        return Outcome.refused(exc.message_th, exc.message_en)
    except Exception as exc:  # noqa: BLE001 - one request's failure never blocks the others
        log.exception("request %s (%s) failed", req.request_id, req.kind)
        return Outcome(FAILED, f"ทำคำขอไม่สำเร็จ: {exc}", f"the request failed: {type(exc).__name__}: {exc}")


def handle(ctx: HostContext, req: Request, source: str) -> Outcome:
    """Receive (once), apply unless already final, record. The idempotency of request IDs lives here."""
    store = ctx.store
    known = store.known(req.request_id)
    content = (req.account, req.kind, json.dumps(_jsonable(req.payload), ensure_ascii=False, sort_keys=True))
    if known is not None and (known["account"], known["kind"], known["payload_json"]) != content:
        th, en = (f"รหัสคำขอ {req.request_id} ซ้ำกับคำขออื่นที่รับไปแล้ว: ตั้งรหัสใหม่",
                  f"request ID {req.request_id} is already used by another request: use a new ID")
        store.refuse_unreceived(source, req.request_id, req.account, req.kind,
                                {"payload": _jsonable(req.payload), "requested_at": req.requested_at},
                                "request.duplicate_id", th, en)
        return Outcome.refused(th, en)
    if known is not None and store.is_final(req.request_id):
        o = store.outcome(req.request_id)
        return Outcome(o["status"], o["message_th"], o["message_en"], o["result"])
    stored = Request(req.request_id, req.account, req.requested_at, req.kind, _jsonable(req.payload), req.tab,
                     req.row)
    store.receive(stored, source)
    outcome = apply_request(ctx, req)
    store.record(req.request_id, outcome)
    return outcome


def _jsonable(payload: Any) -> Any:
    if isinstance(payload, str):
        try:
            return json.loads(payload) if payload.strip() else {}
        except ValueError:
            return payload
    return payload


def finish(ctx: HostContext, req: Request, outcome: Outcome) -> Outcome:
    """Run an outcome's follow-up (if any) and record the final outcome."""
    if outcome.then is None:
        return outcome
    try:
        final = outcome.then()
    except Exception as exc:  # noqa: BLE001
        log.exception("request %s follow-up failed", req.request_id)
        final = Outcome(FAILED, f"ทำคำขอไม่สำเร็จ: {exc}", f"the request failed: {type(exc).__name__}: {exc}")
    ctx.store.record(req.request_id, final)
    return final


# --- the poll ---------------------------------------------------------------------------------------------------

@dataclass
class PollResult:
    rows: int = 0
    answered: int = 0
    refused: int = 0
    reads: int = 0
    writes: int = 0
    status_written: bool = False
    outcomes: dict[str, str] = field(default_factory=dict)  # request id (or tab!row) -> status


class ControlHost:
    def __init__(self, ctx: HostContext, client, spreadsheet_id: str, *, host_account: str,
                 school_accounts: Callable[[], set[str]] = set, schedule: OfficeSchedule | None = None,
                 staff_refresh_seconds: float = 3600, clock: Callable[[], dt.datetime] | None = None,
                 last_run: Callable[[], dict | None] = lambda: None):
        self.ctx, self.client, self.spreadsheet_id = ctx, client, spreadsheet_id
        self.host_account = host_account.lower()
        self.school_accounts = school_accounts
        self.schedule = schedule or OfficeSchedule()
        self.staff_refresh_seconds = staff_refresh_seconds
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.last_run = last_run
        self.staff: set[str] = set()
        self.tabs: list[str] = []
        self._staff_at: dt.datetime | None = None
        self._status_at: dt.datetime | None = None
        self._status_run: Any = None

    def refresh_staff(self, result: PollResult) -> None:
        staff, refused = channel.staff_accounts(self.client, self.spreadsheet_id, exclude=self.school_accounts())
        titles = channel.sheet_titles(self.client, self.spreadsheet_id)
        result.reads += 2
        created = channel.ensure_tabs(self.client, self.spreadsheet_id, staff, self.host_account, titles)
        result.writes += 2 if created else 0
        if refused:
            log.warning("district sheet shared for editing with school accounts (no requests taken): %s", refused)
        self.staff = set(staff)
        # Tabs of accounts no longer staff are still read: their new rows get a refusal, not silence.
        self.tabs = sorted({t for t in titles if channel.account_of_title(t)} | {requests_title(a) for a in staff})
        self._staff_at = self.clock()

    def _read(self, result: PollResult) -> dict[str, list[channel.RequestRow]]:
        try:
            result.reads += 1
            return channel.read_requests(self.client, self.spreadsheet_id, self.tabs)
        except APIError as exc:
            if exc.code != 400:
                raise
            # A requests tab was deleted or renamed by hand: set the tabs up again and read once more.
            log.warning("requests tabs changed (%s): setting them up again", exc)
            self.refresh_staff(result)
            result.reads += 1
            return channel.read_requests(self.client, self.spreadsheet_id, self.tabs)

    def poll(self) -> PollResult:
        result = PollResult()
        now = self.clock()
        if self._staff_at is None or (now - self._staff_at).total_seconds() >= self.staff_refresh_seconds:
            self.refresh_staff(result)
        rows = [r for rs in self._read(result).values() for r in rs]
        rows.sort(key=lambda r: (r.get("requested_at"), r.tab, r.row))
        cells, later = [], []
        self.ctx._runs = {}
        for row in rows:
            if row.blank:
                continue
            result.rows += 1
            key = row.get("request_id") or f"{row.tab}!{row.row}"
            try:
                req = request_from_row(row, self.staff)
                outcome = handle(self.ctx, req, f"{row.tab}!{row.row}")
            except Refused as exc:
                outcome, req = Outcome.refused(exc.message_th, exc.message_en), None
                self.ctx.store.refuse_unreceived(f"{row.tab}!{row.row}", row.get("request_id"), row.account,
                                                 row.get("kind"), {k: row.get(k) for k in channel.STAFF_COLUMNS}, exc.code, exc.message_th,
                                                 exc.message_en)
            result.outcomes[key] = outcome.status
            result.refused += outcome.status == REFUSED
            if _shown(row, outcome, key):
                continue
            cells.append(channel.outcome_cells(row, STATUS_TH[outcome.status], outcome.message_th,
                                               outcome.message_en, outcome.result, channel.now_iso(now), key))
            result.answered += 1
            if req is not None and outcome.then is not None:
                later.append((row, req, outcome))
        self._answer(result, cells, now)
        if later:
            cells = []
            for row, req, outcome in later:
                final = finish(self.ctx, req, outcome)
                result.outcomes[req.request_id] = final.status
                cells.append(channel.outcome_cells(row, STATUS_TH[final.status], final.message_th,
                                                   final.message_en, final.result, channel.now_iso(self.clock()),
                                                   req.request_id))
            self._answer(result, cells, self.clock(), force_status=True)
        return result

    def _answer(self, result: PollResult, cells: list[dict], now: dt.datetime, force_status: bool = False) -> None:
        last = self.last_run()
        due = (force_status or cells or self._status_at is None or last != self._status_run
               or (now - self._status_at).total_seconds() >= self.schedule.heartbeat_seconds(now) - 1)
        if due:
            cells = [*cells, channel.status_cells(self.status(now, last))]
            self._status_at, self._status_run = now, last
            result.status_written = True
        result.writes += channel.write_answers(self.client, self.spreadsheet_id, cells)

    def status(self, now: dt.datetime, last: dict | None) -> dict[str, Any]:
        last = last or {}
        return {"host_seen_at": channel.now_iso(now),
                "next_check_by": channel.now_iso(self.schedule.next_check_by(now)),
                "host": socket.gethostname(),
                "data_as_of": last.get("started_at") or "", "fiscal_year": last.get("fiscal_year") or "",
                "last_run_id": last.get("run_id") or "",
                "last_run_ended_at": last.get("ended_at") or "", "last_run_status": last.get("status") or "",
                "last_run_message_th": last.get("message_th") or "", "last_run_message_en": last.get("message_en") or "",
                "run_in_progress": "ใช่" if self.ctx.run_in_progress() else "ไม่ใช่"}


def _shown(row: channel.RequestRow, outcome: Outcome, key: str) -> bool:
    """The row already shows this outcome (nothing to write: the poll stays one read)."""
    return row.get("handled_id") == key and row.get("status") == STATUS_TH[outcome.status] and \
        row.get("outcome_en") == outcome.message_en
