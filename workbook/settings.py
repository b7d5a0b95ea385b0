"""The district's own settings: the settings tabs of the staff workbook (defined once, here), their pydantic
models, and what follows from them — the school sheets' dropdowns and captions, and the reports schools send.

A district is set up from these tabs alone: its identity, networks, strategies, OBEC policy areas, budget
sources, the reports schools send and when, the year's e-MES/EMENSCR windows, its KPIs with targets, its
on-time policy and its own captions for Khet's columns. `addin.settings.load_settings(path)` reads them from the
staff workbook (or a settings .xlsx holding the same tabs) and reports every unusable cell as a finding;
`DistrictSettings.default()` is what a district gets before it edits anything — today's behaviour, built from
the vocabularies in workbook/sheets.py and the reports in workbook/reports.py (their one definition).

Codes are unique per fiscal year (a blank year counts as every year): addin.settings checks it, as the
validation engine's unique rule skips rows with a blank key.

Per fiscal year: every list tab has a ปีงบประมาณ column. A row with a year applies to that year only; a blank
year applies to every year. `DistrictSettings.for_year(fy)` keeps the rows of one year.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbook import sheets as S
from workbook.reports import REPORTS, Report
from workbook.schema import DIRECTIONS, ColType, Column, SheetDef
from workbook.sheets import FISCAL_YEAR, SCHOOL_SHEETS, SCHOOL_SIZES, get_sheet, unique

T = ColType

OFFICE_TYPES = ("สพป.", "สพม.")
# The on-time policy (addin.ontime): a report counts as sent when confirmed with its data ("data"), or only once
# it is also valid ("valid").
ON_TIME_POLICIES = {"ยืนยันพร้อมข้อมูล": "data", "ยืนยันและข้อมูลถูกต้อง": "valid"}
APPLIES_TO = ("ทุกโรงเรียน", "ตามเครือข่าย", "ตามขนาด", "ตามรายชื่อ")
APPLIES_KEYS = dict(zip(APPLIES_TO, ("all", "network", "size", "list"), strict=True))
SYSTEMS = ("e-MES", "EMENSCR")
SIZE_TARGET_KEYS = ("target_small", "target_medium", "target_large", "target_xlarge")

YEAR = dataclasses.replace(FISCAL_YEAR, required=False, help_th="ว่าง = ใช้ทุกปีงบประมาณ; ใส่ปี = ใช้เฉพาะปีนั้น")
CODE = Column("code", "รหัส", T.TEXT, required=True, max_length=20, header_en="Code", width=10)
NAME = Column("name", "ชื่อ", T.TEXT, required=True, max_length=300, header_en="Name", width=50)
TAB = Column("sheet", "ชีตของโรงเรียน", T.TEXT, required=True, max_length=100, aliases=("แท็บ",),
             header_en="School tab", width=22, help_th="ชื่อแท็บในชีตโรงเรียน เช่น แผนปฏิบัติการ")
# What a district strategy serves when its row names nothing (the upward eMENSCR export's alignment columns).
NATIONAL_STRATEGY = "ยุทธศาสตร์ชาติด้านการพัฒนาและเสริมสร้างศักยภาพทรัพยากรมนุษย์"
MASTER_PLAN = "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ ประเด็น (12) การพัฒนาการเรียนรู้"
PHRASE_HELP = "เขียนแบบคู่มือ เช่น ภายในเดือนพฤษภาคม, ไตรมาสละครั้ง, ภายใน 15 วันหลังสิ้นไตรมาส"

DISTRICT = SheetDef(
    "settings_district", "ตั้งค่า ข้อมูลเขต", "Settings: district", "staff",
    (
        Column("district_name", "ชื่อสำนักงานเขตพื้นที่", T.TEXT, required=True, max_length=200,
               header_en="District office", width=44),
        Column("district_code", "รหัสเขต", T.TEXT, max_length=20, header_en="District code", width=12),
        Column("office_type", "ประเภท", T.CHOICE, required=True, choices=OFFICE_TYPES, header_en="Office type",
               width=10, help_th="สพป. = ประถมศึกษา, สพม. = มัธยมศึกษา"),
        Column("province", "จังหวัด", T.TEXT, max_length=100, header_en="Province", width=16),
        Column("grace_days", "ผ่อนผัน (วัน)", T.INTEGER, min=0, max=90, header_en="Grace days", width=10,
               help_th="ส่งหลังกำหนดไม่เกินกี่วันยังถือว่าทันกำหนด (ค่าเริ่มต้นของทุกรายงาน) ว่าง = 0"),
        Column("soon_days", "ใกล้ครบกำหนด (วันทำการ)", T.INTEGER, min=0, max=30, header_en="Due soon (working days)",
               width=12, help_th="เหลือไม่เกินกี่วันทำการถือว่าใกล้ครบกำหนด ว่าง = 3"),
        Column("correction_workdays", "แก้ไขภายใน (วันทำการ)", T.INTEGER, min=1, max=60,
               header_en="Correct within (working days)", width=12,
               help_th="รายงานที่เขตส่งกลับแก้ไข โรงเรียนต้องแก้ภายในกี่วันทำการนับจากวันที่ส่งกลับ ว่าง = 5"),
        Column("remind_days_before", "แจ้งเตือนล่วงหน้า (วันทำการ)", T.TEXT, max_length=40,
               header_en="Remind days before (working days)", width=14,
               help_th="ก่อนกำหนดส่งกี่วันทำการ คั่นด้วยจุลภาค เช่น 5,1 (นอกจากวันครบกำหนดและทุกสัปดาห์ที่เกินกำหนด) ว่าง = 3"),
        Column("remind_at", "เวลาส่งแจ้งเตือน", T.TEXT, max_length=5, header_en="Remind at", width=10,
               help_th="เวลาที่เครื่องประมวลผลส่งแจ้งเตือนทุกวันทำการ เช่น 08:30 ว่าง = 08:30"),
        Column("remind_quiet_hours", "งดส่งแจ้งเตือน (ช่วงเวลา)", T.TEXT, max_length=11,
               header_en="Quiet hours", width=14, help_th="ช่วงเวลาที่ไม่ส่งแจ้งเตือน เช่น 20:00-07:00 ว่าง = 20:00-07:00"),
        Column("on_time_policy", "นับว่าส่งเมื่อ", T.CHOICE, choices=tuple(ON_TIME_POLICIES), header_en="Sent when",
               width=20, help_th="ยืนยันพร้อมข้อมูล = ยืนยันการส่งและมีข้อมูล (ค่าเริ่มต้น); "
                                 "ยืนยันและข้อมูลถูกต้อง = ต้องไม่มีข้อผิดพลาดด้วย"),
    ),
    description_th="ชื่อเขต ประเภท และนโยบายการส่งตรงเวลา (แถวเดียว)",
    max_rows=1,
)
NETWORKS = SheetDef(
    "settings_networks", "ตั้งค่า เครือข่าย", "Settings: networks", "staff", (CODE, NAME, YEAR),
    description_th="เครือข่ายสถานศึกษา/สหวิทยาเขตของเขต")
STRATEGIES = SheetDef(
    "settings_strategies", "ตั้งค่า กลยุทธ์", "Settings: strategies", "staff",
    (CODE, NAME,
     Column("national_strategy", "ยุทธศาสตร์ชาติที่สอดคล้อง", T.TEXT, max_length=300, header_en="National strategy",
            width=36, help_th="สำหรับรายงาน eMENSCR ว่าง = " + NATIONAL_STRATEGY),
     Column("master_plan", "แผนแม่บทที่สอดคล้อง", T.TEXT, max_length=300, header_en="Master plan", width=36,
            help_th="สำหรับรายงาน eMENSCR ว่าง = " + MASTER_PLAN),
     YEAR),
    description_th="กลยุทธ์ของเขต ชื่อเต็มเป็นตัวเลือกในคอลัมน์ 'กลยุทธ์ของเขต' ของโรงเรียน และความสอดคล้องกับแผนระดับชาติ")
POLICIES = SheetDef(
    "settings_policies", "ตั้งค่า นโยบาย สพฐ.", "Settings: OBEC policy areas", "staff", (CODE, NAME, YEAR),
    description_th="ด้านของนโยบาย สพฐ. ของปีงบประมาณ")
BUDGET_SOURCES = SheetDef(
    "settings_budget_sources", "ตั้งค่า แหล่งงบประมาณ", "Settings: budget sources", "staff", (NAME, YEAR),
    description_th="แหล่งงบประมาณที่โรงเรียนเลือกได้")
REPORTS_TAB = SheetDef(
    "settings_reports", "ตั้งค่า รายงาน", "Settings: reports", "staff",
    (
        Column("report_key", "รหัสรายงาน", T.TEXT, required=True, max_length=40, header_en="Report key", width=14,
               help_th="ภาษาอังกฤษ ไม่มีเว้นวรรค เช่น action_plan"),
        Column("title_th", "ชื่อรายงาน", T.TEXT, required=True, max_length=200, header_en="Title", width=40),
        Column("title_en", "ชื่อรายงาน (English)", T.TEXT, max_length=200, header_en="Title (English)", width=30),
        TAB,
        Column("filter_column", "เลือกแถวตามคอลัมน์", T.TEXT, max_length=100, header_en="Row filter: column",
               width=16, help_th="เมื่อหลายรายงานใช้แท็บเดียวกัน เช่น ไตรมาส"),
        Column("filter_value", "ค่าที่เลือก", T.TEXT, max_length=100, header_en="Row filter: value", width=12),
        Column("due", "กำหนดส่ง", T.TEXT, max_length=200, header_en="Due phrase", width=34, help_th=PHRASE_HELP),
        Column("occurrence", "ครั้งที่", T.INTEGER, min=1, max=60, header_en="Occurrence", width=8,
               help_th="เมื่อกำหนดส่งมีหลายครั้งในปี (ทุกไตรมาส) รายงานนี้คือครั้งที่เท่าใด ว่าง = ครั้งสุดท้าย"),
        Column("window", "กรอบเวลาระบบ", T.TEXT, max_length=40, header_en="System window", width=14,
               help_th="รหัสกรอบเวลาในแท็บ 'ตั้งค่า กรอบเวลา e-MES' กำหนดส่งคือกำหนดภายในของเขตของกรอบนั้น"),
        Column("grace_days", "ผ่อนผัน (วัน)", T.INTEGER, min=0, max=90, header_en="Grace days", width=10,
               help_th="ว่าง = ตามแท็บ 'ตั้งค่า ข้อมูลเขต'"),
        Column("applies_to", "โรงเรียนที่ต้องส่ง", T.CHOICE, choices=APPLIES_TO, header_en="Which schools", width=16,
               help_th="ว่าง = ทุกโรงเรียน"),
        Column("applies_values", "เครือข่าย/ขนาด/รหัสโรงเรียน", T.TEXT, max_length=2000, header_en="Which: values",
               width=30, help_th="คั่นด้วยจุลภาค เช่น เครือข่ายที่ 1, เครือข่ายที่ 2"),
        YEAR,
    ),
    description_th="รายงานที่โรงเรียนส่ง แท็บที่กรอก กำหนดส่ง และโรงเรียนที่ต้องส่ง",
)
WINDOWS = SheetDef(
    "settings_windows", "ตั้งค่า กรอบเวลา e-MES", "Settings: e-MES/EMENSCR windows", "staff",
    (
        Column("window", "รหัสกรอบเวลา", T.TEXT, required=True, max_length=40, header_en="Window code", width=14),
        Column("system", "ระบบ", T.CHOICE, required=True, choices=SYSTEMS, header_en="System", width=10),
        Column("round", "รอบ", T.TEXT, required=True, max_length=40, header_en="Round", width=12),
        Column("opens_on", "ระบบเปิด", T.DATE, required=True, header_en="Opens"),
        Column("closes_on", "ระบบปิด", T.DATE, required=True, header_en="Closes"),
        Column("internal_due", "กำหนดภายในของเขต", T.TEXT, max_length=200, header_en="Internal deadline", width=30,
               help_th="นับจากวันระบบปิด เช่น ก่อนระบบปิดอย่างน้อย ๓ วัน ว่าง = วันระบบปิด"),
        dataclasses.replace(FISCAL_YEAR, help_th="ปีงบประมาณที่ สพฐ. ประกาศกรอบเวลานี้"),
    ),
    rules=(unique("window", "fiscal_year"),),
    description_th="กรอบเวลาการรายงานในระบบ e-MES/EMENSCR ตามที่ สพฐ. ประกาศ และกำหนดภายในของเขต",
)
KPIS = SheetDef(
    "settings_kpis", "ตั้งค่า ตัวชี้วัดเขต", "Settings: district KPIs", "staff",
    (
        Column("kpi_code", "รหัสตัวชี้วัด", T.TEXT, required=True, max_length=20, header_en="KPI code", width=12),
        Column("kpi_name", "ตัวชี้วัด", T.TEXT, required=True, max_length=500, header_en="Indicator", width=44),
        S.UNIT,
        S.DIRECTION,
        Column("target", "ค่าเป้าหมาย (ทั้งเขต)", T.NUMBER, header_en="Target (district)", width=12),
        *(Column(key, f"เป้าหมาย {size}", T.NUMBER, header_en=f"Target: {key[7:]}", width=12)
          for key, size in zip(SIZE_TARGET_KEYS, SCHOOL_SIZES, strict=True)),
        YEAR,
    ),
    description_th="ตัวชี้วัดที่เขตมอบให้โรงเรียน เป้าหมายเดียวทั้งเขต หรือตามขนาดโรงเรียน หรือรายโรงเรียน (แท็บถัดไป)",
)
KPI_TARGETS = SheetDef(
    "settings_kpi_targets", "ตั้งค่า เป้าหมายรายโรงเรียน", "Settings: per-school KPI targets", "staff",
    (
        Column("kpi_code", "รหัสตัวชี้วัด", T.TEXT, required=True, max_length=20, header_en="KPI code", width=12),
        S.SCHOOL_CODE,
        Column("target", "ค่าเป้าหมาย", T.NUMBER, required=True, header_en="Target", width=12),
        YEAR,
    ),
    description_th="เป้าหมายของตัวชี้วัดรายโรงเรียน (แทนเป้าหมายทั้งเขตหรือตามขนาด)",
)
CAPTIONS = SheetDef(
    "settings_captions", "ตั้งค่า ชื่อคอลัมน์", "Settings: column captions", "staff",
    (
        TAB,
        Column("column", "คอลัมน์ของ Khet", T.TEXT, required=True, max_length=200, header_en="Khet column", width=26,
               help_th="หัวคอลัมน์ของ Khet หรือรหัสภาษาอังกฤษ เช่น ชื่อโครงการ หรือ project_name"),
        Column("caption", "ชื่อที่เขตใช้", T.TEXT, required=True, max_length=200, header_en="District caption",
               width=26, help_th="หัวคอลัมน์ในตารางที่เขตและโรงเรียนใช้อยู่ อ่านเป็นชื่อเดียวกัน"),
    ),
    rules=(unique("sheet", "caption"),),
    description_th="ชื่อหัวคอลัมน์ที่เขตใช้อยู่เดิม ระบบอ่านเป็นคอลัมน์ของ Khet โดยไม่ต้องพิมพ์ใหม่",
)

SETTINGS_SHEETS: tuple[SheetDef, ...] = (DISTRICT, NETWORKS, STRATEGIES, POLICIES, BUDGET_SOURCES, REPORTS_TAB,
                                         WINDOWS, KPIS, KPI_TARGETS, CAPTIONS)


# --- the models ------------------------------------------------------------------------------------------------

class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Identity(_Model):
    name: str = Field(min_length=1)
    code: str = ""
    office_type: Literal["สพป.", "สพม."] = "สพป."
    province: str = ""
    grace_days: int = Field(0, ge=0, le=90)
    soon_days: int = Field(3, ge=0, le=30)
    on_time_policy: Literal["data", "valid"] = "data"
    correction_workdays: int = Field(5, ge=1, le=60)
    # The reminder policy (addin.reminders, sync.remind): days before a due date, the daemon's daily time, quiet hours.
    remind_days_before: str = Field("3", pattern=r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$")
    remind_at: str = Field("08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    remind_quiet_hours: str = Field("20:00-07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d\s*-\s*([01]\d|2[0-3]):[0-5]\d$")


class Named(_Model):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    fiscal_year: int | None = None


class Strategy(Named):
    national_strategy: str = ""  # "" = NATIONAL_STRATEGY
    master_plan: str = ""  # "" = MASTER_PLAN


class ReportSetting(_Model):
    key: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    title_th: str = Field(min_length=1)
    title_en: str = ""
    sheet: str  # a school SheetDef key
    row_filter: tuple[str, str] | None = None
    due: str | None = None
    occurrence: int | None = Field(None, ge=1)
    window: str | None = None
    grace_days: int | None = Field(None, ge=0, le=90)
    applies_to: Literal["all", "network", "size", "list"] = "all"
    applies_values: tuple[str, ...] = ()
    fiscal_year: int | None = None

    @model_validator(mode="after")
    def _due_or_window(self):
        if bool(self.due) == bool(self.window):
            raise ValueError("exactly one of due and window")
        if self.applies_to != "all" and not self.applies_values:
            raise ValueError("applies_values")
        return self

    def as_report(self) -> Report:
        return Report(self.key, self.title_th, self.title_en or self.title_th, self.sheet, self.due or "",
                      self.row_filter, self.occurrence)

    def applies(self, school: dict) -> bool:
        """Whether a school (a registry row: school_code, network, size) must send this report."""
        if self.applies_to == "all":
            return True
        field = {"network": "network", "size": "size", "list": "school_code"}[self.applies_to]
        return str(school.get(field) or "").strip() in self.applies_values


class Window(_Model):
    code: str
    system: Literal["e-MES", "EMENSCR"]
    round: str
    opens_on: date
    closes_on: date
    internal_due: str | None = None
    fiscal_year: int

    @model_validator(mode="after")
    def _opens_before_closing(self):
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on before opens_on")
        return self


class Kpi(_Model):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    unit: str = ""
    direction: Literal[DIRECTIONS]  # type: ignore[valid-type]
    target: float | None = None
    by_size: dict[str, float] = {}
    per_school: dict[str, float] = {}
    fiscal_year: int | None = None

    @model_validator(mode="after")
    def _has_a_target(self):
        if self.target is None and not self.by_size and not self.per_school:
            raise ValueError("no target")
        return self

    def target_for(self, school_code: str, size: str | None) -> float | None:
        """The school's own target, else its size's, else the district's."""
        if school_code in self.per_school:
            return self.per_school[school_code]
        if size and size in self.by_size:
            return self.by_size[size]
        return self.target


