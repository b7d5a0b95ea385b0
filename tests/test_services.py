"""Service requests against the standards of seed 004 and the inspectors' recommendations: the rules (due dates
chained from actual completion, on-standard shares, medians, round reports) and the nightly run reading them
from a real staff workbook file."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from addin import recommendations as recs
from addin import services as svc
from sync.staff_rows import append_rows
from sync.summary import write_xlsx
from sync.trackers import attach, read_trackers
from workbook.services import SERVICES_BY_KEY
from workbook.sheets import SHEETS
from workbook.templates import save_staff_workbook

D = dt.date
BUDGET = SERVICES_BY_KEY["budget_request"]
RESOURCE = SERVICES_BY_KEY["resource_mobilisation"]


def test_due_dates_chain_from_the_actual_completion():
    # Received Mon 16 Nov 2026; step 1 (1 working day) done on time on the 17th; step 2 (4 days) done Wed 25th,
    # two working days late: step 3 is due one working day after the 25th, not after step 2's due date.
    p = svc.progress(BUDGET, D(2026, 11, 16), [D(2026, 11, 17), D(2026, 11, 25)])
    s = p.steps
    assert [(x.start, x.due, x.done, x.workdays, x.on_standard) for x in s[:3]] == [
        (D(2026, 11, 16), D(2026, 11, 17), D(2026, 11, 17), 1, True),
        (D(2026, 11, 17), D(2026, 11, 23), D(2026, 11, 25), 6, False),
        (D(2026, 11, 25), D(2026, 11, 26), None, None, None)]
    assert not s[2].projected and s[3].projected and s[3].start == s[2].due
    # Projected to the end: step 8 (5 days) from Thu 3 Dec skips Sat 5 Dec (Father's Day), its substitute
    # Mon 7 Dec and Thu 10 Dec (Constitution Day).
    assert p.final_due == D(2026, 12, 14)
    assert p.current.step_no == 3 and p.on_standard_count() == (1, 2)
    assert p.status(D(2026, 11, 25)) == svc.DUE_SOON and p.status(D(2026, 11, 27)) == svc.OVERDUE
    assert p.completed_on is None and p.workdays_taken is None


def test_a_finished_request_and_its_columns():
    done = [D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 5), D(2026, 11, 6), D(2026, 11, 10)]
    p = svc.progress(RESOURCE, D(2026, 11, 2), done)
    assert p.status(D(2026, 12, 1)) == svc.DONE_LATE and p.workdays_taken == 6
    cols = svc.computed_columns(p, D(2026, 12, 1))
    assert cols == {"step_no": 5, "step_title": "เสร็จทุกขั้นตอน", "step_standard": "", "step_due": None,
                    "final_due": D(2026, 11, 9), "status": "เสร็จเกินมาตรฐาน", "completed_on": D(2026, 11, 10),
                    "workdays_taken": 6, "on_standard": "4/5"}


def test_standards_of_every_kind():
    kinds = {s.key: [svc.standard_of(st).kind for st in s.steps] for s in SERVICES_BY_KEY.values()}
    assert kinds["records_office"] == ["duration", "none", "duration", "duration", "none", "window"]
    assert kinds["school_plans"] == ["window", "window", "none", "window", "window", "window"]
    assert kinds["policy_monitoring"][5] == "none"  # "before the e-MES system closes": no date of its own
    plans = SERVICES_BY_KEY["school_plans"]
    # A window closed by the time the step starts is next year's: notified in March, the February step is due
    # at the end of February of the next year.
    p = svc.progress(plans, D(2026, 1, 10), [D(2026, 1, 20), None])
    assert p.steps[0].due == D(2026, 1, 31) and p.steps[1].due == D(2026, 2, 28)
    late = svc.progress(plans, D(2026, 3, 2), [])
    assert late.steps[0].due == D(2027, 1, 31)
    # "๕ นาที" is due the day it starts; a continuous step has no due date and is never judged.
    rec = svc.progress(SERVICES_BY_KEY["records_office"], D(2026, 11, 20), [D(2026, 11, 20), D(2026, 11, 23)])
    assert (rec.steps[0].due, rec.steps[0].on_standard, rec.steps[0].workdays) == (D(2026, 11, 20), True, 0)
    assert (rec.steps[1].due, rec.steps[1].on_standard, rec.steps[1].done) == (None, None, D(2026, 11, 23))
    assert rec.steps[2].due == D(2026, 11, 23)


def test_a_step_done_before_the_previous_one_is_a_problem_not_a_negative_duration():
    p = svc.progress(RESOURCE, D(2026, 11, 2), [D(2026, 11, 5), D(2026, 11, 4)])
    assert p.problems == [(2, "ขั้นที่ 2 เสร็จก่อนขั้นก่อนหน้า/วันรับคำขอ",
                           "step 2 is done before the previous step (or the day received)")]
    assert p.steps[1].workdays is None and p.steps[1].on_standard is None


def test_the_share_within_standard_and_the_median_per_service_and_step():
    today = D(2026, 12, 1)
    records = []
    # Three resource requests: step 1 took 1, 1 and 3 working days (standard 1); one finished on standard.
    for rid, got, steps in (("A", D(2026, 11, 2), [D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 5), D(2026, 11, 6),
                                                   D(2026, 11, 9)]),
                            ("B", D(2026, 11, 2), [D(2026, 11, 3)]),
                            ("C", D(2026, 11, 2), [D(2026, 11, 5)])):
        rec = {"request_id": rid, "school_code": "1048000001"}
        records.append((rec, svc.progress(RESOURCE, got, steps)))
    table = svc.standards_table(svc.step_frame(records), records, today)
    res = table[table["service_th"] == RESOURCE.title_th].set_index("step_th")
    step1 = res.loc[RESOURCE.steps[0].title_th]
    assert (step1.requests, step1.done, step1.judged, step1.within, step1.pct_within, step1.median_workdays) == (
        3, 3, 3, 2, 66.67, 1.0)
    step2 = res.loc[RESOURCE.steps[1].title_th]
    # B and C are stuck on step 2 (due 4 and 6 Nov): both overdue on it now.
    assert (step2.requests, step2.done, step2.open_overdue) == (3, 1, 2)
    whole = res.loc["ทั้งกระบวนการ"]
    assert (whole.requests, whole.done, whole.within, whole.pct_within, whole.median_workdays, whole.open_overdue) \
        == (3, 1, 1, 100.0, 5.0, 2)
    # Every service is listed, even those without a request yet (zero, no share).
    assert table["service_th"].nunique() == len(SERVICES_BY_KEY)
    empty = table[(table["service_th"] == BUDGET.title_th) & table["step_no"].isna()].iloc[0]
    assert empty.requests == 0 and pd.isna(empty.pct_within)


def test_recommendation_due_in_working_days_and_its_findings():
    today = D(2026, 11, 21)
    r = recs.assess({"notified_on": "1 ต.ค. 2569", "due_workdays": 20, "progress": "อยู่ระหว่างดำเนินการ"}, today)
    assert (r.due, r.status, r.days_left) == (D(2026, 11, 2), recs.OVERDUE, -19)
    done = recs.assess({"notified_on": D(2026, 10, 1), "due_workdays": 20, "progress": "ดำเนินการแล้ว",
                        "done_date": D(2026, 10, 30)}, today)
    assert done.status == recs.DONE_ON_TIME
    assert [p[0] for p in done.problems] == ["evidence_url"]
    no_date = recs.assess({"notified_on": D(2026, 10, 1), "due_workdays": 20, "progress": "ดำเนินการแล้ว"}, today)
    assert [p[0] for p in no_date.problems] == ["done_date"] and no_date.status == recs.OVERDUE


def test_round_report_per_round_and_group():
    today = D(2026, 11, 21)
    rows = [
        {"fiscal_year": 2569, "inspection_round": "รอบที่ 1", "item_no": "1", "responsible_group": "กลุ่มนโยบายและแผน",
         "notified_on": D(2026, 10, 1), "due_workdays": 20, "progress": "ดำเนินการแล้ว", "done_date": D(2026, 10, 20),
         "evidence_url": "https://drive.google.com/x"},
        {"fiscal_year": 2569, "inspection_round": "รอบที่ 1", "item_no": "2", "responsible_group": "กลุ่มนโยบายและแผน",
         "notified_on": D(2026, 10, 1), "due_workdays": 20, "progress": "อยู่ระหว่างดำเนินการ"},
        {"fiscal_year": 2569, "inspection_round": "รอบที่ 1", "item_no": "3", "responsible_group": "กลุ่มอำนวยการ",
         "notified_on": D(2026, 11, 10), "due_workdays": 30, "progress": "ยังไม่ดำเนินการ"},
    ]
    report = recs.round_report(recs.frame(rows, today)).set_index("responsible_group")
    assert report.loc["กลุ่มนโยบายและแผน", ["total", "done", "done_on_time", "in_progress", "overdue", "pct_done"]] \
        .tolist() == [2, 1, 1, 1, 1, 50.0]
    assert report.loc["รวมทุกกลุ่ม", ["total", "done", "in_progress", "not_started", "overdue"]].tolist() == [
        3, 1, 1, 1, 1]


# --- the nightly run's reading of the staff workbook ------------------------------------------------------------

@pytest.fixture
def staff(tmp_path):
    path = save_staff_workbook(tmp_path / "khet-staff.xlsx")
    append_rows(path, "service_requests", [
        {"request_id": "S-1", "school_code": "1048000001", "school_name": "โรงเรียนบ้านหนองบัว",
         "service": RESOURCE.title_th, "received_on": "2 พ.ย. 2569", "step1_done": "3 พ.ย. 2569",
         "step2_done": "4 พ.ย. 2569", "step3_done": "5 พ.ย. 2569", "step4_done": "6 พ.ย. 2569",
         "step5_done": "9 พ.ย. 2569"},
        {"request_id": "S-2", "school_code": "1048000002", "school_name": "=HYPERLINK(\"http://x\",\"y\")",
         "service": BUDGET.title_th, "received_on": dt.datetime(2026, 11, 2)},
        {"request_id": "S-3", "school_code": "1048000003", "school_name": "โรงเรียนบ้านนาแก",
         "service": "บริการที่ไม่มีในคู่มือ", "received_on": "2 พ.ย. 2569"},
    ])
    append_rows(path, "inspection_followup", [
        {"item_no": "1", "fiscal_year": 2569, "inspection_round": "รอบที่ 1",
         "recommendation": "เร่งรัดการเบิกจ่ายงบลงทุน", "responsible_group": "กลุ่มนโยบายและแผน",
         "notified_on": "1 ต.ค. 2569", "due_workdays": 20, "progress": "อยู่ระหว่างดำเนินการ"},
        {"item_no": "2", "fiscal_year": 2569, "inspection_round": "รอบที่ 1",
         "recommendation": "จัดทำแผนพัฒนาครู", "responsible_group": "กลุ่มพัฒนาครูและบุคลากรทางการศึกษา",
         "notified_on": "1 ต.ค. 2569", "due_workdays": 20, "progress": "ดำเนินการแล้ว", "done_date": "20 ต.ค. 2569"},
    ])
    return path


def test_trackers_from_the_staff_workbook_into_the_summary(staff, tmp_path):
    from sync.aggregate import District, summarize

    today = D(2026, 11, 21)
    t = read_trackers(staff, today, known_schools=["1048000001", "1048000003"])
    assert t.counts() == {"service_requests": 2, "service_requests_overdue": 1, "recommendations": 2,
                          "recommendations_overdue": 1, "tracker_findings": 4}
    # The unknown service is a finding on its cell (that request is left out), the formula-like name and the
    # school code not in the registry warnings (kept), the recommendation done without evidence a warning.
    codes = sorted((f.code, f.cell) for f in t.findings)
    assert codes == [("choice.invalid", "D5"), ("recommendation.evidence_url", "M4"),
                     ("service.unknown_school", "B4"), ("text.formula_like", "C4")]
    schools = pd.DataFrame({"school_code": ["1048000001"], "school_name": ["โรงเรียนบ้านหนองบัว"],
                            "network": ["เครือข่ายที่ 1"], "contact_email": ["a@b.c"], "phone": [""]})
    summary = summarize(District(schools=schools), 2569, today)
    attach(summary, t)
    kinds = summary.follow_up["kind_th"].tolist()
    assert kinds.count("ข้อเสนอแนะผู้ตรวจราชการเกินกำหนด") == 1 and kinds.count("คำขอรับบริการเกินมาตรฐาน") == 1
    xlsx = write_xlsx(summary, tmp_path / "out.xlsx", as_of=dt.datetime(2026, 11, 21, 2, 0))
    wb = openpyxl.load_workbook(xlsx)
    rows = list(wb["มาตรฐานการให้บริการ"].iter_rows(min_row=3, values_only=True))
    resource_whole = next(r for r in rows if r[0] == RESOURCE.title_th and r[2] == "ทั้งกระบวนการ")
    assert resource_whole[4:10] == (1, 1, 1, 1, 100, 5)
    requests = wb["สถานะคำขอรับบริการ"]
    texts = [c.value for row in requests.iter_rows(min_row=3) for c in row]
    assert "=HYPERLINK(\"http://x\",\"y\")" in texts and all(c.data_type != "f" for r in requests.iter_rows()
                                                             for c in r)
    overview = [r for r in wb[SHEETS["district_summary"].title_th].iter_rows(min_row=3, values_only=True)
                if r[0] == "มาตรฐานการให้บริการ"]
    assert len(overview) == len(SERVICES_BY_KEY)
    assert ("ข้อเสนอแนะผู้ตรวจราชการ", "ปีงบประมาณ 2569 รอบที่ 1 — ร้อยละที่ดำเนินการแล้ว") in [
        r[:2] for r in wb[SHEETS["district_summary"].title_th].iter_rows(min_row=3, values_only=True)]


def test_a_missing_staff_workbook_is_a_finding_not_an_empty_list(tmp_path):
    t = read_trackers(tmp_path / "nope.xlsx", D(2026, 11, 21))
    assert [f.code for f in t.findings] == ["trackers.file_missing"]
    assert read_trackers(None, D(2026, 11, 21)).counts()["tracker_findings"] == 0
