"""Reporting periods, the one implementation: month ``2026-07``, quarter ``2026Q3``,
half year ``2026H2``, year ``2026``; and the calendar arithmetic they rest on (month
ends, months added with clamping, quarters).

- :func:`parse` reads a period's code (case and surrounding blanks do not matter);
  :func:`parse_or_current` reads a query string's period, the period of ``today`` when
  it is empty; :func:`containing` gives the period of a kind that contains a day.
- :class:`Period` knows its first and last day, its code, its labels (``label``:
  2026年第3季度 / "2026 Q3"; ``long_label``: 2026年第三季度 / "third quarter of 2026"),
  the period before and after (:meth:`Period.previous`, :meth:`Period.next`,
  :meth:`Period.shift`), its months and :func:`period_range` the periods between two.
- Bad input (``2026Q5``, ``2026-13``, ``2026H3``, ``abc``, a year out of range, an
  unknown kind) raises :class:`PeriodError`, a ``ValueError`` whose message (through
  gettext: Chinese by default) names what was wrong.

Month arithmetic clamps to the end of the month (31 January + 1 month = 28 or 29
February); quarters are January–March, April–June, July–September, October–December.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
KINDS = (MONTH, QUARTER, HALF, YEAR)
# Months in one period of each kind, and periods of each kind in a year.
MONTHS_IN = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
PER_YEAR = {MONTH: 12, QUARTER: 4, HALF: 2, YEAR: 1}
FIRST_YEAR, LAST_YEAR = 1900, 2200

_PATTERNS = (
    (MONTH, re.compile(r"^(\d{4})-(\d{1,2})$")),
    (QUARTER, re.compile(r"^(\d{4})Q(\d)$")),
    (HALF, re.compile(r"^(\d{4})H(\d)$")),
    (YEAR, re.compile(r"^(\d{4})$")),
)


class PeriodError(ValueError):
    """Not a reporting period (bad text, number, year or kind); the message says why."""


# --------------------------------------------------------------------------- calendar


def last_day(year: int, month: int) -> int:
    """The number of the month's last day (28–31)."""
    return calendar.monthrange(year, month)[1]


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, last_day(year, month))


def clamped(year: int, month: int, day: int) -> datetime.date:
    """``year-month-day``, or the month's last day when the month is shorter."""
    return datetime.date(year, month, min(day, last_day(year, month)))


