"""Approve / return / unapprove (issue 14) as control-channel requests: the rules, two staff on one report, and
the nightly run on the emulator — the school's feedback in Thai, the approved rows locked against the school
through protectedRanges and unlocked again, the correction deadline, the summary's approval tables, and the
append-only history of every decision."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from types import SimpleNamespace

import pytest
from gspread.exceptions import APIError

from addin import approvals as A
from sync import protection
from sync.approvals import TAG, DecisionStore
from sync.control.host import HostContext, handle
from sync.control.kinds import DONE, REFUSED, Request
from sync.control.store import RequestStore
from sync.demo import FY, NIGHT_2, generate_district, night_time, setup_district
from sync.history import History, iso
from sync.job import JobSettings, run_once
from workbook.sheets import FEEDBACK, SHEETS

STAFF_A, STAFF_B = "somchai.s@district.go.th", "malee.k@district.go.th"
_ids = itertools.count(1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> str:
    """A staff member's moment on a Bangkok office day, as the request carries it (UTC)."""
    return iso(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=7))))


def ask(ctx, kind: str, account: str, when: str, request_id: str | None = None, **payload):
    req = Request(request_id or f"R-{next(_ids)}", account, when, kind, payload)
    return handle(ctx, req, "direct")


# --- the rules ---------------------------------------------------------------------------------------------------

def test_which_decision_may_follow_which():
    d = A.Decision(A.APPROVE, STAFF_A, "2026-06-01T03:00:00.000Z")
    approved = A.current_state(True, d)
    assert approved.state == A.APPROVED
    with pytest.raises(A.DecisionRefused) as e:
        A.check(A.APPROVE, approved)
    assert e.value.code == "decision.already_approved" and STAFF_A in e.value.message_th
    with pytest.raises(A.DecisionRefused) as e:
        A.check(A.RETURN, approved, reason="ตัวเลขไม่ตรง")
    assert e.value.code == "decision.unapprove_first"
    A.check(A.UNAPPROVE, approved, reason="ต้องแก้ไตรมาส 2")
    for action in (A.RETURN, A.UNAPPROVE):
        with pytest.raises(A.DecisionRefused) as e:
            A.check(action, approved, reason="  ")
        assert e.value.code == "decision.reason_missing" and "เหตุผล" in e.value.message_th
    with pytest.raises(A.DecisionRefused) as e:
        A.check(A.APPROVE, A.current_state(False, None))
    assert e.value.code == "decision.not_sent"
    waiting = A.current_state(True, None)
    A.check(A.APPROVE, waiting, seen=A.WAITING)
    with pytest.raises(A.DecisionRefused) as e:
        A.check(A.UNAPPROVE, waiting, reason="x")
    assert e.value.code == "decision.not_approved"


def test_a_returned_report_has_its_own_states_and_a_working_day_deadline():
    # Returned on Friday 5 June 2569 (2026): 5 working days skip the weekend → Friday 12 June.
    due = A.correction_due(dt.date(2026, 6, 5), 5)
    assert due == dt.date(2026, 6, 12)
    ret = A.Decision(A.RETURN, STAFF_A, "2026-06-05T03:00:00.000Z", "แก้หมวดงบ", due)
    assert A.current_state(True, ret, today=due).state == A.RETURNED
    assert A.current_state(True, ret, today=due + dt.timedelta(days=1)).state == A.CORRECTION_OVERDUE
    assert A.current_state(True, ret, changed_since=True, today=due + dt.timedelta(days=9)).state == A.CORRECTED
    assert A.current_state(True, ret, today=due).correction_due == due
    # The school corrected: approving is allowed; returning again too (the correction is not enough).
    corrected = A.current_state(True, ret, changed_since=True)
    A.check(A.APPROVE, corrected, seen=A.RETURNED)   # the school's edit is no staff decision
    A.check(A.RETURN, corrected, reason="ยังไม่ครบ")
    with pytest.raises(A.DecisionRefused) as e:      # not corrected yet: returned already
        A.check(A.RETURN, A.current_state(True, ret), reason="ซ้ำ")
    assert e.value.code == "decision.already_returned"


# --- two staff on one report (issue 16), on the host's history ----------------------------------------------------

