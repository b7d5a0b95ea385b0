"""District consolidation as pure functions over DataFrames: no I/O, no clock, no Google.

Inputs are the validated school tables stacked with a ``school_code`` column (see :class:`District`), the school
registry and the submission evidence kept by the history. Outputs are the frames the district summary shows:
report status per school × report, completeness and timeliness (district and per network), the status matrix,
budget totals (exact to the satang: money is summed as integer satang, never as floats), project status per
quarter, KPI attainment, the follow-up list and outliers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from addin.cells import is_blank
from addin.ontime import (
    BASIS_CLAIM,
    BASIS_OVERRIDE,
    BASIS_TH,
    DEFAULT_GRACE_DAYS,
    DEFAULT_POLICY,
    Evidence,
    bangkok_wall,
    decide,
)
from addin.status import CORRECTION_TH, LABEL_TH, TIMEZONE, Status
from workbook.reports import REPORTS, Report
from workbook.schema import DIRECTION_LOWER_BETTER, YES_TH
from workbook.sheets import BUDGET_CATEGORY_COLUMNS, PROJECT_STATUSES, QUARTERS, SHEETS

CATEGORY_KEYS = tuple(c.key for c in BUDGET_CATEGORY_COLUMNS)
CATEGORY_TH = {c.key: c.header_th for c in BUDGET_CATEGORY_COLUMNS}
SUBMITTED = (Status.ON_TIME, Status.LATE)
OUTLIER_RATIO = 10     # "a budget ten times the median" (and a tenth of it)
OUTLIER_MIN_SCHOOLS = 5  # below this a median says nothing
MARKED_BASES = (BASIS_OVERRIDE, BASIS_CLAIM)  # a time that does not rest on Khet's own evidence says so
REGISTRY_COLUMNS = ("school_code", "school_name", "network", "contact_email", "phone")


@dataclass
class District:
    """Everything the consolidation needs, already validated.

    ``tables``: sheet key → clean rows of every school (sheet keys + ``_row`` + ``school_code``).
    ``rejected``: sheet key → rejected rows (raw values, ``_row``, ``school_code``) — they count for "has data"
    and for "needs correction" but never for totals.
    ``findings``: one row per validation finding with ``school_code`` and the Finding fields.
    ``reads``: per school: ``outcome``, ``reason``, ``last_good_at``, ``data_age_hours``.
    """

    schools: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejected: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    reads: pd.DataFrame = field(default_factory=pd.DataFrame)
    cache: dict = field(default_factory=dict, repr=False)  # derived frames computed once per district

    def table(self, key: str) -> pd.DataFrame:
        frame = self.tables.get(key)
        if frame is None:
            frame = pd.DataFrame(columns=[*SHEETS[key].keys(), "_row", "school_code"])
        return frame


# --- money ----------------------------------------------------------------------------------------------------

def to_satang(values: pd.Series) -> pd.Series:
    """Money cells (Decimal, int, numeric text, blank) → int64 satang. Blank counts as 0."""
    def one(v) -> int:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT or v == "":
            return 0
        d = v if isinstance(v, Decimal) else Decimal(str(v))
        return int((d * 100).to_integral_value())

    if len(values) == 0:
        return pd.Series([], dtype="int64", index=values.index)
    obj = values.astype(object).where(values.notna(), None)
    # Amounts repeat (the same budget in four quarterly rows): convert each distinct one once.
    table = {v: one(v) for v in pd.unique(obj.to_numpy())}
    return pd.Series([table[v] for v in obj.tolist()], index=values.index, dtype="int64")


def baht(satang: int | np.integer) -> Decimal:
    return (Decimal(int(satang)) / 100).quantize(Decimal("0.01"))


def _baht_frame(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = [baht(v) for v in out[c].tolist()]
    return out


# --- due dates and statuses -----------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def report_due(report_key: str, fiscal_year: int) -> date:
    """A report's due date for a fiscal year, from its timing phrase (the calendar engine)."""
    from addin.timing import report_occurrence

    return report_occurrence(report_key, fiscal_year).due


def report_dues(fiscal_year: int, reports: Iterable[Report] = REPORTS) -> dict[str, date]:
    return {r.key: report_due(r.key, fiscal_year) for r in reports}


