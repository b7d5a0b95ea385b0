"""Drive API v3 through gspread and `sync.gclient` helpers: listing with q, paging, copy, sharing, changes."""

import pytest
from gspread.exceptions import APIError, SpreadsheetNotFound

from sync import gclient
from sync.emulator.drive import root_id
from sync.emulator.testing import connect_as
from sync.gclient import drive_url

SHEET = "application/vnd.google-apps.spreadsheet"
OWNER = "khet-sync@khet-district.iam.gserviceaccount.com"


def folder(gc, name, parent=None):
    body = {"name": name, "mimeType": "application/vnd.google-apps.folder"}
    if parent:
        body["parents"] = [parent]
    return gc.http_client.request("post", drive_url("files"), json=body).json()["id"]


def test_created_spreadsheets_appear_in_drive(gc):
    a = gc.create("โรงเรียน ก")
    meta = gclient.get_file(
        gc, a.id, "id,name,mimeType,parents,owners(emailAddress),trashed,createdTime,modifiedTime"
    )
    assert meta["id"] == a.id and meta["name"] == "โรงเรียน ก" and meta["mimeType"] == SHEET
    assert meta["parents"] == [root_id(OWNER)] and meta["owners"] == [{"emailAddress": OWNER}]
    assert meta["trashed"] is False
    assert len(meta["modifiedTime"]) == 24 and meta["modifiedTime"].endswith("Z")
    default = gc.http_client.request("get", drive_url(f"files/{a.id}")).json()
    assert default == {"kind": "drive#file", "id": a.id, "name": "โรงเรียน ก", "mimeType": SHEET}
    listed = gc.list_spreadsheet_files()
    assert [f["name"] for f in listed] == ["โรงเรียน ก"]
    assert set(listed[0]) == {"id", "name", "createdTime", "modifiedTime"}
    created = gc.http_client.request(
        "post", gclient.sheets_url("").rstrip("/"), json={"properties": {"title": "via Sheets"}}
    ).json()
    assert created["sheets"][0]["properties"]["title"] == "Sheet1"
    assert [f["name"] for f in gc.list_spreadsheet_files("via Sheets")] == ["via Sheets"]


def test_query_parents_mime_modified_trashed(gc, emulator):
    fid = folder(gc, "schools")
    other = folder(gc, "other")
    a, b = gc.create("A", folder_id=fid), gc.create("B", folder_id=fid)
    gc.create("C", folder_id=other)
    q = f"'{fid}' in parents and mimeType='{SHEET}' and trashed=false"
    assert [f["name"] for f in gclient.list_files(gc, q, "id,name", order_by="name")] == ["A", "B"]
    assert [f["name"] for f in gc.list_spreadsheet_files(folder_id=fid)] == ["A", "B"]
    mark = gclient.get_file(gc, b.id, "modifiedTime")["modifiedTime"]
    emulator.advance(5)
    a.sheet1.update([["changed"]], "A1")
    changed = list(gclient.list_files(gc, f"{q} and modifiedTime > '{mark}'", "id,name,modifiedTime"))
    assert [f["name"] for f in changed] == ["A"] and changed[0]["modifiedTime"] > mark
    gc.http_client.request("patch", drive_url(f"files/{b.id}"), json={"trashed": True})
    assert [f["name"] for f in gclient.list_files(gc, q, "name")] == ["A"]
    assert [f["name"] for f in gclient.list_files(gc, f"'{fid}' in parents and trashed = true", "name")] == [
        "B"
    ]
    names = {
        f["name"]
        for f in gclient.list_files(
            gc,
            "not mimeType = 'application/vnd.google-apps.folder' and (name = 'A' or name contains 'C')",
            "name",
        )
    }
    assert names == {"A", "C"}
    with pytest.raises(APIError) as e:
        list(gclient.list_files(gc, "sizeInParsecs > 3", "name"))
    assert e.value.response.json()["error"]["errors"][0] == {
        "message": "Invalid Value",
        "domain": "global",
        "reason": "invalid",
        "locationType": "parameter",
        "location": "q",
    }


