"""Every sheet Khet knows — the school workbook's tabs and the staff workbook's tabs — defined once.

This is the only place columns are listed. A column used on several sheets (school code, budget categories,
dates…) is one `Column` object reused, so its header, type and limits cannot drift apart.
"""

from __future__ import annotations

from workbook.reports import REPORT_TITLES_TH
from workbook.schema import DIRECTIONS, ColType, Column, SheetDef, TableRule
from workbook.services import MAX_STEPS, SERVICES

T = ColType

# --- shared vocabularies -------------------------------------------------------------------------------------

BUDGET_SOURCES = (
    "เงินงบประมาณ",
    "เงินอุดหนุนรายหัว",
    "เงินรายได้สถานศึกษา",
    "เงินนอกงบประมาณ",
    "เงินระดมทรัพยากร",
    "อื่น ๆ",
)
# OBEC policy areas (นโยบาย สพฐ. 2568–2569) a project aligns with.
OBEC_POLICIES = ("ด้านความปลอดภัย", "ด้านโอกาส", "ด้านคุณภาพ", "ด้านประสิทธิภาพ")
DISTRICT_STRATEGIES = tuple(f"กลยุทธ์ที่ {n}" for n in range(1, 7))
SCHOOL_SIZES = ("ขนาดเล็ก", "ขนาดกลาง", "ขนาดใหญ่", "ขนาดใหญ่พิเศษ")
QUARTERS = ("1", "2", "3", "4")
KPI_ROUNDS = ("6 เดือน", "12 เดือน")
PROJECT_STATUSES = ("ยังไม่เริ่ม", "กำลังดำเนินการ", "ดำเนินการแล้วเสร็จ", "ล่าช้ากว่าแผน", "ยกเลิก")
FOLLOWUP_STATUSES = ("ยังไม่ดำเนินการ", "อยู่ระหว่างดำเนินการ", "ดำเนินการแล้ว")
REQUEST_TYPES = ("คำขอรับงบประมาณ", "ระดมทรัพยากร")
REQUEST_SOURCES = ("สพฐ./เขตพื้นที่", "องค์กรปกครองส่วนท้องถิ่น", "ภาคเอกชน/มูลนิธิ", "ชุมชน/ผู้ปกครอง",
                   "หน่วยงานอื่น")
WORK_GROUPS = (
    "กลุ่มอำนวยการ",
    "กลุ่มนโยบายและแผน",
    "กลุ่มบริหารงานการเงินและสินทรัพย์",
    "กลุ่มบริหารงานบุคคล",
    "กลุ่มส่งเสริมการจัดการศึกษา",
    "กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษา",
    "กลุ่มพัฒนาครูและบุคลากรทางการศึกษา",
    "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร",
    "กลุ่มกฎหมายและคดี",
    "หน่วยตรวจสอบภายใน",
)
INSPECTION_ROUNDS = ("รอบที่ 1", "รอบที่ 2")
FINDING_SEVERITIES = ("error", "warning")

FY_MIN, FY_MAX = 2560, 2700  # fiscal years (BE) accepted anywhere

# --- columns shared by several sheets ------------------------------------------------------------------------

SCHOOL_CODE = Column("school_code", "รหัสโรงเรียน", T.SCHOOL_CODE, required=True,
                     aliases=("รหัสสถานศึกษา", "รหัสโรงเรียน 10 หลัก"), header_en="School code",
                     help_th="รหัส 10 หลักของ สพฐ. เช่น 1020080005 (พิมพ์เลข 0 นำหน้าได้)")
SCHOOL_NAME = Column("school_name", "ชื่อโรงเรียน", T.TEXT, required=True, aliases=("ชื่อสถานศึกษา",),
                     max_length=200, header_en="School name", width=32)
NETWORK = Column("network", "เครือข่าย/สหวิทยาเขต", T.TEXT, aliases=("เครือข่าย", "สหวิทยาเขต"),
                 max_length=100, header_en="Network", width=22)
SIZE = Column("size", "ขนาดโรงเรียน", T.CHOICE, choices=SCHOOL_SIZES, header_en="Size")
FISCAL_YEAR = Column("fiscal_year", "ปีงบประมาณ", T.INTEGER, required=True, aliases=("ปีงบประมาณ พ.ศ.",),
                     min=FY_MIN, max=FY_MAX, header_en="Fiscal year (BE)", width=12, display_format="0",
                     help_th="ปี พ.ศ. ที่ปีงบประมาณสิ้นสุด เช่น 2569 (1 ต.ค. 2568 – 30 ก.ย. 2569)")
PROJECT_CODE = Column("project_code", "รหัสโครงการ", T.TEXT, required=True, max_length=20,
                      header_en="Project code", width=14, help_th="รหัสที่โรงเรียนกำหนดเอง เช่น P01 ใช้ซ้ำในทุกไตรมาส")
PROJECT_NAME = Column("project_name", "ชื่อโครงการ", T.TEXT, required=True, max_length=300,
                      header_en="Project name", width=40)
OBEC_POLICY = Column("obec_policy", "นโยบาย สพฐ.", T.CHOICE, choices=OBEC_POLICIES,
                     aliases=("สอดคล้องนโยบาย สพฐ.",), header_en="OBEC policy area")
DISTRICT_STRATEGY = Column("district_strategy", "กลยุทธ์ของเขต", T.CHOICE, choices=DISTRICT_STRATEGIES,
                           aliases=("สอดคล้องกลยุทธ์เขต", "กลยุทธ์ สพท."), header_en="District strategy")
