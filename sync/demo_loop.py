"""The demo's working loop (`khet demo`): what district staff type in the staff workbook — school requests moving
through the service standards of seed 004 and the inspectors' recommendations of two rounds — and the
reminders of the morning after night 2: e-mails through a real SMTP server on loopback into an outbox folder
(one .eml per message), LINE pushes through the official SDK into the LINE emulator.

Deterministic under the demo's seed: the same district gives the same requests, dates and messages.
"""

from __future__ import annotations

import datetime as dt
import random
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from addin.workdays import add_workdays
from workbook.services import SERVICES_BY_KEY
from workbook.sheets import WORK_GROUPS

STAFF_FILE = "khet-staff.xlsx"
OUTBOX = "outbox"
REMIND_AT = dt.time(9, 0)  # the morning after night 2


def write_staff_workbook(path: Path, schools, *, seed: int, until: dt.date, settings=None) -> Path:
    """The staff workbook (its settings tabs holding the district's `settings`; None: the defaults) with the
    requests and recommendations staff had typed by ``until``."""
    from sync.staff_rows import append_rows
    from workbook.templates import save_staff_workbook

    rng = random.Random(seed * 7919 + 14)
    save_staff_workbook(path, settings)
    append_rows(path, "service_requests", _requests(schools, rng, until))
    append_rows(path, "inspection_followup", _recommendations(rng, until))
    return path


def _requests(schools, rng: random.Random, until: dt.date) -> list[dict]:
    """Every request's whole story is drawn first (the same whatever ``until``), then cut at ``until``."""
    rows = []
    n = 0
    for key, count in (("budget_request", 8), ("resource_mobilisation", 10), ("records_office", 4)):
        service = SERVICES_BY_KEY[key]
        for _ in range(count):
            n += 1
            school = schools[rng.randrange(len(schools))]
            received = add_workdays(dt.date(2026, 4, 20), rng.randrange(0, 55))
            stall = rng.randrange(1, 3 * len(service.steps))  # > number of steps: it runs to the end
            overs = [rng.choice((0,) * 8 + (1, 2)) for _ in service.steps]
            row = {"request_id": f"ขร-{n:03d}/2569", "school_code": school.code, "school_name": school.name,
                   "service": service.title_th, "received_on": received, "handler": "นางสาวกาญจนา ศรีสุข"}
            day = received
            for i, (step, over) in enumerate(zip(service.steps, overs, strict=True), start=1):
                std = _days(step.standard_th)
                day = add_workdays(day, 0 if std is None else std + (over if std else 0))
                if i == stall or day > until:
                    break
                row[f"step{i}_done"] = day
            if received <= until:
                rows.append(row)
    return rows


def _days(standard_th: str) -> int | None:
    from addin.services import standard_of
    from workbook.services import Step

    std = standard_of(Step("", standard_th))
    if std.kind != "duration":
        return None
    return 0 if std.duration.unit == "minute" else std.duration.amount


RECOMMENDATIONS = (
    "เร่งรัดการเบิกจ่ายงบประมาณงบลงทุนให้เป็นไปตามเป้าหมายไตรมาส", "จัดทำแผนพัฒนาครูตามความต้องการจำเป็นของโรงเรียน",
    "ติดตามโรงเรียนขนาดเล็กที่ผลสัมฤทธิ์ต่ำกว่าเกณฑ์", "ปรับปรุงระบบดูแลช่วยเหลือนักเรียนกลุ่มเสี่ยง",
    "รายงานผลการดำเนินงานในระบบ e-MES ให้ครบถ้วนตามกำหนด", "ส่งเสริมการอ่านออกเขียนได้ของนักเรียนชั้น ป.1",
    "ตรวจสอบความปลอดภัยของอาคารเรียนที่ใช้งานมานาน", "สรุปผลการนิเทศ ติดตาม และรายงานต่อผู้บริหาร",
)


