"""Worklist sources of rental housing and sweeps (issue 17):

- ``floating_landlord_agreement`` (出租房屋待签责任书): let properties with no landlord's
  agreement in force, due 30 days after the property was filed;
- ``floating_sweep_due`` (清查待开展): a township or street with fewer sweeps started in
  the current half year than half the pack's ``floating.sweeps_per_year`` (rounded up),
  due the half year's last day;
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

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource
from jisheng.core.scope import restrict_within
from jisheng.floating import selectors_housing, selectors_sweeps
from jisheng.floating.models import Sweep
from jisheng.floating.services_sweeps import finding_dues
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit, User
from jisheng.policy.selectors import pack_in_force

VIEW_PROPERTY = "floating.view_rentalproperty"
VIEW_SWEEP = "floating.view_sweep"
TOWN_TYPES = (UnitType.TOWNSHIP, UnitType.STREET)
SWEEPS_PER_YEAR = 2  # the pack's floating.sweeps_per_year when none is in force


def collect_agreements(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    rows = selectors_housing.properties_without_agreement(user, unit=unit, today=today)
    total, first = count_and_first(rows, limit)
    items = []
    for prop in first:
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
    return total, items


def collect_findings(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    rows = selectors_sweeps.finding_list(user, unit=unit, open_only=True).order_by("found_on", "id")
    items = []
    total, first = count_and_first(rows, limit)
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
    return total, items


def half_year(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the half year containing ``day``."""
    if day.month <= 6:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 6, 30)
    return datetime.date(day.year, 7, 1), datetime.date(day.year, 12, 31)


def sweeps_due(
    user: User, *, unit: Unit | None, today: datetime.date
) -> list[tuple[Unit, int, int]]:
    """(township or street, sweeps this half year, sweeps due) of those in the user's
    scope (below ``unit``) with fewer sweeps started this half year than the pack's
    ``floating.sweeps_per_year`` asks (half of it, rounded up); a sweep over the unit, a
    unit above it or below it counts. A pack asking none: nothing due."""
    first, last = half_year(today)
    towns = list(
        restrict_within(
            Unit.objects.filter(unit_type__in=TOWN_TYPES, is_active=True), user, unit
        ).order_by("path")
    )
    if not towns:
        return []
    sweeps = list(
        Sweep.objects.filter(starts_on__gte=first, starts_on__lte=last).values_list(
            "unit__path", flat=True
        )
    )
    due = []
    for town in towns:
        pack = pack_in_force(town, today)
        per_year = pack.floating.sweeps_per_year if pack and pack.floating else SWEEPS_PER_YEAR
        wanted = -(-per_year // 2)
        done = sum(1 for p in sweeps if p.startswith(town.path) or town.path.startswith(p))
        if done < wanted:
            due.append((town, done, wanted))
    return due


def collect_sweeps_due(
    user: User, *, unit: Unit | None = None, today: datetime.date | None = None, limit: int = 10
) -> tuple[int, list[WorkItem]]:
    today = today or timezone.localdate()
    rows = sweeps_due(user, unit=unit, today=today)
    last = half_year(today)[1]
    items = [
        WorkItem(
            person_id=None,
            person_name=_("%(done)d of %(wanted)d sweeps this half year")
            % {"done": done, "wanted": wanted},
            unit_name=town.name,
            date=last,
            what=_("Sweep to open"),
            url=reverse("floating:sweep_create"),
        )
        for town, done, wanted in rows[:limit]
    ]
    return len(rows), items


AGREEMENT_SOURCE = WorklistSource(
    kind="floating_landlord_agreement",
    label=gettext_lazy("Landlords' agreements to sign"),
    collect=collect_agreements,
    permission=VIEW_PROPERTY,
    order=78,
)
SWEEP_DUE_SOURCE = WorklistSource(
    kind="floating_sweep_due",
    label=gettext_lazy("Sweeps to open this half year"),
    collect=collect_sweeps_due,
    permission="floating.add_sweep",
    order=80,
)
FINDINGS_SOURCE = WorklistSource(
    kind="floating_findings",
    label=gettext_lazy("Sweep findings to deal with"),
    collect=collect_findings,
    permission=VIEW_SWEEP,
    order=79,
)
