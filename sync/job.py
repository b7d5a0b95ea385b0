"""One nightly run: read every changed school, keep history, consolidate, write the summary and feedback.

Order of a run, and why:
1. read (``sync.reader.read_all``: one request per changed school, failures classified, never aborting);
2. record each school's outcome in the history at once, one transaction per school (a run killed half-way
   keeps the schools it finished, and the re-run reads the rest: nothing is written twice or lost);
3. consolidate from the history's last good data of EVERY school (fresh or not) — validate, submission evidence
   (the earliest provable time a report was confirmed with data / valid: Drive's modifiedTime seen after the
   read, ``sync.evidence``), overrides and claims (``sync.tracking``), report versions (edits after due), aggregate;
4. write the .xlsx report (atomic), the district Google Sheet (atomic swap), then each school's feedback tab;
5. close the run with counts and the JSON run report.

Business dates (submission dates, statuses) use ``today`` — Bangkok's date unless given (the demo and tests
simulate nights); timestamps (run start, read times) are always the real clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from addin.calendar import fiscal_year as fiscal_year_of
from addin.settings import job_inputs, settings_or_fail
from addin.status import TIMEZONE, today_in_thailand
from addin.validate import Finding, validate_table
from addin.validation.engine import GROUP
from sync import aggregate as agg
from sync import approvals
from sync.config import ConfigError, Problem
from sync.control.approvals import merge_overrides, request_overrides
from sync.control.store import RequestStore
from sync.evidence import list_after_read, proofs, sheets_since
from sync.feedback import feedback_hash, feedback_rows, school_frames, write_feedback
from sync.history import History, iso, utcnow
from sync.lock import LockHeld, RunLock
from sync.overrides import load_overrides
from sync.reader import ReadResult, problem_findings, read_all, tab_problems
from sync.registry import Registry, RegistryError
from sync.repair import Repairs, repair_phase, sheet_rows_hash
from sync.runreport import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PARTIAL,
    STATUS_BY_EXIT,
    Progress,
    RunReport,
    SchoolOutcome,
    setup_logging,
)
from sync.summary import write_google, write_xlsx
from sync.trackers import STAFF_WORKBOOK_TH, read_trackers, staff_workbook_path
from sync.trackers import attach as attach_trackers
from sync.tracking import Rules, track
from sync.update import template_version, with_template_versions
from sync.validated import VALIDATED
from sync.years import first_night, year_registry, years_to_track
from workbook.errors import KhetError
from workbook.reports import REPORTS
from workbook.settings import DistrictSettings
from workbook.sheets import SHEETS

# A finding's columns, after the school's code (its own school_code field is that code).
FINDING_FIELDS = [k for k in Finding.__dataclass_fields__ if k != "school_code"]
# Reasons where writing feedback cannot work either (no access / no file).
NO_FEEDBACK = {"not_shared", "not_visible", "deleted", "auth"}
log = logging.getLogger("khet.sync.job")


@dataclass
class JobSettings:
    history: History
    registry: Registry
    read_client: Any                      # gspread client with read-only scopes
    write_client: Any | None = None       # spreadsheets scope: summary + feedback (None = no Google writes)
    folder_id: str | None = None
    district_spreadsheet_id: str | None = None
    report_dir: Path = Path("out")
    fiscal_year: int | None = None
    today: dt.date | None = None
    trigger: str = "manual"
    feedback: bool = True
    full: bool = False
    workers: int = 1
    progress: bool | None = None
    district_name: str = ""
    staff_workbook: Path | None = None    # its trackers (service requests, recommendations): sync.trackers
    settings: DistrictSettings | None = None  # the district's (addin.settings.load_settings); None = the defaults
    # A simulated night (the demo, tests): the run's clock, for run and read times, the age of data and the
    # moment statuses are judged at; Drive's modifiedTime must then come from the same calendar (the
    # emulator's file clock), as it is the evidence of submission.
    now: dt.datetime | None = None
    # Timeliness settings (policy, grace days, tracking start); the overrides tab is in the staff workbook.
    rules: Rules = field(default_factory=Rules)
    # Test hook: called after each school is recorded.
    after_school: Callable[[int], None] | None = None
    http_stats: list = field(default_factory=list)   # HttpStats objects to fold into the report


def xlsx_name(fiscal_year: int) -> str:
    return f"khet-summary-{fiscal_year}.xlsx"


# --- consolidation (pure apart from validation) ---------------------------------------------------------------

@dataclass
class Consolidated:
    district: agg.District
    rows_clean: int = 0
    rows_rejected: int = 0


@dataclass
class Stacked:
    """Every school's rows of one sheet, validated: clean and rejected rows with ``school_code``, findings."""

    rows: list[pd.DataFrame] = field(default_factory=list)
    rejected: list[pd.DataFrame] = field(default_factory=list)
    findings: list[tuple[str, Any]] = field(default_factory=list)  # (school code, Finding)

    def add(self, code: str, res) -> None:
        if len(res.rows):
            self.rows.append(res.rows.assign(school_code=code))
        if len(res.rejected):
            self.rejected.append(res.rejected.assign(school_code=code))
        self.findings.extend((code, f) for f in res.findings)


