"""The bad-input corpus: one valid row per sheet, and cases that spoil it in one place.

A case names the sheet, the rows (overrides of the valid row; row 3 is the first data row under the Thai
header row and the key row), and the exact findings expected: (code, cell) pairs, in report order. Cells are
computed from the template layout, so a case reads like what a clerk would see: "D3 is wrong".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workbook.schema import DIRECTION_HIGHER_BETTER, DIRECTION_LOWER_BETTER
from workbook.services import SERVICES
from workbook.sheets import SHEETS

BASE: dict[str, dict] = {
    "school_profile": dict(
        school_code="1020080005", school_name="โรงเรียนบ้านหนองบัว", network="เครือข่ายที่ 1", size="ขนาดเล็ก",
        students=120, teachers=9, director="นายสมชาย ใจดี", contact_name="นางสาวมาลี ศรีสุข",
        phone="042-511234", contact_email="school@example.ac.th", website="https://school.example.ac.th",
        fiscal_year=2569, updated_on="1 ต.ค. 2568"),
    "action_plan": dict(
        project_code="P01", project_name="พัฒนาการอ่านออกเขียนได้", obec_policy="ด้านคุณภาพ",
        district_strategy="กลยุทธ์ที่ 2", budget_source="เงินอุดหนุนรายหัว", budget_personnel=0,
        budget_operating="12,500.50", budget_equipment=7500, budget_construction=None, budget_subsidy=None,
        budget_other=None, budget_total=20000.5, responsible="ครูวิชาการ", start_date="1 ต.ค. 2568",
        end_date="30 ก.ย. 2569", indicator="นักเรียนอ่านออกเขียนได้", unit="ร้อยละ",
        direction=DIRECTION_HIGHER_BETTER, target=80),
    "progress": dict(
        project_code="P01", project_name="พัฒนาการอ่านออกเขียนได้", quarter="1", status="กำลังดำเนินการ",
        progress_pct=25, budget_total=20000, spent="5,000.00", indicator_result=40, problems=None,
        solutions=None, reported_on=46037),
    "kpi": dict(
        round="6 เดือน", indicator_code="K1.1", indicator="ร้อยละนักเรียนอ่านออก", unit="ร้อยละ",
        direction=DIRECTION_HIGHER_BETTER, target=80, result=85.5, quality_level=4,
        evidence_url="https://drive.google.com/file/d/abc", note=None),
    "requests": dict(
        request_no="R-001", request_type="คำขอรับงบประมาณ", item="คอมพิวเตอร์สำหรับห้องเรียน",
        category="งบลงทุน: ครุภัณฑ์", quantity=10, unit="เครื่อง", amount="฿220,000", source="สพฐ./เขตพื้นที่",
        reason="เครื่องเดิมชำรุด", priority=1, requested_on="15/01/2569"),
    "submission": dict(
        report="แผนปฏิบัติการประจำปี", fiscal_year=2569, submitted_by="นางสาวมาลี ศรีสุข", position="ครู",
        submitted_on=datetime(2026, 5, 20), confirmed="ใช่", note=None),
    "work_calendar": dict(
        task_id="T01", task="วิเคราะห์นโยบาย", group="กลุ่มนโยบายและแผน", timing="ตุลาคม - พฤศจิกายน",
        responsible="นักวิเคราะห์", fiscal_year=2569, occurrence="1", start_date="1 ต.ค. 2568",
        due_date="30 พ.ย. 2568", status=None, days_left=None, done_date=None, report_key=None, source=None,
        note=None),
    "district_projects": dict(
        project_code="D01", project_name="นิเทศภายใน", obec_policy="ด้านคุณภาพ", district_strategy="กลยุทธ์ที่ 1",
        work_group="กลุ่มนโยบายและแผน", responsible="ศึกษานิเทศก์", budget_source="เงินงบประมาณ",
        budget_personnel=None, budget_operating=50000, budget_equipment=None, budget_construction=None,
        budget_subsidy=None, budget_other=None, budget_total=50000, start_date="1 ต.ค. 2568",
        end_date="30 ก.ย. 2569", q1_progress=25, q2_progress=50, q3_progress=None, q4_progress=None,
        spent=20000, status="กำลังดำเนินการ", indicator="โรงเรียนได้รับการนิเทศ", unit="ร้อยละ",
        direction=DIRECTION_HIGHER_BETTER, target=100, result=100, note=None),
    "school_registry": dict(
        school_code="1020080005", school_name="โรงเรียนบ้านหนองบัว", network="เครือข่ายที่ 1", size="ขนาดกลาง",
        district="เมือง", director="นายสมชาย ใจดี", phone="042-511234", contact_email="school@example.ac.th",
        spreadsheet_id=None, active=True, note=None),
    "inspection_followup": dict(
        item_no="1", fiscal_year=2569, inspection_round="รอบที่ 1", recommendation="เร่งรัดการเบิกจ่าย",
        responsible_group="กลุ่มนโยบายและแผน", notified_on="2 มี.ค. 2569", due_workdays=20, due_date=None,
        action_taken=None, progress="อยู่ระหว่างดำเนินการ", progress_pct=40, done_date=None, evidence_url=None,
        status=None, days_left=None),
    "service_requests": dict(
        request_id="S-001", school_code="1020080005", school_name="โรงเรียนบ้านหนองบัว",
        service=SERVICES[1].title_th, received_on="2 ก.พ. 2569", handler="นายวิชัย", step1_done="3 ก.พ. 2569",
        note=None),
}


@dataclass(frozen=True)
class Case:
    id: str
    sheet: str
    rows: tuple[dict, ...]  # overrides of the valid row, one dict per data row (row 3, 4, …)
    expected: tuple[tuple[str, str | None], ...]  # (code, cell) in report order
    grid: tuple = field(default=())  # a whole custom grid instead of rows (header cases)


def grid_for(sheet_key: str, rows: tuple[dict, ...] | list[dict]) -> list[list]:
    sheet = SHEETS[sheet_key]
    out = [sheet.headers_th(), sheet.keys()]
    for over in rows:
        row = {**BASE[sheet_key], **over}
        out.append([row.get(k) for k in sheet.keys()])
    return out


def cell(sheet_key: str, key: str, row: int = 3) -> str:
    return f"{SHEETS[sheet_key].letter(key)}{row}"


CASES: list[Case] = []


def one(sheet: str, key: str, raw, code: str, *, cid: str | None = None, at: str | None = None) -> None:
    """A single spoiled cell giving exactly one finding on that cell (or on `at`)."""
    CASES.append(Case(cid or f"{sheet}.{key}.{code}.{len(CASES)}", sheet, ({key: raw},),
                      ((code, cell(sheet, at or key)),)))


def many(sheet: str, rows: list[dict], expected: list[tuple[str, str | None]], cid: str) -> None:
    CASES.append(Case(cid, sheet, tuple(rows), tuple(expected)))


LONG = "ก" * 50_000

# --- any column: formula errors, over-long cells, required values ---------------------------------------
for sheet, key in [("progress", "project_name"), ("progress", "spent"), ("progress", "reported_on"),
                   ("progress", "quarter"), ("progress", "progress_pct"), ("kpi", "result"),
                   ("school_profile", "school_code"), ("school_profile", "contact_email"),
                   ("submission", "confirmed"), ("kpi", "evidence_url")]:
    one(sheet, key, "#REF!", "cell.formula_error")
for raw in ["#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!", " #REF! ", "#ref!", "#SPILL!"]:
    one("action_plan", "budget_operating", raw, "cell.formula_error")
for sheet, key in [("progress", "problems"), ("progress", "spent"), ("kpi", "note"), ("progress", "reported_on"),
                   ("school_profile", "school_code")]:
    one(sheet, key, LONG, "cell.too_long")
for sheet, key in [("progress", "project_code"), ("progress", "status"), ("action_plan", "budget_total"),
                   ("action_plan", "start_date"), ("kpi", "result"), ("school_profile", "contact_email"),
                   ("submission", "confirmed"), ("service_requests", "received_on"),
                   ("inspection_followup", "due_workdays")]:
    one(sheet, key, None, "required.missing")
for raw in ["", "   ", "\u00a0", "\u200b", "\u00a0\u200b \t"]:
    one("progress", "project_code", raw, "required.missing")

# --- text --------------------------------------------------------------------------------------------------
one("action_plan", "project_name", "ก" * 301, "text.too_long")
one("progress", "project_code", "P" * 21, "text.too_long")
one("school_profile", "phone", "0" * 31, "text.too_long")
one("kpi", "note", "x" * 1001, "text.too_long")
for raw in ["=IMPORTXML(\"http://evil\",\"//a\")", "=HYPERLINK(\"http://x\")", "+66812345678", "@SUM(A1)",
            "-ลบออก", "=1+1"]:
    one("progress", "problems", raw, "text.formula_like")

# --- integers ----------------------------------------------------------------------------------------------
for raw, code in [("abc", "integer.invalid"), ("2568.5", "integer.not_whole"), (2568.5, "integer.not_whole"),
                  (2500, "number.below_min"), (2800, "number.above_max"), ("๒๘๐๐", "number.above_max"),
                  (True, "integer.invalid"), ("2,5,6,9", "integer.invalid"), ("2569%", "integer.invalid"),
                  (datetime(2026, 1, 1), "integer.invalid"), ("พ.ศ. 2569", "integer.invalid")]:
    one("submission", "fiscal_year", raw, code)
for raw, code in [(0, "number.below_min"), (6, "number.above_max"), ("ดี", "integer.invalid"),
                  (4.5, "integer.not_whole")]:
    one("kpi", "quality_level", raw, code)
one("school_profile", "students", -1, "number.below_min")
one("school_profile", "students", 20001, "number.above_max")
one("school_profile", "students", "๑๒๐ คน", "integer.invalid")
one("requests", "quantity", 0, "number.below_min")
one("requests", "priority", 100, "number.above_max")
one("inspection_followup", "due_workdays", 366, "number.above_max")

# --- decimal numbers ---------------------------------------------------------------------------------------
for raw in ["สูง", "1,5", "1.234,5", "inf", True, datetime(2025, 1, 1), "12 คน", "1e5", float("inf"), "--5"]:
    one("kpi", "target", raw, "number.invalid")
one("progress", "indicator_result", "ดีมาก", "number.invalid")
one("progress", "indicator_result", "1" + "0" * 400, "number.invalid")

# --- money -------------------------------------------------------------------------------------------------
for raw, code in [("abc", "money.invalid"), ("1,23,4", "money.invalid"), ("12.345", "money.too_many_decimals"),
                  (333.333, "money.too_many_decimals"), (-100, "money.negative"), ("-100", "money.negative"),
                  ("(1,000.00)", "money.negative"), ("฿-5", "money.negative"), (True, "money.invalid"),
                  ("50%", "money.invalid"), (datetime(2025, 1, 1), "money.invalid"), ("1.234,50", "money.invalid"),
                  ("๑,๒๓๔.๕๖๗", "money.too_many_decimals"), ("12 baht", "money.invalid"),
                  ("12,000 บาท 50 สตางค์", "money.invalid"), ("🙂", "money.invalid"),
                  (1.797e306, "money.too_large"), ("1" + "0" * 30, "money.too_large"), (10**12, "money.too_large")]:
    one("progress", "spent", raw, code)
one("requests", "amount", "หนึ่งพันบาท", "money.invalid")
one("requests", "amount", -0.01, "money.negative")

# --- percent -----------------------------------------------------------------------------------------------
for raw, code in [(101, "percent.out_of_range"), (-1, "percent.out_of_range"), ("150%", "percent.out_of_range"),
                  ("abc", "percent.invalid"), (0.75, "percent.fraction_like"), ("0.5", "percent.fraction_like"),
                  (True, "percent.invalid"), ("75 %%", "percent.invalid"), ("๑๐๑", "percent.out_of_range")]:
    one("progress", "progress_pct", raw, code)
one("district_projects", "q3_progress", 120, "percent.out_of_range")

# --- dates -------------------------------------------------------------------------------------------------
for raw, code in [("31 ก.พ. 2568", "date.impossible"), ("29 ก.พ. 2566", "date.impossible"),
                  ("30/02/2567", "date.impossible"), ("14/13/2566", "date.impossible"),
                  ("พรุ่งนี้", "date.unreadable"), ("ก.พ. 2568", "date.no_day"), ("02/2568", "date.no_day"),
                  ("14 ก.พ.", "date.ambiguous_no_year"), ("14 Foo 2568", "date.unknown_month"),
                  ("1/1/2800", "date.out_of_range"), (100, "date.out_of_range"), (2569, "date.out_of_range"),
                  ("วันจันทร์ที่ 14 ก.พ. 2566", "date.weekday_mismatch"), ("14 ก.พ. ค.ศ. 2566", "date.era_mismatch"),
                  (True, "date.unreadable"), ("🙂", "date.unreadable")]:
    one("progress", "reported_on", raw, code)
one("submission", "submitted_on", "เมื่อวาน", "date.unreadable")

# --- choices, yes/no ---------------------------------------------------------------------------------------
for sheet, key, raw in [("progress", "quarter", "5"), ("progress", "quarter", "Q1"), ("progress", "quarter", 1.5),
                        ("progress", "quarter", "ไตรมาส 1"), ("progress", "status", "เสร็จแล้ว"),
                        ("action_plan", "obec_policy", "ความปลอดภัย"), ("action_plan", "direction", "มากกว่า"),
                        ("kpi", "round", "9 เดือน"), ("submission", "report", "รายงานอื่น"),
                        ("school_profile", "size", "เล็ก"), ("progress", "status", True),
                        ("requests", "category", "งบลงทุน"), ("service_requests", "service", "ขอใบรับรอง"),
                        ("inspection_followup", "inspection_round", "รอบที่ 3")]:
    one(sheet, key, raw, "choice.invalid")
for raw in ["maybe", "2", "ใช่ๆ", 5, datetime(2025, 1, 1)]:
    one("submission", "confirmed", raw, "yesno.invalid")
one("school_registry", "active", "ใช้", "yesno.invalid")

# --- school codes, links, e-mail (code-like: emoji and mixed scripts are findings) ------------------------
for raw, code in [("102008000", "school_code.length"), (102008000, "school_code.length"),
                  ("10200800051", "school_code.length"), ("10200800O5", "school_code.invalid"),
                  ("1020080005🙂", "school_code.invalid"), ("abc", "school_code.invalid"),
                  (1020080005.5, "school_code.invalid"), (True, "school_code.invalid"),
                  ("10-2008-0005", "school_code.invalid"), ("รหัส1020080005", "school_code.invalid")]:
    one("school_profile", "school_code", raw, code)
for raw, code in [("not a url", "url.invalid"), ("ftp://x.com/a", "url.invalid"), ("https://ex ample.com", "url.invalid"),
                  ("https://🙂.com", "url.invalid"), ("https://โรงเรียน.com", "url.invalid"),
                  ("www.school.ac.th", "url.scheme_added"), (12345, "url.invalid"),
                  ("javascript:alert(1)", "url.invalid"), ("drive.google.com/file/d/abc", "url.scheme_added")]:
    one("kpi", "evidence_url", raw, code)
for raw in ["abc", "a@b", "ก@school.ac.th", "a b@x.com", "a@@x.com", "🙂@x.com", 123, "a..b@x.com",
            "school@example.ac.th🙂"]:
    one("school_profile", "contact_email", raw, "email.invalid")
one("school_registry", "contact_email", "อีเมลโรงเรียน", "email.invalid")

# --- table rules -------------------------------------------------------------------------------------------
many("progress", [{}, {}], [("rule.duplicate", cell("progress", "project_code", 4))], "progress.duplicate")
many("progress", [{}, {"quarter": 1}], [("rule.duplicate", cell("progress", "project_code", 4))],
     "progress.duplicate_number_vs_text")
many("progress", [{}, {"quarter": "2"}, {"quarter": "1"}],
     [("rule.duplicate", cell("progress", "project_code", 5))], "progress.duplicate_later")
many("action_plan", [{}, {"project_name": "อื่น"}], [("rule.duplicate", cell("action_plan", "project_code", 4))],
     "action_plan.duplicate")
many("kpi", [{}, {"result": 90}], [("rule.duplicate", cell("kpi", "round", 4))], "kpi.duplicate")
many("requests", [{}, {"item": "โต๊ะ"}], [("rule.duplicate", cell("requests", "request_no", 4))],
     "requests.duplicate")
many("school_registry", [{}, {"school_name": "ซ้ำ"}],
     [("rule.duplicate", cell("school_registry", "school_code", 4))], "registry.duplicate")
many("school_registry", [{}, {"school_code": 1020080005}],
     [("rule.duplicate", cell("school_registry", "school_code", 4))], "registry.duplicate_number_cell")
many("submission", [{}, {}], [("rule.duplicate", cell("submission", "report", 4))], "submission.duplicate")
many("inspection_followup", [{}, {"recommendation": "อื่น"}],
     [("rule.duplicate", cell("inspection_followup", "fiscal_year", 4))], "inspection.duplicate")
many("service_requests", [{}, {}], [("rule.duplicate", cell("service_requests", "request_id", 4))],
     "service.duplicate")
one("progress", "spent", 25000, "rule.spent_over_budget")
one("progress", "spent", "20,000.01", "rule.spent_over_budget")
one("district_projects", "spent", 60000, "rule.spent_over_budget")
one("action_plan", "budget_total", 20000, "rule.budget_sum_mismatch")
one("action_plan", "budget_total", "20,000.49", "rule.budget_sum_mismatch")
one("action_plan", "budget_operating", 12500, "rule.budget_sum_mismatch", at="budget_total")
one("district_projects", "budget_total", 50000.01, "rule.budget_sum_mismatch")
one("action_plan", "end_date", "30 ก.ย. 2568", "rule.end_before_start")
one("district_projects", "end_date", 45000, "rule.end_before_start")
one("work_calendar", "due_date", "1 ก.ย. 2568", "rule.end_before_start")
one("service_requests", "step1_done", "1 ก.พ. 2569", "rule.done_before_received")
one("inspection_followup", "done_date", "1 มี.ค. 2569", "rule.done_before_notified")
one("kpi", "result", 79.9, "rule.target_not_met")
many("kpi", [{"direction": DIRECTION_LOWER_BETTER, "target": 5, "result": 7}],
     [("rule.target_not_met", cell("kpi", "result"))], "kpi.lower_better_missed")
one("district_projects", "result", 90, "rule.target_not_met")
