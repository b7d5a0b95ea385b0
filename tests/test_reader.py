"""The nightly read on the emulator: one request per changed school, incremental discovery, pacing, and every
way a school can fail (each reported, the night goes on, last good data kept)."""

import json
import math
import time
from decimal import Decimal

import gspread
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gspread.exceptions import APIError
from test_provision import FAST, SA, District, fast_client, make_district, school

from sync.commands.schools import main as schools_main
from sync.emulator.testing import connect_as
from sync.gclient import SCOPES_READ, connect, drive_url
from sync.google_template import create_template
from sync.http import Pacing, RetryPolicy, paced_client
from sync.provision import provision
from sync.reader import JsonReadState, MemoryReadState, read_all, read_school
from sync.registry import Registry, School, load_registry, write_csv_registry
from workbook.schema import DIRECTIONS
from workbook.sheets import get_sheet

PLAN = get_sheet("action_plan")
KPI = get_sheet("kpi")


def plan_row(code="P01", total=15000, **over):
    values = {"project_code": code, "project_name": "พัฒนาการอ่านออกเขียนได้", "obec_policy": "ด้านคุณภาพ",
              "district_strategy": "กลยุทธ์ที่ 1", "budget_source": "เงินอุดหนุนรายหัว", "budget_operating": total,
              "budget_total": total, "responsible": "ครูสมศรี", "start_date": "1 ต.ค. 2568",
              "end_date": "30 ก.ย. 2569", "indicator": "ร้อยละนักเรียนอ่านออก", "unit": "ร้อยละ",
              "direction": DIRECTIONS[0], "target": 80, **over}
    return [values.get(k, "") for k in PLAN.keys()]


class Night:
    """A provisioned district, its read-only nightly client and the schools' own clients."""

    def __init__(self, d: District, n: int):
        self.d, self.emu = d, d.emu
        provision(d.gc, d.registry(), template_id=d.template, folder_id=d.folder)
        self.reg = d.registry()
        assert len(self.reg.schools) == n and all(s.spreadsheet_id for s in self.reg.schools)
        self.reader = fast_client(d.emu, d.key, SCOPES_READ)
        self.state = MemoryReadState()
        self._as = {}

    def as_school(self, i: int) -> gspread.Spreadsheet:
        s = self.reg.schools[i]
        if i not in self._as:
            self._as[i] = connect_as(self.emu, s.contact_email)
        return self._as[i].open_by_key(s.spreadsheet_id)

    def type_rows(self, i: int, sheet, rows, start=3):
        self.as_school(i).worksheet(sheet.title_th).update(rows, f"A{start}", raw=True)

    def read(self, **kw):
        self.emu.reset_counters()
        result = read_all(self.reader, self.reg, self.state, folder_id=self.d.folder, **kw)
        self.state.commit(result)
        return result, self.emu.counters()

    def outcomes(self, result):
        return [(o.outcome, o.reason) for o in result.schools]


@pytest.fixture
def night(emulator, tmp_path):
    return Night(make_district(emulator, tmp_path, [school(i) for i in range(1, 5)]), 4)


def test_one_request_per_changed_school_then_nothing(night):
    night.type_rows(1, PLAN, [plan_row("P01"), plan_row("P02", 2500.5)])
    result, c = night.read()
    assert night.outcomes(result) == [("read", None)] * 4
    assert c["by_endpoint"] == {"POST oauth2.token": 1, "GET drive.files.list": 1, "GET sheets.values.batchGet": 4}
    rows = result.schools[1].read.results["action_plan"].rows
    assert list(rows["project_code"]) == ["P01", "P02"]
    assert list(rows["budget_total"]) == [Decimal("15000.00"), Decimal("2500.50")]
    assert list(rows["_row"]) == [3, 4]
    assert result.schools[1].tabs["action_plan"][0] == PLAN.headers_th()

    night.type_rows(2, KPI, [["6 เดือน", "K1", "ร้อยละการอ่าน", "ร้อยละ", DIRECTIONS[0], 80, 85, 4]])
    result, c = night.read()
    assert night.outcomes(result) == [("unchanged", None), ("unchanged", None), ("read", None), ("unchanged", None)]
    # the whole folder is listed every night (all four and the template, one request), only the changed is read
    assert result.listed == 5
    assert c["by_endpoint"] == {"GET drive.files.list": 1, "GET sheets.values.batchGet": 1}
    assert c["by_file"] == {night.reg.schools[2].spreadsheet_id: 1}
    assert list(result.schools[2].read.results["kpi"].rows["result"]) == [85]

    result, c = night.read()
    assert c["total"] == 1 and c["by_endpoint"] == {"GET drive.files.list": 1}
    assert result.counts() == {"read": 0, "unchanged": 4, "failed": 0, "not_provisioned": 0}


