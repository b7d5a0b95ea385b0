"""Button handlers run against real xlwings Books (`xw.Book(json=…)`, xlwings' remote engine) built from the
workbook `khet workbook build` ships, edited the way a user would (rows typed, columns moved); the tests assert
the actions the handler sends back to Excel. Every action type must be one the VBA client implements."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from openpyxl.utils import get_column_letter

from addin.buttons import pull, refresh, validate
from addin.buttons.provision import apply_outcomes, registry_rows
from addin.excel import UserError, run_button, run_khet, table
from addin.timing.work_calendar import work_calendar
from sync.cli import main as khet

TODAY = dt.date(2026, 11, 21)
REMOTE_BAS = Path(xw.__file__).parent / "addin" / "Remote.bas"
IMPLEMENTED = set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)",
                             REMOTE_BAS.read_text(encoding="utf-8", errors="replace"), re.M))
CALENDAR, FOLLOWUP, FINDINGS = "ปฏิทินการปฏิบัติงาน", "ติดตามข้อเสนอแนะผู้ตรวจ", "ข้อค้นพบจากการตรวจสอบ"
SERVICES, SUBMISSIONS, SUMMARY, REGISTRY = "คำขอรับบริการ", "การส่งรายงาน", "สรุปภาพรวมเขต", "ทะเบียนโรงเรียน"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert khet(["workbook", "build", "--out", str(out)]) == 0
    return out / "khet-staff.xlsm"


@pytest.fixture
def wb(shipped) -> openpyxl.Workbook:
    return openpyxl.load_workbook(shipped, keep_vba=True)


def _cell(v):
    # What the VBA client sends: dates as ISO text with a Z, empty cells as "".
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%dT00:00:00.000Z")
    return "" if v is None else v


def book_of(wb: openpyxl.Workbook, active: str) -> xw.Book:
    sheets = []
    for ws in wb.worksheets:
        values = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)] or [[""]]
        while len(values) > 1 and all(v == "" for v in values[-1]):
            values.pop()
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": []})
    return xw.Book(json={
        "client": "VBA", "version": xw.__version__, "names": [], "sheets": sheets,
        "book": {"name": "khet-staff.xlsm", "active_sheet_index": wb.sheetnames.index(active), "selection": "A1"},
    })


def actions(book: xw.Book) -> list[dict]:
    out = book.json()["actions"]
    assert {a["func"] for a in out} <= IMPLEMENTED, "an action the VBA client does not implement"
    return out


def cells(acts: list[dict], position: int) -> dict[str, object]:
    """A1 address -> value written by the setValues actions on one sheet (later writes win)."""
    out = {}
    for a in acts:
        if a["func"] == "setValues" and a["sheet_position"] == position:
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    out[f"{get_column_letter(a['start_column'] + j + 1)}{a['start_row'] + i + 1}"] = v
    return out


def alerts(acts: list[dict]) -> list[str]:
    return [a["args"][0] for a in acts if a["func"] == "alert"]


def fill(ws, row: int, values: dict[str, object]) -> None:
    for col, v in values.items():
        ws[f"{col}{row}"] = v


def test_the_vba_client_implements_the_actions_we_use():
    assert {"setValues", "setRangeColor", "alert", "rangeClearContents"} <= IMPLEMENTED


# --- validate ---------------------------------------------------------------------------------------------


def _followup_rows(ws):
    fill(ws, 3, dict(zip("ABCDEFGJ", ["1", 2568, "รอบที่ 1", "ข้อเสนอ", "กลุ่มอำนวยการ", dt.datetime(2025, 1, 15), 30,
                                       "ดำเนินการแล้ว"], strict=True)))
    fill(ws, 4, dict(zip("ABCDEFG", ["2", 2568, "รอบที่ 1", "ข้อเสนอ 2", "กลุ่มอำนวยการ", "31/02/2566", 15],
                         strict=True)))


def test_validate_colours_cells_lists_findings_and_summarises(wb):
    _followup_rows(wb[FOLLOWUP])
    book = book_of(wb, FOLLOWUP)
    result = validate.run(book, today=TODAY)
    acts = actions(book)
    colours = [(a["sheet_position"], a["start_row"] + 1, a["start_column"] + 1, a["args"][0])
               for a in acts if a["func"] == "setRangeColor"]
    pos = wb.sheetnames.index(FOLLOWUP)
    assert colours == [(pos, 4, 6, "#FFC7CE"), (pos, 4, 10, "#FFC7CE")]  # F4 and J4
    written = cells(acts, wb.sheetnames.index(FINDINGS))
    assert [written[f"{c}3"] for c in "CDEFGHI"] == [FOLLOWUP, 4, "วันที่รับแจ้ง", "F4", "31/02/2566", "error",
                                                  "date.impossible"]
    assert [written[f"{c}4"] for c in "CDEFGHI"] == [FOLLOWUP, 4, "สถานะการดำเนินการ", "J4", "", "error",
                                                  "required.missing"]
    assert written["M3"] == "2026-11-21" and written["A3"] == ""
    assert alerts(acts) == [
        f"ชีต “{FOLLOWUP}”: ข้อผิดพลาด 2 รายการ คำเตือน 0 รายการ (แถวที่ต้องแก้ 1 จาก 2 แถว)\n"
        f"เซลล์สีแดง = ผิด สีเหลือง = ควรตรวจ รายละเอียดอยู่ในชีต “{FINDINGS}”\n\n"
        f"Sheet '{FOLLOWUP}': 2 errors, 0 warnings in 1 rows; see the findings sheet."]
    assert result.stats["clean_rows"] == 1 and result.stats["rejected_rows"] == 1


def test_validate_reports_an_excel_error_value_in_a_cell(wb):
    ws = wb[FOLLOWUP]
    _followup_rows(ws)
    ws["F3"] = "#REF!"  # what Excel hands over (err_to_str) for a broken reference
    book = book_of(wb, FOLLOWUP)
    result = validate.run(book, today=TODAY)
    assert ("F3", "#REF!", "cell.formula_error") in [(f.cell, f.raw, f.code) for f in result.findings]
    written = cells(actions(book), wb.sheetnames.index(FINDINGS))
    assert "F3" in [written.get(f"F{r}") for r in range(3, 8)]


def test_validate_follows_moved_columns_added_rows_and_clears_old_colours(wb):
    ws = wb[FOLLOWUP]
    _followup_rows(ws)
    ws["A40"], ws["B40"], ws["C40"], ws["D40"] = "3", 2568, "รอบที่ 9", "ข้อเสนอ 3"  # a row far below
    ws.move_range("A1:A60", cols=15)  # the user moves "ลำดับ" to column P
    ws.delete_cols(1)
    fws = wb[FINDINGS]
    fill(fws, 3, {"C": FOLLOWUP, "F": "B9", "H": "error"})  # from the previous check
    fill(fws, 4, {"A": "1020080005", "C": "แผนปฏิบัติการ", "F": "C5", "H": "error"})  # the nightly job's
    book = book_of(wb, FOLLOWUP)
    validate.run(book, today=TODAY)
    acts = actions(book)
    coloured = [(f"{get_column_letter(a['start_column'] + 1)}{a['start_row'] + 1}", a["args"][0])
                for a in acts if a["func"] == "setRangeColor"]
    # Columns shifted left by one: notice date in E, working days in F, progress in I; the item number in O.
    assert coloured == [("B9", None), ("E4", "#FFC7CE"), ("I4", "#FFC7CE"), ("B40", "#FFC7CE"),
                        ("D40", "#FFC7CE"), ("E40", "#FFC7CE"), ("F40", "#FFC7CE"), ("I40", "#FFC7CE")]
    written = cells(acts, wb.sheetnames.index(FINDINGS))
    assert [written["A3"], written["C3"], written["F3"]] == ["1020080005", "แผนปฏิบัติการ", "C5"]  # kept
    assert [written[f"F{r}"] for r in range(4, 11)] == ["E4", "I4", "B40", "D40", "E40", "F40", "I40"]


def test_validate_on_a_sheet_khet_does_not_know_explains_in_thai(wb):
    book = book_of(wb, "คำแนะนำ")
    run_button("ตรวจชีตนี้", validate.run, book)
    assert alerts(actions(book)) == [
        "ชีต “คำแนะนำ” ไม่ใช่ชีตที่ Khet รู้จัก ให้เปิดชีตข้อมูล (เช่น ปฏิทินการปฏิบัติงาน) แล้วกดปุ่มอีกครั้ง\n\n"
        "Sheet 'คำแนะนำ' is not one Khet knows; open a data sheet and press the button again."]


def test_a_failing_handler_becomes_a_thai_message_and_a_log(wb, tmp_path, monkeypatch):
    monkeypatch.setenv("KHET_LOG_DIR", str(tmp_path))

    def broken(book):
        raise ZeroDivisionError("division by zero")

    book = book_of(wb, CALENDAR)
    run_button("ทดสอบ", broken, book)
    log = tmp_path / "addin.log"
    assert alerts(actions(book)) == [
        f"ปุ่ม “ทดสอบ” ทำงานไม่สำเร็จ: ZeroDivisionError: division by zero\nบันทึกรายละเอียดไว้ที่ {log} "
        "(ส่งไฟล์นี้ให้ผู้ดูแลระบบ)\n\nThe 'ทดสอบ' button failed (ZeroDivisionError); details were logged for IT."]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text


# --- refresh ----------------------------------------------------------------------------------------------


def test_refresh_calendar_rows_as_typed(wb):
    ws = wb[CALENDAR]
    fill(ws, 3, {"A": "t1", "B": "ส่งแผน", "D": "ภายในเดือนพฤษภาคม ของทุกปี", "F": 2570})
    fill(ws, 4, {"A": "t2", "B": "รายงานไตรมาส", "D": "ทุกไตรมาส", "F": 2570, "L": dt.datetime(2026, 12, 20)})
    fill(ws, 5, {"A": "t3", "B": "ผิด", "D": "เมื่อไหร่ก็ได้"})
    fill(ws, 6, {"A": "t4", "B": "ทั้งปี", "D": "ตลอดปีงบประมาณ", "F": "2026", "Q": "คอลัมน์ของผู้ใช้"})
    book = book_of(wb, CALENDAR)
    counts = refresh.run(book, today=TODAY)
    acts = actions(book)
    w = cells(acts, wb.sheetnames.index(CALENDAR))
    rows = {r: [w.get(f"{c}{r}") for c in "FGHIJK"] for r in range(3, 10)}
    assert rows[3] == [2570, "ภายในเดือนพฤษภาคม", "", "2027-05-31", "ยังไม่ถึงกำหนด", 191]
    assert rows[4] == [2570, "ไตรมาส 1", "2026-10-01", "2026-12-31", "ส่งแล้ว (ตรงเวลา)", ""]
    assert rows[5][0] == 2570 and rows[5][1:3] == ["", ""] and rows[5][5] == ""
    assert rows[5][4].startswith("อ่านกำหนดเวลาไม่ได้: อ่านกำหนดเวลา 'เมื่อไหร่ก็ได้' ไม่ได้")
    assert rows[6] == [2569, "ตลอดปีงบประมาณ 2569", "2025-10-01", "2026-09-30", "ไม่ส่ง", -52]
    # The other quarters of t2 are added below the table, with the task's own cells copied.
    for r, q, start, due in ((7, 2, "2027-01-01", "2027-03-31"), (8, 3, "2027-04-01", "2027-06-30"),
                             (9, 4, "2027-07-01", "2027-09-30")):
        assert [w[f"{c}{r}"] for c in "ABDFGHIJ"] == ["t2", "รายงานไตรมาส", "ทุกไตรมาส", 2570, f"ไตรมาส {q}",
                                                       start, due, "ยังไม่ถึงกำหนด"]
    touched = {re.match(r"[A-Z]+", k).group() for k in w if int(re.search(r"\d+", k).group()) <= 6}
    assert touched == set("FGHIJK")  # on the user's rows only computed columns are written
    assert counts["work_calendar"] == 7
    assert alerts(acts)[0].startswith("ปรับกำหนดส่งและสถานะแล้ว ณ วันที่ 21/11/2569 (work_calendar 7")


def test_refresh_fills_an_empty_calendar_from_the_manuals(wb):
    book = book_of(wb, CALENDAR)
    refresh.run(book, today=TODAY)
    expected = work_calendar(2570, TODAY)
    w = cells(actions(book), wb.sheetnames.index(CALENDAR))
    n = len(expected)
    assert [w[f"A{r}"] for r in range(3, 3 + n)] == expected["task_id"].tolist()
    assert f"A{3 + n}" not in w
    first = expected.iloc[0]
    assert [w["F3"], w["G3"], w["I3"], w["J3"]] == [2570, first["occurrence"], first["due_date"].isoformat(),
                                                    first["status_th"]]


def test_refresh_trackers(wb):
    fws = wb[FOLLOWUP]  # F notified on, G working days, L done on; H due, N status, O days left (computed)
    fill(fws, 3, {"A": "1", "F": dt.datetime(2026, 11, 16), "G": 7})
    fill(fws, 4, {"A": "2", "F": "1 พ.ย. 69", "G": 10, "L": "12 พ.ย. 69"})
    fill(fws, 5, {"A": "3", "F": dt.datetime(2026, 10, 1), "G": 20})
    sws = wb[SERVICES]  # E received on, P.. step done dates; G.. O computed
    fill(sws, 3, {"A": "R-1", "D": "การจัดตั้งและเสนอของบประมาณ", "E": dt.datetime(2026, 11, 16),
                  "P": dt.datetime(2026, 11, 17)})
    fill(sws, 4, {"A": "R-2", "D": "การระดมทรัพยากรทางการศึกษาจากหน่วยงานอื่น", "E": "2 พ.ย. 69", "P": "3 พ.ย. 69",
                  "Q": "4 พ.ย. 69", "R": "5 พ.ย. 69", "S": "6 พ.ย. 69", "T": "10 พ.ย. 69"})
    sub = wb[SUBMISSIONS]
    fill(sub, 3, {"A": "1020080005", "D": "แผนปฏิบัติการประจำปี", "F": dt.datetime(2026, 5, 31),
                  "G": dt.datetime(2026, 6, 10)})
    book = book_of(wb, FOLLOWUP)
    counts = refresh.run(book, today=TODAY)
    acts = actions(book)
    f = cells(acts, wb.sheetnames.index(FOLLOWUP))
    # Mon 16 Nov + 7 working days = Wed 25 (3 working days after Sat 21: due soon); 1 Nov + 10 = Fri 13, done
    # on the 12th; 1 Oct + 20 = Mon 2 Nov (13 and 23 Oct are holidays): overdue.
    assert [(f[f"H{r}"], f[f"N{r}"], f[f"O{r}"]) for r in (3, 4, 5)] == [
        ("2026-11-25", "ใกล้ครบกำหนด", 4), ("2026-11-13", "เสร็จตามกำหนด", ""), ("2026-11-02", "เกินกำหนด", -19)]
    s = cells(acts, wb.sheetnames.index(SERVICES))
    # step 1 done Tue 17 Nov, so step 2 (4 working days) is due from the 17th: Mon 23 Nov.
    assert [s[f"{c}3"] for c in "GIJL"] == [2, "4 วันทำการ", "2026-11-23", "ใกล้ครบกำหนด"]
    assert s["H3"].startswith("สถานศึกษาจัดทำคำของบประมาณ") and s["M3"] == "" and s["O3"] == "1/1"
    # every step done; step 5 was due Mon 9 Nov (1 working day after the 6th) and done on the 10th.
    assert [s[f"{c}4"] for c in "GHLMNO"] == [5, "เสร็จทุกขั้นตอน", "เสร็จเกินมาตรฐาน", "2026-11-10", 6, "4/5"]
    sub_w = cells(acts, wb.sheetnames.index(SUBMISSIONS))
    assert sub_w["H3"] == "ส่งช้า"
    assert counts == {"work_calendar": len(work_calendar(2570, TODAY)), "inspection_followup": 3,
                      "service_requests": 2, "submissions": 1}


def test_refresh_finds_columns_as_validation_does_on_a_renamed_edited_tab(wb):
    """The buttons locate a table with validation's header finder: on a renamed tab whose key row was deleted
    and whose "เหลือ (วัน)" header was retyped without its space, refresh still writes where the check reads."""
    ws = wb[FOLLOWUP]
    fill(ws, 3, {"A": "1", "F": dt.datetime(2026, 11, 20), "G": 3})
    ws.delete_rows(2)  # the hidden key row
    ws["O1"] = "เหลือ(วัน)"
    ws.title = "ติดตามผู้ตรวจ ปี 2570"
    book = book_of(wb, ws.title)
    assert refresh.run(book, today=TODAY)["inspection_followup"] == 1
    f = cells(actions(book), wb.sheetnames.index(ws.title))
    assert (f["H2"], f["N2"], f["O2"]) == ("2026-11-25", "ใกล้ครบกำหนด", 4)


# --- the buttons that call the khet command line ---------------------------------------------------------


def test_an_unknown_khet_command_is_a_clear_thai_message(wb):
    book = book_of(wb, CALENDAR)
    with pytest.raises(UserError) as e:
        run_khet(book, ["nosuchcommand"])
    assert e.value.message_th == ("โปรแกรม Khet ที่ติดตั้งยังไม่มีคำสั่ง “khet nosuchcommand” "
                                  "ให้ผู้ดูแลระบบปรับรุ่นโปรแกรม")


def test_a_failing_khet_command_shows_its_own_message(wb, tmp_path, monkeypatch):
    monkeypatch.setenv("KHET_CONFIG", str(tmp_path / "missing.toml"))
    book = book_of(wb, CALENDAR)
    with pytest.raises(UserError) as e:
        run_khet(book, ["schools", "provision", "--registry", str(tmp_path / "none.csv")], json_file=True)
    assert e.value.message_th.startswith("คำสั่ง khet schools provision --registry")
    assert "(รหัส 2)" in e.value.message_th


def test_pull_writes_the_export_into_the_khet_sheets(wb):
    fill(wb[SUMMARY], 3, {"A": "เก่า", "B": "ข้อมูลเก่า", "D": 1})
    fill(wb[SUMMARY], 4, {"A": "เก่า", "B": "ข้อมูลเก่า 2", "D": 2})
    book = book_of(wb, CALENDAR)
    export = {
        "as_of": "2026-11-21",
        "submissions": [{"school_code": "1020080005", "school_name": "บ้านหนองบัว", "report": "แผนปฏิบัติการประจำปี",
                         "fiscal_year": 2570, "due_date": "2027-05-31", "submitted_on": None,
                         "status": "ยังไม่ถึงกำหนด", "findings": 2, "errors": 1, "last_read": "2026-11-21",
                         "unknown_key": "x"}],
        "district_summary": [{"section": "การส่งรายงาน", "item": "ส่งแล้ว", "value": 12, "unit": "โรงเรียน",
                              "as_of": "2026-11-21"}],
    }
    counts = pull.write_export(book, export)
    acts = actions(book)
    assert counts == {"submissions": 1, "district_summary": 1}
    sub = cells(acts, wb.sheetnames.index(SUBMISSIONS))
    assert [sub[f"{c}3"] for c in "ABCDEFGHIJK"] == ["1020080005", "บ้านหนองบัว", "", "แผนปฏิบัติการประจำปี",
                                                     2570, "2027-05-31", "", "ยังไม่ถึงกำหนด", 2, 1, "2026-11-21"]
    clears = [(a["sheet_position"], a["start_row"] + 1, a["row_count"]) for a in acts
              if a["func"] == "rangeClearContents"]
    assert clears == [(wb.sheetnames.index(SUMMARY), 3, 2)]  # the old summary rows go first
    summary = cells(acts, wb.sheetnames.index(SUMMARY))
    assert [summary[f"{c}3"] for c in "ABDEF"] == ["การส่งรายงาน", "ส่งแล้ว", 12, "โรงเรียน", "2026-11-21"]


def test_provision_round_trip_through_the_registry_sheet(wb, tmp_path):
    reg = wb[REGISTRY]
    fill(reg, 3, {"A": "1020080005", "B": "บ้านหนองบัว", "H": "a@school.ac.th"})
    fill(reg, 4, {"A": "1020080006", "B": "บ้านโนนสูง", "I": "existing-id"})
    book = book_of(wb, REGISTRY)
    tab = table(book, "school_registry")
    rows = registry_rows(tab)
    assert [(r["school_code"], r["school_name"], r["spreadsheet_id"]) for r in rows] == [
        ("1020080005", "บ้านหนองบัว", ""), ("1020080006", "บ้านโนนสูง", "existing-id")]
    changed = apply_outcomes(tab, [
        {"code": "1020080005", "name": "บ้านหนองบัว", "status": "created", "spreadsheet_id": "new-id"},
        {"code": "1020080006", "name": "บ้านโนนสูง", "status": "already", "spreadsheet_id": "existing-id"},
        {"code": "1020080007", "name": "อื่น", "status": "failed", "spreadsheet_id": ""},
    ])
    assert changed == 1
    w = cells(actions(book), wb.sheetnames.index(REGISTRY))
    assert (w["I3"], w["I4"]) == ("new-id", "existing-id")


def test_provision_button_end_to_end_on_the_emulator(wb, emulator, sa_key, gc, tmp_path, monkeypatch):
    """The real `khet schools provision` in a subprocess, against the Google emulator over HTTP."""
    from sync.gclient import drive_url

    folder = gc.http_client.request("post", drive_url("files"), json={
        "name": "สพป. ทดสอบ", "mimeType": "application/vnd.google-apps.folder"}).json()["id"]
    config = tmp_path / "khet.toml"
    config.write_text(f'[google]\nkey_file = "{Path(sa_key).as_posix()}"\nendpoint = "{emulator.url}"\n'
                      f'drive_folder_id = "{folder}"\n[paths]\ndata_dir = "{tmp_path.as_posix()}/data"\n'
                      "[quota]\nreads_per_minute = 6000\nwrites_per_minute = 6000\n",
                      encoding="utf-8")
    monkeypatch.setenv("KHET_CONFIG", str(config))
    reg = wb[REGISTRY]
    fill(reg, 3, {"A": "1020080001", "B": "โรงเรียนบ้านหนอง 1", "H": "school1@obec.example"})
    fill(reg, 4, {"A": "1020080002", "B": "โรงเรียนบ้านหนอง 2", "H": "school2@obec.example"})
    book = book_of(wb, REGISTRY)
    from addin.buttons import provision

    outcomes = provision.run(book)
    assert [(o["code"], o["status"]) for o in outcomes] == [("1020080001", "created"), ("1020080002", "created")]
    acts = actions(book)
    w = cells(acts, wb.sheetnames.index(REGISTRY))
    ids = [w["I3"], w["I4"]]
    assert ids == [o["spreadsheet_id"] for o in outcomes] and all(ids)
    titles = [gc.open_by_key(i).title for i in ids]  # the sheets exist in the emulator's Drive
    assert all(code in t for code, t in zip(("1020080001", "1020080002"), titles, strict=True)), titles
    assert alerts(acts) == ["สร้าง/พบชีตโรงเรียนแล้ว เติมรหัสสเปรดชีต 2 โรงเรียน\n\n"
                            "School sheets provisioned; 2 spreadsheet IDs filled in."]


def test_sync_report_summary_names_failed_schools():
    from addin.buttons.sync_now import summary

    th, en = summary({"status": "partial", "message_th": "สำเร็จบางส่วน", "message_en": "partial success",
                      "counts": {"read": 3, "failed": 1},
                      "schools": [{"school_code": "1020080001", "name": "บ้านหนอง", "outcome": "failed",
                                   "reason": "not_shared"},
                                  {"school_code": "1020080002", "name": "บ้านโนน", "outcome": "read"}]})
    assert th == "สำเร็จบางส่วน\nโรงเรียนที่อ่านไม่ได้ 1 แห่ง: 1020080001 บ้านหนอง (not_shared)\nread 3, failed 1"
    assert en == "partial success (read 3, failed 1)"


def test_pull_brings_the_last_run_of_the_real_job_into_the_workbook(wb, tmp_path, monkeypatch):
    """`khet demo` runs the real nightly job on the embedded emulator; the button then pulls its last run
    through the real `khet history --json last` in a subprocess."""
    demo = tmp_path / "demo"
    assert khet(["demo", "--schools", "4", "--networks", "2", "--dir", str(demo), "--quiet"]) == 0
    monkeypatch.delenv("KHET_CONFIG", raising=False)
    # No district sheet configured: the pull reads the summary .xlsx and runs/last-run.json — never the history.
    monkeypatch.setenv("KHET_HISTORY_DB", str(tmp_path / "no-such-history.sqlite"))
    monkeypatch.setenv("KHET_REPORT_DIR", str(demo / "out"))
    monkeypatch.setenv("KHET_DATA_DIR", str(demo))
    book = book_of(wb, CALENDAR)
    counts = pull.run(book)
    acts = actions(book)
    summary_xlsx = next((demo / "out").glob("khet-summary-*.xlsx"))
    source = openpyxl.load_workbook(summary_xlsx, data_only=True)
    expected_subs = [r for r in source[SUBMISSIONS].iter_rows(min_row=3, values_only=True) if any(r)]
    expected_sum = [r for r in source[SUMMARY].iter_rows(min_row=3, values_only=True) if any(r)]
    assert counts == {"dashboard": 10, "submissions": len(expected_subs), "district_summary": len(expected_sum),
                      "findings": sum(1 for r in source[FINDINGS].iter_rows(min_row=3, values_only=True) if any(r))}
    sub = cells(acts, wb.sheetnames.index(SUBMISSIONS))
    # school_code, school_name, network, report_th, due, submitted_on, submitted_at, claimed_on, status_th, …
    first = expected_subs[0]
    assert [sub["A3"], sub["B3"], sub["C3"], sub["D3"], sub["H3"]] == [first[0], first[1], first[2], first[3],
                                                                       first[8]]
    assert sub["F3"] == first[4].date().isoformat() and sub["J3"] == first[11]
    summ = cells(acts, wb.sheetnames.index(SUMMARY))
    assert [summ["A3"], summ["B3"], summ["D3"]] == [expected_sum[0][0], expected_sum[0][1], expected_sum[0][3]]
    message = alerts(acts)[0]
    assert message.startswith("ดึงข้อมูลล่าสุดแล้ว: การส่งรายงาน ") and "รอบประมวลผลล่าสุด 2 เสร็จเมื่อ " in message
    assert "ข้อมูลโรงเรียน ณ " in message and "ไม่ตอบ" not in message
    assert not (tmp_path / "no-such-history.sqlite").exists()
    # The dashboard tab: headline figures and the tables its charts read, in their fixed cells.
    from addin import dashboard
    from workbook.reports import REPORTS

    dash = cells(acts, wb.sheetnames.index(dashboard.TITLE))
    overview = {r[1]: r[3] for r in expected_sum if r[0] == "ภาพรวม"}
    assert (dash["A5"], dash["B5"]) == ("โรงเรียนทั้งหมด", overview["โรงเรียนทั้งหมด"] == 4 and 4)
    owed = {r[0]: r[8] < r[2] for r in source["ความครบถ้วนของรายงาน"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert [dash[f"E{r}"] for r in range(6, 6 + len(REPORTS))] == [
        r.title_th if owed[r.title_th] else f"{r.title_th} ({dashboard.NOT_YET_DUE})" for r in REPORTS]
    assert [dash[f"E{r}"] for r in range(26, 30)] == [f"ไตรมาส {q}" for q in range(1, 5)]
    assert dash["A20"].startswith("เครือข่าย") and dash["A22"] == ""  # 2 networks, the rest cleared
    assert dash["A2"].startswith("ข้อมูลโรงเรียน ณ ") and dash["A2"].endswith(" น.")
    assert counts["dashboard"] == len(dashboard.HEADLINE_ITEMS)


def test_formula_like_text_is_written_back_as_text(wb):
    """A finding quotes what the school typed; Excel must show it, not run it (apostrophe prefix, hidden)."""
    ws = wb[FOLLOWUP]
    _followup_rows(ws)
    ws["D3"] = '=HYPERLINK("http://x","คลิก")'
    book = book_of(wb, FOLLOWUP)
    result = validate.run(book, today=TODAY)
    assert ("D3", "text.formula_like") in [(f.cell, f.code) for f in result.findings]
    written = cells(actions(book), wb.sheetnames.index(FINDINGS))
    raws = {written[f"F{r}"]: written[f"G{r}"] for r in range(3, 3 + len(result.findings))}
    assert raws["D3"] == '\'=HYPERLINK("http://x","คลิก")'
    assert raws["F4"] == "31/02/2566"


def test_replace_rows_keeps_pulled_school_text_text(wb):
    """Rows pulled from the nightly summary carry school text: "=…", "+…", "-…", "@…", tab or CR first stay
    text; numbers, dates and ordinary text are written as they are."""
    from addin.excel import replace_rows

    book = book_of(wb, FINDINGS)
    tab = table(book, "findings")
    values = ["=1+1", "+66 81", "-", "@me", "\tx", "ปกติ", -5, dt.date(2026, 7, 20)]
    replace_rows(tab, [{"raw": v} for v in values])
    written = cells(actions(book), wb.sheetnames.index(FINDINGS))
    assert [written[f"G{r}"] for r in range(3, 3 + len(values))] == [
        "'=1+1", "'+66 81", "'-", "'@me", "'\tx", "ปกติ", -5, "2026-07-20"]


def test_decide_sends_new_rows_as_requests_and_writes_each_answer_into_its_row(wb, tmp_path, monkeypatch):
    """The พิจารณารายงาน tab's button on a single-PC district (the job host itself): the real `khet office
    request` in a subprocess, applied at once to the history the demo's nights left (the demo's staff approved
    and returned some action plans already; school 3 sent its plan late, after their decisions)."""
    from addin.buttons import decide
    from sync.approvals import DecisionStore
    from sync.history import History
    from workbook.sheets import REPORT_DECISIONS

    demo = tmp_path / "demo"
    assert khet(["demo", "--schools", "4", "--networks", "2", "--dir", str(demo), "--quiet"]) == 0
    monkeypatch.delenv("KHET_CONFIG", raising=False)
    monkeypatch.setenv("KHET_HISTORY_DB", str(demo / "history.sqlite"))
    monkeypatch.setenv("KHET_REGISTRY", str(demo / "registry.csv"))
    monkeypatch.setenv("KHET_DATA_DIR", str(demo))
    monkeypatch.setenv("KHET_ENDPOINT", "emulator")
    with History(demo / "history.sqlite") as h:
        already = len(DecisionStore(h).decisions(2569))
    ws = wb[REPORT_DECISIONS.title_th]
    col = {c.key: get_column_letter(i + 1) for i, c in enumerate(REPORT_DECISIONS.columns)}
    plan, q1 = "แผนปฏิบัติการประจำปี", "ความก้าวหน้าโครงการ ไตรมาส 1"
    rows = [{"school_code": "1048000003", "report": plan, "fiscal_year": 2569, "decision": "อนุมัติ"},
            {"school_code": "1048000003", "report": q1, "fiscal_year": 2569, "decision": "ส่งกลับแก้ไข"},
            {"school_code": "1048000003", "report": "รายงานที่ไม่มี", "fiscal_year": 2569, "decision": "อนุมัติ"},
            {"school_code": "1048000003", "report": q1, "fiscal_year": 2569, "decision": "อนุมัติ",
             "request_id": "R-sent-before"}]
    for i, r in enumerate(rows):
        fill(ws, 3 + i, {col[k]: v for k, v in r.items()})
    book = book_of(wb, REPORT_DECISIONS.title_th)
    answers = decide.run(book)
    assert [a["status"] for a in answers] == ["done", "refused"]
    w = cells(actions(book), wb.sheetnames.index(REPORT_DECISIONS.title_th))
    assert w[f"{col['outcome']}3"] == "เสร็จแล้ว" and w[f"{col['request_id']}3"].startswith("R")
    assert "อนุมัติ “แผนปฏิบัติการประจำปี” ของโรงเรียน 1048000003" in w[f"{col['outcome_message']}3"]
    assert w[f"{col['outcome']}4"] == "ไม่รับคำขอ" and "ต้องระบุเหตุผล" in w[f"{col['outcome_message']}4"]
    assert w[f"{col['outcome']}5"] == "ไม่ได้ส่ง" and "รายงาน" in w[f"{col['outcome_message']}5"]
    assert f"{col['outcome']}6" not in w  # sent before: never again
    message = alerts(actions(book))[0]
    assert "ส่งผลการพิจารณา 2 แถว: รับแล้ว 1, ไม่รับ 1" in message and "ไม่ได้ส่ง 1 แถว" in message
    with History(demo / "history.sqlite") as h:
        new = DecisionStore(h).decisions(2569)[already:]
    assert [(d["school_code"], d["report_key"], d["action"]) for d in new] == [("1048000003", "action_plan",
                                                                                "approve")]
