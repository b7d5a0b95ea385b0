"""The nightly job end to end on the emulator: ten generated schools, two nights with edits in between, then
quiet nights; submission dates, statuses, history, the district sheet (RAW, atomic), the .xlsx (neutralised),
feedback tabs, the lock and the daemon."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import gspread
import openpyxl
import pytest

from sync.daemon import Daemon, request_run
from sync.demo import (
    BEFORE_1,
    BETWEEN,
    FY,
    INJECTION,
    INJECTION_MONEY,
    NIGHT_1,
    NIGHT_2,
    generate_district,
    night_time,
    setup_district,
)
from sync.emulator import Emulator
from sync.gclient import SCOPES_WRITE, connect
from sync.history import History
from sync.job import JobSettings, run_locked
from sync.lock import RunLock
from sync.runreport import EXIT_LOCKED, EXIT_OK
from sync.summary import STAGING_PREFIX, SUMMARY_TITLES, TAB_TITLES, write_google
from workbook.reports import REPORTS
from workbook.sheets import SHEETS

CODES = [f"10480000{i:02d}" for i in range(1, 11)]
ON_TIME, WRONG, LATE, _, MISSING, WRONG_FIXED, _, ABSENT, INJECTOR, _ = CODES


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Night 1, night 2 (after edits), then two nights without any school edit."""
    tmp = tmp_path_factory.mktemp("job")
    with Emulator(user_quota=10**6, project_quota=10**6) as emu:
        dd = setup_district(emu, tmp, generate_district(10, 2, seed=0))
        history = History(tmp / "history.sqlite")
        read, write = dd.job_clients()
        staff = _staff_workbook(tmp)

        def night(day):
            emu.set_file_clock(night_time(day))  # Khet's own writes happen at night
            return run_locked(JobSettings(history=history, registry=dd.registry, read_client=read,
                                          write_client=write, district_spreadsheet_id=dd.district_id,
                                          report_dir=tmp / "out", fiscal_year=FY, today=day, trigger="test",
                                          staff_workbook=staff, now=night_time(day)),
                              lock_path=tmp / "sync.lock", json_dir=tmp / "runs")

        dd.type_as_of(NIGHT_1)
        reports = [night(NIGHT_1)]
        dd.type_as_of(NIGHT_2)
        reports += [night(NIGHT_2), night(NIGHT_2), night(NIGHT_2)]
        yield dd, history, reports, write, tmp
        history.close()


def _staff_workbook(tmp: Path) -> Path:
    """A staff workbook with one service request (stuck on step 2 since June) and one recommendation."""
    from sync.staff_rows import append_rows
    from workbook.templates import save_staff_workbook

    path = save_staff_workbook(tmp / "khet-staff.xlsx")
    append_rows(path, "service_requests", [{
        "request_id": "S-1", "school_code": CODES[0], "school_name": "โรงเรียนบ้านหนองบัว",
        "service": "การระดมทรัพยากรทางการศึกษาจากหน่วยงานอื่น", "received_on": "1 มิ.ย. 2569",
        "step1_done": "2 มิ.ย. 2569"}])
    append_rows(path, "inspection_followup", [{
        "item_no": "1", "fiscal_year": FY, "inspection_round": "รอบที่ 1", "recommendation": "เร่งรัดการเบิกจ่าย",
        "responsible_group": "กลุ่มนโยบายและแผน", "notified_on": "1 มิ.ย. 2569", "due_workdays": 30,
        "progress": "อยู่ระหว่างดำเนินการ"}])
    return path


def test_the_staff_trackers_are_in_the_nightly_run(nights):
    _, _, reports, _, tmp = nights
    # Night 1 (25 May) is before both were received; on night 2 (20 July) both are overdue.
    assert [r.counts["service_requests"] for r in reports[:2]] == [1, 1]
    assert reports[1].counts["service_requests_overdue"] == 1 and reports[1].counts["recommendations_overdue"] == 1
    follow = reports[1].summary.follow_up
    assert set(follow["kind_th"]) >= {"คำขอรับบริการเกินมาตรฐาน", "ข้อเสนอแนะผู้ตรวจราชการเกินกำหนด"}
    wb = openpyxl.load_workbook(tmp / "out" / f"khet-summary-{FY}.xlsx")
    rounds = list(wb["ผลการตรวจราชการรายรอบ"].iter_rows(min_row=3, values_only=True))
    assert rounds[-1][:9] == (FY, "รอบที่ 1", "รวมทุกกลุ่ม", 1, 0, 0, 1, 0, 1)