BUDGET_SOURCE = Column("budget_source", "แหล่งงบประมาณ", T.CHOICE, choices=BUDGET_SOURCES,
                       aliases=("แหล่งเงิน",), header_en="Budget source")
BUDGET_CATEGORY_COLUMNS = (
    Column("budget_personnel", "งบบุคลากร", T.MONEY, min=0, header_en="Personnel"),
    Column("budget_operating", "งบดำเนินงาน", T.MONEY, min=0, header_en="Operating"),
    Column("budget_equipment", "งบลงทุน: ครุภัณฑ์", T.MONEY, min=0, aliases=("ครุภัณฑ์",),
           header_en="Investment: equipment"),
    Column("budget_construction", "งบลงทุน: ที่ดินและสิ่งก่อสร้าง", T.MONEY, min=0,
           aliases=("ที่ดินและสิ่งก่อสร้าง",), header_en="Investment: land and buildings"),
    Column("budget_subsidy", "งบเงินอุดหนุน", T.MONEY, min=0, header_en="Subsidies"),
    Column("budget_other", "งบรายจ่ายอื่น", T.MONEY, min=0, header_en="Other expenditure"),
)
BUDGET_CATEGORIES = tuple(c.header_th for c in BUDGET_CATEGORY_COLUMNS)
BUDGET_TOTAL = Column("budget_total", "งบประมาณรวม (บาท)", T.MONEY, required=True, min=0,
                      aliases=("งบประมาณรวม", "รวมงบประมาณ"), header_en="Total budget (baht)",
                      help_th="ต้องเท่ากับผลรวมของงบทุกหมวด")
RESPONSIBLE = Column("responsible", "ผู้รับผิดชอบ", T.TEXT, required=True, max_length=200,
                     header_en="Responsible", width=22)
START_DATE = Column("start_date", "วันเริ่มต้น", T.DATE, required=True, aliases=("วันที่เริ่ม",),
                    header_en="Start")
END_DATE = Column("end_date", "วันสิ้นสุด", T.DATE, required=True, aliases=("วันที่สิ้นสุด",), header_en="End")
INDICATOR = Column("indicator", "ตัวชี้วัด", T.TEXT, required=True, max_length=500,
                   aliases=("ตัวชี้วัดความสำเร็จ",), header_en="Indicator", width=36)
UNIT = Column("unit", "หน่วยนับ", T.TEXT, max_length=30, header_en="Unit", width=12,
              help_th="เช่น ร้อยละ คน ครั้ง")
DIRECTION = Column("direction", "ทิศทางตัวชี้วัด", T.CHOICE, required=True, choices=DIRECTIONS,
                   header_en="Indicator direction", width=26,
                   help_th="มากกว่าหรือเท่ากับดีกว่า = ผลต้องไม่ต่ำกว่าเป้า; น้อยกว่าหรือเท่ากับดีกว่า = ผลต้องไม่สูงกว่าเป้า")
TARGET = Column("target", "ค่าเป้าหมาย", T.NUMBER, required=True, header_en="Target")
RESULT = Column("result", "ผลการดำเนินงาน", T.NUMBER, required=True, aliases=("ผลการดำเนินการ",),
                header_en="Result")
PROGRESS_PCT = Column("progress_pct", "ร้อยละความก้าวหน้า", T.PERCENT, required=True, min=0, max=100,
                      aliases=("ความก้าวหน้า (%)", "% ความก้าวหน้า"), header_en="Progress (%)",
                      help_th="0–100 สะสมถึงสิ้นไตรมาส (พิมพ์ 75 หรือ 75% ก็ได้)")
SPENT = Column("spent", "เบิกจ่ายสะสม (บาท)", T.MONEY, min=0, aliases=("เบิกจ่ายสะสม", "ใช้ไป"),
               header_en="Spent to date (baht)", help_th="ยอดเบิกจ่ายสะสมตั้งแต่ต้นปีงบประมาณ")
STATUS_PROJECT = Column("status", "สถานะโครงการ", T.CHOICE, required=True, choices=PROJECT_STATUSES,
                        header_en="Project status")
EVIDENCE_URL = Column("evidence_url", "ลิงก์หลักฐาน", T.URL, aliases=("หลักฐาน",), header_en="Evidence link",
                      help_th="ลิงก์ Google Drive หรือเว็บไซต์ ขึ้นต้นด้วย https://")
NOTE = Column("note", "หมายเหตุ", T.TEXT, max_length=1000, header_en="Note")
CONTACT_EMAIL = Column("contact_email", "อีเมลติดต่อ", T.EMAIL, required=True,
                       aliases=("อีเมล", "บัญชี Google"), header_en="Contact e-mail",
                       help_th="บัญชี Google ที่ใช้กรอกชีตของโรงเรียน")
PHONE = Column("phone", "โทรศัพท์", T.TEXT, max_length=30, aliases=("เบอร์โทร",), header_en="Phone", width=14)
REPORT = Column("report", "รายงาน", T.CHOICE, required=True, choices=REPORT_TITLES_TH, header_en="Report",
                width=34)
# A report's due date as the nightly job fills it (school feedback, the staff submissions tracker).
DUE_DATE = Column("due_date", "กำหนดส่ง", T.DATE, computed=True, header_en="Due")
DONE_DATE = Column("done_date", "วันที่แล้วเสร็จ", T.DATE, aliases=("วันที่ดำเนินการเสร็จ",), header_en="Done on")
STATUS_COMPUTED = Column("status", "สถานะ", T.TEXT, computed=True, header_en="Status", width=18,
                         help_th="คำนวณจากกำหนดส่งและวันที่ส่ง/แล้วเสร็จ")
