"""The sheet definitions are consistent, match the shared contract, and the docs generated from them are current."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from addin.timing import occurrences
from sync.cli import main as khet
from workbook.docs import DOCS_PATH, docs_are_current, render_sheets_md, write_docs
from workbook.reports import REPORTS, REPORTS_BY_KEY, get_report
from workbook.schema import (
    DIRECTIONS,
    NUMBER_FORMATS,
    RULE_KINDS,
    ColType,
    SheetDef,
    TableRule,
    sheet_grid_header,
)
from workbook.services import SERVICES
from workbook.sheets import (
    ACTION_PLAN,
    BUDGET_CATEGORIES,
    SCHOOL_SHEETS,
    SHEETS,
    STAFF_SHEETS,
    get_sheet,
)

ALL = list(SHEETS.values())
ids = [s.key for s in ALL]


def test_sheet_keys_are_the_contract():
    assert [s.key for s in SCHOOL_SHEETS] == [
        "school_profile", "action_plan", "progress", "kpi", "requests", "submission", "feedback"]
    assert [s.key for s in STAFF_SHEETS] == [
        "work_calendar", "district_projects", "school_registry", "submissions", "submission_overrides",
        "report_decisions", "inspection_followup", "service_requests", "line_groups", "announcements", "findings", "district_summary"]
    assert list(SHEETS) == [s.key for s in SCHOOL_SHEETS + STAFF_SHEETS]
    assert {s.audience for s in SCHOOL_SHEETS} == {"school"}
    assert {s.audience for s in STAFF_SHEETS} == {"staff"}


def test_school_tab_titles():
    assert [s.title_th for s in SCHOOL_SHEETS] == [
        "ข้อมูลโรงเรียน", "แผนปฏิบัติการ", "ความก้าวหน้าโครงการ", "ประเมินตนเอง KPI", "คำขอ", "ยืนยันการส่ง",
        "ข้อเสนอแนะจากเขต"]


def test_titles_are_unique_and_valid_tab_names():
    titles = [s.title_th for s in ALL]
    assert len(set(titles)) == len(titles)
    for title in titles:
        assert 0 < len(title) <= 31, title
        assert not re.search(r"[\[\]:*?/\\]", title), title
        assert title == title.strip() and not title.startswith("'") and not title.endswith("'")


@pytest.mark.parametrize("sheet", ALL, ids=ids)
def test_columns_are_consistent(sheet: SheetDef):
    keys = sheet.keys()
    assert len(set(keys)) == len(keys)
    for col in sheet.columns:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", col.key), col.key
        assert col.header_th.strip() == col.header_th and col.header_th
        assert col.header_en, col.key
        assert isinstance(col.type, ColType) and col.type in NUMBER_FORMATS
        if col.type is ColType.CHOICE:
            assert col.choices, col.key
            assert len(set(col.choices)) == len(col.choices), col.key
            assert all(c.strip() == c and c for c in col.choices)
        else:
            assert col.choices == (), col.key
        if col.min is not None and col.max is not None:
            assert col.min <= col.max
        assert col.max_length is None or col.max_length > 0
    # A header text (Thai header, alias, key or English caption) must name exactly one column of the sheet,
    # otherwise reading a renamed column would be ambiguous.
    names = Counter(h for c in sheet.columns for h in {n.casefold() for n in c.accepted_headers()})
    assert [n for n, k in names.items() if k > 1] == []


@pytest.mark.parametrize("sheet", ALL, ids=ids)
def test_rules_reference_existing_columns_of_the_right_type(sheet: SheetDef):
    for rule in sheet.rules:
        assert rule.kind in RULE_KINDS
        assert rule.code.startswith("rule.")
        assert rule.message_th and rule.message_en
        cols = [sheet.column(k) for k in rule.referenced_keys()]  # KeyError if a key is unknown
        if rule.kind == "end_not_before_start":
            assert len(rule.columns) == 2 and {c.type for c in cols} == {ColType.DATE}
        elif rule.kind == "not_more_than":
            assert len(rule.columns) == 2 and {c.type for c in cols} == {ColType.MONEY}
        elif rule.kind == "sum_equals":
            assert rule.total and {c.type for c in cols} == {ColType.MONEY}
        elif rule.kind == "result_vs_target":
            direction = sheet.column(rule.direction_column)
            assert direction.type is ColType.CHOICE and direction.choices == DIRECTIONS
            assert rule.severity == "warning"


def test_rule_rejects_unknown_kind_and_severity():
    with pytest.raises(ValueError, match="unknown rule kind 'bigger'"):
        TableRule("bigger", ("a",))
    with pytest.raises(ValueError, match="unknown severity 'fatal'"):
        TableRule("unique", ("a",), severity="fatal")


def test_action_plan_budget_by_category_adds_up_to_total():
    money = [c for c in ACTION_PLAN.columns if c.type is ColType.MONEY]
    assert [c.header_th for c in money] == [
        "งบบุคลากร", "งบดำเนินงาน", "งบลงทุน: ครุภัณฑ์", "งบลงทุน: ที่ดินและสิ่งก่อสร้าง", "งบเงินอุดหนุน",
        "งบรายจ่ายอื่น", "งบประมาณรวม (บาท)"]
    assert BUDGET_CATEGORIES == tuple(h for h in [c.header_th for c in money][:-1])
    (rule,) = [r for r in ACTION_PLAN.rules if r.kind == "sum_equals"]
    assert rule.columns == ("budget_personnel", "budget_operating", "budget_equipment", "budget_construction",
                            "budget_subsidy", "budget_other")
    assert rule.total == "budget_total"
    assert [r.kind for r in ACTION_PLAN.rules] == ["unique", "end_not_before_start", "sum_equals"]


def test_specific_rules_and_limits():
    progress = SHEETS["progress"]
    assert progress.column("progress_pct").type is ColType.PERCENT
    assert (progress.column("progress_pct").min, progress.column("progress_pct").max) == (0, 100)
    assert progress.column("quarter").choices == ("1", "2", "3", "4")
    assert [(r.kind, r.columns) for r in progress.rules] == [
        ("unique", ("project_code", "quarter")), ("not_more_than", ("spent", "budget_total"))]
    kpi = SHEETS["kpi"]
    assert kpi.column("round").choices == ("6 เดือน", "12 เดือน")
    assert (kpi.column("quality_level").min, kpi.column("quality_level").max) == (1, 5)
    assert [(r.kind, r.columns, r.direction_column) for r in kpi.rules] == [
        ("unique", ("round", "indicator_code"), None), ("result_vs_target", ("target", "result"), "direction")]
    assert SHEETS["school_profile"].max_rows == 1
    assert SHEETS["feedback"].read_only and all(c.computed for c in SHEETS["feedback"].columns)
    assert [s.key for s in ALL if s.read_only] == ["feedback", "submissions", "announcements", "findings",
                                                          "district_summary"]
    registry = SHEETS["school_registry"]
    assert registry.keys()[:2] == ["school_code", "school_name"]
    assert {"network", "contact_email", "spreadsheet_id"} <= set(registry.keys())


def test_get_sheet_by_key_or_title():
    assert get_sheet("action_plan") is ACTION_PLAN
    assert get_sheet("แผนปฏิบัติการ") is ACTION_PLAN
    assert get_sheet("  แผนปฏิบัติการ ") is ACTION_PLAN
    with pytest.raises(KeyError, match="ไม่รู้จักชีต 'nope' / unknown sheet 'nope'"):
        get_sheet("nope")


def test_column_lookup_and_layout_helpers():
    sub = SHEETS["submission"]
    assert sub.column("submitted_on").header_th == "วันที่ส่ง"
    with pytest.raises(KeyError, match="sheet 'submission' has no column 'x'"):
        sub.column("x")
    assert (sub.header_row, sub.key_row, sub.first_data_row) == (1, 2, 3)
    assert sheet_grid_header(sub) == [
        ["รายงาน", "ปีงบประมาณ", "ผู้ส่ง", "ตำแหน่ง", "วันที่ส่ง", "ยืนยันว่าข้อมูลถูกต้องครบถ้วน", "หมายเหตุ"],
        ["report", "fiscal_year", "submitted_by", "position", "submitted_on", "confirmed", "note"],
    ]
    assert sub.a1_range() == "'ยืนยันการส่ง'"  # the whole used area, however wide (a column moved past Z)
    assert ACTION_PLAN.grid_width() == 29  # 19 columns + room for 10 added by a school
    assert ACTION_PLAN.letter("budget_total") == "L"
    assert SHEETS["school_profile"].column("school_code").accepted_headers() == (
        "รหัสโรงเรียน", "รหัสสถานศึกษา", "รหัสโรงเรียน 10 หลัก", "school_code", "School code")
    assert SHEETS["submission"].column("confirmed").allowed_values() == ("ใช่", "ไม่ใช่")


def test_reports_are_the_contract_and_match_the_submission_tab():
    assert [r.key for r in REPORTS] == [
        "action_plan", "progress_q1", "progress_q2", "progress_q3", "progress_q4", "kpi_6m", "kpi_12m", "requests"]
    assert SHEETS["submission"].column("report").choices == tuple(r.title_th for r in REPORTS)
    for report in REPORTS:
        sheet = SHEETS[report.sheet]
        assert sheet.audience == "school" and not sheet.read_only
        if report.row_filter:
            key, value = report.row_filter
            assert value in sheet.column(key).choices
    assert REPORTS_BY_KEY["progress_q3"].row_filter == ("quarter", "3")
    assert get_report("ความก้าวหน้าโครงการ ไตรมาส 2") is REPORTS_BY_KEY["progress_q2"]
    with pytest.raises(KeyError, match="unknown report 'x'"):
        get_report("x")


def _due(report, fy):
    occ = occurrences(report.due, fy)
    return occ[report.occurrence - 1].due if report.occurrence else occ[-1].due


def test_report_due_phrases_evaluate_to_the_expected_dates():
    got = {r.key: _due(r, 2569) for r in REPORTS}
    assert got == {
        "action_plan": date(2026, 5, 31),
        "progress_q1": date(2026, 1, 15),
        "progress_q2": date(2026, 4, 15),
        "progress_q3": date(2026, 7, 15),
        "progress_q4": date(2026, 10, 15),
        "kpi_6m": date(2026, 3, 31),
        "kpi_12m": date(2026, 9, 30),
        "requests": date(2026, 9, 30),
    }


def test_services_follow_seed_004():
    assert [(s.key, len(s.steps)) for s in SERVICES] == [
        ("school_plans", 6), ("budget_request", 8), ("resource_mobilisation", 5), ("policy_monitoring", 7),
        ("records_office", 6)]
    assert [st.standard_th for st in SERVICES[1].steps] == ["๑ วัน", "๔ วัน", "๑ วัน", "๒ วัน", "๑ วัน", "๑ วัน",
                                                            "๑ วัน", "๕ วัน"]
    assert all(st.fee_th == "ไม่มีค่าธรรมเนียม" and st.channels for s in SERVICES for st in s.steps)
    assert SHEETS["service_requests"].column("service").choices == tuple(s.title_th for s in SERVICES)
    assert [c.key for c in SHEETS["service_requests"].columns if c.key.endswith("_done")] == [
        f"step{n}_done" for n in range(1, 9)]


def test_shared_columns_are_one_definition():
    # The same key means the same column wherever the meaning is the same (no drift between sheets).
    assert SHEETS["school_registry"].column("school_code") is SHEETS["school_profile"].column("school_code")
    assert SHEETS["district_projects"].column("budget_total") is ACTION_PLAN.column("budget_total")
    assert SHEETS["kpi"].column("direction") is ACTION_PLAN.column("direction")


def test_docs_are_current():
    assert docs_are_current(), "docs/sheets.md is stale: run `khet workbook docs`"
    assert DOCS_PATH.read_text(encoding="utf-8") == render_sheets_md()


def test_docs_list_every_column_and_rule():
    text = render_sheets_md()
    for sheet in ALL:
        assert f"### {sheet.title_th} — {sheet.title_en}" in text
        for col in sheet.columns:
            assert f"| {sheet.letter(col.key)} | {col.header_th} | `{col.key}` |" in text
    assert ("- `budget_personnel` + `budget_operating` + `budget_equipment` + `budget_construction` + "
            "`budget_subsidy` + `budget_other` = `budget_total` — error, `rule.budget_sum_mismatch`: "
            "งบแต่ละหมวดรวมกันไม่เท่ากับงบประมาณรวม / budget by category does not add up to the total") in text
    assert "| `progress_q4` | ความก้าวหน้าโครงการ ไตรมาส 4 | `progress` | `quarter` = 4 | ภายใน 15 วันหลังสิ้นไตรมาส | 4 |" in text


def test_docs_command_writes_and_checks(tmp_path, capsys):
    target = tmp_path / "sheets.md"
    assert khet(["workbook", "docs", "--check", "--out", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert khet(["workbook", "docs", "--out", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert khet(["workbook", "docs", "--check", "--out", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("ต้องกรอก", "required", 1), encoding="utf-8")
    assert khet(["workbook", "docs", "--check", "--out", str(target)]) == 1
    assert write_docs(target) == target and docs_are_current(target)
