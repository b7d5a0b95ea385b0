"""Provisioning on the emulator: template, copies, sharing, protection, dropdowns, registry write-back,
idempotence and resume — all through gspread + google-auth over HTTP."""

from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from gspread.exceptions import APIError

from addin.calendar import fiscal_year
from addin.status import today_in_thailand
from sync.emulator.testing import connect_as
from sync.gclient import SCOPES_PROVISION, connect, drive_url, list_files
from sync.google_template import TAG_HEADER, TAG_READONLY, create_template, ensure_template, khet_tags
from sync.http import Pacing, RetryPolicy, paced_client
from sync.provision import ProvisionError, provision
from sync.registry import Registry, RegistryError, School, load_registry, write_csv_registry
from sync.update import TAG_VERSION, template_version
from workbook.schema import YES_NO
from workbook.settings import DistrictSettings
from workbook.sheets import SCHOOL_SHEETS, get_sheet

DEFAULTS = DistrictSettings.default()
PROFILE = get_sheet("school_profile")
SA = "khet-sync@khet-district.iam.gserviceaccount.com"
# Short backoffs; a generous timeout: on a loaded 2-core CI machine an emulator copy can take seconds.
FAST = RetryPolicy(max_tries=3, base_delay=0.01, max_delay=0.05, timeout=30)


def fast_client(emu, key, scopes=SCOPES_PROVISION, *, pacing=None, retry=FAST, timeout=30):
    return connect(key, scopes, endpoint=emu.url, timeout=timeout,
                   http_client=paced_client(pacing or Pacing(1000, 1000), retry, seed=1))


def school(i: int, name: str | None = None) -> School:
    return School(f"10200800{i:02d}", name or f"โรงเรียนบ้านหนอง {i}", f"school{i}@obec.example", f"เครือข่าย {i % 2}")


@dataclass
class District:
    emu: object
    key: Path
    gc: object
    folder: str
    template: str
    registry_path: Path

    def registry(self) -> Registry:
        return load_registry(self.registry_path)

    def files(self) -> list[dict]:
        q = f"'{self.folder}' in parents and trashed = false"
        return list(list_files(self.gc, q, "id,name"))


def make_district(emu, tmp_path, schools) -> District:
    key = emu.service_account(SA)
    gc = fast_client(emu, key)
    folder = gc.http_client.request("post", drive_url("files"), json={
        "name": "สพป. ทดสอบ เขต 1", "mimeType": "application/vnd.google-apps.folder"}).json()["id"]
    template = create_template(gc, folder)
    path = write_csv_registry(tmp_path / "registry.csv", schools)
    return District(emu, key, gc, folder, template, path)


@pytest.fixture
def district(emulator, tmp_path):
    return make_district(emulator, tmp_path, [school(1), school(2, "โรงเรียน O'Neil \"วิทยา\""), school(3)])


def test_template_has_every_tab_with_headers_keys_frozen_and_hidden_key_row(district):
    sh = district.gc.open_by_key(district.template)
    assert [ws.title for ws in sh.worksheets()] == [s.title_th for s in SCHOOL_SHEETS]
    got = sh.values_batch_get([f"'{s.title_th}'!A1:Z2" for s in SCHOOL_SHEETS])["valueRanges"]
    for sheet, vr in zip(SCHOOL_SHEETS, got, strict=True):
        assert vr["values"] == sheet.grid_header()
    meta = district.gc.http_client.fetch_sheet_metadata(district.template, params={
        "includeGridData": "true", "ranges": [f"'{s.title_th}'!A1:A2" for s in SCHOOL_SHEETS]})
    for sheet, sh_json in zip(SCHOOL_SHEETS, meta["sheets"], strict=True):
        props = sh_json["properties"]
        assert props["title"] == sheet.title_th
        assert props["gridProperties"]["frozenRowCount"] == 2
        assert props["gridProperties"]["columnCount"] >= 26  # grid_width: room for added columns
        assert sh_json["data"][0]["rowMetadata"][1].get("hiddenByUser") is True
    # Finding the template again costs one Drive list and creates nothing.
    assert ensure_template(district.gc, district.folder) == (district.template, False)
    assert [f["name"] for f in district.files()] == ["แม่แบบชีตโรงเรียน (Khet school template)"]