DAYS_LEFT = Column("days_left", "เหลือ (วัน)", T.INTEGER, computed=True, header_en="Days left", width=10,
                   help_th="ติดลบ = เกินกำหนดมาแล้ว")

# --- rules used on several sheets ----------------------------------------------------------------------------

END_AFTER_START = TableRule(
    "end_not_before_start", ("start_date", "end_date"), code="rule.end_before_start",
    message_th="วันสิ้นสุดอยู่ก่อนวันเริ่มต้น", message_en="end date is before the start date")
BUDGET_ADDS_UP = TableRule(
    "sum_equals", tuple(c.key for c in BUDGET_CATEGORY_COLUMNS), total="budget_total",
    code="rule.budget_sum_mismatch", message_th="งบแต่ละหมวดรวมกันไม่เท่ากับงบประมาณรวม",
    message_en="budget by category does not add up to the total")
SPENT_WITHIN_BUDGET = TableRule(
    "not_more_than", ("spent", "budget_total"), code="rule.spent_over_budget",
    message_th="เบิกจ่ายเกินงบประมาณ", message_en="spent is more than the budget")
RESULT_MEETS_TARGET = TableRule(
    "result_vs_target", ("target", "result"), direction_column="direction", severity="warning",
    code="rule.target_not_met", message_th="ผลการดำเนินงานไม่บรรลุค่าเป้าหมาย",
    message_en="the result does not meet the target")


def unique(*keys: str) -> TableRule:
    return TableRule("unique", keys, code="rule.duplicate",
                     message_th="ข้อมูลซ้ำกับแถวอื่น (" + ", ".join(keys) + ")",
                     message_en="duplicate of another row (" + ", ".join(keys) + ")")


# --- the school workbook -------------------------------------------------------------------------------------

SCHOOL_PROFILE = SheetDef(
    "school_profile", "ข้อมูลโรงเรียน", "School profile", "school",
    (
        SCHOOL_CODE,
        SCHOOL_NAME,
        NETWORK,
        SIZE,
        Column("students", "จำนวนนักเรียน", T.INTEGER, min=0, max=20000, header_en="Students"),
        Column("teachers", "จำนวนครู", T.INTEGER, min=0, max=2000, header_en="Teachers"),
        Column("director", "ผู้อำนวยการ", T.TEXT, max_length=200, aliases=("ชื่อผู้อำนวยการ",),
               header_en="Director", width=24),
        Column("contact_name", "ผู้ประสานงาน", T.TEXT, required=True, max_length=200, header_en="Contact person",
               width=24),
        PHONE,
        CONTACT_EMAIL,
        Column("website", "เว็บไซต์", T.URL, header_en="Website"),
        FISCAL_YEAR,
        Column("updated_on", "วันที่ปรับปรุงข้อมูล", T.DATE, header_en="Updated on"),
    ),
    description_th="ข้อมูลพื้นฐานของโรงเรียน กรอกแถวเดียว (แถวที่ 3)",
    max_rows=1,
)

ACTION_PLAN = SheetDef(
    "action_plan", "แผนปฏิบัติการ", "Annual action plan", "school",
    (
        PROJECT_CODE,
        PROJECT_NAME,
        OBEC_POLICY,
        DISTRICT_STRATEGY,
        BUDGET_SOURCE,
        *BUDGET_CATEGORY_COLUMNS,
        BUDGET_TOTAL,
        RESPONSIBLE,
        START_DATE,
        END_DATE,
        INDICATOR,
        UNIT,
        DIRECTION,
        TARGET,
    ),
    rules=(unique("project_code"), END_AFTER_START, BUDGET_ADDS_UP),
    description_th="โครงการตามแผนปฏิบัติการประจำปี หนึ่งแถวต่อหนึ่งโครงการ ส่งภายในเดือนพฤษภาคม",
)

PROGRESS = SheetDef(
    "progress", "ความก้าวหน้าโครงการ", "Project progress by quarter", "school",
    (
        PROJECT_CODE,
        Column("project_name", "ชื่อโครงการ", T.TEXT, max_length=300, header_en="Project name", width=40,
               help_th="ไม่บังคับ ช่วยให้อ่านง่าย ระบบใช้รหัสโครงการจับคู่กับแผน"),
        Column("quarter", "ไตรมาส", T.CHOICE, required=True, choices=QUARTERS, header_en="Quarter", width=10,
               help_th="1 = ต.ค.–ธ.ค., 2 = ม.ค.–มี.ค., 3 = เม.ย.–มิ.ย., 4 = ก.ค.–ก.ย."),
        STATUS_PROJECT,
        PROGRESS_PCT,
        Column("budget_total", "งบประมาณที่ได้รับ (บาท)", T.MONEY, min=0,
               aliases=("งบประมาณที่ได้รับ", "งบประมาณ"), header_en="Budget received (baht)"),
        SPENT,
        Column("indicator_result", "ผลตามตัวชี้วัด", T.NUMBER, header_en="Indicator result"),
        Column("problems", "ปัญหา/อุปสรรค", T.TEXT, max_length=2000, aliases=("ปัญหาและอุปสรรค",),
               header_en="Problems", width=36),
        Column("solutions", "แนวทางแก้ไข", T.TEXT, max_length=2000, header_en="Solutions", width=36),
        Column("reported_on", "วันที่รายงาน", T.DATE, header_en="Reported on"),
    ),
    rules=(unique("project_code", "quarter"), SPENT_WITHIN_BUDGET),
    description_th="ความก้าวหน้าของแต่ละโครงการ หนึ่งแถวต่อโครงการต่อไตรมาส ตัวเลขเป็นยอดสะสมถึงสิ้นไตรมาส",
)

