"""The nightly job never fails silently and no single school (or output) stops the district: each failure of
issue 10's "Why", reproduced on the emulator, with what the person on call sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sync.demo import FY, NIGHT_1
from sync.history import History
from sync.job import JobSettings, run_once
from sync.runreport import EXIT_FAILED
from workbook.sheets import SHEETS


def night(dd, history: History, *, day: dt.date = NIGHT_1, **kw) -> object:
    read, write = dd.job_clients(tries=kw.pop("tries", 2), timeout=10)
    fields = dict(history=history, registry=dd.registry, read_client=read, write_client=write,
                  district_spreadsheet_id=dd.district_id, report_dir=Path(history.path).parent / "out",
                  fiscal_year=FY, today=day, trigger="test")
    return run_once(JobSettings(**{**fields, **kw}))


def test_a_failed_district_sheet_leaves_the_xlsx_and_every_feedback_written(district, tmp_path, monkeypatch):
    """Why: a brief fault on the district-sheet write aborted the night: no feedback for any school, run failed."""
    import sync.job

    monkeypatch.setattr(sync.job, "DISTRICT_SHEET_PAUSE", 0.01)
    dd = district
    with History(tmp_path / "h.sqlite") as h:
        rep = night(dd, h, district_spreadsheet_id="nosuchspreadsheet")
        assert rep.exit_code == 1  # partial: read, consolidated, the .xlsx and feedback written
        assert rep.writers["district_sheet"]["ok"] is False and "404" in rep.writers["district_sheet"]["error"]
        assert rep.writers["xlsx"]["ok"] and rep.writers["feedback"]["ok"]
        assert rep.outputs["feedback_written"] == 3
        openpyxl.load_workbook(rep.outputs["xlsx"])
        assert "district_sheet" in rep.message_en and "district_sheet" in rep.message_th
        # A brief fault: the first swap fails on its first batchUpdate, the second succeeds.
        dd.emu.configure(file_faults={dd.district_id: {"error_503": 1.0}})
        calls = []
        real = sync.job.write_google

        def flaky(*a, **kw):
            calls.append(1)
            if len(calls) == 2:
                dd.emu.configure(file_faults={dd.district_id: {}})
            return real(*a, **kw)

        monkeypatch.setattr(sync.job, "write_google", flaky)
        try:
            rep = night(dd, h, tries=1)
        finally:
            dd.emu.configure(file_faults={dd.district_id: {}})
        assert rep.exit_code == 0 and rep.outputs["district_sheet"]["attempts"] == 2, rep.writers


# --- configuration checked before any work; "nothing listed" is not "nothing changed"; exit codes ------------

def khet_json(argv) -> tuple[int, dict]:
    import contextlib
    import io
    import json

    from sync.cli import main as khet

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = khet(argv)
    return code, json.loads(out.getvalue())


def write_config(tmp: Path, dd, **google) -> Path:
    values = {"key_file": str(dd.key), "endpoint": dd.emu.url, "district_spreadsheet_id": dd.district_id, **google}
    lines = ["[google]", *(f'{k} = "{v}"' for k, v in values.items())]
    lines += ["[paths]", f'data_dir = "{tmp / "data"}"', f'history_db = "{tmp / "data" / "history.sqlite"}"',
              f'registry = "{dd.state / "registry.csv"}"', f'log_dir = "{tmp / "logs"}"',
              f'report_dir = "{tmp / "out"}"',
              "[quota]", "reads_per_minute = 60", "writes_per_minute = 60",
              "[retry]", "max_tries = 2", "base_delay = 0.05", "max_delay = 0.1", "timeout = 10"]
    path = tmp / "khet.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sync_run(cfg: Path) -> tuple[int, dict]:
    return khet_json(["sync", "run", "--config", str(cfg), "--fy", str(FY), "--today", NIGHT_1.isoformat(), "--json"])


def test_settings_that_config_check_calls_errors_are_never_run(district, tmp_path):
    """Why: `writes_per_minute = 0` was run anyway (a 10-school run still held the lock after 2 minutes)."""
    cfg = write_config(tmp_path, district)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("writes_per_minute = 60", "writes_per_minute = 0"),
                   encoding="utf-8")
    code, out = sync_run(cfg)
    assert code == 2
    assert [p["setting"] for p in out["error"]["problems"]] == ["quota.writes_per_minute"]
    assert not (tmp_path / "data" / "history.sqlite").exists()  # nothing started


def test_a_pasted_url_is_its_id_everywhere_and_other_text_is_refused(district, tmp_path):
    """Why: a URL as district_spreadsheet_id failed only after all the work (404 on /v4/spreadsheets/https://…)."""
    dd = district
    url = f"https://docs.google.com/spreadsheets/d/{dd.district_id}/edit#gid=0"
    cfg = write_config(tmp_path, dd, district_spreadsheet_id=url)
    code, shown = khet_json(["config", "show", "--config", str(cfg), "--json"])
    assert code == 0 and shown["google.district_spreadsheet_id"]["value"] == dd.district_id
    code, rep = sync_run(cfg)
    assert code == 0, rep["message_en"]
    assert rep["outputs"]["district_sheet"]["spreadsheet_id"] == dd.district_id
    code, out = sync_run(write_config(tmp_path, dd, district_spreadsheet_id="สรุปผลเขต ปี 69"))
    assert code == 2 and out["error"]["problems"][0]["setting"] == "google.district_spreadsheet_id"


def test_a_wrong_folder_fails_at_start_naming_the_setting(district, tmp_path):
    """Why: a wrong drive_folder_id (or one the account cannot see) gave exit 0, "success", every school
    "unchanged", although every school had edited its sheet."""
    code, rep = sync_run(write_config(tmp_path, district, drive_folder_id="1NoSuchFolderAtAll"))
    assert code == 2 and rep["status"] == "failed"
    assert "google.drive_folder_id" in rep["message_th"] and "google.drive_folder_id" in rep["message_en"]
    assert "1NoSuchFolderAtAll" in rep["message_en"] and "share" in rep["message_en"]
    assert not (tmp_path / "data" / "history.sqlite").exists() or not History(
        tmp_path / "data" / "history.sqlite").runs()


def test_nothing_listed_is_not_nothing_changed(district, tmp_path):
    """A folder that lists none of the schools' sheets is a failed night even when each sheet is still visible."""
    dd = district
    from sync.gclient import SCOPES_PROVISION, connect

    owner = connect(dd.key, SCOPES_PROVISION, endpoint=dd.emu.url)
    empty_folder = owner.http_client.request("post", "https://www.googleapis.com/drive/v3/files", json={
        "name": "ว่าง", "mimeType": "application/vnd.google-apps.folder"}).json()["id"]
    with History(tmp_path / "h.sqlite") as h:
        rep = night(dd, h, folder_id=empty_folder)
    assert rep.exit_code == EXIT_FAILED
    assert {s.reason for s in rep.schools} == {"moved"} and rep.counts["schools_listed"] == 0
    assert "google.drive_folder_id" in rep.message_en


def test_an_unshared_sheet_is_reported_and_the_night_is_partial(district, tmp_path):
    dd = district
    school = dd.schools[1]
    with History(tmp_path / "h.sqlite") as h:
        assert night(dd, h).exit_code == 0
        from sync.gclient import SCOPES_PROVISION, connect

        owner = connect(dd.key, SCOPES_PROVISION, endpoint=dd.emu.url)
        # The school moves its sheet to the trash (as it would by mistake): listed, trashed.
        owner.http_client.request("patch", f"https://www.googleapis.com/drive/v3/files/{dd.ids[school.code]}",
                                  json={"trashed": True})
        rep = night(dd, h)
    assert rep.exit_code == 1
    got = {s.school_code: (s.outcome, s.reason, s.detail) for s in rep.schools}
    assert got[school.code][:2] == ("failed", "deleted") and "trash" in got[school.code][2]
    assert sum(o == "read" for o, _, _ in got.values()) == len(dd.schools) - 1


def test_a_refused_key_and_an_unreachable_google_exit_2(district, tmp_path):
    """Why: a refused key, an unreachable endpoint or every school failing exited 1 ("partial"), which the
    README's systemd unit treated as success."""
    import json as jsonlib

    dd = district
    forged = jsonlib.loads(Path(dd.emu.service_account("someone-else@khet-demo.iam.gserviceaccount.com")).read_text())
    forged["client_email"] = jsonlib.loads(Path(dd.key).read_text())["client_email"]  # right name, wrong key
    bad_key = tmp_path / "forged.json"
    bad_key.write_text(jsonlib.dumps(forged), encoding="utf-8")
    bad_key.chmod(0o600)
    code, rep = sync_run(write_config(tmp_path, dd, key_file=bad_key))
    assert code == 2 and "refused" in rep["message_en"] and "ปฏิเสธ" in rep["message_th"]
    code, rep = sync_run(write_config(tmp_path, dd, endpoint="http://127.0.0.1:9"))
    assert code == 2 and "cannot reach Google" in rep["message_en"]


def test_every_school_failing_exits_2(district, tmp_path):
    dd = district
    dd.emu.configure(file_faults={sid: {"error_500": 1.0} for sid in dd.ids.values()})
    try:
        with History(tmp_path / "h.sqlite") as h:
            rep = night(dd, h, tries=1)
    finally:
        dd.emu.configure(file_faults={sid: {} for sid in dd.ids.values()})
    assert rep.exit_code == EXIT_FAILED and rep.counts["schools_failed"] == len(dd.schools)
    assert "no school could be read" in rep.message_en and "อ่านไม่ได้เลย" in rep.message_th


# --- the history is never silently replaced --------------------------------------------------------------------

def _first_night(dd, tmp_path) -> Path:
    cfg = write_config(tmp_path, dd)
    code, rep = sync_run(cfg)
    assert code == 0, rep["message_en"]
    return cfg


@pytest.mark.parametrize("damage", ["emptied", "deleted", "garbage"])
def test_a_damaged_history_is_never_replaced_silently(district, tmp_path, damage):
    """Why: truncating history.sqlite to 0 bytes (or deleting it) after night 1 made night 2 exit 0 with a fresh
    history — on-time schools became late, their first evidence gone."""
    cfg = _first_night(district, tmp_path)
    db = tmp_path / "data" / "history.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    if damage == "emptied":
        db.write_bytes(b"")
    elif damage == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"this is not a database, it was overwritten" * 100)
    code, rep = sync_run(cfg)
    assert code == 2 and rep["status"] == "failed"
    assert "khet history restore" in rep["message_en"] and "--new-history" in rep["message_en"]
    # Said once (the report), and in the night's log file — not again on stderr by logging's last resort.
    assert any("run could not start" in p.read_text(encoding="utf-8") for p in (tmp_path / "logs").glob("*.log"))
    if damage == "emptied":  # as cron runs it: a process of its own, stdout and stderr apart
        import subprocess
        import sys

        p = subprocess.run([sys.executable, "-m", "sync.cli", "sync", "run", "--config", str(cfg), "--fy", str(FY),
                            "--today", NIGHT_1.isoformat()], capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and p.stdout.count("history.sqlite") >= 1 and p.stderr == ""
    assert "khet history restore" in rep["message_th"]
    # On purpose: a new history, the broken file kept aside (never deleted).
    code, rep = khet_json(["sync", "run", "--config", str(cfg), "--fy", str(FY), "--today", NIGHT_1.isoformat(),
                           "--json", "--new-history"])
    assert code == 0, rep["message_en"]
    if damage != "deleted":
        assert list((tmp_path / "data").glob("history.sqlite.broken-*"))
    # Run IDs go on after the earlier reports: run-000001.json of the first history is not overwritten.
    assert rep["run_id"] == 2
    assert sorted(p.name for p in (tmp_path / "data" / "runs").glob("run-*.json")) == ["run-000001.json",
                                                                                     "run-000002.json"]


def test_backup_restore_and_rotation(district, tmp_path):
    from sync.cli import main as khet

    cfg = _first_night(district, tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("[paths]", "[paths]\nhistory_backups = 2"), encoding="utf-8")
    for _ in range(2):
        assert sync_run(cfg)[0] == 0
    nightly = sorted((tmp_path / "data" / "backups").glob("history-*.sqlite"))
    assert len(nightly) == 2  # three nights, the newest two kept
    copy = tmp_path / "manual.sqlite"
    assert khet(["history", "backup", str(copy), "--config", str(cfg)]) == 0
    db = tmp_path / "data" / "history.sqlite"
    db.write_bytes(b"")
    assert khet(["history", "restore", str(tmp_path / "nothing.sqlite"), "--config", str(cfg)]) == 2
    assert khet(["history", "restore", str(copy), "--config", str(cfg)]) == 0
    with History(db) as h:
        assert len(h.runs()) == 3 and h.submissions(FY)
    assert oct(db.stat().st_mode & 0o777) == "0o600" and oct(copy.stat().st_mode & 0o777) == "0o600"
    assert sync_run(cfg)[0] == 0  # and the nights go on


def test_append_only_is_enforced_in_the_schema(district, tmp_path):
    """Why: "append-only" was a convention: an outside `UPDATE submissions` succeeded."""
    import sqlite3

    _first_night(district, tmp_path)
    db = tmp_path / "data" / "history.sqlite"
    outside = sqlite3.connect(db)
    first = outside.execute("SELECT school_code, report_key, fiscal_year, submitted_on FROM submissions").fetchone()
    assert first is not None
    for sql in ("UPDATE submissions SET submitted_on='2020-01-01'", "DELETE FROM submissions",
                "DELETE FROM snapshots", "UPDATE reads SET outcome='read'", "DELETE FROM runs",
                "UPDATE runs SET status='success'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            outside.execute(sql)
    outside.execute("INSERT OR REPLACE INTO submissions (school_code, report_key, fiscal_year, submitted_on, run_id,"
                    " seen_at) VALUES (?, ?, ?, '2020-01-01', 1, 'x')", first[:3])
    assert outside.execute("SELECT submitted_on FROM submissions WHERE school_code=? AND report_key=? AND "
                           "fiscal_year=?", first[:3]).fetchone()[0] == first[3]
    outside.close()


def test_secrets_and_personal_data_at_rest(district, tmp_path):
    """Why: key files were written 0644 (demo, emulator serve --key-out, the admin endpoint, which also wrote a
    key to any path given); history.sqlite (school personal data) was 0644."""
    import requests

    dd = district
    _first_night(dd, tmp_path)
    data = tmp_path / "data"
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    assert oct((data / "history.sqlite").stat().st_mode & 0o777) == "0o600"
    backups = data / "backups"
    assert oct(backups.stat().st_mode & 0o777) == "0o700"  # copies of the history: its owner only (was 0755)
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in backups.iterdir())
    assert oct(Path(dd.key).stat().st_mode & 0o777) == "0o600"
    assert oct(Path(dd.emu.service_account("x@khet-demo.iam.gserviceaccount.com")).stat().st_mode & 0o777) == "0o600"
    outside = tmp_path / "stolen.json"
    r = requests.post(f"{dd.emu.url}/_emulator/service_account", json={"path": str(outside)}, timeout=10)
    assert r.status_code == 400 and not outside.exists()
    r = requests.post(f"{dd.emu.url}/_emulator/service_account", json={"path": "../up.json"}, timeout=10)
    assert r.status_code == 400
    r = requests.post(f"{dd.emu.url}/_emulator/service_account", json={"path": "mine.json"}, timeout=10)
    assert r.status_code == 200 and Path(r.json()["path"]).parent == dd.emu.key_dir
    assert oct(Path(r.json()["path"]).stat().st_mode & 0o777) == "0o600"


def test_rejected_registry_rows_are_reported_every_night(district, tmp_path):
    """Why: registry rows rejected (a duplicate code, a code that lost its leading zeros) vanished from the
    nightly run: exit 0, schools_total 2 of 4, mentioned nowhere."""
    from sync.registry import load_registry

    dd = district
    text = (dd.state / "registry.csv").read_text(encoding="utf-8").rstrip("\n").split("\n")
    bad = tmp_path / "registry.csv"
    first = text[2].split(",")  # the first school (under the two header rows)
    # The first school again, and a school whose code 0104800009 lost its leading zero in Excel.
    bad.write_text("\n".join([*text, text[2], ",".join(["104800009", "โรงเรียนศูนย์หาย", *first[2:8], "", ""])]) + "\n",
                   encoding="utf-8")
    registry = load_registry(bad)
    assert sum(f.severity == "error" for f in registry.findings) == 2
    with History(tmp_path / "h.sqlite") as h:
        rep = night(dd, h, registry=registry)
    assert rep.exit_code == 1 and rep.counts["registry_rejected"] == 2 and len(rep.registry) == 2
    assert "2 registry rows rejected" in rep.message_en and "ทะเบียนโรงเรียน" in rep.message_th
    found = rep.summary.findings
    assert (found["sheet_key"] == "school_registry").sum() == 2
    wb = openpyxl.load_workbook(rep.outputs["xlsx"])
    findings_tab = wb[SHEETS["findings"].title_th]
    assert sum(1 for r in findings_tab.iter_rows(values_only=True) if r[0] == "ทะเบียน") == 2


def test_a_locked_history_waits_a_bounded_time_then_says_so(tmp_path):
    """Why: a locked or corrupt history gave an English-only message and a traceback."""
    import sqlite3
    import time

    from sync.safekeeping import HistoryError, open_history

    db = tmp_path / "h.sqlite"
    History(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    t0 = time.monotonic()
    with pytest.raises(HistoryError) as info:
        open_history(db, data_dir=tmp_path, wait=0.5)
    assert 0.4 < time.monotonic() - t0 < 10
    assert info.value.code == "history.locked" and "ล็อก" in info.value.message_th and "locked" in info.value.message_en
    holder.execute("ROLLBACK")
    holder.close()
    open_history(db, data_dir=tmp_path, wait=0.5).close()


def test_a_full_disk_is_said_in_both_languages():
    import errno
    import sqlite3

    from sync.job import failure_text

    for exc in (OSError(errno.ENOSPC, "No space left on device"), sqlite3.OperationalError("database or disk is full")):
        th, en = failure_text(exc)
        assert "ดิสก์เต็ม" in th and "disk is full" in en
