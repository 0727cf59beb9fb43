"""Leave arithmetic: calendar days, or working days from a maintained holiday library.

Working days come from ``chinesecalendar`` (``chinese_calendar.is_workday``): it knows the
official holidays the State Council publishes each year and the make-up working days
(调休上班) that go with them, so no holiday table is written by hand here. A year the
library does not know yet raises :class:`CalendarUnknown` with a Chinese message.
"""

from __future__ import annotations

import datetime
from typing import Literal

import chinese_calendar
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Count = Literal["calendar", "working"]
ONE_DAY = datetime.timedelta(days=1)


class CalendarUnknown(ValidationError):
    """The holiday library has no data for the year (an unpublished year's holidays)."""


def is_workday(day: datetime.date) -> bool:
    """Whether ``day`` is a working day (a make-up working day is one, a holiday is not)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise CalendarUnknown(
            _(
                "The official holidays of %(year)s are not known yet, so working days in "
                "%(year)s cannot be counted. Update the holiday calendar or choose an "
                "earlier start."
            )
            % {"year": day.year},
            code="calendar_unknown",
        ) from exc


def end_date(start: datetime.date, days: int, count: Count) -> datetime.date:
    """The last day of a leave of ``days`` days from ``start`` (inclusive).

    Calendar days: ``start + days - 1``. Working days: the ``days``-th working day from
    ``start`` on (a leave that starts on a holiday begins with the next working day)."""
    if days < 1:
        raise ValidationError(_("A leave has at least one day."), code="no_days")
    if count == "calendar":
        return start + (days - 1) * ONE_DAY
    day, left = start, days
    while True:
        if is_workday(day):
            left -= 1
            if left == 0:
                return day
        day += ONE_DAY


def days_between(start: datetime.date, end: datetime.date, count: Count) -> int:
    """The days of a leave from ``start`` to ``end`` (both inclusive) counted as ``count``."""
    if end < start:
        return 0
    if count == "calendar":
        return (end - start).days + 1
    total, day = 0, start
    while day <= end:
        total += is_workday(day)
        day += ONE_DAY
    return total
