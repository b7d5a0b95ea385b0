"""The district work calendar (data file + school reports -> dated, statused occurrences), its error rows,
and `khet calendar` (text and --json, --rule, --steps)."""

import csv
import json
from datetime import date

import pytest

from addin.timing.work_calendar import (
    COLUMNS,
    DEFAULT_PATH,
    FIELDS,
    WorkCalendarFileError,
    load_tasks,
    report_occurrence,
    work_calendar,
)
from sync import textwidth
from sync.commands import calendar as calendar_cmd
from workbook.reports import REPORTS

D = date
TODAY = D(2024, 11, 27)  # a Wednesday in FY 2568


@pytest.fixture(scope="module")
def cal():
    return work_calendar(2568, TODAY)


def rows(frame, task_id):
    sub = frame[frame["task_id"] == task_id]
    return [(r.occurrence, r.start_date, r.due_date, r.status) for r in sub.itertuples()]


def test_data_file_is_real_seed_content():
    tasks = load_tasks(DEFAULT_PATH)
    assert len(tasks) >= 60
    assert len({t.id for t in tasks}) == len(tasks)
    assert all(t.id.isascii() and t.task and t.group and t.source for t in tasks)
    sources = " ".join(t.source for t in tasks)
    for seed in ("000", "001", "002", "003", "004"):
        assert seed in sources
    # Every phrase of the manuals' tables that names a schedule appears in the file as written.
    timings = {t.timing for t in tasks}
    for phrase in ("ก่อนระบบปิดอย่างน้อย ๓ วัน และหลังจากระบบปิด", "พฤศจิกายน ทุก 6 เดือน",
                   "ตลอดปีงบประมาณ อย่างน้อยสัปดาห์ละ 1 ครั้ง", "2 วัน (พฤษภาคม ของทุกปี)"):
        assert phrase in timings


def test_columns_and_one_row_per_occurrence(cal):
    assert tuple(cal.columns) == COLUMNS
    assert (cal["fiscal_year"] == 2568).all()
    assert len(cal[cal["task_id"] == "km_collect"]) == 53  # weekly
    assert len(cal[cal["task_id"] == "policy_follow"]) == 4  # 3/6/9/12-month rounds


