"""Reads of the floating-population app, in the caller's scope: the in-migrant women of
reproductive age of a unit with their last certificate check, and a person's checks.

"Verified" on a day = a *valid* check dated within the 12 months up to that day (after
the same day a year earlier, up to and including the day) — the rule of the indicator
``migrant_verification_rate`` and of the list's filter.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from jisheng.core.scope import restrict_within
from jisheng.migrants.models import CheckResult, MigrantCheck
from jisheng.orgs.models import Unit
from jisheng.people.choices import PersonStatus, Sex
from jisheng.people.models import Person, PersonPeriod
from jisheng.people.search import name_q
from jisheng.people.selectors import birth_range_for_ages, periods_as_of, years_before

WRA_AGES = (15, 49)


def verified_window(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day a valid check counts for ``day``: the 12 months up to it."""
    return years_before(day, 1) + datetime.timedelta(days=1), day


def valid_checks(day: datetime.date) -> QuerySet[MigrantCheck]:
    """The valid checks within the 12 months up to ``day``."""
    first, last = verified_window(day)
    return MigrantCheck.objects.filter(
        result=CheckResult.VALID, checked_on__gte=first, checked_on__lte=last
    )


def valid_check_exists(day: datetime.date, person_ref: str = "person_id") -> Exists:
    """A valid check of the person of the outer row (``person_ref``) within the 12
    months up to ``day``."""
    return Exists(valid_checks(day).filter(person_id=OuterRef(person_ref)))


def valid_check_q(day: datetime.date) -> Q:
    """For a row with a ``person_id``: a valid check of the person within the 12 months
    up to ``day`` — :func:`valid_check_exists` as an uncorrelated ``person_id IN (…)``,
    which PostgreSQL hashes once and which lets it scan in parallel (a correlated
    ``EXISTS`` inside a count of the indicator engine keeps the whole scan serial)."""
    return Q(person_id__in=valid_checks(day).values("person_id"))


def in_migrant_wra_q(day: datetime.date, *, in_force: Q | None = None) -> Q:
    """PersonPeriod rows of in-migrant (流入) women aged 15–49 in force on ``day``.

    ``in_force`` replaces the test of the row being in force on ``day`` (within a scan
    of the indicator engine that checks part of it already)."""
    earliest, latest = birth_range_for_ages(day, *WRA_AGES)
    if in_force is None:
        in_force = Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    return (
        Q(sex=Sex.FEMALE, birth_date__gte=earliest, birth_date__lte=latest)
        & Q(status=PersonStatus.IN_MIGRANT)
        & in_force
    )


def in_migrant_women(
    user: Any,
    *,
    unit: Unit | None,
    day: datetime.date,
    q: str = "",
    unverified_only: bool = False,
) -> QuerySet[PersonPeriod]:
    """The in-migrant women aged 15–49 living in ``unit``'s subtree on ``day`` (in the
    user's scope), each with her last check (``last_checked_on``, ``last_result``,
    ``last_number``) and ``verified`` (a valid check within the 12 months up to ``day``)."""
    qs = restrict_within(periods_as_of(day), user, unit).filter(in_migrant_wra_q(day))
    if q.strip():
        qs = qs.filter(name_q(q.strip(), prefix="person__"))
    last = MigrantCheck.objects.filter(person_id=OuterRef("person_id")).order_by(
        "-checked_on", "-id"
    )
    qs = qs.annotate(
        last_checked_on=Subquery(last.values("checked_on")[:1]),
        last_result=Subquery(last.values("result")[:1]),
        last_number=Subquery(last.values("certificate_number")[:1]),
        verified=valid_check_exists(day),
    )
    if unverified_only:
        qs = qs.filter(verified=False)
    return qs.select_related("person", "unit").order_by("unit__path", "person__name", "id")


def checks_of(person: Person) -> QuerySet[MigrantCheck]:
    """A person's checks, newest first (the caller found the person in scope)."""
    return person.migrant_checks.select_related("checked_by").order_by("-checked_on", "-id")


def was_in_migrant(person: Person, day: datetime.date) -> bool:
    return periods_as_of(day).filter(person=person, status=PersonStatus.IN_MIGRANT).exists()
