"""School text never becomes a formula downstream: one list of formula-starting characters
(addin.validation.normalize.FORMULA_PREFIXES) serves the validator's warning, the Excel layer's writes (findings
and pulled summary rows) and the district summary .xlsx."""

from __future__ import annotations

import datetime as dt

import openpyxl

from addin.buttons.validate import finding_rows
from addin.validation import Finding
from addin.validation.normalize import FORMULA_PREFIXES
from sync.summary import _xlsx_cell


def _finding(raw) -> Finding:
    return Finding("ชีต", "progress", 4, "หมายเหตุ", "B4", raw, "warning", "text.formula_like", "th", "en", "fix")


def test_one_list_of_formula_prefixes():
    assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")


def test_finding_rows_cut_long_raw_text():
    raws = ["=HYPERLINK(\"http://x\",\"คลิก\")", None, "=" + "ก" * 1500]
    rows = finding_rows([_finding(r) for r in raws], "ชีต", dt.date(2026, 7, 20))
    # Kept as the school typed it (the Excel layer, addin.excel.replace_rows, keeps it text: test_buttons).
    assert [r["raw"] for r in rows] == ["=HYPERLINK(\"http://x\",\"คลิก\")", "", "=" + "ก" * 999]


def test_summary_xlsx_stores_formula_like_text_as_quoted_text():
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    cells = [_xlsx_cell(ws, v) for v in ("=1+1", "\t2", "-3 บาท", "ปกติ")]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells[:3]] == [
        ("=1+1", "s", True), ("\t2", "s", True), ("-3 บาท", "s", True)]
    assert cells[3] == "ปกติ"
