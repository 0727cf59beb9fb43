"""``/api/v1/persons``: the population registry, inside the caller's data scope.

Endpoints are thin: check the permission (``people.view_person``), call the search and
the selectors (which apply the scope), render. A person or unit outside the scope
answers 404 ``not_found`` exactly like a missing one, and the attempt is written to the
audit log. ID numbers are always masked; lists mask phone numbers too.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from jisheng.api.errors import ApiError
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS
from jisheng.api.security import require_perm
from jisheng.orgs import selectors as org_selectors
from jisheng.people import selectors
from jisheng.people.models import Person
from jisheng.people.schemas import EventOut, PeriodOut, PersonDetailOut, PersonFilters, PersonOut
from jisheng.people.search import (
    LIST_FIELDS,
    MIN_PHONE_DIGITS,
    QueryKind,
    interpret,
    person_search,
)

router = Router(tags=["persons"])

VIEW_PERSON = "people.view_person"


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422,
        "invalid",
        _("The request is invalid."),
        details=[{"field": field, "location": "query", "message": message, "type": "invalid"}],
    )


@router.get("", response={200: list[PersonOut], **SCOPED_ERRORS}, summary="List persons")
@paginate(PageNumber)
def person_list(request: HttpRequest, filters: Query[PersonFilters]):
    """Persons in the caller's subtree, by name, one page at a time.

    Filters as on the person list page: ``q`` (name, pinyin, initials, exact ID number or
    phone), ``unit`` (a code: that unit and below; 404 outside the caller's scope),
    ``status``, ``sex``, ``marital_status``, ``age_min``/``age_max`` (years, today).
    """
    require_perm(request, VIEW_PERSON)
    user = request.auth
    if filters.q and interpret(filters.q).kind == QueryKind.INVALID:
        raise _invalid(
            "q",
            _(
                "Type a name (characters or pinyin), a full ID number, or at least "
                "%(digits)d digits of a phone number."
            )
            % {"digits": MIN_PHONE_DIGITS},
        )
    if (
        filters.age_min is not None
        and filters.age_max is not None
        and filters.age_min > filters.age_max
    ):
        raise _invalid("age_max", _("The upper age is below the lower age."))
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    return person_search(
        user=user,
        q=filters.q or "",
        unit=unit,
        status=filters.status.value if filters.status else None,
        sex=filters.sex.value if filters.sex else None,
        marital_status=filters.marital_status.value if filters.marital_status else None,
        age_min=filters.age_min,
        age_max=filters.age_max,
    ).only(*LIST_FIELDS)


def _person(request: HttpRequest, person_id: int) -> Person:
    require_perm(request, VIEW_PERSON)
    return selectors.person_get(user=request.auth, pk=person_id)


@router.get(
    "/{int:person_id}", response={200: PersonDetailOut, **SCOPED_ERRORS}, summary="One person"
)
def person_detail(request: HttpRequest, person_id: int):
    """One person's identity and current state (ID number masked)."""
    return _person(request, person_id)


@router.get(
    "/{int:person_id}/periods",
    response={200: list[PeriodOut], **SCOPED_ERRORS},
    summary="A person's dated states",
)
def person_periods(request: HttpRequest, person_id: int):
    """The person's state over time: each period is valid over ``[valid_from, valid_to)``."""
    person = _person(request, person_id)
    return list(person.periods.select_related("unit", "employer").order_by("valid_from", "id"))


@router.get(
    "/{int:person_id}/events",
    response={200: list[EventOut], **SCOPED_ERRORS},
    summary="A person's life events",
)
def person_events(request: HttpRequest, person_id: int):
    """Every life event of the person, oldest first, corrections included."""
    person = _person(request, person_id)
    events = list(selectors.person_events(person=person))
    reversed_ids = {e.reverses_id for e in events if e.reverses_id}
    for event in events:
        event.is_corrected = event.pk in reversed_ids
    return events
