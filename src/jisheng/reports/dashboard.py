"""Reads of the dashboard, catalogue, drill-down and demography pages (selectors).

Everything here reads; callers pass a unit already found inside the user's data scope
(``orgs.selectors.unit_get``: out of scope is a 404 and an audited denial).

The dashboard of a unit for a period is:

- the **key indicators** of the unit (:data:`KEY_IDS`, plus every indicator the unit
  has a target for) with the target and its status (green / amber / red, from
  ``indicators.targets``);
- the **child units** with the same indicators, ranked by a chosen one (standard
  competition ranking: 1, 2, 2, 4; undefined values last, unranked);
- **12-month trends** of a few indicators (:data:`TREND_IDS`) for the unit;
- the **worklist counts** below the unit (``services.selectors.worklist``).

The unit and its children come from ONE ``engine.compute_tree`` pass (one grouped query
a population); the trends from one ``compute`` a month for the unit alone. Figures are
live but cached (:func:`cache_seconds`): those of a running period and the worklist
counts for ``JISHENG_DASHBOARD_CACHE_SECONDS`` (default 300 s), those of a period that
has ended — most trend months — for ``JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS`` (default
6 h), keyed by the unit, the period and the indicators. The page says when its figures
were computed and offers to recompute them at once.

The cache is shared by every process of an installation (settings ``CACHES``: a
database table, or Redis), so ``jisheng worker`` keeps it warm for the web server
(:func:`warm_current`, every ``JISHENG_DASHBOARD_REFRESH_MINUTES``, default 5): for
each top-level unit ONE engine pass gives the current quarter's figures of every unit
down to the villages, written under the very keys :func:`dashboard` reads; the same for
the running month's trend point; the worklist counts of the county and its townships;
the ended months of the trend once a night (:func:`warm_ended_months`). A page whose
entries are missing (cold cache, another period, a group) computes them as before.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import periods
from jisheng.core.periods import Period
from jisheng.core.scope import restrict
from jisheng.indicators import catalogue, demography, engine, targets
from jisheng.indicators.engine import Indicator, UnitValues, Value
from jisheng.orgs.models import Unit
from jisheng.people.models import Person

# The indicators a dashboard always shows, in this order (those the catalogue lacks are
# skipped); the indicators the unit has a target for are added after them.
KEY_IDS: tuple[str, ...] = (
    "contraceptive_prevalence",
    "long_acting_share",
    "followup_rate",
    "campaign_coverage",
    "informed_choice_rate",
    "method_information_index",
    "policy_birth_rate",
    "multi_child_rate",
    "sex_ratio_at_birth",
    "birth_rate",
    "natural_growth_rate",
    "transfer_rate",
    "married_wra",
    "births",
    "deaths",
)
# The indicators drawn month by month over the last 12 months.
TREND_IDS: tuple[str, ...] = (
    "contraceptive_prevalence",
    "followup_rate",
    "births",
    "long_acting_share",
)
TREND_MONTHS = 12
# Ranked by this indicator unless the user chooses another.
DEFAULT_RANK_ID = "contraceptive_prevalence"
# Indicators for which less is better (used when no target gives a direction).
LOWER_IS_BETTER: frozenset[str] = frozenset({"multi_child_rate", "natural_growth_rate"})

NUMERATOR, DENOMINATOR, SIDES = engine.NUMERATOR, engine.DENOMINATOR, engine.SIDES

# Small numbers (样本过少). A ratio or rate computed from fewer cases than its minimum
# sample is not shown: its text is "样本过少" instead of the value (pages, prints,
# drill-down, exports), it gets no target status and is not ranked. The minimum is the
# indicator's own (``min_sample`` on the definition, or :data:`MIN_SAMPLE` here), else
# ``JISHENG_MIN_SAMPLE`` (default in the settings, 5: a rate needs a
# denominator of at least 5). The sample is the denominator, or both sides for the
# indicators of :data:`SAMPLE_BOTH_SIDES` (the sex ratio at birth: boys and girls, all
# births). Counts are never small.
MIN_SAMPLE: dict[str, int] = {"sex_ratio_at_birth": 20}
SAMPLE_BOTH_SIDES: frozenset[str] = frozenset({"sex_ratio_at_birth"})


def min_sample(indicator: Indicator) -> int:
    """The fewest cases a figure of ``indicator`` is shown for (0: always shown)."""
    if not indicator.is_ratio:
        return 0
    own = getattr(indicator, "min_sample", None)
    if own is not None:
        return int(own)
    if indicator.id in MIN_SAMPLE:
        return MIN_SAMPLE[indicator.id]
    return int(settings.JISHENG_MIN_SAMPLE)


def sample_size(indicator: Indicator, value: Value) -> float:
    """The cases behind a figure: its denominator (both sides for the sex ratio)."""
    denominator = float(value.denominator or 0)
    if indicator.id in SAMPLE_BOTH_SIDES:
        return denominator + float(value.numerator or 0)
    return denominator


def small_sample(indicator: Indicator, value: Value | None) -> bool:
    """Whether a defined figure rests on fewer cases than :func:`min_sample`."""
    if value is None or value.value is None:
        return False
    threshold = min_sample(indicator)
    return threshold > 0 and sample_size(indicator, value) < threshold


def small_sample_text() -> str:
    return _("Sample too small")


# --------------------------------------------------------------------------- display


def format_number(number: float | None, digits: int = 2) -> str:
    """A count as an integer, anything else with ``digits`` decimals; None as "—"."""
    if number is None:
        return "—"
    if float(number).is_integer():
        return str(int(number))
    return f"{number:.{digits}f}"


def format_value(indicator: Indicator, value: Value | None, digits: int = 2) -> str:
    """The figure as the pages show it: "95.12%", "12.30‰", "1.62", "128"; "—" when
    undefined (denominator 0), never 0% or 100%."""
    if value is None or value.value is None:
        return "—"
    if small_sample(indicator, value):
        return small_sample_text()
    if indicator.unit == "count":
        return format_number(value.value, digits)
    text = f"{value.value:.{digits}f}"
    if indicator.unit in ("%", "‰"):
        return f"{text}{indicator.unit}"
    return text


def excel_number(
    value: Value | None, digits: int = 2, indicator: Indicator | None = None
) -> float | int | str:
    """A figure for a workbook cell: the number rounded, "—" when undefined, "样本过少"
    when the indicator (if given) says the sample is too small."""
    if value is None or value.value is None:
        return "—"
    if indicator is not None and small_sample(indicator, value):
        return small_sample_text()
    if float(value.value).is_integer():
        return int(value.value)
    return round(float(value.value), digits)


def lower_is_better(indicator_id: str, target: Any = None) -> bool:
    direction = str(getattr(target, "direction", "") or "")
    if direction:
        return "most" in direction or direction in ("max", "below", "le", "<=")
    return indicator_id in LOWER_IS_BETTER


def format_target(indicator: Indicator, target: Any) -> str:
    """``≥ 90%`` / ``≤ 5%``; "" without a target."""
    if target is None or getattr(target, "value", None) is None:
        return ""
    sign = "≤" if lower_is_better(indicator.id, target) else "≥"
    number = format_number(float(target.value))
    unit = indicator.unit if indicator.unit in ("%", "‰") else ""
    return f"{sign} {number}{unit}"


STATUS_CSS = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


def status_label(status: str | None) -> str:
    return {
        "green": _("Target met"),
        "amber": _("Near the target"),
        "red": _("Below the target"),
    }.get(status or "", "")


# --------------------------------------------------------------------------- figures


@dataclass
class Figure:
    """One indicator of one unit: the value, the target and where it stands."""

    indicator: Indicator
    value: Value
    target: Any = None  # indicators.targets.Target or None
    status: str | None = None

    @property
    def text(self) -> str:
        return format_value(self.indicator, self.value)

    @property
    def defined(self) -> bool:
        """A value that is shown: the denominator is not 0 and the sample not too small."""
        return self.value.value is not None and not self.small

    @property
    def small(self) -> bool:
        return small_sample(self.indicator, self.value)

    @property
    def numerator_text(self) -> str:
        return format_number(self.value.numerator)

    @property
    def denominator_text(self) -> str:
        return format_number(self.value.denominator)

    @property
    def target_text(self) -> str:
        return format_target(self.indicator, self.target)

    @property
    def status_css(self) -> str:
        return STATUS_CSS.get(self.status or "", "")

    @property
    def status_text(self) -> str:
        return status_label(self.status)

    @property
    def is_ratio(self) -> bool:
        return self.indicator.is_ratio


@dataclass
class ChildRow:
    unit: Unit
    figures: dict[str, Figure]
    rank: int | None = None
    last: bool = False
    has_children: bool = False
    ranked: Figure | None = None  # the figure of the ranking indicator
    others: list[Figure] = field(default_factory=list)  # a few more, for the table

    def figure(self, indicator_id: str) -> Figure:
        return self.figures[indicator_id]


@dataclass
class TrendPoint:
    period: Period
    value: Value
    indicator: Indicator | None = None

    @property
    def text(self) -> str:
        """The month's figure as the pages show it ("样本过少" for a small sample)."""
        if self.indicator is None:
            return self.value.display()
        return format_value(self.indicator, self.value)


