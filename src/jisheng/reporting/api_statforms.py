"""``/api/v1/statforms``: the statistical forms, and one form of a unit and period as a
DHIS2 dataValueSet (for upper systems).

Thin like the other endpoints: the permission (403), the form (404 for an unknown key),
the period (422 ``invalid`` on ``period``: not a period, or not of the form's
frequency), the unit inside the caller's data scope (outside: 404 exactly like a
missing one, the attempt audited as ``denied``); the export is audited.
(No ``from __future__ import annotations`` here: ninja's ``paginate`` reads the
``Query[…]`` annotations at import.)
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jisheng.api.errors import ApiError
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.core import periods, statforms
from jisheng.core.registry import registry
from jisheng.core.scope import get_in_scope_or_404
from jisheng.orgs.models import Unit
from jisheng.reporting import exports, selectors_statforms
from jisheng.reporting.definitions import FREQUENCY_LABELS

VIEW_FORMS = "reporting.view_formdefinition"

router = Router(tags=["statforms"])


class FormOut(Schema):
    key: str
    title: str
    frequency: str = Field(description="month, quarter or year")
    version: str
    source: str = Field(description="The app that defines the form.")
    columns: list[str] = Field(description="The keys of the form's columns.")


class DataValueOut(Schema):
    dataElement: str = Field(description="<form key>.<column key>")
    categoryOptionCombo: str
    orgUnit: str
    period: str
    value: str


class DataValueSetOut(Schema):
    dataSet: str
    period: str = Field(description="DHIS2's period: 202603, 2026Q1, 2026")
    orgUnit: str
    completeDate: str
    dataValues: list[DataValueOut]


class FormFilters(Schema):
    unit: str = Field(description="The reporting unit's code (rows: its child units).")
    period: str = Field(description="A period of the form's frequency: 2026-03, 2026Q1, 2026.")


def _invalid(field: str, message: str) -> ApiError:
    details = [{"field": field, "location": "query", "message": message, "type": "invalid"}]
    return ApiError(422, "invalid", message, details=details)


@router.get("", response={200: list[FormOut], **SCOPED_ERRORS}, summary="Statistical forms")
@paginate(PageNumber)
def form_list(request: HttpRequest):
    """Every registered statistical form: key, title, frequency, version in force and
    column keys. Needs ``reporting.view_formdefinition``."""
    require_perm(request, VIEW_FORMS)
    out = []
    for spec in statforms.statforms():
        columns: list[str] = []
        if spec.source == "reporting":
            definition = selectors_statforms.definition_in_force(spec.key)
            columns = [c.key for c in definition.columns]
            version = str(definition.version)
        else:
            version = spec.version
        out.append(
            {
                "key": spec.key,
                "title": str(spec.title),
                "frequency": spec.frequency,
                "version": version,
                "source": spec.source,
                "columns": columns,
            }
        )
    return out


@router.get(
    "/{key}",
    response={200: DataValueSetOut, **SCOPED_ERRORS},
    summary="One form of a unit and period as a DHIS2 dataValueSet",
)
def form_values(request: HttpRequest, key: str, filters: Query[FormFilters]) -> dict:
    """The form ``key`` of ``unit`` for ``period``, generated from the registry: one data
    value per child unit (the unit itself when it has none) and column, and the unit's
    total. Audited as an export. Needs ``reporting.view_formdefinition``."""
    require_perm(request, VIEW_FORMS)
    spec = registry["statforms"].get(key)
    if spec is None:
        raise ApiError(404, "not_found", _("Not found."))
    try:
        period = periods.parse(filters.period)
    except ValueError as exc:
        raise _invalid("period", str(exc)) from exc
    if period.kind != spec.frequency:
        label = FREQUENCY_LABELS.get(spec.frequency, spec.frequency)
        raise _invalid(
            "period",
            _("This form is a %(frequency)s: choose a period of that kind.") % {"frequency": label},
        )
    caller = request.auth  # type: ignore[attr-defined]  # set by ninja's token auth
    unit = get_in_scope_or_404(Unit.objects.all(), caller, code=filters.unit)
    if spec.source == "reporting":  # figures only: the records stay in the registry
        form = selectors_statforms.build(key, unit, period, with_records=False)
    else:
        form = spec.build(unit, period)
    statforms.record_export(actor=caller, unit=unit, period=period, title=form.title)
    return exports.data_value_set(form)
