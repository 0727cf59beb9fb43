"""Reads of the registry, always through the caller's data scope, for any date."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from jisheng.core.scope import get_in_scope_or_404, restrict
from jisheng.orgs.models import Unit
from jisheng.people.choices import MARRIED_STATUSES, RESIDENT_STATUSES, TransferStatus
from jisheng.people.models import LifeEvent, Person, PersonPeriod, Transfer

WRA_MIN_AGE = 15
WRA_MAX_AGE = 49


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_range_for_ages(
    day: datetime.date, low: int, high: int
) -> tuple[datetime.date, datetime.date]:
    """``(earliest, latest)`` birth dates of people aged ``low``–``high`` on ``day``."""
    latest = years_before(day, low)
    earliest = years_before(day, high + 1) + datetime.timedelta(days=1)
    return earliest, latest


def periods_as_of(day: datetime.date) -> QuerySet[PersonPeriod]:
    return PersonPeriod.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def population_as_of(
    *, user: Any, day: datetime.date, unit: Unit | None = None, resident_only: bool = True
) -> QuerySet[PersonPeriod]:
    """Each person's state on ``day`` inside the user's scope (and ``unit``'s subtree)."""
    qs = restrict(periods_as_of(day), user)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if resident_only:
        qs = qs.filter(status__in=RESIDENT_STATUSES)
    return qs


def wra_as_of(
    *, user: Any, day: datetime.date, unit: Unit | None = None, married: bool = False
) -> QuerySet[PersonPeriod]:
    """育龄妇女 (women aged 15–49) on ``day``, or 已婚育龄妇女 with ``married=True``.

    Derived from the dated periods, never stored.
    """
    earliest, latest = birth_range_for_ages(day, WRA_MIN_AGE, WRA_MAX_AGE)
    qs = population_as_of(user=user, day=day, unit=unit).filter(
        sex="F", birth_date__gte=earliest, birth_date__lte=latest
    )
    if married:
        qs = qs.filter(marital_status__in=MARRIED_STATUSES)
    return qs


def person_get(*, user: Any, pk: int) -> Person:
    return get_in_scope_or_404(Person.objects.select_related("unit", "employer"), user, pk=pk)


def person_events(*, person: Person) -> QuerySet[LifeEvent]:
    return person.events.select_related("unit", "recorded_by", "reverses").order_by("date", "id")


def transfers_open(*, user: Any) -> QuerySet[Transfer]:
    return (
        restrict(Transfer.objects.select_related("person", "unit"), user)
        .filter(status="open")
        .order_by("opened_on", "id")
    )


def transfer_list(
    *, user: Any, within: Unit | None = None, status: str | None = None
) -> QuerySet[Transfer]:
    """Transfers in the user's scope (and in ``within``'s subtree), oldest first.

    Cancelled transfers and those whose departure event was corrected away (the
    departure did not happen) are left out.
    """
    qs = (
        restrict(Transfer.objects.select_related("person", "unit"), user)
        .exclude(status=TransferStatus.CANCELLED)
        .filter(event__reversed_by__isnull=True)
    )
    if within is not None:
        qs = qs.filter(unit__path__startswith=within.path)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("opened_on", "id")


def departed(start: datetime.date, end: datetime.date) -> Q:
    """The departures of 管理移交率 over ``[start, end]`` (on :class:`Transfer`): the
    transfers opened then, not cancelled, whose departure event was not corrected away.
    The one definition: :func:`transfer_rate` and the catalogue's ``transfer_rate``
    indicator (the engine's ``departures`` population) both use it."""
    return Q(opened_on__gte=start, opened_on__lte=end, event__reversed_by__isnull=True) & ~Q(
        status=TransferStatus.CANCELLED
    )


def transfer_completed(end: datetime.date) -> Q:
    """Of the departures, those whose transfer was completed by ``end``."""
    return Q(status=TransferStatus.COMPLETED, completed_on__lte=end)


def transfer_rate(
    *, user: Any, within: Unit | None, start: datetime.date, end: datetime.date
) -> tuple[int, int]:
    """管理移交率 over ``[start, end]`` (any range of days, as the transfers page asks):
    ``(completed, departures)`` by :func:`departed` and :func:`transfer_completed`, the
    definition the catalogue's indicator uses for a reporting period."""
    totals = (
        transfer_list(user=user, within=within)
        .filter(departed(start, end))
        .aggregate(
            departures=Count("id"),
            completed=Count("id", filter=transfer_completed(end)),
        )
    )
    return totals["completed"], totals["departures"]