def add_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` plus ``months`` (negative to go back), clamped to the month's end."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    return clamped(year, month0 + 1, start.day)


def month_start(day: datetime.date, *, back: int = 0) -> datetime.date:
    """The first day of the month of ``day``, or of the month ``back`` months before."""
    return add_months(day.replace(day=1), -back)


def quarter_of(day: datetime.date) -> int:
    """1–4."""
    return (day.month - 1) // 3 + 1


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def quarter_end(day: datetime.date) -> datetime.date:
    return month_end(day.year, 3 * quarter_of(day))


# --------------------------------------------------------------------------- periods

_LONG_LABELS = {
    QUARTER: (
        gettext_lazy("first quarter of %(year)d"),
        gettext_lazy("second quarter of %(year)d"),
        gettext_lazy("third quarter of %(year)d"),
        gettext_lazy("fourth quarter of %(year)d"),
    ),
    HALF: (
        gettext_lazy("first half-year of %(year)d"),
        gettext_lazy("second half-year of %(year)d"),
    ),
}


def _not_a_period(text: str) -> PeriodError:
    return PeriodError(
        _(
            "“%(text)s” is not a period: write a month (2026-07), a quarter (2026Q3), "
            "a half year (2026H2) or a year (2026)."
        )
        % {"text": text}
    )


def _code(kind: str, year: int, number: int) -> str:
    if kind == MONTH:
        return f"{year}-{number:02d}"
    if kind == QUARTER:
        return f"{year}Q{number}"
    if kind == HALF:
        return f"{year}H{number}"
    return str(year) if number == 1 else f"{year}/{number}"


def _check_kind(kind: str) -> None:
    if kind not in MONTHS_IN:
        raise PeriodError(_("Unknown period kind: %(kind)s.") % {"kind": kind})


@dataclass(frozen=True)
class Period:
    """The days ``first`` … ``last`` (both included) of one reporting period."""

    kind: str
    year: int
    number: int  # month 1–12, quarter 1–4, half 1–2, 1 for a year

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        if not 1 <= self.number <= PER_YEAR[self.kind]:
            raise _not_a_period(_code(self.kind, self.year, self.number))

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, (self.number - 1) * MONTHS_IN[self.kind] + 1, 1)

    @property
    def last(self) -> datetime.date:
        return month_end(self.year, self.number * MONTHS_IN[self.kind])

    @property
    def code(self) -> str:
        """The text :func:`parse` reads back (``2026-07``, ``2026Q3``, ``2026H2``, ``2026``)."""
        return _code(self.kind, self.year, self.number)

    @property
    def label(self) -> str:
        """Short: 2026年7月, 2026年第3季度, 2026年上半年, 2026年."""
        values = {"year": self.year, "n": self.number}
        if self.kind == MONTH:
            return _("%(year)d-%(n)02d") % values
        if self.kind == QUARTER:
            return _("%(year)d Q%(n)d") % values
        if self.kind == HALF:
            return (
                _("first half of %(year)d") if self.number == 1 else _("second half of %(year)d")
            ) % values
        return _("year %(year)d") % values

    @property
    def long_label(self) -> str:
        """In words (report forms): 2026年7月, 2026年第三季度, 2026年上半年, 2026年."""
        if self.kind == MONTH:
            return _("month %(n)d of %(year)d") % {"n": self.number, "year": self.year}
        if self.kind in _LONG_LABELS:
            return str(_LONG_LABELS[self.kind][self.number - 1]) % {"year": self.year}
        return _("the year %(year)d") % {"year": self.year}

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return self.code

    def shift(self, count: int) -> Period:
        """The period of the same kind ``count`` periods later (earlier when negative)."""
        index = self.year * PER_YEAR[self.kind] + (self.number - 1) + count
        year, number0 = divmod(index, PER_YEAR[self.kind])
        return Period(self.kind, year, number0 + 1)

    def previous(self) -> Period:
        """The period of the same kind just before (2026Q1 → 2025Q4)."""
        return self.shift(-1)

    def next(self) -> Period:
        """The period of the same kind just after (2026Q4 → 2027Q1)."""
        return self.shift(1)

    def same_last_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.number)

    def months(self) -> list[Period]:
        """The months of the period, in order."""
        start = (self.number - 1) * MONTHS_IN[self.kind]
        return [Period(MONTH, self.year, start + i + 1) for i in range(MONTHS_IN[self.kind])]

    def months_before(self, count: int = 12) -> list[Period]:
        """The ``count`` months that end with the period's last month, oldest first (trends)."""
        month = self.months()[-1]
        return [month.shift(-i) for i in range(count - 1, -1, -1)]

    def contains(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last


def parse(text: str) -> Period:
    """Read ``2026-07``, ``2026Q3``, ``2026H2`` or ``2026``; :class:`PeriodError` otherwise."""
    value = (text or "").strip().upper()
    for kind, pattern in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        number = int(match.group(2)) if kind != YEAR else 1
        if not 1 <= number <= PER_YEAR[kind]:
            break
        if year < FIRST_YEAR or year > LAST_YEAR:
            raise PeriodError(_("The year %(year)d is out of range.") % {"year": year})
        return Period(kind, year, number)
    raise _not_a_period(text)


def containing(day: datetime.date, kind: str = MONTH) -> Period:
    """The period of ``kind`` that contains ``day``."""
    _check_kind(kind)
    return Period(kind, day.year, (day.month - 1) // MONTHS_IN[kind] + 1)


def current(kind: str = QUARTER, *, today: datetime.date | None = None) -> Period:
    """The period of ``kind`` (default: the quarter, the pages' default) containing today."""
    return containing(today or timezone.localdate(), kind)


def parse_or_current(
    text: str | None, today: datetime.date | None = None, kind: str = QUARTER
) -> Period:
    """The period of a query string; when it is empty, the period of ``kind`` (default:
    the quarter) that contains ``today`` (default: today). :class:`PeriodError` when the
    text is not a period."""
    if not (text or "").strip():
        return current(kind, today=today)
    return parse(text or "")


def not_after(period: Period, today: datetime.date) -> Period:
    """``period``, or — when it has not begun by ``today`` — the period of the same kind
    that contains ``today`` (figures of the future do not exist; pages never step there)."""
    if period.first > today:
        return containing(today, period.kind)
    return period


def next_begun(period: Period, today: datetime.date) -> Period | None:
    """The period of the same kind just after ``period``; None when it has not begun."""
    following = period.next()
    return following if following.first <= today else None


def period_range(first: Period, last: Period) -> list[Period]:
    """The periods ``first`` … ``last`` (both included, of one kind), in order."""
    if first.kind != last.kind:
        raise PeriodError(
            _("A range of periods must be of one kind: %(first)s, %(last)s.")
            % {"first": first.code, "last": last.code}
        )
    out = [first]
    while out[-1] != last:
        if out[-1].first > last.first:
            raise PeriodError(
                _("The period %(last)s is before %(first)s.")
                % {"first": first.code, "last": last.code}
            )
        out.append(out[-1].next())
    return out
