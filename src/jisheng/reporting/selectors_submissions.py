"""Reading report submissions (scoped): the list, one report, and the status grid.

The status grid (报表上报情况) is the parent's view of a form and period: one row per
child unit — its report's state (not started / draft / checked / submitted / approved /
returned, and late when past the deadline and not submitted), its deadline and
submission time — and the counts of those states over the child's whole subtree, from
two grouped queries whatever the size of the tree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core.periods import Period
from jisheng.core.scope import restrict
from jisheng.core.statforms import FormSpec
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit, User
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S

NOT_STARTED, LATE = "not_started", "late"
STATE_LABELS: dict[str, object] = {
    NOT_STARTED: _("Not started"),
    S.DRAFT: S.DRAFT.label,
    S.CHECKED: S.CHECKED.label,
    S.SUBMITTED: S.SUBMITTED.label,
    S.APPROVED: S.APPROVED.label,
    S.RETURNED: S.RETURNED.label,
    LATE: _("Late"),
}
STATE_ORDER = [NOT_STARTED, S.DRAFT, S.CHECKED, S.RETURNED, S.SUBMITTED, S.APPROVED, LATE]
UNSENT = (S.DRAFT, S.CHECKED, S.RETURNED)


def submissions(
    user: User,
    *,
    unit: Unit | None = None,
    form_key: str = "",
    period_code: str = "",
    status: str = "",
) -> QuerySet[Submission]:
    """The submissions in ``user``'s scope (below ``unit`` when given), newest period first."""
    rows = restrict(Submission.objects.select_related("unit"), user)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if form_key:
        rows = rows.filter(form_key=form_key)
    if period_code:
        rows = rows.filter(period_code=period_code)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-first", "form_key", "unit__path")


def state_of(sub: Submission | None, deadline: datetime.date, today: datetime.date) -> str:
    """The grid's state of one unit's report."""
    if sub is None:
        return LATE if today > deadline else NOT_STARTED
    if sub.status in UNSENT and today > sub.deadline:
        return LATE
    return sub.status


@dataclass
class GridRow:
    unit: Unit
    submission: Submission | None
    state: str
    deadline: datetime.date
    submitted_at: datetime.datetime | None
    submitted_late: bool
    counts: dict[str, int] = field(default_factory=dict)  # over the child's subtree
    units: int = 0  # units below the child

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def count_cells(self) -> list[tuple[str, int]]:
        return [(s, self.counts.get(s, 0)) for s in STATE_ORDER]


@dataclass
class Grid:
    unit: Unit
    spec: FormSpec
    period: Period
    own: Submission | None
    own_deadline: datetime.date
    rows: list[GridRow]
    totals: dict[str, int]

    @property
    def own_state(self) -> str:
        return state_of(self.own, self.own_deadline, timezone.localdate())

    @property
    def own_state_label(self) -> str:
        return str(STATE_LABELS[self.own_state])

    @property
    def total_cells(self) -> list[tuple[str, int]]:
        return [(s, self.totals.get(s, 0)) for s in STATE_ORDER]


# Units that file no statistical report of their own: an association group (协会小组)
# is a volunteer group inside its village, whose figures the village's report counts.
NOT_REPORTING = (UnitType.GROUP,)


def reporting_units() -> QuerySet[Unit]:
    """The active units that file statistical reports (all but association groups)."""
    return Unit.objects.filter(is_active=True).exclude(unit_type__in=NOT_REPORTING)


def children(unit: Unit) -> list[Unit]:
    """The reporting units directly below ``unit`` (who report to it)."""
    return list(
        reporting_units().filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
    )


def grid(*, unit: Unit, spec: FormSpec, period: Period, today: datetime.date | None = None) -> Grid:
    """The status grid of ``unit``'s children for ``spec`` and ``period`` (the caller has
    checked ``unit`` is in the user's scope)."""
    today = today or timezone.localdate()
    kids = children(unit)
    width = len(unit.path) + Unit.steplen
    here = Submission.objects.filter(form_key=spec.key, period_code=period.code)
    own_and_kids = {
        s.unit_id: s for s in here.filter(unit__in=[unit, *kids]).select_related("submitted_by")
    }
    # the units below each child (the child itself is its row's own state)
    below = here.filter(unit__path__startswith=unit.path, unit__depth__gt=unit.depth + 1)
    by_prefix: dict[str, dict[str, int]] = {}
    for row in (
        below.annotate(prefix=Substr("unit__path", 1, width))
        .values("prefix", "status")
        .annotate(n=Count("id"), late=Count("id", filter=Q(status__in=UNSENT, deadline__lt=today)))
        .order_by()
    ):
        counts = by_prefix.setdefault(row["prefix"], {})
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        counts[LATE] = counts.get(LATE, 0) + row["late"]
    sizes = {
        row["prefix"]: row["n"]
        for row in reporting_units()
        .filter(path__startswith=unit.path, depth__gt=unit.depth + 1)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    totals: dict[str, int] = {}
    for kid in kids:
        sub = own_and_kids.get(kid.pk)
        deadline = sub.deadline if sub is not None else spec.deadline(kid, period)
        counts = dict(by_prefix.get(kid.path, {}))
        size = sizes.get(kid.path, 0)
        started = sum(counts.get(s, 0) for s in S.values)
        counts[NOT_STARTED] = max(size - started, 0)
        if today > deadline:
            # a unit that has not started is late too (the child's deadline stands for its
            # subtree's)
            counts[LATE] = counts.get(LATE, 0) + counts[NOT_STARTED]
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n
        rows.append(
            GridRow(
                unit=kid,
                submission=sub,
                state=state_of(sub, deadline, today),
                deadline=deadline,
                submitted_at=sub.submitted_at if sub is not None else None,
                submitted_late=bool(
                    sub is not None
                    and sub.submitted_at is not None
                    and timezone.localdate(sub.submitted_at) > sub.deadline
                ),
                counts=counts,
                units=size,
            )
        )
    own = own_and_kids.get(unit.pk)
    return Grid(
        unit=unit,
        spec=spec,
        period=period,
        own=own,
        own_deadline=own.deadline if own is not None else spec.deadline(unit, period),
        rows=rows,
        totals=totals,
    )
