"""`khet remind`: each school's digest by e-mail and its network's LINE group, from the statuses of the last
finished nightly run, on the reminder policy (addin.reminders), every message and attempt in the history
(sync.outbox), through the SMTP and LINE adapters (sync.senders).

Phases (each returns a value):
1. ``gather`` — the last finished run's status per school × report (the interface is that plain table, so new
   statuses plug in by code), the registry (contacts, opt-out, sheet IDs) and the LINE groups tab;
2. ``plan`` — today's digests and the messages they make: one e-mail per school with an address, one LINE
   push per group (the sections of its network's schools), and what was skipped and why (opted out, no
   address, no group for the network); nothing at all on a day off or in quiet hours;
3. ``deliver`` — record the new messages (one per channel × target × day: never twice a day), then send
   everything not yet sent (today's, and earlier failures not superseded), recording each attempt.
`--dry-run` stops after ``plan`` and prints exactly what would be sent to whom.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from addin import reminders as rules
from addin.status import TIMEZONE
from addin.thaidate import format_thai_date
from sync.history import History
from sync.outbox import Message, Outbox
from sync.registry import Registry, School
from sync.senders import REASON_TH, LineSender, Mailer, Outcome, SmtpSettings, split_texts
from workbook.errors import KhetError
from workbook.reports import REPORTS
from workbook.schema import NO_TH

log = logging.getLogger("khet.remind")
TITLES = {r.key: r.title_th for r in REPORTS}


def report_titles(cfg) -> dict[str, str]:
    """Report key -> Thai title as the district's settings name its reports (a report only the settings have,
    e.g. one some networks send, is named too; the shipped titles otherwise)."""
    from addin.settings import settings_or_fail

    return {**TITLES, **{r.key: r.title_th for r in settings_or_fail(cfg.settings).reports}}
SHEET_URL = "https://docs.google.com/spreadsheets/d/{id}/edit"


class RemindError(KhetError):
    code = "remind"


@dataclass(frozen=True)
class Group:
    group_id: str
    name: str
    network: str  # "" = every school


@dataclass
class Plan:
    day: date
    now: datetime
    messages: list[Message] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)   # (school code, Thai, English)
    blocked_th: str = ""   # why nothing is sent today (day off, quiet hours), empty when sending
    blocked_en: str = ""
    digests: dict[str, list[rules.Item]] = field(default_factory=dict)


# --- 1. gather ------------------------------------------------------------------------------------------------

def last_statuses(history: History, today: date | None = None) -> pd.DataFrame:
    """The plain status table of the last finished run of each open fiscal year (school_code, report_key,
    fiscal_year, due, status, needs_correction) — from 1 October until last year is closed, last year's Q4
    progress and any report still owed are reminded beside this year's; a report returned for correction and
    not corrected yet is ``returned``, due by its correction deadline (sync.approvals)."""
    from addin.status import today_in_thailand
    from sync.approvals import returned_now

    runs = history.last_completed_runs()
    if not runs:
        raise RemindError("remind.no_run", "ยังไม่มีรอบประมวลผลที่เสร็จ จึงยังไม่รู้สถานะของโรงเรียน (สั่ง khet sync run ก่อน)",
                          "no finished nightly run yet, so no school status is known (run `khet sync run` first)")
    frames = []
    for run in runs:
        rows = history.statuses(run_id=run["run_id"])
        frame = pd.DataFrame(rows, columns=["school_code", "report_key", "due", "status", "errors", "submitted_on"])
        frame["fiscal_year"] = run.get("fiscal_year")
        frame["needs_correction"] = frame["errors"].fillna(0).astype(int) > 0
        if run.get("fiscal_year") and len(frame):
            # A report staff returned for correction is reminded as returned, due by its correction deadline.
            returned = returned_now(history, int(run["fiscal_year"]), frame, today or today_in_thailand())
            if returned:
                pairs = list(zip(frame["school_code"], frame["report_key"], strict=True))
                hit = [p in returned for p in pairs]
                frame.loc[hit, "status"] = "returned"
                frame.loc[hit, "due"] = [returned[p].isoformat() if returned[p] else None
                                         for p in pairs if p in returned]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def line_groups(staff_workbook: Path | None) -> list[Group]:
    """Active groups of the staff workbook's `line_groups` tab (none when there is no workbook or tab)."""
    if staff_workbook is None or not Path(staff_workbook).is_file():
        return []
    from addin.validate import validate_table
    from addin.validation.files import read_workbook

    tab = next((t for t in read_workbook(staff_workbook, ["line_groups"]) if t.sheet is not None and t.sheet.key == "line_groups"),
               None)
    if tab is None:
        return []
    res = validate_table(tab.sheet, tab.values, first_row=1)
    return [Group(str(r["group_id"]).strip(), rules.one_line(r.get("group_name")), rules.one_line(r.get("network")))
            for r in res.rows.to_dict("records") if r.get("active") != NO_TH]


