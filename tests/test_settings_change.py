"""A settings change as a control-channel request (issue 16, settings kind): staff send the settings tabs of
their workbook; the job host validates them with the one settings reader (findings at their cells, Thai and
English), keeps the new settings file and every version, applies a change that arrives during a run from the
next run, and — when asked — pushes it into every school sheet."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pytest

from addin.settings import load_settings, pack_tabs, read_tabs, unpack_tabs
from sync.config import load_config
from sync.control.office import open_control_host, submit
from sync.control.store import RequestStore
from sync.history import History
from sync.lock import RunLock
from workbook import settings as W
from workbook.settings import DistrictSettings
from workbook.sheets import ACTION_PLAN
from workbook.templates import save_settings_file, save_staff_workbook

STAFF = "somchai.s@district.go.th"


def changed() -> DistrictSettings:
    """Mid-year: a strategy renamed and a district KPI added."""
    d = DistrictSettings.default()
    strategies = (W.Strategy(code="S1", name="ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"), *d.strategies[1:])
    return d.model_copy(update={"strategies": strategies, "kpis": (
        W.Kpi(code="K01", name="ร้อยละนักเรียนอ่านออกเขียนได้", unit="ร้อยละ", direction="มากกว่าหรือเท่ากับดีกว่า",
              target=90),)})


def tabs_of(settings: DistrictSettings, tmp: Path) -> dict[str, list[list]]:
    """The settings tabs as the staff workbook holds them (what the button reads and sends)."""
    grids, _ = read_tabs(save_staff_workbook(tmp / "staff.xlsx", settings))
    return grids


def host_config(tmp_path: Path, settings_file: Path | None) -> object:
    toml = tmp_path / "khet.toml"
    line = f'settings = "{settings_file.as_posix()}"\n' if settings_file else ""
    toml.write_text('[google]\nendpoint = "emulator"\n[paths]\ndata_dir = "data"\n'
                    f'history_db = "data/history.sqlite"\nreport_dir = "out"\n{line}', encoding="utf-8")
    return load_config(toml)


def test_pack_round_trip_and_damage_is_caught(tmp_path):
    grids = tabs_of(changed(), tmp_path)
    p = pack_tabs(grids)
    back = unpack_tabs(p["packed"], p["sha256"])
    assert back.keys() == grids.keys()
    with pytest.raises(ValueError, match="checksum"):
        unpack_tabs(p["packed"], "0" * 64)
    with pytest.raises(ValueError):
        unpack_tabs(p["packed"][:-8] + "AAAAAAAA", p["sha256"])


def test_a_good_change_is_kept_as_the_hosts_settings_with_its_versions(tmp_path):
    target = save_settings_file(tmp_path / "district-settings.xlsx")  # what IT configured: the defaults
    original = target.read_bytes()
    cfg = host_config(tmp_path, target)
    out = submit(cfg, "settings_change", {**pack_tabs(tabs_of(changed(), tmp_path)), "note": "กลยุทธ์ใหม่"},
                 account=STAFF)
    assert out["mode"] == "direct" and out["status"] == "done", out
    assert "รุ่นที่ 1" in out["message_th"] and "มีผลตั้งแต่รอบประมวลผลถัดไป" in out["message_th"]
    settings, findings = load_settings(target)
    assert [f for f in findings if f.severity == "error"] == []
    assert settings == changed()
    versions = sorted(p.name for p in (tmp_path / "data" / "settings-versions").iterdir())
    assert versions[0] == "v0000-original.xlsx" and versions[1].startswith("v0001-") and versions[1].endswith(
        "-somchai.s.xlsx")
    assert (tmp_path / "data" / "settings-versions" / "v0000-original.xlsx").read_bytes() == original
    # A second change is version 2; the history holds both requests with the staff account.
    again = changed().model_copy(update={"budget_sources": ("เงินงบประมาณ", "เงินบริจาค")})
    out2 = submit(cfg, "settings_change", pack_tabs(tabs_of(again, tmp_path)), account=STAFF)
    assert out2["status"] == "done" and out2["result"]["version"] == 2
    assert load_settings(target)[0].budget_sources == ("เงินงบประมาณ", "เงินบริจาค")
    with History(cfg.history_db) as h:
        reqs = RequestStore(h).requests()
    assert [(r["account"], r["kind"], r["outcome"]["status"]) for r in reqs] == [
        (STAFF, "settings_change", "done")] * 2


def test_a_bad_change_is_refused_at_its_cells_and_changes_nothing(tmp_path):
    target = save_settings_file(tmp_path / "district-settings.xlsx")
    before = target.read_bytes()
    cfg = host_config(tmp_path, target)
    grids = tabs_of(changed(), tmp_path)
    reports = grids[W.REPORTS_TAB.key]
    due = reports[1].index("due")
    reports[2][due] = "เมื่อไรก็ได้"  # an unreadable phrase
    kpis = grids[W.KPIS.key]
    kpis[2][kpis[1].index("direction")] = None  # a KPI without a direction
    out = submit(cfg, "settings_change", pack_tabs(grids), account=STAFF)
    assert out["status"] == "refused"
    letter = chr(ord("A") + due)
    assert f"{W.REPORTS_TAB.title_th}!{letter}3" in out["message_th"] and "ค่าตั้งเดิมยังใช้อยู่" in out["message_th"]
    assert "the current settings stay" in out["message_en"]
    cells = {(f["sheet"], f["cell"]) for f in out["result"]["findings"]}
    assert (W.REPORTS_TAB.title_th, f"{letter}3") in cells
    assert any(sheet == W.KPIS.title_th for sheet, _ in cells)
    assert all(f["message_th"] and f["message_en"] for f in out["result"]["findings"])
    assert target.read_bytes() == before
    assert not (tmp_path / "data" / "settings-versions").exists() or not any(
        (tmp_path / "data" / "settings-versions").glob("v0001-*"))


def test_a_change_during_a_run_applies_from_the_next_run(tmp_path):
    target = save_settings_file(tmp_path / "district-settings.xlsx")
    cfg = host_config(tmp_path, target)
    (tmp_path / "data").mkdir(exist_ok=True)
    lock = RunLock(Path(cfg.data_dir) / "sync.lock").acquire()  # a run is in progress
    try:
        out = submit(cfg, "settings_change", pack_tabs(tabs_of(changed(), tmp_path)), account=STAFF)
    finally:
        lock.release()
    assert out["status"] == "done"
    assert "ใช้ค่าตั้งเดิมจนจบรอบ" in out["message_th"] and "from the next run" in out["message_en"]
    assert load_settings(target)[0] == changed()  # the next run reads the new file


def test_without_a_settings_file_or_with_a_damaged_payload_the_request_is_refused(tmp_path):
    cfg = host_config(tmp_path, None)
    out = submit(cfg, "settings_change", pack_tabs(tabs_of(changed(), tmp_path)), account=STAFF)
    assert out["status"] == "refused" and "[paths] settings" in out["message_th"]
    target = save_settings_file(tmp_path / "district-settings.xlsx")
    cfg = host_config(tmp_path, target)
    p = pack_tabs(tabs_of(changed(), tmp_path))
    out = submit(cfg, "settings_change", {**p, "sha256": "f" * 64}, account=STAFF)
    assert out["status"] == "refused" and "เสียหาย" in out["message_th"]


def test_from_a_staff_pc_through_the_channel_and_into_every_school_sheet(emulator, tmp_path):
    """The staff member's request row → the host's poll validates, keeps the file, pushes the renamed strategy
    and the new KPI into the live school sheets (khet schools update), and answers on the row."""
    from sync.control import channel
    from sync.demo import generate_district, setup_district
    from sync.emulator.testing import connect_as
    from sync.gclient import AUTH, drive_url
    from workbook.control import REQUESTS, requests_title

    emulator.configure(user_quota=10**6, project_quota=10**6)
    dd = setup_district(emulator, tmp_path, generate_district(3, 1, seed=1))
    from sync.gclient import SCOPES_PROVISION, connect

    admin = connect(dd.key, SCOPES_PROVISION, endpoint=emulator.url)
    admin.http_client.request("post", drive_url(f"files/{dd.district_id}/permissions"),
                              params={"sendNotificationEmail": False},
                              json={"type": "user", "role": "writer", "emailAddress": STAFF})
    target = save_settings_file(tmp_path / "district-settings.xlsx")
    toml = tmp_path / "khet.toml"
    toml.write_text(
        f'[google]\nkey_file = "{Path(dd.key).as_posix()}"\nendpoint = "{emulator.url}"\n'
        f'district_spreadsheet_id = "{dd.district_id}"\n'
        f'[paths]\ndata_dir = "data"\nhistory_db = "data/history.sqlite"\nregistry = "registry.csv"\n'
        f'report_dir = "out"\nlog_dir = "data/logs"\nsettings = "{target.as_posix()}"\n'
        "[quota]\nreads_per_minute = 6000\nwrites_per_minute = 6000\n", encoding="utf-8")
    cfg = load_config(toml)
    staff = connect_as(emulator, STAFF, (AUTH + "spreadsheets",))
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.poll()  # the staff member's requests tab
        sent = submit(cfg, "settings_change", {**pack_tabs(tabs_of(changed(), tmp_path)), "update_schools": True},
                      client=staff, account=STAFF)
        assert sent["mode"] == "sent"
        res = host.poll()
    assert res.outcomes[sent["request_id"]] == "done"
    grid = channel.read_tabs(staff, dd.district_id, [channel.requests_range(requests_title(STAFF))])[0]
    row = dict(zip(REQUESTS.keys(), grid[0] + [""] * 11, strict=False))
    assert "ปรับชีตโรงเรียนแล้ว 3 แห่ง" in row["outcome_th"] and "school sheets updated 3" in row["outcome_en"]
    assert json.loads(row["result"])["schools"]["updated"] == 3
    assert load_settings(target)[0] == changed()
    # Every school sheet offers the renamed strategy and got the district's KPI rows.
    sid = dd.registry.active()[0].spreadsheet_id
    meta = admin.http_client.fetch_sheet_metadata(sid, params={
        "ranges": f"'{ACTION_PLAN.title_th}'!{ACTION_PLAN.letter('district_strategy')}3", "includeGridData": "true"})
    rule = meta["sheets"][0]["data"][0]["rowData"][0]["values"][0]["dataValidation"]
    assert rule["condition"]["values"][0]["userEnteredValue"] == "ยกระดับคุณภาพผู้เรียนสู่มาตรฐานสากล"
    with History(cfg.history_db) as h:
        versions = h.template_versions()
    assert len(versions) == 3 and {v["action"] for v in versions.values()} == {"update"}
    assert {v["school_code"] for v in versions.values()} == {s.code for s in dd.registry.active()}
