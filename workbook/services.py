"""The service standards a school request moves through (seed 004, the Policy and Planning group's ITA
service guide): each service is a chain of steps, each with its standard duration in working days.

`addin.timing.chain_steps` turns the durations into due dates (each step due from the previous step's
completion); the staff workbook's service-requests tab offers these services and shows the current step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    title_th: str
    days: int  # working days
    duration_th: str  # as the manual writes it


@dataclass(frozen=True)
class Service:
    key: str
    title_th: str
    title_en: str
    steps: tuple[Step, ...]

    @property
    def total_days(self) -> int:
        return sum(s.days for s in self.steps)


SERVICES: tuple[Service, ...] = (
    Service(
        "budget_request",
        "การจัดตั้งและเสนอของบประมาณ",
        "Budget request (annual or urgent)",
        (
            Step("เขตพื้นที่แจ้งนโยบาย แผนพัฒนามาตรฐานการศึกษาขั้นพื้นฐาน หลักเกณฑ์และวิธีการจัดตั้งงบประมาณ", 1, "๑ วัน"),
            Step("สถานศึกษาจัดทำคำของบประมาณ เสนอสำนักงานเขตพื้นที่การศึกษา", 4, "๔ วัน"),
            Step("คณะกรรมการจัดทำและเสนอของบประมาณ วิเคราะห์ความเหมาะสม", 1, "๑ วัน"),
            Step("เขตพื้นที่และสถานศึกษาร่วมกันกำหนดเป้าหมายและผลผลิตทั้งเชิงปริมาณและเชิงคุณภาพ", 2, "๒ วัน"),
            Step("จัดทำคำของบประมาณประจำปี", 1, "๑ วัน"),
            Step("คณะกรรมการเขตพื้นที่การศึกษาเห็นชอบรายละเอียดการเสนอขอจัดตั้งงบประมาณ", 1, "๑ วัน"),
            Step("แจ้งผลการพิจารณาอนุมัติและเห็นชอบของผู้บังคับบัญชาให้สถานศึกษารับทราบ", 1, "๑ วัน"),
            Step("เขตพื้นที่ติดตาม ประเมินผล และรายงานต่อ สพฐ.", 5, "๕ วัน"),
        ),
    ),
    Service(
        "resource_mobilisation",
        "การระดมทรัพยากรทางการศึกษาจากหน่วยงานอื่น",
        "Resource mobilisation from outside bodies",
        (
            Step("ประสานการขอรับการสนับสนุนงบประมาณจากหน่วยงานภายนอกสำหรับโครงการของสถานศึกษา", 1, "๑ วัน"),
            Step("วิเคราะห์งาน/โครงการ/กิจกรรมที่สถานศึกษาเสนอ มิให้ซ้ำซ้อนกับงบที่ได้รับจัดสรร", 1, "๑ วัน"),
            Step("เสนอผู้บังคับบัญชาผู้มีอำนาจพิจารณาอนุมัติและเห็นชอบ", 1, "๑ วัน"),
            Step("แจ้งผลการพิจารณาให้สถานศึกษารับทราบเพื่อประสานหน่วยงานภายนอกต่อไป", 1, "๑ วัน"),
            Step("รวบรวมข้อมูลการขอรับการสนับสนุนของสถานศึกษาที่ระดมทรัพยากรจากหน่วยงานภายนอก", 1, "๑ วัน"),
        ),
    ),
)

SERVICES_BY_TITLE: dict[str, Service] = {s.title_th: s for s in SERVICES}