# --- 2. plan --------------------------------------------------------------------------------------------------

def email_text(school: School, items: list[rules.Item], day: date, district: str) -> tuple[str, str]:
    """(subject, body) of a school's digest — plain text; school-typed text is one line, never markup."""
    name = rules.one_line(school.name)
    counts = {k: sum(1 for i in items if i.kind == k) for k in rules.KIND_ORDER}
    parts = [f"{rules.KIND_TH[k]} {n}" for k, n in counts.items() if n]
    subject = f"[Khet] {name}: {', '.join(parts)}"
    lines = [f"เรียน ผู้อำนวยการ{name} ({school.code})", "",
             f"{district or 'สำนักงานเขตพื้นที่การศึกษา'} ขอแจ้งรายงานที่ต้องดำเนินการ ณ วันที่ {format_thai_date(day, 'long')}:",
             *(i.line_th for i in items), ""]
    if school.spreadsheet_id:
        lines += [f"ชีตของโรงเรียน: {SHEET_URL.format(id=school.spreadsheet_id)}",
                  "เมื่อกรอกครบแล้ว ให้ยืนยันที่แท็บ “ยืนยันการส่ง”; จุดที่ต้องแก้อยู่ที่แท็บ “ข้อเสนอแนะจากเขต”", ""]
    lines += ["ข้อความนี้ส่งโดยระบบ Khet ของเขตโดยอัตโนมัติ หากไม่ต้องการรับ โปรดแจ้งเขตเพื่อปิดการแจ้งเตือน"]
    return subject, "\n".join(lines)


def line_section(school: School, items: list[rules.Item]) -> str:
    lines = [f"{rules.one_line(school.name)} ({school.code})", *(i.line_th for i in items)]
    if school.spreadsheet_id:
        lines.append(SHEET_URL.format(id=school.spreadsheet_id))
    return "\n".join(lines)


def line_header(day: date, district: str, network: str) -> str:
    where = f" {network}" if network else ""
    return f"📣 {district or 'เขตพื้นที่การศึกษา'} แจ้งเตือนรายงาน{where} ณ วันที่ {format_thai_date(day, 'long')}"