@dataclass
class Trend:
    indicator: Indicator
    points: list[TrendPoint]

    def chart(self, url: Callable[[Period], str] | None = None) -> dict[str, Any]:
        """The data the page's ECharts line chart reads (JSON-able)."""
        return {
            "id": self.indicator.id,
            "name": self.indicator.name_zh,
            "unit": self.indicator.unit,
            "months": [p.period.code for p in self.points],
            "values": [
                None
                if p.value.value is None or small_sample(self.indicator, p.value)
                else round(float(p.value.value), 2)
                for p in self.points
            ],
            "urls": [url(p.period) if url else "" for p in self.points],
        }


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    indicators: list[Indicator]
    figures: list[Figure]
    rank_by: Indicator
    children: list[ChildRow]
    trends: list[Trend]
    worklist: Any = None  # services.selectors.Worklist, or None without the permission
    computed_at: datetime.datetime | None = None
    from_cache: bool = False

    def figure(self, indicator_id: str) -> Figure:
        return next(f for f in self.figures if f.indicator.id == indicator_id)


# --------------------------------------------------------------------------- periods


def trend_months(period: Period, today: datetime.date, count: int = TREND_MONTHS) -> list[Period]:
    """The ``count`` months ending with the period's last month — or, for a period still
    running, with the month of today (months that have not begun are never shown)."""
    if period.first > today:
        return []
    last = periods.containing(min(period.last, today), periods.MONTH)
    months = last.months_before(count)
    return [m for m in months if m.first <= today]


