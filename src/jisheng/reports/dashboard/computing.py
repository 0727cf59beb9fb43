"""Computing a dashboard through the shared cache, and the worklist counts
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from jisheng.core.periods import Period
from jisheng.core.registry import worklist_sources
from jisheng.indicators import catalogue, engine, targets
from jisheng.indicators.engine import Indicator, UnitValues, Value
from jisheng.orgs.models import Unit
from jisheng.reports.dashboard.display import (
    DEFAULT_RANK_ID,
    TREND_IDS,
    lower_is_better,
    small_sample,
)
from jisheng.reports.dashboard.figures import (
    ChildRow,
    Dashboard,
    Figure,
    Trend,
    TrendPoint,
    annualise_figures,
    child_units,
    indicator_or_none,
    key_indicators,
    trend_months,
)

# --------------------------------------------------------------------------- cache


def cache_seconds(closed: bool = False) -> int:
    """How long computed figures are kept: those of a period still running (or today's
    worklist) for ``JISHENG_DASHBOARD_CACHE_SECONDS`` (default 300), those of a period
    that has ended for ``JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS`` (default 6 hours: late
    entries for a past month show after that, or at once with "recompute"). 0: no cache."""
    current = int(settings.JISHENG_DASHBOARD_CACHE_SECONDS)
    if not closed or current <= 0:
        return current
    return int(settings.JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS)


def _closed(period: Period, today: datetime.date) -> bool:
    return period.last < today


def _cache_key(kind: str, unit: Unit, period_codes: Sequence[str], ids: Sequence[str]) -> str:
    raw = f"{kind}|{unit.pk}|{unit.path}|{','.join(period_codes)}|{','.join(ids)}"
    return "jisheng:dashboard:" + hashlib.sha1(raw.encode()).hexdigest()


def _cached(
    key: str, compute: Callable[[], Any], *, refresh: bool, seconds: int
) -> tuple[Any, datetime.datetime, bool]:
    """``(value, computed_at, from_cache)``: the cached value unless ``refresh``."""
    if seconds > 0 and not refresh:
        hit = cache.get(key)
        if hit is not None:
            return hit[0], hit[1], True
    value = compute()
    now = timezone.now()
    if seconds > 0:
        cache.set(key, (value, now), seconds)
    return value, now, False


# --------------------------------------------------------------------------- computing


def _values_of_tree(
    indicators: Sequence[Indicator], unit: Unit, period: Period, units: Sequence[Unit]
) -> dict[int, dict[str, Value]]:
    """``{unit_id: {indicator_id: Value}}`` for ``unit`` and ``units`` (its children),
    from one pass of the grouped engine over the subtree."""
    wanted = {unit.pk, *(u.pk for u in units)}
    if units:
        rows: list[UnitValues] = engine.compute_tree(indicators, unit, period)
    else:  # a leaf: the unit alone
        rows = engine.compute(indicators, unit, period, engine.SELF)
    return {row.unit.pk: row.values for row in rows if row.unit.pk in wanted}


def _series(
    indicators: Sequence[Indicator],
    unit: Unit,
    months: Sequence[Period],
    *,
    today: datetime.date,
    refresh: bool = False,
) -> list[dict[str, Value]]:
    """The indicators of ``unit`` for each month: one grouped computation a month, each
    month cached on its own (a month that has ended for longer)."""
    ids = [i.id for i in indicators]
    out = []
    for month in months:
        values, _at, _hit = _cached(
            _cache_key("month", unit, [month.code], ids),
            lambda m=month: engine.compute(indicators, unit, m, engine.SELF)[0].values,
            refresh=refresh,
            seconds=cache_seconds(_closed(month, today)),
        )
        out.append(values)
    return out


def rank_rows(
    rows: list[ChildRow], indicator_id: str, *, descending: bool = True
) -> list[ChildRow]:
    """Order ``rows`` by the indicator (best first) and number them with standard
    competition ranking (1, 2, 2, 4); rows without a value come last, unranked. The
    rows of the worst rank are flagged ``last`` when more than one rank exists."""

    def number(row: ChildRow) -> float | None:
        figure = row.figures[indicator_id]
        return figure.value.value if figure.defined else None

    for row in rows:
        row.ranked = row.figures[indicator_id]
    valued = [r for r in rows if number(r) is not None]
    empty = [r for r in rows if number(r) is None]
    valued.sort(key=lambda r: (-number(r) if descending else number(r), r.unit.path))
    previous: float | None = None
    rank = 0
    for position, row in enumerate(valued, start=1):
        value = number(row)
        if value != previous:
            rank = position
            previous = value
        row.rank = rank
        row.last = False
    for row in empty:
        row.rank = None
        row.last = False
    if valued and valued[0].rank != valued[-1].rank:
        worst = valued[-1].rank
        for row in valued:
            row.last = row.rank == worst
    return valued + sorted(empty, key=lambda r: r.unit.path)


def _figures(
    indicators: Sequence[Indicator],
    unit: Unit,
    values: dict[str, Value],
    found_targets: dict[tuple[int, str], Any],
) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for indicator in indicators:
        value = values[indicator.id]
        target = found_targets.get((unit.pk, indicator.id))
        status = (
            targets.status(value.value, target)
            if target is not None and not small_sample(indicator, value)
            else None
        )
        out[indicator.id] = Figure(indicator, value, target, status)
    return out


def dashboard(
    user: Any,
    unit: Unit,
    period: Period,
    *,
    rank_by: str | None = None,
    today: datetime.date | None = None,
    refresh: bool = False,
    with_trends: bool = True,
) -> Dashboard:
    """The dashboard of ``unit`` (in the user's scope) for ``period``."""
    today = today or timezone.localdate()
    children = child_units(unit)
    found_targets = targets.targets_for([unit, *children], _every_id(), period)
    indicators = dashboard_indicators(unit, found_targets)
    ids = [i.id for i in indicators]

    values, computed_at, hit = _cached(
        _cache_key("tree", unit, [period.code], ids),
        lambda: _values_of_tree(indicators, unit, period, children),
        refresh=refresh,
        seconds=cache_seconds(_closed(period, today)),
    )
    own = _figures(indicators, unit, values[unit.pk], found_targets)
    figures = [own[i] for i in ids]
    annualise_figures(figures, period)

    chosen = indicator_or_none(rank_by)
    if chosen is None or chosen.id not in own:
        chosen = own[DEFAULT_RANK_ID].indicator if DEFAULT_RANK_ID in own else indicators[0]
    rows = [
        ChildRow(
            unit=child,
            figures=_figures(
                indicators, child, values.get(child.pk) or _empty(indicators), found_targets
            ),
            has_children=child.numchild > 0,
        )
        for child in children
    ]
    descending = not lower_is_better(chosen.id, own[chosen.id].target)
    rows = rank_rows(rows, chosen.id, descending=descending)

    trends: list[Trend] = []
    months = trend_months(period, today) if with_trends else []
    if months:
        trend_indicators = [catalogue.BY_ID[i] for i in TREND_IDS if i in catalogue.BY_ID]
        series = _series(trend_indicators, unit, months, today=today, refresh=refresh)
        trends = [
            Trend(i, [TrendPoint(m, s[i.id], i) for m, s in zip(months, series, strict=True)])
            for i in trend_indicators
        ]

    return Dashboard(
        unit=unit,
        period=period,
        indicators=indicators,
        figures=figures,
        rank_by=chosen,
        children=rows,
        trends=trends,
        worklist=worklist_counts(user, unit, today, refresh=refresh),
        computed_at=computed_at,
        from_cache=hit,
    )


def _empty(indicators: Sequence[Indicator]) -> dict[str, Value]:
    return {i.id: engine.evaluate(i, {}) for i in indicators}


def _every_id() -> list[str]:
    return [i.id for i in catalogue.CATALOGUE]


def dashboard_indicators(unit: Unit, found_targets: dict[tuple[int, str], Any]) -> list[Indicator]:
    """The indicators of ``unit``'s dashboard: the key ones, then those it has a target
    for (``found_targets`` from ``targets.targets_for`` over ids of the catalogue)."""
    return key_indicators([i for i in _every_id() if (unit.pk, i) in found_targets])


class _WholeTree:
    """The reader of the worklist counts: the whole tree. The counts are cached per unit
    and shown only to users who have that unit in their scope (the caller's contract),
    for whom the unit's subtree is what their own scope gives; each sees the groups of
    their permissions (:func:`worklist_counts`)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    unit = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True


def unit_work_kinds() -> tuple[str, ...]:
    """The registered worklist kinds whose counts depend only on the unit (not the
    per-user ones such as "returned to you"): those the dashboard caches per unit."""
    return tuple(source.kind for source in worklist_sources() if not source.per_user)


def _work_key(unit: Unit, today: datetime.date) -> str:
    return _cache_key("work", unit, [today.isoformat()], list(unit_work_kinds()))


def _all_work(unit: Unit, today: datetime.date) -> Any:
    """Every worklist group below ``unit`` with its count (no items)."""
    from jisheng.services import selectors as service_selectors

    return service_selectors.worklist(
        _WholeTree(), unit=unit, today=today, limit=0, kinds=unit_work_kinds()
    )


def worklist_counts(user: Any, unit: Unit, today: datetime.date, *, refresh: bool = False) -> Any:
    """The worklist groups the user may see below ``unit`` with their counts (no
    items), or None when the user sees none of them. The counts of every group are
    computed and cached together for the unit (like the figures of a running period;
    the refresh job keeps those of the county and the townships warm)."""
    from jisheng.services.presentation import visible_kinds
    from jisheng.services.selectors import Worklist

    kinds = visible_kinds(user)
    if not kinds:
        return None
    work, _at, _hit = _cached(
        _work_key(unit, today),
        lambda: _all_work(unit, today),
        refresh=refresh,
        seconds=cache_seconds(),
    )
    by_kind = {g.kind: g for g in work.groups}
    return Worklist(work.today, [by_kind[k] for k in kinds if k in by_kind])
