"""Every figure the upward reports use, from ONE place.

The annual report, the e-MES and eMENSCR exports and the school report cards never read the history, the
registry or the staff workbook themselves: they get a :class:`Figures` from :func:`load_figures` and ask it.
What it holds today:

- the district summary of the fiscal year (``sync.aggregate.Summary``), consolidated from the history exactly as
  the nightly job does (the schools' last good data; submission times from the history's evidence, overrides
  and claims), as of the last completed run of that year (never later than the year's end);
- the consolidated school tables behind it (per-school cards, the schools' figures behind each indicator);
- the staff workbook's district projects (validated with their sheet definition) and its service requests and
  inspection follow-up as the nightly run computes them (``sync.trackers``); a missing tab is ``None`` and the
  documents say "ไม่มีข้อมูล";
- :class:`ReportSettings`: district KPI targets, strategy alignment, the e-MES and eMENSCR windows and the
  export columns, from the district settings (:func:`report_settings`);
- with district KPIs in the settings, each school's KPI rows judged against the district's target for it
  (``aggregate.district_kpi_attainment``, the summary's and feedback's attainment), not what a school typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from addin.calendar import fiscal_year as fiscal_year_of
from addin.calendar import to_arabic_digits
from addin.status import TIMEZONE
from sync import aggregate as agg
from workbook.errors import KhetError
from workbook.schema import DIRECTION_LOWER_BETTER
from workbook.settings import MASTER_PLAN, NATIONAL_STRATEGY, DistrictSettings
from workbook.sheets import KPI_ROUNDS

# The district tabs read here; the service-request and inspection tabs come computed from sync.trackers, the
# nightly run's own reader.
STAFF_TABS = ("district_projects",)
ROUND_BY_MONTHS = {6: KPI_ROUNDS[0], 12: KPI_ROUNDS[1]}


class ReportDataError(KhetError):
    code = "report.no_data"


# --- settings the reports follow ------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """A reporting window upward: e-MES round or eMENSCR stage, with its open and close dates."""

    key: str
    title_th: str
    opens: dt.date
    closes: dt.date


@dataclass(frozen=True)
class Alignment:
    national_strategy: str
    master_plan: str


@dataclass
class ReportSettings:
    district_targets: dict[str, Decimal] = field(default_factory=dict)  # indicator code → district target
    alignment: dict[str, Alignment] = field(default_factory=dict)       # district strategy → national plans
    emes_windows: dict[int, Window] = field(default_factory=dict)       # round (6/12) → window
    emenscr_stages: tuple[Window, ...] = ()
    emes_columns: tuple[tuple[str, str], ...] = ()                      # (key, Thai header) in form order
    emenscr_columns: tuple[tuple[str, str], ...] = ()
    source_th: str = "ค่าเริ่มต้นของ Khet"


# The e-MES indicator form (แบบรายงานตัวชี้วัดตามแผนปฏิบัติราชการ) as district manuals describe it: indicator,
# unit, target, result, attainment, evidence. Sources: README "Upward exports".
EMES_COLUMNS = (
    ("order", "ลำดับ"), ("indicator_code", "รหัสตัวชี้วัด"), ("indicator", "ตัวชี้วัด"), ("unit", "หน่วยนับ"),
    ("target", "ค่าเป้าหมาย"), ("result", "ผลการดำเนินงาน"), ("attainment", "ผลการประเมิน (บรรลุ/ไม่บรรลุ)"),
    ("schools_reported", "จำนวนโรงเรียนที่รายงาน"), ("schools_met", "จำนวนโรงเรียนที่บรรลุ"),
    ("pct_schools_met", "ร้อยละของโรงเรียนที่บรรลุ"), ("evidence", "เอกสาร/หลักฐานอ้างอิง (ลิงก์)"),
    ("note", "หมายเหตุ"),
)
# A public government quarterly project form (agency, project, KPI, budget, quarter, alignment, results per
# quarter) plus eMENSCR's stages. Sources: README "Upward exports".
EMENSCR_COLUMNS = (
    ("order", "ลำดับ"), ("agency", "หน่วยงาน"), ("project_code", "รหัสโครงการ"), ("project_name", "ชื่อโครงการ"),
    ("work_group", "กลุ่มงานที่รับผิดชอบ"), ("responsible", "ผู้รับผิดชอบ"),
    ("national_strategy", "ยุทธศาสตร์ชาติ"), ("master_plan", "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ"),
    ("obec_policy", "นโยบาย สพฐ."), ("district_strategy", "กลยุทธ์ของเขต"), ("period", "ระยะเวลาดำเนินการ"),
    ("budget_source", "แหล่งงบประมาณ"), ("budget_total", "งบประมาณ (บาท)"), ("spent", "เบิกจ่ายสะสม (บาท)"),
    ("pct_spent", "ร้อยละการเบิกจ่าย"), ("indicator", "ตัวชี้วัด"), ("target", "ค่าเป้าหมาย"),
    ("result", "ผลการดำเนินงาน"), ("q1", "ผลไตรมาส 1 (ร้อยละ)"), ("q2", "ผลไตรมาส 2 (ร้อยละ)"),
    ("q3", "ผลไตรมาส 3 (ร้อยละ)"), ("q4", "ผลไตรมาส 4 (ร้อยละ)"), ("status", "สถานะโครงการ"),
)
EMENSCR_STAGES = (
    ("M1", "ข้อมูลพื้นฐานโครงการ (ชื่อ หน่วยงาน ผู้รับผิดชอบ ระยะเวลา)"),
    ("M2", "ความสอดคล้องกับยุทธศาสตร์ชาติ แผนแม่บท นโยบาย และกลยุทธ์"),
    ("M3", "วัตถุประสงค์ ตัวชี้วัด และค่าเป้าหมาย"),
    ("M4", "งบประมาณและแหล่งเงิน"),
    ("M5", "ผลการดำเนินงานและการเบิกจ่ายรายไตรมาส"),
    ("M6", "ผลสัมฤทธิ์เมื่อสิ้นสุดโครงการ"),
    ("M7", "ส่งอนุมัติข้อมูล"),
)


def default_settings(fiscal_year: int) -> ReportSettings:
    """Without windows in the settings: e-MES rounds open the month after the round closes (April for 6 months,
    October for 12 months); eMENSCR project entry (M1–M4) in the year's first quarter, quarterly results (M5) by
    the year's end, outcome (M6) and approval (M7) within the month after it. A strategy that names no national
    plan serves the national human-resource strategy and the learning master plan."""
    ce = fiscal_year - 543
    start, end = dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)
    windows = {6: Window("emes_6", "e-MES รอบ 6 เดือน", dt.date(ce, 4, 1), dt.date(ce, 4, 30)),
               12: Window("emes_12", "e-MES รอบ 12 เดือน", dt.date(ce, 10, 1), dt.date(ce, 10, 31))}
    spans = {"M1": (start, dt.date(ce - 1, 12, 31)), "M2": (start, dt.date(ce - 1, 12, 31)),
             "M3": (start, dt.date(ce - 1, 12, 31)), "M4": (start, dt.date(ce - 1, 12, 31)),
             "M5": (start, end), "M6": (dt.date(ce, 10, 1), dt.date(ce, 10, 31)),
             "M7": (dt.date(ce, 10, 1), dt.date(ce, 10, 31))}
    stages = tuple(Window(k, th, *spans[k]) for k, th in EMENSCR_STAGES)
    return ReportSettings(emes_windows=windows, emenscr_stages=stages, emes_columns=EMES_COLUMNS,
                          emenscr_columns=EMENSCR_COLUMNS)


def report_settings(fiscal_year: int, settings_path: Path | None = None,
                    district: DistrictSettings | None = None) -> ReportSettings:
    """What the upward reports take from the district settings (``addin.settings.load_settings`` of
    ``[paths] settings``; the shipped defaults without one): the district-wide KPI targets, each strategy's
    national alignment, and the year's e-MES rounds and eMENSCR stages as OBEC announced them (tab
    'ตั้งค่า กรอบเวลา e-MES': an e-MES row whose round names 6 or 12 months, an EMENSCR row whose round names
    M1–M7); what the settings leave out keeps the defaults above. Settings with errors stop here (exit 2)."""
    from addin.settings import settings_or_fail

    district = (district or settings_or_fail(settings_path, fiscal_year)).for_year(fiscal_year)
    out = default_settings(fiscal_year)
    out.district_targets = {k.code: Decimal(str(k.target)) for k in district.kpis if k.target is not None}
    out.alignment = {s.name: Alignment(s.national_strategy or NATIONAL_STRATEGY, s.master_plan or MASTER_PLAN)
                     for s in district.strategies}
    stages = {w.key: w for w in out.emenscr_stages}
    for w in district.windows:
        if w.system == "e-MES" and (months := _round_months(w.round)) in out.emes_windows:
            out.emes_windows[months] = Window(w.code, f"e-MES {w.round}", w.opens_on, w.closes_on)
        elif w.system == "EMENSCR" and (stage := _stage(w.round)) in stages:
            stages[stage] = Window(stage, stages[stage].title_th, w.opens_on, w.closes_on)
    out.emenscr_stages = tuple(stages.values())
    if settings_path is not None:
        out.source_th = f"ค่าตั้งของเขต ({Path(settings_path).name})"
    return out


def _round_months(text: str) -> int | None:
    digits = re.findall(r"\d+", to_arabic_digits(text))
    return int(digits[0]) if digits else None


def _stage(text: str) -> str | None:
    m = re.search(r"M\s*([1-7])", text.upper())
    return f"M{m.group(1)}" if m else None


# --- the figures --------------------------------------------------------------------------------------------

@dataclass
class Figures:
    fiscal_year: int
    as_of: dt.date
    district_name: str
    summary: agg.Summary
    district: agg.District
    staff: dict[str, pd.DataFrame | None]
    settings: ReportSettings
    trackers: object | None = None                      # sync.trackers.Trackers; None = no staff workbook
    staff_rejected: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)   # where the figures came from (the report names them)
    notes: list[str] = field(default_factory=list)     # what could not be used (a missing tab, rejected rows)

    @property
    def schools(self) -> pd.DataFrame:
        return self.district.schools

    # -- KPIs --------------------------------------------------------------------------------------------
    @property
    def district_kpis(self) -> bool:
        """The settings give the district's own KPIs: attainment is against its targets (issue 12)."""
        return len(self.summary.kpi_by_school) > 0

    def kpi_rows(self, round_months: int) -> pd.DataFrame:
        """The schools' KPI rows of a round: school, network, indicator, target, result, met, evidence. With the
        district's KPIs, one row per school expected to report each (the summary's kpi_by_school: the district's
        target for that school; a school that has not reported yet has no result); else the schools' clean rows
        as typed."""
        rnd = ROUND_BY_MONTHS[round_months]
        k = self.district.table("kpi")
        if self.district_kpis:
            rows = self.summary.kpi_by_school
            rows = rows[rows["round"] == rnd].copy()
            links: dict[tuple[str, str], str] = {}
            if len(k) and "evidence_url" in k:
                for code, r, ind, url in zip(k["school_code"], agg.norm_col(k["round"]),
                                             agg.norm_col(k["indicator_code"]), k["evidence_url"], strict=True):
                    if r == rnd and agg._norm_text(url):
                        links[(code, ind)] = agg._norm_text(url)
            rows["evidence_url"] = [links.get(p) for p in zip(rows["school_code"], rows["indicator_code"],
                                                              strict=True)]
            return rows.reset_index(drop=True)
        if len(k) == 0:
            return pd.DataFrame(columns=["school_code", "school_name", "network", "indicator_code", "indicator",
                                         "unit", "direction", "target", "result", "met", "evidence_url"])
        k = k[agg.norm_col(k["round"]) == rnd].drop_duplicates(["school_code", "indicator_code"], keep="last")
        reg = self.schools[["school_code", "school_name", "network"]]
        k = k.merge(reg, on="school_code", how="left")
        k["indicator_code"] = agg.norm_col(k["indicator_code"])
        k["met"] = [agg._meets(t, r, d) for t, r, d in zip(k["target"], k["result"], k["direction"], strict=True)]
        return k.reset_index(drop=True)

    def kpi_district(self, round_months: int) -> pd.DataFrame:
        """One row per indicator: the district's result (mean of the schools' results), its target, attainment,
        and how many schools met it. The target is the district-wide one of the settings; for a KPI whose
        targets are by school size or per school, the mean of the targets of the schools expected to report
        (``target_basis`` says which); without district KPIs, the target most schools typed. With district
        KPIs the schools counted are those expected to report the indicator."""
        rows = self.kpi_rows(round_months)
        n = int(self.schools["school_code"].nunique())
        out = []
        for code, g in rows.groupby("indicator_code", sort=not self.district_kpis):
            results = [Decimal(str(v)) for v in g["result"] if not _missing(v)]
            target, basis = self.settings.district_targets.get(code), "district"
            targets = [Decimal(str(v)) for v in g["target"] if not _missing(v)]
            if target is None and self.district_kpis and targets:
                target, basis = (sum(targets) / len(targets)).quantize(Decimal("0.01")), "schools_mean"
            elif target is None and targets:
                target, basis = Counter(targets).most_common(1)[0][0], "typed"
            result = (sum(results) / len(results)).quantize(Decimal("0.01")) if results else None
            direction = agg._norm_text(g["direction"].iloc[0])
            met = agg._meets(target, result, direction)
            evidence = [agg._norm_text(u) for u in g.get("evidence_url", pd.Series(dtype=object))
                        if agg._norm_text(u)]
            schools_met = int((g["met"] == True).sum())  # noqa: E712 - True/False/None column
            total = len(g) if self.district_kpis else n
            out.append({
                "indicator_code": code, "indicator": agg._norm_text(g["indicator"].iloc[0]),
                "unit": agg._norm_text(g["unit"].iloc[0]), "direction": direction,
                "lower_better": direction == DIRECTION_LOWER_BETTER, "target": target,
                "target_basis": basis if target is not None else None, "result": result,
                "attainment": None if met is None else ("บรรลุ" if met else "ไม่บรรลุ"),
                "schools_reported": len(results), "schools_met": schools_met, "schools_total": total,
                "pct_schools_met": round(schools_met * 100 / total, 2) if total else None,
                "evidence": evidence,
            })
        return pd.DataFrame(out, columns=["indicator_code", "indicator", "unit", "direction", "lower_better",
                                          "target", "target_basis", "result", "attainment", "schools_reported",
                                          "schools_met", "schools_total", "pct_schools_met", "evidence"])

    def kpi_by_network(self, round_months: int) -> pd.DataFrame:
        """Network × indicator: schools in the network (with district KPIs: expected to report it), schools
        that reported, met, and % met — with district KPIs exactly the summary's per-network attainment."""
        cols = ["network", "indicator_code", "schools", "reported", "met", "pct_met"]
        if self.district_kpis:
            k = self.summary.kpi
            k = k[(k["round"] == ROUND_BY_MONTHS[round_months]) & (k["network"] != agg.KPI_LEVEL_DISTRICT_TH)]
            return pd.DataFrame({"network": k["network"], "indicator_code": k["indicator_code"],
                                 "schools": k["expected"], "reported": k["met"] + k["not_met"], "met": k["met"],
                                 "pct_met": k["pct_met"]}, columns=cols).sort_values(
                ["network", "indicator_code"]).reset_index(drop=True)
        rows = self.kpi_rows(round_months)
        size = self.schools.groupby(self.schools["network"].fillna(""))["school_code"].nunique()
        out = []
        for (net, code), g in rows.groupby([rows["network"].fillna(""), "indicator_code"], sort=True):
            met = int((g["met"] == True).sum())  # noqa: E712
            total = int(size.get(net, 0))
            out.append({"network": net, "indicator_code": code, "schools": total,
                        "reported": int(g["result"].map(lambda v: not _missing(v)).sum()), "met": met,
                        "pct_met": round(met * 100 / total, 2) if total else None})
        return pd.DataFrame(out, columns=cols)

    # -- district tabs ------------------------------------------------------------------------------------
    def _tracked(self, key: str) -> bool:
        t = self.trackers
        return t is not None and t.source is not None and not any(
            f.code in ("trackers.tab_missing", "trackers.file_missing") and f.sheet_key == key for f in t.findings)

    def inspection(self) -> pd.DataFrame | None:
        """Inspector recommendations of the year with due date and status, as the nightly run computes them
        (``addin.recommendations``); None when the staff workbook has no such tab."""
        if not self._tracked("inspection_followup"):
            return None
        r = self.trackers.recommendations
        return r[agg.norm_col(r["fiscal_year"]) == str(self.fiscal_year)].reset_index(drop=True) if len(r) else r

    def inspection_rounds(self) -> pd.DataFrame | None:
        if not self._tracked("inspection_followup"):
            return None
        r = self.trackers.inspection_rounds
        return r[agg.norm_col(r["fiscal_year"]) == str(self.fiscal_year)].reset_index(drop=True) if len(r) else r

    def services(self) -> pd.DataFrame | None:
        """Per service: the whole process against the standard (``addin.services``: requests, completed, within
        the standard, median working days, overdue now); None when the staff workbook has no such tab."""
        if not self._tracked("service_requests"):
            return None
        st = self.trackers.service_standards
        return st[st["step_th"] == WHOLE_PROCESS_TH].reset_index(drop=True) if len(st) else st

    def district_projects(self) -> pd.DataFrame | None:
        return self.staff.get("district_projects")


