"""Schemas of ``/api/v1/indicators``."""

from __future__ import annotations

from ninja import Field, Schema


class IndicatorFilters(Schema):
    unit: str = Field(
        min_length=1,
        max_length=32,
        description="A unit's code (404 when it is outside the caller's data scope).",
    )
    period: str = Field(
        min_length=1,
        max_length=16,
        description="A month (2026-07), a quarter (2026Q3), a half year (2026H2) or a year (2026).",
    )
    ids: str = Field(
        "",
        max_length=1000,
        description="Indicator ids, comma-separated, in the order wanted. Default: all.",
    )
    children: bool = Field(
        False,
        description="true: a row for each child unit of ``unit``; false: ``unit`` itself.",
    )


class IndicatorValueOut(Schema):
    id: str = Field(description="The indicator's fixed id, e.g. contraceptive_prevalence.")
    name: str = Field(description="The indicator's name (Chinese).")
    unit: str = Field(description="%, ‰, count, per woman or ratio (per 100).")
    value: float | None = Field(
        description="The figure; null when the denominator is 0 (undefined, shown “—”)."
    )
    numerator: float
    denominator: float | None = Field(description="null for a count (no denominator).")
    target: float | None = Field(
        description="The unit's target for the period's year: its signed contract item, "
        "else the policy pack in force; null when there is none."
    )
    direction: str | None = Field(
        description="at_least or at_most: which side of the target meets it; null without one."
    )
    target_source: str | None = Field(description="contract, pack, or null.")
    status: str | None = Field(
        description="green (target met), amber (missed by at most 5 % of the target), red; "
        "null when the value or the target is missing."
    )


class UnitIndicatorsOut(Schema):
    code: str
    name: str
    indicators: list[IndicatorValueOut]


class IndicatorsOut(Schema):
    period: str = Field(description="The period's code, e.g. 2026Q3.")
    first: str = Field(description="The period's first day (ISO date).")
    last: str = Field(description="The period's last day (ISO date).")
    unit: str = Field(description="The code of the unit asked for.")
    units: list[UnitIndicatorsOut]