@pytest.fixture
def host(tmp_path):
    """A job host's history where school 1048000001's action plan and Q1 progress were judged sent last run."""
    h = History(tmp_path / "history.sqlite")
    run = h.begin_run(trigger="test", fiscal_year=FY)
    h.record_statuses(run, [{"school_code": "1048000001", "report_key": k, "fiscal_year": FY, "status": st}
                            for k, st in (("action_plan", "on_time"), ("progress_q1", "late"),
                                          ("progress_q2", "overdue"))])
    h.end_run(run, status="success", exit_code=0)
    reg = tmp_path / "registry.csv"
    reg.write_text("รหัสโรงเรียน,ชื่อโรงเรียน,อีเมลติดต่อ\nschool_code,school_name,contact_email\n"
                   "1048000001,โรงเรียนบ้านหนึ่ง,one@school.example\n", encoding="utf-8-sig")
    cfg = SimpleNamespace(registry=reg, settings=None, data_dir=tmp_path)
    ctx = HostContext(cfg, RequestStore(h), run_job=lambda *a, **k: None)
    yield ctx
    h.close()


def test_two_staff_approving_the_same_report_first_one_wins(host):
    day = dt.date(2026, 6, 1)
    a = ask(host, "approve_report", STAFF_A, at(day, 10, 0), school_code="1048000001", report="action_plan")
    b = ask(host, "approve_report", STAFF_B, at(day, 10, 0), school_code="1048000001",
            report="แผนปฏิบัติการประจำปี")
    assert a.status == DONE and b.status == REFUSED
    assert "อนุมัติแล้ว" in b.message_th and STAFF_A in b.message_th and "already approved" in b.message_en
    rows = DecisionStore(host.store.history).decisions(FY)
    assert [(r["action"], r["decided_by"], r["previous_state"]) for r in rows] == [("approve", STAFF_A, "waiting")]


def test_a_return_and_an_approval_at_once_never_silently_overrule_each_other(host):
    day = dt.date(2026, 6, 1)
    # A approves; B, who saw it waiting, returns it: refused — an approved report is unapproved first.
    assert ask(host, "approve_report", STAFF_A, at(day), school_code="1048000001", report="action_plan",
               seen="waiting").status == DONE
    b = ask(host, "return_report", STAFF_B, at(day), school_code="1048000001", report="action_plan",
            reason="งบไม่ตรง", seen="รอพิจารณา")
    assert b.status == REFUSED and "ตอนนี้เป็น “อนุมัติแล้ว”" in b.message_th and STAFF_A in b.message_th
    assert "1 มิ.ย. 2569 10:00 น." in b.message_th
    # Without what B saw, the rule alone refuses it: an approved report is unapproved first.
    b = ask(host, "return_report", STAFF_B, at(day), school_code="1048000001", report="action_plan",
            reason="งบไม่ตรง")
    assert b.status == REFUSED and "ยกเลิกการอนุมัติ" in b.message_th
    # On the Q1 report A returns first; B, who saw it waiting, approves: refused, the state moved on.
    r = ask(host, "return_report", STAFF_A, at(day, 11), school_code="1048000001", report="progress_q1",
            reason="ร้อยละความก้าวหน้าไม่ตรงกับผลการเบิกจ่าย")
    # Monday 1 June + 5 working days, 3 June (Queen Suthida's birthday) off: Tuesday 9 June.
    assert r.status == DONE and r.result["correction_due"] == "2026-06-09"
    b = ask(host, "approve_report", STAFF_B, at(day, 11), school_code="1048000001", report="progress_q1",
            seen="waiting")
    assert b.status == REFUSED and "สถานะของรายงานเปลี่ยนไปแล้ว" in b.message_th and STAFF_A in b.message_th
    # B, having seen the return, approves it deliberately: done, with the state it overruled on record.
    b = ask(host, "approve_report", STAFF_B, at(day, 14), school_code="1048000001", report="progress_q1",
            seen="ส่งกลับแก้ไข")
    assert b.status == DONE and b.result["previous_state"] == "returned"
    # The same request delivered twice is one decision.
    again = ask(host, "unapprove_report", STAFF_A, at(day, 15), "R-same", school_code="1048000001",
                report="action_plan", reason="ต้องแก้แหล่งงบ")
    twice = ask(host, "unapprove_report", STAFF_A, at(day, 15), "R-same", school_code="1048000001",
                report="action_plan", reason="ต้องแก้แหล่งงบ")
    assert again.status == twice.status == DONE
    rows = DecisionStore(host.store.history).decisions(FY)
    assert [(r["report_key"], r["action"], r["decided_by"], r["previous_state"]) for r in rows] == [
        ("action_plan", "approve", STAFF_A, "waiting"), ("progress_q1", "return", STAFF_A, "waiting"),
        ("progress_q1", "approve", STAFF_B, "returned"), ("action_plan", "unapprove", STAFF_A, "approved")]
    assert rows[1]["reason"] == "ร้อยละความก้าวหน้าไม่ตรงกับผลการเบิกจ่าย" and rows[1]["decided_at"] == at(day, 11)