def test_provision_copies_shares_protects_and_writes_back(district):
    emu = district.emu
    emu.reset_counters()
    result = provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    assert [o.status for o in result.outcomes] == ["created"] * 3 and result.ok
    # 1 template read + 1 folder list, then per school: copy, profile (and district KPI) prefill, share, setup
    # batchUpdate.
    by = emu.counters()["by_endpoint"]
    assert by == {"GET sheets.spreadsheets.get": 1, "GET drive.files.list": 1,
                  "POST drive.files.copy": 3, "POST sheets.values.batchUpdate": 3, "POST drive.permissions.create": 3,
                  "POST sheets.spreadsheets.batchUpdate": 3}

    reg = district.registry()
    ids = [s.spreadsheet_id for s in reg.schools]
    assert all(ids) and len(set(ids)) == 3
    names = sorted(f["name"] for f in district.files())
    assert names == sorted(["แม่แบบชีตโรงเรียน (Khet school template)"] + [s.file_name for s in reg.schools])
    assert "1020080002 โรงเรียน O'Neil \"วิทยา\"" in names

    for s in reg.schools:
        perms = {p["emailAddress"]: p["role"] for p in district.gc.list_permissions(s.spreadsheet_id)}
        assert perms == {SA: "owner", s.contact_email: "writer"}
        meta = district.gc.http_client.fetch_sheet_metadata(s.spreadsheet_id, params={
            "fields": "sheets(properties(title),protectedRanges(range,editors,description,warningOnly))"})
        ranges = [pr for sh in meta["sheets"] for pr in sh.get("protectedRanges", [])]
        # Tagged with the template version it was made from (what `khet schools update` and the summary read).
        assert khet_tags(ranges) == ({TAG_HEADER + x.key for x in SCHOOL_SHEETS if not x.read_only}
                                     | {TAG_READONLY + "feedback", TAG_VERSION + template_version(DEFAULTS)})
        assert all(pr["editors"] == {"users": [SA]} for pr in ranges)
        assert all(pr["warningOnly"] is False for pr in ranges if TAG_VERSION not in pr["description"])
        header = next(pr for pr in ranges if pr["description"].endswith(f"[{TAG_HEADER}action_plan]"))
        assert (header["range"].get("startRowIndex", 0), header["range"]["endRowIndex"]) == (0, 2)

    # The profile tab is pre-filled, as text (the leading zero of a code survives, nothing is a formula).
    sid = reg.schools[1].spreadsheet_id
    profile = district.gc.open_by_key(sid).worksheet(get_sheet("school_profile").title_th)
    assert profile.get("A3:C3", value_render_option="FORMULA") == [
        ["1020080002", "โรงเรียน O'Neil \"วิทยา\"", "เครือข่าย 0"]]
    # The fiscal year the district is in is typed too (an empty one was a finding every night).
    year_cell = f"{PROFILE.letter('fiscal_year')}3"
    assert profile.get(year_cell, value_render_option="UNFORMATTED_VALUE") == [[fiscal_year(today_in_thailand())]]


def test_dropdowns_follow_the_definitions(district):
    provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    sid = district.registry().schools[0].spreadsheet_id
    sheet = get_sheet("submission")
    col = sheet.keys().index("confirmed")
    rng = f"'{sheet.title_th}'!{sheet.letter('report')}3:{sheet.letter('confirmed')}3"
    meta = district.gc.http_client.fetch_sheet_metadata(sid, params={"includeGridData": "true", "ranges": rng})
    cells = meta["sheets"][0]["data"][0]["rowData"][0]["values"]
    report_rule = cells[0]["dataValidation"]
    assert report_rule["strict"] is True and report_rule["condition"]["type"] == "ONE_OF_LIST"
    assert [v["userEnteredValue"] for v in report_rule["condition"]["values"]] == list(
        sheet.column("report").choices)
    yes_no = cells[col - sheet.keys().index("report")]["dataValidation"]
    assert [v["userEnteredValue"] for v in yes_no["condition"]["values"]] == list(YES_NO)
    assert "dataValidation" not in cells[sheet.keys().index("submitted_by") - sheet.keys().index("report")]


