"""The fiscal month numbering the quarter bounds and the timing engine share."""

from datetime import date

from addin.calendar import calendar_month, fiscal_month, fiscal_quarter, quarter_bounds


def test_fiscal_month_numbering_round_trips():
    assert [fiscal_month(m) for m in range(1, 13)] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    assert [calendar_month(k) for k in range(1, 13)] == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert all(calendar_month(fiscal_month(m)) == m for m in range(1, 13))


def test_quarters_follow_the_numbering():
    assert [fiscal_quarter(date(2024, m, 1)) for m in range(1, 13)] == [2, 2, 2, 3, 3, 3, 4, 4, 4, 1, 1, 1]
    assert [quarter_bounds(2568, q) for q in (1, 2, 3, 4)] == [
        (date(2024, 10, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30))]


def test_typed_years_read_as_be_from_2400_up():
    from addin.calendar import as_be_year, as_ce_year

    assert [as_be_year(y) for y in (2025, 2399, 2400, 2568)] == [2568, 2942, 2400, 2568]
    assert [as_ce_year(y) for y in (2025, 2399, 2400, 2568)] == [2025, 2399, 1857, 2025]