def test_a_returned_report_is_reminded_as_returned_due_by_its_correction_deadline(host):
    from sync.remind import last_statuses

    day = dt.date(2026, 6, 1)
    r = ask(host, "return_report", STAFF_A, at(day), school_code="1048000001", report="progress_q1",
            reason="ร้อยละไม่ตรงกับการเบิกจ่าย")
    assert r.status == DONE
    st = last_statuses(host.store.history, day).set_index("report_key")
    assert st.loc["progress_q1", "status"] == "returned" and st.loc["progress_q1", "due"] == "2026-06-09"
    assert st.loc["action_plan", "status"] == "on_time"  # undecided: as the run left it
    assert ask(host, "approve_report", STAFF_B, at(day, 15), school_code="1048000001",
               report="progress_q1").status == DONE
    assert last_statuses(host.store.history, day).set_index("report_key").loc["progress_q1", "status"] == "late"


def test_bad_decisions_are_refused_in_thai_and_english_and_change_nothing(host):
    day = dt.date(2026, 6, 1)
    cases = {
        "no reason": ("return_report", {"school_code": "1048000001", "report": "action_plan"}, "ต้องระบุเหตุผล"),
        "never sent": ("approve_report", {"school_code": "1048000001", "report": "progress_q2"}, "ยังไม่ได้ส่ง"),
        "unknown school": ("approve_report", {"school_code": "1048999999", "report": "action_plan"}, "ทะเบียน"),
        "unknown report": ("approve_report", {"school_code": "1048000001", "report": "รายงานลับ"}, "ไม่รู้จักรายงาน"),
        "not approved": ("unapprove_report", {"school_code": "1048000001", "report": "action_plan", "reason": "x"},
                         "ยังไม่ได้อนุมัติ"),
        "bad code": ("approve_report", {"school_code": "10480-01", "report": "action_plan"}, "รหัสโรงเรียน"),
        "typo field": ("approve_report", {"school_code": "1048000001", "report": "action_plan", "reson": "x"},
                       "reson"),
    }
    for name, (kind, payload, th) in cases.items():
        o = ask(host, kind, STAFF_A, at(day), **payload)
        assert o.status == REFUSED and th in o.message_th, (name, o.message_th)
        assert o.message_en and o.message_en != o.message_th
    assert DecisionStore(host.store.history).decisions() == []


def test_decisions_and_protections_are_append_only(host):
    ask(host, "approve_report", STAFF_A, at(dt.date(2026, 6, 1)), school_code="1048000001", report="action_plan")
    db = host.store.history.db
    for sql in ("UPDATE decisions SET reason='x'", "DELETE FROM decisions", "UPDATE protections SET action='x'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql) if "protections" not in sql else (
                db.execute("INSERT INTO protections (school_code, report_key, fiscal_year, action, decision_id,"
                           " ranges_json, run_id, at) VALUES ('1','a',1,'protect',1,'[]',1,'t')"), db.execute(sql))


# --- the nightly run on the emulator --------------------------------------------------------------------------------

def _night(dd, h, day, read, write):
    return run_once(JobSettings(history=h, registry=dd.registry, read_client=read, write_client=write,
                                district_spreadsheet_id=dd.district_id, report_dir=dd.state / "out", fiscal_year=FY,
                                today=day, trigger="test", progress=False, now=night_time(day)))


def _feedback(dd, code) -> list[list[str]]:
    ws = dd.clients[code].open_by_key(dd.ids[code]).worksheet(FEEDBACK.title_th)
    return ws.get_values()[FEEDBACK.first_data_row - 1:]


def _locks(dd, read, code) -> dict[str, list[dict]]:
    return {t: rs for t, rs in protection.read(read, dd.ids[code]).by_tag.items() if t.startswith(TAG)}