class Caption(_Model):
    sheet: str  # a school or staff SheetDef key
    column: str  # a column key
    caption: str = Field(min_length=1)


class DistrictSettings(_Model):
    identity: Identity
    networks: tuple[Named, ...] = ()
    strategies: tuple[Strategy, ...] = Field(min_length=1)
    policies: tuple[Named, ...] = Field(min_length=1)
    budget_sources: tuple[str, ...] = Field(min_length=1)
    reports: tuple[ReportSetting, ...] = Field(min_length=1)
    windows: tuple[Window, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    captions: tuple[Caption, ...] = ()
    fiscal_year: int | None = None  # None: rows of every year are held

    @classmethod
    def default(cls) -> DistrictSettings:
        """Today's behaviour: the vocabularies of workbook/sheets.py and the reports of workbook/reports.py."""
        return cls(
            identity=Identity(name="สำนักงานเขตพื้นที่การศึกษา"),
            strategies=tuple(Strategy(code=f"S{i}", name=n) for i, n in enumerate(S.DISTRICT_STRATEGIES, 1)),
            policies=tuple(Named(code=f"P{i}", name=n) for i, n in enumerate(S.OBEC_POLICIES, 1)),
            budget_sources=S.BUDGET_SOURCES,
            reports=tuple(ReportSetting(key=r.key, title_th=r.title_th, title_en=r.title_en, sheet=r.sheet,
                                        row_filter=r.row_filter, due=r.due, occurrence=r.occurrence)
                          for r in REPORTS),
        )

    def for_year(self, fiscal_year: int) -> DistrictSettings:
        """The rows that apply in one fiscal year (a blank year applies to every year)."""
        def keep(rows):
            return tuple(r for r in rows if r.fiscal_year in (None, fiscal_year))
        return self.model_copy(update={
            "networks": keep(self.networks), "strategies": keep(self.strategies), "policies": keep(self.policies),
            "reports": keep(self.reports), "windows": keep(self.windows), "kpis": keep(self.kpis),
            "fiscal_year": fiscal_year})

    # --- what follows from the settings -------------------------------------------------------------------

    def report_defs(self) -> tuple[Report, ...]:
        return tuple(r.as_report() for r in self.reports)

    def window(self, code: str) -> Window | None:
        return next((w for w in self.windows if w.code == code), None)

    def choices(self) -> dict[str, tuple[str, ...]]:
        """Column key -> the dropdown values the settings give it (on every sheet that has the column)."""
        return {
            "district_strategy": tuple(s.name for s in self.strategies),
            "obec_policy": tuple(p.name for p in self.policies),
            "budget_source": self.budget_sources,
            "report": tuple(dict.fromkeys(r.title_th for r in self.reports)),
        }

    def sheet(self, key_or_sheet: str | SheetDef) -> SheetDef:
        """A sheet as this district has it: its dropdowns from the settings, its captions added as aliases."""
        base = key_or_sheet if isinstance(key_or_sheet, SheetDef) else get_sheet(key_or_sheet)
        choices = self.choices()
        captions: dict[str, tuple[str, ...]] = {}
        for c in self.captions:
            if c.sheet == base.key:
                captions[c.column] = captions.get(c.column, ()) + (c.caption,)
        # With district KPIs the KPI tab arrives pre-filled for both rounds: a row without its result yet is
        # "not reported yet" (attainment and feedback say so), not an input error on every row.
        optional = {"result", "quality_level"} if base.key == "kpi" and self.kpis else set()
        if not captions and not optional and not any(
                c.type is T.CHOICE and c.key in choices and c.choices != choices[c.key] for c in base.columns):
            return base
        columns = tuple(
            dataclasses.replace(
                c, choices=choices.get(c.key, c.choices) if c.type is T.CHOICE else c.choices,
                aliases=tuple(dict.fromkeys(c.aliases + captions.get(c.key, ()))),
                required=c.required and c.key not in optional)
            for c in base.columns)
        return dataclasses.replace(base, columns=columns)

    def school_sheets(self) -> tuple[SheetDef, ...]:
        return tuple(self.sheet(s) for s in SCHOOL_SHEETS)

    def kpi_rows(self, school_code: str, size: str | None) -> list[dict]:
        """The KPI tab rows a school gets pre-filled: every district KPI with a target for it, per round.
        The school types result, quality level and evidence — not codes or targets."""
        return [{"round": rnd, "indicator_code": k.code, "indicator": k.name, "unit": k.unit,
                 "direction": k.direction, "target": t}
                for rnd in S.KPI_ROUNDS for k in self.kpis if (t := k.target_for(school_code, size)) is not None]


def settings_rows(settings: DistrictSettings) -> dict[str, list[dict]]:
    """The settings as rows of their tabs (sheet key -> rows by column key): what the staff workbook and the
    default settings file hold, and what `load_settings` reads back."""
    i = settings.identity
    applies_th = {v: k for k, v in APPLIES_KEYS.items()}
    return {
        DISTRICT.key: [{"district_name": i.name, "district_code": i.code, "office_type": i.office_type,
                        "province": i.province, "grace_days": i.grace_days, "soon_days": i.soon_days,
                        "correction_workdays": i.correction_workdays,
                        "remind_days_before": i.remind_days_before, "remind_at": i.remind_at,
                        "remind_quiet_hours": i.remind_quiet_hours,
                        "on_time_policy": {v: k for k, v in ON_TIME_POLICIES.items()}[i.on_time_policy]}],
        NETWORKS.key: [n.model_dump() for n in settings.networks],
        STRATEGIES.key: [n.model_dump() for n in settings.strategies],
        POLICIES.key: [n.model_dump() for n in settings.policies],
        BUDGET_SOURCES.key: [{"name": n} for n in settings.budget_sources],
        REPORTS_TAB.key: [
            {"report_key": r.key, "title_th": r.title_th, "title_en": r.title_en, "sheet": get_sheet(r.sheet).title_th,
             "filter_column": get_sheet(r.sheet).column(r.row_filter[0]).header_th if r.row_filter else None,
             "filter_value": r.row_filter[1] if r.row_filter else None, "due": r.due, "occurrence": r.occurrence,
             "window": r.window, "grace_days": r.grace_days,
             "applies_to": applies_th[r.applies_to] if r.applies_to != "all" else None,
             "applies_values": ", ".join(r.applies_values) or None, "fiscal_year": r.fiscal_year}
            for r in settings.reports],
        WINDOWS.key: [{"window": w.code, "system": w.system, "round": w.round, "opens_on": w.opens_on,
                       "closes_on": w.closes_on, "internal_due": w.internal_due, "fiscal_year": w.fiscal_year}
                      for w in settings.windows],
        KPIS.key: [{"kpi_code": k.code, "kpi_name": k.name, "unit": k.unit, "direction": k.direction,
                    "target": k.target, "fiscal_year": k.fiscal_year,
                    **{key: k.by_size.get(size) for key, size in zip(SIZE_TARGET_KEYS, SCHOOL_SIZES, strict=True)}}
                   for k in settings.kpis],
        KPI_TARGETS.key: [{"kpi_code": k.code, "school_code": code, "target": t, "fiscal_year": k.fiscal_year}
                          for k in settings.kpis for code, t in k.per_school.items()],
        CAPTIONS.key: [{"sheet": get_sheet(c.sheet).title_th, "column": get_sheet(c.sheet).column(c.column).header_th,
                        "caption": c.caption} for c in settings.captions],
    }


def settings_sheet(key_or_title: str) -> SheetDef | None:
    text = key_or_title.strip()
    return next((s for s in SETTINGS_SHEETS if text in (s.key, s.title_th)), None)
