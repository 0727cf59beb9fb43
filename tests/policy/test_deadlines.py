"""Deadline arithmetic at month, quarter and year ends."""

import datetime as dt

import pytest

from jisheng.policy.deadlines import due_date, is_late, next_due
from jisheng.policy.schema import DaysAfter, MonthDay, MonthsAfter, QuarterMonthDay, YearMonthDay

D = dt.date
Q325 = QuarterMonthDay(kind="quarter_month_day", month_of_quarter=3, day=25)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 1), D(2026, 3, 25)),
        (D(2026, 2, 14), D(2026, 3, 25)),
        (D(2026, 3, 31), D(2026, 3, 25)),  # the deadline of that quarter, already past
        (D(2026, 4, 1), D(2026, 6, 25)),
        (D(2026, 8, 31), D(2026, 9, 25)),
        (D(2026, 10, 1), D(2026, 12, 25)),  # Q4's third month is December
        (D(2026, 12, 31), D(2026, 12, 25)),
    ],
)
def test_quarter_month_day(start, expected):
    assert due_date(Q325, start) == expected


def test_quarter_month_day_clamps_short_months():
    rule = QuarterMonthDay(kind="quarter_month_day", month_of_quarter=2, day=31)
    assert due_date(rule, D(2026, 1, 5)) == D(2026, 2, 28)
    assert due_date(rule, D(2028, 1, 5)) == D(2028, 2, 29)
    assert due_date(rule, D(2026, 5, 5)) == D(2026, 5, 31)
    assert due_date(rule, D(2026, 10, 5)) == D(2026, 11, 30)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 1), D(2026, 1, 16)),
        (D(2026, 2, 20), D(2026, 3, 7)),
        (D(2028, 2, 20), D(2028, 3, 6)),  # leap year
        (D(2026, 12, 20), D(2027, 1, 4)),  # across the year end
    ],
)
def test_days_after_fifteen(start, expected):
    assert due_date(DaysAfter(kind="days_after", days=15), start) == expected


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2028, 1, 31), D(2028, 2, 29)),
        (D(2026, 12, 31), D(2027, 1, 31)),
        (D(2026, 5, 31), D(2026, 6, 30)),
        (D(2026, 6, 15), D(2026, 7, 15)),
    ],
)
def test_months_after_one_month(birth, expected):
    assert due_date(MonthsAfter(kind="months_after", months=1), birth) == expected


def test_month_day_and_year_month_day():
    meeting = MonthDay(kind="month_day", day=31)
    assert due_date(meeting, D(2026, 2, 3)) == D(2026, 2, 28)
    assert due_date(meeting, D(2026, 4, 3)) == D(2026, 4, 30)
    contract = YearMonthDay(kind="year_month_day", month=2, day=29)
    assert due_date(contract, D(2026, 7, 1)) == D(2026, 2, 28)
    assert due_date(contract, D(2028, 7, 1)) == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2026, 3, 25), D(2026, 3, 25)),
        (D(2026, 3, 26), D(2026, 6, 25)),
        (D(2026, 12, 26), D(2027, 3, 25)),  # next year's first quarter
    ],
)
def test_next_due_rolls_to_next_period(on, expected):
    assert next_due(Q325, on) == expected


def test_next_due_of_monthly_and_yearly_rules():
    assert next_due(MonthDay(kind="month_day", day=28), D(2026, 12, 29)) == D(2027, 1, 28)
    assert next_due(YearMonthDay(kind="year_month_day", month=3, day=31), D(2026, 4, 1)) == D(
        2027, 3, 31
    )
    assert next_due(DaysAfter(kind="days_after", days=15), D(2026, 1, 1)) == D(2026, 1, 16)


def test_is_late():
    rule = DaysAfter(kind="days_after", days=15)
    arrived = D(2026, 1, 1)
    assert not is_late(rule, arrived, D(2026, 1, 16), today=D(2026, 2, 1))
    assert is_late(rule, arrived, D(2026, 1, 17), today=D(2026, 2, 1))
    assert not is_late(rule, arrived, None, today=D(2026, 1, 16))
    assert is_late(rule, arrived, None, today=D(2026, 1, 17))
