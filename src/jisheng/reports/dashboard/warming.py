"""Keeping the dashboard cache warm (``jisheng worker``)
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from jisheng.core import periods
from jisheng.core.periods import Period
from jisheng.indicators import catalogue, engine, targets
from jisheng.indicators.engine import Indicator, Value
from jisheng.orgs.models import Unit
from jisheng.reports.dashboard.computing import (
    _all_work,
    _cache_key,
    _closed,
    _every_id,
    _work_key,
    cache_seconds,
    dashboard_indicators,
)
from jisheng.reports.dashboard.display import (
    TREND_IDS,
)
from jisheng.reports.dashboard.figures import (
    key_indicators,
    trend_months,
)

# --------------------------------------------------------------------------- warming

# The refresh job writes the entries of these units: the county, its townships and
# streets, their villages and communities (a group's dashboard is cheap to compute).
WARM_DEPTH = 3
# ... and keeps the worklist counts of these warm: the county and its townships.
WORK_WARM_DEPTH = 2
# The nightly run's entries of ended months last until the next night's run.
ENDED_MONTHS_SECONDS = 26 * 3600
# Keys asked of the cache at once.
GET_MANY_CHUNK = 500


def refresh_minutes() -> int:
    """Minutes between two runs of the refresh job (``JISHENG_DASHBOARD_REFRESH_MINUTES``,
    default 5); 0 when it is off — also when figures are not cached at all."""
    if cache_seconds() <= 0:
        return 0
    minutes = settings.JISHENG_DASHBOARD_REFRESH_MINUTES
    return max(0, int(minutes))


def warm_seconds() -> int:
    """How long the refresh job's entries of running periods last: until its next run
    and one interval more (a run late or failed once leaves no gap)."""
    return cache_seconds() + refresh_minutes() * 60


@dataclass
class WarmReport:
    """What a run of the refresh job did."""

    entries: int = 0  # cache entries written (a unit's figures, trend month, worklist)
    passes: int = 0  # engine passes (one compute_tree each)
    seconds: float = 0.0
    months: list[str] = field(default_factory=list)  # trend months computed

    def add(self, other: WarmReport) -> WarmReport:
        self.entries += other.entries
        self.passes += other.passes
        self.seconds += other.seconds
        self.months += [m for m in other.months if m not in self.months]
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "passes": self.passes,
            "seconds": round(self.seconds, 3),
            "months": list(self.months),
        }


def top_units() -> list[Unit]:
    """The top-level units (depth 1): a county, or each root of the tree."""
    return list(Unit.objects.filter(depth=1).order_by("path"))


def warm_units(top: Unit, depth: int = WARM_DEPTH) -> list[Unit]:
    """``top`` and the units below it down to ``depth``, in tree order."""
    return list(Unit.objects.filter(path__startswith=top.path, depth__lte=depth).order_by("path"))


def _attachment_paths() -> set[str]:
    """The tree paths of the units that have policy packs of their own."""
    from jisheng.policy.models import PolicyPackVersion

    return set(
        PolicyPackVersion.objects.filter(unit__isnull=False)
        .values_list("unit__path", flat=True)
        .distinct()
    )


def pass_roots(
    top: Unit, units: Sequence[Unit], attached: Iterable[str]
) -> list[tuple[Unit, list[Unit]]]:
    """The engine passes that give ``units`` (``top`` and units below it, ``top``
    among them) exactly the figures of their own dashboards, as ``(root, units)``.

    A dashboard computes from its own unit as the root, and a few filters read the
    policy pack in force at the root (e.g. the late-marriage age). Units under the same
    deepest pack attachment as ``top`` share its pack: one pass from ``top`` serves them
    all. A unit with a pack of its own (``attached``: tree paths), and the units under
    it, get a pass from that unit — usually there is none."""
    attached = list(attached)

    def deepest(unit: Unit) -> str:
        return max((p for p in attached if unit.path.startswith(p)), key=len, default="")

    by_path = {u.path: u for u in units}
    own = deepest(top)
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        key = deepest(unit)
        root_path = top.path if key == own or key not in by_path else key
        groups.setdefault(root_path, []).append(unit)
    return [(by_path[path], served) for path, served in groups.items()]


def _tree_pass(
    indicators: Sequence[Indicator], root: Unit, period: Period
) -> tuple[dict[int, dict[str, Value]], dict[str, list[Unit]]]:
    """ONE engine pass over ``root``'s subtree: ``({unit_id: values}, {path: children})``."""
    rows = engine.compute_tree(indicators, root, period)
    values = {row.unit.pk: row.values for row in rows}
    children: dict[str, list[Unit]] = {}
    for row in rows:
        if row.unit.depth > root.depth:
            children.setdefault(row.unit.path[: -engine.STEPLEN], []).append(row.unit)
    return values, children


def _pick(values: dict[str, Value], ids: Sequence[str]) -> dict[str, Value]:
    return {i: values[i] for i in ids}


def _trend_indicators() -> list[Indicator]:
    return [catalogue.BY_ID[i] for i in TREND_IDS if i in catalogue.BY_ID]


