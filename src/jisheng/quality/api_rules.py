"""``/api/v1/quality/checks``: the logic checks of a unit's subtree for a period.

Thin like the other endpoints: the permission (403), the period (422 ``invalid`` on the
field), the unit inside the caller's data scope (outside: 404 exactly like a missing one,
the attempt audited as ``denied``), then :func:`jisheng.quality.checks.run_checks`.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the ``Query[…]``
annotations at import.)
"""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jisheng.api.errors import ApiError
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.core import periods
from jisheng.core.scope import get_in_scope_or_404
from jisheng.orgs.models import Unit
from jisheng.quality.checks import run_checks

router = Router(tags=["quality"])
VIEW = "quality.view_logicrule"


class CheckFilters(Schema):
    unit: str | None = Field(
        None,
        max_length=32,
        description="A unit's code (404 when it is outside the caller's data scope); "
        "the caller's own unit if left out.",
    )
    period: str | None = Field(
        None,
        max_length=16,
        description="A period: 2026-07, 2026Q3, 2026H2 or 2026; this month if left out.",
    )


class ViolationOut(Schema):
    rule: str
    rule_name: str
    severity: str = Field(description="error or warning")
    unit: str
    unit_name: str
    period: str
    message: str
    left: float | None = Field(None, description="A comparison's left side.")
    right: float | None = Field(None, description="A comparison's right side.")
    record: str = Field("", description="A record check's record: app_label.model:id.")
    explained: bool
    explanation: str = ""


def _invalid(field: str, message: str) -> ApiError:
    details = [{"field": field, "location": "query", "message": message, "type": "invalid"}]
    return ApiError(422, "invalid", message, details=details)


@router.get(
    "/checks",
    response={200: list[ViolationOut], **SCOPED_ERRORS},
    summary="Logic-check results of a unit's subtree for a period",
)
@paginate(PageNumber)
def checks(request: HttpRequest, filters: Query[CheckFilters]):
    """Every result of the logic rules in force for ``period``'s kind over ``unit``'s
    subtree: comparisons of figures per unit (with both sides), record checks per record;
    ``explained`` when an explanation is recorded. Needs ``quality.view_logicrule``."""
    require_perm(request, VIEW)
    try:
        period = periods.parse_or_current(filters.period, kind=periods.MONTH)
    except ValueError as exc:
        raise _invalid("period", str(exc)) from exc
    if filters.unit:
        unit = get_in_scope_or_404(Unit.objects.all(), request.auth, code=filters.unit)
    else:
        unit = request.auth.unit
    return [
        {
            "rule": v.rule.key,
            "rule_name": v.rule.name,
            "severity": v.rule.severity,
            "unit": v.unit.code,
            "unit_name": v.unit.name,
            "period": period.code,
            "message": v.message,
            "left": v.left,
            "right": v.right,
            "record": v.record,
            "explained": v.explained,
            "explanation": v.explanation.text if v.explanation else "",
        }
        for v in run_checks(unit=unit, period=period)
    ]
