"""Staff allowances (issue 18): the pack's kinds with subject ``staff`` pay the holders
of ``staff_positions`` — the 宣传员责任补贴 of 10 yuan a month (``000:103``), community
administrators and 宣传员 (``001:353``). These are staff pay, not family benefits: an
allowance batch follows the same flow (review, approval, funds, bank) as the others.

A position (:class:`jisheng.orgs.models.Position`) counts from its ``start_date`` to its
``end_date`` (inclusive); only positions with a login (``user``) can be paid — one line
per user, the months of all their positions of the kind in the unit's subtree counted
once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.benefits import duties
from jisheng.benefits.amounts import compute
from jisheng.benefits.choices import BatchStatus, Power
from jisheng.benefits.models import AllowanceLine, Batch
from jisheng.benefits.selectors_changes import kind_of
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.orgs.models import Position, Unit, User

ADD = "benefits.add_allowanceline"
ONE_DAY = datetime.timedelta(days=1)


def lines_for(
    kind_key: str, unit: Unit, period_start: datetime.date, period_end: datetime.date
) -> list[tuple[Position, int, Decimal]]:
    """(first position, months, amount) per user holding a paid position in the period."""
    kind = kind_of(kind_key, unit, period_start)
    if kind is None or kind.subject != "staff":
        raise ValidationError({"kind": _("The policy pack in force has no such staff allowance.")})
    positions = (
        Position.objects.filter(
            unit__path__startswith=unit.path,
            role__in=kind.staff_positions,
            user__isnull=False,
            start_date__lte=period_end,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period_start))
        .select_related("unit", "user")
        .order_by("user_id", "start_date", "id")
    )
    by_user: dict[int, list[Position]] = {}
    for position in positions:
        assert position.user_id is not None
        by_user.setdefault(position.user_id, []).append(position)
    found = []
    for held in by_user.values():
        months: set[datetime.date] = set()
        for position in held:
            until = position.end_date + ONE_DAY if position.end_date else None
            got = compute(
                kind,
                start=position.start_date,
                until=until,
                period_start=period_start,
                period_end=period_end,
            )
            months.update(got.months)
        if not months:
            continue
        # the amount of the months held, each at the rate of its month
        total = Decimal(0)
        for month in sorted(months):
            last = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1) - ONE_DAY
            total += compute(
                kind, start=month, until=None, period_start=month, period_end=last
            ).amount
        found.append((held[0], len(months), total))
    return found


def build(
    *,
    actor: User | None,
    kind: str,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
) -> Batch:
    """An allowance batch of ``kind`` for ``unit``'s subtree over the period, with one
    AllowanceLine per staff member holding a paid position (months and amount of
    ``amounts.compute``). The builder exercises the confirming power on it."""
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if actor is not None and not actor.has_perm(ADD):
        raise PermissionDenied(_("You may not do this."))
    require_in_scope(actor, unit)
    lines = lines_for(kind, unit, period_start, period_end)
    if not lines:
        raise ValidationError(_("No staff member holds a paid position in this period."))
    pack_kind = kind_of(kind, unit, period_start)
    assert pack_kind is not None
    with transaction.atomic():
        batch = Batch.objects.create(
            kind=kind,
            unit=unit,
            title=_("%(kind)s %(unit)s %(start)s to %(end)s")
            % {
                "kind": pack_kind.label,
                "unit": unit.name,
                "start": period_start.isoformat(),
                "end": period_end.isoformat(),
            },
            period_start=period_start,
            period_end=period_end,
            status=BatchStatus.DRAFT,
            created_by=audit.user_of(actor),
            case_count=len(lines),
            total_amount=sum((amount for _p, _m, amount in lines), Decimal("0.00")),
        )
        duties.exercise(batch, actor, Power.CONFIRM, action="build_allowances")
        AllowanceLine.objects.bulk_create(
            AllowanceLine(
                batch=batch,
                user=position.user,
                unit=position.unit,
                position=position.role,
                months=months,
                amount=amount,
            )
            for position, months, amount in lines
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=batch,
            changes={
                "lines": [None, len(lines)],
                "total_amount": [None, str(batch.total_amount)],
            },
        )
    return batch