def _norm_text(v) -> str:
    """Cell → comparable text: 1, 1.0 and "1" are the same quarter."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def norm_col(values: pd.Series) -> pd.Series:
    """``_norm_text`` over a column, computed once per distinct value (a column has few)."""
    obj = values.astype(object)
    obj = obj.where(values.notna(), None)
    table = {v: _norm_text(v) for v in pd.unique(obj.to_numpy())}
    return obj.map(table.__getitem__)


def _report_rows(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    if report.row_filter is None or len(frame) == 0:
        return frame
    col, value = report.row_filter
    if col not in frame.columns:
        return frame.iloc[0:0]
    return frame[norm_col(frame[col]).to_numpy() == value]


def confirmed_reports(d: District, fiscal_year: int, reports: Iterable[Report] = REPORTS) -> set[tuple[str, str]]:
    """(school, report) pairs the school confirmed on its submission tab for this fiscal year."""
    sub = d.table("submission")
    if len(sub) == 0:
        return set()
    titles = {r.title_th: r.key for r in reports}
    fy_ok = norm_col(sub["fiscal_year"]) == str(fiscal_year)
    yes = norm_col(sub["confirmed"]).isin([YES_TH, "True"])
    picked = sub[fy_ok & yes]
    return {(c, titles[t]) for c, t in zip(picked["school_code"], picked["report"], strict=True) if t in titles}


def report_checks(d: District, reports: Iterable[Report] = REPORTS) -> pd.DataFrame:
    """Per school × report: rows present, error and warning counts of the report's rows (and of its tab)."""
    f = d.findings
    out = []
    codes = d.schools["school_code"].tolist()
    for report in reports:
        clean = _report_rows(d.table(report.sheet), report)
        bad = _report_rows(d.rejected.get(report.sheet, pd.DataFrame(columns=["school_code", "_row"])), report)
        n_rows = pd.concat([clean["school_code"], bad["school_code"]]).value_counts()
        # Row numbers as floats on both sides: an empty side (no rejected rows) would make the column object and
        # the merge refuse (found by the output-safety property test).
        rows_of = pd.concat([clean[["school_code", "_row"]], bad[["school_code", "_row"]]]).astype({"_row": "float64"})
        if len(f):
            fs = f[f["sheet_key"] == report.sheet]
            fs = fs.assign(row=pd.to_numeric(fs["row"], errors="coerce"))
            # Findings on this report's rows, plus sheet-level ones (missing column…), which spoil every report
            # of the tab.
            keyed = fs.merge(rows_of.rename(columns={"_row": "row"}), on=["school_code", "row"], how="inner")
            sheet_level = fs[fs["row"].isna()]
            fr = pd.concat([keyed, sheet_level])
            errors = fr[fr["severity"] == "error"]["school_code"].value_counts()
            warnings = fr[fr["severity"] == "warning"]["school_code"].value_counts()
            sheet_errors = sheet_level[sheet_level["severity"] == "error"]["school_code"].value_counts()
        else:
            errors = warnings = sheet_errors = pd.Series(dtype="int64")
        for code in codes:
            out.append((code, report.key, int(n_rows.get(code, 0)), int(errors.get(code, 0)),
                        int(warnings.get(code, 0)), int(sheet_errors.get(code, 0))))
    return pd.DataFrame(out, columns=["school_code", "report_key", "rows", "errors", "warnings", "sheet_errors"])


def submittable(checks: pd.DataFrame, confirmed: set[tuple[str, str]]) -> pd.DataFrame:
    """Per school × report tonight: ``confirmed`` by the school; ``with_data`` (rows present, no sheet-level
    error: evidence (a)); ``valid`` (rows present, no error at all: evidence (b)) — see :mod:`addin.ontime`."""
    conf = [(c, r) in confirmed for c, r in zip(checks["school_code"], checks["report_key"], strict=True)]
    ok = checks.assign(confirmed=conf)
    ok["with_data"] = (ok["rows"] > 0) & (ok["sheet_errors"] == 0)
    ok["valid"] = (ok["rows"] > 0) & (ok["errors"] == 0)
    return ok


