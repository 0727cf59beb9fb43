"""Reads of service campaigns, in the caller's scope: the rounds a user may see, a
round's targets (filtered, searched) and its statistics by unit.

A round organised by a township is seen by its villages' staff too (they enter the
attendance of their village): a user sees the rounds of units in their subtree and of
the units above it; the targets are always restricted to the user's subtree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.querysets import count_and_first
from jisheng.core.registry import WorkItem, WorklistSource
from jisheng.core.scope import (
    ALL,
    record_denied,
    restrict_person_records,
    restrict_within,
    user_scope_path,
)
from jisheng.orgs.models import Unit
from jisheng.people.search import name_q
from jisheng.policy.selectors import ancestor_paths
from jisheng.services.models import CampaignRound, CampaignTarget


def rounds_visible(user: Any) -> QuerySet[CampaignRound]:
    prefix = user_scope_path(user)
    qs = CampaignRound.objects.select_related("unit")
    if prefix is None:
        return qs.none()
    if prefix == ALL:
        return qs
    return qs.filter(Q(unit__path__startswith=prefix) | Q(unit__path__in=ancestor_paths(prefix)))


def round_list(user: Any, *, year: int | None = None) -> QuerySet[CampaignRound]:
    qs = rounds_visible(user)
    if year:
        qs = qs.filter(period_start__year=year)
    return qs.order_by("-period_start", "unit__path", "id")


def round_get(user: Any, pk: Any) -> CampaignRound:
    """One round the user may see; else 404 (and a ``denied`` audit event when it exists)."""
    from django.http import Http404
    from django.utils.translation import gettext as _

    try:
        return rounds_visible(user).get(pk=int(pk))
    except (CampaignRound.DoesNotExist, ValueError, TypeError):
        pass
    outside = CampaignRound.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


def targets(
    user: Any,
    round_: CampaignRound,
    *,
    unit: Unit | None = None,
    q: str = "",
    open_only: bool = False,
    target_id: int | None = None,
    include_voided: bool = False,
) -> QuerySet[CampaignTarget]:
    """The round's targets whose person is now in the user's subtree (and ``unit``'s):
    after an internal move her new office enters her attendance. By unit, then name."""
    qs = restrict_person_records(CampaignTarget.objects.filter(round=round_), user, unit)
    if not include_voided:
        qs = qs.filter(voided_at=None)
    if target_id:
        qs = qs.filter(pk=target_id)
    if q.strip():
        qs = qs.filter(name_q(q.strip(), prefix="person__"))
    if open_only:
        qs = qs.filter(attended_on=None, checked_elsewhere=False)
    return qs.select_related("person", "unit").order_by("unit__path", "person__name", "id")


@dataclass
class StatRow:
    unit: Unit | None
    label: str
    targets: int = 0
    attended: int = 0
    elsewhere: int = 0
    covered: int = 0
    iud: int = 0
    pregnant: int = 0
    referred: int = 0

    @property
    def coverage(self) -> float | None:
        """Attended or checked elsewhere / targets, in percent; None without targets."""
        if not self.targets:
            return None
        return round(self.covered * 100.0 / self.targets, 1)

    def add(self, other: StatRow) -> None:
        for name in ("targets", "attended", "elsewhere", "covered", "iud", "pregnant", "referred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RoundStats:
    round: CampaignRound
    unit: Unit
    rows: list[StatRow] = field(default_factory=list)
    total: StatRow | None = None


COUNTS = {
    "targets": Count("id"),
    "attended": Count("id", filter=Q(attended_on__isnull=False)),
    "elsewhere": Count("id", filter=Q(checked_elsewhere=True)),
    "covered": Count("id", filter=Q(attended_on__isnull=False) | Q(checked_elsewhere=True)),
    "iud": Count("id", filter=Q(iud_in_place="yes")),
    "pregnant": Count("id", filter=Q(pregnant="yes")),
    "referred": Count("id", filter=Q(referred=True)),
}


def round_stats(user: Any, round_: CampaignRound, unit: Unit) -> RoundStats:
    """Targets, attended, checked elsewhere, coverage, IUD in place, pregnant and
    referred of the round, per child unit of ``unit`` (and ``unit`` itself when targets
    live there directly), in one grouped query."""
    qs = restrict_within(CampaignTarget.objects.filter(round=round_, voided_at=None), user, unit)
    children = list(Unit.objects.get_children(unit).order_by("path"))
    length = len(unit.path) + Unit.steplen
    grouped = {
        row["prefix"]: row
        for row in qs.annotate(prefix=Substr("unit__path", 1, length))
        .values("prefix")
        .annotate(**COUNTS)
        .order_by()
    }
    stats = RoundStats(round_, unit)
    total = StatRow(None, "")

    def row_for(u: Unit, label: str, data: dict | None) -> StatRow:
        row = StatRow(u, label)
        if data:
            for name in COUNTS:
                setattr(row, name, data[name])
        return row

    own = grouped.get(unit.path)
    if own:
        stats.rows.append(row_for(unit, unit.name, own))
    for child in children:
        stats.rows.append(row_for(child, child.name, grouped.get(child.path)))
    for row in stats.rows:
        total.add(row)
    stats.total = total
    return stats


def open_targets(
    user: Any, *, unit: Unit | None, today: datetime.date, days: int
) -> QuerySet[CampaignTarget]:
    """Targets not attended and not checked elsewhere of rounds that are running or
    ended within ``days`` — to be offered another date (never a sanction, SPEC §0); for
    the office where the person is now."""
    recent = Q(round__period_end__gte=today - datetime.timedelta(days=days))
    return restrict_person_records(CampaignTarget.objects, user, unit).filter(
        recent | Q(appointment_on__gte=today),  # or another day agreed (需另约时间)
        attended_on=None,
        checked_elsewhere=False,
        voided_at=None,
        round__period_start__lte=today,
    )


# --------------------------------------------------------------------------- worklist

# A round shows on its office's worklist from this many days before its first day.
ROUND_NOTICE_DAYS = 31


def rounds_to_run(
    user: Any, *, unit: Unit | None = None, today: datetime.date, limit: int = 20
) -> tuple[int, list[WorkItem]]:
    """The worklist's ``rounds`` (a :class:`~jisheng.core.registry.WorklistSource`): the
    rounds the offices in ``user``'s scope (below ``unit``) must run — starting within
    :data:`ROUND_NOTICE_DAYS` days or running, not ended, with people on the list not
    seen yet — by first day. ``(count, first limit items)``."""
    open_targets = Q(
        targets__attended_on=None, targets__checked_elsewhere=False, targets__voided_at=None
    )
    qs = (
        restrict_within(CampaignRound.objects, user, unit)
        .filter(
            period_start__lte=today + datetime.timedelta(days=ROUND_NOTICE_DAYS),
            period_end__gte=today,
        )
        .annotate(open=Count("targets", filter=open_targets), listed=Count("targets"))
        .filter(open__gt=0)
    )
    total, rows = count_and_first(qs.select_related("unit").order_by("period_start", "id"), limit)
    items = [
        WorkItem(
            person_id=None,
            person_name="",
            unit_name=r.unit.name,
            date=r.period_start,
            what=_("%(round)s: %(open)s of %(listed)s on the list not seen yet")
            % {"round": r.name, "open": r.open, "listed": r.listed},
            url=reverse("services:campaign_detail", args=[r.pk]),
            late_days=0,
        )
        for r in rows
    ]
    return total, items


ROUNDS_SOURCE = WorklistSource(
    kind="rounds",
    label=gettext_lazy("Service rounds to run"),
    collect=rounds_to_run,
    permission="services.change_campaignround",
    order=65,
)