def test_exit_codes_and_reads(nights):
    _, _, reports, _, _ = nights
    assert [r.exit_code for r in reports] == [EXIT_OK] * 4
    assert [r.counts["schools_read"] for r in reports] == [10, 10, 10, 0]
    assert [r.counts["evidence_new"] > 0 for r in reports] == [True, True, False, False]
    # Night 3 re-reads once because our own feedback write moved every sheet's modifiedTime; the content is the
    # same, so nothing is rewritten and night 4 costs no Sheets read at all.
    assert [r.counts["read_requests"] for r in reports] == [10, 10, 10, 0]
    assert [r.outputs["feedback_written"] for r in reports] == [10, 10, 0, 0]
    assert reports[3].counts["schools_unchanged"] == 10


def test_submission_dates_and_statuses(nights):
    """Dated by the evidence (Drive's modifiedTime of the version read: the schools typed in the afternoon of
    their last edit), never by the night that saw it; policy (a): a report confirmed with data counts, its
    errors make it "needs correction"."""
    _, history, reports, _, _ = nights
    st = reports[-1].summary.status.set_index(["school_code", "report_key"])
    plan = {code: st.loc[(code, "action_plan")] for code in CODES}
    assert (plan[ON_TIME]["status"], plan[ON_TIME]["submitted_on"]) == ("on_time", BEFORE_1)
    afternoon = dt.datetime.combine(BEFORE_1, dt.time(15, 0))
    assert afternoon <= plan[ON_TIME]["submitted_at"] < afternoon + dt.timedelta(minutes=1)
    assert plan[ON_TIME]["basis"] == "evidence"
    # Confirmed after the due date, on the day it was typed (not the night it was seen).
    assert (plan[LATE]["status"], plan[LATE]["submitted_on"]) == ("late", BETWEEN)
    # Confirmed on time with an error, fixed after the due date: on time from (a), flagged as edited after due.
    assert (plan[WRONG_FIXED]["status"], plan[WRONG_FIXED]["submitted_on"]) == ("on_time", BEFORE_1)
    assert plan[WRONG_FIXED]["edited_after_due"] and not plan[WRONG_FIXED]["needs_correction"]
    assert not plan[ON_TIME]["edited_after_due"]
    # Confirmed on time but still wrong: on time, needs correction.
    w = plan[WRONG]
    assert (w["status"], w["confirmed"], w["valid"], w["errors"], w["needs_correction"]) == (
        "on_time", True, False, 2, True)
    # Not confirmed, or nothing at all: missing as soon as the due date (no grace days) is over.
    assert (plan[MISSING]["status"], plan[MISSING]["confirmed"], plan[MISSING]["rows"] > 0) == (
        "missing", False, True)
    assert (plan[ABSENT]["status"], plan[ABSENT]["rows"]) == ("missing", 0)
    ev = history.evidence(FY)
    assert ev[(WRONG, "action_plan")].keys() == {"with_data"}  # never valid: no (b)
    assert ev[(WRONG_FIXED, "action_plan")]["valid"] > ev[(WRONG_FIXED, "action_plan")]["with_data"]
    rows = [r for r in history.evidence_rows(ON_TIME) if r["report_key"] == "action_plan"]
    assert {r["source"] for r in rows} == {"drive_modified"} and rows[0]["run_id"] == reports[0].run_id
    subs = {(s["school_code"], s["report_key"]): s for s in history.submissions(FY)}
    assert subs[(ON_TIME, "action_plan")]["submitted_on"] == "2026-05-25"  # the night: secondary evidence
    # Statuses of every run are kept: 10 schools × 8 reports × 4 runs.
    assert len(history.statuses()) == 320


