"""Request kinds for staff decisions on a school's report (issue 14) and staff overrides of a submission date.

- ``approve_report`` (อนุมัติรายงาน), ``return_report`` (ส่งกลับแก้ไข, with a reason), ``unapprove_report``
  (ยกเลิกการอนุมัติ, with a reason): checked against the report's state (``addin.approvals``) and recorded in
  the history's append-only ``decisions`` table with the staff account, the staff member's time, the reason, the
  state before and, for a return, the correction deadline (``correction_workdays`` Thai working days: the
  settings' district tab). The next run writes the outcome to the school's feedback and locks (or unlocks) the
  report's rows in the school's sheet (``sync.approvals``).
- ``override_submission`` (แก้วันที่ส่งรายงาน): one row of the staff workbook's บันทึกการรับรายงาน tab, sent from a
  staff PC; validated with that tab's definition, kept as the request, and applied by the next run like a row of
  the tab (``sync.tracking.apply_overrides``: who, when, why, the value before). The newest request for a report
  is the office's word on it: it replaces an earlier request, and a row of the tab for the same report.

Two staff on one report: requests are applied oldest first, each against the state the earlier ones left; a
decision that no longer fits is refused at its row naming who decided what and when (see ``addin.approvals``).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from addin import approvals as A
from addin.calendar import fiscal_year as fiscal_year_of
from addin.ontime import bangkok
from addin.settings import settings_or_fail
from addin.thaidate import format_thai_date
from sync.approvals import DecisionStore, sent_pairs
from sync.control.kinds import DONE, Outcome, Payload, Refused, Request, request_kind
from sync.history import parse_iso, utcnow
from sync.overrides import OverrideRow, overrides_from_grid
from workbook.reports import REPORTS_BY_KEY
from workbook.sheets import SUBMISSION_OVERRIDES

STATES_BY_TEXT = {**{s: s for s in A.STATES}, **{v: k for k, v in A.STATE_TH.items()}}


class Decide(Payload):
    school_code: str = Field(min_length=1, max_length=20)
    report: str = Field(min_length=1, max_length=200)      # report key or Thai title
    fiscal_year: int | None = Field(None, ge=2560, le=2700)  # BE; empty: the year of the request's date
    reason: str = Field("", max_length=1000)
    seen: str | None = None  # the approval state the sender saw (key or Thai label): refused if it moved on

    @field_validator("school_code")
    @classmethod
    def _code(cls, v: str) -> str:
        v = v.strip()
        if not v.isdigit():
            raise ValueError("school code must be digits / รหัสโรงเรียนต้องเป็นตัวเลข")
        return v.zfill(10)


def _day(req: Request) -> dt.date:
    """The staff member's business date: the request's time in Bangkok."""
    return bangkok(parse_iso(req.requested_at) or utcnow()).date()


def _settings(ctx):
    return settings_or_fail(getattr(ctx.cfg, "settings", None))


def _known_schools(ctx) -> set[str] | None:
    from pathlib import Path

    from sync.registry import load_registry

    path = getattr(ctx.cfg, "registry", None)
    if path is None or not Path(path).is_file():
        return None
    return {s.code for s in load_registry(path).schools}


def _report(ctx, text: str):
    reports = _settings(ctx).report_defs()
    for r in reports:
        if text.strip() in (r.key, r.title_th):
            return r
    names = ", ".join(r.title_th for r in reports)
    raise Refused(f"ไม่รู้จักรายงาน “{text}” (รายงานของเขต: {names})", f"unknown report '{text}'",
                  code="decision.unknown_report")


def decide(ctx, req: Request, p: Decide, action: str) -> Outcome:
    known = _known_schools(ctx)
    if known is not None and p.school_code not in known:
        raise Refused(f"ไม่มีโรงเรียนรหัส {p.school_code} ในทะเบียนโรงเรียน", f"no school {p.school_code} in the registry",
                      code="decision.unknown_school")
    report = _report(ctx, p.report)
    today = _day(req)
    fy = p.fiscal_year or fiscal_year_of(today)
    seen = None
    if p.seen is not None and p.seen.strip():
        seen = STATES_BY_TEXT.get(p.seen.strip())
        if seen is None:
            raise Refused(f"ไม่รู้จักสถานะ “{p.seen}”", f"unknown state '{p.seen}'", code="decision.unknown_state")
    h = ctx.store.history
    store = DecisionStore(h)
    sent = (p.school_code, report.key) in sent_pairs(h, fy) | pending_overrides(ctx.store, fy)
    now = store.state(p.school_code, report.key, fy, sent=sent, today=today)
    try:
        A.check(action, now, reason=p.reason, seen=seen)
    except A.DecisionRefused as exc:
        raise Refused(exc.message_th, exc.message_en, code=exc.code) from None
    due = A.correction_due(today, _settings(ctx).identity.correction_workdays) if action == A.RETURN else None
    decision_id = store.record(school_code=p.school_code, report_key=report.key, fiscal_year=fy, action=action,
                               reason=p.reason.strip(), decided_by=req.account, decided_at=req.requested_at,
                               request_id=req.request_id, previous_state=now.state, correction_due=due)
    after = store.state(p.school_code, report.key, fy, sent=True, today=today)
    th = f"{A.ACTION_TH[action]} “{report.title_th}” ของโรงเรียน {p.school_code} ปี {fy} แล้ว"
    en = f"{report.key} of school {p.school_code}, {fy}: {A.ACTION_EN[action]}"
    if due is not None:
        th += f" ให้แก้ไขภายใน {format_thai_date(due)}"
        en += f"; to be corrected by {due.isoformat()}"
    later = " (กำลังประมวลผลอยู่ จึงมีผลในรอบถัดไป)" if ctx.run_in_progress() else ""
    lock_th, lock_en = {A.APPROVE: ("และล็อกแถวของรายงานในชีตโรงเรียน", " and the lock of its rows"),
                        A.UNAPPROVE: ("และปลดล็อกแถวของรายงานในชีตโรงเรียน", " and the unlock of its rows")}.get(action, ("", ""))
    th += f" — แจ้งโรงเรียน{lock_th}ในรอบประมวลผลถัดไป{later}"
    en += (f" — the school's feedback{lock_en} follow at the next run"
           f"{' (a run is in progress: the one after it)' if later else ''}")
    return Outcome.done(th, en, {"decision_id": decision_id, "school_code": p.school_code, "report_key": report.key,
                                 "fiscal_year": fy, "previous_state": now.state, "state": after.state,
                                 "correction_due": due.isoformat() if due else None})


@request_kind("approve_report", "อนุมัติรายงาน", Decide, help_th="อนุมัติรายงานที่โรงเรียนส่งแล้ว (ล็อกแถวของรายงานนั้น)")
def approve_report(ctx, req: Request, p: Decide) -> Outcome:
    return decide(ctx, req, p, A.APPROVE)


@request_kind("return_report", "ส่งกลับแก้ไข", Decide, help_th="ส่งรายงานกลับให้โรงเรียนแก้ไข พร้อมเหตุผล")
def return_report(ctx, req: Request, p: Decide) -> Outcome:
    return decide(ctx, req, p, A.RETURN)


@request_kind("unapprove_report", "ยกเลิกการอนุมัติ", Decide, help_th="ยกเลิกการอนุมัติ พร้อมเหตุผล (ปลดล็อกแถว)")
def unapprove_report(ctx, req: Request, p: Decide) -> Outcome:
    return decide(ctx, req, p, A.UNAPPROVE)


KIND_OF_ACTION = {A.APPROVE: "approve_report", A.RETURN: "return_report", A.UNAPPROVE: "unapprove_report"}


# --- overrides of a submission date ------------------------------------------------------------------------------

class Override(Payload):
    school_code: str = Field(min_length=1, max_length=20)
    report: str = Field(min_length=1, max_length=200)
    fiscal_year: int = Field(ge=2560, le=2700)
    received_on: str = Field(min_length=1, max_length=40)   # as the tab's date cell takes it (BE or ISO)
    channel: str = Field(min_length=1, max_length=100)
    reference: str = Field("", max_length=100)
    reason: str = Field(min_length=1, max_length=500)


def override_row(p: dict, account: str, requested_at: str, known: set[str] | None) -> OverrideRow:
    """A request's payload as a row of the overrides tab, through that tab's own validation."""
    keys = SUBMISSION_OVERRIDES.keys()
    recorded_on = bangkok(parse_iso(requested_at) or utcnow()).date().isoformat()
    report = REPORTS_BY_KEY.get(str(p.get("report", "")).strip())
    row = {**p, "recorded_by": account, "recorded_on": recorded_on,
           **({"report": report.title_th} if report else {})}
    grid = [SUBMISSION_OVERRIDES.headers_th(), [row.get(k, "") for k in keys]]
    rows, findings = overrides_from_grid(grid, known if known is not None else {str(p.get("school_code", ""))})
    errors = [f for f in findings if f.severity == "error"]
    if errors or not rows:
        raise Refused("บันทึกการรับรายงานไม่ถูกต้อง: " + "; ".join(f"{f.column}: {f.message_th}" for f in errors),
                      "invalid override: " + "; ".join(f"{f.column}: {f.message_en}" for f in errors),
                      code="override.invalid")
    return rows[0]


@request_kind("override_submission", "แก้วันที่ส่งรายงาน", Override,
              help_th="บันทึกว่าเขตได้รับรายงานทางช่องทางอื่น (กระดาษ อีเมล e-office) หรือแก้วันที่ส่งที่ผิด")
def override_submission(ctx, req: Request, p: Override) -> Outcome:
    r = override_row(p.model_dump(), req.account, req.requested_at, _known_schools(ctx))
    return Outcome.done(
        f"บันทึกการรับรายงาน “{p.report}” ของโรงเรียน {r.school_code} วันที่ {r.received_on.isoformat()} แล้ว "
        "มีผลในรอบประมวลผลถัดไป", f"override of {r.report_key} for {r.school_code} ({r.received_on.isoformat()}) "
        "recorded; applied at the next run", {"school_code": r.school_code, "report_key": r.report_key,
                                               "fiscal_year": r.fiscal_year, "received_on": r.received_on.isoformat()})


def request_overrides(store, known: set[str] | None = None) -> list[OverrideRow]:
    """The overrides staff sent through the channel (done requests), newest per report only."""
    out: dict[tuple[str, str, int], OverrideRow] = {}
    for q in store.requests(kind="override_submission"):
        if (q["outcome"] or {}).get("status") != DONE:
            continue
        try:
            r = override_row(q["payload"], q["account"], q["requested_at"], known)
        except Refused:
            continue  # refused then, or its school left the registry since
        out[(r.school_code, r.report_key, r.fiscal_year)] = r
    return list(out.values())


def pending_overrides(store, fiscal_year: int) -> set[tuple[str, str]]:
    """(school, report) pairs dated by an override request (before any run applied it)."""
    return {(r.school_code, r.report_key) for r in request_overrides(store) if r.fiscal_year == fiscal_year}


def merge_overrides(tab: list[OverrideRow], sent: list[OverrideRow]) -> list[OverrideRow]:
    """The tab's rows and the requests' together: a request replaces the tab's row for the same report."""
    pairs = {(r.school_code, r.report_key, r.fiscal_year) for r in sent}
    return [r for r in tab if (r.school_code, r.report_key, r.fiscal_year) not in pairs] + sent
