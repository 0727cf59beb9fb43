"""Bearer-token authentication for every API endpoint (``Authorization: Bearer js_…``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from jisheng.core.tokens import token_authenticate


class BearerTokenAuth(HttpBearer):
    """Accepts the tokens of :mod:`jisheng.core.tokens`; the caller becomes ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(token.strip())
        if user is None:
            return None
        request.user = user
        return user


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 ``forbidden`` unless the caller holds the Django permission ``perm``."""
    from django.core.exceptions import PermissionDenied

    if not request.auth.has_perm(perm):
        raise PermissionDenied(perm)
