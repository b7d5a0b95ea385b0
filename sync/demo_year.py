"""`khet demo --year`: a whole fiscal year told night by night, then the year's close and the next year's open.

A generated district (default 30 schools) on the embedded emulator lives fiscal year 2569 as a district would:
the nightly job runs every Monday and on every due date and the day after (at 02:00 Bangkok on a simulated
clock), from 5 October 2025 to mid-October 2026. Schools behave plausibly — most confirm each report in the days
before it is due, some late, a few never; one confirms its plan with a wrong amount and fixes it ten days later;
one sends its plan on paper and staff record it on the บันทึกการรับรายงาน tab (an override, with its audit); one
joins in February (its sheet created then: its typed date for the January report is taken, marked
ตามที่โรงเรียนแจ้ง). In late September staff open 2570 (`khet year open`): every school gets its 2570 sheet,
profile carried over. On 1 October the job tracks both years: the 12-month KPI report confirmed on 30 September is
on time in 2569, Q4 progress (due 15 October) is judged under 2569; on 20 October 2569 is closed (`khet year
close`): final summary, what is missing, sheets read-only for schools.

Deterministic under the seed. Each school's rows are the demo generator's (``sync.demo``), re-dated on the
year's calendar.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from addin.ontime import effective_due
from addin.thaidate import format_thai_date
from sync.demo import (
    DISTRICT_NAME,
    FY,
    YEAR_START,
    DemoSchool,
    Row,
    _confirm,
    fresh_state,
    generate_district,
    night_time,
    setup_district,
)
from workbook.reports import REPORTS_BY_KEY

NEXT = FY + 1
FIRST_NIGHT = dt.date(2025, 10, 6)      # the first Monday of the year
OPEN_NEXT = dt.date(2026, 9, 21)        # staff open 2570 (khet year open)
CLOSE_ON = dt.date(2026, 10, 20)        # after Q4 progress's window (15 Oct): khet year close 2569
LAST_NIGHT = dt.date(2026, 10, 19)
JOINS = dt.date(2026, 2, 2)             # the school that joins mid-year: its sheet is created then
ON_PAPER = dt.date(2026, 5, 28)         # the plan one school sends on paper


@dataclass
class YearResult:
    state_dir: Path
    nights: list = field(default_factory=list)     # (day, RunReport of the newest year)
    last_old: object = None                        # the RunReport of 2569's last run (at its close)
    closed: object = None                          # sync.year_ops.Closed
    opened: object = None                          # sync.year_ops.Opened
    seconds: float = 0.0


def _dues() -> dict[str, dt.date]:
    from sync.aggregate import report_dues

    return {k: effective_due(d) for k, d in report_dues(FY).items()}


def _redate(s: DemoSchool, rng: random.Random, *, wrong: bool, joined: bool) -> DemoSchool:
    """The school's rows on the year's calendar: each report's rows and confirmation on one day near its due
    date — most before it, some after, a few never."""
    base = s.grids(dt.date(2026, 7, 20))
    dues = _dues()
    clerk = "นางสาวกาญจนา ทองดี"
    rows: dict[str, list[Row]] = {"school_profile": [Row([(dt.date(2025, 10, 10) if not joined else JOINS,
                                                           dict(zip(_keys("school_profile"), base["school_profile"][0],
                                                                    strict=False)))])]}
    confirms, progress, kpi = [], [], []

    def day_for(key: str) -> dt.date | None:
        draw = rng.random()
        due = dues[key]
        if draw < 0.78:
            return due - dt.timedelta(days=rng.randint(0, 12))
        if draw < 0.93:
            return due + dt.timedelta(days=rng.randint(2, 25))
        return None

    plan_day = day_for("action_plan")
    plan_rows = [dict(zip(_keys("action_plan"), r, strict=False)) for r in base.get("action_plan", [])]
    if plan_rows and plan_day:
        versions = [[(plan_day, r)] for r in plan_rows]
        if wrong:
            bad = dict(plan_rows[0], budget_total=float(plan_rows[0].get("budget_total") or 0) + 1000)
            versions[0] = [(plan_day, bad), (plan_day + dt.timedelta(days=10), plan_rows[0])]
        rows["action_plan"] = [Row(v) for v in versions]
        confirms.append(_confirm("action_plan", plan_day, clerk))
    q_rows = [dict(zip(_keys("progress"), r, strict=False)) for r in base.get("progress", [])]
    first_q = min((str(r.get("quarter")) for r in q_rows), default="1")
    template = [r for r in q_rows if str(r.get("quarter")) == first_q]
    for q in (1, 2, 3, 4):
        day = day_for(f"progress_q{q}")
        if joined and q == 1:
            day = JOINS + dt.timedelta(days=3)      # typed after joining; the school says it sent it on 10 Jan
        if day is None or not template:
            continue
        for r in template:
            progress.append(Row([(day, dict(r, quarter=str(q), progress_pct=min(100, 25 * q),
                                            reported_on=format_thai_date(day)))]))
        c = _confirm(f"progress_q{q}", day, clerk)
        if joined and q == 1:
            c = Row([(day, dict(c.versions[0][1], submitted_on=format_thai_date(dt.date(2026, 1, 10))))])
        confirms.append(c)
    k_rows = [dict(zip(_keys("kpi"), r, strict=False)) for r in base.get("kpi", [])]
    for key, round_ in (("kpi_6m", "6 เดือน"), ("kpi_12m", "12 เดือน")):
        day = day_for(key)
        if day is None or not k_rows:
            continue
        kpi += [Row([(day, dict(r, round=round_))]) for r in k_rows]
        confirms.append(_confirm(key, day, clerk))
    requests = []
    if base.get("requests") and (day := day_for("requests")) is not None:
        requests = [Row([(day, dict(zip(_keys("requests"), r, strict=False)))]) for r in base["requests"]]
        confirms.append(_confirm("requests", day, clerk))
    rows.update({"action_plan": rows.get("action_plan", []), "progress": progress, "kpi": kpi,
                 "requests": requests, "submission": confirms})
    return replace(s, rows=rows)


def _keys(sheet_key: str) -> list[str]:
    from workbook.sheets import SHEETS

    return SHEETS[sheet_key].keys()


def year_nights() -> list[dt.date]:
    """Every Monday, every due date and the day after, 1 October, until the night before the close."""
    days = {FIRST_NIGHT + dt.timedelta(weeks=w) for w in range(60)}
    for due in _dues().values():
        days |= {due, due + dt.timedelta(days=1)}
    days |= {dt.date(2026, 10, 1), dt.date(2026, 9, 30)}
    return sorted(d for d in days if FIRST_NIGHT <= d <= LAST_NIGHT)


def run_year(state: Path, *, n_schools: int = 30, n_networks: int = 3, seed: int = 0,
             say: Callable[[str], None] = print) -> YearResult:
    from sync.emulator import Emulator
    from sync.gclient import SCOPES_PROVISION, connect
    from sync.google_template import ensure_template
    from sync.history import History
    from sync.job import JobSettings, run_locked
    from sync.provision import provision
    from sync.registry import School, load_registry, write_csv_registry
    from sync.staff_rows import append_rows
    from sync.year_ops import close_year, open_year
    from workbook.templates import save_staff_workbook

    t0 = time.perf_counter()
    fresh_state(state, say)
    rng = random.Random(seed * 104729 + 11)
    generated = generate_district(n_schools, n_networks, seed)
    joiner = next(s for s in reversed(generated) if s.scenario != "absent")
    generated = [s for s in generated if s is not joiner] + [joiner]
    schools = [_redate(s, rng, wrong=(i == 3), joined=(s is joiner)) for i, s in enumerate(generated)]
    paper = schools[5]
    paper.rows["action_plan"], paper.rows["submission"] = [], [
        c for c in paper.rows["submission"] if c.versions[0][1].get("report") != REPORTS_BY_KEY["action_plan"].title_th]
    out = YearResult(state)
    with Emulator(key_dir=state / "keys", seed=seed, user_quota=10**9, project_quota=10**9) as emu:
        dd = setup_district(emu, state, schools[:-1], seed=seed)
        admin = connect(dd.key, SCOPES_PROVISION, endpoint=emu.url)
        template_id, _ = ensure_template(admin, None)
        history = History(state / "history.sqlite")
        read, write = dd.job_clients()
        staff = save_staff_workbook(state / "khet-staff.xlsx")
        say(f"ปีงบประมาณ {FY}: {len(schools) - 1} โรงเรียน, คืนประมวลผล {len(year_nights())} คืน (ทุกวันจันทร์ วันครบกำหนด"
            f"และวันถัดไป) / fiscal year {FY}: {len(schools) - 1} schools, {len(year_nights())} nights")
        previous = YEAR_START
        try:
            for day in year_nights():
                if previous < JOINS <= day:     # the school that joins mid-year: registered and provisioned
                    emu.set_file_clock(dt.datetime.combine(JOINS, dt.time(9, 0), night_time(day).tzinfo))
                    reg = write_csv_registry(state / "registry.csv", [
                        School(s.code, s.name, s.email, s.network, spreadsheet_id=dd.ids.get(s.code, ""))
                        for s in schools])
                    dd.registry = load_registry(reg)
                    provision(admin, dd.registry, template_id=template_id, folder_id=None)
                    dd.ids = {s.code: s.spreadsheet_id for s in dd.registry.schools}
                    dd.schools = schools
                    dd.clients[joiner.code] = connect(emu.service_account(joiner.email), SCOPES_PROVISION,
                                                      endpoint=emu.url)
                if previous < ON_PAPER + dt.timedelta(days=2) <= day:   # staff record the paper plan
                    append_rows(staff, "submission_overrides", [{
                        "school_code": paper.code, "report": REPORTS_BY_KEY["action_plan"].title_th,
                        "fiscal_year": FY, "received_on": format_thai_date(ON_PAPER),
                        "channel": "หนังสือ/เอกสารกระดาษ", "reference": "ศธ 04123/567",
                        "reason": "โรงเรียนส่งแผนเป็นเอกสาร", "recorded_by": "นางสาวพรทิพย์ แผนงาน",
                        "recorded_on": format_thai_date(ON_PAPER + dt.timedelta(days=2))}])
                if previous < OPEN_NEXT <= day:
                    emu.set_file_clock(dt.datetime.combine(OPEN_NEXT, dt.time(10, 0), night_time(day).tzinfo))
                    out.opened = open_year(admin, history, dd.registry, NEXT, template_id=template_id,
                                           folder_id=None, by="นายสมชาย ผู้ดูแลระบบ")
                    say(f"  {format_thai_date(OPEN_NEXT)}: เปิดปีงบประมาณ {NEXT} — สร้างชีต "
                        f"{out.opened.result.count('created')} โรง ยกข้อมูลโรงเรียนมา {out.opened.carried} โรง / "
                        f"opened {NEXT}")
                changed = {s.code for s in schools if s.code in dd.ids and previous < s.last_edit(day) <= day}
                # Each school types into its own year's sheet (2569's until the year is closed).
                dd.ids = {**dd.ids, **history.year_sheets(FY)}
                dd.type_as_of(day, only=changed)
                emu.set_file_clock(night_time(day))
                rep = run_locked(JobSettings(history=history, registry=dd.registry, read_client=read,
                                             write_client=write, district_spreadsheet_id=dd.district_id,
                                             report_dir=state / "out", today=day, trigger="demo", progress=False,
                                             now=night_time(day), staff_workbook=staff,
                                             district_name=DISTRICT_NAME),
                                 lock_path=state / "sync.lock", log_dir=state / "logs", json_dir=state / "runs")
                out.nights.append((day, rep))
                years = {y["fiscal_year"]: y for y in rep.years}
                old = years.get(FY, {}).get("counts", {})
                if old:
                    say(f"  {format_thai_date(day)}: ตรงเวลา {old.get('on_time', 0)}, ช้า {old.get('late', 0)}, "
                        f"ไม่ส่ง {old.get('missing', 0)}, เกินกำหนด {old.get('overdue', 0)} "
                        f"(exit {rep.exit_code}{', ' + str(len(years)) + ' ปี' if len(years) > 1 else ''})")
                previous = day
            emu.set_file_clock(night_time(CLOSE_ON))

            def last_run(fy: int):
                out.last_old = run_locked(JobSettings(
                    history=history, registry=dd.registry, read_client=read, write_client=write,
                    report_dir=state / "out", fiscal_year=fy, today=CLOSE_ON, trigger="close", progress=False,
                    now=night_time(CLOSE_ON), staff_workbook=staff, district_name=DISTRICT_NAME),
                    lock_path=state / "sync.lock", log_dir=state / "logs", json_dir=state / "runs")
                return out.last_old
            out.closed = close_year(
                admin, history, dd.registry, FY, by="นางสาวพรทิพย์ แผนงาน", reason="สิ้นปีงบประมาณ",
                report_dir=state / "out", now=night_time(CLOSE_ON), run=last_run)
            say(f"  {format_thai_date(CLOSE_ON)}: ปิดปีงบประมาณ {FY} — ไม่ส่ง {len(out.closed.missing)} รายการ, ชีตโรงเรียน"
                f"อ่านอย่างเดียว {out.closed.read_only} โรง / closed {FY}: {len(out.closed.missing)} not sent, "
                f"{out.closed.read_only} sheets read-only")
        finally:
            history.close()
    out.seconds = time.perf_counter() - t0
    return out