def test_windows_and_statuses(cal):
    assert rows(cal, "monitor_policy_study") == [("กันยายน – ตุลาคม", D(2024, 9, 1), D(2024, 10, 31), "overdue")]
    # Due Sat 30 Nov -> Mon 2 Dec; from Wed 27 Nov that is 3 working days: due soon.
    assert rows(cal, "monitor_plan") == [("ตุลาคม – พฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30), "due_soon")]
    r = cal[cal["task_id"] == "monitor_plan"].iloc[0]
    assert (r.status_th, r.days_left, r.phase) == ("ใกล้ครบกำหนด", 3, "open")
    r = cal[cal["task_id"] == "leftover_survey"].iloc[0]
    assert (r.start_date, r.due_date, r.status, r.days_left, r.phase) == (
        D(2025, 8, 1), D(2025, 8, 31), "not_yet_due", 277, "upcoming")


def test_durations_chain_from_their_anchor(cal):
    assert rows(cal, "policy_analyse") == [("ภายในเดือนพฤศจิกายน", D(2024, 10, 1), D(2024, 11, 30), "due_soon")]
    assert rows(cal, "policy_draft") == [("ใช้เวลา 1 เดือน", D(2024, 12, 1), D(2024, 12, 31), "not_yet_due")]
    # 15 working days from 1 Jan 2025 (a holiday), then 15 more across Makha Bucha (12 Feb 2025).
    assert rows(cal, "policy_board") == [("ใช้เวลา 15 วันทำการ", D(2025, 1, 2), D(2025, 1, 22), "not_yet_due")]
    assert rows(cal, "policy_publish") == [("ใช้เวลา 15 วันทำการ", D(2025, 1, 23), D(2025, 2, 13), "not_yet_due")]
    note = cal[cal["task_id"] == "policy_board"].iloc[0].note
    assert note == "ใช้เวลา 15 วันทำการ (นับเฉพาะวันทำการ); ต่อจากงาน policy_draft (เสร็จ 31 ธ.ค. 2567)"
    # The provincial plan: 2 days in May, then 1 + 1 + 2 months, then 10 working days into October.
    assert [r[1:3] for r in rows(cal, "province_plan")] == [(D(2025, 6, 1), D(2025, 6, 30))]
    assert [r[1:3] for r in rows(cal, "province_actionplan")] == [(D(2025, 8, 1), D(2025, 9, 30))]
    assert [r[1:3] for r in rows(cal, "province_actionplan_approve")] == [(D(2025, 10, 1), D(2025, 10, 15))]


def test_service_standard_without_a_start_has_no_dates(cal):
    r = cal[cal["task_id"] == "budget_request_2"].iloc[0]
    assert (r.occurrence, r.start_date, r.due_date, r.status, r.status_th) == (
        "ใช้เวลา 4 วันทำการ", None, None, "no_date", "ไม่มีกำหนดวัน")
    assert r.working_days
    assert r.note == ("ใช้เวลา 4 วันทำการ (นับเฉพาะวันทำการ) นับจากวันเริ่มงาน/วันรับเรื่อง; "
                      "ต่อจากงาน budget_request_1")


def test_relative_rule_uses_the_anchor_rounds(cal):
    assert rows(cal, "monitor_emes") == [
        ("รอบ 6 เดือน", D(2024, 10, 1), D(2025, 3, 31), "not_yet_due"),
        ("รอบ 12 เดือน", D(2025, 4, 1), D(2025, 9, 30), "not_yet_due")]
    # 3 days before 31 Mar 2025 = Fri 28 Mar; before 30 Sep 2025 = Sat 27 Sep -> Fri 26 Sep.
    assert rows(cal, "monitor_emes_brief") == [
        ("ก่อนระบบปิด 3 วัน", None, D(2025, 3, 28), "not_yet_due"),
        ("หลังระบบปิด", D(2025, 4, 1), None, "no_date"),
        ("ก่อนระบบปิด 3 วัน", None, D(2025, 9, 26), "not_yet_due"),
        ("หลังระบบปิด", D(2025, 10, 1), None, "no_date")]


def test_school_reports_come_from_workbook_reports(cal):
    # Rows of the data file that stand for a report take its due rule from REPORTS ...
    r = cal[cal["task_id"] == "schoolplan_submit"].iloc[0]
    assert (r.report_key, r.timing, r.due_date, r.note) == (
        "action_plan", "ภายในเดือนพฤษภาคม ของทุกปี", D(2025, 5, 31), "รายงานจากสถานศึกษา (action_plan)")
    assert rows(cal, "supervision_self_12m")[0][1:3] == (D(2025, 4, 1), D(2025, 9, 30))
    # ... and every other report gets a row of its own, once.
    keys = cal.loc[cal["report_key"] != "", "report_key"].tolist()
    assert sorted(keys) == sorted(r.key for r in REPORTS)
    assert rows(cal, "report_progress_q1") == [("ไตรมาส 1", D(2025, 1, 1), D(2025, 1, 15), "not_yet_due")]
    assert rows(cal, "report_progress_q4") == [("ไตรมาส 4", D(2025, 10, 1), D(2025, 10, 15), "not_yet_due")]
    assert set(cal.loc[cal["task_id"].str.startswith("report_"), "group"]) == {"รายงานจากสถานศึกษา"}


@pytest.mark.parametrize(("key", "due"), [
    ("action_plan", D(2025, 5, 31)), ("progress_q1", D(2025, 1, 15)), ("progress_q2", D(2025, 4, 15)),
    ("progress_q3", D(2025, 7, 15)), ("progress_q4", D(2025, 10, 15)), ("kpi_6m", D(2025, 3, 31)),
    ("kpi_12m", D(2025, 9, 30)), ("requests", D(2025, 9, 30)),
])
def test_report_occurrence(key, due):
    assert report_occurrence(key, 2568).due == due


def test_unreadable_row_of_the_manual_is_reported_with_its_line(cal):
    err = cal[cal["status"] == "error"]
    assert err["task_id"].tolist() == ["province_follow"]
    r = err.iloc[0]
    assert (r.error_code, r.line, r.status_th, r.due_date) == ("phrase.unreadable", 57, "อ่านกำหนดเวลาไม่ได้", None)
    assert r.error_th.startswith("ไฟล์ปฏิทินบรรทัด 57: อ่านกำหนดเวลา 'หน่วยงานมีแผนพัฒนา")
    assert r.error_en.startswith("work calendar line 57: cannot read the timing 'หน่วยงานมีแผนพัฒนา")


def test_done_dates_give_on_time_and_late():
    frame = work_calendar(2568, TODAY, done={"monitor_policy_study": D(2024, 10, 25),
                                             ("policy_follow", "รอบ 3 เดือน"): D(2025, 1, 3)})
    assert rows(frame, "monitor_policy_study")[0][3] == "on_time"
    assert [r[3] for r in rows(frame, "policy_follow")] == ["late", "not_yet_due", "not_yet_due", "not_yet_due"]
    assert frame.loc[frame["task_id"] == "monitor_policy_study", "done_date"].iloc[0] == D(2024, 10, 25)


def write_calendar(path, rows_, encoding="utf-8", header=FIELDS):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows_:
            w.writerow(r)
    return path


def test_bad_rows_are_errors_and_the_rest_still_computes(tmp_path):
    path = write_calendar(tmp_path / "cal.csv", [
        ("a", "งานเอ", "กลุ่ม", "ตุลาคม", "", "", "", ""),
        ("b", "งานบี", "กลุ่ม", "15 วัน", "", "", "", "nowhere"),
        ("c", "งานซี", "กลุ่ม", "1 เดือน", "", "", "", "d"),
        ("d", "งานดี", "กลุ่ม", "1 เดือน", "", "", "", "c"),
        ("e", "งานอี", "กลุ่ม", "", "", "", "no_such_report", ""),
        ("f", "งานเอฟ", "กลุ่ม", "", "", "", "", ""),
        ("", "ไม่มีรหัส", "กลุ่ม", "ตุลาคม", "", "", "", ""),
        ("g", "งานจี", "กลุ่ม", "5 วัน", "", "", "", "a"),
        ("h", "งานเอช", "กลุ่ม", "ก่อนประชุม 2 วัน", "", "", "", ""),
        ("", "", "", "", "", "", "", ""),
        ("a", "งานเอซ้ำ", "กลุ่ม", "มีนาคม", "", "", "", ""),
    ])
    frame = work_calendar(2568, TODAY, path=path)
    own = frame[~frame["task_id"].str.startswith("report_")]
    got = {r.task_id: (r.status, r.error_code, r.line) for r in own.itertuples() if r.task != "งานเอซ้ำ"}
    assert got == {
        "a": ("overdue", "", 2), "b": ("error", "anchor.unknown", 3), "c": ("error", "anchor.cycle", 4),
        "d": ("error", "anchor.cycle", 5), "e": ("error", "report.unknown", 6), "f": ("error", "phrase.empty", 7),
        "": ("error", "id.missing", 8), "g": ("overdue", "", 9), "h": ("error", "ref.required", 10)}
    dup = own[own["task"] == "งานเอซ้ำ"].iloc[0]
    assert (dup.status, dup.error_code, dup.error_en) == ("error", "id.duplicate",
                                                          "work calendar line 12: task id 'a' repeats line 2")
    assert rows(frame, "g") == [("ใช้เวลา 5 วันทำการ", D(2024, 11, 1), D(2024, 11, 7), "overdue")]
    c = own[own["task_id"] == "c"].iloc[0]
    assert c.error_th == "ไฟล์ปฏิทินบรรทัด 4: คอลัมน์ anchor วนกลับมาที่งานเดิม: c → d → c"
    assert c.error_en == "work calendar line 4: the anchor column loops back: c → d → c"
    e = own[own["task_id"] == "e"].iloc[0]
    assert e.error_en.startswith("work calendar line 6: unknown report key 'no_such_report' (known: action_plan,")
    assert len(frame[frame["task_id"].str.startswith("report_")]) == len(REPORTS)


def test_a_file_saved_by_thai_excel_is_read(tmp_path):
    path = write_calendar(tmp_path / "cal.csv", [("a", "งานเอ", "กลุ่ม", "ภายในเดือนพฤษภาคม", "", "", "", "")],
                          encoding="cp874")
    assert rows(work_calendar(2568, TODAY, path=path), "a") == [("ภายในเดือนพฤษภาคม", None, D(2025, 5, 31),
                                                                 "not_yet_due")]


def test_unusable_files(tmp_path):
    with pytest.raises(WorkCalendarFileError) as e:
        work_calendar(2568, TODAY, path=tmp_path / "missing.csv")
    assert str(e.value) == (f"ไม่พบไฟล์ปฏิทินการปฏิบัติงาน {tmp_path / 'missing.csv'} / "
                            f"work calendar file not found: {tmp_path / 'missing.csv'}")
    path = write_calendar(tmp_path / "bad.csv", [("a", "x")], header=("id", "task"))
    with pytest.raises(WorkCalendarFileError) as e:
        load_tasks(path)
    assert str(e.value) == "ไฟล์ bad.csv ไม่มีคอลัมน์ timing / bad.csv lacks the column(s) timing"


def test_environment_variable_points_to_another_file(tmp_path, monkeypatch):
    path = write_calendar(tmp_path / "office.csv", [("x", "งาน", "กลุ่ม", "มีนาคม", "", "", "", "")])
    monkeypatch.setenv("KHET_WORK_CALENDAR", str(path))
    assert [t.id for t in load_tasks()] == ["x"]


# --- CLI -----------------------------------------------------------------------------------------------------


def run_cli(capsys, argv, module=calendar_cmd):
    code = module.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_calendar_json(capsys):
    code, out, _ = run_cli(capsys, ["--fy", "2568", "--today", "2024-11-27", "--json"])
    assert code == 0
    data = json.loads(out)
    assert (data["fiscal_year"], data["fiscal_year_start"], data["fiscal_year_end"], data["today"]) == (
        2568, "2024-10-01", "2025-09-30", "2024-11-27")
    assert data["counts"]["due_soon"] == sum(1 for i in data["items"] if i["status"] == "due_soon")
    item = next(i for i in data["items"] if i["task_id"] == "monitor_plan")
    assert item == {
        "task_id": "monitor_plan", "task": item["task"], "group": "งานติดตามและรายงานผลการดำเนินงานตามนโยบายและกลยุทธ์",
        "timing": "ตุลาคม - พฤศจิกายน", "responsible": "กลุ่มงานติดตาม ประเมินผลและรายงาน", "kind": "window",
        "occurrence": "ตุลาคม – พฤศจิกายน", "start": "2024-10-01", "due": "2024-11-30", "status": "due_soon",
        "status_th": "ใกล้ครบกำหนด", "days_left": 3, "phase": "open", "working_days": False, "report_key": None,
        "anchor": None, "source": item["source"], "note": ""}
    assert [e["task_id"] for e in data["errors"]] == ["province_follow"]
    assert data["errors"][0]["line"] == 57 and data["errors"][0]["code"] == "phrase.unreadable"


def test_cli_calendar_text(capsys):
    code, out, _ = run_cli(capsys, ["--fy", "2568", "--today", "27/11/2567"])
    assert code == 0
    assert out.startswith("ปฏิทินการปฏิบัติงาน ปีงบประมาณ 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)  วันนี้ 27 พ.ย. 2567\n")
    assert "■ งานติดตามและรายงานผลการดำเนินงานตามนโยบายและกลยุทธ์" in out
    line = next(x for x in out.splitlines() if x.startswith("จัดทำเครื่องมือกำกับติดตาม"))
    assert "30 พ.ย. 2567" in line and "ใกล้ครบกำหนด" in line and line.endswith(" 3")
    # Weekly work shows this week's item only, with the count.
    assert "สัปดาห์ที่ 9 (จาก 53)" in out
    assert "⚠ แถวที่อ่านกำหนดเวลาไม่ได้ 1 แถว / 1 row(s) whose timing cannot be read:" in out
    assert "    work calendar line 57: cannot read the timing" in out
    code, out_all, _ = run_cli(capsys, ["--fy", "2568", "--today", "2024-11-27", "--all"])
    assert "สัปดาห์ที่ 53" in out_all and "สัปดาห์ที่ 9 (จาก 53)" not in out_all


def test_cli_strict_and_bad_file(capsys, tmp_path):
    assert run_cli(capsys, ["--fy", "2568", "--today", "2024-11-27", "--strict"])[0] == 1
    from sync.cli import main as khet

    code = khet(["calendar", "--fy", "2568", "--file", str(tmp_path / "none.csv")])
    assert code == 2 and "work calendar file not found" in capsys.readouterr().err


def test_cli_fiscal_year_out_of_range_is_a_usage_error(capsys):
    # A CE year (or 99999) once reached the date arithmetic and ended in a traceback.
    for fy, hint in (("2026", " — ค.ศ. 2026 คือ พ.ศ. 2569"), ("99999", "")):
        with pytest.raises(SystemExit) as exit_:
            calendar_cmd.main(["--fy", fy])
        assert exit_.value.code == 2
        hint_en = " — CE 2026 is BE 2569" if hint else ""
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"khet calendar: ข้อผิดพลาด / error: argument --fy: ปีงบประมาณต้องเป็นปี พ.ศ. 2401–2700 เช่น 2569{hint} / "
            f"the fiscal year must be a Buddhist Era year 2401–2700, e.g. 2569{hint_en}: '{fy}'")
    assert run_cli(capsys, ["--fy", "2700", "--today", "2025-01-13"])[0] == 0


def test_cli_rule(capsys):
    code, out, _ = run_cli(capsys, ["--fy", "2568", "--rule", "ภายใน 15 วันหลังสิ้นไตรมาส", "--today",
                                    "2025-01-13", "--json"])
    assert code == 0
    data = json.loads(out)
    assert (data["kind"], data["deadline"], data["duration"], data["ref"]) == ("recurring", "2025-10-15", None, None)
    assert [(o["label_th"], o["start"], o["due"], o["status"]) for o in data["occurrences"]] == [
        ("ไตรมาส 1", "2025-01-01", "2025-01-15", "due_soon"), ("ไตรมาส 2", "2025-04-01", "2025-04-15", "not_yet_due"),
        ("ไตรมาส 3", "2025-07-01", "2025-07-15", "not_yet_due"), ("ไตรมาส 4", "2025-10-01", "2025-10-15", "not_yet_due")]
    code, out, _ = run_cli(capsys, ["--fy", "2568", "--rule", "ก่อนระบบปิดอย่างน้อย ๓ วัน และหลังจากระบบปิด",
                                    "--ref", "2025-03-31", "--today", "2025-03-01"])
    assert code == 0
    assert out.splitlines()[0] == ("วลี 'ก่อนระบบปิดอย่างน้อย ๓ วัน และหลังจากระบบปิด' ปีงบประมาณ 2568 — ชนิด relative, "
                                   "อ้างอิง 31 มี.ค. 2568")
    assert "28 มี.ค. 2568" in out.splitlines()[1]
    code, out, _ = run_cli(capsys, ["--fy", "2568", "--rule", "๔ วัน", "--json"])
    assert json.loads(out)["duration"] == {"amount": 4, "unit": "day", "working_days": True, "text_th": "4 วันทำการ"}
    assert json.loads(out)["deadline"] is None


def test_cli_rule_errors(capsys):
    code, out, _ = run_cli(capsys, ["--fy", "2568", "--rule", "เร็ว ๆ นี้", "--json"])
    assert code == 1
    err = json.loads(out)
    assert (err["ok"], err["error"]["code"], err["error"]["phrase"]) == (False, "phrase.unreadable", "เร็ว ๆ นี้")
    code, _, stderr = run_cli(capsys, ["--fy", "2568", "--rule", "ก่อนระบบปิด 3 วัน"])
    assert code == 1
    assert stderr.strip().endswith("counts from a reference date (ระบบปิด); give that date (--ref, or the anchor column)")
    code, _, stderr = run_cli(capsys, ["--rule", "ตุลาคม", "--today", "31 ก.พ. 68"])
    assert code == 1 and stderr.strip()


def test_cli_steps(capsys):
    code, out, _ = run_cli(capsys, ["--steps", "๑ วัน", "๔ วัน", "--start", "9 เม.ย. 68", "--json"])
    assert code == 0
    assert json.loads(out) == {"ok": True, "start": "2025-04-09", "final_due": "2025-04-21", "steps": [
        {"duration": "๑ วัน", "amount": 1, "unit": "day", "working_days": True, "due": "2025-04-10"},
        {"duration": "๔ วัน", "amount": 4, "unit": "day", "working_days": True, "due": "2025-04-21"}]}
    code, out, _ = run_cli(capsys, ["--steps", "๑ วัน", "--start", "2025-04-09"])
    assert out.splitlines()[1].split() == ["ขั้นที่", "1", "๑", "วัน", "(วันทำการ)", "เสร็จภายใน", "10", "เม.ย.", "2568"]
    assert run_cli(capsys, ["--steps", "๑ วัน"])[0] == 1


def test_thai_display_width():
    assert textwidth.width("กำหนดเสร็จ") == 9  # the mark above ร (็) takes no column
    assert textwidth.width(textwidth.fit("ที่", 5)) == 5
    assert textwidth.cut("กำหนดเสร็จ", 4) == "กำห…"