KPI = SheetDef(
    "kpi", "ประเมินตนเอง KPI", "KPI self-assessment", "school",
    (
        Column("round", "รอบการประเมิน", T.CHOICE, required=True, choices=KPI_ROUNDS, header_en="Round",
               width=12),
        Column("indicator_code", "รหัสตัวชี้วัด", T.TEXT, required=True, max_length=20,
               header_en="Indicator code", width=12),
        INDICATOR,
        UNIT,
        DIRECTION,
        TARGET,
        RESULT,
        Column("quality_level", "ระดับคุณภาพ (1–5)", T.INTEGER, required=True, min=1, max=5,
               aliases=("ระดับคุณภาพ",), header_en="Quality level (1–5)", width=12,
               help_th="1 ปรับปรุง, 2 พอใช้, 3 ดี, 4 ดีมาก, 5 ดีเยี่ยม"),
        EVIDENCE_URL,
        NOTE,
    ),
    rules=(unique("round", "indicator_code"), RESULT_MEETS_TARGET),
    description_th="ผลการประเมินตนเองตามตัวชี้วัด รอบ 6 เดือน และ 12 เดือน",
)

REQUESTS = SheetDef(
    "requests", "คำขอ", "Budget and resource requests", "school",
    (
        Column("request_no", "เลขที่คำขอ", T.TEXT, required=True, max_length=20, aliases=("ลำดับ",),
               header_en="Request no.", width=12),
        Column("request_type", "ประเภทคำขอ", T.CHOICE, required=True, choices=REQUEST_TYPES,
               header_en="Request type"),
        Column("item", "รายการ", T.TEXT, required=True, max_length=500, header_en="Item", width=36),
        Column("category", "หมวดงบรายจ่าย", T.CHOICE, choices=BUDGET_CATEGORIES, header_en="Budget category",
               width=26),
        Column("quantity", "จำนวน", T.INTEGER, min=1, header_en="Quantity", width=10),
        UNIT,
        Column("amount", "จำนวนเงิน (บาท)", T.MONEY, required=True, min=0, aliases=("จำนวนเงิน",),
               header_en="Amount (baht)"),
        Column("source", "แหล่งที่ขอรับ", T.CHOICE, required=True, choices=REQUEST_SOURCES,
               aliases=("แหล่งสนับสนุน",), header_en="Requested from", width=24),
        Column("reason", "เหตุผลความจำเป็น", T.TEXT, required=True, max_length=2000, aliases=("เหตุผล",),
               header_en="Reason", width=40),
        Column("priority", "ลำดับความสำคัญ", T.INTEGER, min=1, max=99, header_en="Priority", width=10),
        Column("requested_on", "วันที่ยื่นคำขอ", T.DATE, header_en="Requested on"),
    ),
    rules=(unique("request_no"),),
    description_th="คำขอรับงบประมาณและการระดมทรัพยากร หนึ่งแถวต่อหนึ่งรายการ",
)

SUBMISSION = SheetDef(
    "submission", "ยืนยันการส่ง", "Submission confirmation", "school",
    (
        REPORT,
        FISCAL_YEAR,
        Column("submitted_by", "ผู้ส่ง", T.TEXT, required=True, max_length=200, aliases=("ชื่อผู้ส่ง",),
               header_en="Submitted by", width=24),
        Column("position", "ตำแหน่ง", T.TEXT, max_length=100, header_en="Position", width=20),
        Column("submitted_on", "วันที่ส่ง", T.DATE, required=True, header_en="Submitted on"),
        Column("confirmed", "ยืนยันว่าข้อมูลถูกต้องครบถ้วน", T.YESNO, required=True, aliases=("ยืนยัน",),
               header_en="Confirmed complete", width=14),
        NOTE,
    ),
    rules=(unique("report", "fiscal_year"),),
    description_th="เมื่อกรอกรายงานใดเสร็จ ให้เพิ่มหนึ่งแถวยืนยันการส่งรายงานนั้น",
)

FEEDBACK = SheetDef(
    "feedback", "ข้อเสนอแนะจากเขต", "Feedback from the district", "school",
    (
        Column("written_on", "วันที่", T.DATE, computed=True, header_en="Date"),
        Column("topic", "เรื่อง", T.TEXT, computed=True, header_en="Topic", width=24),
        Column("report", "รายงาน", T.TEXT, computed=True, header_en="Report", width=30),
        DUE_DATE,
        Column("status", "สถานะ", T.TEXT, computed=True, header_en="Status", width=18),
        Column("location", "ตำแหน่ง (ชีต/แถว/คอลัมน์)", T.TEXT, computed=True, header_en="Where", width=30),
        Column("message", "ข้อค้นพบ/ข้อเสนอแนะ", T.TEXT, computed=True, header_en="Finding", width=50),
        Column("action", "สิ่งที่ควรทำ", T.TEXT, computed=True, header_en="What to do", width=40),
    ),
    read_only=True,
    description_th="เขตพื้นที่เขียนทุกคืน: กำหนดส่ง สถานะรายงาน และจุดที่ต้องแก้ โรงเรียนอ่านอย่างเดียว",
)

SCHOOL_SHEETS: tuple[SheetDef, ...] = (SCHOOL_PROFILE, ACTION_PLAN, PROGRESS, KPI, REQUESTS, SUBMISSION, FEEDBACK)

# --- the staff workbook --------------------------------------------------------------------------------------

