"""Sign-in and access like Google's: JWT verification, token expiry and refresh, scopes, sharing,
protection.
"""

import json

import pytest
import requests
from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError

from sync import gclient
from sync.emulator.testing import connect_as

SCHOOL = "school-1001@khet-schools.iam.gserviceaccount.com"


def test_token_endpoint_issues_tokens_for_registered_keys_only(emulator, sa_key, tmp_path):
    gc = gclient.connect(sa_key, gclient.SCOPES_READ, endpoint=emulator.url)
    assert gc.list_spreadsheet_files() == []
    info = json.loads(sa_key.read_text())
    assert info["token_uri"] == f"{emulator.url}/token" and info["type"] == "service_account"
    # a key the emulator never issued: same e-mail, different RSA key → invalid_grant
    other = emulator.service_account("someone@else.iam.gserviceaccount.com", tmp_path / "other.json")
    forged = json.loads(other.read_text())
    forged["client_email"] = info["client_email"]
    forged["private_key_id"] = "not-a-registered-key"
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    with pytest.raises(RefreshError) as e:
        gclient.connect(
            tmp_path / "forged.json", gclient.SCOPES_READ, endpoint=emulator.url
        ).list_spreadsheet_files()
    assert e.value.args[1] == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    unknown = dict(forged, client_email="ghost@nowhere.iam.gserviceaccount.com")
    (tmp_path / "ghost.json").write_text(json.dumps(unknown))
    with pytest.raises(RefreshError) as e:
        gclient.connect(
            tmp_path / "ghost.json", gclient.SCOPES_READ, endpoint=emulator.url
        ).list_spreadsheet_files()
    assert e.value.args[1]["error"] == "invalid_grant"
    r = requests.post(f"{emulator.url}/token", data={"grant_type": "password", "assertion": "x"}, timeout=5)
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_every_call_needs_a_valid_bearer_token(emulator, gc):
    sh = gc.create("x")
    for headers, reason, drive_reason in (
        ({}, "CREDENTIALS_MISSING", "required"),
        ({"Authorization": "Bearer ya29.made-up"}, "ACCESS_TOKEN_EXPIRED", "authError"),
    ):
        r = requests.get(f"{emulator.url}/v4/spreadsheets/{sh.id}", headers=headers, timeout=5)
        assert r.status_code == 401 and r.json()["error"]["status"] == "UNAUTHENTICATED"
        assert r.json()["error"]["details"][0]["reason"] == reason
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="https://accounts.google.com/"')
        r = requests.get(f"{emulator.url}/drive/v3/files", headers=headers, timeout=5)
        assert r.status_code == 401 and r.json()["error"]["errors"][0]["reason"] == drive_reason


def test_expired_token_is_refreshed_by_google_auth(emulator, gc):
    sh = gc.create("x")
    token_before = gc.http_client.auth.token
    emulator.advance(3601)  # the server's clock passes the expiry; the client still believes its token
    emulator.reset_counters()
    assert sh.sheet1.get_all_values() == [[]]  # gspread pads an empty sheet to one empty row
    c = emulator.counters()
    # sheet1 refetches metadata: 401, sign-in again, the same request again, then the values
    assert c["by_endpoint"] == {
        "GET sheets.spreadsheets.get": 2,
        "POST oauth2.token": 1,
        "GET sheets.values.get": 1,
    }
    assert c["by_status"] == {"401": 1, "200": 3}
    assert gc.http_client.auth.token != token_before


def test_short_token_ttl_makes_google_auth_refresh_early(emulator, sa_key):
    emulator.configure(token_ttl=60)  # google-auth refreshes tokens within 3m45s of expiry
    gc = gclient.connect(sa_key, gclient.SCOPES_READ, endpoint=emulator.url)
    gc.list_spreadsheet_files()
    gc.list_spreadsheet_files()
    assert emulator.counters()["by_endpoint"]["POST oauth2.token"] == 2


