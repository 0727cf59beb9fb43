"""``POST /auth/token`` (username + password → token) and ``GET /me``."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from jisheng.api.errors import ApiError
from jisheng.api.schemas import AUTH_ERRORS, ErrorOut, MeOut, TokenIn, TokenOut
from jisheng.core.tokens import MAX_DAYS, token_create
from jisheng.orgs.choices import Role

router = Router(tags=["auth"])


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Get a token with a username and password",
)
def auth_token(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a bearer token that expires after
    ``JISHENG_API_TOKEN_DAYS`` days.

    Failed attempts count towards the log-in lockout (django-axes): after too many, the
    answer is 403 ``locked_out`` even for the right password, until the lock expires.
    Wrong credentials answer 401 ``invalid_credentials``.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answer with our JSON body: AxesMiddleware would otherwise replace the
            # response with its HTML lockout page.
            request.axes_locked_out = False
            raise ApiError(
                403,
                "locked_out",
                _("Too many failed log-in attempts: this account is locked for a while."),
            )
        raise ApiError(401, "invalid_credentials", _("Wrong username or password."))
    # A successful password check is a log-in: resets the failure count, sets last_login.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    days = max(1, min(settings.JISHENG_API_TOKEN_DAYS, MAX_DAYS))
    expires_at = timezone.now() + datetime.timedelta(days=days)
    token, secret = token_create(
        actor=user, user=user, name=payload.name or _("Issued at log-in"), expires_at=expires_at
    )
    return {"token": secret, "prefix": token.prefix, "expires_at": token.expires_at}


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="The caller")
def me(request: HttpRequest):
    """The caller's username, unit, roles and permissions."""
    user = request.auth
    valid_roles = set(Role.values)
    roles = [
        {"code": name, "label": str(Role(name).label)}
        for name in sorted(user.groups.values_list("name", flat=True))
        if name in valid_roles
    ]
    unit = user.unit
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "is_superuser": user.is_superuser,
        "unit": unit,
        "roles": roles,
        "permissions": sorted(user.get_all_permissions()),
    }
