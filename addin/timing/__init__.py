"""Timing phrases of the manuals ('ภายในเดือนพฤษภาคม ของทุกปี', 'ทุก 3/6/9 และ 12 เดือน', '๔ วัน', …) as rules,
their dates for a fiscal year, chained service steps, and the district work calendar built from them.

    parse_rule(phrase) -> Rule                      occurrences(rule_or_phrase, fy_be, ref=None) -> [Occurrence]
    deadline(rule_or_phrase, fy_be, ref=None)       chain_steps([Duration | str], start) -> [date]
    work_calendar(fy_be, today=None) -> DataFrame   report_occurrence(report_key, fy_be) -> Occurrence
"""

from addin.timing.evaluate import add_months, chain_steps, deadline, occurrences, step_due
from addin.timing.model import KINDS, Duration, Occurrence, Rule, TimingError
from addin.timing.parse import normalize, parse_duration, parse_rule

__all__ = [
    "KINDS", "Duration", "Occurrence", "Rule", "TimingError", "add_months", "chain_steps", "deadline",
    "normalize", "occurrences", "parse_duration", "parse_rule", "step_due",
]
