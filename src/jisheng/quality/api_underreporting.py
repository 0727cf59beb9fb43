"""``/api/v1/quality/underreporting``: the under-reporting scan (出生漏报筛查) of every
village of a unit's subtree for a period — the flagged villages (or all with
``all=true``), each with E, O, both Poisson tails and the women by age group and the
reference rates behind E. Villages are flagged for a check, never a person (SPEC §0).

Scoped like every endpoint: a unit outside the caller's subtree answers 404 exactly like
a missing one (audited as ``denied``); a bad period answers 422 ``invalid``.
(No ``from __future__ import annotations`` here: ninja's ``paginate`` reads the
``Query[…]`` annotations at import.)
"""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jisheng.api.errors import ApiError
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.quality import selectors_underreporting as selectors
from jisheng.quality.permissions import VIEW_UNDERREPORTING
from jisheng.quality.underreporting import VillageResult

router = Router(tags=["quality"])


class ScanFilters(Schema):
    unit: str = Field(
        "",
        max_length=32,
        description="A unit's code (404 when it is outside the caller's data scope); "
        "default: the caller's own unit.",
    )
    period: str = Field(
        "",
        max_length=16,
        description="A year (2025), a quarter (2025Q3) or a month (2025-07); default: last year.",
    )
    all: bool = Field(False, description="true: every village scanned; false: the flagged ones.")


class GroupOut(Schema):
    label: str = Field(description="The women's age group, e.g. 25–29.")
    women: float = Field(description="Mean of the women of the group on the first and last day.")
    women_start: int
    women_end: int
    rate_per_1000: float = Field(description="Reference births per 1,000 women in the period.")
    expected: float
    observed: int = Field(description="Births registered to mothers of the group.")


class VillageOut(Schema):
    unit: str
    unit_name: str
    period: str
    expected: float = Field(description="E: births expected from the women and the rates.")
    observed: int = Field(description="O: births registered in the period.")
    p_low: float = Field(description="P(X ≤ O) for X ~ Poisson(E).")
    p_high: float = Field(description="P(X ≥ O) for X ~ Poisson(E).")
    flag: str = Field(
        description="low (check the birth registration), high (counted twice?) or empty."
    )
    reference: str = Field(description="county: the county's own rates; pack: the policy pack's.")
    groups: list[GroupOut]


def _invalid(field: str, message: str) -> ApiError:
    details = [{"field": field, "location": "query", "message": message, "type": "invalid"}]
    return ApiError(422, "invalid", message, details=details)


@router.get(
    "",
    response={200: list[VillageOut], **SCOPED_ERRORS},
    summary="Under-reporting scan of the villages of a unit for one period",
)
@paginate(PageNumber)
def underreporting(request: HttpRequest, filters: Query[ScanFilters]) -> list[dict[str, object]]:
    """The villages of ``unit``'s subtree whose registered births are improbably low or
    high for their women of childbearing age (Poisson tail < 0.01), the most improbable
    first. Needs ``quality.view_underreporting``."""
    require_perm(request, VIEW_UNDERREPORTING)
    try:
        period = selectors.period_for(filters.period, timezone.localdate())
    except ValueError as exc:
        raise _invalid("period", str(exc)) from exc
    code = filters.unit.strip()
    unit = org_selectors.unit_get(user=request.auth, code=code) if code else request.auth.unit
    if unit is None:
        raise ApiError(404, "not_found", _("Not found."))
    scan = selectors.underreporting_scan(user=request.auth, unit=unit, period=period)
    villages: list[VillageResult] = scan.villages if filters.all else scan.flagged
    if filters.all:
        villages = sorted(villages, key=lambda v: (v.p, v.unit_id))
    units = {
        pk: (code, name)
        for pk, code, name in Unit.objects.filter(pk__in=[v.unit_id for v in villages]).values_list(
            "pk", "code", "name"
        )
    }
    return [
        {
            "unit": units[v.unit_id][0],
            "unit_name": units[v.unit_id][1],
            "period": period.code,
            "expected": v.expected,
            "observed": v.observed,
            "p_low": v.p_low,
            "p_high": v.p_high,
            "flag": v.flag,
            "reference": scan.reference.source,
            "groups": [
                {
                    "label": g.label,
                    "women": g.women,
                    "women_start": g.women_start,
                    "women_end": g.women_end,
                    "rate_per_1000": g.per_1000,
                    "expected": g.expected,
                    "observed": g.observed,
                }
                for g in v.groups
            ],
        }
        for v in villages
    ]
