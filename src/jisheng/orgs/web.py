"""Helpers of the page views of every app that work on an organisation unit."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from jisheng.orgs import selectors
from jisheng.orgs.models import Unit


def requested_unit(request: HttpRequest) -> Unit:
    """The unit of ``?unit=CODE`` inside the user's scope (404 and an audited denial
    otherwise), else the working unit (else the user's own unit)."""
    code = (request.GET.get("unit") or "").strip()
    if code:
        return selectors.unit_get(user=request.user, code=code)
    unit = getattr(request, "working_unit", None) or getattr(request.user, "unit", None)
    if unit is None:
        raise Http404(_("Not found."))
    return unit