def _present(keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), GET_MANY_CHUNK):
        found.update(cache.get_many(list(keys[start : start + GET_MANY_CHUNK])))
    return found


def warm_figures(period: Period, *, seconds: int | None = None) -> WarmReport:
    """The dashboard entries of ``period`` (the figures of a unit and its children)
    for every unit down to :data:`WARM_DEPTH`: for each top-level unit ONE engine pass
    (per policy-pack attachment, :func:`pass_roots`) over the union of the units'
    indicators, each unit's entry then cut from it — the same key and value that
    :func:`dashboard` would compute and cache."""
    started = time.perf_counter()
    report = WarmReport()
    seconds = warm_seconds() if seconds is None else seconds
    attached = _attachment_paths()
    for top in top_units():
        units = warm_units(top)
        found = targets.targets_for(units, _every_id(), period)
        ids_of = {u.pk: [i.id for i in dashboard_indicators(u, found)] for u in units}
        for root, served in pass_roots(top, units, attached):
            union = key_indicators(i for u in served for i in ids_of[u.pk])
            values, children = _tree_pass(union, root, period)
            report.passes += 1
            now = timezone.now()
            entries: dict[str, Any] = {}
            for unit in served:
                ids = ids_of[unit.pk]
                entry = {unit.pk: _pick(values[unit.pk], ids)}
                for child in children.get(unit.path, []):
                    entry[child.pk] = _pick(values[child.pk], ids)
                entries[_cache_key("tree", unit, [period.code], ids)] = (entry, now)
            cache.set_many(entries, seconds)
            report.entries += len(entries)
    report.seconds = time.perf_counter() - started
    return report


def warm_months(
    months: Sequence[Period],
    *,
    today: datetime.date,
    only_missing: bool = False,
) -> WarmReport:
    """The trend points of ``months`` (:data:`TREND_IDS`) for every unit down to
    :data:`WARM_DEPTH`: ONE engine pass a month (per pack attachment). A running month
    lasts :func:`warm_seconds`, an ended one :data:`ENDED_MONTHS_SECONDS`.
    ``only_missing``: only the months some unit lacks, and only the entries missing."""
    started = time.perf_counter()
    report = WarmReport()
    indicators = _trend_indicators()
    ids = [i.id for i in indicators]
    attached = _attachment_paths() if months else set()
    for top in top_units() if months else []:
        units = warm_units(top)
        passes = pass_roots(top, units, attached)
        for month in months:
            closed = _closed(month, today)
            if cache_seconds(closed) <= 0:
                continue  # the dashboard would not read it
            keys = {u.pk: _cache_key("month", u, [month.code], ids) for u in units}
            wanted = {u.pk for u in units}
            if only_missing:
                present = _present(list(keys.values()))
                wanted = {pk for pk, key in keys.items() if key not in present}
            for root, served in passes:
                served = [u for u in served if u.pk in wanted]
                if not served:
                    continue
                values, _children = _tree_pass(indicators, root, month)
                report.passes += 1
                now = timezone.now()
                entries = {keys[u.pk]: (_pick(values[u.pk], ids), now) for u in served}
                cache.set_many(entries, ENDED_MONTHS_SECONDS if closed else warm_seconds())
                report.entries += len(entries)
                if month.code not in report.months:
                    report.months.append(month.code)
    report.seconds = time.perf_counter() - started
    return report


def warm_work(today: datetime.date) -> WarmReport:
    """The worklist counts of every unit down to :data:`WORK_WARM_DEPTH`."""
    started = time.perf_counter()
    report = WarmReport()
    for top in top_units():
        for unit in warm_units(top, WORK_WARM_DEPTH):
            work = _all_work(unit, today)
            cache.set(_work_key(unit, today), (work, timezone.now()), warm_seconds())
            report.entries += 1
    report.seconds = time.perf_counter() - started
    return report


def warm_current(today: datetime.date | None = None) -> WarmReport:
    """The refresh job (every ``JISHENG_DASHBOARD_REFRESH_MINUTES``): for the default
    period (the current quarter) the figures of every unit down to
    :data:`WARM_DEPTH`, the running month's trend point, the worklist counts of the
    county and its townships — and the ended months of the trend that are missing (the
    first run, an emptied cache, a month just ended). Nothing when figures are not
    cached."""
    today = today or timezone.localdate()
    report = WarmReport()
    if cache_seconds() <= 0:
        return report
    started = time.perf_counter()
    period = periods.current(today=today)
    months = trend_months(period, today)
    report.add(warm_figures(period))
    report.add(warm_months([m for m in months if not _closed(m, today)], today=today))
    report.add(
        warm_months([m for m in months if _closed(m, today)], today=today, only_missing=True)
    )
    report.add(warm_work(today))
    report.seconds = time.perf_counter() - started
    return report


def warm_ended_months(today: datetime.date | None = None) -> WarmReport:
    """The nightly run: every ended month of the default period's trend, recomputed
    (late entries for a past month show the next morning)."""
    today = today or timezone.localdate()
    if cache_seconds() <= 0:
        return WarmReport()
    months = trend_months(periods.current(today=today), today)
    return warm_months([m for m in months if _closed(m, today)], today=today)