def test_old_changes_are_not_read_again(night):
    night.read()
    night.state.success_time = night.state.success_time.replace(year=night.state.success_time.year + 1)
    result, c = night.read()
    assert result.listed == 5 and c["total"] == 1 and result.counts()["unchanged"] == 4


def test_renamed_tab_is_found_by_its_key_row_and_used(night):
    night.type_rows(0, PLAN, [plan_row("P07")])
    sh = night.as_school(0)
    sh.worksheet(PLAN.title_th).update_title("แผนของเรา")
    read = read_school(night.reader, night.reg.schools[0].spreadsheet_id)
    assert read.requests == 3  # batchGet refused, tab titles, batchGet of what is there
    assert [(p.reason, p.sheet_key) for p in read.problems] == [("tab_renamed", "action_plan")]
    assert "'แผนปฏิบัติการ' → 'แผนของเรา'" in read.problems[0].message_th
    assert read.titles["action_plan"] == "แผนของเรา"
    assert list(read.results["action_plan"].rows["project_code"]) == ["P07"]
    assert set(read.tabs) == {"school_profile", "action_plan", "progress", "kpi", "requests", "submission"}


def test_deleted_tab_keeps_its_last_good_data(night):
    night.type_rows(3, KPI, [["6 เดือน", "K1", "ร้อยละการอ่าน", "ร้อยละ", DIRECTIONS[0], 80, 85, 4]])
    night.read()
    sh = night.as_school(3)
    night.d.gc.open_by_key(sh.id).del_worksheet(sh.worksheet(KPI.title_th))  # the owner can; schools cannot
    night.type_rows(3, PLAN, [plan_row()])
    result, c = night.read()
    o = result.schools[3]
    assert (o.outcome, o.reason) == ("read", "tab_missing")
    assert "kpi" not in o.tabs and o.tabs["action_plan"][2][0] == "P01"
    assert o.last_good["kpi"][2][:2] == ["6 เดือน", "K1"]
    assert "ประเมินตนเอง KPI" in o.message_th and "tab renamed or deleted" in o.message_en
    assert c["by_file"][sh.id] == 3


def test_moved_columns_read_fine_removed_columns_keep_last_good(night):
    owner = night.d.gc.open_by_key(night.reg.schools[0].spreadsheet_id).worksheet(PLAN.title_th)
    header, keys, row = PLAN.headers_th(), PLAN.keys(), plan_row("P09")
    order = list(reversed(range(len(keys))))  # every column moved
    owner.update([[header[j] for j in order], [keys[j] for j in order], [row[j] for j in order]], "A1", raw=True)
    result, _ = night.read()
    o = result.schools[0]
    assert (o.outcome, o.reason) == ("read", None)
    assert list(o.read.results["action_plan"].rows["project_code"]) == ["P09"]

    # a header renamed to an accepted alias, with the hidden key row wiped: still read by name
    renamed = [("ตัวชี้วัดความสำเร็จ" if k == "indicator" else h) for h, k in zip(header, keys, strict=True)]
    owner.update([renamed, [""] * len(keys), row], "A1", raw=True)
    result, _ = night.read()
    o = result.schools[0]
    assert (o.outcome, o.reason) == ("read", None)
    assert list(o.read.results["action_plan"].rows["indicator"]) == ["ร้อยละนักเรียนอ่านออก"]

    # then the school deletes the "project name" column (header, key and data shift left)
    cut = keys.index("project_name")
    owner.update([[h for j, h in enumerate(header) if j != cut] + [""], [k for j, k in enumerate(keys) if j != cut]
                  + [""], [v for j, v in enumerate(row) if j != cut] + [""]], "A1", raw=True)
    result, _ = night.read()
    o = result.schools[0]
    assert (o.outcome, o.reason) == ("read", "columns_changed")  # the other tabs are fresh
    assert "action_plan" not in o.tabs and "kpi" in o.tabs
    assert "ชื่อโครงการ" in o.message_th and "required columns are gone" in o.message_en
    assert o.last_good["action_plan"][2][keys.index("project_code")] == "P09"


