"""Reads of the certificates app, in the caller's scope, and the rules shared with the
indicator ``certificate_rate``.

A couple *with exactly one child* on a day: married by then and not ended before it
(``ended_on`` empty or later), with exactly one birth recorded for the couple dated on
or before the day. A certificate is *in force* on a day when it was issued on or before
it and not revoked (or replaced by a reissue) by the end of it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.models import Certificate
from jisheng.core.scope import get_in_scope_or_404, restrict_within
from jisheng.orgs.models import Unit
from jisheng.people.choices import RESIDENT_STATUSES
from jisheng.people.models import Birth, Couple

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jisheng.orgs.models import User


def couples_current_on(day: datetime.date) -> QuerySet[Couple]:
    return Couple.objects.filter(married_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def one_child_couples(day: datetime.date) -> QuerySet[Couple]:
    """Couples current on ``day`` with exactly one birth of theirs dated by then."""
    return couples_current_on(day).filter(pk__in=one_child_couple_ids(day))


def certificate_in_force_q(day: datetime.date) -> Q:
    """Certificates in force on ``day``: issued on or before it, not expired by then,
    and valid now, or revoked only after the day, or replaced by a reissue issued only
    after the day (a replaced one is in force until its reissue is: a holder is counted
    once through :func:`has_certificate`)."""
    return (
        Q(issued_on__lte=day)
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        & (
            Q(status=CertificateStatus.ISSUED)
            | Q(status=CertificateStatus.REVOKED, voided_at__date__gt=day)
            | Q(status=CertificateStatus.REPLACED, replaced_by__issued_on__gt=day)
        )
    )


def has_certificate(
    day: datetime.date,
    kind: str = CertificateKind.ONE_CHILD_PARENTS,
    couple_ref: str = "pk",
) -> Exists:
    """A certificate of ``kind`` in force on ``day`` for the couple of the outer row."""
    return Exists(
        Certificate.objects.filter(couple_id=OuterRef(couple_ref), kind=kind).filter(
            certificate_in_force_q(day)
        )
    )


def one_child_couple_ids(day: datetime.date) -> QuerySet[Birth]:
    """The ids of the couples with exactly one birth of theirs dated on or before ``day``
    (whether current or not), from the births' side: a birth of the couple by then and
    no other one (an anti-join the database hashes; counting the births of every
    couple made PostgreSQL guess a few hundred couples and look the ~57,000 wives of a
    1,000,000-person county up one by one)."""
    other = Birth.objects.filter(couple_id=OuterRef("couple_id"), date__lte=day).exclude(
        pk=OuterRef("pk")
    )
    return (
        Birth.objects.filter(date__lte=day, couple_id__isnull=False)
        .filter(~Exists(other))
        .values("couple_id")
    )


def wife_in_one_child_couple(day: datetime.date, *, certified: bool = False) -> Q:
    """For a row with a ``person_id`` (a PersonPeriod): she is the wife of a couple with
    exactly one child on ``day`` (and, with ``certified``, whose 独生子女父母光荣证 is in
    force that day) — the couples of :func:`one_child_couples`.

    An uncorrelated ``person_id IN (…)``: the couples are counted once and hashed (a
    correlated ``EXISTS`` recounted them for every row: 3.2 s instead of a fraction at
    1,000,000 persons)."""
    couples = one_child_couples(day)
    if certified:
        couples = couples.filter(has_certificate(day))
    return Q(person_id__in=couples.values("wife_id"))


def certificate_list(
    user: User,
    *,
    unit: Unit | None = None,
    kind: str = "",
    year: int | None = None,
    q: str = "",
    include_voided: bool = True,
    status: str = "",
) -> QuerySet[Certificate]:
    qs = restrict_within(Certificate.objects, user, unit).select_related(
        "issuer", "unit", "couple", "couple__wife", "couple__husband"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    if q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(couple__wife__name__startswith=text)
            | Q(couple__husband__name__startswith=text)
        )
    if status:
        qs = qs.filter(status=status)
    if not include_voided:
        qs = qs.filter(status=CertificateStatus.ISSUED)
    return qs.order_by("-issued_on", "-id")


def certificate_get(user: User | AnonymousUser, pk: int) -> Certificate:
    return get_in_scope_or_404(
        Certificate.objects.select_related(
            "issuer", "unit", "couple", "couple__wife", "couple__husband", "issued_by", "voided_by"
        ),
        user,
        pk=pk,
    )


def couple_get(user: User | AnonymousUser, pk: int) -> Couple:
    return get_in_scope_or_404(
        Couple.objects.select_related("unit", "wife", "husband"), user, pk=pk
    )


def candidates(user: User, *, unit: Unit | None, day: datetime.date) -> QuerySet[Couple]:
    """Couples of the user's scope (and of ``unit``'s subtree) with exactly one child on
    ``day``, the wife resident there now, and no 独生子女父母光荣证 in force: those to
    offer the certificate."""
    qs = restrict_within(one_child_couples(day), user, unit).filter(
        wife__isnull=False, wife__status__in=list(RESIDENT_STATUSES)
    )
    if unit is not None:
        qs = qs.filter(wife__unit__path__startswith=unit.path)
    return (
        qs.exclude(has_certificate(day))
        .select_related("unit", "wife", "husband")
        .order_by("unit__path", "wife__name", "id")
    )


def only_child_of(couple: Couple, day: datetime.date) -> Birth | None:
    """The couple's one birth dated by ``day`` (for the printed certificate), or None."""
    births = list(couple.births.filter(date__lte=day).order_by("date", "id")[:2])
    return births[0] if len(births) == 1 else None
