"""The service standards the district is assessed on (seed 004, the Policy and Planning group's ITA service
guide): every service as a chain of steps, each step with its standard as the manual writes it, its channels
and its fee. This is data only; `addin.services` reads each standard with the timing engine (working days,
minutes, a calendar window, "continuous") and chains the due dates from each step's actual completion.

Transcription decisions:
- Each step's standard is the manual's own phrase (`๔ วัน`, `ภายในเดือนมกราคม ของทุกปี`, `ตลอดเวลา`), so a
  district can compare it with its printed guide word for word; day counts are working days, as in every
  Thai government service standard.
- The monitoring service's step (๓) is printed twice in the guide (a table repeated over a page break); it
  is one step here.
- A step whose time is relative to an event the district does not record (before the e-MES system closes)
  or that runs continuously (`ตลอดเวลา`) has no standard: it counts in no on-standard share.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_FEE_TH = "ไม่มีค่าธรรมเนียม"
AMSS = "ระบบ AMSS++ ของเขต"
WEB = "เว็บไซต์ของเขต"
LINE_PLAN = "Line Group กลุ่มนโยบายและแผน"
LINE_STAFF = "กลุ่มไลน์บุคลากรของเขต"
OFFICE = "สำนักงานเขตพื้นที่ (ติดต่อด้วยตนเอง)"
PLAN_GROUP = "กลุ่มนโยบายและแผน"
MY_OFFICE = "ระบบสำนักงานอิเล็กทรอนิกส์ (My Office)"


@dataclass(frozen=True)
class Step:
    title_th: str
    standard_th: str                 # the step's time as the manual writes it
    channels: tuple[str, ...] = (OFFICE,)
    fee_baht: int = 0

    @property
    def fee_th(self) -> str:
        return NO_FEE_TH if self.fee_baht == 0 else f"{self.fee_baht:,} บาท"


@dataclass(frozen=True)
class Service:
    key: str
    work_th: str                     # the work (งาน) of the group the service belongs to
    title_th: str
    title_en: str
    steps: tuple[Step, ...]


SERVICES: tuple[Service, ...] = (
    Service(
        "school_plans", "งานนโยบายและแผน",
        "การทบทวนแผนพัฒนาคุณภาพการศึกษา ระยะ 5 ปี และการจัดทำแผนปฏิบัติการประจำปีของสถานศึกษา",
        "Schools' 5-year plan review and annual action plan",
        (
            Step("ประชาสัมพันธ์เอกสารแผนพัฒนาคุณภาพการศึกษา ระยะ 5 ปี และแผนปฏิบัติการประจำปีงบประมาณของเขต",
                 "ภายในเดือนมกราคม ของทุกปี", (AMSS, WEB, LINE_PLAN)),
            Step("แจ้งสถานศึกษาทบทวนทิศทาง แผนพัฒนาคุณภาพฯ ระยะ 5 ปี และจัดทำแผนปฏิบัติการประจำปี "
                 "(พร้อมเครื่องมือ SWOT: C-PEST และ 7S และเครื่องมือวางแผนรายรับ)",
                 "ภายในเดือนกุมภาพันธ์ ของทุกปี", (AMSS, WEB, LINE_PLAN)),
            Step("ให้คำแนะนำ สนับสนุน ช่วยเหลือสถานศึกษาในการทบทวนแผนและจัดทำแผนปฏิบัติการ", "ตลอดเวลา",
                 (PLAN_GROUP, LINE_PLAN, "โทรศัพท์ของผู้รับผิดชอบ")),
            Step("สถานศึกษาส่งแผนปฏิบัติการประจำปีการศึกษา (ไฟล์ PDF หรือรูปเล่มฉบับจริง)",
                 "ภายในเดือนพฤษภาคม ของทุกปี", (PLAN_GROUP, AMSS, LINE_PLAN)),
            Step("ประเมินแผนปฏิบัติการของสถานศึกษา", "เดือนมิถุนายนถึงกันยายน ของทุกปี", (PLAN_GROUP,)),
            Step("แจ้งผลการประเมินแผนปฏิบัติการให้สถานศึกษาทราบและนำไปปรับปรุงแผนปีการศึกษาถัดไป",
                 "ภายในเดือนธันวาคม ของทุกปี", (AMSS, WEB, LINE_PLAN)),
        ),
    ),
    Service(
        "budget_request", "งานวิเคราะห์งบประมาณ",
        "การจัดตั้งและเสนอของบประมาณ", "Budget request (annual or urgent)",
        (
            Step("เขตพื้นที่แจ้งนโยบาย แผนพัฒนามาตรฐานการศึกษาขั้นพื้นฐาน หลักเกณฑ์และวิธีการจัดตั้งงบประมาณ",
                 "๑ วัน", (AMSS, LINE_PLAN)),
            Step("สถานศึกษาจัดทำคำของบประมาณ เสนอสำนักงานเขตพื้นที่การศึกษา", "๔ วัน", (AMSS, LINE_PLAN)),
            Step("คณะกรรมการจัดทำและเสนอของบประมาณ วิเคราะห์ความเหมาะสม", "๑ วัน"),
            Step("เขตพื้นที่และสถานศึกษาร่วมกันกำหนดเป้าหมายและผลผลิตทั้งเชิงปริมาณและเชิงคุณภาพ", "๒ วัน"),
            Step("จัดทำคำของบประมาณประจำปี", "๑ วัน", (AMSS, LINE_PLAN)),
            Step("คณะกรรมการเขตพื้นที่การศึกษาเห็นชอบรายละเอียดการเสนอขอจัดตั้งงบประมาณ", "๑ วัน"),
            Step("แจ้งผลการพิจารณาอนุมัติและเห็นชอบของผู้บังคับบัญชาให้สถานศึกษารับทราบ", "๑ วัน"),
            Step("เขตพื้นที่ติดตาม ประเมินผล และรายงานต่อ สพฐ.", "๕ วัน", ("สถานศึกษาในสังกัด", "เว็บไซต์ของ สพฐ.")),
        ),
    ),
    Service(
        "resource_mobilisation", "งานวิเคราะห์งบประมาณ",
        "การระดมทรัพยากรทางการศึกษาจากหน่วยงานอื่น", "Resource mobilisation from outside bodies",
        (
            Step("ประสานการขอรับการสนับสนุนงบประมาณจากหน่วยงานภายนอกสำหรับโครงการของสถานศึกษา", "๑ วัน",
                 ("ติดต่อโดยตรง", "ทางโทรศัพท์")),
            Step("วิเคราะห์งาน/โครงการ/กิจกรรมที่สถานศึกษาเสนอ มิให้ซ้ำซ้อนกับงบที่ได้รับจัดสรร", "๑ วัน"),
            Step("เสนอผู้บังคับบัญชาผู้มีอำนาจพิจารณาอนุมัติและเห็นชอบ", "๑ วัน"),
            Step("แจ้งผลการพิจารณาให้สถานศึกษารับทราบเพื่อประสานหน่วยงานภายนอกต่อไป", "๑ วัน", (AMSS, LINE_PLAN)),
            Step("รวบรวมข้อมูลการขอรับการสนับสนุนของสถานศึกษาที่ระดมทรัพยากรจากหน่วยงานภายนอก", "๑ วัน"),
        ),
    ),
    Service(
        "policy_monitoring", "งานติดตามประเมินผลและรายงาน",
        "การติดตามและรายงานผลการดำเนินงานตามนโยบายและกลยุทธ์ของ สพฐ.",
        "Monitoring and reporting on OBEC policy and strategy",
        (
            Step("ศึกษา วิเคราะห์นโยบาย กลยุทธ์ และแผนปฏิบัติการประจำปีของ ศธ. สพฐ. จังหวัด เขตพื้นที่และสถานศึกษา",
                 "กันยายน - ตุลาคม"),
            Step("จัดทำแผนกำกับ ติดตามแผนปฏิบัติการประจำปีของเขต และแผนติดตามงานตามกลยุทธ์และนโยบาย",
                 "ตุลาคม - พฤศจิกายน"),
            Step("จัดประชุมมอบหมายตัวชี้วัด/ประเด็นการพิจารณา พร้อมแจ้งปฏิทินการติดตามและรายงานที่ สพฐ. กำหนด",
                 "มกราคม - มีนาคม"),
            Step("แต่งตั้งคณะกรรมการกำกับ ติดตาม และรายงานผลการดำเนินงานประจำปีงบประมาณ", "มีนาคม - เมษายน"),
            Step("กำกับ ติดตามการรายงานผลในระบบ e-MES ตามตัวชี้วัด/ประเด็นการพิจารณาที่ สพฐ. กำหนด",
                 "ตามกรอบระยะเวลาการรายงานที่ สพฐ.กำหนด (รอบ ๖ เดือน/๑๒ เดือน)",
                 ("ระบบ e-MES ของ สพฐ.", "ประสานโดยตรงกับผู้รับผิดชอบ")),
            Step("รายงานผลการกำกับ ติดตามของเขตต่อผู้บังคับบัญชา", "ก่อนระบบปิดอย่างน้อย ๓ วัน และหลังจากระบบปิด",
                 (LINE_STAFF,)),
            Step("แจ้งผลการประเมินให้ผู้บังคับบัญชาและบุคลากรทราบ เพื่อปรับใช้ในปีงบประมาณต่อไป", "ธันวาคม - มกราคม",
                 (MY_OFFICE, AMSS, LINE_STAFF)),
        ),
    ),
    Service(
        "records_office", "งานธุรการ",
        "งานสารบรรณ (รับ-ส่งหนังสือราชการ)", "Records office (official letters in and out)",
        (
            Step("ใช้ระบบเครือข่ายเทคโนโลยีสารสนเทศและการสื่อสารรับ-ส่งหนังสือราชการ", "๕ นาที"),
            Step("รับ-ส่งหนังสือราชการตามระบบที่กำหนด (My Office และ AMSS++)", "ตลอดเวลา", (MY_OFFICE, AMSS)),
            Step("แจ้งผู้เกี่ยวข้อง: ลงทะเบียนรับ เสนอผู้อำนวยการกลุ่มมอบหมาย จัดทำหนังสือ ตรวจสอบ และเสนอผู้มีอำนาจลงนาม",
                 "๕ นาที"),
            Step("ตรวจสอบการรับ-ส่งหนังสือราชการทางเว็บไซต์และควบคุมการส่งหนังสือของกลุ่ม", "๕ นาที", (AMSS,)),
            Step("ออกแบบและพัฒนาระบบงานสารบรรณให้เหมาะสมกับเขตพื้นที่", "ตลอดเวลา"),
            Step("สรุปและประเมินผลการใช้ระบบรับ-ส่งหนังสือราชการเพื่อปรับปรุงแก้ไข", "ภายในเดือนธันวาคม ของทุกปี"),
        ),
    ),
)

SERVICES_BY_TITLE: dict[str, Service] = {s.title_th: s for s in SERVICES}
SERVICES_BY_KEY: dict[str, Service] = {s.key: s for s in SERVICES}
MAX_STEPS = max(len(s.steps) for s in SERVICES)
