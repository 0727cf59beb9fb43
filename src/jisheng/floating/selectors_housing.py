"""Reads of rental housing (出租房屋), in the caller's scope (issue 17)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.floating.models import Arrival, LandlordAgreement, RentalProperty, Tenancy
from jisheng.orgs.models import Unit, User

AGREEMENT_DUE_DAYS = 30  # a let property should have an agreement 30 days after filing


def agreement_in_force_q(day: datetime.date) -> Exists:
    """For a property row: an agreement signed by ``day`` and not expired on it."""
    return Exists(
        LandlordAgreement.objects.filter(property_id=OuterRef("pk"), signed_on__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )
    )


def property_list(
    user: User,
    *,
    unit: Unit | None = None,
    q: str = "",
    let: bool | None = None,
    day: datetime.date,
) -> QuerySet[RentalProperty]:
    """The properties of ``unit``'s subtree in the user's scope, searched by address or
    landlord, let or not; each with ``tenants`` (living there now) and ``has_agreement``
    (in force on ``day``)."""
    qs = restrict_within(RentalProperty.objects.all(), user, unit)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(address__icontains=q) | Q(landlord_name__icontains=q) | Q(landlord_phone=q)
        )
    if let is not None:
        qs = qs.filter(is_active=let)
    return (
        qs.annotate(
            tenants=Count("tenancies", filter=Q(tenancies__moved_out__isnull=True)),
            has_agreement=agreement_in_force_q(day),
        )
        .select_related("unit")
        .order_by("unit__path", "address", "id")
    )


def property_get(user: User, pk: int) -> RentalProperty:
    """One property in the user's scope (404 and audited otherwise)."""
    return get_in_scope_or_404(
        RentalProperty.objects.select_related("unit", "landlord"), user, pk=pk
    )


def tenancies_of(prop: RentalProperty) -> QuerySet[Tenancy]:
    return prop.tenancies.select_related("person", "arrival").order_by(
        "moved_out", "-moved_in", "-id"
    )


def agreements_of(prop: RentalProperty) -> QuerySet[LandlordAgreement]:
    return prop.agreements.select_related("signed_by").order_by("-signed_on", "-id")


def arrivals_of(prop: RentalProperty) -> QuerySet[Arrival]:
    return prop.arrivals.order_by("-arrived_on", "-id")


def tenancy_get(user: User, pk: int) -> Tenancy:
    return get_in_scope_or_404(
        Tenancy.objects.select_related("property", "unit", "person", "arrival"), user, pk=pk
    )


def properties_without_agreement(
    user: User, *, unit: Unit | None, today: datetime.date
) -> QuerySet[RentalProperty]:
    """Let properties with no agreement in force today, filed at least a day ago (due
    ``filed_on`` + 30 days)."""
    qs = restrict_within(RentalProperty.objects.filter(is_active=True), user, unit)
    return qs.filter(~agreement_in_force_q(today)).select_related("unit").order_by("filed_on", "id")


def tenancy_list(user: User, *, unit: Unit | None = None) -> QuerySet[Tenancy]:
    qs = (
        restrict(Tenancy.objects.all(), user)
        if unit is None
        else restrict_within(Tenancy.objects.all(), user, unit)
    )
    return qs.select_related("property", "unit").order_by("-moved_in", "-id")
