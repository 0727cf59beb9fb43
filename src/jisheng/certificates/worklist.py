"""The certificates' deadlines on the worklist (待办), from the policy pack in force.

- ``only_child_due``: a couple with exactly one child, born recently, and no
  独生子女父母光荣证 applied for or issued: due by the pack's deadline
  ``only_child_certificate`` (``months_after`` the birth, ``004:15``), shown on the
  worklist of the couple's unit with the due date (and the days late once past it, for
  :data:`LATE_SHOWN_DAYS` days). An administrative duty of the office, nothing else.
- ``certificate_expiring``: an issued 流动人口婚育证明 whose validity ends within the
  pack's ``certificates.expiry_warning_days`` (default 30) and that has no newer one:
  the office offers its renewal.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.models import Certificate
from jisheng.certificates.selectors import couples_current_on
from jisheng.core.periods import add_months
from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource, register_worklist_source
from jisheng.core.scope import restrict_within, user_scope_path
from jisheng.people.models import Birth
from jisheng.policy.deadlines import due_date
from jisheng.policy.schema import MonthsAfter
from jisheng.policy.selectors import pack_in_force

if TYPE_CHECKING:
    from jisheng.orgs.models import Unit, User
    from jisheng.policy.schema import Deadline

ADD = "certificates.add_certificate"
DEADLINE_KEY = "only_child_certificate"
# Past its due date, an application still to make stays on the worklist this long.
LATE_SHOWN_DAYS = 90
DEFAULT_EXPIRY_WARNING_DAYS = 30
# A certificate application that is still open or was issued (revoked or replaced
# ones leave the couple without a certificate).
OPEN_STATUSES = (
    CertificateStatus.APPLIED,
    CertificateStatus.REVIEWED,
    CertificateStatus.RETURNED,
    CertificateStatus.ISSUED,
)


def _where(user: User, unit: Unit | None) -> Unit | None:
    return unit if unit is not None else getattr(user, "unit", None)


def _deadline(user: User, unit: Unit | None, today: datetime.date) -> Deadline | None:
    pack = pack_in_force(_where(user, unit), today)
    return pack.deadlines.get(DEADLINE_KEY) if pack is not None else None


def expiry_warning_days(unit: Unit | None, today: datetime.date) -> int:
    """The pack's ``certificates.expiry_warning_days`` for ``unit`` (default 30)."""
    pack = pack_in_force(unit, today)
    section = getattr(pack, "certificates", None) if pack is not None else None
    return section.expiry_warning_days if section is not None else DEFAULT_EXPIRY_WARNING_DAYS


def only_child_due(
    user: User, *, unit: Unit | None = None, today: datetime.date
) -> tuple[QuerySet[Birth], Deadline | None]:
    """The only births of current couples of the user's scope (below ``unit``) whose
    光荣证 is due or less than :data:`LATE_SHOWN_DAYS` days late, with no certificate
    applied for or issued; soonest due first."""
    rule = _deadline(user, unit, today)
    if rule is None or user_scope_path(user) is None:
        return Birth.objects.none(), None
    # the earliest birth date whose due date is still shown
    if isinstance(rule, MonthsAfter):
        earliest = add_months(today - datetime.timedelta(days=LATE_SHOWN_DAYS), -rule.months)
    else:
        earliest = due_date(rule, today) - datetime.timedelta(days=400)
    couples = restrict_within(couples_current_on(today), user, unit)
    other = Birth.objects.filter(couple_id=OuterRef("couple_id")).exclude(pk=OuterRef("pk"))
    certificate = Certificate.objects.filter(
        couple_id=OuterRef("couple_id"),
        kind=CertificateKind.ONE_CHILD_PARENTS,
        status__in=OPEN_STATUSES,
    )
    births = (
        Birth.objects.filter(date__gte=earliest, date__lte=today, couple__in=couples.values("pk"))
        .filter(~Exists(other), ~Exists(certificate))
        .select_related("couple", "couple__unit", "couple__wife", "couple__husband")
        .order_by("date", "id")
    )
    return births, rule


def collect_only_child_due(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    births, rule = only_child_due(user, unit=unit, today=today)
    if rule is None:
        return 0, []
    total, first = count_and_first(births, limit)
    items = []
    for birth in first:
        couple = birth.couple
        if couple is None:  # the query keeps births of a couple only
            continue
        due = due_date(rule, birth.date)
        items.append(
            WorkItem(
                person_id=couple.wife_id or couple.husband_id,
                person_name=str(couple),
                unit_name=couple.unit.name,
                date=due,
                what=_("Only-child parents' certificate to apply for (child born %(day)s)")
                % {"day": birth.date.isoformat()},
                url=reverse("people:couple_detail", args=[couple.pk]),
                late_days=max((today - due).days, 0),
            )
        )
    return total, items


def expiring(
    user: User, *, unit: Unit | None = None, today: datetime.date
) -> QuerySet[Certificate]:
    """Issued 婚育证明 of the user's scope whose validity ends within the pack's warning
    days (or ended today), with no newer one issued for the person; soonest first."""
    days = expiry_warning_days(_where(user, unit), today)
    newer = Certificate.objects.filter(
        person_id=OuterRef("person_id"),
        kind=CertificateKind.MIGRANT_MARRIAGE,
        status=CertificateStatus.ISSUED,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    return (
        restrict_within(Certificate.objects.all(), user, unit)
        .filter(
            kind=CertificateKind.MIGRANT_MARRIAGE,
            status=CertificateStatus.ISSUED,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days),
        )
        .filter(~Exists(newer))
        .select_related("unit")
        .order_by("valid_until", "id")
    )


def collect_expiring(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    total, first = count_and_first(expiring(user, unit=unit, today=today), limit)
    items = [
        WorkItem(
            person_id=c.person_id,
            person_name=c.holder_name,
            unit_name=c.unit.name,
            date=c.valid_until or today,
            what=_("Marriage and childbearing certificate %(number)s expires")
            % {"number": c.number},
            url=reverse("certificates:detail", args=[c.pk]),
        )
        for c in first
    ]
    return total, items


ONLY_CHILD_SOURCE = WorklistSource(
    kind="only_child_due",
    label=gettext_lazy("Only-child parents' certificates to apply for"),
    collect=collect_only_child_due,
    permission=ADD,
    order=75,
)
EXPIRING_SOURCE = WorklistSource(
    kind="certificate_expiring",
    label=gettext_lazy("Marriage and childbearing certificates expiring"),
    collect=collect_expiring,
    permission=ADD,
    order=76,
)


def register() -> None:
    register_worklist_source(ONLY_CHILD_SOURCE)
    register_worklist_source(EXPIRING_SOURCE)