def test_school_edits_data_but_not_headers_or_feedback(district):
    provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    s = district.registry().schools[0]
    as_school = connect_as(district.emu, s.contact_email)
    sh = as_school.open_by_key(s.spreadsheet_id)
    plan = sh.worksheet(get_sheet("action_plan").title_th)
    plan.update([["P01", "ยกระดับผลสัมฤทธิ์"]], "A3", raw=True)
    assert plan.get("A3:B3") == [["P01", "ยกระดับผลสัมฤทธิ์"]]
    for ws_title, cell in ((get_sheet("action_plan").title_th, "A1"), (get_sheet("action_plan").title_th, "C2"),
                           (get_sheet("feedback").title_th, "A5")):
        with pytest.raises(APIError) as e:
            sh.worksheet(ws_title).update([["x"]], cell)
        assert e.value.response.status_code == 400 and "protected" in e.value.error["message"]


def test_second_run_changes_nothing_and_sends_no_request(district):
    provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    before = district.registry_path.read_bytes()
    district.emu.reset_counters()
    again = provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    assert [o.status for o in again.outcomes] == ["already"] * 3
    assert district.emu.counters()["total"] == 0
    assert district.registry_path.read_bytes() == before


def test_resume_after_crash_between_copy_and_registry_write(district):
    reg = district.registry()
    first = reg.schools[0]
    # A run that copied (and even shared and protected) school 1 and died before writing the registry:
    in_memory = Registry([School(**{**first.__dict__})])
    provision(district.gc, in_memory, template_id=district.template, folder_id=district.folder)
    # …and one that died right after copying school 2.
    half = district.gc.copy(district.template, title=reg.schools[1].file_name, folder_id=district.folder,
                            copy_comments=False)
    district.emu.reset_counters()
    result = provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    assert [o.status for o in result.outcomes] == ["resumed", "resumed", "created"]
    assert result.outcomes[0].spreadsheet_id == in_memory.schools[0].spreadsheet_id
    assert result.outcomes[1].spreadsheet_id == half.id
    names = [f["name"] for f in district.files()]
    assert len(names) == len(set(names)) == 4  # no duplicate copies
    by = district.emu.counters()["by_endpoint"]
    assert by["POST drive.files.copy"] == 1
    assert by["POST drive.permissions.create"] == 2  # school 1 was already shared
    assert by["POST sheets.spreadsheets.batchUpdate"] == 3  # dropdowns are re-set; protections not re-added
    for o in result.outcomes:
        meta = district.gc.http_client.fetch_sheet_metadata(o.spreadsheet_id, params={
            "fields": "sheets(protectedRanges(description))"})
        descriptions = [pr["description"] for sh in meta["sheets"] for pr in sh.get("protectedRanges", [])]
        assert len(descriptions) == len(SCHOOL_SHEETS) + 1  # one per tab and the version tag, never twice
        assert len(district.gc.list_permissions(o.spreadsheet_id)) == 2
    assert [s.spreadsheet_id for s in district.registry().schools] == [o.spreadsheet_id for o in result.outcomes]


def test_school_failing_half_way_is_reported_and_resumed_next_run(district):
    emu = district.emu
    # Sheets allows 4 writes in this (hour-long, so the run cannot straddle two) "minute": schools 1 and 2
    # take two each, school 3 is copied and then refused (429 after the client's bounded retries) before its
    # profile, sharing and protection. Setting the window starts a fresh one.
    emu.configure(user_quota=4, minute_seconds=3600)
    result = provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    assert [o.status for o in result.outcomes] == ["created", "created", "failed"] and not result.ok
    failed = result.outcomes[2]
    assert failed.reason == "quota" and "3 tries" in failed.message_en and "ลองใหม่" in failed.message_th
    assert [bool(s.spreadsheet_id) for s in district.registry().schools] == [True, True, False]
    emu.advance(3600)
    result = provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    assert [o.status for o in result.outcomes] == ["already", "already", "resumed"] and result.ok
    sid = result.outcomes[2].spreadsheet_id
    assert district.registry().schools[2].spreadsheet_id == sid
    assert {p["role"] for p in district.gc.list_permissions(sid)} == {"owner", "writer"}
    assert len([f for f in district.files() if f["name"] == district.registry().schools[2].file_name]) == 1


