"""District consolidation: exact counts, statuses and satang-exact totals on a small hand-made district."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pandas as pd
import pytest

from addin.status import TIMEZONE
from sync import aggregate as agg

FY, TODAY = 2569, date(2026, 7, 20)
CODES = [f"100000000{i}" for i in range(1, 7)]
S1, S2, S3, S4, S5, S6 = CODES
D = Decimal


def plan_row(code, row, project, *, operating=0, equipment=0, construction=0, total, source="เงินงบประมาณ",
             strategy="กลยุทธ์ที่ 1"):
    return {"school_code": code, "_row": row, "project_code": project, "project_name": f"โครงการ {project}",
            "budget_source": source, "district_strategy": strategy, "budget_personnel": None,
            "budget_operating": D(str(operating)) if operating else None,
            "budget_equipment": D(str(equipment)) if equipment else None,
            "budget_construction": D(str(construction)) if construction else None, "budget_subsidy": None,
            "budget_other": None, "budget_total": D(str(total))}


def district() -> agg.District:
    schools = pd.DataFrame({
        "school_code": CODES, "school_name": [f"โรงเรียนบ้าน{n}" for n in "กขคงจฉ"],
        "network": ["เครือข่าย 1"] * 3 + ["เครือข่าย 2"] * 3,
        "contact_email": [f"s{i}@school.example" for i in range(1, 7)], "phone": ["0-4251-000" + str(i)
                                                                               for i in range(1, 7)],
    })
    plan = pd.DataFrame([
        plan_row(S1, 3, "P01", operating="1000.10", total="1000.10"),
        plan_row(S1, 4, "P02", operating="2000.20", total="2000.20", source="เงินอุดหนุนรายหัว",
                 strategy="กลยุทธ์ที่ 2"),
        plan_row(S2, 3, "P01", operating="1500.00", total="1500.00"),
        plan_row(S3, 3, "P01", equipment="1200.05", total="1200.05"),
        plan_row(S4, 3, "P01", operating="1300", total="1300"),
        plan_row(S5, 3, "P01", construction="50000", total="50000"),
    ])
    rejected_plan = pd.DataFrame([{"school_code": S2, "_row": 4, "project_code": "P02", "budget_total": "abc"}])
    submission = pd.DataFrame([
        {"school_code": S1, "_row": 3, "report": "แผนปฏิบัติการประจำปี", "fiscal_year": 2569, "confirmed": "ใช่"},
        {"school_code": S1, "_row": 4, "report": "ความก้าวหน้าโครงการ ไตรมาส 1", "fiscal_year": 2569,
         "confirmed": "ใช่"},
        {"school_code": S2, "_row": 3, "report": "แผนปฏิบัติการประจำปี", "fiscal_year": 2569, "confirmed": "ใช่"},
        {"school_code": S3, "_row": 3, "report": "แผนปฏิบัติการประจำปี", "fiscal_year": 2569,
         "confirmed": "ไม่ใช่"},
        {"school_code": S4, "_row": 3, "report": "แผนปฏิบัติการประจำปี", "fiscal_year": 2568, "confirmed": "ใช่"},
    ])
    progress = pd.DataFrame([
        {"school_code": S1, "_row": 3, "project_code": "P01", "quarter": "1", "status": "กำลังดำเนินการ",
         "progress_pct": D("50"), "budget_total": D("1000.10"), "spent": D("400.05")},
        {"school_code": S1, "_row": 4, "project_code": "P01", "quarter": "2", "status": "ดำเนินการแล้วเสร็จ",
         "progress_pct": D("100"), "budget_total": D("1000.10"), "spent": D("1000.10")},
        # A quarter typed as the number 1 is the same quarter as "1".
        {"school_code": S2, "_row": 3, "project_code": "P01", "quarter": 1, "status": "ยังไม่เริ่ม",
         "progress_pct": D("0"), "budget_total": None, "spent": D("0")},
    ])
    higher, lower = "มากกว่าหรือเท่ากับดีกว่า", "น้อยกว่าหรือเท่ากับดีกว่า"
    kpi = pd.DataFrame([
        {"school_code": S1, "_row": 3, "round": "6 เดือน", "indicator_code": "K1", "indicator": "ร้อยละผู้เรียนอ่านออก",
         "direction": higher, "target": D("80"), "result": D("85")},
        {"school_code": S2, "_row": 3, "round": "6 เดือน", "indicator_code": "K1", "indicator": "ร้อยละผู้เรียนอ่านออก",
         "direction": higher, "target": D("80"), "result": D("70")},
        {"school_code": S3, "_row": 3, "round": "6 เดือน", "indicator_code": "K1", "indicator": "ร้อยละผู้เรียนอ่านออก",
         "direction": lower, "target": D("5"), "result": D("3")},
        {"school_code": S4, "_row": 3, "round": "6 เดือน", "indicator_code": "K2", "indicator": "จำนวนครั้งนิเทศ",
         "direction": higher, "target": D("10"), "result": D("10")},
    ])
    findings = pd.DataFrame([
        {"school_code": S2, "sheet": "แผนปฏิบัติการ", "sheet_key": "action_plan", "row": 4,
         "column": "งบประมาณรวม (บาท)", "cell": "L4", "raw": "abc", "severity": "error", "code": "money.invalid",
         "message_th": "จำนวนเงินไม่ถูกต้อง", "message_en": "invalid amount", "fix_th": "พิมพ์ตัวเลข"},
        {"school_code": S1, "sheet": "ประเมินตนเอง KPI", "sheet_key": "kpi", "row": 3, "column": "ผลการดำเนินงาน",
         "cell": "G3", "raw": "85", "severity": "warning", "code": "rule.target_not_met", "message_th": "x",
         "message_en": "x", "fix_th": ""},
    ])
    reads = pd.DataFrame({"school_code": CODES, "outcome": ["read"] * 5 + ["failed"],
                          "reason": [None] * 5 + ["not_shared"], "data_age_hours": [0.0] * 5 + [30.0]})
    return agg.District(schools=schools, tables={"action_plan": plan, "submission": submission,
                                                 "progress": progress, "kpi": kpi},
                        rejected={"action_plan": rejected_plan}, findings=findings, reads=reads)


def _afternoon(day: date) -> datetime:
    return datetime.combine(day, time(15, 0), TIMEZONE)


# Evidence times (a) and (b) as the history keeps them.
EVIDENCE = {pair: {"with_data": _afternoon(day), "valid": _afternoon(day)} for pair, day in (
    ((S1, "action_plan"), date(2026, 5, 20)), ((S1, "progress_q1"), date(2026, 2, 1)),
    ((S5, "action_plan"), date(2026, 6, 10)))}


@pytest.fixture(scope="module")
def summary():
    return agg.summarize(district(), FY, TODAY, evidence=EVIDENCE)


def test_due_dates_come_from_the_timing_phrases():
    assert agg.report_dues(FY) == {
        "action_plan": date(2026, 5, 31), "progress_q1": date(2026, 1, 15), "progress_q2": date(2026, 4, 15),
        "progress_q3": date(2026, 7, 15), "progress_q4": date(2026, 10, 15), "kpi_6m": date(2026, 3, 31),
        "kpi_12m": date(2026, 9, 30), "requests": date(2026, 9, 30)}


def test_confirmed_needs_yes_and_the_fiscal_year():
    assert agg.confirmed_reports(district(), FY) == {(S1, "action_plan"), (S1, "progress_q1"), (S2, "action_plan")}


def test_status_per_school_and_report(summary):
    st = summary.status.set_index(["school_code", "report_key"])
    assert st.loc[(S1, "action_plan"), "status"] == "on_time"
    assert st.loc[(S1, "progress_q1"), "status"] == "late"
    assert st.loc[(S5, "action_plan"), "status"] == "late"
    # Unsent once the due date (no grace days) is over: missing at once, not only at year end.
    assert st.loc[(S3, "action_plan"), "status"] == "missing"
    assert st.loc[(S1, "progress_q3"), "status"] == "missing"
    assert st.loc[(S1, "progress_q4"), "status"] == "not_yet_due"
    assert st.loc[(S1, "action_plan"), "status_th"] == "ส่งแล้ว (ตรงเวลา)"
    # S2 confirmed but one plan row has an error: not submitted, needs correction.
    s2 = st.loc[(S2, "action_plan")]
    assert (s2["confirmed"], s2["valid"], s2["rows"], s2["errors"], s2["needs_correction"]) == (
        True, False, 2, 1, True)
    assert int(summary.status["needs_correction"].sum()) == 1
    assert len(summary.status) == 6 * 8


def test_grace_days_keep_a_report_overdue_until_they_are_over():
    st = agg.report_status(district(), FY, TODAY, evidence=EVIDENCE, grace_days=10).set_index(
        ["school_code", "report_key"])
    assert st.loc[(S1, "progress_q3"), "status"] == "overdue"      # due 15 July + 10 days
    assert st.loc[(S3, "action_plan"), "status"] == "missing"      # due 31 May + 10 days: over
    late = agg.report_status(district(), FY, TODAY, evidence=EVIDENCE, grace_days=15).set_index(
        ["school_code", "report_key"])
    assert late.loc[(S5, "action_plan"), "status"] == "on_time"    # sent 10 June: within 31 May + 15 days


def test_completeness_district_and_by_network(summary):
    c = summary.completeness.set_index("report_key")
    row = c.loc["action_plan"]
    assert [int(row[k]) for k in agg.COUNT_COLUMNS] == [6, 2, 1, 1, 0, 4, 0]
    assert (row["pct_submitted"], row["pct_on_time"]) == (33.33, 16.67)
    assert [int(x) for x in c.loc["progress_q4", list(agg.COUNT_COLUMNS)]] == [6, 0, 0, 0, 0, 0, 6]
    n = summary.completeness_by_network
    ap = n[n["report_key"] == "action_plan"].set_index("network")
    assert ap.loc["เครือข่าย 1", ["submitted", "on_time", "late", "missing"]].tolist() == [1, 1, 0, 2]
    assert ap.loc["เครือข่าย 2", ["submitted", "on_time", "late", "missing"]].tolist() == [1, 0, 1, 2]


def test_status_matrix(summary):
    m = summary.matrix.set_index("school_code")
    assert list(m.columns[:3]) == ["school_name", "network", "แผนปฏิบัติการประจำปี"]
    assert m.shape == (6, 2 + 8)
    assert m.loc[S5, "แผนปฏิบัติการประจำปี"] == "ส่งช้า"
    assert m.loc[S1, "ความก้าวหน้าโครงการ ไตรมาส 4"] == "ยังไม่ถึงกำหนด"


def test_budget_totals_exact_to_the_satang(summary):
    b = summary.budget_by_school.set_index("school_name")
    assert b.loc["โรงเรียนบ้านก", "budget_total"] == D("3000.30")
    assert b.loc["โรงเรียนบ้านฉ", "budget_total"] == D("0.00")
    total = b.loc["รวมทั้งเขต"]
    assert (total["budget_operating"], total["budget_equipment"], total["budget_construction"],
            total["budget_total"]) == (D("5800.30"), D("1200.05"), D("50000.00"), D("57000.35"))
    cat = dict(zip(summary.budget_by_category["category"], summary.budget_by_category["amount"], strict=True))
    assert cat["งบดำเนินงาน"] == D("5800.30") and cat["รวม"] == D("57000.35")
    src = summary.budget_by_source.set_index("budget_source")
    assert src.loc["เงินอุดหนุนรายหัว", "budget_total"] == D("2000.20")
    assert src.loc["รวม", "budget_total"] == D("57000.35") and src.loc["รวม", "projects"] == 6
    strat = summary.budget_by_strategy.set_index("district_strategy")
    assert strat.loc["กลยุทธ์ที่ 1", "budget_total"] == D("55000.15")
    detail = summary.budget_detail
    s1 = detail[detail["school_code"] == S1]
    assert s1[["dimension", "item", "projects", "budget_total"]].values.tolist() == [
        ["กลยุทธ์ของเขต", "กลยุทธ์ที่ 1", 1, D("1000.10")], ["กลยุทธ์ของเขต", "กลยุทธ์ที่ 2", 1, D("2000.20")],
        ["แหล่งงบประมาณ", "เงินงบประมาณ", 1, D("1000.10")], ["แหล่งงบประมาณ", "เงินอุดหนุนรายหัว", 1, D("2000.20")]]
    assert sum(detail["budget_total"], D(0)) == 2 * D("57000.35")


def test_money_sums_do_not_drift_like_floats():
    many = pd.DataFrame({"school_code": [S1] * 1000, "_row": range(3, 1003), "budget_total": [D("0.10")] * 1000,
                         "budget_operating": [0.1] * 1000})
    d = agg.District(schools=pd.DataFrame({"school_code": [S1], "school_name": ["ก"], "network": ["n"]}),
                     tables={"action_plan": many})
    b = agg.budget_by_school(d)
    assert b["budget_total"].tolist() == [D("100.00"), D("100.00")]
    assert b["budget_operating"].tolist() == [D("100.00"), D("100.00")]


def test_project_status_per_quarter(summary):
    p = summary.projects.set_index("quarter")
    assert p.loc["1", ["projects", "schools", "กำลังดำเนินการ", "ยังไม่เริ่ม"]].tolist() == [2, 2, 1, 1]
    assert p.loc["1", "mean_progress_pct"] == 25.0
    assert (p.loc["1", "budget_total"], p.loc["1", "spent"]) == (D("1000.10"), D("400.05"))
    assert p.loc["2", ["projects", "ดำเนินการแล้วเสร็จ"]].tolist() == [1, 1]
    assert p.loc["3", "projects"] == 0 and pd.isna(p.loc["3", "mean_progress_pct"])


def test_kpi_attainment(summary):
    k = summary.kpi.set_index("indicator_code")
    assert k.loc["K1", ["met", "not_met", "no_data", "pct_met"]].tolist() == [2, 1, 3, 33.33]
    assert k.loc["K2", ["met", "not_met", "no_data", "pct_met"]].tolist() == [1, 0, 5, 16.67]


def test_follow_up_list_with_contacts(summary):
    f = summary.follow_up
    assert f["kind"].value_counts().to_dict() == {"missing": 27, "correction": 1, "unreachable": 1}
    corr = f[f["kind"] == "correction"].iloc[0]
    assert (corr["school_code"], corr["report_th"], corr["contact_email"], corr["detail_th"]) == (
        S2, "แผนปฏิบัติการประจำปี", "s2@school.example", "ข้อผิดพลาด 1 รายการ")
    gone = f[f["kind"] == "unreachable"].iloc[0]
    assert gone["school_code"] == S6
    assert gone["detail_th"] == ("ชีตไม่ได้แชร์ให้บัญชีของเขตแล้ว ขอให้โรงเรียนแชร์กลับ (สิทธิ์ผู้แก้ไข);"
                                 " ใช้ข้อมูลเดิมอายุ 30 ชั่วโมง")
    assert f["network"].tolist() == sorted(f["network"].tolist())


def test_outliers_ten_times_the_median(summary):
    o = summary.outliers
    assert o[["per", "school_code", "value", "median", "ratio"]].values.tolist() == [
        ["school", S5, D("50000.00"), D("1500.00"), 33.33],
        ["row", S5, D("50000.00"), D("1400.00"), 35.71],
    ]
    assert o.iloc[1]["row"] == 3
    assert o.iloc[0]["note_th"] == "สูงกว่าค่ามัธยฐานของเขต 33.3 เท่า"


def test_headline(summary):
    h = summary.headline()
    assert (h["schools"], h["reports_expected"], h["submitted"], h["on_time"], h["late"], h["needs_correction"],
            h["unreachable"]) == (6, 48, 3, 1, 2, 1, 1)


def test_summary_tab_titles_fit_excel():
    from sync.summary import TAB_TITLES

    # Excel refuses sheet names over 31 characters or with []:*?/\ in them.
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in TAB_TITLES)
    assert len(set(TAB_TITLES)) == len(TAB_TITLES) == 24
