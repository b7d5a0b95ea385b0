"""The simulated office: one job host and two staff PCs as separate processes, on the emulator over HTTP.

- the **job host**: `khet sync daemon` in its own process and folder, with the service-account key, the
  registry and the history — the only one that has them;
- **PC A** and **PC B**: their own folders (their own `khet.toml`, their own sign-in cache, nothing else), each
  signed in with its staff member's Google account through google-auth-oauthlib's installed-app flow (the
  "browser" is `sync.emulator.browser`, which follows the emulator's consent page as a person would).

Nothing is shared between the three except through the emulated Google: A asks for a new school's sheet,
A overrides a school's submission date and approves its report, B presses "ประมวลผลตอนนี้" and then "ดึงข้อมูลล่าสุด"
in the workbook (the run applies A's decision: the report's rows locked in the school's sheet), A pulls; the
assertions are on what each sees, on the school's sheet and on the host's history.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from gspread.exceptions import APIError
from test_buttons import CALENDAR, book_of, shipped  # noqa: F401 - the workbook `khet workbook build` ships

from addin.calendar import fiscal_year as fiscal_year_of
from addin.status import today_in_thailand
from sync.demo import NIGHT_2, generate_district, setup_district
from sync.gclient import SCOPES_PROVISION, connect, drive_url
from sync.history import History
from workbook.sheets import FEEDBACK, SHEETS

STAFF_A, STAFF_B = "somchai.s@district.go.th", "malee.k@district.go.th"
NEW_SCHOOL = {"school_code": "1048099001", "school_name": "โรงเรียนบ้านใหม่พัฒนา", "network": "เครือข่าย 1",
              "contact_email": "banmai@school.example"}


def khet(folder: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """`khet …` as that machine runs it: its own folder, its own HOME, a 'browser' for the sign-in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHET_")}
    env.update(HOME=str(folder / "home"), PYTHONIOENCODING="utf-8",
               BROWSER=f"{sys.executable} -m sync.emulator.browser %s")
    return subprocess.run([sys.executable, "-m", "sync.cli", *args], cwd=folder, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def staff_pc(folder: Path, emu, district_id: str, account: str, oauth_client: dict) -> Path:
    folder.mkdir(parents=True)
    (folder / "home").mkdir()
    (folder / "oauth-client.json").write_text(json.dumps(oauth_client), encoding="utf-8")
    (folder / "khet.toml").write_text(
        f'[google]\nendpoint = "{emu.url}"\ndistrict_spreadsheet_id = "{district_id}"\n'
        f'[office]\naccount = "{account}"\noauth_client = "oauth-client.json"\n'
        "[quota]\nreads_per_minute = 6000\nwrites_per_minute = 6000\n", encoding="utf-8")
    return folder


def wait_for(pred, timeout: float = 150, every: float = 2.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(every)
    raise AssertionError("the job host did not answer in time")


@pytest.fixture
def staff_book(shipped, monkeypatch):  # noqa: F811 - the fixture imported above
    """The shipped staff workbook as a button sees it, on a given PC: its khet.toml, its user's home."""
    def on(pc: Path):
        monkeypatch.setenv("KHET_CONFIG", str(pc / "khet.toml"))
        monkeypatch.setenv("HOME", str(pc / "home"))
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        return book_of(openpyxl.load_workbook(shipped, keep_vba=True), CALENDAR)
    return on


def test_one_host_two_staff_pcs_nothing_shared_but_google(emulator, tmp_path, staff_book):
    emu = emulator
    emu.configure(user_quota=10**6, project_quota=10**6)
    host = tmp_path / "host"
    dd = setup_district(emu, host, generate_district(3, 1, seed=2))
    admin = connect(dd.key, SCOPES_PROVISION, endpoint=emu.url)
    for who in (STAFF_A, STAFF_B):  # IT shares the district sheet with each staff member as editor
        emu.user(who)
        admin.http_client.request("post", drive_url(f"files/{dd.district_id}/permissions"),
                                  params={"sendNotificationEmail": False},
                                  json={"type": "user", "role": "writer", "emailAddress": who})
    (host / "khet.toml").write_text(
        f'[google]\nkey_file = "keys/khet-sync.json"\nendpoint = "{emu.url}"\n'
        f'district_spreadsheet_id = "{dd.district_id}"\n'
        '[paths]\ndata_dir = "data"\nhistory_db = "data/history.sqlite"\nregistry = "registry.csv"\n'
        'report_dir = "out"\nlog_dir = "data/logs"\n'
        '[office]\npoll_minutes = 0.02\noff_hours_poll_minutes = 0.02\n'
        "[quota]\nreads_per_minute = 6000\nwrites_per_minute = 6000\n", encoding="utf-8")
    assert khet(host, "office", "setup").returncode == 0  # the requests tabs, before the PCs sign in
    client = emu.oauth_client()
    pc_a = staff_pc(tmp_path / "pc-a", emu, dd.district_id, STAFF_A, client)
    pc_b = staff_pc(tmp_path / "pc-b", emu, dd.district_id, STAFF_B, client)
    for pc in (pc_a, pc_b):
        r = khet(pc, "office", "signin")
        assert r.returncode == 0, r.stderr

    env = {k: v for k, v in os.environ.items() if not k.startswith("KHET_")}
    daemon = subprocess.Popen([sys.executable, "-m", "sync.cli", "sync", "daemon"], cwd=host, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    try:
        # PC A: "provision this new school".
        rows = pc_a / "new-school.json"
        rows.write_text(json.dumps({"schools": [NEW_SCHOOL]}, ensure_ascii=False), encoding="utf-8")
        r = khet(pc_a, "office", "request", "provision", "--payload-file", str(rows), "--json")
        assert r.returncode == 0, r.stderr
        sent_a = json.loads(r.stdout)
        assert sent_a["mode"] == "sent" and sent_a["account"] == STAFF_A

        def answered(pc, rid):
            data = json.loads(khet(pc, "office", "pull", "--json").stdout)
            mine = {q["request_id"]: q for q in data["requests"]}
            return data if mine.get(rid, {}).get("status") == "เสร็จแล้ว" else None

        seen_a = wait_for(lambda: answered(pc_a, sent_a["request_id"]))
        new_id = json.loads(seen_a["requests"][0]["result"])["spreadsheet_ids"][NEW_SCHOOL["school_code"]]

        # PC A: a school's action plan reached the office on paper — A overrides its submission date — and A
        # approves it. The school typed its plan in its sheet too; the approval locks those rows.
        school = dd.schools[0]
        dd.type_as_of(NIGHT_2, only={school.code})
        today = today_in_thailand()
        fy = fiscal_year_of(today)
        override = {"school_code": school.code, "report": "action_plan", "fiscal_year": fy,
                    "received_on": today.isoformat(), "channel": "หนังสือ/เอกสารกระดาษ", "reference": "ศธ 04123/0456",
                    "reason": "โรงเรียนส่งแผนเป็นเอกสารกระดาษ"}
        asked = []
        for kind, payload in (("override_submission", override),
                              ("approve_report", {"school_code": school.code, "report": "action_plan",
                                                  "fiscal_year": fy})):
            r = khet(pc_a, "office", "request", kind, "--payload", json.dumps(payload, ensure_ascii=False), "--json")
            assert r.returncode == 0, r.stderr
            asked.append(json.loads(r.stdout))
        assert all(a["mode"] == "sent" and a["account"] == STAFF_A for a in asked)
        for a in asked:
            wait_for(lambda a=a: answered(pc_a, a["request_id"]))

        # PC B: the workbook's "ประมวลผลตอนนี้" button, then "ดึงข้อมูลล่าสุด".
        from addin.buttons import pull, sync_now

        book_b = staff_book(pc_b)
        sent_b = sync_now.run(book_b)
        assert sent_b["mode"] == "sent" and sent_b["account"] == STAFF_B
        pulled_b = wait_for(lambda: answered(pc_b, sent_b["request_id"]))
        book_b = staff_book(pc_b)
        counts = pull.run(book_b)
        message = [a["args"][0] for a in book_b.json()["actions"] if a["func"] == "alert"][0]
        assert counts["submissions"] > 0
        assert "รอบประมวลผลล่าสุด 1 เสร็จเมื่อ" in message and "ไม่ตอบ" not in message
        assert f"{sent_b['request_id']} process_now: เสร็จแล้ว ประมวลผลแล้ว รอบที่ 1" in message
        # B sees every school, the new one included (A's request was applied before B's run).
        reads = next(rows for title, rows in pulled_b["tabs"].items() if rows and "last_good_at" in rows[0])
        assert NEW_SCHOOL["school_code"] in {r["school_code"] for r in reads}

        # B's run applied A's decision: the plan's rows are locked against the school, its feedback says so.
        from sync import protection
        from sync.approvals import tag_for

        locks = protection.read(admin, dd.ids[school.code]).by_tag.get(tag_for("action_plan", fy), [])
        assert locks and all(school.email not in p["editors"]["users"] for p in locks)
        first = SHEETS["action_plan"].first_data_row
        plan = dd.clients[school.code].open_by_key(dd.ids[school.code]).worksheet(SHEETS["action_plan"].title_th)
        with pytest.raises(APIError):
            plan.update_acell(f"B{first}", "แก้หลังอนุมัติ")
        feedback = dd.clients[school.code].open_by_key(dd.ids[school.code]).worksheet(FEEDBACK.title_th).get_values()
        assert any(r[1] == "ผลการพิจารณาของเขต" and "เขตอนุมัติรายงานนี้แล้ว" in r[6] for r in feedback)

        # PC A pulls: the same run, its own requests' answers, and nothing of B's requests.
        final_a = json.loads(khet(pc_a, "office", "pull", "--json").stdout)
        assert final_a["last_run_id"] == pulled_b["last_run_id"] == "1"
        assert [q["request_id"] for q in final_a["requests"]] == [sent_a["request_id"]] + [a["request_id"]
                                                                                          for a in asked]
        assert final_a["host_answering"] is True
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)

    # The host's history names who asked for what.
    with History(host / "data" / "history.sqlite") as h:
        from sync.control.store import RequestStore

        reqs = {r["request_id"]: r for r in RequestStore(h).requests()}
        runs = h.runs()
    assert (reqs[sent_a["request_id"]]["account"], reqs[sent_a["request_id"]]["kind"]) == (STAFF_A, "provision")
    assert (reqs[sent_b["request_id"]]["account"], reqs[sent_b["request_id"]]["kind"]) == (STAFF_B, "process_now")
    assert all(r["outcome"]["status"] == "done" for r in reqs.values())
    with History(host / "data" / "history.sqlite") as h:
        from sync.approvals import DecisionStore

        decisions = DecisionStore(h).decisions()
        overrides = h.overrides()
    assert [(d["school_code"], d["report_key"], d["action"], d["decided_by"], d["previous_state"])
            for d in decisions] == [(school.code, "action_plan", "approve", STAFF_A, "waiting")]
    assert [(o["school_code"], o["recorded_by"], o["action"]) for o in overrides] == [(school.code, STAFF_A, "apply")]
    assert [r["trigger"] for r in runs] == ["request"]
    registry = (host / "registry.csv").read_text(encoding="utf-8-sig")
    assert NEW_SCHOOL["school_code"] in registry and new_id in registry
    # Nothing but Google between them: no key and no database on a staff PC, no staff sign-in on the host.
    for pc in (pc_a, pc_b):
        files = [p for p in pc.rglob("*") if p.is_file()]
        assert not [p for p in files if p.suffix in (".sqlite", ".db") or "service_account" in p.read_text(
            encoding="utf-8", errors="replace")]
        assert [p.name for p in files if p.name == "staff-signin.json"] == ["staff-signin.json"]
    assert not list(host.rglob("staff-signin.json"))
