"""Reporting periods: month ``2026-07``, quarter ``2026Q3``, half ``2026H2``, year ``2026``."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"

_PATTERNS = (
    (MONTH, re.compile(r"^(\d{4})-(\d{1,2})$")),
    (QUARTER, re.compile(r"^(\d{4})Q(\d)$")),
    (HALF, re.compile(r"^(\d{4})H(\d)$")),
    (YEAR, re.compile(r"^(\d{4})$")),
)
_MONTHS = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
_COUNT = {MONTH: 12, QUARTER: 4, HALF: 2, YEAR: 1}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    """The days ``first`` … ``last`` (both included) of one reporting period."""

    kind: str
    year: int
    number: int  # month 1–12, quarter 1–4, half 1–2, 1 for a year

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, (self.number - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def last(self) -> datetime.date:
        return _month_end(self.year, self.number * _MONTHS[self.kind])

    @property
    def code(self) -> str:
        """The text :func:`parse` reads back (``2026-07``, ``2026Q3``, ``2026H2``, ``2026``)."""
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.number}"
        if self.kind == HALF:
            return f"{self.year}H{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
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
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return self.code

    def previous(self) -> Period:
        """The period of the same kind just before (2026Q1 → 2025Q4)."""
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, _COUNT[self.kind])

    def same_last_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.number)

    def months(self) -> list[Period]:
        """The months of the period, in order."""
        start = (self.number - 1) * _MONTHS[self.kind]
        return [Period(MONTH, self.year, start + i + 1) for i in range(_MONTHS[self.kind])]

    def months_before(self, count: int = 12) -> list[Period]:
        """The ``count`` months that end with the period's last month, oldest first (trends)."""
        month = self.months()[-1]
        out = [month]
        for _i in range(count - 1):
            month = month.previous()
            out.append(month)
        return out[::-1]

    def contains(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last


def parse(text: str) -> Period:
    """Read ``2026-07``, ``2026Q3``, ``2026H2`` or ``2026``; ``ValueError`` otherwise."""
    value = (text or "").strip().upper()
    for kind, pattern in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        number = int(match.group(2)) if kind != YEAR else 1
        if not 1 <= number <= _COUNT[kind]:
            break
        if year < 1900 or year > 2200:
            raise ValueError(_("The year %(year)d is out of range.") % {"year": year})
        return Period(kind, year, number)
    raise ValueError(
        _(
            "“%(text)s” is not a period: write a month (2026-07), a quarter (2026Q3), "
            "a half year (2026H2) or a year (2026)."
        )
        % {"text": text}
    )


def containing(day: datetime.date, kind: str = MONTH) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind not in _MONTHS:
        raise ValueError(_("Unknown period kind: %(kind)s.") % {"kind": kind})
    return Period(kind, day.year, (day.month - 1) // _MONTHS[kind] + 1)