def _recommendations(rng: random.Random, until: dt.date) -> list[dict]:
    rows = []
    for rnd, notified, days, texts in (("รอบที่ 1", dt.date(2026, 3, 2), 30, RECOMMENDATIONS[:5]),
                                       ("รอบที่ 2", dt.date(2026, 6, 15), 20, RECOMMENDATIONS[3:])):
        for i, text in enumerate(texts, start=1):
            draw, group = rng.random(), rng.choice(WORK_GROUPS[:7])
            done = add_workdays(notified, rng.randrange(days // 2, days + 8))
            pct, evidence = rng.choice((30, 50, 70)), rng.random() < 0.8
            if notified > until:
                continue
            row = {"item_no": str(i), "fiscal_year": 2569, "inspection_round": rnd, "recommendation": text,
                   "responsible_group": group, "notified_on": notified, "due_workdays": days}
            if draw < 0.55 and done <= until:
                row.update(progress="ดำเนินการแล้ว", progress_pct=100, done_date=done,
                           action_taken="ดำเนินการตามข้อเสนอแนะและรายงานผู้บริหารแล้ว",
                           evidence_url="https://drive.google.com/drive/folders/khet-demo-evidence" if evidence
                           else None)
            elif draw < 0.85:
                row.update(progress="อยู่ระหว่างดำเนินการ", progress_pct=pct,
                           action_taken="อยู่ระหว่างประสานกลุ่มงานที่เกี่ยวข้อง")
            else:
                row.update(progress="ยังไม่ดำเนินการ", progress_pct=0)
            rows.append(row)
    return rows


# --- the reminders of the morning after ------------------------------------------------------------------------

class _Outbox:
    """aiosmtpd handler: every accepted message as an .eml file in the outbox folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.n = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.n += 1
        to = envelope.rcpt_tos[0].split("@")[0]
        (self.folder / f"{self.n:03d}-{to}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def invite_and_capture(line, name: str, timeout: float = 10) -> str:
    """Invite the Official Account into a new group on the LINE emulator while `khet line capture`'s webhook
    listens: the group ID as the signed join event delivered it."""
    from sync.commands.line import capture

    ready = threading.Event()
    urls: list[str] = []
    got: list[str] = []

    def listen() -> None:
        got.extend(capture(line.channel_secret, timeout=timeout, ready=lambda u: (urls.append(u), ready.set())))

    t = threading.Thread(target=listen)
    t.start()
    ready.wait(timeout)
    sent = line.invite(name, webhook=urls[0])
    t.join(timeout)
    if got != [sent]:
        raise RuntimeError(f"capture got {got}, the emulator sent {sent}")
    return sent


@dataclass
class Reminded:
    outbox: Path
    emails: int
    pushes: list
    failed: int
    plan_lines: list[str]


def send_reminders(state: Path, registry, history, staff: Path, *, day: dt.date, seed: int,
                   titles: dict[str, str] | None = None) -> Reminded:
    """The morning after the night: `khet remind`'s own phases against a loopback SMTP server (plain SMTP
    there: the e-mail tests cover STARTTLS and SSL) and the LINE emulator, with one LINE group per network
    captured through the signed join webhook exactly as `khet line capture` does."""
    from aiosmtpd.controller import Controller

    from addin.reminders import Policy
    from addin.status import TIMEZONE
    from sync.emulator.line import LineEmulator
    from sync.outbox import Outbox
    from sync.remind import deliver, describe, last_statuses, line_groups, plan
    from sync.senders import LineSender, Mailer, SmtpSettings
    from sync.staff_rows import append_rows

    folder = state / OUTBOX
    folder.mkdir(exist_ok=True)
    handler = _Outbox(folder)
    port = _free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with LineEmulator(seed=seed, quota=500) as line:
            networks = sorted({s.network for s in registry.active()})
            for net in networks:
                gid = invite_and_capture(line, f"ประสานงาน {net}")
                append_rows(staff, "line_groups", [{"group_id": gid, "group_name": f"ประสานงาน {net}",
                                                   "network": net, "captured_on": day}])
            now = dt.datetime.combine(day, REMIND_AT, TIMEZONE)
            p = plan(last_statuses(history, day), registry, line_groups(staff), now=now, policy=Policy(), email=True,
                     line=True, district="สพป.ตัวอย่าง (สาธิต)", titles=titles)
            with Mailer(SmtpSettings("127.0.0.1", port, "none", "khet@district-demo.go.th", timeout=10)) as m, \
                    LineSender(line.access_token, line.url) as ls:
                d = deliver(p, Outbox(history), mailer=m, line=ls, now=now)
            pushes = line.pushes()
    finally:
        smtp.stop()
    return Reminded(folder, handler.n, pushes, len(d.failed), describe(p))


# --- staff decisions on the reports (issue 14) ---------------------------------------------------------------

DEMO_STAFF_A, DEMO_STAFF_B = "somchai.s@khet-demo.go.th", "malee.k@khet-demo.go.th"
DECIDE_AT = dt.time(10, 0)  # the morning after night 1


@dataclass
class Decided:
    """What staff decided the morning after night 1, and what the job host answered each."""

    answers: list[tuple[str, str, str, object]]  # (account, kind, school code, Outcome)

    def lines(self) -> list[str]:
        out = []
        for account, kind, code, o in self.answers:
            out.append(f"  {account} {kind} {code}: {o.status} — {o.message_th}")
        return out


def staff_decisions(history, registry_path: Path, summary, *, day: dt.date, limit: int = 6) -> Decided:
    """Staff A approves the action plans sent clean; staff B returns those sent with errors, with the reason; B
    also approves one A has just approved (two staff on one report: refused, naming A). Each is a control-channel
    request applied on the host, as `khet office request` does on a single-PC district."""
    from types import SimpleNamespace

    from addin.status import TIMEZONE
    from sync.control.host import HostContext, handle
    from sync.control.kinds import Request
    from sync.control.store import RequestStore
    from sync.history import iso

    st = summary.status
    sent = st[st["status"].isin(["on_time", "late"]) & (st["report_key"] == "action_plan")]
    clean, wrong = sent[sent["errors"] == 0].head(limit), sent[sent["errors"] > 0].head(limit)
    cfg = SimpleNamespace(registry=registry_path, settings=None, data_dir=registry_path.parent)
    ctx = HostContext(cfg, RequestStore(history), run_job=lambda *a, **k: None)
    at = dt.datetime.combine(day, DECIDE_AT, TIMEZONE)
    answers = []

    def ask(n: int, account: str, kind: str, code: str, **payload) -> None:
        when = iso(at + dt.timedelta(minutes=n))
        req = Request(f"DEMO-{day:%Y%m%d}-{n:03d}", account, when, kind,
                      {"school_code": code, "report": "action_plan", **payload})
        answers.append((account, kind, code, handle(ctx, req, "direct")))

    n = 0
    for code in clean["school_code"]:
        n += 1
        ask(n, DEMO_STAFF_A, "approve_report", code, seen="waiting")
    for code, errors in zip(wrong["school_code"], wrong["errors"], strict=True):
        n += 1
        ask(n, DEMO_STAFF_B, "return_report", code, reason=f"ข้อมูลยังผิด {int(errors)} รายการ ดูรายการในแท็บข้อเสนอแนะจากเขต "
                                                          "แก้แล้วยืนยันการส่งอีกครั้ง")
    if len(clean):
        n += 1  # B, looking at yesterday's pull, approves a plan A approved a minute ago
        ask(n, DEMO_STAFF_B, "approve_report", clean["school_code"].iloc[0], seen="waiting")
    return Decided(answers)
