"""The working unit (当前单位): the unit whose data the pages show by default."""

from __future__ import annotations

from jisheng.orgs.selectors import working_unit_for

SESSION_KEY = "working_unit_id"


class WorkingUnitMiddleware:
    """Sets ``request.working_unit`` from the session, falling back to the user's unit.

    A unit stored in the session that is no longer in the user's scope (the user moved,
    the unit was deleted) is ignored and forgotten. Anonymous requests get ``None``.
    Must come after ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.working_unit = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = getattr(request, "session", None)
            unit_id = session.get(SESSION_KEY) if session is not None else None
            unit = working_unit_for(user, unit_id)
            if unit_id and (unit is None or unit.pk != _as_int(unit_id)):
                session.pop(SESSION_KEY, None)
            request.working_unit = unit
        return self.get_response(request)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
