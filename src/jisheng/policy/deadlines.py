"""Deadline arithmetic: pure functions from a date and a pack's rule to a due date.

The calendar arithmetic (months added with clamping to the month's end, quarters) is
:mod:`jisheng.core.periods`'s.
"""

from __future__ import annotations

import datetime

from jisheng.core.periods import add_months, clamped, quarter_of, quarter_start
from jisheng.policy.schema import (
    DaysAfter,
    Deadline,
    MonthDay,
    MonthsAfter,
    QuarterMonthDay,
    YearMonthDay,
)


def due_date(rule: Deadline, start: datetime.date) -> datetime.date:
    """The due date of ``rule`` for something that happened (or a period that contains) ``start``.

    - ``days_after`` / ``months_after``: counted from ``start`` (the event's date).
    - ``quarter_month_day``: the deadline of the quarter that contains ``start``.
    - ``month_day``: the deadline of the month that contains ``start``.
    - ``year_month_day``: the deadline of the year that contains ``start``.
    """
    if isinstance(rule, DaysAfter):
        return start + datetime.timedelta(days=rule.days)
    if isinstance(rule, MonthsAfter):
        return add_months(start, rule.months)
    if isinstance(rule, QuarterMonthDay):
        month = 3 * (quarter_of(start) - 1) + rule.month_of_quarter
        return clamped(start.year, month, rule.day)
    if isinstance(rule, MonthDay):
        return clamped(start.year, start.month, rule.day)
    if isinstance(rule, YearMonthDay):
        return clamped(start.year, rule.month, rule.day)
    raise TypeError(f"unknown deadline rule {rule!r}")


def next_due(rule: Deadline, on: datetime.date) -> datetime.date:
    """The first due date of a periodic ``rule`` on or after ``on``.

    For ``days_after``/``months_after`` (not periodic) it is :func:`due_date` of ``on``.
    """
    due = due_date(rule, on)
    if due >= on or isinstance(rule, DaysAfter | MonthsAfter):
        return due
    if isinstance(rule, QuarterMonthDay):
        return due_date(rule, add_months(quarter_start(on), 3))
    if isinstance(rule, MonthDay):
        return due_date(rule, add_months(on.replace(day=1), 1))
    return due_date(rule, datetime.date(on.year + 1, 1, 1))


def is_late(
    rule: Deadline, start: datetime.date, done_on: datetime.date | None, today: datetime.date
) -> bool:
    """Whether something due under ``rule`` for ``start`` was done (or is still open) late."""
    due = due_date(rule, start)
    return (done_on or today) > due
