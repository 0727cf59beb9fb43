"""Reads of people away (流出, issue 17), in the caller's scope (her home unit's subtree).

- :func:`outflows` — the list with its filters (status, unit, contact overdue, no
  agreement, search), each row with ``last_contact_on``;
- :func:`contact_overdue` and :func:`without_record` / :func:`without_agreement` — what
  the worklist sources ``floating_contact_due`` and ``floating_outflow_due`` show;
- :func:`out_migrant_wra_q` / :func:`certified_q` — the indicator's population and filter.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from jisheng.certificates.choices import CertificateKind
from jisheng.certificates.models import Certificate
from jisheng.certificates.selectors import certificate_in_force_q
from jisheng.core.periods import add_months
from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.floating.choices import OutflowStatus
from jisheng.floating.models import AwayTeam, ContactRecord, Outflow, ServiceAgreement
from jisheng.floating.services_outflows import CONTACT_EVERY_MONTHS
from jisheng.orgs.models import Unit, User
from jisheng.orgs.selectors import unit_ids_within
from jisheng.people.choices import EventKind, PersonStatus, Sex
from jisheng.people.models import LifeEvent, Person
from jisheng.people.search import name_q
from jisheng.people.selectors import birth_range_for_ages

WRA_AGES = (15, 49)


def last_contact() -> Coalesce:
    """The day of her last contact, else the day the record was made."""
    latest = ContactRecord.objects.filter(outflow_id=OuterRef("pk")).order_by(
        "-contacted_on", "-id"
    )
    return Coalesce(
        Subquery(latest.values("contacted_on")[:1]), "recorded_on", output_field=DateField()
    )


def contact_overdue_q(today: datetime.date) -> Q:
    """Open records whose last contact (or record) is :data:`CONTACT_EVERY_MONTHS` old."""
    last_day = add_months(today, -CONTACT_EVERY_MONTHS)
    return Q(status=OutflowStatus.AWAY, last_contact_on__lte=last_day)


def outflows(
    user: User,
    *,
    unit: Unit | None = None,
    status: str = "",
    q: str = "",
    overdue: bool = False,
    no_agreement: bool = False,
    today: datetime.date,
) -> QuerySet[Outflow]:
    """Records of the user's scope (below ``unit``), newest departure first."""
    qs = restrict_within(Outflow.objects.all(), user, unit).annotate(
        last_contact_on=last_contact(),
        has_agreement=Exists(ServiceAgreement.objects.filter(outflow_id=OuterRef("pk"))),
    )
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(name_q(q.strip(), prefix="person__"))
    if overdue:
        qs = qs.filter(contact_overdue_q(today))
    if no_agreement:
        qs = qs.filter(status=OutflowStatus.AWAY, has_agreement=False)
    return qs.select_related("person", "unit", "team").order_by("-left_on", "-id")


def outflow_get(user: User, pk: object) -> Outflow:
    """One record in the user's scope (404 otherwise, audited)."""
    return get_in_scope_or_404(
        Outflow.objects.select_related("person", "unit", "team", "destination_unit", "certificate"),
        user,
        pk=pk,
    )


def contacts_of(outflow: Outflow) -> QuerySet[ContactRecord]:
    return outflow.contacts.select_related("recorded_by").order_by("-contacted_on", "-id")


def agreement_of(outflow: Outflow) -> ServiceAgreement | None:
    return ServiceAgreement.objects.filter(outflow=outflow).first()


def teams(user: User, *, unit: Unit | None = None, active: bool = True) -> QuerySet[AwayTeam]:
    """Teams of the user's scope (below ``unit``), each with ``members_away``."""
    qs = restrict_within(AwayTeam.objects.all(), user, unit)
    if active:
        qs = qs.filter(dissolved_on__isnull=True)
    away = Outflow.objects.filter(team_id=OuterRef("pk"), status=OutflowStatus.AWAY)
    count = away.order_by().values("team_id").annotate(n=Count("id")).values("n")
    return (
        qs.annotate(members_away=Coalesce(Subquery(count[:1]), 0))
        .select_related("unit")
        .order_by("name", "id")
    )


