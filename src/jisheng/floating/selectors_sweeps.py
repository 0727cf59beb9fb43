"""Reads of sweeps (清查), in the caller's scope (issue 17): the list, one sweep with its
checklist, the findings, and the sweep's report (per unit: lines visited of all, findings
by kind, resolved and open)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jisheng.core.scope import (
    get_in_scope_or_404,
    record_denied,
    restrict,
    restrict_within,
    user_scope_path,
)
from jisheng.floating.choices import FindingKind, SweepItemOutcome
from jisheng.floating.models import Sweep, SweepFinding, SweepItem
from jisheng.orgs.models import Unit, User

M = TypeVar("M", bound=Model)


def _covering(path: str) -> Q:
    """Sweeps over the unit at ``path``, a unit below it, or a unit above it (a village's
    staff visit their lines of the township's sweep)."""
    steplen = Unit.steplen
    above = [path[:i] for i in range(steplen, len(path), steplen)]
    return Q(unit__path__startswith=path) | Q(unit__path__in=above)


def visible_sweeps(user: User, unit: Unit | None = None) -> QuerySet[Sweep]:
    """The sweeps the user works on: over a unit of her scope (below ``unit``) or over a
    unit above it."""
    prefix = user_scope_path(user)
    if prefix is None:
        return Sweep.objects.none()
    path = unit.path if unit is not None else prefix
    if unit is not None and not path.startswith(prefix):
        return Sweep.objects.none()
    if not path:
        return Sweep.objects.all()
    return Sweep.objects.filter(_covering(path))


def sweep_list(user: User, *, unit: Unit | None = None, status: str = "") -> QuerySet[Sweep]:
    """Sweeps over units of the user's scope or above it, newest first, with ``lines``
    and ``visited`` counts (all the sweep's lines)."""
    qs = visible_sweeps(user, unit)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.annotate(
            lines=Count("items", distinct=True),
            visited=Count(
                "items", filter=~Q(items__outcome=SweepItemOutcome.PENDING), distinct=True
            ),
        )
        .select_related("unit")
        .order_by("-starts_on", "-id")
    )


def sweep_get(user: User, pk: int) -> Sweep:
    """One sweep the user works on (404 and audited otherwise)."""
    found = visible_sweeps(user).select_related("unit", "created_by").filter(pk=pk).first()
    if found is not None:
        return found
    outside = Sweep.objects.filter(pk=pk).first()
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


def sweep_counts(sweep: Sweep) -> tuple[int, int]:
    """(lines, lines visited or marked) of the sweep's whole checklist."""
    counts = SweepItem.objects.filter(sweep=sweep).aggregate(
        lines=Count("id"), visited=Count("id", filter=~Q(outcome=SweepItemOutcome.PENDING))
    )
    return counts["lines"], counts["visited"]


def sweep_items(
    user: User, sweep: Sweep, *, pending_only: bool = False, unit: Unit | None = None, q: str = ""
) -> QuerySet[SweepItem]:
    """The sweep's checklist lines within the user's scope (a village's staff see their
    village's lines), by unit, properties first."""
    qs = restrict_within(SweepItem.objects.filter(sweep=sweep), user, unit)
    if pending_only:
        qs = qs.filter(outcome=SweepItemOutcome.PENDING)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(property__address__icontains=q)
            | Q(property__landlord_name__icontains=q)
            | Q(household__address__icontains=q)
            | Q(household__number=q)
            | Q(household__head__name=q)
        )
    return qs.select_related("unit", "property", "household", "household__head").order_by(
        "unit__path", "household_id", "id"
    )


def item_get(user: User, pk: int) -> SweepItem:
    return get_in_scope_or_404(
        SweepItem.objects.select_related("sweep", "sweep__unit", "unit", "property", "household"),
        user,
        pk=pk,
    )


def finding_list(
    user: User,
    *,
    unit: Unit | None = None,
    sweep: Sweep | None = None,
    open_only: bool = False,
    kind: str = "",
) -> QuerySet[SweepFinding]:
    qs = restrict_within(SweepFinding.objects.all(), user, unit)
    if sweep is not None:
        qs = qs.filter(sweep=sweep)
    if open_only:
        qs = qs.filter(resolved_on__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("sweep", "unit", "item", "item__property", "item__household").order_by(
        "resolved_on", "found_on", "id"
    )


def finding_get(user: User, pk: int) -> SweepFinding:
    return get_in_scope_or_404(
        SweepFinding.objects.select_related("sweep", "unit", "item", "person"), user, pk=pk
    )


@dataclass
class ReportLine:
    """One unit's line of a sweep's report."""

    unit_code: str
    unit_name: str
    lines: int = 0
    visited: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    open: int = 0

    @property
    def findings(self) -> int:
        return self.resolved + self.open

    @property
    def percent(self) -> float:
        return round(100 * self.visited / self.lines, 1) if self.lines else 0.0


@dataclass
class SweepReport:
    sweep: Sweep
    rows: list[ReportLine]
    total: ReportLine
    kinds: list[tuple[str, str]]


def _within_sweep(qs: QuerySet[M], user: User, sweep: Sweep) -> QuerySet[M]:
    """Rows of ``sweep``'s units that the user sees: all of them for an office above or
    at the sweep's unit, her subtree's for one below it."""
    prefix = user_scope_path(user)
    if prefix is not None and prefix.startswith(sweep.unit.path):
        return restrict(qs, user)
    return restrict_within(qs, user, sweep.unit)


def sweep_report(user: User, sweep: Sweep) -> SweepReport:
    """Per unit of the sweep (within the user's scope): lines visited of all, findings by
    kind, resolved and open; with a total line. Two grouped queries."""
    lines: dict[int, ReportLine] = {}
    units = {
        u.pk: u for u in _within_sweep(Unit.objects.all(), user, sweep).only("pk", "code", "name")
    }

    def line(unit_id: int) -> ReportLine:
        if unit_id not in lines:
            unit = units.get(unit_id)
            lines[unit_id] = ReportLine(
                unit_code=unit.code if unit else "", unit_name=unit.name if unit else ""
            )
        return lines[unit_id]

    items = (
        _within_sweep(SweepItem.objects.filter(sweep=sweep), user, sweep)
        .values("unit_id")
        .annotate(n=Count("id"), v=Count("id", filter=~Q(outcome=SweepItemOutcome.PENDING)))
    )
    for row in items:
        entry = line(row["unit_id"])
        entry.lines, entry.visited = row["n"], row["v"]
    findings = (
        _within_sweep(SweepFinding.objects.filter(sweep=sweep), user, sweep)
        .values("unit_id", "kind")
        .annotate(
            done=Count("id", filter=Q(resolved_on__isnull=False)),
            todo=Count("id", filter=Q(resolved_on__isnull=True)),
        )
    )
    for frow in findings:
        entry = line(frow["unit_id"])
        kind = frow["kind"]
        entry.by_kind[kind] = entry.by_kind.get(kind, 0) + frow["done"] + frow["todo"]
        entry.resolved += frow["done"]
        entry.open += frow["todo"]
    rows = sorted(lines.values(), key=lambda r: r.unit_code)
    total = ReportLine(unit_code="", unit_name="")
    for r in rows:
        total.lines += r.lines
        total.visited += r.visited
        total.resolved += r.resolved
        total.open += r.open
        for k, n in r.by_kind.items():
            total.by_kind[k] = total.by_kind.get(k, 0) + n
    kinds = [(str(value), str(label)) for value, label in FindingKind.choices]
    return SweepReport(sweep=sweep, rows=rows, total=total, kinds=kinds)