def test_scopes_limit_what_a_token_can_do(emulator, gc, sa_key):
    sh = gc.create("x")
    reader = gclient.connect(sa_key, gclient.SCOPES_READ, endpoint=emulator.url)
    assert reader.open_by_key(sh.id).sheet1.get_all_values() == [
        []
    ]  # gspread pads an empty sheet to one empty row
    with pytest.raises(APIError) as e:
        reader.open_by_key(sh.id).sheet1.update([["x"]], "A1")
    assert e.value.response.json()["error"]["message"] == "Request had insufficient authentication scopes."
    assert e.value.response.status_code == 403
    nightly = gclient.connect(sa_key, gclient.SCOPES_WRITE, endpoint=emulator.url)
    nightly.open_by_key(sh.id).sheet1.update([["ok"]], "A1")
    with pytest.raises(APIError) as e:
        nightly.copy(sh.id, copy_comments=False)
    assert e.value.response.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"


def test_files_are_visible_only_to_accounts_they_are_shared_with(emulator, gc):
    sh = gc.create("district only")
    school = connect_as(emulator, SCHOOL)
    assert school.list_spreadsheet_files() == []
    with pytest.raises(PermissionError):
        school.open_by_key(sh.id)
    with pytest.raises(APIError) as e:
        gclient.get_file(school, sh.id)
    assert e.value.response.status_code == 404  # Drive hides files you cannot see
    sh.share(SCHOOL, perm_type="user", role="reader", notify=False)
    assert [f["id"] for f in school.list_spreadsheet_files()] == [sh.id]
    mine = school.open_by_key(sh.id)
    with pytest.raises(APIError) as e:
        mine.sheet1.update([["x"]], "A1")
    assert e.value.response.json() == {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    with pytest.raises(APIError) as e:
        mine.share("friend@x.iam.gserviceaccount.com", perm_type="user", role="writer", notify=False)
    assert e.value.response.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"
    with pytest.raises(APIError) as e:
        school.del_spreadsheet(sh.id)
    assert e.value.response.status_code == 403


def test_protected_ranges_stop_schools_but_not_the_owner(emulator, gc):
    sh = gc.create("school sheet")
    sh.batch_update(
        {
            "requests": [
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 0},
                            "unprotectedRanges": [
                                {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 1, "endColumnIndex": 4}
                            ],
                        }
                    }
                }
            ]
        }
    )
    sh.sheet1.update([["หัวตาราง"]], "A1")
    sh.share(SCHOOL, perm_type="user", role="writer", notify=False)
    mine = connect_as(emulator, SCHOOL).open_by_key(sh.id)
    ws = mine.sheet1
    ws.update([["1", "2", "3"]], "B2")
    bold_header = {
        "repeatCell": {
            "range": {"sheetId": 0, "endRowIndex": 1},
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
            "fields": "userEnteredFormat.textFormat.bold",
        }
    }
    for attempt in (
        lambda: ws.update([["แก้หัว"]], "A1"),
        lambda: ws.update([["x", "y"]], "D5"),
        lambda: ws.batch_clear(["A1:B2"]),
        lambda: mine.batch_update({"requests": [bold_header]}),
    ):
        with pytest.raises(APIError) as e:
            attempt()
        assert e.value.response.json()["error"] == {
            "code": 400,
            "status": "INVALID_ARGUMENT",
            "message": "You are trying to edit a protected cell or object. Please contact the spreadsheet "
            "owner to remove protection if you need to edit.",
        }
    assert ws.get("A1:D2") == [["หัวตาราง"], ["", "1", "2", "3"]]


def test_only_the_owner_and_listed_editors_may_change_or_delete_a_protection(emulator, gc):
    """Why (issue 10): the emulator let a school writer delete its feedback tab's protection and overwrite it."""
    sh = gc.create("feedback")
    reply = sh.batch_update({"requests": [{"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0}}}}]})
    pid = reply["replies"][0]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    sh.share(SCHOOL, perm_type="user", role="writer", notify=False)
    mine = connect_as(emulator, SCHOOL).open_by_key(sh.id)
    for request in ({"deleteProtectedRange": {"protectedRangeId": pid}},
                    {"updateProtectedRange": {"protectedRange": {"protectedRangeId": pid, "warningOnly": True},
                                              "fields": "warningOnly"}}):
        with pytest.raises(APIError) as e:
            mine.batch_update({"requests": [request]})
        assert e.value.response.status_code == 400 and "protected" in e.value.response.json()["error"]["message"]
    with pytest.raises(APIError):
        mine.sheet1.update([["ปลอม"]], "A3")
    assert len(sh.list_protected_ranges(0)) == 1
    sh.batch_update({"requests": [{"deleteProtectedRange": {"protectedRangeId": pid}}]})  # the owner may
    assert sh.list_protected_ranges(0) == []
