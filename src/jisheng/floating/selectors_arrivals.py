"""Reads of arrivals (流入), in the caller's scope (issue 17): the list with its filters,
one arrival, the two worklists (reported, to register; registered, her 婚育证明 not
verified) and an arrival's timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jisheng.core.scope import get_in_scope_or_404, restrict_within
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival, Tenancy
from jisheng.migrants.models import MigrantCheck
from jisheng.orgs.models import Unit, User
from jisheng.orgs.selectors import unit_ids_within
from jisheng.people.search import name_q

# The states an arrival is open in, and the filter "overdue": reported past its due date.
OPEN_STATUSES = (ArrivalStatus.REPORTED, ArrivalStatus.REGISTERED)


def arrival_list(
    user: User | AnonymousUser,
    *,
    unit: Unit | None = None,
    status: str = "",
    overdue: bool = False,
    unverified: bool = False,
    q: str = "",
    arrived_from: datetime.date | None = None,
    arrived_to: datetime.date | None = None,
    today: datetime.date,
) -> QuerySet[Arrival]:
    """Arrivals of the user's scope (below ``unit``), newest arrival first.

    ``status`` one of :class:`ArrivalStatus`; ``overdue``: reported and past the due
    date on ``today``; ``unverified``: registered without a verified 婚育证明; ``q``: the
    name as reported, or the registered person's name or pinyin."""
    qs = restrict_within(Arrival.objects.all(), user, unit)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=ArrivalStatus.REPORTED, due_on__lt=today)
    if unverified:
        qs = qs.filter(status=ArrivalStatus.REGISTERED, verified_on__isnull=True)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | name_q(text, prefix="person__"))
    if arrived_from is not None:
        qs = qs.filter(arrived_on__gte=arrived_from)
    if arrived_to is not None:
        qs = qs.filter(arrived_on__lte=arrived_to)
    return qs.select_related("unit", "person", "property").order_by("-arrived_on", "-id")


def arrival_get(user: User | AnonymousUser, pk: int) -> Arrival:
    """One arrival in the user's scope (404 and an audit event otherwise)."""
    return get_in_scope_or_404(
        Arrival.objects.select_related(
            "unit", "person", "property", "home_unit", "certificate", "certificate__issuer",
            "registered_by",
        ),
        user,
        pk=pk,
    )  # fmt: skip


def to_register(
    user: User | AnonymousUser, *, unit: Unit | None, today: datetime.date
) -> QuerySet[Arrival]:
    """Reported arrivals (待登记) of the user's scope, from the arrival date, soonest due
    first (the partial index ``floating_arrival_toregister``)."""
    return (
        Arrival.objects.filter(unit_id__in=unit_ids_within(user, unit))
        .filter(status=ArrivalStatus.REPORTED, arrived_on__lte=today)
        .select_related("unit")
        .order_by("due_on", "id")
    )


def to_verify(
    user: User | AnonymousUser, *, unit: Unit | None, today: datetime.date
) -> QuerySet[Arrival]:
    """Registered arrivals of the user's scope whose 婚育证明 has no valid check yet
    (待查验婚育证明), soonest due first (the partial index ``floating_arrival_toverify``)."""
    return (
        Arrival.objects.filter(unit_id__in=unit_ids_within(user, unit))
        .filter(status=ArrivalStatus.REGISTERED, verified_on__isnull=True)
        .select_related("unit")
        .order_by("due_on", "id")
    )


def checks_of(arrival: Arrival) -> QuerySet[MigrantCheck]:
    """The certificate checks of her person since she arrived, newest first."""
    if arrival.person_id is None:
        return MigrantCheck.objects.none()
    return MigrantCheck.objects.filter(
        person_id=arrival.person_id, checked_on__gte=arrival.arrived_on
    ).order_by("-checked_on", "-id")


def tenancies_of(arrival: Arrival) -> QuerySet[Tenancy]:
    return arrival.tenancies.select_related("property").order_by("-moved_in", "-id")


@dataclass(frozen=True)
class Step:
    day: datetime.date
    what: str


def timeline(arrival: Arrival, checks: list[MigrantCheck] | None = None) -> list[Step]:
    """What happened to the arrival, in date order."""
    steps = [Step(arrival.arrived_on, _("Arrived"))]
    if arrival.status == ArrivalStatus.REPORTED or arrival.registered_on is None:
        steps.append(Step(arrival.due_on, _("To register by")))
    if arrival.registered_on is not None:
        steps.append(Step(arrival.registered_on, _("Registered")))
    for check in checks if checks is not None else checks_of(arrival):
        steps.append(
            Step(
                check.checked_on,
                _("Certificate checked: %(result)s") % {"result": check.get_result_display()},
            )
        )
    if arrival.left_on is not None:
        steps.append(Step(arrival.left_on, _("Left")))
    return sorted(steps, key=lambda s: s.day)
