"""The bad-input corpus (tests/corpus/cases.py): every case gives exactly the expected findings, each with
its cell and message key, and every row is accounted for. Plus: random junk never breaks the engine and
never loses a row."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from corpus.cases import BASE, CASES, grid_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from addin.validation import validate_table
from addin.validation.normalize import is_blank
from workbook.sheets import SHEETS


def _balanced(result, grid_rows: list[list]) -> None:
    non_blank = sum(1 for r in grid_rows if not all(is_blank(v) for v in r))
    s = result.stats
    assert s["clean_rows"] + s["rejected_rows"] == non_blank == s["input_rows"] - s["blank_rows"]
    assert len(result.rows) == s["clean_rows"] and len(result.rejected) == s["rejected_rows"]
    # a rejected row is named by an error finding on that row, or by a sheet-level error
    error_rows = {f.row for f in result.findings if f.severity == "error"}
    assert set(result.rejected["_row"]) <= error_rows or None in error_rows


def test_corpus_is_big_enough():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("key", sorted(BASE))
def test_base_rows_are_clean(key):
    result = validate_table(key, grid_for(key, [{}]))
    assert result.findings == []
    assert result.stats["clean_rows"] == 1


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case):
    grid = grid_for(case.sheet, case.rows)
    result = validate_table(case.sheet, grid)
    assert tuple((f.code, f.cell) for f in result.findings) == case.expected
    sheet = SHEETS[case.sheet]
    for f in result.findings:
        assert f.sheet == sheet.title_th and f.sheet_key == sheet.key
        col_letter, row = coordinate_from_string(f.cell)
        assert f.row == row
        key = sheet.keys()[column_index_from_string(col_letter) - 1]
        assert f.column == sheet.column(key).header_th
        assert f.message_th and f.message_en and f.fix_th
        assert "{" not in f.message_th + f.message_en  # every template parameter was filled
        json.dumps(f.as_dict(), ensure_ascii=False)
        # the raw value reported is the cell's own value (long text shortened)
        row_over = {**BASE[case.sheet], **case.rows[f.row - 3]}
        raw = row_over[key]
        if isinstance(raw, str) and len(raw) > 200:
            assert f.raw == f"{raw[:200]}… ({len(raw):,} ตัวอักษร/characters)"
        elif isinstance(raw, datetime | date):
            assert f.raw == raw.isoformat()
        elif isinstance(raw, float) and raw != raw:
            assert f.raw is None
        elif isinstance(raw, float) and raw in (float("inf"), float("-inf")):
            assert f.raw == str(raw)
        else:
            assert f.raw == raw
    _balanced(result, grid[2:])
    errors = {f.row for f in result.findings if f.severity == "error"}
    assert set(result.rejected["_row"]) == errors
    assert set(result.rows["_row"]) == {r for r in range(3, 3 + len(case.rows))} - errors


# --- random junk ---------------------------------------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "\u00a0", "\u200b", "#REF!", "#N/A", "=1+1", "-", "๑๒๓", "1,234.50", "฿5", "75%",
                     "14 ก.พ. 66", "31 ก.พ. 2568", "ใช่", "1", "P01", "🙂", "ไตรมาส", "https://x.org",
                     "a@b.co", "1020080005", "\t", "x" * 40_000]),
    st.text(max_size=30),
    st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2300, 1, 1)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheet=st.sampled_from(sorted(SHEETS)), data=st.data())
def test_random_grids_never_lose_rows(sheet, data):
    definition = SHEETS[sheet]
    width = len(definition.columns) + data.draw(st.integers(-3, 3))
    rows = data.draw(st.lists(st.lists(JUNK, max_size=max(width, 0)), max_size=12))
    header = data.draw(st.sampled_from(["thai", "keys", "both", "none", "title"]))
    top = {"thai": [definition.headers_th()], "keys": [definition.keys()],
           "both": [definition.headers_th(), definition.keys()], "none": [],
           "title": [["ชื่อเรื่อง"], definition.headers_th(), definition.keys()]}[header]
    grid = top + rows
    result = validate_table(definition, grid)
    if header != "none":
        assert result.header_row == (2 if header == "title" else 1)
        assert result.stats["input_rows"] == len(rows)
    _balanced(result, grid[len(grid) - result.stats["input_rows"]:])
    for f in result.findings:
        json.dumps(f.as_dict(), ensure_ascii=False)
        assert f.severity in ("error", "warning")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(JUNK, max_size=14), max_size=15))
def test_random_grids_without_header_reject_every_row(rows):
    result = validate_table("progress", rows)
    if result.header_row is None:
        non_blank = sum(1 for r in rows if not all(is_blank(v) for v in r))
        assert result.stats["rejected_rows"] == non_blank and result.stats["clean_rows"] == 0
        assert result.findings[0].code == "header.not_found"
