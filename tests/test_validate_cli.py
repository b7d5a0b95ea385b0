"""Real .xlsx files (the shipped school template and staff workbook, filled with openpyxl) through
`validate_workbook` and `khet validate`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from addin.validation import read_workbook, validate_workbook
from sync.cli import main as khet
from workbook.sheets import PROGRESS, SCHOOL_REGISTRY, SCHOOL_SHEETS
from workbook.templates import save_school_template, save_staff_workbook

GOOD_PROGRESS = ["P01", "อ่านออกเขียนได้", "1", "กำลังดำเนินการ", 25, 20000, 5000, 40, None, None,
                 datetime(2026, 1, 10)]


@pytest.fixture(scope="module")
def school_file(tmp_path_factory) -> Path:
    """A school sheet as downloaded from Google: the template with data typed in, one bad cell or two."""
    path = tmp_path_factory.mktemp("school") / "school.xlsx"
    save_school_template(path)
    wb = load_workbook(path)
    ws = wb[PROGRESS.title_th]
    for j, v in enumerate(GOOD_PROGRESS, start=1):
        ws.cell(3, j, v)
    for j, v in enumerate(["P02", "ห้องเรียนคุณภาพ", "๒", "ยังไม่เริ่ม", "75%", "฿1,000", "#REF!", None,
                           "=HYPERLINK(\"http://x\")", None, "31 ก.พ. 2569"], start=1):
        ws.cell(4, j).value = v
        ws.cell(4, j).data_type = "s"  # typed text: openpyxl must not turn "=…" into a formula
    ws.cell(4, 7).value = "#REF!"
    ws.cell(4, 7).data_type = "e"  # a real error cell, as Excel stores it
    wb.save(path)
    return path


def test_validate_workbook_reads_every_known_tab(school_file):
    results = validate_workbook(school_file)
    assert sorted(results) == sorted(s.key for s in SCHOOL_SHEETS)
    progress = results["progress"]
    assert [(f.code, f.cell) for f in progress.findings] == [
        ("cell.formula_error", "G4"), ("text.formula_like", "I4"), ("date.impossible", "K4")]
    assert progress.stats == {"input_rows": 500, "blank_rows": 498, "clean_rows": 1, "rejected_rows": 1,
                              "extra_columns": 0, "missing_columns": 0}
    row = progress.rows.iloc[0]
    assert (row["project_code"], row["spent"], row["reported_on"].isoformat()) == ("P01", Decimal("5000.00"),
                                                                                  "2026-01-10")
    assert progress.rejected["_row"].tolist() == [4]
    assert all(r.ok for k, r in results.items() if k != "progress")


def test_skipped_tabs_are_listed(school_file):
    tabs = read_workbook(school_file)
    skipped = {t.title: t.reason_en for t in tabs if t.sheet is None}
    assert skipped == {"คำแนะนำ": "not a sheet Khet knows", "_lists": "not a sheet Khet knows"}


def test_renamed_tab_found_by_key_row_and_duplicate_tab_skipped(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "ความก้าวหน้า (แก้ไข)"
    ws.append(PROGRESS.headers_th())
    ws.append(PROGRESS.keys())
    ws.append(GOOD_PROGRESS)
    copy = wb.copy_worksheet(ws)
    copy.title = "progress"
    wb.create_sheet("Sheet2").append(["อะไรก็ได้"])
    path = tmp_path / "renamed.xlsx"
    wb.save(path)
    tabs = {t.title: t for t in read_workbook(path)}
    assert tabs["progress"].sheet.key == "progress"  # the exact title wins over a key-row match
    assert tabs["ความก้าวหน้า (แก้ไข)"].sheet is None
    assert "progress" in tabs["ความก้าวหน้า (แก้ไข)"].reason_en
    assert tabs["Sheet2"].sheet is None
    assert validate_workbook(path)["progress"].stats["clean_rows"] == 1


def test_cli_text_report_and_exit_1(school_file, capsys):
    assert khet(["validate", str(school_file)]) == 1
    out = capsys.readouterr().out
    assert "━━ ชีต \"ความก้าวหน้าโครงการ\" (progress)" in out
    assert "✗ ข้อผิดพลาด/error G4 [cell.formula_error] เซลล์มีค่าผิดพลาดจากสูตร \"#REF!\"" in out
    assert "the cell holds a formula error \"#REF!\"" in out
    assert "! คำเตือน/warning I4 [text.formula_like]" in out
    assert "K4 [date.impossible]" in out
    assert "\"คำแนะนำ\": ไม่ใช่ชีตที่ระบบรู้จัก / not a sheet Khet knows" in out
    assert "ข้อผิดพลาด 2 errors · คำเตือน 1 warnings → ไม่ผ่าน / FAILED" in out


def test_cli_json(school_file, capsys):
    assert khet(["validate", str(school_file), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"file", "sheets", "skipped", "errors", "warnings", "exit_code"}
    assert (doc["file"], doc["errors"], doc["warnings"], doc["exit_code"]) == (str(school_file), 2, 1, 1)
    progress = next(s for s in doc["sheets"] if s["sheet_key"] == "progress")
    assert progress["sheet"] == "ความก้าวหน้าโครงการ" and progress["header_row"] == 1
    assert progress["stats"]["rejected_rows"] == 1
    assert [(f["cell"], f["code"], f["severity"]) for f in progress["findings"]] == [
        ("G4", "cell.formula_error", "error"), ("I4", "text.formula_like", "warning"),
        ("K4", "date.impossible", "error")]
    first = progress["findings"][0]
    assert (first["row"], first["column"], first["raw"]) == (4, "เบิกจ่ายสะสม (บาท)", "#REF!")
    assert first["message_th"] and first["message_en"] and first["fix_th"]
    assert [s["tab"] for s in doc["skipped"]] == ["คำแนะนำ", "_lists"]


def test_cli_clean_staff_workbook_exits_0(tmp_path, capsys):
    path = save_staff_workbook(tmp_path / "staff.xlsx")
    assert khet(["validate", str(path)]) == 0
    assert "→ ผ่าน / PASSED" in capsys.readouterr().out


def test_cli_staff_xlsm_with_a_bad_registry_row(tmp_path, capsys):
    from addin.xlsm import finish_staff_workbook

    xlsx = save_staff_workbook(tmp_path / "staff.xlsx")
    wb = load_workbook(xlsx)
    ws = wb[SCHOOL_REGISTRY.title_th]
    for j, v in enumerate(["10200800", "โรงเรียนบ้านหนองบัว", None, None, None, None, None, "school@example.ac.th"],
                          start=1):
        ws.cell(3, j, v)
    wb.save(xlsx)
    xlsm = finish_staff_workbook(xlsx, tmp_path / "staff.xlsm")
    assert khet(["validate", str(xlsm), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    registry = next(s for s in doc["sheets"] if s["sheet_key"] == "school_registry")
    assert [(f["cell"], f["code"], f["raw"]) for f in registry["findings"]] == [
        ("A3", "school_code.length", "10200800")]
    assert "xlwings.conf" in [t["tab"] for t in doc["skipped"]]
    assert doc["errors"] == 1 and doc["warnings"] == 0


def test_cli_unreadable_inputs_exit_2(tmp_path, capsys):
    assert khet(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    assert khet(["validate", str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err
    empty = tmp_path / "other.xlsx"
    Workbook().save(empty)
    assert khet(["validate", str(empty)]) == 2
    assert "no sheet Khet knows" in capsys.readouterr().out


def test_cli_folder_csv_and_json_errors_exit_2(tmp_path, capsys):
    assert khet(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"{tmp_path} เป็นโฟลเดอร์ ไม่ใช่ไฟล์ .xlsx หรือ .xlsm / "
                                       f"{tmp_path} is a folder, not an .xlsx/.xlsm file\n")
    csv = tmp_path / "school.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    assert khet(["validate", str(csv)]) == 2
    assert capsys.readouterr().err.startswith(f"อ่านไฟล์ {csv} ไม่ได้ (ต้องเป็น .xlsx หรือ .xlsm) / cannot read {csv}")
    assert khet(["validate", "--json", str(tmp_path / "nope.xlsx")]) == 2
    out = capsys.readouterr()
    assert out.err == ""
    assert json.loads(out.out) == {
        "file": str(tmp_path / "nope.xlsx"), "exit_code": 2,
        "error": {"code": "file_not_found", "message_th": f"ไม่พบไฟล์ {tmp_path / 'nope.xlsx'}",
                  "message_en": f"file not found: {tmp_path / 'nope.xlsx'}"}}


def test_cli_limit_and_real_process(school_file):
    r = subprocess.run([sys.executable, "-m", "sync.cli", "validate", str(school_file), "--limit", "1"],
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 1
    assert "G4 [cell.formula_error]" in r.stdout and "I4" not in r.stdout
    assert "… และอีก 2 รายการ / and 2 more" in r.stdout


def test_a_wrong_dimension_tag_hides_no_cell(tmp_path):
    import zipfile

    wb = Workbook()
    ws = wb.active
    ws.title = PROGRESS.title_th
    ws.append(PROGRESS.headers_th())
    ws.append(PROGRESS.keys())
    ws.append(GOOD_PROGRESS)
    ws.cell(5, 7, "abc")  # a row after a gap
    good = tmp_path / "good.xlsx"
    wb.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # (openpyxl writes `<x />` through et_xmlfile and `<x/>` through lxml.)
                data = re.sub(rb'<dimension ref="A1:K5"\s*/>', b'<dimension ref="A1"/>', data)
                assert b'<dimension ref="A1"/>' in data
            dst.writestr(item, data)
    result = validate_workbook(bad)["progress"]
    assert [(f.code, f.cell) for f in result.findings] == [
        ("required.missing", "A5"), ("required.missing", "C5"), ("required.missing", "D5"),
        ("required.missing", "E5"), ("money.invalid", "G5")]
    assert result.stats["blank_rows"] == 1 and result.stats["clean_rows"] == 1
