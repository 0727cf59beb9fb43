"""Reads of leave approval, scoped to the user's subtree (the employer's path)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jisheng.core.scope import restrict_within
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.leave.choices import HOLDING, LeaveKind, LeaveStatus
from jisheng.leave.models import LeaveRequest
from jisheng.people.choices import PregnancyOutcome
from jisheng.people.models import Birth, Couple, Person, Pregnancy
from jisheng.policy.choices import Method
from jisheng.services.models import ContraceptionRecord

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User

SIGN = "leave.sign_leaverequest"
APPROVE = "leave.approve_leaverequest"


def requests(
    user: User,
    *,
    unit: Unit | None = None,
    status: str = "",
    kind: str = "",
    year: int | None = None,
    q: str = "",
    person: Person | None = None,
) -> QuerySet[LeaveRequest]:
    """Leave requests of the employers in the user's scope (below ``unit``), newest first."""
    qs = restrict_within(
        LeaveRequest.objects.select_related("person", "unit", "slip"), user, unit
    ).order_by("-start", "-id")
    if status in LeaveStatus.values:
        qs = qs.filter(status=status)
    if kind in LeaveKind.values:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(person__name__startswith=q.strip()[:50])
    if person is not None:
        qs = qs.filter(person=person)
    return qs


def awaiting(user: User, *, unit: Unit | None = None) -> QuerySet[LeaveRequest]:
    """The requests waiting for the user's step: to sign (unit leader) or to approve
    (the office)."""
    wanted = Q(pk__in=[])
    if user.has_perm(SIGN):
        wanted |= Q(status=LeaveStatus.APPLIED)
    if user.has_perm(APPROVE):
        wanted |= Q(status=LeaveStatus.LEADER_APPROVED)
    return (
        restrict_within(LeaveRequest.objects.select_related("person", "unit"), user, unit)
        .filter(wanted)
        .order_by("start", "id")
    )


@dataclass
class KindTotal:
    kind: str
    label: str
    approved: int
    pending: int


def year_summary(person: Person, year: int, user: User) -> list[KindTotal]:
    """Leave of ``person`` in ``year`` by kind: days approved and days still pending
    (applied or signed), in the employers the user can see."""
    rows = (
        requests(user, person=person, year=year)
        .filter(status__in=HOLDING)
        .order_by()
        .values("kind", "status")
        .annotate(days=Sum("days"))
    )
    totals: dict[str, KindTotal] = {}
    for row in rows:
        kind = row["kind"]
        total = totals.setdefault(kind, KindTotal(kind, str(LeaveKind(kind).label), 0, 0))
        if row["status"] == LeaveStatus.APPROVED:
            total.approved += row["days"] or 0
        else:
            total.pending += row["days"] or 0
    order = list(LeaveKind.values)
    return sorted(totals.values(), key=lambda t: order.index(t.kind))


@dataclass
class Evidence:
    key: str  # "birth:12"
    label: str
    kinds: tuple[str, ...]


def evidence_of(person: Person) -> list[Evidence]:
    """The records of ``person`` a leave can rest on (marriages, births, operation
    records, induced abortions), newest first."""
    out: list[Evidence] = []
    couples = Couple.objects.filter(Q(wife=person) | Q(husband=person)).order_by("-married_on")
    for couple in couples:
        out.append(
            Evidence(
                f"couple:{couple.pk}",
                _("Married on %(day)s") % {"day": format_cn_date(couple.married_on)},
                ("marriage",),
            )
        )
    births = Birth.objects.filter(Q(mother=person) | Q(father=person)).order_by("-date", "id")
    for birth in births:
        kinds = (
            ("maternity", "parenting")
            if birth.mother_id == person.pk
            else ("paternity", "parenting")
        )
        label = _("Birth on %(day)s") % {"day": format_cn_date(birth.date)}
        if birth.child_name:
            label = f"{label} · {birth.child_name}"
        out.append(Evidence(f"birth:{birth.pk}", label, kinds))
    methods = ContraceptionRecord.objects.filter(
        person=person,
        voided_at=None,
        method__in=[Method.IUD, Method.FEMALE_STERILISATION, Method.MALE_STERILISATION],
    ).order_by("-started_on")
    for record in methods:
        kinds = {
            Method.IUD: ("iud_insertion",),
            Method.FEMALE_STERILISATION: ("female_sterilisation",),
            Method.MALE_STERILISATION: ("male_sterilisation",),
        }[Method(record.method)]
        out.append(
            Evidence(
                f"method:{record.pk}",
                _("%(method)s on %(day)s")
                % {"method": record.get_method_display(), "day": format_cn_date(record.started_on)},
                kinds,
            )
        )
        if record.method == Method.IUD and record.ended_on is not None:
            out.append(
                Evidence(
                    f"method:{record.pk}",
                    _("IUD removed on %(day)s") % {"day": format_cn_date(record.ended_on)},
                    ("iud_removal",),
                )
            )
    abortions = Pregnancy.objects.filter(woman=person, outcome=PregnancyOutcome.ABORTION).order_by(
        "-outcome_on"
    )
    for pregnancy in abortions:
        day = pregnancy.outcome_on or pregnancy.registered_on
        out.append(
            Evidence(
                f"pregnancy:{pregnancy.pk}",
                _("Induced abortion on %(day)s") % {"day": format_cn_date(day)},
                ("abortion",),
            )
        )
    return out


def employees(user: User, *, q: str, on: datetime.date, limit: int = 20) -> list[Person]:
    """Persons with an employer in the user's scope whose name starts with ``q``."""
    if not q.strip():
        return []
    from jisheng.core.scope import user_scope_path

    prefix = user_scope_path(user)
    if prefix is None:
        return []
    return list(
        Person.objects.filter(
            employer__path__startswith=prefix, name__startswith=q.strip()[:50]
        ).select_related("employer", "unit")[:limit]
    )


def person_for_leave(user: User, pk: int) -> Person:
    """A person the user may apply leave for: living in the user's scope, or employed
    by a unit in it (an employer's office applies for staff living elsewhere). Anyone
    else answers 404, audited like every refusal."""
    from django.http import Http404

    from jisheng.core.scope import record_denied, restrict, user_scope_path

    qs = Person.objects.select_related("unit", "employer")
    found = restrict(qs, user).filter(pk=pk).first()
    prefix = user_scope_path(user)
    if found is None and prefix is not None:
        found = qs.filter(pk=pk, employer__path__startswith=prefix).first()
    if found is None:
        outside = qs.filter(pk=pk).first()
        if outside is not None:
            record_denied(user, outside)
        raise Http404(_("Not found."))
    return found