WHOLE_PROCESS_TH = "ทั้งกระบวนการ"  # addin.services.standards_table's row for a service's whole process


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v) or agg._norm_text(v) == ""


def _fy_bounds(fy: int) -> tuple[dt.date, dt.date]:
    ce = fy - 543
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


# --- loading ------------------------------------------------------------------------------------------------

def read_staff_tabs(path: Path | None) -> tuple[dict[str, pd.DataFrame | None], dict[str, int], list[str]]:
    """The district tabs of the staff workbook (or any .xlsx/.xlsm with them), validated: clean rows per tab,
    rejected-row counts, and notes on what could not be used."""
    from addin.validation.engine import validate_table
    from addin.validation.files import read_workbook

    tabs: dict[str, pd.DataFrame | None] = dict.fromkeys(STAFF_TABS)
    rejected: dict[str, int] = {}
    notes: list[str] = []
    if path is None or not Path(path).is_file() or Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        notes.append("ไม่ได้ระบุสมุดงานของเขต (--workbook หรือ [paths] staff_workbook) จึงไม่มีข้อมูลโครงการของเขต "
                     "การติดตามข้อเสนอแนะผู้ตรวจราชการ และคำขอรับบริการ")
        return tabs, rejected, notes
    for tab in read_workbook(path):
        if tab.sheet is None or tab.sheet.key not in STAFF_TABS:
            continue
        res = validate_table(tab.sheet, tab.values)
        tabs[tab.sheet.key] = res.rows.reset_index(drop=True)
        rejected[tab.sheet.key] = len(res.rejected)
        if len(res.rejected):
            notes.append(f"แท็บ {tab.sheet.title_th} มี {len(res.rejected)} แถวที่มีข้อผิดพลาด ไม่นำมารวม "
                         f"(ตรวจด้วย khet validate {Path(path).name})")
    for key, frame in tabs.items():
        if frame is None:
            from workbook.sheets import SHEETS

            notes.append(f"ไม่พบแท็บ {SHEETS[key].title_th} ใน {Path(path).name}")
    return tabs, rejected, notes


