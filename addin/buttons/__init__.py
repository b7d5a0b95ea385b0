"""The staff workbook's buttons: one module per button, each with `run(book)` and a thin `main()`.

`BUTTONS` is the one list the ribbon, the VBA macros and the tests are generated from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    key: str  # module name under addin.buttons (ASCII)
    macro: str  # the VBA Sub the ribbon calls (ASCII)
    label_th: str
    label_en: str
    group: str  # ribbon group key, see GROUPS
    image: str  # a built-in Office icon (imageMso)
    tip_th: str

    @property
    def module(self) -> str:
        return f"addin.buttons.{self.key}"

    @property
    def run_python(self) -> str:
        """The command VBA's RunPython executes for this button."""
        return f"import {self.module}; {self.module}.main()"


GROUPS: dict[str, str] = {
    "check": "ตรวจและปรับปรุง",
    "schools": "ข้อมูลจากโรงเรียน",
}

BUTTONS: tuple[Button, ...] = (
    Button("validate", "KhetValidate", "ตรวจชีตนี้", "Validate sheet", "check", "DataValidation",
           "ตรวจข้อมูลในชีตที่เปิดอยู่ ระบายสีเซลล์ที่ผิด และเขียนรายการลงชีตข้อค้นพบ"),
    Button("send_settings", "KhetSendSettings", "ส่งค่าตั้ง", "Send settings", "check", "PropertySheet",
           "ตรวจแท็บตั้งค่าของเขต แล้วส่งให้เครื่องประมวลผลใช้ตั้งแต่รอบถัดไป และปรับชีตโรงเรียนทุกแห่งตามค่าตั้งใหม่"),
    Button("refresh", "KhetRefresh", "ปรับกำหนดส่งและสถานะ", "Refresh deadlines", "check", "Refresh",
           "คำนวณวันเริ่ม กำหนดเสร็จ สถานะ และวันคงเหลือ ในปฏิทินและชีตติดตามใหม่"),
    Button("pull", "KhetPull", "ดึงข้อมูลล่าสุด", "Pull latest", "schools", "RefreshAll",
           "ดึงผลการประมวลผลล่าสุด (การส่งรายงาน สรุปภาพรวม ข้อค้นพบ) จากฐานข้อมูลประวัติ"),
    Button("sync_now", "KhetSyncNow", "ประมวลผลตอนนี้", "Run sync now", "schools", "MacroPlay",
           "อ่านชีตของทุกโรงเรียนและประมวลผลทันที (ไม่ต้องรอรอบกลางคืน)"),
    Button("report", "KhetReport", "สร้างรายงานเขต", "District report", "schools", "FileSave",
           "สร้างไฟล์รายงานสรุปของเขตจากข้อมูลล่าสุด"),
    Button("decide", "KhetDecide", "ส่งผลการพิจารณา", "Send decisions", "schools", "ReviewAcceptChange",
           "ส่งแถวใหม่ในแท็บพิจารณารายงาน (อนุมัติ / ส่งกลับแก้ไข / ยกเลิกการอนุมัติ) ถึงงานประมวลผล แล้วเขียนผลในแถว"),
    Button("provision", "KhetProvision", "สร้างชีตโรงเรียน", "Provision schools", "schools", "TableInsert",
           "สร้าง Google Sheet ให้โรงเรียนในทะเบียนที่ยังไม่มีชีต แล้วเติมรหัสสเปรดชีต"),
)