def plan(statuses: pd.DataFrame, registry: Registry, groups: list[Group], *, now: datetime,
         policy: rules.Policy, email: bool, line: bool, district: str = "",
         titles: dict[str, str] | None = None, year_sheets: dict[int, dict[str, str]] | None = None) -> Plan:
    """Today's messages. ``year_sheets`` (fiscal year → school → sheet): a school whose most urgent item is
    last year's report gets last year's sheet linked (the registry holds this year's since ``khet year open``)."""
    now = now.astimezone(TIMEZONE)
    day = now.date()
    p = Plan(day, now)
    from addin.workdays import holiday_name, is_workday

    if not is_workday(day):
        why = holiday_name(day) or "วันหยุดสุดสัปดาห์"
        p.blocked_th, p.blocked_en = f"วันนี้เป็นวันหยุด ({why}) ไม่ส่งแจ้งเตือน", "today is a day off: nothing is sent"
        return p
    p.digests = rules.digests(statuses, day, policy, titles or TITLES)
    if rules.is_quiet(now, policy):
        until = rules.quiet_until(now, policy)
        p.blocked_th = f"อยู่ในช่วงงดส่ง ({policy.quiet_start:%H:%M}–{policy.quiet_end:%H:%M}) จะส่งได้ตั้งแต่ {until:%H:%M}"
        p.blocked_en = f"quiet hours ({policy.quiet_start:%H:%M}–{policy.quiet_end:%H:%M}): sending from {until:%H:%M}"
        return p
    schools = registry.by_code()
    sections: dict[str, list[str]] = {}
    covered: set[str] = set()
    for code, items in p.digests.items():
        school = schools.get(code)
        if school is None or not school.active:
            continue
        if (fy := items[0].earlier_year) and (sid := (year_sheets or {}).get(fy, {}).get(code)):
            school = replace(school, spreadsheet_id=sid)
        if not school.remind:
            p.skipped.append((code, "โรงเรียนขอไม่รับการแจ้งเตือน", "the school opted out of reminders"))
            continue
        if email:
            if school.contact_email:
                subject, body = email_text(school, items, day, district)
                p.messages.append(Message("email", school.contact_email, rules.one_line(school.name), (code,), day,
                                          subject, body))
            else:
                p.skipped.append((code, "ไม่มีอีเมลในทะเบียน", "no e-mail address in the registry"))
        if line:
            for g in groups:
                if g.network in ("", school.network):
                    sections.setdefault(g.group_id, []).append(line_section(school, items))
                    covered.add(code)
            if groups and code not in covered:
                p.skipped.append((code, f"ไม่มีกลุ่มไลน์ของเครือข่าย {school.network}",
                                  f"no LINE group for network {school.network}"))
    for g in groups:
        if g.group_id in sections:
            body = "\n\n".join([line_header(day, district, g.network), *sections[g.group_id]])
            codes = tuple(c for c in p.digests if c in covered and (g.network in ("", schools[c].network)))
            p.messages.append(Message("line", g.group_id, g.name, codes, day, "", body))
    return p


# --- 3. deliver -----------------------------------------------------------------------------------------------

@dataclass
class Delivery:
    sent: int = 0
    already: int = 0
    failed: list[tuple[dict, Outcome]] = field(default_factory=list)
    new: int = 0
    repeats: int = 0    # today's digests already recorded by an earlier run


def deliver(p: Plan, outbox: Outbox, *, mailer: Mailer | None, line: LineSender | None,
            now: datetime | None = None) -> Delivery:
    d = Delivery()
    if p.blocked_en:
        return d
    for m in p.messages:
        if outbox.add(m, now=now):
            d.new += 1
        else:
            d.repeats += 1
    for row in outbox.to_send(now=now):
        if row["channel"] == "email":
            if mailer is None:
                continue
            out = mailer.send(to=row["target"], subject=row["subject"], body=row["body"], message_id=row["message_id"])
        else:
            if line is None:
                continue
            out = Outcome("sent")
            for texts in split_texts(row["body"].split("\n\n")):
                out = line.push(row["target"], texts, _retry_key(row["message_id"], texts))
                if not out.done:
                    break
        outbox.record(row["message_id"], out.outcome, reason=out.reason, detail=out.detail, now=now)
        if out.outcome == "sent":
            d.sent += 1
        elif out.outcome == "already_sent":
            d.already += 1
        else:
            d.failed.append((row, out))
            log.warning("reminder %s to %s failed: %s", row["channel"], row["target"], out.reason)
    return d


def _retry_key(message_id: str, texts: list[str]) -> str:
    """One retry key per push of a message (a long digest takes several pushes; each is deduplicated)."""
    import hashlib
    import uuid

    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
    return str(uuid.uuid5(uuid.UUID(message_id), digest))