def test_name_taken_by_a_foreign_file_fails_only_that_school(district):
    reg = district.registry()
    district.gc.create(reg.schools[0].file_name, folder_id=district.folder)  # someone's blank sheet
    result = provision(district.gc, reg, template_id=district.template, folder_id=district.folder)
    assert [o.status for o in result.outcomes] == ["failed", "created", "created"]
    assert result.outcomes[0].reason == "conflict" and "lacks tabs" in result.outcomes[0].message_en


def test_unreachable_template_stops_before_touching_anything(district):
    district.emu.configure(file_faults={district.template: {"error_500": 1.0}})
    with pytest.raises(ProvisionError) as e:
        provision(district.gc, district.registry(), template_id=district.template, folder_id=district.folder)
    assert "แม่แบบ" in e.value.message_th and "3 tries" in e.value.message_en
    assert len(district.files()) == 1


def test_missing_template_stops_before_touching_anything(district):
    with pytest.raises(ProvisionError) as e:
        provision(district.gc, district.registry(), template_id="no-such-template", folder_id=district.folder)
    assert "แม่แบบ" in e.value.message_th and "template" in e.value.message_en


def test_inactive_schools_and_xlsx_registry_with_other_sheets_kept(emulator, tmp_path):
    d = make_district(emulator, tmp_path, [])
    sheet = get_sheet("school_registry")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet.title_th
    ws.append(sheet.headers_th())
    ws.append(sheet.keys())
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    for s, active in ((school(1), "ใช่"), (school(2), "ไม่ใช่"), (school(3), None)):
        row = {"school_code": s.code, "school_name": s.name, "contact_email": s.contact_email, "active": active}
        ws.append([row.get(k) for k in sheet.keys()])
    other = wb.create_sheet("สรุป")
    other["A1"] = "=COUNTA('ทะเบียนโรงเรียน'!A3:A100)"
    path = tmp_path / "staff.xlsx"
    wb.save(path)

    result = provision(d.gc, load_registry(path), template_id=d.template, folder_id=d.folder)
    assert [o.status for o in result.outcomes] == ["inactive", "created", "created"]
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet.title_th]
    col = sheet.keys().index("spreadsheet_id") + 1
    assert ws.cell(4, col).value is None
    assert ws.cell(3, col).value == result.outcomes[1].spreadsheet_id and ws.cell(3, col).data_type == "s"
    assert ws["A1"].font.bold is True
    assert wb["สรุป"]["A1"].value == "=COUNTA('ทะเบียนโรงเรียน'!A3:A100)"
    assert ws.cell(3, 1).value == "1020080001"


