"""Deadline arithmetic: pure functions from a date and a pack's rule to a due date.

Month arithmetic clamps to the end of the month (31 January + 1 month = 28 or 29
February); quarters are January–March, April–June, July–September, October–December.
"""

from __future__ import annotations

import calendar
import datetime

from jisheng.policy.schema import (
    DaysAfter,
    Deadline,
    MonthDay,
    MonthsAfter,
    QuarterMonthDay,
    YearMonthDay,
)


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def clamped(year: int, month: int, day: int) -> datetime.date:
    """``year-month-day``, or the month's last day when the month is shorter."""
    return datetime.date(year, month, min(day, last_day(year, month)))


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` plus ``months`` (negative to go back), clamped to the month's end."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    return clamped(year, month0 + 1, start.day)


def quarter_of(day: datetime.date) -> int:
    """1–4."""
    return (day.month - 1) // 3 + 1


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def quarter_end(day: datetime.date) -> datetime.date:
    month = 3 * quarter_of(day)
    return datetime.date(day.year, month, last_day(day.year, month))


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