def test_the_night_locks_approved_rows_writes_feedback_and_unlocks_on_unapprove(emulator, tmp_path):
    emulator.configure(user_quota=10**6, project_quota=10**6)
    dd = setup_district(emulator, tmp_path, generate_district(3, 1, seed=1))
    read, write = dd.job_clients()
    school = dd.schools[0]  # on time: its action plan and Q1, Q2 progress are sent by night 2
    dd.type_as_of(NIGHT_2)
    emulator.set_file_clock(night_time(NIGHT_2))
    with History(tmp_path / "history.sqlite") as h:
        first = _night(dd, h, NIGHT_2, read, write)
        st = first.summary.status
        mine = st[st["school_code"] == school.code].set_index("report_key")
        assert mine.loc["action_plan", "status"] in ("on_time", "late")
        assert set(mine["approval"]) <= {"waiting", "not_sent"} and mine.loc["action_plan", "approval"] == "waiting"
        cfg = SimpleNamespace(registry=tmp_path / "registry.csv", settings=None, data_dir=tmp_path)
        ctx = HostContext(cfg, RequestStore(h), run_job=lambda *a, **k: None)
        day = NIGHT_2 + dt.timedelta(days=1)  # Tuesday 21 July 2569
        assert ask(ctx, "approve_report", STAFF_A, at(day, 9), school_code=school.code,
                   report="action_plan").status == DONE
        ret = ask(ctx, "return_report", STAFF_B, at(day, 9, 30), school_code=school.code, report="progress_q2",
                  reason="ร้อยละความก้าวหน้าของโครงการที่ 1 ไม่ตรงกับเอกสาร")
        assert ret.status == DONE, ret.message_th
        # A late school's Q1 report reached the office on paper in time: A records it from her PC.
        late = dd.schools[2]
        o = ask(ctx, "override_submission", STAFF_A, at(day, 10), school_code=late.code, report="progress_q1",
                fiscal_year=FY, received_on="10/01/2569", channel="หนังสือ/เอกสารกระดาษ",
                reference="ศธ 04123/015", reason="โรงเรียนส่งเอกสารกระดาษทันกำหนด")
        assert o.status == DONE, o.message_th
        bad = ask(ctx, "override_submission", STAFF_A, at(day, 10), school_code=late.code, report="progress_q1",
                  fiscal_year=FY, received_on="31/02/2569", channel="นกพิราบ", reason="x")
        assert bad.status == REFUSED and "ช่องทาง" in bad.message_th and "วันที่ได้รับ" in bad.message_th
        due = dt.date.fromisoformat(ret.result["correction_due"])
        assert due == dt.date(2026, 7, 31)  # 5 working days: 28 July (King's Birthday) and 29 July off

        emulator.set_file_clock(night_time(day))
        second = _night(dd, h, day, read, write)
        assert second.exit_code == 0, (second.message_en, second.errors)
        assert second.writers["protection"]["ok"]
        st = second.summary.status.set_index(["school_code", "report_key"])
        assert st.loc[(late.code, "progress_q1"), "basis"] == "override"
        assert st.loc[(late.code, "progress_q1"), "status"] == "on_time"
        [ov] = h.overrides(FY)
        assert (ov["recorded_by"], ov["reason"], ov["reference"]) == (STAFF_A, "โรงเรียนส่งเอกสารกระดาษทันกำหนด",
                                                                     "ศธ 04123/015")
        locks = _locks(dd, read, school.code)
        assert list(locks) == [f"{TAG}{FY}:action_plan"]
        titles = {v: k for k, v in protection.read(read, dd.ids[school.code]).sheet_ids.items()}
        spans = sorted((titles[p["range"]["sheetId"]], p["range"]["startRowIndex"] + 1, p["range"]["endRowIndex"])
                       for p in locks[f"{TAG}{FY}:action_plan"])
        first_row = SHEETS["action_plan"].first_data_row
        plan_rows = len(h.validated_rows(h.school_tabs(school.code)["action_plan"].snapshot_id, valid=None))
        sub = h.validated_rows(h.school_tabs(school.code)["submission"].snapshot_id, valid=None)
        confirm = [r["_row"] for r in sub if r["report"] == "แผนปฏิบัติการประจำปี"]
        assert spans == sorted([(SHEETS["action_plan"].title_th, first_row, first_row + plan_rows - 1),
                                *((SHEETS["submission"].title_th, r, r) for r in confirm)])
        assert plan_rows > 0 and len(confirm) == 1
        # The school cannot edit an approved row, nor take the lock off; its other tabs stay editable.
        ss = dd.clients[school.code].open_by_key(dd.ids[school.code])
        with pytest.raises(APIError):
            ss.worksheet(SHEETS["action_plan"].title_th).update_acell(f"B{first_row}", "แก้หลังอนุมัติ")
        with pytest.raises(APIError):
            ss.batch_update({"requests": [{"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}}
                                          for p in locks[f"{TAG}{FY}:action_plan"]]})
        ss.worksheet(SHEETS["progress"].title_th).update_acell(f"N{first_row + 20}", "ยังแก้ได้")
        # The feedback, in Thai: approved, and returned with its reason and deadline.
        fb = _feedback(dd, school.code)
        approved = [r for r in fb if r[1] == "ผลการพิจารณาของเขต" and r[4] == "อนุมัติแล้ว"]
        returned = [r for r in fb if r[1] == "ผลการพิจารณาของเขต" and r[4] == "ส่งกลับแก้ไข"]
        assert approved and "เขตอนุมัติรายงานนี้แล้วเมื่อ 21 ก.ค. 2569" in approved[0][6]
        assert returned and "ไม่ตรงกับเอกสาร" in returned[0][6] and "31 ก.ค. 2569" in returned[0][7]
        assert returned[0][3] == "31 ก.ค. 2569"
        # The summary: per report and per network, and every decision.
        s = second.summary
        plan = s.approvals_by_report.set_index("report_th").loc["แผนปฏิบัติการประจำปี"]
        assert plan["approved"] >= 1 and plan["sent"] == plan["approved"] + plan["returned"] + plan["waiting"]
        assert s.approvals_by_network["approved"].sum() == 1 and s.approvals_by_network["returned"].sum() == 1
        assert list(s.decisions["action_th"]) == ["ส่งกลับแก้ไข", "อนุมัติ"]
        # Nothing to change the next night: no protection request at all.
        third = _night(dd, h, day + dt.timedelta(days=1), read, write)
        assert third.writers["protection"]["ok"]
        assert len(DecisionStore(h).protections(FY)) == 1
        assert [o["action"] for o in h.overrides(FY)] == ["apply"]  # a sent override stays (no tab row to lose)

        # Unapproved with a reason: the lock comes off at the next run and the school is told why.
        later = day + dt.timedelta(days=2)
        assert ask(ctx, "unapprove_report", STAFF_A, at(later, 9), school_code=school.code, report="action_plan",
                   reason="ต้องแก้แหล่งงบประมาณของโครงการที่ 2").status == DONE
        emulator.set_file_clock(night_time(later))
        fourth = _night(dd, h, later, read, write)
        assert fourth.exit_code == 0
        assert _locks(dd, read, school.code) == {}
        ss.worksheet(SHEETS["action_plan"].title_th).update_acell(f"B{first_row}", ss.worksheet(
            SHEETS["action_plan"].title_th).acell(f"B{first_row}").value)
        fb = _feedback(dd, school.code)
        assert any("เขตยกเลิกการอนุมัติ" in r[6] and "แหล่งงบประมาณ" in r[6] for r in fb)
        prot = DecisionStore(h).protections(FY)
        assert [p["action"] for p in prot] == ["protect", "unprotect"]


def test_a_lock_that_fails_on_googles_side_is_made_the_next_night(emulator, tmp_path):
    """The demo's "protection 1048000013 failed: RetriesExhausted" is its own fault injection (that school's sheet
    answers 500 to every request on night 2): nothing is recorded for the failed lock, the run is partial and
    says which school, and the next night — the sheet answering again — locks the approved rows."""
    emulator.configure(user_quota=10**6, project_quota=10**6)
    dd = setup_district(emulator, tmp_path, generate_district(3, 1, seed=1))
    read, write = dd.job_clients()
    school = dd.schools[0]
    dd.type_as_of(NIGHT_2)
    emulator.set_file_clock(night_time(NIGHT_2))
    with History(tmp_path / "history.sqlite") as h:
        _night(dd, h, NIGHT_2, read, write)
        cfg = SimpleNamespace(registry=tmp_path / "registry.csv", settings=None, data_dir=tmp_path)
        ctx = HostContext(cfg, RequestStore(h), run_job=lambda *a, **k: None)
        day = NIGHT_2 + dt.timedelta(days=1)
        assert ask(ctx, "approve_report", STAFF_A, at(day, 9), school_code=school.code,
                   report="action_plan").status == DONE
        emulator.configure(file_faults={dd.ids[school.code]: {"error_500": 1.0}})
        emulator.set_file_clock(night_time(day))
        failed = _night(dd, h, day, read, write)
        assert failed.exit_code == 1 and not failed.writers["protection"]["ok"]
        assert school.code in str(failed.writers["protection"])
        assert DecisionStore(h).protections(FY) == []  # nothing recorded: tried again next night
        emulator.configure(file_faults={dd.ids[school.code]: {}})  # the sheet answers again
        nxt = day + dt.timedelta(days=1)
        emulator.set_file_clock(night_time(nxt))
        repaired = _night(dd, h, nxt, read, write)
        assert repaired.writers["protection"]["ok"], repaired.writers["protection"]
        assert list(_locks(dd, read, school.code)) == [f"{TAG}{FY}:action_plan"]
        assert len(DecisionStore(h).protections(FY)) == 1