def validate_stacked(sheet, grids: dict[str, list[list[Any]]]) -> Stacked:
    """Validate many schools' grids of one sheet: schools whose header rows are identical (the template's) are
    stacked under one header and validated in ONE call, each row keeping its own row number and its school as
    its group (unique keys per school; each finding carries its school, its row and the values it quotes). A
    validation call costs ~10 ms however small the grid, so 1,000 schools one by one take half a minute;
    stacked, a second. A group with sheet-level findings (a broken header) is validated school by school, so
    every message counts that school's rows."""
    head_rows = sheet.first_data_row - 1
    groups: dict[tuple, list[str]] = {}
    for code, grid in grids.items():
        head = tuple(tuple(r) for r in grid[:head_rows])
        groups.setdefault(head if len(grid) > head_rows else ("__alone__", code), []).append(code)
    out = Stacked()
    for head, codes in groups.items():
        if len(codes) == 1 or head[0] == "__alone__":
            for c in codes:
                out.add(c, VALIDATED.validate(sheet, grids[c]))
            continue
        values: list[list[Any]] = [list(r) for r in head]
        numbers, labels = list(range(1, head_rows + 1)), [None] * head_rows
        for code in codes:
            data = grids[code][head_rows:]
            values += data
            numbers += range(head_rows + 1, head_rows + 1 + len(data))
            labels += [code] * len(data)
        res = validate_table(sheet, values, row_numbers=numbers, groups=labels)
        if any(f.row is None for f in res.findings):
            for c in codes:
                out.add(c, VALIDATED.validate(sheet, grids[c]))
            continue
        for frame, into in ((res.rows, out.rows), (res.rejected, out.rejected)):
            if len(frame):
                # The registry's code wins over one typed in the tab (the profile has a school_code column).
                into.append(frame.drop(columns="school_code", errors="ignore").rename(columns={GROUP: "school_code"}))
        out.findings.extend((f.school_code, f) for f in res.findings)
    return out


def consolidate(schools: pd.DataFrame, tabs: dict[str, dict[str, list[list[Any]]]],
                fresh: dict[str, dict[str, Any]] | None = None, reads: pd.DataFrame | None = None,
                sheets: dict[str, Any] | None = None) -> Consolidated:
    """Validate every school's current tabs and stack them per sheet with a ``school_code`` column, reusing
    tonight's validation where the grid is the one read and an earlier night's where the grid is unchanged
    (sync.validated). `sheets`: the definitions as the district's settings have them (by key)."""
    fresh = fresh or {}
    sheets = sheets or SHEETS
    stacks: dict[str, Stacked] = {}
    todo: dict[str, dict[str, list[list[Any]]]] = {}
    for code in schools["school_code"]:
        for key, grid in tabs.get(code, {}).items():
            if key not in sheets:
                continue
            res = fresh.get(code, {}).get(key) or VALIDATED.get(sheets[key], grid)
            if res is None:
                todo.setdefault(key, {})[code] = grid
            else:
                stacks.setdefault(key, Stacked()).add(code, res)
    for key, grids in todo.items():
        got = validate_stacked(sheets[key], grids)
        st = stacks.setdefault(key, Stacked())
        st.rows += got.rows
        st.rejected += got.rejected
        st.findings += got.findings
    f = findings_frame([(code, f) for st in stacks.values() for code, f in st.findings])
    # One order whichever way a finding was made (tonight's read or the stacked validation): school, tab, the
    # tab's own findings first, then row by row (the validator's column order kept within a row).
    sheet_order = {k: i for i, k in enumerate(SHEETS)}
    f = f.assign(_s=f["sheet_key"].map(sheet_order), _r=f["row"].fillna(0)).sort_values(
        ["school_code", "_s", "_r"], kind="stable").drop(columns=["_s", "_r"]).reset_index(drop=True)
    names = dict(zip(schools["school_code"], schools["school_name"], strict=True))
    f.insert(1, "school_name", f["school_code"].map(names))
    tables = {k: pd.concat(st.rows, ignore_index=True) for k, st in stacks.items() if st.rows}
    rejected = {k: pd.concat(st.rejected, ignore_index=True) for k, st in stacks.items() if st.rejected}
    d = agg.District(schools=schools, tables=tables, rejected=rejected, findings=f,
                     reads=reads if reads is not None else pd.DataFrame())
    return Consolidated(d, sum(len(t) for t in tables.values()), sum(len(t) for t in rejected.values()))


def findings_frame(findings: list[tuple[str, Finding]]) -> pd.DataFrame:
    """(school code, finding) pairs → one row per finding, the school first."""
    values_of = attrgetter(*FINDING_FIELDS)
    return pd.DataFrame([(code, *values_of(f)) for code, f in findings], columns=["school_code", *FINDING_FIELDS])


def report_fingerprints(d: agg.District, reports=REPORTS) -> dict[tuple[str, str], str]:
    """(school, report) → a hash of that report's rows (clean and rejected) — to see a report edited after due
    even when other reports of the same tab (another quarter) change."""
    out: dict[tuple[str, str], str] = {}
    for report in reports:
        frames = [agg._report_rows(t, report) for t in (d.tables.get(report.sheet), d.rejected.get(report.sheet))
                  if t is not None and len(t)]
        if not frames:
            continue
        rows = pd.concat(frames, ignore_index=True)
        cols = [c for c in [*SHEETS[report.sheet].keys(), "_row"] if c in rows.columns]
        h = pd.util.hash_pandas_object(rows[cols].astype(str), index=False).to_numpy(dtype=np.uint64)
        sums = pd.Series(h, index=rows["school_code"].to_numpy()).groupby(level=0).agg(
            lambda s: int(np.bitwise_xor.reduce(s.to_numpy())) if len(s) else 0)
        for code, value in sums.items():
            out[(code, report.key)] = f"{value:016x}"
    return out


# --- the run --------------------------------------------------------------------------------------------------

def _schools_frame(registry: Registry) -> pd.DataFrame:
    active = registry.active()
    return pd.DataFrame({"school_code": [s.code for s in active], "school_name": [s.name for s in active],
                         "network": [s.network for s in active], "contact_email": [s.contact_email for s in active],
                         "phone": [getattr(s, "phone", "") for s in active]})