def test_narrowed_grid_is_read_in_the_one_request(night):
    """Each tab is asked for by its title (its whole used area): a grid narrower than the template's is not a
    range error (a fixed A:Z once was, and cost two more requests)."""
    night.type_rows(2, PLAN, [plan_row("P03")])
    sid = night.reg.schools[2].spreadsheet_id
    ws = night.d.gc.open_by_key(sid).worksheet(get_sheet("requests").title_th)
    ws.resize(cols=12)
    read = read_school(night.reader, sid)
    assert read.requests == 1 and read.problems == []
    assert read.tabs["requests"][0] == get_sheet("requests").headers_th()[:12]
    assert read.tabs["action_plan"][2][0] == "P03"


def test_revoked_sharing_is_reported_and_last_good_kept(emulator, tmp_path):
    d = make_district(emulator, tmp_path, [])
    # A school that made its own sheet (owned by the school) and shared it with the district.
    own = connect_as(emulator, "clerk@school.example")
    sid = create_template(own, None, name="1020080077 โรงเรียนของเรา")
    own.insert_permission(sid, SA, perm_type="user", role="writer", notify=False)
    reg = load_registry(_write(tmp_path, [School("1020080077", "โรงเรียนของเรา", "clerk@school.example",
                                                 spreadsheet_id=sid)]))
    reader, state = fast_client(emulator, d.key, SCOPES_READ), MemoryReadState()
    first = read_all(reader, reg, state, folder_id=None)
    state.commit(first)
    assert first.counts()["read"] == 1
    perm = next(p for p in own.list_permissions(sid) if p["emailAddress"] == SA)
    own.remove_permission(sid, perm["id"])
    result = read_all(reader, reg, state, folder_id=None, full=True)
    o = result.schools[0]
    # The list no longer shows it and files.get answers 404: Drive cannot tell unshared from deleted.
    assert (o.outcome, o.reason) == ("failed", "not_visible")
    assert "แชร์" in o.message_th and "no longer shared" in o.message_en
    assert o.last_good["action_plan"][0] == PLAN.headers_th()


def _write(tmp_path, schools):
    return write_csv_registry(tmp_path / "own.csv", schools)


def test_trashed_and_deleted_sheets(night):
    night.read()
    a, b = night.reg.schools[0].spreadsheet_id, night.reg.schools[1].spreadsheet_id
    night.d.gc.http_client.request("patch", f"https://www.googleapis.com/drive/v3/files/{a}", json={"trashed": True})
    night.d.gc.del_spreadsheet(b)
    result, c = night.read(full=True)
    # Trashed: seen in the listing, not read. Deleted: missing from the listing, one files.get (404), not read.
    assert night.outcomes(result)[:2] == [("failed", "deleted"), ("failed", "not_visible")]
    assert a not in c["by_file"]
    assert c["by_file"][b] == 1 and c["by_endpoint"]["GET drive.files.get"] == 1
    assert c["by_endpoint"]["GET sheets.values.batchGet"] == 2
    assert "ถังขยะ" in result.schools[0].message_th