WORK_CALENDAR = SheetDef(
    "work_calendar", "ปฏิทินการปฏิบัติงาน", "Work calendar", "staff",
    (
        Column("task_id", "รหัสงาน", T.TEXT, required=True, max_length=40, header_en="Task id", width=14),
        Column("task", "งาน/กิจกรรม", T.TEXT, required=True, max_length=500, header_en="Task", width=44),
        Column("group", "กลุ่มงาน", T.TEXT, max_length=100, header_en="Work group", width=22),
        Column("timing", "ระยะเวลา (ตามคู่มือ)", T.TEXT, required=True, max_length=200,
               aliases=("ระยะเวลา", "ระยะเวลาดำเนินการ"), header_en="Timing phrase", width=30,
               help_th="เขียนแบบคู่มือ เช่น ภายในเดือนพฤษภาคม ของทุกปี, ตุลาคม - พฤศจิกายน, 15 วัน"),
        Column("responsible", "ผู้รับผิดชอบ", T.TEXT, max_length=200, header_en="Responsible", width=22),
        FISCAL_YEAR,
        Column("occurrence", "ครั้ง/รอบ", T.TEXT, computed=True, header_en="Occurrence", width=16),
        Column("start_date", "วันเริ่มต้น", T.DATE, computed=True, header_en="Start"),
        Column("due_date", "กำหนดเสร็จ", T.DATE, computed=True, header_en="Due"),
        STATUS_COMPUTED,
        DAYS_LEFT,
        DONE_DATE,
        Column("report_key", "รหัสรายงาน", T.TEXT, max_length=40, header_en="Report key", width=14,
               help_th="ถ้าเป็นรายงานจากโรงเรียน เช่น action_plan, progress_q1"),
        Column("source", "ที่มา", T.TEXT, max_length=200, header_en="Source", width=20),
        NOTE,
    ),
    rules=(unique("task_id", "occurrence"),
           TableRule("end_not_before_start", ("start_date", "due_date"), severity="warning",
                     code="rule.end_before_start", message_th="กำหนดเสร็จอยู่ก่อนวันเริ่มต้น",
                     message_en="due date is before the start date")),
    description_th="งานตามคู่มือของเขต วันเริ่มและกำหนดเสร็จคำนวณจากระยะเวลาสำหรับปีงบประมาณที่เลือก",
)

DISTRICT_PROJECTS = SheetDef(
    "district_projects", "โครงการของเขต", "District projects", "staff",
    (
        PROJECT_CODE,
        PROJECT_NAME,
        OBEC_POLICY,
        DISTRICT_STRATEGY,
        Column("work_group", "กลุ่มงาน", T.CHOICE, choices=WORK_GROUPS, header_en="Work group", width=30),
        RESPONSIBLE,
        BUDGET_SOURCE,
        *BUDGET_CATEGORY_COLUMNS,
        BUDGET_TOTAL,
        START_DATE,
        END_DATE,
        *(Column(f"q{q}_progress", f"ความก้าวหน้า ไตรมาส {q} (ร้อยละ)", T.PERCENT, min=0, max=100,
                 header_en=f"Q{q} progress (%)") for q in (1, 2, 3, 4)),
        SPENT,
        Column("status", "สถานะโครงการ", T.CHOICE, choices=PROJECT_STATUSES, header_en="Project status"),
        INDICATOR,
        UNIT,
        DIRECTION,
        TARGET,
        Column("result", "ผลการดำเนินงาน", T.NUMBER, header_en="Result"),
        NOTE,
    ),
    rules=(unique("project_code"), END_AFTER_START, BUDGET_ADDS_UP, SPENT_WITHIN_BUDGET, RESULT_MEETS_TARGET),
    description_th="แผนปฏิบัติการของสำนักงานเขตพื้นที่ พร้อมความก้าวหน้ารายไตรมาสและงบประมาณ",
)

SCHOOL_REGISTRY = SheetDef(
    "school_registry", "ทะเบียนโรงเรียน", "School registry", "staff",
    (
        SCHOOL_CODE,
        SCHOOL_NAME,
        NETWORK,
        SIZE,
        Column("district", "อำเภอ", T.TEXT, max_length=100, header_en="Amphoe", width=16),
        Column("director", "ผู้อำนวยการ", T.TEXT, max_length=200, header_en="Director", width=24),
        PHONE,
        CONTACT_EMAIL,
        Column("spreadsheet_id", "รหัสสเปรดชีต", T.TEXT, computed=True, max_length=100,
               aliases=("Spreadsheet ID",), header_en="Spreadsheet ID", width=30,
               help_th="คำสั่ง khet schools provision เติมให้เอง ห้ามแก้"),
        Column("active", "ใช้งาน", T.YESNO, header_en="Active",
               help_th="ไม่ใช่ = ไม่ติดตามโรงเรียนนี้แล้ว (เว้นว่าง = ใช่)"),
        Column("reminders", "รับการแจ้งเตือน", T.YESNO, header_en="Reminders",
               help_th="ไม่ใช่ = ไม่ส่งอีเมล/LINE แจ้งเตือนถึงโรงเรียนนี้ (เว้นว่าง = ใช่)"),
        NOTE,
    ),
    rules=(unique("school_code"),),
    description_th="รายชื่อโรงเรียนในสังกัดและชีตของแต่ละโรงเรียน",
)

# A report's approval (issue 14), as the job answers it: on the submissions tracker and the decisions tab.
APPROVAL_TH = Column("approval_th", "ผลการพิจารณา", T.TEXT, computed=True, header_en="Approval", width=18)
CORRECTION_DUE = Column("correction_due", "ต้องแก้ไขภายใน", T.DATE, computed=True, header_en="Correct by")

