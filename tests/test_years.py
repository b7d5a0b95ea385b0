"""Fiscal years kept apart, end to end on the emulator: the year's open (next year's sheets, profile carried
over, idempotent and resumable), the 1 October rollover (last year's Q4 progress due 15 October and the
12-month KPI report confirmed 30 September still counted in their year; 'ไม่ส่ง' as soon as a window closes;
last year's rows never read as this year's), the close (final summary, what is missing, read-only for schools,
recorded; refused while a window is open) and the reopen (a reason needed)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from gspread.exceptions import APIError

from addin.reminders import Policy
from addin.status import TIMEZONE
from addin.thaidate import format_thai_date
from sync.demo import _write_school, generate_district, night_time, setup_district
from sync.emulator import Emulator
from sync.gclient import SCOPES_PROVISION, connect
from sync.google_template import ensure_template
from sync.history import History
from sync.job import JobSettings, run_locked
from sync.remind import last_statuses, plan
from sync.year_ops import close_year, open_year, reopen_year, set_tracking_start, year_sheet_name
from sync.years import YearError, years_to_track
from workbook.reports import REPORTS_BY_KEY

OLD, NEW = 2569, 2570


def bkk(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), TIMEZONE)


def confirm(report_key: str, fy: int, typed: dt.date) -> list:
    return [REPORTS_BY_KEY[report_key].title_th, fy, "นางสาวกาญจนา ทองดี", "ครู", format_thai_date(typed), "ใช่"]


class Year:
    """Three generated schools provisioned for 2569; nights run as the daemon runs them (every open year)."""

    def __init__(self, tmp, emu):
        self.tmp, self.emu = tmp, emu
        self.dd = setup_district(emu, tmp, generate_district(3, 1, seed=1))
        self.codes = [s.code for s in self.dd.schools]
        self.school = {s.code: s for s in self.dd.schools}
        self.history = History(tmp / "history.sqlite")
        self.read, self.write = self.dd.job_clients()
        self.admin = connect(self.dd.key, SCOPES_PROVISION, endpoint=emu.url)
        self.template_id, _ = ensure_template(self.admin, None)

    def types(self, code: str, sid: str, when: dt.datetime, **tabs) -> None:
        self.emu.set_file_clock(when)
        _write_school(self.dd.clients[code], sid, tabs, {})

    def settings(self, day: dt.date, **kw) -> JobSettings:
        kw = {"trigger": "test", "district_spreadsheet_id": self.dd.district_id, **kw}
        return JobSettings(history=self.history, registry=self.dd.registry, read_client=self.read,
                           write_client=self.write, report_dir=self.tmp / "out", today=day, now=night_time(day), **kw)

    def night(self, day: dt.date, **kw):
        self.emu.set_file_clock(night_time(day))
        return run_locked(self.settings(day, **kw), lock_path=self.tmp / "sync.lock", json_dir=self.tmp / "runs")

    def open(self, fy: int, day: dt.date):
        self.emu.set_file_clock(bkk(day, 10))
        return open_year(self.admin, self.history, self.dd.registry, fy, template_id=self.template_id,
                         folder_id=None, by="นายสมชาย ผู้ดูแลระบบ", at=bkk(day, 10))

    def runs_of(self, night_rep) -> dict[int, dict]:
        return {y["fiscal_year"]: y for y in night_rep.years}


def _status(h: History, run_id: int, code: str, key: str) -> str:
    return next(r["status"] for r in h.statuses(run_id) if r["school_code"] == code and r["report_key"] == key)


def kpi_rows(school, round_: str) -> list:
    rows = school.grids(dt.date(2026, 7, 20))["kpi"]
    return [[round_, *r[1:]] for r in rows] or [[round_, "K1", "ร้อยละของนักเรียนที่อ่านออก", "ร้อยละ",
                                                  "มากกว่าหรือเท่ากับดีกว่า", 85, 88, 4]]


def test_rollover_open_close_reopen(tmp_path):
    with Emulator(user_quota=10**6, project_quota=10**6) as emu:
        y = Year(tmp_path, emu)
        h = y.history
        a, b, c = y.codes
        old_ids = dict(y.dd.ids)
        progress_a = [[*r[:2], "4", *r[3:]] for r in y.school[a].grids(dt.date(2026, 7, 20))["progress"]
                      if str(r[2]) == "3"]
        assert progress_a, "the generated school has Q3 rows to copy as Q4"
        y.types(a, old_ids[a], bkk(dt.date(2026, 9, 1), 9), school_profile=y.school[a].grids(
            dt.date(2026, 7, 20))["school_profile"])

        first = y.night(dt.date(2026, 9, 20))            # the first night ever: 2569 is opened by it
        assert [r["fiscal_year"] for r in first.years] == [OLD] and first.exit_code in (0, 1)
        assert h.year_sheets(OLD) == old_ids

        # Next year's sheets, made in September (idempotent: the second open makes no copy).
        opened = y.open(NEW, dt.date(2026, 9, 25))
        assert opened.result.count("created") == 3 and opened.carried == 1
        new_ids = h.year_sheets(NEW)
        assert set(new_ids) == set(y.codes) and not set(new_ids.values()) & set(old_ids.values())
        assert {s.code: s.spreadsheet_id for s in y.dd.registry.schools} == new_ids  # the registry shows 2570's
        again = y.open(NEW, dt.date(2026, 9, 26))
        assert again.result.count("already") == 3 and again.result.count("created") == 0
        names = {f["id"]: f["name"] for f in y.admin.list_spreadsheet_files()}
        assert names[new_ids[a]] == year_sheet_name(a, y.school[a].name, NEW)
        profile = y.admin.open_by_key(new_ids[a]).worksheet("ข้อมูลโรงเรียน").get_all_values(
            value_render_option="UNFORMATTED_VALUE")
        carried = y.school[a].grids(dt.date(2026, 7, 20))["school_profile"][0]
        assert profile[2][:3] == carried[:3] and profile[2][4:9] == carried[4:9]  # students … phone carried over
        assert profile[2][11] == NEW

        # Still September: only 2569 is tracked (2570 has not begun).
        sep = y.night(dt.date(2026, 9, 28))
        assert [r["fiscal_year"] for r in sep.years] == [OLD]

        # School A confirms the 12-month KPI at 23:00 on 30 Sep in its 2569 sheet, read at 02:00 on 1 Oct.
        y.types(a, old_ids[a], bkk(dt.date(2026, 9, 30), 23), kpi=kpi_rows(y.school[a], "12 เดือน"),
                submission=[confirm("kpi_12m", OLD, dt.date(2026, 9, 30))])
        oct1 = y.night(dt.date(2026, 10, 1))
        runs = y.runs_of(oct1)
        assert sorted(runs) == [OLD, NEW]
        assert _status(h, runs[OLD]["run_id"], a, "kpi_12m") == "on_time"
        # 2570 reads only 2570's sheets: none of A's 2569 rows is this year's.
        assert _status(h, runs[NEW]["run_id"], a, "kpi_12m") != "on_time"
        assert {r["spreadsheet_id"] for r in h.school_reads(a) if r["run_id"] == runs[NEW]["run_id"]} == {new_ids[a]}
        assert oct1.fiscal_year == NEW and oct1.outputs["district_sheet"]  # the district sheet shows 2570

        # Reminders know both years: on 15 Oct last year's Q4 progress is due today, named with its year and
        # linked to the school's 2569 sheet (the registry already holds its 2570 one).
        statuses = last_statuses(h, dt.date(2026, 10, 15))
        assert set(statuses["fiscal_year"]) == {OLD, NEW}
        p = plan(statuses, y.dd.registry, [], now=bkk(dt.date(2026, 10, 15), 9), policy=Policy(), email=True,
                 line=False, year_sheets={OLD: h.year_sheets(OLD), NEW: h.year_sheets(NEW)})
        q4 = next(i for i in p.digests[b] if i.report_key == "progress_q4")
        assert q4.kind == "due_today" and q4.earlier_year == OLD
        mail = next(m for m in p.messages if m.schools == (b,))
        assert f"ปีงบประมาณ {OLD} (กำหนดส่ง" in mail.body and old_ids[b] in mail.body and new_ids[b] not in mail.body

        # Q4 progress of 2569: A sends it on 10 Oct (its 2569 sheet), B never does; on 16 Oct B's is missing.
        y.types(a, old_ids[a], bkk(dt.date(2026, 10, 10), 14), progress=progress_a,
                submission=[confirm("kpi_12m", OLD, dt.date(2026, 9, 30)),
                            confirm("progress_q4", OLD, dt.date(2026, 10, 10))])
        oct16 = y.night(dt.date(2026, 10, 16))
        run_old = y.runs_of(oct16)[OLD]["run_id"]
        assert _status(h, run_old, a, "progress_q4") == "on_time"
        assert _status(h, run_old, b, "progress_q4") == "missing"   # the window closed on 15 Oct
        assert _status(h, run_old, a, "kpi_12m") == "on_time"

        # The close: refused while a window is open; on 20 Oct it closes.
        with pytest.raises(YearError) as refused:
            close_year(y.admin, h, y.dd.registry, OLD, run=lambda fy: None, report_dir=tmp_path / "out",
                       now=bkk(dt.date(2026, 10, 12), 9))
        assert "progress_q4" in refused.value.message_en
        y.emu.set_file_clock(bkk(dt.date(2026, 10, 20), 9))
        closed = close_year(
            y.admin, h, y.dd.registry, OLD, by="นางสาวพรทิพย์ แผนงาน", reason="สิ้นปีงบประมาณ",
            report_dir=tmp_path / "out", now=bkk(dt.date(2026, 10, 20), 9),
            run=lambda fy: run_locked(y.settings(dt.date(2026, 10, 20), fiscal_year=fy, trigger="close",
                                                 district_spreadsheet_id=None),
                                      lock_path=tmp_path / "sync.lock", json_dir=tmp_path / "runs"))
        assert closed.final_xlsx.is_file() and closed.read_only == 3 and not closed.failed
        # The final summary says so inside (its own line above the charts, every printed header), charts kept.
        final = openpyxl.load_workbook(closed.final_xlsx)
        assert final.worksheets[0]["A3"].value.startswith(f"ปิดปีงบประมาณ {OLD} แล้ว เมื่อ 20 ต.ค. 2569 09:00 น.")
        assert all(ws.oddHeader.center.text == "ฉบับสุดท้าย ปิดปีแล้ว (final)" for ws in final.worksheets)
        assert len(final.worksheets[0]._charts) == 4 and "ฉบับสุดท้าย" in final.properties.title
        assert (b, "progress_q4") in closed.missing and (a, "progress_q4") not in closed.missing
        assert h.year_state(OLD) == "closed"
        event = h.year_events(OLD)[-1]
        assert event["action"] == "close" and event["by_whom"] == "นางสาวพรทิพย์ แผนงาน"
        # A school can no longer write its 2569 sheet; it still writes its 2570 one.
        with pytest.raises(APIError):
            y.types(b, old_ids[b], bkk(dt.date(2026, 10, 21), 9), submission=[confirm("progress_q4", OLD,
                                                                                       dt.date(2026, 10, 21))])
        y.types(b, new_ids[b], bkk(dt.date(2026, 10, 21), 9), submission=[])

        # The night after the close tracks 2570 only.
        oct22 = y.night(dt.date(2026, 10, 22))
        assert [r["fiscal_year"] for r in oct22.years] == [NEW]

        # Reopening needs a reason; then the school can write again and the night tracks 2569 again.
        with pytest.raises(YearError):
            reopen_year(y.admin, h, y.dd.registry, OLD, reason=" ")
        changed, failed = reopen_year(y.admin, h, y.dd.registry, OLD, reason="โรงเรียนขอแก้รายงานไตรมาส 4",
                                      by="นางสาวพรทิพย์ แผนงาน")
        assert changed == 3 and not failed
        y.types(b, old_ids[b], bkk(dt.date(2026, 10, 23), 9), submission=[])
        assert years_to_track(h, dt.date(2026, 10, 23)).years == [OLD, NEW]
        h.close()


def test_a_current_year_not_opened_is_said_and_last_years_sheets_are_not_read_as_it(tmp_path):
    with Emulator(user_quota=10**6, project_quota=10**6) as emu:
        y = Year(tmp_path, emu)
        assert y.night(dt.date(2026, 9, 29)).exit_code == 0
        rep = y.night(dt.date(2026, 10, 2))
        assert [r["fiscal_year"] for r in rep.years] == [OLD]     # still 2569's sheets, judged as 2569's
        assert rep.exit_code == 1 and "khet year open 2570" in rep.message_en
        assert rep.year_notes and "ยังไม่เปิด" in rep.year_notes[0]["message_th"]
        y.history.close()


def test_tracking_start_is_inside_the_year(tmp_path):
    h = History(tmp_path / "h.sqlite")
    set_tracking_start(h, OLD, dt.date(2026, 3, 1), by="staff")
    assert h.tracking_start(OLD) == dt.date(2026, 3, 1)
    with pytest.raises(YearError):
        set_tracking_start(h, OLD, dt.date(2026, 10, 1))
    h.close()


def test_khet_year_commands(tmp_path, capsys):
    from sync.cli import main
    from tests.test_reliability import write_config

    with Emulator(user_quota=10**6, project_quota=10**6) as emu:
        dd = setup_district(emu, tmp_path, generate_district(3, 1, seed=2))
        cfg = str(write_config(tmp_path, emu, dd))
        assert main(["sync", "--config", cfg, "run", "--fy", str(OLD)]) in (0, 1)
        assert main(["year", "--config", cfg, "open", str(NEW), "--by", "admin"]) == 0
        out = capsys.readouterr().out
        assert "created 3" in out and f"fiscal year {NEW} opened" in out
        assert main(["year", "--config", cfg, "open", str(NEW)]) == 0
        assert "already 3" in capsys.readouterr().out
        assert main(["year", "--config", cfg, "close", str(OLD), "--by", "staff"]) == 0
        out = capsys.readouterr().out
        assert f"khet-summary-{OLD}-final.xlsx" in out and "made read-only: 3" in out
        assert main(["year", "--config", cfg, "start", str(NEW), "1/11/2569"]) == 0
        assert main(["year", "--config", cfg, "start", str(NEW), "1/11/2571"]) == 2   # outside the year
        assert "outside fiscal year 2570" in capsys.readouterr().err
        assert main(["year", "--config", cfg, "status", "--json"]) == 0
        status = {y["fiscal_year"]: y for y in json.loads(capsys.readouterr().out)}
        assert status[OLD]["state"] == "closed" and status[NEW]["state"] == "open"
        assert status[NEW]["school_sheets"] == 3 and status[NEW]["tracking_start"] == "2026-11-01"
        with pytest.raises(SystemExit):  # a reopen without a reason is refused by the parser
            main(["year", "--config", cfg, "reopen", str(OLD)])
        assert main(["year", "--config", cfg, "close", str(OLD)]) == 2
        assert "already closed" in capsys.readouterr().err
