"""Reads of the changes part (issue 18): entitlements, stops to confirm, overpayments to
resolve, arrears due, staff allowance batches — always scoped to the user's subtree
(:func:`jisheng.core.scope.restrict_within`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from jisheng.benefits.amounts import month_start
from jisheng.benefits.choices import (
    CaseStatus,
    EntitlementStatus,
)
from jisheng.benefits.models import AllowanceLine, Batch, Case, Entitlement, Overpayment
from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person
from jisheng.policy.schema_benefits import BenefitKind
from jisheng.policy.selectors import pack_in_force

# Cases that no longer hold the months they cover
DEAD_CASES = (CaseStatus.WITHDRAWN, CaseStatus.INELIGIBLE, CaseStatus.FAILED)


def kind_of(key: str, unit: Unit | None, on: datetime.date) -> BenefitKind | None:
    """The pack's benefit kind ``key`` in force for ``unit`` on ``on`` (None: unknown)."""
    pack = pack_in_force(unit, on)
    if pack is None or pack.benefits is None:
        return None
    return pack.benefits.kinds.get(key)


def kinds_of(unit: Unit | None, on: datetime.date) -> dict[str, BenefitKind]:
    pack = pack_in_force(unit, on)
    if pack is None or pack.benefits is None:
        return {}
    return dict(pack.benefits.kinds)


def entitlements(
    user: User,
    *,
    unit: Unit | None = None,
    person: Person | None = None,
    status: str = "",
    kind: str = "",
) -> QuerySet[Entitlement]:
    rows = restrict_within(Entitlement.objects.all(), user, unit)
    if person is not None:
        rows = rows.filter(Q(person=person) | Q(beneficiary=person))
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("person", "beneficiary", "unit").order_by("kind", "-starts_on", "id")


def entitlement_get(user: User, pk: int) -> Entitlement:
    return get_in_scope_or_404(
        Entitlement.objects.select_related("person", "beneficiary", "unit"), user, pk=pk
    )


def stops_to_confirm(user: User, *, unit: Unit | None = None) -> QuerySet[Entitlement]:
    """Entitlements stopped by a registry event the office has not confirmed yet."""
    return (
        restrict_within(Entitlement.objects.all(), user, unit)
        .filter(status=EntitlementStatus.STOPPED, stop_seen=False)
        .select_related("person", "beneficiary", "unit")
        .order_by("stopped_on", "id")
    )


def overpayments(
    user: User, *, unit: Unit | None = None, status: str = ""
) -> QuerySet[Overpayment]:
    rows = restrict_within(Overpayment.objects.all(), user, unit)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related(
        "entitlement__person", "entitlement__beneficiary", "unit", "resolved_by"
    ).order_by("status", "covers_from", "id")


def overpayment_get(user: User, pk: int) -> Overpayment:
    return get_in_scope_or_404(
        Overpayment.objects.select_related(
            "entitlement__person", "entitlement__beneficiary", "unit"
        ),
        user,
        pk=pk,
    )


@dataclass(frozen=True)
class Owed:
    """Months of an entitlement already past and never paid nor put in a case."""

    entitlement: Entitlement
    owed_from: datetime.date
    owed_through: datetime.date


def owed_span(entitlement: Entitlement, *, today: datetime.date) -> Owed | None:
    """The months owed (before this month) of ``entitlement``, or None."""
    first = (
        entitlement.paid_through + datetime.timedelta(days=1)
        if entitlement.paid_through is not None
        else entitlement.starts_on
    )
    last = month_start(today) - datetime.timedelta(days=1)
    for end in (entitlement.stopped_on, entitlement.ends_on):
        if end is not None:
            last = min(last, end - datetime.timedelta(days=1))
    if first > last:
        return None
    return Owed(entitlement, first, last)


def arrears_due(
    user: User, *, today: datetime.date, unit: Unit | None = None, limit: int = 500
) -> list[Owed]:
    """Entitlements with months already past (before this month) never paid and with
    no case pending (not paid, not withdrawn, not failed): arrears to put in a batch.
    The query narrows by index (paid through before last month, or never paid); the
    span owed is then worked out per row (at most ``limit``)."""
    this_month = month_start(today)
    pending = Case.objects.filter(entitlement=OuterRef("pk")).exclude(
        status__in=(*DEAD_CASES, CaseStatus.PAID)
    )
    rows = (
        restrict_within(Entitlement.objects.all(), user, unit)
        .filter(starts_on__lt=this_month)
        .filter(
            Q(paid_through__isnull=True)
            | Q(paid_through__lt=this_month - datetime.timedelta(days=1))
        )
        .exclude(Exists(pending))
        .select_related("person", "beneficiary", "unit")
        .order_by("starts_on", "id")
    )
    found = []
    for entitlement in rows[:limit]:
        owed = owed_span(entitlement, today=today)
        if owed is not None:
            found.append(owed)
    return found


def allowance_batches(user: User, *, unit: Unit | None = None) -> QuerySet[Batch]:
    staff_batches = AllowanceLine.objects.filter(batch=OuterRef("pk"))
    return (
        restrict_within(Batch.objects.all(), user, unit)
        .filter(Exists(staff_batches))
        .select_related("unit")
        .order_by("-period_start", "-id")
    )


def allowance_lines(user: User, batch: Batch) -> QuerySet[AllowanceLine]:
    return restrict(AllowanceLine.objects.filter(batch=batch), user).select_related("user", "unit")
