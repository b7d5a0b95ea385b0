"""The pydantic row models generated from the definitions accept valid rows and reject bad ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from workbook.models import model_for, rule_holds
from workbook.schema import DIRECTION_HIGHER_BETTER, DIRECTION_LOWER_BETTER, ColType, Column, SheetDef
from workbook.sheets import SHEETS

ALL = list(SHEETS.values())


def sample(col: Column):
    """A valid value for a column, chosen so that every row rule holds (equal dates, zero money)."""
    return {
        ColType.TEXT: "ข้อความ",
        ColType.INTEGER: int(col.min) if col.min is not None else 3,
        ColType.NUMBER: 1.5,
        ColType.MONEY: Decimal("0.00"),
        ColType.PERCENT: 50.0,
        ColType.DATE: date(2025, 10, 1),
        ColType.CHOICE: col.choices[0] if col.choices else None,
        ColType.SCHOOL_CODE: "0102008000",
        ColType.URL: "https://drive.google.com/file/d/abc",
        ColType.EMAIL: "school@example.ac.th",
        ColType.YESNO: "ใช่",
    }[col.type]


def full_row(sheet: SheetDef) -> dict:
    return {c.key: sample(c) for c in sheet.columns}


ACTION_ROW = {
    "project_code": "P01",
    "project_name": "โครงการพัฒนาการอ่าน",
    "obec_policy": "ด้านคุณภาพ",
    "district_strategy": "กลยุทธ์ที่ 2",
    "budget_source": "เงินอุดหนุนรายหัว",
    "budget_operating": "12000.50",
    "budget_equipment": Decimal("3000"),
    "budget_total": 15000.5,
    "responsible": "ครูสมศรี",
    "start_date": date(2025, 11, 1),
    "end_date": "2026-03-31",
    "indicator": "ร้อยละนักเรียนอ่านคล่อง",
    "direction": DIRECTION_HIGHER_BETTER,
    "target": 80,
}


@pytest.mark.parametrize("sheet", ALL, ids=[s.key for s in ALL])
def test_every_sheet_model_accepts_a_full_valid_row(sheet: SheetDef):
    model = sheet.model()
    assert issubclass(model, BaseModel)
    row = model(**full_row(sheet))
    assert list(type(row).model_fields) == sheet.keys()
    for col in sheet.columns:
        assert getattr(row, col.key) is not None, col.key


def test_model_is_built_once_and_named_after_the_sheet():
    assert SHEETS["action_plan"].model() is SHEETS["action_plan"].model() is model_for(SHEETS["action_plan"])
    assert SHEETS["action_plan"].model().__name__ == "ActionPlanRow"
    assert SHEETS["inspection_followup"].model().__name__ == "InspectionFollowupRow"
    schema = SHEETS["action_plan"].model().model_json_schema()
    assert schema["title"] == "แผนปฏิบัติการ"
    assert schema["properties"]["budget_total"]["title"] == "งบประมาณรวม (บาท)"
    assert schema["required"] == ["project_code", "project_name", "budget_total", "responsible",
                                  "start_date", "end_date", "indicator", "direction", "target"]


def test_action_plan_row_types_are_exact():
    row = SHEETS["action_plan"].model()(**ACTION_ROW)
    assert row.budget_operating == Decimal("12000.50") and isinstance(row.budget_operating, Decimal)
    assert row.budget_total == Decimal("15000.5")
    assert row.budget_personnel is None
    assert row.end_date == date(2026, 3, 31)
    assert row.target == 80.0 and isinstance(row.target, float)
    assert row.unit is None


def test_fields_accepted_by_thai_header_alias_or_key():
    model = SHEETS["school_registry"].model()
    by_thai = model(**{"รหัสโรงเรียน": "1020080005", "ชื่อโรงเรียน": "บ้านหนองแวง", "อีเมลติดต่อ": "a@b.go.th"})
    by_alias = model(**{"รหัสสถานศึกษา": "1020080005", "ชื่อสถานศึกษา": "บ้านหนองแวง", "บัญชี Google": "a@b.go.th"})
    by_key = model(school_code="1020080005", school_name="บ้านหนองแวง", contact_email="a@b.go.th",
                   unknown_extra="kept elsewhere")
    assert by_thai == by_alias == by_key
    assert by_key.school_code == "1020080005" and by_key.active is None


def test_yes_no_values():
    model = SHEETS["submission"].model()
    base = {"report": "แผนปฏิบัติการประจำปี", "fiscal_year": 2569, "submitted_by": "นางสาวกานดา",
            "submitted_on": date(2026, 5, 20)}
    assert model(**base, confirmed="ใช่").confirmed is True
    assert model(**base, confirmed="ไม่ใช่").confirmed is False
    assert model(**base, confirmed=True).confirmed is True
    with pytest.raises(ValidationError) as err:
        model(**base, confirmed="อาจจะ")
    assert err.value.errors()[0]["loc"] == ("confirmed",)


def errors_of(sheet_key: str, row: dict) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as err:
        SHEETS[sheet_key].model()(**row)
    return [(e["loc"], e["type"]) for e in err.value.errors()]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("school_code", "102008000", "string_pattern_mismatch"),  # 9 digits
        ("school_code", "10200800O5", "string_pattern_mismatch"),  # letter O
        ("school_code", 1020080005, "string_type"),  # a number lost its leading zeros somewhere
        ("contact_email", "school.example.com", "value_error"),
        ("contact_email", "a@b", "value_error"),
        ("website", "ftp://example.com", "value_error"),
        ("website", "www.example.com", "value_error"),
        ("students", -1, "greater_than_equal"),
        ("students", 12.5, "int_from_float"),
        ("size", "ขนาดจิ๋ว", "literal_error"),
        ("fiscal_year", 2025, "greater_than_equal"),
        ("updated_on", "31/02/2569", "date_from_datetime_parsing"),
    ],
)
def test_school_profile_rejects_bad_values(field, value, error):
    row = full_row(SHEETS["school_profile"]) | {field: value}
    assert errors_of("school_profile", row) == [((field,), error)]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"budget_operating": "12000.505"}, [(("budget_operating",), "decimal_max_places")]),
        ({"budget_equipment": -5}, [(("budget_equipment",), "greater_than_equal")]),
        ({"district_strategy": "กลยุทธ์ที่ 9"}, [(("district_strategy",), "literal_error")]),
        ({"project_code": ""}, [(("project_code",), "string_too_short")]),
        ({"project_code": "P" * 21}, [(("project_code",), "string_too_long")]),
        ({"target": float("nan")}, [(("target",), "finite_number")]),
        ({"budget_total": 15000.49}, [((), "value_error")]),  # categories add up to 15000.50
        ({"end_date": date(2025, 10, 31)}, [((), "value_error")]),  # ends before it starts
    ],
)
def test_action_plan_rejects_bad_rows(changes, expected):
    assert errors_of("action_plan", ACTION_ROW | changes) == expected


def test_missing_required_fields_are_named():
    row = dict(ACTION_ROW)
    del row["project_name"], row["start_date"]
    assert errors_of("action_plan", row) == [(("project_name",), "missing"), (("start_date",), "missing")]


def test_rule_errors_carry_the_rule_code_and_both_languages():
    with pytest.raises(ValidationError) as err:
        SHEETS["action_plan"].model()(**(ACTION_ROW | {"budget_total": 1}))
    assert "rule.budget_sum_mismatch: budget by category does not add up to the total / " \
           "งบแต่ละหมวดรวมกันไม่เท่ากับงบประมาณรวม" in err.value.errors()[0]["msg"]
    progress = {"project_code": "P01", "quarter": "2", "status": "กำลังดำเนินการ", "progress_pct": 60,
                "budget_total": Decimal("15000.50"), "spent": Decimal("15000.51")}
    with pytest.raises(ValidationError, match="rule.spent_over_budget"):
        SHEETS["progress"].model()(**progress)
    assert SHEETS["progress"].model()(**(progress | {"spent": Decimal("15000.50")})).spent == Decimal("15000.50")


def test_progress_percent_and_quarter_limits():
    base = {"project_code": "P01", "quarter": "1", "status": "ยังไม่เริ่ม", "progress_pct": 0}
    model = SHEETS["progress"].model()
    assert model(**base).progress_pct == 0.0
    assert model(**(base | {"progress_pct": 100})).progress_pct == 100.0
    assert errors_of("progress", base | {"progress_pct": 100.01}) == [(("progress_pct",), "less_than_equal")]
    assert errors_of("progress", base | {"quarter": "5"}) == [(("quarter",), "literal_error")]
    assert errors_of("progress", base | {"quarter": 1}) == [(("quarter",), "literal_error")]


def test_kpi_result_below_target_is_not_a_model_error_but_the_rule_sees_it():
    kpi = SHEETS["kpi"]
    row = {"round": "6 เดือน", "indicator_code": "K1", "indicator": "ร้อยละนักเรียนมาเรียน",
           "direction": DIRECTION_HIGHER_BETTER, "target": 95, "result": 90, "quality_level": 4}
    assert kpi.model()(**row).result == 90.0  # a missed target is a warning, never a rejected row
    (rule,) = [r for r in kpi.rules if r.kind == "result_vs_target"]
    assert rule_holds(rule, row) is False
    assert rule_holds(rule, row | {"result": 95}) is True
    assert rule_holds(rule, row | {"direction": DIRECTION_LOWER_BETTER}) is True
    assert rule_holds(rule, row | {"direction": DIRECTION_LOWER_BETTER, "result": 96}) is False
    assert rule_holds(rule, row | {"result": None}) is True
    assert errors_of("kpi", row | {"quality_level": 6}) == [(("quality_level",), "less_than_equal")]


@settings(max_examples=60, deadline=None)
@given(satang=st.integers(min_value=0, max_value=10**11))
def test_money_with_satang_is_kept_exact(satang):
    amount = Decimal(satang) / 100
    row = SHEETS["requests"].model()(request_no="R1", request_type="ระดมทรัพยากร", item="โต๊ะเรียน",
                                     amount=amount, source="ชุมชน/ผู้ปกครอง", reason="ชำรุด")
    assert row.amount == amount and row.amount * 100 == satang


@settings(max_examples=60, deadline=None)
@given(thousandths=st.integers(min_value=0, max_value=10**9).filter(lambda n: n % 10))
def test_money_with_a_third_decimal_is_rejected(thousandths):
    with pytest.raises(ValidationError) as err:
        SHEETS["requests"].model()(request_no="R1", request_type="ระดมทรัพยากร", item="โต๊ะเรียน",
                                   amount=Decimal(thousandths) / 1000, source="ชุมชน/ผู้ปกครอง", reason="ชำรุด")
    assert [(e["loc"], e["type"]) for e in err.value.errors()] == [(("amount",), "decimal_max_places")]
