"""Feedback and protections repaired (issue 10, deliverable 8): the job compares the feedback tab AS THE SHEET HOLDS
IT with what it last wrote (not only its own last hash), writes it back when a school overwrote it or deleted the
tab, and puts back header/feedback protections that were removed or loosened — each a finding, counted in the
run report.

A school that owns its sheet may remove protections (Google lets the owner); here the owner's client removes them
(the district owns the demo's copies) and the school's own account then overwrites what was protected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from gspread.exceptions import APIError

from sync.demo import FY, NIGHT_1
from sync.history import History
from sync.job import JobSettings, run_once
from sync.protections import TAG_HEADER, TAG_READONLY, read_protections, restore
from workbook.sheets import SHEETS

FEEDBACK, PLAN = SHEETS["feedback"], SHEETS["action_plan"]
FORGED = "เขตรับรายงานครบทุกฉบับแล้ว ตรงเวลา (ข้อความปลอม)"


@pytest.fixture
def district_seed() -> int:
    return 7


def night(dd, history: History, day: int = 0, **kw):
    read, write = dd.job_clients(tries=2, timeout=10)
    return run_once(JobSettings(**{**dict(
        history=history, registry=dd.registry, read_client=read, write_client=write,
        district_spreadsheet_id=dd.district_id, report_dir=Path(history.path).parent / "out", fiscal_year=FY,
        today=NIGHT_1 + dt.timedelta(days=day), trigger="test"), **kw}))


def owner(dd):
    return dd.job_clients()[1]


def unprotect(dd, code: str, tag: str, *, warning_only: bool = False) -> None:
    """What a school owning its sheet can do: take a Khet protection off (or make it a mere warning)."""
    sid = dd.ids[code]
    pr = read_protections(owner(dd), sid).by_tag[tag]
    req = ({"updateProtectedRange": {"protectedRange": {"protectedRangeId": pr["protectedRangeId"],
                                                        "warningOnly": True}, "fields": "warningOnly"}}
           if warning_only else {"deleteProtectedRange": {"protectedRangeId": pr["protectedRangeId"]}})
    owner(dd).http_client.batch_update(sid, {"requests": [req]})


def as_school(dd, code: str, sheet):
    return dd.clients[code].open_by_key(dd.ids[code]).worksheet(sheet.title_th)


def findings(rep, code: str):
    f = rep.summary.findings
    return f[f["school_code"] == code]


def test_forged_feedback_is_written_back_and_its_protection_restored(district, tmp_path):
    """Why: a school writer deleted the feedback tab's protection and overwrote it; the job compared against its
    own last hash, so the forged text stayed."""
    dd = district
    code = dd.schools[0].code
    with History(tmp_path / "h.sqlite") as h:
        night(dd, h)
        genuine = as_school(dd, code, FEEDBACK).get_all_values()
        with pytest.raises(APIError):  # protected: the school cannot write there
            as_school(dd, code, FEEDBACK).update([[FORGED]], "G3", raw=True)
        unprotect(dd, code, TAG_READONLY + "feedback")
        as_school(dd, code, FEEDBACK).update([[FORGED]], "G3", raw=True)
        as_school(dd, code, FEEDBACK).update([["ข้อความเพิ่ม"]], "A300", raw=True)  # far below the written area
        rep = night(dd, h, 1)
        assert rep.exit_code == 0, rep.message_en
        assert (rep.counts["feedback_tampered"], rep.counts["protections_restored"]) == (1, 1)
        assert rep.schools[0].feedback == "written"
        now = as_school(dd, code, FEEDBACK).get_all_values()
        assert not any(FORGED in c or "ข้อความเพิ่ม" in c for row in now for c in row)
        kept = {tuple(r[1:]) for r in now[3:]}
        assert all(tuple(r[1:]) in kept for r in genuine[3:])  # the district's text again (plus the repair said)
        f = findings(rep, code).set_index("code")
        assert f.loc["feedback.tampered", "sheet"] == FEEDBACK.title_th
        assert "เขียนข้อความที่ถูกต้องกลับแล้ว" in f.loc["feedback.tampered", "message_th"]
        assert "written back" in f.loc["feedback.tampered", "message_en"]
        assert "ทั้งแท็บ" in f.loc["protection.restored", "message_th"]
        # Protected again: the school's account is refused.
        with pytest.raises(APIError):
            as_school(dd, code, FEEDBACK).update([[FORGED]], "G3", raw=True)
        # The night after: the sheet holds what was written — nothing to repair (the repair's note goes).
        rep = night(dd, h, 2)
        assert (rep.counts["feedback_tampered"], rep.counts["protections_restored"]) == (0, 0)
        assert not any("ถูกแก้ไขโดยผู้ที่ไม่ใช่เขต" in c for row in as_school(dd, code, FEEDBACK).get_all_values()
                       for c in row)
        rep = night(dd, h, 3)
        assert rep.counts["feedback_tampered"] == 0 and rep.schools[0].feedback == "unchanged"


def test_a_removed_header_protection_is_restored_with_the_header_broken(district, tmp_path):
    dd = district
    code = dd.schools[1].code
    with History(tmp_path / "h.sqlite") as h:
        night(dd, h)
        unprotect(dd, code, TAG_HEADER + "action_plan")
        as_school(dd, code, PLAN).update([[""] * len(PLAN.columns)] * 2, "A1", raw=True)
        rep = night(dd, h, 1)
        f = findings(rep, code)
        restored = f[f["code"] == "protection.restored"]
        assert list(restored["sheet"]) == [PLAN.title_th] and "หัวตาราง" in restored.iloc[0]["message_th"]
        assert (f["code"] == "read.columns_changed").any()  # the broken header itself, the earlier data in use
        assert TAG_HEADER + "action_plan" in read_protections(owner(dd), dd.ids[code]).tags
        with pytest.raises(APIError):
            as_school(dd, code, PLAN).update([["x"]], "A1", raw=True)


def test_a_deleted_feedback_tab_is_made_again_and_written(district, tmp_path):
    dd = district
    code = dd.schools[2].code
    with History(tmp_path / "h.sqlite") as h:
        night(dd, h)
        ss = owner(dd).open_by_key(dd.ids[code])
        ss.del_worksheet(ss.worksheet(FEEDBACK.title_th))
        rep = night(dd, h, 1)
        assert rep.counts["feedback_tab_remade"] == 1 and rep.schools[2].feedback == "written"
        rows = as_school(dd, code, FEEDBACK).get_all_values()
        assert rows[:2] == FEEDBACK.grid_header() and rows[2][1] == "การอ่านข้อมูลของเขต"
        assert (findings(rep, code)["code"] == "feedback.tab_missing").any()
        assert TAG_READONLY + "feedback" in read_protections(owner(dd), dd.ids[code]).tags


def test_restore_tightens_a_protection_made_a_mere_warning_and_costs_one_read_when_sound(district):
    """sync.protections.restore, the helper other parts reuse: nothing wrong = one spreadsheets.get, no write."""
    dd = district
    code, sid = dd.schools[0].code, dd.ids[dd.schools[0].code]
    sa = [owner(dd).http_client.auth.service_account_email]
    dd.emu.reset_counters()
    done = restore(owner(dd), sid, sa)
    assert (done.changed, done.requests) == ([], 1)
    unprotect(dd, code, TAG_HEADER + "kpi", warning_only=True)
    done = restore(owner(dd), sid, sa)
    assert (done.added, done.tightened, done.requests) == ([], [TAG_HEADER + "kpi"], 2)
    assert not read_protections(owner(dd), sid).by_tag[TAG_HEADER + "kpi"].get("warningOnly")
    with pytest.raises(APIError):
        as_school(dd, code, SHEETS["kpi"]).update([["x"]], "A1", raw=True)
