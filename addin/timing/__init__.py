"""Timing phrases of the manuals ('ภายในเดือนพฤษภาคม ของทุกปี', 'ทุก 3/6/9 และ 12 เดือน', '๔ วัน', …) as rules,
their dates for a fiscal year, chained service steps, and the district work calendar built from them.

    parse_rule(phrase) -> Rule                      occurrences(rule_or_phrase, fy_be, ref=None) -> [Occurrence]
    deadline(rule_or_phrase, fy_be, ref=None)       chain_steps([Duration | str], start) -> [date]
    deadlines(phrases, fiscal_years) -> datetime64[D] array    deadline_status(phrases, fys, submitted, today)
    work_calendar(fy_be, today=None) -> DataFrame   report_occurrence(report_key, fy_be) -> Occurrence
"""

from addin.timing.evaluate import (
    add_months,
    chain_steps,
    deadline,
    deadline_status,
    deadlines,
    occurrences,
    step_due,
)
from addin.timing.model import KINDS, Duration, Occurrence, Rule, TimingError
from addin.timing.parse import normalize, parse_duration, parse_rule
from addin.timing.work_calendar import report_occurrence, work_calendar

__all__ = [
    "KINDS", "Duration", "Occurrence", "Rule", "TimingError", "add_months", "chain_steps", "deadline",
    "deadline_status", "deadlines",
    "normalize", "occurrences", "parse_duration", "parse_rule", "report_occurrence", "step_due", "work_calendar",
]
