"""The figures of a dashboard, its periods and the indicators it offers
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jisheng.core import periods
from jisheng.core.periods import Period
from jisheng.indicators import catalogue
from jisheng.indicators.demography import annualised
from jisheng.indicators.engine import Indicator, Value
from jisheng.orgs.models import Unit
from jisheng.reports.dashboard.display import (
    KEY_IDS,
    STATUS_CSS,
    TREND_MONTHS,
    format_number,
    format_target,
    format_value,
    small_sample,
    status_label,
)

# --------------------------------------------------------------------------- figures


@dataclass
class Figure:
    """One indicator of one unit: the value, the target and where it stands."""

    indicator: Indicator
    value: Value
    target: Any = None  # indicators.targets.Target or None
    status: str | None = None
    # a rate per 1,000 of a month or quarter as a yearly rate (see annualise_figures)
    annualised: float | None = None

    @property
    def annualised_text(self) -> str:
        if self.annualised is None:
            return ""
        return f"{self.annualised:.2f}{self.indicator.unit}"

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


# 出生率, 自然增长率 (and a 死亡率 should the catalogue gain one): per 1,000 a period, shown
# annualised too for a month or a quarter, since offices compare them with yearly rates.
ANNUALISED_IDS: tuple[str, ...] = ("birth_rate", "death_rate", "natural_growth_rate")


def annualise_figures(figures: Iterable[Figure], period: Period) -> None:
    """Give the crude rates among ``figures`` their annualised value when ``period`` is
    shorter than a year (``indicators.demography.annualised``); a small sample none."""
    if period.kind == periods.YEAR:
        return
    for figure in figures:
        if figure.indicator.id in ANNUALISED_IDS and figure.defined:
            figure.annualised = annualised(float(figure.value.value), period)
