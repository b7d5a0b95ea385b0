"""The control channel on the emulator over HTTP: staff requests as rows of their own protected tab in the
district sheet, the host's poll (one read), idempotent handling, refusals at their row in Thai and English,
the real nightly job for "process now" and real provisioning for "provision"."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import gspread
import pytest

from sync.config import load_config
from sync.control import channel
from sync.control.kinds import STATUS_TH
from sync.control.office import open_control_host, submit
from sync.demo import generate_district, setup_district
from sync.emulator.testing import connect_as
from sync.gclient import AUTH, drive_url
from sync.history import History
from sync.registry import load_registry
from workbook.control import HOST_STATUS, REQUESTS, requests_title

STAFF_A, STAFF_B = "somchai.s@district.go.th", "malee.k@district.go.th"
SHEETS_ONLY = (AUTH + "spreadsheets",)


@pytest.fixture
def office(emulator, tmp_path):
    """A district of 3 schools on the emulator, its district sheet shared with two staff and (by mistake) with
    one school's account as editor; the host's khet.toml."""
    emulator.configure(user_quota=10**6, project_quota=10**6)
    dd = setup_district(emulator, tmp_path, generate_district(3, 1, seed=1))
    school = dd.schools[0].email
    admin = gspread_admin(emulator, dd.key)
    for who in (STAFF_A, STAFF_B, school):
        admin.http_client.request("post", drive_url(f"files/{dd.district_id}/permissions"),
                                  params={"sendNotificationEmail": False},
                                  json={"type": "user", "role": "writer", "emailAddress": who})
    config = tmp_path / "khet.toml"
    config.write_text(
        f'[google]\nkey_file = "{Path(dd.key).as_posix()}"\nendpoint = "{emulator.url}"\n'
        f'district_spreadsheet_id = "{dd.district_id}"\n'
        f'[paths]\ndata_dir = "data"\nhistory_db = "data/history.sqlite"\nregistry = "registry.csv"\n'
        'report_dir = "out"\nlog_dir = "data/logs"\n'
        "[quota]\nreads_per_minute = 6000\nwrites_per_minute = 6000\n", encoding="utf-8")
    cfg = load_config(config)
    clients = {who: connect_as(emulator, who, SHEETS_ONLY) for who in (STAFF_A, STAFF_B, school)}
    return cfg, dd, clients, school


def gspread_admin(emu, key):
    from sync.gclient import SCOPES_PROVISION, connect

    return connect(key, SCOPES_PROVISION, endpoint=emu.url)


def tab_rows(client, spreadsheet_id: str, account: str) -> list[dict]:
    grid = channel.read_tabs(client, spreadsheet_id, [channel.requests_range(requests_title(account))])[0]
    return [dict(zip(REQUESTS.keys(), r + [""] * 11, strict=False)) for r in grid]


def append_raw(client, spreadsheet_id: str, tab_account: str, row: list) -> None:
    client.http_client.values_append(spreadsheet_id, f"'{requests_title(tab_account)}'!A1:K",
                                     params={"valueInputOption": "RAW"}, body={"values": [row]})


def test_setup_makes_one_protected_tab_per_staff_editor_and_none_for_a_school(office):
    cfg, dd, clients, school = office
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        first = host.poll()
    titles = {ws.title for ws in clients[STAFF_A].open_by_key(dd.district_id).worksheets()}
    assert {requests_title(STAFF_A), requests_title(STAFF_B), HOST_STATUS.title_th} <= titles
    assert requests_title(school) not in titles
    assert host.staff == {STAFF_A, STAFF_B}
    assert first.rows == 0 and first.status_written
    # The tab proves who wrote it: B cannot write A's tab, and the school cannot write anyone's.
    for who in (STAFF_B, school):
        with pytest.raises(gspread.exceptions.APIError) as e:
            append_raw(clients[who], dd.district_id, STAFF_A, ["x", STAFF_A, "2026-12-01T03:00:00Z", "process_now"])
        assert "protected" in str(e.value)
    # …nor the host status.
    with pytest.raises(gspread.exceptions.APIError):
        clients[STAFF_A].http_client.values_update(
            dd.district_id, f"'{HOST_STATUS.title_th}'!C3", params={"valueInputOption": "RAW"},
            body={"values": [["forged"]]})


def test_process_now_from_two_staff_is_one_real_run_and_idempotent(office):
    cfg, dd, clients, _ = office
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.poll()  # tabs made
        a = submit(cfg, "process_now", "{}", client=clients[STAFF_A], account=STAFF_A)
        b = submit(cfg, "process_now", {"full": False}, client=clients[STAFF_B], account=STAFF_B)
        assert a["mode"] == b["mode"] == "sent" and a["request_id"] != b["request_id"]
        res = host.poll()
        again = host.poll()
    assert res.rows == 2 and res.outcomes == {a["request_id"]: "done", b["request_id"]: "done"}
    rows_a, rows_b = (tab_rows(clients[w], dd.district_id, w) for w in (STAFF_A, STAFF_B))
    result_a, result_b = json.loads(rows_a[0]["result"]), json.loads(rows_b[0]["result"])
    assert result_a["run_id"] == result_b["run_id"]  # one run answered both
    assert rows_a[0]["status"] == STATUS_TH["done"] and rows_a[0]["handled_id"] == a["request_id"]
    assert rows_a[0]["outcome_th"].startswith(f"ประมวลผลแล้ว รอบที่ {result_a['run_id']}")
    # A second poll answers nothing again and costs one read (no heartbeat due yet).
    assert (again.rows, again.answered, again.reads, again.writes) == (2, 0, 1, 0)
    with History(cfg.history_db) as h:
        runs = h.runs()
        assert [r["trigger"] for r in runs] == ["request"]
        from sync.control.store import RequestStore

        reqs = RequestStore(h).requests()
    assert sorted((r["account"], r["kind"], r["outcome"]["status"]) for r in reqs) == [
        (STAFF_B, "process_now", "done"), (STAFF_A, "process_now", "done")]


def test_bad_rows_get_their_reason_and_never_hold_up_a_good_one(office):
    cfg, dd, clients, school = office
    sid = dd.district_id
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.poll()
        at = "2026-12-01T03:00:0{}Z"
        rows = [
            ["r1", STAFF_A, at.format(1), ""],                                  # no kind
            ["r2", STAFF_A, at.format(2), "make_coffee"],                       # unknown kind
            ["r3", STAFF_A, at.format(3), "process_now", "{not json"],          # bad JSON
            ["r4", STAFF_B, at.format(4), "process_now"],                       # names someone else
            ["r5", STAFF_A, at.format(5), "process_now", '{"fulll": true}'],    # a typo in the payload
            ["", STAFF_A, at.format(6), "process_now"],                         # no ID
        ]
        for r in rows:
            append_raw(clients[STAFF_A], sid, STAFF_A, r)
        good = submit(cfg, "provision", {"schools": [{"school_code": "1048099001", "school_name": "บ้านใหม่",
                                                      "network": "เครือข่าย 1", "contact_email": "new@school.example"}]},
                      client=clients[STAFF_A], account=STAFF_A)
        # the provision request's ID again, on a row asking something else
        append_raw(clients[STAFF_A], sid, STAFF_A, [good["request_id"], STAFF_A, channel.now_iso(), "process_now"])
        res = host.poll()
        second = host.poll()
    r1, r2, r3, r4, r5, no_id, ok, dup = tab_rows(clients[STAFF_A], sid, STAFF_A)
    refused = STATUS_TH["refused"]
    assert r1["status"] == refused and "ขาดข้อมูล: ประเภทคำขอ" in r1["outcome_th"] and "lacks: kind" in r1["outcome_en"]
    assert "make_coffee" in r2["outcome_th"] and "unknown request kind" in r2["outcome_en"]
    assert "ไม่ใช่ JSON" in r3["outcome_th"] and "not valid JSON" in r3["outcome_en"]
    assert "แท็บของตนเอง" in r4["outcome_th"] and "own tab" in r4["outcome_en"]
    assert "fulll" in r5["outcome_th"] and "invalid payload" in r5["outcome_en"]
    assert "ขาดข้อมูล: รหัสคำขอ" in no_id["outcome_th"] and no_id["handled_id"].endswith("!8")
    assert ok["status"] == STATUS_TH["done"] and ok["handled_id"] == good["request_id"], ok
    assert dup["status"] == refused and "ซ้ำ" in dup["outcome_th"] and "already used" in dup["outcome_en"]
    assert {r["status"] for r in (r1, r2, r3, r4, r5, no_id)} == {refused}
    assert res.refused == 7 and second.answered == 0 and second.writes == 0
    # Refusals before a row became a request are in the history too — once each, however many polls see them.
    from sync.control.store import RequestStore

    with History(cfg.history_db) as h:
        store = RequestStore(h)
        before = {(r["request_id"], r["code"]) for r in store.refusals()}
        received = {r["request_id"]: r["outcome"]["status"] for r in store.requests()}
    assert before == {("r1", "request.missing_field"), ("r4", "request.account_mismatch"),
                      ("", "request.missing_field"), (good["request_id"], "request.duplicate_id")}
    assert {received[k] for k in ("r2", "r3", "r5")} == {"refused"}  # received, then refused: already kept
    # the provisioned school is in the host's registry with its new sheet
    school_row = load_registry(cfg.registry).by_code()["1048099001"]
    ids = json.loads(ok["result"])["spreadsheet_ids"]
    assert school_row.spreadsheet_id == ids["1048099001"] != ""
    assert "1048099001 บ้านใหม่" in [f["name"] for f in dd.emu.files()]


def test_a_tab_made_by_a_school_account_is_answered_no(office):
    """A school given edit rights by mistake makes itself a requests tab: its request is refused at its row."""
    cfg, dd, clients, school = office
    sid = dd.district_id
    ws = clients[school].open_by_key(sid).add_worksheet(requests_title(school), 100, 11)
    ws.update([*REQUESTS.grid_header(), ["s1", school, "2026-12-01T03:00:00Z", "process_now"]], "A1")
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        res = host.poll()
    row = tab_rows(clients[school], sid, school)[0]
    assert res.outcomes == {"s1": "refused"}
    assert "ไม่มีสิทธิ์" in row["outcome_th"] and "school's account" in row["outcome_en"]


def test_requests_wait_while_the_host_is_down_and_nothing_is_lost(office):
    cfg, dd, clients, _ = office
    with ExitStack() as stack:
        open_control_host(cfg, stack).poll()
    sent = [submit(cfg, "process_now", "{}", client=clients[w], account=w)["request_id"] for w in (STAFF_A, STAFF_B)]
    # the host is off (no poll): the rows just sit there, unanswered
    assert all(r["status"] == "" for w in (STAFF_A, STAFF_B) for r in tab_rows(clients[w], dd.district_id, w))
    with ExitStack() as stack:  # the daemon restarts (a fresh host: everything comes from the sheet + history)
        res = open_control_host(cfg, stack).poll()
    assert res.outcomes == dict.fromkeys(sent, "done")


def test_single_pc_host_applies_a_request_directly(office):
    cfg, dd, _, _ = office
    out = submit(cfg, "process_now", "{}")
    assert out["mode"] == "direct" and out["status"] == "done" and out["result"]["run_id"] == 1
    with History(cfg.history_db) as h:
        from sync.control.store import RequestStore

        (req,) = RequestStore(h).requests()
    assert req["source"] == "direct" and "@" in req["account"]


def test_the_daemon_polls_when_due_and_outlives_a_failed_poll(tmp_path):
    from sync.daemon import Daemon

    calls = []

    def poll() -> float:
        calls.append(len(calls))
        if len(calls) == 2:
            raise RuntimeError("Google is down")
        return 0.0 if len(calls) == 1 else 3600.0

    d = Daemon(lambda trigger: 0, data_dir=tmp_path, poll=poll)
    d.tick()                      # first poll: due at once; says "again at once"
    d.tick()                      # second poll fails: logged, retried a minute later
    import time

    assert len(calls) == 2 and 50 < d.next_poll - time.monotonic() <= 60
    d.next_poll = 0
    d.tick()
    d.tick()                      # the third poll asked for an hour: not polled again
    assert len(calls) == 3 and d.results == []


def test_staff_pull_reads_the_district_sheet_and_says_when_the_host_went_quiet(office, tmp_path):
    """Job -> staff: the pull is one read of the district sheet (summary tabs, host status, my requests) and
    never touches the history; a host silent past its promised next check is reported with its last time."""
    import datetime as dt

    from sync.config import Config
    from sync.control.office import pull

    cfg, dd, clients, _ = office
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.poll()
        sent = submit(cfg, "process_now", "{}", client=clients[STAFF_A], account=STAFF_A)
        host.poll()
    staff_cfg = Config(endpoint=cfg.endpoint, district_spreadsheet_id=dd.district_id, staff_account=STAFF_A,
                       history_db=tmp_path / "staff" / "never.sqlite", data_dir=tmp_path / "staff")
    dd.emu.reset_counters()
    data = pull(staff_cfg, client=clients[STAFF_A], account=STAFF_A)
    counters = dd.emu.counters()
    assert counters["by_endpoint"] == {"GET sheets.values.batchGet": 1}
    assert data["source"] == "google" and data["host_answering"] is True
    with History(cfg.history_db) as h:
        run = h.runs()[0]
    assert data["data_as_of"] == run["started_at"] and data["last_run_ended_at"] == run["ended_at"]
    assert data["host"]["fiscal_year"] == str(run["fiscal_year"])
    from sync.summary import TABS

    titles = {t.key: t.title_th for t in TABS}
    assert {r["school_code"] for r in data["tabs"][titles["submissions"]]} == {s.code for s in dd.schools}
    assert {r["school_code"] for r in data["tabs"][titles["reads"]]} == {s.code for s in dd.schools}
    (mine,) = data["requests"]
    assert mine["request_id"] == sent["request_id"] and mine["status"] == STATUS_TH["done"]
    assert not (tmp_path / "staff" / "never.sqlite").exists()
    # The host then stops: a day later the same pull says since when it has not answered.
    later = pull(staff_cfg, client=clients[STAFF_A], account=STAFF_A,
                 now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert later["host_answering"] is False and later["host_seen_at"] == data["host_seen_at"]


class _PersonAtTheBrowser:
    """webbrowser's interface: like a browser, returns at once; in the background the person picks the
    account the page suggests and presses Allow (follows the emulator's redirect to the flow's loopback)."""

    def open(self, url, new=0, autoraise=True):
        import threading

        import requests

        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 30}, daemon=True).start()
        return True

    open_new = open_new_tab = open


def test_staff_sign_in_through_google_auth_oauthlib_and_requests_as_that_account(office, tmp_path):
    import os
    import stat
    import webbrowser

    from sync.config import Config
    from sync.control.signin import prove, sign_in, token_path
    from workbook.errors import KhetError

    cfg, dd, clients, _ = office
    emu = dd.emu
    emu.user(STAFF_A)
    emu.oauth_client(tmp_path / "oauth-client.json")
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.poll()
        pc_a = Config(endpoint=emu.url, district_spreadsheet_id=dd.district_id, staff_account=STAFF_A,
                      oauth_client=tmp_path / "oauth-client.json", token_dir=tmp_path / "pc-a" / "signin",
                      reads_per_minute=6000, writes_per_minute=6000)
        webbrowser.register("khet-test-person", None, _PersonAtTheBrowser())
        emu.reset_counters()
        sign_in(pc_a, browser="khet-test-person", timeout=30)
        c = emu.counters()["by_endpoint"]
        assert (c["GET oauth2.auth"], c["POST oauth2.token"]) == (1, 1)
        saved = json.loads(token_path(pc_a).read_text(encoding="utf-8"))
        assert saved["account"] == STAFF_A and saved["credentials"]["refresh_token"].startswith("1//")
        assert saved["credentials"]["scopes"] == ["https://www.googleapis.com/auth/spreadsheets"]
        if os.name == "posix":
            assert stat.S_IMODE(token_path(pc_a).stat().st_mode) == 0o600
        # The buttons then work without a browser, as that account; an hour later the refresh token is used.
        emu.advance(3700)
        emu.reset_counters()
        sent = submit(pc_a, "process_now", "{}")
        counts = emu.counters()
        assert counts["by_endpoint"].get("POST oauth2.token") == 1  # expired -> 401 -> refreshed once
        assert counts["by_account"][STAFF_A] >= 1
        assert tab_rows(clients[STAFF_A], dd.district_id, STAFF_A)[0]["request_id"] == sent["request_id"]
        # Sheets only: the staff token cannot even list Drive files.
        from sync.control.signin import staff_client

        with ExitStack() as s2:
            staff, _ = staff_client(pc_a, s2)
            with pytest.raises(gspread.exceptions.APIError) as e:
                staff.http_client.request("get", drive_url("files"))
            assert e.value.code == 403
        # Someone else's sign-in cannot pass for A: the proof write on A's tab is refused.
        with pytest.raises(KhetError) as wrong:
            prove(pc_a, clients[STAFF_B], STAFF_A)
        assert wrong.value.code == "office.wrong_account"


def test_refusal_of_a_school_account_and_of_a_direct_request_are_recorded(office):
    cfg, dd, clients, school = office
    from sync.control.kinds import Refused
    from sync.control.store import RequestStore

    ws = clients[school].open_by_key(dd.district_id).add_worksheet(requests_title(school), 100, 11)
    ws.update([*REQUESTS.grid_header(), ["s1", school, "2026-12-01T03:00:00Z", "process_now"]], "A1")
    with ExitStack() as stack:
        open_control_host(cfg, stack).poll()
    with pytest.raises(Refused):  # on the host itself: refused before anything is sent, and kept
        submit(cfg, "district_report", {"fulll": True})
    with History(cfg.history_db) as h:
        got = {(r["source"].split("!")[0], r["account"], r["code"]) for r in RequestStore(h).refusals()}
    assert (requests_title(school), school, "request.no_rights") in got
    assert any(src == "direct" and code == "request.payload_invalid" for src, _, code in got), got


def test_the_district_report_is_a_request_direct_on_the_host_and_sent_from_a_staff_pc(office):
    """The "สร้างรายงานเขต" button goes through the control channel like "ประมวลผลตอนนี้" (it ran `khet sync run`
    on whichever PC pressed it)."""
    cfg, dd, clients, _ = office
    from sync.control.store import RequestStore

    direct = submit(cfg, "district_report", {})
    assert direct["mode"] == "direct" and direct["status"] == "done", direct
    xlsx = Path(direct["result"]["outputs"]["xlsx"])
    assert xlsx.is_file()
    with ExitStack() as stack:
        host = open_control_host(cfg, stack)
        host.poll()
        sent = submit(cfg, "district_report", {}, client=clients[STAFF_A], account=STAFF_A)
        assert sent["mode"] == "sent" and "สร้างรายงานเขต" in sent["message_th"]
        res = host.poll()
    assert res.outcomes[sent["request_id"]] == "done"
    row = tab_rows(clients[STAFF_A], dd.district_id, STAFF_A)[0]
    assert json.loads(row["result"])["outputs"]["xlsx"] == str(xlsx)
    with History(cfg.history_db) as h:
        kinds = [(r["account"], r["kind"]) for r in RequestStore(h).requests()]
        feedback = h.db.execute("SELECT COUNT(*) FROM feedback_writes").fetchone()[0]
        triggers = [r["trigger"] for r in h.runs()]
    assert (STAFF_A, "district_report") in kinds and len(kinds) == 2
    assert feedback == 0 and triggers == ["request", "request"]  # a report request never rewrites feedback