def summary_from_history(history, registry, fiscal_year: int, district: DistrictSettings | None = None
                         ) -> tuple[agg.Summary, agg.District, dt.date]:
    """The district summary of a fiscal year as the nightly job last judged it: every school's last good data,
    validated and consolidated again with the district's settings (its definitions, reports, due dates, grace
    days, on-time policy, which schools send what, its KPIs and targets — ``addin.settings.job_inputs``, as the
    night does), with the submission evidence, overrides and accepted claims the history holds
    (``sync.tracking.year_timing``, the run's own reading). The moment is the year's last completed run (its
    business date never later than the year's end). Reads only."""
    from addin.settings import job_inputs
    from sync.job import consolidate
    from sync.tracking import Rules, year_timing

    runs = [r for r in history.runs() if r["fiscal_year"] == fiscal_year and r["ended_at"]
            and r["status"] in ("success", "partial")]
    if not runs:
        raise ReportDataError(
            message_th=f"ยังไม่มีการประมวลผลรายคืนที่เสร็จสำหรับปีงบประมาณ {fiscal_year} ในประวัติ จึงไม่มีตัวเลขให้รายงาน "
                       f"(รัน khet sync run ก่อน)",
            message_en=f"the history holds no completed nightly run for fiscal year {fiscal_year}: nothing to "
                       f"report (run khet sync run first)", fiscal_year=fiscal_year)
    moment = dt.datetime.fromisoformat(runs[0]["started_at"].replace("Z", "+00:00"))
    year_end = _fy_bounds(fiscal_year)[1]
    today = moment.astimezone(TIMEZONE).date()
    if today > year_end:
        today, moment = year_end, dt.datetime.combine(year_end, dt.time.max, TIMEZONE)
    district = (district or DistrictSettings.default()).for_year(fiscal_year)
    by_settings = job_inputs(district, registry.active())
    reports = by_settings["reports"]
    schools = schools_frame(registry)
    states = history.school_states()
    reads = pd.DataFrame([{
        "school_code": code, "school_name": name, "network": net,
        "outcome": states[code].last_outcome if code in states else "not_provisioned",
        "reason": states[code].last_reason if code in states else "not_provisioned",
        "last_good_at": states[code].last_good_at if code in states else None, "data_age_hours": None,
    } for code, name, net in zip(schools["school_code"], schools["school_name"], schools["network"], strict=True)])
    tabs = {c: {k: t.grid for k, t in got.items()}
            for c, got in history.all_school_tabs(schools["school_code"]).items()}
    d = consolidate(schools, tabs, None, reads, {sh.key: sh for sh in district.school_sheets()}).district
    checks = agg.submittable(agg.report_checks(d, reports), agg.confirmed_reports(d, fiscal_year, reports))
    rules = Rules(district.identity.on_time_policy, district.identity.grace_days)
    timing, _ = year_timing(history, d, fiscal_year, now=moment, today=today, rules=rules, reports=reports,
                            dues=by_settings["dues"])
    confirmed = set(zip(checks.loc[checks["confirmed"], "school_code"], checks.loc[checks["confirmed"], "report_key"],
                        strict=True))
    summary = agg.summarize(d, fiscal_year, today, edited_after_due=history.edited_after_due(fiscal_year),
                            confirmed=confirmed, **{**timing, **by_settings})
    return summary, d, today