@pytest.mark.parametrize("fault,reason", [
    ({"error_500": 1.0}, "server"),
    ({"error_503": 1.0}, "server"),
    ({"error_429": 1.0}, "quota"),
    ({"stall_probability": 1.0, "stall_seconds": 1.5}, "timeout"),
    ({"drop_probability": 1.0}, "connection"),
])
def test_each_fault_class_fails_one_school_only(night, fault, reason):
    night.read()
    night.reader = connect(night.d.key, SCOPES_READ, endpoint=night.emu.url, timeout=0.5,
                           http_client=_paced(RetryPolicy(max_tries=2, base_delay=0.01, max_delay=0.02,
                                                          timeout=0.5)))
    for i in range(4):
        night.type_rows(i, PLAN, [plan_row(f"N{i}")])
    bad = night.reg.schools[1].spreadsheet_id
    night.emu.configure(file_faults={bad: fault})
    result, c = night.read()
    assert night.outcomes(result) == [("read", None), ("failed", reason), ("read", None), ("read", None)]
    if "stall_seconds" in fault:
        time.sleep(fault["stall_seconds"] + 0.3)  # the emulator counts a stalled request when it ends
        c = night.emu.counters()
    assert c["by_file"][bad] == 2  # bounded: max_tries, then on to the next school
    assert result.schools[1].last_good["action_plan"][0] == PLAN.headers_th()
    # next night the failed school is read again although Drive lists nothing new for it
    night.emu.configure(file_faults={bad: None})
    result, c = night.read()
    assert night.outcomes(result)[1] == ("read", None) and c["by_file"] == {bad: 1}
    assert result.schools[1].tabs["action_plan"][2][0] == "N1"


def _paced(retry):
    return paced_client(Pacing(1000, 1000), retry, seed=3)


def test_refused_key_fails_every_school_without_a_storm(night, tmp_path):
    night.read()
    key = json.loads(night.d.key.read_text())
    key["private_key_id"] = "unknown"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key["private_key"] = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()).decode()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(key))
    night.reader = fast_client(night.emu, forged, SCOPES_READ)
    result, c = night.read(full=True)
    assert night.outcomes(result) == [("failed", "auth")] * 4
    assert c["by_endpoint"] == {"POST oauth2.token": 1}
    assert "กุญแจ" in result.schools[0].message_th
    assert result.schools[0].last_good["action_plan"][0] == PLAN.headers_th()


def test_pacing_keeps_under_the_quota_where_plain_gspread_meets_429s(emulator, tmp_path):
    d = make_district(emulator, tmp_path, [])
    # Plain copies are enough here (pacing does not care about protections): 12 schools, cheaply.
    schools = [School(f"10200801{i:02d}", f"โรงเรียน {i}", f"s{i}@obec.example", spreadsheet_id=d.gc.http_client.request(
        "post", drive_url(f"files/{d.template}/copy"), json={"name": f"s{i}", "parents": [d.folder]}).json()["id"])
        for i in range(12)]
    reg, state = Registry(schools), MemoryReadState()
    emulator.configure(user_quota=5, minute_seconds=0.5)
    reader = connect(d.key, SCOPES_READ, endpoint=emulator.url, timeout=5, http_client=_paced_quota(5, 0.5))
    emulator.reset_counters()
    t0 = time.monotonic()
    result = read_all(reader, reg, state, folder_id=d.folder)
    elapsed = time.monotonic() - t0
    c = emulator.counters()
    assert result.counts()["read"] == 12
    assert c["rate_limited"] == 0 and c["by_endpoint"]["GET sheets.values.batchGet"] == 12
    assert elapsed >= 1.0  # 12 reads at 5 per half second need at least two more windows
    assert reader.http_client.stats.retries == 0  # paced, never refused: nothing to retry

    emulator.reset_counters()
    plain = connect(d.key, SCOPES_READ, endpoint=emulator.url, timeout=5)
    refused = 0
    t0 = time.monotonic()
    for s in schools * 3:  # 36 reads as fast as gspread sends them
        try:
            plain.http_client.values_batch_get(s.spreadsheet_id, [PLAN.a1_range()])
        except APIError as e:
            refused += e.response.status_code == 429
    # The burst touches at most this many half-second windows, each admitting 5 (usually 2 windows: 26 refused).
    windows = math.floor((time.monotonic() - t0) / 0.5) + 2
    assert refused >= 36 - 5 * windows and emulator.counters()["rate_limited"] == refused


def _paced_quota(per_window, window):
    return paced_client(Pacing(per_window, per_window, minute_seconds=window), FAST, seed=1)


def test_read_scopes_cannot_write(night):
    sid = night.reg.schools[0].spreadsheet_id
    with pytest.raises(APIError) as e:
        night.reader.open_by_key(sid).sheet1.update([["x"]], "A3")
    assert e.value.response.status_code == 403
    assert "insufficient authentication scopes" in e.value.error["message"]