# --------------------------------------------------------------------------- choices


def key_indicators(extra_ids: Iterable[str] = ()) -> list[Indicator]:
    """The dashboard's indicators: :data:`KEY_IDS` then ``extra_ids``, each once, those
    the catalogue knows."""
    out: list[Indicator] = []
    seen: set[str] = set()
    for indicator_id in (*KEY_IDS, *extra_ids):
        if indicator_id in seen or indicator_id not in catalogue.BY_ID:
            continue
        seen.add(indicator_id)
        out.append(catalogue.BY_ID[indicator_id])
    return out


def indicator_or_none(indicator_id: str | None) -> Indicator | None:
    if not indicator_id or indicator_id not in catalogue.BY_ID:
        return None
    return catalogue.BY_ID[indicator_id]


def child_units(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
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


def _work_key(unit: Unit, today: datetime.date) -> str:
    from jisheng.services.selectors import WorkKind

    return _cache_key("work", unit, [today.isoformat()], list(WorkKind.ORDER))


def _all_work(unit: Unit, today: datetime.date) -> Any:
    """Every worklist group below ``unit`` with its count (no items)."""
    from jisheng.services import selectors as service_selectors

    return service_selectors.worklist(
        _WholeTree(), unit=unit, today=today, limit=0, kinds=service_selectors.WorkKind.ORDER
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


# --------------------------------------------------------------------------- catalogue

# The words the pages show for an indicator's unit and for the filters of its terms (the
# engine's names are identifiers, never shown).
UNIT_LABELS: dict[str, str] = {
    "%": "%",
    "‰": "‰",
    "count": "人",
    "per woman": "孩/妇女",
    "ratio": "比值（女婴=100）",
    "couple-years": "保护对年",
}
FILTER_LABELS: dict[str, str] = {
    "accurate": "核实准确",
    "certified_one_child_wife": "已领独生子女父母光荣证的妻子",
    "commodity": "药具随访",
    "completed": "已办结",
    "condom": "避孕套",
    "covered": "已参加服务",
    "female": "女婴",
    "female_sterilisation": "女性绝育",
    "first": "初婚",
    "first_birth": "一孩",
    "gyn_screening": "已做妇科检查",
    "implant": "皮下埋植",
    "informed": "已知情选择",
    "injectable_dose": "注射剂（针）",
    "iud": "宫内节育器",
    "late": "晚婚",
    "long_acting": "长效措施",
    "male": "男婴",
    "male_sterilisation": "男性绝育",
    "married": "已婚",
    "matches": "账实相符",
    "mii_yes": "三项告知均已告知",
    "mother_late": "晚育",
    "on_time": "按时",
    "one_child_wife": "独生子女家庭的妻子",
    "order_3_plus": "三孩及以上",
    "pill_cycle": "口服避孕药（周期）",
    "verified": "已查验",
    "with_method": "已落实避孕措施",
    "within_policy": "政策内",
    "without_stock": "无库存",
}


def unit_label(unit: str) -> str:
    """The unit of an indicator in words ("count" → 人, "per woman" → 孩/妇女, …)."""
    return UNIT_LABELS.get(unit, unit)


def filter_label(name: str) -> str:
    """A term's filter in words: "married" → 已婚, "aged_15_19" → 15–19 岁,
    "mother_20_24" → 母亲 20–24 岁."""
    if name in FILTER_LABELS:
        return FILTER_LABELS[name]
    for prefix, words in (("aged_", "{} 岁"), ("mother_", "母亲 {} 岁")):
        rest = name.removeprefix(prefix)
        if rest != name and rest.replace("_", "").isdigit():
            return words.format(rest.replace("_", "–"))
    return name


def factor_label(factor: str) -> str:
    """A conversion factor of the CYP factor table in words (its item's label)."""
    from jisheng.indicators.models import CypFactor

    try:
        return str(CypFactor.Item(factor).label)
    except ValueError:
        return factor


@dataclass
class TermText:
    population: str  # the population's name
    label: str  # its Chinese label
    filters: tuple[str, ...]
    weight: float
    factor: str = ""  # a conversion factor of the period (CYP)

    @property
    def text(self) -> str:
        words = self.label
        if self.filters:
            words += "（" + "、".join(filter_label(f) for f in self.filters) + "）"
        if self.factor:
            words += f" × {factor_label(self.factor)}系数"
        if self.weight == 1:
            return words
        if self.weight == -1:
            return f"− {words}"
        return f"{format_number(self.weight)} × {words}"


@dataclass
class GroupText:
    """One rate of a sum of rates (e.g. an age group of the TFR), described."""

    label: str
    numerator: list[TermText]
    denominator: list[TermText]

    @property
    def text(self) -> str:
        top = " + ".join(t.text for t in self.numerator)
        bottom = " + ".join(t.text for t in self.denominator)
        return f"{self.label}: ({top}) ÷ ({bottom})"


@dataclass
class CatalogueRow:
    indicator: Indicator
    numerator: list[TermText] = field(default_factory=list)
    denominator: list[TermText] = field(default_factory=list)
    groups: list[GroupText] = field(default_factory=list)

    @property
    def populations(self) -> list[str]:
        """The distinct populations the indicator counts, in order."""
        return list(dict.fromkeys(t.label for t in (*self.numerator, *self.denominator)))

    @property
    def unit_text(self) -> str:
        return unit_label(self.indicator.unit)

    @property
    def semantics_text(self) -> str:
        if self.indicator.semantics == engine.WITHIN:
            return _("Events within the period")
        return _("State on the period's last day")


def _term_text(term: Any) -> TermText:
    population = engine.POPULATIONS.get(term.population)
    label = population.label if population is not None else term.population
    return TermText(
        term.population, label, tuple(term.filters), term.weight, getattr(term, "factor", "")
    )


def side_texts(indicator: Indicator, side: str) -> list[TermText]:
    """The terms of one side (of every group of a sum of rates), described."""
    return [_term_text(t) for t in indicator.side_terms(side)]


def catalogue_rows() -> list[CatalogueRow]:
    """Every indicator of the catalogue with its populations, for the catalogue page
    (a sum of rates, such as the TFR, with its groups)."""
    return [
        CatalogueRow(
            indicator,
            side_texts(indicator, NUMERATOR),
            side_texts(indicator, DENOMINATOR),
            [
                GroupText(
                    g.label,
                    [_term_text(t) for t in g.numerator],
                    [_term_text(t) for t in g.denominator],
                )
                for g in getattr(indicator, "groups", ())
            ],
        )
        for indicator in catalogue.CATALOGUE
    ]


# --------------------------------------------------------------------------- drill-down


def persons_behind(
    user: Any,
    indicator: Indicator,
    side: str,
    unit: Unit,
    period: Period,
    *,
    root: Unit | None = None,
) -> QuerySet[Person]:
    """The persons behind one side of a figure of ``unit`` (in the user's scope) that
    the user may see: those now registered outside the user's data scope are left out.
    ``root`` is the unit whose computation gave the figure (its policy pack sets the
    pack-defined thresholds; default ``unit``). ``ValueError`` for a side the
    indicator does not have."""
    if side not in SIDES:
        raise ValueError(_("Unknown side: %(side)s.") % {"side": side})
    if side == DENOMINATOR and not indicator.is_ratio:
        raise ValueError(_("A count has no denominator."))
    persons = engine.persons_behind(indicator, side, unit, period, root=root)
    return restrict(persons, user).select_related("unit").order_by("unit__path", "name", "pk")


# --------------------------------------------------------------------------- demography


@dataclass
class Demography:
    unit: Unit
    year: int
    day: datetime.date  # the day of the pyramid
    pyramid: list[Any]  # demography.AgeGroup
    births_by_order: list[Any]  # demography.OrderRow
    fertility: Any  # demography.Fertility
    figures: list[Figure]

    @property
    def population(self) -> int:
        return sum(g.male + g.female for g in self.pyramid)

    @property
    def males(self) -> int:
        return sum(g.male for g in self.pyramid)

    @property
    def females(self) -> int:
        return sum(g.female for g in self.pyramid)

    def pyramid_chart(self) -> dict[str, Any]:
        """The data of the page's ECharts pyramid (men to the left, as negatives)."""
        return {
            "labels": [g.label for g in self.pyramid],
            "male": [-g.male for g in self.pyramid],
            "female": [g.female for g in self.pyramid],
        }

    @property
    def tfr_text(self) -> str:
        tfr = getattr(self.fertility, "tfr", None)
        return "—" if tfr is None else f"{tfr:.2f}"


DEMOGRAPHY_IDS: tuple[str, ...] = (
    "births",
    "deaths",
    "birth_rate",
    "natural_growth_rate",
    "sex_ratio_at_birth",
    "multi_child_rate",
)


def pyramid_day(year: int, today: datetime.date) -> datetime.date:
    """The year's last day, or today for the current year."""
    last = datetime.date(year, 12, 31)
    return min(last, today) if year == today.year else last


def demography_for(unit: Unit, year: int, today: datetime.date | None = None) -> Demography:
    """The demographic figures of ``unit`` (in the user's scope) for ``year``."""
    today = today or timezone.localdate()
    period = periods.parse(str(year))
    day = pyramid_day(year, today)
    indicators = [catalogue.BY_ID[i] for i in DEMOGRAPHY_IDS if i in catalogue.BY_ID]
    values = engine.compute(indicators, unit, period, engine.SELF)[0].values
    return Demography(
        unit=unit,
        year=year,
        day=day,
        pyramid=demography.pyramid(unit, day),
        births_by_order=demography.births_by_order_sex(unit, period),
        fertility=demography.fertility(unit, year),
        figures=[Figure(i, values[i.id]) for i in indicators],
    )