def schools_frame(registry) -> pd.DataFrame:
    from sync.job import _schools_frame

    return _schools_frame(registry)


def load_figures(*, history_db: Path, registry: Path, fiscal_year: int | None = None,
                 workbook: Path | None = None, district_name: str = "",
                 settings_path: Path | None = None) -> Figures:
    """The figures of one fiscal year from the job host's files: history, registry, staff workbook."""
    from sync.history import History
    from sync.registry import load_registry

    if not Path(history_db).is_file():
        raise ReportDataError(message_th=f"ไม่พบฐานข้อมูลประวัติ {history_db}",
                              message_en=f"history database not found: {history_db}", path=str(history_db))
    from addin.settings import settings_or_fail

    reg = load_registry(registry)
    fy = fiscal_year or fiscal_year_of(dt.date.today())
    district = settings_or_fail(settings_path, fy).for_year(fy)
    with History(history_db) as h:
        summary, d, as_of = summary_from_history(h, reg, fy, district)
    from sync.trackers import attach, read_trackers

    staff, rejected, notes = read_staff_tabs(workbook)
    trackers = read_trackers(Path(workbook), as_of) if workbook else None
    if trackers is not None:
        attach(summary, trackers)  # as the nightly run does: overdue items join the follow-up list
        notes += [f"{f.sheet}: {f.message_th}" for f in trackers.findings if f.code.startswith("trackers.")]
    sources = [f"ประวัติข้อมูล {Path(history_db).name} (รอบประมวลผลล่าสุดของปี)",
               f"ทะเบียนโรงเรียน {Path(registry).name}"]
    if workbook:
        sources.append(f"สมุดงานของเขต {Path(workbook).name}")
    if settings_path is not None:
        sources.append(f"ค่าตั้งของเขต {Path(settings_path).name}")
    return Figures(fy, as_of, district_name or (district.identity.name if settings_path else ""), summary, d, staff,
                   report_settings(fy, settings_path, district), trackers, rejected, sources, notes)


def figures_from_district(d: agg.District, fiscal_year: int, today: dt.date, *, timing: Mapping | None = None,
                          staff: Mapping[str, pd.DataFrame | None] | None = None, trackers=None,
                          district_name: str = "", settings: DistrictSettings | None = None,
                          registry=None) -> Figures:
    """Figures from an already consolidated district (tests; the demo's generator); `settings` and `registry`
    (the School objects' registry) as the nightly job would take them."""
    from addin.settings import job_inputs

    district = (settings or DistrictSettings.default()).for_year(fiscal_year)
    by_settings = job_inputs(district, registry.active()) if settings is not None and registry is not None else {}
    summary = agg.summarize(d, fiscal_year, today, **{**(timing or {}), **by_settings})
    tabs = dict.fromkeys(STAFF_TABS)
    tabs.update(staff or {})
    return Figures(fiscal_year, today, district_name, summary, d, tabs, report_settings(fiscal_year, None, district),
                   trackers)
