"""One fiscal year's submission tracking in a night: evidence recorded, overrides applied, claims weighed.

The job calls :func:`track` once per tracked year after consolidation; it returns the ``timing`` arguments of
``sync.aggregate.summarize`` and the findings it made (a typed submission date in the future or before the year
began, a claim much earlier than the evidence, an override for an unknown school). The rules themselves are
:mod:`addin.ontime`; this module only gathers their inputs from the night and the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from addin.calendar import fiscal_year_bounds
from addin.ontime import (
    CLAIM_BEFORE_YEAR,
    CLAIM_FUTURE,
    CLAIM_MUCH_EARLIER,
    CLAIM_TOLERANCE_DAYS,
    DEFAULT_GRACE_DAYS,
    DEFAULT_POLICY,
    Evidence,
    bangkok,
    check_claim,
    decide,
    end_of_day,
)
from addin.thaidate import format_thai_date
from addin.validate import Finding
from sync import aggregate as agg
from sync.evidence import Proof, evidence_records
from sync.history import History
from sync.overrides import OverrideRow
from workbook.reports import REPORTS
from workbook.sheets import SUBMISSION

CLAIM_TEXT = {
    CLAIM_FUTURE: ("วันที่ส่ง {typed} อยู่ในอนาคต จึงไม่นำมาใช้ตัดสินความตรงเวลา",
                   "the submission date {typed} is in the future, so it is not used for timeliness",
                   "error", "แก้วันที่ส่งให้เป็นวันที่ส่งจริง"),
    CLAIM_BEFORE_YEAR: ("วันที่ส่ง {typed} อยู่ก่อนปีงบประมาณ {fy} เริ่ม จึงไม่นำมาใช้ตัดสินความตรงเวลา",
                        "the submission date {typed} is before fiscal year {fy} began, so it is not used for "
                        "timeliness", "error", "แก้วันที่ส่งให้อยู่ในปีงบประมาณนี้"),
    CLAIM_MUCH_EARLIER: ("วันที่ส่งที่แจ้ง {typed} เร็วกว่าหลักฐานในระบบ ({evidence}) เกิน {days} วัน เขตใช้วันตามหลักฐาน",
                         "the submission date typed, {typed}, is more than {days} days before Khet's evidence "
                         "({evidence}); the evidence is used", "warning",
                         "ถ้าส่งทางช่องทางอื่นก่อนหน้านั้น แจ้งเขตให้บันทึกการรับรายงาน"),
}


@dataclass
class Rules:
    """The district's timeliness settings (issue 12's settings sheet feeds them)."""

    policy: str = DEFAULT_POLICY
    grace_days: int = DEFAULT_GRACE_DAYS
    tracking_start: date | None = None    # None: the history's record, else the first night


@dataclass
class Tracked:
    timing: dict                                   # keyword arguments of aggregate.summarize
    findings: list[tuple[str, Finding]] = field(default_factory=list)   # (school code, finding)
    overrides_applied: int = 0
    overrides_withdrawn: int = 0
    evidence_new: int = 0


def _typed_dates(d: agg.District, fy: int, reports=REPORTS) -> dict[tuple[str, str], tuple[date, int]]:
    """(school, report) → (the date the school typed, its row) from the confirmation tab."""
    sub = d.table("submission")
    if len(sub) == 0:
        return {}
    titles = {r.title_th: r.key for r in reports}
    out = {}
    fy_ok = agg.norm_col(sub["fiscal_year"]) == str(fy)
    for code, title, typed, row in zip(sub["school_code"][fy_ok], sub["report"][fy_ok], sub["submitted_on"][fy_ok],
                                       sub["_row"][fy_ok], strict=True):
        if title in titles and isinstance(typed, date):
            out[(code, titles[title])] = (typed.date() if isinstance(typed, datetime) else typed, int(row))
    return out


def _claim_finding(problem: str, code: str, row: int, typed: date, fy: int, evidence: datetime | None) -> Finding:
    th, en, severity, fix = CLAIM_TEXT[problem]
    params = {"typed": format_thai_date(typed), "fy": fy, "days": CLAIM_TOLERANCE_DAYS,
              "evidence": "" if evidence is None else format_thai_date(bangkok(evidence).date())}
    column = SUBMISSION.column("submitted_on")
    return Finding(SUBMISSION.title_th, SUBMISSION.key, row, column.header_th,
                   f"{SUBMISSION.letter('submitted_on')}{row}", typed.isoformat(), severity, problem,
                   th.format(**params), en.format(**{**params, "typed": typed.isoformat()}), fix,
                   school_code=code, params={**params, "typed": typed.isoformat()})


def apply_overrides(h: History, run_id: int, fy: int, rows: list[OverrideRow], *, now: datetime,
                    previous: Mapping[tuple[str, str], dict]) -> tuple[int, int]:
    """New staff rows are applied once (with the value shown before); overrides whose row left the tab are
    withdrawn. Returns (applied, withdrawn)."""
    active = h.active_overrides(fy)
    present = {r.row_hash for r in rows if r.fiscal_year == fy}
    applied = withdrawn = 0
    for pair, row in active.items():
        if row["row_hash"] not in present:
            h.record_override(run_id, school_code=pair[0], report_key=pair[1], fiscal_year=fy, action="withdraw",
                              row_hash=row["row_hash"], applied_at=now, previous=previous.get(pair))
            withdrawn += 1
    active = h.active_overrides(fy)
    for r in rows:
        if r.fiscal_year != fy or active.get((r.school_code, r.report_key), {}).get("row_hash") == r.row_hash:
            continue
        h.record_override(run_id, school_code=r.school_code, report_key=r.report_key, fiscal_year=fy,
                          action="apply", row_hash=r.row_hash, applied_at=now,
                          previous=previous.get((r.school_code, r.report_key)), submitted_on=r.received_on,
                          channel=r.channel, reference=r.reference, reason=r.reason, recorded_by=r.recorded_by,
                          recorded_on=r.recorded_on)
        applied += 1
    return applied, withdrawn


def track(h: History, run_id: int, d: agg.District, checks: pd.DataFrame, fy: int, *, proofs: Mapping[str, Proof],
          now: datetime, today: date, rules: Rules, overrides: list[OverrideRow] = (), reports=REPORTS,
          dues: Mapping[str, date] | None = None, sheet_since: Mapping[str, date] | None = None) -> Tracked:
    """Record tonight's evidence for ``fy``, apply the overrides, weigh the school's typed dates; return what
    the summary needs. ``reports`` and ``dues``: the district's (settings), else the shipped ones.
    ``sheet_since``: school → the date its sheet was created (a school that joined mid-year: its word is taken
    for reports due before that)."""
    new = h.record_evidence(run_id, fy, evidence_records(checks, proofs), seen_at=now)
    evidence = h.evidence(fy)
    dues = dict(dues) if dues is not None else agg.report_dues(fy)

    # The value each report shows before tonight's overrides (for the audit).
    active = h.active_overrides(fy)
    previous = {}
    for pair in {(r.school_code, r.report_key) for r in overrides} | set(active):
        ev = evidence.get(pair, {})
        was = active.get(pair)
        dec = decide(dues[pair[1]], now, evidence=Evidence(ev.get("with_data"), ev.get("valid")),
                     policy=rules.policy, grace_days=rules.grace_days,
                     override=None if was is None else end_of_day(date.fromisoformat(was["submitted_on"])))
        previous[pair] = {"submitted_at": dec.submitted_at, "basis": dec.basis, "status": str(dec.status)}
    applied, withdrawn = apply_overrides(h, run_id, fy, list(overrides), now=now, previous=previous)
    timing, findings = year_timing(h, d, fy, now=now, today=today, rules=rules, reports=reports, dues=dues,
                                   sheet_since=sheet_since)
    return Tracked(timing, findings, applied, withdrawn, new)


def year_timing(h: History, d: agg.District, fy: int, *, now: datetime, today: date, rules: Rules,
                reports=REPORTS, dues: Mapping[str, date] | None = None,
                sheet_since: Mapping[str, date] | None = None) -> tuple[dict, list[tuple[str, Finding]]]:
    """What the history holds for ``fy`` as the summary's ``timing`` arguments — evidence, active overrides, the
    schools' accepted claims — and the claim findings. Reads only: the nightly run calls it after recording,
    the reports (``sync.reporting.figures``) to tell a year as the last night judged it. ``sheet_since``: the
    night's listing of when each sheet was created; without one (the reports), the first night each was read."""
    evidence = h.evidence(fy)
    dues = dict(dues) if dues is not None else agg.report_dues(fy)
    forced = {pair: end_of_day(date.fromisoformat(r["submitted_on"])) for pair, r in h.active_overrides(fy).items()}

    # The school's word: accepted only where tracking could not see (rules in addin.ontime).
    first_run = h.first_run_time()
    start = rules.tracking_start or h.tracking_start(fy) or (bangkok(first_run).date() if first_run else today)
    start = max(start, fiscal_year_bounds(fy)[0])
    if sheet_since is None:
        sheet_since = {c: bangkok(t).date() for c, t in h.first_read_times().items()}
    claims, typed, findings = {}, {}, []
    for (code, key), (day, row) in _typed_dates(d, fy, reports).items():
        typed[(code, key)] = day
        first = Evidence(**{"with_data": None, "valid": None, **evidence.get((code, key), {})}).first
        c = check_claim(day, fiscal_year=fy, due=dues[key], today=today, tracking_start=start,
                        first_evidence=first, sheet_since=sheet_since.get(code))
        if c.accepted is not None:
            claims[(code, key)] = c.accepted
        if c.problem is not None:
            findings.append((code, _claim_finding(c.problem, code, row, day, fy, first)))
    timing = {"evidence": evidence, "overrides": forced, "claims": claims, "typed": typed, "policy": rules.policy,
              "grace_days": rules.grace_days, "now": now}
    return timing, findings