def test_history_keeps_every_version(nights):
    _, history, reports, _, _ = nights
    assert [r["status"] for r in history.runs()] == ["success"] * 4
    versions = [v for v in history.tab_versions(WRONG_FIXED) if v["sheet_key"] == "action_plan"]
    assert len(versions) == 2  # the wrong plan and the fixed one: both kept
    assert versions[0]["grid"][2][SHEETS["action_plan"].keys().index("end_date")] == "31/02/2569"
    assert versions[1]["run_id"] == reports[1].run_id
    findings = history.snapshot_findings(versions[0]["snapshot_id"])
    assert {f["code"] for f in findings} >= {"date.impossible"}


def test_district_sheet_is_raw_and_complete(nights):
    dd, _, reports, write, _ = nights
    meta = write.http_client.fetch_sheet_metadata(dd.district_id, params={"fields": "sheets.properties"})
    titles = [s["properties"]["title"] for s in meta["sheets"]]
    assert titles[:len(SUMMARY_TITLES)] == list(SUMMARY_TITLES)
    assert not any(t.startswith(STAGING_PREFIX) for t in titles)
    assert not any(s["properties"].get("hidden") for s in meta["sheets"])
    title = SHEETS["findings"].title_th
    rng = f"'{title}'"
    formulas = write.http_client.values_get(dd.district_id, rng, params={"valueRenderOption": "FORMULA"})["values"]
    assert formulas[0][:3] == ["รหัสโรงเรียน", "ชื่อโรงเรียน", "ชีต"]
    assert formulas[1][:3] == ["school_code", "school_name", "sheet"]
    raw_col = formulas[1].index("raw")
    injected = [row for row in formulas[2:] if len(row) > raw_col and row[raw_col] == INJECTION_MONEY]
    assert len(injected) == 1 and injected[0][0] == INJECTOR
    # Stored as text: the unformatted value is the same string (a formula would evaluate to something else).
    plain = write.http_client.values_get(dd.district_id, rng, params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert any(len(r) > raw_col and r[raw_col] == INJECTION_MONEY for r in plain["values"])


def test_xlsx_neutralises_school_text(nights):
    _, _, reports, _, _ = nights
    wb = openpyxl.load_workbook(reports[-1].outputs["xlsx"])
    assert wb.sheetnames == list(SUMMARY_TITLES)
    ws = wb[SHEETS["findings"].title_th]
    keys = [c.value for c in ws[2]]
    col = keys.index("raw") + 1
    cells = [ws.cell(r, col) for r in range(3, ws.max_row + 1) if ws.cell(r, col).value == INJECTION_MONEY]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix
    assert ws.row_dimensions[2].hidden
    assert len(wb[SUMMARY_TITLES[0]]._charts) == 4  # the chart page (tests/test_summary_look.py looks closer)
    assert len(wb["การบรรลุตัวชี้วัด"]._charts) == 1


def test_feedback_tab_names_the_cells(nights):
    dd, _, _, write, _ = nights
    title = SHEETS["feedback"].title_th
    rows = write.http_client.values_get(dd.ids[WRONG], f"'{title}'!A3:H")["values"]
    assert rows[0][1] == "การอ่านข้อมูลของเขต"
    plan_row = next(r for r in rows if r[1] == "กำหนดส่งและสถานะรายงาน" and r[2] == "แผนปฏิบัติการประจำปี")
    assert plan_row[3:5] == ["31 พ.ค. 2569", "ส่งแล้ว (ตรงเวลา)"]
    assert plan_row[6] == "เขตรับรายงานแล้วเมื่อ 10 พ.ค. 2569 เวลา 15:00 น. แต่ยังมีข้อผิดพลาด 2 รายการ ต้องแก้ไข"
    errors = [r for r in rows if r[1] == "ข้อผิดพลาดที่ต้องแก้"]
    assert any(r[5].startswith("ชีต แผนปฏิบัติการ แถว 3") and r[5].endswith("(เซลล์ O3)") for r in errors)
    # The injected text reached the injector's own feedback as plain text.
    inj = write.http_client.values_get(dd.ids[INJECTOR], f"'{title}'!A3:H",
                                       params={"valueRenderOption": "FORMULA"})["values"]
    money = [r for r in inj if len(r) > 6 and INJECTION_MONEY in r[6]]
    assert len(money) == 1 and money[0][1] == "ข้อผิดพลาดที่ต้องแก้" and money[0][5].endswith("(เซลล์ K4)")
    name = [r for r in inj if len(r) > 6 and INJECTION in r[6]]
    assert len(name) == 1 and name[0][1] == "ข้อสังเกต" and name[0][5].endswith("(เซลล์ B4)")


def test_lock_refuses_a_second_run(nights, tmp_path):
    dd, history, _, write, _ = nights
    runs_before = len(history.runs())
    with RunLock(tmp_path / "sync.lock"):
        rep = run_locked(JobSettings(history=history, registry=dd.registry, read_client=write),
                         lock_path=tmp_path / "sync.lock")
    assert rep.exit_code == EXIT_LOCKED
    assert "อีกชุด" in rep.message_th and "another run holds the lock" in rep.message_en
    assert len(history.runs()) == runs_before


def test_summary_swap_is_atomic(nights):
    """A crash between writing the staging tabs and the swap leaves the old summary whole and visible."""
    dd, _, reports, write, _ = nights
    before = write.http_client.values_get(dd.district_id, f"'{TAB_TITLES[4]}'")["values"]

    class CrashBeforeSwap(gspread.HTTPClient):
        def values_batch_update(self, *args, **kwargs):
            raise KeyboardInterrupt("killed while writing values")

    crashing = connect(dd.key, SCOPES_WRITE, endpoint=dd.emu.url, http_client=CrashBeforeSwap)
    with pytest.raises(KeyboardInterrupt):
        write_google(crashing, dd.district_id, reports[0].summary, as_of=dt.datetime(2026, 5, 25, 2, 0))
    meta = write.http_client.fetch_sheet_metadata(dd.district_id, params={"fields": "sheets.properties"})
    # (Sheet1 is the new spreadsheet's own tab: Khet never deletes tabs it did not write.)
    visible = [s["properties"]["title"] for s in meta["sheets"]
               if not s["properties"].get("hidden") and s["properties"]["title"] != "Sheet1"]
    staging = [s["properties"]["title"] for s in meta["sheets"] if s["properties"].get("hidden")]
    assert visible == list(SUMMARY_TITLES)
    assert staging == [STAGING_PREFIX + t for t in SUMMARY_TITLES]
    assert write.http_client.values_get(dd.district_id, f"'{TAB_TITLES[4]}'")["values"] == before
    # The next write clears the leftovers and swaps in one batchUpdate.
    out = write_google(write, dd.district_id, reports[-1].summary, as_of=dt.datetime(2026, 7, 20, 2, 0))
    assert out["requests"] == 4
    meta = write.http_client.fetch_sheet_metadata(dd.district_id, params={"fields": "sheets.properties"})
    assert [s["properties"]["title"] for s in meta["sheets"]] == [*SUMMARY_TITLES, "Sheet1"]


def test_daemon_manual_trigger_and_schedule(tmp_path):
    calls = []
    d = Daemon(lambda trigger: calls.append(trigger) or 0, at="02:00", data_dir=tmp_path, poll_seconds=0)
    d.tick()
    assert calls == []
    request_run(tmp_path)
    d.tick()
    assert calls == ["manual"] and d.results == [("manual", 0)]
    assert not (tmp_path / "run-now").exists()
    assert str(d.job.at_time_zone) == "Asia/Bangkok"
    nxt = d.next_run  # the machine's local time of the next 02:00 in Bangkok
    assert nxt is not None and nxt > dt.datetime.now()


def test_run_report_json(nights):
    _, _, reports, _, tmp = nights
    import json

    data = json.loads(Path(reports[0].outputs["json"]).read_text(encoding="utf-8"))
    assert data["exit_code"] == 0 and data["status"] == "success" and data["fiscal_year"] == FY
    assert data["counts"]["schools_total"] == 10 and len(data["schools"]) == 10
    assert set(data["phases"]) >= {"read", "record", "consolidate", "xlsx", "district_sheet", "feedback", "total"}
    assert json.loads((tmp / "runs" / "last-run.json").read_text(encoding="utf-8"))["run_id"] == reports[-1].run_id


def test_progress_bar_draws_on_a_terminal_only():
    import io

    from sync.runreport import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(2, "อ่าน/read", stream=stream)
        bar.update(1, "1048000001 read")
        bar.update(1, "1048000002 unchanged")
        bar.close()
    assert pipe.getvalue() == ""  # cron logs stay clean
    assert tty.getvalue().split("\r")[-1] == "อ่าน/read [" + "█" * 30 + "] 2/2 " + "1048000002 unchanged".ljust(40) + "\n"


def test_district_sheet_has_colours_filters_frozen_headers_and_charts(nights):
    """The formatting travels in the swap's batchUpdate and comes back from spreadsheets.get in the Sheets API's
    own shapes (conditionalFormats, basicFilter, charts)."""
    from addin.status import COLOURS, CORRECTION_TH, LABEL_TH, Status
    from sync.google_look import rgb
    from sync.summary import CHARTS_TITLE, MATRIX_TITLE

    dd, _, _, write, _ = nights
    meta = write.http_client.fetch_sheet_metadata(dd.district_id, params={
        "fields": "sheets(properties,conditionalFormats,basicFilter,charts)"})
    by_title = {s["properties"]["title"]: s for s in meta["sheets"]}
    charts_tab = by_title[CHARTS_TITLE]
    assert meta["sheets"][0] is charts_tab
    charts = charts_tab["charts"]
    assert [c["spec"]["basicChart"]["chartType"] for c in charts] == ["BAR", "COLUMN", "BAR", "COLUMN"]
    assert len({c["chartId"] for c in charts}) == 4 and all(isinstance(c["chartId"], int) for c in charts)
    sid = charts_tab["properties"]["sheetId"]
    for c in charts:
        basic = c["spec"]["basicChart"]
        assert basic["domains"][0]["domain"]["sourceRange"]["sources"][0]["sheetId"] == sid
        assert basic["headerCount"] == 1 and basic["series"]
        assert c["position"]["overlayPosition"]["anchorCell"]["sheetId"] == sid
    assert charts[3]["spec"]["basicChart"]["stackedType"] == "STACKED"
    values = write.http_client.values_get(dd.district_id, f"'{CHARTS_TITLE}'")["values"]
    assert ["ไตรมาส 1"] == [r[0] for r in values if r and r[0] == "ไตรมาส 1"]

    for title in TAB_TITLES:
        tab = by_title[title]
        grid = tab["properties"]["gridProperties"]
        assert grid["frozenRowCount"] == 2, title
        flt = tab["basicFilter"]["range"]
        assert (flt["sheetId"], flt["startRowIndex"], flt["startColumnIndex"]) == (
            tab["properties"]["sheetId"], 1, 0), title  # the filter header is the key row
    matrix = by_title[MATRIX_TITLE]
    assert matrix["properties"]["gridProperties"]["frozenColumnCount"] == 3
    rules = matrix["conditionalFormats"]
    assert len(rules) == 1 + len(Status)
    first = rules[0]["booleanRule"]
    assert first["condition"] == {"type": "TEXT_ENDS_WITH", "values": [{"userEnteredValue": CORRECTION_TH}]}
    on_time = next(r["booleanRule"] for r in rules
                   if r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] == LABEL_TH[Status.ON_TIME])
    assert on_time["format"]["backgroundColor"] == rgb(COLOURS[Status.ON_TIME][0])
    cols = {(r["startColumnIndex"], r["startRowIndex"]) for r in rules[0]["ranges"]}
    assert cols == {(c, 2) for c in range(3, 3 + len(REPORTS))}
    # Captions bold on the header colour.
    head = write.http_client.fetch_sheet_metadata(dd.district_id, params={
        "includeGridData": "true", "ranges": [f"'{MATRIX_TITLE}'!A1"]})
    fmt = head["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
    assert fmt["textFormat"]["bold"] is True and fmt["wrapStrategy"] == "WRAP"
