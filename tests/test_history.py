"""The SQLite history: append-only, last good data per tab, first-seen submission dates, PostgreSQL-plain."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from sync.history import SCHEMA, History, content_hash, dumps_grid, loads_grid

T0 = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
GRID_A = [["ชื่อโครงการ", "งบ"], ["name", "budget"], ["ห้องสมุด", 1500.5]]
GRID_B = [["ชื่อโครงการ", "งบ"], ["name", "budget"], ["ห้องสมุด", 1600]]


def test_grid_json_round_trip_keeps_types():
    grid = [[datetime(2026, 1, 2, 3, 4), date(2026, 1, 2), Decimal("10.05"), "=1+1", True, None, 7]]
    assert loads_grid(dumps_grid(grid)) == grid


def test_content_hash_ignores_trailing_blanks_only():
    assert content_hash([["a", None, ""], ["b"], [None]]) == content_hash([["a"], ["b"]])
    assert content_hash([["a"], ["b"]]) != content_hash([["a"], ["b", "c"]])
    assert content_hash([["1"]]) != content_hash([[1]])


def test_runs_reads_and_last_good(tmp_path):
    h = History(tmp_path / "h.db")
    r1 = h.begin_run(trigger="test", fiscal_year=2570, started_at=T0)
    assert h.record_read(r1, "1020080005", outcome="read", spreadsheet_id="S1",
                         drive_modified="2026-11-20T10:00:00.000Z", tabs={"action_plan": GRID_A},
                         read_at=T0) == {"action_plan": True}
    h.end_run(r1, status="success", exit_code=0, counts={"schools_total": 1, "schools_read": 1}, ended_at=T0)
    assert h.last_success_time() == T0
    assert h.last_modified("1020080005") == "2026-11-20T10:00:00.000Z"

    r2 = h.begin_run(trigger="test", started_at=T1)
    # Same content again: no new snapshot, not "changed".
    assert h.record_read(r2, "1020080005", outcome="read", tabs={"action_plan": GRID_A}, read_at=T1,
                         drive_modified="2026-11-21T10:00:00.000Z") == {"action_plan": False}
    # Then the school becomes unreachable: its last good data stays, with its age.
    r3 = h.begin_run(trigger="test", started_at=T1)
    h.record_read(r3, "1020080005", outcome="failed", reason="not_shared", read_at=T1)
    assert h.last_good("1020080005") == {"action_plan": GRID_A}
    st = h.school_states()["1020080005"]
    assert (st.last_outcome, st.last_reason, st.last_good_at) == ("failed", "not_shared", T1)
    assert st.last_good_modified == "2026-11-21T10:00:00.000Z"
    assert h.db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 1
    # The killed/unfinished run r2/r3 is visible as running.
    assert [r["status"] for r in h.runs()] == ["running", "running", "success"]


def test_changes_are_appended_never_overwritten(tmp_path):
    h = History(tmp_path / "h.db")
    r1 = h.begin_run(started_at=T0)
    h.record_read(r1, "S", outcome="read", tabs={"action_plan": GRID_A}, read_at=T0)
    r2 = h.begin_run(started_at=T1)
    assert h.record_read(r2, "S", outcome="read", tabs={"action_plan": GRID_B}, read_at=T1) == {"action_plan": True}
    # Back to the first content: an old snapshot becomes current again, still "changed".
    r3 = h.begin_run(started_at=T1)
    assert h.record_read(r3, "S", outcome="read", tabs={"action_plan": GRID_A}, read_at=T1) == {"action_plan": True}
    versions = h.tab_versions("S")
    assert [v["grid"] for v in versions] == [GRID_A, GRID_B]
    assert h.last_good("S") == {"action_plan": GRID_A}


def test_submission_date_is_the_first_night_seen(tmp_path):
    h = History(tmp_path / "h.db")
    r1 = h.begin_run(started_at=T0)
    assert h.record_submission(r1, "S", "action_plan", 2570, submitted_on=date(2026, 11, 21), seen_at=T0,
                               drive_modified="2026-11-20T10:00:00.000Z")
    r2 = h.begin_run(started_at=T1)
    assert not h.record_submission(r2, "S", "action_plan", 2570, submitted_on=date(2026, 11, 22), seen_at=T1,
                                   drive_modified="x")
    [sub] = h.submissions(2570)
    assert (sub["submitted_on"], sub["run_id"], sub["drive_modified"]) == ("2026-11-21", r1,
                                                                           "2026-11-20T10:00:00.000Z")


def test_edits_after_due_are_flagged_only_for_later_versions(tmp_path):
    h = History(tmp_path / "h.db")
    r1 = h.begin_run(started_at=T0)
    h.record_report_version(r1, "A", "progress_q1", 2570, "h1", seen_on=date(2026, 1, 10), drive_modified=None,
                            after_due=False)
    # B first sent after the due date: late, but not an "edit after due".
    h.record_report_version(r1, "B", "progress_q1", 2570, "h1", seen_on=date(2026, 1, 20), drive_modified=None,
                            after_due=True)
    r2 = h.begin_run(started_at=T1)
    h.record_report_version(r2, "A", "progress_q1", 2570, "h2", seen_on=date(2026, 1, 20), drive_modified=None,
                            after_due=True)
    assert h.edited_after_due(2570) == {("A", "progress_q1")}


def test_statuses_and_feedback_hashes(tmp_path):
    h = History(tmp_path / "h.db")
    r1 = h.begin_run(started_at=T0)
    h.record_statuses(r1, [{"school_code": "S", "report_key": "action_plan", "fiscal_year": 2570,
                            "due": date(2027, 5, 31), "submitted_on": None, "status": "not_yet_due",
                            "valid": False, "edited_after_due": False, "errors": 2}])
    [row] = h.statuses(r1)
    assert (row["due"], row["submitted_on"], row["status"], row["errors"]) == ("2027-05-31", None, "not_yet_due", 2)
    assert h.last_feedback() == {}
    h.record_feedback(r1, "S", "abc", 50)
    r2 = h.begin_run(started_at=T1)
    h.record_feedback(r2, "S", "def", 61)
    assert h.last_feedback() == {"S": ("def", 61)}


def test_schema_is_plain_sql():
    # Only the two documented dialect spots differ from PostgreSQL: no SQLite-only types or clauses.
    assert not re.search(r"AUTOINCREMENT|WITHOUT ROWID|STRICT|BLOB|DATETIME", SCHEMA)
    types = set(re.findall(r"^ +\w+ (\w+)", SCHEMA, flags=re.M)) - {"KEY"}
    assert types <= {"TEXT", "INTEGER"}


def test_khet_history_school_shows_cell_changes(tmp_path, capsys):
    from sync.commands.history import main

    db = tmp_path / "h.db"
    with History(db) as h:
        r1 = h.begin_run(started_at=T0)
        h.record_read(r1, "1020080005", outcome="read", tabs={"action_plan": GRID_A}, read_at=T0)
        h.end_run(r1, status="success", exit_code=0, ended_at=T0)
        r2 = h.begin_run(started_at=T1)
        h.record_read(r2, "1020080005", outcome="read", tabs={"action_plan": GRID_B}, read_at=T1)
        h.record_submission(r2, "1020080005", "action_plan", 2570, submitted_on=date(2026, 11, 22), seen_at=T1,
                            drive_modified="2026-11-21T10:00:00.000Z")
    assert main(["--db", str(db), "school", "1020080005"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["โรงเรียน 1020080005: อ่าน 2 ครั้ง / 2 reads", "  รอบ #1 2026-11-20T19:00:00.000Z: read",
                       "  รอบ #2 2026-11-21T19:00:00.000Z: read"]
    assert "  รอบ #1 2026-11-20T19:00:00.000Z แท็บ action_plan: ข้อมูลชุดแรก 1 แถว / first seen, 1 rows" in out
    assert "  รอบ #2 2026-11-21T19:00:00.000Z แท็บ action_plan: เปลี่ยน 1 เซลล์ / 1 cells changed" in out
    assert "    B3: 1500.5 → 1600" in out
    assert out[-1] == ("  action_plan ปีงบ 2570: 2026-11-22 (รอบ #2, Drive modifiedTime 2026-11-21T10:00:00.000Z)")
    assert main(["--db", str(db), "school", "9999999999"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "ไม่มีประวัติของโรงเรียน 9999999999 / no history for school 9999999999"
    assert main(["--db", str(tmp_path / "none.db"), "runs"]) == 2


def test_khet_history_options_after_the_sub_command(tmp_path, capsys):
    # `khet history school CODE --db …` (what the demo prints) and `… --json` once stopped at argparse.
    from sync.commands.history import main

    db = tmp_path / "h.db"
    with History(db) as h:
        r1 = h.begin_run(started_at=T0)
        h.record_read(r1, "1020080005", outcome="read", tabs={"action_plan": GRID_A}, read_at=T0)
        h.end_run(r1, status="success", exit_code=0, ended_at=T0)
    assert main(["--db", str(db), "--json", "school", "1020080005"]) == 0
    before = capsys.readouterr().out
    assert main(["school", "1020080005", "--db", str(db), "--json"]) == 0
    assert capsys.readouterr().out == before and json.loads(before)["school_code"] == "1020080005"
    assert main(["--db", str(db), "runs", "--json"]) == 0
    assert [r["run_id"] for r in json.loads(capsys.readouterr().out)] == [r1]
    not_db = tmp_path / "registry.xlsx"
    not_db.write_text("not sqlite", encoding="utf-8")
    assert main(["runs", "--db", str(not_db)]) == 2
    assert capsys.readouterr().err == (f"{not_db} ไม่ใช่ฐานข้อมูลประวัติของ Khet (file is not a database) / "
                                       f"{not_db} is not a Khet history database (file is not a database)\n")


def test_khet_sync_run_without_registry_fails_with_exit_2(tmp_path, capsys, monkeypatch):
    from sync.commands.sync import main

    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nendpoint = "emulator"\n[paths]\ndata_dir = "{tmp_path / "data"}"\n'
                   f'history_db = "{tmp_path / "h.db"}"\n', encoding="utf-8")
    for name in ("KHET_REGISTRY", "KHET_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--config", str(cfg), "run"]) == 2
    out = capsys.readouterr().out
    assert "ยังไม่ได้ระบุทะเบียนโรงเรียน (paths.registry)" in out and "no school registry set (paths.registry)" in out
    assert out.startswith("เริ่มงานไม่ได้: ") and "None" not in out  # no "run None" for a run that never began


def test_khet_sync_run_with_no_usable_school_fails_with_exit_2(tmp_path, capsys, monkeypatch):
    # A registry whose every row is rejected once crashed in the aggregation (pandas merge on an empty frame).
    from sync.commands.sync import main

    registry = tmp_path / "registry.csv"
    registry.write_text("รหัสโรงเรียน,ชื่อโรงเรียน\n1048000001,โรงเรียนบ้านหนองบัว\n", encoding="utf-8")
    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[google]\nendpoint = "emulator"\n[paths]\ndata_dir = "{tmp_path / "data"}"\n'
                   f'history_db = "{tmp_path / "h.db"}"\nregistry = "{registry}"\n', encoding="utf-8")
    for name in ("KHET_REGISTRY", "KHET_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--config", str(cfg), "run", "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert (report["run_id"], report["status"], report["exit_code"]) == (None, "failed", 2)
    assert report["message_th"] == (
        f"เริ่มงานไม่ได้: ทะเบียนโรงเรียน {registry} ไม่มีโรงเรียนที่ใช้งานได้ (ข้อผิดพลาด 1 รายการ — "
        "ไม่พบคอลัมน์ที่ต้องกรอก \"อีเมลติดต่อ\" — ทุกแถว (1 แถว: แถว 2) จึงไม่ผ่าน; แก้ทะเบียนแล้วสั่งใหม่)")
    assert report["message_en"] == (
        f"the run could not start: the school registry {registry} has no usable school (1 error(s) — required "
        "column \"อีเมลติดต่อ\" (contact_email) is missing — all 1 rows are rejected (rows 2); fix the registry and run again)")


def test_khet_sync_bad_options_are_usage_errors(tmp_path, capsys, monkeypatch):
    # --fy 2026 once ran a whole night for the year 1483; --today 22/11/2569 and --at 25:00 were tracebacks.
    import pytest

    from sync.commands.sync import main

    cfg = tmp_path / "khet.toml"
    cfg.write_text(f'[schedule]\ntime = "25:00"\n[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    monkeypatch.delenv("KHET_SCHEDULE", raising=False)
    for argv, message in (
            (["run", "--fy", "2026"], "argument --fy: ปีงบประมาณต้องเป็นปี พ.ศ. 2401–2700 เช่น 2569 — ค.ศ. 2026 คือ "
                                      "พ.ศ. 2569 / the fiscal year must be a Buddhist Era year 2401–2700, e.g. 2569 — "
                                      "CE 2026 is BE 2569: '2026'"),
            (["run", "--today", "31/02/2569"], "argument --today: ไม่มีวันที่ 31 กุมภาพันธ์ 2569: \"31/02/2569\" / "
                                               "there is no day 31 in February 2026: \"31/02/2569\""),
            (["daemon", "--at", "25:00"], "argument --at: เวลา '25:00' ไม่ถูกต้อง ใช้รูปแบบ ชม:นาที เช่น 02:00 / "
                                          "time '25:00' is invalid; use HH:MM, e.g. 02:00")):
        with pytest.raises(SystemExit) as exit_:
            main(["--config", str(cfg), *argv])
        assert exit_.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1].endswith(f" error: {message}")
    from sync.cli import main as khet

    for argv in (["--config", str(cfg), "daemon"], ["daemon", "--config", str(cfg)]):  # either side of it
        assert khet(["sync", *argv]) == 2
        assert ("ERROR: [schedule.time] เวลา '25:00' ไม่ถูกต้อง ใช้รูปแบบ ชม:นาที เช่น 02:00 / "
                "time '25:00' is invalid; use HH:MM, e.g. 02:00\n") in capsys.readouterr().err
