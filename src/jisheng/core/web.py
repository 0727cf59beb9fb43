"""Small helpers shared by the page views of every app."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_http_methods

GET_POST = require_http_methods(["GET", "POST"])


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 unless the user holds the Django permission ``perm``."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


class BadInput(ValueError):
    """A query-string value the page cannot use; the message is shown to the user."""


def page_url(name: str, **params: Any) -> str:
    """The URL of the page ``name`` with ``params`` (empty ones left out) as its query."""
    query = {k: v for k, v in params.items() if v not in (None, "")}
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url
