"""Error pages: 403, 404, 500 and a failed CSRF check, in Chinese and inside the layout
(JSON under ``/api/``), never Django's technical text.

The 500 page is rendered without the request's context processors (no menu, no
permission or working-unit look-up): the database may be what failed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    context = {"status": status, "error_title": title, "error_message": message}
    try:
        return render(request, f"{status}.html", context, status=status)
    except Exception:  # the layout needs the database (menu, unit): fall back to none
        logger.exception("error page %s rendered without the layout's context", status)
        return server_error(request)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You may not open this page"),
        _("Your role or your unit does not give access to this page or record."),
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _("The page or record does not exist, or it is outside your unit."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("The system met an error. It has been logged; please try again later.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=500)
    # No request context: nothing here may touch the database or the session.
    html = loader.get_template("500.html").render(
        {
            "site_title": settings.JISHENG_SITE_TITLE,
            "status": 500,
            "error_title": _("Server error"),
            "error_message": message,
        }
    )
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the form's security token was missing or stale."""
    message = _(
        "The form's security check failed, usually because the page was open a long time "
        "or cookies were cleared. Go back, reload the page and send it again."
    )
    if _is_api(request):
        return JsonResponse({"detail": message}, status=403)
    context = {
        "status": 403,
        "error_title": _("The form has expired"),
        "error_message": message,
        "csrf_failure": True,
    }
    try:
        return render(request, "403_csrf.html", context, status=403)
    except Exception:
        logger.exception("CSRF failure page rendered without the layout's context")
        return server_error(request)
