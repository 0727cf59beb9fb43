"""``/api/v1/indicators``: the catalogue's figures for a unit (or its child units) and
one period.

Thin like the other endpoints: check the permission (403), check the period and the
ids (422 ``invalid`` on the field concerned), find the unit inside the caller's data
scope (outside: 404 exactly like a missing one, and the attempt is audited as
``denied``), compute with the grouped engine, render.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jisheng.api.errors import ApiError
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.core import periods
from jisheng.indicators import catalogue, engine, selectors, targets
from jisheng.indicators.schemas import IndicatorFilters, IndicatorsOut

VIEW_INDICATORS = "people.view_person"  # for now: who reads the registry reads its figures

router = Router(tags=["indicators"])


def _invalid(field: str, message: str) -> ApiError:
    details = [{"field": field, "location": "query", "message": message, "type": "invalid"}]
    return ApiError(422, "invalid", message, details=details)


@router.get(
    "",
    response={200: IndicatorsOut, **SCOPED_ERRORS},
    summary="Indicators of a unit or of its child units for one period",
)
def indicators(request: HttpRequest, filters: Query[IndicatorFilters]) -> dict[str, Any]:
    """Every indicator of the catalogue (or those of ``ids``) for ``unit`` — or, with
    ``children=true``, for each of its child units — over ``period``. Each figure has
    its ``numerator`` and ``denominator``; ``value`` is null when the denominator is 0;
    ``target`` (signed contract, else policy pack) and ``status`` (green/amber/red).
    Needs ``people.view_person``."""
    require_perm(request, VIEW_INDICATORS)
    try:
        period = periods.parse(filters.period)
    except ValueError as exc:
        raise _invalid("period", str(exc)) from exc
    try:
        chosen = catalogue.select(filters.ids)
    except ValueError as exc:
        raise _invalid("ids", str(exc)) from exc
    level = engine.CHILDREN if filters.children else engine.SELF
    rows = selectors.unit_values(
        request.auth,
        unit_code=filters.unit,
        period=period.code,
        ids=[i.id for i in chosen],
        level=level,
    )
    goals = targets.targets_for([row.unit for row in rows], [i.id for i in chosen], period)

    def figure(row: engine.UnitValues, indicator: engine.Indicator) -> dict[str, Any]:
        value = row.values[indicator.id]
        goal = goals.get((row.unit.pk, indicator.id))
        return {
            "id": indicator.id,
            "name": indicator.name_zh,
            "unit": indicator.unit,
            **value.as_dict(),
            "target": goal.value if goal else None,
            "direction": goal.direction if goal else None,
            "target_source": goal.source if goal else None,
            "status": targets.status(value.value, goal),
        }

    return {
        "period": period.code,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "unit": filters.unit,
        "units": [
            {
                "code": row.unit.code,
                "name": row.unit.name,
                "indicators": [figure(row, i) for i in chosen],
            }
            for row in rows
        ],
    }
