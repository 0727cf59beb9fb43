"""Small helpers shared by the page views of every app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.views.decorators.http import require_http_methods

GET_POST = require_http_methods(["GET", "POST"])


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 unless the user holds the Django permission ``perm``."""
    if not request.user.has_perm(perm):
        raise PermissionDenied