def describe(p: Plan) -> list[str]:
    """What the plan would send, for --dry-run and the log: channel, to whom, and the exact text."""
    lines = [f"แจ้งเตือน ณ วันที่ {format_thai_date(p.day, 'long')} {p.now:%H:%M} / reminders for {p.day.isoformat()}"]
    if p.blocked_th:
        lines.append(f"  {p.blocked_th} / {p.blocked_en}")
        if p.digests:
            lines.append(f"  (โรงเรียนที่ถึงรอบแจ้งเตือนวันนี้ {len(p.digests)} โรง / {len(p.digests)} schools are due a "
                         f"reminder today)")
        return lines
    lines.append(f"  ข้อความ {len(p.messages)} ฉบับ: อีเมล {sum(m.channel == 'email' for m in p.messages)}, "
                 f"LINE {sum(m.channel == 'line' for m in p.messages)} / {len(p.messages)} messages")
    for m in p.messages:
        to = f"{m.target} ({m.target_name})" if m.target_name else m.target
        lines += ["", f"== {m.channel} → {to}"]
        if m.subject:
            lines.append(f"Subject: {m.subject}")
        lines += ["", m.body]
    for code, th, en in p.skipped:
        lines.append(f"  ข้าม {code}: {th} / skipped {code}: {en}")
    return lines


def failure_lines(d: Delivery) -> list[str]:
    return [f"  ส่งไม่สำเร็จ {row['channel']} → {row['target']}: {REASON_TH.get(out.reason, out.reason)} "
            f"/ failed ({out.reason}): {out.detail or ''}" for row, out in d.failed]


# --- settings from the configuration ----------------------------------------------------------------------------

def policy_from_config(cfg) -> rules.Policy:
    """The reminder policy: the settings' district tab (แจ้งเตือนล่วงหน้า, งดส่งแจ้งเตือน) when the host has a
    settings file (`[paths] settings`), else khet.toml's [remind] (a district without a settings file)."""
    identity = _identity(cfg)
    if identity is None:
        return policy_of(cfg.remind_days_before, cfg.remind_quiet_hours)
    return policy_of(identity.remind_days_before, identity.remind_quiet_hours)


def remind_time(cfg) -> str:
    """When the daemon sends the day's reminders (Bangkok time): the settings' เวลาส่งแจ้งเตือน, else its default."""
    from workbook.settings import Identity

    identity = _identity(cfg)
    return Identity.model_fields["remind_at"].default if identity is None else identity.remind_at


def _identity(cfg):
    """The settings' district row when the host has a settings file (`[paths] settings`), else None."""
    if getattr(cfg, "settings", None) is None:
        return None
    from addin.settings import settings_or_fail

    return settings_or_fail(cfg.settings).identity