def test_registry_reports_bad_rows_by_cell_and_adds_a_missing_id_column(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("ชื่อโรงเรียน,รหัสโรงเรียน,อีเมล,ใช้งาน\r\n"
                    "บ้านหนองบัว,0010200805,Clerk@School.example,\r\n"
                    "บ้านโคก,12345,b@school.example,\r\n"
                    "บ้านนา,1020080006,not-an-email,ไม่ใช่\r\n", encoding="utf-8-sig")
    reg = load_registry(path)
    assert [(s.code, s.name, s.contact_email, s.row, s.active) for s in reg.schools] == [
        ("0010200805", "บ้านหนองบัว", "clerk@school.example", 2, True)]
    errors = [(f.code, f.cell) for f in reg.findings if f.severity == "error"]
    assert errors == [("school_code.length", "B3"), ("email.invalid", "C4")]
    assert all(f.message_th and f.message_en for f in reg.findings)
    reg.save_spreadsheet_ids({"0010200805": "1AbC_x-9"})
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "ชื่อโรงเรียน,รหัสโรงเรียน,อีเมล,ใช้งาน,รหัสสเปรดชีต"
    assert lines[1] == "บ้านหนองบัว,0010200805,Clerk@School.example,,1AbC_x-9"
    assert lines[2:] == ["บ้านโคก,12345,b@school.example,", "บ้านนา,1020080006,not-an-email,ไม่ใช่"]
    assert load_registry(path).schools[0].spreadsheet_id == "1AbC_x-9"


def test_registry_saved_by_thai_excel_or_damaged(tmp_path):
    # A TIS-620 CSV (Excel on a Thai Windows) and a damaged .xlsx were tracebacks, not answers.
    thai_csv = tmp_path / "registry.csv"
    thai_csv.write_bytes("รหัสโรงเรียน,ชื่อโรงเรียน,อีเมลติดต่อ\r\n1020080005,บ้านหนองบัว,a@school.example\r\n"
                         .encode("cp874"))
    assert [(s.code, s.name) for s in load_registry(thai_csv).schools] == [("1020080005", "บ้านหนองบัว")]
    thai_csv.write_bytes(b"\xff\xfe\x00")  # UTF-16 bytes: neither encoding
    with pytest.raises(RegistryError) as exc:
        load_registry(thai_csv)
    assert (exc.value.message_th, exc.value.message_en) == (
        "อ่านทะเบียน registry.csv ไม่ได้: ไม่ใช่ UTF-8 หรือ TIS-620",
        "cannot decode registry.csv: neither UTF-8 nor TIS-620")
    damaged = tmp_path / "registry.xlsx"
    damaged.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        load_registry(damaged)
    assert (exc.value.message_th, exc.value.message_en) == (
        "อ่านทะเบียน registry.xlsx ไม่ได้: ไม่ใช่ไฟล์ Excel ที่สมบูรณ์",
        "cannot read registry.xlsx: not a valid Excel workbook (File is not a zip file)")


def test_registry_xlsx_with_a_wrong_dimension_tag_loses_no_school(tmp_path):
    """A registry exported by a tool that writes <dimension ref="A1"/> is read in full (read-only openpyxl
    would otherwise see only A1): the registry shares the validator's .xlsx reader."""
    import re
    import zipfile

    sheet = get_sheet("school_registry")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet.title_th
    ws.append(sheet.headers_th())
    ws.append(sheet.keys())
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    for i in (1, 2):
        s = school(i)
        ws.append([{"school_code": s.code, "school_name": s.name, "contact_email": s.contact_email,
                    "network": s.network, "active": "ใช่"}.get(k) for k in sheet.keys()])
    wb.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[A-Z0-9:]+"\s*/>', b'<dimension ref="A1"/>', data)
                assert b'<dimension ref="A1"/>' in data
            dst.writestr(item, data)
    assert [s.code for s in load_registry(bad).schools] == [school(1).code, school(2).code]


def test_cli_provision_exits_1_when_registry_rows_are_rejected(tmp_path, capsys, monkeypatch):
    # A school whose registry row is rejected gets no sheet: that used to end with exit 0.
    from sync.commands.schools import main as schools_main

    registry = tmp_path / "registry.csv"
    registry.write_text("รหัสโรงเรียน,ชื่อโรงเรียน,เครือข่าย/สหวิทยาเขต,อีเมลติดต่อ\n"
                        "1048000001,โรงเรียนบ้านหนองบัว,เครือข่าย 1,school001@khet-demo.iam.gserviceaccount.com\n"
                        "1048000002,โรงเรียนบ้านโนนสูง,เครือข่าย 1,not-an-email\n", encoding="utf-8")
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nendpoint = "emulator"\n[paths]\ndata_dir = "{tmp_path / "data"}"\n'
                   f'registry = "{registry}"\n', encoding="utf-8")
    for var in ("KHET_CONFIG", "KHET_ENDPOINT", "KHET_KEY_FILE", "KHET_REGISTRY", "KHET_DRIVE_FOLDER_ID"):
        monkeypatch.delenv(var, raising=False)
    assert schools_main(["provision", "--config", str(cfg)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines()[-1] == "สรุป / summary: created 1, resumed 0, already 0, inactive 0, failed 0"
    assert out.err.splitlines() == [
        'ทะเบียน/registry ทะเบียนโรงเรียน D3: "อีเมลติดต่อ" ไม่ใช่อีเมลที่ใช้ได้: "not-an-email" / '
        '"อีเมลติดต่อ" is not a valid e-mail address: "not-an-email"',
        "ทะเบียนมีข้อผิดพลาด 1 รายการ (ด้านบน) โรงเรียนเหล่านั้นยังไม่ได้ชีตจนกว่าจะแก้ / "
        "1 registry error(s) above: those schools get no sheet until fixed"]
