"""Write-backs keep the staff .xlsm whole: every change Khet makes to an existing workbook file keeps every part,
relationship and content type it had (ribbon, VBA project, defined names, validations, protections).

File-level write-backs are the registry IDs (`khet schools provision` with `[paths] registry` = the staff
workbook) and anything else going through addin.package. The buttons (pull, refresh, provision, validate) write
through Excel itself (xlwings), which saves its own package: for those the test is that they only send cell
actions — never a sheet added, deleted or renamed in the staff workbook's tabs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.package import inventory, set_cells
from addin.xlsm import CUSTOMUI_REL
from sync.cli import main as khet
from sync.provision import provision
from sync.registry import load_registry
from workbook.sheets import get_sheet

REGISTRY = get_sheet("school_registry")
SA = "khet-sync@khet-district.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert khet(["workbook", "build", "--out", str(out)]) == 0
    return out / "khet-staff.xlsm"


def _with_schools(shipped: Path, path: Path, n: int = 3) -> Path:
    col = {k: i + 1 for i, k in enumerate(REGISTRY.keys())}
    cells = {}
    for i in range(n):
        row = 3 + i
        cells[(row, col["school_code"])] = f"10200800{i + 1:02d}"
        cells[(row, col["school_name"])] = f"โรงเรียนบ้านหนอง {i + 1}"
        cells[(row, col["contact_email"])] = f"school{i + 1}@obec.example"
    path.write_bytes(set_cells(shipped.read_bytes(), REGISTRY.title_th, cells))
    return path


def _workbook_facts(path: Path) -> dict:
    """What openpyxl sees of the things a user relies on: names, validations, protections, sheet order."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    return {
        "sheets": wb.sheetnames,
        "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
        "validations": {ws.title: sorted((str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation)
                        for ws in wb.worksheets},
        "protected": {ws.title: bool(ws.protection.sheet) for ws in wb.worksheets},
        "hidden": {ws.title: ws.sheet_state for ws in wb.worksheets},
        "vba": wb.vba_archive is not None,
    }


def test_setting_cells_keeps_every_part_and_relationship(shipped, tmp_path):
    path = _with_schools(shipped, tmp_path / "staff.xlsm")
    assert inventory(path) == inventory(shipped)
    with zipfile.ZipFile(shipped) as a, zipfile.ZipFile(path) as b:
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet" + str(openpyxl.load_workbook(shipped).sheetnames.index(
        REGISTRY.title_th) + 1) + ".xml"]
    assert [s.code for s in load_registry(path).schools] == ["1020080001", "1020080002", "1020080003"]


def test_provision_writes_ids_into_the_staff_xlsm_and_keeps_the_package_whole(shipped, emulator, tmp_path):
    from test_provision import fast_client  # the provisioning tests' client (fast retries)

    from sync.gclient import drive_url
    from sync.google_template import create_template

    path = _with_schools(shipped, tmp_path / "staff.xlsm")
    before, facts = inventory(path), _workbook_facts(path)
    gc = fast_client(emulator, emulator.service_account(SA))
    folder = gc.http_client.request("post", drive_url("files"), json={
        "name": "สพป. ทดสอบ", "mimeType": "application/vnd.google-apps.folder"}).json()["id"]
    result = provision(gc, load_registry(path), template_id=create_template(gc, folder), folder_id=folder)
    ids = [o.spreadsheet_id for o in result.outcomes]
    assert len(ids) == 3 and all(ids)

    assert inventory(path) == before  # parts, relationships, content types
    assert _workbook_facts(path) == facts  # names, validations, protections, hidden sheets, VBA
    with zipfile.ZipFile(path) as z:
        rels = z.read("_rels/.rels").decode()
    assert f'Type="{CUSTOMUI_REL}"' in rels and "customUI/customUI.xml" in rels  # the ribbon is still linked
    assert [s.spreadsheet_id for s in load_registry(path).schools] == ids
    ws = openpyxl.load_workbook(path, keep_vba=True)[REGISTRY.title_th]
    col = REGISTRY.keys().index("spreadsheet_id") + 1
    assert [ws.cell(r, col).data_type for r in (3, 4, 5)] == ["s"] * 3  # text, not a number or formula