def team_get(user: User, pk: object) -> AwayTeam:
    return get_in_scope_or_404(AwayTeam.objects.select_related("unit"), user, pk=pk)


def persons_for_record(user: User, *, q: str, limit: int = 20) -> list[Person]:
    """Persons of the user's scope found by name who may get a record (not deceased or
    moved out, no open record)."""
    if not q.strip():
        return []
    open_ = Outflow.objects.filter(person_id=OuterRef("pk"), status=OutflowStatus.AWAY)
    return list(
        restrict(Person.objects.all(), user)
        .filter(name_q(q.strip()))
        .exclude(status__in=(PersonStatus.DECEASED, PersonStatus.TRANSFERRED_OUT))
        .filter(~Exists(open_))
        .select_related("unit")
        .order_by("name", "id")[:limit]
    )


# --------------------------------------------------------------------------- worklist


def contact_overdue(user: User, *, unit: Unit | None, today: datetime.date) -> QuerySet[Outflow]:
    """Open records whose contact is due (the oldest last contact first)."""
    return (
        Outflow.objects.filter(status=OutflowStatus.AWAY, unit_id__in=unit_ids_within(user, unit))
        .annotate(last_contact_on=last_contact())
        .filter(last_contact_on__lte=add_months(today, -CONTACT_EVERY_MONTHS))
        .select_related("person", "unit")
        .order_by("last_contact_on", "id")
    )


def without_record(user: User, *, unit: Unit | None) -> QuerySet[Person]:
    """Persons the registry holds as out-migrants (流出) with no open record — data from
    before, imports — each with ``left_on``: her last FLOW_OUT event, else her
    registration; the longest away first."""
    open_ = Outflow.objects.filter(person_id=OuterRef("pk"), status=OutflowStatus.AWAY)
    flow_out = LifeEvent.objects.filter(person_id=OuterRef("pk"), kind=EventKind.FLOW_OUT)
    registered = LifeEvent.objects.filter(person_id=OuterRef("pk"), kind=EventKind.REGISTER)
    return (
        Person.objects.filter(
            status=PersonStatus.OUT_MIGRANT, unit_id__in=unit_ids_within(user, unit)
        )
        .filter(~Exists(open_))
        .annotate(
            left_on=Coalesce(
                Subquery(flow_out.order_by("-date", "-id").values("date")[:1]),
                Subquery(registered.order_by("date", "id").values("date")[:1]),
                output_field=DateField(),
            )
        )
        .select_related("unit")
        .order_by("left_on", "id")
    )


def without_agreement(user: User, *, unit: Unit | None) -> QuerySet[Outflow]:
    """Open records with no service agreement, the longest away first."""
    return (
        Outflow.objects.filter(status=OutflowStatus.AWAY, unit_id__in=unit_ids_within(user, unit))
        .filter(~Exists(ServiceAgreement.objects.filter(outflow_id=OuterRef("pk"))))
        .select_related("person", "unit")
        .order_by("left_on", "id")
    )


# --------------------------------------------------------------------------- indicator


def out_migrant_wra_q(day: datetime.date) -> Q:
    """PersonPeriod rows of out-migrant (流出) women aged 15–49 in force on ``day``."""
    earliest, latest = birth_range_for_ages(day, *WRA_AGES)
    return (
        Q(sex=Sex.FEMALE, birth_date__gte=earliest, birth_date__lte=latest)
        & Q(status=PersonStatus.OUT_MIGRANT)
        & Q(valid_from__lte=day)
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    )


def certified_q(day: datetime.date) -> Q:
    """For a row with a ``person_id``: a 流动人口婚育证明 of hers in force on ``day``."""
    held = Certificate.objects.filter(kind=CertificateKind.MIGRANT_MARRIAGE).filter(
        certificate_in_force_q(day)
    )
    return Q(person_id__in=held.values("person_id"))
