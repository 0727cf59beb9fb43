"""``/api/v1/units``: the organisation tree, inside the caller's data scope.

Endpoints are thin: check the permission, call the selectors (which apply the scope),
render. A unit outside the scope answers 404 ``not_found`` exactly like a missing code,
and the attempt is written to the audit log (``get_in_scope_or_404``).
"""

from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.orgs import selectors
from jisheng.orgs.models import Unit
from jisheng.orgs.schemas import UnitDetailOut, UnitFilters, UnitOut

router = Router(tags=["units"])

VIEW_UNIT = "orgs.view_unit"
LIST_FIELDS = [
    "code",
    "name",
    "unit_type",
    "depth",
    "path",
    "is_active",
    "address",
    "phone",
    "numchild",
]


@router.get(
    "",
    response={200: list[UnitOut], **SCOPED_ERRORS},
    summary="List units",
)
@paginate(PageNumber)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]):
    """Units in the caller's subtree, in tree order, one page at a time.

    ``parent`` gives the direct sub-units of one unit (404 when that unit is outside
    the caller's scope); ``type``, ``q`` and ``active`` narrow the list.
    """
    require_perm(request, VIEW_UNIT)
    user = request.auth
    parent = selectors.unit_get(user=user, code=filters.parent) if filters.parent else None
    queryset = selectors.unit_list(
        user=user,
        parent=parent,
        unit_type=filters.type.value if filters.type else None,
        q=filters.q,
        is_active=filters.active,
    )
    # parent_code comes from an annotation on the same query (no query per row); only
    # the listed columns are read.
    return selectors.with_parent_fields(queryset).only(*LIST_FIELDS)


@router.get(
    "/{code}",
    response={200: UnitDetailOut, **SCOPED_ERRORS},
    summary="One unit",
)
def unit_detail(request: HttpRequest, code: str):
    """One unit with the positions held today and a summary of its committees."""
    require_perm(request, VIEW_UNIT)
    user = request.auth
    unit = selectors.unit_get(user=user, code=code)
    if unit.depth > 1:
        unit.parent_code = (
            Unit.objects.filter(path=unit.path[: -Unit.steplen])
            .values_list("code", flat=True)
            .first()
        )
    unit.positions_today = list(
        selectors.position_list(user=user, unit=unit, current_only=True).order_by(
            "role", "-start_date", "id"
        )
    )
    unit.committee_summary = list(
        selectors.committee_list(user=user, unit=unit)
        .prefetch_related(None)
        .annotate(member_count=Count("members"))
        .order_by("name", "id")
    )
    return unit
