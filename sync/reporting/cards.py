"""One-page report card per school for the district's feedback meeting: its reports' timeliness, its budget,
its projects' progress, its KPIs against the district's targets and its open follow-ups. All schools in one
.docx, one page each (sorted by network then code, the order of the meeting), from the same figures as the
annual report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from docx.shared import Pt

from addin.thaidate import format_thai_date
from sync import aggregate as agg
from sync.reporting.figures import Figures
from sync.reporting.thaitext import NO_DATA, baht_words, is_missing, money, number, pct, plain
from sync.reporting.worddoc import NO_DATA_NOTE, Report, new_report, set_style

CARD_PT = 11  # one page holds the four tables of a card
FOLLOW_UP_ROWS = 6


def _latest_progress(fig: Figures, code: str) -> tuple[str, pd.DataFrame]:
    p = fig.district.table("progress")
    p = p[p["school_code"] == code]
    if len(p) == 0:
        return "", p
    q = max(agg.norm_col(p["quarter"]))
    return q, p[agg.norm_col(p["quarter"]) == q]


def card(r: Report, fig: Figures, school: dict, targets: dict[str, object], *, first: bool) -> None:
    code = school["school_code"]
    s = fig.summary
    r.heading(f"{plain(school['school_name'])} ({code})", 1, page_break=not first)
    r.paragraph(f"{plain(school.get('network')) or '-'} — บัตรรายงานผลปีงบประมาณ {fig.fiscal_year} ข้อมูล ณ วันที่ "
                f"{format_thai_date(fig.as_of)}", align="left", indent=False, size=CARD_PT + 1)

    st = s.status[s.status["school_code"] == code]
    r.table("การส่งรายงาน", ["รายงาน", "กำหนดส่ง", "วันที่ส่ง", "สถานะ"],
            [[x.report_th, format_thai_date(x.due),
              format_thai_date(x.submitted_on) if not is_missing(x.submitted_on) else "-",
              x.status_th + (" (ต้องแก้ไข)" if x.needs_correction else "")] for x in st.itertuples()],
            widths_cm=(7.0, 3.0, 3.0, 3.0), size=CARD_PT)

    b = s.budget_by_school[s.budget_by_school["school_code"] == code]
    has_plan = (fig.district.table("action_plan")["school_code"] == code).any()
    total = b["budget_total"].iloc[0] if len(b) and has_plan else None
    q, prog = _latest_progress(fig, code)
    spent = sum(agg.to_satang(prog["spent"])) / 100 if len(prog) else None
    mean = pd.to_numeric(prog["progress_pct"].astype(object), errors="coerce").mean() if len(prog) else None
    r.table("งบประมาณและความก้าวหน้า", ["รายการ", "ค่า"], [
        ["งบประมาณตามแผนปฏิบัติการ (บาท)",
         f"{money(total)} ({baht_words(total)})" if total is not None else NO_DATA],
        [f"เบิกจ่ายสะสม ไตรมาส {q} (บาท)" if q else "เบิกจ่ายสะสม (บาท)", money(spent)],
        ["ความก้าวหน้าเฉลี่ยของโครงการ (ร้อยละ)", pct(mean) if mean is not None and mean == mean else NO_DATA],
        ["โครงการที่รายงาน", number(len(prog)) if len(prog) else NO_DATA],
    ], numeric=(1,), widths_cm=(8.0, 8.0), size=CARD_PT)

    rnd = 12 if len(fig.kpi_rows(12)) else 6
    kr = fig.kpi_rows(rnd)
    mine = kr[kr["school_code"] == code].set_index("indicator_code")
    rows = []
    for ind, target in targets.items():
        got = mine.loc[ind] if ind in mine.index else None
        rows.append([ind, number(target) if target is not None else NO_DATA,
                     number(got["result"]) if got is not None and not is_missing(got["result"]) else NO_DATA,
                     NO_DATA if got is None or got["met"] is None else ("บรรลุ" if got["met"] else "ไม่บรรลุ")])
    r.table(f"ตัวชี้วัด รอบ {rnd} เดือน เทียบค่าเป้าหมายของเขต", ["ตัวชี้วัด", "เป้าหมายของเขต", "ผลของโรงเรียน",
                                                             "ผลการประเมิน"], rows, numeric=(1, 2),
            widths_cm=(4.0, 4.0, 4.0, 4.0), size=CARD_PT)

    f = s.follow_up[s.follow_up["school_code"] == code]
    rows = [[x.kind_th, plain(x.report_th) or "-", plain(x.detail_th) or "-"] for x in f.itertuples()]
    if len(rows) > FOLLOW_UP_ROWS:
        rows = rows[:FOLLOW_UP_ROWS - 1] + [[f"และอีก {len(rows) - FOLLOW_UP_ROWS + 1} เรื่อง", "", ""]]
    r.table("เรื่องที่ต้องติดตาม", ["เรื่อง", "รายงาน", "รายละเอียด"], rows or [["ไม่มีเรื่องค้าง", "-", "-"]],
            widths_cm=(4.0, 6.0, 6.0), size=CARD_PT)
    if r.missing_seen:
        r.note(NO_DATA_NOTE, CARD_PT)
        r.missing_seen = False


def build(fig: Figures) -> Report:
    r = new_report(f"บัตรรายงานผลรายโรงเรียน ปีงบประมาณ {fig.fiscal_year}")
    r.numbered, r.gap, r.inline_notes, r.caption_pt = False, False, False, CARD_PT + 2
    r.doc.sections[0].different_first_page_header_footer = False
    set_style(r.doc, "Heading 1", 16, True, after=0)
    r.doc.styles["Normal"].paragraph_format.space_after = Pt(2)
    rnd = 12 if len(fig.kpi_rows(12)) else 6
    targets = {k.indicator_code: k.target for k in fig.kpi_district(rnd).itertuples()}
    schools = fig.schools.sort_values(["network", "school_code"], kind="stable").to_dict("records")
    for i, school in enumerate(schools):
        card(r, fig, school, targets, first=i == 0)
    return r


def write_cards(fig: Figures, path: str | Path) -> Path:
    return build(fig).save(path)


def default_name(fy: int) -> str:
    return f"khet-school-cards-{fy}.docx"