def _age_hours(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else round((now - then).total_seconds() / 3600, 1)


def run_once(s: JobSettings) -> RunReport:
    """One run of one fiscal year (the lock is the caller's business: see :func:`run_locked`): that year's
    school sheets and read state only (sync/years.py)."""
    now = s.now or utcnow()
    today = s.today or today_in_thailand()
    fy = s.fiscal_year or fiscal_year_of(today)
    h = s.history.for_year(fy)
    s = replace(s, history=h, registry=year_registry(s.registry, h, fy, at=now), fiscal_year=fy)
    report = RunReport(trigger=s.trigger, fiscal_year=fy, started_at=iso(now))
    run_id = h.begin_run(trigger=s.trigger, fiscal_year=fy, started_at=now)
    report.run_id = run_id
    t0 = time.perf_counter()
    try:
        _run(s, report, run_id, now, today, fy)
    except Exception as exc:
        log.exception("run %s failed", run_id)
        report.errors.append(f"{type(exc).__name__}: {exc}")
        report.exit_code = EXIT_FAILED
        th, en = failure_text(exc)
        report.message_th = f"งานประมวลผลไม่สำเร็จ: {th}"
        report.message_en = f"the run could not complete: {en}"
    report.phases["total"] = round(time.perf_counter() - t0, 3)
    report.status = STATUS_BY_EXIT[report.exit_code]
    ended = s.now + dt.timedelta(seconds=report.phases["total"]) if s.now else utcnow()
    report.ended_at = iso(ended)
    for st in s.http_stats:
        for k, v in st.as_dict().items():
            if isinstance(v, (int, float)):
                report.http[k] = round(report.http.get(k, 0) + v, 3)
    h.end_run(run_id, status=report.status, exit_code=report.exit_code, counts=report.counts,
              report=report.to_dict(), ended_at=ended)
    return report


def failure_text(exc: BaseException) -> tuple[str, str]:
    """What the person on call reads for a failure: the error's own two languages, or the Thai and English of
    the failures a machine meets (a full disk, a history another program holds locked)."""
    import errno
    import sqlite3

    text = str(exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text:
        return ("ดิสก์เต็ม: บันทึกประวัติหรือรายงานไม่ได้ ลบไฟล์ที่ไม่ใช้หรือเพิ่มพื้นที่ แล้วสั่งใหม่ (ข้อมูลที่บันทึกแล้วไม่หาย)",
                "the disk is full: the history or a report could not be written; free some space and run again "
                "(what was recorded is kept)")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return ("ฐานข้อมูลประวัติถูกโปรแกรมอื่นล็อกไว้นานเกินรอ (เช่น เปิดค้างไว้ใน DB Browser) ปิดโปรแกรมนั้นแล้วสั่งใหม่",
                "the history database stayed locked by another program (e.g. left open in DB Browser) "
                "longer than the wait; close it and run again")
    return getattr(exc, "message_th", str(exc)), getattr(exc, "message_en", f"{type(exc).__name__}: {exc}")


@contextmanager
def _timed(report: RunReport, phase: str):
    t0 = time.perf_counter()
    try:
        yield
    finally:
        report.phases[phase] = round(time.perf_counter() - t0, 3)


def _run(s: JobSettings, report: RunReport, run_id: int, now: dt.datetime, today: dt.date, fy: int) -> None:
    """The phases in order; each returns what the next needs (see the module docstring)."""
    with _timed(report, "read"):
        district = (s.settings or DistrictSettings.default()).for_year(fy)
        result = read_phase(s, now, district)
        after_read = modified_after_read_phase(s, report)
    with _timed(report, "record"):
        fresh = record_phase(s, run_id, result)
    with _timed(report, "repair"):
        repairs = repair_phase(result, s.write_client if s.feedback else None, _editors(s.write_client),
                               s.history.last_feedback_sheets(), full=s.full)
    with _timed(report, "consolidate"):
        night = consolidate_phase(s, run_id, result, fresh, after_read, now=now, today=today, fy=fy,
                                  district=district, more_findings=repairs.findings)
    night.repairs = repairs
    report.summary = night.summary  # not serialised: for the demo's terminal print
    # School outcomes and counts before any output: a failed output still reports them.
    report.schools = school_outcomes(night, result)
    report.counts = {**run_counts(night, result, s.registry), **repairs.counts()}
    report.registry = [{"row": f.row, "cell": f.cell, "code": f.code, "message_th": f.message_th,
                        "message_en": f.message_en} for f in registry_errors(s.registry)]
    written = write_outputs(s, run_id, night, now=now, today=today, fy=fy, report=report)
    close_run(report, written)


# --- phase 1-2: read and record, school by school -------------------------------------------------------------

def read_phase(s: JobSettings, now: dt.datetime, district: DistrictSettings | None = None) -> ReadResult:
    read_bar: list[Progress] = []

    def on_read(done: int, total: int, outcome) -> None:
        if not read_bar:
            read_bar.append(Progress(total, "อ่าน/read", enabled=s.progress))
        read_bar[0].update(1, f"{outcome.school.code} {outcome.outcome}")

    result = read_all(s.read_client, s.registry, s.history, folder_id=s.folder_id, full=s.full,
                      workers=s.workers, now=now, progress=on_read,
                      sheets=[sh for sh in district.school_sheets() if not sh.read_only] if district else None)
    for bar in read_bar:
        bar.close()
    return result


def modified_after_read_phase(s: JobSettings, report: RunReport) -> dict[str, Any]:
    """The folder's modifiedTimes after tonight's reads (the safe proof: sync.evidence). Without it, tonight's
    reads are dated by the run time (later, never wrong) and the run report says why."""
    try:
        return list_after_read(s.read_client, s.folder_id)
    except Exception as exc:  # noqa: BLE001 - weaker evidence tonight, never a lost night
        log.warning("listing after the reads failed: %s", exc)
        report.errors.append(f"modified-after-read listing: {type(exc).__name__}: {exc}")
        return {}


def record_phase(s: JobSettings, run_id: int, result: ReadResult) -> dict[str, dict[str, Any]]:
    """Each school's outcome into the history, one transaction per school; returns tonight's validations
    (school → sheet key → result) so consolidation does not validate the same grid twice."""
    bar = Progress(len(result.schools), "บันทึก/record", enabled=s.progress)
    fresh: dict[str, dict[str, Any]] = {}
    for i, o in enumerate(result.schools):
        code = o.school.code
        results = o.read.results if o.read else {}
        s.history.record_read(run_id, code, outcome=o.outcome, spreadsheet_id=o.school.spreadsheet_id or None,
                              reason=o.reason, detail=o.message_en or None, drive_modified=o.drive_modified,
                              tabs=o.tabs, validated=results, read_at=s.now or utcnow())
        fresh[code] = {k: r for k, r in results.items() if k in o.tabs}
        bar.update(1, code)
        if s.after_school:
            s.after_school(i)
    bar.close()
    return fresh


# --- phase 3: consolidate from the last good data of every school ---------------------------------------------

@dataclass
class Night:
    """What consolidation hands to the outputs: every school's state tonight, the district and its summary."""

    schools: pd.DataFrame
    states: dict
    reads: pd.DataFrame        # one row per registered school: tonight's outcome and the age of its data
    consolidated: Consolidated
    summary: agg.Summary
    tracked: Any = None        # sync.trackers: the staff workbook's service requests and recommendations
    year_counts: dict = field(default_factory=dict)   # sync.tracking: evidence and overrides tonight
    tab_problems: dict = field(default_factory=dict)  # school → tonight's tab-level read problems (feedback)
    repairs: Repairs = field(default_factory=Repairs)   # sync.repair: feedback to rewrite whatever its hash
    approvals: Any = None      # sync.approvals.Night: each report's approval state, the year's decisions
    reports: tuple = ()        # the district's reports this year (settings)
    sheets: tuple = ()         # the district's school sheets this year (settings)

    @property
    def district(self) -> agg.District:
        return self.consolidated.district


def _reads_frame(schools: pd.DataFrame, states: dict, result: ReadResult, now: dt.datetime) -> pd.DataFrame:
    outcome_by = {o.school.code: o for o in result.schools}
    return pd.DataFrame([{
        "school_code": code, "school_name": name, "network": net,
        "outcome": outcome_by[code].outcome if code in outcome_by else "unchanged",
        "reason": outcome_by[code].reason if code in outcome_by else None,
        # The outcome's own words (the tab it concerns, whether earlier data is in use) for the reads tab.
        "message_th": outcome_by[code].message_th if code in outcome_by and outcome_by[code].reason else None,
        "last_good_at": states[code].last_good_at if code in states else None,
        "data_age_hours": _age_hours(now, states[code].last_good_at) if code in states else None,
    } for code, name, net in zip(schools["school_code"], schools["school_name"], schools["network"], strict=True)])


def consolidate_phase(s: JobSettings, run_id: int, result: ReadResult, fresh: dict[str, dict[str, Any]],
                      after_read: dict[str, Any], *, now: dt.datetime, today: dt.date, fy: int,
                      district: DistrictSettings | None = None, more_findings: list = ()) -> Night:
    """Validation with the district's definitions; submissions and statuses with its reports, due dates, grace
    days, on-time policy and which schools send what (`district`: the year's settings; None = the defaults).
    `more_findings`: (school, Finding) pairs found before consolidation (sync.repair's)."""
    h = s.history
    district = district or DistrictSettings.default().for_year(fy)
    by_settings = job_inputs(district, s.registry.active())
    dues, reports = by_settings["dues"], by_settings["reports"]
    schools = _schools_frame(s.registry)
    states = h.school_states()
    reads = with_template_versions(_reads_frame(schools, states, result, now), s.registry, h.template_versions(),
                                   template_version(district))
    con = consolidate(schools, {c: {k: t.grid for k, t in tabs.items()}
                                for c, tabs in h.all_school_tabs(schools["school_code"]).items()}, fresh, reads,
                      {sh.key: sh for sh in district.school_sheets()})
    d = con.district
    d.findings = _with_registry_findings(d.findings, s.registry)
    checks = agg.submittable(agg.report_checks(d, reports), agg.confirmed_reports(d, fy, reports))
    modified = {o.school.code: o.drive_modified for o in result.schools}
    ok = checks[checks["confirmed"] & checks["valid"]]
    with h.transaction():  # the night's evidence lands whole or not at all
        for code, key in zip(ok["school_code"], ok["report_key"], strict=True):
            h.record_submission(run_id, code, key, fy, submitted_on=today, seen_at=now,
                                drive_modified=modified.get(code))
        for (code, key), fp in report_fingerprints(d, reports).items():
            h.record_report_version(run_id, code, key, fy, fp, seen_on=today, drive_modified=modified.get(code),
                                    after_due=today > dues[key])
    # Submission times from evidence, the staff's overrides and the school's word (sync.tracking).
    school_proofs = proofs(result.schools, after_read, h.last_modified_all(), now)
    known = {sc.code for sc in s.registry.schools}
    overrides, override_findings = load_overrides(s.staff_workbook, known)
    overrides = merge_overrides(overrides, request_overrides(RequestStore(h), known))
    # The moment statuses are judged at: the simulated night, the start of a given business date, or now.
    moment = s.now or (dt.datetime.combine(today, dt.time.min, TIMEZONE) if s.today else now)
    rules = s.rules if s.settings is None else Rules(district.identity.on_time_policy, district.identity.grace_days,
                                                     s.rules.tracking_start)
    year = track(h, run_id, d, checks, fy, proofs=school_proofs, now=moment, today=today, rules=rules,
                 overrides=overrides, reports=reports, dues=dues,
                 sheet_since=sheets_since(s.registry.active(), after_read))
    extra = findings_frame(problem_findings(result) + list(more_findings) + year.findings
                           + [("", f) for f in override_findings])
    if len(extra):
        names = {"": STAFF_WORKBOOK_TH, **dict(zip(schools["school_code"], schools["school_name"], strict=True))}
        extra.insert(1, "school_name", extra["school_code"].map(names))
        d.findings = pd.concat([d.findings, extra], ignore_index=True)
    confirmed = checks[checks["confirmed"]]
    summary = agg.summarize(d, fy, today, edited_after_due=h.edited_after_due(fy),
                            confirmed=set(zip(confirmed["school_code"], confirmed["report_key"], strict=True)),
                            **{**year.timing, **by_settings})
    h.record_statuses(run_id, [{**r, "fiscal_year": fy} for r in summary.status.to_dict("records")])
    approved = approvals.attach(summary, h, fy, today, schools)
    tracked = read_trackers(s.staff_workbook, today, known_schools=schools["school_code"])
    attach_trackers(summary, tracked)
    year_counts = {"evidence_new": year.evidence_new, "overrides_applied": year.overrides_applied,
                   "overrides_withdrawn": year.overrides_withdrawn, "override_findings": len(override_findings)}
    return Night(schools, states, reads, con, summary, tracked, year_counts, tab_problems(result), approvals=approved,
                 reports=reports, sheets=district.school_sheets())


REGISTRY_CODE = "ทะเบียน"  # the findings' school column for a registry row: it is no school yet


def registry_errors(registry: Registry) -> list:
    return [f for f in registry.findings if f.severity == "error"]


def _with_registry_findings(findings: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Rejected registry rows (a duplicate code, a code that lost its leading zeros) in the district's findings
    every night: those schools are in no count and no summary until the registry is fixed."""
    rows = [(REGISTRY_CODE, "ทะเบียนโรงเรียน / school registry", *attrgetter(*FINDING_FIELDS)(f))
            for f in registry_errors(registry)]
    if not rows:
        return findings
    extra = pd.DataFrame(rows, columns=["school_code", "school_name", *FINDING_FIELDS])
    return pd.concat([extra, findings], ignore_index=True) if len(findings) else extra


def school_outcomes(night: Night, result: ReadResult) -> list[SchoolOutcome]:
    outcome_by = {o.school.code: o for o in result.schools}
    rows = []
    for r in night.reads.itertuples():
        o = outcome_by.get(r.school_code)
        rows.append(SchoolOutcome(
            r.school_code, r.school_name, r.network, r.outcome, r.reason,
            o.message_en if o and o.outcome == "failed" else None,
            None if pd.isna(r.last_good_at) else iso(r.last_good_at),
            None if pd.isna(r.data_age_hours) else float(r.data_age_hours)))
    return rows


def run_counts(night: Night, result: ReadResult, registry: Registry) -> dict[str, int]:
    counts = result.counts()
    return {"schools_total": len(night.schools), "registry_rejected": len(registry_errors(registry)),
            "schools_provisioned": result.provisioned,
            "schools_listed": result.in_folder, "schools_read": counts["read"],
            "schools_unchanged": counts["unchanged"],
            "schools_failed": counts["failed"] + counts["not_provisioned"],
            "rows_clean": night.consolidated.rows_clean, "rows_rejected": night.consolidated.rows_rejected,
            "findings": int(len(night.district.findings)), "read_requests": result.read_requests,
            **{k: v for k, v in night.summary.headline().items() if k not in ("schools", "findings")},
            **(night.tracked.counts() if night.tracked is not None else {}), **night.year_counts}


# --- phase 4: the outputs, each on its own ---------------------------------------------------------------------

@dataclass
class Written:
    """One output writer's outcome, as the run report shows it (``report.writers``)."""

    ok: bool
    seconds: float = 0.0
    detail: Any = None           # the writer's own result (a path, request counts, per-school states)
    error: str | None = None     # why it could not be written at all

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "seconds": self.seconds}
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class OutputContext:
    s: JobSettings
    run_id: int
    night: Night
    now: dt.datetime
    today: dt.date
    fy: int

    @property
    def as_of(self) -> dt.datetime:  # the summary's "as of": Bangkok wall time
        return self.now.astimezone(TIMEZONE).replace(tzinfo=None)


def _xlsx_writer(ctx: OutputContext) -> Path:
    return write_xlsx(ctx.night.summary, Path(ctx.s.report_dir) / xlsx_name(ctx.fy), as_of=ctx.as_of,
                      district_name=ctx.s.district_name or (ctx.s.settings.identity.name if ctx.s.settings else ""))


DISTRICT_SHEET_TRIES = 3      # whole swaps, each request already retried by the HTTP client
DISTRICT_SHEET_PAUSE = 2.0    # seconds before the second swap, doubled before the third


def _district_sheet_writer(ctx: OutputContext) -> dict:
    """The atomic swap, tried again (from scratch: leftover staging tabs are removed first) after a brief fault.
    Still failing, it is reported and tomorrow's run writes it whole again: the summary is rebuilt every night."""
    for attempt in range(1, DISTRICT_SHEET_TRIES + 1):
        try:
            counts = write_google(ctx.s.write_client, ctx.s.district_spreadsheet_id, ctx.night.summary,
                                  as_of=ctx.as_of, district_name=ctx.s.district_name)
            return {"spreadsheet_id": ctx.s.district_spreadsheet_id, "attempts": attempt, **counts}
        except Exception as exc:  # noqa: BLE001 - retried within bounds, then the writer reports it
            if attempt == DISTRICT_SHEET_TRIES:
                raise
            log.warning("district sheet attempt %d failed: %s", attempt, exc)
            time.sleep(DISTRICT_SHEET_PAUSE * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _protection_writer(ctx: OutputContext) -> dict:
    """Approved reports' rows locked in the school's sheet, unapproved ones unlocked (sync.approvals)."""
    n = ctx.night
    done = approvals.protect_night(ctx.s.write_client, ctx.s.history, ctx.run_id, n.district, n.approvals.states,
                                   ctx.fy, n.reports, {sc.code: sc.spreadsheet_id for sc in ctx.s.registry.active()},
                                   n.sheets)
    if done.get("failed"):  # the others are locked and recorded; these are tried again next night
        raise RuntimeError(f"approved rows not locked for schools {', '.join(done['failed'])}")
    return done


def _feedback_writer(ctx: OutputContext) -> dict[str, str]:
    return _write_feedback(ctx.s, ctx.run_id, ctx.night, ctx.today)


# name → (writer, does it apply to this run). Each writer runs whatever happened to the ones before it.
WRITERS: dict[str, tuple[Callable[[OutputContext], Any], Callable[[JobSettings], bool]]] = {
    "xlsx": (_xlsx_writer, lambda s: True),
    "district_sheet": (_district_sheet_writer, lambda s: s.write_client is not None
                       and bool(s.district_spreadsheet_id)),
    "protection": (_protection_writer, lambda s: s.write_client is not None),
    "feedback": (_feedback_writer, lambda s: s.write_client is not None and s.feedback),
}


def write_outputs(s: JobSettings, run_id: int, night: Night, *, now: dt.datetime, today: dt.date, fy: int,
                  report: RunReport) -> dict[str, Written]:
    """Every output that applies, each on its own: one that fails is reported and the others are still written."""
    ctx = OutputContext(s, run_id, night, now, today, fy)
    written: dict[str, Written] = {}
    for name, (writer, applies) in WRITERS.items():
        if not applies(s):
            continue
        t0 = time.perf_counter()
        try:
            w = Written(True, detail=writer(ctx))
        except Exception as exc:  # noqa: BLE001 - one output never takes the others down
            log.exception("output %s failed", name)
            report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            w = Written(False, error=f"{type(exc).__name__}: {exc}")
        w.seconds = round(time.perf_counter() - t0, 3)
        report.phases[name] = w.seconds
        report.writers[name] = w.as_dict()
        written[name] = w
    _outputs_into_report(report, written)
    return written


def _outputs_into_report(report: RunReport, written: dict[str, Written]) -> None:
    if (w := written.get("xlsx")) and w.ok:
        report.outputs["xlsx"] = str(w.detail)
    if (w := written.get("district_sheet")) and w.ok:
        report.outputs["district_sheet"] = w.detail
    fb_state: dict[str, str] = (w.detail or {}) if (w := written.get("feedback")) else {}
    if "feedback" in written:
        report.outputs["feedback_written"] = sum(1 for v in fb_state.values() if v == "written")
        report.outputs["feedback_failed"] = sum(1 for v in fb_state.values() if v == "failed")
    for sc in report.schools:
        sc.feedback = fb_state.get(sc.school_code)


# --- phase 5: close -------------------------------------------------------------------------------------------

# Outputs without which the night is a failure; the district sheet and feedback are repaired by the next night.
ESSENTIAL_OUTPUTS = ("xlsx",)


def close_run(report: RunReport, written: dict[str, Written]) -> None:
    """The exit code and the message the person on call reads: 2 when nothing could be read (every school
    failed: a refused key, an unreachable Google, a folder nobody shared) or the summary workbook could not be
    written; 1 when some schools were read and consolidated but others (or the district sheet, feedback tabs,
    registry rows) were not; 0 otherwise."""
    broken = [name for name, w in written.items() if not w.ok and name in ESSENTIAL_OUTPUTS]
    unwritten = [name for name, w in written.items() if not w.ok and name not in ESSENTIAL_OUTPUTS]
    schools_failed = report.counts["schools_failed"]
    feedback_failed = report.outputs.get("feedback_failed", 0)
    rejected = report.counts.get("registry_rejected", 0)
    nothing_read = report.counts["schools_total"] > 0 and schools_failed == report.counts["schools_total"]
    none_listed = report.counts.get("schools_provisioned", 0) > 0 and report.counts.get("schools_listed") == 0
    if nothing_read or none_listed:
        reasons = ", ".join(sorted({s.reason or "error" for s in report.schools if s.outcome != "unchanged"}))
        report.errors.append(f"no school could be read ({reasons})" if nothing_read else
                             "no provisioned school's sheet is in the Drive folder")
        report.exit_code = EXIT_FAILED
    if none_listed and not nothing_read:
        report.message_th = ("งานประมวลผลไม่สำเร็จ: ไม่พบชีตของโรงเรียนใดในโฟลเดอร์ Drive ของเขต (google.drive_folder_id "
                             "ผิด หรือชีตถูกย้ายออกทั้งหมด)")
        report.message_en = ("the run failed: no school's sheet is in the district's Drive folder (a wrong "
                             "google.drive_folder_id, or every sheet moved out)")
    elif nothing_read:
        report.message_th = (f"งานประมวลผลไม่สำเร็จ: อ่านไม่ได้เลยสักโรง ({schools_failed} โรง: {reasons}) "
                             "สรุปที่เขียนเป็นข้อมูลเดิม")
        report.message_en = (f"the run failed: no school could be read ({schools_failed} schools: {reasons}); "
                             "the summary written holds earlier data only")
    elif broken:
        report.exit_code = EXIT_FAILED
        report.message_th = f"งานประมวลผลไม่สำเร็จ: เขียนผลลัพธ์ไม่ได้ ({', '.join(broken)})"
        report.message_en = f"the run could not complete: outputs not written ({', '.join(broken)})"
    elif schools_failed or feedback_failed or rejected or unwritten:
        report.exit_code = EXIT_PARTIAL
        report.message_th = (f"เสร็จบางส่วน: อ่านไม่ได้ {schools_failed} โรง, "
                             f"เขียนข้อเสนอแนะไม่ได้ {feedback_failed} โรง"
                             + (f", แถวในทะเบียนโรงเรียนไม่ผ่าน {rejected} แถว (ไม่ได้นับรวม)" if rejected else "")
                             + (f", เขียนไม่ได้: {', '.join(unwritten)} (คืนถัดไปเขียนใหม่ทั้งหมด)" if unwritten else ""))
        report.message_en = (f"partial: {schools_failed} schools unread, "
                             f"{feedback_failed} feedback tabs not written"
                             + (f", {rejected} registry rows rejected (not counted)" if rejected else "")
                             + (f", not written: {', '.join(unwritten)} (rewritten whole next night)"
                                if unwritten else ""))
    else:
        report.exit_code = EXIT_OK
        report.message_th, report.message_en = "เสร็จสมบูรณ์", "success"


def _write_feedback(s: JobSettings, run_id: int, night: Night, today: dt.date) -> dict[str, str]:
    """Each school's feedback tab (school → written / unchanged / failed); one school's failure is its own."""
    last = s.history.last_feedback()
    per_school = school_frames(night.summary.status, night.district.findings)
    kpi = night.summary.kpi_by_school
    kpis_by = {k: g for k, g in kpi.groupby("school_code", sort=False)} if len(kpi) else {}
    read_by = night.reads.set_index("school_code")
    ids = {sc.code: sc.spreadsheet_id for sc in s.registry.active()}
    state: dict[str, str] = {}
    bar = Progress(len(per_school), "ข้อเสนอแนะ/feedback", enabled=s.progress)
    for code, (status, findings) in per_school.items():
        bar.update(1, code)
        r = read_by.loc[code]
        sid = ids.get(code)
        if not sid or r["outcome"] == "not_provisioned" or (r["outcome"] == "failed" and r["reason"] in NO_FEEDBACK):
            continue
        st = night.states.get(code)
        rows = feedback_rows(status, findings, today=today, last_read_at=st.last_good_at if st else None,
                             read_outcome=r["outcome"], read_reason=r["reason"],
                             data_age_hours=None if pd.isna(r["data_age_hours"]) else float(r["data_age_hours"]),
                             kpis=kpis_by.get(code), tab_problems=night.tab_problems.get(code, ()))
        digest = feedback_hash(rows)
        prev_hash, prev_rows = last.get(code, (None, 0))
        # The sheet, not only the job's own last hash: a tab a school overwrote is written back (sync.repair).
        if digest == prev_hash and code not in night.repairs.tampered:
            state[code] = "unchanged"
            continue
        try:
            height = write_feedback(s.write_client, sid, rows,
                                    previous_rows=max(prev_rows, night.repairs.seen_height.get(code, 0)))
        except Exception as exc:  # noqa: BLE001 - one school's feedback never stops the night
            log.warning("feedback %s failed: %s", code, exc)
            state[code] = "failed"
            continue
        s.history.record_feedback(run_id, code, digest, height, written_at=s.now, sheet_hash=sheet_rows_hash(rows))
        state[code] = "written"
    bar.close()
    return state


def _editors(write_client) -> list[str]:
    """The account the protections name as their editor: the district's service account."""
    email = getattr(getattr(getattr(write_client, "http_client", None), "auth", None), "service_account_email", None)
    return [email] if email else []


# --- with lock, logging and JSON: what `khet sync run` and the daemon call -------------------------------------

def run_locked(s: JobSettings, *, lock_path: Path, log_dir: Path | None = None,
               json_dir: Path | None = None, after: Callable[[RunReport], None] | None = None) -> RunReport:
    try:
        lock = RunLock(lock_path).acquire()
    except LockHeld as exc:
        rep = RunReport(trigger=s.trigger, status="locked", exit_code=EXIT_LOCKED, message_th=exc.message_th,
                        message_en=exc.message_en, started_at=iso(utcnow()), ended_at=iso(utcnow()))
        return rep
    try:
        if log_dir is not None:
            report_log = setup_logging(log_dir, dt.datetime.now(TIMEZONE))
            log.info("run starting (%s)", s.trigger)
        reports = run_years(s)
        rep = reports[-1]
        if after is not None:  # still under the lock, before the JSON report is written
            after(rep)
        for one in reports:
            if log_dir is not None:
                one.outputs["log"] = str(report_log)
                log.info("run %s (FY %s) finished: %s (%s)", one.run_id, one.fiscal_year, one.status,
                         one.message_en)
                for sc in one.failed_schools():
                    log.warning("school %s %s: %s %s", sc.school_code, sc.outcome, sc.reason, sc.detail or "")
            if json_dir is not None:
                path = Path(json_dir) / f"run-{one.run_id:06d}.json"
                one.outputs["json"] = str(path)
                one.write_json(path)
        if json_dir is not None:
            rep.write_json(Path(json_dir) / "last-run.json")
        return rep
    finally:
        lock.release()


def run_years(s: JobSettings) -> list[RunReport]:
    """Tonight's runs, oldest year first: the one asked for (``fiscal_year``), else every open year that has
    begun (sync/years.py) — each its own run, with the district Google Sheet written by the newest only. The
    last report (the newest year's) carries every year's outcome (``years``), the notes about the years
    (a current year not opened yet makes the night partial) and the worst exit code."""
    if s.fiscal_year is not None:
        first_night(s.history, s.fiscal_year, at=s.now)
        return [run_once(s)]
    tracked = years_to_track(s.history, s.today or today_in_thailand(), at=s.now)
    reports = [run_once(replace(s, fiscal_year=fy, district_spreadsheet_id=s.district_spreadsheet_id
                                if fy == tracked.district_year else None)) for fy in tracked.years]
    main = reports[-1]
    main.years = [{"fiscal_year": r.fiscal_year, "run_id": r.run_id, "status": r.status, "exit_code": r.exit_code,
                   "message_th": r.message_th, "message_en": r.message_en,
                   "counts": {k: r.counts.get(k) for k in ("schools_total", "schools_read", "reports_expected",
                                                            "submitted", "on_time", "late", "overdue", "missing")
                              if k in r.counts}} for r in reports]
    main.year_notes = [{"message_th": th, "message_en": en} for th, en in tracked.notes]
    # The night's exit code is the worst of its runs (each run's own row keeps its own).
    worst = max([r.exit_code for r in reports] + [EXIT_PARTIAL if tracked.notes else EXIT_OK])
    for r in reports[:-1]:
        if r.exit_code != EXIT_OK:
            main.message_th += f"; ปีงบประมาณ {r.fiscal_year}: {r.message_th}"
            main.message_en += f"; fiscal year {r.fiscal_year}: {r.message_en}"
    for th, en in tracked.notes:
        main.message_th, main.message_en = f"{main.message_th}; {th}", f"{main.message_en}; {en}"
    main.exit_code, main.status = worst, STATUS_BY_EXIT[worst]
    return reports


def settings_from_config(cfg, stack: ExitStack, *, trigger: str, new_history: bool = False,
                         **overrides) -> JobSettings:
    """Open the history, registry and both Google clients a configuration describes (closed by ``stack``)."""
    from sync.gclient import SCOPES_READ, SCOPES_WRITE
    from sync.http import open_clients
    from sync.preflight import probe_google
    from sync.registry import load_registry
    from sync.safekeeping import open_history

    if cfg.registry is None:
        raise ConfigError([Problem("registry.missing", "paths.registry", "error",
                                   "ยังไม่ได้ระบุทะเบียนโรงเรียน (paths.registry)", "no school registry set (paths.registry)")])
    registry = load_registry(cfg.registry)
    if not registry.active():  # nothing to consolidate; the summary of zero schools would only mislead
        errors = [f for f in registry.findings if f.severity == "error"]
        first = f" — {errors[0].message_th}" if errors else ""
        first_en = f" — {errors[0].message_en}" if errors else ""
        raise RegistryError(
            f"ทะเบียนโรงเรียน {cfg.registry} ไม่มีโรงเรียนที่ใช้งานได้ (ข้อผิดพลาด {len(errors)} รายการ{first}; "
            f"แก้ทะเบียนแล้วสั่งใหม่)",
            f"the school registry {cfg.registry} has no usable school ({len(errors)} error(s){first_en}; "
            f"fix the registry and run again)")
    if cfg.settings is not None:
        # Never on a half-read configuration: settings with an error stop the run (exit 2) naming the cells.
        overrides.setdefault("settings", settings_or_fail(cfg.settings))
    history = open_history(cfg.history_db, data_dir=cfg.data_dir, new_history=new_history)
    stack.callback(history.close)
    read, write = stack.enter_context(open_clients(cfg, SCOPES_READ, SCOPES_WRITE))
    probe_google(read, folder_id=cfg.drive_folder_id or None, district_spreadsheet_id=cfg.district_spreadsheet_id
                 or None, template_spreadsheet_id=cfg.template_spreadsheet_id or None)
    overrides.setdefault("district_spreadsheet_id", cfg.district_spreadsheet_id or None)
    return JobSettings(history=history, registry=registry, read_client=read, write_client=write,
                       folder_id=cfg.drive_folder_id or None, report_dir=Path(cfg.report_dir),
                       trigger=trigger, http_stats=[read.http_client.stats, write.http_client.stats],
                       staff_workbook=staff_workbook_path(cfg.staff_workbook, cfg.registry), **overrides)


def _nightly_backup(history: History, cfg, rep: RunReport) -> None:
    """After a run that recorded something, the rotating backup (said in the report; a failed backup is a
    warning in the log and the report, never the night's failure)."""
    from sync.safekeeping import rotate

    if rep.run_id is None:
        return
    try:
        path = rotate(history, cfg.data_dir, cfg.history_backups)
    except OSError as exc:
        log.warning("history backup failed: %s", exc)
        rep.errors.append(f"history backup: {type(exc).__name__}: {exc}")
        return
    if path is not None:
        rep.outputs["history_backup"] = str(path)


def run_from_config(cfg, *, trigger: str = "manual", **overrides) -> RunReport:
    lock_path = Path(cfg.data_dir) / "sync.lock"
    try:
        # The night's log file from the start: a run that cannot start is logged there, not a second time on
        # stderr (with no handler, logging's last resort printed what the report already prints).
        setup_logging(Path(cfg.log_dir), dt.datetime.now(TIMEZONE))
    except OSError:
        pass
    try:
        with ExitStack() as stack:
            s = settings_from_config(cfg, stack, trigger=trigger, **overrides)
            return run_locked(s, lock_path=lock_path, log_dir=Path(cfg.log_dir), json_dir=Path(cfg.data_dir) / "runs",
                              after=lambda rep: _nightly_backup(s.history, cfg, rep))
    except Exception as exc:  # configuration, registry, key: the run could not start
        # Said in the report already: no traceback on stderr for what the user can fix.
        if isinstance(exc, KhetError | ValueError | OSError):
            log.error("run could not start: %s", exc)
        else:
            log.exception("run could not start")
        # Errors that carry both languages are not repeated whole in each of the report's two messages.
        th, en = getattr(exc, "message_th", str(exc)), getattr(exc, "message_en", f"{type(exc).__name__}: {exc}")
        return RunReport(trigger=trigger, status="failed", exit_code=EXIT_FAILED, started_at=iso(utcnow()),
                         ended_at=iso(utcnow()), message_th=f"เริ่มงานไม่ได้: {th}",
                         message_en=f"the run could not start: {en}",
                         errors=[f"{type(exc).__name__}: {exc}"])
