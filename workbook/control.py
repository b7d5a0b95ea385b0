"""The control tabs of the district Google Sheet: how staff requests reach the job host, and how the host
answers (see `sync/control`).

Two kinds of tab, both in the usual layout (row 1 Thai captions, row 2 English keys, data from row 3):
- one **requests tab per staff account**, ``คำขอ <account>``: the staff member's PC appends one row per
  request (the first five columns); the job host writes the outcome columns. The tab is protected so that only
  that account and the job host's service account can edit it, so the tab a row is in proves who wrote it.
- one **host status tab**, ``สถานะงานประมวลผล``: written by the host only (when it last polled, when it
  promises to poll again, the last run), read by every staff PC's pull button.
"""

from __future__ import annotations

from workbook.schema import ColType as T
from workbook.schema import Column, SheetDef

REQUESTS_PREFIX = "คำขอ "

REQUESTS = SheetDef(
    "control_requests", REQUESTS_PREFIX.strip(), "Requests to the job host", "staff",
    (
        Column("request_id", "รหัสคำขอ", T.TEXT, required=True, header_en="Request ID", width=26),
        Column("requested_by", "ผู้ขอ (บัญชี Google)", T.EMAIL, required=True, header_en="Requested by", width=28),
        Column("requested_at", "เวลาที่ขอ (UTC)", T.TEXT, required=True, header_en="Requested at", width=22),
        Column("kind", "ประเภทคำขอ", T.TEXT, required=True, header_en="Kind", width=18),
        Column("payload", "รายละเอียด (JSON)", T.TEXT, header_en="Payload", width=40),
        Column("status", "ผล", T.TEXT, computed=True, header_en="Status", width=12),
        Column("outcome_th", "คำตอบจากงานประมวลผล", T.TEXT, computed=True, header_en="Outcome (Thai)", width=50),
        Column("outcome_en", "คำตอบ (English)", T.TEXT, computed=True, header_en="Outcome (English)", width=40),
        Column("result", "ผลลัพธ์ (JSON)", T.TEXT, computed=True, header_en="Result", width=30),
        Column("handled_at", "เวลาที่ตอบ (UTC)", T.TEXT, computed=True, header_en="Handled at", width=22),
        Column("handled_id", "ตอบคำขอรหัส", T.TEXT, computed=True, header_en="Answer to request", width=26),
    ),
    description_th="คำขอจากเจ้าหน้าที่เขตถึงเครื่องประมวลผล หนึ่งแถวต่อหนึ่งคำขอ เครื่องประมวลผลเขียนผลในคอลัมน์ด้านขวา",
)
STAFF_COLUMNS = ("request_id", "requested_by", "requested_at", "kind", "payload")  # typed by the staff PC
OUTCOME_COLUMNS = tuple(k for k in REQUESTS.keys() if k not in STAFF_COLUMNS)  # written by the host

HOST_STATUS = SheetDef(
    "host_status", "สถานะงานประมวลผล", "Job host status", "staff",
    (
        Column("key", "รายการ (key)", T.TEXT, computed=True, header_en="Key", width=22),
        Column("caption", "รายการ", T.TEXT, computed=True, header_en="Item", width=36),
        Column("value", "ค่า", T.TEXT, computed=True, header_en="Value", width=40),
    ),
    read_only=True,
    description_th="เครื่องประมวลผลรายงานตัว: ตรวจคำขอล่าสุดเมื่อใด จะตรวจครั้งถัดไปภายในเมื่อใด และรอบประมวลผลล่าสุด",
)

# The host status rows, in order: key -> Thai caption.
STATUS_ITEMS: dict[str, str] = {
    "host_seen_at": "เครื่องประมวลผลตรวจคำขอล่าสุด (UTC)",
    "next_check_by": "จะตรวจคำขอครั้งถัดไปไม่เกิน (UTC)",
    "host": "เครื่องประมวลผล",
    "data_as_of": "ข้อมูลโรงเรียน ณ (เริ่มรอบล่าสุด, UTC)",
    "fiscal_year": "ปีงบประมาณของรอบล่าสุด",
    "last_run_id": "รอบประมวลผลล่าสุด",
    "last_run_ended_at": "รอบล่าสุดเสร็จเมื่อ (UTC)",
    "last_run_status": "ผลรอบล่าสุด",
    "last_run_message_th": "ข้อความรอบล่าสุด",
    "last_run_message_en": "ข้อความรอบล่าสุด (English)",
    "run_in_progress": "กำลังประมวลผลอยู่",
}


def requests_title(account: str) -> str:
    """The requests tab of one staff account (Google allows 100 characters in a tab title)."""
    return f"{REQUESTS_PREFIX}{account.strip().lower()}"


def account_of_title(title: str) -> str | None:
    """The account a requests tab belongs to, or None for any other tab."""
    if not title.startswith(REQUESTS_PREFIX):
        return None
    account = title[len(REQUESTS_PREFIX):].strip().lower()
    return account if "@" in account else None
