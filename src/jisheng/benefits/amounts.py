"""Money of a benefit: which months count, the amount for them, and who pays what share.

Pure functions over a pack's :class:`~jisheng.policy.schema_benefits.BenefitKind`;
yuan are ``Decimal`` throughout (never a float) and rounded to the fen once, at the end,
half up.

**Months.** Eligibility is a span of days, ``start`` (the first eligible day) to ``until``
(the first day no longer eligible, ``None`` while it lasts). The months counted run from
the month it starts to the month before the one it ends in — so a child born 2023-05-20
counts from May 2023 to April 2026 (she is three on 2026-05-20: 36 months). A stop rule
that pays the month of the event (a death: payments stop from the next month) gives
``until`` the first day of the next month.

**Amounts.** Each counted month is paid at the step in force on its first day: a yearly
amount a twelfth a month, a monthly amount once. A rise on 1 July pays the old rate for
January to June and the new one from July. ``prorate: none`` with a yearly period pays the
whole year once any day of it is eligible (e.g. 奖扶 from the year she turns 60); ``once``
pays once, in the period where the eligibility starts.

**Shares.** ``funding`` splits the amount by level (the last share takes the rounding
remainder, so the parts always add up to the amount); ``cost_sharing`` (``003:245``)
gives each employed parent's employer its share — all of it with one employed parent —
and the rest to ``otherwise`` (the county) when neither is employed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jisheng.policy.schema_benefits import AmountStep, BenefitKind

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def counted_months(
    start: datetime.date,
    until: datetime.date | None,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
) -> list[datetime.date]:
    """The first days of the months of ``period_start``..``period_end`` (inclusive) that
    count for eligibility from ``start`` to ``until`` (exclusive; ``None``: open)."""
    first = max(month_start(start), month_start(period_start))
    end = month_start(until) if until is not None else None
    months: list[datetime.date] = []
    month = first
    while month <= period_end and (end is None or month < end):
        months.append(month)
        month = next_month(month)
    return months


def step_on(kind: BenefitKind, day: datetime.date) -> AmountStep | None:
    """The amount step in force on ``day`` (None before the first)."""
    current = None
    for step in kind.amounts:
        if step.from_ <= day:
            current = step
    return current


def _month_amount(step: AmountStep) -> Decimal:
    if step.monthly is not None:
        return step.monthly
    if step.yearly is not None:
        return step.yearly / 12
    return Decimal(0)


@dataclass(frozen=True)
class Computed:
    months: tuple[datetime.date, ...]
    amount: Decimal

    @property
    def month_count(self) -> int:
        return len(self.months)


def compute(
    kind: BenefitKind,
    *,
    start: datetime.date,
    until: datetime.date | None,
    period_start: datetime.date,
    period_end: datetime.date,
) -> Computed:
    """The months counted and the amount (fen, half up) for eligibility ``start`` →
    ``until`` in the period."""
    if kind.period == "once":
        if period_start <= start <= period_end and (until is None or start < until):
            step = step_on(kind, start)
            amount = step.once if step is not None and step.once is not None else ZERO
            return Computed((month_start(start),), amount.quantize(FEN, ROUND_HALF_UP))
        return Computed((), ZERO)
    months = counted_months(start, until, period_start=period_start, period_end=period_end)
    if months and kind.prorate == "none" and kind.period == "year":
        months = counted_months(
            period_start, None, period_start=period_start, period_end=period_end
        )
    total = Decimal(0)
    paid: list[datetime.date] = []
    for month in months:
        step = step_on(kind, month)
        if step is None:  # before the benefit existed (育儿补贴 before 2025)
            continue
        total += _month_amount(step)
        paid.append(month)
    return Computed(tuple(paid), total.quantize(FEN, ROUND_HALF_UP))


@dataclass(frozen=True)
class ShareLine:
    level: str
    amount: Decimal
    payer_id: int | None = None  # the employer (a unit) for the cost-sharing rule


def split(kind: BenefitKind, amount: Decimal, *, employers: Sequence[int] = ()) -> list[ShareLine]:
    """The amount's shares: by ``funding`` level, or by the ``cost_sharing`` rule over
    the employers (unit ids) of the employed parents (none, one or two)."""
    if kind.cost_sharing is not None:
        payers = [e for e in employers if e is not None][:2]
        if not payers:
            return [ShareLine(kind.cost_sharing.otherwise, amount)]
        if len(payers) == 1:
            return [ShareLine("employer", amount, payers[0])]
        first = (amount * kind.cost_sharing.per_employed_parent).quantize(FEN, ROUND_HALF_UP)
        return [
            ShareLine("employer", first, payers[0]),
            ShareLine("employer", amount - first, payers[1]),
        ]
    if not kind.funding:
        return [ShareLine("county", amount)]
    lines: list[ShareLine] = []
    given = Decimal(0)
    for k, share in enumerate(kind.funding):
        if k == len(kind.funding) - 1:
            part = amount - given
        else:
            part = (amount * share.share).quantize(FEN, ROUND_HALF_UP)
        given += part
        lines.append(ShareLine(share.level, part))
    return lines
