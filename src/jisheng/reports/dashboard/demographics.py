"""The demography page: the pyramid and the demographic figures
(see :mod:`jisheng.reports.dashboard`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from jisheng.core import periods
from jisheng.indicators import catalogue, demography, engine
from jisheng.orgs.models import Unit
from jisheng.reports.dashboard.computing import _cache_key, _cached, _closed, cache_seconds
from jisheng.reports.dashboard.figures import (
    Figure,
)

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
    # 出生率, 死亡率, 自然增长率 of each quarter begun (for the period and annualised), then
    # of the year
    crude: list[demography.CrudeRates] = field(default_factory=list)

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


def crude_rates_of_year(unit: Unit, year: int, today: datetime.date) -> list[demography.CrudeRates]:
    """The crude rates of each quarter of ``year`` begun by ``today``, then of the year
    (``demography.CrudeRates``): one engine computation a quarter, cached like the
    dashboard's months (an ended quarter for hours)."""
    quarters = [periods.parse(f"{year}Q{q}") for q in range(1, 5)]
    out: list[demography.CrudeRates] = []
    for period in [q for q in quarters if q.first <= today] + [periods.parse(str(year))]:
        rates, _at, _hit = _cached(
            _cache_key("crude", unit, [period.code], ["birth_rate", "deaths"]),
            lambda p=period: demography.crude_rates(unit, p),
            refresh=False,
            seconds=cache_seconds(_closed(period, today)),
        )
        out.append(rates)
    return out


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
        crude=crude_rates_of_year(unit, year, today),
    )