def report_status(d: District, fiscal_year: int, today: date, *,
                  evidence: Mapping[tuple[str, str], Mapping[str, datetime]] | None = None,
                  overrides: Mapping[tuple[str, str], datetime] | None = None,
                  claims: Mapping[tuple[str, str], datetime] | None = None,
                  typed: Mapping[tuple[str, str], date] | None = None,
                  policy: str = DEFAULT_POLICY, grace_days: int = DEFAULT_GRACE_DAYS, now: datetime | None = None,
                  edited_after_due: set[tuple[str, str]] = frozenset(),
                  confirmed: set[tuple[str, str]] | None = None,
                  reports: Iterable[Report] = REPORTS, soon_days: int = 3,
                  dues: Mapping[str, date] | None = None, grace: Mapping[str, int] | None = None,
                  expected: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """School × report: due, submission time and what it rests on (evidence, a staff override, the school's
    accepted claim), status and flags, by the on-time rule of :mod:`addin.ontime`; ``typed``: the date the school
    typed (shown beside the evidence as ``claimed_on``). ``now`` defaults to the start of ``today`` in Bangkok.
    From the district's settings: ``dues`` per report (else from the phrases), ``grace`` days per report (else
    ``grace_days``) and ``expected`` (school, report) pairs (a report some networks or sizes send; None = every
    school sends every report)."""
    reports = tuple(reports)
    evidence, overrides, claims, typed = evidence or {}, overrides or {}, claims or {}, typed or {}
    now = now or datetime.combine(today, time.min, TIMEZONE)
    dues = dict(dues) if dues is not None else report_dues(fiscal_year, reports)
    grace = grace or {}
    checks = submittable(report_checks(d, reports),
                         confirmed_reports(d, fiscal_year, reports) if confirmed is None else confirmed)
    if expected is not None:
        keep = [(c, r) in expected for c, r in zip(checks["school_code"], checks["report_key"], strict=True)]
        checks = checks[keep].reset_index(drop=True)
    checks["due"] = checks["report_key"].map(dues)
    decisions = []
    for code, key, errors in zip(checks["school_code"], checks["report_key"], checks["errors"], strict=True):
        ev = evidence.get((code, key), {})
        decisions.append(decide(dues[key], now, evidence=Evidence(ev.get("with_data"), ev.get("valid")),
                                policy=policy, grace_days=grace.get(key, grace_days), has_errors=bool(errors),
                                override=overrides.get((code, key)), claim=claims.get((code, key)),
                                soon_days=soon_days))
    checks["submitted_at"] = [None if x.submitted_at is None else bangkok_wall(x.submitted_at)
                              for x in decisions]
    checks["submitted_on"] = [x.submitted_on for x in decisions]
    checks["basis"] = [x.basis for x in decisions]
    checks["claimed_on"] = [typed.get((c, r)) for c, r in zip(checks["school_code"], checks["report_key"],
                                                              strict=True)]
    checks["status"] = [str(x.status) for x in decisions]
    checks["status_th"] = [LABEL_TH[x.status] + (f" ({BASIS_TH[x.basis]})" if x.basis in MARKED_BASES else "")
                           for x in decisions]
    checks["edited_after_due"] = [(c, r) in edited_after_due for c, r in zip(checks["school_code"],
                                                                             checks["report_key"], strict=True)]
    # Needs correction: sent (or confirmed with its data) but the rows have errors now.
    checks["needs_correction"] = [x.needs_correction or (bool(c) and bool(e))
                                  for x, c, e in zip(decisions, checks["confirmed"], checks["errors"], strict=True)]
    titles = {r.key: r.title_th for r in reports}
    checks["report_th"] = checks["report_key"].map(titles)
    reg = d.schools[[c for c in ("school_code", "school_name", "network") if c in d.schools.columns]]
    out = reg.merge(checks, on="school_code", how="right")
    order = {r.key: i for i, r in enumerate(reports)}
    out["_order"] = out["report_key"].map(order)
    out = out.sort_values(["school_code", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    return out[["school_code", "school_name", "network", "report_key", "report_th", "due", "submitted_on",
                "submitted_at", "basis", "claimed_on", "status", "status_th", "confirmed", "valid", "rows", "errors", "warnings",
                "needs_correction", "edited_after_due"]]


# --- completeness ---------------------------------------------------------------------------------------------

COUNT_COLUMNS = ("expected", "submitted", "on_time", "late", "overdue", "missing", "pending")


def completeness(status: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Per report (and per ``by``, e.g. network): expected, submitted, on time, late, overdue, missing,
    pending (not yet due / due soon), % submitted and % on time (of expected, 2 decimals)."""
    s = status.assign(
        expected=1,
        submitted=status["status"].isin([str(x) for x in SUBMITTED]).astype(int),
        on_time=(status["status"] == str(Status.ON_TIME)).astype(int),
        late=(status["status"] == str(Status.LATE)).astype(int),
        overdue=(status["status"] == str(Status.OVERDUE)).astype(int),
        missing=(status["status"] == str(Status.MISSING)).astype(int),
        pending=status["status"].isin([str(Status.NOT_YET_DUE), str(Status.DUE_SOON)]).astype(int),
    )
    keys = ([by] if by else []) + ["report_key", "report_th", "due"]
    s = s.fillna({by: ""}) if by else s
    g = s.groupby(keys, sort=False, dropna=False)[list(COUNT_COLUMNS)].sum().reset_index()
    g["pct_submitted"] = _pct(g["submitted"], g["expected"])
    g["pct_on_time"] = _pct(g["on_time"], g["expected"])
    if by:
        g = g.sort_values([by], kind="stable").reset_index(drop=True)
    return g


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    return pd.Series([round(int(n) * 100 / int(d), 2) if d else 0.0 for n, d in zip(num, den, strict=True)],
                     index=num.index)


def status_matrix(status: pd.DataFrame, reports: Iterable[Report] = REPORTS) -> pd.DataFrame:
    """One row per school, one column per report (Thai title) holding the Thai status label, marked
    " · ต้องแก้ไข" when the report needs correction (the summary colours it apart)."""
    titles = [r.title_th for r in reports]
    idx = ["school_code", "school_name", "network"]
    shown = status["status_th"].where(~status["needs_correction"].astype(bool),
                                      status["status_th"] + f" · {CORRECTION_TH}")
    m = status.assign(shown=shown, **{c: status[c].fillna("") for c in idx[1:]}).pivot(
        index=idx, columns="report_th", values="shown")
    m = m.reindex(columns=[t for t in titles if t in m.columns]).reset_index()
    m.columns.name = None
    return m


# --- budgets --------------------------------------------------------------------------------------------------

def _plan_satang(d: District) -> pd.DataFrame:
    if "plan_satang" not in d.cache:
        d.cache["plan_satang"] = _plan_satang_of(d)
    return d.cache["plan_satang"]


def _plan_satang_of(d: District) -> pd.DataFrame:
    plan = d.table("action_plan")
    out = pd.DataFrame({"school_code": plan["school_code"].to_numpy()}, index=plan.index)
    for c in (*CATEGORY_KEYS, "budget_total"):
        out[c] = to_satang(plan[c]) if c in plan.columns else 0
    for c in ("budget_source", "district_strategy"):
        out[c] = norm_col(plan[c]).replace("", "(ไม่ระบุ)") if c in plan.columns else "(ไม่ระบุ)"
    return out


MONEY_COLUMNS = (*CATEGORY_KEYS, "budget_total")


def budget_by_school(d: District) -> pd.DataFrame:
    """Every school's action-plan budget by category and total (baht, Decimal), plus a district row."""
    s = _plan_satang(d)
    g = s.groupby("school_code")[list(MONEY_COLUMNS)].sum()
    reg = d.schools.set_index("school_code")
    g = g.reindex(reg.index, fill_value=0)
    g.insert(0, "school_name", reg["school_name"])
    g.insert(1, "network", reg.get("network", pd.Series("", index=reg.index)))
    g = g.reset_index()
    total = {"school_code": "", "school_name": "รวมทั้งเขต", "network": "",
             **{c: int(g[c].sum()) for c in MONEY_COLUMNS}}
    g = pd.concat([g, pd.DataFrame([total])], ignore_index=True)
    return _baht_frame(g, MONEY_COLUMNS)


def budget_by(d: District, key: str) -> pd.DataFrame:
    """District budget by ``budget_source`` or ``district_strategy``: categories and total, with a total row."""
    s = _plan_satang(d)
    g = s.groupby(key)[list(MONEY_COLUMNS)].sum().reset_index()
    g["projects"] = s.groupby(key).size().reindex(g[key]).to_numpy()
    total = {key: "รวม", **{c: int(g[c].sum()) for c in MONEY_COLUMNS}, "projects": int(g["projects"].sum())}
    g = pd.concat([g, pd.DataFrame([total])], ignore_index=True)
    return _baht_frame(g, MONEY_COLUMNS)


def budget_by_school_dimension(d: District) -> pd.DataFrame:
    """Each school's total budget by source and by strategy (long: school, dimension, item, projects, baht);
    its budget by category is in :func:`budget_by_school`."""
    s = _plan_satang(d)
    parts = []
    for key, th in (("budget_source", "แหล่งงบประมาณ"), ("district_strategy", "กลยุทธ์ของเขต")):
        g = s.groupby(["school_code", key]).agg(projects=("budget_total", "size"),
                                                budget_total=("budget_total", "sum")).reset_index()
        parts.append(g.rename(columns={key: "item"}).assign(dimension=th))
    g = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    names = d.schools.set_index("school_code")["school_name"]
    g["school_name"] = g["school_code"].map(names)
    g = g.sort_values(["school_code", "dimension", "item"], kind="stable").reset_index(drop=True)
    return _baht_frame(g[["school_code", "school_name", "dimension", "item", "projects", "budget_total"]],
                       ["budget_total"])


def budget_by_category(d: District) -> pd.DataFrame:
    """The district total per budget category (Thai name, baht) — what the chart shows."""
    s = _plan_satang(d)
    rows = [(CATEGORY_TH[c], baht(int(s[c].sum()))) for c in CATEGORY_KEYS]
    rows.append(("รวม", baht(int(s["budget_total"].sum()))))
    return pd.DataFrame(rows, columns=["category", "amount"])


# --- projects and KPIs ----------------------------------------------------------------------------------------

def project_status(d: District) -> pd.DataFrame:
    """Per quarter: projects reported in each status, mean % progress, budget received and spent (baht)."""
    p = d.table("progress")
    quarter = norm_col(p["quarter"]).to_numpy() if len(p) else None
    rows = []
    for q in QUARTERS:
        pq = p[quarter == q] if len(p) else p
        counts = norm_col(pq["status"]).value_counts() if len(pq) else pd.Series(dtype="int64")
        pct = pd.to_numeric(pq["progress_pct"].astype(object), errors="coerce")
        rows.append({
            "quarter": q,
            "projects": int(len(pq)),
            "schools": int(pq["school_code"].nunique()) if len(pq) else 0,
            **{st: int(counts.get(st, 0)) for st in PROJECT_STATUSES},
            "mean_progress_pct": round(float(pct.mean()), 2) if pct.notna().any() else None,
            "budget_total": baht(int(to_satang(pq["budget_total"]).sum())) if len(pq) else baht(0),
            "spent": baht(int(to_satang(pq["spent"]).sum())) if len(pq) else baht(0),
        })
    return pd.DataFrame(rows)


def _meets(target, result, direction) -> bool | None:
    if target is None or result is None:
        return None
    try:
        t, r = Decimal(str(target)), Decimal(str(result))
    except ArithmeticError:
        return None
    if t.is_nan() or r.is_nan():
        return None
    return r <= t if _norm_text(direction) == DIRECTION_LOWER_BETTER else r >= t


def kpi_attainment(d: District) -> pd.DataFrame:
    """Per round and indicator: schools that met the target, did not, and have no data (of all schools)."""
    k = d.table("kpi")
    n_schools = int(d.schools["school_code"].nunique())
    if len(k) == 0:
        return pd.DataFrame(columns=["round", "indicator_code", "indicator", "met", "not_met", "no_data",
                                     "pct_met"])
    k = k.assign(_met=[_meets(t, r, dr) for t, r, dr in zip(k["target"], k["result"], k["direction"], strict=True)],
                 _round=k["round"].map(_norm_text), _code=k["indicator_code"].map(_norm_text))
    rows = []
    for (rnd, code), g in k.groupby(["_round", "_code"], sort=True):
        # A school with two rows for one indicator counts once: its last row (the validator flags duplicates).
        per_school = g.drop_duplicates("school_code", keep="last")
        met = int((per_school["_met"] == True).sum())  # noqa: E712 - object column of True/False/None
        not_met = int((per_school["_met"] == False).sum())  # noqa: E712
        rows.append({"round": rnd, "indicator_code": code, "indicator": _norm_text(g["indicator"].iloc[0]),
                     "met": met, "not_met": not_met, "no_data": n_schools - met - not_met,
                     "pct_met": round(met * 100 / n_schools, 2) if n_schools else 0.0})
    return pd.DataFrame(rows)


KPI_LEVEL_DISTRICT_TH = "ทั้งเขต"
KPI_MET_TH = {True: "บรรลุ", False: "ไม่บรรลุ", None: "ยังไม่มีผล"}


def district_kpi_attainment(d: District, kpis, targets: Mapping[tuple[str, str], float]
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The district's own KPIs (settings): per school, round and KPI the result against *the district's* target
    for that school (what the school typed as a target does not count), then per round and KPI the schools
    that met it, did not, and have no result yet — district-wide (network "") and per network. `targets`:
    (school code, KPI code) -> target; a school without a target for a KPI is not expected to report it."""
    from workbook.sheets import KPI_ROUNDS

    k = d.table("kpi")
    typed: dict[tuple[str, str, str], object] = {}
    if len(k):
        for code, rnd, ind, result in zip(k["school_code"], norm_col(k["round"]), norm_col(k["indicator_code"]),
                                          k["result"], strict=True):
            typed[(code, rnd, ind)] = None if result is None or result is pd.NA else result
    nets = dict(zip(d.schools["school_code"], d.schools["network"].fillna(""), strict=True))
    names = dict(zip(d.schools["school_code"], d.schools["school_name"], strict=True))
    rows = []
    for code in d.schools["school_code"]:
        for rnd in KPI_ROUNDS:
            for kpi in kpis:
                if (code, kpi.code) not in targets:
                    continue
                target = targets[(code, kpi.code)]
                result = typed.get((code, rnd, kpi.code))
                met = _meets(target, result, kpi.direction)
                rows.append({"school_code": code, "school_name": names[code], "network": nets[code], "round": rnd,
                             "indicator_code": kpi.code, "indicator": kpi.name, "unit": kpi.unit,
                             "direction": kpi.direction, "target": target, "result": result, "met": met,
                             "status_th": KPI_MET_TH[met]})
    per_school = pd.DataFrame(rows, columns=["school_code", "school_name", "network", "round", "indicator_code",
                                             "indicator", "unit", "direction", "target", "result", "met",
                                             "status_th"])
    out = []
    for level in ("", *sorted({n for n in nets.values() if n})):
        part = per_school if level == "" else per_school[per_school["network"] == level]
        for (rnd, code), g in part.groupby(["round", "indicator_code"], sort=False):
            met = int((g["met"] == True).sum())  # noqa: E712 - object column of True/False/None
            not_met = int((g["met"] == False).sum())  # noqa: E712
            n = len(g)
            out.append({"network": level or KPI_LEVEL_DISTRICT_TH, "round": rnd, "indicator_code": code,
                        "indicator": g["indicator"].iloc[0], "expected": n, "met": met, "not_met": not_met,
                        "no_data": n - met - not_met, "pct_met": round(met * 100 / n, 2) if n else 0.0})
    return pd.DataFrame(out, columns=["network", "round", "indicator_code", "indicator", "expected", "met",
                                      "not_met", "no_data", "pct_met"]), per_school


# --- follow-up ------------------------------------------------------------------------------------------------

FOLLOW_UP_REASON = {
    "overdue": ("เกินกำหนดส่ง", "overdue"),
    "missing": ("ไม่ส่ง (ปิดรับแล้ว)", "missing"),
    "correction": ("ต้องแก้ไขข้อมูล", "needs correction"),
    "unreachable": ("อ่านชีตไม่ได้", "sheet unreachable"),
    "tab_unusable": ("แท็บใช้ไม่ได้", "a tab is unusable"),
}
# Read reasons of a school read tonight whose tab could not be used (a broken header, a missing tab).
TAB_REASONS = ("columns_changed", "tab_missing")
NOT_PROVISIONED_TH = "ยังไม่ได้สร้างชีตของโรงเรียน (khet schools provision)"


def read_reason_th(reason: str | None) -> str:
    """Why a school could not be read, in Thai (the reader's wording, one source)."""
    from sync.reader import reason_text

    if is_blank(reason):  # NaN in a frame column: a school read well has no reason
        return ""
    if reason == "not_provisioned":
        return NOT_PROVISIONED_TH
    return reason_text(reason, "")[0].rstrip(": ")


def follow_up(status: pd.DataFrame, d: District) -> pd.DataFrame:
    """Who to call: overdue, missing and needs-correction reports, and schools whose sheet could not be read,
    with contact e-mail and phone. Sorted by network then school."""
    parts = []
    for kind, mask in (("overdue", status["status"] == str(Status.OVERDUE)),
                       ("missing", status["status"] == str(Status.MISSING)),
                       ("correction", status["needs_correction"])):
        sel = status[mask]
        if len(sel):
            parts.append(pd.DataFrame({
                "school_code": sel["school_code"], "kind": kind, "report_th": sel["report_th"],
                "due": sel["due"], "errors": sel["errors"],
                "detail_th": [f"ข้อผิดพลาด {e} รายการ" if kind == "correction" else "" for e in sel["errors"]],
            }))
    reads = d.reads
    if len(reads):
        messages = reads["message_th"] if "message_th" in reads.columns else pd.Series(None, index=reads.index)
        bad = reads["outcome"].isin(["failed", "not_provisioned"])
        if bad.any():
            parts.append(pd.DataFrame({
                "school_code": reads.loc[bad, "school_code"], "kind": "unreachable", "report_th": "", "due": None,
                "errors": 0,
                "detail_th": [_unreachable_th(r, a, m) for r, a, m in zip(
                    reads.loc[bad, "reason"], reads.loc[bad, "data_age_hours"], messages[bad], strict=True)],
            }))
        tab = (reads["outcome"] == "read") & reads["reason"].isin(TAB_REASONS)
        if tab.any():
            parts.append(pd.DataFrame({
                "school_code": reads.loc[tab, "school_code"], "kind": "tab_unusable", "report_th": "", "due": None,
                "errors": 0, "detail_th": messages[tab].fillna("").to_numpy()}))
    cols = ["network", "school_code", "school_name", "kind", "kind_th", "report_th", "due", "errors", "detail_th",
            "contact_email", "phone"]
    if not parts:
        return pd.DataFrame(columns=cols)
    f = pd.concat(parts, ignore_index=True)
    f["kind_th"] = f["kind"].map(lambda k: FOLLOW_UP_REASON[k][0])
    reg = d.schools[[c for c in REGISTRY_COLUMNS if c in d.schools.columns]]
    f = f.merge(reg, on="school_code", how="left")
    for c in cols:
        if c not in f.columns:
            f[c] = ""
    order = {k: i for i, k in enumerate(FOLLOW_UP_REASON)}
    f["_k"] = f["kind"].map(order)
    f = f.sort_values(["network", "school_code", "_k"], kind="stable").reset_index(drop=True)
    return f[cols]


def _unreachable_th(reason, age_hours, message=None) -> str:
    if isinstance(message, str) and reason in TAB_REASONS:
        return message  # names the tab and says itself whether earlier data is in use
    text = read_reason_th(reason) or "ไม่ทราบสาเหตุ"
    if age_hours is None or (isinstance(age_hours, float) and age_hours != age_hours):
        return f"{text}; ยังไม่เคยอ่านข้อมูลได้"
    return f"{text}; ใช้ข้อมูลเดิมอายุ {format_age_th(age_hours)}"


def format_age_th(hours: float) -> str:
    if hours < 1:
        return "ไม่ถึง 1 ชั่วโมง"
    if hours < 48:
        return f"{round(hours)} ชั่วโมง"
    return f"{round(hours / 24)} วัน"


# --- outliers -------------------------------------------------------------------------------------------------

OUTLIER_FIELDS = (
    # (sheet, column, per) — per "school": the school's total; per "row": each row's value.
    ("action_plan", "budget_total", "school"),
    ("action_plan", "budget_total", "row"),
    ("requests", "amount", "row"),
    ("progress", "spent", "row"),
)


def outliers(d: District, fields=OUTLIER_FIELDS, ratio: float = OUTLIER_RATIO) -> pd.DataFrame:
    """Values far from the district's distribution: ≥ ``ratio`` × the district median (and, for a school's
    total, ≤ median / ratio). Positive values only: a zero budget is a blank, not an outlier. In satang, exactly."""
    cols = ["sheet", "column", "per", "school_code", "school_name", "row", "value", "median", "ratio", "note_th"]
    out = []
    names = dict(zip(d.schools["school_code"], d.schools.get("school_name", d.schools["school_code"]),
                     strict=True))
    for sheet_key, column, per in fields:
        t = d.table(sheet_key)
        if column not in t.columns or len(t) == 0:
            continue
        vals = pd.DataFrame({"school_code": t["school_code"].to_numpy(), "_row": t["_row"].to_numpy(),
                             "v": to_satang(t[column]).to_numpy()})
        if per == "school":
            vals = vals.groupby("school_code", as_index=False)["v"].sum().assign(_row=None)
        vals = vals[vals["v"] > 0]
        if vals["school_code"].nunique() < OUTLIER_MIN_SCHOOLS:
            continue
        med = int(np.median(vals["v"].to_numpy()))
        if med <= 0:
            continue
        hi = vals[vals["v"] >= med * ratio]
        # Far below is only telling for a school's total (a plan missing most of its budget); single small
        # rows (a 3,000-baht activity) are normal.
        lo = vals[vals["v"] * ratio <= med] if per == "school" else vals.iloc[0:0]
        header = SHEETS[sheet_key].column(column).header_th
        for sel, word in ((hi, "สูงกว่า"), (lo, "ต่ำกว่า")):
            for code, row, v in zip(sel["school_code"], sel["_row"], sel["v"], strict=True):
                r = Decimal(int(v)) / Decimal(med)
                out.append({"sheet": SHEETS[sheet_key].title_th, "column": header, "per": per,
                            "school_code": code, "school_name": names.get(code, ""),
                            "row": None if row is None or row != row else int(row),
                            "value": baht(v), "median": baht(med), "ratio": round(float(r), 2),
                            "note_th": f"{word}ค่ามัธยฐานของเขต {round(float(r), 1)} เท่า"})
    return pd.DataFrame(out, columns=cols)


# --- the whole summary ----------------------------------------------------------------------------------------

@dataclass
class Summary:
    """Every frame of the district summary for one fiscal year, as of one night."""

    fiscal_year: int
    today: date
    status: pd.DataFrame
    completeness: pd.DataFrame
    completeness_by_network: pd.DataFrame
    matrix: pd.DataFrame
    budget_by_school: pd.DataFrame
    budget_by_category: pd.DataFrame
    budget_by_source: pd.DataFrame
    budget_by_strategy: pd.DataFrame
    budget_detail: pd.DataFrame
    projects: pd.DataFrame
    kpi: pd.DataFrame
    follow_up: pd.DataFrame
    outliers: pd.DataFrame
    findings: pd.DataFrame
    reads: pd.DataFrame
    # The staff workbook's trackers (filled by sync.trackers.attach; empty when the run has none).
    # The district's KPIs (settings): per school × round × KPI, against the district's target.
    kpi_by_school: pd.DataFrame = field(default_factory=pd.DataFrame)
    service_requests: pd.DataFrame = field(default_factory=pd.DataFrame)
    service_standards: pd.DataFrame = field(default_factory=pd.DataFrame)
    recommendations: pd.DataFrame = field(default_factory=pd.DataFrame)
    inspection_rounds: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Approvals (sync.approvals.attach): sent reports approved / returned / waiting, and every decision.
    approvals_by_report: pd.DataFrame = field(default_factory=pd.DataFrame)
    approvals_by_network: pd.DataFrame = field(default_factory=pd.DataFrame)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def headline(self) -> dict[str, int]:
        """The few numbers a director asks for first."""
        s = self.status
        return {
            "schools": int(s["school_code"].nunique()),
            "reports_expected": int(len(s)),
            "submitted": int(s["status"].isin([str(x) for x in SUBMITTED]).sum()),
            "on_time": int((s["status"] == str(Status.ON_TIME)).sum()),
            "late": int((s["status"] == str(Status.LATE)).sum()),
            "overdue": int((s["status"] == str(Status.OVERDUE)).sum()),
            "missing": int((s["status"] == str(Status.MISSING)).sum()),
            "needs_correction": int(s["needs_correction"].sum()),
            "follow_up": int(len(self.follow_up)),
            "outliers": int(len(self.outliers)),
            "findings": int(len(self.findings)),
            "unreachable": int(self.reads["outcome"].isin(["failed", "not_provisioned"]).sum())
            if len(self.reads) else 0,
        }


def summarize(d: District, fiscal_year: int, today: date, *, edited_after_due: set[tuple[str, str]] = frozenset(),
              confirmed: set[tuple[str, str]] | None = None, **timing) -> Summary:
    """Every frame of the summary; ``timing``: the evidence, overrides, claims, policy, grace days and ``now`` of
    :func:`report_status`, and what the district's settings give it (reports, dues, grace, expected, soon_days);
    kpis and kpi_targets: the district's KPIs (district_kpi_attainment)."""
    kpis, targets = timing.pop("kpis", ()), timing.pop("kpi_targets", {})
    status = report_status(d, fiscal_year, today, edited_after_due=edited_after_due, confirmed=confirmed,
                           **timing)
    kpi, kpi_by_school = district_kpi_attainment(d, kpis, targets)
    if not kpis:  # no district KPIs: what the schools typed, per indicator code (as before settings)
        kpi = kpi_attainment(d)
    return Summary(
        fiscal_year=fiscal_year, today=today, status=status,
        completeness=completeness(status), completeness_by_network=completeness(status, by="network"),
        matrix=status_matrix(status, timing.get("reports", REPORTS)), budget_by_school=budget_by_school(d),
        budget_by_category=budget_by_category(d), budget_by_source=budget_by(d, "budget_source"),
        budget_by_strategy=budget_by(d, "district_strategy"),
        budget_detail=budget_by_school_dimension(d), projects=project_status(d),
        kpi=kpi, kpi_by_school=kpi_by_school, follow_up=follow_up(status, d), outliers=outliers(d),
        findings=d.findings, reads=d.reads,
    )