def test_unprovisioned_school_and_state_file_round_trip(night, tmp_path):
    night.reg.schools.append(School("1020089999", "โรงเรียนใหม่", "new@school.example"))
    state = JsonReadState(tmp_path / "state" / "read.json")
    result = read_all(night.reader, night.reg, state, folder_id=night.d.folder)
    assert result.schools[-1].outcome == "not_provisioned"
    assert "provision" in result.schools[-1].message_en
    state.commit(result)
    again = JsonReadState(tmp_path / "state" / "read.json")
    assert again.last_success_time() == result.started_at.replace(
        microsecond=result.started_at.microsecond // 1000 * 1000)
    assert again.last_modified_all() == {o.school.code: o.drive_modified for o in result.schools[:4]}
    assert again.last_good(night.reg.schools[0].code)["action_plan"][1] == PLAN.keys()
    assert again.failed_codes() == set()


def test_cli_provision_and_read_against_a_running_emulator(emulator, tmp_path, capsys, monkeypatch):
    d = make_district(emulator, tmp_path, [school(1), school(2)])
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nkey_file = "{d.key}"\nendpoint = "{emulator.url}"\ndrive_folder_id = "{d.folder}"\n'
                   f'template_spreadsheet_id = "{d.template}"\n[paths]\nregistry = "{d.registry_path}"\n'
                   f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    for var in ("KHET_CONFIG", "KHET_ENDPOINT", "KHET_KEY_FILE", "KHET_TEMPLATE_SPREADSHEET_ID"):
        monkeypatch.delenv(var, raising=False)
    no_template = tmp_path / "no_template.toml"
    no_template.write_text(cfg.read_text(encoding="utf-8").replace(f'template_spreadsheet_id = "{d.template}"\n',
                                                                   ""), encoding="utf-8")
    assert schools_main(["template", "--config", str(no_template)]) == 0
    out = capsys.readouterr().out
    assert f"template: {d.template} (มีอยู่แล้ว / existing)" in out and "template_spreadsheet_id" in out
    assert schools_main(["provision", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "created 2" in out and "1020080001 โรงเรียนบ้านหนอง 1: created" in out
    assert schools_main(["provision", "--config", str(cfg)]) == 0
    assert "created 0, resumed 0, already 2" in capsys.readouterr().out
    report = tmp_path / "read.json"
    assert schools_main(["read", "--config", str(cfg), "--json", str(report)]) == 0
    assert "read 2, unchanged 0, failed 0" in capsys.readouterr().out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [s["outcome"] for s in data["schools"]] == ["read", "read"] and data["http"]["failures"] == 0
    assert schools_main(["read", "--config", str(cfg)]) == 0
    assert "read 0, unchanged 2" in capsys.readouterr().out
    assert (tmp_path / "data" / "read_state.json").is_file()
    # a key Google refuses: a clear answer, exit 2, no traceback and nothing secret
    info = json.loads(d.key.read_text())
    info["client_email"] = "revoked@khet-district.iam.gserviceaccount.com"
    revoked = tmp_path / "revoked.json"
    revoked.write_text(json.dumps(info))
    bad = tmp_path / "bad.toml"
    bad.write_text(no_template.read_text(encoding="utf-8").replace(str(d.key), str(revoked)), encoding="utf-8")
    assert schools_main(["template", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "ปฏิเสธกุญแจ" in err and "refused the service-account key" in err and "PRIVATE" not in err


def test_cli_embedded_emulator_keeps_its_state_between_commands(tmp_path, capsys, monkeypatch):
    for var in ("KHET_CONFIG", "KHET_ENDPOINT", "KHET_KEY_FILE", "KHET_TEMPLATE_SPREADSHEET_ID",
                "KHET_DRIVE_FOLDER_ID", "KHET_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nendpoint = "emulator"\n[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    assert schools_main(["template", "--config", str(cfg)]) == 0
    first = capsys.readouterr().out
    assert "(สร้างใหม่ / created)" in first
    assert schools_main(["template", "--config", str(cfg)]) == 0
    second = capsys.readouterr().out
    assert "(มีอยู่แล้ว / existing)" in second
    assert first.split()[3] == second.split()[3]  # the same spreadsheet ID: state kept in data_dir
    assert (tmp_path / "data" / "emulator.sqlite").is_file()
