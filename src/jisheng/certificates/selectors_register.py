"""Reads of the certificate pages (the register, a certificate, the apply page), in the
caller's scope."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from jisheng.certificates.kinds import KindSpec
from jisheng.certificates.models import Certificate
from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.orgs.models import Unit
from jisheng.people.models import Couple, Person
from jisheng.people.search import name_q

if TYPE_CHECKING:
    from jisheng.orgs.models import User


def register(
    user: User,
    *,
    unit: Unit | None = None,
    kind: str = "",
    status: str = "",
    year: int | None = None,
    q: str = "",
) -> QuerySet[Certificate]:
    """The certificates of ``unit``'s subtree in the user's scope, newest first: of one
    kind, status and year (of issue, or of application before issue); ``q`` a number (or
    part of one), or a holder's name, pinyin or initials."""
    qs: QuerySet[Certificate] = restrict_within(
        Certificate.objects.all(), user, unit
    ).select_related("issuer", "unit")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(Q(year=year) | Q(year__isnull=True, applied_on__year=year))
    text = q.strip()
    if text:
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(holder_name__contains=text)
            | Q(person__in=_persons(text))
            | Q(couple__wife__in=_persons(text))
            | Q(couple__husband__in=_persons(text))
        )
    return qs.order_by("-applied_on", "-id")


def _persons(text: str) -> QuerySet[Person]:
    return Person.objects.filter(name_q(text))


def certificate_get(user: User, pk: object) -> Certificate:
    """One certificate in the user's scope (404 otherwise, audited)."""
    return get_in_scope_or_404(
        Certificate.objects.select_related(
            "issuer",
            "unit",
            "person",
            "couple",
            "couple__wife",
            "couple__husband",
            "applied_by",
            "issued_by",
            "voided_by",
            "replaces",
        ),
        user,
        pk=pk,
    )


def replaced_by(certificate: Certificate) -> Certificate | None:
    try:
        return certificate.replaced_by  # type: ignore[no-any-return]
    except Certificate.DoesNotExist:
        return None


def issuers_for(user: User, spec: KindSpec, working: Unit | None) -> list[Unit]:
    """The units the user may name as issuer of ``spec`` from the working unit: the
    working unit and the units above it in the user's scope whose type issues the kind,
    nearest first (the first is the default)."""
    if working is None:
        return []
    chain = [working, *reversed(list(restrict(Unit.objects.get_ancestors(working), user)))]
    return [u for u in chain if u.unit_type in spec.issuers]


def couple_in_force(user: User, person: Person, day: datetime.date) -> Couple | None:
    """The person's marriage in force on ``day`` (the latest) that the user may see."""
    return (
        restrict(Couple.objects.select_related("unit", "wife", "husband"), user)
        .filter(Q(wife=person) | Q(husband=person), married_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("-married_on", "-pk")
        .first()
    )


def couple_get(user: User, pk: object) -> Couple:
    return get_in_scope_or_404(
        Couple.objects.select_related("unit", "wife", "husband"), user, pk=pk
    )
