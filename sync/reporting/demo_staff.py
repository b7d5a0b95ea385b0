"""The demo district office's own projects (แผนปฏิบัติการของเขต), typed into the demo's staff workbook after
its nights (the service requests and recommendations are already there: ``sync.demo_loop``), then the documents
sent upward, written through the same path as ``khet report`` / ``khet export``."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from workbook.sheets import DISTRICT_STRATEGIES, OBEC_POLICIES, WORK_GROUPS

PROJECTS = ("ขับเคลื่อนการอ่านออกเขียนได้ของนักเรียนชั้น ป.1", "พัฒนาครูด้านการจัดการเรียนรู้เชิงรุก",
            "นิเทศ ติดตาม และประเมินผลการจัดการศึกษา", "สถานศึกษาปลอดภัย", "พัฒนาระบบข้อมูลสารสนเทศเพื่อการบริหาร",
            "ส่งเสริมการจัดการศึกษาโรงเรียนขนาดเล็ก", "ประชุมคณะกรรมการเขตพื้นที่การศึกษา",
            "ติดตามการใช้จ่ายงบประมาณของสถานศึกษา")


def _money(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randrange(lo, hi)) * 100


def district_projects(fy: int, today: dt.date, seed: int = 0) -> list[dict]:
    """The office's projects with the quarterly progress reported by ``today``."""
    rng = random.Random(seed + 15)
    ce = fy - 543
    start, end = dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)
    quarters_done = sum(1 for q_end in (dt.date(ce - 1, 12, 31), dt.date(ce, 3, 31), dt.date(ce, 6, 30), end)
                        if today > q_end)
    projects = []
    for i, name in enumerate(PROJECTS):
        total = _money(rng, 200, 4000)
        done = [min(100, (q + 1) * rng.randint(18, 30)) for q in range(quarters_done)]
        spent = (total * Decimal(done[-1] if done else 0) / 100).quantize(Decimal("0.01"))
        projects.append({
            "project_code": f"D{i + 1:02d}", "project_name": name, "obec_policy": OBEC_POLICIES[i % 4],
            "district_strategy": DISTRICT_STRATEGIES[i % len(DISTRICT_STRATEGIES)],
            "work_group": WORK_GROUPS[(i + 1) % len(WORK_GROUPS)], "responsible": f"ผู้อำนวยการ{WORK_GROUPS[(i + 1) % 10]}",
            "budget_source": "เงินงบประมาณ", "budget_operating": float(total), "budget_total": float(total),
            "start_date": start, "end_date": end,
            **{f"q{q + 1}_progress": done[q] for q in range(len(done))},
            "spent": float(spent), "status": "ดำเนินการแล้วเสร็จ" if done and done[-1] == 100 else "กำลังดำเนินการ",
            "indicator": f"ร้อยละความสำเร็จของโครงการ{name}", "unit": "ร้อยละ",
            "direction": "มากกว่าหรือเท่ากับดีกว่า", "target": 80,
        })
    return projects


def write_demo_documents(state: Path, fy: int, today: dt.date, district_name: str,
                         staff_workbook: Path, settings_path: Path | None = None) -> dict[str, Path]:
    """The office's projects into its staff workbook, then the annual report, the e-MES round-6 and eMENSCR
    exports and the school cards."""
    from sync.reporting.annual import default_name as annual_name
    from sync.reporting.annual import write_annual
    from sync.reporting.cards import default_name as cards_name
    from sync.reporting.cards import write_cards
    from sync.reporting.exports import write_emenscr, write_emes
    from sync.reporting.figures import load_figures
    from sync.staff_rows import append_rows

    append_rows(staff_workbook, "district_projects", district_projects(fy, today))
    fig = load_figures(history_db=state / "history.sqlite", registry=state / "registry.csv", fiscal_year=fy,
                       workbook=staff_workbook, district_name=district_name, settings_path=settings_path)
    out = state / "out"
    return {"annual": write_annual(fig, out / annual_name(fy)),
            "emes": write_emes(fig, 6, out / f"khet-emes-{fy}-6m.xlsx"),
            "emenscr": write_emenscr(fig, out / f"khet-emenscr-{fy}.xlsx"),
            "cards": write_cards(fig, out / cards_name(fy))}