def policy_of(days_before: str, quiet_hours: str) -> rules.Policy:
    from datetime import time

    try:
        days = tuple(sorted({int(x) for x in str(days_before).replace(" ", "").split(",") if x}))
        start, _, end = str(quiet_hours).partition("-")
        quiet = (time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
    except ValueError as exc:
        raise RemindError("remind.policy", f"ตั้งค่าการแจ้งเตือนไม่ถูกต้อง: {exc}", f"invalid reminder setting: {exc}") from None
    return rules.Policy(days_before=days, quiet_start=quiet[0], quiet_end=quiet[1])


def smtp_from_config(cfg) -> SmtpSettings | None:
    if not cfg.smtp_host:
        return None
    return SmtpSettings(cfg.smtp_host, int(cfg.smtp_port), cfg.smtp_security, cfg.smtp_sender, cfg.smtp_user,
                        str(cfg.smtp_cafile) if cfg.smtp_cafile else None)


@dataclass
class RemindResult:
    plan: Plan
    delivery: Delivery | None
    exit_code: int


def remind_from_config(cfg, *, dry_run: bool = False, now: datetime | None = None,
                       say=print) -> RemindResult:
    """The whole `khet remind`: gather, plan, (unless dry-run) deliver; exit 0 all sent or nothing to send,
    1 some messages failed (they are retried next run), 2 nothing could be done."""
    from sync.registry import load_registry
    from sync.trackers import staff_workbook_path

    if cfg.registry is None:
        raise RemindError("remind.no_registry", "ยังไม่ได้ระบุทะเบียนโรงเรียน (paths.registry)",
                          "no school registry set (paths.registry)")
    registry = load_registry(cfg.registry)
    staff = staff_workbook_path(cfg.staff_workbook, cfg.registry)
    groups = line_groups(staff)
    smtp = smtp_from_config(cfg)
    use_line = bool(groups)
    with History(cfg.history_db) as history:
        now = now or datetime.now(TIMEZONE)
        statuses = last_statuses(history, now.astimezone(TIMEZONE).date())
        years = {int(y) for y in statuses["fiscal_year"].dropna()}
        p = plan(statuses, registry, groups, now=now, policy=policy_from_config(cfg),
                 email=smtp is not None, line=use_line, titles=report_titles(cfg),
                 year_sheets={fy: history.year_sheets(fy) for fy in years})
        for line_ in describe(p) if dry_run else describe(p)[:2]:
            say(line_)
        if dry_run:
            say("(ทดลอง: ไม่ได้ส่งและไม่ได้บันทึก / dry run: nothing sent or recorded)")
            return RemindResult(p, None, 0)
        if p.blocked_en:
            return RemindResult(p, None, 0)
        outbox = Outbox(history)
        mailer = Mailer(smtp) if smtp is not None else None
        line, line_problem = None, None
        if use_line:
            try:
                line = LineSender(endpoint=cfg.line_endpoint or None)
            except KhetError as exc:  # e-mail still goes; the LINE pushes wait in the outbox for the next run
                line_problem = exc
        with mailer or _Null(), line or _Null():
            d = deliver(p, outbox, mailer=mailer, line=line)
        if line_problem is not None:
            say(f"  LINE ไม่ได้ส่ง: {line_problem.message_th} / LINE not sent: {line_problem.message_en}")
    say(f"  ส่งแล้ว {d.sent}, ส่งไปแล้วก่อนหน้า {d.already}, ไม่สำเร็จ {len(d.failed)}; ข้อความใหม่ {d.new}, "
        f"ซ้ำกับที่บันทึกวันนี้แล้ว {d.repeats} / sent {d.sent}, already sent {d.already}, failed {len(d.failed)}")
    for line_ in failure_lines(d):
        say(line_)
    return RemindResult(p, d, 1 if d.failed or line_problem is not None else 0)


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


# --- copy-ready announcements (districts without an Official Account) -----------------------------------------

def announcements(statuses: pd.DataFrame, registry: Registry, groups: list[Group], *, day: date,
                  policy: rules.Policy, district: str = "", titles: dict[str, str] | None = None) -> list[dict]:
    """One text per network (and per LINE group when the groups tab names one) listing every school of it with
    something open today — for a person to paste into the group. Opted-out schools are left out."""
    items: dict[str, list[rules.Item]] = {}
    order = {k: i for i, k in enumerate(rules.KIND_ORDER)}
    for item in rules.items_of(statuses, day, policy, titles or TITLES):
        items.setdefault(item.school_code, []).append(item)
    schools = [s for s in registry.active() if s.remind and s.code in items]
    networks = sorted({s.network for s in schools})
    names = {g.network: g.name for g in groups}
    out = []
    for net in networks:
        sections = [line_section(s, sorted(items[s.code], key=lambda i: (order[i.kind], i.due or date.max)))
                    for s in sorted(schools, key=lambda s: s.code) if s.network == net]
        text = "\n\n".join([line_header(day, district, net), *sections,
                            "โรงเรียนที่ส่งแล้ว ขอบคุณค่ะ/ครับ — ส่งโดยระบบ Khet"])
        out.append({"network": net, "group_name": names.get(net, names.get("", "")), "text": text,
                    "schools": len(sections), "made_on": day})
    return out
