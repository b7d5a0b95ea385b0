"""The demo district's own settings (issue 12) — what a district sets up in the settings tabs of its staff
workbook instead of editing code: its networks, its own strategy names (not "กลยุทธ์ที่ 1–6"), the year's
e-MES window, eight district KPIs with targets by school size, one extra report that only two networks send —
and the change it makes mid-year (a new strategy, a ninth KPI), which the demo pushes into the live school
sheets with `khet schools update` between its two nights."""

from __future__ import annotations

import datetime as dt

from workbook import settings as W
from workbook.settings import DistrictSettings
from workbook.sheets import SCHOOL_SIZES

STRATEGIES = (
    "พัฒนาคุณภาพผู้เรียนให้อ่านออก เขียนได้ คิดเลขเป็น",
    "สร้างโรงเรียนปลอดภัย ผู้เรียนมีความสุข",
    "พัฒนาครูและบุคลากรสู่ครูมืออาชีพ",
    "ขยายโอกาสและลดความเหลื่อมล้ำทางการศึกษา",
    "บริหารจัดการด้วยข้อมูลและเทคโนโลยี",
    "ส่งเสริมการมีส่วนร่วมของชุมชนและภาคีเครือข่าย",
)
NEW_STRATEGY = "ส่งเสริมทักษะดิจิทัลและการเรียนรู้ตลอดชีวิต"  # added mid-year

_HIGHER, _LOWER = "มากกว่าหรือเท่ากับดีกว่า", "น้อยกว่าหรือเท่ากับดีกว่า"
# (code, name, unit, direction, targets for small, medium, large, extra-large schools)
KPIS = (
    ("K1", "ร้อยละของนักเรียนชั้น ป.1 ที่อ่านออกเขียนได้", "ร้อยละ", _HIGHER, (80, 85, 88, 90)),
    ("K2", "ร้อยละของครูที่ได้รับการพัฒนาอย่างน้อย 20 ชั่วโมงต่อปี", "ร้อยละ", _HIGHER, (85, 90, 90, 95)),
    ("K3", "จำนวนครั้งของการนิเทศภายในต่อภาคเรียน", "ครั้ง", _HIGHER, (3, 4, 4, 5)),
    ("K4", "ร้อยละของนักเรียนที่มีน้ำหนักและส่วนสูงตามเกณฑ์", "ร้อยละ", _HIGHER, (75, 80, 80, 85)),
    ("K5", "ร้อยละของนักเรียนที่มีผลการประเมินการอ่าน (RT) ระดับดีขึ้นไป", "ร้อยละ", _HIGHER, (70, 75, 80, 80)),
    ("K6", "ร้อยละของนักเรียนที่ออกกลางคัน", "ร้อยละ", _LOWER, (1, 1, 0.8, 0.5)),
    ("K7", "ร้อยละของห้องเรียนที่ใช้สื่อดิจิทัลในการสอน", "ร้อยละ", _HIGHER, (60, 70, 80, 85)),
    ("K8", "จำนวนกิจกรรมที่ชุมชนมีส่วนร่วมต่อปี", "กิจกรรม", _HIGHER, (2, 3, 4, 4)),
)
NEW_KPI = ("K9", "ร้อยละของนักเรียนที่ผ่านการประเมินทักษะดิจิทัลพื้นฐาน", "ร้อยละ", _HIGHER, (60, 65, 70, 75))
EXTRA_REPORT = W.ReportSetting(
    key="reading_screening", title_th="รายงานผลการคัดกรองการอ่าน ป.1",
    title_en="Grade 1 reading screening", sheet="progress", due="ภายในเดือนมิถุนายน")


def _kpi(code, name, unit, direction, targets) -> W.Kpi:
    return W.Kpi(code=code, name=name, unit=unit, direction=direction,
                 by_size=dict(zip(SCHOOL_SIZES, (float(t) for t in targets), strict=True)))


def demo_settings(networks: list[str], fiscal_year: int, *, mid_year_change: bool = False) -> DistrictSettings:
    """The demo district's settings; with `mid_year_change`, as they are after the change between the nights.
    The extra report goes to the first third of the networks (two of six; one of two)."""
    from sync.demo import DISTRICT_NAME

    d = DistrictSettings.default()
    ce = fiscal_year - 543
    strategies = STRATEGIES + ((NEW_STRATEGY,) if mid_year_change else ())
    kpis = KPIS + ((NEW_KPI,) if mid_year_change else ())
    return d.model_copy(update={
        "identity": W.Identity(name=DISTRICT_NAME, code="9901", office_type="สพป.", province="นครพนม",
                               grace_days=0, soon_days=3),
        "networks": tuple(W.Named(code=f"N{i}", name=n) for i, n in enumerate(networks, 1)),
        "strategies": tuple(W.Strategy(code=f"ST{i}", name=n) for i, n in enumerate(strategies, 1)),
        "windows": (W.Window(code="emes_6m", system="e-MES", round="รอบ 6 เดือน", opens_on=dt.date(ce, 4, 1),
                             closes_on=dt.date(ce, 4, 30), internal_due="ก่อนระบบปิดอย่างน้อย ๕ วัน",
                             fiscal_year=fiscal_year),),
        "reports": d.reports + (EXTRA_REPORT.model_copy(update={
            "applies_to": "network", "applies_values": tuple(networks[:max(1, len(networks) // 3)])}),),
        "kpis": tuple(_kpi(*k) for k in kpis),
    })