def test_paging_1000_per_page(gc, emulator):
    fid = folder(gc, "many")
    owner = emulator.store.files[fid].owner
    with emulator.store.lock:  # 1,205 files made directly: the API path for each is tested elsewhere
        from sync.emulator.sheets import create_spreadsheet_file

        for i in range(1205):
            emulator.store.add_file(create_spreadsheet_file(emulator.store, owner, f"s{i:04d}", [fid]))
    emulator.reset_counters()
    files = list(gclient.list_files(gc, f"'{fid}' in parents", "id,name"))
    assert len(files) == 1205 and len({f["id"] for f in files}) == 1205
    assert [f["name"] for f in files[:2]] == ["s0000", "s0001"] and files[-1]["name"] == "s1204"
    assert emulator.counters()["by_endpoint"] == {"GET drive.files.list": 2}
    page = gc.http_client.request(
        "get",
        drive_url("files"),
        params={"q": f"'{fid}' in parents", "pageSize": 2, "fields": "nextPageToken,files(name)"},
    ).json()
    assert page["files"] == [{"name": "s0000"}, {"name": "s0001"}] and page["nextPageToken"]
    with pytest.raises(APIError) as e:
        gc.http_client.request("get", drive_url("files"), params={"pageSize": 1001})
    assert e.value.response.status_code == 400


def test_copy_copies_the_whole_spreadsheet(gc):
    src = gc.create("แม่แบบ / template")
    src.sheet1.update([["ชื่อ", "=1+1"]], "A1", value_input_option="USER_ENTERED")
    src.add_worksheet("ข้อมูล", 10, 3).update([["x"]], "A1")
    src.batch_update(
        {
            "requests": [
                {
                    "addProtectedRange": {
                        "protectedRange": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}}
                    }
                },
                {
                    "setDataValidation": {
                        "range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2},
                        "rule": {
                            "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "0"}]},
                            "strict": True,
                        },
                    }
                },
            ]
        }
    )
    copy = gc.copy(src.id, title="โรงเรียน 1001", copy_comments=True)
    assert copy.id != src.id and copy.title == "โรงเรียน 1001"
    assert [w.title for w in copy.worksheets()] == ["Sheet1", "ข้อมูล"]
    assert [w.id for w in copy.worksheets()] == [w.id for w in src.worksheets()]
    assert copy.sheet1.get("A1:B1", value_render_option="FORMULA") == [["ชื่อ", "=1+1"]]
    assert copy.worksheet("ข้อมูล").acell("A1").value == "x"
    assert copy.list_protected_ranges(0)[0]["range"] == {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}
    grid = gc.http_client.fetch_sheet_metadata(copy.id, {"includeGridData": "true", "ranges": "Sheet1!A2"})
    assert (
        grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]["dataValidation"]["condition"]["type"]
        == "NUMBER_GREATER"
    )
    src.sheet1.update([["changed"]], "A1")
    assert copy.sheet1.acell("A1").value == "ชื่อ"


def test_share_list_and_remove_permissions(gc, emulator):
    sh = gc.create("school 1001")
    school = "school-1001@khet-schools.iam.gserviceaccount.com"
    res = sh.share(school, perm_type="user", role="writer", notify=False).json()
    assert res == {"kind": "drive#permission", "id": res["id"], "type": "user", "role": "writer"}
    perms = sh.list_permissions()
    assert [(p["emailAddress"], p["role"]) for p in perms] == [(OWNER, "owner"), (school, "writer")]
    as_school = connect_as(emulator, school)
    as_school.open_by_key(sh.id).sheet1.update([["จากโรงเรียน"]], "B2")
    assert sh.sheet1.acell("B2").value == "จากโรงเรียน"
    sh.remove_permissions(school)
    assert [p["role"] for p in sh.list_permissions()] == ["owner"]
    with pytest.raises(PermissionError) as e:
        as_school.open_by_key(sh.id)
    assert e.value.__cause__.response.json()["error"] == {
        "code": 403,
        "status": "PERMISSION_DENIED",
        "message": "The caller does not have permission",
    }
    owner_perm = sh.list_permissions()[0]["id"]
    with pytest.raises(APIError) as e:
        gc.remove_permission(sh.id, owner_perm)
    assert e.value.response.json()["error"]["errors"][0]["reason"] == "cannotRemoveOwner"
    # An unknown permission id is Drive's 404 for reading and for removing alike.
    for method in ("get", "delete"):
        with pytest.raises(APIError) as e:
            gc.http_client.request(method, drive_url(f"files/{sh.id}/permissions/nope"))
        err = e.value.response.json()["error"]
        assert (err["code"], err["message"], err["errors"][0]["reason"]) == (
            404, "Permission not found: nope.", "notFound")


