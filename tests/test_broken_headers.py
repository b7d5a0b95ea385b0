"""Headers that break never lose rows (issue 10, deliverable 5): deleted header rows, a required column pushed past
Z, a deleted tab — on a school's first read and after good nights. Every row is clean or rejected, each problem
is a finding naming the tab (in the district's findings, the school's feedback and the follow-up list), the
feedback never says "read successfully" for a tab it could not use, and the reads tab names the tab and never
claims earlier data is in use when there is none.

The school sheets here are broken through the owner's client: a school that owns its sheet (or removed the
header protection) can do exactly this; schools writing into a district-owned copy cannot touch the headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sync.demo import FY, NIGHT_1
from sync.history import History
from sync.job import JobSettings, run_once
from workbook.sheets import SHEETS

PROGRESS, PLAN, FEEDBACK = SHEETS["progress"], SHEETS["action_plan"], SHEETS["feedback"]


def night(dd, history: History, day: dt.date = NIGHT_1):
    read, write = dd.job_clients(tries=2, timeout=10)
    return run_once(JobSettings(history=history, registry=dd.registry, read_client=read, write_client=write,
                                district_spreadsheet_id=dd.district_id, report_dir=Path(history.path).parent / "out",
                                fiscal_year=FY, today=day, trigger="test"))


def owner_tab(dd, code: str, sheet):
    _, write = dd.job_clients()
    return write.open_by_key(dd.ids[code]).worksheet(sheet.title_th)


def feedback_of(dd, code: str) -> list[list[str]]:
    return owner_tab(dd, code, FEEDBACK).get_all_values()[2:]


def data_rows(dd, code: str, sheet) -> int:
    return sum(1 for r in owner_tab(dd, code, sheet).get_all_values()[sheet.first_data_row - 1:] if any(r))


def reads_row(rep, code: str) -> dict:
    reads = rep.summary.reads
    return reads[reads["school_code"] == code].iloc[0].to_dict()


def findings_of(rep, code: str):
    f = rep.summary.findings
    return f[f["school_code"] == code]


def test_deleted_header_rows_on_a_first_read_reject_every_row_and_say_so(district, tmp_path):
    """Why: both header rows of the progress tab deleted on a first read — its rows were neither clean nor
    rejected, no finding, and the feedback said the sheet was read successfully."""
    dd = district
    code = dd.schools[0].code
    typed = data_rows(dd, code, PROGRESS)
    assert typed > 0
    with History(tmp_path / "ref.sqlite") as h:
        reference = night(dd, h).counts
    owner_tab(dd, code, PROGRESS).delete_rows(1, 2)
    with History(tmp_path / "h.sqlite") as h:
        rep = night(dd, h)
        snaps = h.school_tabs(code)
    # Every row accounted for: the district holds the same number of rows, the progress rows now rejected.
    assert (rep.counts["rows_clean"] + rep.counts["rows_rejected"]
            == reference["rows_clean"] + reference["rows_rejected"])
    assert rep.counts["rows_rejected"] - reference["rows_rejected"] == typed
    assert "progress" in snaps  # tonight's grid is what the district holds: it is evidence, and all there is
    f = findings_of(rep, code)
    head = f[f["code"] == "header.not_found"].iloc[0]
    assert head["sheet"] == PROGRESS.title_th and f"{typed} แถวไม่ผ่าน: แถว 1–{typed}" in head["message_th"]
    assert f"{typed} rows rejected" in head["message_en"]
    # The reads tab: the tab named, and no claim that earlier data is in use.
    r = reads_row(rep, code)
    assert r["reason"] == "columns_changed" and PROGRESS.title_th in r["message_th"]
    assert "ยังไม่มีข้อมูลชุดเดิม" in r["message_th"] and "ใช้ข้อมูลชุดเดิม" not in r["message_th"]
    # …as the district's reads tab shows it (Google and the .xlsx alike).
    from sync.summary import TABS, tab_frame

    shown = tab_frame(rep.summary, next(t for t in TABS if t.key == "reads"), dt.datetime(2026, 5, 25, 2))
    text = shown.set_index("school_code").loc[code, "reason_th"]
    assert PROGRESS.title_th in text and "ยังไม่มีข้อมูลชุดเดิม" in text
    follow = rep.summary.follow_up
    assert list(follow[follow["school_code"] == code]["kind"]).count("tab_unusable") == 1
    # The feedback: not "read successfully", the tab named, every progress report says why it has no data.
    fb = feedback_of(dd, code)
    read_line = fb[0][6]
    assert "สำเร็จ" not in read_line and PROGRESS.title_th in read_line and "ใช้ไม่ได้ 1 แท็บ" in read_line
    progress_lines = [row for row in fb if row[2].startswith("ความก้าวหน้าโครงการ ไตรมาส")]
    assert progress_lines and all(f"แท็บ '{PROGRESS.title_th}' ใช้ไม่ได้" in row[6] for row in progress_lines)
    assert not any("ยืนยันการส่งแล้ว แต่ยังไม่มีข้อมูล" in row[6] for row in progress_lines)
    where = next(row[5] for row in fb if "ไม่พบแถวหัวตาราง" in row[6])
    assert where == f"ชีต {PROGRESS.title_th}"  # a sheet-level finding: no "nan" column or cell


def test_a_required_column_pushed_past_z_is_still_read(district, tmp_path):
    """Why: the read asked for A:Z; a school that inserted columns before a required one lost every row."""
    dd = district
    code = dd.schools[0].code
    with History(tmp_path / "ref.sqlite") as h:
        reference = night(dd, h)
    ws = owner_tab(dd, code, PLAN)
    ws.add_cols(30)
    ws.insert_cols([[] for _ in range(30)], col=2)  # project_name (B) and everything after move to AF and on
    assert len(ws.row_values(1)) > 26 + 10
    with History(tmp_path / "h.sqlite") as h:
        rep = night(dd, h)
    assert reads_row(rep, code)["reason"] is None, reads_row(rep, code)
    assert (rep.counts["rows_clean"], rep.counts["rows_rejected"]) == (reference.counts["rows_clean"],
                                                                        reference.counts["rows_rejected"])
    assert rep.counts["read_requests"] == reference.counts["read_requests"]  # still one request a school


def test_a_header_broken_after_good_nights_keeps_the_earlier_data_and_says_so(district, tmp_path):
    dd = district
    code = dd.schools[1].code
    with History(tmp_path / "h.sqlite") as h:
        first = night(dd, h)
        ws = owner_tab(dd, code, PLAN)
        ws.update([[""] * len(PLAN.columns)] * 2, "A1", raw=True)  # both header rows wiped
        rep = night(dd, h, NIGHT_1 + dt.timedelta(days=1))
        assert (rep.counts["rows_clean"], rep.counts["rows_rejected"]) == (first.counts["rows_clean"],
                                                                            first.counts["rows_rejected"])
        f = findings_of(rep, code)
        kept = f[f["code"] == "read.columns_changed"].iloc[0]
        assert kept["sheet"] == PLAN.title_th and kept["severity"] == "error"
        assert "ใช้ข้อมูลชุดเดิมของแท็บนี้แทน" in kept["message_th"] and "previous data stays" in kept["message_en"]
        assert "แถวหัวตาราง" in kept["fix_th"]
        r = reads_row(rep, code)
        assert PLAN.title_th in r["message_th"] and "ใช้ข้อมูลชุดเดิม" in r["message_th"]
        fb = feedback_of(dd, code)
        assert "สำเร็จ" not in fb[0][6] and PLAN.title_th in fb[0][6]
        plan_line = next(row for row in fb if row[2] == "แผนปฏิบัติการประจำปี")
        assert "เขตใช้ข้อมูลชุดเดิมของแท็บ" in plan_line[6]
        # Still broken the next night: re-read (a school with a problem always is) and still said.
        rep = night(dd, h, NIGHT_1 + dt.timedelta(days=2))
        assert reads_row(rep, code)["reason"] == "columns_changed"
        assert (findings_of(rep, code)["code"] == "read.columns_changed").sum() == 1
        # Mended: the finding goes, the feedback says read successfully again.
        ws.update(PLAN.grid_header(), "A1", raw=True)
        rep = night(dd, h, NIGHT_1 + dt.timedelta(days=3))
        assert reads_row(rep, code)["reason"] is None
        assert not findings_of(rep, code)["code"].str.startswith("read.").any()
        assert "ได้สำเร็จล่าสุด" in feedback_of(dd, code)[0][6]


def test_a_tab_deleted_before_the_first_read_is_a_finding_saying_no_data_is_held(district, tmp_path):
    dd = district
    code = dd.schools[2].code
    ss = owner_tab(dd, code, PLAN).spreadsheet
    ss.del_worksheet(ss.worksheet(SHEETS["kpi"].title_th))
    with History(tmp_path / "h.sqlite") as h:
        rep = night(dd, h)
    f = findings_of(rep, code)
    missing = f[f["code"] == "read.tab_missing"].iloc[0]
    assert missing["sheet"] == SHEETS["kpi"].title_th and "ยังไม่มีข้อมูลชุดเดิมของแท็บนี้" in missing["message_th"]
    assert "there is no previous data" in missing["message_en"]
    r = reads_row(rep, code)
    assert r["reason"] == "tab_missing" and SHEETS["kpi"].title_th in r["message_th"]
    assert "ใช้ข้อมูลชุดเดิม" not in r["message_th"]
    assert "สำเร็จ" not in feedback_of(dd, code)[0][6]
