"""The validation engine: normalized values, tolerant headers, layout findings, row accounting, result API."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from corpus.cases import BASE, grid_for
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.validate import validate_table as contract_name
from addin.validation import Finding, validate_table
from addin.validation.headers import lookup_for
from addin.validation.messages import CATALOGUE, render
from addin.validation.normalize import money_numbers, norm_money, parse_number_text
from workbook.sheets import ACTION_PLAN, DISTRICT_PROJECTS, PROGRESS, SHEETS


def codes(result) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in result.findings]


def progress_grid(*rows: dict, header=None, keys=True) -> list[list]:
    grid = grid_for("progress", rows)
    if header is not None:
        grid[0] = header
    return grid if keys else [grid[0], *grid[2:]]


# --- normalized values -----------------------------------------------------------------------------------


def test_typed_values_are_exact():
    grid = progress_grid(
        {"spent": "฿1,234.50", "budget_total": "๒๐,๐๐๐", "progress_pct": "75%", "quarter": 2,
         "reported_on": "14 ก.พ. 69", "indicator_result": "๘๕.๕"},
        {"project_code": " P02\u200b ", "spent": 0.1 + 0.2, "budget_total": "1234.5 บาท", "progress_pct": "๑๐๐",
         "reported_on": datetime(2026, 3, 31, 15, 30), "quarter": "๓"},
        {"project_code": "P03", "spent": "-", "budget_total": "500.-", "progress_pct": 0,
         "reported_on": 46112, "problems": "งบล่าช้า 🙂 English ผสม", "solutions": "=เป็นข้อความ"},
    )
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("text.formula_like", "J5")]
    rows = r.rows
    assert list(rows["_row"]) == [3, 4, 5]
    assert list(rows["project_code"]) == ["P01", "P02", "P03"]
    assert list(rows["quarter"]) == ["2", "3", "1"]
    assert list(rows["spent"]) == [Decimal("1234.50"), Decimal("0.30"), Decimal("0.00")]
    assert [str(v) for v in rows["spent"]] == ["1234.50", "0.30", "0.00"]
    assert list(rows["budget_total"]) == [Decimal("20000.00"), Decimal("1234.50"), Decimal("500.00")]
    assert list(rows["progress_pct"]) == [75.0, 100.0, 0.0]
    assert str(rows["progress_pct"].dtype) == "Float64"
    assert list(rows["indicator_result"].astype(object)) == [85.5, 40.0, 40.0]
    assert list(rows["reported_on"]) == [date(2026, 2, 14), date(2026, 3, 31), date(2026, 3, 31)]
    assert rows["problems"].tolist() == [None, None, "งบล่าช้า 🙂 English ผสม"]
    assert rows["solutions"].tolist() == [None, None, "=เป็นข้อความ"]  # kept as text, never evaluated
    assert r.ok and r.stats == {"input_rows": 3, "blank_rows": 0, "clean_rows": 3, "rejected_rows": 0,
                                "extra_columns": 0, "missing_columns": 0}


def test_integer_columns_are_nullable_integers():
    grid = grid_for("school_profile", [{"students": "1,200", "teachers": None, "fiscal_year": "๒๕๖๙"}])
    rows = validate_table("school_profile", grid).rows
    assert str(rows["students"].dtype) == "Int64"
    assert rows["students"].tolist() == [1200] and rows["teachers"].isna().all()
    assert rows["fiscal_year"].tolist() == [2569]


def test_yes_no_and_choices_normalize_to_the_dropdown_values():
    grid = grid_for("submission", [{"confirmed": True}, {"confirmed": "Yes", "report": "แผนปฏิบัติการ ประจำปี",
                                                         "fiscal_year": 2570},
                                   {"confirmed": 0, "fiscal_year": 2571}, {"confirmed": "ไม่ใช่", "fiscal_year": 2572}])
    r = validate_table("submission", grid)
    assert r.findings == []
    assert r.rows["confirmed"].tolist() == ["ใช่", "ใช่", "ไม่ใช่", "ไม่ใช่"]
    assert r.rows["report"].tolist() == ["แผนปฏิบัติการประจำปี"] * 4


def test_checkbox_true_is_not_the_number_one():
    # True == 1 to a hash table: the engine must still see a boolean in the quarter column
    grid = progress_grid({"quarter": 1}, {"quarter": True, "project_code": "P02"})
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("choice.invalid", "C4")]
    assert r.findings[0].raw is True
    assert r.rows["quarter"].tolist() == ["1"]


def test_school_codes_keep_leading_digits_and_refuse_lost_zeros():
    grid = grid_for("school_registry", [{"school_code": "๑๐๒๐๐๘๐๐๐๕"}, {"school_code": 1020080006},
                                        {"school_code": "'0102008000"}, {"school_code": 102008000}])
    r = validate_table("school_registry", grid)
    assert codes(r) == [("school_code.length", "A6")]
    assert "9" in r.findings[0].message_en and "10 digits" in r.findings[0].message_en
    assert r.rows["school_code"].tolist() == ["1020080005", "1020080006", "0102008000"]


def test_email_and_link_normalization():
    grid = grid_for("school_profile", [{"contact_email": "mailto:School@Example.AC.TH",
                                        "website": "school.example.ac.th/about"}])
    r = validate_table("school_profile", grid)
    assert codes(r) == [("url.scheme_added", "K3")]
    assert r.findings[0].severity == "warning"
    assert r.rows["contact_email"].tolist() == ["school@example.ac.th"]
    assert r.rows["website"].tolist() == ["https://school.example.ac.th/about"]


@pytest.mark.parametrize("text, expected", [
    ("1,234.50", (Decimal("1234.50"), False)), ("๑,๒๓๔.๕๐", (Decimal("1234.50"), False)),
    ("75%", (Decimal("75"), True)), ("(1,000)", (Decimal("-1000"), False)), ("1,5", (None, False)),
    ("12,34", (None, False)), (".5", (Decimal(".5"), False)), ("1\u00a0234", (Decimal("1234"), False)),
])
def test_number_text(text, expected):
    assert parse_number_text(text) == expected


def test_money_text_forms():
    assert parse_number_text("฿1,234.50", money=True) == (Decimal("1234.50"), False)
    assert parse_number_text("1234.5 บาท", money=True) == (Decimal("1234.5"), False)
    assert parse_number_text("500.-", money=True) == (Decimal("500"), False)
    assert parse_number_text("THB 10", money=True) == (Decimal("10"), False)
    assert parse_number_text("฿1,234.50", money=False) == (None, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**11, 10**11), st.floats(-1e11, 1e11),
                          st.decimals(-10**9, 10**9, places=2).map(float),
                          st.sampled_from([0.1 + 0.2, 333.333, 1e-7, -0.0, 0.005, 1234.5])), max_size=20))
def test_money_fast_path_equals_scalar_path(values):
    col = PROGRESS.column("spent")
    scalar = [norm_money(v, col) for v in values]
    amounts, problems = money_numbers(values, col)
    assert amounts == [o.value for o in scalar]
    assert problems == {i: o for i, o in enumerate(scalar) if o.error}


# --- headers ---------------------------------------------------------------------------------------------


def test_no_two_columns_share_a_header_form():
    for sheet in SHEETS.values():
        lk = lookup_for(sheet)
        for col in sheet.columns:
            for name in col.accepted_headers():
                assert lk.match(name) == col.key, (sheet.key, name)


def _variants_grid(header: list[str], keys: bool = True) -> list[list]:
    grid = progress_grid({}, {"project_code": "P02"})
    grid[0] = header
    return grid if keys else [grid[0], *grid[2:]]


@pytest.mark.parametrize("variant", ["nbsp", "zero_width", "spaces", "aliases", "english_keys", "english_captions",
                                     "stars", "no_brackets"])
def test_tolerant_headers_without_key_row(variant):
    base = PROGRESS.headers_th()
    header = {
        "nbsp": [h.replace(" ", "\u00a0") + "\u00a0" for h in base],
        "zero_width": ["\u200b" + h + "\ufeff" for h in base],
        "spaces": ["  " + h.replace("", " ").strip() + " " for h in base],
        "aliases": [(PROGRESS.columns[i].aliases or (h,))[-1] for i, h in enumerate(base)],
        "english_keys": PROGRESS.keys(),
        "english_captions": [c.header_en.upper() for c in PROGRESS.columns],
        "stars": [h + " *" if PROGRESS.columns[i].required else h for i, h in enumerate(base)],
        "no_brackets": [h.split(" (")[0] for h in base],
    }[variant]
    r = validate_table(PROGRESS, _variants_grid(header, keys=False))
    assert r.findings == [], [f.message_en for f in r.findings]
    assert r.rows["project_code"].tolist() == ["P01", "P02"] and r.rows["_row"].tolist() == [2, 3]
    assert r.header_row == 1


def test_reordered_columns_and_findings_point_at_the_real_cell():
    keys = PROGRESS.keys()
    order = list(reversed(range(len(keys))))
    grid = grid_for("progress", [{}, {"project_code": "P02", "spent": "abc"}])
    grid = [[row[i] for i in order] for row in grid]
    r = validate_table(PROGRESS, grid)
    spent_letter = "ABCDEFGHIJK"[order.index(keys.index("spent"))]
    assert codes(r) == [("money.invalid", f"{spent_letter}4")]
    assert r.findings[0].column == "เบิกจ่ายสะสม (บาท)"
    assert list(r.rows.columns[:len(keys)]) == keys


def test_key_row_anchors_retyped_thai_headers():
    grid = progress_grid({}, header=["คอลัมน์ที่ " + str(i) for i in range(11)])
    r = validate_table(PROGRESS, grid)
    assert r.findings == [] and r.header_row == 1
    assert r.columns_found["spent"] == "คอลัมน์ที่ 6"


def test_thai_header_row_deleted_key_row_is_enough():
    grid = grid_for("progress", [{}])[1:]
    r = validate_table(PROGRESS, grid)
    assert r.findings == [] and r.rows["_row"].tolist() == [2]


def test_header_one_row_lower_is_read_and_reported():
    grid = [["รายงานความก้าวหน้าโครงการ ปีงบประมาณ 2569"], *progress_grid({}, {"project_code": "P02", "spent": "x"})]
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.moved", None), ("money.invalid", "G5")]
    assert r.findings[0].severity == "warning" and r.header_row == 2
    assert r.stats["input_rows"] == 2 and r.rows["_row"].tolist() == [4]


def test_blank_row_above_header():
    grid = [[], [None, ""], *progress_grid({})]
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.moved", None)] and r.rows["_row"].tolist() == [5]


def test_first_row_offsets_every_reported_row():
    grid = progress_grid({"spent": "abc"})
    r = validate_table(PROGRESS, grid, first_row=10)
    assert codes(r) == [("header.moved", None), ("money.invalid", "G12")]


def test_missing_required_column_rejects_every_row_with_one_finding():
    keep = [i for i, k in enumerate(PROGRESS.keys()) if k != "status"]
    grid = [[row[i] for i in keep] for row in progress_grid({}, {"project_code": "P02"})] + [[]]
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.missing_column", None)]
    f = r.findings[0]
    assert f.column == "สถานะโครงการ" and f.row is None and f.severity == "error"
    assert "status" in f.message_en and "2 rows" in f.message_en
    assert r.stats["clean_rows"] == 0 and r.stats["rejected_rows"] == 2 and r.stats["blank_rows"] == 1
    assert r.rejected["_errors"].tolist() == ["header.missing_column"] * 2
    assert r.rejected["status"].isna().all() and r.rejected["project_code"].tolist() == ["P01", "P02"]
    assert r.stats["missing_columns"] == 1


def test_missing_optional_column_is_a_warning_and_reads_empty():
    keep = [i for i, k in enumerate(PROGRESS.keys()) if k != "problems"]
    grid = [[row[i] for i in keep] for row in progress_grid({})]
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.missing_optional", None)]
    assert r.ok and r.rows["problems"].tolist() == [None]


def test_extra_columns_are_kept_under_their_header():
    grid = progress_grid({}, {"project_code": "P02", "spent": "bad"})
    grid[0] = grid[0] + ["หมายเหตุของโรงเรียน", None, "หมายเหตุของโรงเรียน"]
    grid[1] = grid[1] + [None, None, None]
    grid[2] = grid[2] + ["ข้อความ", None, "อีก"]
    grid[3] = grid[3] + [None, "ไม่มีหัว", None]
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.extra_column", None)] * 3 + [("money.invalid", "G4")]
    assert [f.column for f in r.findings[:3]] == ["หมายเหตุของโรงเรียน", "column_M", "หมายเหตุของโรงเรียน (2)"]
    assert r.rows["หมายเหตุของโรงเรียน"].tolist() == ["ข้อความ"]
    assert r.rows["หมายเหตุของโรงเรียน (2)"].tolist() == ["อีก"]
    assert r.rejected["column_M"].tolist() == ["ไม่มีหัว"]
    assert r.stats["extra_columns"] == 3


def test_duplicated_column_first_wins_second_kept():
    grid = progress_grid({})
    grid = [row + [row[6]] for row in grid]
    grid[2][-1] = "999"
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.duplicate_column", None)]
    assert "G" in r.findings[0].message_en
    assert r.rows["spent"].tolist() == [Decimal("5000.00")]
    assert r.rows["เบิกจ่ายสะสม (บาท)"].tolist() == ["999"]


def test_no_header_rejects_everything_and_keeps_raw_cells():
    grid = [["a", 1], [None], ["b", "#REF!", "x"]]
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("header.not_found", None)]
    assert r.header_row is None and not r.ok
    assert r.rejected[["column_A", "column_B", "column_C", "_row"]].values.tolist() == [
        ["a", 1, None, 1], ["b", "#REF!", "x", 3]]
    assert r.stats == {"input_rows": 3, "blank_rows": 1, "clean_rows": 0, "rejected_rows": 2, "extra_columns": 3,
                       "missing_columns": 11}


def test_empty_inputs():
    assert validate_table(PROGRESS, []).stats["input_rows"] == 0
    r = validate_table(PROGRESS, grid_for("progress", []))
    assert r.findings == [] and len(r.rows) == 0 and list(r.rows.columns) == [*PROGRESS.keys(), "_row"]


# --- rows, rules, result ---------------------------------------------------------------------------------


def test_ragged_rows_and_blank_rows_are_counted():
    grid = grid_for("progress", [{}])
    grid += [[], [None] * 11, ["", " ", "\u200b"], ["P02", None, 2, "ยังไม่เริ่ม", 0]]  # Sheets drops trailing blanks
    r = validate_table(PROGRESS, grid)
    assert r.findings == [] and r.stats["blank_rows"] == 3
    assert r.rows["_row"].tolist() == [3, 7] and r.rows["spent"].tolist() == [Decimal("5000.00"), None]


def test_rejected_rows_keep_raw_values_and_reasons():
    grid = progress_grid({"spent": "๕,๐๐๐.๐๐๑", "progress_pct": "abc"}, {"project_code": "P02"})
    r = validate_table(PROGRESS, grid)
    assert codes(r) == [("percent.invalid", "E3"), ("money.too_many_decimals", "G3")]
    rej = r.rejected
    assert rej["_row"].tolist() == [3] and rej["spent"].tolist() == ["๕,๐๐๐.๐๐๑"]
    assert rej["_errors"].tolist() == ["percent.invalid; money.too_many_decimals"]
    assert r.rows["_row"].tolist() == [4]


def test_warnings_do_not_reject():
    r = validate_table("kpi", grid_for("kpi", [{"result": 10}]))
    assert codes(r) == [("rule.target_not_met", "G3")]
    assert r.ok and r.stats["clean_rows"] == 1
    assert r.findings[0].message_th.startswith("ผลการดำเนินงานไม่บรรลุค่าเป้าหมาย")


def test_sum_rule_is_exact_to_the_satang():
    parts = {"budget_personnel": "0.10", "budget_operating": 0.2, "budget_equipment": None, "budget_total": "0.30"}
    assert validate_table(ACTION_PLAN, grid_for("action_plan", [parts])).findings == []
    r = validate_table(ACTION_PLAN, grid_for("action_plan", [{**parts, "budget_total": "0.31"}]))
    assert codes(r) == [("rule.budget_sum_mismatch", "L3")]
    assert "0.31" in r.findings[0].message_en and "0.30" in r.findings[0].message_en


def test_rule_skips_cells_that_already_have_findings():
    r = validate_table(DISTRICT_PROJECTS, grid_for("district_projects", [{"spent": "abc", "end_date": "ไม่ทราบ"}]))
    assert codes(r) == [("date.unreadable", "P3"), ("money.invalid", "U3")]


def test_duplicate_message_names_the_first_row():
    r = validate_table(PROGRESS, progress_grid({}, {"quarter": "2"}, {}))
    assert codes(r) == [("rule.duplicate", "A5")]
    assert "row 3" in r.findings[0].message_en and "แถว 3" in r.findings[0].message_th


def test_finding_fields_and_frame():
    r = validate_table(PROGRESS, progress_grid({"spent": "x" * 50_000}))
    f = r.findings[0]
    assert isinstance(f, Finding)
    assert (f.sheet, f.sheet_key, f.row, f.column, f.cell, f.severity, f.code) == (
        "ความก้าวหน้าโครงการ", "progress", 3, "เบิกจ่ายสะสม (บาท)", "G3", "error", "cell.too_long")
    assert f.raw == "x" * 200 + "… (50,000 ตัวอักษร/characters)"
    assert "50,000" in f.message_th and "32,767" in f.message_en
    d = f.as_dict()
    assert list(d) == ["sheet", "sheet_key", "row", "column", "cell", "raw", "severity", "code", "message_th",
                       "message_en", "fix_th", "school_code", "params"]
    assert f.school_code is None and f.params["header"] == "เบิกจ่ายสะสม (บาท)"  # the quoted values, as fields
    json.dumps(d, ensure_ascii=False)
    frame = r.findings_frame()
    assert isinstance(frame, pd.DataFrame) and frame.loc[0, "cell"] == "G3" and list(frame.columns) == list(d)
    assert list(validate_table(PROGRESS, progress_grid({})).findings_frame().columns) == list(d)


def test_sheet_by_name_and_contract_module():
    grid = progress_grid({})
    assert contract_name("ความก้าวหน้าโครงการ", grid).stats["clean_rows"] == 1
    assert validate_table("progress", grid).sheet is PROGRESS


def test_every_sheet_accepts_its_own_template_header():
    for key, sheet in SHEETS.items():
        grid = [sheet.headers_th(), sheet.keys()]
        if key in BASE:
            grid += grid_for(key, [{}])[2:]
        r = validate_table(sheet, grid)
        assert r.findings == [] and r.header_row == 1, key


def test_every_message_renders_in_both_languages():
    params = {"sheet": "s", "scan": 10, "rows": 2, "header": "h", "key": "k", "first": "A", "found": 2,
              "expected": 1, "raw": "\"x\"", "length": 40_000, "limit": 32_767, "max_length": 300, "first_row": 3,
              "min": "0", "max": "100", "value": "5", "as_percent": "75", "detail_th": "ก", "detail_en": "e",
              "choices": "1, 2", "digits": 9, "other_header": "o", "other_value": "4", "headers": "a + b",
              "direction": "d", "characters": "U+0001", "span": "3–9"}
    for code in CATALOGUE:
        th, en, fix = render(code, params)
        assert th and en and fix and "{" not in th + en + fix and "?" not in th + en + fix, code
    # a date code the catalogue does not list falls back to the date family, with the parser's words
    assert render("date.weekday_mismatch", params)[:2] == ("\"h\": ก", "\"h\": e")
    # a missing parameter never raises
    assert render("cell.too_long", {})[1] == "the text is ? characters long, more than a cell can hold (?)"


def test_sum_rule_ignores_a_wrong_part_and_input_is_not_modified():
    grid = grid_for("action_plan", [{"budget_equipment": "เจ็ดพัน"}])
    before = [list(r) for r in grid]
    r = validate_table(ACTION_PLAN, grid)
    assert codes(r) == [("money.invalid", "H3")]
    assert grid == before


def test_numpy_grid_from_a_dataframe():
    frame = pd.DataFrame(grid_for("school_profile", [{"students": 120}, {"students": -3}])[2:],
                         columns=SHEETS["school_profile"].keys())
    grid = [frame.columns.tolist(), *frame.to_numpy()]
    r = validate_table("school_profile", grid)
    assert codes(r) == [("number.below_min", "E3")]
    assert r.findings[0].raw == -3 and type(r.findings[0].raw) is int
    json.dumps(r.findings[0].as_dict())


def test_stacked_schools_keep_their_own_row_numbers_and_unique_keys():
    # the nightly job may validate many schools' tabs at once, stacked under one header
    grid = progress_grid({}, {}, {}, {"spent": "bad", "quarter": "2"})
    r = validate_table(PROGRESS, grid, row_numbers=[1, 2, 3, 4, 3, 4], groups=[None, None, "A", "A", "B", "B"])
    assert codes(r) == [("rule.duplicate", "A4"), ("money.invalid", "G4")]
    assert r.findings[0].message_en.endswith("(same as row 3)")
    assert r.rows["_row"].tolist() == [3, 3]
    assert r.rejected["_row"].tolist() == [4, 4]
    assert r.rejected["_errors"].tolist() == ["rule.duplicate", "money.invalid"]


def _spell(col, how: str) -> str:
    name = {"thai": col.header_th, "alias": (col.aliases or (col.header_th,))[0], "key": col.key,
            "english": col.header_en or col.key}[how[0]]
    return {"plain": name, "nbsp": "\u00a0" + name.replace(" ", "\u00a0"), "zw": name + "\u200b",
            "star": name + " *", "upper": name.upper()}[how[1]]


SPELLINGS = st.tuples(st.sampled_from(["thai", "alias", "key", "english"]),
                      st.sampled_from(["plain", "nbsp", "zw", "star", "upper"]))


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(sorted(BASE)), data=st.data())
def test_any_order_any_spelling_reads_the_same_rows(key, data):
    sheet = SHEETS[key]
    canonical = validate_table(sheet, grid_for(key, [{}]))
    order = data.draw(st.permutations(range(len(sheet.columns))))
    header = [_spell(sheet.columns[i], data.draw(SPELLINGS)) for i in order]
    with_keys = data.draw(st.booleans())
    titles = data.draw(st.integers(0, 2))
    row = grid_for(key, [{}])[2]
    grid = [["ชื่อเรื่อง"]] * titles + [header] + ([[sheet.keys()[i] for i in order]] if with_keys else [])
    grid.append([row[i] for i in order])
    r = validate_table(sheet, grid)
    assert codes(r) == ([("header.moved", None)] if titles else [])
    assert r.rows[sheet.keys()].equals(canonical.rows[sheet.keys()])
    assert r.rows["_row"].tolist() == [titles + 2 + with_keys]


def test_read_workbook_only_the_tabs_asked_for(tmp_path):
    # The nightly job reads two tabs of the staff workbook; the others are not read (their formatted rows cost
    # seconds a night). A renamed tab is still found by its key row.
    import openpyxl

    from addin.validation.files import read_workbook
    from workbook.sheets import SHEETS
    from workbook.templates import save_staff_workbook

    path = save_staff_workbook(tmp_path / "staff.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[SHEETS["service_requests"].title_th].title = "คำขอ (สำเนา)"
    wb.save(path)
    full = {t.sheet.key: t.values for t in read_workbook(path) if t.sheet is not None}
    some = read_workbook(path, ["service_requests", "submission_overrides"])
    assert sorted(t.sheet.key for t in some) == ["service_requests", "submission_overrides"]
    assert all(t.values == full[t.sheet.key] for t in some)