SUBMISSIONS = SheetDef(
    "submissions", "การส่งรายงาน", "Submissions", "staff",
    (
        SCHOOL_CODE,
        SCHOOL_NAME,
        NETWORK,
        REPORT,
        FISCAL_YEAR,
        DUE_DATE,
        Column("submitted_on", "วันที่ส่ง", T.DATE, computed=True, header_en="Submitted on"),
        STATUS_COMPUTED,
        Column("findings", "จำนวนข้อค้นพบ", T.INTEGER, computed=True, min=0, header_en="Findings", width=12),
        Column("errors", "ข้อผิดพลาด", T.INTEGER, computed=True, min=0, header_en="Errors", width=10),
        Column("last_read", "อ่านข้อมูลล่าสุด", T.DATE, computed=True, header_en="Last read"),
        APPROVAL_TH,
        CORRECTION_DUE,
    ),
    rules=(unique("school_code", "report", "fiscal_year"),),
    read_only=True,
    description_th="โรงเรียน × รายงาน: กำหนดส่ง วันที่ส่ง สถานะ และจำนวนข้อค้นพบ (งานประมวลผลรายคืนเขียน)",
)

OVERRIDE_CHANNELS = ("หนังสือ/เอกสารกระดาษ", "อีเมล", "ระบบสารบรรณอิเล็กทรอนิกส์ (e-office)", "แก้ไขวันที่ส่งที่ผิด")

SUBMISSION_OVERRIDES = SheetDef(
    "submission_overrides", "บันทึกการรับรายงาน", "Submission overrides", "staff",
    (
        SCHOOL_CODE,
        REPORT,
        FISCAL_YEAR,
        Column("received_on", "วันที่ได้รับ", T.DATE, required=True, header_en="Received on",
               help_th="วันที่เขตได้รับรายงานจริง (ตรงเวลา/ช้า ตัดสินจากวันนี้)"),
        Column("channel", "ช่องทาง", T.CHOICE, required=True, choices=OVERRIDE_CHANNELS, header_en="Channel",
               width=30),
        Column("reference", "เลขที่หนังสือ/อ้างอิง", T.TEXT, max_length=100, aliases=("เลขที่หนังสือ",),
               header_en="Letter no. / reference", width=20),
        Column("reason", "เหตุผล", T.TEXT, required=True, max_length=500, header_en="Reason", width=36),
        Column("recorded_by", "ผู้บันทึก", T.TEXT, required=True, max_length=200, header_en="Recorded by",
               width=22),
        Column("recorded_on", "วันที่บันทึก", T.DATE, required=True, header_en="Recorded on"),
    ),
    rules=(unique("school_code", "report", "fiscal_year"),),
    description_th="รายงานที่เขตได้รับทางช่องทางอื่น (กระดาษ อีเมล e-office) หรือวันที่ส่งที่ต้องแก้ — "
                   "งานรายคืนนำไปใช้และเก็บประวัติว่าใคร เมื่อไร เพราะอะไร และค่าเดิม",
)

# Staff decisions on a submitted report (issue 14): the action typed, and what the job host answered.
DECISION_APPROVE, DECISION_RETURN, DECISION_UNAPPROVE = "อนุมัติ", "ส่งกลับแก้ไข", "ยกเลิกการอนุมัติ"
DECISIONS = (DECISION_APPROVE, DECISION_RETURN, DECISION_UNAPPROVE)

REPORT_DECISIONS = SheetDef(
    "report_decisions", "พิจารณารายงาน", "Report decisions", "staff",
    (
        SCHOOL_CODE,
        REPORT,
        FISCAL_YEAR,
        Column("decision", "ผลการพิจารณา", T.CHOICE, required=True, choices=DECISIONS, header_en="Decision",
               width=18, help_th="อนุมัติ = รับรายงาน โรงเรียนแก้แถวของรายงานนี้ไม่ได้อีก; ส่งกลับแก้ไข = ให้โรงเรียนแก้ "
                                 "(ต้องมีเหตุผล); ยกเลิกการอนุมัติ = ปลดล็อกให้แก้ได้อีก (ต้องมีเหตุผล)"),
        Column("reason", "เหตุผล/สิ่งที่ต้องแก้", T.TEXT, max_length=1000, header_en="Reason", width=44,
               help_th="จำเป็นเมื่อส่งกลับแก้ไขหรือยกเลิกการอนุมัติ โรงเรียนเห็นข้อความนี้ในแท็บข้อเสนอแนะจากเขต"),
        Column("request_id", "รหัสคำขอ", T.TEXT, computed=True, header_en="Request ID", width=24),
        Column("decided_by", "ผู้พิจารณา (บัญชี)", T.TEXT, computed=True, header_en="Decided by", width=26),
        Column("outcome", "ผลคำขอ", T.TEXT, computed=True, header_en="Outcome", width=12),
        Column("outcome_message", "คำตอบจากงานประมวลผล", T.TEXT, computed=True, header_en="Host's answer",
               width=50),
        CORRECTION_DUE,
    ),
    description_th="อนุมัติ ส่งกลับแก้ไข หรือยกเลิกการอนุมัติรายงานที่โรงเรียนส่งแล้ว หนึ่งแถวต่อหนึ่งการพิจารณา กดปุ่ม "
                   "“ส่งผลการพิจารณา” เพื่อส่งแถวใหม่ถึงงานประมวลผล (คอลัมน์ด้านขวาเขียนผลให้)",
)

