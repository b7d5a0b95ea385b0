"""Submission times from evidence, end to end on the emulator (issue: a whole fiscal year, told truthfully).

Schools type on the emulator's file clock (Drive's modifiedTime tells when, as it would); the job runs at 02:00
Bangkok on simulated nights. A confirmation at 23:59 on the due date is on time; a missed night changes nothing;
a district that starts mid-year takes the school's word for what it could not see, and flags claims it can;
staff overrides win, with their audit; a submission time is never later than the night that saw it and never
earlier than its first evidence except by override or the claim rule.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from addin.ontime import BASIS_CLAIM, BASIS_OVERRIDE, Evidence, decide
from addin.status import TIMEZONE
from addin.thaidate import format_thai_date
from sync.demo import FY, _write_school, generate_district, night_time, setup_district
from sync.emulator import Emulator
from sync.evidence import evidence_records, proof_of
from sync.history import History
from sync.job import JobSettings, run_locked
from sync.overrides import UNKNOWN_SCHOOL
from sync.staff_rows import append_rows
from sync.tracking import Rules
from workbook.reports import REPORTS_BY_KEY
from workbook.sheets import SHEETS
from workbook.templates import save_staff_workbook

# The plan is due 31 May 2026, a Sunday (Visakha Bucha, substituted on Monday): the due date is Tuesday 2 June.
PLAN_DUE_WORKDAY = dt.date(2026, 6, 2)
Q1_DUE = dt.date(2026, 1, 15)


def bkk(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), TIMEZONE)


def confirm(report_key: str, typed: dt.date) -> list:
    return [REPORTS_BY_KEY[report_key].title_th, FY, "นางสาวกาญจนา ทองดี", "ครู", format_thai_date(typed), "ใช่"]


class District:
    """Three generated schools on a fresh emulator; each test scripts what they type and when."""

    def __init__(self, tmp, emu):
        self.tmp, self.emu = tmp, emu
        self.dd = setup_district(emu, tmp, generate_district(3, 1, seed=0))
        self.codes = [s.code for s in self.dd.schools]
        self.history = History(tmp / "history.sqlite")
        self.read, self.write = self.dd.job_clients()
        self.staff = save_staff_workbook(tmp / "khet-staff.xlsx")
        self.typed = {code: {} for code in self.codes}

    def school_types(self, code: str, when: dt.datetime, **tabs) -> None:
        """The school (re)writes whole tabs at ``when``."""
        self.typed[code].update(tabs)
        self.emu.set_file_clock(when)
        _write_school(self.dd.clients[code], self.dd.ids[code], tabs, {})

    def plan_rows(self, code: str) -> list:
        school = next(s for s in self.dd.schools if s.code == code)
        return school.grids(dt.date(2026, 5, 25))["action_plan"]

    def night(self, day: dt.date, rules: Rules | None = None):
        self.emu.set_file_clock(night_time(day))
        rep = run_locked(JobSettings(history=self.history, registry=self.dd.registry, read_client=self.read,
                                     write_client=self.write, district_spreadsheet_id=self.dd.district_id,
                                     report_dir=self.tmp / "out", fiscal_year=FY, today=day, trigger="test",
                                     now=night_time(day), staff_workbook=self.staff, rules=rules or Rules()),
                         lock_path=self.tmp / "sync.lock", json_dir=self.tmp / "runs")
        assert rep.exit_code == 0, (rep.message_en, rep.errors)
        return rep

    def status(self, rep, code: str, report_key: str):
        return rep.summary.status.set_index(["school_code", "report_key"]).loc[(code, report_key)]


def _plan_at_2359(tmp, nights: list[dt.date]):
    with Emulator(user_quota=10**6, project_quota=10**6) as emu:
        d = District(tmp, emu)
        a = d.codes[0]
        d.school_types(a, bkk(dt.date(2026, 5, 20), 10), action_plan=d.plan_rows(a))
        # Confirmed at 23:59 on the (working-day) due date.
        d.school_types(a, bkk(PLAN_DUE_WORKDAY, 23, 59), submission=[confirm("action_plan", PLAN_DUE_WORKDAY)])
        reps = [d.night(n) for n in nights]
        row = d.status(reps[-1], a, "action_plan")
        ev = d.history.evidence(FY)[(a, "action_plan")]
        d.history.close()
        return row, ev, reps


def test_confirmed_at_2359_on_the_due_date_read_at_0200_is_on_time(tmp_path):
    row, ev, reps = _plan_at_2359(tmp_path, [dt.date(2026, 6, 3)])
    assert row["status"] == "on_time" and row["basis"] == "evidence"
    assert row["submitted_at"].replace(second=0, microsecond=0) == dt.datetime(2026, 6, 2, 23, 59)
    assert ev["with_data"] == ev["valid"] == bkk(PLAN_DUE_WORKDAY, 23, 59)
    assert reps[0].counts["on_time"] >= 1


def test_a_missed_night_changes_nothing(tmp_path):
    seen_next_night, *_ = _plan_at_2359(tmp_path / "a", [dt.date(2026, 6, 3)])
    server_down, *_ = _plan_at_2359(tmp_path / "b", [dt.date(2026, 6, 6)])  # 3–5 June missed
    keys = ["status", "submitted_at", "submitted_on", "basis"]
    assert seen_next_night[keys].tolist() == server_down[keys].tolist()


def test_mid_year_start_claims_and_overrides(tmp_path):
    with Emulator(user_quota=10**6, project_quota=10**6) as emu:
        d = District(tmp_path, emu)
        a, b, c = d.codes
        progress = next(s for s in d.dd.schools if s.code == a).grids(dt.date(2026, 7, 20))["progress"]
        q1 = [r for r in progress if str(r[2]) == "1"]
        # The district started tracking on 1 May. Before that school A sent Q1 on 10 Jan, it says (taken, marked);
        # school B claims a plan date far before it really confirmed (18 July: flagged, not trusted), and one date
        # in the future (an error at its cell).
        d.school_types(a, bkk(dt.date(2026, 7, 1), 9), progress=q1, submission=[confirm("progress_q1", dt.date(2026, 1, 10))])
        d.school_types(b, bkk(dt.date(2026, 7, 18), 9), action_plan=d.plan_rows(b),
                       submission=[confirm("action_plan", dt.date(2026, 5, 2)),
                                   confirm("progress_q1", dt.date(2026, 12, 1))])
        # School C sent its plan on paper on 29 May: staff record it; and one row for a school nobody knows.
        override = {"school_code": c, "report": REPORTS_BY_KEY["action_plan"].title_th, "fiscal_year": FY,
                    "received_on": "29 พ.ค. 2569", "channel": "หนังสือ/เอกสารกระดาษ", "reference": "ศธ 04123/567",
                    "reason": "ส่งเป็นเอกสารเพราะชีตของโรงเรียนถูกลบ", "recorded_by": "นายสมชาย ศรีสุข",
                    "recorded_on": "21 ก.ค. 2569"}
        append_rows(d.staff, "submission_overrides", [override, {**override, "school_code": "1048999999"}])
        rep = d.night(dt.date(2026, 7, 21), Rules(tracking_start=dt.date(2026, 5, 1)))

        qa = d.status(rep, a, "progress_q1")
        assert (qa["status"], qa["basis"], qa["submitted_on"]) == ("on_time", BASIS_CLAIM, dt.date(2026, 1, 10))
        assert "ตามที่โรงเรียนแจ้ง" in qa["status_th"]
        pb = d.status(rep, b, "action_plan")
        assert (pb["status"], pb["basis"], pb["submitted_on"]) == ("late", "evidence", dt.date(2026, 7, 18))
        assert pb["claimed_on"] == dt.date(2026, 5, 2)
        f = rep.summary.findings
        mine = f[f["code"].str.startswith("claim.")].set_index(["school_code", "code"])
        much = mine.loc[(b, "claim.much_earlier")]
        assert (much["severity"], much["sheet_key"], much["cell"]) == ("warning", "submission", "E3")
        future = mine.loc[(b, "claim.future")]
        assert future["severity"] == "error" and future["cell"] == "E4" and "future" in future["message_en"]
        pc = d.status(rep, c, "action_plan")
        assert (pc["status"], pc["basis"]) == ("on_time", BASIS_OVERRIDE) and "บันทึกโดยเขต" in pc["status_th"]
        unknown = f[f["code"] == UNKNOWN_SCHOOL]
        assert len(unknown) == 1 and unknown.iloc[0]["row"] == 4 and unknown.iloc[0]["school_name"] == "สมุดงานเขต"
        audit = d.history.overrides(FY)
        assert [(o["school_code"], o["action"], o["channel"], o["reference"]) for o in audit] == [
            (c, "apply", "หนังสือ/เอกสารกระดาษ", "ศธ 04123/567")]
        assert '"status": "missing"' in audit[0]["previous_json"] and audit[0]["recorded_by"] == "นายสมชาย ศรีสุข"
        assert rep.counts["overrides_applied"] == 1 and rep.counts["override_findings"] == 1
        # The feedback of school C says it too.
        rows = d.write.http_client.values_get(d.dd.ids[c], f"'{SHEETS['feedback'].title_th}'!A3:H")["values"]
        plan = next(r for r in rows if r[2] == REPORTS_BY_KEY["action_plan"].title_th)
        assert "บันทึกโดยเขต" in plan[4] and "29 พ.ค. 2569" in plan[6]

        # Staff remove the row: the override is withdrawn (kept in the audit), the report is missing again.
        import openpyxl

        wb = openpyxl.load_workbook(d.staff)
        ws = wb[SHEETS["submission_overrides"].title_th]
        ws.delete_rows(3, 2)
        wb.save(d.staff)
        rep = d.night(dt.date(2026, 7, 22), Rules(tracking_start=dt.date(2026, 5, 1)))
        assert d.status(rep, c, "action_plan")["status"] == "missing"
        assert [o["action"] for o in d.history.overrides(FY)] == ["apply", "withdraw"]
        assert rep.counts["overrides_withdrawn"] == 1
        d.history.close()


@settings(max_examples=200, deadline=None)
@given(edits=st.lists(st.integers(min_value=0, max_value=40 * 24), min_size=1, max_size=6),
       confirm_at=st.integers(min_value=0, max_value=40 * 24),
       nights=st.lists(st.booleans(), min_size=40, max_size=40))
def test_a_submission_time_lies_between_its_first_evidence_and_the_night_that_saw_it(edits, confirm_at, nights):
    """Edits (hours after 1 Jan), the confirmation among them, nights at 02:00 that ran or were missed: the time
    Khet decides is never before the confirmation really happened and never after the first night that ran
    after it."""
    start = dt.datetime(2026, 1, 1, tzinfo=TIMEZONE)
    edit_times = sorted({start + dt.timedelta(hours=h, minutes=7) for h in [*edits, confirm_at]})
    confirmed = start + dt.timedelta(hours=confirm_at, minutes=7)
    h = History(":memory:")
    seen_night = None
    for n, ran in enumerate(nights):
        night = bkk(dt.date(2026, 1, 1) + dt.timedelta(days=n + 1), 2)
        if not ran:
            continue
        run = h.begin_run(trigger="test", fiscal_year=FY, started_at=night)
        last_edit = max((t for t in edit_times if t <= night), default=None)
        if last_edit is None or confirmed > night:
            continue
        proof = proof_of("read", modified_after=last_edit.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                         held_modified=None, read_at=night)
        import pandas as pd

        checks = pd.DataFrame({"school_code": ["1048000001"], "report_key": ["progress_q1"], "confirmed": [True],
                               "with_data": [True], "valid": [True]})
        h.record_evidence(run, FY, evidence_records(checks, {"1048000001": proof}), seen_at=night)
        seen_night = seen_night or night
    ev = h.evidence(FY).get(("1048000001", "progress_q1"))
    if seen_night is None:
        assert ev is None
        return
    d = decide(Q1_DUE, seen_night + dt.timedelta(days=1), evidence=Evidence(ev["with_data"], ev["valid"]))
    assert confirmed <= d.submitted_at <= seen_night
