"""The on-time rule (addin.ontime): evidence times in Bangkok against the end of the due date plus grace days."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.ontime import (
    BASIS_CLAIM,
    BASIS_EVIDENCE,
    BASIS_OVERRIDE,
    CLAIM_BEFORE_YEAR,
    CLAIM_FUTURE,
    CLAIM_MUCH_EARLIER,
    POLICY_VALID,
    Evidence,
    check_claim,
    deadline_end,
    decide,
    on_time,
    window_closed,
)
from addin.status import TIMEZONE, Status

DUE = date(2026, 1, 15)  # Thursday, a working day


def bkk(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TIMEZONE)


def test_deadline_is_the_end_of_the_due_date_in_bangkok():
    end = deadline_end(DUE)
    assert end == datetime(2026, 1, 15, 23, 59, 59, 999999, tzinfo=TIMEZONE)
    assert end.astimezone(UTC) == datetime(2026, 1, 15, 16, 59, 59, 999999, tzinfo=UTC)
    assert deadline_end(DUE, 3).date() == date(2026, 1, 18)
    with pytest.raises(ValueError):
        deadline_end(DUE, -1)


def test_a_due_date_on_a_weekend_moves_to_the_next_working_day():
    assert deadline_end(date(2026, 1, 17)).date() == date(2026, 1, 19)  # Saturday -> Monday


def test_confirmed_at_2359_on_the_due_date_is_on_time_whatever_night_saw_it():
    confirmed = bkk(2026, 1, 15, 23, 59)
    assert on_time(confirmed, DUE)
    night = bkk(2026, 1, 16, 2, 0)
    d = decide(DUE, night, evidence=Evidence(confirmed, confirmed))
    assert d.status is Status.ON_TIME and d.submitted_on == DUE and d.basis == BASIS_EVIDENCE
    # Drive gives UTC: 16:59 UTC on the 15th is 23:59 in Bangkok.
    assert on_time(datetime(2026, 1, 15, 16, 59, tzinfo=UTC), DUE)
    assert not on_time(datetime(2026, 1, 15, 17, 0, tzinfo=UTC), DUE)


def test_grace_days_move_the_deadline_and_missing_comes_as_soon_as_they_are_over():
    assert decide(DUE, bkk(2026, 1, 16, 2), grace_days=0).status is Status.MISSING
    assert decide(DUE, bkk(2026, 1, 16, 2), grace_days=2).status is Status.OVERDUE
    assert decide(DUE, bkk(2026, 1, 17, 23, 59), grace_days=2).status is Status.OVERDUE
    assert decide(DUE, bkk(2026, 1, 18, 2), grace_days=2, evidence=Evidence(bkk(2026, 1, 17, 9))).status \
        is Status.ON_TIME
    assert decide(DUE, bkk(2026, 1, 18, 2), grace_days=2).status is Status.MISSING
    assert window_closed(DUE, bkk(2026, 1, 16, 0, 0, 0))
    assert not window_closed(DUE, bkk(2026, 1, 15, 23, 59, 59))


def test_before_the_due_date_not_yet_due_then_due_soon():
    assert decide(DUE, bkk(2025, 12, 1, 2)).status is Status.NOT_YET_DUE
    assert decide(DUE, bkk(2026, 1, 14, 2)).status is Status.DUE_SOON
    assert decide(DUE, bkk(2026, 1, 15, 2)).status is Status.DUE_SOON


def test_late_after_missing_is_still_a_report():
    d = decide(DUE, bkk(2026, 3, 1, 2), evidence=Evidence(bkk(2026, 2, 1, 10), bkk(2026, 2, 1, 10)))
    assert d.status is Status.LATE and d.submitted_on == date(2026, 2, 1)


def test_policy_a_errors_make_it_needs_correction_not_late():
    data_at, valid_at = bkk(2026, 1, 14, 10), None  # confirmed on time, one error never fixed yet
    d = decide(DUE, bkk(2026, 1, 20, 2), evidence=Evidence(data_at, valid_at), has_errors=True)
    assert d.status is Status.ON_TIME and d.needs_correction
    # fixed later: still on time from (a); the fix does not move it
    d = decide(DUE, bkk(2026, 1, 25, 2), evidence=Evidence(data_at, bkk(2026, 1, 22, 9)))
    assert d.status is Status.ON_TIME and not d.needs_correction and d.submitted_at == data_at


def test_policy_b_only_a_valid_report_counts():
    ev = Evidence(bkk(2026, 1, 14, 10), None)
    d = decide(DUE, bkk(2026, 1, 20, 2), evidence=ev, has_errors=True, policy=POLICY_VALID)
    assert d.status is Status.MISSING and d.needs_correction and d.submitted_at is None
    ev = Evidence(bkk(2026, 1, 14, 10), bkk(2026, 1, 22, 9))
    assert decide(DUE, bkk(2026, 1, 25, 2), evidence=ev, policy=POLICY_VALID).status is Status.LATE
    with pytest.raises(ValueError):
        decide(DUE, bkk(2026, 1, 25, 2), evidence=ev, policy="nightly")


def test_an_override_wins_and_says_so():
    ev = Evidence(bkk(2026, 2, 1, 10), bkk(2026, 2, 1, 10))
    d = decide(DUE, bkk(2026, 3, 1, 2), evidence=ev, override=bkk(2026, 1, 13, 23, 59))
    assert d.status is Status.ON_TIME and d.basis == BASIS_OVERRIDE
    d = decide(DUE, bkk(2026, 3, 1, 2), override=bkk(2026, 1, 20, 23, 59))  # paper only, late
    assert d.status is Status.LATE and d.basis == BASIS_OVERRIDE


def test_claim_before_tracking_started_is_accepted_and_marked():
    first = bkk(2026, 3, 2, 1, 0)  # first night Khet ever looked: 2 March
    c = check_claim(date(2026, 1, 14), fiscal_year=2569, due=DUE, today=date(2026, 3, 2),
                    tracking_start=date(2026, 3, 1), first_evidence=first)
    assert c.accepted is not None and c.problem is None
    d = decide(DUE, bkk(2026, 3, 2, 2), evidence=Evidence(first, first), claim=c.accepted)
    assert d.status is Status.ON_TIME and d.basis == BASIS_CLAIM and d.submitted_on == date(2026, 1, 14)


def test_claims_that_are_not_believed():
    kw = dict(fiscal_year=2569, due=DUE, today=date(2026, 3, 2), tracking_start=date(2026, 3, 1))
    assert check_claim(date(2026, 3, 5), first_evidence=None, **kw).problem == CLAIM_FUTURE
    assert check_claim(date(2025, 9, 30), first_evidence=None, **kw).problem == CLAIM_BEFORE_YEAR
    # later than the first evidence: the evidence stands, the claim is not used
    assert check_claim(date(2026, 3, 2), first_evidence=bkk(2026, 3, 1, 10), **kw).accepted is None
    # after tracking started: shown only; much earlier than the evidence is flagged
    kw["tracking_start"] = date(2025, 10, 1)
    c = check_claim(date(2026, 1, 10), first_evidence=bkk(2026, 1, 20, 10), **kw)
    assert c.accepted is None and c.problem == CLAIM_MUCH_EARLIER
    assert check_claim(date(2026, 1, 19), first_evidence=bkk(2026, 1, 20, 10), **kw) == check_claim(None, **{
        **kw, "first_evidence": None})
    # a school whose sheet first appeared after the due date: its word is taken
    c = check_claim(date(2026, 1, 12), first_evidence=bkk(2026, 2, 3, 10), sheet_since=date(2026, 2, 3), **kw)
    assert c.accepted is not None


@given(st.datetimes(min_value=datetime(2025, 10, 1), max_value=datetime(2026, 9, 30)),
       st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=10))
def test_a_later_night_never_changes_a_decision_with_evidence(seen, nights_later, grace):
    """A missed night changes nothing: with the same evidence, any later night decides the same."""
    ev = Evidence(seen.replace(tzinfo=UTC), None)
    first = decide(DUE, seen.replace(tzinfo=UTC) + timedelta(hours=3), evidence=ev, grace_days=grace)
    later = decide(DUE, seen.replace(tzinfo=UTC) + timedelta(days=nights_later, hours=3), evidence=ev,
                   grace_days=grace)
    assert (first.status, first.submitted_at) == (later.status, later.submitted_at)


def test_deadline_days_for_the_daemons_tight_schedule():
    from addin.ontime import deadline_days

    # A Thursday; Sunday 31 May 2026 (Visakha Bucha, its substitute day on Monday: the due date is Tuesday 2 June)
    days = deadline_days([DUE, date(2026, 5, 31)])
    assert days == {date(2026, 1, 15), date(2026, 1, 16), date(2026, 6, 2), date(2026, 6, 3)}
    assert date(2026, 1, 18) in deadline_days([DUE], grace_days=3)


def test_daemon_runs_often_only_on_deadline_days(tmp_path):
    from sync.daemon import Daemon

    calls, today = [], [date(2026, 1, 14)]
    d = Daemon(lambda trigger: calls.append(trigger) or 0, data_dir=tmp_path, poll_seconds=0,
               tight_days=lambda day: day in {date(2026, 1, 15), date(2026, 1, 16)}, tight_every_minutes=60,
               today=lambda: today[0])
    assert d.tight_job is not None and d.tight_job.interval == 60 and d.tight_job.unit == "minutes"
    d._tight()
    assert calls == []
    today[0] = date(2026, 1, 15)
    d._tight()
    assert calls == ["deadline"]
    assert Daemon(lambda t: 0, data_dir=tmp_path, tight_days=lambda day: True, tight_every_minutes=0).tight_job is None