INSPECTION_FOLLOWUP = SheetDef(
    "inspection_followup", "ติดตามข้อเสนอแนะผู้ตรวจ", "Inspection follow-up", "staff",
    (
        Column("item_no", "ลำดับ", T.TEXT, required=True, max_length=20, header_en="Item no.", width=8),
        FISCAL_YEAR,
        Column("inspection_round", "รอบการตรวจราชการ", T.CHOICE, required=True, choices=INSPECTION_ROUNDS,
               header_en="Inspection round", width=14),
        Column("recommendation", "ข้อเสนอแนะของผู้ตรวจราชการ", T.TEXT, required=True, max_length=2000,
               aliases=("ข้อเสนอแนะ",), header_en="Recommendation", width=50),
        Column("responsible_group", "กลุ่มที่รับผิดชอบ", T.CHOICE, required=True, choices=WORK_GROUPS,
               header_en="Responsible group", width=30),
        Column("notified_on", "วันที่รับแจ้ง", T.DATE, required=True, aliases=("วันที่แจ้ง",),
               header_en="Notified on", help_th="วันที่เขตได้รับแจ้งข้อเสนอแนะ (เริ่มนับวันทำการ)"),
        Column("due_workdays", "กำหนด (วันทำการ)", T.INTEGER, required=True, min=1, max=365,
               header_en="Due in (working days)", width=12, help_th="จำนวนวันทำการนับจากวันที่รับแจ้ง"),
        Column("due_date", "กำหนดเสร็จ", T.DATE, computed=True, header_en="Due"),
        Column("action_taken", "การดำเนินการ", T.TEXT, max_length=2000, header_en="Action taken", width=44),
        Column("progress", "สถานะการดำเนินการ", T.CHOICE, required=True, choices=FOLLOWUP_STATUSES,
               header_en="Progress", width=20),
        Column("progress_pct", "ร้อยละความก้าวหน้า", T.PERCENT, min=0, max=100, header_en="Progress (%)",
               width=12),
        DONE_DATE,
        EVIDENCE_URL,
        STATUS_COMPUTED,
        DAYS_LEFT,
    ),
    rules=(unique("fiscal_year", "inspection_round", "item_no"),
           TableRule("end_not_before_start", ("notified_on", "done_date"), code="rule.done_before_notified",
                     message_th="วันที่แล้วเสร็จอยู่ก่อนวันที่รับแจ้ง", message_en="done date is before the notice")),
    description_th="ข้อเสนอแนะของผู้ตรวจราชการ กลุ่มที่รับผิดชอบ กำหนดเสร็จ (วันทำการนับจากวันรับแจ้ง) ความก้าวหน้า "
                   "และหลักฐาน",
)

SERVICE_REQUESTS = SheetDef(
    "service_requests", "คำขอรับบริการ", "Service requests", "staff",
    (
        Column("request_id", "เลขที่คำขอ", T.TEXT, required=True, max_length=30, header_en="Request id",
               width=14),
        SCHOOL_CODE,
        SCHOOL_NAME,
        Column("service", "งานบริการ", T.CHOICE, required=True, choices=tuple(s.title_th for s in SERVICES),
               header_en="Service", width=36),
        Column("received_on", "วันที่รับคำขอ", T.DATE, required=True, header_en="Received on"),
        Column("handler", "ผู้รับผิดชอบ", T.TEXT, max_length=200, header_en="Handler", width=22),
        Column("step_no", "ขั้นตอนปัจจุบัน", T.INTEGER, computed=True, min=1, max=MAX_STEPS,
               header_en="Current step", width=10),
        Column("step_title", "ขั้นตอน", T.TEXT, computed=True, header_en="Step", width=44),
        Column("step_standard", "มาตรฐานขั้นตอนนี้", T.TEXT, computed=True, header_en="Step standard", width=16),
        Column("step_due", "กำหนดเสร็จขั้นตอนนี้", T.DATE, computed=True, header_en="Step due"),
        Column("final_due", "กำหนดเสร็จทั้งกระบวนการ", T.DATE, computed=True, header_en="Final due"),
        STATUS_COMPUTED,
        Column("completed_on", "เสร็จทั้งกระบวนการเมื่อ", T.DATE, computed=True, header_en="Completed on"),
        Column("workdays_taken", "ใช้เวลา (วันทำการ)", T.INTEGER, computed=True, min=0,
               header_en="Working days taken", width=12),
        Column("on_standard", "ขั้นที่ตามมาตรฐาน", T.TEXT, computed=True, header_en="Steps on standard", width=12,
               help_th="ขั้นที่เสร็จภายในมาตรฐาน / ขั้นที่เสร็จและมีมาตรฐาน"),
        *(Column(f"step{n}_done", f"ขั้นที่ {n} เสร็จเมื่อ", T.DATE, header_en=f"Step {n} done on",
                 help_th=f"วันที่ขั้นตอนที่ {n} ของงานบริการนี้เสร็จ (กำหนดเสร็จขั้นถัดไปนับจากวันนี้)")
          for n in range(1, MAX_STEPS + 1)),
        NOTE,
    ),
    rules=(unique("request_id"),
           TableRule("end_not_before_start", ("received_on", "step1_done"), code="rule.done_before_received",
                     message_th="ขั้นที่ 1 เสร็จก่อนวันที่รับคำขอ",
                     message_en="step 1 is done before the date received")),
    description_th="คำขอของโรงเรียนตามมาตรฐานการให้บริการ: บันทึกวันที่แต่ละขั้นตอนเสร็จ กำหนดเสร็จขั้นถัดไปนับวันทำการ"
                   "จากวันที่ขั้นก่อนหน้าเสร็จจริง",
)

