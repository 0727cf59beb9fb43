"""Worklist sources of rental housing and sweeps (issue 17):

- ``floating_landlord_agreement`` (出租房屋待签责任书): let properties with no landlord's
  agreement in force, due 30 days after the property was filed;
- ``floating_findings`` (清查发现待处理): a sweep's findings not yet resolved, on the
  worklist of the unit where they were found, due :func:`services_sweeps.finding_due`
  (the registration deadline for a person not registered, 30 days otherwise).
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.registry import WorkItem, WorklistSource
from jisheng.floating import selectors_housing, selectors_sweeps
from jisheng.floating.services_sweeps import finding_dues
from jisheng.orgs.models import Unit, User

VIEW_PROPERTY = "floating.view_rentalproperty"
VIEW_SWEEP = "floating.view_sweep"


def collect_agreements(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    rows = selectors_housing.properties_without_agreement(user, unit=unit, today=today)
    items = []
    for prop in rows[:limit]:
        due = prop.filed_on + datetime.timedelta(days=selectors_housing.AGREEMENT_DUE_DAYS)
        items.append(
            WorkItem(
                person_id=None,
                person_name=f"{prop.address} · {prop.landlord_name}",
                unit_name=prop.unit.name,
                date=due,
                what=_("Landlord's agreement to sign"),
                url=reverse("floating:property_detail", args=[prop.pk]),
                late_days=max((today - due).days, 0),
            )
        )
    return rows.count(), items


def collect_findings(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    rows = selectors_sweeps.finding_list(user, unit=unit, open_only=True).order_by("found_on", "id")
    items = []
    first = list(rows[:limit])
    dues = finding_dues(first)
    for finding in first:
        due = dues[finding.pk]
        items.append(
            WorkItem(
                person_id=finding.person_id,
                person_name=" · ".join(p for p in (finding.name, finding.get_kind_display()) if p),
                unit_name=finding.unit.name,
                date=due,
                what=_("Sweep finding to deal with"),
                url=reverse("floating:finding_resolve", args=[finding.pk]),
                late_days=max((today - due).days, 0),
            )
        )
    items.sort(key=lambda i: i.date)
    return rows.count(), items


AGREEMENT_SOURCE = WorklistSource(
    kind="floating_landlord_agreement",
    label=gettext_lazy("Landlords' agreements to sign"),
    collect=collect_agreements,
    permission=VIEW_PROPERTY,
    order=78,
)
FINDINGS_SOURCE = WorklistSource(
    kind="floating_findings",
    label=gettext_lazy("Sweep findings to deal with"),
    collect=collect_findings,
    permission=VIEW_SWEEP,
    order=79,
)
