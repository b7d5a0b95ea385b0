"""The district's annual operating report (รายงานผลการดำเนินงานประจำปี) as a Word document.

Numbers, tables and charts come from :class:`sync.reporting.figures.Figures`; the words around them come from
the editable template (:mod:`sync.reporting.template`). Sections, in order: cover, foreword, table of contents
(a TOC field Word fills in, plus a written list so it reads right before anyone updates it), then the nine
sections of :data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from addin.recommendations import DONE_LATE, DONE_ON_TIME
from addin.thaidate import format_thai_date
from sync import aggregate as agg
from sync.reporting import charts
from sync.reporting.exports import quarter_ends
from sync.reporting.figures import Figures
from sync.reporting.template import fill, load_template
from sync.reporting.thaitext import NO_DATA, baht_words, is_missing, money, number, pct, plain
from sync.reporting.worddoc import Report, new_report
from workbook.sheets import PROJECT_STATUSES

DONE = (DONE_ON_TIME, DONE_LATE)
SECTIONS = ("overview", "budget", "projects", "kpi", "reporting", "inspection", "services", "follow_up",
            "conclusion")


def _sum(values) -> object:
    vals = [v for v in values if not is_missing(v)]
    return sum(vals) if vals else None


def kpi_round(fig: Figures) -> int:
    """The round the report shows: 12 months when any school reported it, else 6."""
    return 12 if len(fig.kpi_rows(12)) else 6


def placeholders(fig: Figures) -> dict[str, str]:
    """Every {placeholder} the template may use (README lists them)."""
    s = fig.summary
    h = s.headline()
    profile = fig.district.table("school_profile")
    total = s.budget_by_category["amount"].iloc[-1] if len(s.budget_by_category) else None
    has_plan = len(fig.district.table("action_plan")) > 0
    dp = fig.district_projects()
    kr = kpi_round(fig)
    kd = fig.kpi_district(kr)
    ins, svc = fig.inspection(), fig.services()
    exp = h["reports_expected"]
    return {
        "fy": str(fig.fiscal_year), "district_name": fig.district_name or "สำนักงานเขตพื้นที่การศึกษา",
        "as_of": format_thai_date(fig.as_of, "long"),
        "schools": number(h["schools"]), "networks": number(int(fig.schools["network"].nunique())),
        "students": number(_sum(pd.to_numeric(profile.get("students", pd.Series(dtype=float)), errors="coerce"))),
        "teachers": number(_sum(pd.to_numeric(profile.get("teachers", pd.Series(dtype=float)), errors="coerce"))),
        "plan_projects": number(len(fig.district.table("action_plan"))),
        "budget_total": money(total) if has_plan else NO_DATA,
        "budget_total_words": baht_words(total) if has_plan else NO_DATA,
        "district_projects": number(len(dp)) if dp is not None else NO_DATA,
        "district_budget": money(_sum(dp["budget_total"])) if dp is not None else NO_DATA,
        "district_spent": money(_sum(dp["spent"])) if dp is not None else NO_DATA,
        "kpi_round": f"รอบ {kr} เดือน", "kpi_total": number(len(kd)),
        "kpi_met": number(int((kd["attainment"] == "บรรลุ").sum())) if len(kd) else NO_DATA,
        "reports_expected": number(exp), "submitted": number(h["submitted"]), "on_time": number(h["on_time"]),
        "pct_submitted": pct(h["submitted"] * 100 / exp) if exp else NO_DATA,
        "pct_on_time": pct(h["on_time"] * 100 / exp) if exp else NO_DATA,
        "inspection_total": number(len(ins)) if ins is not None else NO_DATA,
        "inspection_done": number(int(ins["status"].isin(DONE).sum())) if ins is not None else NO_DATA,
        "services_total": number(int(svc["requests"].sum())) if svc is not None else NO_DATA,
        "services_within": number(int(svc["within"].sum())) if svc is not None else NO_DATA,
        "follow_up": number(h["follow_up"]),
    }


# --- sections -----------------------------------------------------------------------------------------------

def _overview(r: Report, fig: Figures) -> None:
    prof = fig.district.table("school_profile").drop_duplicates("school_code", keep="last")
    reg = fig.schools.merge(prof[["school_code", "students", "teachers"]] if len(prof) else
                            pd.DataFrame(columns=["school_code", "students", "teachers"]), on="school_code", how="left")
    rows = []
    for net, g in reg.groupby(reg["network"].fillna(""), sort=True):
        rows.append([net or "(ไม่ระบุเครือข่าย)", number(len(g)),
                     number(_sum(pd.to_numeric(g["students"], errors="coerce"))),
                     number(_sum(pd.to_numeric(g["teachers"], errors="coerce")))])
    rows.append(["รวมทั้งเขต", number(len(reg)), number(_sum(pd.to_numeric(reg["students"], errors="coerce"))),
                 number(_sum(pd.to_numeric(reg["teachers"], errors="coerce")))])
    r.table("จำนวนสถานศึกษา นักเรียน และครู จำแนกตามเครือข่าย", ["เครือข่าย", "สถานศึกษา (แห่ง)", "นักเรียน (คน)",
                                                                  "ครู (คน)"], rows, numeric=(1, 2, 3), total_row=True)


def _budget(r: Report, fig: Figures) -> None:
    s = fig.summary
    has_plan = len(fig.district.table("action_plan")) > 0
    cat = s.budget_by_category
    total = cat["amount"].iloc[-1] if len(cat) else None
    rows = [[c, money(a) if has_plan else NO_DATA,
             pct(a * 100 / total) if has_plan and total else NO_DATA] for c, a in zip(cat["category"], cat["amount"],
                                                                                     strict=True)]
    r.table("งบประมาณตามแผนปฏิบัติการของสถานศึกษา จำแนกตามหมวดงบรายจ่าย", ["หมวดงบรายจ่าย", "จำนวนเงิน (บาท)",
                                                                        "ร้อยละ"], rows, numeric=(1, 2),
            total_row=True, notes=[f"รวมทั้งสิ้น {baht_words(total)}" if has_plan else ""])
    body = cat.iloc[:-1]
    r.figure("งบประมาณจำแนกตามหมวดงบรายจ่าย (บาท)",
             charts.hbar(list(body["category"]), [float(a) for a in body["amount"]], title="งบประมาณตามหมวดงบรายจ่าย",
                         unit="บาท") if has_plan else None)
    for frame, key, caption in ((s.budget_by_source, "budget_source", "แหล่งงบประมาณ"),
                                (s.budget_by_strategy, "district_strategy", "กลยุทธ์ของเขต")):
        rows = [[v, number(n), money(t)] for v, n, t in zip(frame[key], frame["projects"], frame["budget_total"],
                                                            strict=True)] if has_plan else []
        r.table(f"งบประมาณจำแนกตาม{caption}", [caption, "โครงการ", "งบประมาณ (บาท)"], rows, numeric=(1, 2),
                total_row=True)


def _quarter_progress(project, q: int, ended: bool) -> str:
    """A quarter's progress; a quarter not over yet is blank (nothing is due), a past one without a figure is
    ไม่มีข้อมูล."""
    v = project.get(f"q{q}_progress")
    if is_missing(v):
        return NO_DATA if ended else ""
    return pct(v, 0)


def _projects(r: Report, fig: Figures) -> None:
    dp = fig.district_projects()
    headers = ["โครงการ (สถานะ)", "งบประมาณ (บาท)", "เบิกจ่าย (บาท)", "ไตรมาส 1", "ไตรมาส 2", "ไตรมาส 3", "ไตรมาส 4"]
    rows = []
    ended = [fig.as_of > end for end in quarter_ends(fig.fiscal_year)]
    if dp is not None:
        for _, p in dp.iterrows():
            status = plain(p.get("status")) or NO_DATA
            rows.append([f"{plain(p['project_code'])} {plain(p['project_name'])} ({status})", money(p["budget_total"]),
                         money(p.get("spent")), *(_quarter_progress(p, q, ended[q - 1]) for q in (1, 2, 3, 4))])
        rows.append(["รวม", money(_sum(dp["budget_total"])), money(_sum(dp["spent"])), "", "", "", ""])
    r.table("โครงการของสำนักงานเขตพื้นที่การศึกษา การเบิกจ่าย และความก้าวหน้ารายไตรมาส (ร้อยละ)", headers, rows,
            numeric=(1, 2, 3, 4, 5, 6), total_row=dp is not None, widths_cm=(4.0, 2.7, 2.7, 1.65, 1.65, 1.65, 1.65),
            notes=["ไตรมาสที่ยังไม่สิ้นสุด ณ วันที่ของข้อมูลเว้นว่างไว้"])
    pr = fig.summary.projects
    quarters = list(pr.itertuples(index=False))
    lines = [("โครงการที่รายงาน", lambda q: number(q.projects)), ("โรงเรียนที่รายงาน", lambda q: number(q.schools)),
             *((f"สถานะ: {st}", lambda q, st=st: number(q._asdict()[st])) for st in PROJECT_STATUSES),
             ("ความก้าวหน้าเฉลี่ย (ร้อยละ)", lambda q: pct(q.mean_progress_pct) if q.projects else NO_DATA),
             ("งบประมาณที่ได้รับ (บาท)", lambda q: money(q.budget_total) if q.projects else NO_DATA),
             ("เบิกจ่ายสะสม (บาท)", lambda q: money(q.spent) if q.projects else NO_DATA)]
    r.table("ความก้าวหน้าโครงการของสถานศึกษา จำแนกตามไตรมาส",
            ["รายการ", *(f"ไตรมาส {q.quarter}" for q in quarters)],
            [[label, *(get(q) for q in quarters)] for label, get in lines], numeric=(1, 2, 3, 4),
            widths_cm=(4.4, 2.9, 2.9, 2.9, 2.9))
    r.figure("สถานะโครงการของสถานศึกษารายไตรมาส (จำนวนโครงการ)",
             charts.stacked([f"ไตรมาส {q}" for q in pr["quarter"]], {st: list(pr[st]) for st in PROJECT_STATUSES},
                            title="สถานะโครงการรายไตรมาส", unit="โครงการ", horizontal=False))
    _problems(r, fig)


PROBLEM_ROWS = 30  # the report quotes this many; the summary workbook holds every row


def _problems(r: Report, fig: Figures) -> None:
    """The problems schools wrote in their latest progress report, quoted as they typed them (plain text)."""
    p = fig.district.table("progress")
    if len(p):
        p = p[agg.norm_col(p["problems"]) != ""]
    rows, total = [], len(p)
    if total:
        latest = p.assign(q=agg.norm_col(p["quarter"])).sort_values("q").drop_duplicates(
            ["school_code", "project_code"], keep="last")
        plan = fig.district.table("action_plan")[["school_code", "project_code", "project_name"]]
        latest = latest.drop(columns=["project_name"]).merge(plan, on=["school_code", "project_code"], how="left")
        names = fig.schools.set_index("school_code")["school_name"]
        for x in latest.sort_values(["school_code", "project_code"]).head(PROBLEM_ROWS).itertuples():
            rows.append([plain(names.get(x.school_code, x.school_code)), plain(x.project_name),
                         f"ไตรมาส {x.q}", plain(x.problems), plain(x.solutions) or "-"])
        total = len(latest)
    r.table("ปัญหาและอุปสรรคที่สถานศึกษารายงาน (รายงานล่าสุดของแต่ละโครงการ ข้อความตามที่สถานศึกษาพิมพ์)",
            ["โรงเรียน", "โครงการ", "ไตรมาส", "ปัญหา/อุปสรรค", "แนวทางแก้ไข"], rows,
            widths_cm=(3.3, 3.8, 1.7, 4.2, 3.0),
            notes=[f"แสดง {len(rows)} จาก {total} รายการ รายการทั้งหมดอยู่ในไฟล์สรุปของเขต"] if total > len(rows) else ())


def _kpi(r: Report, fig: Figures) -> None:
    for rnd in (6, 12):
        kd = fig.kpi_district(rnd)
        rows = [[k.indicator_code, plain(k.indicator), plain(k.unit), number(k.target) if k.target is not None else
                 NO_DATA, number(k.result) if k.result is not None else NO_DATA, k.attainment or NO_DATA,
                 f"{k.schools_met}/{k.schools_total}"] for k in kd.itertuples(index=False)]
        r.heading(f"ตัวชี้วัดของเขต รอบ {rnd} เดือน", 2)
        r.table(f"ผลการดำเนินงานตามตัวชี้วัดของเขต รอบ {rnd} เดือน",
                ["รหัส", "ตัวชี้วัด", "หน่วยนับ", "ค่าเป้าหมาย", "ผล", "ผลการประเมิน", "โรงเรียนที่บรรลุ"], rows,
                numeric=(3, 4, 6), widths_cm=(1.3, 6.5, 1.5, 1.8, 1.6, 1.8, 1.5))
        if rnd == kpi_round(fig):
            r.figure(f"ร้อยละของโรงเรียนที่บรรลุตัวชี้วัด รอบ {rnd} เดือน",
                     charts.hbar([f"{k.indicator_code}" for k in kd.itertuples()],
                                 [k.pct_schools_met for k in kd.itertuples()],
                                 title=f"ร้อยละของโรงเรียนที่บรรลุค่าเป้าหมาย รอบ {rnd} เดือน", unit="ร้อยละ",
                                 limit=100) if len(kd) else None)
    rnd = kpi_round(fig)
    kn = fig.kpi_by_network(rnd)
    codes = sorted(kn["indicator_code"].unique()) if len(kn) else []
    rows = []
    for net, g in kn.groupby("network", sort=True):
        by = g.set_index("indicator_code")
        rows.append([net or "(ไม่ระบุ)", number(int(g["schools"].iloc[0])),
                     *(pct(by.at[c, "pct_met"]) if c in by.index else NO_DATA for c in codes)])
    r.table(f"ร้อยละของโรงเรียนที่บรรลุตัวชี้วัด จำแนกตามเครือข่าย รอบ {rnd} เดือน", ["เครือข่าย", "โรงเรียน", *codes],
            rows, numeric=tuple(range(1, 2 + len(codes))))


def _reporting(r: Report, fig: Figures) -> None:
    c = fig.summary.completeness
    rows = [[x.report_th, format_thai_date(x.due), number(x.expected), number(x.submitted), number(x.on_time),
             number(x.late), number(x.overdue + x.missing), pct(x.pct_submitted), pct(x.pct_on_time)]
            for x in c.itertuples()]
    r.table("ความครบถ้วนและความตรงเวลาของรายงานของสถานศึกษา",
            ["รายงาน", "กำหนดส่ง", "ต้องส่ง", "ส่งแล้ว", "ตรงเวลา", "ส่งช้า", "เกินกำหนด/ไม่ส่ง", "ร้อยละที่ส่ง",
             "ร้อยละตรงเวลา"], rows, numeric=tuple(range(2, 9)),
            widths_cm=(3.6, 2.0, 1.2, 1.2, 1.2, 1.2, 1.6, 2.0, 2.0),
            notes=["รายงานที่ยังไม่ถึงกำหนดส่งนับรวมใน \"ต้องส่ง\" แต่ยังไม่นับเป็นการไม่ส่ง"])
    r.figure("ร้อยละของรายงานที่ส่งและส่งตรงเวลา จำแนกตามรายงาน",
             charts.stacked(list(c["report_th"]), {"ตรงเวลา": list(c["pct_on_time"]),
                                                   "ส่งช้า": [p - t for p, t in zip(c["pct_submitted"], c["pct_on_time"],
                                                                                     strict=True)]},
                            title="ร้อยละของรายงานที่ส่ง", unit="ร้อยละ") if len(c) else None)
    cn = fig.summary.completeness_by_network
    rows = []
    for net, g in cn.groupby("network", sort=True):
        exp, sub, on = int(g["expected"].sum()), int(g["submitted"].sum()), int(g["on_time"].sum())
        rows.append([net or "(ไม่ระบุ)", number(exp), number(sub), number(on), pct(sub * 100 / exp) if exp else NO_DATA,
                     pct(on * 100 / exp) if exp else NO_DATA])
    r.table("ความครบถ้วนของรายงาน จำแนกตามเครือข่าย (ทุกรายงานรวมกัน)",
            ["เครือข่าย", "ต้องส่ง", "ส่งแล้ว", "ตรงเวลา", "ร้อยละที่ส่ง", "ร้อยละตรงเวลา"], rows, numeric=(1, 2, 3, 4, 5))


def _inspection(r: Report, fig: Figures) -> None:
    rounds = fig.inspection_rounds()
    rows = [] if rounds is None else [
        [plain(x.inspection_round), plain(x.responsible_group), number(x.total), number(x.done),
         number(x.done_on_time), number(x.in_progress), number(x.not_started), number(x.overdue), pct(x.pct_done)]
        for x in rounds.itertuples()]
    r.table("ผลการดำเนินการตามข้อเสนอแนะของผู้ตรวจราชการ รายรอบและกลุ่มที่รับผิดชอบ",
            ["รอบ", "กลุ่มที่รับผิดชอบ", "ข้อเสนอแนะ", "ดำเนินการแล้ว", "ตามกำหนด", "ระหว่างดำเนินการ", "ยังไม่เริ่ม",
             "เกินกำหนด", "ร้อยละที่ดำเนินการแล้ว"], rows, numeric=tuple(range(2, 9)),
            widths_cm=(1.8, 3.6, 1.5, 1.5, 1.4, 1.7, 1.4, 1.4, 1.7))
    ins = fig.inspection()
    rows = [] if ins is None else [
        [plain(x.inspection_round), plain(x.recommendation), plain(x.responsible_group),
         format_thai_date(x.due_on) if not is_missing(x.due_on) else NO_DATA, plain(x.status_th) or NO_DATA,
         pct(x.progress_pct, 0) if not is_missing(x.progress_pct) else "-"] for x in ins.itertuples()]
    r.table("ข้อเสนอแนะของผู้ตรวจราชการและสถานะการดำเนินการ",
            ["รอบ", "ข้อเสนอแนะ", "กลุ่มที่รับผิดชอบ", "กำหนดเสร็จ", "สถานะ", "ร้อยละความก้าวหน้า"], rows,
            widths_cm=(1.5, 5.4, 3.4, 2.1, 2.0, 1.6),
            notes=["กำหนดเสร็จนับเป็นวันทำการจากวันที่เขตได้รับแจ้งข้อเสนอแนะ"])


def _services(r: Report, fig: Figures) -> None:
    svc = fig.services()
    rows = [] if svc is None else [
        [plain(x.service_th), number(x.requests), number(x.done), number(x.within),
         pct(x.pct_within) if not is_missing(x.pct_within) else NO_DATA,
         number(x.median_workdays) if not is_missing(x.median_workdays) else NO_DATA, number(x.open_overdue)]
        for x in svc.itertuples()]
    r.table("คำขอรับบริการเทียบกับมาตรฐานระยะเวลาการให้บริการ (ทั้งกระบวนการ)",
            ["งานบริการ", "คำขอ", "แล้วเสร็จ", "ตามมาตรฐาน", "ร้อยละตามมาตรฐาน", "วันทำการ (มัธยฐาน)", "เกินกำหนดขณะนี้"],
            rows, numeric=(1, 2, 3, 4, 5, 6), widths_cm=(5.2, 1.4, 1.6, 1.8, 2.0, 2.0, 2.0),
            notes=["ตามมาตรฐาน = ทุกขั้นตอนเสร็จภายในมาตรฐานวันทำการของคู่มือ (แต่ละขั้นนับจากวันที่ขั้นก่อนหน้าเสร็จจริง)"])


def _follow_up(r: Report, fig: Figures) -> None:
    """One row per school: what to follow up, grouped (the nightly summary lists every item)."""
    f = fig.summary.follow_up
    rows = []
    for (net, code, name), g in f.groupby(["network", "school_code", "school_name"], sort=True, dropna=False):
        items = [f"{k}{': ' + plain(rep) if plain(rep) else ''}{' (' + plain(det) + ')' if plain(det) else ''}"
                 for k, rep, det in zip(g["kind_th"], g["report_th"], g["detail_th"], strict=True)]
        rows.append([plain(net), f"{code} {plain(name)}", number(len(g)), "; ".join(items)])
    r.table("รายการที่ต้องติดตามกับสถานศึกษา (รายโรงเรียน)", ["เครือข่าย", "โรงเรียน", "จำนวน", "เรื่องที่ต้องติดตาม"],
            rows, numeric=(2,), widths_cm=(3.0, 4.0, 1.4, 7.6))


BUILDERS: dict[str, Callable[[Report, Figures], None]] = {
    "overview": _overview, "budget": _budget, "projects": _projects, "kpi": _kpi, "reporting": _reporting,
    "inspection": _inspection, "services": _services, "follow_up": _follow_up, "conclusion": lambda r, f: None,
}


# --- the document ---------------------------------------------------------------------------------------------

def _cover(r: Report, t: dict, values: dict, where: str) -> None:
    for _ in range(6):
        r.doc.add_paragraph()
    for line in fill(t["cover"]["title"], values, f"{where} [cover] title").splitlines():
        r.paragraph(line, bold=True, align="center", size=28)
    r.paragraph(fill(t["cover"]["subtitle"], values, f"{where} [cover] subtitle"), bold=True, align="center",
                size=22)
    for _ in range(8):
        r.doc.add_paragraph()
    for line in fill(t["cover"]["agency"], values, f"{where} [cover] agency").splitlines():
        r.paragraph(line, bold=True, align="center", size=20)
    r.page_break()


def build(fig: Figures, *, template: Path | None = None) -> Report:
    t = load_template("annual", template)
    where = t.get("_path", "annual.toml")
    values = placeholders(fig)
    r = new_report(" ".join(fill(t["cover"]["title"], values, f"{where} [cover] title").split()))
    _cover(r, t, values, where)
    r.heading(fill(t["foreword"]["title"], values, f"{where} [foreword] title"), 1)
    r.paragraphs(fill(t["foreword"]["text"], values, f"{where} [foreword] text"))
    for line in fill(t["foreword"]["signature"], values, f"{where} [foreword] signature").splitlines():
        r.paragraph(line, align="right")
    r.page_break()
    r.toc()
    r.paragraph("ส่วนของรายงาน", bold=True, align="left", indent=False)
    titles = {k: fill(t["sections"][k]["title"], values, f"{where} [sections.{k}] title") for k in SECTIONS}
    for k in SECTIONS:
        r.paragraph(titles[k], align="left", indent=False)
    sources = f"; แหล่งข้อมูล: {'; '.join(fig.sources + fig.notes)}" if fig.sources or fig.notes else ""
    r.paragraph(f"ข้อมูล ณ วันที่ {values['as_of']} — ตัวเลขและตารางสร้างจากข้อมูลของระบบ Khet{sources}",
                align="left", indent=False, size=14)
    for k in SECTIONS:
        sec = t["sections"][k]
        r.heading(titles[k], 1, page_break=True)
        if sec.get("before"):
            r.paragraphs(fill(sec["before"], values, f"{where} [sections.{k}] before"))
        BUILDERS[k](r, fig)
        if sec.get("after"):
            r.paragraphs(fill(sec["after"], values, f"{where} [sections.{k}] after"))
    return r


def write_annual(fig: Figures, path: str | Path, *, template: Path | None = None) -> Path:
    return build(fig, template=template).save(path)


def default_name(fy: int) -> str:
    return f"khet-annual-report-{fy}.docx"
