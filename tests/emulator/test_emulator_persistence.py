"""Lifecycle: state in an SQLite file survives a restart (files, values, sharing, protection, keys, changes
feed); memory mode writes nothing; stopping hangs up on every client."""

import json
import sqlite3

import pytest
import requests
from gspread.utils import ValueRenderOption

from sync import gclient
from sync.emulator import Emulator


def test_state_survives_restart(tmp_path):
    db = tmp_path / "google.sqlite"
    with Emulator(db=db, seed=3) as emu:
        key = emu.service_account(path=tmp_path / "key.json")
        gc = gclient.connect(key, gclient.SCOPES_PROVISION, endpoint=emu.url)
        token = gclient.start_page_token(gc)
        sh = gc.create("ถาวร / kept")
        sh.sheet1.update([["ชื่อ", "2025-10-01", "=A1"]], "A1", value_input_option="USER_ENTERED")
        sh.add_worksheet("second", 5, 5)
        sh.batch_update({"requests": [{"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0}}}}]})
        sh.share("school@khet-schools.iam.gserviceaccount.com", perm_type="user", role="writer", notify=False)
        modified = gclient.get_file(gc, sh.id, "modifiedTime")["modifiedTime"]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM files").fetchone() == (1,)
        assert con.execute("SELECT COUNT(*) FROM sheets").fetchone() == (2,)
    with Emulator(db=db, seed=3) as emu:
        info = json.loads(key.read_text())
        info["token_uri"] = emu.token_uri  # new port; the same private key must still be accepted
        key.write_text(json.dumps(info))
        gc = gclient.connect(key, gclient.SCOPES_PROVISION, endpoint=emu.url)
        again = gc.open_by_key(sh.id)
        assert again.title == "ถาวร / kept"
        assert [w.title for w in again.worksheets()] == ["Sheet1", "second"]
        assert again.sheet1.get("A1:C1", value_render_option=ValueRenderOption.formula) == [
            ["ชื่อ", 45931, "=A1"]
        ]
        assert again.sheet1.get("B1") == [["2025-10-01"]]
        assert [p["role"] for p in again.list_permissions()] == ["owner", "writer"]
        assert again.list_protected_ranges(0)[0]["protectedRangeId"] == 1
        assert gclient.get_file(gc, sh.id, "modifiedTime")["modifiedTime"] == modified
        changes, _ = gclient.list_changes(gc, token)
        assert [c["fileId"] for c in changes] == [sh.id]
        second = gc.create("after restart")
        assert second.id not in (sh.id,)
        assert [f["name"] for f in gc.list_spreadsheet_files()] == ["ถาวร / kept", "after restart"]


def test_memory_mode_writes_nothing(tmp_path):
    with Emulator(key_dir=tmp_path) as emu:
        emu.service_account()
        assert emu.store.db is None
    assert [p.name for p in tmp_path.iterdir()] == ["khet-sync.json"]


def test_stop_hangs_up_on_keep_alive_clients():
    emu = Emulator().start()
    gc = gclient.connect(emu.service_account(), gclient.SCOPES_READ, endpoint=emu.url, timeout=5)
    assert gc.list_spreadsheet_files() == []  # leaves a pooled keep-alive connection open
    emu.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        gc.list_spreadsheet_files()
