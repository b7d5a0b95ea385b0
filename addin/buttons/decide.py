"""Button "ส่งผลการพิจารณา": send each new row of the พิจารณารายงาน tab to the job host as a decision request
(`khet office request approve_report|return_report|unapprove_report --payload … --json`), and write its request
ID, the account that sent it and the host's answer into the row.

A row is new while its request-ID cell is empty; a sent row is never sent again (the ID is the request's
idempotency key on the host), so pressing the button twice is harmless. A row the tab's own validation rejects
(an unknown report, a school code that is not ten digits) is not sent: its answer cell says why. The state the
staff member saw — the ผลการพิจารณา column of the การส่งรายงาน tab as the last "ดึงข้อมูลล่าสุด" left it — goes with
the request, so a colleague's decision made in between is caught instead of overruled (addin.approvals).
On the job host (a single-PC district) the answer is immediate; from a staff PC the row says "ส่งแล้ว" and the
answer arrives with "ดึงข้อมูลล่าสุด".
"""

from __future__ import annotations

import json

import xlwings as xw

from addin.approvals import BY_DECISION_TH
from addin.cells import is_blank
from addin.excel import Table, UserError, run_button, run_khet, table, tell, validate_table
from addin.validation.normalize import as_text
from workbook.sheets import REPORT_DECISIONS

KIND = {"approve": "approve_report", "return": "return_report", "unapprove": "unapprove_report"}
ANSWER_TH = {"done": "เสร็จแล้ว", "refused": "ไม่รับคำขอ", "failed": "ทำไม่สำเร็จ", "sent": "ส่งแล้ว รอคำตอบ",
             "waiting": "รอ", "accepted": "รับแล้ว"}
NOT_SENT_TH = "ไม่ได้ส่ง"


def _text(value) -> str:
    return "" if is_blank(value) else as_text(value).strip()


def seen_states(book: xw.Book) -> dict[tuple[str, str, str], str]:
    """(school code, report title, fiscal year) → the approval state the การส่งรายงาน tab shows, if it has one."""
    tab = table(book, "submissions")
    if tab is None or "approval_th" not in tab.columns:
        return {}
    return {(_text(r.get("school_code")).zfill(10), _text(r.get("report")), _text(r.get("fiscal_year"))):
            _text(r.get("approval_th")) for r in tab.records() if _text(r.get("approval_th"))}


def pending(tab: Table) -> tuple[list[dict], dict[int, str]]:
    """The new rows to send, and (by row) why a new row the tab's validation rejects is not sent."""
    res = validate_table(REPORT_DECISIONS, tab.grid, first_row=1)
    why: dict[int, str] = {}
    for f in res.findings:
        if f.severity == "error" and f.row is not None:
            why.setdefault(int(f.row), f"{f.column}: {f.message_th}")
    send, rejected = [], {}
    for rec in tab.records():
        if _text(rec.get("request_id")) or all(is_blank(rec.get(k)) for k in ("school_code", "report", "decision")):
            continue
        if rec["_row"] in why:
            rejected[rec["_row"]] = why[rec["_row"]]
        else:
            send.append(rec)
    return send, rejected


def payload(rec: dict, seen: dict[tuple[str, str, str], str]) -> tuple[str, dict]:
    action = BY_DECISION_TH[_text(rec.get("decision"))]
    code, report, fy = _text(rec.get("school_code")).zfill(10), _text(rec.get("report")), _text(rec.get("fiscal_year"))
    out = {"school_code": code, "report": report, "fiscal_year": int(float(fy)) if fy else None,
           "reason": _text(rec.get("reason"))}
    if (code, report, fy) in seen:
        out["seen"] = seen[(code, report, fy)]
    return KIND[action], out


def send(book: xw.Book, kind: str, body: dict) -> dict:
    out = run_khet(book, ["office", "request", kind, "--payload", json.dumps(body, ensure_ascii=False), "--json"])
    if not isinstance(out, dict):
        return {"status": "failed", "message_th": "ไม่มีคำตอบ", "message_en": "no answer"}
    if "error" in out:  # refused before sending (a payload the kind's model does not take)
        err = out["error"] or {}
        return {"status": "refused", "message_th": err.get("message_th", ""), "message_en": err.get("message_en", "")}
    return out


def run(book: xw.Book) -> list[dict]:
    tab = table(book, REPORT_DECISIONS.key)
    if tab is None:
        raise UserError(f"ไม่พบชีต “{REPORT_DECISIONS.title_th}” ในสมุดงานนี้", "The report decisions sheet is missing.")
    rows, rejected = pending(tab)
    if not rows and not rejected:
        tell(book, "ไม่มีแถวใหม่ที่ต้องส่ง (แถวที่มีรหัสคำขอแล้วส่งไปแล้ว)", "No new decision rows to send.")
        return []
    seen = seen_states(book)
    answers = []
    for rec in rows:
        kind, body = payload(rec, seen)
        out = send(book, kind, body)
        answers.append({**out, "_row": rec["_row"]})
        due = (out.get("result") or {}).get("correction_due")
        cells = {"request_id": out.get("request_id", ""), "decided_by": out.get("account", ""),
                 "outcome": ANSWER_TH.get(out.get("status", ""), out.get("status", "")),
                 "outcome_message": out.get("message_th", ""), "correction_due": due}
        for key, value in cells.items():
            if value:
                tab.write_column(key, [value], first_row=rec["_row"])
    for row, why in rejected.items():
        tab.write_column("outcome", [NOT_SENT_TH], first_row=row)
        tab.write_column("outcome_message", [f"ไม่ได้ส่ง: {why}"], first_row=row)
    done = sum(a.get("status") in ("done", "sent") for a in answers)
    refused = [a for a in answers if a.get("status") not in ("done", "sent")]
    th = f"ส่งผลการพิจารณา {len(answers)} แถว: รับแล้ว {done}"
    en = f"{len(answers)} decisions sent: {done} taken"
    if refused:
        th += f", ไม่รับ {len(refused)}: " + "; ".join(f"แถว {a['_row']} {a.get('message_th', '')}" for a in refused[:5])
        en += f", {len(refused)} refused"
    if rejected:
        th += f"\nไม่ได้ส่ง {len(rejected)} แถว (ข้อมูลในแถวไม่ถูกต้อง ดูคอลัมน์คำตอบ)"
        en += f"; {len(rejected)} rows not sent (invalid)"
    tell(book, th, en)
    return answers


def main() -> None:
    run_button("ส่งผลการพิจารณา", run)
