"""Approving or returning a school's report: the states, which decision may follow which, the correction deadline.

Pure rules over values; the history (``sync.approvals``) holds the decisions, the control channel
(``sync.control.approvals``) carries them from the staff workbook, the nightly job applies them.

The model is DHIS2's: approved data is locked until it is unapproved. A report the school has sent is
*waiting* (รอพิจารณา) until staff decide:

- **approve** (อนุมัติ) — from waiting, returned or corrected. The report's rows in the school's sheet are
  protected against the school's edits.
- **return** (ส่งกลับแก้ไข), with a reason — from waiting or corrected (an approved report is unapproved first:
  the lock comes off with a reason on record, then the report can be returned). The school gets a correction
  deadline: ``correction_workdays`` Thai working days after the return (a setting). Once the school changes the
  report the state is *corrected* (แก้ไขแล้ว รอพิจารณา); past the deadline unchanged, *correction overdue*.
- **unapprove** (ยกเลิกการอนุมัติ), with a reason — from approved only; the report is waiting again and its rows
  editable.

Two staff deciding the same report (issue 16): decisions are applied one at a time, oldest request first; each
one is checked against the state the earlier ones left. A request may also carry the state its sender saw
(``seen``); when the report has moved on since, it is refused naming who decided what and when — so a return
and an approval typed at the same moment never silently overrule each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from addin.status import TIMEZONE
from addin.thaidate import format_thai_date
from addin.workdays import add_workdays

APPROVE, RETURN, UNAPPROVE = "approve", "return", "unapprove"
ACTIONS = (APPROVE, RETURN, UNAPPROVE)
ACTION_TH = {APPROVE: "อนุมัติ", RETURN: "ส่งกลับแก้ไข", UNAPPROVE: "ยกเลิกการอนุมัติ"}
ACTION_EN = {APPROVE: "approved", RETURN: "returned for correction", UNAPPROVE: "unapproved"}

NOT_SENT, WAITING, APPROVED, RETURNED, CORRECTED, CORRECTION_OVERDUE = (
    "not_sent", "waiting", "approved", "returned", "corrected", "correction_overdue")
STATES = (NOT_SENT, WAITING, APPROVED, RETURNED, CORRECTED, CORRECTION_OVERDUE)
STATE_TH = {NOT_SENT: "ยังไม่ส่ง", WAITING: "รอพิจารณา", APPROVED: "อนุมัติแล้ว", RETURNED: "ส่งกลับแก้ไข",
            CORRECTED: "แก้ไขแล้ว รอพิจารณา", CORRECTION_OVERDUE: "เกินกำหนดแก้ไข"}
STATE_EN = {NOT_SENT: "not sent", WAITING: "waiting", APPROVED: "approved", RETURNED: "returned",
            CORRECTED: "corrected, waiting", CORRECTION_OVERDUE: "correction overdue"}
# The summary's three headline groups: a returned report (corrected or not) counts as returned until decided.
GROUP_OF = {WAITING: WAITING, CORRECTED: WAITING, APPROVED: APPROVED, RETURNED: RETURNED,
            CORRECTION_OVERDUE: RETURNED}
# What staff last decided, whatever the school or the calendar did since: two states in one class mean no staff
# decision came between them (the check of ``seen``).
DECIDED_AS = {NOT_SENT: WAITING, WAITING: WAITING, APPROVED: APPROVED, RETURNED: RETURNED, CORRECTED: RETURNED,
              CORRECTION_OVERDUE: RETURNED}
# The states a decision may start from (returned and correction overdue are the same decision state).
ALLOWED_FROM = {APPROVE: (WAITING, RETURNED, CORRECTED, CORRECTION_OVERDUE),
                RETURN: (WAITING, CORRECTED),
                UNAPPROVE: (APPROVED,)}
NEEDS_REASON = (RETURN, UNAPPROVE)
DEFAULT_CORRECTION_WORKDAYS = 5
BY_DECISION_TH = {"อนุมัติ": APPROVE, "ส่งกลับแก้ไข": RETURN, "ยกเลิกการอนุมัติ": UNAPPROVE}


@dataclass(frozen=True)
class Decision:
    """One decision as the history keeps it."""

    action: str
    decided_by: str
    decided_at: str          # ISO-8601 UTC, when the staff member made it
    reason: str = ""
    correction_due: date | None = None
    request_id: str = ""
    previous_state: str = ""


@dataclass(frozen=True)
class ApprovalState:
    state: str
    last: Decision | None = None          # the decision that made it (None: no decision yet)
    changed_since: bool = False           # the school changed the report after ``last``

    @property
    def th(self) -> str:
        return STATE_TH[self.state]

    @property
    def correction_due(self) -> date | None:
        return self.last.correction_due if self.last is not None and self.last.action == RETURN else None


class DecisionRefused(ValueError):
    """A decision that cannot follow the report's state: the reason in Thai and English."""

    def __init__(self, code: str, message_th: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_th, self.message_en = code, message_th, message_en


def current_state(submitted: bool, last: Decision | None, *, changed_since: bool = False,
                  today: date | None = None) -> ApprovalState:
    """A report's approval state from whether it counts as sent, its latest decision, and whether the school
    changed it after that decision."""
    if last is None or last.action == UNAPPROVE:
        return ApprovalState(WAITING if submitted else NOT_SENT, last, changed_since)
    if last.action == APPROVE:
        return ApprovalState(APPROVED, last, changed_since)
    if changed_since:
        return ApprovalState(CORRECTED, last, True)
    overdue = today is not None and last.correction_due is not None and today > last.correction_due
    return ApprovalState(CORRECTION_OVERDUE if overdue else RETURNED, last, False)


def correction_due(decided_on: date, workdays: int = DEFAULT_CORRECTION_WORKDAYS) -> date:
    """The last day to correct a report returned on ``decided_on``: that many Thai working days later."""
    return add_workdays(decided_on, workdays)


def _who(last: Decision | None) -> tuple[str, str]:
    if last is None:
        return "", ""
    try:
        when = datetime.fromisoformat(last.decided_at.replace("Z", "+00:00")).astimezone(TIMEZONE)
        th_when, en_when = f"{format_thai_date(when.date())} {when:%H:%M} น.", f"{when:%Y-%m-%d %H:%M} (Bangkok)"
    except ValueError:
        th_when = en_when = last.decided_at
    return (f" ({ACTION_TH[last.action]}โดย {last.decided_by} เมื่อ {th_when})",
            f" ({ACTION_EN[last.action]} by {last.decided_by} on {en_when})")


def check(action: str, now: ApprovalState, *, reason: str = "", seen: str | None = None) -> None:
    """Raise DecisionRefused when ``action`` cannot be taken on a report in state ``now`` (see the module)."""
    if action not in ACTIONS:
        raise DecisionRefused("decision.unknown", f"ไม่รู้จักผลการพิจารณา “{action}”", f"unknown decision '{action}'")
    if action in NEEDS_REASON and not reason.strip():
        raise DecisionRefused("decision.reason_missing", f"การ{ACTION_TH[action]}ต้องระบุเหตุผล",
                              f"a decision to {'return' if action == RETURN else 'unapprove'} needs a reason")
    th, en = _who(now.last)
    if now.state == NOT_SENT:
        raise DecisionRefused("decision.not_sent", "โรงเรียนยังไม่ได้ส่งรายงานนี้ จึงยังพิจารณาไม่ได้",
                              "the school has not sent this report, so there is nothing to decide yet")
    if seen is not None and DECIDED_AS.get(seen, seen) != DECIDED_AS[now.state]:
        raise DecisionRefused(
            "decision.state_changed",
            f"สถานะของรายงานเปลี่ยนไปแล้ว: ตอนที่ดูเป็น “{STATE_TH.get(seen, seen)}” ตอนนี้เป็น “{now.th}”{th} "
            "ดึงข้อมูลล่าสุดแล้วพิจารณาใหม่",
            f"the report changed state since you saw it: '{STATE_EN.get(seen, seen)}', now "
            f"'{STATE_EN[now.state]}'{en}; pull the latest data and decide again")
    if now.state in ALLOWED_FROM[action]:
        return
    if action == APPROVE:  # already approved
        raise DecisionRefused("decision.already_approved", f"รายงานนี้อนุมัติแล้ว{th}", f"already approved{en}")
    if action == RETURN and now.state == APPROVED:
        raise DecisionRefused("decision.unapprove_first",
                              f"รายงานนี้อนุมัติแล้ว{th} ถ้าต้องการส่งกลับแก้ไข ให้ยกเลิกการอนุมัติพร้อมเหตุผลก่อน",
                              f"the report is approved{en}; to return it, unapprove it with a reason first")
    if action == RETURN:
        due = f" กำหนดแก้ไข {now.correction_due.isoformat()}" if now.correction_due else ""
        raise DecisionRefused("decision.already_returned", f"รายงานนี้ส่งกลับแก้ไขแล้ว{th}{due} รอโรงเรียนแก้ไข",
                              f"already returned{en}; waiting for the school's correction")
    raise DecisionRefused("decision.not_approved", f"รายงานนี้ยังไม่ได้อนุมัติ (สถานะ “{now.th}”) จึงยกเลิกการอนุมัติไม่ได้",
                          f"the report is not approved (state '{STATE_EN[now.state]}'), so it cannot be unapproved")