def test_a_cell_that_held_a_formula_leaves_the_calc_chain(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "a"
    ws["A1"], ws["B1"] = 1, "=A1+1"
    path = tmp_path / "f.xlsx"
    wb.save(path)
    chain = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<c r="B1" i="1"/></calcChain>')
    data = path.read_bytes()
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/calcChain.xml", chain)
    data = set_cells(path.read_bytes(), "a", {(1, 2): "=not a formula", (5, 3): "new row"})
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        assert b'r="B1"' not in z.read("xl/calcChain.xml")
    ws = openpyxl.load_workbook(path)["a"]
    assert (ws["B1"].value, ws["B1"].data_type, ws["C5"].value, ws["A1"].value) == ("=not a formula", "s",
                                                                                   "new row", 1)


def test_the_buttons_only_send_cell_actions(shipped):
    """Pull and refresh write through Excel: no action may add, delete or rename a tab of the staff workbook."""
    from test_buttons import TODAY, actions, book_of

    from addin.buttons import pull, refresh

    wb = openpyxl.load_workbook(shipped, keep_vba=True)
    book = book_of(wb, wb.sheetnames[0])
    refresh.run(book, today=TODAY)
    pull.write_export(book, {"submissions": [{"school_code": "1020080001", "status": "ส่งตรงเวลา"}],
                             "district_summary": [{"section": "ภาพรวม", "item": "ส่งแล้ว", "value": 1}]})
    funcs = {a["func"] for a in actions(book)}
    assert funcs <= {"setValues", "rangeClearContents", "setRangeColor", "setNumberFormat", "alert"}, funcs


def test_rows_written_into_staff_tabs_keep_the_package_whole(shipped, tmp_path):
    """`khet line capture --write` / `khet line announce --write` and the demo write rows into the staff workbook
    file (sync.staff_rows): through addin.package, the ribbon, VBA and every other part stay; text stays text,
    a date is a date in the column's BE format, even below the pre-formatted rows; replacing empties old rows."""
    import datetime as dt

    from sync.staff_rows import append_rows, replace_rows
    from workbook.templates import DEFAULT_DATA_ROWS

    path = tmp_path / "staff.xlsm"
    path.write_bytes(shipped.read_bytes())
    before, facts = inventory(path), _workbook_facts(path)
    day = dt.date(2026, 7, 20)
    groups = get_sheet("line_groups")
    assert append_rows(path, "line_groups", [{"group_id": "C1", "group_name": "=ประสานงาน", "captured_on": day}]) == 3
    assert append_rows(path, "line_groups", [{"group_id": "C2", "network": "เครือข่ายที่ 2"}]) == 4
    texts = [{"network": f"เครือข่ายที่ {i}", "group_name": "ก", "text": "ข้อความ", "made_on": day} for i in range(3)]
    replace_rows(path, "announcements", texts)
    replace_rows(path, "announcements", texts[:1] + [{**texts[1], "made_on": dt.datetime(2026, 7, 21, 2, 0)}])
    far = DEFAULT_DATA_ROWS + 10  # below the rows the template formats cell by cell: the column's style applies
    from addin.package import set_cells

    path.write_bytes(set_cells(path.read_bytes(), groups.title_th, {(far, 4): day, (far, 1): "C9"}))

    assert inventory(path) == before and _workbook_facts(path) == facts
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[groups.title_th]
    assert [[c.value for c in ws[r][:4]] for r in (3, 4)] == [
        ["C1", "=ประสานงาน", None, dt.datetime(2026, 7, 20)], ["C2", None, "เครือข่ายที่ 2", None]]
    assert ws["B3"].data_type == "s" and "107" in ws["D3"].number_format  # text, not a formula; the BE date format
    assert ws.cell(far, 4).value == dt.datetime(2026, 7, 20) and ws.cell(far, 4).number_format == ws["D3"].number_format
    ann = wb[get_sheet("announcements").title_th]
    assert [[c.value for c in ann[r][:4]] for r in (3, 4, 5)] == [
        ["เครือข่ายที่ 0", "ก", "ข้อความ", dt.datetime(2026, 7, 20)],
        ["เครือข่ายที่ 1", "ก", "ข้อความ", dt.datetime(2026, 7, 21, 2, 0)], [None] * 4]