def test_changes_feed(gc, emulator):
    start = gclient.start_page_token(gc)
    a, b = gc.create("A"), gc.create("B")
    a.sheet1.update([["1"]], "A1")
    a.sheet1.update([["2"]], "A1")
    changes, nxt = gclient.list_changes(gc, start)
    assert [(c["file"]["name"], c["removed"]) for c in changes] == [("B", False), ("A", False)]
    assert int(nxt) > int(start)
    assert gclient.list_changes(gc, nxt) == ([], nxt)
    gc.del_spreadsheet(b.id)
    changes, nxt2 = gclient.list_changes(gc, nxt)
    assert [(c["fileId"], c["removed"]) for c in changes] == [(b.id, True)]
    page = gc.http_client.request(
        "get", drive_url("changes"), params={"pageToken": start, "pageSize": 1}
    ).json()
    assert len(page["changes"]) == 1 and "nextPageToken" in page and "newStartPageToken" not in page


def test_modified_time_moves_on_every_content_change(gc, emulator):
    sh = gc.create("t")
    times = [gclient.get_file(gc, sh.id, "modifiedTime")["modifiedTime"]]
    for action in (
        lambda: sh.sheet1.update([["x"]], "A1"),
        lambda: sh.values_append("A1", {"valueInputOption": "RAW"}, {"values": [["y"]]}),
        lambda: sh.values_clear("A1"),
        lambda: sh.add_worksheet("w", 2, 2),
        lambda: sh.update_title("t2"),
    ):
        action()
        times.append(gclient.get_file(gc, sh.id, "modifiedTime")["modifiedTime"])
    assert times == sorted(times) and len(set(times)) == len(times)
    before = times[-1]
    sh.share("r@x.iam.gserviceaccount.com", perm_type="user", role="reader", notify=False)
    sh.sheet1.get_all_values()
    assert gclient.get_file(gc, sh.id, "modifiedTime")["modifiedTime"] == before


def test_delete_and_not_found(gc):
    sh = gc.create("gone")
    gc.del_spreadsheet(sh.id)
    with pytest.raises(APIError) as e:
        gclient.get_file(gc, sh.id)
    assert e.value.response.json() == {
        "error": {
            "code": 404,
            "message": f"File not found: {sh.id}.",
            "errors": [
                {
                    "message": f"File not found: {sh.id}.",
                    "domain": "global",
                    "reason": "notFound",
                    "locationType": "parameter",
                    "location": "fileId",
                }
            ],
        }
    }
    with pytest.raises(SpreadsheetNotFound) as e:
        gc.open_by_key(sh.id)
    assert e.value.__cause__.response.json() == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }


def test_rename_move_and_trash(gc, emulator):
    sh = gc.create("old name")
    a, b = folder(gc, "a"), folder(gc, "b")
    url = drive_url(f"files/{sh.id}")
    res = gc.http_client.request(
        "patch",
        url,
        params={"addParents": a, "removeParents": root_id(OWNER), "fields": "name,parents"},
        json={"name": "ชื่อใหม่"},
    ).json()
    assert res == {"name": "ชื่อใหม่", "parents": [a]}
    assert gc.open_by_key(sh.id).title == "ชื่อใหม่"
    gc.http_client.request("patch", url, params={"addParents": b, "removeParents": a}, json={})
    assert [f["name"] for f in gclient.list_files(gc, f"'{b}' in parents", "name")] == ["ชื่อใหม่"]
    sh.share(
        SCHOOL := "s@khet-schools.iam.gserviceaccount.com", perm_type="user", role="writer", notify=False
    )
    school = connect_as(emulator, SCHOOL)
    with pytest.raises(APIError) as e:
        school.http_client.request("patch", url, json={"trashed": True})
    assert e.value.response.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"
    with pytest.raises(APIError) as e:
        gc.http_client.request("patch", url, params={"addParents": "no-such-folder"}, json={"trashed": True})
    assert e.value.response.status_code == 404
    assert gclient.get_file(gc, sh.id, "trashed,parents") == {"trashed": False, "parents": [b]}