LINE_GROUPS = SheetDef(
    "line_groups", "กลุ่มไลน์", "LINE groups", "staff",
    (
        Column("group_id", "รหัสกลุ่มไลน์", T.TEXT, required=True, max_length=40, header_en="LINE group ID",
               width=36, help_th="ได้จากคำสั่ง khet line capture เมื่อเชิญบัญชี Official Account ของเขตเข้ากลุ่ม (ขึ้นต้นด้วย C)"),
        Column("group_name", "ชื่อกลุ่ม", T.TEXT, max_length=200, header_en="Group name", width=30),
        Column("network", "เครือข่าย/สหวิทยาเขต", T.TEXT, max_length=100, aliases=("เครือข่าย",),
               header_en="Network", width=22, help_th="โรงเรียนในเครือข่ายนี้ได้รับแจ้งเตือนในกลุ่มนี้ (เว้นว่าง = ทุกโรงเรียน)"),
        Column("captured_on", "วันที่บันทึก", T.DATE, header_en="Captured on"),
        Column("active", "ใช้งาน", T.YESNO, header_en="Active", help_th="ไม่ใช่ = ไม่ส่งเข้ากลุ่มนี้ (เว้นว่าง = ใช่)"),
        NOTE,
    ),
    rules=(unique("group_id"),),
    description_th="กลุ่มไลน์ที่บัญชี Official Account ของเขตอยู่ และเครือข่ายที่แต่ละกลุ่มรับแจ้งเตือน",
)

ANNOUNCEMENTS = SheetDef(
    "announcements", "ข้อความประกาศ", "Announcement texts", "staff",
    (
        Column("network", "เครือข่าย/สหวิทยาเขต", T.TEXT, computed=True, header_en="Network", width=22),
        Column("group_name", "กลุ่มไลน์", T.TEXT, computed=True, header_en="LINE group", width=26),
        Column("text", "ข้อความพร้อมคัดลอก", T.TEXT, computed=True, header_en="Text to paste", width=90),
        Column("made_on", "ข้อมูล ณ วันที่", T.DATE, computed=True, header_en="As of"),
    ),
    read_only=True,
    description_th="ข้อความแจ้งเตือนรายเครือข่าย พร้อมคัดลอกไปวางในกลุ่มไลน์ (khet line announce --write เขียน)",
)

FINDINGS = SheetDef(
    "findings", "ข้อค้นพบจากการตรวจสอบ", "Validation findings", "staff",
    (
        SCHOOL_CODE,
        SCHOOL_NAME,
        Column("sheet", "ชีต", T.TEXT, computed=True, header_en="Sheet", width=22),
        Column("row", "แถว", T.INTEGER, computed=True, min=1, header_en="Row", width=8),
        Column("column", "คอลัมน์", T.TEXT, computed=True, header_en="Column", width=22),
        Column("cell", "เซลล์", T.TEXT, computed=True, header_en="Cell", width=8),
        Column("raw", "ค่าที่พบ", T.TEXT, computed=True, header_en="Value found", width=22),
        Column("severity", "ระดับ", T.CHOICE, computed=True, choices=FINDING_SEVERITIES, header_en="Severity",
               width=10),
        Column("code", "รหัสข้อค้นพบ", T.TEXT, computed=True, header_en="Code", width=22),
        Column("message_th", "รายละเอียด", T.TEXT, computed=True, header_en="Message (Thai)", width=50),
        Column("message_en", "รายละเอียด (English)", T.TEXT, computed=True, header_en="Message (English)", width=40),
        Column("fix_th", "วิธีแก้", T.TEXT, computed=True, header_en="How to fix", width=40),
        Column("found_on", "วันที่ตรวจพบ", T.DATE, computed=True, header_en="Found on"),
    ),
    read_only=True,
    description_th="ข้อค้นพบจากการตรวจข้อมูลของโรงเรียน ระบุชีต แถว คอลัมน์ และเซลล์",
)

DISTRICT_SUMMARY = SheetDef(
    "district_summary", "สรุปภาพรวมเขต", "District summary", "staff",
    (
        Column("section", "หมวด", T.TEXT, computed=True, header_en="Section", width=22),
        Column("item", "รายการ", T.TEXT, computed=True, header_en="Item", width=40),
        NETWORK,
        Column("value", "ค่า", T.NUMBER, computed=True, header_en="Value", width=16),
        Column("unit", "หน่วย", T.TEXT, computed=True, header_en="Unit", width=10),
        Column("as_of", "ข้อมูล ณ วันที่", T.DATE, computed=True, header_en="As of"),
        NOTE,
    ),
    read_only=True,
    description_th="ตัวเลขรวมของเขต: การส่งรายงาน งบประมาณตามหมวด สถานะโครงการ การบรรลุตัวชี้วัด",
)

STAFF_SHEETS: tuple[SheetDef, ...] = (
    WORK_CALENDAR, DISTRICT_PROJECTS, SCHOOL_REGISTRY, SUBMISSIONS, SUBMISSION_OVERRIDES, REPORT_DECISIONS,
    INSPECTION_FOLLOWUP, SERVICE_REQUESTS, LINE_GROUPS, ANNOUNCEMENTS, FINDINGS, DISTRICT_SUMMARY,
)

SHEETS: dict[str, SheetDef] = {s.key: s for s in SCHOOL_SHEETS + STAFF_SHEETS}
_BY_TITLE: dict[str, SheetDef] = {s.title_th: s for s in SHEETS.values()}


def get_sheet(key_or_title: str) -> SheetDef:
    """A sheet by English key ("action_plan") or Thai tab title ("แผนปฏิบัติการ"), surrounding spaces ignored."""
    text = key_or_title.strip()
    sheet = SHEETS.get(text) or _BY_TITLE.get(text)
    if sheet is None:
        raise KeyError(f"ไม่รู้จักชีต '{key_or_title}' / unknown sheet '{key_or_title}'")
    return sheet
